//! Key encoding: big-endian fixed-width parts, so sled's byte order is the
//! natural order (ids ascending, dates ascending, accounts grouped).

use chrono::{Datelike, NaiveDate};

use crate::domain::AccountId;

/// Builds a composite key from fixed-width parts.
#[derive(Default, Clone)]
pub struct Key(Vec<u8>);

impl Key {
    pub fn new() -> Self {
        Key(Vec::with_capacity(24))
    }
    pub fn u64(mut self, v: u64) -> Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    pub fn i64(mut self, v: i64) -> Self {
        // flip the sign bit so negatives sort first
        self.0.extend_from_slice(&((v as u64) ^ (1 << 63)).to_be_bytes());
        self
    }
    pub fn date(mut self, d: NaiveDate) -> Self {
        let days = d.num_days_from_ce();
        self.0.extend_from_slice(&((days as u32) ^ (1 << 31)).to_be_bytes());
        self
    }
    pub fn account(mut self, a: AccountId) -> Self {
        let (tag, id) = match a {
            AccountId::Family(f) => (1u8, f.0),
            AccountId::Pool(c) => (2, c.0),
            AccountId::Escrow(c) => (3, c.0),
        };
        self.0.push(tag);
        self.0.extend_from_slice(&id.to_be_bytes());
        self
    }
    pub fn str(mut self, s: &str) -> Self {
        self.0.extend_from_slice(s.as_bytes());
        self
    }
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
    pub fn into_vec(self) -> Vec<u8> {
        self.0
    }
}

impl AsRef<[u8]> for Key {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// The first key after every key that begins with `prefix` (its last byte below 0xFF
/// incremented): the end of a prefix's range. None for an all-0xFF prefix, which keys
/// of ids and dates do not make.
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Reads the big-endian u64 at `offset` of a key (ids in index keys).
pub fn u64_at(key: &[u8], offset: usize) -> Option<u64> {
    key.get(offset..offset + 8).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes)
}

/// Reads the date written by `Key::date` at `offset` (dates in index keys).
pub fn date_at(key: &[u8], offset: usize) -> Option<chrono::NaiveDate> {
    let b: [u8; 4] = key.get(offset..offset + 4)?.try_into().ok()?;
    chrono::NaiveDate::from_num_days_from_ce_opt((u32::from_be_bytes(b) ^ (1 << 31)) as i32)
}

/// Reads the i64 written by `Key::i64` at `offset` (user ids in index keys).
pub fn i64_at(key: &[u8], offset: usize) -> Option<i64> {
    u64_at(key, offset).map(|u| (u ^ (1 << 63)) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_reads_back_from_its_key() {
        for d in ["0001-01-01", "1999-12-31", "2026-12-01", "2400-02-29"] {
            let date: chrono::NaiveDate = d.parse().unwrap();
            let k = Key::new().u64(7).date(date).into_vec();
            assert_eq!(date_at(&k, 8), Some(date));
        }
        assert_eq!(date_at(&[0, 1], 0), None);
    }

    #[test]
    fn order_is_preserved() {
        let a = Key::new().date("1999-12-31".parse().unwrap()).into_vec();
        let b = Key::new().date("2000-01-01".parse().unwrap()).into_vec();
        assert!(a < b);
        assert!(Key::new().i64(-5).into_vec() < Key::new().i64(3).into_vec());
        assert!(Key::new().u64(255).into_vec() < Key::new().u64(256).into_vec());
        assert_eq!(u64_at(Key::new().u64(7).u64(42).bytes(), 8), Some(42));
        assert_eq!(i64_at(Key::new().u64(7).i64(-42).bytes(), 8), Some(-42));
    }
}
