//! The store's size over a simulated year of daily use: every day 40 families each send
//! 5 updates (inbox done marks), book and cancel with request keys (replay records), and
//! are sent a reminder (sent marks); pruning runs daily. The records kept for
//! idempotency and delivery level off after the retention period (30 days) instead of
//! growing; the domain's own records (bookings, ledger) grow, as they should.
//!
//! cargo bench --bench retention

use std::sync::Arc;
use std::time::Instant;

use chrono::{Datelike, Duration};
use huzhu::bot::inbox::Inbox;
use huzhu::service::Caller;
use huzhu::store::{Store, T};
use huzhu::testing::{t0, Fixture};
use teloxide::types::Update;

const FAMILIES: i64 = 40;

fn update(id: u32, chat: i64, message: i32) -> Update {
    // Parsed from text, as teloxide parses Telegram's answers (its update kinds do not
    // deserialize from a `serde_json::Value`).
    serde_json::from_str(
        &serde_json::json!({
            "update_id": id,
            "message": {
                "message_id": message,
                "date": 1_780_000_000i64 + id as i64,
                "chat": {"id": chat, "type": "private", "first_name": "A"},
                "from": {"id": chat, "is_bot": false, "first_name": "A"},
                "text": "/balance"
            }
        })
        .to_string(),
    )
    .expect("an update")
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(Store::open(dir.path().join("db")).expect("open"));
    store.set_durable(false);
    let fx = Fixture::with_store(store.clone(), t0());
    let inbox = Inbox::new(store.clone());
    let families: Vec<_> = (0..FAMILIES)
        .map(|i| {
            let u = fx.family(1000 + i, &format!("F{i}"));
            fx.svc.grant(&fx.coord(), u, 1_000_000, "bench").expect("grant");
            (u, fx.child(u, "Kid", "2025-09-01"))
        })
        .collect();
    let started = Instant::now();
    let mut update_id = 0u32;
    let mut message = 0i32;
    let kept = |s: &Store| s.tree(T::Processed).len() + s.tree(T::Sent).len() + s.tree(T::Expiry).len();
    println!("{:>5} {:>12} {:>10} {:>12} {:>12}", "day", "idempotency", "bookings", "ledger", "disk (KiB)");
    let mut at_60 = 0;
    let mut last = 0;
    for day in 0..365 {
        let today = fx.svc.today(chrono_tz::Asia::Shanghai);
        let shift_day = today + Duration::days(3);
        let shift = fx.shift(&shift_day.to_string(), "09:00", "10:00", 100);
        // The day's newest reminder job: each family is sent it once.
        let job = fx.svc.pending_jobs().expect("jobs").into_iter().max_by_key(|j| j.id).expect("a job");
        for (i, (u, child)) in families.iter().enumerate() {
            for _ in 0..5 {
                update_id = update_id.wrapping_add(1);
                message += 1;
                let up = update(update_id, u.0, message);
                inbox.admit(std::slice::from_ref(&up), fx.svc.expiry(fx.svc.now())).expect("admit");
                inbox.done(&up, None, fx.svc.expiry(fx.svc.now())).expect("done");
            }
            let b =
                fx.svc.book(&Caller::with_request(*u, format!("m{}:{day}:{i}:b", u.0)), shift, *child).expect("book");
            fx.svc.job_sent(&job, *u, Some(1)).expect("sent");
            fx.svc
                .cancel_booking(&Caller::with_request(*u, format!("m{}:{day}:{i}:c", u.0)), b.value.booking.id)
                .expect("cancel");
        }
        fx.clock.advance(Duration::days(1));
        while fx.svc.prune_expired(1000).expect("prune") > 0 {}
        let idem = kept(&store);
        if day == 60 {
            at_60 = idem;
        }
        last = idem;
        if day % 30 == 0 || day == 364 {
            store.flush().expect("flush");
            println!(
                "{:>5} {:>12} {:>10} {:>12} {:>12}   ({})",
                day + 1,
                idem,
                store.tree(T::Bookings).len(),
                store.tree(T::Ledger).len(),
                store.db().size_on_disk().unwrap_or(0) / 1024,
                (t0() + Duration::days(day + 1)).with_timezone(&chrono_tz::Asia::Shanghai).date_naive().month()
            );
        }
    }
    println!(
        "retention: idempotency records at day 61 {at_60}, at day 365 {last} ({:.2}x); simulated a year in {:.1} s",
        last as f64 / at_60.max(1) as f64,
        started.elapsed().as_secs_f64()
    );
}
