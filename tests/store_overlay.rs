//! The store's changes as huzhu's own overlay (`Tx`) under the single writer: an abort
//! leaves nothing behind, a read never sees half of a change while writers run, many
//! threads writing at once see each other's writes in one serial order, and every
//! write is on disk when it returns (checked by killing a writing process with SIGKILL
//! and reopening its database). The test-only full disk still fails the right writes.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use huzhu::store::{Store, StoreError, Tx, WriteError, T};
use sled::transaction::ConflictableTransactionError;

type R<V> = Result<V, ConflictableTransactionError<&'static str>>;

fn open(dir: &tempfile::TempDir) -> Store {
    // A reopen right after a drop waits for sled to let go of its lock.
    Store::open_waiting(&dir.path().join("huzhu.db"), std::time::Duration::from_secs(10)).expect("open")
}

#[test]
fn an_abort_writes_nothing_and_a_change_sees_its_own_writes() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = open(&dir);
    store
        .write(|tx| -> R<()> {
            tx.put(T::Families, "kept", &1u64)?;
            tx.mark(T::ShiftsByDate, "kept")?;
            Ok(())
        })
        .expect("write");
    let before = store.snapshot();
    let stats = store.commit_stats();
    let r = store.write(|tx| -> R<()> {
        tx.put(T::Families, "new", &7u64)?;
        tx.del(T::Families, "kept")?;
        tx.mark(T::ShiftsByDate, "new")?;
        tx.next_id("thing")?;
        tx.expire_at(T::Processed, "new", 1)?;
        // Inside the change its own writes are what it reads.
        assert_eq!(tx.get::<u64>(T::Families, "new")?, Some(7));
        assert!(!tx.contains(T::Families, "kept")?, "a removal hides the stored record");
        assert!(tx.contains(T::ShiftsByDate, "new")?);
        assert_eq!(tx.next_id("thing")?, 2, "next_id sees the change's own count");
        Err(ConflictableTransactionError::Abort("no"))
    });
    assert!(matches!(r, Err(WriteError::Abort("no"))), "{r:?}");
    assert_eq!(store.snapshot(), before, "nothing of the aborted change is in any tree");
    let after = store.commit_stats();
    assert_eq!(
        (after.transactions, after.flushes),
        (stats.transactions, stats.flushes),
        "nothing applied, nothing to flush"
    );
    // What a read writes is dropped too.
    let n = store
        .read(|tx| -> R<u64> {
            tx.put(T::Families, "read", &3u64)?;
            Ok(tx.get::<u64>(T::Families, "read")?.unwrap_or(0))
        })
        .expect("read");
    assert_eq!(n, 3, "a read sees its own writes");
    assert_eq!(store.snapshot(), before, "and leaves nothing behind");
    // A panic inside a change leaves nothing either, and the next change goes through.
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = store.write(|tx| -> R<()> {
            tx.put(T::Families, "half", &1u64)?;
            panic!("a bug in the middle of a change");
        });
    }));
    assert!(panicked.is_err());
    assert_eq!(store.snapshot(), before);
    store.write(|tx| -> R<()> { tx.put(T::Families, "after", &1u64).map_err(Into::into) }).expect("write");
    assert_eq!(store.get::<u64>(T::Families, "after").expect("get"), Some(1));
}

/// Writers move one unit at a time between two records in two trees (their sum stays
/// 1,000) and stamp a third tree with the same step; readers check the sum and the
/// stamps in every read.
#[test]
fn a_read_never_sees_half_of_a_change_while_writers_run() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Arc::new(open(&dir));
    store
        .write(|tx| -> R<()> {
            tx.put(T::Accounts, "a", &1_000i64)?;
            tx.put(T::Families, "b", &0i64)?;
            tx.put(T::Ledger, "step", &0u64)?;
            tx.put(T::Audit, "step", &0u64)?;
            Ok(())
        })
        .expect("seed");
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (store, stop) = (store.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut reads = 0u64;
                while !stop.load(Ordering::SeqCst) {
                    let (a, b, s1, s2) = store
                        .read(|tx| -> R<(i64, i64, u64, u64)> {
                            let a = tx.get(T::Accounts, "a")?.unwrap_or(0);
                            std::thread::yield_now();
                            let b = tx.get(T::Families, "b")?.unwrap_or(0);
                            let s1 = tx.get(T::Ledger, "step")?.unwrap_or(0);
                            let s2 = tx.get(T::Audit, "step")?.unwrap_or(0);
                            Ok((a, b, s1, s2))
                        })
                        .expect("read");
                    assert_eq!(a + b, 1_000, "half of a transfer seen: a {a}, b {b}");
                    assert_eq!(s1, s2, "half of a step seen");
                    assert_eq!(b as u64 % 1_000, s1 % 1_000, "the step and the transfer together");
                    reads += 1;
                }
                reads
            })
        })
        .collect();
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || {
                for _ in 0..150 {
                    store
                        .write(|tx| -> R<()> {
                            let step: u64 = tx.get(T::Ledger, "step")?.unwrap_or(0) + 1;
                            let b: i64 = (step % 1_000) as i64;
                            tx.put(T::Families, "b", &b)?;
                            tx.put(T::Accounts, "a", &(1_000 - b))?;
                            tx.put(T::Ledger, "step", &step)?;
                            tx.put(T::Audit, "step", &step)?;
                            Ok(())
                        })
                        .expect("write");
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("a writer");
    }
    stop.store(true, Ordering::SeqCst);
    let reads: u64 = readers.into_iter().map(|r| r.join().expect("a reader")).sum();
    assert!(reads > 0);
    assert_eq!(store.get::<u64>(T::Ledger, "step").expect("get"), Some(600), "no step lost");
}

/// 8 threads x 150 changes, each taking the next id and recording it in two trees.
fn write_ids(store: &Store, thread: u64, count: usize, mut each: impl FnMut(u64)) -> Vec<u64> {
    let mut ids = Vec::new();
    for _ in 0..count {
        let id = store
            .write(|tx: &Tx| -> R<u64> {
                let id = tx.next_id("overlay")?;
                let total: u64 = tx.get(T::Meta, "total")?.unwrap_or(0);
                tx.put(T::Meta, "total", &(total + 1))?;
                tx.put(T::Bookings, id.to_be_bytes(), &thread)?;
                tx.mark(T::BookingsByFamily, [thread.to_be_bytes(), id.to_be_bytes()].concat())?;
                Ok(id)
            })
            .expect("write");
        each(id);
        ids.push(id);
    }
    ids
}

#[test]
fn many_writers_see_each_other_in_one_order_and_every_write_is_on_disk() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Arc::new(open(&dir));
    let stats = store.commit_stats();
    let threads: Vec<_> = (0..8u64)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || write_ids(&store, t, 150, |_| {}))
        })
        .collect();
    let ids: Vec<Vec<u64>> = threads.into_iter().map(|t| t.join().expect("a writer")).collect();
    let all: BTreeSet<u64> = ids.iter().flatten().copied().collect();
    assert_eq!(all.len(), 1_200, "no id given twice");
    assert_eq!(all, (1..=1_200).collect(), "no id skipped");
    for each in &ids {
        assert!(each.windows(2).all(|w| w[0] < w[1]), "each thread's ids in its own order");
    }
    let after = store.commit_stats();
    assert_eq!(after.transactions - stats.transactions, 1_200);
    assert!(after.flushes - stats.flushes <= 1_200, "no more flushes than changes");
    drop(store);
    let store = open(&dir);
    assert_eq!(store.get::<u64>(T::Meta, "total").expect("get"), Some(1_200), "no lost update");
    for (t, each) in ids.iter().enumerate() {
        for id in each {
            assert_eq!(store.get::<u64>(T::Bookings, id.to_be_bytes()).expect("get"), Some(t as u64));
        }
        let marks = store.index_keys(T::BookingsByFamily, &(t as u64).to_be_bytes(), &[]).count();
        assert_eq!(marks, each.len(), "both trees of every change");
    }
}

/// Run as a child process by the test below: writes from 4 threads and prints each id
/// once its write has returned, until killed.
#[test]
fn child_writer_until_killed() {
    let Ok(path) = std::env::var("HUZHU_OVERLAY_CHILD_DB") else { return };
    let store = Arc::new(Store::open(path).expect("open"));
    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                write_ids(&store, t, usize::MAX, |id| println!("returned {t} {id}"));
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
}

#[test]
fn a_write_that_returned_survives_a_kill() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("huzhu.db");
    let mut child = Command::new(std::env::current_exe().expect("this test binary"))
        .args(["--exact", "child_writer_until_killed", "--nocapture", "--test-threads", "1"])
        .env("HUZHU_OVERLAY_CHILD_DB", &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the writing child");
    let out = BufReader::new(child.stdout.take().expect("its output"));
    let mut returned = Vec::new();
    let started = Instant::now();
    for line in out.lines() {
        let line = line.expect("a line");
        let mut words = line.split_whitespace();
        if words.next() != Some("returned") {
            continue;
        }
        let t: u64 = words.next().and_then(|w| w.parse().ok()).expect("a thread");
        let id: u64 = words.next().and_then(|w| w.parse().ok()).expect("an id");
        returned.push((t, id));
        if returned.len() >= 400 || started.elapsed() > Duration::from_secs(20) {
            break;
        }
    }
    // SIGKILL: no destructor runs, so only what was flushed survives.
    child.kill().expect("kill the child");
    let _ = child.wait();
    assert!(returned.len() >= 100, "the child wrote: {}", returned.len());
    let store = open(&dir);
    for (t, id) in &returned {
        assert_eq!(
            store.get::<u64>(T::Bookings, id.to_be_bytes()).expect("get"),
            Some(*t),
            "write {id} returned before the kill and is on disk"
        );
    }
    let total: u64 = store.get(T::Meta, "total").expect("get").unwrap_or(0);
    assert!(total >= returned.len() as u64, "the count covers every returned write");
    let ids: BTreeSet<u64> = store
        .scan::<u64>(T::Bookings, &[])
        .expect("scan")
        .iter()
        .map(|(k, _)| u64::from_be_bytes(k[..8].try_into().unwrap()))
        .collect();
    assert_eq!(ids, (1..=total).collect(), "no change half on disk: every counted id has its record");
}

/// Run as a child process by the test below (the full-disk fault is once per process).
#[test]
fn child_full_disk() {
    let Ok(path) = std::env::var("HUZHU_OVERLAY_FULL_DB") else { return };
    huzhu::store::fail_flushes_from(4);
    let store = Store::open(path).expect("open");
    let put = |n: u64| move |tx: &Tx| -> R<()> { tx.put(T::Meta, format!("n/{n}"), &n).map_err(Into::into) };
    for n in 1..=3 {
        store.write(put(n)).expect("the first three are on disk");
    }
    // A change that writes nothing waits only for what it could read: on disk already.
    store.read(|tx| -> R<()> { tx.get::<u64>(T::Meta, "n/1").map(drop).map_err(Into::into) }).expect("read");
    store.write(|_tx: &Tx| -> R<()> { Ok(()) }).expect("an empty change needs no new flush");
    match store.write(put(4)) {
        Err(WriteError::Store(StoreError::Flush(e))) => println!("fourth refused: {e}"),
        other => println!("fourth: {other:?}"),
    }
    match store.write(|_tx: &Tx| -> R<()> { Ok(()) }) {
        Err(WriteError::Store(StoreError::Flush(_))) => println!("empty after refused"),
        other => println!("empty after: {other:?}"),
    }
}

#[test]
fn the_test_only_full_disk_refuses_from_the_nth_change() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = Command::new(std::env::current_exe().expect("this test binary"))
        .args(["--exact", "child_full_disk", "--nocapture", "--test-threads", "1"])
        .env("HUZHU_OVERLAY_FULL_DB", dir.path().join("huzhu.db"))
        .output()
        .expect("run the child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("fourth refused:") && stdout.contains("No space left"), "{stdout}");
    assert!(stdout.contains("empty after refused"), "a change that read the refused one is refused too: {stdout}");
}
