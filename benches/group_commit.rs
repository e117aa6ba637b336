//! Durable bookings per second through the store's single writer and group commit,
//! against the old way (every call flushing for itself), with 1, 4 and 16 threads
//! booking at once on an on-disk store.
//!
//! cargo bench --bench group_commit

use std::sync::Arc;
use std::time::{Duration, Instant};

use huzhu::domain::{ChildId, ShiftId, UserId};
use huzhu::service::Caller;
use huzhu::store::Store;
use huzhu::testing::{t0, Fixture};

const CALLS_PER_THREAD: usize = 400;

struct Setup {
    fx: Fixture,
    _dir: tempfile::TempDir,
    families: Vec<(UserId, ChildId)>,
    shifts: Vec<ShiftId>,
}

fn setup(threads: usize) -> Setup {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(Store::open(dir.path().join("db")).expect("open"));
    let fx = Fixture::with_store(store, t0());
    // Room and staff for every thread's child, so each booking is confirmed.
    let shifts = (5..25)
        .map(|d| {
            let day = huzhu::testing::date(&format!("2026-12-{d:02}"));
            let (start, end) = (huzhu::testing::time("09:00"), huzhu::testing::time("10:00"));
            fx.svc.create_shift(&fx.coord(), day, start, end, Some(60), Some(10)).expect("shift").value.id
        })
        .collect();
    let families = (0..threads)
        .map(|t| {
            let u = fx.family(100 + t as i64, &format!("P{t}"));
            fx.svc.grant(&fx.coord(), u, 1_000_000, "bench").expect("grant");
            (u, fx.child(u, "Kid", "2025-05-01"))
        })
        .collect();
    Setup { fx, _dir: dir, families, shifts }
}

/// Each thread books and cancels in turn; `own_flush` turns group commit off and makes
/// every call flush the database itself, as huzhu did before the single writer.
fn run(threads: usize, own_flush: bool) -> (f64, u64, u64) {
    let s = setup(threads);
    let store = s.fx.svc.store().clone();
    store.set_durable(!own_flush);
    let before = store.commit_stats();
    let started = Instant::now();
    std::thread::scope(|scope| {
        for &(user, child) in &s.families {
            let (svc, shifts, store) = (s.fx.svc.clone(), s.shifts.clone(), store.clone());
            scope.spawn(move || {
                for i in 0..CALLS_PER_THREAD / 2 {
                    let shift = shifts[i % shifts.len()];
                    let b = svc.book(&Caller::new(user), shift, child).expect("book").value.booking.id;
                    if own_flush {
                        store.db().flush().expect("flush");
                    }
                    svc.cancel_booking(&Caller::new(user), b).expect("cancel");
                    if own_flush {
                        store.db().flush().expect("flush");
                    }
                }
            });
        }
    });
    let elapsed = started.elapsed();
    let after = store.commit_stats();
    let calls = (threads * CALLS_PER_THREAD) as f64;
    (calls / elapsed.as_secs_f64(), after.transactions - before.transactions, after.flushes - before.flushes)
}

fn main() {
    // `cargo bench` passes --bench; nothing to configure.
    let mut summary = Vec::new();
    for threads in [1usize, 4, 16] {
        let (own, _, _) = run(threads, true);
        let (group, tx, flushes) = run(threads, false);
        println!(
            "{threads:>2} threads: every call flushing {own:>7.0} durable calls/s; group commit {group:>7.0}/s \
             ({tx} transactions in {flushes} flushes, {:.1} per flush) = {:.2}x",
            tx as f64 / flushes.max(1) as f64,
            group / own
        );
        summary.push(format!("{threads}t {group:.0}/s ({:.2}x)", group / own));
        std::thread::sleep(Duration::from_millis(200));
    }
    println!("group commit: durable book+cancel calls per second: {}", summary.join(", "));
}
