//! A centre's settings (every number DESIGN.md marks *default*), changed by its
//! coordinators, each within its range, in one transaction. A change of reminder times
//! re-plans the reminders of the centre's future shifts in that same transaction, so it
//! applies to what is already booked.

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

use super::jobs::{cancel_owner, plan_digest, replan_shift};
use super::records::*;
use super::{Caller, Outcome, Service, ServiceError};
use crate::domain::*;
use crate::policy::Policy;
use crate::store::{Key, T};

/// One setting to change. Every number DESIGN.md lets a centre set is here, each with
/// its range (`SettingKey::range`); the ratios and class caps are the national
/// standard's and are not settable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SettingChange {
    /// Hours before a shift a volunteer is reminded (1 to 4 values, each 1..=168).
    VolunteerHours(Vec<i64>),
    FamilyTime(NaiveTime),
    DigestTime(NaiveTime),
    /// Quiet hours from, to (equal: none).
    Quiet(NaiveTime, NaiveTime),
    /// Members asked per round of the search for cover (1..=50).
    CoverBatch(u32),
    /// Whether a coordinator also approves a guardian who joins with a family code.
    GuardianApproval(bool),
    /// Accepted ages in completed months, `[min, max)`, within the national 6..36.
    Ages(u32, u32),
    /// Credit minutes earned per minute served.
    EarnRate(i64),
    /// Credit minutes charged per child-minute of care.
    CostRate(i64),
    /// Credits a newly approved family starts with (minutes).
    StartGrant(i64),
    /// Hours before the start until which a cancellation is free.
    FreeCancelHours(i64),
    /// Percentage of the cost charged for a later cancellation.
    LateCancelPercent(i64),
    /// Credit minutes a volunteer no-show costs.
    NoShowPenalty(i64),
    /// No-shows within so many days that block sign-up.
    NoShowBlock(u32, i64),
    /// Hours after the end when an unmarked shift settles itself.
    AutoSettleHours(i64),
    /// Room places of a new shift.
    Capacity(u32),
    /// Professional staff of a new shift.
    Staff(u32),
    /// Longest waitlist per shift.
    Waitlist(u32),
}

/// Which setting was out of range, and its range, for a clear answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SettingKey {
    Remind,
    Cover,
    Ages,
    Earn,
    Cost,
    Grant,
    FreeCancel,
    LatePercent,
    Penalty,
    BlockCount,
    BlockDays,
    AutoSettle,
    Capacity,
    Staff,
    Waitlist,
}

impl SettingKey {
    /// The inclusive range of values a centre may choose.
    pub fn range(self) -> (i64, i64) {
        use SettingKey::*;
        match self {
            Remind => (1, 168),
            Cover => (1, 50),
            Ages => (6, 36),
            Earn => (0, 10),
            Cost => (1, 10),
            Grant => (0, 6000),
            FreeCancel => (0, 168),
            LatePercent => (0, 100),
            Penalty => (0, 600),
            BlockCount => (1, 10),
            BlockDays => (1, 365),
            AutoSettle => (1, 168),
            Capacity => (1, 100),
            Staff => (0, 20),
            Waitlist => (1, 50),
        }
    }

    fn check(self, v: i64) -> Result<(), ServiceError> {
        let (min, max) = self.range();
        if (min..=max).contains(&v) {
            Ok(())
        } else {
            Err(ServiceError::SettingRange { key: self, min, max })
        }
    }
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

impl SettingChange {
    /// Whether the change moves reminder times (then planned reminders are re-planned).
    fn moves_reminders(&self) -> bool {
        matches!(
            self,
            SettingChange::VolunteerHours(_)
                | SettingChange::FamilyTime(_)
                | SettingChange::DigestTime(_)
                | SettingChange::Quiet(..)
                | SettingChange::CoverBatch(_)
        )
    }

    fn apply(&self, p: &mut Policy) -> Result<(), ServiceError> {
        use SettingKey as K;
        match self {
            SettingChange::VolunteerHours(hours) => {
                let mut h = hours.clone();
                h.sort_unstable_by(|a, b| b.cmp(a));
                h.dedup();
                if h.is_empty() || h.len() > 4 {
                    return Err(ServiceError::BadSetting);
                }
                for x in &h {
                    K::Remind.check(*x)?;
                }
                p.volunteer_reminder_hours = h;
            }
            SettingChange::FamilyTime(t) => p.family_reminder_time = hhmm(*t),
            SettingChange::DigestTime(t) => p.coordinator_digest_time = hhmm(*t),
            SettingChange::Quiet(from, to) => {
                p.quiet_start = hhmm(*from);
                p.quiet_end = hhmm(*to);
            }
            SettingChange::CoverBatch(n) => {
                K::Cover.check(*n as i64)?;
                p.cover_batch = *n;
            }
            SettingChange::GuardianApproval(on) => p.coordinator_confirms_guardians = *on,
            SettingChange::Ages(min, max) => {
                K::Ages.check(*min as i64)?;
                K::Ages.check(*max as i64)?;
                if min >= max {
                    return Err(ServiceError::SettingRange { key: K::Ages, min: 6, max: 36 });
                }
                (p.min_age_months, p.max_age_months) = (*min, *max);
            }
            SettingChange::EarnRate(n) => {
                K::Earn.check(*n)?;
                p.earn_per_minute = *n;
            }
            SettingChange::CostRate(n) => {
                K::Cost.check(*n)?;
                p.cost_per_child_minute = *n;
            }
            SettingChange::StartGrant(n) => {
                K::Grant.check(*n)?;
                p.start_grant_minutes = *n;
            }
            SettingChange::FreeCancelHours(n) => {
                K::FreeCancel.check(*n)?;
                p.free_cancel_hours = *n;
            }
            SettingChange::LateCancelPercent(n) => {
                K::LatePercent.check(*n)?;
                p.late_cancel_percent = *n;
            }
            SettingChange::NoShowPenalty(n) => {
                K::Penalty.check(*n)?;
                p.volunteer_no_show_penalty = *n;
            }
            SettingChange::NoShowBlock(count, days) => {
                K::BlockCount.check(*count as i64)?;
                K::BlockDays.check(*days)?;
                (p.no_show_block_count, p.no_show_window_days) = (*count, *days);
            }
            SettingChange::AutoSettleHours(n) => {
                K::AutoSettle.check(*n)?;
                p.auto_settle_hours = *n;
            }
            SettingChange::Capacity(n) => {
                K::Capacity.check(*n as i64)?;
                p.default_capacity = *n;
            }
            SettingChange::Staff(n) => {
                K::Staff.check(*n as i64)?;
                p.default_staff = *n;
            }
            SettingChange::Waitlist(n) => {
                K::Waitlist.check(*n as i64)?;
                p.max_waitlist = *n;
            }
        }
        Ok(())
    }
}

impl Service {
    /// The coordinator's centre and its settings.
    pub fn settings(&self, user: UserId) -> Result<Centre, ServiceError> {
        Ok(self.my_coordinated_centre(user)?.1)
    }

    /// A coordinator changes a setting. A change of reminder times re-plans the reminders
    /// of the centre's future shifts and their days' digests in the same transaction, so
    /// no crash can leave them planned for the old times.
    pub fn change_setting(&self, caller: &Caller, change: &SettingChange) -> Result<Outcome<Centre>, ServiceError> {
        let (_, home) = self.my_coordinated_centre(caller.user)?;
        // Validated before anything is written (ranges do not depend on other settings).
        change.apply(&mut Policy::default())?;
        let today = self.today(home.tz());
        // Future shifts: an index range of the centre's dates, read before the transaction
        // (each is re-read and re-checked inside it).
        let ids = if change.moves_reminders() {
            let to = today.checked_add_days(chrono::Days::new(400)).unwrap_or(today);
            self.shift_ids_between(home.id, today, to)?
        } else {
            vec![]
        };
        self.change(caller, |tx, now| {
            let coord = coordinator(tx, caller.user)?;
            let mut centre = centre(tx, coord.centre)?;
            change.apply(&mut centre.policy)?;
            tx.put(T::Centres, Key::new().u64(centre.id.0), &centre)?;
            let mut days = vec![];
            for id in &ids {
                let shift = shift_in(tx, centre.id, *id)?;
                if shift.status != ShiftStatus::Open || shift.starts_at(centre.tz()) <= now {
                    continue;
                }
                replan_shift(tx, &centre, &shift, now)?;
                if !days.contains(&shift.date) {
                    days.push(shift.date);
                }
            }
            // Digests not yet sent move to the new time.
            for date in days {
                cancel_owner(tx, JobOwner::Digest(centre.id, date))?;
                plan_digest(tx, &centre, date, now)?;
            }
            Ok((centre, vec![]))
        })
    }
}
