//! The store's single writer and group commit.
//!
//! sled 0.34 (its last release) deadlocks when `flush_async` runs concurrently
//! (spacejam/sled#1308) and has open reports of deadlocks under concurrent writers
//! (#1412). So huzhu never calls `flush_async`, runs and applies one transaction at a
//! time (`WriteLock`; see `Store::write_unflushed` for how a closure overlaps the
//! apply before it), and flushes one at a time: every writer takes a sequence number,
//! applies its transaction and waits until a flush has covered it (a flush covers
//! only what is applied, so a number not yet applied is waited for first). A writer that
//! finds no flush running leads the next one itself (no hand-off to another thread
//! and back on the way to a reply); one that finds a flush running waits, and the
//! transactions that arrived meanwhile share the next flush (group commit), so N
//! concurrent bookings cost about one fsync per batch, not N. The flusher thread
//! serves flushes asked for without a waiter (`request`). Reads do not take the lock.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// Serialises every write to the store: one transaction at a time, in arrival order.
#[derive(Default)]
pub(crate) struct WriteLock(Mutex<()>);

impl WriteLock {
    pub(crate) fn lock(&self) -> MutexGuard<'_, ()> {
        // A panic inside a transaction closure leaves nothing half-applied in sled
        // (the transaction never committed), so a poisoned lock is safe to take.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Default)]
struct State {
    /// Sequence number of the last change given one (under the write lock).
    assigned: u64,
    /// Sequence number of the last transaction applied in memory: changes are applied
    /// in the order of their numbers, so every one up to it is in the trees.
    applied: u64,
    /// Someone waits for every transaction up to this number to be on disk. A
    /// transaction nobody waits for yet (the inbox's, see `Store::write_unflushed`)
    /// rides in the next flush somebody asks for.
    requested: u64,
    /// Every transaction up to this number is on disk (or its flush failed).
    flushed: u64,
    /// Recent failed flushes: (first seq, last seq, error).
    failures: VecDeque<(u64, u64, String)>,
    stopping: bool,
    flushes: u64,
    flushing_us: u64,
    /// Journal records up to this change are removed (or being removed).
    trimmed: u64,
    /// The first change whose apply failed: its journal record, and every later one,
    /// stays for the next start to replay, so the change ends up whole, not half in
    /// the trees (the binary stops at such a failure; see `failure`).
    kept_from: Option<u64>,
    /// A flush is under way (by the flusher thread or a waiting writer): one at a time.
    flushing: bool,
}

struct Shared {
    db: sled::Db,
    /// The journal's tree: records of changes a flush has covered are removed.
    journal: sled::Tree,
    state: Mutex<State>,
    /// Writers wait here for their flush.
    changed: Condvar,
    /// The flusher thread waits here for a flush asked for with nobody waiting.
    work: Condvar,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Leads one flush of everything applied so far; `s` shows no flush under way.
    /// Returns the state locked again, the flush recorded and everyone waiting woken.
    fn lead_flush<'a>(&'a self, mut s: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        s.flushing = true;
        let target = s.applied;
        let trimmed = s.trimmed;
        let trim_to = s.kept_from.map_or(target, |kept| target.min(kept - 1));
        drop(s);
        let started = std::time::Instant::now();
        // Everything applied up to `target` (asked for or not) was applied before this
        // call, so one flush makes all of it durable.
        let result = match super::failure::injected(target) {
            Some(e) => Err(sled::Error::Io(e)),
            None => self.db.flush().map(drop),
        };
        if let Err(e) = &result {
            // Before anyone waiting is told: the binary stops here, so no reply claims
            // a change the disk does not hold.
            super::failure::report(&format!("the database could not be flushed to disk: {e}"));
        }
        let took = started.elapsed().as_micros() as u64;
        if result.is_ok() {
            // Every change up to `target` is whole on disk: its journal record can go,
            // oldest first (see `journal` for why the order matters). Only the flush
            // leader trims, one at a time.
            for seq in trimmed + 1..=trim_to {
                if let Err(e) = self.journal.remove(super::journal::key(seq)) {
                    log::warn!("a journal record could not be removed (it is replayed at the next start): {e}");
                }
            }
        }
        let mut s = self.state();
        if result.is_ok() {
            s.trimmed = s.trimmed.max(trim_to);
        }
        s.flushing_us += took;
        if let Err(e) = result {
            log::error!("the database could not be flushed to disk: {e}");
            let from = s.flushed + 1;
            s.failures.push_back((from, target, e.to_string()));
            while s.failures.len() > 64 {
                s.failures.pop_front();
            }
        }
        s.flushed = s.flushed.max(target);
        s.flushes += 1;
        s.flushing = false;
        self.changed.notify_all();
        if s.requested > s.flushed || s.stopping {
            self.work.notify_one();
        }
        s
    }
}

/// The one thread that flushes, and the bookkeeping writers wait on.
pub(crate) struct GroupCommit {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

/// How many transactions and flushes the store has done (benchmarks report the ratio).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommitStats {
    pub transactions: u64,
    pub flushes: u64,
    /// Time spent in sled's flush, summed (µs).
    pub flushing_us: u64,
    /// Time changes waited for the write lock, and held it (their closures, then
    /// waiting for their turn to apply), summed (µs).
    pub lock_wait_us: u64,
    pub locked_us: u64,
    /// After the lock is handed on: waiting for reads under way to end, then applying
    /// to sled, summed (µs).
    pub readers_wait_us: u64,
    pub apply_us: u64,
}

impl GroupCommit {
    pub(crate) fn start(db: sled::Db, journal: sled::Tree) -> GroupCommit {
        let shared = Arc::new(Shared {
            db,
            journal,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            work: Condvar::new(),
        });
        let worker = shared.clone();
        let thread = std::thread::Builder::new()
            .name("huzhu-flusher".into())
            .spawn(move || flusher(worker))
            .expect("start the store's flusher thread");
        GroupCommit { shared, thread: Mutex::new(Some(thread)) }
    }

    /// Gives the next change its sequence number (call under the write lock, so
    /// numbers follow the order changes ran in).
    pub(crate) fn assign(&self) -> u64 {
        let mut s = self.shared.state();
        s.assigned += 1;
        s.assigned
    }

    /// The sequence number of the last change given one (applied or not yet).
    pub(crate) fn last_assigned(&self) -> u64 {
        self.shared.state().assigned
    }

    /// Records that change `seq` is in the trees (changes are applied in order, so
    /// every one before it is too), or that applying it failed with `failed`: waiting
    /// for it then answers that error. Nothing is flushed for it until someone asks.
    pub(crate) fn applied(&self, seq: u64, failed: Option<String>) {
        let mut s = self.shared.state();
        s.applied = s.applied.max(seq);
        if let Some(e) = failed {
            s.failures.push_back((seq, seq, e));
            s.kept_from = Some(s.kept_from.map_or(seq, |kept| kept.min(seq)));
        }
        self.shared.changed.notify_all();
        if s.requested > s.flushed && !s.flushing {
            self.shared.work.notify_one();
        }
    }

    /// Asks the flusher for a flush that covers transaction `seq`, without waiting.
    pub(crate) fn request(&self, seq: u64) {
        let mut s = self.shared.state();
        if s.requested < seq {
            s.requested = seq;
            self.shared.work.notify_one();
        }
    }

    /// Blocks until transaction `seq` is on disk. With no flush under way, and `seq`
    /// applied, the caller leads one itself; a change still being applied is waited for
    /// first (a flush before it would not cover it).
    pub(crate) fn wait_durable(&self, seq: u64) -> Result<(), String> {
        let mut s = self.shared.state();
        s.requested = s.requested.max(seq);
        while s.flushed < seq {
            if !s.flushing && s.applied >= seq {
                s = self.shared.lead_flush(s);
                continue;
            }
            s = self.shared.changed.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        match s.failures.iter().find(|(lo, hi, _)| (*lo..=*hi).contains(&seq)) {
            Some((_, _, e)) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Waits until every change so far is on disk.
    pub(crate) fn sync(&self) -> Result<(), String> {
        let seq = self.shared.state().assigned;
        self.wait_durable(seq)
    }

    pub(crate) fn stats(&self) -> CommitStats {
        let s = self.shared.state();
        CommitStats {
            transactions: s.applied,
            flushes: s.flushes,
            flushing_us: s.flushing_us,
            ..CommitStats::default()
        }
    }

    /// Flushes what is pending and stops the flusher thread.
    pub(crate) fn stop(&self) {
        {
            let mut s = self.shared.state();
            s.stopping = true;
            self.shared.work.notify_one();
        }
        let handle = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(h) = handle {
            let _ = h.join();
        }
    }
}

impl Drop for GroupCommit {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Serves flushes asked for with nobody waiting (a waiter leads its own), and the
/// last flush when the store stops.
fn flusher(shared: Arc<Shared>) {
    let mut s = shared.state();
    loop {
        // Only what is applied can be flushed: a request for a change still being
        // applied waits for `applied` (which wakes this thread).
        while (s.flushing || s.flushed >= s.requested.min(s.applied)) && !s.stopping {
            s = shared.work.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        if s.stopping {
            while s.flushing {
                s = shared.work.wait(s).unwrap_or_else(|e| e.into_inner());
            }
            if s.flushed >= s.applied {
                // The last flush's journal trimming, made durable too: a clean stop
                // leaves nothing to replay.
                drop(s);
                if let Err(e) = shared.db.flush() {
                    log::warn!("the journal's last trimming could not be flushed (replayed at the next start): {e}");
                }
                return;
            }
        }
        s = shared.lead_flush(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A change whose apply failed may be half in the trees: its journal record (and
    /// every later one) outlives the flushes, so the next start replays it whole.
    #[test]
    fn a_failed_apply_keeps_its_journal_record_for_the_next_start() {
        let db = sled::Config::new().temporary(true).open().expect("a temporary database");
        let journal = db.open_tree("journal").expect("tree");
        let commit = GroupCommit::start(db.clone(), journal.clone());
        for seq in 1..=3 {
            journal.insert(super::super::journal::key(seq), vec![]).expect("a record");
            assert_eq!(commit.assign(), seq);
        }
        commit.applied(1, None);
        commit.applied(2, Some("the disk refused".into()));
        commit.applied(3, None);
        assert_eq!(commit.wait_durable(2), Err("the disk refused".to_string()), "its waiter hears of it");
        assert_eq!(commit.wait_durable(3), Ok(()));
        let left: Vec<u64> = journal
            .iter()
            .keys()
            .map(|k| u64::from_be_bytes(k.expect("key").as_ref().try_into().expect("8 bytes")))
            .collect();
        assert_eq!(left, vec![2, 3], "only the change before the failure is trimmed");
        commit.stop();
    }
}
