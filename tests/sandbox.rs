//! `huzhu sandbox --script`: the README's "run" command plays a script of demo users'
//! lines through the real bot and the stand-in, and prints the transcript.

use std::process::Command;

#[test]
fn a_script_plays_through_the_demo_centre_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("demo.txt");
    // Dates a person types must lie within two years (issue 9): a Monday some weeks ahead.
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let mut monday = today + chrono::Duration::days(35);
    while chrono::Datelike::weekday(&monday) != chrono::Weekday::Mon {
        monday += chrono::Duration::days(1);
    }
    let moved = monday.format("%a %-d %b").to_string();
    std::fs::write(
        &script,
        format!(
            "# a parent, in Chinese\n/start\n/balance\n!as anna\n/book\n!1\n!1\n!1\n!as coord\n/pending\n/broadcast 明天上午停水，请自带饮用水\n!1\n/settings family 19:30\n/moveshift 1 {monday} 10:00-13:00\n!as new\n/newshift {monday} 09:00-12:00\n!quit\n"
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_huzhu"))
        .args(["sandbox", "--script"])
        .arg(&script)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run huzhu sandbox");
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "sandbox failed: {err}\n{text}");
    // A clean exit: every loop stopped before the runtime (no "context is being shutdown").
    assert!(!text.contains("panicked") && !err.contains("panicked"), "a panic on exit:\n{err}");
    // mum reads Chinese: greeting, menu buttons numbered, balance with the start grant.
    assert!(text.contains("您好，妈妈李"), "{text}");
    assert!(text.contains("[1] 📅 时段"), "{text}");
    assert!(text.contains("可用 6 小时"), "{text}");
    // anna books through the buttons in English: day -> shift -> confirm.
    assert!(text.contains("Pick a day:"), "{text}");
    assert!(text.contains("Cost 3 h; available 6 → 3 h."), "{text}");
    assert!(text.contains("✅ Booked #1: Leo"), "{text}");
    // the coordinator has nothing pending; a stranger cannot publish shifts.
    assert!(text.contains("没有待审批的申请"), "{text}");
    // the coordinator broadcasts: confirm with the count, members receive it, final count.
    assert!(text.contains("将这条消息发给"), "{text}");
    assert!(text.contains("📢 坪山街道六和社区互助中心："), "{text}");
    assert!(text.contains("群发完成"), "{text}");
    // and moves the families' reminder to 19:30.
    assert!(text.contains("已保存") && text.contains("家庭：前一天 19:30"), "{text}");
    // and moves anna's shift; she is told in English.
    assert!(text.contains("已调整时段 #1"), "{text}");
    assert!(text.contains("📅 Shift #1") && text.contains(&format!("has moved to {moved} 10:00-13:00")), "{text}");
    assert!(text.contains("您还不是成员"), "{text}");
}

/// The allocation round in the sandbox (issue 14): the coordinator opens a round for a
/// week, two demo families wish with the buttons, the coordinator previews, `!at` moves
/// the clock past the deadline, and each family (both of the Li family's guardians) is
/// told its result.
#[test]
fn a_round_plays_through_the_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("round.txt");
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let mut monday = today + chrono::Duration::days(2);
    while chrono::Datelike::weekday(&monday) != chrono::Weekday::Mon {
        monday += chrono::Duration::days(1);
    }
    let eve = monday - chrono::Duration::days(1);
    // The demo has two shifts a day from tomorrow on: Monday morning's id.
    let first = 2 * (monday - today).num_days() - 1;
    // mum: /wish (one child, so the shifts at once; 14 shifts in the week, two a row),
    // Monday morning, then Monday afternoon, done (button 14 after two picks), at most 1,
    // send. anna: Monday morning, done (15 after one pick), at most 1, send.
    std::fs::write(
        &script,
        format!(
            "!as coord\n/round open {monday} {eve}T20:00\n!as mum\n/book {first} 1\n/wish\n!1\n!1\n!14\n!1\n!1\n!as anna\n/wish\n!1\n!15\n!1\n!1\n!as coord\n/round preview\n!at {eve}T20:01\n!quit\n"
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_huzhu"))
        .args(["sandbox", "--script"])
        .arg(&script)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run huzhu sandbox");
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "sandbox failed: {err}\n{text}");
    assert!(text.contains("第 1 轮分配已开启"), "{text}");
    assert!(text.contains(&format!("{eve} 20:00")), "{text}");
    // First-come booking of that week waits for the round.
    assert!(text.contains("这一周正在进行分配"), "{text}");
    assert!(text.contains("为 小明 提交意愿"), "{text}");
    assert!(text.contains("已保存 小明 的意愿：2 个时段，最多 1 个"), "{text}");
    assert!(text.contains("Wish saved for Leo: 1 shifts, at most 1"), "{text}");
    assert!(text.contains("2 个孩子共 2 个时段。尚未预约"), "{text}");
    assert!(text.contains(&format!("(the clock is now {eve}T20:01)")), "{text}");
    // Both guardians of the Li family, and Anna, hear the result.
    let zh = text.matches("[bot → mum]").count() > 0 && text.contains("[bot → dad]");
    assert!(zh, "{text}");
    assert_eq!(text.matches("分配中的结果").count(), 2, "{text}");
    assert!(text.contains("小明：已预约 #"), "{text}");
    assert!(text.contains("Your result in the round for the week of") && text.contains("Leo: booked #"), "{text}");
    // The coordinator hears what the deadline did, once.
    assert_eq!(text.matches("起一周的分配已完成并预约：共 2 个时段").count(), 1, "{text}");
}
