//! A city-sized store: 100 centres of 500 families (50,000), two years of history
//! (a shift a week per centre, 10 bookings each, settled: 10,400 shifts, 104,000
//! bookings; generation through the service runs about one call per 0.5 ms, so a denser
//! history would take more than a few minutes) and a week of open shifts, generated through the service (no Telegram); then:
//! - its size on disk;
//! - the cost of the common commands through the service (schedule, balance, my
//!   bookings; a durable booking);
//! - reminder scheduling with 500,000 pending jobs: finding the due ones and the next
//!   due time (a range from the start of the due-time order, no scan);
//! - the real `huzhu` binary on it: startup time, idle memory, and peak memory while
//!   2,000 families (20 in each centre) send a command within one second.
//!
//! cargo bench --bench scale [-- --quick]

#[path = "support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use huzhu::domain::{BookingId, Job, JobKind};
use huzhu::service::Caller;
use huzhu::store::{Key, Store, T};
use sled::transaction::ConflictableTransactionError;
use support::*;
use tg_standin::StandIn;

/// Mean µs of `f` over `n` calls.
fn cost(n: usize, mut f: impl FnMut(usize)) -> f64 {
    let t = Instant::now();
    for i in 0..n {
        f(i);
    }
    t.elapsed().as_secs_f64() * 1e6 / n as f64
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let quick = quick();
    let plan = Plan {
        centres: if quick { 5 } else { 100 },
        families: if quick { 100 } else { 500 },
        weeks: if quick { 8 } else { 104 },
        days: 1,
        per_day: 1,
        per_shift: 10,
        capacity: 20,
        staff: 5,
    };
    let pending: usize = if quick { 50_000 } else { 500_000 };
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("huzhu.db");
    let store = Arc::new(Store::open(&db).expect("open"));
    let now = chrono::Utc::now();
    let g = generate(store.clone(), plan, now);
    println!(
        "generated {} centres, {} families, {} weeks: {} shifts, {} bookings in {:.1} s",
        plan.centres,
        plan.centres * plan.families,
        plan.weeks,
        g.shifts,
        g.bookings,
        g.took.as_secs_f64()
    );

    // ----- the common commands through the service -----
    let svc = g.fx.svc.clone();
    let tz = chrono_tz::Asia::Shanghai;
    let today = now.with_timezone(&tz).date_naive();
    let pick = |i: usize| {
        let c = &g.centres[i % g.centres.len()];
        c.families[(i / g.centres.len() * 7) % c.families.len()]
    };
    let n = 2000;
    let schedule = cost(n, |i| {
        svc.schedule(pick(i).0, today, 7).expect("schedule");
    });
    let balance = cost(n, |i| {
        svc.balance(pick(i).0, 10).expect("balance");
    });
    let mine = cost(n, |i| {
        svc.my_bookings(pick(i).0, today - chrono::Duration::days(60)).expect("my bookings");
    });
    store.set_durable(true);
    let booked = n.min(g.centres.len() * g.centres[0].future.len() * 20).min(plan.centres * plan.families);
    let book = cost(booked, |i| {
        let c = &g.centres[i % g.centres.len()];
        let k = i / g.centres.len();
        let (u, child) = c.families[k % c.families.len()];
        let shift = c.future[k % c.future.len()];
        svc.book(&Caller::new(u), shift, child).expect("book");
    });
    store.set_durable(false);
    println!(
        "service cost (mean of {n} calls, µs): schedule 7 days {schedule:.0}, balance {balance:.0}, my bookings {mine:.0}, book (durable, {booked} calls) {book:.0}"
    );

    // ----- reminders: 500,000 pending jobs -----
    let before = store.tree(T::Jobs).len();
    let t = Instant::now();
    let start = now + chrono::Duration::minutes(10);
    let span_ms = chrono::Duration::days(730).num_milliseconds() / pending as i64;
    for batch in 0..pending.div_ceil(5000) {
        store
            .write(|tx| {
                for i in batch * 5000..((batch + 1) * 5000).min(pending) {
                    let due = start + chrono::Duration::milliseconds(span_ms * i as i64);
                    let id = (1u64 << 40) + i as u64;
                    let job = Job { id, kind: JobKind::Family { booking: BookingId((1u64 << 40) + i as u64) }, due };
                    tx.put(T::Jobs, Key::new().i64(due.timestamp_millis()).u64(id), &job)?;
                }
                Ok::<_, ConflictableTransactionError<()>>(())
            })
            .expect("jobs");
    }
    store.flush().expect("flush");
    let wrote = t.elapsed().as_secs_f64();
    let jobs = store.tree(T::Jobs).len();
    // Two hours past the first synthetic one: about 57 due among them.
    g.fx.clock.set(start + chrono::Duration::hours(2));
    let mut due = 0;
    let due_us = cost(1000, |_| {
        due = svc.due_jobs(100).expect("due").len();
    });
    let next_us = cost(1000, |_| {
        svc.next_job_due().expect("next").expect("a job");
    });
    let scan = Instant::now();
    let all = store.tree(T::Jobs).iter().count();
    let scan_ms = scan.elapsed().as_secs_f64() * 1e3;
    println!(
        "reminders: {jobs} pending jobs ({before} from the history, {pending} added in {wrote:.1} s); \
         due now: {due} found in {due_us:.0} µs; next due time in {next_us:.1} µs (a full scan of the {all} would take {scan_ms:.0} ms)"
    );
    g.fx.clock.set(now);
    let writers = 2000.min(plan.centres * plan.families);
    let users: Vec<_> =
        (0..writers).map(|i| user(g.centres[i % g.centres.len()].families[i / g.centres.len()].0 .0)).collect();
    drop(svc);
    drop(g);
    store.flush().expect("flush");
    // What the trees hold (keys and values), beside the files' size: sled's log keeps
    // old versions of pages until it rewrites their segments. Then the same records
    // restored into a new database, written once in key order: the backup and restore
    // that `huzhu backup` and `huzhu restore` run.
    let snapshot = store.consistent_snapshot().expect("snapshot");
    let records: usize = snapshot.iter().map(|(_, tree)| tree.len()).sum();
    let live: usize = snapshot.iter().flat_map(|(_, tree)| tree).map(|(k, v)| k.len() + v.len()).sum();
    let backup_file = dir.path().join("city.backup");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&backup_file).expect("backup file"));
    huzhu::store::backup::write_backup(&mut out, &snapshot, now).expect("backup");
    drop(out);
    drop(snapshot);
    drop(store);
    let db_mb = dir_mb(&db);
    let allocated_mb = dir_allocated_mb(&db);
    let live_mb = live as f64 / (1024.0 * 1024.0);
    let restored = dir.path().join("restored.db");
    let input = std::io::BufReader::new(std::fs::File::open(&backup_file).expect("backup file"));
    huzhu::store::backup::restore(input, &restored).expect("restore");
    let restored_mb = dir_mb(&restored);
    std::fs::remove_dir_all(&restored).ok();
    std::fs::remove_file(&backup_file).ok();
    println!(
        "on disk: {db_mb:.0} MB ({allocated_mb:.0} MB allocated); the trees hold {records} records, \
         {live_mb:.0} MB of keys and values; restored from a backup: {restored_mb:.0} MB"
    );

    // ----- the real binary on it -----
    let standin = StandIn::start().await.expect("stand-in");
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
    let (ms, last) = collect_replies(&standin, &sent, since, Duration::from_secs(240)).await;
    let peak = peak_rss_mb(pid);
    stop(&mut bot);
    standin.shutdown().await;
    let took = last.map(|l| l.duration_since(since).as_secs_f64()).unwrap_or(f64::NAN);
    let st = stats(ms);
    println!(
        "bot on the city store: started in {:.2} s, idle RSS {idle:.1} MB; {} commands in 1 s: {} answered in {took:.1} s (p50 {:.0} ms, p99 {:.0} ms); peak RSS {peak:.1} MB",
        startup.as_secs_f64(),
        users.len(),
        st.n,
        st.p50,
        st.p99
    );
    println!(
        "scale: {} families, {db_mb:.0} MB on disk, startup {:.2} s, peak RSS {peak:.1} MB (target 300), schedule {schedule:.0} µs, balance {balance:.0} µs, book {book:.0} µs, due jobs {due_us:.0} µs of {jobs}",
        plan.centres * plan.families,
        startup.as_secs_f64()
    );
}
