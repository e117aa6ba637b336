//! The allocation round end to end: the real binary against the stand-in, its clock set
//! (`HUZHU_CLOCK_START`). A coordinator opens a round with `/round open`; thirty families
//! build their wishes with the `/wish` buttons at the same time; the coordinator
//! previews; the bot restarts past the deadline and commits from its jobs, is killed
//! while some results and the coordinators' summary are still on their way, and starts
//! again; every family gets exactly one result, the coordinator one summary, the
//! bookings are the preview's and no shift holds more than its rules allow. With several
//! rounds open, `/wish` asks for the week (buttons, or `/wish YYYY-MM-DD`).

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use huzhu::clock::ManualClock;
use huzhu::domain::{BookingStatus, UserId};
use huzhu::rota;
use huzhu::service::{Service, ServiceConfig};
use huzhu::store::Store;
use huzhu::testing::{date, t0, Fixture, COORD};
use tg_standin::{Injected, TestUser};

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
    assert_has(&r, "/round open YYYY-MM-DD DEADLINE");
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

    let r = h.say(&coord, "/round").await;
    assert_has(&r, "week of Mon 7 Dec: taking wishes until 2026-12-04 20:00, 30 children so far");

    // Past the deadline: the bot commits from its jobs and tells every family. The sends
    // to three families and to the coordinator hang (Telegram slower than the client
    // waits, nothing delivered) and the bot is killed (SIGKILL) while they do.
    h.stop().await;
    let stuck: Vec<i64> = families[..3].iter().map(|f| f.id).chain([coord.id]).collect();
    for id in &stuck {
        h.standin.plan("sendMessage", Some(*id), Injected::Slow(Duration::from_secs(300)), false);
    }
    h.env = clock("2026-12-04T20:00:05+08:00");
    let told_before = h.seq();
    h.spawn().await;
    let results = |h: &Harness, id: i64| {
        h.standin.messages_to(id).into_iter().filter(|m| m.seq > told_before && m.text.contains("Your result")).count()
    };
    let summaries = |h: &Harness| {
        h.standin
            .messages_to(coord.id)
            .into_iter()
            .filter(|m| m.seq > told_before && m.text.contains("is allocated and booked"))
            .collect::<Vec<_>>()
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while !(families[3..].iter().all(|f| results(&h, f.id) >= 1) && h.standin.planned().is_empty()) {
        assert!(Instant::now() < deadline, "the commit's sends did not start; bot log:\n{}", h.log_tail());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    h.kill();
    assert!(
        stuck[..3].iter().all(|id| results(&h, *id) == 0) && summaries(&h).is_empty(),
        "the hung sends took effect"
    );
    h.spawn().await;
    let deadline = Instant::now() + Duration::from_secs(90);
    let everyone = |h: &Harness| families.iter().all(|f| results(h, f.id) >= 1) && !summaries(h).is_empty();
    while !everyone(&h) {
        assert!(Instant::now() < deadline, "not everyone was told after the restart; bot log:\n{}", h.log_tail());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    // The coordinator: one summary, in figures (English, their language).
    let told = summaries(&h);
    assert_eq!(told.len(), 1, "the coordinator is told once: {told:?}");
    assert_has(&told[0], "18 child-shifts; 18 of 30 children and 18 of 30 families got a place");
    let full = preview.lines().filter(|l| l.contains("it was full")).count();
    assert!(full >= 24, "each of the 12 children without a place missed two full shifts:\n{preview}");
    assert_has(&told[0], &format!("Wishes not met: {full} full, 0 short of caregivers, 0 short of credit"));
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
    // No shift over its rules: the rota's own check on what is booked.
    let policy = svc.centre(huzhu::domain::CentreId(1)).unwrap().expect("the centre").policy;
    let ids = svc.shift_ids_between(huzhu::domain::CentreId(1), date(DAYS[0]), date(DAYS[2])).unwrap();
    assert_eq!(ids.len(), 3);
    for id in ids {
        let s = svc.shift(id).unwrap().expect("the shift");
        let mut occ = rota::Occupancy::default();
        for b in &s.bookings {
            let b = svc.booking(*b).unwrap().unwrap();
            if b.status == BookingStatus::Confirmed {
                occ.add(b.group);
            }
        }
        assert_eq!(occ.counts.iter().sum::<u32>(), 6, "shift #{} is full, not over", s.id);
        assert!(rota::check(&occ, s.staff, s.capacity, &policy).is_ok(), "shift #{}", s.id);
    }
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

/// Three rounds: the week of 7 Dec past its deadline (committed when the bot starts), 14
/// and 21 Dec taking wishes; one family with a child, shifts in each week.
fn seed_three_rounds(dir: &std::path::Path) {
    let store = Arc::new(Store::open(Harness::db_path(dir)).expect("open the database"));
    store.set_durable(false);
    let fx = Fixture::with_store(store.clone(), t0());
    fx.svc.set_language(COORD, "en").expect("language");
    for d in ["2026-12-08", "2026-12-15", "2026-12-16", "2026-12-22"] {
        fx.shift(d, "09:00", "12:00", 6);
    }
    let at = |d: &str, t: &str| date(d).and_time(huzhu::testing::time(t));
    for (week, until) in [
        ("2026-12-07", at("2026-12-04", "18:00")),
        ("2026-12-14", at("2026-12-11", "20:00")),
        ("2026-12-21", at("2026-12-18", "20:00")),
    ] {
        fx.svc.open_round(&fx.coord(), date(week), until).expect("a round");
    }
    let u = fx.family(7000, "Member 7000");
    fx.svc.set_language(u, "en").expect("language");
    fx.child(u, "Kid7000", OLDER);
    store.flush().expect("flush the seeded database");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_several_rounds_the_wish_asks_for_the_week() {
    let dir = tempfile::tempdir().expect("tempdir");
    seed_three_rounds(dir.path());
    let mut h = Harness::prepare(dir, clock("2026-12-04T19:00:00+08:00")).await;
    let coord = user(COORD.0);
    let parent = user(7000);
    h.register(&[&coord, &parent]);
    let started = h.seq();
    h.spawn().await;
    // The first round's deadline has passed: committed at start, the coordinator told.
    let summary = h.expect(&coord, started, "is allocated and booked").await;
    assert_has(&summary, "week of Mon 7 Dec");
    assert_has(&summary, "0 child-shifts; 0 of 0 children");

    // `/wish`: a button per week taking wishes (not the closed one).
    let r = h.say(&parent, "/wish").await;
    assert_has(&r, "Which week is this wish for?");
    let weeks: Vec<String> = labels(&r).into_iter().filter(|l| l.starts_with("Week of")).collect();
    assert_eq!(weeks, ["Week of Mon 14 Dec (until 2026-12-11 20:00)", "Week of Mon 21 Dec (until 2026-12-18 20:00)"]);
    let r = h.press(&parent, "Week of Mon 21 Dec").await;
    assert_has(&r, "Wish for Kid7000, week of Mon 21 Dec");
    let shifts: Vec<String> = labels(&r).into_iter().filter(|l| l.contains("09:00-12:00")).collect();
    assert_eq!(shifts, ["Tue 22 Dec 09:00-12:00"], "only that week's shifts");
    // The round stays through the steps.
    h.press(&parent, "Tue 22 Dec 09:00-12:00").await;
    h.press(&parent, "Done").await;
    h.press(&parent, "1").await;
    let r = h.press(&parent, "Send the wish").await;
    assert_has(
        &r,
        "Wish saved for Kid7000: 1 shifts, at most 1. You can send /wish again to change it until 2026-12-18 20:00",
    );

    // `/wish DATE`: straight into that week's round (any day of the week names it).
    let r = h.say(&parent, "/wish 2026-12-16").await;
    assert_has(&r, "Wish for Kid7000, week of Mon 14 Dec");
    let shifts: Vec<String> = labels(&r).into_iter().filter(|l| l.contains("09:00-12:00")).collect();
    assert_eq!(shifts, ["Tue 15 Dec 09:00-12:00", "Wed 16 Dec 09:00-12:00"]);
    h.press(&parent, "Cancel").await;
    // Bad weeks: a clear answer with the weeks that work; a bad date: the usage.
    let r = h.say(&parent, "/wish 2026-12-07").await;
    assert_has(&r, "The round for the week of Mon 7 Dec takes no more wishes");
    assert_has(&r, "Rounds taking wishes: /wish 2026-12-14, /wish 2026-12-21");
    let r = h.say(&parent, "/wish 2026-12-28").await;
    assert_has(&r, "There is no round for the week of Mon 28 Dec.");
    assert_has(&r, "/wish 2026-12-14");
    let r = h.say(&parent, "/wish next week").await;
    assert_has(&r, "Usage: /wish, or /wish YYYY-MM-DD");

    // The coordinator's `/round`: every round and its state.
    let r = h.say(&coord, "/round status").await;
    assert_has(&r, "Round 3, week of Mon 21 Dec: taking wishes until 2026-12-18 20:00, 1 children so far");
    assert_has(&r, "Round 2, week of Mon 14 Dec: taking wishes until 2026-12-11 20:00, 0 children so far");
    assert_has(&r, "Round 1, week of Mon 7 Dec: allocated 2026-12-04 19:00, 0 child-shifts");
    tokio::time::sleep(Duration::from_secs(1)).await;
    h.stop().await;
    let summaries =
        h.standin.messages_to(coord.id).into_iter().filter(|m| m.text.contains("is allocated and booked")).count();
    assert_eq!(summaries, 1, "one summary, for the round that closed");
}
