//! The store under concurrent load: 16 threads x 2,000 mixed service calls through the
//! single writer (durable, on disk), with readers running beside them. Only a hang hits
//! the time limit; afterwards the ledger sums to zero, every balance is what its calls
//! made it, and every successful call's result is in the store under its request key.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use huzhu::domain::{ChildId, ShiftId, UserId};
use huzhu::service::{Caller, Service};
use huzhu::store::{Store, T};
use huzhu::testing::{t0, Fixture};

const THREADS: i64 = 16;
const CALLS: usize = 2_000;
/// Far beyond what the calls need (a few seconds); only a hang gets here.
const HANG_LIMIT: Duration = Duration::from_secs(240);

/// One writer thread's calls: book, cancel, be granted a minute, read the balance;
/// returns the request keys of its successful changes and the minutes it was granted.
fn calls(svc: &Service, t: i64, user: UserId, child: ChildId, shifts: &[ShiftId]) -> (Vec<String>, i64) {
    let coord = huzhu::testing::COORD;
    let mut done = Vec::new();
    let mut granted = 0;
    let mut booking = None;
    for i in 0..CALLS {
        let key = format!("stress-{t}-{i}");
        match i % 4 {
            0 => {
                let shift = shifts[(i / 4) % shifts.len()];
                let o = svc.book(&Caller::with_request(user, &key), shift, child).expect("book");
                booking = Some(o.value.booking.id);
                done.push(format!("{user}/{key}"));
            }
            1 => {
                let b = booking.take().expect("a booking to cancel");
                svc.cancel_booking(&Caller::with_request(user, &key), b).expect("cancel");
                done.push(format!("{user}/{key}"));
            }
            2 => {
                svc.grant(&Caller::with_request(coord, &key), user, 1, "stress").expect("grant");
                granted += 1;
                done.push(format!("{coord}/{key}"));
            }
            _ => {
                svc.balance(user, 3).expect("balance");
            }
        }
    }
    (done, granted)
}

#[test]
fn sixteen_threads_of_mixed_calls_never_hang_and_keep_the_books() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Arc::new(Store::open(dir.path().join("huzhu.db")).expect("open"));
    let fx = Fixture::with_store(store.clone(), t0());
    // Enough caregivers that all 16 children fit in any one shift's class (15) but one:
    // threads drift, so all of them may book the same shift at once; the 16th waits, and
    // the waiting list (10) never fills, so no call fails for a reason the test did not set.
    let shifts: Vec<ShiftId> = (5..9)
        .map(|d| {
            let day = huzhu::testing::date(&format!("2026-12-{d:02}"));
            let (start, end) = (huzhu::testing::time("09:00"), huzhu::testing::time("12:00"));
            fx.svc.create_shift(&fx.coord(), day, start, end, Some(40), Some(6)).expect("shift").value.id
        })
        .collect();
    let families: Vec<(UserId, ChildId)> = (0..THREADS)
        .map(|t| {
            let u = fx.family(100 + t, &format!("Parent {t}"));
            (u, fx.child(u, &format!("Kid {t}"), "2025-05-01"))
        })
        .collect();
    let stats_before = store.commit_stats();
    let started = Instant::now();
    let stop_readers = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    for (t, (user, child)) in families.iter().copied().enumerate() {
        let (svc, shifts, tx) = (fx.svc.clone(), shifts.clone(), tx.clone());
        std::thread::spawn(move || {
            let result = calls(&svc, t as i64, user, child, &shifts);
            let _ = tx.send(Some((user, result)));
        });
    }
    let mut readers = Vec::new();
    for r in 0..4 {
        let (svc, stop, families) = (fx.svc.clone(), stop_readers.clone(), families.clone());
        let coord = huzhu::testing::COORD;
        readers.push(std::thread::spawn(move || {
            let mut reads = 0u64;
            while !stop.load(Ordering::SeqCst) {
                let (u, _) = families[(reads as usize + r) % families.len()];
                svc.balance(u, 5).expect("read a balance");
                svc.schedule(coord, huzhu::testing::date("2026-12-05"), 7).expect("read the schedule");
                reads += 1;
            }
            reads
        }));
    }
    drop(tx);
    let mut results = Vec::new();
    while results.len() < THREADS as usize {
        match rx.recv_timeout(HANG_LIMIT.saturating_sub(started.elapsed())) {
            Ok(Some(r)) => results.push(r),
            Ok(None) => unreachable!(),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("the store hung: {} of {THREADS} threads finished after {HANG_LIMIT:?}", results.len())
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("a writer thread panicked"),
        }
    }
    let elapsed = started.elapsed();
    stop_readers.store(true, Ordering::SeqCst);
    let reads: u64 = readers.into_iter().map(|r| r.join().expect("reader")).sum();
    let stats = store.commit_stats();
    let transactions = stats.transactions - stats_before.transactions;
    let flushes = stats.flushes - stats_before.flushes;
    eprintln!(
        "{} calls in {:.1} s ({:.0}/s) with {reads} reads beside them; {transactions} transactions in {flushes} flushes",
        THREADS as usize * CALLS,
        elapsed.as_secs_f64(),
        (THREADS as usize * CALLS) as f64 / elapsed.as_secs_f64()
    );
    assert!(flushes < transactions, "concurrent writers share flushes (group commit)");
    assert_eq!(fx.svc.ledger_sum().expect("sum"), 0, "the ledger sums to zero");
    for (user, (done, granted)) in &results {
        let b = fx.svc.balance(*user, 0).expect("balance");
        assert_eq!((b.available, b.held), (360 + granted, 0), "every booking was cancelled in full");
        for key in done {
            assert!(
                store.get::<serde_json::Value>(T::Processed, key.as_bytes()).expect("read").is_some(),
                "the result of {key} is in the store"
            );
        }
    }
    // And all of it is on disk: reopened, the same.
    let sum_before = fx.svc.ledger_sum().expect("sum");
    drop(fx);
    drop(store);
    // sled lets go of its lock a moment after the last handle is dropped.
    let store = Arc::new(
        Store::open_waiting(&dir.path().join("huzhu.db"), std::time::Duration::from_secs(10)).expect("reopen"),
    );
    let svc = Service::new(store, Arc::new(huzhu::clock::SystemClock), Default::default());
    assert_eq!(svc.ledger_sum().expect("sum"), sum_before);
    for (user, (_, granted)) in &results {
        assert_eq!(svc.balance(*user, 0).expect("balance").available, 360 + granted);
    }
}

/// A transaction nobody waits for yet (the inbox's batch) rides in the flush of the
/// next write that does wait, and waiting for it alone asks for a flush of its own.
#[test]
fn an_unflushed_write_rides_in_the_next_flush_anyone_asks_for() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open(dir.path().join("huzhu.db")).expect("open");
    let put = |key: &'static str| {
        move |tx: &huzhu::store::Tx| -> Result<(), sled::transaction::ConflictableTransactionError<()>> {
            tx.mark(T::Processed, key)?;
            Ok(())
        }
    };
    let before = store.commit_stats();
    let ((), pending) = store.write_unflushed(put("first")).expect("apply");
    assert!(store.tree(T::Processed).contains_key("first").expect("read"), "readers see it at once");
    store.write(put("second")).expect("write");
    store.wait_durable(pending).expect("durable");
    let after = store.commit_stats();
    assert_eq!(
        (after.transactions - before.transactions, after.flushes - before.flushes),
        (2, 1),
        "one flush for both"
    );

    let ((), pending) = store.write_unflushed(put("third")).expect("apply");
    store.wait_durable(pending).expect("durable");
    assert_eq!(store.commit_stats().flushes - after.flushes, 1, "waiting for it alone flushes it");
}
