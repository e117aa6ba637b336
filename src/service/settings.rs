//! A centre's settings (every number DESIGN.md marks *default*), changed by its
//! coordinators, each within its range, in one transaction. A change of reminder times
//! re-plans the reminders of the centre's future shifts in that same transaction, so it
//! applies to what is already booked.

use super::jobs::{cancel_owner, plan_digest, replan_shift};
use super::records::*;
use super::{Caller, Outcome, Service, ServiceError};
use crate::domain::*;
use crate::policy::{Policy, SettingChange, SettingError};
use crate::store::{Key, T};

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
        Policy::default().apply(change)?;
        let today = self.today(home.tz());
        self.change(caller, |tx, now| {
            let coord = coordinator(tx, caller.user)?;
            let mut centre = centre(tx, coord.centre)?;
            // Future shifts: an index range of the centre's dates, read inside the change
            // (a shift created just before it is re-planned too).
            let ids = if change.moves_reminders() {
                let to = today.checked_add_days(chrono::Days::new(400)).unwrap_or(today);
                centre_shifts_between(tx, centre.id, today, to)?
            } else {
                vec![]
            };
            centre.policy.apply(change).map_err(ServiceError::from)?;
            tx.put(T::Centres, Key::new().u64(centre.id.0), &centre)?;
            let action = super::AuditAction::SettingChanged { change: change.clone() };
            super::audit::record(tx, centre.id, caller.user, now, action)?;
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

impl From<SettingError> for ServiceError {
    fn from(e: SettingError) -> Self {
        match e {
            SettingError::Malformed => ServiceError::BadSetting,
            SettingError::OutOfRange { key, min, max } => ServiceError::SettingRange { key, min, max },
        }
    }
}
