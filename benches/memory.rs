//! Peak memory of the running bot: a centre of 2,000 families with a year of shifts
//! (730 shifts, 14,600 bookings, settled), generated through the service, then the real
//! `huzhu` binary on it against the Bot API stand-in while every family sends one
//! command at about the same time (within one second), at Telegram's send rate.
//!
//! cargo bench --bench memory [-- --quick]
//!
//! `HUZHU_CACHE_MB` in the bench's environment is passed to the bot (sled's cache).
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
    if let Ok(mb) = std::env::var("HUZHU_CACHE_MB") {
        env.push(("HUZHU_CACHE_MB", mb));
    }
    let mut bot = spawn_huzhu(&standin, dir.path(), &env);
    let startup = wait_polling(&standin, Instant::now()).await;
    let pid = bot.id();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = rss_mb(pid);
    let since = Instant::now();
    let gap = Duration::from_secs(1) / users.len() as u32;
    let mut sent = Vec::with_capacity(users.len());
    for (i, u) in users.iter().enumerate() {
        tokio::time::sleep_until((since + gap * i as u32).into()).await;
        sent.push((u.id, Instant::now()));
        standin.send_text(u, if i % 2 == 0 { "/balance" } else { "/schedule" });
    }
    // Sample the resident size while the replies go out.
    let sampler = tokio::spawn(async move {
        let mut top: f64 = 0.0;
        for _ in 0..1200 {
            let now = rss_mb(pid);
            if now == 0.0 {
                break;
            }
            top = top.max(now);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        top
    });
    let (ms, last) = collect_replies(&standin, &sent, since, Duration::from_secs(240)).await;
    let peak = peak_rss_mb(pid);
    let cpu = cpu_secs(pid);
    stop(&mut bot);
    sampler.abort();
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
        "memory: {} families, {db_mb:.1} MB on disk, idle {idle:.1} MB, peak RSS {peak:.1} MB (target 50){}",
        plan.families,
        std::env::var("HUZHU_CACHE_MB").map(|m| format!(", HUZHU_CACHE_MB={m}")).unwrap_or_default()
    );
}
