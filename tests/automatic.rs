//! The automatic side end to end: the real binary, its clock started where the test
//! needs it (`HUZHU_CLOCK_START`), on a database the test prepared through the service,
//! against the Bot API stand-in with injected faults. Reminders across a kill and
//! restarts, "I can't make it" and the race for "Take this shift", and broadcasts to a
//! thousand members through 429s and 403s, and across a kill.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use common::*;
use huzhu::domain::UserId;
use huzhu::service::Caller;
use huzhu::store::Store;
use huzhu::testing::{t0, Fixture, COORD};
use tg_standin::{BotMessage, Fault, TestUser};

const INFANT: &str = "2026-03-01";

/// Prepares the bot's database through the service (clock at `now`), then closes it.
fn seed(dir: &std::path::Path, now: chrono::DateTime<Utc>, build: impl FnOnce(&Fixture)) {
    let store = Arc::new(Store::open(Harness::db_path(dir)).expect("open the database"));
    store.set_durable(false);
    let fx = Fixture::with_store(store.clone(), now);
    fx.svc.set_language(COORD, "en").expect("language");
    build(&fx);
    store.flush().expect("flush the seeded database");
}

fn user(id: i64) -> TestUser {
    TestUser::new(id, &format!("Member {id}"), Some("en"))
}

/// Messages to `chat` that the bot sent on its own and that contain `needle`.
fn automatic_to(h: &Harness, chat: i64, needle: &str) -> Vec<BotMessage> {
    h.standin.messages_to(chat).into_iter().filter(|m| m.text.contains(needle)).collect()
}

async fn wait_for(h: &Harness, what: &str, limit: Duration, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + limit;
    while !cond() {
        assert!(Instant::now() < deadline, "{what} did not happen within {limit:?}; bot log:\n{}", h.log_tail());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Tests that measure the send rate at the stand-in run alone: another test's bot and
/// stand-in competing for the same two cores would delay requests and bunch their
/// arrival times, which says nothing about the bot. The others may run together.
static RATE_GATE: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

fn clock(at: &str) -> Vec<(String, String)> {
    vec![("HUZHU_CLOCK_START".into(), at.into())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_go_out_once_across_a_kill_and_after_downtime() {
    let _shared = RATE_GATE.read().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let volunteers: Vec<i64> = (5000..5030).collect();
    let parent = 4000;
    seed(dir.path(), t0(), |fx| {
        let s = fx.shift("2026-12-03", "14:00", "17:00", 10);
        for v in &volunteers {
            let u = fx.family(*v, &format!("Member {v}"));
            fx.svc.set_language(u, "en").expect("language");
            fx.svc.volunteer(&Caller::new(u), s).expect("volunteer");
        }
        let p = fx.family(parent, "Parent");
        fx.svc.set_language(p, "en").expect("language");
        let kid = fx.child(p, "Mei", INFANT);
        fx.svc.book(&Caller::new(p), s, kid).expect("book");
    });
    // 30 s after the 24 h reminders fell due. The 15th volunteer's send hangs; the bot is
    // killed while it waits, and must send that reminder after the restart.
    let mut h = Harness::prepare(dir, clock("2026-12-02T14:00:30+08:00")).await;
    for id in volunteers.iter().chain([&parent, &COORD.0]) {
        h.standin.register_user(&user(*id));
    }
    let hung = volunteers[14];
    h.standin.set_fault(hung, Fault::Hang);
    h.spawn().await;
    let reminded = |h: &Harness| volunteers.iter().filter(|v| !automatic_to(h, **v, "⏰ Reminder").is_empty()).count();
    // The others go out past the hung send (jobs run a window at a time).
    wait_for(&h, "29 reminders and a hung send", Duration::from_secs(30), || {
        reminded(&h) == 29
            && h.standin.calls_to("sendMessage").iter().any(|c| c.status == 0 && c.params["chat_id"] == hung)
    })
    .await;
    assert!(automatic_to(&h, hung, "⏰ Reminder").is_empty());
    // Let the bot record the 29 sends it made (a kill between a send and its record
    // repeats that one message by design, which is not what this test is about).
    tokio::time::sleep(Duration::from_secs(1)).await;
    h.kill();
    h.standin.clear_fault(hung);
    h.spawn().await;
    wait_for(&h, "all 30 reminders", Duration::from_secs(30), || reminded(&h) == 30).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    for v in &volunteers {
        let got = automatic_to(&h, *v, "⏰ Reminder");
        assert_eq!(got.len(), 1, "volunteer {v} got {} reminders", got.len());
        let labels: Vec<&str> = got[0].buttons.iter().flatten().map(|b| b.text.as_str()).collect();
        assert_eq!(labels, ["✅ I'll be there", "❌ I can't make it"]);
    }
    // One volunteer answers "I'll be there": confirmed, and their next reminder asks no more.
    let sure = user(volunteers[0]);
    let r = h.press(&sure, "I'll be there").await;
    assert!(r.text.starts_with("Thank you! You're confirmed for #1"), "{}", r.text);
    // (The pressed reminder became that confirmation; every other volunteer has one.)
    let reminders = |h: &Harness, v: i64| automatic_to(h, v, "⏰ Reminder").len() + usize::from(v == sure.id);
    // Down from 14:00 on the 2nd until 13:00 on the 3rd: the digest (18:00), the family's
    // reminder (20:00) and the 2 h reminders (12:00) are all missed; their shift has not
    // started, so each goes out once, now.
    h.kill();
    h.env = clock("2026-12-03T13:00:00+08:00");
    h.spawn().await;
    wait_for(&h, "the missed reminders", Duration::from_secs(30), || {
        volunteers.iter().all(|v| reminders(&h, *v) == 2)
            && !automatic_to(&h, parent, "Mei").is_empty()
            && !automatic_to(&h, COORD.0, "📋").is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    for v in &volunteers {
        assert_eq!(reminders(&h, *v), 2, "volunteer {v}");
        let got = automatic_to(&h, *v, "⏰ Reminder");
        let latest = got.iter().max_by_key(|m| m.seq).expect("the 2 h reminder");
        assert_eq!(latest.buttons.is_empty(), *v == sure.id, "buttons on volunteer {v}'s 2 h reminder");
    }
    // Sent on the day itself, they say "today".
    let family = automatic_to(&h, parent, "Mei");
    assert_eq!(family.len(), 1);
    assert!(family[0].text.starts_with("⏰ Today: Mei") && family[0].text.contains("14:00"), "{}", family[0].text);
    let digest = automatic_to(&h, COORD.0, "📋");
    assert_eq!(digest.len(), 1);
    assert!(digest[0].text.starts_with("📋 Today"), "{}", digest[0].text);
    assert!(digest[0].text.contains("infants 1") && digest[0].text.contains("Member 5000"), "{}", digest[0].text);
    // After the shift: nothing is left to send.
    let before = h.standin.calls_to("sendMessage").len();
    h.kill();
    h.env = clock("2026-12-03T18:00:00+08:00");
    h.spawn().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(h.standin.calls_to("sendMessage").len(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cant_come_alerts_the_coordinator_and_one_of_two_takers_gets_the_shift() {
    let _shared = RATE_GATE.read().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let vol = 5000;
    let takers = [5001, 5002];
    let parents: Vec<i64> = (4000..4006).collect();
    seed(dir.path(), t0(), |fx| {
        let s = fx.shift("2026-12-03", "14:00", "17:00", 10);
        for id in [vol].iter().chain(&takers) {
            let u = fx.family(*id, &format!("Member {id}"));
            fx.svc.set_language(u, "en").expect("language");
        }
        fx.svc.volunteer(&Caller::new(UserId(vol)), s).expect("volunteer");
        for p in &parents {
            let u = fx.family(*p, &format!("Member {p}"));
            fx.svc.set_language(u, "en").expect("language");
            let kid = fx.child(u, "Baby", INFANT);
            fx.svc.book(&Caller::new(u), s, kid).expect("book");
        }
    });
    let mut h = Harness::prepare(dir, clock("2026-12-02T14:00:30+08:00")).await;
    let people: Vec<TestUser> = [vol, COORD.0].iter().chain(&takers).chain(&parents).map(|i| user(*i)).collect();
    for p in &people {
        h.standin.register_user(p);
    }
    h.spawn().await;
    let volunteer = user(vol);
    wait_for(&h, "the volunteer's reminder", WAIT, || !automatic_to(&h, vol, "⏰ Reminder").is_empty()).await;
    let before = h.seq();
    let r = h.press(&volunteer, "I can't make it").await;
    assert!(r.text.contains("Thanks for telling us"), "{}", r.text);
    h.expect(&user(COORD.0), before, "understaffed").await;
    // Both takers are asked (within a day of the shift the batch is 20).
    for t in &takers {
        h.expect(&user(*t), before, "Can you help?").await;
    }
    let (m1, d1) = h.find_button(&user(takers[0]), "Take this shift");
    let (m2, d2) = h.find_button(&user(takers[1]), "Take this shift");
    let q1 = h.standin.press_button(&user(takers[0]), m1.message_id, &d1);
    let q2 = h.standin.press_button(&user(takers[1]), m2.message_id, &d2);
    wait_for(&h, "both presses answered", WAIT, || {
        let answers = h.standin.callback_answers();
        [&q1, &q2].iter().all(|q| answers.iter().any(|(id, _)| id == *q))
    })
    .await;
    let answers: HashMap<String, Option<String>> = h.standin.callback_answers().into_iter().collect();
    let refused: Vec<&Option<String>> = [&q1, &q2]
        .iter()
        .map(|q| &answers[*q])
        .filter(|a| a.as_deref().is_some_and(|t| t.contains("already taken")))
        .collect();
    assert_eq!(refused.len(), 1, "exactly one is told it is taken: {answers:?}");
    let winner = if answers[&q1].is_none() { takers[0] } else { takers[1] };
    h.wait_until("the winner's thanks", || {
        h.standin.messages_to(winner).iter().any(|m| m.text.contains("You volunteer at #1"))
    })
    .await;
}

/// The largest number of `sendMessage` requests that arrived within any one second
/// (a sliding window over arrival times at the stand-in).
fn busiest_second(h: &Harness) -> usize {
    let mut times: Vec<Instant> = h.standin.calls_to("sendMessage").iter().map(|c| c.at).collect();
    times.sort();
    let mut best = 0;
    let mut start = 0;
    for end in 0..times.len() {
        while times[end].duration_since(times[start]) >= Duration::from_secs(1) {
            start += 1;
        }
        best = best.max(end - start + 1);
    }
    best
}

fn progress_texts(h: &Harness) -> Vec<String> {
    h.standin
        .calls_to("editMessageText")
        .iter()
        .filter(|c| c.params["chat_id"] == COORD.0 && c.status == 200)
        .filter_map(|c| c.params["text"].as_str().map(str::to_string))
        .filter(|t| t.contains("Sending"))
        .collect()
}

fn sent_numbers(texts: &[String]) -> Vec<(usize, usize)> {
    texts
        .iter()
        .map(|t| {
            let tail = t.rsplit("sent ").next().unwrap_or_default();
            let (a, b) = tail.split_once(" / ").expect("sent N / M");
            (a.trim().parse().expect("N"), b.trim().parse().expect("M"))
        })
        .collect()
}

/// The bot running on a centre whose members (families) are `members`, all reachable.
async fn centre_of(members: &[i64]) -> Harness {
    let dir = tempfile::tempdir().expect("tempdir");
    seed(dir.path(), Utc::now(), |fx| {
        for m in members {
            fx.family(*m, &format!("Member {m}"));
        }
    });
    let mut h = Harness::prepare(dir, vec![]).await;
    for m in members.iter().chain([&COORD.0]) {
        h.standin.register_user(&user(*m));
    }
    h.spawn().await;
    h
}

const NEWS: &str = "Water is off tomorrow 9-12; please bring a bottle.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_reaches_a_thousand_members_through_429s_and_403s() {
    let _alone = RATE_GATE.write().await;
    let members: Vec<i64> = (10_000..11_000).collect();
    let coord = user(COORD.0);
    let h = centre_of(&members).await;
    let blocked: Vec<i64> = members.iter().copied().step_by(40).collect(); // 25
    let limited: Vec<i64> = members.iter().copied().skip(7).step_by(100).collect(); // 10
    let flaky: Vec<i64> = members.iter().copied().skip(13).step_by(200).collect(); // 5
    for b in &blocked {
        h.standin.set_fault(*b, Fault::Blocked);
    }
    for l in &limited {
        h.standin.set_fault(*l, Fault::RateLimit { retry_after: 1, times: 1 });
    }
    for f in &flaky {
        h.standin.set_fault(*f, Fault::ServerError { times: 1 });
    }
    let r = h.say(&coord, &format!("/broadcast {NEWS}")).await;
    assert!(r.text.starts_with("Send this message to 1000 people?"), "{}", r.text);
    let started = Instant::now();
    let (confirm, data) = h.find_button(&coord, "Send");
    h.standin.press_button(&coord, confirm.message_id, &data);
    wait_for(&h, "the final count", Duration::from_secs(150), || {
        h.standin.messages_to(COORD.0).iter().any(|m| m.text.contains("Broadcast finished"))
    })
    .await;
    let took = started.elapsed();
    let report = h.standin.messages_to(COORD.0).into_iter().find(|m| m.text.contains("Broadcast finished")).unwrap();
    assert!(report.text.contains("1000 recipients, 975 delivered, 25 blocked the bot, 0 failed."), "{}", report.text);
    for b in &blocked {
        assert!(report.text.contains(&format!("Member {b}")), "{b} is named as blocked: {}", report.text);
    }
    for m in &members {
        let copies = h.standin.messages_to(*m).iter().filter(|x| x.text.contains(NEWS)).count();
        let want = usize::from(!blocked.contains(m));
        assert_eq!(copies, want, "member {m} got {copies} copies");
    }
    let progress = sent_numbers(&progress_texts(&h));
    assert!(progress.len() >= 3, "the progress message is edited as it goes: {progress:?}");
    assert!(progress.windows(2).all(|w| w[0].0 <= w[1].0), "progress never goes back: {progress:?}");
    assert_eq!(progress.last(), Some(&(1000, 1000)));
    assert!(progress.iter().all(|(_, total)| *total == 1000));
    let busiest = busiest_second(&h);
    println!("broadcast to 1000: {took:?}, busiest second {busiest} sendMessage requests");
    assert!(busiest <= 30, "{busiest} messages within one second");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_resumes_after_a_kill_and_nobody_gets_it_twice() {
    let _shared = RATE_GATE.read().await;
    let members: Vec<i64> = (10_000..10_200).collect();
    let coord = user(COORD.0);
    let mut h = centre_of(&members).await;
    // One send hangs (its request never reaches anyone), so the kill finds a send in flight.
    let hung = members[60];
    h.standin.set_fault(hung, Fault::Hang);
    let r = h.say(&coord, &format!("/broadcast all {NEWS}")).await;
    assert!(r.text.starts_with("Send this message to 200 people?"), "{}", r.text);
    let (confirm, data) = h.find_button(&coord, "Send");
    h.standin.press_button(&coord, confirm.message_id, &data);
    let copies = |h: &Harness, m: i64| h.standin.messages_to(m).iter().filter(|x| x.text.contains(NEWS)).count();
    wait_for(&h, "60 copies and a hung send", Duration::from_secs(30), || {
        members.iter().filter(|m| copies(&h, **m) == 1).count() >= 60
            && h.standin.calls_to("sendMessage").iter().any(|c| c.status == 0 && c.params["chat_id"] == hung)
    })
    .await;
    h.kill();
    let delivered_before: Vec<i64> = members.iter().copied().filter(|m| copies(&h, *m) == 1).collect();
    assert!(delivered_before.len() < members.len(), "killed mid-way");
    h.standin.clear_fault(hung);
    h.spawn().await;
    wait_for(&h, "the final count", Duration::from_secs(60), || {
        h.standin.messages_to(COORD.0).iter().any(|m| m.text.contains("Broadcast finished"))
    })
    .await;
    let report = h.standin.messages_to(COORD.0).into_iter().find(|m| m.text.contains("Broadcast finished")).unwrap();
    // Nobody twice. Those claimed when the bot died are not sent again: they are named
    // as not delivered (some of them may have it). Everyone else has exactly one copy.
    let not_delivered = report.text.split("Not delivered: ").nth(1).unwrap_or_default().to_string();
    let uncertain: Vec<i64> =
        members.iter().copied().filter(|m| not_delivered.contains(&format!("Member {m}"))).collect();
    assert!(uncertain.contains(&hung), "{}", report.text);
    assert!(uncertain.len() <= 30, "at most one window of sends was in flight: {}", report.text);
    for m in &members {
        let n = copies(&h, *m);
        if uncertain.contains(m) {
            assert!(n <= 1, "member {m} got {n} copies");
        } else {
            assert_eq!(n, 1, "member {m}");
        }
    }
    assert_eq!(copies(&h, hung), 0);
    let delivered = 200 - uncertain.len();
    assert!(
        report.text.contains(&format!(
            "200 recipients, {delivered} delivered, 0 blocked the bot, {} failed.",
            uncertain.len()
        )),
        "{}",
        report.text
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_due_reminders_go_out_at_the_throttle_rate() {
    let _alone = RATE_GATE.write().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let volunteers: Vec<i64> = (20_000..20_300).collect();
    seed(dir.path(), t0(), |fx| {
        let shifts: Vec<_> = (0..10)
            .map(|i| fx.shift("2026-12-03", &format!("{:02}:00", 8 + i), &format!("{:02}:30", 8 + i), 5))
            .collect();
        for (i, v) in volunteers.iter().enumerate() {
            let u = fx.family(*v, &format!("Member {v}"));
            fx.svc.volunteer(&Caller::new(u), shifts[i % 10]).expect("volunteer");
        }
    });
    let mut h = Harness::prepare(dir, clock("2026-12-02T18:00:30+08:00")).await;
    for id in volunteers.iter().chain([&COORD.0]) {
        h.standin.register_user(&user(*id));
    }
    let started = Instant::now();
    h.spawn().await;
    wait_for(&h, "300 reminders", Duration::from_secs(60), || {
        volunteers.iter().all(|v| !automatic_to(&h, *v, "⏰").is_empty())
    })
    .await;
    let took = started.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    for v in &volunteers {
        assert_eq!(automatic_to(&h, *v, "⏰").len(), 1, "volunteer {v}");
    }
    let busiest = busiest_second(&h);
    println!("300 due reminders sent in {took:?}; busiest second {busiest} sendMessage requests");
    assert!(busiest <= 30, "{busiest} messages within one second");
}

/// Sends fail for 20 s (an outage between the bot and Telegram), longer than a send's
/// own retries: the reminder is not recorded as sent, comes back after a back-off, and
/// arrives once the outage is over, exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_that_cannot_be_sent_is_tried_again_and_arrives_once() {
    let _shared = RATE_GATE.read().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let volunteer = 5100;
    seed(dir.path(), t0(), |fx| {
        let s = fx.shift("2026-12-03", "14:00", "17:00", 10);
        let u = fx.family(volunteer, "Member 5100");
        fx.svc.set_language(u, "en").expect("language");
        fx.svc.volunteer(&Caller::new(u), s).expect("volunteer");
    });
    // Just after the 24 h reminder fell due.
    let mut h = Harness::prepare(dir, clock("2026-12-02T14:00:10+08:00")).await;
    h.standin.register_user(&user(volunteer));
    h.standin.register_user(&user(COORD.0));
    h.standin.set_fault(volunteer, Fault::Unavailable { until: Instant::now() + Duration::from_secs(20) });
    let started = Instant::now();
    h.spawn().await;
    wait_for(&h, "the reminder after the outage", Duration::from_secs(75), || {
        !automatic_to(&h, volunteer, "⏰ Reminder").is_empty()
    })
    .await;
    assert!(started.elapsed() >= Duration::from_secs(20), "it could only arrive after the outage");
    let failed = h
        .standin
        .calls_to("sendMessage")
        .iter()
        .filter(|c| c.params["chat_id"] == volunteer && c.status == 400)
        .count();
    assert!(failed >= 4, "the send was tried (and failed) during the outage: {failed}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(automatic_to(&h, volunteer, "⏰ Reminder").len(), 1, "exactly once");
    eprintln!(
        "the reminder arrived {:.1} s after the start, after {failed} failed sends",
        started.elapsed().as_secs_f64()
    );
}
