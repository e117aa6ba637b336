//! The audit log: every coordinator's (and super-admin's) action, recorded with who,
//! when, in which centre and what, as a structured record, in the transaction of the
//! action itself. Its entries live in `T::Audit`, keyed `centre ++ !seq` (big-endian,
//! the sequence number inverted), so a centre's newest entries are the first keys under
//! its prefix: `/audit N` reads N keys, never the whole tree.
//!
//! Invariants:
//! - An entry exists exactly when its action happened: `record` runs inside the
//!   action's transaction (both or neither), and a replayed request returns its stored
//!   answer before the action runs again, so a replay adds no second entry.
//! - Entries are kept for good (no `Expiry` entry): they are the centre's accountability
//!   record for its funder, small (one per coordinator action), and unlike replay
//!   records they are not needed only for a while. They hold ids, not names (names are
//!   looked up when shown); `/forget` rewrites a forgotten person's id in them to the
//!   anonymous one (`AuditEntry::forget`), like the ledger's `by`.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Res, Service, ServiceError};
use crate::domain::*;
use crate::policy::SettingChange;
use crate::store::{Key, Tx, T};

/// Default and largest number of entries `/audit` shows.
pub const AUDIT_DEFAULT: usize = 20;
pub const AUDIT_MAX: usize = 100;

/// What was done. Ids of the records it touched, never a formatted sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuditAction {
    CentreCreated { name: String },
    CoordinatorAppointed { user: UserId },
    MemberApproved { user: UserId },
    MemberRejected { user: UserId },
    MemberSuspended { user: UserId },
    RoleSet { user: UserId, role: Role },
    StaffSet { user: UserId, on: bool },
    BlockLifted { user: UserId },
    MemberRemoved { user: UserId },
    FamilyRemoved { family: FamilyId, guardians: Vec<UserId> },
    GuardianApproved { user: UserId, family: FamilyId },
    CreditsGranted { user: UserId, family: FamilyId, minutes: i64, memo: String },
    OverdraftSet { user: UserId, family: FamilyId, minutes: i64 },
    ShiftCreated { shift: ShiftId, date: NaiveDate, start: NaiveTime, end: NaiveTime },
    TemplateCreated { template: TemplateId },
    ShiftsGenerated { shifts: Vec<ShiftId> },
    ShiftCancelled { shift: ShiftId, reason: String },
    DayCancelled { date: NaiveDate, shifts: Vec<ShiftId>, reason: String },
    ShiftMoved { shift: ShiftId, date: NaiveDate, start: NaiveTime, end: NaiveTime },
    BookingCancelled { booking: BookingId, family: FamilyId },
    SignupDropped { signup: SignupId, user: UserId },
    AttendanceRecorded { shift: ShiftId, present: u32, absent: u32 },
    ShiftSettled { shift: ShiftId },
    SettingChanged { change: SettingChange },
    BroadcastSent { broadcast: u64, recipients: usize },
    BroadcastCancelled { broadcast: u64 },
    CentreCodeReplaced,
    FamiliesImported { families: u32, children: u32, guardians: u32 },
}

impl AuditAction {
    /// The people an action names (for showing their names).
    pub fn users(&self) -> Vec<UserId> {
        use AuditAction::*;
        match self {
            CoordinatorAppointed { user }
            | MemberApproved { user }
            | MemberRejected { user }
            | MemberSuspended { user }
            | RoleSet { user, .. }
            | StaffSet { user, .. }
            | BlockLifted { user }
            | MemberRemoved { user }
            | GuardianApproved { user, .. }
            | CreditsGranted { user, .. }
            | OverdraftSet { user, .. }
            | SignupDropped { user, .. } => vec![*user],
            FamilyRemoved { guardians, .. } => guardians.clone(),
            _ => vec![],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub centre: CentreId,
    /// Who did it (`UserId(0)`: the command line, e.g. `huzhu import`).
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub action: AuditAction,
}

impl AuditEntry {
    /// `/forget`: the entry names `anon` instead of `user`, and free text that holds
    /// their personal values is cleared by `scrub`. What was done, when, stays.
    pub fn forget(&mut self, user: UserId, anon: UserId, scrub: &dyn Fn(&mut String)) {
        use AuditAction::*;
        let swap = |u: &mut UserId| {
            if *u == user {
                *u = anon;
            }
        };
        swap(&mut self.by);
        match &mut self.action {
            CoordinatorAppointed { user }
            | MemberApproved { user }
            | MemberRejected { user }
            | MemberSuspended { user }
            | RoleSet { user, .. }
            | StaffSet { user, .. }
            | BlockLifted { user }
            | MemberRemoved { user }
            | GuardianApproved { user, .. }
            | OverdraftSet { user, .. }
            | SignupDropped { user, .. } => swap(user),
            CreditsGranted { user, memo, .. } => {
                swap(user);
                scrub(memo);
            }
            FamilyRemoved { guardians, .. } => guardians.iter_mut().for_each(swap),
            ShiftCancelled { reason, .. } | DayCancelled { reason, .. } => scrub(reason),
            _ => {}
        }
    }
}

/// `centre ++ !seq`: a centre's newest entry first.
pub fn audit_key(centre: CentreId, seq: u64) -> Key {
    Key::new().u64(centre.0).u64(!seq)
}

/// Records an action inside its transaction.
pub fn record(tx: &Tx, centre: CentreId, by: UserId, at: DateTime<Utc>, action: AuditAction) -> Res<()> {
    let seq = tx.next_id("audit")?;
    let e = AuditEntry { seq, centre, by, at, action };
    tx.put(T::Audit, audit_key(centre, seq), &e)?;
    Ok(())
}

impl Service {
    /// The newest `n` (1..=100) entries of a centre's audit log, newest first: for its
    /// coordinators, and super-admins (of any centre, `centre` naming it). Another
    /// centre's coordinator is refused like a parent.
    pub fn audit_log(
        &self,
        user: UserId,
        centre: Option<CentreId>,
        n: usize,
    ) -> Result<(Centre, Vec<AuditEntry>), ServiceError> {
        let n = n.clamp(1, AUDIT_MAX);
        let own = self.member(user)?.filter(|m| m.is_coordinator()).map(|m| m.centre);
        let id = match (centre, own) {
            (Some(c), _) if self.is_super_admin(user) => c,
            (Some(c), Some(mine)) if c == mine => c,
            (None, Some(mine)) => mine,
            (None, None) if self.is_super_admin(user) => return Err(ServiceError::UnknownCentre),
            _ => return Err(ServiceError::NotCoordinator),
        };
        let centre = self.centre(id)?.ok_or(ServiceError::UnknownCentre)?;
        let mut out = Vec::with_capacity(n);
        for k in self.store.index_keys(T::Audit, Key::new().u64(id.0).bytes(), &[]).take(n) {
            if let Some(e) = self.store.get::<AuditEntry>(T::Audit, k?)? {
                out.push(e);
            }
        }
        Ok((centre, out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_entries_sort_first_within_a_centre() {
        let a = audit_key(CentreId(7), 1).into_vec();
        let b = audit_key(CentreId(7), 2).into_vec();
        let other = audit_key(CentreId(8), 0).into_vec();
        assert!(b < a, "seq 2 before seq 1");
        assert!(a < other, "a centre's entries are contiguous");
        assert!(audit_key(CentreId(7), u64::MAX - 1).into_vec() < b);
    }
}
