//! Durable state on sled: named trees, versioned values, secondary indexes and
//! one transaction per change.
//!
//! Invariants:
//! - Every value is `[VALUE_VERSION] ++ json`; the db's schema version is checked at open.
//! - A change is one `write`: its closure runs once under the one writer's lock against
//!   huzhu's own overlay (`Tx`, which buffers its writes), then the buffer is applied
//!   through the journal (`journal`: one record of the whole change, then each write;
//!   whole or nothing after a crash), and flushed to disk before `write` returns when
//!   the store is durable. An abort leaves nothing behind.
//! - One writer: changes run one at a time (`WriteLock`) and are applied one at a time,
//!   in the same order (`apply_turn`, taken before the lock is handed on); the next
//!   change's closure runs while the change before it is applied and reads its writes
//!   first (`Tx::after`). Flushes run one at a time, once per batch of changes that
//!   arrived together (`writer`).
//!   Nothing calls sled's `flush_async` (it deadlocks, sled#1308), and no tree is
//!   written outside `write`.
//! - `read` takes no sled transaction: it reads the trees while holding `applying`
//!   shared, which applying a change takes exclusively, so a read never sees half of a
//!   change, and reads run beside each other and beside a change's closure.
//! - Inside a change there are no scans (the overlay cannot scan): records that a
//!   change must enumerate keep the ids they need (a shift lists its bookings), and
//!   index trees (`*By*`) exist for the read-side queries, which scan key ranges.

pub mod backup;
mod failure;
mod journal;
pub mod keys;
mod tx;
mod writer;

use serde::{de::DeserializeOwned, Serialize};
use sled::transaction::ConflictableTransactionError;
use std::cell::Cell;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

pub use failure::{fail_flushes_from, on_disk_failure};
pub use keys::Key;
pub use tx::{Tx, TxResult};
pub use writer::CommitStats;
use writer::{GroupCommit, WriteLock};

/// Bumped when the layout of keys or values changes incompatibly.
pub const SCHEMA_VERSION: u32 = 1;
const VALUE_VERSION: u8 = 1;

/// The named trees. The order here is the order of `Store::trees`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum T {
    Meta,
    Centres,
    Members,
    Profiles,
    Families,
    Children,
    Shifts,
    Templates,
    Bookings,
    Signups,
    Accounts,
    Ledger,
    Invites,
    /// centre ++ date ++ shift -> ()
    ShiftsByDate,
    /// family ++ date ++ booking -> ()
    BookingsByFamily,
    /// user ++ date ++ signup -> ()
    SignupsByMember,
    /// account ++ entry -> ()
    LedgerByAccount,
    /// centre ++ user -> ()
    MembersByCentre,
    /// child ++ date -> [booking]: a child's live bookings on a day (overlap check)
    ChildDay,
    /// user ++ date -> [signup]: a volunteer's live signups on a day (overlap check)
    VolunteerDay,
    /// template ++ date -> shift: a template generates a date once
    TemplateDates,
    /// request key -> stored result: replays answer the same and change nothing
    Processed,
    /// bot dialogue state per chat
    Dialogues,
    /// due time (ms) ++ job id -> Job: automatic messages, in due order
    Jobs,
    /// owner -> [job keys]: the jobs of a booking, signup, digest or cover search
    JobIndex,
    /// broadcast id -> Broadcast: drafts and deliveries in progress
    Broadcasts,
    /// date ++ shift -> (): open shifts not yet settled, for automatic settlement
    Unsettled,
    /// job id ++ user -> Telegram message id (or none): a reminder went out to this person
    Sent,
    /// centre ++ last-volunteered date ++ user -> (): active members, least recent first
    CoverOrder,
    /// shift -> CoverCall: who was asked to cover it
    CoverCalls,
    /// update id -> Telegram update: stored before its offset is confirmed, removed
    /// when it has been handled (the inbox)
    Inbox,
    /// when (ms) ++ tree ++ key -> (): records kept only for idempotency or delivery
    /// (replay results, done marks, sent marks, finished broadcasts, cover calls), in
    /// the order they may be removed (retention)
    Expiry,
    /// centre ++ !seq -> AuditEntry: coordinators' actions, a centre's newest first
    Audit,
    /// seq -> a change's writes, put down before they are applied one by one and removed
    /// once a flush has covered them; replayed at open (`journal`). Not backed up.
    Journal,
}

impl T {
    pub const ALL: [T; 34] = [
        T::Meta,
        T::Centres,
        T::Members,
        T::Profiles,
        T::Families,
        T::Children,
        T::Shifts,
        T::Templates,
        T::Bookings,
        T::Signups,
        T::Accounts,
        T::Ledger,
        T::Invites,
        T::ShiftsByDate,
        T::BookingsByFamily,
        T::SignupsByMember,
        T::LedgerByAccount,
        T::MembersByCentre,
        T::ChildDay,
        T::VolunteerDay,
        T::TemplateDates,
        T::Processed,
        T::Dialogues,
        T::Jobs,
        T::JobIndex,
        T::Broadcasts,
        T::Unsettled,
        T::Sent,
        T::CoverOrder,
        T::CoverCalls,
        T::Inbox,
        T::Expiry,
        T::Audit,
        T::Journal,
    ];

    pub fn name(self) -> String {
        format!("{self:?}").to_lowercase()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sled(#[from] sled::Error),
    #[error("database schema version {found} is not the version {expected} this huzhu understands")]
    SchemaMismatch { found: u32, expected: u32 },
    #[error("stored value could not be read: {0}")]
    Decode(String),
    #[error("the database could not be written to disk: {0}")]
    Flush(String),
}

/// The outcome of a transaction that may abort with a caller's error.
#[derive(Debug)]
pub enum WriteError<E> {
    Abort(E),
    Store(StoreError),
}

pub fn encode<V: Serialize>(v: &V) -> Vec<u8> {
    let mut out = vec![VALUE_VERSION];
    // Serializing our own plain data types cannot fail.
    serde_json::to_writer(&mut out, v).expect("serialize record");
    out
}

pub fn decode<V: DeserializeOwned>(bytes: &[u8]) -> Result<V, StoreError> {
    match bytes.split_first() {
        Some((&VALUE_VERSION, rest)) => serde_json::from_slice(rest).map_err(|e| StoreError::Decode(e.to_string())),
        Some((v, _)) => Err(StoreError::Decode(format!("unknown value version {v}"))),
        None => Err(StoreError::Decode("empty value".into())),
    }
}

/// A transaction applied but not yet known to be on disk (see `Store::write_unflushed`).
#[must_use = "wait for it with Store::wait_durable before relying on the write"]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pending(Option<u64>);

pub struct Store {
    db: sled::Db,
    trees: Vec<sled::Tree>,
    durable: AtomicBool,
    write_lock: WriteLock,
    /// Held shared by `read`, exclusively while a change is applied to the trees.
    applying: RwLock<()>,
    /// Held while a change is applied; taken under the write lock, so applies go in
    /// the order changes ran (`write_unflushed`).
    apply_turn: Mutex<()>,
    /// The change being applied, if any (its number and writes): the next change's
    /// closure reads its writes before the trees (`Tx::after`).
    in_flight: Mutex<Option<(u64, Arc<tx::Writes>)>>,
    commit: GroupCommit,
    /// Time writers spent waiting for the write lock, and holding it, summed (µs): where
    /// a burst of changes spends its time (logged at the stop, with the flushes').
    lock_wait_us: AtomicU64,
    locked_us: AtomicU64,
    readers_wait_us: AtomicU64,
    apply_us: AtomicU64,
}

/// Adds the time the write lock was held to `Store::locked_us` when a change ends.
struct HeldFor<'a>(&'a AtomicU64, Instant);

impl Drop for HeldFor<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(self.1.elapsed().as_micros() as u64, Ordering::Relaxed);
    }
}

thread_local! {
    /// The store whose `applying` lock this thread holds shared (a `read` inside a
    /// `read` does not take it again: a waiting writer would deadlock the second).
    static READING: Cell<usize> = const { Cell::new(0) };
}

/// A test-only fault: a write made while the current thread's watchdog context
/// contains this text blocks forever (holding the write lock, as a sled deadlock would).
static HANG_WRITES_OF: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Arms the test-only fault above (`HUZHU_TEST_HANG_STORE`).
pub fn hang_writes_of(context: &str) {
    let _ = HANG_WRITES_OF.set(context.to_string());
}

impl Store {
    /// Opens (or creates) the database at `path` and checks its schema version.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        Self::open_with_cache(path, None)
    }

    /// `open` with sled's page cache bounded to `cache_bytes` (sled's default: 1 GB).
    pub fn open_with_cache(path: impl AsRef<Path>, cache_bytes: Option<u64>) -> Result<Store, StoreError> {
        if let Some(parent) = path.as_ref().parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| StoreError::Sled(e.into()))?;
            }
        }
        let mut config = sled::Config::new().path(path);
        if let Some(bytes) = cache_bytes {
            config = config.cache_capacity(bytes);
        }
        Self::from_db(config.open()?)
    }

    /// An in-memory database for tests and benchmarks.
    pub fn temporary() -> Result<Store, StoreError> {
        Self::from_db(sled::Config::new().temporary(true).open()?)
    }

    fn from_db(db: sled::Db) -> Result<Store, StoreError> {
        let trees = T::ALL.iter().map(|t| db.open_tree(t.name())).collect::<Result<Vec<_>, _>>()?;
        let replayed = journal::replay(&db, &trees, &trees[T::Journal as usize])?;
        if replayed > 0 {
            log::warn!(
                "applied {replayed} recent changes again from the database's journal (the last stop was not clean)"
            );
        }
        let commit = GroupCommit::start(db.clone(), trees[T::Journal as usize].clone());
        let store = Store {
            db,
            trees,
            durable: AtomicBool::new(true),
            write_lock: WriteLock::default(),
            applying: RwLock::new(()),
            apply_turn: Mutex::new(()),
            in_flight: Mutex::new(None),
            commit,
            lock_wait_us: AtomicU64::new(0),
            locked_us: AtomicU64::new(0),
            readers_wait_us: AtomicU64::new(0),
            apply_us: AtomicU64::new(0),
        };
        let meta = store.tree(T::Meta);
        match meta.get("schema_version")? {
            None => {
                meta.insert("schema_version", encode(&SCHEMA_VERSION))?;
                store.db.flush()?;
            }
            Some(b) => {
                let found: u32 = decode(&b)?;
                if found != SCHEMA_VERSION {
                    return Err(StoreError::SchemaMismatch { found, expected: SCHEMA_VERSION });
                }
            }
        }
        Ok(store)
    }

    /// With durability off, writes return before reaching the disk (benchmarks only).
    pub fn set_durable(&self, durable: bool) {
        self.durable.store(durable, Ordering::SeqCst);
    }

    pub fn tree(&self, t: T) -> &sled::Tree {
        &self.trees[t as usize]
    }

    /// Runs `f` as one change, then makes it durable: the one way anything is written.
    /// Changes run one at a time, each seeing every change before it, and `f` runs
    /// exactly once; the caller then waits for the next group commit.
    pub fn write<R, E>(
        &self,
        f: impl FnOnce(&Tx) -> Result<R, ConflictableTransactionError<E>>,
    ) -> Result<R, WriteError<E>> {
        let (r, pending) = self.write_unflushed(f)?;
        self.wait_durable(pending).map_err(WriteError::Store)?;
        Ok(r)
    }

    /// `write` without the wait: the change is applied (readers see it) and rides
    /// in the next flush anyone asks for, but may be lost in a crash until
    /// `wait_durable` returns for it. For a caller that can overlap the wait with other
    /// work and still waits before it relies on the write (the inbox: updates are handled
    /// while their batch is flushed, and Telegram is told we have them only after).
    ///
    /// A change that wrote nothing takes no sequence number of its own: waiting for it
    /// waits until every change before it (all it could have read, the one still being
    /// applied included) is on disk.
    pub fn write_unflushed<R, E>(
        &self,
        f: impl FnOnce(&Tx) -> Result<R, ConflictableTransactionError<E>>,
    ) -> Result<(R, Pending), WriteError<E>> {
        let context = crate::watchdog::current_context();
        let _watch = crate::watchdog::watch(|| match &context {
            Some(c) => format!("a store write for {c}"),
            None => "a store write".to_string(),
        });
        let asked = Instant::now();
        let one_writer = self.write_lock.lock();
        let got = Instant::now();
        self.lock_wait_us.fetch_add((got - asked).as_micros() as u64, Ordering::Relaxed);
        let held = HeldFor(&self.locked_us, got);
        if let (Some(pattern), Some(c)) = (HANG_WRITES_OF.get(), &context) {
            if c.contains(pattern.as_str()) {
                log::warn!("test fault: the store write for {c} hangs");
                loop {
                    std::thread::park();
                }
            }
        }
        let prior = self.in_flight.lock().unwrap_or_else(|e| e.into_inner()).clone().map(|(_, w)| w);
        let tx = Tx::after(&self.trees, prior);
        let r = match f(&tx) {
            Ok(r) => r,
            Err(ConflictableTransactionError::Abort(e)) => return Err(WriteError::Abort(e)),
            Err(ConflictableTransactionError::Storage(e)) => {
                failure::report(&format!("a transaction failed: {e}"));
                return Err(WriteError::Store(e.into()));
            }
            Err(ConflictableTransactionError::Conflict) => {
                return Err(WriteError::Store(StoreError::Sled(sled::Error::ReportableBug(
                    "a change reported a conflict, which the single writer cannot have".into(),
                ))))
            }
        };
        let writes = tx.into_writes();
        if writes.is_empty() {
            // What it read may be a change still being applied: it waits for that one.
            return Ok((r, Pending(Some(self.commit.last_assigned()))));
        }
        // The change is numbered and shown to the next change's closure (`in_flight`)
        // under the writer's lock; its turn to apply is taken before the lock is handed
        // on, so changes are applied in the order they ran. The next closure then runs
        // while this change is applied.
        let seq = self.commit.assign();
        let writes = Arc::new(writes);
        *self.in_flight.lock().unwrap_or_else(|e| e.into_inner()) = Some((seq, writes.clone()));
        let turn = self.apply_turn.lock().unwrap_or_else(|e| e.into_inner());
        drop(held);
        drop(one_writer);
        let applied = {
            let t0 = Instant::now();
            let _no_readers = self.applying.write().unwrap_or_else(|e| e.into_inner());
            let t1 = Instant::now();
            let r = writes.apply(&self.trees, seq);
            self.readers_wait_us.fetch_add((t1 - t0).as_micros() as u64, Ordering::Relaxed);
            self.apply_us.fetch_add(t1.elapsed().as_micros() as u64, Ordering::Relaxed);
            r
        };
        {
            let mut in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
            if in_flight.as_ref().is_some_and(|(s, _)| *s == seq) {
                *in_flight = None;
            }
        }
        match applied {
            Ok(()) => {
                self.commit.applied(seq, None);
                drop(turn);
                Ok((r, Pending(Some(seq))))
            }
            Err(e) => {
                // Before anyone waiting for it is told (the binary stops here).
                failure::report(&format!("a transaction failed: {e}"));
                self.commit.applied(seq, Some(e.to_string()));
                drop(turn);
                Err(WriteError::Store(e.into()))
            }
        }
    }

    /// Waits until a `write_unflushed` transaction is on disk (at once when the store is
    /// not durable, in benchmarks).
    pub fn wait_durable(&self, pending: Pending) -> Result<(), StoreError> {
        let _watch = crate::watchdog::watch(|| "waiting for the store's flush".to_string());
        match pending.0 {
            Some(seq) if self.durable.load(Ordering::SeqCst) => {
                self.commit.wait_durable(seq).map_err(StoreError::Flush)
            }
            Some(seq) => {
                self.commit.request(seq);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Asks for a flush that covers a `write_unflushed` transaction, without waiting
    /// for it (the flusher thread flushes it with whatever else is pending).
    pub fn request_flush(&self, pending: Pending) {
        if let Some(seq) = pending.0 {
            self.commit.request(seq);
        }
    }

    /// Runs `f` as a read: a consistent view (no change is applied while it runs) that
    /// may use the same helpers as changes do; whatever `f` writes is dropped. Reads run
    /// beside each other and beside a change's closure.
    pub fn read<R, E>(
        &self,
        f: impl FnOnce(&Tx) -> Result<R, ConflictableTransactionError<E>>,
    ) -> Result<R, WriteError<E>> {
        let me = self as *const Store as usize;
        let nested = READING.with(|r| r.get() == me);
        let _view = (!nested).then(|| {
            let guard = self.applying.read().unwrap_or_else(|e| e.into_inner());
            (guard, ReadingMark(READING.with(|r| r.replace(me))))
        });
        match f(&Tx::new(&self.trees)) {
            Ok(r) => Ok(r),
            Err(ConflictableTransactionError::Abort(e)) => Err(WriteError::Abort(e)),
            Err(ConflictableTransactionError::Storage(e)) => Err(WriteError::Store(e.into())),
            Err(ConflictableTransactionError::Conflict) => Err(WriteError::Store(StoreError::Sled(
                sled::Error::ReportableBug("a read reported a conflict".into()),
            ))),
        }
    }

    /// Like `write`, but remembers the result under `request`: a replay of the same request
    /// returns the first result (with `true`) and changes nothing.
    pub fn write_once<R, E>(
        &self,
        request: Option<&str>,
        f: impl FnOnce(&Tx) -> Result<R, ConflictableTransactionError<E>>,
    ) -> Result<(R, bool), WriteError<E>>
    where
        R: Serialize + DeserializeOwned,
    {
        self.write(|tx| {
            if let Some(req) = request {
                if let Some(prev) = tx.get::<R>(T::Processed, req)? {
                    return Ok((prev, true));
                }
            }
            let r = f(tx)?;
            if let Some(req) = request {
                tx.put(T::Processed, req, &r)?;
            }
            Ok((r, false))
        })
    }

    /// Removes up to `limit` records whose retention ended before `now_ms`, in one
    /// write; returns how many expiry entries it handled (less than `limit`: none left).
    pub fn prune_expired(&self, now_ms: i64, limit: usize) -> Result<usize, StoreError> {
        let end = Key::new().i64(now_ms).into_vec();
        let due: Vec<sled::IVec> = self.tree(T::Expiry).range(..end).keys().take(limit).collect::<Result<_, _>>()?;
        if due.is_empty() {
            return Ok(0);
        }
        let r = self.write(|tx| {
            for e in &due {
                tx.del(T::Expiry, e)?;
                let Some(t) = e.get(8).and_then(|tree| T::ALL.get(*tree as usize)) else { continue };
                tx.del(*t, &e[9..])?;
            }
            Ok::<_, ConflictableTransactionError<()>>(due.len())
        });
        match r {
            Ok(n) => Ok(n),
            Err(WriteError::Store(e)) => Err(e),
            Err(WriteError::Abort(())) => Ok(0),
        }
    }

    /// Waits until every write so far is on disk (at a clean stop).
    pub fn flush(&self) -> Result<(), StoreError> {
        self.commit.sync().map_err(StoreError::Flush)
    }

    /// Transactions applied and flushes made since the store was opened.
    pub fn commit_stats(&self) -> CommitStats {
        CommitStats {
            lock_wait_us: self.lock_wait_us.load(Ordering::Relaxed),
            locked_us: self.locked_us.load(Ordering::Relaxed),
            readers_wait_us: self.readers_wait_us.load(Ordering::Relaxed),
            apply_us: self.apply_us.load(Ordering::Relaxed),
            ..self.commit.stats()
        }
    }

    pub fn get<V: DeserializeOwned>(&self, t: T, key: impl AsRef<[u8]>) -> Result<Option<V>, StoreError> {
        match self.tree(t).get(key.as_ref())? {
            Some(b) => Ok(Some(decode(&b)?)),
            None => Ok(None),
        }
    }

    /// Keys of an index tree under `prefix`, in order, from `start` (inclusive) on.
    pub fn index_keys(
        &self,
        t: T,
        prefix: &[u8],
        start: &[u8],
    ) -> impl Iterator<Item = Result<sled::IVec, StoreError>> + '_ {
        let from = if start.is_empty() { prefix.to_vec() } else { start.to_vec() };
        let iter = match keys::prefix_end(prefix) {
            Some(end) => self.tree(t).range(from..end),
            None => self.tree(t).range(from..),
        };
        iter.map(|r| r.map(|(k, _)| k).map_err(StoreError::from))
    }

    /// The last `n` keys under `prefix`, newest (largest) first.
    pub fn last_index_keys(&self, t: T, prefix: &[u8], n: usize) -> Result<Vec<sled::IVec>, StoreError> {
        self.tree(t).scan_prefix(prefix).rev().take(n).map(|r| r.map(|(k, _)| k).map_err(StoreError::from)).collect()
    }

    /// Every value of a tree under `prefix` (small trees and tests only).
    pub fn scan<V: DeserializeOwned>(&self, t: T, prefix: &[u8]) -> Result<Vec<(sled::IVec, V)>, StoreError> {
        self.tree(t)
            .scan_prefix(prefix)
            .map(|r| {
                let (k, v) = r?;
                Ok((k, decode(&v)?))
            })
            .collect()
    }

    /// A full copy of every tree, for "nothing changed" assertions in tests.
    pub fn snapshot(&self) -> Vec<Vec<(Vec<u8>, Vec<u8>)>> {
        // The journal is the store's own bookkeeping, trimmed after flushes at any time.
        T::ALL
            .iter()
            .map(|&t| match t {
                T::Journal => vec![],
                t => self.tree(t).iter().filter_map(Result::ok).map(|(k, v)| (k.to_vec(), v.to_vec())).collect(),
            })
            .collect()
    }

    pub fn db(&self) -> &sled::Db {
        &self.db
    }
}

/// Puts `READING` back as it was when a read ends.
struct ReadingMark(usize);

impl Drop for ReadingMark {
    fn drop(&mut self) {
        READING.with(|r| r.set(self.0));
    }
}
