//! Issue 10 through the real service: who gets in (family codes confirmed by the family
//! and a coordinator, rejections that stick, slower answers to wrong codes), codes that
//! can be replaced, leaving and removal, personal data (/mydata, /forget) and automatic
//! settlement that a failing shift cannot stall.

use chrono::Duration;
use huzhu::domain::*;
use huzhu::service::*;
use huzhu::store::{Key, T};
use huzhu::testing::{date, t0, time, Fixture, COORD};

const TODDLER: &str = "2025-06-01";

fn as_(user: UserId) -> Caller {
    Caller::new(user)
}

fn told(notices: &[Notice], pick: impl Fn(&Event) -> bool) -> Vec<UserId> {
    let mut v: Vec<UserId> = notices.iter().filter(|n| pick(&n.event)).map(|n| n.to).collect();
    v.sort();
    v
}

fn avail(f: &Fixture, u: UserId) -> i64 {
    f.svc.balance(u, 1).unwrap().available
}

/// Every account sums to zero.
fn ledger_sums_to_zero(f: &Fixture) {
    let total: i64 = f.svc.store().scan::<i64>(T::Accounts, &[]).unwrap().into_iter().map(|(_, v)| v).sum();
    assert_eq!(total, 0);
}

// ----- 1. who gets in -----

#[test]
fn a_family_code_needs_the_family_then_the_coordinator() {
    let f = Fixture::new();
    let g1 = f.family(10, "First");
    let kid = f.child(g1, "Mei", TODDLER);
    let shift = f.shift("2026-12-08", "09:00", "11:00", 8);
    let code = f.svc.my_family(g1).unwrap().invite_code;
    let x = UserId(11);

    let out = f.svc.join(&as_(x), &code, "Stranger").unwrap();
    assert!(matches!(out.value, JoinResult::AwaitingFamily { .. }), "{:?}", out.value);
    assert_eq!(told(&out.notices, |e| matches!(e, Event::GuardianRequested { .. })), vec![g1]);
    // Not a guardian yet: cannot book on the family's credits, not on its list.
    assert_eq!(f.svc.member(x).unwrap().unwrap().status, MemberStatus::Pending);
    assert_eq!(f.svc.book(&as_(x), shift, kid).unwrap_err(), ServiceError::NotActive(MemberStatus::Pending));
    assert_eq!(f.svc.family(f.svc.my_family(g1).unwrap().id).unwrap().unwrap().guardians, vec![g1]);
    // The coordinator cannot let them in before the family answers; nor can another family.
    assert_eq!(f.svc.approve_member(&f.coord(), x).unwrap_err(), ServiceError::AwaitingGuardian);
    let other = f.family(20, "Other");
    assert_eq!(f.svc.confirm_guardian(&as_(other), x).unwrap_err(), ServiceError::NotGuardian);
    assert_eq!(f.svc.confirm_guardian(&f.coord(), x).unwrap_err(), ServiceError::NotGuardian);

    let out = f.svc.confirm_guardian(&as_(g1), x).unwrap();
    assert!(matches!(out.value, GuardianAnswer::AwaitingCoordinator { .. }));
    assert_eq!(told(&out.notices, |e| matches!(e, Event::JoinRequested { .. })), vec![COORD]);
    assert_eq!(told(&out.notices, |e| matches!(e, Event::FamilyConfirmed { .. })), vec![x]);
    assert_eq!(f.svc.member(x).unwrap().unwrap().status, MemberStatus::Pending);
    let pending = f.svc.guardian_requests(COORD).unwrap();
    assert_eq!((pending.len(), pending[0].confirmed_by), (1, Some(g1)));

    f.svc.approve_member(&f.coord(), x).unwrap();
    assert!(f.svc.member(x).unwrap().unwrap().is_active());
    assert_eq!(f.svc.my_family(g1).unwrap().guardians, vec![g1, x]);
    // Same family, same credits: no second start grant.
    assert_eq!((avail(&f, x), avail(&f, g1)), (360, 360));
    f.svc.book(&as_(x), shift, kid).unwrap();
    assert!(f.svc.guardian_requests(COORD).unwrap().is_empty());
    ledger_sums_to_zero(&f);
}

#[test]
fn without_the_policy_the_familys_confirmation_is_enough() {
    let f = Fixture::new();
    f.svc.change_setting(&f.coord(), &SettingChange::GuardianApproval(false)).unwrap();
    assert!(!f.svc.settings(COORD).unwrap().policy.coordinator_confirms_guardians);
    let g1 = f.family(10, "First");
    let x = UserId(11);
    f.svc.join(&as_(x), &f.svc.my_family(g1).unwrap().invite_code, "Second").unwrap();
    let out = f.svc.confirm_guardian(&as_(g1), x).unwrap();
    assert!(matches!(out.value, GuardianAnswer::Joined { status: MemberStatus::Active, .. }), "{:?}", out.value);
    assert!(f.svc.member(x).unwrap().unwrap().is_active());
    assert_eq!(f.svc.my_family(g1).unwrap().guardians, vec![g1, x]);
    // Pressing the button again changes nothing.
    assert_eq!(f.svc.confirm_guardian(&as_(g1), x).unwrap_err(), ServiceError::UnknownMember);
}

#[test]
fn a_declined_or_rejected_person_cannot_come_back_through_any_code() {
    let f = Fixture::new();
    let g1 = f.family(10, "First");
    let g2 = f.family(20, "Second family");
    let code1 = f.svc.my_family(g1).unwrap().invite_code;
    let code2 = f.svc.my_family(g2).unwrap().invite_code;

    // Declined by the family.
    let x = UserId(30);
    f.svc.join(&as_(x), &code1, "X").unwrap();
    let out = f.svc.decline_guardian(&as_(g1), x).unwrap();
    assert_eq!(told(&out.notices, |e| matches!(e, Event::Rejected { .. })), vec![x]);
    for code in [&code1, &code2, &f.centre.invite_code] {
        assert_eq!(f.svc.join(&as_(x), code, "X again").unwrap_err(), ServiceError::JoinRefused, "{code}");
    }

    // Rejected by the coordinator.
    let y = UserId(31);
    f.svc.join(&as_(y), &f.centre.invite_code, "Y").unwrap();
    f.svc.reject_member(&f.coord(), y).unwrap();
    for code in [&code1, &code2, &f.centre.invite_code] {
        assert_eq!(f.svc.join(&as_(y), code, "Y again").unwrap_err(), ServiceError::JoinRefused, "{code}");
    }
    assert_eq!(f.svc.member(y).unwrap().unwrap().status, MemberStatus::Rejected);
    assert_eq!(f.svc.my_family(g1).unwrap().guardians, vec![g1]);

    // Another centre's code still works for them.
    let other = f.svc.create_centre(&as_(huzhu::testing::ADMIN), "Other Centre", None).unwrap().value;
    assert!(matches!(f.svc.join(&as_(y), &other.invite_code, "Y").unwrap().value, JoinResult::Requested { .. }));
}

#[test]
fn wrong_codes_in_a_row_are_answered_more_slowly() {
    let f = Fixture::new();
    let x = UserId(40);
    let now = t0();
    // The same update delivered twice is one wrong code.
    for _ in 0..2 {
        let err = f.svc.join(&Caller::with_request(x, "u1"), "WRONG0", "X").unwrap_err();
        assert_eq!(err, ServiceError::UnknownInvite);
    }
    for _ in 2..FREE_ATTEMPTS {
        assert_eq!(f.svc.join(&as_(x), "WRONG1", "X").unwrap_err(), ServiceError::UnknownInvite);
    }
    let until = now + Duration::seconds(60);
    assert_eq!(f.svc.join(&as_(x), "WRONG2", "X").unwrap_err(), ServiceError::TooManyAttempts { until });
    // Even the right code waits, and the wait is not counted as another wrong code.
    assert_eq!(f.svc.join(&as_(x), &f.centre.invite_code, "X").unwrap_err(), ServiceError::TooManyAttempts { until });
    // The coordinator sees the attempts.
    let seen = f.svc.code_attempts(COORD).unwrap();
    assert_eq!((seen.len(), seen[0].user, seen[0].failures, seen[0].until), (1, x, FREE_ATTEMPTS, Some(until)));
    assert_eq!(f.svc.code_attempts(UserId(999)).unwrap_err(), ServiceError::NotRegistered);

    // Another wrong code after the wait: twice as long.
    f.clock.advance(Duration::seconds(61));
    let later = f.svc.now();
    assert_eq!(
        f.svc.join(&as_(x), "WRONG3", "X").unwrap_err(),
        ServiceError::TooManyAttempts { until: later + Duration::seconds(120) }
    );
    f.clock.advance(Duration::seconds(121));
    assert!(matches!(f.svc.join(&as_(x), &f.centre.invite_code, "X").unwrap().value, JoinResult::Requested { .. }));
    // A right code ends the run.
    assert!(f.svc.code_attempts(COORD).unwrap().is_empty());
}

// ----- 2. codes can be changed -----

#[test]
fn new_codes_replace_the_old_ones_at_once() {
    let f = Fixture::new();
    let g1 = f.family(10, "First");
    let old = f.svc.my_family(g1).unwrap().invite_code;
    let fresh = f.svc.new_family_code(&as_(g1)).unwrap().value.invite_code;
    assert_ne!(old, fresh);
    assert_eq!(f.svc.my_family(g1).unwrap().invite_code, fresh);
    assert_eq!(f.svc.join(&as_(UserId(11)), &old, "X").unwrap_err(), ServiceError::UnknownInvite);
    assert!(matches!(f.svc.join(&as_(UserId(12)), &fresh, "Y").unwrap().value, JoinResult::AwaitingFamily { .. }));
    // Only a guardian of an active family replaces it.
    assert_eq!(f.svc.new_family_code(&as_(UserId(12))).unwrap_err(), ServiceError::NotActive(MemberStatus::Pending));

    let old = f.centre.invite_code.clone();
    assert_eq!(f.svc.new_centre_code(&as_(g1)).unwrap_err(), ServiceError::NotCoordinator);
    let centre = f.svc.new_centre_code(&f.coord()).unwrap().value;
    assert_ne!(centre.invite_code, old);
    assert_eq!(f.svc.invite_code(COORD).unwrap().invite_code, centre.invite_code);
    assert_eq!(f.svc.join(&as_(UserId(13)), &old, "Z").unwrap_err(), ServiceError::UnknownInvite);
    assert!(matches!(
        f.svc.join(&as_(UserId(14)), &centre.invite_code, "W").unwrap().value,
        JoinResult::Requested { .. }
    ));
}

// ----- 3. leaving and removal -----

#[test]
fn leaving_cancels_the_future_with_the_usual_rules_and_keeps_the_balance() {
    let f = Fixture::new();
    let p = f.family(10, "Leaver");
    let q = f.family(20, "Waiting");
    let mine = f.child(p, "Mei", TODDLER);
    let theirs = f.child(q, "Lei", TODDLER);
    // Tomorrow 08:00 (within 24 h: a late cancellation costs half) with one place.
    let soon = f.svc.create_shift(&f.coord(), date("2026-12-02"), time("08:00"), time("10:00"), Some(1), Some(1));
    let soon = soon.unwrap().value.id;
    let later = f.shift("2026-12-08", "09:00", "11:00", 8);
    let volunteer = f.shift("2026-12-09", "09:00", "11:00", 8);
    f.svc.book(&as_(p), soon, mine).unwrap();
    let waiting = f.svc.book(&as_(q), soon, theirs).unwrap().value.booking.id;
    let far = f.svc.book(&as_(p), later, mine).unwrap().value.booking.id;
    let signup = f.svc.volunteer(&as_(p), volunteer).unwrap().value.id;
    assert_eq!(avail(&f, p), 360 - 120 - 120);

    let request = Caller::with_request(p, "u77");
    let out = f.svc.leave_centre(&request).unwrap();
    let d = &out.value;
    assert_eq!((d.cancelled, d.dropped, d.charged, d.balance), (2, 1, 60, Some(300)));
    assert_eq!(told(&out.notices, |e| matches!(e, Event::Left { removed: false, .. })), vec![p]);
    assert_eq!(told(&out.notices, |e| matches!(e, Event::MemberLeft { .. })), vec![COORD]);
    assert_eq!(told(&out.notices, |e| matches!(e, Event::Promoted { .. })), vec![q]);
    assert_eq!(f.svc.booking(waiting).unwrap().unwrap().status, BookingStatus::Confirmed);
    assert_eq!(f.svc.booking(far).unwrap().unwrap().status, BookingStatus::Cancelled);
    assert_eq!(f.svc.signup(signup).unwrap().unwrap().status, SignupStatus::Dropped);
    assert!(f.svc.member(p).unwrap().is_none());
    ledger_sums_to_zero(&f);

    // A replay changes nothing more.
    let before = f.svc.store().snapshot();
    assert!(f.svc.leave_centre(&request).unwrap().replayed);
    assert_eq!(f.svc.store().snapshot(), before);

    // Coming back with the centre's code finds the family and its balance.
    let back = f.svc.join(&as_(p), &f.centre.invite_code, "Leaver").unwrap().value;
    assert!(matches!(back, JoinResult::Rejoined { balance: 300, .. }), "{back:?}");
    f.svc.approve_member(&f.coord(), p).unwrap();
    assert_eq!(avail(&f, p), 300);
    assert_eq!(f.svc.children(p).unwrap().len(), 1);
    ledger_sums_to_zero(&f);
}

#[test]
fn a_coordinator_removes_a_family_free_of_charge_and_everyone_is_told() {
    let f = Fixture::new();
    let g1 = f.family(10, "First");
    let g2 = f.guardian(g1, 11, "Second");
    let kid = f.child(g1, "Mei", TODDLER);
    let soon = f.shift("2026-12-02", "08:00", "10:00", 8);
    f.svc.book(&as_(g2), soon, kid).unwrap();
    let code = f.svc.my_family(g1).unwrap().invite_code;
    assert_eq!(f.svc.remove_family(&as_(g1), g2).unwrap_err(), ServiceError::UnknownMember);

    let out = f.svc.remove_family(&f.coord(), g2).unwrap();
    let cancelled: u32 = out.value.iter().map(|d| d.cancelled).sum();
    let charged: i64 = out.value.iter().map(|d| d.charged).sum();
    assert_eq!((cancelled, charged), (1, 0));
    assert_eq!(told(&out.notices, |e| matches!(e, Event::Left { removed: true, .. })), vec![g1, g2]);
    assert!(f.svc.member(g1).unwrap().is_none() && f.svc.member(g2).unwrap().is_none());
    assert_eq!(f.svc.join(&as_(UserId(12)), &code, "X").unwrap_err(), ServiceError::UnknownInvite);
    // The balance is whole again and kept.
    let fam = out.value.iter().find_map(|d| d.balance);
    assert_eq!(fam, Some(360));
    ledger_sums_to_zero(&f);
}

#[test]
fn a_guardian_leaves_the_family_and_a_coordinator_removes_a_guardian() {
    let f = Fixture::new();
    let g1 = f.family(10, "First");
    let g2 = f.guardian(g1, 11, "Second");
    let g3 = f.guardian(g1, 12, "Third");
    let kid = f.child(g1, "Mei", TODDLER);
    let shift = f.shift("2026-12-08", "09:00", "11:00", 8);
    let booking = f.svc.book(&as_(g2), shift, kid).unwrap().value.booking.id;

    let out = f.svc.leave_family(&as_(g2)).unwrap();
    assert_eq!((out.value.cancelled, out.value.balance), (0, None));
    assert_eq!(told(&out.notices, |e| matches!(e, Event::MemberLeft { removed: false, .. })), vec![COORD, g1, g3]);
    assert_eq!(f.svc.my_family(g1).unwrap().guardians, vec![g1, g3]);
    // The family keeps its bookings.
    assert_eq!(f.svc.booking(booking).unwrap().unwrap().status, BookingStatus::Confirmed);

    assert_eq!(f.svc.remove_member(&as_(g1), g3).unwrap_err(), ServiceError::NotCoordinator);
    let out = f.svc.remove_member(&f.coord(), g3).unwrap();
    assert_eq!(told(&out.notices, |e| matches!(e, Event::Left { removed: true, .. })), vec![g3]);
    assert_eq!(told(&out.notices, |e| matches!(e, Event::MemberLeft { removed: true, .. })), vec![g1]);
    assert_eq!(f.svc.my_family(g1).unwrap().guardians, vec![g1]);
    assert_eq!(f.svc.remove_member(&f.coord(), UserId(999)).unwrap_err(), ServiceError::UnknownMember);
}

#[test]
fn a_family_that_closed_takes_nobody_in() {
    let f = Fixture::new();
    let g1 = f.family(10, "First");
    let x = UserId(11);
    f.svc.join(&as_(x), &f.svc.my_family(g1).unwrap().invite_code, "X").unwrap();
    f.svc.confirm_guardian(&as_(g1), x).unwrap();
    f.svc.leave_centre(&as_(g1)).unwrap();
    assert_eq!(f.svc.approve_member(&f.coord(), x).unwrap_err(), ServiceError::UnknownMember);
    assert_eq!(f.svc.member(x).unwrap().unwrap().status, MemberStatus::Pending);
    // They can still leave (withdraw) and ask again elsewhere.
    f.svc.leave_centre(&as_(x)).unwrap();
    assert!(f.svc.member(x).unwrap().is_none() && f.svc.guardian_request(x).unwrap().is_none());
}

// ----- 9. automatic settlement does not stall -----

#[test]
fn one_shift_that_fails_to_settle_does_not_block_the_others() {
    let f = Fixture::new();
    let p = f.family(10, "P");
    let kid = f.child(p, "Mei", TODDLER);
    let broken = f.shift("2026-12-02", "09:00", "11:00", 8);
    let fine = f.shift("2026-12-03", "09:00", "11:00", 8);
    let gone = f.svc.book(&as_(p), broken, kid).unwrap().value.booking.id;
    f.svc.book(&as_(p), fine, kid).unwrap();
    // A record the broken shift needs is missing: settling it fails.
    f.svc.store().tree(T::Bookings).remove(Key::new().u64(gone.0)).unwrap();

    f.clock.set(t0() + Duration::days(3));
    let settled = f.svc.settle_due().unwrap();
    assert_eq!(settled.iter().map(|o| o.value.shift.id).collect::<Vec<_>>(), vec![fine]);
    assert_eq!(f.svc.shift(fine).unwrap().unwrap().status, ShiftStatus::Settled);
    assert_eq!(f.svc.shift(broken).unwrap().unwrap().status, ShiftStatus::Open);
    // Tried again later, not in a tight loop: the next wake-up is in the future.
    let next = f.svc.next_settlement_due().unwrap().unwrap();
    assert!(next > f.svc.now(), "{next} is not after {}", f.svc.now());
    assert!(f.svc.settle_due_each().unwrap().is_empty());
    f.clock.set(next);
    assert!(
        matches!(f.svc.settle_due_each().unwrap().as_slice(), [AutoSettle::Failed { shift, .. }] if *shift == broken)
    );
}

#[test]
fn the_next_settlement_is_the_true_next_one() {
    let f = Fixture::new();
    // The first shift of the day by id ends last.
    f.shift("2026-12-02", "14:00", "17:00", 8);
    f.shift("2026-12-02", "09:00", "10:00", 8);
    let tz = f.centre.tz();
    let expect = huzhu::domain::local_to_utc(tz, date("2026-12-02").and_time(time("10:00"))) + Duration::hours(12);
    assert_eq!(f.svc.next_settlement_due().unwrap(), Some(expect));
    f.clock.set(expect);
    assert_eq!(f.svc.settle_due().unwrap().len(), 1);
    let second = huzhu::domain::local_to_utc(tz, date("2026-12-02").and_time(time("17:00"))) + Duration::hours(12);
    assert_eq!(f.svc.next_settlement_due().unwrap(), Some(second));
}

// ----- 4. personal data -----

const ID: i64 = 777_123_456;
const NAME: &str = "Zhangsan Uniquename";
const CHILD: &str = "Xiaoming Childname";
const BIRTH: &str = "2025-03-04";
const NOTES: &str = "allergic to peanuts, uniquenote";

/// A member with a child, language, bookings past and future, a signup, wrong codes,
/// and requests remembered under their keys.
fn person_with_history(f: &Fixture) -> UserId {
    let u = UserId(ID);
    f.svc.set_language(u, "en").unwrap();
    assert!(f.svc.join(&Caller::with_request(u, "u1"), "NOPE99", NAME).is_err());
    f.svc.join(&Caller::with_request(u, "u2"), &f.centre.invite_code, NAME).unwrap();
    f.svc.approve_member(&Caller::with_request(COORD, "u3"), u).unwrap();
    let kid = f.svc.add_child(&Caller::with_request(u, "u4"), CHILD, date(BIRTH), Some(NOTES)).unwrap().value.id;
    let past = f.shift("2026-12-01", "12:00", "13:00", 8);
    let future = f.shift("2026-12-08", "09:00", "11:00", 8);
    let vol = f.shift("2026-12-09", "09:00", "11:00", 8);
    f.svc.book(&Caller::with_request(u, "u5"), past, kid).unwrap();
    f.svc.book(&Caller::with_request(u, "u6"), future, kid).unwrap();
    f.svc.volunteer(&Caller::with_request(u, "u7"), vol).unwrap();
    f.svc.volunteer(&Caller::with_request(u, "u8"), past).unwrap();
    f.svc.grant(&Caller::with_request(COORD, "u9"), u, 30, "thanks").unwrap();
    f.clock.set(t0() + Duration::days(1));
    f.svc.settle_due().unwrap();
    assert_eq!(f.svc.shift(past).unwrap().unwrap().status, ShiftStatus::Settled);
    u
}

#[test]
fn mydata_holds_everything_about_the_member_and_their_children() {
    let f = Fixture::new();
    let u = person_with_history(&f);
    let doc = f.svc.my_data(u).unwrap();
    let json = serde_json::to_string_pretty(&doc).unwrap();
    for needle in [NAME, CHILD, BIRTH, NOTES, "\"en\"", &ID.to_string()] {
        assert!(json.contains(needle), "{needle} missing from {json}");
    }
    let fam = doc.family.as_ref().unwrap();
    assert_eq!(fam.balance, avail(&f, u));
    assert_eq!(doc.bookings.len(), 2);
    assert_eq!(doc.volunteer_signups.len(), 2);
    for kind in [EntryKind::StartGrant, EntryKind::Hold, EntryKind::Earn, EntryKind::Grant] {
        assert!(fam.ledger.iter().any(|e| e.kind == kind), "{kind:?}");
    }
    // Someone else's data is not in it.
    let other = f.family(20, "Other Person");
    f.child(other, "Other Kid", TODDLER);
    let json = serde_json::to_string(&f.svc.my_data(u).unwrap()).unwrap();
    assert!(!json.contains("Other Person") && !json.contains("Other Kid"));
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn forget_leaves_no_trace_and_the_ledger_still_balances() {
    let f = Fixture::new();
    let u = person_with_history(&f);
    let entries: Vec<Vec<u8>> = f.svc.store().tree(T::Ledger).iter().keys().map(|k| k.unwrap().to_vec()).collect();
    let decimal = ID.to_string();
    let key = Key::new().i64(ID).into_vec();
    let needles: Vec<&[u8]> =
        vec![NAME.as_bytes(), CHILD.as_bytes(), BIRTH.as_bytes(), NOTES.as_bytes(), decimal.as_bytes(), &key];
    // Before: the person is everywhere.
    let found = |snap: &Vec<Vec<(Vec<u8>, Vec<u8>)>>| -> Vec<String> {
        let mut hits = vec![];
        for (i, tree) in snap.iter().enumerate() {
            for (k, v) in tree {
                for n in &needles {
                    if contains(k, n) || contains(v, n) {
                        hits.push(format!(
                            "{:?}: {} / {}",
                            T::ALL[i],
                            String::from_utf8_lossy(k),
                            String::from_utf8_lossy(v)
                        ));
                    }
                }
            }
        }
        hits
    };
    assert!(found(&f.svc.store().snapshot()).len() > 10);

    let out = f.svc.forget(&Caller::with_request(u, "u10")).unwrap();
    assert!(out.value.records > 0);
    let hits = found(&f.svc.store().snapshot());
    assert!(hits.is_empty(), "still there:\n{}", hits.join("\n"));
    // The ledger keeps every entry (leaving released the future booking's hold: one
    // more), and every account still sums to zero.
    for k in &entries {
        assert!(f.svc.store().tree(T::Ledger).contains_key(k).unwrap());
    }
    assert_eq!(f.svc.store().tree(T::Ledger).len(), entries.len() + 1);
    ledger_sums_to_zero(&f);
    assert!(f.svc.member(u).unwrap().is_none() && f.svc.profile(u).unwrap().is_none());
    // Again: nothing left to forget, nothing changes.
    let before = f.svc.store().snapshot();
    assert_eq!(f.svc.forget(&Caller::with_request(u, "u10")).unwrap().value.records, 0);
    assert_eq!(f.svc.store().snapshot(), before);
}

/// A suspension, a departure or a removal walks the records it must end inside its
/// change: a booking or signup made at the same moment from another chat is either
/// refused (made after) or ended with the rest (made before), never left live. (Walked
/// from an index read before the change, one made in between was missed.)
#[test]
fn bookings_made_while_a_member_goes_are_never_left_behind() {
    let f = Fixture::new();
    let shifts: Vec<ShiftId> =
        (0..6).map(|i| f.shift("2026-12-05", &format!("{:02}:00", 8 + i), &format!("{:02}:30", 8 + i), 20)).collect();
    for round in 0..60i64 {
        let user = f.family(1_000 + round, "Racer");
        let kid = f.child(user, "Kid", TODDLER);
        let (booked, signed) = std::thread::scope(|s| {
            let svc = &f.svc;
            let shifts = &shifts;
            let booker = s.spawn(move || {
                let b: Vec<BookingId> = shifts
                    .iter()
                    .filter_map(|sh| svc.book(&as_(user), *sh, kid).ok())
                    .map(|o| o.value.booking.id)
                    .collect();
                let v: Vec<SignupId> =
                    shifts.iter().filter_map(|sh| svc.volunteer(&as_(user), *sh).ok()).map(|o| o.value.id).collect();
                (b, v)
            });
            std::thread::sleep(std::time::Duration::from_micros(50 * (round as u64 % 20)));
            match round % 3 {
                0 => f.svc.suspend_member(&f.coord(), user).map(|_| ()),
                1 => f.svc.leave_centre(&as_(user)).map(|_| ()),
                _ => f.svc.remove_member(&f.coord(), user).map(|_| ()),
            }
            .expect("the member goes");
            booker.join().expect("the booker")
        });
        for b in booked {
            let b = f.svc.booking(b).unwrap().unwrap();
            assert!(!b.is_live(), "round {round}: booking #{} left {:?}", b.id.0, b.status);
        }
        for v in signed {
            let v = f.svc.signup(v).unwrap().unwrap();
            assert!(!v.is_on_duty(), "round {round}: signup v{} left {:?}", v.id.0, v.status);
        }
    }
    let sum: i128 = f.svc.ledger_sum().unwrap();
    assert_eq!(sum, 0);
}
