//! Bad input gets a typed error and changes nothing (DESIGN.md section 5).

use std::fmt::Debug;

use chrono::{Duration, Weekday};
use huzhu::domain::*;
use huzhu::service::*;
use huzhu::store::T;
use huzhu::testing::{date, time, Fixture, ADMIN, COORD};

const OLDER: &str = "2024-06-01";
const DAY: &str = "2026-12-03";
/// An id no record has.
const MISSING: u64 = 9_999;

type Snapshot = Vec<Vec<(Vec<u8>, Vec<u8>)>>;

fn as_(user: UserId) -> Caller {
    Caller::new(user)
}

/// Centre 1 (the fixture's) with two families, a shift, a booking and a signup, and a
/// second centre with the same kinds of records.
struct W {
    f: Fixture,
    p: UserId,
    child: ChildId,
    q: UserId,
    q_child: ChildId,
    shift: ShiftId,
    booking: BookingId,
    v: UserId,
    signup: SignupId,
    other: Other,
}

/// The second centre's records.
struct Other {
    coord: UserId,
    parent: UserId,
    child: ChildId,
    shift: ShiftId,
    booking: BookingId,
    signup: SignupId,
    template: TemplateId,
}

impl W {
    fn new() -> W {
        let f = Fixture::new();
        let (p, q, v) = (f.family(10, "P"), f.family(20, "Q"), f.family(30, "V"));
        let (child, q_child) = (f.child(p, "Mei", OLDER), f.child(q, "Lei", OLDER));
        let shift = f.shift(DAY, "09:00", "12:00", 12);
        let booking = f.svc.book(&as_(p), shift, child).unwrap().value.booking.id;
        let signup = f.svc.volunteer(&as_(v), shift).unwrap().value.id;
        let other = Other::new(&f);
        W { f, p, child, q, q_child, shift, booking, v, signup, other }
    }

    fn svc(&self) -> &Service {
        &self.f.svc
    }

    fn coord(&self) -> Caller {
        self.f.coord()
    }

    fn snapshot(&self) -> Snapshot {
        self.f.svc.store().snapshot()
    }

    /// The call fails with `want` and changes nothing.
    fn refuses<R: Debug>(&self, want: ServiceError, call: impl FnOnce(&Service) -> Result<R, ServiceError>) {
        let before = self.snapshot();
        let got = call(self.svc());
        assert_eq!(got.err(), Some(want));
        assert_unchanged(&before, &self.snapshot());
    }

    /// Another centre's id answers exactly like an id nobody has: `want`, and no change.
    fn alike<R: Debug>(
        &self,
        want: ServiceError,
        foreign: u64,
        call: impl Fn(&Service, u64) -> Result<R, ServiceError>,
    ) {
        self.refuses(want.clone(), |s| call(s, foreign));
        self.refuses(want, |s| call(s, MISSING));
    }
}

impl Other {
    fn new(f: &Fixture) -> Other {
        let admin = as_(ADMIN);
        let centre = f.svc.create_centre(&admin, "Other Centre", Some("Asia/Shanghai")).unwrap().value;
        let coord = UserId(3);
        f.svc.appoint_coordinator(&admin, coord, centre.id, "Other coordinator").unwrap();
        let parent = UserId(70);
        f.svc.join(&as_(parent), &centre.invite_code, "Other parent").unwrap();
        f.svc.approve_member(&as_(coord), parent).unwrap();
        let child = f.svc.add_child(&as_(parent), "Yu", date(OLDER), None).unwrap().value.id;
        let (d, start, end) = (date(DAY), time("09:00"), time("12:00"));
        let shift = f.svc.create_shift(&as_(coord), d, start, end, None, None).unwrap().value.id;
        let booking = f.svc.book(&as_(parent), shift, child).unwrap().value.booking.id;
        let signup = f.svc.volunteer(&as_(parent), shift).unwrap().value.id;
        let template = f.svc.create_template(&as_(coord), Weekday::Fri, start, end, None, None).unwrap().value.id;
        Other { coord, parent, child, shift, booking, signup, template }
    }
}

fn assert_unchanged(before: &Snapshot, after: &Snapshot) {
    let changed: Vec<T> =
        T::ALL.iter().zip(before.iter().zip(after)).filter(|(_, (a, b))| a != b).map(|(t, _)| *t).collect();
    assert!(changed.is_empty(), "trees changed: {changed:?}");
}

#[test]
fn another_centres_ids_answer_like_unknown_ids() {
    let w = W::new();
    let (p, o, coord) = (as_(w.p), &w.other, w.coord());
    w.alike(ServiceError::UnknownShift, o.shift.0, |s, id| s.book(&p, ShiftId(id), w.child));
    w.alike(ServiceError::UnknownChild, o.child.0, |s, id| s.book(&p, w.shift, ChildId(id)));
    w.alike(ServiceError::UnknownBooking, o.booking.0, |s, id| s.cancel_booking(&p, BookingId(id)));
    w.alike(ServiceError::UnknownBooking, o.booking.0, |s, id| s.cancel_booking(&coord, BookingId(id)));
    w.alike(ServiceError::UnknownShift, o.shift.0, |s, id| s.volunteer(&p, ShiftId(id)));
    w.alike(ServiceError::UnknownSignup, o.signup.0, |s, id| s.drop_signup(&coord, SignupId(id)));
    w.alike(ServiceError::UnknownSignup, o.signup.0, |s, id| s.offer_swap(&p, SignupId(id)));
    w.alike(ServiceError::UnknownSignup, o.signup.0, |s, id| s.take_swap(&p, SignupId(id)));
    w.alike(ServiceError::UnknownShift, o.shift.0, |s, id| s.record_attendance(&coord, ShiftId(id), &[]));
    w.alike(ServiceError::UnknownBooking, o.booking.0, |s, id| {
        s.record_attendance(&coord, w.shift, &[Mark::Child(BookingId(id), true)])
    });
    w.alike(ServiceError::UnknownSignup, o.signup.0, |s, id| {
        s.record_attendance(&coord, w.shift, &[Mark::Volunteer(SignupId(id), false)])
    });
    w.alike(ServiceError::UnknownShift, o.shift.0, |s, id| s.settle_shift(&coord, ShiftId(id)));
    w.alike(ServiceError::UnknownShift, o.shift.0, |s, id| s.cancel_shift(&coord, ShiftId(id), "rain"));
    w.alike(ServiceError::UnknownTemplate, o.template.0, |s, id| {
        s.generate_shifts(&coord, Some(TemplateId(id)), date(DAY), date("2026-12-31"))
    });
    let user = |id: u64| UserId(id as i64);
    let parent = o.parent.0 as u64;
    w.alike(ServiceError::UnknownMember, parent, |s, id| s.grant(&coord, user(id), 60, "gift"));
    w.alike(ServiceError::UnknownMember, parent, |s, id| s.set_overdraft(&coord, user(id), 60));
    w.alike(ServiceError::UnknownMember, parent, |s, id| s.approve_member(&coord, user(id)));
    w.alike(ServiceError::UnknownMember, parent, |s, id| s.suspend_member(&coord, user(id)));
    w.alike(ServiceError::UnknownMember, parent, |s, id| s.set_role(&coord, user(id), Role::Staff));
    w.alike(ServiceError::UnknownMember, parent, |s, id| s.lift_block(&coord, user(id)));
    // Read-side calls answer alike too.
    for id in [o.shift.0, MISSING] {
        assert_eq!(w.svc().roster(COORD, ShiftId(id)).unwrap_err(), ServiceError::UnknownShift);
        assert_eq!(w.svc().quote(w.p, ShiftId(id), w.child).unwrap_err(), ServiceError::UnknownShift);
    }
    assert_eq!(w.svc().ledger_of(COORD, o.parent, 5).unwrap_err(), ServiceError::UnknownMember);
}

#[test]
fn the_other_centres_coordinator_cannot_touch_this_centre() {
    let w = W::new();
    let c = as_(w.other.coord);
    w.refuses(ServiceError::UnknownShift, |s| s.cancel_shift(&c, w.shift, "mine now"));
    w.refuses(ServiceError::UnknownBooking, |s| s.cancel_booking(&c, w.booking));
    w.refuses(ServiceError::UnknownSignup, |s| s.drop_signup(&c, w.signup));
    w.refuses(ServiceError::UnknownMember, |s| s.grant(&c, w.p, 600, "bribe"));
    w.refuses(ServiceError::UnknownMember, |s| s.suspend_member(&c, w.p));
    w.refuses(ServiceError::UnknownShift, |s| s.record_attendance(&c, w.shift, &[]));
    assert_eq!(w.svc().roster(w.other.coord, w.shift).unwrap_err(), ServiceError::UnknownShift);
}

#[test]
fn another_familys_records_answer_like_unknown_ones() {
    let w = W::new();
    let q = as_(w.q);
    w.refuses(ServiceError::UnknownChild, |s| s.book(&q, w.shift, w.child));
    w.refuses(ServiceError::UnknownBooking, |s| s.cancel_booking(&q, w.booking));
    w.refuses(ServiceError::UnknownSignup, |s| s.drop_signup(&q, w.signup));
    w.refuses(ServiceError::UnknownSignup, |s| s.offer_swap(&q, w.signup));
    w.refuses(ServiceError::UnknownChild, |s| s.book(&as_(w.p), w.shift, w.q_child));
}

#[test]
fn children_too_young_too_old_or_not_born() {
    let w = W::new();
    let p = as_(w.p);
    let young = w.f.child(w.p, "Bao", "2026-06-04");
    w.refuses(ServiceError::ChildAge(AgeProblem::TooYoung { months: 5, min_months: 6 }), |s| {
        s.book(&p, w.shift, young)
    });
    let old = w.f.child(w.p, "Da", "2023-12-03");
    let later = w.f.shift("2026-12-02", "09:00", "10:00", 12);
    w.svc().book(&p, later, old).expect("35 months on 12-02");
    w.refuses(ServiceError::ChildAge(AgeProblem::TooOld { months: 36, max_months: 36 }), |s| s.book(&p, w.shift, old));
    let born = |birth: &str| date(birth);
    w.refuses(ServiceError::ChildAge(AgeProblem::NotBorn), |s| s.add_child(&p, "Soon", born("2026-12-02"), None));
    w.refuses(ServiceError::ChildAge(AgeProblem::TooOld { months: 36, max_months: 36 }), |s| {
        s.add_child(&p, "Big", born("2023-12-01"), None)
    });
}

#[test]
fn times_in_the_past_and_backwards() {
    let w = W::new();
    let c = w.coord();
    let today = date("2026-12-01");
    let create = |s: &Service, d, start, end, cap, staff| s.create_shift(&c, d, time(start), time(end), cap, staff);
    w.refuses(ServiceError::InPast, |s| create(s, today, "08:00", "10:00", None, None));
    w.refuses(ServiceError::InPast, |s| create(s, today, "09:00", "10:00", None, None));
    w.refuses(ServiceError::BadTimes, |s| create(s, date(DAY), "12:00", "09:00", None, None));
    w.refuses(ServiceError::BadTimes, |s| create(s, date(DAY), "09:00", "09:00", None, None));
    w.refuses(ServiceError::BadCapacity, |s| create(s, date(DAY), "09:00", "10:00", Some(0), None));
    w.refuses(ServiceError::BadCapacity, |s| create(s, date(DAY), "09:00", "10:00", Some(101), None));
    w.refuses(ServiceError::BadCapacity, |s| create(s, date(DAY), "09:00", "10:00", None, Some(21)));
    w.refuses(ServiceError::BadTimes, |s| {
        s.create_template(&c, Weekday::Mon, time("10:00"), time("09:00"), None, None)
    });
    w.refuses(ServiceError::BadRange, |s| s.generate_shifts(&c, None, date(DAY), today));
    w.refuses(ServiceError::BadRange, |s| s.generate_shifts(&c, None, today, date("2027-12-31")));

    let p = as_(w.p);
    let other = w.f.child(w.p, "Er", OLDER);
    w.f.clock.set(w.f.svc.shift(w.shift).unwrap().unwrap().starts_at(w.f.centre.tz()));
    w.refuses(ServiceError::ShiftStarted, |s| s.book(&p, w.shift, other));
    w.refuses(ServiceError::ShiftStarted, |s| s.volunteer(&as_(w.q), w.shift));
    w.refuses(ServiceError::ShiftStarted, |s| s.drop_signup(&as_(w.v), w.signup));
    w.refuses(ServiceError::ShiftNotOver, |s| s.settle_shift(&c, w.shift));
    w.f.clock.advance(Duration::hours(3));
    w.refuses(ServiceError::ShiftStarted, |s| s.cancel_booking(&p, w.booking));
}

#[test]
fn double_bookings_and_volunteer_clashes() {
    let w = W::new();
    let p = as_(w.p);
    let overlapping = w.f.shift(DAY, "11:00", "13:00", 12);
    let after = w.f.shift(DAY, "12:00", "13:00", 12);
    w.refuses(ServiceError::AlreadyBooked, |s| s.book(&p, w.shift, w.child));
    w.refuses(ServiceError::ChildBusy, |s| s.book(&p, overlapping, w.child));
    w.svc().book(&p, after, w.child).expect("back to back");
    let v = as_(w.v);
    w.refuses(ServiceError::AlreadySignedUp, |s| s.volunteer(&v, w.shift));
    w.refuses(ServiceError::VolunteerClash(w.shift), |s| s.volunteer(&v, overlapping));
    w.svc().volunteer(&v, after).expect("back to back");
}

#[test]
fn records_that_are_no_longer_live() {
    let w = W::new();
    let (p, v) = (as_(w.p), as_(w.v));
    w.svc().cancel_booking(&p, w.booking).unwrap();
    w.refuses(ServiceError::BookingNotLive, |s| s.cancel_booking(&p, w.booking));
    w.refuses(ServiceError::BookingNotLive, |s| {
        s.record_attendance(&w.coord(), w.shift, &[Mark::Child(w.booking, true)])
    });
    w.svc().drop_signup(&v, w.signup).unwrap();
    w.refuses(ServiceError::SignupNotLive, |s| s.drop_signup(&v, w.signup));
    w.refuses(ServiceError::SignupNotLive, |s| s.offer_swap(&v, w.signup));
    w.svc().cancel_shift(&w.coord(), w.shift, "closed").unwrap();
    w.refuses(ServiceError::ShiftCancelled, |s| s.cancel_shift(&w.coord(), w.shift, "again"));
    w.refuses(ServiceError::ShiftCancelled, |s| s.record_attendance(&w.coord(), w.shift, &[]));
    w.refuses(ServiceError::ShiftCancelled, |s| s.volunteer(&v, w.shift));
}

#[test]
fn amounts_out_of_range() {
    let w = W::new();
    let c = w.coord();
    for minutes in [0, i64::MAX, i64::MIN, i64::MIN + 1, 10_000_001, -10_000_001] {
        w.refuses(ServiceError::BadAmount, |s| s.grant(&c, w.p, minutes, "overflow?"));
    }
    for limit in [-1, i64::MIN, i64::MAX, 10_000_001] {
        w.refuses(ServiceError::BadAmount, |s| s.set_overdraft(&c, w.p, limit));
    }
    // The largest grant is fine, and the sum over all accounts stays zero.
    assert_eq!(w.svc().grant(&c, w.p, 10_000_000, "max").unwrap().value, 10_000_000 + 180);
    assert_eq!(w.svc().ledger_sum().unwrap(), 0);
    w.refuses(ServiceError::Insufficient { available: 360, needed: 361 }, |s| s.grant(&c, w.q, -361, "no"));
}

#[test]
fn text_that_is_too_long_or_empty() {
    let w = W::new();
    let (p, c) = (as_(w.p), w.coord());
    let long = |n: usize| "字".repeat(n);
    let birth = date(OLDER);
    w.refuses(ServiceError::BadText { max: 40 }, |s| s.add_child(&p, &long(41), birth, None));
    w.refuses(ServiceError::BadText { max: 40 }, |s| s.add_child(&p, "   ", birth, None));
    w.refuses(ServiceError::BadText { max: 300 }, |s| s.add_child(&p, "Ok", birth, Some(&long(301))));
    w.refuses(ServiceError::BadText { max: 200 }, |s| s.cancel_shift(&c, w.shift, &long(201)));
    w.refuses(ServiceError::BadText { max: 200 }, |s| s.cancel_shift(&c, w.shift, ""));
    w.refuses(ServiceError::BadText { max: 200 }, |s| s.grant(&c, w.p, 60, &long(201)));
    w.refuses(ServiceError::BadText { max: 60 }, |s| s.create_centre(&as_(ADMIN), &long(61), None));
    let child = w.svc().add_child(&p, &long(40), birth, Some(&long(300))).expect("at the limits").value;
    assert_eq!(child.name.chars().count(), 40);
    // A join name is cut to length rather than refused.
    w.svc().join(&as_(UserId(500)), &w.f.centre.invite_code, &long(100)).unwrap();
    assert_eq!(w.svc().member(UserId(500)).unwrap().unwrap().name.chars().count(), 40);
}

#[test]
fn pending_and_suspended_members_cannot_act() {
    let w = W::new();
    let pending = UserId(400);
    w.svc().join(&as_(pending), &w.f.centre.invite_code, "new").unwrap();
    let code = w.svc().family(w.svc().member(pending).unwrap().unwrap().family.unwrap()).unwrap().unwrap().invite_code;
    let second = UserId(401);
    w.svc().join(&as_(second), &code, "new too").unwrap();
    for u in [pending, second] {
        let not_active = ServiceError::NotActive(MemberStatus::Pending);
        w.refuses(not_active.clone(), |s| s.add_child(&as_(u), "Kid", date(OLDER), None));
        w.refuses(not_active.clone(), |s| s.book(&as_(u), w.shift, w.child));
        w.refuses(not_active.clone(), |s| s.volunteer(&as_(u), w.shift));
        assert_eq!(w.svc().balance(u, 5).unwrap_err(), not_active);
    }
    w.refuses(ServiceError::AlreadyMember, |s| s.join(&as_(pending), &w.f.centre.invite_code, "again"));

    w.svc().suspend_member(&w.coord(), w.p).unwrap();
    let suspended = ServiceError::NotActive(MemberStatus::Suspended);
    w.refuses(suspended.clone(), |s| s.cancel_booking(&as_(w.p), w.booking));
    w.refuses(suspended, |s| s.book(&as_(w.p), w.shift, w.child));
}

#[test]
fn strangers_are_not_registered() {
    let w = W::new();
    let x = as_(UserId(777));
    let nr = ServiceError::NotRegistered;
    w.refuses(nr.clone(), |s| s.book(&x, w.shift, w.child));
    w.refuses(nr.clone(), |s| s.cancel_booking(&x, w.booking));
    w.refuses(nr.clone(), |s| s.volunteer(&x, w.shift));
    w.refuses(nr.clone(), |s| s.drop_signup(&x, w.signup));
    w.refuses(nr.clone(), |s| s.add_child(&x, "Kid", date(OLDER), None));
    w.refuses(nr.clone(), |s| s.create_shift(&x, date(DAY), time("13:00"), time("14:00"), None, None));
    w.refuses(nr.clone(), |s| s.cancel_shift(&x, w.shift, "no"));
    w.refuses(nr.clone(), |s| s.grant(&x, w.p, 60, "gift"));
    w.refuses(nr.clone(), |s| s.record_attendance(&x, w.shift, &[]));
    w.refuses(nr.clone(), |s| s.settle_shift(&x, w.shift));
    w.refuses(nr.clone(), |s| s.approve_member(&x, w.p));
    assert_eq!(w.svc().balance(UserId(777), 5).unwrap_err(), nr);
    assert_eq!(w.svc().schedule(UserId(777), date(DAY), 7).unwrap_err(), nr);
    // A wrong code changes nothing but the count of wrong codes (for the back-off).
    let before = w.snapshot();
    assert_eq!(w.svc().join(&x, "NOSUCH", "me").unwrap_err(), ServiceError::UnknownInvite);
    let after = w.snapshot();
    let changed: Vec<T> =
        T::ALL.iter().zip(before.iter().zip(&after)).filter(|(_, (a, b))| a != b).map(|(t, _)| *t).collect();
    assert_eq!(changed, vec![T::Meta]);
    w.refuses(ServiceError::NotSuperAdmin, |s| s.create_centre(&x, "Mine", None));
}

#[test]
fn parents_cannot_do_coordinator_or_staff_things() {
    let w = W::new();
    let p = as_(w.p);
    let nc = ServiceError::NotCoordinator;
    w.refuses(nc.clone(), |s| s.create_shift(&p, date(DAY), time("13:00"), time("14:00"), None, None));
    w.refuses(nc.clone(), |s| s.create_template(&p, Weekday::Mon, time("09:00"), time("12:00"), None, None));
    w.refuses(nc.clone(), |s| s.cancel_shift(&p, w.shift, "mine"));
    w.refuses(nc.clone(), |s| s.grant(&p, w.p, 600, "self"));
    w.refuses(nc.clone(), |s| s.set_overdraft(&p, w.p, 600));
    w.refuses(nc.clone(), |s| s.suspend_member(&p, w.q));
    w.refuses(nc.clone(), |s| s.set_role(&p, w.p, Role::Coordinator));
    w.refuses(nc.clone(), |s| s.lift_block(&p, w.p));
    w.refuses(nc.clone(), |s| s.generate_shifts(&p, None, date(DAY), date(DAY)));
    w.refuses(nc, |s| s.approve_member(&p, w.q));
    w.refuses(ServiceError::NotStaff, |s| s.record_attendance(&p, w.shift, &[Mark::Child(w.booking, false)]));
    w.refuses(ServiceError::NotStaff, |s| s.settle_shift(&p, w.shift));
    w.refuses(ServiceError::NotSuperAdmin, |s| s.appoint_coordinator(&p, w.p, w.f.centre.id, "me"));
}

#[test]
fn full_waitlists_and_families() {
    let w = W::new();
    let c = w.coord();
    let tiny = w.svc().create_shift(&c, date("2026-12-04"), time("09:00"), time("09:30"), Some(1), Some(1));
    let tiny = tiny.unwrap().value.id;
    let r = as_(UserId(600));
    w.f.family(600, "R");
    let kids: Vec<ChildId> = (0..10).map(|i| w.f.child(UserId(600), &format!("k{i}"), OLDER)).collect();
    w.refuses(ServiceError::TooManyChildren, |s| s.add_child(&r, "eleventh", date(OLDER), None));
    w.svc().book(&as_(w.p), tiny, w.child).unwrap();
    for k in &kids {
        assert_eq!(w.svc().book(&r, tiny, *k).unwrap().value.booking.status, BookingStatus::Waitlisted);
    }
    w.refuses(ServiceError::WaitlistFull, |s| s.book(&as_(w.q), tiny, w.q_child));
}

#[test]
fn a_failed_request_is_not_remembered() {
    let w = W::new();
    let long = w.f.shift("2026-12-04", "08:00", "17:00", 12);
    let key = Caller::with_request(w.q, "update-9");
    w.refuses(ServiceError::Insufficient { available: 360, needed: 540 }, |s| s.book(&key, long, w.q_child));
    w.svc().grant(&w.coord(), w.q, 180, "top up").unwrap();
    let retried = w.svc().book(&key, long, w.q_child).unwrap();
    assert!(!retried.replayed, "the failure was not stored as the answer");
    assert_eq!(retried.value.available_after, 0);
}

#[test]
fn volunteer_quote_earns_by_policy_and_hides_other_centres() {
    let w = W::new();
    // 09:00-12:00 at 2 credit minutes per minute served.
    let (shift, earn) = w.svc().volunteer_quote(w.q, w.shift).unwrap();
    assert_eq!((shift.id, earn), (w.shift, Some(360)));
    w.alike(ServiceError::UnknownShift, w.other.shift.0, |s, id| s.volunteer_quote(w.q, ShiftId(id)));
    w.refuses(ServiceError::NotRegistered, |s| s.volunteer_quote(UserId(4242), w.shift));
}

#[test]
fn the_automatic_sides_calls_refuse_bad_input_and_change_nothing() {
    let w = W::new();
    let (p, v, coord, o) = (as_(w.p), as_(w.v), w.coord(), &w.other);
    // Moving: another centre's shift, the past, backwards times, a parent, a clash.
    let (d, start, end) = (date("2026-12-04"), time("09:00"), time("12:00"));
    w.alike(ServiceError::UnknownShift, o.shift.0, |s, id| s.move_shift(&coord, ShiftId(id), d, start, end));
    w.refuses(ServiceError::InPast, |s| s.move_shift(&coord, w.shift, date("2026-11-30"), start, end));
    w.refuses(ServiceError::BadTimes, |s| s.move_shift(&coord, w.shift, d, end, start));
    w.refuses(ServiceError::NotCoordinator, |s| s.move_shift(&p, w.shift, d, start, end));
    let clash = w.f.shift("2026-12-04", "10:00", "11:00", 5);
    w.f.svc.volunteer(&v, clash).unwrap();
    w.refuses(ServiceError::MoveClash, |s| s.move_shift(&coord, w.shift, d, start, end));
    // Reminder buttons: someone else's signup, another centre's, a dropped one.
    w.refuses(ServiceError::UnknownSignup, |s| s.confirm_signup(&p, w.signup));
    w.alike(ServiceError::UnknownSignup, o.signup.0, |s, id| s.confirm_signup(&v, SignupId(id)));
    // Cover: not needed (staff and a volunteer carry one child) says so, not "taken"
    // (issue 9 item 16); another centre's shift.
    w.refuses(ServiceError::CoverNotNeeded, |s| s.take_cover(&p, w.shift));
    w.alike(ServiceError::UnknownShift, o.shift.0, |s, id| s.take_cover(&p, ShiftId(id)));
    // Broadcasts: a parent, another centre's shift, empty text, a closed broadcast.
    w.refuses(ServiceError::NotCoordinator, |s| s.draft_broadcast(&p, Audience::All, "hi"));
    w.alike(ServiceError::UnknownShift, o.shift.0, |s, id| {
        s.draft_broadcast(&coord, Audience::Shift(ShiftId(id)), "hi")
    });
    w.refuses(ServiceError::BadText { max: MAX_BROADCAST }, |s| s.draft_broadcast(&coord, Audience::All, " "));
    let b = w.f.svc.draft_broadcast(&coord, Audience::All, "hello").unwrap().value;
    w.refuses(ServiceError::NotCoordinator, |s| s.start_broadcast(&p, b.id, None));
    w.refuses(ServiceError::BroadcastClosed, |s| s.start_broadcast(&as_(o.coord), b.id, None));
    w.refuses(ServiceError::BroadcastClosed, |s| s.start_broadcast(&coord, MISSING, None));
    w.f.svc.cancel_broadcast(&coord, b.id).unwrap();
    w.refuses(ServiceError::BroadcastClosed, |s| s.start_broadcast(&coord, b.id, None));
    assert_eq!(w.f.svc.broadcast_claim(b.id), Ok(None), "a cancelled broadcast sends nothing");
    // Settings: a parent, values out of range.
    w.refuses(ServiceError::NotCoordinator, |s| s.change_setting(&p, &SettingChange::CoverBatch(3)));
    let range = |key, min, max| ServiceError::SettingRange { key, min, max };
    w.refuses(range(SettingKey::Cover, 1, 50), |s| s.change_setting(&coord, &SettingChange::CoverBatch(51)));
    w.refuses(range(SettingKey::Remind, 1, 168), |s| s.change_setting(&coord, &SettingChange::VolunteerHours(vec![0])));
    w.refuses(ServiceError::BadSetting, |s| s.change_setting(&coord, &SettingChange::VolunteerHours(vec![])));
    // Issue 9 item 9: every number a centre may set has a range, and nothing changes outside it.
    for (change, key, min, max) in [
        (SettingChange::Ages(3, 36), SettingKey::Ages, 6, 36),
        (SettingChange::Ages(6, 40), SettingKey::Ages, 6, 36),
        (SettingChange::Ages(24, 12), SettingKey::Ages, 6, 36),
        (SettingChange::EarnRate(11), SettingKey::Earn, 0, 10),
        (SettingChange::CostRate(0), SettingKey::Cost, 1, 10),
        (SettingChange::StartGrant(-1), SettingKey::Grant, 0, 6000),
        (SettingChange::FreeCancelHours(169), SettingKey::FreeCancel, 0, 168),
        (SettingChange::LateCancelPercent(101), SettingKey::LatePercent, 0, 100),
        (SettingChange::NoShowPenalty(601), SettingKey::Penalty, 0, 600),
        (SettingChange::NoShowBlock(0, 90), SettingKey::BlockCount, 1, 10),
        (SettingChange::NoShowBlock(2, 0), SettingKey::BlockDays, 1, 365),
        (SettingChange::AutoSettleHours(0), SettingKey::AutoSettle, 1, 168),
        (SettingChange::Capacity(0), SettingKey::Capacity, 1, 100),
        (SettingChange::Staff(21), SettingKey::Staff, 0, 20),
        (SettingChange::Waitlist(51), SettingKey::Waitlist, 1, 50),
    ] {
        w.refuses(range(key, min, max), |s| s.change_setting(&coord, &change));
    }
}

// ----- issue 9: refusals that say the right thing (through the bot's handlers) -----

use huzhu::bot::callback::Callback;
use huzhu::bot::command;
use huzhu::bot::handlers::{self, Ctx, Handled};
use huzhu::i18n::Lang;

fn ctx(w: &W, user: UserId) -> Ctx {
    Ctx::direct(w.f.svc.clone(), user)
}

/// A typed command as `user` sends it: the reply, and the store unchanged when it is refused.
fn say(w: &W, user: UserId, text: &str) -> Handled {
    let cmd = command::parse(text, "huzhu_bot").unwrap_or_else(|e| panic!("{text}: {e:?}"));
    handlers::command(&ctx(w, user), cmd)
}

fn press(w: &W, user: UserId, cb: Callback) -> Handled {
    let before = w.snapshot();
    let h = handlers::callback(&ctx(w, user), &huzhu::bot::dialogue::State::Idle, cb);
    if h.error {
        assert_unchanged(&before, &w.snapshot());
    }
    h
}

/// Item 13: `/cancelshift ID` asks why only about a shift this coordinator can cancel.
#[test]
fn cancelshift_without_a_reason_asks_only_about_a_real_shift() {
    let w = W::new();
    for id in [w.other.shift.0, MISSING] {
        let h = say(&w, COORD, &format!("/cancelshift {id}"));
        assert!(h.error, "{}", h.reply.text);
        assert!(h.reply.text.starts_with("No such shift"), "{}", h.reply.text);
        assert!(h.state.is_none());
    }
    let h = say(&w, w.p, &format!("/cancelshift {}", w.shift.0));
    assert!(h.error && !h.reply.text.contains("Why is shift"), "{}", h.reply.text);
    let h = say(&w, COORD, &format!("/cancelshift {}", w.shift.0));
    assert!(!h.error && h.reply.text.contains(&format!("Why is shift #{}", w.shift.0)), "{}", h.reply.text);
}

/// Item 14: a stranger's press on a cancel prompt with any booking id shows no prompt.
#[test]
fn a_cancel_prompt_appears_only_for_a_booking_you_may_cancel() {
    let w = W::new();
    for (who, id) in [(w.q, w.booking), (w.q, BookingId(MISSING)), (w.p, w.other.booking)] {
        let h = press(&w, who, Callback::CancelAsk(id));
        assert!(h.error && !h.reply.text.contains("Cancel booking"), "{}", h.reply.text);
    }
    let h = press(&w, w.p, Callback::CancelAsk(w.booking));
    assert!(!h.error, "{}", h.reply.text);
    let h = press(&w, COORD, Callback::CancelAsk(w.booking));
    assert!(!h.error, "{}", h.reply.text);
    assert!(h.reply.text.contains("costs the family nothing"), "item 5: {}", h.reply.text);
}

/// Item 15: a forged "I can't make it" by a coordinator on another's signup is refused.
#[test]
fn cant_come_drops_only_your_own_signup() {
    let w = W::new();
    let h = press(&w, COORD, Callback::CantCome(w.signup));
    assert!(h.error, "{}", h.reply.text);
    assert!(!h.reply.text.contains("dropped"), "{}", h.reply.text);
    w.refuses(ServiceError::UnknownSignup, |s| s.cant_come(&w.coord(), w.signup));
    assert!(!press(&w, w.v, Callback::CantCome(w.signup)).error);
}

/// Item 16: "Take this shift" when no cover is needed says so, not "someone took it".
#[test]
fn take_cover_on_a_shift_that_needs_none_says_so() {
    let w = W::new();
    let h = press(&w, w.q, Callback::TakeCover(w.shift));
    assert!(h.error);
    assert_eq!(h.reply.text, "That shift does not need cover any more. Thank you for offering!");
}

/// Item 17: a coordinator without a family is told at once that booking needs one, and
/// volunteering promises no credits.
#[test]
fn a_family_less_coordinator_is_not_offered_what_needs_a_family() {
    let w = W::new();
    let h = say(&w, COORD, "/book");
    assert!(h.error && h.reply.buttons.is_empty(), "{}", h.reply.text);
    let menu: Vec<Callback> = say(&w, COORD, "/menu").reply.buttons.concat().into_iter().map(|(_, c)| c).collect();
    assert!(!menu.contains(&Callback::Menu(huzhu::bot::callback::Menu::Book)), "{menu:?}");
    assert!(!menu.contains(&Callback::Menu(huzhu::bot::callback::Menu::Balance)), "{menu:?}");
    let menu: Vec<Callback> = say(&w, w.p, "/menu").reply.buttons.concat().into_iter().map(|(_, c)| c).collect();
    assert!(menu.contains(&Callback::Menu(huzhu::bot::callback::Menu::Book)), "{menu:?}");
    let h = press(&w, COORD, Callback::VolunteerAsk(w.shift));
    assert!(h.reply.text.contains("no family account"), "{}", h.reply.text);
    assert_eq!(w.svc().volunteer_quote(COORD, w.shift).unwrap().1, None);
    assert_eq!(w.svc().volunteer_quote(w.q, w.shift).unwrap().1, Some(360));
}

/// Item 8: the coordinator tools reach the service: /unblock, /overdraft, /staff, and
/// /newshift with a number of staff; a parent is refused each.
#[test]
fn coordinator_tools_unblock_overdraft_staff_and_newshift_staff() {
    let w = W::new();
    let q = w.q.0;
    for text in [format!("/unblock {q}"), format!("/overdraft {q} 120"), format!("/staff {q} on")] {
        let before = w.snapshot();
        let h = say(&w, w.p, &text);
        assert!(h.error, "{text}: {}", h.reply.text);
        assert_unchanged(&before, &w.snapshot());
    }
    assert!(!say(&w, COORD, &format!("/overdraft {q} 120")).error);
    assert_eq!(w.svc().balance(w.q, 0).unwrap().overdraft_limit, 120);
    assert!(!say(&w, COORD, &format!("/staff {q} on")).error);
    assert_eq!(w.svc().member(w.q).unwrap().unwrap().role, Role::Staff);
    assert!(!say(&w, COORD, &format!("/staff {q} off")).error);
    assert_eq!(w.svc().member(w.q).unwrap().unwrap().role, Role::Parent);
    assert!(say(&w, COORD, &format!("/staff {} off", COORD.0)).error, "a coordinator stays staff");
    let h = say(&w, COORD, &format!("/unblock {q}"));
    assert!(!h.error, "{}", h.reply.text);
    assert!(w.svc().member(w.q).unwrap().unwrap().block_lifted_at.is_some());
    let h = say(&w, COORD, "/newshift 2026-12-09 09:00-12:00 10 3");
    assert!(!h.error, "{}", h.reply.text);
    let id = w.svc().shift_ids_between(w.f.centre.id, date("2026-12-09"), date("2026-12-09")).unwrap()[0];
    let s = w.svc().shift(id).unwrap().unwrap();
    assert_eq!((s.capacity, s.staff), (10, 3));
}

/// Item 7 through the bot: `/cancelday` shows the count and cancels only when confirmed.
#[test]
fn cancelday_asks_first_then_cancels_the_day() {
    let w = W::new();
    let before = w.snapshot();
    let h = say(&w, w.p, &format!("/cancelday {DAY} typhoon"));
    assert!(h.error);
    assert_unchanged(&before, &w.snapshot());
    let h = say(&w, COORD, &format!("/cancelday {DAY} typhoon"));
    assert!(!h.error, "{}", h.reply.text);
    assert!(h.reply.text.contains("Cancel the one shift") && h.reply.text.contains("1 child,"), "{}", h.reply.text);
    assert_eq!(w.svc().shift(w.shift).unwrap().unwrap().status, ShiftStatus::Open, "nothing yet");
    let Some((_, Callback::CancelDayDo(draft))) = h.reply.buttons[0].first().cloned() else {
        panic!("no confirm button: {:?}", h.reply.buttons)
    };
    // Another coordinator's press (of the other centre) does nothing.
    assert!(press(&w, w.other.coord, Callback::CancelDayDo(draft)).error);
    let h = press(&w, COORD, Callback::CancelDayDo(draft));
    assert!(!h.error, "{}", h.reply.text);
    assert_eq!(w.svc().shift(w.shift).unwrap().unwrap().status, ShiftStatus::Cancelled);
    assert_eq!(h.notices.len(), 2, "the parent and the volunteer, once each");
    // Pressed again: nothing more.
    assert!(press(&w, COORD, Callback::CancelDayDo(draft)).error);
}

/// Item 12: a broadcast as long as Telegram allows a message to be (4,096 characters
/// with the command) gets through the bot and is drafted; one over is answered.
#[test]
fn a_long_broadcast_is_accepted() {
    let w = W::new();
    let body = "雨".repeat(4096 - "/broadcast all ".chars().count());
    let text = format!("/broadcast all {body}");
    assert_eq!(text.chars().count(), command::MAX_INPUT, "the longest message Telegram delivers");
    let h = say(&w, COORD, &text);
    assert!(!h.error, "{}", h.reply.text.chars().take(200).collect::<String>());
    let copy = huzhu::bot::render::broadcast_message(Lang::Zh, "六和", &body);
    assert!(copy.chars().count() <= 4096 && copy.contains(&body), "each copy is one Telegram message");
    let too_long = "x".repeat(MAX_BROADCAST + 1);
    w.refuses(ServiceError::BadText { max: MAX_BROADCAST }, |s| {
        s.draft_broadcast(&w.coord(), Audience::All, &too_long)
    });
    let header = huzhu::bot::render::broadcast_message(Lang::Zh, &"中".repeat(60), &"x".repeat(MAX_BROADCAST));
    assert!(header.chars().count() <= 4096, "every copy fits one Telegram message");
}

/// Item 11: dates of any length are answered with the range and the usage line, and the
/// service refuses them too (no date arithmetic near chrono's limits), changing nothing.
#[test]
fn far_dates_get_the_range_and_the_usage_line() {
    let w = W::new();
    for text in [
        "/schedule +262142-12-31".to_string(),
        "/newshift +262142-12-31 09:00-12:00".to_string(),
        "/template gen 2026-12-01 +262142-12-31".to_string(),
        format!("/moveshift {} 1900-01-01 09:00-12:00", w.shift.0),
        "/cancelday 2031-01-01 typhoon".to_string(),
        "/wish +262142-12-31".to_string(),
        "/round preview -262143-01-01".to_string(),
    ] {
        let before = w.snapshot();
        let h = say(&w, COORD, &text);
        assert!(h.error, "{text}: {}", h.reply.text);
        assert!(
            h.reply.text.starts_with("Dates must lie between 2025-11-30 and 2028-12-02."),
            "{text}: {}",
            h.reply.text
        );
        assert!(h.reply.text.contains("Usage: /"), "{text}: {}", h.reply.text);
        assert_unchanged(&before, &w.snapshot());
    }
    let far = chrono::NaiveDate::from_ymd_opt(262_142, 12, 31).unwrap();
    let range = ServiceError::DateOutOfRange { from: date("2025-11-30"), to: date("2028-12-02") };
    let (start, end) = (time("09:00"), time("12:00"));
    w.refuses(range.clone(), |s| s.create_shift(&w.coord(), far, start, end, None, None));
    w.refuses(range.clone(), |s| s.generate_shifts(&w.coord(), None, date(DAY), far));
    w.refuses(range.clone(), |s| s.move_shift(&w.coord(), w.shift, far, start, end));
    assert_eq!(w.svc().schedule(w.p, far, 7).unwrap_err(), range);
    assert!(w.svc().schedule(w.p, date(DAY), 7).is_ok());
    // The round's weeks at both ends of the calendar: no round there, no panic.
    for d in [far, chrono::NaiveDate::MIN, chrono::NaiveDate::MAX] {
        assert!(matches!(w.svc().wish_round(w.p, Some(d)).unwrap_err(), ServiceError::NoWishRound { .. }));
        assert_eq!(w.svc().coordinated_round(COORD, Some(d)).unwrap_err(), ServiceError::UnknownRound);
    }
}

/// Item 10 through the bot: a parent sets notes in one line or from the children list's
/// button, sees them there; another family's child answers like an unknown one.
#[test]
fn a_parent_sets_and_sees_a_childs_notes_through_the_bot() {
    let w = W::new();
    let h = say(&w, w.p, &format!("/child note {} peanut allergy", w.child.0));
    assert!(!h.error, "{}", h.reply.text);
    assert!(h.notices.is_empty());
    let list = say(&w, w.p, "/child");
    assert!(list.reply.text.contains("peanut allergy"), "{}", list.reply.text);
    let (_, cb) = list.reply.buttons.concat().into_iter().find(|(_, c)| *c == Callback::ChildNotes(w.child)).unwrap();
    let h = press(&w, w.p, cb);
    assert!(h.reply.text.contains("peanut allergy") && h.reply.text.contains("/child note"), "{}", h.reply.text);
    // Another family sees neither the notes nor the child.
    let h = press(&w, w.q, Callback::ChildNotes(w.child));
    assert!(h.error && !h.reply.text.contains("peanut"), "{}", h.reply.text);
    let before = w.snapshot();
    let h = say(&w, w.q, &format!("/child note {} mine now", w.child.0));
    assert!(h.error, "{}", h.reply.text);
    assert_unchanged(&before, &w.snapshot());
    assert!(!say(&w, w.p, &format!("/child note {} -", w.child.0)).error);
    assert_eq!(w.svc().child(w.child).unwrap().unwrap().notes, None);
}

/// The guided way: the notes button asks for new notes, the next text sets them.
#[test]
fn the_notes_button_asks_for_new_notes_and_the_next_text_sets_them() {
    let w = W::new();
    let h = press(&w, w.p, Callback::ChildNotes(w.child));
    assert!(!h.error, "{}", h.reply.text);
    let state = h.state.clone().expect("a flow waits for the notes");
    assert_eq!(state, huzhu::bot::dialogue::State::ChildNotes { child: w.child });
    let h = handlers::text(&ctx(&w, w.p), &state, "lactose intolerant");
    assert!(!h.error, "{}", h.reply.text);
    assert_eq!(h.state, Some(huzhu::bot::dialogue::State::Idle));
    assert_eq!(w.svc().child(w.child).unwrap().unwrap().notes.as_deref(), Some("lactose intolerant"));
    // Someone else's child: refused, nothing asked.
    let h = press(&w, w.q, Callback::ChildNotes(w.child));
    assert!(h.error && h.state.is_none(), "{}", h.reply.text);
}
