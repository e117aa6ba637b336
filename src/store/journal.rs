//! The journal: how a change reaches the trees atomically without a sled transaction.
//!
//! Why: a sled 0.34 transaction takes sled's global concurrency lock exclusively, and
//! sled's `flush` holds it shared for the whole fsync (`iobuf::flush`), so every change
//! waited for the flush under way before it could apply, under huzhu's one writer's lock:
//! changes and flushes ran in turn, and group commit could not merge (measured: 70 % of
//! the time the lock was held went to that wait). Single inserts only take the lock
//! shared, so they run beside a flush.
//!
//! How: a change's writes are first put down as one record of this tree (a single insert,
//! atomic on recovery), then applied to their trees one by one. sled recovers a
//! contiguous prefix of its log (it cuts recovery at the first tear), and the record is
//! logged before any of its writes, so after a crash either none of a change's writes
//! survived, or its record did. At open, `replay` applies every record left, in order
//! (writing final values is idempotent), then removes them. Records are removed once a
//! flush has covered their change (`writer`), oldest first, so the records left are
//! always the newest changes, and replaying them in order ends in the latest state.
//!
//! Record layout, repeated per write: tree (1 byte, index in `T::ALL`), key length (u32
//! big-endian), key, then 0 (removed) or 1 and value length (u32) and value.

use sled::IVec;

/// The journal key of change `seq`.
pub(crate) fn key(seq: u64) -> [u8; 8] {
    seq.to_be_bytes()
}

/// One record for the writes given as (tree index, key, new value or `None`: removed).
pub(crate) fn encode<'a>(writes: impl Iterator<Item = (usize, &'a IVec, &'a Option<IVec>)>) -> Vec<u8> {
    let mut out = Vec::new();
    for (tree, k, v) in writes {
        out.push(tree as u8);
        out.extend_from_slice(&(k.len() as u32).to_be_bytes());
        out.extend_from_slice(k);
        match v {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                out.extend_from_slice(&(v.len() as u32).to_be_bytes());
                out.extend_from_slice(v);
            }
        }
    }
    out
}

/// One write of a record: tree index, key, new value (`None`: removed).
pub(crate) type Write<'a> = (usize, &'a [u8], Option<&'a [u8]>);

/// A record's writes; `None` for a record that does not parse (never written by
/// `encode`: the record is then left alone and reported).
pub(crate) fn decode(mut bytes: &[u8]) -> Option<Vec<Write<'_>>> {
    fn take<'b>(bytes: &mut &'b [u8], n: usize) -> Option<&'b [u8]> {
        let (head, rest) = (bytes.get(..n)?, bytes.get(n..)?);
        *bytes = rest;
        Some(head)
    }
    fn len(bytes: &mut &[u8]) -> Option<usize> {
        Some(u32::from_be_bytes(take(bytes, 4)?.try_into().ok()?) as usize)
    }
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let tree = take(&mut bytes, 1)?[0] as usize;
        let n = len(&mut bytes)?;
        let k = take(&mut bytes, n)?;
        let v = match take(&mut bytes, 1)?[0] {
            0 => None,
            1 => {
                let n = len(&mut bytes)?;
                Some(take(&mut bytes, n)?)
            }
            _ => return None,
        };
        out.push((tree, k, v));
    }
    Some(out)
}

/// Applies one write to its tree (a single sled operation).
pub(crate) fn apply_one(trees: &[sled::Tree], tree: usize, k: &[u8], v: Option<&[u8]>) -> Result<(), sled::Error> {
    let t = &trees[tree];
    match v {
        Some(v) => t.insert(k, v).map(drop),
        None => t.remove(k).map(drop),
    }
}

/// Applies every record left in the journal (`journal`, one of `trees`), in order, makes
/// that durable, then removes the records. Returns how many changes were replayed.
pub(crate) fn replay(db: &sled::Db, trees: &[sled::Tree], journal: &sled::Tree) -> Result<usize, sled::Error> {
    let mut done = Vec::new();
    for r in journal.iter() {
        let (k, record) = r?;
        match decode(&record) {
            Some(writes) => {
                for (tree, key, v) in writes {
                    if tree < trees.len() {
                        apply_one(trees, tree, key, v)?;
                    }
                }
                done.push(k);
            }
            None => {
                log::error!("a journal record of the database does not parse: {} bytes left as they are", record.len())
            }
        }
    }
    if done.is_empty() {
        return Ok(0);
    }
    db.flush()?;
    for k in &done {
        journal.remove(k)?;
    }
    db.flush()?;
    Ok(done.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Store, T};

    /// sled lets go of a database's lock a moment after its last handle is dropped.
    fn raw_open(path: &std::path::Path) -> sled::Db {
        for _ in 0..500 {
            if let Ok(db) = sled::open(path) {
                return db;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        sled::open(path).expect("raw open")
    }

    fn store_open(path: &std::path::Path) -> Store {
        for _ in 0..500 {
            if let Ok(store) = Store::open(path) {
                return store;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        Store::open(path).expect("open")
    }

    /// Journal records put down by hand in a database, as a crash would leave them:
    /// the first change applied halfway, the second not at all.
    #[test]
    fn a_change_cut_short_by_a_crash_is_whole_after_the_next_open() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("db");
        drop(Store::open(&path).expect("create"));
        {
            let db = raw_open(&path);
            let trees: Vec<sled::Tree> = T::ALL.iter().map(|t| db.open_tree(t.name()).expect("tree")).collect();
            let (fam, shifts) = (T::Families as usize, T::ShiftsByDate as usize);
            let (a, b, gone) = (IVec::from(&b"a"[..]), IVec::from(&b"b"[..]), IVec::from(&b"gone"[..]));
            trees[fam].insert("gone", "x").expect("an old record");
            let (one, two) = (Some(IVec::from(&b"1"[..])), Some(IVec::from(&b"2"[..])));
            let first = encode([(fam, &a, &one), (shifts, &b, &one), (fam, &gone, &None)].into_iter());
            let second = encode([(fam, &a, &two)].into_iter());
            trees[T::Journal as usize].insert(key(1), first).expect("record 1");
            trees[T::Journal as usize].insert(key(2), second).expect("record 2");
            apply_one(&trees, fam, b"a", Some(b"1")).expect("the first write only");
            db.flush().expect("flush");
        }
        let store = store_open(&path);
        assert_eq!(store.tree(T::Families).get("a").expect("get").as_deref(), Some(&b"2"[..]), "the later change wins");
        assert_eq!(store.tree(T::ShiftsByDate).get("b").expect("get").as_deref(), Some(&b"1"[..]));
        assert!(store.tree(T::Families).get("gone").expect("get").is_none(), "a removal is replayed too");
        assert!(store.tree(T::Journal).is_empty(), "replayed records are removed");
        drop(store);
        let store = store_open(&path);
        assert!(store.tree(T::Journal).is_empty(), "and stay removed");
    }

    /// Records of flushed changes are removed; a clean stop leaves none to replay.
    #[test]
    fn flushed_changes_leave_no_records() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("db");
        let store = Store::open(&path).expect("create");
        for i in 0..20u64 {
            store
                .write(|tx| {
                    tx.put(T::Families, i.to_be_bytes(), &i)?;
                    tx.mark(T::ShiftsByDate, i.to_be_bytes())?;
                    Ok::<_, sled::transaction::ConflictableTransactionError<()>>(())
                })
                .expect("write");
        }
        assert!(store.tree(T::Journal).is_empty(), "each write waited for its flush, which trims");
        let ((), _not_waited_for) = store
            .write_unflushed(|tx| {
                tx.put(T::Families, "late", &1u64)?;
                tx.put(T::Families, "later", &2u64)?;
                Ok::<_, sled::transaction::ConflictableTransactionError<()>>(())
            })
            .expect("write");
        assert_eq!(store.tree(T::Journal).len(), 1, "a change not yet flushed keeps its record");
        drop(store);
        let db = raw_open(&path);
        assert!(db.open_tree(T::Journal.name()).expect("tree").is_empty(), "the stop flushed and trimmed");
        assert!(db.open_tree(T::Families.name()).expect("tree").contains_key("later").expect("get"));
    }

    #[test]
    fn a_record_decodes_to_its_writes() {
        let (k1, v1, k2) = (IVec::from(&b"a"[..]), Some(IVec::from(&b"value"[..])), IVec::from(&b"bb"[..]));
        let writes = [(3, &k1, &v1), (7, &k2, &None)];
        let bytes = encode(writes.into_iter());
        let back = decode(&bytes).expect("decodes");
        assert_eq!(back, vec![(3, &b"a"[..], Some(&b"value"[..])), (7, &b"bb"[..], None)]);
        assert_eq!(decode(&bytes[..bytes.len() - 1]), None, "a cut record is refused, not misread");
    }
}
