//! Personal data (PIPL): `/mydata` gives a member everything the centre holds about them
//! and their children; `/forget` deletes it. Names, birth dates, notes, language and
//! Telegram ids are removed or replaced by an anonymous id; the ledger keeps its entries
//! (amounts and dates) under the family's account, which no longer names anyone, so
//! every account still sums to zero.
//!
//! Forgetting first makes the person leave (future bookings and signups cancelled with
//! the usual rules), then finds every record that still names them. Records are read by
//! scans outside the transaction (a rare, deliberate operation) and each is rewritten or
//! deleted inside it after being read again.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::access::{attempts_key, former_key, request_key, CodeAttempts, FormerFamily, GuardianRequest};
use super::records::*;
use super::round::{forget_round_record, round_record_is_personal};
use super::{Caller, Outcome, Res, Service, ServiceError};
use crate::domain::*;
use crate::store::{decode, keys::u64_at, Key, T};

/// Everything the centre holds about a person and their children.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyData {
    pub generated_at: DateTime<Utc>,
    pub user: UserId,
    pub profile: Option<Profile>,
    pub membership: Option<Member>,
    pub centre: Option<String>,
    pub family: Option<FamilyData>,
    pub bookings: Vec<Booking>,
    pub volunteer_signups: Vec<Signup>,
    pub join_request: Option<GuardianRequest>,
    pub wrong_invite_codes: Option<CodeAttempts>,
    pub former_family: Option<FormerFamily>,
    /// The family's wishes in the centre's allocation rounds.
    #[serde(default)]
    pub round_wishes: Vec<Wish>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyData {
    pub id: FamilyId,
    pub guardians: Vec<(UserId, String)>,
    pub children: Vec<Child>,
    pub balance: i64,
    pub held: i64,
    pub overdraft_limit: i64,
    pub ledger: Vec<Entry>,
}

/// What forgetting removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forgotten {
    /// Records rewritten or deleted.
    pub records: u32,
}

/// Stands for a forgotten child's birth date (the record stays for old shifts' rosters).
pub fn forgotten_birth() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default()
}

/// The personal values to look for.
struct Needles {
    user: UserId,
    texts: Vec<String>,
}

impl Needles {
    fn in_json(&self, v: &serde_json::Value) -> bool {
        use serde_json::Value::*;
        match v {
            Number(n) => n.as_i64() == Some(self.user.0),
            String(s) => self.texts.iter().any(|t| s == t),
            Array(a) => a.iter().any(|x| self.in_json(x)),
            Object(o) => o.iter().any(|(k, x)| self.texts.iter().any(|t| k == t) || self.in_json(x)),
            _ => false,
        }
    }
    fn in_value(&self, bytes: &[u8]) -> bool {
        match bytes.split_first() {
            Some((_, json)) => serde_json::from_slice::<serde_json::Value>(json).is_ok_and(|v| self.in_json(&v)),
            None => false,
        }
    }
}

impl Service {
    /// `/mydata`: everything held about the caller and their children.
    pub fn my_data(&self, user: UserId) -> Result<MyData, ServiceError> {
        let member = self.member(user)?;
        let centre = match &member {
            Some(m) => self.centre(m.centre)?.map(|c| c.name),
            None => None,
        };
        let mut family = None;
        let mut bookings = vec![];
        let mut round_wishes = vec![];
        let fid = member.as_ref().and_then(|m| m.family);
        if let Some(f) = fid.map(|f| self.family(f)).transpose()?.flatten() {
            // A family-code request is not yet on the family: show only its own record.
            let on_family = f.guardians.contains(&user);
            let mut guardians = vec![];
            for g in &f.guardians {
                guardians.push((*g, self.member(*g)?.map(|m| m.name).unwrap_or_default()));
            }
            let children: Vec<Child> = if on_family {
                f.children.iter().filter_map(|c| self.child(*c).transpose()).collect::<Result<_, _>>()?
            } else {
                vec![]
            };
            let account = Key::new().account(AccountId::Family(f.id));
            let mut ledger = vec![];
            if on_family {
                for k in self.store.index_keys(T::LedgerByAccount, account.bytes(), &[]) {
                    if let Some(id) = u64_at(&k?, 9) {
                        if let Some(e) = self.store.get::<Entry>(T::Ledger, Key::new().u64(id))? {
                            ledger.push(e);
                        }
                    }
                }
                for k in self.store.index_keys(T::BookingsByFamily, Key::new().u64(f.id.0).bytes(), &[]) {
                    if let Some(id) = u64_at(&k?, 12) {
                        if let Some(b) = self.booking(BookingId(id))? {
                            bookings.push(b);
                        }
                    }
                }
            }
            if on_family {
                round_wishes = self.family_wishes(f.centre, &f.children)?;
            }
            family = on_family.then_some(FamilyData {
                id: f.id,
                guardians,
                children,
                balance: self.store.get(T::Accounts, Key::new().account(AccountId::Family(f.id)))?.unwrap_or(0),
                held: f.held,
                overdraft_limit: f.overdraft_limit,
                ledger,
            });
        }
        let mut signups = vec![];
        for k in self.store.index_keys(T::SignupsByMember, Key::new().i64(user.0).bytes(), &[]) {
            if let Some(id) = u64_at(&k?, 12) {
                if let Some(s) = self.signup(SignupId(id))? {
                    signups.push(s);
                }
            }
        }
        Ok(MyData {
            generated_at: self.now(),
            user,
            profile: self.profile(user)?,
            membership: member,
            centre,
            family,
            bookings,
            volunteer_signups: signups,
            join_request: self.store.get(T::Meta, request_key(user))?,
            wrong_invite_codes: self.store.get(T::Meta, attempts_key(user))?,
            former_family: self.store.get(T::Meta, former_key(user))?,
            round_wishes,
        })
    }

    /// `/forget`: the caller leaves (if a member) and every record that names them or,
    /// when they were the family's last guardian, their children is rewritten under an
    /// anonymous id or deleted. The ledger keeps every entry and amount.
    ///
    /// Not remembered as a request: the replay record would name the person. A replay
    /// finds nothing left to forget and changes nothing.
    pub fn forget(&self, caller: &Caller) -> Result<Outcome<Forgotten>, ServiceError> {
        let user = caller.user;
        let mut notices = vec![];
        // Names this person gave, read before leaving removes the records.
        let mut texts: Vec<String> = self.member(user)?.map(|m| m.name).into_iter().collect();
        texts.extend(self.guardian_request(user)?.map(|r| r.name));
        if let Some(m) = self.member(user)? {
            if m.status != MemberStatus::Rejected {
                let out = self.leave_centre(&Caller::new(user))?;
                // The person themselves is not told: they asked, and their reply says it.
                notices.extend(out.notices.into_iter().filter(|n| n.to != user));
            }
        }
        // Who and what to look for. The family they closed (its children go too).
        let former: Option<FormerFamily> = self.store.get(T::Meta, former_key(user))?;
        let mut children = vec![];
        let mut closed = None;
        if let Some(f) = former.map(|f| self.family(f.family)).transpose()?.flatten() {
            if f.guardians.is_empty() {
                closed = Some(f.id);
                for c in f.children.iter().filter_map(|c| self.child(*c).transpose()) {
                    let c = c?;
                    if c.birth_date != forgotten_birth() {
                        texts.push(c.name.clone());
                        texts.push(c.birth_date.to_string());
                        texts.extend(c.notes.clone());
                        children.push(c.id);
                    }
                }
            }
        }
        texts.retain(|t| !t.is_empty());
        texts.sort();
        texts.dedup();
        let needles = Needles { user, texts };
        let ukey = Key::new().i64(user.0).into_vec();

        // Scans, outside the transaction.
        let mut rewrite: Vec<(T, Vec<u8>)> = vec![];
        let mut delete: Vec<(T, Vec<u8>)> = vec![];
        let mut rekey: Vec<(T, Vec<u8>)> = vec![];
        for t in [T::Bookings, T::Signups, T::Ledger, T::Broadcasts, T::CoverCalls, T::Audit] {
            for r in self.store.tree(t).iter() {
                let (k, v) = r.map_err(crate::store::StoreError::from)?;
                if needles.in_value(&v) {
                    rewrite.push((t, k.to_vec()));
                }
            }
        }
        for r in self.store.tree(T::Jobs).iter() {
            let (k, v) = r.map_err(crate::store::StoreError::from)?;
            if let Ok(job) = decode::<Job>(&v) {
                if matches!(job.kind, JobKind::CoverAsk { user: u, .. } if u == user) {
                    delete.push((T::Jobs, k.to_vec()));
                }
            }
        }
        for r in self.store.tree(T::Sent).iter() {
            let (k, _) = r.map_err(crate::store::StoreError::from)?;
            if k.get(8..16) == Some(&ukey[..]) {
                delete.push((T::Sent, k.to_vec()));
            }
        }
        let mine = format!("{}/", user.0);
        // The bot's done marks of their messages name their chat (`upd/m<chat>:<id>`).
        let (sent_msgs, edited_msgs) = (format!("upd/m{}:", user.0), format!("upd/e{}:", user.0));
        for r in self.store.tree(T::Processed).iter() {
            let (k, v) = r.map_err(crate::store::StoreError::from)?;
            if k.starts_with(mine.as_bytes())
                || k.starts_with(sent_msgs.as_bytes())
                || k.starts_with(edited_msgs.as_bytes())
                || needles.in_value(&v)
            {
                delete.push((T::Processed, k.to_vec()));
            }
        }
        for t in [T::SignupsByMember, T::VolunteerDay] {
            for k in self.store.index_keys(t, &ukey, &[]) {
                rekey.push((t, k?.to_vec()));
            }
        }
        let mut rounds = vec![];
        for r in self.store.tree(T::Meta).iter() {
            let (k, v) = r.map_err(crate::store::StoreError::from)?;
            if round_record_is_personal(&k, &v, user, closed) {
                rounds.push(k.to_vec());
            } else if k.ends_with(&ukey) && !k.starts_with(b"next_id/") {
                delete.push((T::Meta, k.to_vec()));
            } else if k.starts_with(b"coordinators/") && needles.in_value(&v) {
                rewrite.push((T::Meta, k.to_vec()));
            }
        }
        // The retention entries of whatever goes (they repeat its key).
        let gone: std::collections::HashSet<(u8, &[u8])> = delete.iter().map(|(t, k)| (*t as u8, &k[..])).collect();
        let mut expiring = vec![];
        for r in self.store.tree(T::Expiry).iter() {
            let (k, _) = r.map_err(crate::store::StoreError::from)?;
            if k.len() > 9 && gone.contains(&(k[8], &k[9..])) {
                expiring.push((T::Expiry, k.to_vec()));
            }
        }
        delete.extend(expiring);
        let personal = [T::Members, T::Profiles, T::Dialogues];

        let count = self
            .store
            .write(|tx| -> Res<u32> {
                let mut n = 0u32;
                let anyone = personal.iter().any(|t| tx.contains(*t, &ukey).unwrap_or(false));
                if !anyone
                    && rewrite.is_empty()
                    && delete.is_empty()
                    && rekey.is_empty()
                    && children.is_empty()
                    && rounds.is_empty()
                {
                    return Ok(0);
                }
                let anon = UserId(-(tx.next_id("anon")? as i64));
                let swap = |u: &mut UserId| {
                    if *u == user {
                        *u = anon;
                    }
                };
                let swap_all = |list: &mut Vec<UserId>| list.iter_mut().for_each(&swap);
                let scrub = |s: &mut String| {
                    if needles.texts.iter().any(|t| s.contains(t.as_str())) {
                        s.clear();
                    }
                };
                // Their membership, if leaving left one (a rejected person's record).
                if let Some(m) = tx.get::<Member>(T::Members, &ukey)? {
                    delete_member(tx, &m)?;
                    n += 1;
                }
                for t in personal {
                    if tx.contains(t, &ukey)? {
                        tx.del(t, &ukey)?;
                        n += 1;
                    }
                }
                for id in &children {
                    if let Some(mut c) = tx.get::<Child>(T::Children, Key::new().u64(id.0))? {
                        c.name = format!("#{}", c.id);
                        c.birth_date = forgotten_birth();
                        c.notes = None;
                        tx.put(T::Children, Key::new().u64(id.0), &c)?;
                        n += 1;
                    }
                }
                for (t, k) in &rewrite {
                    n += 1;
                    match t {
                        T::Bookings => {
                            if let Some(mut b) = tx.get::<Booking>(*t, k)? {
                                swap(&mut b.booked_by);
                                tx.put(*t, k, &b)?;
                            }
                        }
                        T::Signups => {
                            if let Some(mut s) = tx.get::<Signup>(*t, k)? {
                                swap(&mut s.user);
                                tx.put(*t, k, &s)?;
                            }
                        }
                        T::Ledger => {
                            if let Some(mut e) = tx.get::<Entry>(*t, k)? {
                                if let Some(by) = e.by.as_mut() {
                                    swap(by);
                                }
                                scrub(&mut e.memo);
                                tx.put(*t, k, &e)?;
                            }
                        }
                        T::Broadcasts => {
                            if let Some(mut b) = tx.get::<Broadcast>(*t, k)? {
                                swap(&mut b.by);
                                for list in [
                                    &mut b.recipients,
                                    &mut b.in_flight,
                                    &mut b.blocked,
                                    &mut b.failed,
                                    &mut b.uncertain,
                                ] {
                                    swap_all(list);
                                }
                                tx.put(*t, k, &b)?;
                            }
                        }
                        T::Audit => {
                            if let Some(mut e) = tx.get::<super::AuditEntry>(*t, k)? {
                                e.forget(user, anon, &scrub);
                                tx.put(*t, k, &e)?;
                            }
                        }
                        T::CoverCalls => {
                            if let Some(mut c) = tx.get::<CoverCall>(*t, k)? {
                                swap_all(&mut c.asked);
                                tx.put(*t, k, &c)?;
                            }
                        }
                        T::Meta => {
                            if let Some(mut list) = tx.get::<Vec<UserId>>(*t, k)? {
                                list.retain(|u| *u != user);
                                tx.put(*t, k, &list)?;
                            }
                        }
                        _ => {}
                    }
                }
                for (t, k) in &delete {
                    if *t == T::Jobs {
                        super::jobs::remove_job(tx, k)?;
                    } else {
                        tx.del(*t, k)?;
                    }
                    n += 1;
                }
                // Wishes, rounds and round results (`round::forget_round_record`).
                for k in &rounds {
                    n += u32::from(forget_round_record(tx, k, user, anon, closed)?);
                }
                let anon_key = Key::new().i64(anon.0).into_vec();
                for (t, k) in &rekey {
                    let moved = [&anon_key[..], &k[ukey.len()..]].concat();
                    if *t == T::VolunteerDay {
                        if let Some(list) = tx.get::<Vec<u64>>(*t, k)? {
                            tx.put(*t, &moved, &list)?;
                        }
                    } else {
                        tx.mark(*t, &moved)?;
                    }
                    tx.del(*t, k)?;
                    n += 1;
                }
                Ok(n)
            })
            .map_err(ServiceError::from_write)?;
        if count > 0 {
            log::info!("forgot a person: {count} records rewritten or deleted");
        }
        Ok(Outcome { value: Forgotten { records: count }, notices, replayed: false })
    }
}
