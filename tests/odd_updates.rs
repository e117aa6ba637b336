//! Whole odd updates through the real binary (teloxide's parsing, the inbox, the
//! dispatcher): stickers, photos with command captions, entities out of range, huge and
//! odd-unicode texts, commands for another bot, garbled button data, update kinds huzhu
//! does not ask for and payloads that are not updates at all, from a stranger and from
//! a member. The bot never stops serving, answers every message it can read, and none
//! of it changes a record (the record trees are compared before and after).
//! (`tests/fuzz_input.rs` fuzzes the same inputs in-process, thousands of cases.)

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use huzhu::store::{Store, T};
use huzhu::testing::{Fixture, COORD};
use serde_json::{json, Value};
use tg_standin::TestUser;

/// The trees that hold records (not delivery, replay or scheduling state).
const RECORDS: [T; 19] = [
    T::Centres,
    T::Members,
    T::Families,
    T::Children,
    T::Shifts,
    T::Templates,
    T::Bookings,
    T::Signups,
    T::Accounts,
    T::Ledger,
    T::Invites,
    T::ShiftsByDate,
    T::BookingsByFamily,
    T::SignupsByMember,
    T::LedgerByAccount,
    T::MembersByCentre,
    T::ChildDay,
    T::VolunteerDay,
    T::TemplateDates,
];

fn records(db: &std::path::Path) -> Vec<Vec<(Vec<u8>, Vec<u8>)>> {
    // sled lets go of its lock a moment after the last handle is dropped.
    let store = Store::open_waiting(db, std::time::Duration::from_secs(10)).expect("open the database");
    let all = store.snapshot();
    RECORDS.iter().map(|t| all[*t as usize].clone()).collect()
}

fn user_json(u: &TestUser) -> Value {
    json!({ "id": u.id, "is_bot": false, "first_name": u.first_name, "language_code": "en" })
}

fn message(u: &TestUser, id: i64, extra: Value) -> Value {
    let mut m = json!({
        "message_id": id,
        "date": chrono::Utc::now().timestamp(),
        "chat": { "id": u.id, "type": "private", "first_name": u.first_name },
        "from": user_json(u),
    });
    if let (Some(m), Some(e)) = (m.as_object_mut(), extra.as_object()) {
        m.extend(e.clone());
    }
    m
}

/// Odd messages, each of which gets an answer.
fn odd_messages(u: &TestUser, first_id: i64) -> Vec<Value> {
    let sticker = json!({ "sticker": {
        "file_id": "CAACAgIAAxkBAAEB", "file_unique_id": "AgADxx", "type": "regular",
        "width": 512, "height": 512, "is_animated": false, "is_video": false, "emoji": "😀"
    }});
    let photo = json!({
        "photo": [{ "file_id": "AgACAgIAAxk", "file_unique_id": "AQADx", "width": 90, "height": 90 }],
        "caption": "/book 1 1",
        "caption_entities": [{ "type": "bot_command", "offset": 0, "length": 5 }]
    });
    let texts = [
        json!({ "text": "hello /book", "entities": [{ "type": "bot_command", "offset": 900, "length": 77 }] }),
        json!({ "text": "x".repeat(5000) }),
        json!({ "text": "/grant@other_bot 10000 60 hi" }),
        json!({ "text": "/approve\u{202e}10000\u{200b}" }),
        json!({ "text": "\u{0}\u{7}\u{feff}周三 09：00－12：00 ９" }),
        json!({ "text": "/newcenter ".to_string() + &"中".repeat(3000) }),
        json!({ "text": "/child add 🧒 0000-00-00" }),
        json!({ "text": "/cancel -1" }),
        json!({ "text": "/grant 10000 99999999999999999999 x" }),
        json!({ "text": "/settings remind 0,999,-5" }),
    ];
    let mut all = vec![sticker, photo];
    all.extend(texts);
    all.into_iter().enumerate().map(|(i, extra)| message(u, first_id + i as i64, extra)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_updates_are_answered_or_ignored_and_change_nothing() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let member = TestUser::new(10_000, "Member", Some("en"));
    let stranger = TestUser::new(555, "Stranger", Some("en"));
    {
        let store = Arc::new(Store::open(Harness::db_path(dir.path())).expect("open"));
        let fx = Fixture::with_store(store.clone(), chrono::Utc::now());
        fx.svc.set_language(COORD, "en").expect("language");
        let u = fx.family(member.id, "Member");
        fx.svc.set_language(u, "en").expect("language");
        fx.child(u, "Kid", &born_months_ago(20).to_string());
        fx.shift(&day(1).to_string(), "09:00", "12:00", 12);
        store.flush().expect("flush");
    }
    let db = Harness::db_path(dir.path());
    let before = records(&db);
    let mut h = Harness::start_with(dir, vec![]).await;
    h.register(&[&member, &stranger]);
    // An update teloxide cannot read at all (nested deeper than serde_json's limit,
    // which no client sends): getUpdates' whole answer fails to parse, every time. The
    // bot fetches one at a time up to it and skips it; everything after it is served.
    let mut deep = message(&member, 900, json!({ "text": "deep" }));
    for i in 0..300 {
        deep = message(&member, 901 + i, json!({ "text": "x", "reply_to_message": deep }));
    }
    h.standin.push_update("message", deep);
    let mut expected = 0;
    for (u, first) in [(&member, 1_000), (&stranger, 2_000)] {
        for m in odd_messages(u, first) {
            h.standin.push_update("message", m);
            expected += 1;
        }
        // Not for huzhu, or not updates at all: read past, never answered.
        h.standin.push_update("channel_post", json!({ "message_id": 1, "date": 0, "chat": { "id": -100, "type": "channel", "title": "c" }, "text": "/book 1" }));
        h.standin.push_update("message_reaction", json!({ "nonsense": true }));
        // An edit: answered (edits are not read).
        h.standin
            .push_update("edited_message", message(u, first + 500, json!({ "text": "/book 1 1", "edit_date": 1 })));
        expected += 1;
        // Kinds huzhu does not ask for, which Telegram may still deliver for a while
        // after `allowed_updates` changed: one with no chat and no sender, one with a
        // sender and no chat, one with both. Read past.
        let poll = json!({ "id": format!("p{}", u.id), "question": "?", "options": [], "total_voter_count": 0, "is_closed": true, "is_anonymous": true, "type": "regular", "allows_multiple_answers": false });
        h.standin.push_update_unfiltered("poll", poll);
        h.standin.push_update_unfiltered(
            "inline_query",
            json!({ "id": format!("i{}", u.id), "from": user_json(u), "query": "/book", "offset": "" }),
        );
        let member_update = json!({ "chat": { "id": u.id, "type": "private", "first_name": u.first_name }, "from": user_json(u), "date": 0,
            "old_chat_member": { "status": "member", "user": { "id": 1, "is_bot": true, "first_name": "huzhu" } },
            "new_chat_member": { "status": "kicked", "until_date": 0, "user": { "id": 1, "is_bot": true, "first_name": "huzhu" } } });
        h.standin.push_update_unfiltered("my_chat_member", member_update);
        h.standin.push_update("message", json!({ "message_id": "not a number", "text": 5 }));
        h.standin.push_update("callback_query", json!({ "id": format!("q{}", u.id), "from": user_json(u), "chat_instance": "1", "data": "bk:\u{0}:99999999999999999999999" }));
    }
    // Every readable message is answered; then the bot still serves.
    let answered = || {
        [&member, &stranger]
            .iter()
            .map(|u| h.standin.messages_to(u.id).iter().filter(|m| !is_automatic(m)).count())
            .sum::<usize>()
    };
    h.wait_until("every odd message is answered", || answered() >= expected).await;
    let r = h.say(&member, "/balance").await;
    assert!(r.text.starts_with("Time credits:"), "{:?}", r.text);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let exit = h.stop().await;
    assert!(exit.success(), "huzhu stopped cleanly: {exit}\n{}", h.log_tail());
    let log = std::fs::read_to_string(h.log_path()).unwrap_or_default();
    assert!(!log.contains("panicked"), "no panic:\n{log}");
    assert!(log.contains("could not be read") && log.contains("skipped"), "the unreadable update is named:\n{log}");
    let after = records(&db);
    let left = {
        let store = Store::open_waiting(&db, std::time::Duration::from_secs(10)).expect("open the database");
        store.snapshot()[T::Inbox as usize].len()
    };
    assert_eq!(left, 0, "every update was handled or read past: none waits in the inbox for the next start");
    for (t, (a, b)) in RECORDS.iter().zip(before.iter().zip(&after)) {
        let show = |v: &Vec<(Vec<u8>, Vec<u8>)>| {
            v.iter().map(|(k, x)| format!("{:?} {}", k, String::from_utf8_lossy(x))).collect::<Vec<_>>().join("\n")
        };
        assert!(a == b, "{t:?} changed:\nbefore\n{}\nafter\n{}", show(a), show(b));
    }
    eprintln!("odd updates: {} messages answered, 8 other updates read past, no record changed", expected);
}
