//! Per-centre settings. Every number DESIGN.md marks *default* lives here, with that default.

use serde::{Deserialize, Serialize};

use crate::domain::AgeGroup;

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

impl Policy {
    pub fn load_of(&self, group: AgeGroup) -> u32 {
        self.load_units[group.index()]
    }
    pub fn cap_of(&self, group: AgeGroup) -> u32 {
        self.class_caps[group.index()]
    }
}
