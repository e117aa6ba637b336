//! A centre's reminder settings, changed by its coordinators. A change re-plans the
//! reminders of the centre's future shifts, so it applies to what is already booked.

use chrono::{Duration, NaiveTime};
use serde::{Deserialize, Serialize};

use super::jobs::{cancel_owner, plan_digest, replan_shift};
use super::records::*;
use super::{Caller, Outcome, Res, Service, ServiceError};
use crate::domain::*;
use crate::policy::Policy;
use crate::store::{Key, T};

/// One setting to change.
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
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

impl SettingChange {
    fn apply(&self, p: &mut Policy) -> Result<(), ServiceError> {
        match self {
            SettingChange::VolunteerHours(hours) => {
                let mut h = hours.clone();
                h.sort_unstable_by(|a, b| b.cmp(a));
                h.dedup();
                if h.is_empty() || h.len() > 4 || h.iter().any(|x| !(1..=168).contains(x)) {
                    return Err(ServiceError::BadSetting);
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
                if !(1..=50).contains(n) {
                    return Err(ServiceError::BadSetting);
                }
                p.cover_batch = *n;
            }
            SettingChange::GuardianApproval(on) => p.coordinator_confirms_guardians = *on,
        }
        Ok(())
    }
}

impl Service {
    /// The coordinator's centre and its settings.
    pub fn settings(&self, user: UserId) -> Result<Centre, ServiceError> {
        Ok(self.my_coordinated_centre(user)?.1)
    }

    /// A coordinator changes a reminder setting. The centre's future shifts have their
    /// reminders planned anew (one transaction per shift, after the setting is stored).
    pub fn change_setting(&self, caller: &Caller, change: &SettingChange) -> Result<Outcome<Centre>, ServiceError> {
        let out = self.change(caller, |tx, _| {
            let coord = coordinator(tx, caller.user)?;
            let mut centre = centre(tx, coord.centre)?;
            change.apply(&mut centre.policy)?;
            tx.put(T::Centres, Key::new().u64(centre.id.0), &centre)?;
            Ok((centre, vec![]))
        })?;
        if out.replayed {
            return Ok(out);
        }
        let centre = &out.value;
        let today = self.today(centre.tz());
        // Future shifts: an index range of the centre's dates.
        let ids = self.shift_ids_between(centre.id, today, today + Duration::days(400))?;
        let mut days = vec![];
        for id in ids {
            self.store
                .write(|tx| -> Res<()> {
                    let now = self.now();
                    let centre = super::records::centre(tx, centre.id)?;
                    let shift = shift_in(tx, centre.id, id)?;
                    if shift.status != ShiftStatus::Open || shift.starts_at(centre.tz()) <= now {
                        return Ok(());
                    }
                    replan_shift(tx, &centre, &shift, now)
                })
                .map_err(ServiceError::from_write)?;
            if let Some(s) = self.shift(id)? {
                if !days.contains(&s.date) {
                    days.push(s.date);
                }
            }
        }
        // Digests not yet sent move to the new time.
        for date in days {
            self.store
                .write(|tx| -> Res<()> {
                    let centre = super::records::centre(tx, centre.id)?;
                    cancel_owner(tx, JobOwner::Digest(centre.id, date))?;
                    plan_digest(tx, &centre, date, self.now())
                })
                .map_err(ServiceError::from_write)?;
        }
        self.signals.jobs.notify_one();
        Ok(out)
    }
}
