//! Backups as versioned JSON lines, and restoring one into an empty path.
//!
//! The file's first line is a `Header` (format name and version, huzhu's version, the
//! schema version, when, the trees, how many records); then one line per record:
//! `{"tree":"bookings","key":"<hex>","value":"<hex>"}`, keys and values byte for byte
//! (hex: lossless, whatever the bytes). Records come tree by tree in key order.
//!
//! Invariants:
//! - A snapshot is consistent across trees: it is read under the store's write lock,
//!   so no transaction is half in it (every write goes through that lock).
//! - `restore` writes nothing unless every line is valid, and never into a path that
//!   holds anything.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};
use std::path::Path;

use super::{Store, StoreError, SCHEMA_VERSION, T};

pub const FORMAT: &str = "huzhu-backup";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    pub huzhu: String,
    pub schema: u32,
    pub created: DateTime<Utc>,
    pub trees: Vec<String>,
    pub records: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    tree: String,
    key: String,
    value: String,
}

/// Every record of every tree, read at one instant.
pub type Snapshot = Vec<(T, Vec<(Vec<u8>, Vec<u8>)>)>;

impl Store {
    /// `open`, waiting up to `wait` while another handle still holds the database's
    /// lock: sled lets it go when its background threads end, a moment after the handle
    /// (in this process, or a bot that is stopping) is gone. For the command line.
    pub fn open_waiting(path: &Path, wait: std::time::Duration) -> Result<Store, StoreError> {
        Store::open_with_cache_waiting(path, None, wait)
    }

    /// `open_with_cache`, waiting like `open_waiting`: the bot at startup, so that a
    /// restart right after the previous process (or a seeding tool) let go succeeds.
    pub fn open_with_cache_waiting(
        path: &Path,
        cache_bytes: Option<u64>,
        wait: std::time::Duration,
    ) -> Result<Store, StoreError> {
        let deadline = std::time::Instant::now() + wait;
        loop {
            match Store::open_with_cache(path, cache_bytes) {
                Err(StoreError::Sled(e))
                    if e.to_string().contains("could not acquire lock") && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                r => return r,
            }
        }
    }

    /// A consistent copy of every tree (taken under the write lock; writers wait for it).
    pub fn consistent_snapshot(&self) -> Result<Snapshot, StoreError> {
        let _watch = crate::watchdog::watch(|| "a backup's snapshot (writes wait for it)".to_string());
        let _one_writer = self.write_lock.lock();
        // The change before may still be applying: its turn ends when it is in the trees.
        let _applied = self.apply_turn.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::with_capacity(T::ALL.len());
        for t in T::ALL {
            if t == T::Journal {
                // Changes already in the trees (the write lock is held): a restore must
                // not replay them over what comes after it.
                out.push((t, vec![]));
                continue;
            }
            let records =
                self.tree(t).iter().map(|r| r.map(|(k, v)| (k.to_vec(), v.to_vec()))).collect::<Result<Vec<_>, _>>()?;
            out.push((t, records));
        }
        Ok(out)
    }
}

fn hex(bytes: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(D[(b >> 4) as usize] as char);
        s.push(D[(b & 15) as usize] as char);
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    s.as_bytes().chunks(2).map(|p| Some(digit(p[0])? << 4 | digit(p[1])?)).collect()
}

/// Writes a snapshot as a backup file's lines; returns how many records it wrote.
pub fn write_backup(out: &mut impl Write, snapshot: &Snapshot, now: DateTime<Utc>) -> std::io::Result<u64> {
    let records = snapshot.iter().map(|(_, r)| r.len() as u64).sum();
    let header = Header {
        format: FORMAT.into(),
        version: FORMAT_VERSION,
        huzhu: env!("CARGO_PKG_VERSION").into(),
        schema: SCHEMA_VERSION,
        created: now,
        trees: snapshot.iter().map(|(t, _)| t.name()).collect(),
        records,
    };
    serde_json::to_writer(&mut *out, &header)?;
    out.write_all(b"\n")?;
    for (t, list) in snapshot {
        let tree = t.name();
        for (k, v) in list {
            let line = Line { tree: tree.clone(), key: hex(k), value: hex(v) };
            serde_json::to_writer(&mut *out, &line)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(records)
}

#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("{0} is not empty: restore only into a new path")]
    NotEmpty(String),
    #[error("the backup is not valid:\n{}", .0.join("\n"))]
    Invalid(Vec<String>),
    #[error("cannot read the backup: {0}")]
    Read(std::io::Error),
    #[error("cannot write the database: {0}")]
    Store(#[from] StoreError),
}

/// Reads and checks a whole backup: every line, with its number in each complaint
/// (at most 20 are listed). Nothing is written here.
pub fn read_backup(input: impl BufRead) -> Result<(Header, Snapshot), RestoreError> {
    let mut errors = vec![];
    let mut lines = input.lines();
    let header: Header = match lines.next() {
        None => return Err(RestoreError::Invalid(vec!["line 1: the file is empty".into()])),
        Some(l) => {
            let l = l.map_err(RestoreError::Read)?;
            serde_json::from_str(&l)
                .map_err(|e| RestoreError::Invalid(vec![format!("line 1: not a huzhu backup header ({e})")]))?
        }
    };
    if header.format != FORMAT {
        errors.push(format!("line 1: format {:?} is not {FORMAT:?}", header.format));
    }
    if header.version != FORMAT_VERSION {
        errors.push(format!(
            "line 1: backup format version {} is not {FORMAT_VERSION}, the one this huzhu reads",
            header.version
        ));
    }
    if header.schema != SCHEMA_VERSION {
        errors.push(format!(
            "line 1: database schema {} is not {SCHEMA_VERSION}, the one this huzhu reads",
            header.schema
        ));
    }
    let tree_of = |name: &str| T::ALL.into_iter().find(|t| t.name() == name);
    for name in &header.trees {
        if tree_of(name).is_none() {
            errors.push(format!("line 1: unknown tree {name:?}"));
        }
    }
    if !errors.is_empty() {
        return Err(RestoreError::Invalid(errors));
    }
    let mut snapshot: Snapshot = T::ALL.into_iter().map(|t| (t, vec![])).collect();
    let mut count = 0u64;
    for (i, line) in lines.enumerate() {
        let n = i + 2;
        let line = line.map_err(RestoreError::Read)?;
        let problem = match serde_json::from_str::<Line>(&line) {
            Err(e) => Some(format!("not a record ({e})")),
            Ok(rec) => match (tree_of(&rec.tree), unhex(&rec.key), unhex(&rec.value)) {
                (None, _, _) => Some(format!("unknown tree {:?}", rec.tree)),
                (Some(t), _, _) if !header.trees.contains(&rec.tree) => {
                    Some(format!("tree {:?} is not in the header", t.name()))
                }
                (_, None, _) => Some("key is not hex".into()),
                (_, _, None) => Some("value is not hex".into()),
                (Some(t), Some(k), Some(v)) => {
                    let list = &mut snapshot[t as usize].1;
                    if list.last().is_some_and(|(last, _)| *last >= k) {
                        Some(format!("key {} of tree {:?} is out of order or repeated", rec.key, rec.tree))
                    } else {
                        list.push((k, v));
                        count += 1;
                        None
                    }
                }
            },
        };
        if let Some(p) = problem {
            errors.push(format!("line {n}: {p}"));
            if errors.len() >= 20 {
                errors.push("(more not listed)".into());
                break;
            }
        }
    }
    if errors.is_empty() && count != header.records {
        errors.push(format!("the header promises {} records but the file holds {count} (cut short?)", header.records));
    }
    if !errors.is_empty() {
        return Err(RestoreError::Invalid(errors));
    }
    Ok((header, snapshot))
}

/// Restores a backup into `path`, which must not exist or be an empty directory.
/// Everything is checked before the database is created.
pub fn restore(input: impl BufRead, path: &Path) -> Result<(Header, u64), RestoreError> {
    let occupied = match std::fs::read_dir(path) {
        Ok(mut d) => d.next().is_some(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(_) => true,
    };
    if occupied {
        return Err(RestoreError::NotEmpty(path.display().to_string()));
    }
    let (header, snapshot) = read_backup(input)?;
    // One open only: sled releases its file lock when its background threads end, a
    // moment after the handle drops, so opening twice in a row can race with itself.
    // Nobody else can use the new database yet, so its trees are loaded directly (the
    // one time anything is written outside `write`); the schema was checked above.
    let store = Store::open(path)?;
    for (t, records) in &snapshot {
        let mut batch = sled::Batch::default();
        for (k, v) in records {
            batch.insert(k.as_slice(), v.as_slice());
        }
        store.tree(*t).apply_batch(batch).map_err(StoreError::from)?;
    }
    store.db().flush().map_err(StoreError::from)?;
    Ok((header.clone(), header.records))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_waiting_waits_for_the_lock_and_then_gives_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let first = Store::open(&path).unwrap();
        let started = std::time::Instant::now();
        let err = Store::open_waiting(&path, std::time::Duration::from_millis(300)).err().expect("locked");
        assert!(err.to_string().contains("could not acquire lock"), "{err}");
        assert!(started.elapsed() >= std::time::Duration::from_millis(300));
        drop(first);
        Store::open_waiting(&path, std::time::Duration::from_secs(5)).unwrap();
    }

    #[test]
    fn hex_round_trips_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(unhex(&hex(&all)).unwrap(), all);
        assert!(unhex("abc").is_none());
        assert!(unhex("zz").is_none());
    }

    #[test]
    fn bad_lines_are_named_by_number() {
        let store = Store::temporary().unwrap();
        let mut out = vec![];
        write_backup(&mut out, &store.consistent_snapshot().unwrap(), Utc::now()).unwrap();
        let mut text = String::from_utf8(out).unwrap();
        text.push_str("{\"tree\":\"nope\",\"key\":\"00\",\"value\":\"00\"}\n");
        text.push_str("{\"tree\":\"meta\",\"key\":\"0g\",\"value\":\"00\"}\n");
        text.push_str("not json\n");
        let lines = text.lines().count();
        let Err(RestoreError::Invalid(errs)) = read_backup(text.as_bytes()) else { panic!("accepted") };
        assert!(errs[0].starts_with(&format!("line {}: unknown tree", lines - 2)), "{errs:?}");
        assert!(errs[1].starts_with(&format!("line {}: key is not hex", lines - 1)), "{errs:?}");
        assert!(errs[2].starts_with(&format!("line {lines}: not a record")), "{errs:?}");
        // A newer format version is refused on line 1.
        let newer = text.replacen("\"version\":1", "\"version\":2", 1);
        let Err(RestoreError::Invalid(errs)) = read_backup(newer.as_bytes()) else { panic!("accepted") };
        assert!(errs[0].starts_with("line 1: backup format version 2"), "{errs:?}");
        // A file cut short is noticed by the count.
        let mut out = vec![];
        write_backup(&mut out, &store.consistent_snapshot().unwrap(), Utc::now()).unwrap();
        let text = String::from_utf8(out).unwrap();
        let cut: String = text.lines().take(1).map(|l| format!("{l}\n")).collect();
        let Err(RestoreError::Invalid(errs)) = read_backup(cut.as_bytes()) else { panic!("accepted") };
        assert!(errs[0].contains("cut short"), "{errs:?}");
    }
}
