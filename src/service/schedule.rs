//! Shifts: creating them (one by one or from weekly templates), cancelling them, and
//! the read side: the schedule with free places, and a shift's roster.

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use super::booking::take_booking_off;
use super::capacity::shift_state;
use super::jobs::{cancel_shift_jobs, plan_digest, rebalance_and_review, replan_shift, review_cover};
use super::records::*;
use super::{AuditAction, Caller, Event, MoveDrop, Outcome, Service, ServiceError, ShiftBrief};
use crate::domain::*;
use crate::rota;
use crate::store::{Key, Tx, T};

/// One shift as a parent or coordinator sees it in the schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShiftView {
    pub shift: Shift,
    /// Places still free for a child of each group (infant, toddler, older), each alone.
    pub free: [u32; 3],
    pub confirmed: u32,
    pub waitlist: u32,
    pub volunteers: u32,
    pub caregivers: u32,
    /// Volunteers that would let every confirmed and waitlisted child in.
    pub volunteers_needed: u32,
    /// The caller volunteers at this shift.
    pub i_volunteer: bool,
    /// The caller's family's live bookings at this shift.
    pub my_bookings: Vec<BookingId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterChild {
    pub booking: BookingId,
    pub name: String,
    pub group: AgeGroup,
    pub months: u32,
    pub notes: Option<String>,
    pub status: BookingStatus,
    pub marked_present: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterVolunteer {
    pub signup: SignupId,
    pub user: UserId,
    pub name: String,
    pub status: SignupStatus,
    pub marked_present: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterView {
    pub shift: Shift,
    pub children: Vec<RosterChild>,
    pub waitlist: Vec<RosterChild>,
    pub volunteers: Vec<RosterVolunteer>,
}

/// A new shift's or template's places and staff (the centre's defaults unless given),
/// checked with its times.
fn shape_of(
    centre: &Centre,
    (start, end): (NaiveTime, NaiveTime),
    capacity: Option<u32>,
    staff: Option<u32>,
) -> Result<(u32, u32), ServiceError> {
    let capacity = capacity.unwrap_or(centre.policy.default_capacity);
    let staff = staff.unwrap_or(centre.policy.default_staff);
    check_shift_shape(start, end, capacity, staff)?;
    Ok((capacity, staff))
}

fn check_shift_shape(start: NaiveTime, end: NaiveTime, capacity: u32, staff: u32) -> Result<(), ServiceError> {
    if end <= start {
        return Err(ServiceError::BadTimes);
    }
    if !(1..=100).contains(&capacity) || staff > 20 {
        return Err(ServiceError::BadCapacity);
    }
    Ok(())
}

/// How many days before and after a shift its staff and volunteers see children's notes.
const NOTES_DAYS: i64 = 1;

/// A new open shift with the next id (not yet stored).
fn new_shift(
    tx: &Tx,
    centre: &Centre,
    date: NaiveDate,
    (start, end): (NaiveTime, NaiveTime),
    capacity: u32,
    staff: u32,
    template: Option<TemplateId>,
) -> super::Res<Shift> {
    Ok(Shift {
        id: ShiftId(tx.next_id("shift")?),
        centre: centre.id,
        date,
        start,
        end,
        capacity,
        staff,
        status: ShiftStatus::Open,
        bookings: vec![],
        signups: vec![],
        template,
        cancel_reason: None,
        understaffed: false,
        attendance_taken: false,
    })
}

fn insert_shift(tx: &Tx, shift: &Shift) -> super::Res<()> {
    put_shift(tx, shift)?;
    tx.mark(T::ShiftsByDate, Key::new().u64(shift.centre.0).date(shift.date).u64(shift.id.0))?;
    tx.mark(T::Unsettled, Key::new().date(shift.date).u64(shift.id.0))?;
    Ok(())
}

/// A new shift gets its day's digest, and a search for cover if nobody could mind children.
fn plan_new_shift(tx: &Tx, centre: &Centre, shift: &Shift, now: chrono::DateTime<chrono::Utc>) -> super::Res<()> {
    plan_digest(tx, centre, shift.date, now)?;
    review_cover(tx, centre, shift, now)
}

impl Service {
    /// A coordinator publishes one shift. `capacity` and `staff` default to the centre's policy.
    pub fn create_shift(
        &self,
        caller: &Caller,
        date: NaiveDate,
        start: NaiveTime,
        end: NaiveTime,
        capacity: Option<u32>,
        staff: Option<u32>,
    ) -> Result<Outcome<Shift>, ServiceError> {
        self.change(caller, |tx, now| {
            let coord = coordinator(tx, caller.user)?;
            let centre = centre(tx, coord.centre)?;
            let (capacity, staff) = shape_of(&centre, (start, end), capacity, staff)?;
            check_date(now.with_timezone(&centre.tz()).date_naive(), date)?;
            if local_to_utc(centre.tz(), date.and_time(start)) <= now {
                return Err(ServiceError::InPast.into());
            }
            let shift = new_shift(tx, &centre, date, (start, end), capacity, staff, None)?;
            insert_shift(tx, &shift)?;
            plan_new_shift(tx, &centre, &shift, now)?;
            let action = AuditAction::ShiftCreated { shift: shift.id, date, start, end };
            super::audit::record(tx, centre.id, caller.user, now, action)?;
            Ok((shift, vec![]))
        })
    }

    /// A coordinator sets a weekly pattern.
    pub fn create_template(
        &self,
        caller: &Caller,
        weekday: Weekday,
        start: NaiveTime,
        end: NaiveTime,
        capacity: Option<u32>,
        staff: Option<u32>,
    ) -> Result<Outcome<Template>, ServiceError> {
        self.change(caller, |tx, now| {
            let coord = coordinator(tx, caller.user)?;
            let centre = centre(tx, coord.centre)?;
            let (capacity, staff) = shape_of(&centre, (start, end), capacity, staff)?;
            let t = Template {
                id: TemplateId(tx.next_id("template")?),
                centre: centre.id,
                weekday,
                start,
                end,
                capacity,
                staff,
                active: true,
            };
            tx.put(T::Templates, Key::new().u64(centre.id.0).u64(t.id.0), &t)?;
            super::audit::record(tx, centre.id, caller.user, now, AuditAction::TemplateCreated { template: t.id })?;
            Ok((t, vec![]))
        })
    }

    /// Creates the shifts of one template (or all active templates, `None`) for every
    /// matching date in `[from, to]`. A date already generated is skipped, so running it
    /// twice creates nothing more. Dates whose start has passed are skipped too.
    pub fn generate_shifts(
        &self,
        caller: &Caller,
        template: Option<TemplateId>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Outcome<Vec<Shift>>, ServiceError> {
        let (_, home) = self.my_coordinated_centre(caller.user)?;
        let today = self.today(home.tz());
        check_date(today, from)?;
        check_date(today, to)?;
        if to < from || (to - from).num_days() > 366 {
            return Err(ServiceError::BadRange);
        }
        let templates: Vec<Template> = self
            .store
            .scan::<Template>(T::Templates, Key::new().u64(home.id.0).bytes())?
            .into_iter()
            .map(|(_, t)| t)
            .filter(|t| t.active && template.is_none_or(|id| id == t.id))
            .collect();
        if template.is_some() && templates.is_empty() {
            return Err(ServiceError::UnknownTemplate);
        }
        self.change(caller, |tx, now| {
            let coord = coordinator(tx, caller.user)?;
            let centre = centre(tx, coord.centre)?;
            let mut created = vec![];
            let mut date = from;
            while date <= to {
                for t in templates.iter().filter(|t| t.weekday == date.weekday()) {
                    let mark = Key::new().u64(t.id.0).date(date);
                    if tx.contains(T::TemplateDates, &mark)? || local_to_utc(centre.tz(), date.and_time(t.start)) <= now
                    {
                        continue;
                    }
                    let shift = new_shift(tx, &centre, date, (t.start, t.end), t.capacity, t.staff, Some(t.id))?;
                    insert_shift(tx, &shift)?;
                    plan_new_shift(tx, &centre, &shift, now)?;
                    tx.put(T::TemplateDates, &mark, &shift.id)?;
                    created.push(shift);
                }
                // Within the date window, so never near chrono's last date.
                let Some(next) = date.succ_opt() else { break };
                date = next;
            }
            // Generating again creates nothing and changes nothing (no entry either).
            if !created.is_empty() {
                let action = AuditAction::ShiftsGenerated { shifts: created.iter().map(|s| s.id).collect() };
                super::audit::record(tx, centre.id, caller.user, now, action)?;
            }
            Ok((created, vec![]))
        })
    }

    pub fn templates(&self, user: UserId) -> Result<Vec<Template>, ServiceError> {
        let (_, centre) = self.my_coordinated_centre(user)?;
        Ok(self
            .store
            .scan::<Template>(T::Templates, Key::new().u64(centre.id.0).bytes())?
            .into_iter()
            .map(|(_, t)| t)
            .collect())
    }

    /// A coordinator cancels a shift (a typhoon): every booking's hold is released, and
    /// every guardian and volunteer is told once, with their family's total returned.
    pub fn cancel_shift(
        &self,
        caller: &Caller,
        shift_id: ShiftId,
        reason: &str,
    ) -> Result<Outcome<Shift>, ServiceError> {
        let reason = clean_text(reason, 200)?;
        self.change(caller, |tx, now| {
            let coord = coordinator(tx, caller.user)?;
            let centre = centre(tx, coord.centre)?;
            let mut shift = shift_in(tx, centre.id, shift_id)?;
            ensure_open(&shift)?;
            // A typhoon may stop a shift midway; one that has ended is settled instead.
            if shift.ends_at(centre.tz()) <= now {
                return Err(ServiceError::ShiftStarted.into());
            }
            let mut affected = Affected::default();
            close_shift(tx, &mut shift, &reason, caller.user, now, &mut affected)?;
            let action = AuditAction::ShiftCancelled { shift: shift.id, reason: reason.clone() };
            super::audit::record(tx, centre.id, caller.user, now, action)?;
            let brief = ShiftBrief::from(&shift);
            let notes = affected.notices(|_, released| Event::ShiftCancelled {
                shift: brief.clone(),
                reason: reason.clone(),
                released,
            });
            Ok((shift, notes))
        })
    }

    /// A shift the coordinator may cancel (theirs, open, not ended): checked before
    /// `/cancelshift ID` asks for the reason.
    pub fn shift_to_cancel(&self, user: UserId, shift_id: ShiftId) -> Result<Shift, ServiceError> {
        let (_, centre) = self.my_coordinated_centre(user)?;
        let shift = self.shift(shift_id)?.filter(|s| s.centre == centre.id).ok_or(ServiceError::UnknownShift)?;
        ensure_open(&shift)?;
        if shift.ends_at(centre.tz()) <= self.now() {
            return Err(ServiceError::ShiftStarted);
        }
        Ok(shift)
    }

    /// What cancelling every shift of `date` would touch, for the coordinator to confirm
    /// (`/cancelday`). Changes nothing.
    pub fn cancel_day_preview(&self, user: UserId, date: NaiveDate) -> Result<DayCancel, ServiceError> {
        let (_, centre) = self.my_coordinated_centre(user)?;
        check_date(self.today(centre.tz()), date)?;
        let ids = self.shift_ids_between(centre.id, date, date)?;
        let now = self.now();
        self.store
            .read(|tx| -> super::Res<DayCancel> {
                let mut affected = Affected::default();
                let mut shifts = vec![];
                for id in &ids {
                    let shift = shift_in(tx, centre.id, *id)?;
                    if !cancellable(&centre, &shift, now) {
                        continue;
                    }
                    count_shift(tx, &shift, &mut affected)?;
                    shifts.push(ShiftBrief::from(&shift));
                }
                Ok(affected.summary(date, shifts))
            })
            .map_err(ServiceError::from_write)
    }

    /// `/cancelday DATE REASON`, first step: what cancelling the day would touch, and a
    /// draft the coordinator confirms with `confirm_cancel_day` (the reason waits there,
    /// so the confirm button carries only the draft's id).
    pub fn draft_cancel_day(
        &self,
        caller: &Caller,
        date: NaiveDate,
        reason: &str,
    ) -> Result<Outcome<(u64, DayCancel)>, ServiceError> {
        let reason = clean_text(reason, 200)?;
        let preview = self.cancel_day_preview(caller.user, date)?;
        if preview.shifts.is_empty() {
            return Err(ServiceError::NothingToCancel);
        }
        self.change(caller, |tx, _| {
            let coord = coordinator(tx, caller.user)?;
            let id = tx.next_id("dayoff")?;
            let draft = DayDraft { user: caller.user, centre: coord.centre, date, reason: reason.clone() };
            tx.put(T::Meta, day_draft_key(id), &draft)?;
            Ok(((id, preview.clone()), vec![]))
        })
    }

    /// `/cancelday`, second step: the coordinator who drafted it confirms.
    pub fn confirm_cancel_day(&self, caller: &Caller, draft: u64) -> Result<Outcome<DayCancel>, ServiceError> {
        self.change(caller, |tx, now| {
            // The draft is read inside the change: a press handled again after a stop
            // finds it gone and must answer what the first handling did (the change's
            // replay record), not "nothing to cancel". Confirmed once: a second press
            // finds no draft.
            let d: DayDraft = tx
                .get(T::Meta, day_draft_key(draft))?
                .filter(|d: &DayDraft| d.user == caller.user)
                .ok_or(ServiceError::NothingToCancel)?;
            let coord = coordinator(tx, caller.user)?;
            if coord.centre != d.centre {
                return Err(ServiceError::NothingToCancel.into());
            }
            tx.del(T::Meta, day_draft_key(draft))?;
            let centre = centre(tx, coord.centre)?;
            let ids = centre_shifts_between(tx, centre.id, d.date, d.date)?;
            cancel_day_in(tx, &centre, d.date, &ids, &d.reason, caller.user, now)
        })
    }

    /// A coordinator cancels every shift of a day (a typhoon) in one transaction: every
    /// hold released, and each guardian and volunteer told once in all, listing their
    /// shifts and their family's total returned. Shifts already over are left to settle.
    pub fn cancel_day(
        &self,
        caller: &Caller,
        date: NaiveDate,
        reason: &str,
    ) -> Result<Outcome<DayCancel>, ServiceError> {
        let reason = clean_text(reason, 200)?;
        let (_, home) = self.my_coordinated_centre(caller.user)?;
        check_date(self.today(home.tz()), date)?;
        self.change(caller, |tx, now| {
            let coord = coordinator(tx, caller.user)?;
            let centre = centre(tx, coord.centre)?;
            let ids = centre_shifts_between(tx, centre.id, date, date)?;
            cancel_day_in(tx, &centre, date, &ids, &reason, caller.user, now)
        })
    }

    /// A coordinator moves a shift to another date or time. Its bookings and volunteers
    /// move with it (if one of them has an overlapping shift there, nothing moves),
    /// everyone on it is told, and its reminders are planned anew.
    pub fn move_shift(
        &self,
        caller: &Caller,
        shift_id: ShiftId,
        date: NaiveDate,
        start: NaiveTime,
        end: NaiveTime,
    ) -> Result<Outcome<Shift>, ServiceError> {
        self.change(caller, |tx, now| {
            let coord = coordinator(tx, caller.user)?;
            let centre = centre(tx, coord.centre)?;
            let old = open_future_shift(tx, &centre, shift_id, now)?;
            check_shift_shape(start, end, old.capacity, old.staff)?;
            check_date(now.with_timezone(&centre.tz()).date_naive(), date)?;
            if local_to_utc(centre.tz(), date.and_time(start)) <= now {
                return Err(ServiceError::InPast.into());
            }
            let mut moved = old.clone();
            (moved.date, moved.start, moved.end) = (date, start, end);
            let st = shift_state(tx, &old)?;
            let bookings: Vec<&Booking> = st.confirmed.iter().chain(&st.waitlist).collect();
            for b in &bookings {
                for id in day_list(tx, T::ChildDay, Key::new().u64(b.child.0), date)? {
                    let other = shift_in(tx, centre.id, booking(tx, BookingId(id))?.shift)?;
                    if other.id != old.id && other.overlaps(&moved) {
                        return Err(ServiceError::MoveClash.into());
                    }
                }
            }
            for s in &st.on_duty {
                for id in day_list(tx, T::VolunteerDay, Key::new().i64(s.user.0), date)? {
                    let other = shift_in(tx, centre.id, signup(tx, SignupId(id))?.shift)?;
                    if other.id != old.id && other.overlaps(&moved) {
                        return Err(ServiceError::MoveClash.into());
                    }
                }
            }
            // Every date-keyed index follows the shift to its new date.
            let mut notes = vec![];
            let event = Event::ShiftMoved { from: ShiftBrief::from(&old), to: ShiftBrief::from(&moved) };
            let mut told = vec![];
            for b in &bookings {
                remove_child_day(tx, b, old.date)?;
                move_keys(
                    tx,
                    (T::ChildDay, T::BookingsByFamily),
                    Key::new().u64(b.child.0),
                    Key::new().u64(b.family.0),
                    (old.date, date),
                    b.id.0,
                )?;
                told.extend(family(tx, b.family)?.guardians);
            }
            for s in &st.on_duty {
                remove_volunteer_day(tx, s, old.date)?;
                let who = Key::new().i64(s.user.0);
                move_keys(tx, (T::VolunteerDay, T::SignupsByMember), who.clone(), who, (old.date, date), s.id.0)?;
                told.push(s.user);
            }
            unique_users(&mut told);
            tell_all(&mut notes, &told, event);
            reassess_moved(tx, &centre, &mut moved, caller.user, now, &mut notes)?;
            tx.del(T::ShiftsByDate, Key::new().u64(centre.id.0).date(old.date).u64(old.id.0))?;
            tx.del(T::Unsettled, Key::new().date(old.date).u64(old.id.0))?;
            insert_shift(tx, &moved)?;
            replan_shift(tx, &centre, &moved, now)?;
            // The new groups may need more caregivers (the understaffed flag and the
            // search for cover follow) or let waiting children in.
            rebalance_and_review(tx, &centre, &mut moved, now, &mut notes)?;
            let action = AuditAction::ShiftMoved { shift: moved.id, date, start, end };
            super::audit::record(tx, centre.id, caller.user, now, action)?;
            Ok((moved, notes))
        })
    }

    // ----- queries -----

    pub fn shift(&self, id: ShiftId) -> Result<Option<Shift>, ServiceError> {
        Ok(self.store.get(T::Shifts, Key::new().u64(id.0))?)
    }

    pub fn booking(&self, id: BookingId) -> Result<Option<Booking>, ServiceError> {
        Ok(self.store.get(T::Bookings, Key::new().u64(id.0))?)
    }

    pub fn signup(&self, id: SignupId) -> Result<Option<Signup>, ServiceError> {
        Ok(self.store.get(T::Signups, Key::new().u64(id.0))?)
    }

    /// Shift ids of a centre dated within `[from, to]`, by date (an index range, not a scan).
    pub fn shift_ids_between(
        &self,
        centre: CentreId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<ShiftId>, ServiceError> {
        Ok(self.dated_shift_ids_between(centre, from, to)?.into_iter().map(|(_, id)| id).collect())
    }

    /// `shift_ids_between` with each shift's date, read from the index (no shift decoded).
    pub fn dated_shift_ids_between(
        &self,
        centre: CentreId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, ShiftId)>, ServiceError> {
        self.store.read(|tx| centre_dated_shifts(tx, centre, from, to)).map_err(ServiceError::from_write)
    }

    /// The view of one shift for `user` (whose bookings and signup are marked).
    pub fn shift_view(
        &self,
        user: UserId,
        shift: Shift,
        policy: &crate::policy::Policy,
        family: Option<FamilyId>,
    ) -> Result<ShiftView, ServiceError> {
        let mut confirmed = vec![];
        let mut waitlist = vec![];
        let mut my_bookings = vec![];
        for id in &shift.bookings {
            if let Some(b) = self.booking(*id)? {
                if b.is_live() && Some(b.family) == family {
                    my_bookings.push(b.id);
                }
                match b.status {
                    BookingStatus::Confirmed => confirmed.push(b.group),
                    BookingStatus::Waitlisted => waitlist.push(b.group),
                    _ => {}
                }
            }
        }
        let mut volunteers = 0;
        let mut i_volunteer = false;
        for id in &shift.signups {
            if let Some(s) = self.signup(*id)? {
                if s.is_on_duty() {
                    volunteers += 1;
                    i_volunteer |= s.user == user;
                }
            }
        }
        let occ = rota::Occupancy::of(confirmed.iter().copied());
        let caregivers = shift.staff + volunteers;
        let (free, needed) = if shift.status == ShiftStatus::Open {
            // Nobody jumps the queue: while children wait, no place is free.
            let free =
                if waitlist.is_empty() { rota::free_places(&occ, caregivers, shift.capacity, policy) } else { [0; 3] };
            (free, rota::volunteers_needed(&occ, &waitlist, caregivers, shift.capacity, policy))
        } else {
            ([0; 3], 0)
        };
        Ok(ShiftView {
            free,
            confirmed: occ.total(),
            waitlist: waitlist.len() as u32,
            volunteers,
            caregivers,
            volunteers_needed: needed,
            i_volunteer,
            my_bookings,
            shift,
        })
    }

    /// The schedule of the caller's centre for `days` days from `from` (open and cancelled
    /// shifts; settled ones are history).
    pub fn schedule(&self, user: UserId, from: NaiveDate, days: u32) -> Result<Vec<ShiftView>, ServiceError> {
        let (m, centre) = self.my_centre(user)?;
        check_date(self.today(centre.tz()), from)?;
        let to = from.checked_add_days(chrono::Days::new(days.clamp(1, 62) as u64 - 1)).unwrap_or(from);
        let mut out = vec![];
        for id in self.shift_ids_between(centre.id, from, to)? {
            if let Some(s) = self.shift(id)? {
                if s.status != ShiftStatus::Settled {
                    out.push(self.shift_view(user, s, &centre.policy, m.family)?);
                }
            }
        }
        out.sort_by_key(|v| (v.shift.date, v.shift.start, v.shift.id));
        Ok(out)
    }

    /// Who comes to a shift. Staff, coordinators and the shift's own volunteers may see
    /// it; parents may not. Children's notes are shown to coordinators, and to the staff
    /// and volunteers from the day before the shift to the day after.
    pub fn roster(&self, user: UserId, shift_id: ShiftId) -> Result<RosterView, ServiceError> {
        let (m, centre) = self.my_centre(user)?;
        let shift = self.shift(shift_id)?.filter(|s| s.centre == centre.id).ok_or(ServiceError::UnknownShift)?;
        let mut volunteers = vec![];
        for id in &shift.signups {
            if let Some(s) = self.signup(*id)? {
                if matches!(s.status, SignupStatus::Dropped) {
                    continue;
                }
                let name = self.member(s.user)?.map(|m| m.name).unwrap_or_default();
                volunteers.push(RosterVolunteer {
                    signup: s.id,
                    user: s.user,
                    name,
                    status: s.status,
                    marked_present: s.marked_present,
                });
            }
        }
        // Dropped signups are not on the list.
        let allowed = m.is_staff() || volunteers.iter().any(|v| v.user == user);
        if !allowed {
            return Err(ServiceError::NotStaff);
        }
        // Children's notes: coordinators always; the staff and the shift's volunteers only
        // in the days around it (the day before to the day after).
        let today = self.today(centre.tz());
        let near = (today - shift.date).num_days().abs() <= NOTES_DAYS;
        let show_notes = m.is_coordinator() || near;
        let mut children = vec![];
        let mut waitlist = vec![];
        for id in &shift.bookings {
            if let Some(b) = self.booking(*id)? {
                if matches!(b.status, BookingStatus::Cancelled) {
                    continue;
                }
                let Some(child) = self.child(b.child)? else {
                    continue;
                };
                let rc = RosterChild {
                    booking: b.id,
                    name: child.name,
                    group: b.group,
                    months: age_in_months(child.birth_date, shift.date).unwrap_or(0),
                    notes: child.notes.filter(|_| show_notes),
                    status: b.status,
                    marked_present: b.marked_present,
                };
                if b.status == BookingStatus::Waitlisted {
                    waitlist.push(rc);
                } else {
                    children.push(rc);
                }
            }
        }
        Ok(RosterView { shift, children, waitlist, volunteers })
    }
}

/// Re-assesses every live booking of a shift that moved (its date indexes already moved):
///
/// - each child's age group is taken on the new date; a child no longer accepted there is
///   cancelled with a full refund and the family told why;
/// - each hold follows the new duration: the difference is held on top (if the family
///   cannot pay it within its floor and overdraft, the booking is cancelled with a full
///   refund and the family told) or released;
/// - over the room, class or mixed-class caps, the last confirmed children go back to the
///   head of the waitlist, the last booked first, and their families are told. We chose
///   this over asking the coordinator first: the move stays one step, no confirmed child
///   is dropped without a place in the queue, and the waitlist order stays the booking
///   order. (A ratio shortfall drops nobody: the shift is flagged understaffed by the
///   caller's `rebalance`, which also starts the search for cover.)
fn reassess_moved(
    tx: &Tx,
    centre: &Centre,
    shift: &mut Shift,
    by: UserId,
    now: chrono::DateTime<chrono::Utc>,
    notes: &mut Vec<super::Notice>,
) -> super::Res<()> {
    let policy = &centre.policy;
    let brief = ShiftBrief::from(&*shift);
    let cost = crate::ledger::care_cost(shift.minutes(), policy).map_err(ServiceError::from)?;
    let mut confirmed = vec![];
    for id in shift.bookings.clone() {
        let mut b = booking(tx, id)?;
        if !b.is_live() {
            continue;
        }
        let child = child_in(tx, centre.id, b.child)?;
        let mut fam = family(tx, b.family)?;
        let why = match age_group(child.birth_date, shift.date, policy.min_age_months, policy.max_age_months) {
            Err(problem) => Some(MoveDrop::Age(problem)),
            Ok(group) => {
                b.group = group;
                let extra = cost - b.held;
                let cannot_pay = extra > 0
                    && crate::ledger::check_spend(balance(tx, AccountId::Family(fam.id))?, fam.overdraft_limit, extra)
                        .is_err();
                if cannot_pay {
                    Some(MoveDrop::Credits { needed: extra })
                } else {
                    adjust_hold(tx, &mut b, &mut fam, cost, Some(by), now, "shift moved")?;
                    None
                }
            }
        };
        if let Some(why) = why {
            let released = take_booking_off(tx, shift, &mut b, &mut fam, 0, by, now, "shift moved")?;
            tell_family(notes, &fam, Event::MoveCancelled { shift: brief.clone(), child: child.name, why, released });
            continue;
        }
        if b.status == BookingStatus::Confirmed {
            confirmed.push((b.id, b.group, child.name));
        }
        put_booking(tx, &b)?;
        put_family(tx, &fam)?;
    }
    let groups: Vec<(BookingId, AgeGroup)> = confirmed.iter().map(|(id, g, _)| (*id, *g)).collect();
    for id in rota::over_caps(&groups, shift.capacity, policy) {
        let mut b = booking(tx, id)?;
        b.status = BookingStatus::Waitlisted;
        put_booking(tx, &b)?;
        let child = confirmed.iter().find(|(x, ..)| *x == id).map(|(.., n)| n.clone()).unwrap_or_default();
        tell_family(notes, &family(tx, b.family)?, Event::MoveWaitlisted { booking: id, shift: brief.clone(), child });
    }
    Ok(())
}

/// What cancelling a day touches (or touched).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayCancel {
    pub date: NaiveDate,
    pub shifts: Vec<ShiftBrief>,
    /// Live bookings (confirmed or waitlisted) on them.
    pub children: u32,
    /// Families with such a booking.
    pub families: u32,
    /// Volunteers on duty.
    pub volunteers: u32,
}

/// A `/cancelday` waiting for its coordinator's confirmation.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct DayDraft {
    user: UserId,
    centre: CentreId,
    date: NaiveDate,
    reason: String,
}

fn day_draft_key(id: u64) -> Key {
    Key::new().str("dayoff/").u64(id)
}

/// Cancels the open shifts among `ids` dated `date` (read from the index before the
/// transaction; each is re-checked here) and tells each person once.
fn cancel_day_in(
    tx: &Tx,
    centre: &Centre,
    date: NaiveDate,
    ids: &[ShiftId],
    reason: &str,
    by: UserId,
    now: chrono::DateTime<chrono::Utc>,
) -> super::Res<(DayCancel, Vec<super::Notice>)> {
    let mut affected = Affected::default();
    let mut shifts = vec![];
    for id in ids {
        let mut shift = shift_in(tx, centre.id, *id)?;
        if shift.date != date || !cancellable(centre, &shift, now) {
            continue;
        }
        count_shift(tx, &shift, &mut affected)?;
        close_shift(tx, &mut shift, reason, by, now, &mut affected)?;
        shifts.push(ShiftBrief::from(&shift));
    }
    if shifts.is_empty() {
        return Err(ServiceError::NothingToCancel.into());
    }
    let action =
        AuditAction::DayCancelled { date, shifts: shifts.iter().map(|s| s.id).collect(), reason: reason.to_string() };
    super::audit::record(tx, centre.id, by, now, action)?;
    let notes = affected.notices(|mine, released| Event::DayCancelled {
        date,
        reason: reason.to_string(),
        shifts: mine.to_vec(),
        released,
    });
    Ok((affected.summary(date, shifts), notes))
}

/// An open shift a coordinator may still cancel: not yet ended.
fn cancellable(centre: &Centre, shift: &Shift, now: chrono::DateTime<chrono::Utc>) -> bool {
    shift.status == ShiftStatus::Open && shift.ends_at(centre.tz()) > now
}

/// Who a cancellation concerns, each person once: the shifts of theirs it cancels and
/// their family's total returned.
#[derive(Default)]
struct Affected {
    /// In the order first met.
    people: Vec<(UserId, Option<FamilyId>, Vec<ShiftBrief>)>,
    released: std::collections::BTreeMap<FamilyId, i64>,
    families: std::collections::BTreeSet<FamilyId>,
    children: u32,
    volunteers: u32,
}

impl Affected {
    fn touch(&mut self, user: UserId, family: Option<FamilyId>, shift: &ShiftBrief) {
        match self.people.iter_mut().find(|(u, ..)| *u == user) {
            Some((_, fam, shifts)) => {
                if fam.is_none() {
                    *fam = family;
                }
                if !shifts.contains(shift) {
                    shifts.push(shift.clone());
                }
            }
            None => self.people.push((user, family, vec![shift.clone()])),
        }
    }

    /// One notice per person, made by `event` from their shifts and their family's total.
    fn notices(&self, event: impl Fn(&[ShiftBrief], i64) -> Event) -> Vec<super::Notice> {
        self.people
            .iter()
            .map(|(user, fam, shifts)| super::Notice {
                to: *user,
                event: event(shifts, fam.and_then(|f| self.released.get(&f).copied()).unwrap_or(0)),
            })
            .collect()
    }

    fn summary(&self, date: NaiveDate, shifts: Vec<ShiftBrief>) -> DayCancel {
        DayCancel {
            date,
            shifts,
            children: self.children,
            families: self.families.len() as u32,
            volunteers: self.volunteers,
        }
    }
}

/// Counts a shift's live bookings, families and volunteers on duty.
fn count_shift(tx: &Tx, shift: &Shift, affected: &mut Affected) -> super::Res<()> {
    for id in &shift.bookings {
        let b = booking(tx, *id)?;
        if b.is_live() {
            affected.children += 1;
            affected.families.insert(b.family);
        }
    }
    for id in &shift.signups {
        if signup(tx, *id)?.is_on_duty() {
            affected.volunteers += 1;
        }
    }
    Ok(())
}

/// Cancels one open shift inside a transaction: its jobs removed, every live booking
/// cancelled with its hold released in full, every signup dropped; who is concerned is
/// noted in `affected` (told by the caller, once each).
fn close_shift(
    tx: &Tx,
    shift: &mut Shift,
    reason: &str,
    by: UserId,
    now: chrono::DateTime<chrono::Utc>,
    affected: &mut Affected,
) -> super::Res<()> {
    let brief = ShiftBrief::from(&*shift);
    cancel_shift_jobs(tx, shift)?;
    for id in &shift.bookings {
        let mut b = booking(tx, *id)?;
        if !b.is_live() {
            continue;
        }
        let mut fam = family(tx, b.family)?;
        let released = release_hold(tx, &mut b, &mut fam, Some(by), now, "shift cancelled")?;
        b.status = BookingStatus::Cancelled;
        put_booking(tx, &b)?;
        put_family(tx, &fam)?;
        remove_child_day(tx, &b, shift.date)?;
        *affected.released.entry(fam.id).or_default() += released;
        for g in &fam.guardians {
            affected.touch(*g, Some(fam.id), &brief);
        }
    }
    for id in &shift.signups {
        let mut s = signup(tx, *id)?;
        if !s.is_on_duty() {
            continue;
        }
        s.status = SignupStatus::Dropped;
        put_signup(tx, &s)?;
        remove_volunteer_day(tx, &s, shift.date)?;
        affected.touch(s.user, s.family, &brief);
    }
    shift.status = ShiftStatus::Cancelled;
    shift.cancel_reason = Some(reason.to_string());
    shift.understaffed = false;
    put_shift(tx, shift)?;
    tx.del(T::Unsettled, Key::new().date(shift.date).u64(shift.id.0))?;
    Ok(())
}

/// Moves one record's date-keyed entries: onto `to`'s per-day list (`day_tree`, under
/// `day_who`) and from `from` to `to` in the dated index (`index`, under `index_who`).
fn move_keys(
    tx: &Tx,
    (day_tree, index): (T, T),
    day_who: Key,
    index_who: Key,
    (from, to): (NaiveDate, NaiveDate),
    id: u64,
) -> super::Res<()> {
    let mut day = day_list(tx, day_tree, day_who.clone(), to)?;
    day.push(id);
    set_day_list(tx, day_tree, day_who, to, &day)?;
    tx.del(index, index_who.clone().date(from).u64(id))?;
    tx.mark(index, index_who.date(to).u64(id))?;
    Ok(())
}
