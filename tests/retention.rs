//! Retention: records kept only for idempotency or delivery (replay results, done marks,
//! sent marks, finished broadcasts, cover calls) are pruned once the retention period
//! (30 days by default) has passed, a bounded batch at a time; everything else stays.
//! And update ids are not trusted forever: an update is known by what it carries.

use std::sync::Arc;

use chrono::Duration;
use huzhu::bot::inbox::{identity, Inbox};
use huzhu::service::Caller;
use huzhu::store::{Store, T};
use huzhu::testing::Fixture;
use teloxide::types::Update;

fn update(id: u32, chat: i64, message: i32, text: &str) -> Update {
    // Parsed from text, as teloxide parses Telegram's answers (its update kinds do not
    // deserialize from a `serde_json::Value`).
    serde_json::from_str(
        &serde_json::json!({
            "update_id": id,
            "message": {
                "message_id": message,
                "date": 1_780_000_000 + message as i64,
                "chat": {"id": chat, "type": "private", "first_name": "A"},
                "from": {"id": chat, "is_bot": false, "first_name": "A"},
                "text": text
            }
        })
        .to_string(),
    )
    .expect("an update")
}

#[test]
fn replay_records_and_sent_marks_go_after_the_retention_and_nothing_else_does() {
    let fx = Fixture::new();
    let parent = fx.family(100, "Parent");
    let child = fx.child(parent, "Kid", "2025-05-01");
    let shift = fx.shift("2027-01-20", "09:00", "10:00", 10);
    let booked = fx.svc.book(&Caller::with_request(parent, "m100:1"), shift, child).expect("book");
    assert!(!booked.replayed);
    // Within the retention a replay is recognised.
    fx.clock.advance(Duration::days(29));
    assert!(fx.svc.prune_expired(1000).expect("prune") == 0, "nothing is due yet");
    let again = fx.svc.book(&Caller::with_request(parent, "m100:1"), shift, child).expect("replay");
    assert!(again.replayed, "a replay within the retention changes nothing");
    let jobs = fx.svc.pending_jobs().expect("jobs");
    let job = jobs.first().expect("a reminder is planned");
    fx.svc.job_sent(job, parent, Some(7)).expect("sent");
    let sent_before = fx.svc.store().tree(T::Sent).len();
    assert_eq!(sent_before, 1);
    // After 30 days the replay record goes; the booking, the ledger and the sent mark
    // (written a day later) stay until theirs ends.
    fx.clock.advance(Duration::days(2));
    let pruned = fx.svc.prune_expired(1000).expect("prune");
    assert!(pruned >= 1, "the replay record is pruned");
    assert!(!fx.svc.was_applied(parent, "m100:1"));
    assert_eq!(fx.svc.store().tree(T::Sent).len(), 1, "the sent mark is younger");
    assert!(fx.svc.my_bookings(parent, huzhu::testing::date("2026-12-01")).expect("bookings").len() == 1);
    assert_eq!(fx.svc.ledger_sum().expect("sum"), 0);
    fx.clock.advance(Duration::days(30));
    fx.svc.prune_expired(1000).expect("prune");
    assert_eq!(fx.svc.store().tree(T::Sent).len(), 0, "the sent mark is pruned after its retention");
    assert_eq!(fx.svc.store().tree(T::Expiry).len(), 0, "every expiry entry was used");
    assert_eq!(fx.svc.my_bookings(parent, huzhu::testing::date("2026-12-01")).expect("bookings").len(), 1);
}

#[test]
fn pruning_is_bounded_per_call() {
    let fx = Fixture::new();
    let parent = fx.family(100, "Parent");
    for i in 0..25 {
        fx.svc.set_overdraft(&Caller::with_request(huzhu::testing::COORD, format!("r{i}")), parent, i).expect("change");
    }
    fx.clock.advance(Duration::days(31));
    assert_eq!(fx.svc.prune_expired(10).expect("prune"), 10);
    assert_eq!(fx.svc.prune_expired(10).expect("prune"), 10);
    assert_eq!(fx.svc.prune_expired(10).expect("prune"), 5);
    assert_eq!(fx.svc.prune_expired(10).expect("prune"), 0);
}

/// Telegram may hand out an update id again after a week without updates: a new
/// message under an old id is a new update, while the same update twice is one.
#[test]
fn a_reused_update_id_is_a_new_update_and_a_repeat_is_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(Store::open(dir.path().join("db")).expect("open"));
    let inbox = Inbox::new(store);
    let first = update(41, 7, 1, "/help");
    assert!(matches!(first.kind, teloxide::types::UpdateKind::Message(_)), "{:?}", first.kind);
    assert_eq!(inbox.admit(std::slice::from_ref(&first), i64::MAX).expect("admit").0.len(), 1);
    // Handed out again before it was handled: already waiting.
    assert_eq!(inbox.admit(std::slice::from_ref(&first), i64::MAX).expect("admit").0.len(), 0);
    inbox.done(&first, None, i64::MAX).expect("done");
    assert!(inbox.is_done(&first));
    // Handed out again after it was handled: skipped.
    assert_eq!(inbox.admit(std::slice::from_ref(&first), i64::MAX).expect("admit").0.len(), 0);
    // The same id on a later message (ids reused): a new update, handled.
    let reused = update(41, 7, 2, "/balance");
    assert_ne!(identity(&first), identity(&reused));
    let (fresh, _) = inbox.admit(std::slice::from_ref(&reused), i64::MAX).expect("admit");
    assert_eq!(fresh, vec![reused.clone()]);
    assert_eq!(inbox.pending().expect("pending"), vec![reused]);
}

/// The poller hands an update to the handlers before the inbox stores it (a reply
/// waits for no inbox write): one handled before its batch is stored is not stored
/// again (it would be handled again on the next start), and one not yet handled is.
#[test]
fn an_update_handled_before_its_batch_is_stored_stays_handled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(Store::open(dir.path().join("db")).expect("open"));
    let inbox = Inbox::new(store);
    let (quick, slow) = (update(50, 7, 1, "/help"), update(51, 8, 1, "/balance"));
    let batch = vec![quick.clone(), slow.clone()];
    assert_eq!(inbox.unseen(&batch).expect("unseen"), batch, "both are new");
    inbox.done(&quick, None, i64::MAX).expect("done");
    let (stored, _) = inbox.admit(&batch, i64::MAX).expect("admit");
    assert_eq!(stored, vec![slow.clone()]);
    assert_eq!(inbox.pending().expect("pending"), vec![slow.clone()], "only the unhandled one waits");
    // The batch handed out again (the offset not yet confirmed): nothing new.
    assert!(inbox.unseen(&batch).expect("unseen").is_empty());
    inbox.done(&slow, None, i64::MAX).expect("done");
    assert!(inbox.unseen(&batch).expect("unseen").is_empty());
    assert!(inbox.pending().expect("pending").is_empty());
}

/// A done mark is not flushed on its own (the worker goes on to its chat's next update),
/// but it asks for a flush: the flusher makes it durable with no one waiting, and after
/// a restart the update is not handled again. Until then a crash replays the update
/// (the mark lost with it), which changes nothing more (its identity is its request key).
#[test]
fn a_done_mark_rides_in_a_flush_it_asked_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    let u = update(60, 9, 1, "/balance");
    {
        let store = Arc::new(Store::open(&path).expect("open"));
        let inbox = Inbox::new(store.clone());
        let (fresh, pending) = inbox.admit(std::slice::from_ref(&u), i64::MAX).expect("admit");
        assert_eq!(fresh.len(), 1);
        inbox.durable(pending).expect("durable");
        let flushes = store.commit_stats().flushes;
        inbox.done(&u, None, i64::MAX).expect("done");
        assert!(inbox.is_done(&u), "seen at once by readers");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while store.commit_stats().flushes == flushes {
            assert!(std::time::Instant::now() < deadline, "the done mark's flush never came");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
    let store = Arc::new(Store::open_waiting(&path, std::time::Duration::from_secs(10)).expect("reopen"));
    let inbox = Inbox::new(store);
    assert!(inbox.is_done(&u), "the mark is on disk");
    assert!(inbox.pending().expect("pending").is_empty(), "nothing to handle again");
}
