//! Per-centre settings. Every number DESIGN.md marks *default* lives here, with that
//! default; what a coordinator may change (`SettingChange`) and each setting's range
//! (`SettingKey::range`) too. Pure, and below `domain`: it names no record type.

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    /// Youngest accepted age in completed months (inclusive).
    pub min_age_months: u32,
    /// Oldest accepted age in completed months (exclusive).
    pub max_age_months: u32,
    /// Load units one caregiver on duty can carry (105 = 3 x 35 = 5 x 21 = 7 x 15).
    pub load_per_caregiver: u32,
    /// Load units of one child per group: infant, toddler, older toddler.
    pub load_units: [u32; 3],
    /// Class-size cap per group: infant, toddler, older toddler.
    pub class_caps: [u32; 3],
    /// Largest class that mixes age groups (DESIGN.md section 2: children over 18 months
    /// may share a mixed class of at most 18). A shift's children are one class, so a
    /// shift holding more than one group holds at most this many children.
    pub mixed_class_cap: u32,
    /// Room places of a new shift unless the coordinator says otherwise.
    pub default_capacity: u32,
    /// Professional staff on duty in a new shift.
    pub default_staff: u32,
    /// Longest waitlist per shift (keeps a shift's record bounded).
    pub max_waitlist: u32,
    /// Credits a newly approved family starts with, in minutes.
    pub start_grant_minutes: i64,
    /// Credit minutes earned per minute served as a volunteer.
    pub earn_per_minute: i64,
    /// Credit minutes charged per child-minute of care.
    pub cost_per_child_minute: i64,
    /// A cancellation at least this many hours before the start is free.
    pub free_cancel_hours: i64,
    /// Percentage of the cost charged for a later cancellation.
    pub late_cancel_percent: i64,
    /// Hours after the end when an unmarked shift settles as attended.
    pub auto_settle_hours: i64,
    /// Credit minutes a volunteer no-show costs.
    pub volunteer_no_show_penalty: i64,
    /// No-shows within `no_show_window_days` that block sign-up.
    pub no_show_block_count: u32,
    pub no_show_window_days: i64,
    /// Reminders (issue: reminders). Hours before a shift a volunteer is reminded.
    pub volunteer_reminder_hours: Vec<i64>,
    /// Local time ("HH:MM") of the evening-before reminder to families.
    pub family_reminder_time: String,
    /// Local time of the coordinators' digest of tomorrow.
    pub coordinator_digest_time: String,
    /// Quiet hours, local "HH:MM": no reminder is sent between these.
    pub quiet_start: String,
    pub quiet_end: String,
    /// How many members are asked at once when cover is needed.
    pub cover_batch: u32,
    /// A second guardian who joins with a family code is also approved by a coordinator
    /// (after a guardian of that family confirmed them).
    pub coordinator_confirms_guardians: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            min_age_months: 6,
            max_age_months: 36,
            load_per_caregiver: 105,
            load_units: [35, 21, 15],
            class_caps: [10, 15, 20],
            mixed_class_cap: 18,
            default_capacity: 12,
            default_staff: 1,
            max_waitlist: 10,
            start_grant_minutes: 360,
            earn_per_minute: 2,
            cost_per_child_minute: 1,
            free_cancel_hours: 24,
            late_cancel_percent: 50,
            auto_settle_hours: 12,
            volunteer_no_show_penalty: 60,
            no_show_block_count: 2,
            no_show_window_days: 90,
            volunteer_reminder_hours: vec![24, 2],
            family_reminder_time: "20:00".into(),
            coordinator_digest_time: "18:00".into(),
            quiet_start: "22:00".into(),
            quiet_end: "07:00".into(),
            cover_batch: 5,
            coordinator_confirms_guardians: true,
        }
    }
}

/// Why a setting change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingError {
    /// Not a setting's shape (volunteer reminders: 1 to 4 distinct hours).
    Malformed,
    /// A value outside its setting's range.
    OutOfRange { key: SettingKey, min: i64, max: i64 },
}

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

    /// Refuses a value outside `range`.
    pub fn check(self, v: i64) -> Result<(), SettingError> {
        let (min, max) = self.range();
        if (min..=max).contains(&v) {
            Ok(())
        } else {
            Err(SettingError::OutOfRange { key: self, min, max })
        }
    }
}

/// "HH:MM" (or with a full-width colon, as Chinese keyboards type it) as a wall time.
pub fn read_hhmm(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(&s.trim().replace('：', ":"), "%H:%M").ok()
}

/// A wall time as "HH:MM", as shown and as kept in a policy.
pub fn write_hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

impl SettingChange {
    /// The change as the command that makes it (`/settings earn 2`): how the audit log
    /// shows it, the same words in every language, ready to type again.
    pub fn as_command(&self) -> String {
        use SettingChange::*;
        let args = match self {
            VolunteerHours(h) => format!("remind {}", h.iter().map(i64::to_string).collect::<Vec<_>>().join(",")),
            FamilyTime(t) => format!("family {}", write_hhmm(*t)),
            DigestTime(t) => format!("digest {}", write_hhmm(*t)),
            Quiet(a, b) if a == b => "quiet off".into(),
            Quiet(a, b) => format!("quiet {}-{}", write_hhmm(*a), write_hhmm(*b)),
            CoverBatch(n) => format!("cover {n}"),
            GuardianApproval(on) => format!("guardians {}", if *on { "on" } else { "off" }),
            Ages(a, b) => format!("ages {a}-{b}"),
            EarnRate(n) => format!("earn {n}"),
            CostRate(n) => format!("cost {n}"),
            StartGrant(n) => format!("grant {n}"),
            FreeCancelHours(n) => format!("freecancel {n}"),
            LateCancelPercent(n) => format!("late {n}"),
            NoShowPenalty(n) => format!("penalty {n}"),
            NoShowBlock(n, days) => format!("block {n} {days}"),
            AutoSettleHours(n) => format!("autosettle {n}"),
            Capacity(n) => format!("places {n}"),
            Staff(n) => format!("staff {n}"),
            Waitlist(n) => format!("waitlist {n}"),
        };
        format!("/settings {args}")
    }

    /// Whether the change moves reminder times (then planned reminders are re-planned).
    pub fn moves_reminders(&self) -> bool {
        matches!(
            self,
            SettingChange::VolunteerHours(_)
                | SettingChange::FamilyTime(_)
                | SettingChange::DigestTime(_)
                | SettingChange::Quiet(..)
                | SettingChange::CoverBatch(_)
        )
    }
}

impl Policy {
    /// Applies a setting change, each value within its range; changes nothing when one
    /// is out of range.
    pub fn apply(&mut self, change: &SettingChange) -> Result<(), SettingError> {
        use SettingKey as K;
        let p = self;
        match change {
            SettingChange::VolunteerHours(hours) => {
                let mut h = hours.clone();
                h.sort_unstable_by(|a, b| b.cmp(a));
                h.dedup();
                if h.is_empty() || h.len() > 4 {
                    return Err(SettingError::Malformed);
                }
                for x in &h {
                    K::Remind.check(*x)?;
                }
                p.volunteer_reminder_hours = h;
            }
            SettingChange::FamilyTime(t) => p.family_reminder_time = write_hhmm(*t),
            SettingChange::DigestTime(t) => p.coordinator_digest_time = write_hhmm(*t),
            SettingChange::Quiet(from, to) => {
                p.quiet_start = write_hhmm(*from);
                p.quiet_end = write_hhmm(*to);
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
                    let (min, max) = K::Ages.range();
                    return Err(SettingError::OutOfRange { key: K::Ages, min, max });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_setting_is_kept_within_its_range() {
        let mut p = Policy::default();
        assert_eq!(p.apply(&SettingChange::CoverBatch(50)), Ok(()));
        assert_eq!(p.cover_batch, 50);
        assert_eq!(
            p.apply(&SettingChange::CoverBatch(51)),
            Err(SettingError::OutOfRange { key: SettingKey::Cover, min: 1, max: 50 })
        );
        assert_eq!(p.cover_batch, 50, "a refused change changes nothing");
        assert_eq!(
            p.apply(&SettingChange::NoShowBlock(2, 0)),
            Err(SettingError::OutOfRange { key: SettingKey::BlockDays, min: 1, max: 365 })
        );
        assert_eq!((p.no_show_block_count, p.no_show_window_days), (2, 90));
        // Ages: each within 6..=36, and the range not empty.
        let ages = Err(SettingError::OutOfRange { key: SettingKey::Ages, min: 6, max: 36 });
        assert_eq!(p.apply(&SettingChange::Ages(24, 12)), ages);
        assert_eq!(p.apply(&SettingChange::Ages(3, 36)), ages);
        assert_eq!(p.apply(&SettingChange::Ages(12, 24)), Ok(()));
        assert_eq!((p.min_age_months, p.max_age_months), (12, 24));
    }

    #[test]
    fn volunteer_reminders_are_one_to_four_distinct_hours_latest_first() {
        let mut p = Policy::default();
        assert_eq!(p.apply(&SettingChange::VolunteerHours(vec![2, 48, 2])), Ok(()));
        assert_eq!(p.volunteer_reminder_hours, vec![48, 2]);
        assert_eq!(p.apply(&SettingChange::VolunteerHours(vec![])), Err(SettingError::Malformed));
        assert_eq!(p.apply(&SettingChange::VolunteerHours(vec![1, 2, 3, 4, 5])), Err(SettingError::Malformed));
        assert!(p.apply(&SettingChange::VolunteerHours(vec![169])).is_err());
        assert!(SettingChange::Quiet(NaiveTime::MIN, NaiveTime::MIN).moves_reminders());
        assert!(!SettingChange::Capacity(3).moves_reminders());
    }
}
