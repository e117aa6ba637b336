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
    assert_eq!((shift.id, earn), (w.shift, 360));
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
    // Cover: not needed (staff and a volunteer carry one child), another centre's shift.
    w.refuses(ServiceError::CoverTaken, |s| s.take_cover(&p, w.shift));
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
    w.refuses(ServiceError::BadSetting, |s| s.change_setting(&coord, &SettingChange::CoverBatch(51)));
    w.refuses(ServiceError::BadSetting, |s| s.change_setting(&coord, &SettingChange::VolunteerHours(vec![0])));
}
