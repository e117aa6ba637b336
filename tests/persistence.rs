//! Durability on a real sled directory: everything survives a reopen, the schema version
//! is checked at open, and concurrent bookings of the last place stay consistent.

use std::path::Path;
use std::sync::{Arc, Barrier};

use chrono::{DateTime, Duration, Utc, Weekday};
use huzhu::clock::ManualClock;
use huzhu::domain::*;
use huzhu::service::*;
use huzhu::store::{encode, Store, StoreError, SCHEMA_VERSION, T};
use huzhu::testing::{date, t0, time, Fixture, ADMIN, COORD};

const OLDER: &str = "2024-06-01";

fn as_(user: UserId) -> Caller {
    Caller::new(user)
}

/// sled lets go of its lock a moment after the last handle is dropped (its threads
/// finish first), so a reopen right after a drop waits for it.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

fn open(path: &Path) -> Arc<Store> {
    match Store::open_waiting(path, LOCK_WAIT) {
        Ok(store) => Arc::new(store),
        Err(e) => panic!("open {}: {e}", path.display()),
    }
}

fn open_err(path: &Path) -> StoreError {
    match Store::open_waiting(path, LOCK_WAIT) {
        Ok(_) => panic!("{} opened, expected an error", path.display()),
        Err(e) => e,
    }
}

/// sled itself, below huzhu's store, waiting for the lock like `open`.
fn sled_open(path: &Path) -> sled::Db {
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    loop {
        match sled::open(path) {
            Err(e) if e.to_string().contains("could not acquire lock") && std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50))
            }
            r => return r.expect("open the database with sled"),
        }
    }
}

/// A service over an existing store (no new centre), clock at `now`.
fn service(store: Arc<Store>, now: DateTime<Utc>) -> Service {
    let config = ServiceConfig { super_admins: vec![ADMIN], ..ServiceConfig::default() };
    Service::new(store, Arc::new(ManualClock::new(now)), config)
}

/// Everything a person could ask the service about the centre.
#[derive(Debug, PartialEq)]
struct Seen {
    centres: Vec<Centre>,
    members: Vec<Member>,
    coordinators: Vec<UserId>,
    balances: Vec<BalanceView>,
    bookings: Vec<Vec<(Booking, Shift)>>,
    signups: Vec<(Signup, Shift)>,
    schedule: Vec<ShiftView>,
    children: Vec<Child>,
    templates: Vec<Template>,
    ledger_sum: i128,
}

fn look(svc: &Service, centre: CentreId, parents: &[UserId], volunteer: UserId) -> Seen {
    let from = date("2026-11-01");
    Seen {
        centres: svc.centres().unwrap(),
        members: svc.members_of(centre).unwrap(),
        coordinators: svc.coordinators_of(centre).unwrap(),
        balances: parents.iter().map(|u| svc.balance(*u, 100).unwrap()).collect(),
        bookings: parents.iter().map(|u| svc.my_bookings(*u, from).unwrap()).collect(),
        signups: svc.my_signups(volunteer, from).unwrap(),
        schedule: svc.schedule(COORD, from, 62).unwrap(),
        children: svc.children(parents[0]).unwrap(),
        templates: svc.templates(COORD).unwrap(),
        ledger_sum: svc.ledger_sum().unwrap(),
    }
}

#[test]
fn everything_survives_closing_and_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join("huzhu.db");
    let f = Fixture::with_store(open(&path), t0());
    let (p, q, v) = (f.family(10, "P"), f.family(20, "Q"), f.family(30, "V"));
    f.guardian(p, 11, "P2");
    let mei = f.svc.add_child(&as_(p), "Mei", date(OLDER), Some("eggs")).unwrap().value.id;
    let lei = f.child(q, "Lei", OLDER);
    let s1 = f.svc.create_shift(&f.coord(), date("2026-12-03"), time("09:00"), time("12:00"), Some(1), None);
    let s1 = s1.unwrap().value.id;
    let s2 = f.shift("2026-12-04", "09:00", "11:00", 12);
    f.svc.book(&as_(p), s1, mei).unwrap();
    let waiting = f.svc.book(&as_(q), s1, lei).unwrap().value.booking;
    assert_eq!(waiting.status, BookingStatus::Waitlisted);
    f.svc.volunteer(&as_(v), s1).unwrap();
    f.svc.book(&Caller::with_request(UserId(11), "u-1"), s2, mei).unwrap();
    f.svc.grant(&f.coord(), q, 120, "cake sale").unwrap();
    f.svc.set_overdraft(&f.coord(), p, 100).unwrap();
    let tpl = f.svc.create_template(&f.coord(), Weekday::Fri, time("14:00"), time("16:00"), None, None).unwrap();
    f.svc.generate_shifts(&f.coord(), Some(tpl.value.id), date("2026-12-01"), date("2026-12-31")).unwrap();
    f.clock.set(f.svc.shift(s1).unwrap().unwrap().ends_at(f.centre.tz()));
    f.svc.settle_shift(&f.coord(), s1).unwrap();

    let (centre, now, parents) = (f.centre.id, f.svc.now(), [p, q, v]);
    let before = look(&f.svc, centre, &parents, v);
    assert_eq!(
        before.balances.iter().map(|b| (b.available, b.held)).collect::<Vec<_>>(),
        [(360 - 180 - 120, 120), (360 + 120, 0), (360 + 360, 0)]
    );
    assert_eq!(before.schedule.len(), 1 + 4, "s2 and four Fridays; the settled shift is history");
    let snapshot = f.svc.store().snapshot();
    drop(f);

    let svc = service(open(&path), now);
    assert_eq!(look(&svc, centre, &parents, v), before);
    assert!(svc.store().snapshot() == snapshot, "the reopened database holds exactly what was written");
    assert_eq!(svc.booking(waiting.id).unwrap().unwrap().status, BookingStatus::Cancelled);
    // Requests remembered before the restart are still answered as replays.
    let again = svc.book(&Caller::with_request(UserId(11), "u-1"), s2, mei).unwrap();
    assert!(again.replayed);
    // Counters carry on: a new record does not reuse an id.
    let s3 = svc.create_shift(&as_(COORD), date("2026-12-05"), time("09:00"), time("10:00"), None, None).unwrap();
    let max_seen = before.schedule.iter().map(|s| s.shift.id).max().unwrap();
    assert!(s3.value.id > max_seen);
    let b = svc.book(&as_(q), s3.value.id, lei).unwrap().value.booking;
    assert!(b.id > waiting.id);
    assert_eq!(svc.ledger_sum().unwrap(), 0);
}

#[test]
fn a_different_schema_version_refuses_to_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huzhu.db");
    let store = open(&path);
    assert_eq!(store.get::<u32>(T::Meta, "schema_version").unwrap(), Some(SCHEMA_VERSION));
    drop(Fixture::with_store(store.clone(), t0()));
    store.tree(T::Meta).insert("schema_version", encode(&(SCHEMA_VERSION + 1))).unwrap();
    store.flush().unwrap();
    drop(store);

    match open_err(&path) {
        StoreError::SchemaMismatch { found, expected } => {
            assert_eq!((found, expected), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("expected SchemaMismatch, got {other}"),
    }
    // Nothing was touched: put the version back by hand and the data is all there.
    let db = sled_open(&path);
    db.open_tree("meta").unwrap().insert("schema_version", encode(&SCHEMA_VERSION)).unwrap();
    db.open_tree("meta").unwrap().flush().unwrap();
    drop(db);
    let svc = service(open(&path), t0());
    assert_eq!(svc.centres().unwrap().len(), 1);
    assert_eq!(svc.coordinators_of(svc.centres().unwrap()[0].id).unwrap(), vec![COORD]);

    // A version that is not even readable is an error too, never a silent reset.
    svc.store().tree(T::Meta).insert("schema_version", &b"\x01\"two\""[..]).unwrap();
    svc.store().flush().unwrap();
    drop(svc);
    assert!(matches!(open_err(&path), StoreError::Decode(_)));
}

#[test]
fn two_families_racing_for_the_last_place_get_one_place_and_one_waitlist() {
    let dir = tempfile::tempdir().unwrap();
    let f = Fixture::with_store(open(&dir.path().join("huzhu.db")), t0());
    let racers: Vec<(UserId, ChildId)> = [40, 50]
        .into_iter()
        .map(|u| {
            let p = f.family(u, "racer");
            f.svc.grant(&f.coord(), p, 10_000, "plenty").unwrap();
            (p, f.child(p, "kid", OLDER))
        })
        .collect();
    let first_day = date("2026-12-02");
    for round in 0..40 {
        let day = first_day + Duration::days(round);
        let shift = f.svc.create_shift(&f.coord(), day, time("09:00"), time("09:30"), Some(1), Some(1));
        let shift = shift.unwrap().value.id;
        let barrier = Arc::new(Barrier::new(racers.len()));
        let threads: Vec<_> = racers
            .iter()
            .map(|&(p, c)| {
                let (svc, barrier) = (f.svc.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    svc.book(&as_(p), shift, c).expect("both bookings are accepted").value
                })
            })
            .collect();
        let mut results: Vec<BookResult> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        results.sort_by_key(|r| r.booking.id);
        let statuses: Vec<(BookingStatus, Option<u32>)> =
            results.iter().map(|r| (r.booking.status, r.waitlist_position)).collect();
        assert_eq!(statuses, [(BookingStatus::Confirmed, None), (BookingStatus::Waitlisted, Some(1))], "round {round}");
        let stored = f.svc.shift(shift).unwrap().unwrap();
        assert_eq!(stored.bookings, results.iter().map(|r| r.booking.id).collect::<Vec<_>>());
        assert_eq!(f.svc.ledger_sum().unwrap(), 0, "round {round}");
    }
    let held: i64 = racers.iter().map(|(p, _)| f.svc.balance(*p, 0).unwrap().held).sum();
    assert_eq!(held, 40 * 2 * 30);
    assert_eq!(f.svc.account_balance(AccountId::Escrow(f.centre.id)).unwrap(), held);
}
