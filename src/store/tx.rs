//! `Tx`: one change, or one consistent read, as huzhu's own overlay over the trees.
//!
//! A change's writes are buffered here, per tree (key -> new value, or removed); its
//! reads see its own writes first, then those of the change before it if that one is
//! still being applied (`prior`), then the trees. `Store::write` runs the closure once,
//! under the one writer's lock, so no other change can come between its reads and its
//! writes (nothing to detect, nothing to re-run); if the closure succeeds, `Writes::apply`
//! puts the buffer into the trees through the journal (atomic on recovery; readers
//! through `Store::read` see it whole), after the writer's lock is handed on, so the
//! next change's closure runs while this one is applied. An abort drops the buffer:
//! nothing is left behind.

use serde::{de::DeserializeOwned, Serialize};
use sled::transaction::UnabortableTransactionError;
use sled::IVec;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

use super::{decode, encode, journal, Key, T};

pub type TxResult<T> = Result<T, UnabortableTransactionError>;

const TREES: usize = T::ALL.len();

/// The writes of one change, per tree: key -> `Some(value)` or `None` (removed).
pub(crate) struct Writes([BTreeMap<IVec, Option<IVec>>; TREES]);

impl Default for Writes {
    fn default() -> Self {
        Writes(std::array::from_fn(|_| BTreeMap::new()))
    }
}

impl Writes {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.iter().all(BTreeMap::is_empty)
    }

    /// Applies every write: first the journal's record of all of them (`journal`: the
    /// change survives a crash whole or not at all), then each write to its tree. No sled
    /// transaction: it would wait for any flush under way. A change of one write needs no
    /// record (a single insert is atomic).
    pub(crate) fn apply(&self, trees: &[sled::Tree], seq: u64) -> Result<(), sled::Error> {
        let all = || (0..TREES).flat_map(|i| self.0[i].iter().map(move |(k, v)| (i, k, v)));
        if all().nth(1).is_some() {
            trees[T::Journal as usize].insert(journal::key(seq), journal::encode(all()))?;
        }
        for (i, k, v) in all() {
            journal::apply_one(trees, i, k, v.as_deref())?;
        }
        Ok(())
    }
}

fn tx_decode<V: DeserializeOwned>(bytes: &[u8]) -> TxResult<V> {
    decode(bytes).map_err(|e| UnabortableTransactionError::Storage(sled::Error::ReportableBug(e.to_string())))
}

/// Typed access to every tree inside one change (or read): reads see the change's own
/// writes, which reach the trees only when the change succeeds.
pub struct Tx<'a> {
    trees: &'a [sled::Tree],
    /// The writes of the change before this one, taken when this one began, if it was
    /// still being applied: the trees may not hold them yet. Nothing else writes the
    /// trees meanwhile (one writer), so its values are the trees' values once applied.
    prior: Option<Arc<Writes>>,
    writes: RefCell<Writes>,
}

impl<'a> Tx<'a> {
    pub(crate) fn new(trees: &'a [sled::Tree]) -> Self {
        Self::after(trees, None)
    }

    /// A change that reads `prior`'s writes before the trees (see `prior`).
    pub(crate) fn after(trees: &'a [sled::Tree], prior: Option<Arc<Writes>>) -> Self {
        Tx { trees, prior, writes: RefCell::new(Writes::default()) }
    }

    pub(crate) fn into_writes(self) -> Writes {
        self.writes.into_inner()
    }

    fn raw(&self, t: T, key: &[u8]) -> TxResult<Option<IVec>> {
        if let Some(v) = self.writes.borrow().0[t as usize].get(key) {
            return Ok(v.clone());
        }
        if let Some(v) = self.prior.as_ref().and_then(|p| p.0[t as usize].get(key)) {
            return Ok(v.clone());
        }
        Ok(self.trees[t as usize].get(key)?)
    }

    fn set(&self, t: T, key: &[u8], value: Option<IVec>) {
        self.writes.borrow_mut().0[t as usize].insert(IVec::from(key), value);
    }

    pub fn get<V: DeserializeOwned>(&self, t: T, key: impl AsRef<[u8]>) -> TxResult<Option<V>> {
        match self.raw(t, key.as_ref())? {
            Some(b) => Ok(Some(tx_decode(&b)?)),
            None => Ok(None),
        }
    }

    pub fn contains(&self, t: T, key: impl AsRef<[u8]>) -> TxResult<bool> {
        Ok(self.raw(t, key.as_ref())?.is_some())
    }

    pub fn put<V: Serialize>(&self, t: T, key: impl AsRef<[u8]>, v: &V) -> TxResult<()> {
        self.set(t, key.as_ref(), Some(IVec::from(encode(v))));
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
        self.set(t, key.as_ref(), Some(IVec::from(bytes)));
        Ok(())
    }

    /// An index entry: the key is the information.
    pub fn mark(&self, t: T, key: impl AsRef<[u8]>) -> TxResult<()> {
        self.set(t, key.as_ref(), Some(IVec::from(&[][..])));
        Ok(())
    }

    pub fn del(&self, t: T, key: impl AsRef<[u8]>) -> TxResult<()> {
        self.set(t, key.as_ref(), None);
        Ok(())
    }

    /// The keys of index `t` from `start` (inclusive) up to `end` (exclusive; None: to
    /// the tree's end), as this change sees them: the tree's, then the change before this
    /// one's writes over them (the tree may hold that change half applied, and its writes
    /// are the tree's values once applied), then this change's own. In a change it is read
    /// under the writer's lock, so no change can come between this read and the writes
    /// that rely on it (a range read before the change could miss a booking made
    /// meanwhile); in `Store::read`, under the lock every apply takes.
    pub fn keys_in(&self, t: T, start: &[u8], end: Option<&[u8]>) -> TxResult<Vec<IVec>> {
        let bounds =
            (Bound::Included(IVec::from(start)), end.map_or(Bound::Unbounded, |e| Bound::Excluded(IVec::from(e))));
        let mut keys = std::collections::BTreeSet::new();
        for k in self.trees[t as usize].range(bounds.clone()) {
            keys.insert(k?.0);
        }
        let mut over = |writes: &Writes| {
            for (k, v) in writes.0[t as usize].range(bounds.clone()) {
                match v {
                    Some(_) => keys.insert(k.clone()),
                    None => keys.remove(k),
                };
            }
        };
        if let Some(prior) = &self.prior {
            over(prior);
        }
        over(&self.writes.borrow());
        Ok(keys.into_iter().collect())
    }

    /// Next short id of a kind ("shift", "booking", ...), starting at 1.
    pub fn next_id(&self, kind: &str) -> TxResult<u64> {
        let key = Key::new().str("next_id/").str(kind);
        let next: u64 = self.get(T::Meta, &key)?.unwrap_or(1);
        self.put(T::Meta, &key, &(next + 1))?;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trees() -> Vec<sled::Tree> {
        let db = sled::Config::new().temporary(true).open().expect("a temporary database");
        T::ALL.iter().map(|t| db.open_tree(t.name()).expect("tree")).collect()
    }

    /// A change that begins while the one before is still being applied reads that
    /// one's writes (its own first), not the trees' older values.
    #[test]
    fn a_change_reads_the_change_before_it_while_that_one_is_applied() {
        let trees = trees();
        trees[T::Meta as usize].insert("a", encode(&1u32)).expect("insert");
        trees[T::Meta as usize].insert("gone", encode(&1u32)).expect("insert");
        let before = Tx::new(&trees);
        before.put(T::Meta, "a", &2u32).expect("put");
        before.put(T::Meta, "b", &2u32).expect("put");
        before.del(T::Meta, "gone").expect("del");
        let prior = Arc::new(before.into_writes());

        let next = Tx::after(&trees, Some(prior.clone()));
        assert_eq!(next.get::<u32>(T::Meta, "a").expect("get"), Some(2), "the prior change's value");
        assert_eq!(next.get::<u32>(T::Meta, "b").expect("get"), Some(2), "a key only the prior change wrote");
        assert_eq!(next.get::<u32>(T::Meta, "gone").expect("get"), None, "a key the prior change removed");
        next.put(T::Meta, "a", &3u32).expect("put");
        assert_eq!(next.get::<u32>(T::Meta, "a").expect("get"), Some(3), "its own write first");
        assert!(!next.contains(T::Families, "a").expect("contains"), "other trees keep their own keys");

        // A range read sees the same: the trees, the change before, its own writes.
        trees[T::Meta as usize].insert("k/1", encode(&1u32)).expect("insert");
        trees[T::Meta as usize].insert("k/2", encode(&1u32)).expect("insert");
        trees[T::Meta as usize].insert("l/1", encode(&1u32)).expect("insert");
        let before = Tx::new(&trees);
        before.del(T::Meta, "k/1").expect("del");
        before.mark(T::Meta, "k/3").expect("mark");
        let applying = Arc::new(before.into_writes());
        let range = Tx::after(&trees, Some(applying.clone()));
        range.mark(T::Meta, "k/0").expect("mark");
        range.del(T::Meta, "k/2").expect("del");
        let keys = |tx: &Tx| -> Vec<String> {
            let keys = tx.keys_in(T::Meta, b"k/", Some(b"k0")).expect("keys");
            keys.iter().map(|k| String::from_utf8_lossy(k).into_owned()).collect()
        };
        assert_eq!(keys(&range), ["k/0", "k/3"]);
        assert_eq!(range.keys_in(T::Meta, b"k/1", Some(b"k0")).expect("keys").len(), 1, "from `start` on");
        assert_eq!(range.keys_in(T::Meta, b"k/", Some(b"k/3")).expect("keys").len(), 1, "up to `end`");
        assert_eq!(range.keys_in(T::Meta, b"k/", None).expect("keys").len(), 3, "to the end: l/1 too");
        // Half applied (the removal done, the mark not yet), the same.
        trees[T::Meta as usize].remove("k/1").expect("remove");
        assert_eq!(keys(&range), ["k/0", "k/3"]);

        // Once the prior change is applied, the trees hold the same values.
        prior.apply(&trees, 1).expect("apply");
        let plain = Tx::new(&trees);
        for key in ["a", "b", "gone"] {
            assert_eq!(
                plain.get::<u32>(T::Meta, key).expect("get"),
                Tx::after(&trees, Some(prior.clone())).get::<u32>(T::Meta, key).expect("get")
            );
        }
    }
}
