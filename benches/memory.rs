//! Peak memory of the running bot: a centre of 2,000 families with a year of shifts
//! (730 shifts, 14,600 bookings, settled), generated through the service, then the real
//! `huzhu` binary on it against the Bot API stand-in while every family sends one
//! command at about the same time (within one second), at Telegram's send rate.
//!
//! cargo bench --bench memory [-- --quick]
//!
//! `HUZHU_CACHE_MB` (sled's cache) and `HUZHU_BLOCKING_THREADS` in the bench's
//! environment are passed to the bot.
//! A heap profile of the same run: build the binary with `--features dhat-heap`
//! (see BENCHMARKS.md).

#[path = "support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::*;
use tg_standin::StandIn;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let quick = quick();
    let plan = Plan {
        centres: 1,
        families: if quick { 300 } else { 2000 },
        weeks: if quick { 8 } else { 52 },
        days: 7,
        per_day: 2,
        per_shift: 20,
        capacity: 20,
        staff: 5,
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("huzhu.db");
    let store = std::sync::Arc::new(huzhu::store::Store::open(&db).expect("open"));
    let g = generate(store.clone(), plan, chrono::Utc::now());
    let families: Vec<_> = g.centres[0].families.clone();
    let took = g.took.as_secs_f64();
    drop(g);
    drop(store);
    let db_mb = dir_mb(&db);
    println!(
        "generated {} families, {} weeks of shifts in {took:.1} s; {db_mb:.1} MB on disk",
        plan.families, plan.weeks
    );

    let standin = StandIn::start().await.expect("stand-in");
    let users: Vec<_> = families.iter().map(|(u, _)| user(u.0)).collect();
    for u in &users {
        standin.register_user(u);
    }
    let mut env = Vec::new();
    for var in ["HUZHU_CACHE_MB", "HUZHU_BLOCKING_THREADS"] {
        if let Ok(v) = std::env::var(var) {
            env.push((var, v));
        }
    }
    let mut bot = spawn_huzhu(&standin, dir.path(), &env);
    let startup = wait_polling(&standin, Instant::now()).await;
    let pid = bot.id();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = rss_mb(pid);
    let idle_split = Split::of(pid);
    // Sample what the resident size is made of while the replies go out.
    let top = std::sync::Arc::new(std::sync::Mutex::new(Split::default()));
    let sampled = top.clone();
    let sampler = tokio::spawn(async move {
        for _ in 0..1200 {
            let now = Split::of(pid);
            if now.anon == 0.0 {
                break;
            }
            {
                let mut t = sampled.lock().expect("samples");
                *t = t.max(now);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let since = Instant::now();
    let gap = Duration::from_secs(1) / users.len() as u32;
    let mut sent = Vec::with_capacity(users.len());
    for (i, u) in users.iter().enumerate() {
        tokio::time::sleep_until((since + gap * i as u32).into()).await;
        sent.push((u.id, Instant::now()));
        standin.send_text(u, if i % 2 == 0 { "/balance" } else { "/schedule" });
    }
    let (ms, last) = collect_replies(&standin, &sent, since, Duration::from_secs(240)).await;
    let peak = peak_rss_mb(pid);
    let cpu = cpu_secs(pid);
    sampler.abort();
    let top = *top.lock().expect("samples");
    stop(&mut bot);
    // Every update was marked done after its reply: nothing is left in the inbox.
    let left = {
        let store = huzhu::store::Store::open_waiting(&db, Duration::from_secs(10)).expect("open after the bot");
        store.tree(huzhu::store::T::Inbox).len()
    };
    let profile = dir.path().join("dhat-heap.json");
    if profile.exists() {
        let to = std::env::temp_dir().join("huzhu-dhat-heap.json");
        std::fs::copy(&profile, &to).expect("copy the heap profile");
        println!("heap profile (built with --features dhat-heap): {}", to.display());
    }
    let took = last.map(|l| l.duration_since(since).as_secs_f64()).unwrap_or(f64::NAN);
    let st = stats(ms);
    standin.shutdown().await;
    println!(
        "bot: started in {:.2} s, idle RSS {idle:.1} MB; {} commands in 1 s: {} answered in {took:.1} s (p50 {:.0} ms, p99 {:.0} ms); CPU {cpu:.1} s",
        startup.as_secs_f64(),
        users.len(),
        st.n,
        st.p50,
        st.p99
    );
    println!(
        "what the resident size is made of: idle {idle_split}; the largest samples during the burst {top}; {left} updates left in the inbox"
    );
    println!(
        "memory: {} families, {db_mb:.1} MB on disk, idle {idle:.1} MB, peak RSS {peak:.1} MB (target 50){}",
        plan.families,
        ["HUZHU_CACHE_MB", "HUZHU_BLOCKING_THREADS"]
            .iter()
            .filter_map(|v| std::env::var(v).ok().map(|x| format!(", {v}={x}")))
            .collect::<String>()
    );
}

/// What a process's resident memory is made of (/proc/PID/status), in MB: anonymous
/// (heap, stacks) and file-backed (the binary's pages, mapped files), and its threads.
#[derive(Debug, Default, Clone, Copy)]
struct Split {
    anon: f64,
    file: f64,
    threads: u64,
}

impl Split {
    fn of(pid: u32) -> Split {
        let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let field = |name: &str| {
            s.lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0)
        };
        Split {
            anon: field("RssAnon:") as f64 / 1024.0,
            file: field("RssFile:") as f64 / 1024.0,
            threads: field("Threads:"),
        }
    }

    /// The largest of each figure (not necessarily at the same moment).
    fn max(self, o: Split) -> Split {
        Split { anon: self.anon.max(o.anon), file: self.file.max(o.file), threads: self.threads.max(o.threads) }
    }
}

impl std::fmt::Display for Split {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "anonymous {:.1} MB, file-backed {:.1} MB, {} threads", self.anon, self.file, self.threads)
    }
}
