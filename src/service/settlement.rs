//! After a shift: attendance, then settlement. Bookings' holds are captured (attended or
//! no-show) or released (never got off the waitlist); volunteers earn, or pay the no-show
//! penalty. A shift nobody settles settles itself `auto_settle_hours` after its end,
//! with every unmarked child and volunteer counted present.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::records::*;
use super::{Caller, Event, Notice, Outcome, Res, Service, ServiceError, ShiftBrief};
use crate::domain::*;
use crate::ledger;
use crate::store::{keys::u64_at, Key, Tx, T};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mark {
    Child(BookingId, bool),
    Volunteer(SignupId, bool),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettleReport {
    pub shift: Shift,
    pub attended: u32,
    pub child_no_shows: u32,
    pub served: u32,
    pub volunteer_no_shows: u32,
    /// Credits captured for care.
    pub captured: i64,
    /// Credits earned by volunteers.
    pub earned: i64,
}

fn settle(
    tx: &Tx,
    centre: &Centre,
    shift: &mut Shift,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> Res<(SettleReport, Vec<Notice>)> {
    let policy = &centre.policy;
    let brief = ShiftBrief::from(&*shift);
    let mut notes = vec![];
    let mut r = SettleReport {
        shift: shift.clone(),
        attended: 0,
        child_no_shows: 0,
        served: 0,
        volunteer_no_shows: 0,
        captured: 0,
        earned: 0,
    };
    for id in &shift.bookings {
        let mut b = booking(tx, *id)?;
        let mut fam = family(tx, b.family)?;
        match b.status {
            BookingStatus::Confirmed => {
                let amount = b.held;
                capture_hold(tx, &mut b, &mut fam, amount, by, now, "care")?;
                r.captured += amount;
                if b.marked_present == Some(false) {
                    b.status = BookingStatus::NoShow;
                    r.child_no_shows += 1;
                    let child = child_in(tx, centre.id, b.child)?;
                    tell_family(
                        &mut notes,
                        &fam,
                        Event::ChildNoShow { shift: brief.clone(), child: child.name, charged: amount },
                    );
                } else {
                    b.status = BookingStatus::Attended;
                    r.attended += 1;
                }
            }
            BookingStatus::Waitlisted => {
                release_hold(tx, &mut b, &mut fam, by, now, "waitlist not reached")?;
                b.status = BookingStatus::Cancelled;
            }
            _ => continue,
        }
        put_booking(tx, &b)?;
        put_family(tx, &fam)?;
    }
    for id in &shift.signups {
        let mut s = signup(tx, *id)?;
        if !s.is_on_duty() {
            continue;
        }
        if s.marked_present == Some(false) {
            s.status = SignupStatus::NoShow;
            r.volunteer_no_shows += 1;
            let mut m = member(tx, s.user)?;
            // Dated at the shift, not at its settlement: the window counts shifts missed.
            m.no_shows.push(shift.starts_at(centre.tz()));
            let mut penalty = 0;
            if let Some(fid) = s.family {
                let fam = family(tx, fid)?;
                let bal = balance(tx, AccountId::Family(fid))?;
                penalty = ledger::payable_penalty(bal, fam.overdraft_limit, policy.volunteer_no_show_penalty);
                if penalty > 0 {
                    post(
                        tx,
                        EntryKind::Penalty,
                        AccountId::Family(fid),
                        AccountId::Pool(centre.id),
                        penalty,
                        Some(shift.id),
                        None,
                        by,
                        now,
                        "volunteer no-show",
                    )?;
                }
            }
            let blocked = crate::rota::is_blocked(&m, policy);
            put_member(tx, &m)?;
            notes.push(Notice { to: s.user, event: Event::VolunteerNoShow { shift: brief.clone(), penalty, blocked } });
        } else {
            s.status = SignupStatus::Served;
            r.served += 1;
            // A member suspended since signing up earns nothing.
            let active = member(tx, s.user)?.is_active();
            if let Some(fid) = s.family.filter(|_| active) {
                let amount = ledger::volunteer_earning(shift.minutes(), policy).map_err(ServiceError::from)?;
                if amount > 0 {
                    post(
                        tx,
                        EntryKind::Earn,
                        AccountId::Pool(centre.id),
                        AccountId::Family(fid),
                        amount,
                        Some(shift.id),
                        None,
                        by,
                        now,
                        "volunteered",
                    )?;
                    r.earned += amount;
                    notes.push(Notice { to: s.user, event: Event::Earned { shift: brief.clone(), amount } });
                }
            }
        }
        put_signup(tx, &s)?;
    }
    shift.status = ShiftStatus::Settled;
    // Whatever reminders or asks were still pending have nothing left to say.
    super::jobs::cancel_shift_jobs(tx, shift)?;
    shift.understaffed = false;
    put_shift(tx, shift)?;
    tx.del(T::Unsettled, Key::new().date(shift.date).u64(shift.id.0))?;
    r.shift = shift.clone();
    Ok((r, notes))
}

impl Service {
    /// Staff or a coordinator marks children and volunteers present or absent.
    pub fn record_attendance(
        &self,
        caller: &Caller,
        shift_id: ShiftId,
        marks: &[Mark],
    ) -> Result<Outcome<Shift>, ServiceError> {
        self.change(caller, |tx, now| {
            let m = staff(tx, caller.user)?;
            let centre = centre(tx, m.centre)?;
            let mut shift = shift_in(tx, centre.id, shift_id)?;
            ensure_open(&shift)?;
            for mark in marks {
                match *mark {
                    Mark::Child(id, present) => {
                        let mut b = booking_in(tx, centre.id, id)?;
                        if b.shift != shift.id {
                            return Err(ServiceError::UnknownBooking.into());
                        }
                        if b.status != BookingStatus::Confirmed {
                            return Err(ServiceError::BookingNotLive.into());
                        }
                        b.marked_present = Some(present);
                        put_booking(tx, &b)?;
                    }
                    Mark::Volunteer(id, present) => {
                        let mut s = signup_in(tx, centre.id, id)?;
                        if s.shift != shift.id {
                            return Err(ServiceError::UnknownSignup.into());
                        }
                        if !s.is_on_duty() {
                            return Err(ServiceError::SignupNotLive.into());
                        }
                        s.marked_present = Some(present);
                        put_signup(tx, &s)?;
                    }
                }
            }
            // Nobody is absent from a shift that has not begun (an absence is charged).
            // Checked after the marks, so a wrong id is named as such.
            if shift.starts_at(centre.tz()) > now {
                return Err(ServiceError::ShiftNotStarted.into());
            }
            shift.attendance_taken = true;
            put_shift(tx, &shift)?;
            let present = marks.iter().filter(|m| matches!(m, Mark::Child(_, true) | Mark::Volunteer(_, true))).count();
            let action = super::AuditAction::AttendanceRecorded {
                shift: shift.id,
                present: present as u32,
                absent: (marks.len() - present) as u32,
            };
            super::audit::record(tx, centre.id, caller.user, now, action)?;
            Ok((shift, vec![]))
        })
    }

    /// Staff or a coordinator settles a shift that has ended.
    pub fn settle_shift(&self, caller: &Caller, shift_id: ShiftId) -> Result<Outcome<SettleReport>, ServiceError> {
        self.change(caller, |tx, now| {
            let m = staff(tx, caller.user)?;
            let centre = centre(tx, m.centre)?;
            let mut shift = shift_in(tx, centre.id, shift_id)?;
            ensure_open(&shift)?;
            if shift.ends_at(centre.tz()) > now {
                return Err(ServiceError::ShiftNotOver.into());
            }
            super::audit::record(
                tx,
                centre.id,
                caller.user,
                now,
                super::AuditAction::ShiftSettled { shift: shift.id },
            )?;
            settle(tx, &centre, &mut shift, Some(caller.user), now)
        })
    }

    /// Settles every open shift whose end is `auto_settle_hours` or more in the past,
    /// each in its own transaction. A shift that fails is logged and skipped (it is tried
    /// again after a back-off), so it never holds back the others.
    pub fn settle_due(&self) -> Result<Vec<Outcome<SettleReport>>, ServiceError> {
        let mut out = vec![];
        for r in self.settle_due_each()? {
            match r {
                AutoSettle::Settled(o) => out.push(o),
                AutoSettle::Failed { shift, error, retry_at } => {
                    log::error!("automatic settlement of shift {shift} failed: {error}; trying again at {retry_at}")
                }
            }
        }
        Ok(out)
    }

    /// `settle_due`, shift by shift: what was settled and what failed.
    /// Walks the `Unsettled` index in date order and stops at tomorrow: O(due).
    pub fn settle_due_each(&self) -> Result<Vec<AutoSettle>, ServiceError> {
        let now = self.now();
        // Local dates run at most 14 hours ahead of UTC.
        let horizon = (now + Duration::hours(14)).date_naive();
        let mut candidates = vec![];
        for k in self.store.index_keys(T::Unsettled, &[], &[]) {
            let k = k?;
            if k.get(0..4) > Key::new().date(horizon).bytes().get(0..4) {
                break;
            }
            if let Some(id) = u64_at(&k, 4) {
                candidates.push((ShiftId(id), k.to_vec()));
            }
        }
        let mut out = vec![];
        for (id, index_key) in candidates {
            let retry = self.settle_retry(id)?;
            if retry.as_ref().is_some_and(|r| r.retry_at > now) {
                continue;
            }
            let settled = self.change(&Caller::new(UserId(0)), |tx, now| {
                let Some(mut shift) = tx.get::<Shift>(T::Shifts, Key::new().u64(id.0))? else {
                    // Nothing left to settle: the index entry goes.
                    tx.del(T::Unsettled, &index_key)?;
                    return Ok((None, vec![]));
                };
                if shift.status != ShiftStatus::Open {
                    tx.del(T::Unsettled, &index_key)?;
                    tx.del(T::Meta, retry_key(id))?;
                    return Ok((None, vec![]));
                }
                let centre = centre(tx, shift.centre)?;
                let due = shift.ends_at(centre.tz()) + Duration::hours(centre.policy.auto_settle_hours);
                if due > now {
                    return Ok((None, vec![]));
                }
                let (r, notes) = settle(tx, &centre, &mut shift, None, now)?;
                tx.del(T::Meta, retry_key(id))?;
                Ok((Some(r), notes))
            });
            match settled {
                Ok(Outcome { value: Some(report), notices, replayed }) => {
                    out.push(AutoSettle::Settled(Outcome { value: report, notices, replayed }))
                }
                Ok(_) => {}
                Err(error) => {
                    let attempts = retry.map_or(0, |r| r.attempts) + 1;
                    let retry_at = now + settle_backoff(attempts);
                    let record = SettleRetry { attempts, retry_at, error: error.to_string() };
                    if let Err(e) = self.store.write(|tx| -> Res<()> { Ok(tx.put(T::Meta, retry_key(id), &record)?) }) {
                        log::error!("recording the failed settlement of shift {id}: {:?}", ServiceError::from_write(e));
                    }
                    out.push(AutoSettle::Failed { shift: id, error, retry_at });
                }
            }
        }
        Ok(out)
    }

    fn settle_retry(&self, id: ShiftId) -> Result<Option<SettleRetry>, ServiceError> {
        Ok(self.store.get(T::Meta, retry_key(id))?)
    }

    /// The earliest time an open shift becomes due for automatic settlement (or for
    /// another try after a failure), for the settlement loop to sleep until. Shifts of a
    /// day are not in end-time order and centres differ in timezone and delay, so it
    /// takes the least over the index, stopping where no later date can be earlier.
    pub fn next_settlement_due(&self) -> Result<Option<DateTime<Utc>>, ServiceError> {
        let mut best: Option<DateTime<Utc>> = None;
        for k in self.store.index_keys(T::Unsettled, &[], &[]) {
            let k = k?;
            let Some(date) = date_of_key(&k) else { continue };
            // The earliest a shift of that local date can end: its midnight at UTC+14.
            let floor = date.and_time(chrono::NaiveTime::MIN).and_utc() - Duration::hours(14);
            if best.is_some_and(|b| floor >= b) {
                break;
            }
            let Some(id) = u64_at(&k, 4).map(ShiftId) else { continue };
            let Some(shift) = self.shift(id)? else { continue };
            if shift.status != ShiftStatus::Open {
                continue;
            }
            let Some(c) = self.centre(shift.centre)? else { continue };
            let mut due = shift.ends_at(c.tz()) + Duration::hours(c.policy.auto_settle_hours.max(0));
            if let Some(r) = self.settle_retry(id)? {
                due = due.max(r.retry_at);
            }
            if best.is_none_or(|b| due < b) {
                best = Some(due);
            }
        }
        Ok(best)
    }
}

/// One shift's automatic settlement.
#[derive(Debug, Clone, PartialEq)]
pub enum AutoSettle {
    Settled(Outcome<SettleReport>),
    /// Logged and skipped; tried again at `retry_at`.
    Failed {
        shift: ShiftId,
        error: ServiceError,
        retry_at: DateTime<Utc>,
    },
}

/// A shift whose automatic settlement failed: when to try again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SettleRetry {
    attempts: u32,
    retry_at: DateTime<Utc>,
    error: String,
}

fn retry_key(id: ShiftId) -> Key {
    Key::new().str("settleretry/").u64(id.0)
}

/// 5 minutes after the first failure, doubling, at most 6 hours.
fn settle_backoff(attempts: u32) -> Duration {
    let minutes = 5i64 << attempts.saturating_sub(1).min(10);
    Duration::minutes(minutes.min(6 * 60))
}

/// The local date at the start of an `Unsettled` key (as `Key::date` wrote it).
fn date_of_key(k: &[u8]) -> Option<chrono::NaiveDate> {
    let raw = u32::from_be_bytes(k.get(0..4)?.try_into().ok()?);
    chrono::NaiveDate::from_num_days_from_ce_opt((raw ^ (1 << 31)) as i32)
}
