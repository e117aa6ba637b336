//! Issue 13 end to end: the real `huzhu` binary against the Bot API stand-in. A
//! coordinator's actions appear in /audit (and only to those allowed); `huzhu backup`
//! runs while the bot runs (through its control socket) and `huzhu restore` rebuilds the
//! database record for record; `huzhu import` adds families whose guardians then join by
//! sharing their own phone number, twenty at once; ten coordinator actions at once are
//! each audited exactly once.

mod common;

use common::*;
use huzhu::store::backup::read_backup;
use huzhu::store::{Store, T};
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use tg_standin::TestUser;

/// The binary with the bot's database, as an operator on the same machine runs it.
fn huzhu(h: &Harness, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_huzhu"));
    cmd.args(args)
        .current_dir(h.db_dir.path())
        .env("HUZHU_DB_PATH", Harness::db_path(h.db_dir.path()))
        .env("HUZHU_DEFAULT_TZ", "Asia/Shanghai");
    for var in ["TELOXIDE_TOKEN", "HUZHU_CLOCK_START", "HUZHU_TEST_HANG_STORE", "RUST_LOG"] {
        cmd.env_remove(var);
    }
    cmd.output().expect("run huzhu")
}

fn out(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Waits (up to `secs`) until `n` messages to `user` after `after` contain `needle`.
async fn wait_count(h: &Harness, user: &TestUser, after: u64, needle: &str, n: usize, secs: u64) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let got = h.standin.messages_to(user.id).iter().filter(|m| m.seq > after && m.text.contains(needle)).count();
        if got >= n {
            return;
        }
        if Instant::now() > deadline {
            h.fail(user, &format!("got {got} of {n} messages containing {needle:?}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coordinator_actions_appear_in_audit_for_those_allowed() {
    let h = Harness::start().await;
    let coord = en(3101, "Wang");
    let parent = en(3102, "Li");
    let other = en(3103, "Zhao");
    let (_, code) = h.bootstrap(&coord, "Sunny").await;
    h.join_approved(&coord, &parent, &code).await;
    let r = h.say(&coord, &format!("/grant {} 90 helped with cleaning", parent.id)).await;
    assert_has(&r, "Adjusted user");
    let r = h.say(&coord, "/settings cover 4").await;
    assert!(!r.text.contains("Usage"), "{}", r.text);
    h.new_shift(&coord, day(2), "09:00-12:00", Some(6)).await;

    let r = h.say(&coord, "/audit").await;
    assert_has(&r, "actions at Sunny (newest first)");
    let lines: Vec<&str> = r.text.lines().skip(1).collect();
    assert!(lines[0].contains(" · 3101 · created shift #"), "{lines:?}");
    assert!(lines[1].contains("changed a setting: /settings cover 4"), "{lines:?}");
    assert!(lines[2].contains("granted 90 minutes to Li (3102): helped with cleaning"), "{lines:?}");
    assert!(lines[3].contains("approved Li (3102)"), "{lines:?}");
    assert!(lines[4].contains(" · 9000 · appointed 3101 coordinator"), "{lines:?}");
    // The time is the centre's (Asia/Shanghai) wall clock: "YYYY-MM-DD HH:MM · ".
    let now = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d").to_string();
    assert!(lines[0].starts_with(&now), "{lines:?}");
    let r = h.say(&coord, "/audit 2").await;
    assert_eq!(r.text.lines().count(), 3, "{}", r.text);
    let r = h.say(&coord, "/audit 0").await;
    assert_has(&r, "Usage: /audit");

    // A parent is refused; another centre's coordinator sees only their own centre.
    let r = h.say(&parent, "/audit").await;
    assert_has(&r, "Only coordinators can do that");
    let (other_centre, _) = h.bootstrap(&other, "Rainbow").await;
    let r = h.say(&other, "/audit").await;
    assert_has(&r, "at Rainbow");
    assert!(!r.text.contains("granted"), "{}", r.text);
    let r = h.say(&other, &format!("/audit 20 {}", other_centre - 1)).await;
    assert_has(&r, "Only coordinators can do that");
    // The super-admin names a centre.
    let admin = h.admin.clone();
    let r = h.say(&admin, &format!("/audit 5 {}", other_centre - 1)).await;
    assert_has(&r, "at Sunny");
    // /help shows coordinators the command.
    let r = h.say(&coord, "/help").await;
    assert_has(&r, "/audit [N]");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_while_the_bot_runs_then_restore_gives_the_same_records() {
    let mut h = Harness::start().await;
    let coord = en(3201, "Wang");
    let parent = en(3202, "Li");
    let (_, code) = h.bootstrap(&coord, "Sunny").await;
    h.join_approved(&coord, &parent, &code).await;
    h.add_child(&parent, "Mei", born_months_ago(14)).await;
    let shift = h.new_shift(&coord, day(2), "09:00-12:00", Some(6)).await;
    let r = h.say(&parent, &format!("/book {shift} 1")).await;
    assert!(!r.text.contains("Usage"), "{}", r.text);

    // The bot holds the database; the backup goes through it.
    let file = h.db_dir.path().join("backup.jsonl");
    let o = huzhu(&h, &["backup", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}\nbot log:\n{}", out(&o), h.log_tail());
    assert!(out(&o).contains("backup written to"), "{}", out(&o));
    assert!(h.log_tail().contains("control request: backup"), "{}", h.log_tail());
    // The bot still answers afterwards.
    let r = h.say(&parent, "/balance").await;
    assert!(r.text.starts_with("Time credits:"), "{}", r.text);

    // Restore into a new path; a used path is refused.
    let restored = h.db_dir.path().join("restored.db");
    let o = huzhu(&h, &["restore", file.to_str().unwrap(), "--db", restored.to_str().unwrap()]);
    assert!(o.status.success(), "{}", out(&o));
    let o = huzhu(&h, &["restore", file.to_str().unwrap(), "--db", restored.to_str().unwrap()]);
    assert!(!o.status.success() && out(&o).contains("is not empty"), "{}", out(&o));

    // Every record of the file is in the restored database, and nothing else.
    let (_, records) = read_backup(std::io::BufReader::new(std::fs::File::open(&file).unwrap())).unwrap();
    let store = Store::open_waiting(&restored, Duration::from_secs(5)).unwrap();
    let restored_records: Vec<Vec<(Vec<u8>, Vec<u8>)>> = store.snapshot();
    for (t, list) in &records {
        assert_eq!(&restored_records[*t as usize], list, "tree {t:?}");
    }
    // The records that make the centre are the live ones (the bot keeps writing done
    // marks, so the inbox and replay trees move on; these do not).
    h.stop().await;
    let live = Store::open_waiting(&Harness::db_path(h.db_dir.path()), Duration::from_secs(5)).unwrap();
    for t in
        [T::Centres, T::Members, T::Families, T::Children, T::Shifts, T::Bookings, T::Ledger, T::Accounts, T::Audit]
    {
        assert_eq!(live.snapshot()[t as usize], restored_records[t as usize], "tree {t:?}");
    }
    drop(store);
    // Without a bot running, backup opens the database itself.
    drop(live);
    let file2 = h.db_dir.path().join("backup2.jsonl");
    let o = huzhu(&h, &["backup", file2.to_str().unwrap()]);
    assert!(o.status.success(), "{}", out(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imported_guardians_join_by_sharing_their_number_twenty_at_once() {
    let h = Harness::start().await;
    let coord = en(3301, "Wang");
    let (centre, _) = h.bootstrap(&coord, "Sunny").await;

    // A file with a bad row: nothing imported, the row named.
    let bad = h.db_dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "family,guardian,phone,child,birth_date\nLi,Li Lei,13800000000,Mei,2025-01-02\nWu,Wu Di,13800000001,Bao,2026-02-30\n",
    )
    .unwrap();
    let o = huzhu(&h, &["import", "--centre", &centre.to_string(), bad.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(out(&o).contains("line 3: birth_date 2026-02-30 is not a date"), "{}", out(&o));
    assert!(out(&o).contains("nothing imported"), "{}", out(&o));

    // Twenty families, one guardian and one child each.
    let mut csv = String::from("family,guardian,phone,child,birth_date\n");
    for i in 0..20 {
        csv.push_str(&format!("家庭{i},家长{i},+86 138 0000 {:04},宝宝{i},2025-01-02\n", i));
    }
    let good = h.db_dir.path().join("families.csv");
    std::fs::write(&good, &csv).unwrap();
    let o = huzhu(&h, &["import", "--centre", &centre.to_string(), good.to_str().unwrap()]);
    assert!(o.status.success(), "{}\n{}", out(&o), h.log_tail());
    assert!(out(&o).contains("imported 20 families, 20 children, 20 guardians"), "{}", out(&o));
    let o = huzhu(&h, &["import", "--centre", &centre.to_string(), good.to_str().unwrap()]);
    assert!(out(&o).contains("imported 0 families, 0 children, 0 guardians"), "{}", out(&o));

    let guardians: Vec<TestUser> = (0..20).map(|i| en(4000 + i, &format!("G{i}"))).collect();
    h.register(&guardians.iter().collect::<Vec<_>>());
    // A stranger's welcome asks for the phone number with a contact button.
    let r = h.say(&guardians[0], "/start").await;
    let kb = r.reply_keyboard.clone().expect("a reply keyboard");
    assert_eq!(kb["keyboard"][0][0]["request_contact"], true, "{kb}");

    // Someone forwards another person's contact: refused, nothing claimed.
    let impostor = en(4999, "Eve");
    h.register(&[&impostor]);
    let before = h.seq();
    h.standin.send_contact(&impostor, "+8613800000003", "G3", Some(4003));
    let r = h.next_to(&impostor, before, "an answer to a contact").await;
    assert_has(&r, "your own phone number");
    let before = h.seq();
    h.standin.send_contact(&impostor, "+8613800000003", "G3", None);
    let r = h.next_to(&impostor, before, "an answer to a contact").await;
    assert_has(&r, "your own phone number");

    // Twenty guardians share their own numbers at once.
    let before = h.seq();
    for (i, g) in guardians.iter().enumerate() {
        // As Telegram writes it: the country code, no plus, no spaces.
        h.standin.send_contact(g, &format!("861380000{:04}", i), &g.first_name, Some(g.id));
    }
    for g in &guardians {
        let r = h.expect(g, before, "You are now a guardian").await;
        assert_has(&r, "Welcome to Sunny");
        assert!(r.reply_keyboard.as_ref().is_some_and(|k| k["remove_keyboard"] == true), "{:?}", r.reply_keyboard);
    }
    // They are members at once: the menu, their child.
    let r = h.say(&guardians[7], "/child").await;
    assert_has(&r, "宝宝7");
    // A second claim of a number is refused, and so is the impostor's own try.
    let before = h.seq();
    h.standin.send_contact(&impostor, "+86 138 0000 0003", "Eve", Some(impostor.id));
    let r = h.next_to(&impostor, before, "an answer to a contact").await;
    assert_has(&r, "already used to join");

    // Ten coordinator actions at once: each audited exactly once.
    let before = h.seq();
    for g in guardians.iter().take(10) {
        h.standin.send_text(&coord, &format!("/grant {} 30 welcome", g.id));
    }
    wait_count(&h, &coord, before, "Adjusted user", 10, 40).await;
    let r = h.say(&coord, "/audit 30").await;
    for g in guardians.iter().take(10) {
        let n = r
            .text
            .lines()
            .filter(|l| l.contains(&format!("granted 30 minutes to 家长{} ({})", g.id - 4000, g.id)))
            .count();
        assert_eq!(n, 1, "{}\n{}", g.id, r.text);
    }
    assert_eq!(r.text.lines().filter(|l| l.contains("imported 20 families")).count(), 1, "{}", r.text);
}
