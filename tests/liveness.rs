//! Liveness end to end: the real binary against the stand-in, hit as a class group
//! hits it after a broadcast. Every message is answered (counted at the stand-in), a
//! member who writes afterwards is answered within seconds, a kill -9 at any moment
//! loses nothing and doubles nothing, a stuck store makes the watchdog restart the
//! bot, and stops are clean.
//!
//! Before the single writer and the inbox, the `/help` rush hung the bot in 4 of 5
//! tries (it answered 109, 289 or 663 of 720 and then nobody, for good).

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use huzhu::domain::{ChildId, ShiftId, UserId};
use huzhu::store::Store;
use huzhu::testing::{Fixture, COORD};
use tg_standin::TestUser;

/// Rushes measure replies per second and time to a quiet member: they run one at a time
/// (two rushes at once on two cores would measure each other).
static RUSH: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn member(id: i64) -> TestUser {
    TestUser::new(id, &format!("Member {id}"), Some("en"))
}

/// Families of one member each, with one toddler, approved; and `shifts` shifts on the
/// days after today. Returns (members, their children, the shifts).
fn seed(dir: &std::path::Path, families: i64, shifts: usize) -> (Vec<TestUser>, Vec<ChildId>, Vec<ShiftId>) {
    seed_from(dir, families, shifts, 1, 40)
}

/// `seed` with the shifts from `first_day` days ahead, `places` places each.
fn seed_from(
    dir: &std::path::Path,
    families: i64,
    shifts: usize,
    first_day: i64,
    places: u32,
) -> (Vec<TestUser>, Vec<ChildId>, Vec<ShiftId>) {
    let store = Arc::new(Store::open(Harness::db_path(dir)).expect("open the database"));
    store.set_durable(false);
    let fx = Fixture::with_store(store.clone(), chrono::Utc::now());
    fx.svc.set_language(COORD, "en").expect("language");
    let mut users = Vec::new();
    let mut children = Vec::new();
    let born = born_months_ago(20).to_string();
    for i in 0..families {
        let id = 10_000 + i;
        let u = fx.family(id, &format!("Member {id}"));
        fx.svc.set_language(u, "en").expect("language");
        children.push(fx.child(u, &format!("Kid {id}"), &born));
        users.push(member(id));
    }
    let mut shift_ids = Vec::new();
    for s in 0..shifts {
        let date = day(first_day + s as i64 / 2);
        let (start, end) = if s % 2 == 0 { ("09:00", "10:00") } else { ("14:00", "15:00") };
        shift_ids.push(fx.shift(&date.to_string(), start, end, places));
    }
    store.flush().expect("flush the seeded database");
    (users, children, shift_ids)
}

/// A random number source for kill times: xorshift, seeded per run.
fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}

/// The service on a store opened after the bot stopped, on the system clock.
fn service_on(store: Arc<Store>) -> huzhu::service::Service {
    huzhu::service::Service::new(store, Arc::new(huzhu::clock::SystemClock), huzhu::service::ServiceConfig::default())
}

fn coordinator() -> TestUser {
    TestUser::new(COORD.0, "Coordinator", Some("en"))
}

/// Replies (not automatic messages) the bot sent to `chat`.
fn replies_to(h: &Harness, chat: i64) -> Vec<String> {
    h.standin.messages_to(chat).into_iter().filter(|m| !is_automatic(m)).map(|m| m.text).collect()
}

/// Waits until every chat has at least its expected number of replies; panics with
/// the counts if that takes longer than `limit`.
async fn all_answered(h: &Harness, expected: &HashMap<i64, usize>, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let short: Vec<(i64, usize, usize)> = expected
            .iter()
            .map(|(chat, want)| (*chat, *want, replies_to(h, *chat).len()))
            .filter(|(_, want, got)| got < want)
            .collect();
        if short.is_empty() {
            return;
        }
        if Instant::now() > deadline {
            let missing: usize = short.iter().map(|(_, w, g)| w - g).sum();
            panic!(
                "{missing} messages were never answered ({} chats short, e.g. {:?}); bot log:\n{}",
                short.len(),
                &short[..short.len().min(5)],
                h.log_tail()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// At the stand-in: no second with more than 30 sends, no chat with two in one second.
fn check_rates(h: &Harness) {
    let sends: Vec<_> =
        h.standin.calls().into_iter().filter(|c| c.method == "sendmessage" || c.method == "editmessagetext").collect();
    let mut times: Vec<Instant> = sends.iter().map(|c| c.at).collect();
    times.sort();
    let mut j = 0;
    for i in 0..times.len() {
        while times[i].duration_since(times[j]) >= Duration::from_secs(1) {
            j += 1;
        }
        assert!(i - j < 30, "{} sends within one second", i - j + 1);
    }
    let mut by_chat: HashMap<i64, Vec<Instant>> = HashMap::new();
    for c in &sends {
        if let Some(chat) = c.params["chat_id"].as_i64() {
            by_chat.entry(chat).or_default().push(c.at);
        }
    }
    for (chat, mut t) in by_chat {
        t.sort();
        for w in t.windows(2) {
            assert!(
                w[1].duration_since(w[0]) >= Duration::from_millis(1000),
                "chat {chat}: two sends {:?} apart",
                w[1].duration_since(w[0])
            );
        }
    }
}

/// A member who writes right after the rush gets an answer within 5 s.
async fn quiet_member_answered(h: &Harness, quiet: &TestUser) -> Duration {
    let before = h.seq();
    let sent = Instant::now();
    h.standin.send_text(quiet, "/help");
    let m = h.standin.wait_for_message(quiet.id, before, |m| !is_automatic(m), Duration::from_secs(5)).await;
    let took = sent.elapsed();
    assert!(m.is_some(), "the quiet member got no answer within 5 s of the rush; bot log:\n{}", h.log_tail());
    took
}

async fn help_rush(round: u32) {
    let _alone = RUSH.lock().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (users, _, _) = seed(dir.path(), 31, 0);
    let h = Harness::start_with(dir, vec![]).await;
    let (quiet, rushing) = users.split_last().expect("members");
    h.register(&users.iter().collect::<Vec<_>>());
    let started = Instant::now();
    for _ in 0..24 {
        for u in rushing {
            h.standin.send_text(u, "/help");
        }
    }
    let quiet_took = quiet_member_answered(&h, quiet).await;
    let expected: HashMap<i64, usize> = rushing.iter().map(|u| (u.id, 24)).collect();
    all_answered(&h, &expected, Duration::from_secs(50)).await;
    for u in rushing {
        assert!(replies_to(&h, u.id).iter().all(|t| t.contains("/book")), "every answer is the help text");
    }
    check_rates(&h);
    eprintln!(
        "help rush {round}: 720 of 720 answered in {:.1} s; the quiet member in {} ms",
        started.elapsed().as_secs_f64(),
        quiet_took.as_millis()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_rush_1() {
    help_rush(1).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_rush_2() {
    help_rush(2).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_rush_3() {
    help_rush(3).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_rush_4() {
    help_rush(4).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_rush_5() {
    help_rush(5).await;
}

/// 50 families each book 5 shifts by command at once (250 durable bookings).
async fn booking_rush(round: u32) {
    let _alone = RUSH.lock().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (users, children, shifts) = seed(dir.path(), 51, 5);
    let db = Harness::db_path(dir.path());
    let mut h = Harness::start_with(dir, vec![]).await;
    let (quiet, rushing) = users.split_last().expect("members");
    h.register(&users.iter().collect::<Vec<_>>());
    let started = Instant::now();
    for s in &shifts {
        for (u, c) in rushing.iter().zip(&children) {
            h.standin.send_text(u, &format!("/book {} {}", s.0, c.0));
        }
    }
    let quiet_took = quiet_member_answered(&h, quiet).await;
    let expected: HashMap<i64, usize> = rushing.iter().map(|u| (u.id, shifts.len())).collect();
    all_answered(&h, &expected, Duration::from_secs(40)).await;
    let elapsed = started.elapsed();
    for u in rushing {
        assert!(replies_to(&h, u.id).iter().all(|t| is_booking_answer(t)), "{:?}", replies_to(&h, u.id));
    }
    h.stop().await;
    let live = check_books(&db, rushing.len(), &HashMap::new());
    for u in rushing {
        let placed = replies_to(&h, u.id).iter().filter(|t| !t.contains("The waitlist for that shift is full")).count();
        assert_eq!(live[&u.id], placed, "every booking answered is in the store, and nothing else");
    }
    eprintln!(
        "booking rush {round}: 250 bookings answered in {:.1} s; the quiet member in {} ms",
        elapsed.as_secs_f64(),
        quiet_took.as_millis()
    );
}

/// After the runs: no family holds two live bookings on one shift, each family's money
/// is its start grant plus its grants (held or available, nothing charged twice), and
/// the ledger sums to zero. Returns the live bookings per family.
fn check_books(db: &std::path::Path, families: usize, granted: &HashMap<i64, i64>) -> HashMap<i64, usize> {
    let store = Arc::new(Store::open(db).expect("reopen the database"));
    let left: Vec<String> = store
        .tree(huzhu::store::T::Inbox)
        .iter()
        .filter_map(Result::ok)
        .map(|(k, v)| format!("{:?} => {}", k, String::from_utf8_lossy(&v)))
        .collect();
    assert!(left.is_empty(), "every update was handled, yet the inbox holds {left:#?}");
    let svc = service_on(store.clone());
    let mut live_per_family = HashMap::new();
    for i in 0..families as i64 {
        let u = UserId(10_000 + i);
        let bookings = svc.my_bookings(u, today()).expect("bookings");
        let live: Vec<_> = bookings.iter().map(|(b, _)| b).filter(|b| b.is_live()).collect();
        let mut per_shift: HashMap<u64, usize> = HashMap::new();
        for b in &live {
            *per_shift.entry(b.shift.0).or_default() += 1;
        }
        assert!(per_shift.values().all(|n| *n == 1), "a shift booked twice by {}: {per_shift:?}", u.0);
        let balance = svc.balance(u, 0).expect("balance");
        let holds: i64 = live.iter().map(|b| b.held).sum();
        assert_eq!(balance.held, holds, "the family of {} holds what its bookings hold", u.0);
        let grant = granted.get(&u.0).copied().unwrap_or(0);
        assert_eq!(balance.available + balance.held, 360 + grant, "the money of the family of {}", u.0);
        live_per_family.insert(u.0, live.len());
    }
    assert_eq!(svc.ledger_sum().expect("ledger sum"), 0, "the ledger sums to zero");
    live_per_family
}

/// A booking's answer: booked, waitlisted, or the waitlist is full.
fn is_booking_answer(t: &str) -> bool {
    t.contains("Booked #") || t.contains("on the waitlist") || t.contains("The waitlist for that shift is full")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_rush_1() {
    booking_rush(1).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_rush_2() {
    booking_rush(2).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_rush_3() {
    booking_rush(3).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_rush_4() {
    booking_rush(4).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_rush_5() {
    booking_rush(5).await;
}

/// 30 members press buttons and type at once: day pickers, the same day button three
/// times, their balance.
async fn button_rush(round: u32) {
    let _alone = RUSH.lock().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (users, _, _) = seed(dir.path(), 31, 4);
    let h = Harness::start_with(dir, vec![]).await;
    let (quiet, rushing) = users.split_last().expect("members");
    h.register(&users.iter().collect::<Vec<_>>());
    for u in rushing {
        h.standin.send_text(u, "/book");
    }
    let expected: HashMap<i64, usize> = rushing.iter().map(|u| (u.id, 1)).collect();
    all_answered(&h, &expected, Duration::from_secs(20)).await;
    let started = Instant::now();
    let answers_before = h.standin.callback_answers().len();
    let mut presses = 0;
    // Each member's day button, found once: the first press edits that message into the
    // day's shifts (how soon depends on the machine), and the next presses land on it
    // as a member's repeated taps on a button would.
    let buttons: Vec<_> = rushing.iter().map(|u| h.find_button(u, &day_label(day(1)))).collect();
    for _ in 0..3 {
        for (u, (msg, data)) in rushing.iter().zip(&buttons) {
            h.standin.press_button(u, msg.message_id, data);
            h.standin.send_text(u, "/balance");
            presses += 1;
        }
    }
    let quiet_took = quiet_member_answered(&h, quiet).await;
    let expected: HashMap<i64, usize> = rushing.iter().map(|u| (u.id, 4)).collect();
    all_answered(&h, &expected, Duration::from_secs(40)).await;
    h.wait_until("every press answered", || h.standin.callback_answers().len() >= answers_before + presses).await;
    eprintln!(
        "button rush {round}: {presses} presses and {presses} messages answered in {:.1} s; the quiet member in {} ms",
        started.elapsed().as_secs_f64(),
        quiet_took.as_millis()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn button_rush_1() {
    button_rush(1).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn button_rush_2() {
    button_rush(2).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn button_rush_3() {
    button_rush(3).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn button_rush_4() {
    button_rush(4).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn button_rush_5() {
    button_rush(5).await;
}

/// A rush of bookings and grants, with the bot killed (SIGKILL) at 10 random moments
/// and restarted each time: every update is answered at least once, no booking or
/// grant is applied twice, the ledger sums to zero.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_nine_during_a_rush_loses_and_doubles_nothing() {
    let _alone = RUSH.lock().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (users, children, shifts) = seed(dir.path(), 30, 4);
    let db = Harness::db_path(dir.path());
    let mut h = Harness::start_with(dir, vec![]).await;
    let coord = coordinator();
    h.register(&users.iter().chain([&coord]).collect::<Vec<_>>());
    for s in &shifts {
        for (u, c) in users.iter().zip(&children) {
            h.standin.send_text(u, &format!("/book {} {}", s.0, c.0));
        }
    }
    // The coordinator grants 10 minutes to ten families (one chat: one reply a second).
    for u in &users[..10] {
        h.standin.send_text(&coord, &format!("/grant {} 10 rush", u.id));
    }
    // Ten kills at random moments while the updates are being handled.
    let mut next = xorshift(0x9E3779B97F4A7C15u64 ^ std::process::id() as u64);
    for k in 0..10 {
        let wait = Duration::from_millis(200 + next() % 1300);
        tokio::time::sleep(wait).await;
        h.kill();
        eprintln!("kill {} after {} ms", k + 1, wait.as_millis());
        h.spawn().await;
    }
    // Each family: its bookings' answers, and the grant's notice for the first ten.
    let mut expected: HashMap<i64, usize> =
        users.iter().enumerate().map(|(i, u)| (u.id, shifts.len() + usize::from(i < 10))).collect();
    expected.insert(coord.id, 10);
    all_answered(&h, &expected, Duration::from_secs(45)).await;
    // Across the kills too, no chat got two messages within a second (each new process
    // keeps chats quiet for what is left of a second since the last one's last send).
    check_rates(&h);
    for u in &users {
        let ok = |t: &String| is_booking_answer(t) || t.starts_with("A coordinator adjusted your credits");
        assert!(replies_to(&h, u.id).iter().all(ok), "{:?}", replies_to(&h, u.id));
    }
    assert!(replies_to(&h, coord.id).iter().all(|t| t.starts_with("Adjusted user")), "{:?}", replies_to(&h, coord.id));
    h.stop().await;
    let granted: HashMap<i64, i64> = users[..10].iter().map(|u| (u.id, 10)).collect();
    check_books(&db, users.len(), &granted);
}

/// SIGTERM and SIGINT (Ctrl-C) alike: the bot finishes what it has, stops every loop,
/// flushes, and exits 0; started again, it answers as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_and_sigint_stop_cleanly() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (users, _, _) = seed(dir.path(), 3, 1);
    let mut h = Harness::start_with(dir, vec![]).await;
    h.register(&users.iter().collect::<Vec<_>>());
    for (round, signal) in ["TERM", "INT"].into_iter().enumerate() {
        if round > 0 {
            h.spawn().await;
        }
        let r = h.say(&users[round], "/balance").await;
        assert!(r.text.starts_with("Time credits:"), "{:?}", r.text);
        let exit = h.stop_with(signal).await;
        let log = std::fs::read_to_string(h.log_path()).unwrap_or_default();
        assert!(exit.success(), "SIG{signal}: exit status {exit}:\n{log}");
        assert!(!log.contains("panicked"), "a panic while stopping:\n{log}");
        assert_eq!(log.matches(&format!("SIG{signal}: stopping")).count(), 1, "SIG{signal} was logged:\n{log}");
        let stops = log.lines().filter(|l| l.ends_with("> stopped")).count();
        assert_eq!(stops, round + 1, "the stop was logged:\n{log}");
    }
}

/// A store write that never returns (a test-only fault standing in for a sled
/// deadlock): the watchdog logs what was stuck and exits non-zero within 35 s, and the
/// restarted bot answers every update that was waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_store_makes_the_watchdog_restart_and_nothing_is_lost() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (users, children, shifts) = seed(dir.path(), 4, 1);
    let db = Harness::db_path(dir.path());
    let mut h = Harness::start_with(dir, vec![("HUZHU_TEST_HANG_STORE".into(), "(/book)".into())]).await;
    h.register(&users.iter().collect::<Vec<_>>());
    let r = h.say(&users[0], "/balance").await;
    assert!(r.text.starts_with("Time credits:"), "{:?}", r.text);
    let hung_at = Instant::now();
    h.standin.send_text(&users[0], &format!("/book {} {}", shifts[0].0, children[0].0));
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Others write while the store is stuck: they must not be lost.
    for u in &users[1..] {
        h.standin.send_text(u, "/balance");
    }
    let mut child = h.child.take().expect("the bot runs");
    let exit = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(hung_at.elapsed() < Duration::from_secs(35), "the watchdog did not stop a stuck huzhu within 35 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    eprintln!("the watchdog stopped huzhu {:.1} s after the stuck write", hung_at.elapsed().as_secs_f64());
    assert!(!exit.success(), "a stuck huzhu exits non-zero");
    let log = std::fs::read_to_string(h.log_path()).unwrap_or_default();
    assert!(log.contains("watchdog: stuck") && log.contains("(/book)"), "the error names what was stuck:\n{log}");
    // Restarted by its supervisor (here: the test), without the fault.
    h.env.clear();
    h.spawn().await;
    let booked = h.expect(&users[0], 0, "Booked #").await;
    assert!(booked.text.contains("Kid"), "{:?}", booked.text);
    for u in &users[1..] {
        h.expect(u, 0, "Time credits:").await;
    }
    h.stop().await;
    let store = Store::open(&db).expect("reopen");
    assert_eq!(store.tree(huzhu::store::T::Inbox).len(), 0, "the inbox is empty: everything was handled");
}

/// An edited message is not read as a command (an edit of `/book` could book twice);
/// the person is told to send it again, and nothing changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_message_is_answered_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (users, children, shifts) = seed(dir.path(), 1, 1);
    let db = Harness::db_path(dir.path());
    let mut h = Harness::start_with(dir, vec![]).await;
    let u = &users[0];
    h.register(&[u]);
    let before = h.seq();
    let now = chrono::Utc::now().timestamp();
    h.standin.push_update(
        "edited_message",
        serde_json::json!({
            "message_id": 777,
            "date": now - 5,
            "edit_date": now,
            "chat": {"id": u.id, "type": "private", "first_name": u.first_name},
            "from": {"id": u.id, "is_bot": false, "first_name": u.first_name, "language_code": "en"},
            "text": format!("/book {} {}", shifts[0].0, children[0].0),
        }),
    );
    let r = h.next_to(u, before, "an answer to an edited message").await;
    assert!(r.text.starts_with("Edited messages are not read"), "{:?}", r.text);
    assert!(h.stop().await.success());
    let store = Store::open(&db).expect("reopen");
    assert_eq!(store.tree(huzhu::store::T::Bookings).len(), 0, "the edit booked nothing");
    assert_eq!(store.tree(huzhu::store::T::Inbox).len(), 0, "and it was marked done");
}

/// One member floods the bot: 200 `/help` at once, more than a dispatcher worker's queue
/// holds, each answer waiting a second for the chat's send rate. Members in other chats
/// (one of them on the same dispatcher worker as the flood) are still answered within
/// seconds, and the flood is answered in order at its chat's rate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_chat_flooding_does_not_hold_up_the_others() {
    flood_story(200).await;
}

/// A flood larger than the updates the admission holds in memory (8,192): the later
/// ones wait by id and are read back from the inbox, so the poller goes on fetching and
/// the others are answered as quickly. (Before, the poller waited for room, and the
/// quiet member's message stayed at Telegram behind the flood.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_beyond_the_memory_bound_does_not_stall_the_poller() {
    flood_story(9_000).await;
}

/// `size` messages from one member; a quiet member and one on the flood's dispatcher
/// worker are answered within 5 s; the flood goes on at the chat's rate; a stop keeps
/// every unanswered message in the inbox, and a restart goes on answering them.
async fn flood_story(size: usize) {
    let _alone = RUSH.lock().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    // Members 10000..10070: 10000 and 10064 share a worker (chat id modulo 64).
    let (users, _, _) = seed(dir.path(), 70, 0);
    let mut h = Harness::start_with(dir, vec![]).await;
    h.register(&users.iter().collect::<Vec<_>>());
    let flooder = &users[0];
    let (neighbour, quiet) = (&users[64], &users[1]);
    for _ in 0..size {
        h.standin.send_text(flooder, "/help");
    }
    // Let the flood reach the bot before the others write.
    h.wait_until("the flood answered at least once", || !replies_to(&h, flooder.id).is_empty()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let quiet_took = quiet_member_answered(&h, quiet).await;
    let neighbour_took = quiet_member_answered(&h, neighbour).await;
    // The flood goes on at one reply a second.
    let before = replies_to(&h, flooder.id).len();
    tokio::time::sleep(Duration::from_secs(4)).await;
    let after = replies_to(&h, flooder.id).len();
    assert!(after >= before + 2, "the flood is still answered ({before} then {after} replies)");
    assert!(after < 200, "the flood is answered at the chat's rate, not at once ({after} replies)");
    check_rates(&h);
    // A stop leaves the flood's unanswered messages in the inbox, none lost...
    let db = Harness::db_path(h.db_dir.path());
    h.stop().await;
    let answered = replies_to(&h, flooder.id).len();
    let store = Store::open(&db).expect("reopen the database");
    assert_eq!(store.tree(huzhu::store::T::Inbox).len(), size - answered, "every unanswered message is kept");
    drop(store);
    // ...and the next start, at once, goes on answering them, still a second apart
    // (the new process counts every chat as sent to when it started).
    h.restart().await;
    h.wait_until("the flood answered after the restart", || replies_to(&h, flooder.id).len() >= answered + 2).await;
    // The leftovers were read a part at a time and the others still pass them.
    let quiet_after_restart = quiet_member_answered(&h, quiet).await;
    check_rates(&h);
    h.stop().await;
    eprintln!(
        "flood of {size}: a quiet member answered in {} ms, one on the flood's worker in {} ms, the quiet member after the restart in {} ms; {answered} flood messages answered before the stop",
        quiet_took.as_millis(),
        neighbour_took.as_millis(),
        quiet_after_restart.as_millis()
    );
}

/// Several members flooding at once, each past the 16 updates the admission keeps whole
/// for a chat (the later ones wait by id and are read back, each chat's in turn): a
/// quiet member is answered within 5 s, a stop keeps exactly the unanswered messages,
/// and after a restart every flooding chat gets exactly one answer per message, at its
/// rate, with nothing left in the inbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_members_flooding_at_once_are_answered_in_full() {
    const FLOODERS: usize = 6;
    const EACH: usize = 22;
    let _alone = RUSH.lock().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (users, _, _) = seed(dir.path(), 10, 0);
    let mut h = Harness::start_with(dir, vec![]).await;
    h.register(&users.iter().collect::<Vec<_>>());
    let (flooders, quiet) = (&users[..FLOODERS], &users[FLOODERS]);
    // Interleaved, as many phones sending at once would reach Telegram.
    for _ in 0..EACH {
        for f in flooders {
            h.standin.send_text(f, "/help");
        }
    }
    h.wait_until("every flood answered at least once", || flooders.iter().all(|f| !replies_to(&h, f.id).is_empty()))
        .await;
    let quiet_took = quiet_member_answered(&h, quiet).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let db = Harness::db_path(h.db_dir.path());
    h.stop().await;
    let answered: usize = flooders.iter().map(|f| replies_to(&h, f.id).len()).sum();
    let store = Store::open(&db).expect("reopen the database");
    assert_eq!(
        store.tree(huzhu::store::T::Inbox).len(),
        FLOODERS * EACH - answered,
        "every unanswered message is kept"
    );
    drop(store);
    h.restart().await;
    let expected: HashMap<i64, usize> = flooders.iter().map(|f| (f.id, EACH)).collect();
    all_answered(&h, &expected, Duration::from_secs(60)).await;
    // A moment for any answer too many to show.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for f in flooders {
        assert_eq!(replies_to(&h, f.id).len(), EACH, "chat {} got one answer per message", f.id);
    }
    check_rates(&h);
    h.stop().await;
    let store = Store::open(&db).expect("reopen the database");
    assert_eq!(store.tree(huzhu::store::T::Inbox).len(), 0, "nothing left waiting");
    eprintln!(
        "{FLOODERS} members flooding {EACH} messages each: a quiet member answered in {} ms; {answered} answered before the stop, all {} after the restart",
        quiet_took.as_millis(),
        FLOODERS * EACH
    );
}

/// A notice the bot sends of its own accord after someone else's change (a place freed,
/// a shift cancelled or moved, a grant), as opposed to the answer to a command.
fn is_notice(t: &str) -> bool {
    ["⚠", "🎉", "📅", "A coordinator adjusted your credits", "Thank you for helping"].iter().any(|p| t.starts_with(p))
}

/// The answers (not notices, not automatic messages) the bot sent to `chat`.
fn answers_to(h: &Harness, chat: i64) -> Vec<String> {
    replies_to(h, chat).into_iter().filter(|t| !is_notice(t)).collect()
}

/// Waits until every chat has at least its expected number of answers.
async fn all_answers(h: &Harness, expected: &HashMap<i64, usize>, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let short: Vec<(i64, usize, Vec<String>)> = expected
            .iter()
            .map(|(chat, want)| (*chat, *want, answers_to(h, *chat)))
            .filter(|(_, want, got)| got.len() < *want)
            .collect();
        if short.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} chats short of answers, e.g. {:?}; bot log:\n{}",
            short.len(),
            &short[..short.len().min(3)],
            h.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the bot has sent nothing for `quiet` since this was called (at most
/// 30 s): a kill may make a chat's count of answers complete with a second copy of an
/// early answer while a later command still waits its turn, so a count alone does not
/// say everything was answered.
async fn until_quiet(h: &Harness, quiet: Duration) {
    let called = Instant::now();
    let deadline = called + Duration::from_secs(30);
    loop {
        let sent = |c: &tg_standin::ApiCall| {
            c.method.starts_with("send") || c.method == "editmessagetext" || c.method == "answercallbackquery"
        };
        let last = h.standin.calls().into_iter().filter(sent).map(|c| c.at).max();
        if last.map_or(called, |t| t.max(called)).elapsed() >= quiet {
            return;
        }
        assert!(Instant::now() < deadline, "the bot kept sending for 30 s; bot log:\n{}", h.log_tail());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The numbers that follow `marker` in `texts` (`#` then digits, or `v` then digits).
fn ids_after(texts: &[String], marker: &str) -> Vec<u64> {
    let mut out = vec![];
    for t in texts {
        for (i, _) in t.match_indices(marker) {
            let digits: String = t[i + marker.len()..].chars().take_while(|c| c.is_ascii_digit()).collect();
            if let Ok(n) = digits.parse() {
                out.push(n);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Kills the bot (SIGKILL) `times` times at random moments and starts it again each time.
async fn kill_at_random(h: &mut Harness, times: usize, next: &mut impl FnMut() -> u64) {
    for k in 0..times {
        let wait = Duration::from_millis(150 + next() % 1200);
        tokio::time::sleep(wait).await;
        h.kill();
        eprintln!("kill {} after {} ms", k + 1, wait.as_millis());
        h.spawn().await;
    }
}

/// A centre with `families` families (a toddler each) and `shifts` shifts, two a day from
/// three days ahead (so every family cancellation is free and each family's credits are
/// its grants exactly), eight places and one staff each (five toddlers fit, the rest
/// wait); the bot running, everyone registered at the stand-in.
struct Busy {
    h: Harness,
    db: std::path::PathBuf,
    coord: TestUser,
    users: Vec<TestUser>,
    children: Vec<ChildId>,
    shifts: Vec<ShiftId>,
}

async fn busy_centre(families: i64, shifts: usize) -> Busy {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (users, children, shifts) = seed_from(dir.path(), families, shifts, 3, 8);
    let db = Harness::db_path(dir.path());
    let h = Harness::start_with(dir, vec![]).await;
    let coord = coordinator();
    h.register(&users.iter().chain([&coord]).collect::<Vec<_>>());
    Busy { h, db, coord, users, children, shifts }
}

/// Sends `text` from `u` and counts the answer it is owed.
fn send(expected: &mut HashMap<i64, usize>, h: &Harness, u: &TestUser, text: String) {
    h.standin.send_text(u, &text);
    *expected.entry(u.id).or_default() += 1;
}

/// A busy week, every kind of change at once from many chats, the bot killed (SIGKILL)
/// at random moments throughout: families book shifts that fill (waitlists), volunteers
/// sign up (and let waiting children in), families cancel and book again, volunteers
/// drop, the coordinator grants credits, cancels one shift and moves another. Every
/// command is answered at least once; afterwards every answer is true of the store
/// (a booking or signup it names exists; one it says is cancelled or dropped is), no
/// shift breaks its caps, nobody waits for a place that is free, no family holds two
/// places on one shift, every family's credits are its grants with its holds matching
/// its bookings, and the ledger sums to zero.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_week_with_kills_keeps_every_rule() {
    let _alone = RUSH.lock().await;
    let Busy { mut h, db, coord, users, children, shifts } = busy_centre(30, 6).await;
    let mut next = xorshift(0x2545F4914F6CDD1Du64 ^ std::process::id() as u64);
    let mut expected: HashMap<i64, usize> = HashMap::new();

    // Part 1: three bookings a family, twelve volunteers, five grants.
    for k in 0..3 {
        for (i, (u, c)) in users.iter().zip(&children).enumerate() {
            send(&mut expected, &h, u, format!("/book {} {}", shifts[(i + k) % 6].0, c.0));
            if k == 0 && i < 12 {
                send(&mut expected, &h, u, format!("/volunteer {}", shifts[i % 6].0));
            }
        }
    }
    for u in &users[..5] {
        send(&mut expected, &h, &coord, format!("/grant {} 10 busy week", u.id));
    }
    kill_at_random(&mut h, 4, &mut next).await;
    all_answers(&h, &expected, Duration::from_secs(45)).await;
    until_quiet(&h, Duration::from_secs(3)).await;

    // Part 2: each family cancels its first booking and books a fourth shift, six
    // volunteers drop, the coordinator cancels the last shift and moves the one before
    // it two days on (same hours, so the same cost).
    for (i, (u, c)) in users.iter().zip(&children).enumerate() {
        let answers = answers_to(&h, u.id);
        let booked = ids_after(&answers, "Booked #");
        send(&mut expected, &h, u, format!("/cancel {}", booked.first().expect("a booking answered with its number")));
        send(&mut expected, &h, u, format!("/book {} {}", shifts[(i + 3) % 6].0, c.0));
        if i < 6 {
            let signed = ids_after(&answers, "Signed up v");
            if let Some(v) = signed.first() {
                send(&mut expected, &h, u, format!("/cancel v{v}"));
            }
        }
    }
    send(&mut expected, &h, &coord, format!("/cancelshift {} heating broken", shifts[5].0));
    send(&mut expected, &h, &coord, format!("/moveshift {} {} 09:00-10:00", shifts[4].0, day(7)));
    kill_at_random(&mut h, 4, &mut next).await;
    all_answers(&h, &expected, Duration::from_secs(45)).await;
    until_quiet(&h, Duration::from_secs(3)).await;
    check_rates(&h);
    h.stop().await;

    // Every answer is true of the store.
    let granted: HashMap<i64, i64> = users[..5].iter().map(|u| (u.id, 10)).collect();
    check_books(&db, users.len(), &granted);
    let store = Arc::new(Store::open(&db).expect("reopen the database"));
    let svc = service_on(store.clone());
    use huzhu::domain::{BookingId, SignupId};
    for u in &users {
        let answers = answers_to(&h, u.id);
        let said = |marker: &str| ids_after(&answers, marker);
        for b in said("Booked #").into_iter().chain(said("booking #")) {
            let b = svc.booking(BookingId(b)).expect("read").expect("a booking answered is in the store");
            assert_eq!(b.booked_by.0, u.id, "{answers:#?}");
        }
        let cancelled: Vec<String> = answers.iter().filter(|t| t.contains(" cancelled")).cloned().collect();
        for b in ids_after(&cancelled, "Booking #") {
            let b = svc.booking(BookingId(b)).expect("read").expect("a cancelled booking is in the store");
            assert!(!b.is_live(), "booking #{} was answered as cancelled but is {:?}", b.id.0, b.status);
        }
        let signed = ids_after(&answers.iter().filter(|t| t.contains("Signed up")).cloned().collect::<Vec<_>>(), "v");
        for s in signed {
            assert!(svc.signup(SignupId(s)).expect("read").is_some(), "signup v{s} was answered and is not stored");
        }
        let dropped = ids_after(&answers.iter().filter(|t| t.starts_with("Dropped")).cloned().collect::<Vec<_>>(), "v");
        for s in dropped {
            let s = svc.signup(SignupId(s)).expect("read").expect("a dropped signup is in the store");
            assert!(!s.is_on_duty(), "signup v{} was answered as dropped", s.id.0);
        }
    }
    check_shifts(&svc, &shifts);
    assert_eq!(svc.shift(shifts[4]).expect("read").expect("moved").date, day(7), "the move is stored");
}

/// No shift breaks its caps (`rota::check`), nobody waits while the head of a waitlist
/// fits (`rota::promotable`), and a cancelled shift keeps no live booking.
fn check_shifts(svc: &huzhu::service::Service, shifts: &[ShiftId]) {
    use huzhu::domain::{BookingStatus, ShiftStatus};
    for id in shifts {
        let shift = svc.shift(*id).expect("read").expect("the shift");
        let centre = svc.centre(shift.centre).expect("read").expect("the centre");
        let bookings: Vec<_> =
            shift.bookings.iter().map(|b| svc.booking(*b).expect("read").expect("a listed booking")).collect();
        if shift.status == ShiftStatus::Cancelled {
            assert!(bookings.iter().all(|b| !b.is_live()), "a cancelled shift keeps a live booking");
            continue;
        }
        let confirmed = huzhu::rota::Occupancy::of(
            bookings.iter().filter(|b| b.status == BookingStatus::Confirmed).map(|b| b.group),
        );
        let waiting: Vec<_> =
            bookings.iter().filter(|b| b.status == BookingStatus::Waitlisted).map(|b| (b.id, b.group)).collect();
        let on_duty = shift.signups.iter().filter(|s| svc.signup(**s).expect("read").is_some_and(|s| s.is_on_duty()));
        let caregivers = shift.staff + on_duty.count() as u32;
        assert!(
            huzhu::rota::check(&confirmed, caregivers, shift.capacity, &centre.policy).is_ok(),
            "shift {} over its caps: {confirmed:?} with {caregivers} caregivers",
            id.0
        );
        let promotable = huzhu::rota::promotable(confirmed, &waiting, caregivers, shift.capacity, &centre.policy);
        assert!(promotable.is_empty(), "shift {}: {promotable:?} wait for a place that is free", id.0);
    }
}

/// Every text the bot sent to `chat` or edited into a message there: a button's answer
/// edits the message it was pressed under, which the next press's answer edits again.
fn said_to(h: &Harness, chat: i64) -> Vec<String> {
    h.standin
        .calls()
        .into_iter()
        .filter(|c| c.status == 200 && (c.method == "sendmessage" || c.method == "editmessagetext"))
        .filter(|c| c.params["chat_id"].as_i64() == Some(chat))
        .filter_map(|c| c.params["text"].as_str().map(str::to_string))
        .collect()
}

/// Buttons pressed twice, and offered volunteer shifts raced for, from many chats at
/// once with the bot killed at random moments: every family presses *Confirm* on a
/// booking twice and eight of them *Volunteer* twice; then the eight offer their shift
/// for swap and two others press *Take* on each offer at once. Afterwards every update
/// is handled, no child holds two places on a shift, nobody volunteers twice on one,
/// each offer changed hands at most once (the shift keeps its eight volunteers), and
/// the books balance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn double_presses_and_raced_swaps_with_kills_change_things_once() {
    use huzhu::bot::callback::Callback;
    use huzhu::domain::SignupId;
    let _alone = RUSH.lock().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (users, children, shifts) = seed_from(dir.path(), 24, 4, 3, 8);
    let db = Harness::db_path(dir.path());
    let mut h = Harness::start_with(dir, vec![]).await;
    h.register(&users.iter().collect::<Vec<_>>());
    let mut next = xorshift(0x9E3779B97F4A7C15u64 ^ (std::process::id() as u64).rotate_left(17));
    // A message of the bot's in every chat, to press buttons under.
    let mut expected: HashMap<i64, usize> = HashMap::new();
    for u in &users {
        h.standin.send_text(u, "/balance");
        expected.insert(u.id, 1);
    }
    all_answers(&h, &expected, Duration::from_secs(30)).await;
    let under =
        |h: &Harness, u: &TestUser| h.standin.last_message_to(u.id).expect("a message to press under").message_id;
    let volunteers = &users[..8];

    // Part 1: every press twice.
    for (i, (u, c)) in users.iter().zip(&children).enumerate() {
        let book = Callback::BookDo(shifts[i % 4], *c).encode();
        h.standin.press_button(u, under(&h, u), &book);
        h.standin.press_button(u, under(&h, u), &book);
        if i < volunteers.len() {
            let volunteer = Callback::VolunteerDo(shifts[0]).encode();
            h.standin.press_button(u, under(&h, u), &volunteer);
            h.standin.press_button(u, under(&h, u), &volunteer);
        }
    }
    kill_at_random(&mut h, 3, &mut next).await;
    until_quiet(&h, Duration::from_secs(3)).await;

    // The volunteers' signups, from the bot's answers (an edit of the pressed message).
    let signup_of = |u: &TestUser| -> SignupId {
        let texts = said_to(&h, u.id);
        let ids = ids_after(&texts, "Signed up v");
        assert_eq!(ids.len(), 1, "one signup for {}: {texts:#?}", u.id);
        SignupId(ids[0])
    };
    let offered: Vec<SignupId> = volunteers.iter().map(signup_of).collect();

    // Part 2: each volunteer offers their shift (twice), and two others take each offer.
    for (u, v) in volunteers.iter().zip(&offered) {
        let offer = Callback::OfferSwap(*v).encode();
        h.standin.press_button(u, under(&h, u), &offer);
        h.standin.press_button(u, under(&h, u), &offer);
    }
    until_quiet(&h, Duration::from_secs(2)).await;
    for (u, v) in volunteers.iter().zip(&offered) {
        let offer = format!("Signup v{} is offered for swap", v.0);
        let texts = said_to(&h, u.id);
        assert!(texts.iter().any(|t| t.contains(&offer)), "{offer}: {texts:#?}");
    }
    let takers = &users[volunteers.len()..];
    for (k, v) in offered.iter().enumerate() {
        for u in [&takers[2 * k], &takers[2 * k + 1]] {
            h.standin.press_button(u, under(&h, u), &Callback::TakeSwap(*v).encode());
        }
    }
    kill_at_random(&mut h, 3, &mut next).await;
    until_quiet(&h, Duration::from_secs(3)).await;
    h.stop().await;

    check_books(&db, users.len(), &HashMap::new());
    let store = Arc::new(Store::open(&db).expect("reopen the database"));
    let svc = service_on(store.clone());
    let shift = svc.shift(shifts[0]).expect("read").expect("the shift");
    let on_duty: Vec<_> =
        shift.signups.iter().filter_map(|s| svc.signup(*s).expect("read")).filter(|s| s.is_on_duty()).collect();
    let mut people: Vec<i64> = on_duty.iter().map(|s| s.user.0).collect();
    people.sort_unstable();
    people.dedup();
    assert_eq!(people.len(), on_duty.len(), "nobody volunteers twice on one shift: {on_duty:#?}");
    assert_eq!(on_duty.len(), volunteers.len(), "swaps keep the shift's volunteers: {on_duty:#?}");
    for (k, v) in offered.iter().enumerate() {
        let old = svc.signup(*v).expect("read").expect("the offered signup");
        let pair = [takers[2 * k].id, takers[2 * k + 1].id];
        let took: Vec<_> = on_duty.iter().filter(|s| pair.contains(&s.user.0)).collect();
        assert!(!old.is_on_duty(), "v{} was offered and pressed for, yet not taken", v.0);
        assert_eq!(took.len(), 1, "v{} changed hands once: {took:?}", v.0);
    }
}

/// Members leave, are suspended and are removed while everyone books, from many chats
/// at once with the bot killed at random moments: 24 families book three shifts each
/// and volunteer; meanwhile two members leave (the button under `/leave`), the
/// coordinator suspends two and removes two. Afterwards every update is handled; those
/// six families hold no live booking and no signup on duty (their places went to the
/// waitlist: nobody waits for a free place), and their credits are whole; the others'
/// books balance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_leaving_during_a_rush_take_nothing_with_them() {
    use huzhu::domain::{Booking, Signup};
    let _alone = RUSH.lock().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (users, children, shifts) = seed_from(dir.path(), 24, 4, 3, 8);
    let db = Harness::db_path(dir.path());
    // The last six go: two leave themselves, two are suspended, two removed.
    let (staying, going) = users.split_at(18);
    let families: Vec<huzhu::domain::FamilyId> = {
        let svc = service_on(Arc::new(Store::open(&db).expect("open the database")));
        let family = |u: &TestUser| svc.member(UserId(u.id)).expect("read").and_then(|m| m.family);
        going.iter().map(|u| family(u).expect("a family")).collect()
    };
    let mut h = Harness::start_with(dir, vec![]).await;
    let coord = coordinator();
    h.register(&users.iter().chain([&coord]).collect::<Vec<_>>());
    let mut next = xorshift(0xD1B54A32D192ED03u64 ^ std::process::id() as u64);
    let mut expected: HashMap<i64, usize> = HashMap::new();
    for u in &going[..2] {
        h.standin.send_text(u, "/leave");
        expected.insert(u.id, 1);
    }
    all_answers(&h, &expected, Duration::from_secs(30)).await;

    for k in 0..3 {
        for (i, (u, c)) in users.iter().zip(&children).enumerate() {
            h.standin.send_text(u, &format!("/book {} {}", shifts[(i + k) % 4].0, c.0));
            if k == 0 && i % 3 == 0 {
                h.standin.send_text(u, &format!("/volunteer {}", shifts[i % 4].0));
            }
        }
        if k == 1 {
            for u in &going[..2] {
                let (msg, data) = h.find_button(u, "Leave");
                h.standin.press_button(u, msg.message_id, &data);
            }
            for u in &going[2..4] {
                h.standin.send_text(&coord, &format!("/suspend {}", u.id));
            }
            for u in &going[4..] {
                h.standin.send_text(&coord, &format!("/remove {}", u.id));
            }
        }
    }
    kill_at_random(&mut h, 4, &mut next).await;
    // Three bookings, and a signup for a third of them; the coordinator's four actions.
    let mut expected: HashMap<i64, usize> =
        staying.iter().enumerate().map(|(i, u)| (u.id, 3 + usize::from(i % 3 == 0))).collect();
    expected.insert(coord.id, 4);
    all_answers(&h, &expected, Duration::from_secs(45)).await;
    until_quiet(&h, Duration::from_secs(3)).await;
    h.stop().await;
    for u in &going[..2] {
        assert!(said_to(&h, u.id).iter().any(|t| t.starts_with("You have left the centre.")), "{} left", u.id);
    }
    let told = said_to(&h, coord.id);
    for (u, done) in going[2..4].iter().map(|u| (u, "Suspended")).chain(going[4..].iter().map(|u| (u, "Removed"))) {
        let name = format!("{done} Member {}", u.id);
        assert!(told.iter().any(|t| t.starts_with(&name)), "{name}: {told:#?}");
    }

    check_books(&db, staying.len(), &HashMap::new());
    let store = Store::open(&db).expect("reopen the database");
    let gone: Vec<i64> = going.iter().map(|u| u.id).collect();
    let bookings = store.scan::<Booking>(huzhu::store::T::Bookings, &[]).expect("bookings");
    for (_, b) in &bookings {
        assert!(!(gone.contains(&b.booked_by.0) && b.is_live()), "a member who went keeps {b:#?}");
    }
    for (_, s) in store.scan::<Signup>(huzhu::store::T::Signups, &[]).expect("signups") {
        assert!(!(gone.contains(&s.user.0) && s.is_on_duty()), "a member who went keeps {s:#?}");
    }
    drop(store);
    let svc = service_on(Arc::new(Store::open(&db).expect("reopen the database")));
    // Their places went on to the waitlist.
    check_shifts(&svc, &shifts);
    // What the members who went had is theirs still: their welcome credits, nothing held.
    for (u, family) in going.iter().zip(families) {
        let f = svc.family(family).expect("read").expect("the family");
        assert_eq!(f.held, 0, "the family of {} holds nothing", u.id);
        let available = svc.account_balance(huzhu::domain::AccountId::Family(family)).expect("balance");
        assert_eq!(available, 360, "the family of {} has its welcome credits whole", u.id);
    }
}

/// A day cancelled and the reminder times changed while many families book and cancel,
/// the bot killed at random moments: afterwards every shift of the cancelled day holds
/// no live booking and no volunteer on duty, every hold came back, and every reminder
/// planned is one of a live booking or signup at the times the settings now give (none
/// left at the old times, none for what was cancelled), one per booking and one per
/// volunteer reminder hour. The confirmation and the second setting change race the
/// second wave of bookings, so a booking made just before either is covered by it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_cancelled_and_reminders_moved_during_a_rush_leave_nothing_stale() {
    let _alone = RUSH.lock().await;
    // Six shifts, two a day.
    let Busy { mut h, db, coord, users, children, shifts } = busy_centre(30, 6).await;
    let mut next = xorshift(0x9E3779B97F4A7C15u64 ^ std::process::id() as u64);
    let mut expected: HashMap<i64, usize> = HashMap::new();
    let cancelled_day = day(3);

    // Part 1: two bookings a family, twelve volunteers; the coordinator moves the
    // families' reminder and asks to cancel the first day.
    for k in 0..2 {
        for (i, (u, c)) in users.iter().zip(&children).enumerate() {
            send(&mut expected, &h, u, format!("/book {} {}", shifts[(i + 2 * k) % 6].0, c.0));
            if k == 0 && i < 12 {
                send(&mut expected, &h, u, format!("/volunteer {}", shifts[(i + 1) % 6].0));
            }
        }
        if k == 0 {
            send(&mut expected, &h, &coord, "/settings family 19:30".into());
            send(&mut expected, &h, &coord, format!("/cancelday {cancelled_day} typhoon warning"));
        }
    }
    kill_at_random(&mut h, 3, &mut next).await;
    all_answers(&h, &expected, Duration::from_secs(45)).await;
    until_quiet(&h, Duration::from_secs(3)).await;

    // Part 2: every family books a third shift and a third of them cancel their first
    // booking, while the coordinator confirms the day's cancellation and changes the
    // volunteers' reminder hours.
    let (ask, confirm) = h.find_button(&coord, "Cancel the day");
    for (i, (u, c)) in users.iter().zip(&children).enumerate() {
        send(&mut expected, &h, u, format!("/book {} {}", shifts[(i + 4) % 6].0, c.0));
        if i % 3 == 0 {
            let booked = ids_after(&answers_to(&h, u.id), "Booked #");
            send(
                &mut expected,
                &h,
                u,
                format!("/cancel {}", booked.first().expect("a booking answered with its number")),
            );
        }
        if i == 10 {
            h.standin.press_button(&coord, ask.message_id, &confirm);
        }
        if i == 20 {
            send(&mut expected, &h, &coord, "/settings remind 48,3".into());
        }
    }
    kill_at_random(&mut h, 3, &mut next).await;
    all_answers(&h, &expected, Duration::from_secs(45)).await;
    let confirmed = Instant::now();
    while !said_to(&h, coord.id).iter().any(|t| t.starts_with("Cancelled 2 shifts on ")) {
        assert!(
            confirmed.elapsed() < Duration::from_secs(15),
            "the day's cancellation was not confirmed: {:#?}\n{:#?}",
            said_to(&h, coord.id),
            h.standin.callback_answers()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    until_quiet(&h, Duration::from_secs(3)).await;
    check_rates(&h);
    h.stop().await;

    check_books(&db, users.len(), &HashMap::new());
    let svc = service_on(Arc::new(Store::open(&db).expect("reopen the database")));
    check_shifts(&svc, &shifts);
    check_reminders(&svc, &shifts, cancelled_day);
}

/// Every shift of `cancelled_day` is cancelled with nobody on it; every other shift's
/// live bookings and volunteers on duty have exactly the reminders their centre's
/// settings plan now (`reminders::family_plan`, `volunteer_plan`), and no reminder is
/// left for a booking or signup that is not live.
fn check_reminders(svc: &huzhu::service::Service, shifts: &[ShiftId], cancelled_day: chrono::NaiveDate) {
    use huzhu::domain::{JobKind, ShiftStatus};
    use huzhu::reminders::{family_plan, volunteer_plan, Overdue};
    let jobs = svc.pending_jobs().expect("jobs");
    let now = chrono::Utc::now();
    let mut family_jobs = 0;
    let mut volunteer_jobs = 0;
    for id in shifts {
        let shift = svc.shift(*id).expect("read").expect("the shift");
        let centre = svc.centre(shift.centre).expect("read").expect("the centre");
        let (p, tz, start) = (&centre.policy, centre.tz(), shift.starts_at(centre.tz()));
        let bookings: Vec<_> = shift.bookings.iter().map(|b| svc.booking(*b).expect("read").expect("listed")).collect();
        let signups: Vec<_> = shift.signups.iter().map(|s| svc.signup(*s).expect("read").expect("listed")).collect();
        if shift.date == cancelled_day {
            assert_eq!(shift.status, ShiftStatus::Cancelled, "shift {} of the cancelled day", id.0);
            assert!(signups.iter().all(|s| !s.is_on_duty()), "shift {} keeps a volunteer on duty", id.0);
        }
        for b in &bookings {
            let mine: Vec<_> =
                jobs.iter().filter(|j| matches!(j.kind, JobKind::Family { booking } if booking == b.id)).collect();
            if !b.is_live() {
                assert!(mine.is_empty(), "booking #{} ({:?}) keeps a reminder: {mine:?}", b.id.0, b.status);
                continue;
            }
            let plan = family_plan(p, tz, shift.date, start, now, Overdue::Skip).expect("a reminder ahead");
            assert_eq!(mine.len(), 1, "booking #{}: one reminder, found {mine:?}", b.id.0);
            assert_eq!(mine[0].due, plan.due, "booking #{}'s reminder at the new family time", b.id.0);
            family_jobs += 1;
        }
        for s in &signups {
            let mut mine: Vec<_> = jobs
                .iter()
                .filter_map(|j| match j.kind {
                    JobKind::Volunteer { signup, hours } if signup == s.id => Some((hours, j.due)),
                    _ => None,
                })
                .collect();
            mine.sort_unstable();
            if !s.is_on_duty() {
                assert!(mine.is_empty(), "signup v{} ({:?}) keeps reminders: {mine:?}", s.id.0, s.status);
                continue;
            }
            let mut plan: Vec<_> =
                volunteer_plan(p, tz, start, now, Overdue::Skip).into_iter().map(|r| (r.hours, r.due)).collect();
            plan.sort_unstable();
            assert_eq!(mine, plan, "signup v{}'s reminders at the new hours", s.id.0);
            volunteer_jobs += mine.len();
        }
    }
    assert!(family_jobs > 0 && volunteer_jobs > 0, "reminders were checked: {family_jobs} and {volunteer_jobs}");
    let stray: Vec<_> = jobs
        .iter()
        .filter(|j| match j.kind {
            JobKind::Family { booking } => svc.booking(booking).expect("read").is_none_or(|b| !b.is_live()),
            JobKind::Volunteer { signup, .. } => svc.signup(signup).expect("read").is_none_or(|s| !s.is_on_duty()),
            _ => false,
        })
        .collect();
    assert!(stray.is_empty(), "reminders of nothing live: {stray:?}");
}

/// Twenty people join with the centre's code at once, the coordinator approves some and
/// rejects others with the buttons under their join notices while the rest still
/// arrive, and the approved ask for their balance; the bot is killed three times. Every
/// joiner is answered and ends up as decided (approved: active, with a family and its
/// start grant; rejected: refused; the others waiting in `/pending`), the coordinator
/// heard of each request, nobody is a member twice, and the books balance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_joining_at_once_are_each_decided_once() {
    use huzhu::bot::callback::Callback;
    use huzhu::domain::MemberStatus;
    let _alone = RUSH.lock().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    seed_from(dir.path(), 0, 0, 3, 12);
    let db = Harness::db_path(dir.path());
    let code = {
        let store = Store::open(&db).expect("open the database");
        let centres = store.scan::<huzhu::domain::Centre>(huzhu::store::T::Centres, &[]).expect("centres");
        centres[0].1.invite_code.clone()
    };
    let mut h = Harness::start_with(dir, vec![]).await;
    let coord = coordinator();
    let joiners: Vec<TestUser> = (0..20).map(|i| member(20_000 + i)).collect();
    h.register(&joiners.iter().chain([&coord]).collect::<Vec<_>>());
    let mut next = xorshift(0xBF58476D1CE4E5B9u64 ^ std::process::id() as u64);
    let mut expected: HashMap<i64, usize> = HashMap::new();
    for u in &joiners {
        h.standin.send_text(u, &format!("/join {code}"));
        expected.insert(u.id, 1);
    }
    // The first ten decided as their notices arrive: even ones approved, odd rejected.
    let (approved, rejected): (Vec<&TestUser>, Vec<&TestUser>) =
        joiners[..10].iter().partition(|u| (u.id - 20_000) % 2 == 0);
    let mut decided: Vec<i64> = vec![];
    let mut kills = 0;
    let started = Instant::now();
    while decided.len() < 10 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "join notices for {decided:?} only; bot log:\n{}",
            h.log_tail()
        );
        for u in &joiners[..10] {
            if decided.contains(&u.id) {
                continue;
            }
            let notice = h
                .standin
                .messages_to(coord.id)
                .into_iter()
                .find(|m| m.text.starts_with("New join request") && m.text.contains(&format!("user {})", u.id)));
            if let Some(m) = notice {
                let press = if approved.iter().any(|a| a.id == u.id) {
                    Callback::Approve(UserId(u.id))
                } else {
                    Callback::Reject(UserId(u.id))
                };
                h.standin.press_button(&coord, m.message_id, &press.encode());
                decided.push(u.id);
            }
        }
        // Killed twice while the requests and decisions are on their way.
        if (kills == 0 && decided.len() >= 3) || (kills == 1 && decided.len() >= 7) {
            kill_at_random(&mut h, 1, &mut next).await;
            kills += 1;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    all_answers(&h, &expected, Duration::from_secs(45)).await;
    // Those approved ask for their balance at once.
    h.wait_until("every approval told", || {
        approved.iter().all(|u| replies_to(&h, u.id).iter().any(|t| t.contains("You have been approved")))
    })
    .await;
    for u in &approved {
        h.standin.send_text(u, "/balance");
        *expected.entry(u.id).or_default() += 1;
    }
    kill_at_random(&mut h, 1, &mut next).await;
    all_answers(&h, &expected, Duration::from_secs(45)).await;
    until_quiet(&h, Duration::from_secs(3)).await;
    check_rates(&h);
    h.stop().await;

    let store = Arc::new(Store::open(&db).expect("reopen the database"));
    let svc = service_on(store.clone());
    for u in &joiners {
        let m = svc.member(UserId(u.id)).expect("read").expect("every joiner is on record");
        let want = if approved.iter().any(|a| a.id == u.id) {
            MemberStatus::Active
        } else if rejected.iter().any(|r| r.id == u.id) {
            MemberStatus::Rejected
        } else {
            MemberStatus::Pending
        };
        assert_eq!(m.status, want, "joiner {}", u.id);
        if want == MemberStatus::Active {
            let family = m.family.expect("an approved member has a family");
            let f = svc.family(family).expect("read").expect("the family");
            assert_eq!(f.guardians, vec![UserId(u.id)], "one guardian, once");
            let balance = svc.account_balance(huzhu::domain::AccountId::Family(family)).expect("balance");
            assert_eq!(balance, 360, "the start grant, once: {}", u.id);
        }
    }
    let told = said_to(&h, coord.id);
    for u in &joiners {
        assert!(
            told.iter().any(|t| t.starts_with("New join request") && t.contains(&format!("user {})", u.id))),
            "the coordinator heard of {}",
            u.id
        );
    }
    let members = svc.members_of(svc.member(COORD).expect("read").expect("the coordinator").centre).expect("members");
    let mut ids: Vec<i64> = members.iter().map(|m| m.user.0).collect();
    let all = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all, "nobody is a member twice");
    assert_eq!(all, joiners.len() + 1, "the joiners and the coordinator");
    let pending = svc.pending_members(COORD).expect("pending");
    assert_eq!(pending.len(), 10, "the undecided wait in /pending");
    assert_eq!(svc.ledger_sum().expect("ledger sum"), 0, "the ledger sums to zero");
}
