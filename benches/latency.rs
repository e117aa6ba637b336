//! Time from update to reply, as people see it: the real `huzhu` binary against the Bot
//! API stand-in (as the end-to-end tests run it), next to a bare teloxide echo bot (no
//! limiter, in its own process like huzhu) on its own stand-in as the reference. Then a
//! broadcast to 1,000 members and a rush of 500 members pressing *book* once within 5 s.
//!
//! cargo bench --bench latency
//!
//! The reply time of an update is the time from queuing it at the stand-in to the start
//! of the bot's first sendMessage/editMessageText to that chat after it (each member has
//! one update in flight at a time, so replies pair with updates in order).

#[path = "support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use huzhu::bot::callback::Callback;
use huzhu::domain::{ChildId, ShiftId, UserId};
use huzhu::service::Caller;
use huzhu::store::Store;
use huzhu::testing::{Fixture, COORD};
use support::{echo_bot_if_asked, reply_starts, spawn_echo, spawn_huzhu, wait_polling, Stats};
use tg_standin::{StandIn, TestUser};

const FIRST: i64 = 10_000;

struct Seeded {
    children: Vec<ChildId>,
    shifts: Vec<ShiftId>,
}

/// `families` approved families with a toddler and plenty of credit, and `shifts`
/// one-hour shifts with room and staff for all of them.
fn seed(db: &std::path::Path, families: i64, shifts: usize) -> Seeded {
    let store = Arc::new(Store::open(db).expect("open the database"));
    store.set_durable(false);
    let fx = Fixture::with_store(store.clone(), chrono::Utc::now());
    fx.svc.set_language(COORD, "en").expect("language");
    let tz = chrono_tz::Asia::Shanghai;
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let born = today.checked_sub_months(chrono::Months::new(20)).expect("a birth date").to_string();
    let mut children = Vec::new();
    for i in 0..families {
        let u = fx.family(FIRST + i, &format!("Member {}", FIRST + i));
        fx.svc.set_language(u, "en").expect("language");
        fx.svc.grant(&fx.coord(), u, 100_000, "bench").expect("grant");
        children.push(fx.child(u, "Kid", &born));
    }
    let mut ids = Vec::new();
    for s in 0..shifts {
        // From the day after tomorrow: a booking for tomorrow made after the family's
        // evening reminder time gets that reminder at once, and it would take the chat's
        // one message a second from the next reply (the figures would depend on the hour).
        let date = today + chrono::Duration::days(2 + (s / 10) as i64);
        let start = format!("{:02}:00", 8 + s % 10);
        let end = format!("{:02}:00", 9 + s % 10);
        let id = fx
            .svc
            .create_shift(
                &fx.coord(),
                date,
                huzhu::testing::time(&start),
                huzhu::testing::time(&end),
                Some(100),
                Some(20),
            )
            .expect("shift")
            .value
            .id;
        ids.push(id);
    }
    store.flush().expect("flush");
    Seeded { children, shifts: ids }
}

fn print(name: &str, s: &Stats) {
    println!(
        "{name:<44} p50 {:>7.1} ms  p90 {:>7.1} ms  p99 {:>7.1} ms  max {:>7.1} ms  ({} replies, {} missing)",
        s.p50, s.p90, s.p99, s.max, s.n, s.missing
    );
}

/// `members` members each send what `update(member, round)` makes, round after round,
/// so that all together they send `rate` updates a second; returns the reply times.
async fn load(
    standin: &StandIn,
    members: &[TestUser],
    rate: f64,
    rounds: usize,
    mut update: impl FnMut(&StandIn, &TestUser, usize),
) -> Stats {
    let since = Instant::now();
    let gap = Duration::from_secs_f64(1.0 / rate);
    let mut sent: HashMap<i64, Vec<Instant>> = HashMap::new();
    let mut next = Instant::now();
    for round in 0..rounds {
        for m in members {
            tokio::time::sleep_until(next.into()).await;
            sent.entry(m.id).or_default().push(Instant::now());
            update(standin, m, round);
            next += gap;
        }
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let replies = reply_starts(standin, since);
    let mut ms = Vec::new();
    let mut missing = 0;
    for (chat, times) in &sent {
        let got = replies.get(chat).cloned().unwrap_or_default();
        for (i, t) in times.iter().enumerate() {
            match got.get(i) {
                Some(r) => ms.push(r.duration_since(*t).as_secs_f64() * 1e3),
                None => missing += 1,
            }
        }
    }
    Stats { missing, ..support::stats(ms) }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if echo_bot_if_asked().await {
        return;
    }
    println!(
        "machine: {} cores; huzhu release binary against the in-process stand-in",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
    let mut summary = Vec::new();

    // ----- the reference: a bare teloxide echo bot -----
    let echo_standin = StandIn::start().await.expect("stand-in");
    let echo_members: Vec<TestUser> = (0..50).map(|i| support::user(FIRST + i)).collect();
    for m in &echo_members {
        echo_standin.register_user(m);
    }
    let mut echo = spawn_echo(&echo_standin);
    wait_polling(&echo_standin, Instant::now()).await;
    let echo13 = load(&echo_standin, &echo_members[..20], 13.0, 8, |s, m, _| {
        s.send_text(m, "/balance");
    })
    .await;
    print("echo bot, 20 members at 13 updates/s", &echo13);
    let echo25 = load(&echo_standin, &echo_members, 25.0, 6, |s, m, _| {
        s.send_text(m, "/balance");
    })
    .await;
    print("echo bot, 50 members at 25 updates/s", &echo25);
    let _ = echo.kill();
    let _ = echo.wait();
    echo_standin.shutdown().await;

    // ----- huzhu -----
    let dir = tempfile::tempdir().expect("tempdir");
    let seeded = seed(&dir.path().join("huzhu.db"), 50, 60);
    let standin = StandIn::start().await.expect("stand-in");
    let members: Vec<TestUser> = (0..50).map(|i| support::user(FIRST + i)).collect();
    for m in &members {
        standin.register_user(m);
    }
    standin.register_user(&TestUser::new(COORD.0, "Coordinator", Some("en")));
    let mut bot = spawn_huzhu(&standin, dir.path(), &[]);
    wait_polling(&standin, Instant::now()).await;

    let balance13 = load(&standin, &members[..20], 13.0, 8, |s, m, _| {
        s.send_text(m, "/balance");
    })
    .await;
    print("huzhu /balance, 20 members at 13 updates/s", &balance13);
    let children = seeded.children.clone();
    let shifts = seeded.shifts.clone();
    let book13 = load(&standin, &members[..20], 13.0, 8, |s, m, round| {
        let i = (m.id - FIRST) as usize;
        s.send_text(m, &format!("/book {} {}", shifts[round].0, children[i].0));
    })
    .await;
    print("huzhu /book SHIFT CHILD, 20 at 13/s", &book13);
    // Buttons: "Confirm" on a booking question, edited into the answer.
    let button13 = load(&standin, &members[..20], 13.0, 8, |s, m, round| {
        let i = (m.id - FIRST) as usize;
        let msg = s.last_message_to(m.id).map(|x| x.message_id).unwrap_or(1);
        let data = Callback::BookDo(shifts[10 + round], children[i]).encode();
        s.press_button(m, msg, &data);
    })
    .await;
    print("huzhu booking button, 20 at 13/s", &button13);
    let balance25 = load(&standin, &members, 25.0, 6, |s, m, _| {
        s.send_text(m, "/balance");
    })
    .await;
    print("huzhu /balance, 50 members at 25 updates/s", &balance25);
    let book25 = load(&standin, &members, 25.0, 6, |s, m, round| {
        let i = (m.id - FIRST) as usize;
        s.send_text(m, &format!("/book {} {}", shifts[20 + round].0, children[i].0));
    })
    .await;
    print("huzhu /book SHIFT CHILD, 50 at 25/s", &book25);
    let button25 = load(&standin, &members, 25.0, 6, |s, m, round| {
        let i = (m.id - FIRST) as usize;
        let msg = s.last_message_to(m.id).map(|x| x.message_id).unwrap_or(1);
        let data = Callback::BookDo(shifts[30 + round], children[i]).encode();
        s.press_button(m, msg, &data);
    })
    .await;
    print("huzhu booking button, 50 at 25/s", &button25);
    // A press refused (a toast, no message) has no reply to time: say what they were.
    let mut toasts: HashMap<String, usize> = HashMap::new();
    for (_, text) in standin.callback_answers() {
        if let Some(t) = text {
            *toasts.entry(t.chars().take(60).collect()).or_default() += 1;
        }
    }
    for (text, n) in &toasts {
        println!("  {n} presses answered with a toast only: {text:?}");
    }
    let _ = bot.kill();
    let _ = bot.wait();
    println!(
        "ratios at 13 updates/s: huzhu p50 / echo p50 = {:.2}x (/balance), {:.2}x (/book), {:.2}x (button); huzhu p99 {:.1} / {:.1} / {:.1} ms",
        balance13.p50 / echo13.p50,
        book13.p50 / echo13.p50,
        button13.p50 / echo13.p50,
        balance13.p99,
        book13.p99,
        button13.p99
    );
    summary.push(format!(
        "p50 ratio {:.2}x, p99 {:.1} ms at 13/s",
        balance13.p50.max(book13.p50).max(button13.p50) / echo13.p50,
        balance13.p99.max(book13.p99).max(button13.p99)
    ));
    standin.shutdown().await;

    // ----- a broadcast to 1,000 members -----
    let dir = tempfile::tempdir().expect("tempdir");
    seed(&dir.path().join("huzhu.db"), 1000, 0);
    let standin = StandIn::start().await.expect("stand-in");
    let coord = TestUser::new(COORD.0, "Coordinator", Some("en"));
    standin.register_user(&coord);
    let everyone: Vec<TestUser> = (0..1000).map(|i| support::user(FIRST + i)).collect();
    for m in &everyone {
        standin.register_user(m);
    }
    let mut bot = spawn_huzhu(&standin, dir.path(), &[]);
    wait_polling(&standin, Instant::now()).await;
    standin.send_text(&coord, "/broadcast The water is off tomorrow morning; please bring drinking water.");
    let confirm = wait_for(&standin, coord.id, |t| t.contains("1001") || t.contains("1000")).await;
    let data = confirm.buttons.iter().flatten().find_map(|b| b.callback_data.clone()).expect("a confirm button");
    let started = Instant::now();
    standin.press_button(&coord, confirm.message_id, &data);
    let deadline = Instant::now() + Duration::from_secs(90);
    let delivered = |s: &StandIn| everyone.iter().filter(|m| !s.messages_to(m.id).is_empty()).count();
    while delivered(&standin) < 1000 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took = started.elapsed().as_secs_f64();
    let (busiest, chat_doubles) = per_second(&standin, started);
    println!(
        "broadcast to 1,000 members: {} delivered in {took:.1} s ({:.2}x Telegram's 33.3 s); busiest second {busiest} sends; chats with two sends in one second: {chat_doubles}",
        delivered(&standin),
        took / (1000.0 / 30.0)
    );
    summary.push(format!("broadcast 1000 in {took:.1} s, busiest second {busiest}"));
    let _ = bot.kill();
    let _ = bot.wait();
    standin.shutdown().await;

    // ----- 500 members press "book" once within 5 s -----
    let dir = tempfile::tempdir().expect("tempdir");
    let seeded = seed(&dir.path().join("huzhu.db"), 500, 1);
    let standin = StandIn::start().await.expect("stand-in");
    let rushing: Vec<TestUser> = (0..500).map(|i| support::user(FIRST + i)).collect();
    for m in &rushing {
        standin.register_user(m);
    }
    let mut bot = spawn_huzhu(&standin, dir.path(), &[]);
    wait_polling(&standin, Instant::now()).await;
    let started = Instant::now();
    let gap = Duration::from_secs_f64(5.0 / 500.0);
    for (i, m) in rushing.iter().enumerate() {
        tokio::time::sleep_until((started + gap * i as u32).into()).await;
        standin.send_text(m, &format!("/book {} {}", seeded.shifts[0].0, seeded.children[i].0));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let answered = |s: &StandIn| rushing.iter().filter(|m| !s.messages_to(m.id).is_empty()).count();
    while answered(&standin) < 500 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let last = reply_starts(&standin, started).values().filter_map(|v| v.first().copied()).max();
    let last_s = last.map(|t| t.duration_since(started).as_secs_f64()).unwrap_or(f64::NAN);
    let (busiest, _) = per_second(&standin, started);
    println!(
        "rush: 500 members press book within 5 s: {} answered, the last {last_s:.1} s after the first press (target {:.1} s); busiest second {busiest}",
        answered(&standin),
        500.0 / 30.0 + 2.0
    );
    summary.push(format!("rush 500 answered {} last at {last_s:.1} s", answered(&standin)));
    let _ = bot.kill();
    let _ = bot.wait();
    standin.shutdown().await;
    let _ = UserId(0);
    let _ = Caller::new(UserId(0));
    println!("latency: {}", summary.join("; "));
}

async fn wait_for(standin: &StandIn, chat: i64, cond: impl Fn(&str) -> bool) -> tg_standin::BotMessage {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(m) = standin.messages_to(chat).into_iter().rev().find(|m| cond(&m.text)) {
            return m;
        }
        assert!(Instant::now() < deadline, "no such message to {chat}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The busiest second of sends (by start) since `since`, and how many chats had two
/// sends within one second.
fn per_second(standin: &StandIn, since: Instant) -> (usize, usize) {
    let calls: Vec<_> = standin
        .calls()
        .into_iter()
        .filter(|c| c.at >= since && (c.method == "sendmessage" || c.method == "editmessagetext"))
        .collect();
    let mut times: Vec<Instant> = calls.iter().map(|c| c.at).collect();
    times.sort();
    let mut busiest = 0;
    let mut j = 0;
    for i in 0..times.len() {
        while times[i].duration_since(times[j]) >= Duration::from_secs(1) {
            j += 1;
        }
        busiest = busiest.max(i - j + 1);
    }
    let mut by_chat: HashMap<i64, Vec<Instant>> = HashMap::new();
    for c in &calls {
        if let Some(chat) = c.params["chat_id"].as_i64() {
            by_chat.entry(chat).or_default().push(c.at);
        }
    }
    for v in by_chat.values_mut() {
        v.sort();
    }
    let doubles = by_chat
        .values()
        .filter(|v| v.windows(2).any(|w| w[1].duration_since(w[0]) < Duration::from_millis(1000)))
        .count();
    (busiest, doubles)
}
