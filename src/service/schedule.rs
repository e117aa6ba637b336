//! Shifts: creating them (one by one or from weekly templates), cancelling them, and
//! the read side: the schedule with free places, and a shift's roster.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use super::jobs::{cancel_shift_jobs, plan_digest, replan_shift, review_cover};
use super::records::*;
use super::{Caller, Event, Outcome, Service, ServiceError, ShiftBrief};
use crate::domain::*;
use crate::rota;
use crate::store::{keys::u64_at, Key, Tx, T};

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

fn check_shift_shape(start: NaiveTime, end: NaiveTime, capacity: u32, staff: u32) -> Result<(), ServiceError> {
    if end <= start {
        return Err(ServiceError::BadTimes);
    }
    if !(1..=100).contains(&capacity) || staff > 20 {
        return Err(ServiceError::BadCapacity);
    }
    Ok(())
}

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
            let capacity = capacity.unwrap_or(centre.policy.default_capacity);
            let staff = staff.unwrap_or(centre.policy.default_staff);
            check_shift_shape(start, end, capacity, staff)?;
            if local_to_utc(centre.tz(), date.and_time(start)) <= now {
                return Err(ServiceError::InPast.into());
            }
            let shift = new_shift(tx, &centre, date, (start, end), capacity, staff, None)?;
            insert_shift(tx, &shift)?;
            plan_new_shift(tx, &centre, &shift, now)?;
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
        self.change(caller, |tx, _| {
            let coord = coordinator(tx, caller.user)?;
            let centre = centre(tx, coord.centre)?;
            let capacity = capacity.unwrap_or(centre.policy.default_capacity);
            let staff = staff.unwrap_or(centre.policy.default_staff);
            check_shift_shape(start, end, capacity, staff)?;
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
        if to < from || (to - from).num_days() > 366 {
            return Err(ServiceError::BadRange);
        }
        let (_, home) = self.my_coordinated_centre(caller.user)?;
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
                date += Duration::days(1);
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

    /// A coordinator cancels a shift (a typhoon): every booking's hold is released,
    /// every family and volunteer is told.
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
            let brief = ShiftBrief::from(&shift);
            let mut notes = vec![];
            cancel_shift_jobs(tx, &shift)?;
            for id in &shift.bookings {
                let mut b = booking(tx, *id)?;
                if !b.is_live() {
                    continue;
                }
                let mut fam = family(tx, b.family)?;
                let released = release_hold(tx, &mut b, &mut fam, Some(caller.user), now, "shift cancelled")?;
                b.status = BookingStatus::Cancelled;
                put_booking(tx, &b)?;
                put_family(tx, &fam)?;
                remove_child_day(tx, &b, shift.date)?;
                tell_family(
                    &mut notes,
                    &fam,
                    Event::ShiftCancelled { shift: brief.clone(), reason: reason.clone(), released },
                );
            }
            for id in &shift.signups {
                let mut s = signup(tx, *id)?;
                if !s.is_on_duty() {
                    continue;
                }
                s.status = SignupStatus::Dropped;
                put_signup(tx, &s)?;
                remove_volunteer_day(tx, &s, shift.date)?;
                // A volunteer who also booked was already told (with the credits returned).
                if !notes.iter().any(|n| n.to == s.user) {
                    notes.push(super::Notice {
                        to: s.user,
                        event: Event::ShiftCancelled { shift: brief.clone(), reason: reason.clone(), released: 0 },
                    });
                }
            }
            shift.status = ShiftStatus::Cancelled;
            shift.cancel_reason = Some(reason.clone());
            shift.understaffed = false;
            put_shift(tx, &shift)?;
            tx.del(T::Unsettled, Key::new().date(shift.date).u64(shift.id.0))?;
            Ok((shift, notes))
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
            tx.del(T::ShiftsByDate, Key::new().u64(centre.id.0).date(old.date).u64(old.id.0))?;
            tx.del(T::Unsettled, Key::new().date(old.date).u64(old.id.0))?;
            insert_shift(tx, &moved)?;
            replan_shift(tx, &centre, &moved, now)?;
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
        let prefix = Key::new().u64(centre.0);
        let start = Key::new().u64(centre.0).date(from);
        let mut out = vec![];
        for k in self.store.index_keys(T::ShiftsByDate, prefix.bytes(), start.bytes()) {
            let k = k?;
            let past_end = k.get(8..12) > Key::new().date(to).bytes().get(0..4);
            if past_end {
                break;
            }
            if let Some(id) = u64_at(&k, 12) {
                out.push(ShiftId(id));
            }
        }
        Ok(out)
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
        let to = from + Duration::days(days.clamp(1, 62) as i64 - 1);
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
    /// it (children's notes included); parents may not.
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
        let allowed = m.is_staff() || volunteers.iter().any(|v| v.user == user && v.status != SignupStatus::Dropped);
        if !allowed {
            return Err(ServiceError::NotStaff);
        }
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
                    notes: child.notes,
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

pub(crate) fn remove_child_day(tx: &Tx, b: &Booking, date: NaiveDate) -> super::Res<()> {
    let mut list = day_list(tx, T::ChildDay, Key::new().u64(b.child.0), date)?;
    list.retain(|id| *id != b.id.0);
    set_day_list(tx, T::ChildDay, Key::new().u64(b.child.0), date, &list)
}

pub(crate) fn remove_volunteer_day(tx: &Tx, s: &Signup, date: NaiveDate) -> super::Res<()> {
    let mut list = day_list(tx, T::VolunteerDay, Key::new().i64(s.user.0), date)?;
    list.retain(|id| *id != s.id.0);
    set_day_list(tx, T::VolunteerDay, Key::new().i64(s.user.0), date, &list)
}
