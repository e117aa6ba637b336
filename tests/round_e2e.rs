//! The allocation round end to end: the real binary against the stand-in, its clock set
//! (`HUZHU_CLOCK_START`). A coordinator opens a round with `/round open`; thirty families
//! build their wishes with the `/wish` buttons at the same time; the coordinator
//! previews; the bot restarts past the deadline and commits from its jobs; every family
//! gets exactly one result, and the bookings are the preview's.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use huzhu::clock::ManualClock;
use huzhu::domain::UserId;
use huzhu::service::{Service, ServiceConfig};
use huzhu::store::Store;
use huzhu::testing::{date, t0, Fixture, COORD};
use tg_standin::TestUser;

/// An older toddler in December 2026.
const OLDER: &str = "2024-06-01";
const FAMILIES: std::ops::Range<i64> = 6000..6030;
/// Mon, Tue, Wed of the round's week, six places each (one staff could mind seven).
const DAYS: [&str; 3] = ["2026-12-07", "2026-12-08", "2026-12-09"];
const LABELS: [&str; 3] = ["Mon 7 Dec 09:00-12:00", "Tue 8 Dec 09:00-12:00", "Wed 9 Dec 09:00-12:00"];

fn user(id: i64) -> TestUser {
    TestUser::new(id, &format!("Member {id}"), Some("en"))
}

fn clock(at: &str) -> Vec<(String, String)> {
    vec![("HUZHU_CLOCK_START".into(), at.into())]
}

fn seed(dir: &std::path::Path) {
    let store = Arc::new(Store::open(Harness::db_path(dir)).expect("open the database"));
    store.set_durable(false);
    let fx = Fixture::with_store(store.clone(), t0());
    fx.svc.set_language(COORD, "en").expect("language");
    for d in DAYS {
        fx.shift(d, "09:00", "12:00", 6);
    }
    for id in FAMILIES {
        let u = fx.family(id, &format!("Member {id}"));
        fx.svc.set_language(u, "en").expect("language");
        fx.child(u, &format!("Kid{id}"), OLDER);
    }
    store.flush().expect("flush the seeded database");
}

/// One family's `/wish`: two shifts in its order, at most one, sent.
async fn wish(h: &Harness, u: &TestUser, order: [usize; 2]) {
    let r = h.say(u, "/wish").await;
    assert_has(&r, &format!("Wish for Kid{}", u.id));
    for i in order {
        let r = h.press(u, LABELS[i]).await;
        assert_has(&r, LABELS[i]);
    }
    let r = h.press(u, "Done").await;
    assert_has(&r, "How many of these 2 shifts");
    let r = h.press(u, "1").await;
    assert_has(&r, "at most 1");
    let r = h.press(u, "Send the wish").await;
    assert_has(&r, &format!("Wish saved for Kid{}: 2 shifts, at most 1", u.id));
}

/// Every message to `chat` after `after`, joined (a long answer comes in parts).
fn texts_after(h: &Harness, chat: i64, after: u64) -> String {
    let mut msgs: Vec<_> = h.standin.messages_to(chat).into_iter().filter(|m| m.seq > after).collect();
    msgs.sort_by_key(|m| m.seq);
    msgs.iter().map(|m| m.text.clone()).collect::<Vec<_>>().join("\n")
}

/// The shift ids on `line` ("Kid6001: booked #2 Tue 8 Dec 09:00-12:00").
fn ids_on(line: &str) -> Vec<u64> {
    line.split('#').skip(1).filter_map(|p| p.split(' ').next()?.parse().ok()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_families_wish_at_once_and_each_hears_its_result_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    seed(dir.path());
    let mut h = Harness::prepare(dir, clock("2026-12-04T19:00:00+08:00")).await;
    let coord = user(COORD.0);
    let families: Vec<TestUser> = FAMILIES.map(user).collect();
    h.register(&[&coord]);
    for f in &families {
        h.register(&[f]);
    }
    h.spawn().await;

    let r = h.say(&coord, "/round open 2026-12-07 2026-12-04").await;
    assert_has(&r, "Usage: /round open");
    let r = h.say(&coord, "/round open 2026-12-08 2026-12-04T20:00").await;
    assert_has(&r, "must start on a Monday");
    let r = h.say(&coord, "/round open 2026-12-07 2026-12-04T20:00").await;
    assert_has(&r, "is open for the week of Mon 7 Dec");
    assert_has(&r, "until 2026-12-04 20:00");
    // First-come booking of that week waits for the round.
    let r = h.say(&families[0], "/book 1 1").await;
    assert_has(&r, "allocation round");

    // Thirty families build their wishes at once, each its own order.
    let started = Instant::now();
    let flows = families.iter().enumerate().map(|(i, u)| wish(&h, u, [i % 3, (i + 1) % 3]));
    futures::future::join_all(flows).await;
    eprintln!("30 wishes through the buttons in {:?}", started.elapsed());

    let before = h.seq();
    let r = h.say(&coord, "/round preview").await;
    assert_has(&r, "18 child-shifts for 30 children");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let preview = texts_after(&h, coord.id, before);

    // Past the deadline: the bot commits from its jobs and tells every family.
    h.stop().await;
    h.env = clock("2026-12-04T20:00:05+08:00");
    let told_before = h.seq();
    h.spawn().await;
    let results = |h: &Harness, id: i64| {
        h.standin.messages_to(id).into_iter().filter(|m| m.seq > told_before && m.text.contains("Your result")).count()
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while !families.iter().all(|f| results(&h, f.id) >= 1) {
        assert!(Instant::now() < deadline, "not every family was told; bot log:\n{}", h.log_tail());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut placed = 0;
    let mut shown: HashMap<i64, Vec<u64>> = HashMap::new();
    for f in &families {
        assert_eq!(results(&h, f.id), 1, "family {} got one result", f.id);
        let msg = texts_after(&h, f.id, told_before);
        let kid = format!("Kid{}", f.id);
        let line = msg.lines().find(|l| l.starts_with(&kid)).expect("the child's line");
        // The same line as in the preview: the commit booked what the preview showed.
        assert!(preview.lines().any(|l| l == line), "{line:?} not in the preview:\n{preview}");
        if line.contains("booked") {
            placed += 1;
        } else {
            assert!(msg.contains("it was full"), "why not, for {kid}: {msg}");
        }
        shown.insert(f.id, ids_on(line));
    }
    assert_eq!(placed, 18);
    // Now the week's leftovers (none here) are first-come again: the round answers no more.
    let r = h.say(&families[0], "/wish").await;
    assert_has(&r, "There is no open round");
    h.stop().await;

    // The database agrees: each child's confirmed bookings are the preview's shifts.
    let store = Arc::new(Store::open(Harness::db_path(h.db_dir.path())).expect("open the database"));
    let svc = Service::new(store, Arc::new(ManualClock::new(t0())), ServiceConfig::default());
    for f in &families {
        let mut booked: Vec<u64> =
            svc.my_bookings(UserId(f.id), date(DAYS[0])).unwrap().into_iter().map(|(b, _)| b.shift.0).collect();
        booked.sort();
        let mut want = shown[&f.id].clone();
        want.sort();
        if !preview.lines().any(|l| l.starts_with(&format!("Kid{}: booked", f.id))) {
            want.clear();
        }
        assert_eq!(booked, want, "family {}", f.id);
    }
}
