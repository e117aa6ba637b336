//! Durable state on sled: named trees, versioned values, secondary indexes and
//! one transaction per change.
//!
//! Invariants:
//! - Every value is `[VALUE_VERSION] ++ json`; the db's schema version is checked at open.
//! - A change is one `write` (one sled transaction across every tree it touches) and is
//!   flushed to disk before `write` returns when the store is durable.
//! - One writer: transactions are applied one at a time (`WriteLock`) and only the
//!   flusher thread flushes, once per batch of transactions that arrived together
//!   (`writer`). Nothing calls sled's `flush_async` (it deadlocks, sled#1308), and no
//!   tree is written outside `write`.
//! - Inside a transaction there are no scans (sled cannot scan there): records that a
//!   change must enumerate keep the ids they need (a shift lists its bookings), and
//!   index trees (`*By*`) exist for the read-side queries, which scan key ranges.

pub mod backup;
mod failure;
pub mod keys;
mod writer;

use serde::{de::DeserializeOwned, Serialize};
use sled::transaction::{
    ConflictableTransactionError, TransactionError, TransactionalTree, UnabortableTransactionError,
};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

pub use failure::{fail_flushes_from, on_disk_failure};
pub use keys::Key;
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
}

impl T {
    pub const ALL: [T; 33] = [
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

pub type TxResult<T> = Result<T, UnabortableTransactionError>;

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

fn tx_decode<V: DeserializeOwned>(bytes: &[u8]) -> TxResult<V> {
    decode(bytes).map_err(|e| UnabortableTransactionError::Storage(sled::Error::ReportableBug(e.to_string())))
}

/// Typed access to every tree inside one transaction.
pub struct Tx<'a> {
    trees: &'a [TransactionalTree],
}

impl Tx<'_> {
    fn tree(&self, t: T) -> &TransactionalTree {
        &self.trees[t as usize]
    }
    pub fn get<V: DeserializeOwned>(&self, t: T, key: impl AsRef<[u8]>) -> TxResult<Option<V>> {
        match self.tree(t).get(key.as_ref())? {
            Some(b) => Ok(Some(tx_decode(&b)?)),
            None => Ok(None),
        }
    }
    pub fn contains(&self, t: T, key: impl AsRef<[u8]>) -> TxResult<bool> {
        Ok(self.tree(t).get(key.as_ref())?.is_some())
    }
    pub fn put<V: Serialize>(&self, t: T, key: impl AsRef<[u8]>, v: &V) -> TxResult<()> {
        self.tree(t).insert(key.as_ref(), encode(v))?;
        Ok(())
    }
    /// Schedules the removal of the record `t`/`key` at `at_ms` (retention): the first
    /// time scheduled for a record removes it, so only records written once, or always
    /// scheduled for the same time, use this.
    pub fn expire_at(&self, t: T, key: impl AsRef<[u8]>, at_ms: i64) -> TxResult<()> {
        let mut e = Key::new().i64(at_ms).into_vec();
        e.push(t as u8);
        e.extend_from_slice(key.as_ref());
        self.mark(T::Expiry, &e)
    }
    /// A value already encoded with `encode`.
    pub fn put_raw(&self, t: T, key: impl AsRef<[u8]>, bytes: &[u8]) -> TxResult<()> {
        self.tree(t).insert(key.as_ref(), bytes)?;
        Ok(())
    }
    /// An index entry: the key is the information.
    pub fn mark(&self, t: T, key: impl AsRef<[u8]>) -> TxResult<()> {
        self.tree(t).insert(key.as_ref(), &[][..])?;
        Ok(())
    }
    pub fn del(&self, t: T, key: impl AsRef<[u8]>) -> TxResult<()> {
        self.tree(t).remove(key.as_ref())?;
        Ok(())
    }
    /// Next short id of a kind ("shift", "booking", ...), starting at 1.
    pub fn next_id(&self, kind: &str) -> TxResult<u64> {
        let key = Key::new().str("next_id/").str(kind);
        let next: u64 = self.get(T::Meta, &key)?.unwrap_or(1);
        self.put(T::Meta, &key, &(next + 1))?;
        Ok(next)
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
    commit: GroupCommit,
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
        let commit = GroupCommit::start(db.clone());
        let store = Store { db, trees, durable: AtomicBool::new(true), write_lock: WriteLock::default(), commit };
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

    /// Runs `f` as one transaction over all trees, then makes it durable: the one way
    /// anything is written. Transactions run one at a time; the caller waits for the
    /// flusher's next group commit. `f` may run more than once (on conflict), so it must
    /// only act through `tx`.
    pub fn write<R, E>(
        &self,
        f: impl Fn(&Tx) -> Result<R, ConflictableTransactionError<E>>,
    ) -> Result<R, WriteError<E>> {
        let (r, pending) = self.write_unflushed(f)?;
        self.wait_durable(pending).map_err(WriteError::Store)?;
        Ok(r)
    }

    /// `write` without the wait: the transaction is applied (readers see it) and rides
    /// in the next flush anyone asks for, but may be lost in a crash until
    /// `wait_durable` returns for it. For a caller that can overlap the wait with other
    /// work and still waits before it relies on the write (the inbox: updates are handled
    /// while their batch is flushed, and Telegram is told we have them only after).
    pub fn write_unflushed<R, E>(
        &self,
        f: impl Fn(&Tx) -> Result<R, ConflictableTransactionError<E>>,
    ) -> Result<(R, Pending), WriteError<E>> {
        let context = crate::watchdog::current_context();
        let _watch = crate::watchdog::watch(|| match &context {
            Some(c) => format!("a store write for {c}"),
            None => "a store write".to_string(),
        });
        let _one_writer = self.write_lock.lock();
        if let (Some(pattern), Some(c)) = (HANG_WRITES_OF.get(), &context) {
            if c.contains(pattern.as_str()) {
                log::warn!("test fault: the store write for {c} hangs");
                loop {
                    std::thread::park();
                }
            }
        }
        match self.trees.as_slice().transaction(|trees: &Vec<TransactionalTree>| f(&Tx { trees })) {
            Ok(r) => Ok((r, Pending(Some(self.commit.applied())))),
            Err(TransactionError::Abort(e)) => Err(WriteError::Abort(e)),
            Err(TransactionError::Storage(e)) => {
                failure::report(&format!("a transaction failed: {e}"));
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

    /// Runs `f` in a transaction that is always rolled back: a consistent read that may
    /// use the same helpers as changes do.
    pub fn read<R, E>(
        &self,
        f: impl Fn(&Tx) -> Result<R, ConflictableTransactionError<E>>,
    ) -> Result<R, WriteError<E>> {
        let result = self.trees.as_slice().transaction(|trees: &Vec<TransactionalTree>| {
            let r = match f(&Tx { trees }) {
                Ok(r) => Ok(r),
                Err(ConflictableTransactionError::Abort(e)) => Err(e),
                Err(ConflictableTransactionError::Storage(e)) => return Err(ConflictableTransactionError::Storage(e)),
                Err(ConflictableTransactionError::Conflict) => return Err(ConflictableTransactionError::Conflict),
            };
            Err::<(), _>(ConflictableTransactionError::Abort(r))
        });
        match result {
            Err(TransactionError::Abort(Ok(r))) => Ok(r),
            Err(TransactionError::Abort(Err(e))) => Err(WriteError::Abort(e)),
            Err(TransactionError::Storage(e)) => Err(WriteError::Store(e.into())),
            Ok(()) => unreachable!("read transactions always roll back"),
        }
    }

    /// Like `write`, but remembers the result under `request`: a replay of the same request
    /// returns the first result (with `true`) and changes nothing.
    pub fn write_once<R, E>(
        &self,
        request: Option<&str>,
        f: impl Fn(&Tx) -> Result<R, ConflictableTransactionError<E>>,
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
        self.commit.stats()
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
        let prefix = prefix.to_vec();
        let mut end = prefix.clone();
        let from = if start.is_empty() { prefix.clone() } else { start.to_vec() };
        // Upper bound: the prefix with its last byte incremented (all 0xFF prefixes do not occur).
        let bounded = increment(&mut end);
        let iter = if bounded { self.tree(t).range(from..end) } else { self.tree(t).range(from..) };
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
        self.trees
            .iter()
            .map(|t| t.iter().filter_map(Result::ok).map(|(k, v)| (k.to_vec(), v.to_vec())).collect())
            .collect()
    }

    pub fn db(&self) -> &sled::Db {
        &self.db
    }
}

fn increment(bytes: &mut Vec<u8>) -> bool {
    while let Some(last) = bytes.pop() {
        if last < 0xFF {
            bytes.push(last + 1);
            return true;
        }
    }
    false
}

use sled::Transactional;
