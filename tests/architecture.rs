//! The shape of the code, checked like any other rule: the product crate's modules
//! import one way (no circle between files), and no file holds more than 8% of the
//! product's lines. The graph is read from the source: every `crate::a::b`,
//! `super::c`, `self::d` and bare `child::e` path in a file (outside comments and its
//! `mod tests`) is an edge to the deepest module file it names, except a module's edges
//! down to its own parts (its facade role).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Files that are crate roots, not modules others import.
const ROOTS: [&str; 2] = ["lib.rs", "main.rs"];
/// The largest share of the product's lines one file may hold, in percent.
const MAX_SHARE_PERCENT: usize = 8;

struct Module {
    /// `service::booking`, `bot`, ...
    path: Vec<String>,
    /// The code lines that count for imports (comments and the test module left out).
    code: Vec<String>,
    /// All of its lines, for the size rule.
    lines: usize,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let p = entry.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The modules of the crate whose sources are in `dir` (relative to the workspace root).
fn modules_in(dir: &str) -> Vec<Module> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .filter(|f| !ROOTS.contains(&f.strip_prefix(&src).expect("in src").to_str().expect("utf-8")))
        .map(|f| {
            let rel = f.strip_prefix(&src).expect("in src").with_extension("");
            let mut path: Vec<String> = rel.iter().map(|c| c.to_string_lossy().into_owned()).collect();
            if path.last().is_some_and(|l| l == "mod") {
                path.pop();
            }
            let text = std::fs::read_to_string(&f).expect("read");
            let lines = text.lines().count();
            let code = text
                .lines()
                .take_while(|l| !l.trim_start().starts_with("mod tests"))
                .filter(|l| !l.trim_start().starts_with("//"))
                .map(str::to_owned)
                .collect();
            Module { path, code, lines }
        })
        .collect()
}

/// The module paths a line names: `crate::x::y`, `super::z`, `self::w`, resolved from
/// `from`, then cut to the deepest one that is a module file.
fn edges(from: &[String], line: &str, known: &BTreeSet<Vec<String>>) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let bytes = line.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        // A path starts at an identifier boundary.
        if !line.is_char_boundary(i) || (i > 0 && (is_ident(bytes[i - 1]) || bytes[i - 1] == b':')) {
            i += 1;
            continue;
        }
        let rest = &line[i..];
        let (mut base, skip): (Vec<String>, usize) = if rest.starts_with("crate::") {
            (Vec::new(), "crate::".len())
        } else if rest.starts_with("super::") {
            // `super` of a `mod.rs` module is its parent as well: the module is the directory.
            let mut b = from.to_vec();
            b.pop();
            (b, "super::".len())
        } else if rest.starts_with("self::") {
            (from.to_vec(), "self::".len())
        } else if is_child_path(from, rest, known) {
            // `outbox::run()` in `bot`: a bare path starting at a child module.
            (from.to_vec(), 0)
        } else {
            i += 1;
            continue;
        };
        let mut j = i + skip;
        loop {
            let start = j;
            while j < bytes.len() && is_ident(bytes[j]) {
                j += 1;
            }
            if start == j {
                break;
            }
            let seg = &line[start..j];
            if seg == "super" {
                base.pop();
            } else {
                base.push(seg.to_owned());
            }
            if line[j..].starts_with("::") {
                j += 2;
            } else {
                break;
            }
        }
        // Also `use crate::x::{a, b}`: each of a, b may be a module.
        let mut targets = vec![base.clone()];
        if line[j..].starts_with('{') {
            if let Some(end) = line[j..].find('}') {
                for item in line[j + 1..j + end].split(',') {
                    let name = item.trim().split("::").next().unwrap_or("").trim();
                    if !name.is_empty() && name != "self" {
                        let mut t = base.clone();
                        t.push(name.to_owned());
                        targets.push(t);
                    }
                }
            }
        }
        for mut t in targets {
            while !t.is_empty() && !known.contains(&t) {
                t.pop();
            }
            // A module's own items and its ancestors' declarations are not imports.
            if !t.is_empty() && t.as_slice() != from {
                found.push(t);
            }
        }
        i = j.max(i + 1);
    }
    found
}

/// Whether `rest` starts with `name::` where `name` is a child module of `from`.
fn is_child_path(from: &[String], rest: &str, known: &BTreeSet<Vec<String>>) -> bool {
    let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    if name.is_empty() || !rest[name.len()..].starts_with("::") {
        return false;
    }
    let mut child = from.to_vec();
    child.push(name);
    known.contains(&child)
}

fn graph(mods: &[Module]) -> BTreeMap<String, BTreeSet<String>> {
    let known: BTreeSet<Vec<String>> = mods.iter().map(|m| m.path.clone()).collect();
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for m in mods {
        let from = m.path.join("::");
        let out = g.entry(from).or_default();
        for line in &m.code {
            // A module's own children are its parts: the `mod.rs` that declares them,
            // re-exports and wires them (`Service`'s methods live in `service::*`) is
            // their facade, not a layer beside them, so its edges down do not count.
            for t in edges(&m.path, line, &known).into_iter().filter(|t| !t.starts_with(&m.path)) {
                out.insert(t.join("::"));
            }
        }
    }
    g
}

/// Strongly connected components with more than one module (Tarjan), each sorted.
fn circles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Tarjan<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    impl<'a> Tarjan<'a> {
        fn visit(&mut self, v: &'a str) {
            self.index.insert(v, self.next);
            self.low.insert(v, self.next);
            self.next += 1;
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.g.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(lw);
                } else if self.on_stack.contains(w) {
                    let iw = self.index[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut comp = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    comp.push(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if comp.len() > 1 {
                    comp.sort();
                    self.out.push(comp);
                }
            }
        }
    }
    let mut t = Tarjan {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in g.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.out
}

/// huzhu itself.
fn modules() -> Vec<Module> {
    modules_in("src")
}

fn assert_one_way(mods: &[Module]) {
    let g = graph(mods);
    let found = circles(&g);
    let described: Vec<String> = found
        .iter()
        .map(|c| {
            let edges: Vec<String> = c
                .iter()
                .flat_map(|a| g[a].iter().filter(|b| c.contains(b)).map(move |b| format!("{a} -> {b}")))
                .collect();
            format!("circle of {}: {}", c.join(", "), edges.join("; "))
        })
        .collect();
    assert!(found.is_empty(), "import circles:\n{}", described.join("\n"));
}

#[test]
fn the_modules_import_one_way() {
    assert_one_way(&modules());
}

#[test]
fn the_stand_ins_modules_import_one_way() {
    assert_one_way(&modules_in("crates/tg-standin/src"));
}

#[test]
fn no_file_holds_more_than_eight_percent_of_the_product() {
    let mods = modules();
    let total: usize = mods.iter().map(|m| m.lines).sum();
    let too_big: Vec<String> = mods
        .iter()
        .filter(|m| m.lines * 100 > total * MAX_SHARE_PERCENT)
        .map(|m| format!("{} has {} of {total} lines", m.path.join("::"), m.lines))
        .collect();
    assert!(too_big.is_empty(), "files over {MAX_SHARE_PERCENT}%:\n{}", too_big.join("\n"));
}

#[test]
fn the_checker_sees_a_circle_when_there_is_one() {
    let m = |p: &str, code: &str| Module {
        path: p.split("::").map(str::to_owned).collect(),
        code: code.lines().map(str::to_owned).collect(),
        lines: 1,
    };
    let mods = [
        m("service::booking", "use super::jobs::plan;"),
        m("service::jobs", "use crate::service::{records, booking::is_blocked};"),
        m("service::records", "fn f() { crate::rota::fits() }"),
        m("rota", ""),
        m("service", "pub mod booking;"),
        m("bot", "pub mod outbox;\nfn run() { outbox::outbox_loop() }"),
        m("bot::outbox", "use super::send;"),
    ];
    let g = graph(&mods);
    assert_eq!(circles(&g), vec![vec!["service::booking".to_owned(), "service::jobs".to_owned()]]);
    assert!(g["bot::outbox"].contains("bot"), "a part uses what its module shares");
    assert!(g["bot"].is_empty(), "a module wiring its own parts is their facade, not an import");
    assert!(g["service::records"].contains("rota"));
    assert!(g["service"].is_empty(), "declaring a child module is not an import");
}
