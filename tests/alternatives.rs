//! The shifts offered to a waitlisted child (`Service::alternatives`) are exactly those
//! `quote` would confirm, nearest first, however the search is made cheap (one read,
//! full shifts passed over on their own record, the nearest weighed first).

use huzhu::domain::*;
use huzhu::service::*;
use huzhu::testing::{date, time, Fixture};

/// Born so that on the December 2026 shift dates the child is a toddler.
const TODDLER: &str = "2025-06-01";

fn shift(f: &Fixture, day: &str, from: &str, to: &str, capacity: u32, staff: u32) -> ShiftId {
    f.svc
        .create_shift(&f.coord(), date(day), time(from), time(to), Some(capacity), Some(staff))
        .expect("shift")
        .value
        .id
}

/// What `alternatives` promises, worked out the slow way: every shift of the window
/// quoted on its own.
fn by_quotes(f: &Fixture, user: UserId, of: ShiftId, child: ChildId, limit: usize) -> Vec<ShiftId> {
    let target = f.svc.shift(of).unwrap().unwrap();
    let today = f.svc.today(f.centre.tz());
    let from = (target.date - chrono::Days::new(7)).max(today);
    let to = target.date + chrono::Days::new(7);
    let mut found: Vec<Shift> = f
        .svc
        .shift_ids_between(f.centre.id, from, to)
        .unwrap()
        .into_iter()
        .filter(|id| *id != of)
        .filter_map(|id| f.svc.quote(user, id, child).ok())
        .filter(|q| q.would_confirm)
        .map(|q| q.shift)
        .collect();
    found.sort_by_key(|s| ((s.date - target.date).num_days().abs(), s.start));
    found.truncate(limit);
    found.into_iter().map(|s| s.id).collect()
}

#[test]
fn the_offered_shifts_are_those_a_quote_would_confirm_nearest_first() {
    let f = Fixture::new();
    let (parent, other) = (f.family(100, "parent"), f.family(101, "other"));
    f.svc.grant(&f.coord(), parent, 100_000, "test").unwrap();
    f.svc.grant(&f.coord(), other, 100_000, "test").unwrap();
    let kid = f.child(parent, "kid", TODDLER);
    let others: Vec<ChildId> = (0..6).map(|i| f.child(other, &format!("o{i}"), TODDLER)).collect();
    // The shift the kid waits for: one place, taken.
    let full = shift(&f, "2026-12-03", "08:00", "10:00", 1, 1);
    f.svc.book(&Caller::new(other), full, others[0]).unwrap();
    // Full as well (its list fills the room): passed over.
    let also_full = shift(&f, "2026-12-03", "10:00", "12:00", 1, 1);
    f.svc.book(&Caller::new(other), also_full, others[1]).unwrap();
    // Room left, but nobody to look after a child: they wait, so no confirmation.
    let no_staff = shift(&f, "2026-12-04", "08:00", "10:00", 5, 0);
    let waiting = f.svc.book(&Caller::new(other), no_staff, others[2]).unwrap().value;
    assert!(waiting.waitlist_position.is_some());
    // The kid is busy at that time on the 2nd.
    let busy = shift(&f, "2026-12-02", "12:00", "14:00", 3, 1);
    let clash = shift(&f, "2026-12-02", "13:00", "15:00", 3, 1);
    f.svc.book(&Caller::new(parent), busy, kid).unwrap();
    // Cancelled: not open.
    let cancelled = shift(&f, "2026-12-05", "08:00", "10:00", 3, 1);
    f.svc.cancel_shift(&f.coord(), cancelled, "rain").unwrap();
    // Beyond a week from the 3rd.
    let far = shift(&f, "2026-12-11", "08:00", "10:00", 3, 1);
    // Free ones at various distances: the 3rd later in the day, the 4th, the 6th, the 9th.
    let free: Vec<ShiftId> = [
        ("2026-12-09", "08:00"),
        ("2026-12-04", "14:00"),
        ("2026-12-03", "15:00"),
        ("2026-12-06", "08:00"),
        ("2026-12-04", "11:00"),
    ]
    .iter()
    .map(|(d, t)| {
        let end = format!("{:02}:00", t[..2].parse::<u32>().unwrap() + 2);
        shift(&f, d, t, &end, 3, 1)
    })
    .collect();
    let r = f.svc.book(&Caller::new(parent), full, kid).unwrap().value;
    assert_eq!(r.waitlist_position, Some(1));
    for limit in [0, 1, 3, 10] {
        let got: Vec<ShiftId> = f.svc.alternatives(parent, full, kid, limit).unwrap().iter().map(|s| s.id).collect();
        assert_eq!(got, by_quotes(&f, parent, full, kid, limit), "limit {limit}");
    }
    let all: Vec<ShiftId> = f.svc.alternatives(parent, full, kid, 10).unwrap().iter().map(|s| s.id).collect();
    // Nearest first: the 3rd, then the 4th (11:00 before 14:00), the 6th, the 9th.
    assert_eq!(all, vec![free[2], free[4], free[1], free[3], free[0]]);
    for never in [full, also_full, no_staff, clash, cancelled, far, busy] {
        assert!(!all.contains(&never), "shift {never} offered");
    }
    // Someone else's child: nothing to offer (as every quote refuses).
    assert!(f.svc.alternatives(parent, full, others[3], 10).unwrap().is_empty());
}

/// Shifts as near on either side are weighed together, the earlier in the day first,
/// whichever side they are on; a nearer day always comes before a farther one.
#[test]
fn as_near_on_either_side_the_earlier_in_the_day_comes_first() {
    let f = Fixture::new();
    let (parent, other) = (f.family(100, "parent"), f.family(101, "other"));
    f.svc.grant(&f.coord(), parent, 100_000, "test").unwrap();
    f.svc.grant(&f.coord(), other, 100_000, "test").unwrap();
    let kid = f.child(parent, "kid", TODDLER);
    let taker = f.child(other, "taker", TODDLER);
    let full = shift(&f, "2026-12-05", "08:00", "10:00", 1, 1);
    f.svc.book(&Caller::new(other), full, taker).unwrap();
    let two_days_before_early = shift(&f, "2026-12-03", "07:00", "08:00", 3, 1);
    let day_before_late = shift(&f, "2026-12-04", "15:00", "17:00", 3, 1);
    let day_after_early = shift(&f, "2026-12-06", "09:00", "11:00", 3, 1);
    let day_before_midday = shift(&f, "2026-12-04", "11:00", "13:00", 3, 1);
    assert_eq!(f.svc.book(&Caller::new(parent), full, kid).unwrap().value.waitlist_position, Some(1));
    let got = |limit| -> Vec<ShiftId> {
        f.svc.alternatives(parent, full, kid, limit).unwrap().iter().map(|s| s.id).collect()
    };
    assert_eq!(got(1), vec![day_after_early]);
    assert_eq!(got(3), vec![day_after_early, day_before_midday, day_before_late]);
    assert_eq!(got(10), vec![day_after_early, day_before_midday, day_before_late, two_days_before_early]);
    for limit in [1, 2, 3, 4, 10] {
        assert_eq!(got(limit), by_quotes(&f, parent, full, kid, limit), "limit {limit}");
    }
}
