//! The files, end to end through the real binary and the Bot API stand-in: a
//! coordinator's /report (a message, then a chart as a photo and the CSV tables as
//! documents named with the centre and the month), a super-admin's overview, a
//! parent's /calendar, /balance export and /schedule png, bad input answered with an
//! example and nothing sent, and 20 parents asking for their calendar and ledger at
//! once, each getting exactly their own files.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use huzhu::domain::{ChildId, UserId};
use huzhu::report::Month;
use huzhu::store::Store;
use huzhu::testing::{Fixture, COORD};
use tg_standin::{BotMessage, MessageKind, TestUser};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Files (photos and documents) sent to `chat` after `after`, in order.
fn files_to(h: &Harness, chat: i64, after: u64) -> Vec<BotMessage> {
    let mut v: Vec<BotMessage> =
        h.standin.messages_to(chat).into_iter().filter(|m| m.seq > after && m.kind != MessageKind::Text).collect();
    v.sort_by_key(|m| m.seq);
    v
}

async fn wait_files(h: &Harness, user: &TestUser, after: u64, n: usize) -> Vec<BotMessage> {
    let deadline = Instant::now() + WAIT * 2;
    loop {
        let got = files_to(h, user.id, after);
        if got.len() >= n {
            return got;
        }
        if Instant::now() > deadline {
            h.fail(user, &format!("got {} of {n} files", got.len()));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn text_of(m: &BotMessage) -> String {
    let bytes = m.file_bytes.as_deref().expect("uploaded bytes");
    assert!(bytes.starts_with(BOM) || m.file_name.as_deref().is_some_and(|n| !n.ends_with(".csv")), "a BOM");
    String::from_utf8(bytes.strip_prefix(BOM).unwrap_or(bytes).to_vec()).expect("UTF-8")
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    let reader = png::Decoder::new(bytes).read_info().expect("a PNG");
    (reader.info().width, reader.info().height)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_gets_the_months_report_and_parents_their_files() {
    let h = Harness::start().await;
    let coord = en(2301, "Wang");
    let lin = en(2302, "Lin");
    let (centre, code) = h.bootstrap(&coord, "六和").await;
    h.join_approved(&coord, &lin, &code).await;
    let kid = h.add_child(&lin, "Mei", born_months_ago(20)).await;
    let shift = h.new_shift(&coord, day(1), "09:00-11:00", Some(6)).await;
    let r = h.say(&lin, &format!("/book {shift} {kid}")).await;
    assert_has(&r, "Booked");
    let month = Month::of(day(1)).to_string();

    // The coordinator's report: the message first, then the chart and three tables.
    let before = h.seq();
    let r = h.say(&coord, &format!("/report {month}")).await;
    assert_has(&r, &format!("📊 六和 · {month}"));
    assert_has(&r, "Children served: 1 (+1)");
    assert_has(&r, "Child-hours of care: 2.0 (+2.0)");
    assert_has(&r, "Places offered: 6 (+6)");
    let files = wait_files(&h, &coord, before, 4).await;
    let names: Vec<String> = files.iter().map(|m| m.file_name.clone().unwrap_or_default()).collect();
    assert_eq!(
        names,
        [
            format!("六和-{month}-chart.png"),
            format!("六和-{month}-report.csv"),
            format!("六和-{month}-daily.csv"),
            format!("六和-{month}-fill.csv"),
        ]
    );
    assert_eq!(files[0].kind, MessageKind::Photo);
    assert_eq!(png_size(files[0].file_bytes.as_deref().unwrap()), (1200, 960));
    assert!(files[1..].iter().all(|m| m.kind == MessageKind::Document));
    let summary = text_of(&files[1]);
    assert!(summary.contains("Children served,1,0,+1\r\n"), "{summary}");
    assert!(summary.contains("Fill rate (booked / offered places),16.7%,n/a,n/a"), "{summary}");

    // The super-admin: every centre at a glance, in one table.
    let admin = h.admin.clone();
    let before = h.seq();
    let r = h.say(&admin, &format!("/report {month}")).await;
    assert_has(&r, &format!("#{centre} 六和: 1 family, 2.0 hours of care, fill rate 16.7%"));
    let files = wait_files(&h, &admin, before, 1).await;
    assert_eq!(files[0].file_name.as_deref(), Some(format!("all-centres-{month}-report.csv").as_str()));

    // Bad input: an example, and no file follows.
    let before = h.seq();
    let r = h.say(&coord, "/report 2026-13").await;
    assert_has(&r, "That didn't look right. Usage: /report or /report 2026-12");
    let r = h.say(&coord, "/ledger nobody").await;
    assert_has(&r, "Usage: /ledger USER, for example /ledger 123456789");
    let r = h.say(&lin, "/report").await;
    assert_has(&r, "Only coordinators can do that.");
    let r = h.say(&coord, "/report 2026-12 77").await;
    assert_has(&r, "There is no centre with that id.");

    // The parent's calendar, ledger and week picture.
    // (Each command's files follow its reply, so the next reply is looked for by its words.)
    for (command, reply) in [
        ("/calendar", "Your calendar file follows"),
        ("/balance export", "entries are in the CSV file"),
        ("/schedule png", "The next 7 days"),
    ] {
        let b = h.seq();
        h.standin.send_text(&lin, command);
        h.expect(&lin, b, reply).await;
    }
    let files = wait_files(&h, &lin, before, 3).await;
    assert!(files_to(&h, coord.id, before).is_empty(), "bad input sent no file");
    let ics = files[0].file_bytes.clone().unwrap();
    let ics = String::from_utf8(ics).unwrap();
    assert!(files[0].file_name.as_deref().unwrap().ends_with(&format!("-calendar-{}.ics", lin.id)));
    assert!(ics.contains("SUMMARY:Care: Mei") && ics.contains("BEGIN:VALARM"), "{ics}");
    let ledger = text_of(&files[1]);
    assert!(ledger.contains("Start grant,360,6.0,360"), "{ledger}");
    assert!(ledger.contains(&format!("Lin ({})", lin.id)), "{ledger}");
    assert_eq!(files[2].kind, MessageKind::Photo);
    assert_eq!(png_size(files[2].file_bytes.as_deref().unwrap()).0, 1400);

    // The button under the schedule sends the same picture.
    let b = h.seq();
    h.standin.send_text(&lin, "/schedule");
    h.expect(&lin, b, "Shifts from").await;
    let b = h.seq();
    let r = h.press(&lin, "This week as a picture").await;
    assert_has(&r, "The next 7 days");
    let pics = wait_files(&h, &lin, b, 1).await;
    assert_eq!(pics[0].kind, MessageKind::Photo);
    assert_eq!(pics[0].file_bytes, files[2].file_bytes, "the same week, the same picture");

    // The coordinator's /ledger shows the entries and sends the same table.
    let before = h.seq();
    let r = h.say(&coord, &format!("/ledger {}", lin.id)).await;
    assert_has(&r, "entries are in the CSV file");
    let files = wait_files(&h, &coord, before, 1).await;
    assert_eq!(text_of(&files[0]), ledger);
}

/// 20 families asking for their calendar and their ledger at once each get exactly
/// their own two files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_parents_at_once_each_get_their_own_files() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let n = 20;
    let users: Vec<TestUser> = {
        let store = Arc::new(Store::open(Harness::db_path(dir.path())).expect("open the database"));
        store.set_durable(false);
        let fx = Fixture::with_store(store.clone(), chrono::Utc::now());
        fx.svc.set_language(COORD, "en").unwrap();
        // Two shifts of ten toddlers, with the two caregivers ten need.
        let shifts: Vec<_> = ["09:00", "14:00"]
            .iter()
            .map(|start| {
                let (date, start) = (huzhu::testing::date(&day(1).to_string()), huzhu::testing::time(start));
                let end = start + chrono::Duration::hours(2);
                fx.svc.create_shift(&fx.coord(), date, start, end, Some(12), Some(2)).unwrap().value.id
            })
            .collect();
        let born = born_months_ago(20).to_string();
        let mut users = vec![];
        for i in 0..n {
            let id = 12_000 + i;
            let u = fx.family(id, &format!("Member {id}"));
            fx.svc.set_language(u, "en").unwrap();
            let kid: ChildId = fx.child(u, &format!("Kid{id}"), &born);
            let shift = shifts[(i % 2) as usize];
            let booked = fx.svc.book(&huzhu::service::Caller::new(UserId(id)), shift, kid).unwrap().value;
            assert_eq!(booked.booking.status, huzhu::domain::BookingStatus::Confirmed);
            users.push(TestUser::new(id, &format!("Member {id}"), Some("en")));
        }
        store.flush().unwrap();
        users
    };
    let h = Harness::start_with(dir, vec![]).await;
    let coord = TestUser::new(COORD.0, "Coordinator", Some("en"));
    h.register(&users.iter().chain([&coord]).collect::<Vec<_>>());
    let before = h.seq();
    // The coordinator asks for the month's report in the middle of the rush.
    let month = Month::of(day(1));
    for (i, u) in users.iter().enumerate() {
        h.standin.send_text(u, "/calendar");
        if i == n as usize / 2 {
            h.standin.send_text(&coord, &format!("/report {month}"));
        }
        h.standin.send_text(u, "/balance export");
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let short: HashMap<i64, usize> =
            users.iter().map(|u| (u.id, files_to(&h, u.id, before).len())).filter(|(_, n)| *n < 2).collect();
        if short.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "files still missing: {short:?}\n{}", h.log_tail());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let report = wait_files(&h, &coord, before, 4).await;
    let summary = text_of(&report[1]);
    assert!(summary.contains("Children served,20,0,+20\r\n"), "{summary}");
    assert!(summary.contains("Places offered,24,0,+24\r\n"), "{summary}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(files_to(&h, coord.id, before).len(), 4, "the report's files, once");
    for u in &users {
        let files = files_to(&h, u.id, before);
        assert_eq!(files.len(), 2, "exactly two files for {}", u.id);
        let mut ics = None;
        let mut csv = None;
        for f in &files {
            match f.file_name.as_deref().unwrap_or_default() {
                n if n.ends_with(&format!("-calendar-{}.ics", u.id)) => ics = Some(text_of(f)),
                n if n.ends_with(".csv") && n.contains("-ledger-family") => csv = Some(text_of(f)),
                other => panic!("unexpected file {other} for {}", u.id),
            }
        }
        let (ics, csv) = (ics.expect("a calendar"), csv.expect("a ledger"));
        let own = format!("Kid{}", u.id);
        assert!(ics.contains(&format!("SUMMARY:Care: {own}")), "{ics}");
        assert!(csv.contains(&format!("Member {} ({})", u.id, u.id)) && csv.contains(&own), "{csv}");
        for other in users.iter().filter(|o| o.id != u.id) {
            let theirs = format!("Kid{}", other.id);
            assert!(!ics.contains(&theirs) && !csv.contains(&theirs), "{} got {}'s data", u.id, other.id);
        }
    }
}
