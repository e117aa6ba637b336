//! `huzhu sandbox`: the real bot against the in-process Bot API stand-in, with a demo
//! centre, driven from the terminal (or a script). Typed lines are sent as messages
//! from the current demo user; `!N` presses button N of that user's latest message
//! with buttons; `!as NAME` switches user; `!users` lists them; `!at YYYY-MM-DDTHH:MM`
//! moves the sandbox's clock forward to that time of the centre (to pass a round's
//! deadline, say); `!quit` ends.

use chrono::{Duration, Months, NaiveTime};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::Arc;

use crate::clock::Clock;
use crate::domain::UserId;
use crate::service::{Caller, Service, ServiceConfig};
use crate::store::Store;
use tg_standin::{BotMessage, StandIn, TestUser};

/// The system clock, moved forward by `!at`.
#[derive(Clone, Default)]
struct SandboxClock(Arc<std::sync::Mutex<Duration>>);

impl Clock for SandboxClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl SandboxClock {
    /// Moves the clock forward to `local` in `tz`; false if that is not ahead.
    fn jump(&self, tz: chrono_tz::Tz, local: chrono::NaiveDateTime) -> bool {
        let target = crate::domain::local_to_utc(tz, local);
        let now = self.now();
        if target <= now {
            return false;
        }
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) += target - now;
        true
    }
}

struct DemoUser {
    key: &'static str,
    user: TestUser,
    role: &'static str,
}

fn demo_users() -> Vec<DemoUser> {
    let u = |key, id, name, lang: Option<&str>, role| DemoUser { key, user: TestUser::new(id, name, lang), role };
    vec![
        u("mum", 1001, "妈妈李", Some("zh-hans"), "parent (child 小明, 18 months)"),
        u("dad", 1002, "爸爸李", Some("zh-hans"), "second parent of the same family"),
        u("anna", 1003, "Anna", Some("en"), "parent, English (child Leo, 9 months)"),
        u("coord", 2001, "协调员王", Some("zh-hans"), "coordinator"),
        u("new", 1004, "新家长赵", Some("zh-hans"), "not a member yet (try /join CODE)"),
        u("admin", 9000, "Admin", Some("en"), "deployment super-admin"),
    ]
}

/// Builds the demo centre through the service, as real people would have.
fn seed(svc: &Service) -> Result<String, crate::service::ServiceError> {
    let admin = Caller::new(UserId(9000));
    let centre = svc.create_centre(&admin, "坪山街道六和社区互助中心", None)?.value;
    svc.appoint_coordinator(&admin, UserId(2001), centre.id, "协调员王")?;
    let coord = Caller::new(UserId(2001));
    let today = svc.today(centre.tz());
    svc.join(&Caller::new(UserId(1001)), &centre.invite_code, "妈妈李")?;
    svc.approve_member(&coord, UserId(1001))?;
    let born = |months: u32| today.checked_sub_months(Months::new(months)).unwrap_or(today);
    svc.add_child(&Caller::new(UserId(1001)), "小明", born(18), Some("花生过敏"))?;
    let family_code = svc.my_family(UserId(1001))?.invite_code;
    svc.join(&Caller::new(UserId(1002)), &family_code, "爸爸李")?;
    // The family confirms its second guardian, then the coordinator approves.
    svc.confirm_guardian(&Caller::new(UserId(1001)), UserId(1002))?;
    svc.approve_member(&coord, UserId(1002))?;
    svc.join(&Caller::new(UserId(1003)), &centre.invite_code, "Anna")?;
    svc.approve_member(&coord, UserId(1003))?;
    svc.add_child(&Caller::new(UserId(1003)), "Leo", born(9), None)?;
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
    // Two weeks of shifts: the next one is bookable first-come, the one after may have
    // an allocation round (`/round open`).
    for d in 1..=14 {
        let date = today + Duration::days(d);
        svc.create_shift(&coord, date, t(9, 0), t(12, 0), Some(8), Some(1))?;
        svc.create_shift(&coord, date, t(14, 30), t(17, 30), Some(6), Some(1))?;
    }
    Ok(centre.invite_code)
}

/// Prints what the bot said since `seq`, numbering the buttons of the current user's
/// messages; returns the newest seq seen.
fn print_new(out: &mut impl Write, standin: &StandIn, users: &[DemoUser], me: i64, seq: u64) -> u64 {
    let mut last = seq;
    for m in standin.messages().into_iter().filter(|m| m.seq > seq) {
        last = last.max(m.seq);
        let who = users.iter().find(|u| u.user.id == m.chat_id).map(|u| u.key).unwrap_or("?");
        let edited = if m.edits > 0 { " (edited)" } else { "" };
        let file =
            m.file_name.as_deref().map(|n| format!(": {n}, {} bytes", m.file_bytes.as_ref().map_or(0, Vec::len)));
        let kind = match m.kind {
            tg_standin::MessageKind::Photo => format!(" [photo{}]", file.unwrap_or_default()),
            tg_standin::MessageKind::Document => format!(" [document{}]", file.unwrap_or_default()),
            _ => String::new(),
        };
        let _ = writeln!(out, "[bot → {who}]{kind}{edited}\n{}", indent(&m.text));
        if m.chat_id == me {
            let mut n = 0;
            for row in &m.buttons {
                let labels: Vec<String> = row
                    .iter()
                    .map(|b| {
                        n += 1;
                        format!("[{n}] {}", b.text)
                    })
                    .collect();
                let _ = writeln!(out, "    {}", labels.join("   "));
            }
        }
    }
    last
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}

/// The current user's latest message that has buttons, and its n-th button (1-based).
fn button(standin: &StandIn, chat: i64, n: usize) -> Option<(BotMessage, String)> {
    let msg = standin.messages_to(chat).into_iter().rev().find(|m| !m.buttons.is_empty())?;
    let data = msg.buttons.iter().flatten().nth(n.checked_sub(1)?)?.callback_data.clone()?;
    Some((msg, data))
}

/// Waits until the bot has been quiet for a moment (or a few seconds passed).
async fn settle(standin: &StandIn, seq: u64, answers: usize) {
    // The limiter sends at most one message a second to a chat, so wait out that gap.
    let quiet = std::time::Duration::from_millis(1300);
    let mut last = (standin.current_seq(), standin.callback_answers().len());
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(8);
    // First wait for any reaction at all.
    while (standin.current_seq(), standin.callback_answers().len()) == (seq, answers)
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    loop {
        tokio::time::sleep(quiet).await;
        let now = (standin.current_seq(), standin.callback_answers().len());
        if now == last || tokio::time::Instant::now() >= deadline {
            break;
        }
        last = now;
    }
}

pub async fn run(script: Option<PathBuf>) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let dir = std::env::temp_dir().join(format!("huzhu-sandbox-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Arc::new(Store::open(dir.join("huzhu.db"))?);
    let clock = SandboxClock::default();
    let svc = Arc::new(Service::new(
        store,
        Arc::new(clock.clone()),
        ServiceConfig { super_admins: vec![UserId(9000)], ..ServiceConfig::default() },
    ));
    let code = tokio::task::block_in_place(|| seed(&svc)).map_err(|e| format!("seeding the demo centre: {e}"))?;
    let standin = StandIn::start().await?;
    let users = demo_users();
    for u in &users {
        standin.register_user(&u.user);
    }
    let bot = teloxide::Bot::new(standin.token()).set_api_url(standin.api_url().parse()?);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let options = crate::bot::RunOptions { stop: Some(stopped), ..crate::bot::RunOptions::default() };
    let bot_task = tokio::spawn(crate::bot::run(bot, svc.clone(), options));

    // Lines arrive one by one (a person types while the bot runs).
    let (tx, mut lines) = tokio::sync::mpsc::unbounded_channel::<String>();
    match &script {
        Some(path) => {
            for l in std::fs::read_to_string(path)?.lines() {
                let _ = tx.send(l.to_string());
            }
            drop(tx);
        }
        None => {
            std::thread::spawn(move || {
                for l in std::io::stdin().lock().lines().map_while(Result::ok) {
                    if tx.send(l).is_err() {
                        break;
                    }
                }
            });
        }
    }
    let mut out = std::io::stdout();
    let _ = writeln!(out, "huzhu sandbox — demo centre invite code {code}. Users:");
    for u in &users {
        let _ = writeln!(out, "  {:6} {} ({})", u.key, u.user.first_name, u.role);
    }
    let _ = writeln!(
        out,
        "Type a message, !N to press button N, !as NAME to switch user, !at YYYY-MM-DDTHH:MM to move the clock forward, !quit to end.\n"
    );
    let mut current = 0usize;
    let mut seq = standin.current_seq();
    while let Some(line) = lines.recv().await {
        let line = line.trim().to_string();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let me = &users[current];
        let _ = writeln!(out, "[{}] {line}", me.key);
        let answers = standin.callback_answers().len();
        let before = standin.current_seq();
        if line == "!quit" || line == "!q" {
            break;
        } else if line == "!users" {
            for u in &users {
                let _ = writeln!(out, "  {:6} {}", u.key, u.role);
            }
            continue;
        } else if let Some(name) = line.strip_prefix("!as ") {
            match users.iter().position(|u| u.key == name.trim()) {
                Some(i) => current = i,
                None => {
                    let _ = writeln!(out, "  (no user `{}`; try !users)", name.trim());
                }
            }
            continue;
        } else if let Some(at) = line.strip_prefix("!at ") {
            let to = crate::bot::command::date_time(at.trim());
            match to.map(|t| clock.jump(svc.default_tz(), t)) {
                Some(true) => {
                    let _ = writeln!(out, "  (the clock is now {})", at.trim());
                    // The reminder loop sleeps until its next job: wake it to look again.
                    svc.signals().jobs.notify_one();
                }
                _ => {
                    let _ = writeln!(out, "  (!at takes a later time, e.g. !at 2026-12-04T20:01)");
                    continue;
                }
            }
        } else if let Some(n) = line.strip_prefix('!').and_then(|n| n.parse::<usize>().ok()) {
            match button(&standin, me.user.id, n) {
                Some((msg, data)) => {
                    standin.press_button(&me.user, msg.message_id, &data);
                }
                None => {
                    let _ = writeln!(out, "  (no button {n} here)");
                    continue;
                }
            }
        } else {
            standin.send_text(&me.user, &line);
        }
        settle(&standin, before, answers).await;
        for (_, text) in standin.callback_answers().into_iter().skip(answers) {
            if let Some(t) = text {
                let _ = writeln!(out, "[bot notice]\n{}", indent(&t));
            }
        }
        seq = print_new(&mut out, &standin, &users, me.user.id, seq);
        let _ = writeln!(out);
    }
    // Every loop of the bot stops before the runtime does (no task left on a timer).
    let _ = stop.send(true);
    bot_task.await??;
    let store = svc.store().clone();
    tokio::task::spawn_blocking(move || store.flush()).await??;
    standin.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
