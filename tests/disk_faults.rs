//! Disk trouble, through the real binary: a database path that cannot be written at
//! start, and a disk that fills up mid-run (the test-only fault
//! `HUZHU_TEST_STORE_FAIL_AFTER`: from the Nth transaction on, the flush that would
//! make it durable fails with ENOSPC, as sled's does on a full disk). Each time: one
//! clear error line, a non-zero exit, nothing acknowledged lost, no half-written record
//! (every family's money matches its bookings and the ledger sums to zero), and after
//! the fault is removed a restart answers everything that was waiting.

mod common;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use huzhu::domain::{ChildId, ShiftId, UserId};
use huzhu::store::Store;
use huzhu::testing::{Fixture, COORD};
use tg_standin::TestUser;

fn member(id: i64) -> TestUser {
    TestUser::new(id, &format!("Member {id}"), Some("en"))
}

/// `families` approved families with a toddler each and one shift tomorrow.
fn seed(dir: &std::path::Path, families: i64) -> (Vec<TestUser>, Vec<ChildId>, ShiftId) {
    let store = Arc::new(Store::open(Harness::db_path(dir)).expect("open the database"));
    let fx = Fixture::with_store(store.clone(), chrono::Utc::now());
    fx.svc.set_language(COORD, "en").expect("language");
    let born = born_months_ago(20).to_string();
    let mut users = Vec::new();
    let mut children = Vec::new();
    for i in 0..families {
        let id = 10_000 + i;
        let u = fx.family(id, &format!("Member {id}"));
        fx.svc.set_language(u, "en").expect("language");
        children.push(fx.child(u, &format!("Kid {id}"), &born));
        users.push(member(id));
    }
    let shift = fx.shift(&day(1).to_string(), "09:00", "12:00", 40);
    store.flush().expect("flush the seeded database");
    (users, children, shift)
}

/// Every family holds exactly `want[i]` live bookings, its money is its start grant
/// (held plus available), and the ledger sums to zero: no record half-written.
fn check_books(db: &std::path::Path, users: &[TestUser], want: impl Fn(usize) -> usize) {
    let store = Arc::new(Store::open(db).expect("reopen the database"));
    assert_eq!(store.tree(huzhu::store::T::Inbox).len(), 0, "every update was handled");
    let svc = huzhu::service::Service::new(
        store.clone(),
        Arc::new(huzhu::clock::SystemClock),
        huzhu::service::ServiceConfig::default(),
    );
    for (i, u) in users.iter().enumerate() {
        let bookings = svc.my_bookings(UserId(u.id), today()).expect("bookings");
        let live: Vec<_> = bookings.iter().map(|(b, _)| b).filter(|b| b.is_live()).collect();
        assert_eq!(live.len(), want(i), "live bookings of {}", u.id);
        let balance = svc.balance(UserId(u.id), 0).expect("balance");
        assert_eq!(balance.held, live.iter().map(|b| b.held).sum::<i64>(), "holds of {}", u.id);
        assert_eq!(balance.available + balance.held, 360, "the money of {}", u.id);
    }
    assert_eq!(svc.ledger_sum().expect("ledger sum"), 0, "the ledger sums to zero");
}

/// Waits for the bot to exit (at most `limit`).
async fn exit_of(h: &mut Harness, limit: Duration) -> std::process::ExitStatus {
    let mut child = h.child.take().expect("the bot runs");
    let deadline = Instant::now() + limit;
    loop {
        if let Some(s) = child.try_wait().expect("wait") {
            return s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("huzhu did not stop within {limit:?} of the disk fault; log:\n{}", h.log_tail());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A booking's answer: booked, or on the waitlist (one staff takes few toddlers).
fn is_booking_answer(t: &str) -> bool {
    t.contains("Booked #") || t.contains("on the waitlist")
}

/// Waits for `user`'s booking answer (at most `WAIT`).
async fn booking_answered(h: &Harness, user: &TestUser) {
    if h.standin.wait_for_message(user.id, 0, |m| is_booking_answer(&m.text), WAIT).await.is_none() {
        h.fail(user, "got no answer to the booking");
    }
}

fn log_of(h: &Harness) -> String {
    std::fs::read_to_string(h.log_path()).unwrap_or_default()
}

/// The disk fills up while parents book: huzhu stops with exit 74 and one error line
/// naming the failure; every booking it confirmed is on disk, the one in flight was not
/// confirmed, and after the restart every parent is answered and holds one booking.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_disk_filling_up_mid_run_stops_huzhu_and_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (users, children, shift) = seed(dir.path(), 8);
    let db = Harness::db_path(dir.path());
    // A few transactions at start, then three per booking (inbox, booking, done mark).
    let mut h = Harness::start_with(dir, vec![("HUZHU_TEST_STORE_FAIL_AFTER".into(), "12".into())]).await;
    h.register(&users.iter().collect::<Vec<_>>());
    let mut confirmed = Vec::new();
    for (u, c) in users.iter().zip(&children) {
        let before = h.seq();
        h.standin.send_text(u, &format!("/book {} {}", shift.0, c.0));
        let alive = h.child.as_mut().is_some_and(|c| c.try_wait().ok().flatten().is_none());
        if !alive {
            continue;
        }
        let reply = h.standin.wait_for_message(u.id, before, |m| !is_automatic(m), Duration::from_secs(5)).await;
        match reply {
            Some(m) => {
                assert!(is_booking_answer(&m.text), "{:?}", m.text);
                confirmed.push(u.id);
            }
            None => assert!(
                h.child.as_mut().is_some_and(|c| c.try_wait().ok().flatten().is_some()),
                "no answer, yet huzhu runs; log:\n{}",
                h.log_tail()
            ),
        }
    }
    let exit = exit_of(&mut h, Duration::from_secs(15)).await;
    assert_eq!(exit.code(), Some(74), "a full disk stops huzhu with exit 74 (EX_IOERR); log:\n{}", h.log_tail());
    let log = log_of(&h);
    assert!(
        log.contains("the database cannot be written") && log.contains("No space left on device"),
        "one clear line names the failure:\n{log}"
    );
    assert!(!log.contains("panicked"), "no panic:\n{log}");
    assert!(!confirmed.is_empty() && confirmed.len() < users.len(), "the disk filled up mid-run: {confirmed:?}");
    eprintln!("disk full after {} of {} bookings were confirmed", confirmed.len(), users.len());
    // The fault removed (space freed), the supervisor starts huzhu again.
    h.env.clear();
    h.spawn().await;
    for u in &users {
        booking_answered(&h, u).await;
    }
    h.stop().await;
    check_books(&db, &users, |_| 1);
}

/// A disk that is full from the start: the first write fails, huzhu says so and exits
/// 74 without answering; once space is free, it answers and the data is intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_at_start_stops_huzhu_before_it_answers() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (users, children, shift) = seed(dir.path(), 2);
    let db = Harness::db_path(dir.path());
    let mut h = Harness::prepare(dir, vec![("HUZHU_TEST_STORE_FAIL_AFTER".into(), "1".into())]).await;
    h.register(&users.iter().collect::<Vec<_>>());
    for (u, c) in users.iter().zip(&children) {
        h.standin.send_text(u, &format!("/book {} {}", shift.0, c.0));
    }
    // The bot may die right after its first poll, or before it (a write at start).
    h.spawn_may_exit().await;
    let exit = exit_of(&mut h, Duration::from_secs(15)).await;
    assert_eq!(exit.code(), Some(74), "log:\n{}", h.log_tail());
    assert!(log_of(&h).contains("No space left on device"), "{}", log_of(&h));
    for u in &users {
        let said: Vec<_> = h.standin.messages_to(u.id).into_iter().filter(|m| is_booking_answer(&m.text)).collect();
        assert!(said.is_empty(), "nothing is confirmed on a full disk: {said:?}");
    }
    h.env.clear();
    h.spawn().await;
    for u in &users {
        booking_answered(&h, u).await;
    }
    h.stop().await;
    check_books(&db, &users, |_| 1);
}

/// Runs `huzhu` on `db` with a token and an API address that is never reached.
fn run_huzhu_on(db: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_huzhu"))
        .env("TELOXIDE_TOKEN", "1:never-used")
        .env("TELOXIDE_API_URL", "http://127.0.0.1:9/")
        .env("HUZHU_DB_PATH", db)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .output()
        .expect("run huzhu")
}

/// A database path that cannot be written at start: one line naming the path and the
/// reason, a non-zero exit, nothing created. CI runs as root, where a mode of 0555 does
/// not stop writes, so the path's parent is a regular file there (nothing can be made
/// under it, whoever runs); as another user, a read-only directory is tried as well.
#[test]
fn a_database_path_that_cannot_be_written_stops_huzhu_at_start() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("not-a-directory");
    std::fs::write(&file, b"x").expect("write a file");
    let mut paths = vec![file.join("huzhu.db")];
    // SAFETY-free check of who runs the test: root ignores directory modes.
    let uid = Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let root = uid.as_deref().map(|u| u == "0").unwrap_or(true);
    if !root {
        use std::os::unix::fs::PermissionsExt;
        let ro = dir.path().join("read-only");
        std::fs::create_dir(&ro).expect("a directory");
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).expect("chmod");
        paths.push(ro.join("huzhu.db"));
    }
    for db in &paths {
        let out = run_huzhu_on(db);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "huzhu started on {}: {err}", db.display());
        assert!(
            err.contains(&format!("cannot open the database at {}", db.display())),
            "the line names the path and the reason: {err}"
        );
        assert!(!db.exists(), "nothing was created at {}", db.display());
    }
    eprintln!(
        "refused {} unwritable database paths (running as {})",
        paths.len(),
        if root { "root" } else { "a user" }
    );
}

/// A database another process holds (a second huzhu on the same path): huzhu waits a
/// few seconds for the lock, then stops with one line naming the path, and does not
/// touch the holder's data. A holder that lets go within the wait (a restart right
/// after the previous process stopped) is waited for, and huzhu then starts.
#[test]
fn a_database_another_process_holds_stops_huzhu_after_a_short_wait() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = Harness::db_path(dir.path());
    let holder = Store::open(&db).expect("hold the database");
    let started = Instant::now();
    let out = run_huzhu_on(&db);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a second huzhu started on a held database: {err}");
    assert!(err.contains(&format!("cannot open the database at {}", db.display())), "{err}");
    assert!(started.elapsed() >= Duration::from_secs(4), "it waited for the lock first: {err}");
    drop(holder);

    // Held for a moment only: the bot waits and starts (it then fails to reach the
    // never-reached API and keeps retrying, so it is stopped once it logs the opening).
    let holder = Store::open_waiting(&db, Duration::from_secs(10)).expect("hold the database again");
    let log = dir.path().join("second.log");
    let mut bot = Command::new(env!("CARGO_BIN_EXE_huzhu"))
        .env("TELOXIDE_TOKEN", "1:never-used")
        .env("TELOXIDE_API_URL", "http://127.0.0.1:9/")
        .env("HUZHU_DB_PATH", &db)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(std::fs::File::create(&log).expect("log")))
        .spawn()
        .expect("run huzhu");
    std::thread::sleep(Duration::from_millis(1500));
    drop(holder);
    let deadline = Instant::now() + Duration::from_secs(20);
    let opened = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("opened ") {
            break true;
        }
        if Instant::now() > deadline || bot.try_wait().expect("wait").is_some() {
            break false;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = bot.kill();
    let _ = bot.wait();
    assert!(
        opened,
        "huzhu opened the database once it was let go: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
}
