//! The bound on updates handled at once (`bot/gate.rs`), end to end: the real binary
//! against the stand-in, more people writing at once than the bound lets in. Every one
//! is answered, every update is marked done (the inbox is empty afterwards), and the bot
//! never handled more than its bound at once, which is a few seconds of its send rate.

mod common;

use std::time::{Duration, Instant};

use common::*;
use huzhu::store::{Store, T};
use tg_standin::TestUser;

/// The bot's own count, logged when it stops: "updates handled at once: at most X (bound N)".
fn handled_at_once(log: &str) -> (usize, usize) {
    let line =
        log.lines().rev().find(|l| l.contains("updates handled at once")).expect("the bot logs its count at stop");
    (number_after(line, "at most ") as usize, number_after(line, "(bound ") as usize)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_larger_than_the_bound_is_all_answered_and_never_more_than_the_bound_at_once() {
    // 15 replies a second: a bound of 30 (2 s of them); 90 people write at once.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut h = Harness::start_with(dir, vec![("HUZHU_SEND_RATE".into(), "15".into())]).await;
    let people: Vec<TestUser> = (0..90).map(|i| en(20_000 + i, &format!("Parent {i}"))).collect();
    h.register(&people.iter().collect::<Vec<_>>());
    let before = h.seq();
    let started = Instant::now();
    for p in &people {
        h.standin.send_text(p, "/help");
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let unanswered = people.iter().filter(|p| h.standin.messages_to(p.id).iter().all(|m| m.seq <= before)).count();
        if unanswered == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{unanswered} of 90 never answered; bot log:\n{}", h.log_tail());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took = started.elapsed();
    assert!(h.stop().await.success(), "a clean stop; bot log:\n{}", h.log_tail());
    let log = std::fs::read_to_string(h.log_path()).expect("the bot's log");
    let (most, bound) = handled_at_once(&log);
    assert_eq!(bound, 30, "the bound is 2 s of the send rate");
    assert!(most <= bound, "{most} updates handled at once, above the bound of {bound}");
    // 90 replies at 15 a second take 6 s: the bound was reached, so it is what held
    // the others back (a bound never reached would prove nothing).
    assert_eq!(most, bound, "the burst filled the bound");
    let store = Store::open_waiting(&Harness::db_path(h.db_dir.path()), Duration::from_secs(10)).expect("open");
    assert_eq!(store.tree(T::Inbox).len(), 0, "every update was marked done after its reply");
    eprintln!("90 answered in {:.1} s, at most {most} handled at once (bound {bound})", took.as_secs_f64());
}
