//! Booking care and volunteering: the instant-booking rule, holds, cancellations with
//! their charges, sign-ups with overlap and no-show checks, drops and swaps.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::capacity::{cover_needed, shift_state};
use super::jobs::{cancel_owner, note_declined, plan_booking, plan_signup, rebalance_and_review, review_cover};
use super::records::*;
use super::{Caller, Event, Notice, Outcome, Res, Service, ServiceError, ShiftBrief};
use crate::domain::*;
use crate::ledger;
use crate::reminders::Overdue;
use crate::rota;
use crate::store::{Key, Tx, T};

/// What booking a child would cost, shown before the parent confirms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    pub shift: Shift,
    pub child: Child,
    pub group: AgeGroup,
    pub cost: i64,
    pub available: i64,
    pub available_after: i64,
    /// Whether the child would be confirmed now (otherwise waitlisted).
    pub would_confirm: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookResult {
    pub booking: Booking,
    pub shift: Shift,
    pub child_name: String,
    pub cost: i64,
    pub available_after: i64,
    /// Place in the waitlist (1-based) when waitlisted.
    pub waitlist_position: Option<u32>,
    /// Volunteers that would let the waitlist in.
    pub volunteers_needed: u32,
}

/// Whether `child` may be booked onto `shift` now, and how: its age group, cost, and
/// whether it would be confirmed.
fn assess(tx: &Tx, centre: &Centre, shift: &Shift, child: &Child) -> Res<(AgeGroup, i64, bool, u32, usize)> {
    let policy = &centre.policy;
    let group = age_group(child.birth_date, shift.date, policy.min_age_months, policy.max_age_months)
        .map_err(ServiceError::ChildAge)?;
    let cost = ledger::care_cost(shift.minutes(), policy).map_err(ServiceError::from)?;
    for id in day_list(tx, T::ChildDay, Key::new().u64(child.id.0), shift.date)? {
        let other = booking(tx, BookingId(id))?;
        if other.shift == shift.id {
            return Err(ServiceError::AlreadyBooked.into());
        }
        let other_shift = shift_in(tx, centre.id, other.shift)?;
        if other_shift.overlaps(shift) {
            return Err(ServiceError::ChildBusy.into());
        }
    }
    let st = shift_state(tx, shift)?;
    let caregivers = st.caregivers(shift);
    let fits =
        st.waitlist.is_empty() && rota::can_add(&st.occupancy(), group, caregivers, shift.capacity, policy).is_ok();
    let mut waiting: Vec<AgeGroup> = st.waitlist.iter().map(|b| b.group).collect();
    if !fits {
        waiting.push(group);
    }
    let occ = if fits { st.occupancy().with(group) } else { st.occupancy() };
    let needed = rota::volunteers_needed(&occ, &waiting, caregivers, shift.capacity, policy);
    Ok((group, cost, fits, needed, st.waitlist.len()))
}

/// Books `child` onto `shift` with its cost held, as `status`: the steps every booking
/// takes (the record, the hold, the shift's list, the indexes, the reminders), shared by
/// `book` and the allocation round's commit. The caller has checked that it may.
#[allow(clippy::too_many_arguments)]
pub(super) fn place_booking(
    tx: &Tx,
    centre: &Centre,
    shift: &mut Shift,
    fam: &mut Family,
    child: &Child,
    (group, cost, status): (AgeGroup, i64, BookingStatus),
    by: UserId,
    now: DateTime<Utc>,
) -> Res<Booking> {
    let id = BookingId(tx.next_id("booking")?);
    let mut b = Booking {
        id,
        centre: centre.id,
        shift: shift.id,
        child: child.id,
        family: fam.id,
        group,
        booked_by: by,
        status,
        created_at: now,
        held: 0,
        charged: 0,
        marked_present: None,
    };
    hold(tx, &mut b, fam, cost, Some(by), now, &child.name)?;
    put_booking(tx, &b)?;
    put_family(tx, fam)?;
    shift.bookings.push(id);
    put_shift(tx, shift)?;
    tx.mark(T::BookingsByFamily, Key::new().u64(fam.id.0).date(shift.date).u64(id.0))?;
    let mut day = day_list(tx, T::ChildDay, Key::new().u64(child.id.0), shift.date)?;
    day.push(id.0);
    set_day_list(tx, T::ChildDay, Key::new().u64(child.id.0), shift.date, &day)?;
    plan_booking(tx, centre, shift, id, now, Overdue::Skip)?;
    Ok(b)
}

/// First-come booking waits while an allocation round takes wishes for the shift's week.
fn refuse_during_round(tx: &Tx, centre: &Centre, shift: &Shift) -> Res<()> {
    match round_of_week(tx, centre.id, shift.date)? {
        Some(r) if r.status == RoundStatus::Open => {
            Err(ServiceError::RoundOpen { deadline: r.deadline.with_timezone(&centre.tz()).naive_local() }.into())
        }
        _ => Ok(()),
    }
}

fn available(tx: &Tx, fam: &Family) -> Res<i64> {
    balance(tx, AccountId::Family(fam.id))
}

impl Service {
    /// What booking would cost and whether it would be confirmed. Changes nothing.
    pub fn quote(&self, user: UserId, shift_id: ShiftId, child_id: ChildId) -> Result<Quote, ServiceError> {
        let now = self.now();
        self.store
            .read(|tx| -> Res<Quote> {
                let m = active_member(tx, user)?;
                let fam = family_of(tx, &m)?;
                let centre = centre(tx, m.centre)?;
                let shift = open_future_shift(tx, &centre, shift_id, now)?;
                let child = child_in(tx, centre.id, child_id)?;
                if child.family != fam.id {
                    return Err(ServiceError::UnknownChild.into());
                }
                let (group, cost, fits, _, _) = assess(tx, &centre, &shift, &child)?;
                let avail = available(tx, &fam)?;
                Ok(Quote {
                    shift,
                    child,
                    group,
                    cost,
                    available: avail,
                    available_after: avail - cost,
                    would_confirm: fits,
                })
            })
            .map_err(ServiceError::from_write)
    }

    /// A live booking the caller may cancel (a guardian of its family, or a coordinator),
    /// for the confirm prompt; anything else answers like an unknown booking.
    pub fn cancellable_booking(&self, user: UserId, id: BookingId) -> Result<Booking, ServiceError> {
        let (m, centre) = self.my_centre(user)?;
        let b = self.booking(id)?.filter(|b| b.centre == centre.id).ok_or(ServiceError::UnknownBooking)?;
        if m.family != Some(b.family) && !m.is_coordinator() {
            return Err(ServiceError::UnknownBooking);
        }
        if !b.is_live() {
            return Err(ServiceError::BookingNotLive);
        }
        Ok(b)
    }

    /// What volunteering at a shift would earn, shown before the member confirms.
    /// Changes nothing.
    /// A member without a family (a coordinator appointed by id, say) volunteers without
    /// credits: credits belong to a family's account, and staff are not paid in credits.
    /// Then the earning is `None`.
    pub fn volunteer_quote(&self, user: UserId, shift_id: ShiftId) -> Result<(Shift, Option<i64>), ServiceError> {
        let now = self.now();
        self.store
            .read(|tx| -> Res<(Shift, Option<i64>)> {
                let m = active_member(tx, user)?;
                let centre = centre(tx, m.centre)?;
                let shift = open_future_shift(tx, &centre, shift_id, now)?;
                let earn = ledger::volunteer_earning(shift.minutes(), &centre.policy).map_err(ServiceError::from)?;
                Ok((shift, m.family.map(|_| earn)))
            })
            .map_err(ServiceError::from_write)
    }

    /// Books care for a child: confirmed at once if the shift can hold it with the
    /// caregivers already signed up, otherwise waitlisted. Either way its cost is held.
    pub fn book(
        &self,
        caller: &Caller,
        shift_id: ShiftId,
        child_id: ChildId,
    ) -> Result<Outcome<BookResult>, ServiceError> {
        self.change(caller, |tx, now| {
            let m = active_member(tx, caller.user)?;
            let mut fam = family_of(tx, &m)?;
            let centre = centre(tx, m.centre)?;
            let mut shift = open_future_shift(tx, &centre, shift_id, now)?;
            let child = child_in(tx, centre.id, child_id)?;
            if child.family != fam.id {
                return Err(ServiceError::UnknownChild.into());
            }
            refuse_during_round(tx, &centre, &shift)?;
            let (group, cost, fits, needed, waiting) = assess(tx, &centre, &shift, &child)?;
            if !fits && waiting as u32 >= centre.policy.max_waitlist {
                return Err(ServiceError::WaitlistFull.into());
            }
            let bal = available(tx, &fam)?;
            ledger::check_spend(bal, fam.overdraft_limit, cost).map_err(ServiceError::from)?;
            let status = if fits { BookingStatus::Confirmed } else { BookingStatus::Waitlisted };
            let b = place_booking(tx, &centre, &mut shift, &mut fam, &child, (group, cost, status), caller.user, now)?;
            if !fits {
                // A waitlist that one more volunteer would let in: ask for help.
                review_cover(tx, &centre, &shift, now)?;
            }
            let result = BookResult {
                booking: b,
                shift,
                child_name: child.name,
                cost,
                available_after: bal - cost,
                waitlist_position: (!fits).then_some(waiting as u32 + 1),
                volunteers_needed: needed,
            };
            Ok((result, vec![]))
        })
    }

    /// Cancels a booking (a guardian of its family, or a coordinator). Waitlisted: released
    /// in full. Confirmed: free until `free_cancel_hours` before the start, then part is
    /// charged. The freed place goes to the waitlist in order.
    pub fn cancel_booking(&self, caller: &Caller, booking_id: BookingId) -> Result<Outcome<Booking>, ServiceError> {
        self.change(caller, |tx, now| {
            let m = active_member(tx, caller.user)?;
            let centre = centre(tx, m.centre)?;
            let mut b = booking_in(tx, centre.id, booking_id)?;
            if m.family != Some(b.family) && !m.is_coordinator() {
                return Err(ServiceError::UnknownBooking.into());
            }
            if !b.is_live() {
                return Err(ServiceError::BookingNotLive.into());
            }
            let mut shift = shift_in(tx, centre.id, b.shift)?;
            if shift.status != ShiftStatus::Open {
                return Err(ServiceError::BookingNotLive.into());
            }
            // Once the shift has begun, not coming is a no-show for the staff to mark.
            if shift.starts_at(centre.tz()) <= now {
                return Err(ServiceError::ShiftStarted.into());
            }
            let mut fam = family(tx, b.family)?;
            // A coordinator's cancellation is the centre's decision: the family pays nothing.
            // (A coordinator cancelling their own family's booking pays like any parent.)
            let by_family = m.family == Some(b.family);
            let charge = if by_family && b.status == BookingStatus::Confirmed {
                ledger::cancellation_charge(b.held, shift.starts_at(centre.tz()), now, &centre.policy)
            } else {
                0
            };
            take_booking_off(tx, &mut shift, &mut b, &mut fam, charge, caller.user, now, "cancelled")?;
            if !by_family {
                let action = super::AuditAction::BookingCancelled { booking: b.id, family: b.family };
                super::audit::record(tx, centre.id, caller.user, now, action)?;
            }
            let mut notes = vec![];
            rebalance_and_review(tx, &centre, &mut shift, now, &mut notes)?;
            Ok((b, notes))
        })
    }

    /// Signs the caller up to volunteer. Capacity grows, so the waitlist moves up.
    pub fn volunteer(&self, caller: &Caller, shift_id: ShiftId) -> Result<Outcome<Signup>, ServiceError> {
        self.sign_up(caller, shift_id, false)
    }

    /// "Take this shift" from an ask for cover: a sign-up that only succeeds while the
    /// shift still lacks a volunteer, so of two members pressing at once for the last
    /// gap, exactly one gets it and the other is told it is taken.
    pub fn take_cover(&self, caller: &Caller, shift_id: ShiftId) -> Result<Outcome<Signup>, ServiceError> {
        self.sign_up(caller, shift_id, true)
    }

    fn sign_up(&self, caller: &Caller, shift_id: ShiftId, cover: bool) -> Result<Outcome<Signup>, ServiceError> {
        self.change(caller, |tx, now| {
            let mut m = active_member(tx, caller.user)?;
            let centre = centre(tx, m.centre)?;
            let mut shift = open_future_shift(tx, &centre, shift_id, now)?;
            if cover && cover_needed(tx, &centre, &shift)? == 0 {
                // Already signed up counts as taken by you, not by someone else.
                check_volunteer_free(tx, &centre, &shift, caller.user)?;
                // "Taken" only if someone took it with this button and is still on duty;
                // otherwise the gap closed another way (a booking cancelled, a volunteer
                // signed up, a shift that never lacked anyone).
                let call: CoverCall = tx.get(T::CoverCalls, Key::new().u64(shift.id.0))?.unwrap_or_default();
                let taken = shift_state(tx, &shift)?.on_duty.iter().any(|s| call.taken_by.contains(&s.user));
                let e = if taken { ServiceError::CoverTaken } else { ServiceError::CoverNotNeeded };
                return Err(e.into());
            }
            if rota::is_blocked(&m, &centre.policy) {
                return Err(ServiceError::SignupBlocked.into());
            }
            check_volunteer_free(tx, &centre, &shift, caller.user)?;
            let s = new_signup(tx, &centre, &mut shift, &m, now)?;
            plan_signup(tx, &centre, &shift, s.id, now, Overdue::Skip)?;
            m.last_volunteered = Some(shift.date);
            put_member(tx, &m)?;
            if cover {
                let key = Key::new().u64(shift.id.0);
                let mut call: CoverCall = tx.get(T::CoverCalls, &key)?.unwrap_or_default();
                call.taken_by.push(caller.user);
                tx.put(T::CoverCalls, &key, &call)?;
            }
            let mut notes = vec![];
            rebalance_and_review(tx, &centre, &mut shift, now, &mut notes)?;
            Ok((s, notes))
        })
    }

    /// Withdraws a signup (the volunteer, or a coordinator). If confirmed children no
    /// longer fit, the shift is flagged understaffed and coordinators are told; no child
    /// is dropped.
    pub fn drop_signup(&self, caller: &Caller, signup_id: SignupId) -> Result<Outcome<Signup>, ServiceError> {
        self.withdraw(caller, signup_id, false)
    }

    /// "I can't make it" from a volunteer's own reminder: like `drop_signup`, but only
    /// ever the caller's own signup (a coordinator's press on another's is refused).
    pub fn cant_come(&self, caller: &Caller, signup_id: SignupId) -> Result<Outcome<Signup>, ServiceError> {
        self.withdraw(caller, signup_id, true)
    }

    fn withdraw(&self, caller: &Caller, signup_id: SignupId, own_only: bool) -> Result<Outcome<Signup>, ServiceError> {
        self.change(caller, |tx, now| {
            let (_, centre, mut s, mut shift) = live_signup(tx, caller.user, signup_id, !own_only, now)?;
            take_signup_off(tx, &mut shift, &mut s, true)?;
            if s.user != caller.user {
                let action = super::AuditAction::SignupDropped { signup: s.id, user: s.user };
                super::audit::record(tx, centre.id, caller.user, now, action)?;
            }
            let mut notes = vec![];
            rebalance_and_review(tx, &centre, &mut shift, now, &mut notes)?;
            Ok((s, notes))
        })
    }

    /// "I'll be there": the volunteer confirms a signup from the reminder. Confirming
    /// again changes nothing.
    pub fn confirm_signup(&self, caller: &Caller, signup_id: SignupId) -> Result<Outcome<Signup>, ServiceError> {
        self.change(caller, |tx, now| {
            let (_, _, mut s, _) = live_signup(tx, caller.user, signup_id, false, now)?;
            if s.status != SignupStatus::Confirmed {
                s.status = SignupStatus::Confirmed;
                put_signup(tx, &s)?;
            }
            Ok((s, vec![]))
        })
    }

    /// A volunteer offers their signup for someone else to take (`/swap vN`).
    pub fn offer_swap(&self, caller: &Caller, signup_id: SignupId) -> Result<Outcome<Signup>, ServiceError> {
        self.change(caller, |tx, now| offer(tx, caller.user, signup_id, now))
    }

    /// `/swap SHIFT`: offers the caller's own signup on that shift.
    pub fn offer_swap_on_shift(&self, caller: &Caller, shift_id: ShiftId) -> Result<Outcome<Signup>, ServiceError> {
        self.change(caller, |tx, now| {
            let m = active_member(tx, caller.user)?;
            let centre = centre(tx, m.centre)?;
            let shift = shift_in(tx, centre.id, shift_id)?;
            for id in day_list(tx, T::VolunteerDay, Key::new().i64(caller.user.0), shift.date)? {
                let s = signup(tx, SignupId(id))?;
                if s.shift == shift.id && s.is_on_duty() {
                    return offer(tx, caller.user, s.id, now);
                }
            }
            Err(ServiceError::UnknownSignup.into())
        })
    }

    /// Another member takes over a signup offered for swap; it changes hands only now.
    pub fn take_swap(&self, caller: &Caller, signup_id: SignupId) -> Result<Outcome<Signup>, ServiceError> {
        self.change(caller, |tx, now| {
            let mut m = active_member(tx, caller.user)?;
            let centre = centre(tx, m.centre)?;
            let mut old = signup_in(tx, centre.id, signup_id)?;
            if !old.is_on_duty() || !old.offered_for_swap {
                return Err(ServiceError::NotOffered.into());
            }
            if old.user == caller.user {
                return Err(ServiceError::AlreadySignedUp.into());
            }
            let mut shift = open_future_shift(tx, &centre, old.shift, now)?;
            if rota::is_blocked(&m, &centre.policy) {
                return Err(ServiceError::SignupBlocked.into());
            }
            check_volunteer_free(tx, &centre, &shift, caller.user)?;
            // Not rebalanced in between: the new volunteer takes the place at once.
            take_signup_off(tx, &mut shift, &mut old, false)?;
            let s = new_signup(tx, &centre, &mut shift, &m, now)?;
            plan_signup(tx, &centre, &shift, s.id, now, Overdue::Skip)?;
            m.last_volunteered = Some(shift.date);
            put_member(tx, &m)?;
            let mut notes = vec![Notice {
                to: old.user,
                event: Event::SwapTaken { shift: ShiftBrief::from(&shift), by: m.name.clone(), signup: old.id },
            }];
            rebalance_and_review(tx, &centre, &mut shift, now, &mut notes)?;
            Ok((s, notes))
        })
    }

    // ----- queries -----

    /// The family's bookings from `from` on (upcoming ones with `from` = today).
    pub fn my_bookings(&self, user: UserId, from: NaiveDate) -> Result<Vec<(Booking, Shift)>, ServiceError> {
        let (m, _) = self.my_centre(user)?;
        let fam = m.family.ok_or(ServiceError::NoFamily)?;
        let mut out = vec![];
        for id in self.booking_ids_from(fam, from)? {
            if let Some(b) = self.booking(id)? {
                if let Some(s) = self.shift(b.shift)? {
                    out.push((b, s));
                }
            }
        }
        out.sort_by_key(|(b, s)| (s.date, s.start, b.id));
        Ok(out)
    }

    /// The caller's signups from `from` on.
    pub fn my_signups(&self, user: UserId, from: NaiveDate) -> Result<Vec<(Signup, Shift)>, ServiceError> {
        let (_, _) = self.my_centre(user)?;
        let mut out = vec![];
        for id in self.signup_ids_from(user, from)? {
            if let Some(s) = self.signup(id)? {
                if let Some(sh) = self.shift(s.shift)? {
                    out.push((s, sh));
                }
            }
        }
        out.sort_by_key(|(s, sh)| (sh.date, sh.start, s.id));
        Ok(out)
    }

    /// Open shifts near `shift` (within a week either side, not started) where `child`
    /// would be confirmed now (what `quote` would confirm): what to offer when a shift
    /// is full. The nearest first (days apart, then start time), at most `limit`.
    ///
    /// One read: the caller, family, centre and child are looked up once, not per shift;
    /// a shift whose live bookings already fill its room is passed over on its own
    /// record (an open shift lists only its live bookings, confirmed or waitlisted, so
    /// either someone waits or the room is full: nobody more is confirmed); the others
    /// are weighed nearest first, and the search stops at `limit`.
    pub fn alternatives(
        &self,
        user: UserId,
        shift_id: ShiftId,
        child_id: ChildId,
        limit: usize,
    ) -> Result<Vec<Shift>, ServiceError> {
        let now = self.now();
        let (_, home) = self.my_centre(user)?;
        let shift = self.shift(shift_id)?.filter(|s| s.centre == home.id).ok_or(ServiceError::UnknownShift)?;
        let today = self.today(home.tz());
        let week = chrono::Days::new(7);
        let from = shift.date.checked_sub_days(week).unwrap_or(shift.date).max(today);
        let to = shift.date.checked_add_days(week).unwrap_or(shift.date);
        let mut ids = self.dated_shift_ids_between(home.id, from, to)?;
        ids.retain(|(_, id)| *id != shift_id);
        // Nearest days first; a day's distance is known from the index, so shifts are
        // read a distance at a time and no further than needed (stable: the index's
        // order within a distance).
        let distance = |date: NaiveDate| (date - shift.date).num_days().abs();
        ids.sort_by_key(|(date, _)| distance(*date));
        self.store
            .read(|tx| -> Res<Vec<Shift>> {
                let m = active_member(tx, user)?;
                let fam = family_of(tx, &m)?;
                let centre = centre(tx, m.centre)?;
                let child = child_in(tx, centre.id, child_id)?;
                if child.family != fam.id {
                    return Ok(vec![]);
                }
                let mut found = vec![];
                for same_distance in ids.chunk_by(|a, b| distance(a.0) == distance(b.0)) {
                    if found.len() >= limit {
                        break;
                    }
                    let mut near: Vec<Shift> = same_distance
                        .iter()
                        .filter_map(|(_, id)| open_future_shift(tx, &centre, *id, now).ok())
                        .filter(|s| (s.bookings.len() as u64) < u64::from(s.capacity))
                        .collect();
                    // As near: the earlier in the day first.
                    near.sort_by_key(|s| s.start);
                    for s in near {
                        if found.len() >= limit {
                            break;
                        }
                        if let Ok((_, _, true, _, _)) = assess(tx, &centre, &s, &child) {
                            found.push(s);
                        }
                    }
                }
                Ok(found)
            })
            .map_err(ServiceError::from_write)
    }

    /// Signups offered for swap in the caller's centre over the next `days` days.
    pub fn swaps_offered(&self, user: UserId, days: u32) -> Result<Vec<(Signup, Shift, String)>, ServiceError> {
        let (_, centre) = self.my_centre(user)?;
        let today = self.today(centre.tz());
        let mut out = vec![];
        let to = today.checked_add_days(chrono::Days::new(days as u64)).unwrap_or(today);
        for id in self.shift_ids_between(centre.id, today, to)? {
            let Some(shift) = self.shift(id)? else {
                continue;
            };
            if shift.status != ShiftStatus::Open {
                continue;
            }
            for sid in &shift.signups {
                if let Some(s) = self.signup(*sid)? {
                    if s.offered_for_swap && s.is_on_duty() {
                        let name = self.member(s.user)?.map(|m| m.name).unwrap_or_default();
                        out.push((s, shift.clone(), name));
                    }
                }
            }
        }
        Ok(out)
    }
}

/// A live signup on a shift that can still change, that `user` may act on: their own, or
/// (`coordinators_too`) any of their centre when they coordinate it.
fn live_signup(
    tx: &Tx,
    user: UserId,
    id: SignupId,
    coordinators_too: bool,
    now: DateTime<Utc>,
) -> Res<(Member, Centre, Signup, Shift)> {
    let m = active_member(tx, user)?;
    let centre = centre(tx, m.centre)?;
    let s = signup_in(tx, centre.id, id)?;
    if s.user != user && !(coordinators_too && m.is_coordinator()) {
        return Err(ServiceError::UnknownSignup.into());
    }
    if !s.is_on_duty() {
        return Err(ServiceError::SignupNotLive.into());
    }
    let shift = open_future_shift(tx, &centre, s.shift, now)?;
    Ok((m, centre, s, shift))
}

/// Cancels a live booking and takes it off its shift: `charge` of its hold captured for
/// the centre, the rest released (returned); off the child's day list, its reminder gone;
/// the booking and family stored. (Cancelled bookings leave the shift's list, so its
/// record stays bounded.) The caller rebalances the shift.
#[allow(clippy::too_many_arguments)]
pub(super) fn take_booking_off(
    tx: &Tx,
    shift: &mut Shift,
    b: &mut Booking,
    fam: &mut Family,
    charge: i64,
    by: UserId,
    now: DateTime<Utc>,
    memo: &str,
) -> Res<i64> {
    let released = capture_hold(tx, b, fam, charge, Some(by), now, memo)?;
    b.status = BookingStatus::Cancelled;
    put_booking(tx, b)?;
    put_family(tx, fam)?;
    remove_child_day(tx, b, shift.date)?;
    cancel_owner(tx, JobOwner::Booking(b.id))?;
    shift.bookings.retain(|id| *id != b.id);
    Ok(released)
}

/// Takes a volunteer off a shift: the signup dropped (no longer offered for swap), off
/// their day list, its reminders gone. `declined`: they count as asked, so the search for
/// cover does not ask them back. The caller rebalances the shift (children stay: a shift
/// short of caregivers is flagged understaffed and cover is sought).
pub(super) fn take_signup_off(tx: &Tx, shift: &mut Shift, s: &mut Signup, declined: bool) -> Res<()> {
    s.status = SignupStatus::Dropped;
    s.offered_for_swap = false;
    put_signup(tx, s)?;
    remove_volunteer_day(tx, s, shift.date)?;
    cancel_owner(tx, JobOwner::Signup(s.id))?;
    if declined {
        note_declined(tx, shift.id, s.user)?;
    }
    shift.signups.retain(|id| *id != s.id);
    Ok(())
}

fn new_signup(tx: &Tx, centre: &Centre, shift: &mut Shift, m: &Member, now: DateTime<Utc>) -> Res<Signup> {
    let s = Signup {
        id: SignupId(tx.next_id("signup")?),
        centre: centre.id,
        shift: shift.id,
        user: m.user,
        family: m.family,
        status: SignupStatus::SignedUp,
        created_at: now,
        marked_present: None,
        offered_for_swap: false,
    };
    put_signup(tx, &s)?;
    shift.signups.push(s.id);
    tx.mark(T::SignupsByMember, Key::new().i64(m.user.0).date(shift.date).u64(s.id.0))?;
    let mut day = day_list(tx, T::VolunteerDay, Key::new().i64(m.user.0), shift.date)?;
    day.push(s.id.0);
    set_day_list(tx, T::VolunteerDay, Key::new().i64(m.user.0), shift.date, &day)?;
    Ok(s)
}

fn offer(tx: &Tx, user: UserId, signup_id: SignupId, now: DateTime<Utc>) -> Res<(Signup, Vec<Notice>)> {
    let (_, _, mut s, _) = live_signup(tx, user, signup_id, false, now)?;
    s.offered_for_swap = true;
    put_signup(tx, &s)?;
    Ok((s, vec![]))
}
