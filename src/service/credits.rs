//! Credits: balances with history, coordinators' grants and corrections, overdrafts.

use serde::{Deserialize, Serialize};

use super::records::*;
use super::{AuditAction, Caller, Event, Notice, Outcome, Service, ServiceError};
use crate::domain::*;
use crate::ledger;
use crate::store::{keys::u64_at, Key, T};

/// A ledger entry seen from one account: positive in, negative out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryView {
    pub entry: Entry,
    pub signed: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BalanceView {
    pub family: FamilyId,
    /// What the family can spend now (holds already taken out).
    pub available: i64,
    /// Held for bookings not yet settled.
    pub held: i64,
    pub overdraft_limit: i64,
    /// Newest first.
    pub recent: Vec<EntryView>,
}

/// Largest single grant or correction, in minutes (about 20 years of full days).
const MAX_GRANT: i64 = 10_000_000;

impl Service {
    /// A coordinator grants (positive) or corrects (negative) a member's family credits.
    pub fn grant(
        &self,
        caller: &Caller,
        target: UserId,
        minutes: i64,
        memo: &str,
    ) -> Result<Outcome<i64>, ServiceError> {
        // `unsigned_abs`: `i64::MIN.abs()` overflows (a panic in debug builds).
        if minutes == 0 || minutes.unsigned_abs() > MAX_GRANT as u64 {
            return Err(ServiceError::BadAmount);
        }
        let memo = clean_text(memo, 200)?;
        self.change(caller, |tx, now| {
            let coord = coordinator(tx, caller.user)?;
            let m = member_in(tx, coord.centre, target)?;
            let fam = family_of(tx, &m)?;
            let account = AccountId::Family(fam.id);
            let pool = AccountId::Pool(coord.centre);
            if minutes > 0 {
                post(tx, EntryKind::Grant, pool, account, minutes, None, None, Some(caller.user), now, &memo)?;
            } else {
                ledger::check_spend(balance(tx, account)?, fam.overdraft_limit, -minutes)
                    .map_err(ServiceError::from)?;
                post(tx, EntryKind::Grant, account, pool, -minutes, None, None, Some(caller.user), now, &memo)?;
            }
            let after = balance(tx, account)?;
            let action = AuditAction::CreditsGranted { user: target, family: fam.id, minutes, memo: memo.clone() };
            super::audit::record(tx, coord.centre, caller.user, now, action)?;
            let mut notes = vec![];
            tell_family(
                &mut notes,
                &fam,
                Event::CreditsGranted { amount: minutes, memo: memo.clone(), balance: after },
            );
            Ok((after, notes))
        })
    }

    /// A coordinator lets a family go below zero by up to `limit` minutes.
    pub fn set_overdraft(&self, caller: &Caller, target: UserId, limit: i64) -> Result<Outcome<Family>, ServiceError> {
        if !(0..=MAX_GRANT).contains(&limit) {
            return Err(ServiceError::BadAmount);
        }
        self.change(caller, |tx, now| {
            let coord = coordinator(tx, caller.user)?;
            let m = member_in(tx, coord.centre, target)?;
            let mut fam = family_of(tx, &m)?;
            fam.overdraft_limit = limit;
            put_family(tx, &fam)?;
            let action = AuditAction::OverdraftSet { user: target, family: fam.id, minutes: limit };
            super::audit::record(tx, coord.centre, caller.user, now, action)?;
            Ok((fam, Vec::<Notice>::new()))
        })
    }

    /// The caller's family balance and its last `n` entries.
    pub fn balance(&self, user: UserId, n: usize) -> Result<BalanceView, ServiceError> {
        let (m, _) = self.my_centre(user)?;
        self.balance_of_family(m.family.ok_or(ServiceError::NoFamily)?, n)
    }

    /// A coordinator looks at a member's family ledger.
    pub fn ledger_of(&self, user: UserId, target: UserId, n: usize) -> Result<BalanceView, ServiceError> {
        let (_, centre) = self.my_coordinated_centre(user)?;
        let m = self.member(target)?.filter(|m| m.centre == centre.id).ok_or(ServiceError::UnknownMember)?;
        self.balance_of_family(m.family.ok_or(ServiceError::NoFamily)?, n)
    }

    fn balance_of_family(&self, id: FamilyId, n: usize) -> Result<BalanceView, ServiceError> {
        let fam = self.family(id)?.ok_or(ServiceError::NoFamily)?;
        let account = AccountId::Family(id);
        let prefix = Key::new().account(account);
        let mut recent = vec![];
        // Newest `n` via the account's index: O(log n + n), however long the history.
        for k in self.store.last_index_keys(T::LedgerByAccount, prefix.bytes(), n)? {
            let Some(eid) = u64_at(&k, 9) else { continue };
            if let Some(entry) = self.store.get::<Entry>(T::Ledger, Key::new().u64(eid))? {
                let signed = if entry.to == account { entry.amount } else { -entry.amount };
                recent.push(EntryView { entry, signed });
            }
        }
        Ok(BalanceView {
            family: id,
            available: self.account_balance(account)?,
            held: fam.held,
            overdraft_limit: fam.overdraft_limit,
            recent,
        })
    }

    pub fn account_balance(&self, account: AccountId) -> Result<i64, ServiceError> {
        Ok(self.store.get(T::Accounts, Key::new().account(account))?.unwrap_or(0))
    }

    /// Sum over every account (always zero; for audits and tests). Scans all accounts.
    pub fn ledger_sum(&self) -> Result<i128, ServiceError> {
        Ok(self.store.scan::<i64>(T::Accounts, &[])?.into_iter().map(|(_, v)| v as i128).sum())
    }
}
