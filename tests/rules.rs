//! Every rule edge of DESIGN.md sections 2-5, exercised through the real service.

use std::cell::Cell;
use std::ops::Deref;
use std::sync::{Arc, Barrier};

use chrono::{DateTime, Duration, Utc, Weekday};
use huzhu::domain::*;
use huzhu::service::*;
use huzhu::store::T;
use huzhu::testing::{date, time, Fixture, COORD};

/// Born so that on the December 2026 shift dates the child is in each group.
const INFANT: &str = "2026-03-01";
const TODDLER: &str = "2025-06-01";
const OLDER: &str = "2024-06-01";
/// The default shift day: Thursday 2026-12-03 (the fixture's clock is Tuesday 12-01 09:00).
const DAY: &str = "2026-12-03";

type Snapshot = Vec<Vec<(Vec<u8>, Vec<u8>)>>;

/// A fixture that hands out fresh user ids.
struct W {
    f: Fixture,
    next_user: Cell<i64>,
}

impl Deref for W {
    type Target = Fixture;
    fn deref(&self) -> &Fixture {
        &self.f
    }
}

fn as_(user: UserId) -> Caller {
    Caller::new(user)
}

impl W {
    fn new() -> W {
        W { f: Fixture::new(), next_user: Cell::new(100) }
    }

    fn user(&self) -> i64 {
        let u = self.next_user.get();
        self.next_user.set(u + 1);
        u
    }

    /// An approved family with a single guardian.
    fn family(&self) -> UserId {
        self.f.family(self.user(), "parent")
    }

    /// A second guardian of `first`'s family, joined with the family invite code.
    fn guardian(&self, first: UserId) -> UserId {
        let u = self.f.guardian(first, self.user(), "second");
        assert!(self.svc.member(u).unwrap().unwrap().is_active());
        u
    }

    fn child(&self, parent: UserId, birth: &str) -> ChildId {
        self.f.child(parent, "kid", birth)
    }

    /// `n` children born `birth`, spread over as many new families as needed (10 per family).
    fn children(&self, n: usize, birth: &str) -> Vec<(UserId, ChildId)> {
        let mut out = vec![];
        let mut parent = self.family();
        for i in 0..n {
            if i > 0 && i % 10 == 0 {
                parent = self.family();
            }
            out.push((parent, self.child(parent, birth)));
        }
        out
    }

    fn shift_on(&self, day: &str, start: &str, end: &str, capacity: u32, staff: u32) -> ShiftId {
        let s = self.svc.create_shift(&self.coord(), date(day), time(start), time(end), Some(capacity), Some(staff));
        s.expect("create shift").value.id
    }

    fn book(&self, parent: UserId, shift: ShiftId, child: ChildId) -> Outcome<BookResult> {
        self.svc.book(&as_(parent), shift, child).expect("book")
    }

    fn status(&self, b: BookingId) -> BookingStatus {
        self.booking(b).status
    }

    fn booking(&self, b: BookingId) -> Booking {
        self.svc.booking(b).unwrap().expect("booking exists")
    }

    fn shift_rec(&self, s: ShiftId) -> Shift {
        self.svc.shift(s).unwrap().expect("shift exists")
    }

    fn avail(&self, user: UserId) -> i64 {
        self.svc.balance(user, 0).unwrap().available
    }

    fn starts(&self, s: ShiftId) -> DateTime<Utc> {
        self.shift_rec(s).starts_at(self.centre.tz())
    }

    fn ends(&self, s: ShiftId) -> DateTime<Utc> {
        self.shift_rec(s).ends_at(self.centre.tz())
    }

    fn snapshot(&self) -> Snapshot {
        self.svc.store().snapshot()
    }

    /// Asserts the call fails with `want` and changes nothing.
    fn refuses<R: std::fmt::Debug>(&self, want: ServiceError, call: impl FnOnce(&Service) -> Result<R, ServiceError>) {
        let before = self.snapshot();
        let got = call(&self.svc);
        assert_eq!(got.err(), Some(want));
        assert_unchanged(&before, &self.snapshot());
    }
}

fn assert_unchanged(before: &Snapshot, after: &Snapshot) {
    let changed: Vec<T> =
        T::ALL.iter().zip(before.iter().zip(after)).filter(|(_, (a, b))| a != b).map(|(t, _)| *t).collect();
    assert!(changed.is_empty(), "trees changed: {changed:?}");
}

/// Recipients of notices matching `pred`, sorted.
fn told(notices: &[Notice], pred: impl Fn(&Event) -> bool) -> Vec<UserId> {
    let mut to: Vec<UserId> = notices.iter().filter(|n| pred(&n.event)).map(|n| n.to).collect();
    to.sort();
    to
}

fn sorted(mut users: Vec<UserId>) -> Vec<UserId> {
    users.sort();
    users
}

// ----- ages -----

#[test]
fn age_is_taken_on_the_shift_date_at_exactly_6_12_24_36_months() {
    let w = W::new();
    let p = w.family();
    let shift = w.shift_on("2026-12-10", "09:00", "09:30", 20, 5);
    let cases: [(&str, Result<AgeGroup, AgeProblem>); 8] = [
        ("2026-06-11", Err(AgeProblem::TooYoung { months: 5, min_months: 6 })),
        ("2026-06-10", Ok(AgeGroup::Infant)),
        ("2025-12-11", Ok(AgeGroup::Infant)),
        ("2025-12-10", Ok(AgeGroup::Toddler)),
        ("2024-12-11", Ok(AgeGroup::Toddler)),
        ("2024-12-10", Ok(AgeGroup::Older)),
        ("2023-12-11", Ok(AgeGroup::Older)),
        ("2023-12-10", Err(AgeProblem::TooOld { months: 36, max_months: 36 })),
    ];
    for (birth, want) in cases {
        let child = w.child(p, birth);
        match want {
            Ok(group) => {
                let b = w.book(p, shift, child).value.booking;
                assert_eq!((b.group, b.status), (group, BookingStatus::Confirmed), "born {birth}");
            }
            Err(problem) => w.refuses(ServiceError::ChildAge(problem), |s| s.book(&as_(p), shift, child)),
        }
    }
}

// ----- capacity -----

#[test]
fn load_exactly_at_the_limit_then_a_volunteer_promotes_the_waitlist() {
    let w = W::new();
    let shift = w.shift_on(DAY, "09:00", "10:00", 12, 1);
    let kids = w.children(3, INFANT);
    for (p, c) in &kids {
        let r = w.book(*p, shift, *c).value;
        assert_eq!((r.booking.status, r.waitlist_position), (BookingStatus::Confirmed, None));
    }
    // 3 x 35 = 105 = one caregiver: the fourth infant waits.
    let g1 = w.family();
    let g2 = w.guardian(g1);
    let fourth = w.child(g2, INFANT);
    let r = w.book(g2, shift, fourth).value;
    assert_eq!(r.booking.status, BookingStatus::Waitlisted);
    assert_eq!((r.waitlist_position, r.volunteers_needed), (Some(1), 1));
    assert_eq!(r.available_after, 360 - 60, "a waitlisted booking holds its cost too");
    let view = &w.svc.schedule(g1, date(DAY), 1).unwrap()[0];
    assert_eq!((view.confirmed, view.waitlist, view.volunteers_needed, view.free), (3, 1, 1, [0, 0, 0]));

    let v = w.family();
    let out = w.svc.volunteer(&as_(v), shift).unwrap();
    assert_eq!(w.status(r.booking.id), BookingStatus::Confirmed);
    let promoted = told(&out.notices, |e| matches!(e, Event::Promoted { booking, .. } if *booking == r.booking.id));
    assert_eq!(promoted, sorted(vec![g1, g2]), "every guardian of the family is told");
    assert_eq!(out.notices.len(), 2);
    assert!(!w.shift_rec(shift).understaffed);
}

#[test]
fn class_caps_hold_however_many_caregivers() {
    for (birth, cap) in [(INFANT, 10), (TODDLER, 15), (OLDER, 20)] {
        let w = W::new();
        let shift = w.shift_on(DAY, "09:00", "09:30", 30, 20);
        let kids = w.children(cap + 1, birth);
        for (i, (p, c)) in kids.iter().enumerate() {
            let want = if i < cap { BookingStatus::Confirmed } else { BookingStatus::Waitlisted };
            assert_eq!(w.book(*p, shift, *c).value.booking.status, want, "{birth}: child {}", i + 1);
        }
    }
}

#[test]
fn room_capacity_holds_however_many_caregivers() {
    let w = W::new();
    let shift = w.shift_on(DAY, "09:00", "10:00", 2, 5);
    let kids = w.children(3, OLDER);
    let statuses: Vec<BookingStatus> = kids.iter().map(|(p, c)| w.book(*p, shift, *c).value.booking.status).collect();
    assert_eq!(statuses, [BookingStatus::Confirmed, BookingStatus::Confirmed, BookingStatus::Waitlisted]);
    let r = w.book(kids[0].0, shift, w.child(kids[0].0, INFANT)).value;
    assert_eq!((r.waitlist_position, r.volunteers_needed), (Some(2), 0), "more volunteers would not help");
}

#[test]
fn a_new_booking_never_jumps_the_waitlist() {
    let w = W::new();
    let shift = w.shift_on(DAY, "09:00", "10:00", 12, 1);
    let p = w.family();
    let first: Vec<BookingId> =
        [INFANT, INFANT, OLDER].iter().map(|b| w.book(p, shift, w.child(p, b)).value.booking.id).collect();
    // 35 + 35 + 15 = 85: another infant (120) waits; an older toddler (100) would fit, but queues behind it.
    let (q, r) = (w.family(), w.family());
    let infant = w.book(q, shift, w.child(q, INFANT)).value.booking;
    let older = w.book(r, shift, w.child(r, OLDER)).value.booking;
    assert_eq!([infant.status, older.status], [BookingStatus::Waitlisted; 2]);
    let out = w.svc.cancel_booking(&as_(p), first[0]).unwrap();
    assert_eq!([w.status(infant.id), w.status(older.id)], [BookingStatus::Confirmed; 2], "promoted in order");
    assert_eq!(told(&out.notices, |e| matches!(e, Event::Promoted { .. })), sorted(vec![q, r]));
}

// ----- cancellation and charges -----

#[test]
fn cancelling_exactly_24h_before_is_free_one_second_later_costs_half() {
    let w = W::new();
    let p = w.family();
    let c = w.child(p, TODDLER);
    let shift = w.shift_on(DAY, "09:00", "12:00", 12, 1);
    let deadline = w.starts(shift) - Duration::hours(24);

    let b = w.book(p, shift, c).value.booking;
    assert_eq!((b.held, w.avail(p)), (180, 180));
    w.clock.set(deadline);
    let cancelled = w.svc.cancel_booking(&as_(p), b.id).unwrap().value;
    assert_eq!((cancelled.status, cancelled.held, cancelled.charged), (BookingStatus::Cancelled, 0, 0));
    assert_eq!(w.avail(p), 360);

    w.clock.set(deadline + Duration::seconds(1));
    let b = w.book(p, shift, c).value.booking;
    let cancelled = w.svc.cancel_booking(&as_(p), b.id).unwrap().value;
    assert_eq!((cancelled.held, cancelled.charged), (0, 90));
    assert_eq!(w.avail(p), 270);
    assert_eq!(w.svc.family(cancelled.family).unwrap().unwrap().held, 0);
    assert_eq!(w.svc.ledger_sum().unwrap(), 0);
}

#[test]
fn a_waitlisted_cancellation_is_always_free_and_a_late_cancellation_promotes() {
    let w = W::new();
    let shift = w.shift_on(DAY, "09:00", "12:00", 1, 1);
    let (a, b, c) = (w.family(), w.family(), w.family());
    let first = w.book(a, shift, w.child(a, OLDER)).value.booking;
    let second = w.book(b, shift, w.child(b, OLDER)).value.booking;
    let third = w.book(c, shift, w.child(c, OLDER)).value.booking;
    assert_eq!([second.status, third.status], [BookingStatus::Waitlisted; 2]);

    w.clock.set(w.starts(shift) - Duration::minutes(1));
    let out = w.svc.cancel_booking(&as_(b), second.id).unwrap();
    assert_eq!((out.value.charged, out.value.held, w.avail(b)), (0, 0, 360));
    assert!(out.notices.is_empty());

    let out = w.svc.cancel_booking(&as_(a), first.id).unwrap();
    assert_eq!((out.value.charged, w.avail(a)), (90, 270));
    assert_eq!(w.status(third.id), BookingStatus::Confirmed);
    assert_eq!(told(&out.notices, |e| matches!(e, Event::Promoted { .. })), vec![c]);
}

#[test]
fn a_no_show_child_is_charged_in_full() {
    let w = W::new();
    let shift = w.shift_on(DAY, "09:00", "12:00", 12, 1);
    let (p, q) = (w.family(), w.family());
    let q2 = w.guardian(q);
    let here = w.book(p, shift, w.child(p, OLDER)).value.booking;
    let absent = w.book(q, shift, w.child(q, OLDER)).value.booking;
    let marks = [Mark::Child(here.id, true), Mark::Child(absent.id, false)];
    w.clock.set(w.starts(shift));
    assert!(w.svc.record_attendance(&w.coord(), shift, &marks).unwrap().value.attendance_taken);
    w.refuses(ServiceError::ShiftNotOver, |s| s.settle_shift(&w.coord(), shift));

    w.clock.set(w.ends(shift));
    let out = w.svc.settle_shift(&w.coord(), shift).unwrap();
    let r = &out.value;
    assert_eq!((r.attended, r.child_no_shows, r.captured, r.shift.status), (1, 1, 360, ShiftStatus::Settled));
    let nb = w.booking(absent.id);
    assert_eq!((nb.status, nb.held, nb.charged), (BookingStatus::NoShow, 0, 180));
    assert_eq!(w.booking(here.id).status, BookingStatus::Attended);
    assert_eq!(told(&out.notices, |e| matches!(e, Event::ChildNoShow { charged: 180, .. })), sorted(vec![q, q2]));
    assert_eq!((w.avail(p), w.avail(q)), (180, 180));
    assert_eq!(w.svc.balance(q, 0).unwrap().held, 0);
    w.refuses(ServiceError::ShiftSettled, |s| s.settle_shift(&w.coord(), shift));
}

// ----- settlement -----

#[test]
fn an_unmarked_shift_settles_itself_12h_after_its_end() {
    let w = W::new();
    let shift = w.shift_on(DAY, "09:00", "12:00", 12, 1);
    let (p, v) = (w.family(), w.family());
    let b = w.book(p, shift, w.child(p, TODDLER)).value.booking;
    let s = w.svc.volunteer(&as_(v), shift).unwrap().value;

    w.clock.set(w.ends(shift) + Duration::hours(12) - Duration::seconds(1));
    let before = w.snapshot();
    assert!(w.svc.settle_due().unwrap().is_empty());
    assert_unchanged(&before, &w.snapshot());
    assert_eq!(w.shift_rec(shift).status, ShiftStatus::Open);

    w.clock.advance(Duration::seconds(1));
    let done = w.svc.settle_due().unwrap();
    assert_eq!(done.len(), 1);
    let r = &done[0].value;
    assert_eq!((r.attended, r.served, r.captured, r.earned), (1, 1, 180, 360), "2 min per minute served");
    assert_eq!(w.status(b.id), BookingStatus::Attended);
    assert_eq!(w.svc.signup(s.id).unwrap().unwrap().status, SignupStatus::Served);
    assert_eq!((w.avail(p), w.avail(v)), (180, 720));
    assert_eq!(told(&done[0].notices, |e| matches!(e, Event::Earned { amount: 360, .. })), vec![v]);
    assert!(w.svc.settle_due().unwrap().is_empty(), "settled once");
    assert_eq!(w.svc.ledger_sum().unwrap(), 0);
}

#[test]
fn a_waitlisted_booking_is_released_at_settlement() {
    let w = W::new();
    let shift = w.shift_on(DAY, "09:00", "12:00", 1, 1);
    let (p, q) = (w.family(), w.family());
    w.book(p, shift, w.child(p, OLDER));
    let waiting = w.book(q, shift, w.child(q, OLDER)).value.booking;
    w.clock.set(w.ends(shift) + Duration::hours(12));
    assert_eq!(w.svc.settle_due().unwrap().len(), 1);
    let b = w.booking(waiting.id);
    assert_eq!((b.status, b.held, b.charged, w.avail(q)), (BookingStatus::Cancelled, 0, 0, 360));
}

/// Volunteers at a shift on each of the next `n` days, all marked absent and settled.
fn no_shows(w: &W, v: UserId, days: std::ops::Range<i64>) -> Vec<Outcome<SettleReport>> {
    days.map(|d| {
        let day = (w.svc.today(w.centre.tz()) + Duration::days(d)).to_string();
        let shift = w.shift_on(&day, "09:00", "12:00", 12, 1);
        let s = w.svc.volunteer(&as_(v), shift).unwrap().value;
        w.clock.set(w.starts(shift));
        w.svc.record_attendance(&w.coord(), shift, &[Mark::Volunteer(s.id, false)]).unwrap();
        w.clock.set(w.ends(shift));
        let out = w.svc.settle_shift(&w.coord(), shift).unwrap();
        assert_eq!(w.svc.signup(s.id).unwrap().unwrap().status, SignupStatus::NoShow);
        out
    })
    .collect()
}

fn no_show_notice(out: &Outcome<SettleReport>) -> (i64, bool) {
    match out.notices.as_slice() {
        [Notice { event: Event::VolunteerNoShow { penalty, blocked, .. }, .. }] => (*penalty, *blocked),
        other => panic!("expected one VolunteerNoShow notice, got {other:?}"),
    }
}

#[test]
fn two_volunteer_no_shows_cost_60_each_and_block_until_lifted() {
    let w = W::new();
    let v = w.family();
    let outs = no_shows(&w, v, 1..3);
    assert_eq!(outs.iter().map(no_show_notice).collect::<Vec<_>>(), [(60, false), (60, true)]);
    assert_eq!(outs[1].value.earned, 0);
    assert_eq!(w.avail(v), 240);

    let next = w.shift_on("2026-12-20", "09:00", "12:00", 12, 1);
    w.refuses(ServiceError::SignupBlocked, |s| s.volunteer(&as_(v), next));
    let p = w.family();
    w.refuses(ServiceError::NotCoordinator, |s| s.lift_block(&as_(p), v));
    w.svc.lift_block(&w.coord(), v).unwrap();
    w.svc.volunteer(&as_(v), next).unwrap();
}

/// Issue 9 item 6: the block does not wear off by itself.
#[test]
fn a_no_show_block_lasts_until_a_coordinator_lifts_it() {
    let w = W::new();
    let v = w.family();
    let outs = no_shows(&w, v, 1..3);
    let first = outs[0].value.shift.ends_at(w.centre.tz());
    w.clock.set(first + Duration::days(200));
    let day = (w.svc.today(w.centre.tz()) + Duration::days(2)).to_string();
    let shift = w.shift_on(&day, "09:00", "12:00", 12, 1);
    w.refuses(ServiceError::SignupBlocked, |s| s.volunteer(&as_(v), shift));
    w.svc.lift_block(&w.coord(), v).unwrap();
    w.svc.volunteer(&as_(v), shift).expect("lifted");
}

/// Issue 9 item 6: a no-show counts at its shift's date, not when it was settled; two
/// no-shows more than 90 days apart do not block, however late the first was settled.
#[test]
fn a_no_show_is_dated_at_its_shift_not_at_settlement() {
    let w = W::new();
    let v = w.family();
    let first = w.shift_on("2026-12-02", "09:00", "12:00", 12, 1);
    let s1 = w.svc.volunteer(&as_(v), first).unwrap().value;
    w.clock.set(w.starts(first));
    w.svc.record_attendance(&w.coord(), first, &[Mark::Volunteer(s1.id, false)]).unwrap();
    // Settled 80 days late.
    w.clock.set(w.ends(first) + Duration::days(80));
    w.svc.settle_shift(&w.coord(), first).unwrap();
    let later = (w.svc.today(w.centre.tz()) + Duration::days(15)).to_string();
    let second = w.shift_on(&later, "09:00", "12:00", 12, 1);
    let s2 = w.svc.volunteer(&as_(v), second).unwrap().value;
    w.clock.set(w.starts(second));
    w.svc.record_attendance(&w.coord(), second, &[Mark::Volunteer(s2.id, false)]).unwrap();
    w.clock.set(w.ends(second));
    let out = w.svc.settle_shift(&w.coord(), second).unwrap();
    assert_eq!(no_show_notice(&out), (60, false), "95 days apart by shift date");
    let m = w.svc.member(v).unwrap().unwrap();
    assert_eq!(m.no_shows, vec![w.starts(first), w.starts(second)]);
    let next = (w.svc.today(w.centre.tz()) + Duration::days(1)).to_string();
    let next = w.shift_on(&next, "09:00", "12:00", 12, 1);
    w.svc.volunteer(&as_(v), next).expect("not blocked");
}

#[test]
fn a_no_show_penalty_never_takes_a_family_below_its_floor() {
    let w = W::new();
    let v = w.family();
    w.svc.grant(&w.coord(), v, -330, "correction").unwrap();
    let outs = no_shows(&w, v, 1..2);
    assert_eq!(no_show_notice(&outs[0]), (30, false));
    assert_eq!(w.avail(v), 0);
}

// ----- volunteers -----

#[test]
fn a_volunteer_dropping_leaves_every_child_and_alerts_every_coordinator() {
    let w = W::new();
    let second_coord = w.family();
    w.svc.set_role(&w.coord(), second_coord, Role::Coordinator).unwrap();
    let shift = w.shift_on(DAY, "09:00", "10:00", 12, 1);
    let (v, v2) = (w.family(), w.family());
    let s = w.svc.volunteer(&as_(v), shift).unwrap().value;
    // Two caregivers carry 6 infants (6 x 35 = 210).
    let kids = w.children(6, INFANT);
    let ids: Vec<BookingId> = kids.iter().map(|(p, c)| w.book(*p, shift, *c).value.booking.id).collect();
    assert!(ids.iter().all(|b| w.status(*b) == BookingStatus::Confirmed));

    let out = w.svc.drop_signup(&as_(v), s.id).unwrap();
    assert_eq!(out.value.status, SignupStatus::Dropped);
    let alerted = told(&out.notices, |e| matches!(e, Event::Understaffed { missing: 1, shift: b } if b.id == shift));
    assert_eq!(alerted, sorted(vec![COORD, second_coord]));
    assert_eq!(out.notices.len(), 2);
    assert!(ids.iter().all(|b| w.status(*b) == BookingStatus::Confirmed), "no child is dropped");
    assert!(w.shift_rec(shift).understaffed);
    assert_eq!(w.svc.schedule(v, date(DAY), 1).unwrap()[0].volunteers_needed, 1);

    let out = w.svc.volunteer(&as_(v2), shift).unwrap();
    assert!(out.notices.is_empty());
    assert!(!w.shift_rec(shift).understaffed);
}

#[test]
fn a_reinstated_coordinator_is_told_again() {
    let w = W::new();
    let other = w.family();
    w.svc.set_role(&w.coord(), other, Role::Coordinator).unwrap();
    w.svc.suspend_member(&w.coord(), other).unwrap();
    assert_eq!(w.svc.coordinators_of(w.centre.id).unwrap(), vec![COORD]);
    w.svc.approve_member(&w.coord(), other).unwrap();
    assert_eq!(sorted(w.svc.coordinators_of(w.centre.id).unwrap()), sorted(vec![COORD, other]));
    let shift = w.shift_on(DAY, "09:00", "10:00", 12, 0);
    let v = w.family();
    let s = w.svc.volunteer(&as_(v), shift).unwrap().value;
    w.book(v, shift, w.child(v, OLDER));
    let out = w.svc.drop_signup(&as_(v), s.id).unwrap();
    assert_eq!(told(&out.notices, |e| matches!(e, Event::Understaffed { .. })), sorted(vec![COORD, other]));
}

#[test]
fn a_volunteer_cannot_be_at_two_overlapping_shifts() {
    let w = W::new();
    let v = w.family();
    let a = w.shift_on(DAY, "09:00", "12:00", 12, 1);
    let b = w.shift_on(DAY, "11:00", "13:00", 12, 1);
    let c = w.shift_on(DAY, "12:00", "13:00", 12, 1);
    let s = w.svc.volunteer(&as_(v), a).unwrap().value;
    w.refuses(ServiceError::AlreadySignedUp, |svc| svc.volunteer(&as_(v), a));
    w.refuses(ServiceError::VolunteerClash(a), |svc| svc.volunteer(&as_(v), b));
    let sc = w.svc.volunteer(&as_(v), c).expect("back-to-back is no clash").value;
    w.svc.drop_signup(&as_(v), s.id).unwrap();
    w.refuses(ServiceError::VolunteerClash(c), |svc| svc.volunteer(&as_(v), b));
    w.svc.drop_signup(&as_(v), sc.id).unwrap();
    w.svc.volunteer(&as_(v), b).expect("free again after dropping");
}

#[test]
fn a_signup_offered_for_swap_changes_hands_only_when_taken() {
    let w = W::new();
    let shift = w.shift_on(DAY, "09:00", "12:00", 12, 1);
    let (v1, v2) = (w.family(), w.family());
    let s = w.svc.volunteer(&as_(v1), shift).unwrap().value;
    w.refuses(ServiceError::NotOffered, |svc| svc.take_swap(&as_(v2), s.id));
    w.refuses(ServiceError::UnknownSignup, |svc| svc.offer_swap(&as_(v2), s.id));
    assert!(w.svc.offer_swap(&as_(v1), s.id).unwrap().value.offered_for_swap);
    let offered = w.svc.swaps_offered(v2, 7).unwrap();
    assert_eq!(offered.iter().map(|(o, sh, _)| (o.id, sh.id)).collect::<Vec<_>>(), vec![(s.id, shift)]);
    assert_eq!(w.svc.schedule(v1, date(DAY), 1).unwrap()[0].volunteers, 1, "still on duty until taken");
    w.refuses(ServiceError::AlreadySignedUp, |svc| svc.take_swap(&as_(v1), s.id));

    let out = w.svc.take_swap(&as_(v2), s.id).unwrap();
    assert_eq!((out.value.user, out.value.status), (v2, SignupStatus::SignedUp));
    assert_eq!(told(&out.notices, |e| matches!(e, Event::SwapTaken { signup, .. } if *signup == s.id)), vec![v1]);
    assert_eq!(w.svc.signup(s.id).unwrap().unwrap().status, SignupStatus::Dropped);
    let view = &w.svc.schedule(v2, date(DAY), 1).unwrap()[0];
    assert_eq!((view.volunteers, view.i_volunteer), (1, true));
    w.refuses(ServiceError::NotOffered, |svc| svc.take_swap(&as_(v1), s.id));
}

// ----- families -----

#[test]
fn two_guardians_booking_at_the_same_time_share_one_account() {
    let w = W::new();
    let g1 = w.family();
    let g2 = w.guardian(g1);
    let kids = [w.child(g1, OLDER), w.child(g2, TODDLER), w.child(g1, INFANT)];
    let shift = w.shift_on(DAY, "09:00", "11:00", 12, 2);
    let race = |jobs: [(UserId, ChildId); 2]| -> Vec<Result<Outcome<BookResult>, ServiceError>> {
        let barrier = Arc::new(Barrier::new(2));
        let handles: Vec<_> = jobs
            .into_iter()
            .map(|(g, c)| {
                let (svc, barrier) = (w.svc.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    svc.book(&as_(g), shift, c)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    };
    // The same child from both phones: booked once.
    let same = race([(g1, kids[0]), (g2, kids[0])]);
    assert_eq!(same.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(same.iter().any(|r| r.as_ref().err() == Some(&ServiceError::AlreadyBooked)));
    // Two children, 120 min each, 120 available: exactly one more fits the account.
    w.svc.grant(&w.coord(), g1, -120, "leave room for one").unwrap();
    let two = race([(g1, kids[1]), (g2, kids[2])]);
    assert_eq!(two.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(two.iter().any(|r| matches!(r, Err(ServiceError::Insufficient { available: 0, needed: 120 }))));
    let bal = w.svc.balance(g2, 10).unwrap();
    assert_eq!((bal.available, bal.held), (0, 240));
    assert_eq!(bal.family, w.svc.my_family(g1).unwrap().id);
    assert_eq!(w.svc.ledger_sum().unwrap(), 0);
}

#[test]
fn the_start_grant_is_paid_once_per_family() {
    let w = W::new();
    let g1 = w.family();
    let out = w.svc.join(&as_(UserId(w.user())), &w.svc.my_family(g1).unwrap().invite_code, "g2").unwrap();
    assert_eq!(told(&out.notices, |e| matches!(e, Event::GuardianRequested { .. })), vec![g1]);
    w.svc.suspend_member(&w.coord(), g1).unwrap();
    w.svc.approve_member(&w.coord(), g1).unwrap();
    let bal = w.svc.balance(g1, 50).unwrap();
    let grants: Vec<i64> =
        bal.recent.iter().filter(|e| e.entry.kind == EntryKind::StartGrant).map(|e| e.signed).collect();
    assert_eq!((grants, bal.available), (vec![360], 360));

    // A pending family whose second guardian is approved first: one grant, both active.
    let p = UserId(w.user());
    w.svc.join(&as_(p), &w.centre.invite_code, "pending").unwrap();
    let family = w.svc.member(p).unwrap().unwrap().family.unwrap();
    let code = w.svc.family(family).unwrap().unwrap().invite_code;
    let q = UserId(w.user());
    let joined = w.svc.join(&as_(q), &code, "q").unwrap().value;
    assert!(matches!(joined, JoinResult::AwaitingFamily { .. }));
    // The pending first guardian confirms; the coordinator's approval then admits both.
    w.svc.confirm_guardian(&as_(p), q).unwrap();
    let out = w.svc.approve_member(&w.coord(), q).unwrap();
    assert_eq!(told(&out.notices, |e| matches!(e, Event::Approved { .. })), sorted(vec![p, q]));
    assert_eq!((w.avail(p), w.avail(q)), (360, 360));
    w.refuses(ServiceError::UnknownMember, |s| s.approve_member(&w.coord(), p));
}

#[test]
fn grants_corrections_and_the_floor() {
    let w = W::new();
    let g1 = w.family();
    let g2 = w.guardian(g1);
    let out = w.svc.grant(&w.coord(), g1, 100, "thanks for painting").unwrap();
    assert_eq!(out.value, 460);
    let granted = told(&out.notices, |e| matches!(e, Event::CreditsGranted { amount: 100, balance: 460, .. }));
    assert_eq!(granted, sorted(vec![g1, g2]));
    assert_eq!(w.svc.grant(&w.coord(), g2, -460, "correction").unwrap().value, 0);
    w.refuses(ServiceError::Insufficient { available: 0, needed: 1 }, |s| s.grant(&w.coord(), g1, -1, "too much"));
    w.refuses(ServiceError::NotCoordinator, |s| s.grant(&as_(g1), g1, 100, "self-service"));
    let entries = w.svc.balance(g1, 3).unwrap().recent;
    assert_eq!(
        entries.iter().map(|e| (e.entry.kind, e.signed)).collect::<Vec<_>>(),
        [(EntryKind::Grant, -460), (EntryKind::Grant, 100), (EntryKind::StartGrant, 360)]
    );
}

#[test]
fn an_overdraft_lets_a_family_go_below_zero_up_to_its_limit() {
    let w = W::new();
    let p = w.family();
    let long = w.shift_on(DAY, "08:00", "17:00", 12, 1);
    let short = w.shift_on("2026-12-04", "09:00", "09:30", 12, 1);
    let (c1, c2) = (w.child(p, OLDER), w.child(p, TODDLER));
    w.refuses(ServiceError::Insufficient { available: 360, needed: 540 }, |s| s.book(&as_(p), long, c1));
    assert_eq!(w.svc.set_overdraft(&w.coord(), p, 200).unwrap().value.overdraft_limit, 200);
    assert_eq!(w.book(p, long, c1).value.available_after, -180);
    w.refuses(ServiceError::Insufficient { available: 20, needed: 30 }, |s| s.book(&as_(p), short, c2));
    assert_eq!(w.svc.grant(&w.coord(), p, -20, "fine").unwrap().value, -200);
    w.refuses(ServiceError::Insufficient { available: 0, needed: 1 }, |s| s.grant(&w.coord(), p, -1, "x"));
    let bal = w.svc.balance(p, 0).unwrap();
    assert_eq!((bal.available, bal.held, bal.overdraft_limit), (-200, 540, 200));
}

// ----- shifts -----

#[test]
fn cancelling_a_shift_releases_every_hold_and_tells_everyone() {
    let w = W::new();
    let shift = w.shift_on(DAY, "09:00", "12:00", 1, 1);
    let g1 = w.family();
    let g2 = w.guardian(g1);
    let (p, v) = (w.family(), w.family());
    let c1 = w.child(g1, OLDER);
    let confirmed = w.book(g1, shift, c1).value.booking;
    let waiting = w.book(p, shift, w.child(p, OLDER)).value.booking;
    let s = w.svc.volunteer(&as_(v), shift).unwrap().value;
    assert_eq!(w.status(waiting.id), BookingStatus::Waitlisted, "the room holds one child");

    let out = w.svc.cancel_shift(&w.coord(), shift, "typhoon").unwrap();
    assert_eq!((out.value.status, out.value.cancel_reason.as_deref()), (ShiftStatus::Cancelled, Some("typhoon")));
    let released = |amount: i64| {
        told(&out.notices, |e| matches!(e, Event::ShiftCancelled { released, .. } if *released == amount))
    };
    assert_eq!(released(180), sorted(vec![g1, g2, p]));
    assert_eq!(released(0), vec![v]);
    for b in [confirmed.id, waiting.id] {
        let b = w.booking(b);
        assert_eq!((b.status, b.held, b.charged), (BookingStatus::Cancelled, 0, 0));
    }
    assert_eq!(w.svc.signup(s.id).unwrap().unwrap().status, SignupStatus::Dropped);
    assert_eq!((w.avail(g1), w.avail(p)), (360, 360));
    assert_eq!(w.svc.account_balance(AccountId::Escrow(w.centre.id)).unwrap(), 0);
    w.refuses(ServiceError::ShiftCancelled, |svc| svc.book(&as_(g1), shift, c1));
    // The child and the volunteer are free for an overlapping shift again.
    let other = w.shift_on(DAY, "10:00", "11:00", 12, 1);
    w.book(g1, other, c1);
    w.svc.volunteer(&as_(v), other).unwrap();
}

#[test]
fn generating_from_a_template_twice_creates_nothing_more() {
    let w = W::new();
    let t = w.svc.create_template(&w.coord(), Weekday::Thu, time("09:00"), time("12:00"), None, None).unwrap().value;
    assert_eq!((t.capacity, t.staff), (12, 1), "the centre's defaults");
    let (from, to) = (date("2026-11-01"), date("2026-12-31"));
    let made = w.svc.generate_shifts(&w.coord(), None, from, to).unwrap().value;
    let dates: Vec<String> = made.iter().map(|s| s.date.to_string()).collect();
    assert_eq!(dates, ["2026-12-03", "2026-12-10", "2026-12-17", "2026-12-24", "2026-12-31"], "past dates skipped");
    assert!(made.iter().all(|s| s.template == Some(t.id) && s.start == time("09:00")));

    let before = w.snapshot();
    assert!(w.svc.generate_shifts(&w.coord(), Some(t.id), from, to).unwrap().value.is_empty());
    assert_unchanged(&before, &w.snapshot());
    assert_eq!(w.svc.schedule(COORD, date("2026-12-01"), 31).unwrap().len(), 5);
}

// ----- visibility -----

#[test]
fn a_roster_shows_notes_to_the_shifts_volunteers_and_staff_only() {
    let w = W::new();
    let shift = w.shift_on(DAY, "09:00", "12:00", 12, 1);
    let elsewhere = w.shift_on("2026-12-04", "09:00", "12:00", 12, 1);
    let (p, v, other, staff) = (w.family(), w.family(), w.family(), w.family());
    w.svc.set_role(&w.coord(), staff, Role::Staff).unwrap();
    let c = w.svc.add_child(&as_(p), "Mei", date(OLDER), Some("peanut allergy")).unwrap().value;
    w.book(p, shift, c.id);
    let s = w.svc.volunteer(&as_(v), shift).unwrap().value;
    w.svc.volunteer(&as_(other), elsewhere).unwrap();

    for u in [p, other] {
        assert_eq!(w.svc.roster(u, shift).unwrap_err(), ServiceError::NotStaff);
    }
    // Two days before, only the coordinator sees the notes (issue 9 item 10).
    let notes_of = |u: UserId| w.svc.roster(u, shift).unwrap().children[0].notes.clone();
    assert_eq!((notes_of(v), notes_of(staff), notes_of(COORD)), (None, None, Some("peanut allergy".into())));
    w.clock.set(w.starts(shift) - Duration::hours(24));
    for u in [v, staff, COORD] {
        let r = w.svc.roster(u, shift).unwrap();
        let kids: Vec<(&str, Option<&str>)> =
            r.children.iter().map(|k| (k.name.as_str(), k.notes.as_deref())).collect();
        assert_eq!(kids, [("Mei", Some("peanut allergy"))]);
        assert_eq!(r.children[0].months, 30);
        assert_eq!(r.volunteers.iter().map(|x| x.user).collect::<Vec<_>>(), [v]);
    }
    w.svc.drop_signup(&as_(v), s.id).unwrap();
    assert_eq!(w.svc.roster(v, shift).unwrap_err(), ServiceError::NotStaff);
}

// ----- idempotence -----

#[test]
fn a_replayed_request_answers_the_same_and_changes_nothing() {
    let w = W::new();
    let p = w.family();
    let c = w.child(p, OLDER);
    let shift = w.shift_on(DAY, "09:00", "12:00", 12, 1);
    let req = Caller::with_request(p, "update-1");
    let first = w.svc.book(&req, shift, c).unwrap();
    assert!(!first.replayed);
    let before = w.snapshot();
    let again = w.svc.book(&req, shift, c).unwrap();
    assert!(again.replayed);
    assert_eq!(again.value, first.value);
    assert_unchanged(&before, &w.snapshot());
    assert_eq!(w.avail(p), 180);

    // Without the key the same press is a new request, and the child is booked already.
    w.refuses(ServiceError::AlreadyBooked, |s| s.book(&as_(p), shift, c));
    // Another user's request with the same key is not a replay of this one.
    let q = w.family();
    let other = w.svc.book(&Caller::with_request(q, "update-1"), shift, w.child(q, OLDER)).unwrap();
    assert!(!other.replayed);
    assert_ne!(other.value.booking.id, first.value.booking.id);

    let cancel = Caller::with_request(p, "callback-7");
    w.clock.set(w.starts(shift) - Duration::hours(1));
    assert_eq!(w.svc.cancel_booking(&cancel, first.value.booking.id).unwrap().value.charged, 90);
    let before = w.snapshot();
    let again = w.svc.cancel_booking(&cancel, first.value.booking.id).unwrap();
    assert!(again.replayed);
    assert_eq!(again.value.charged, 90);
    assert_unchanged(&before, &w.snapshot());
    assert_eq!(w.avail(p), 270);
}

#[test]
fn no_cancelling_a_booking_once_the_shift_began_nor_a_shift_once_it_ended() {
    let w = W::new();
    let shift = w.shift_on(DAY, "09:00", "12:00", 10, 1);
    let (parent, child) = w.children(1, INFANT)[0];
    let b = w.book(parent, shift, child).value.booking.id;
    w.clock.set(w.starts(shift));
    w.refuses(ServiceError::ShiftStarted, |s| s.cancel_booking(&as_(parent), b));
    assert_eq!(w.status(b), BookingStatus::Confirmed);
    // Midway a typhoon may still stop the shift...
    let other = w.shift_on("2026-12-04", "09:00", "12:00", 10, 1);
    w.clock.set(w.starts(other) + Duration::hours(1));
    assert_eq!(w.svc.cancel_shift(&w.coord(), other, "typhoon").unwrap().value.status, ShiftStatus::Cancelled);
    // ...but one that has ended is settled, not cancelled.
    w.clock.set(w.ends(shift));
    w.refuses(ServiceError::ShiftStarted, |s| s.cancel_shift(&w.coord(), shift, "too late"));
}

// ----- issue 9: safe at the edges -----

/// `n` children born `birth`, each in a family of its own (so every one can pay).
fn own_families(w: &W, n: usize, birth: &str) -> Vec<(UserId, ChildId)> {
    (0..n)
        .map(|_| {
            let p = w.family();
            (p, w.child(p, birth))
        })
        .collect()
}

/// Pending jobs of a shift: its cover search and asks, and the reminders of `signups`.
fn jobs_of_shift(w: &W, shift: ShiftId, signups: &[SignupId]) -> Vec<JobKind> {
    w.svc
        .pending_jobs()
        .unwrap()
        .into_iter()
        .map(|j| j.kind)
        .filter(|k| match k {
            JobKind::CoverRound { shift: s } | JobKind::CoverAsk { shift: s, .. } => *s == shift,
            JobKind::Volunteer { signup, .. } => signups.contains(signup),
            _ => false,
        })
        .collect()
}

/// Item 1: moved earlier, toddlers become infants: groups, the understaffed flag, the
/// coordinators' alert, the search for cover and the holds all follow the new date.
#[test]
fn moving_a_shift_earlier_makes_toddlers_infants_and_flags_it_understaffed() {
    let w = W::new();
    let shift = w.shift_on("2026-12-10", "09:00", "12:00", 12, 1);
    // Born 2025-12-05: 12 months (toddler) on the 10th, 11 months (infant) on the 4th.
    let kids = own_families(&w, 5, "2025-12-05");
    let ids: Vec<BookingId> = kids.iter().map(|(p, c)| w.book(*p, shift, *c).value.booking.id).collect();
    assert!(ids.iter().all(|b| w.status(*b) == BookingStatus::Confirmed), "5 toddlers = 105 units");
    assert!(!w.shift_rec(shift).understaffed);

    let out = w.svc.move_shift(&w.coord(), shift, date("2026-12-04"), time("09:00"), time("13:00")).unwrap();
    for b in &ids {
        let b = w.booking(*b);
        assert_eq!((b.group, b.status, b.held), (AgeGroup::Infant, BookingStatus::Confirmed, 240));
    }
    assert!(w.shift_rec(shift).understaffed, "5 infants = 175 units for one caregiver");
    let alerted = told(&out.notices, |e| matches!(e, Event::Understaffed { missing: 1, .. }));
    assert_eq!(alerted, vec![COORD]);
    assert!(jobs_of_shift(&w, shift, &[]).contains(&JobKind::CoverRound { shift }));
    // The longer shift holds 60 more of each family.
    assert!(kids.iter().all(|(p, _)| w.avail(*p) == 120));
    assert_eq!(w.svc.account_balance(AccountId::Escrow(w.centre.id)).unwrap(), 5 * 240);
    assert_eq!(w.svc.ledger_sum().unwrap(), 0);
}

/// Item 1: over the class cap on the new date, the last confirmed go back to the head of
/// the waitlist (last booked first) and their families are told; a shorter shift
/// releases part of every hold.
#[test]
fn moving_a_shift_over_a_class_cap_sends_the_last_booked_back_to_the_waitlist() {
    let w = W::new();
    let shift = w.shift_on("2026-12-10", "09:00", "10:00", 20, 4);
    let kids = own_families(&w, 11, "2025-12-05");
    let ids: Vec<BookingId> = kids.iter().map(|(p, c)| w.book(*p, shift, *c).value.booking.id).collect();
    assert!(ids.iter().all(|b| w.status(*b) == BookingStatus::Confirmed), "11 toddlers, cap 15");

    let out = w.svc.move_shift(&w.coord(), shift, date("2026-12-04"), time("09:00"), time("09:30")).unwrap();
    let statuses: Vec<BookingStatus> = ids.iter().map(|b| w.status(*b)).collect();
    assert_eq!(statuses[..10], [BookingStatus::Confirmed; 10], "infant class cap 10");
    assert_eq!(statuses[10], BookingStatus::Waitlisted);
    let last = kids[10].0;
    let back = told(&out.notices, |e| matches!(e, Event::MoveWaitlisted { booking, .. } if *booking == ids[10]));
    assert_eq!(back, vec![last]);
    for b in &ids {
        assert_eq!(w.booking(*b).held, 30, "a 30-minute shift holds 30");
    }
    assert!(kids.iter().all(|(p, _)| w.avail(*p) == 330));
    assert!(!w.shift_rec(shift).understaffed, "10 infants = 350 units, 4 staff carry 420");
    assert_eq!(w.svc.schedule(COORD, date("2026-12-04"), 1).unwrap()[0].waitlist, 1);
}

/// Item 1: a child too old on the new date, and a family that cannot hold the longer
/// shift, are cancelled with a full refund and told why; the others pay the difference.
#[test]
fn moving_a_shift_cancels_who_no_longer_fits_with_a_full_refund() {
    let w = W::new();
    let shift = w.shift_on("2026-12-04", "09:00", "12:00", 12, 2);
    let (old_p, ok_p, poor_p) = (w.family(), w.family(), w.family());
    // 35 months on the 4th, 36 (too old) on the 10th.
    let too_old = w.book(old_p, shift, w.child(old_p, "2023-12-08")).value.booking.id;
    let fine = w.book(ok_p, shift, w.child(ok_p, OLDER)).value.booking.id;
    let poor = w.book(poor_p, shift, w.child(poor_p, OLDER)).value.booking.id;
    w.svc.grant(&w.coord(), poor_p, -150, "correction").unwrap();
    assert_eq!(w.avail(poor_p), 30);

    let out = w.svc.move_shift(&w.coord(), shift, date("2026-12-10"), time("09:00"), time("13:00")).unwrap();
    let cancelled = |b: BookingId| {
        let b = w.booking(b);
        (b.status, b.held, b.charged)
    };
    assert_eq!(cancelled(too_old), (BookingStatus::Cancelled, 0, 0));
    assert_eq!(cancelled(poor), (BookingStatus::Cancelled, 0, 0));
    assert_eq!(cancelled(fine), (BookingStatus::Confirmed, 240, 0));
    assert_eq!((w.avail(old_p), w.avail(ok_p), w.avail(poor_p)), (360, 120, 210));
    let age = told(&out.notices, |e| {
        matches!(e, Event::MoveCancelled { why: MoveDrop::Age(AgeProblem::TooOld { .. }), released: 180, .. })
    });
    assert_eq!(age, vec![old_p]);
    let credits = told(&out.notices, |e| {
        matches!(e, Event::MoveCancelled { why: MoveDrop::Credits { needed: 60 }, released: 180, .. })
    });
    assert_eq!(credits, vec![poor_p]);
    assert_eq!(w.shift_rec(shift).bookings, vec![fine]);
    assert_eq!(w.svc.account_balance(AccountId::Escrow(w.centre.id)).unwrap(), 240);
    // The cancelled child is free on the new date again.
    let other = w.shift_on("2026-12-10", "10:00", "11:00", 12, 1);
    w.book(poor_p, other, w.booking(poor).child);
}

/// Item 2: children over 18 months share a mixed class of at most 18.
#[test]
fn a_mixed_class_holds_at_most_18_children() {
    let w = W::new();
    let shift = w.shift_on(DAY, "09:00", "09:30", 30, 5);
    let mut kids = own_families(&w, 17, OLDER);
    kids.extend(own_families(&w, 1, TODDLER));
    for (p, c) in &kids {
        assert_eq!(w.book(*p, shift, *c).value.booking.status, BookingStatus::Confirmed);
    }
    let (p, c) = own_families(&w, 1, OLDER)[0];
    let r = w.book(p, shift, c).value;
    assert_eq!(r.booking.status, BookingStatus::Waitlisted, "19 in a mixed class");
    assert_eq!(w.svc.schedule(p, date(DAY), 1).unwrap()[0].free, [0, 0, 0]);
    // One group alone may reach its own cap (20 older toddlers).
    let single = w.shift_on(DAY, "10:00", "10:30", 30, 5);
    for (p, c) in own_families(&w, 20, OLDER) {
        assert_eq!(w.book(p, single, c).value.booking.status, BookingStatus::Confirmed);
    }
}

/// Item 3: a suspended volunteer leaves the rota: future signups dropped (understaffed,
/// coordinators told, cover sought, reminders gone), the whole family's future holds
/// released, and nothing earned at a shift already under way.
#[test]
fn a_suspended_member_leaves_the_rota() {
    let w = W::new();
    let shift = w.shift_on(DAY, "09:00", "12:00", 12, 0);
    let later = w.shift_on("2026-12-05", "09:00", "12:00", 12, 1);
    let v = w.family();
    let s = w.svc.volunteer(&as_(v), shift).unwrap().value;
    let held = w.book(v, later, w.child(v, OLDER)).value.booking.id;
    let kids = own_families(&w, 3, INFANT);
    let ids: Vec<BookingId> = kids.iter().map(|(p, c)| w.book(*p, shift, *c).value.booking.id).collect();
    assert!(ids.iter().all(|b| w.status(*b) == BookingStatus::Confirmed));
    assert!(jobs_of_shift(&w, shift, &[s.id]).iter().any(|k| matches!(k, JobKind::Volunteer { .. })));

    let out = w.svc.suspend_member(&w.coord(), v).unwrap();
    assert_eq!(w.svc.signup(s.id).unwrap().unwrap().status, SignupStatus::Dropped);
    assert!(w.shift_rec(shift).understaffed);
    assert!(ids.iter().all(|b| w.status(*b) == BookingStatus::Confirmed), "no child dropped");
    assert_eq!(told(&out.notices, |e| matches!(e, Event::Understaffed { .. })), vec![COORD]);
    let jobs = jobs_of_shift(&w, shift, &[s.id]);
    assert!(jobs.contains(&JobKind::CoverRound { shift }), "{jobs:?}");
    assert!(!jobs.iter().any(|k| matches!(k, JobKind::Volunteer { .. })), "no reminder left: {jobs:?}");
    let b = w.booking(held);
    assert_eq!((b.status, b.held, b.charged), (BookingStatus::Cancelled, 0, 0));
    assert_eq!(w.svc.family(w.svc.member(v).unwrap().unwrap().family.unwrap()).unwrap().unwrap().held, 0);

    // Suspended once the shift is under way: on duty, but earns nothing.
    let u = w.family();
    let third = w.shift_on("2026-12-06", "09:00", "12:00", 12, 1);
    w.svc.volunteer(&as_(u), third).unwrap();
    w.clock.set(w.starts(third) + Duration::minutes(10));
    w.svc.suspend_member(&w.coord(), u).unwrap();
    w.clock.set(w.ends(third));
    let r = w.svc.settle_shift(&w.coord(), third).unwrap();
    assert_eq!(r.value.earned, 0);
    assert!(!r.notices.iter().any(|n| matches!(n.event, Event::Earned { .. })));
}

/// Item 3: one guardian suspended, the other still active: the family keeps its bookings.
#[test]
fn suspending_one_guardian_keeps_the_familys_bookings() {
    let w = W::new();
    let shift = w.shift_on(DAY, "09:00", "12:00", 12, 1);
    let g1 = w.family();
    let g2 = w.guardian(g1);
    let b = w.book(g1, shift, w.child(g1, OLDER)).value.booking.id;
    w.svc.suspend_member(&w.coord(), g1).unwrap();
    assert_eq!(w.status(b), BookingStatus::Confirmed);
    assert_eq!(w.avail(g2), 180);
}

/// Item 4: no attendance (and so no no-show charge) before the shift starts.
#[test]
fn attendance_only_once_the_shift_has_started() {
    let w = W::new();
    let shift = w.shift_on(DAY, "09:00", "12:00", 12, 1);
    let p = w.family();
    let b = w.book(p, shift, w.child(p, OLDER)).value.booking.id;
    w.clock.set(w.starts(shift) - Duration::seconds(1));
    w.refuses(ServiceError::ShiftNotStarted, |s| s.record_attendance(&w.coord(), shift, &[Mark::Child(b, false)]));
    w.clock.set(w.starts(shift));
    w.svc.record_attendance(&w.coord(), shift, &[Mark::Child(b, false)]).unwrap();
}

/// Item 5: a coordinator cancelling a family's booking late charges the family nothing.
#[test]
fn a_booking_cancelled_by_a_coordinator_is_free() {
    let w = W::new();
    let shift = w.shift_on(DAY, "09:00", "12:00", 12, 1);
    let p = w.family();
    let b = w.book(p, shift, w.child(p, OLDER)).value.booking.id;
    w.clock.set(w.starts(shift) - Duration::hours(1));
    let out = w.svc.cancel_booking(&w.coord(), b).unwrap();
    assert_eq!((out.value.status, out.value.held, out.value.charged), (BookingStatus::Cancelled, 0, 0));
    assert_eq!(w.avail(p), 360);
}

/// Item 7: a family with two children on a shift (and a guardian volunteering there) is
/// told once per person, with the family's total.
#[test]
fn cancelling_a_shift_tells_each_person_once_with_the_familys_total() {
    let w = W::new();
    let shift = w.shift_on(DAY, "09:00", "12:00", 12, 1);
    let g1 = w.family();
    let g2 = w.guardian(g1);
    w.svc.grant(&w.coord(), g1, 60, "top up").unwrap();
    w.book(g1, shift, w.child(g1, OLDER));
    w.book(g2, shift, w.child(g1, TODDLER));
    w.svc.volunteer(&as_(g2), shift).unwrap();
    let out = w.svc.cancel_shift(&w.coord(), shift, "typhoon").unwrap();
    let to: Vec<UserId> = sorted(out.notices.iter().map(|n| n.to).collect());
    assert_eq!(to, sorted(vec![g1, g2]), "one notice each: {:?}", out.notices);
    assert!(out.notices.iter().all(|n| matches!(n.event, Event::ShiftCancelled { released: 360, .. })));
}

/// Item 7: `/cancelday`: every shift of the day in one step, a preview of what it touches
/// first, and each person told once in all, listing their shifts.
#[test]
fn cancelling_a_day_cancels_every_shift_and_tells_each_person_once() {
    let w = W::new();
    let (a, b) = (w.shift_on(DAY, "09:00", "12:00", 12, 1), w.shift_on(DAY, "14:00", "16:00", 12, 1));
    let elsewhere = w.shift_on("2026-12-04", "09:00", "12:00", 12, 1);
    let (p, q, v) = (w.family(), w.family(), w.family());
    w.book(p, a, w.child(p, OLDER));
    w.book(p, b, w.child(p, TODDLER));
    w.book(q, b, w.child(q, OLDER));
    w.book(q, elsewhere, w.child(q, INFANT));
    w.svc.volunteer(&as_(v), a).unwrap();
    w.svc.volunteer(&as_(v), b).unwrap();

    let before = w.snapshot();
    let preview = w.svc.cancel_day_preview(COORD, date(DAY)).unwrap();
    assert_unchanged(&before, &w.snapshot());
    assert_eq!((preview.shifts.len(), preview.children, preview.families, preview.volunteers), (2, 3, 2, 2));
    w.refuses(ServiceError::NotCoordinator, |s| s.cancel_day(&as_(p), date(DAY), "typhoon"));
    w.refuses(ServiceError::NothingToCancel, |s| s.cancel_day(&w.coord(), date("2026-12-20"), "typhoon"));

    let out = w.svc.cancel_day(&w.coord(), date(DAY), "typhoon").unwrap();
    assert_eq!(out.value, preview);
    for s in [a, b] {
        assert_eq!(w.shift_rec(s).status, ShiftStatus::Cancelled);
    }
    assert_eq!(w.shift_rec(elsewhere).status, ShiftStatus::Open);
    assert_eq!(sorted(out.notices.iter().map(|n| n.to).collect()), sorted(vec![p, q, v]));
    let of = |u: UserId| {
        out.notices
            .iter()
            .find_map(|n| match &n.event {
                Event::DayCancelled { shifts, released, .. } if n.to == u => {
                    Some((shifts.iter().map(|s| s.id).collect::<Vec<_>>(), *released))
                }
                _ => None,
            })
            .unwrap()
    };
    assert_eq!(of(p), (vec![a, b], 300));
    assert_eq!(of(q), (vec![b], 120));
    assert_eq!(of(v), (vec![a, b], 0));
    assert_eq!((w.avail(p), w.avail(q)), (360, 180));
    assert_eq!(w.svc.account_balance(AccountId::Escrow(w.centre.id)).unwrap(), 180);
}

/// A confirmation handled again (the bot stopped after the change, before its answer
/// went out) answers what the first handling did; a second press is refused.
#[test]
fn a_day_cancellation_confirmed_and_handled_again_answers_the_same() {
    let w = W::new();
    let a = w.shift_on(DAY, "09:00", "12:00", 12, 1);
    let p = w.family();
    w.book(p, a, w.child(p, OLDER));
    let (draft, preview) = w.svc.draft_cancel_day(&w.coord(), date(DAY), "typhoon").unwrap().value;
    let press = Caller::with_request(COORD, "update-77");
    let first = w.svc.confirm_cancel_day(&press, draft).unwrap();
    let after = w.snapshot();
    let again = w.svc.confirm_cancel_day(&press, draft).expect("the same answer, not a refusal");
    assert!(!first.replayed && again.replayed);
    assert_eq!((first.value.clone(), again.value), (preview.clone(), preview));
    assert_unchanged(&after, &w.snapshot());
    w.refuses(ServiceError::NothingToCancel, |s| {
        s.confirm_cancel_day(&Caller::with_request(COORD, "update-78"), draft)
    });
    assert_eq!(w.shift_rec(a).status, ShiftStatus::Cancelled);
}

/// Item 9: every number a centre may set can be changed, within its range, and takes effect.
#[test]
fn every_centre_setting_can_be_changed_and_takes_effect() {
    let w = W::new();
    for change in [
        SettingChange::Ages(12, 30),
        SettingChange::EarnRate(3),
        SettingChange::CostRate(2),
        SettingChange::StartGrant(600),
        SettingChange::FreeCancelHours(48),
        SettingChange::LateCancelPercent(30),
        SettingChange::NoShowPenalty(90),
        SettingChange::NoShowBlock(3, 60),
        SettingChange::AutoSettleHours(6),
        SettingChange::Capacity(15),
        SettingChange::Staff(2),
        SettingChange::Waitlist(5),
    ] {
        w.svc.change_setting(&w.coord(), &change).unwrap();
    }
    let p = w.svc.settings(COORD).unwrap().policy;
    assert_eq!((p.min_age_months, p.max_age_months, p.earn_per_minute, p.cost_per_child_minute), (12, 30, 3, 2));
    assert_eq!((p.start_grant_minutes, p.free_cancel_hours, p.late_cancel_percent), (600, 48, 30));
    assert_eq!((p.volunteer_no_show_penalty, p.no_show_block_count, p.no_show_window_days), (90, 3, 60));
    assert_eq!((p.auto_settle_hours, p.default_capacity, p.default_staff, p.max_waitlist), (6, 15, 2, 5));
    let shift = w.svc.create_shift(&w.coord(), date(DAY), time("09:00"), time("12:00"), None, None).unwrap().value;
    assert_eq!((shift.capacity, shift.staff), (15, 2));
    let f = w.family();
    assert_eq!(w.avail(f), 600);
    let r = w.book(f, shift.id, w.child(f, TODDLER)).value;
    assert_eq!(r.cost, 360, "2 per child-minute");
    // An infant (9 months on the day) is younger than the centre now accepts.
    let baby = w.child(f, INFANT);
    w.refuses(ServiceError::ChildAge(AgeProblem::TooYoung { months: 9, min_months: 12 }), |s| {
        s.book(&as_(f), shift.id, baby)
    });
}

/// Item 10: parents set and clear notes; only coordinators and, around the shift, its
/// staff and volunteers see them; no notice carries them; replay records never keep them.
#[test]
fn childrens_notes_are_set_by_parents_and_kept_out_of_replay_records() {
    let w = W::new();
    let shift = w.shift_on(DAY, "09:00", "12:00", 12, 1);
    let (p, stranger, v) = (w.family(), w.family(), w.family());
    let added = w.svc.add_child(&Caller::with_request(p, "u1"), "Mei", date(OLDER), Some("SECRET-egg")).unwrap();
    assert_eq!(added.value.notes, None, "the answer kept for replays has no notes");
    assert!(added.notices.is_empty());
    let c = added.value.id;
    assert_eq!(w.svc.child(c).unwrap().unwrap().notes.as_deref(), Some("SECRET-egg"));
    // Another family cannot touch them; text too long changes nothing.
    w.refuses(ServiceError::UnknownChild, |s| s.set_child_notes(&as_(stranger), c, Some("x")));
    w.refuses(ServiceError::BadText { max: 300 }, |s| s.set_child_notes(&as_(p), c, Some(&"x".repeat(301))));
    let set = w.svc.set_child_notes(&Caller::with_request(p, "u2"), c, Some("SECRET-peanut")).unwrap();
    assert!(set.notices.is_empty());
    w.book(p, shift, c);
    w.svc.volunteer(&as_(v), shift).unwrap();
    w.clock.set(w.starts(shift) - Duration::hours(2));
    assert_eq!(w.svc.roster(v, shift).unwrap().children[0].notes.as_deref(), Some("SECRET-peanut"));
    assert_eq!(w.svc.roster(stranger, shift).unwrap_err(), ServiceError::NotStaff);
    // Three days after, the volunteer no longer sees them; the coordinator does.
    w.clock.set(w.starts(shift) + Duration::days(3));
    assert_eq!(w.svc.roster(v, shift).unwrap().children[0].notes, None);
    assert_eq!(w.svc.roster(COORD, shift).unwrap().children[0].notes.as_deref(), Some("SECRET-peanut"));
    for entry in w.svc.store().tree(T::Processed).iter() {
        let (_, value) = entry.unwrap();
        assert!(!String::from_utf8_lossy(&value).contains("SECRET"), "a replay record keeps notes");
    }
    // Cleared with nothing.
    w.svc.set_child_notes(&as_(p), c, None).unwrap();
    assert_eq!(w.svc.child(c).unwrap().unwrap().notes, None);
}

/// Item 3: a suspended guardian gets no family reminder; the active one still does.
#[test]
fn a_suspended_guardian_gets_no_family_reminder() {
    let w = W::new();
    let shift = w.shift_on(DAY, "09:00", "12:00", 12, 1);
    let g1 = w.family();
    let g2 = w.guardian(g1);
    let b = w.book(g1, shift, w.child(g1, OLDER)).value.booking.id;
    w.svc.suspend_member(&w.coord(), g2).unwrap();
    let job = w
        .svc
        .pending_jobs()
        .unwrap()
        .into_iter()
        .find(|j| j.kind == JobKind::Family { booking: b })
        .expect("a family reminder");
    w.clock.set(job.due);
    match w.svc.prepare_job(&job).unwrap() {
        JobStep::Send { to, .. } => assert_eq!(to, vec![g1]),
        other => panic!("expected a send, got {other:?}"),
    }
}

/// Item 17: an ask for cover to a member without a family promises no credits; a
/// family's member is promised its earning.
#[test]
fn an_ask_for_cover_promises_credits_only_to_a_family() {
    let w = W::new();
    let p = w.family();
    let shift = w.shift_on(DAY, "09:00", "12:00", 12, 0);
    let round = w.svc.pending_jobs().unwrap().into_iter().find(|j| j.kind == JobKind::CoverRound { shift }).unwrap();
    let asked = w.svc.run_cover_round(&round).unwrap();
    assert!(asked.contains(&COORD) && asked.contains(&p), "{asked:?}");
    let earn_of = |u: UserId| {
        let job = w
            .svc
            .pending_jobs()
            .unwrap()
            .into_iter()
            .find(|j| j.kind == JobKind::CoverAsk { shift, user: u })
            .expect("an ask");
        match w.svc.prepare_job(&job).unwrap() {
            JobStep::Send { reminder: Reminder::CoverAsk { earn, .. }, .. } => earn,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!((earn_of(COORD), earn_of(p)), (0, 360));
}
