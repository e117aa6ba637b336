//! Shared code of the load benches (`rush`, `memory`, `scale`): the real `huzhu` binary
//! and a bare teloxide echo bot, each in its own process against the Bot API stand-in;
//! a process's peak memory and CPU from /proc; reply times; a centre (or a city of them)
//! with years of history generated through the service; and the capacity check of a
//! store after the bot stopped.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use huzhu::domain::{Booking, BookingStatus, Centre, ChildId, Shift, ShiftId, Signup, UserId};
use huzhu::rota::Occupancy;
use huzhu::service::Caller;
use huzhu::store::{Store, T};
use huzhu::testing::{Fixture, ADMIN, COORD};
use teloxide::prelude::*;
use tg_standin::{StandIn, TestUser};

pub fn user(id: i64) -> TestUser {
    TestUser::new(id, &format!("Member {id}"), Some("en"))
}

/// True when the bench was started with `--quick` (a smoke run at small sizes).
pub fn quick() -> bool {
    std::env::args().any(|a| a == "--quick")
}

/// The real binary on `dir/huzhu.db` against `standin`, with extra environment.
/// `HUZHU_BENCH_BIN` runs another build of it (e.g. one with `--features dhat-heap`).
pub fn spawn_huzhu(standin: &StandIn, dir: &Path, env: &[(&str, String)]) -> Child {
    let log = std::fs::File::create(dir.join("bot.log")).expect("log");
    let bin = std::env::var("HUZHU_BENCH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_huzhu").to_string());
    let mut cmd = Command::new(bin);
    cmd.arg("run")
        .current_dir(dir)
        .env("TELOXIDE_TOKEN", standin.token())
        .env("TELOXIDE_API_URL", standin.api_url())
        .env("HUZHU_DB_PATH", dir.join("huzhu.db"))
        .env("HUZHU_SUPER_ADMINS", "1")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log));
    for var in ["HUZHU_SEND_RATE", "HUZHU_CACHE_MB", "TELOXIDE_PROXY", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"] {
        cmd.env_remove(var);
    }
    for var in ["http_proxy", "https_proxy", "all_proxy"] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("start huzhu")
}

/// SIGTERM, then wait (huzhu stops its loops and flushes the store).
pub fn stop(child: &mut Child) {
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Waits until the bot polls; returns how long that took from `since`.
pub async fn wait_polling(standin: &StandIn, since: Instant) -> Duration {
    let deadline = Instant::now() + Duration::from_secs(120);
    while standin.calls_to("getUpdates").is_empty() {
        assert!(Instant::now() < deadline, "the bot did not start polling");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let took = since.elapsed();
    tokio::time::sleep(Duration::from_millis(300)).await;
    took
}

/// A bare teloxide echo bot in its own process: this bench binary started again with
/// `ECHO_BOT_API` set (see `echo_bot_if_asked`).
pub fn spawn_echo(standin: &StandIn) -> Child {
    Command::new(std::env::current_exe().expect("the bench binary"))
        .env("ECHO_BOT_API", standin.api_url())
        .env("ECHO_BOT_TOKEN", standin.token())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the echo bot")
}

/// Runs the echo bot (no limiter) when this process was started as one; false otherwise.
pub async fn echo_bot_if_asked() -> bool {
    let (Ok(api), Ok(token)) = (std::env::var("ECHO_BOT_API"), std::env::var("ECHO_BOT_TOKEN")) else {
        return false;
    };
    let bot = Bot::new(token).set_api_url(api.parse().expect("url"));
    teloxide::repl(bot, |bot: Bot, msg: Message| async move {
        bot.send_message(msg.chat.id, msg.text().unwrap_or("echo")).await?;
        Ok(())
    })
    .await;
    true
}

/// Peak resident memory (VmHWM) of a running process, in MB.
pub fn peak_rss_mb(pid: u32) -> f64 {
    status_kb(pid, "VmHWM:") as f64 / 1024.0
}

/// Resident memory now (VmRSS), in MB.
pub fn rss_mb(pid: u32) -> f64 {
    status_kb(pid, "VmRSS:") as f64 / 1024.0
}

fn status_kb(pid: u32, field: &str) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// CPU seconds (user + system) a process has used (clock ticks of 1/100 s, Linux's).
pub fn cpu_secs(pid: u32) -> f64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = s.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime are fields 14 and 15 of the line; 12 and 13 after the name.
    (tick(11) + tick(12)) as f64 / 100.0
}

/// The marks automatic messages start with (reminders, digests, cover calls,
/// broadcasts): not replies to an update.
const AUTOMATIC: [&str; 4] = ["⏰", "📋", "🙋", "📢"];

/// Starts of replies (sendMessage or editMessageText) per chat since `since`, in order.
/// Automatic messages are left out: a booking made late in the evening for tomorrow
/// gets its evening-before reminder at once, which is not the booking's reply.
pub fn reply_starts(standin: &StandIn, since: Instant) -> HashMap<i64, Vec<Instant>> {
    let mut out: HashMap<i64, Vec<Instant>> = HashMap::new();
    for c in standin.calls() {
        if c.at < since || !(c.method == "sendmessage" || c.method == "editmessagetext") {
            continue;
        }
        let text = c.params["text"].as_str().unwrap_or("");
        if AUTOMATIC.iter().any(|mark| text.starts_with(mark)) {
            continue;
        }
        if let Some(chat) = c.params["chat_id"].as_i64() {
            out.entry(chat).or_default().push(c.at);
        }
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

pub struct Stats {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    pub n: usize,
    /// Updates that got no reply (set by the caller that knows what was sent).
    pub missing: usize,
}

pub fn stats(mut ms: Vec<f64>) -> Stats {
    ms.sort_by(|a, b| a.total_cmp(b));
    let q = |p: f64| if ms.is_empty() { f64::NAN } else { ms[((ms.len() - 1) as f64 * p).round() as usize] };
    Stats { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: q(1.0), n: ms.len(), missing: 0 }
}

/// Waits until every chat in `sent` has its first reply after its update (or
/// `timeout`); returns the update-to-reply times (ms) and the time of the last reply.
pub async fn collect_replies(
    standin: &StandIn,
    sent: &[(i64, Instant)],
    since: Instant,
    timeout: Duration,
) -> (Vec<f64>, Option<Instant>) {
    let deadline = Instant::now() + timeout;
    loop {
        let replies = reply_starts(standin, since);
        let mut ms = Vec::with_capacity(sent.len());
        let mut last: Option<Instant> = None;
        for (chat, at) in sent {
            if let Some(r) = replies.get(chat).and_then(|v| v.iter().find(|r| **r >= *at)) {
                ms.push(r.duration_since(*at).as_secs_f64() * 1e3);
                last = Some(last.map_or(*r, |l| l.max(*r)));
            }
        }
        if ms.len() == sent.len() || Instant::now() > deadline {
            return (ms, last);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// What to generate: `centres` centres of `families` families each, `weeks` weeks of
/// history (shifts booked, then settled) and one week of future shifts.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub centres: usize,
    pub families: usize,
    pub weeks: usize,
    /// Shift days a week (from Monday) and shifts a day (two hours each from 08:00).
    pub days: usize,
    pub per_day: usize,
    /// Bookings per past shift.
    pub per_shift: usize,
    pub capacity: u32,
    pub staff: u32,
}

pub struct GenCentre {
    pub coord: UserId,
    pub families: Vec<(UserId, ChildId)>,
    /// The week after `now`: open, unbooked.
    pub future: Vec<ShiftId>,
}

pub struct Generated {
    pub fx: Fixture,
    pub centres: Vec<GenCentre>,
    pub shifts: usize,
    pub bookings: usize,
    pub took: Duration,
}

pub fn family_user(centre: usize, i: usize) -> UserId {
    UserId(10_000_000 + centre as i64 * 100_000 + i as i64)
}

/// Generates `plan` through the service (no Telegram) on `store`, durability off, the
/// fixture's clock walking from `weeks` weeks before `now` to `now`.
pub fn generate(store: Arc<Store>, plan: Plan, now: DateTime<Utc>) -> Generated {
    let started = Instant::now();
    store.set_durable(false);
    let start = now - chrono::Duration::weeks(plan.weeks as i64);
    let fx = Fixture::with_store(store.clone(), start);
    let admin = Caller::new(ADMIN);
    let tz = chrono_tz::Asia::Shanghai;
    // 6.5 months old at the start: within the default ages [6, 36) months for two years.
    let born = (start.with_timezone(&tz).date_naive() - chrono::Duration::days(200)).to_string();
    let mut centres = Vec::new();
    for c in 0..plan.centres {
        let (centre, coord) = if c == 0 {
            (fx.centre.clone(), COORD)
        } else {
            let centre = fx.svc.create_centre(&admin, &format!("Centre {c}"), None).expect("centre").value;
            let coord = UserId(1_000_000 + c as i64);
            fx.svc.appoint_coordinator(&admin, coord, centre.id, "Coordinator").expect("coordinator");
            (centre, coord)
        };
        let mut families = Vec::with_capacity(plan.families);
        for i in 0..plan.families {
            let u = family_user(c, i);
            fx.svc.join(&Caller::new(u), &centre.invite_code, &format!("Family {c}-{i}")).expect("join");
            fx.svc.approve_member(&Caller::new(coord), u).expect("approve");
            fx.svc.grant(&Caller::new(coord), u, 1_000_000, "bench").expect("grant");
            let child = fx.child(u, "Kid", &born);
            families.push((u, child));
        }
        centres.push(GenCentre { coord, families, future: Vec::new() });
    }
    let mut shifts = 0;
    let mut bookings = 0;
    let mut next_family = vec![0usize; plan.centres];
    for w in 0..=plan.weeks {
        let at = start + chrono::Duration::weeks(w as i64);
        fx.clock.set(at);
        let today = at.with_timezone(&tz).date_naive();
        for (c, gc) in centres.iter_mut().enumerate() {
            let coord = Caller::new(gc.coord);
            for d in 0..7 {
                let date = today + chrono::Duration::days(1 + d);
                if date_weekday(date) >= plan.days {
                    continue;
                }
                for s in 0..plan.per_day {
                    let from = huzhu::testing::time(&format!("{:02}:00", 8 + 2 * s));
                    let to = huzhu::testing::time(&format!("{:02}:00", 10 + 2 * s));
                    let id = fx
                        .svc
                        .create_shift(&coord, date, from, to, Some(plan.capacity), Some(plan.staff))
                        .expect("shift")
                        .value
                        .id;
                    shifts += 1;
                    if w == plan.weeks {
                        gc.future.push(id);
                        continue;
                    }
                    for _ in 0..plan.per_shift.min(gc.families.len()) {
                        let (u, child) = gc.families[next_family[c] % gc.families.len()];
                        next_family[c] += 1;
                        fx.svc.book(&Caller::new(u), id, child).expect("book");
                        bookings += 1;
                    }
                }
            }
        }
    }
    fx.clock.set(now);
    fx.svc.settle_due().expect("settle");
    store.flush().expect("flush");
    Generated { fx, centres, shifts, bookings, took: started.elapsed() }
}

fn date_weekday(d: NaiveDate) -> usize {
    use chrono::Datelike;
    d.weekday().num_days_from_monday() as usize
}

/// Size of a directory tree on disk, in MB (its files' lengths).
pub fn dir_mb(path: &Path) -> f64 {
    dir_sum_mb(path, |m| m.len())
}

/// Blocks a directory tree's files take on disk, in MB (a sparse file's holes left out).
pub fn dir_allocated_mb(path: &Path) -> f64 {
    use std::os::unix::fs::MetadataExt;
    dir_sum_mb(path, |m| m.blocks() * 512)
}

fn dir_sum_mb(path: &Path, size: fn(&std::fs::Metadata) -> u64) -> f64 {
    fn walk(p: &Path, size: fn(&std::fs::Metadata) -> u64) -> u64 {
        let Ok(meta) = std::fs::metadata(p) else { return 0 };
        if meta.is_file() {
            return size(&meta);
        }
        std::fs::read_dir(p).map(|rd| rd.flatten().map(|e| walk(&e.path(), size)).sum()).unwrap_or(0)
    }
    walk(path, size) as f64 / (1024.0 * 1024.0)
}

/// Every shift in the store checked against its centre's rules (room, class caps,
/// mixed class, caregivers' load) with its confirmed children and caregivers on duty:
/// (shifts checked, shifts over capacity, confirmed, waitlisted).
pub fn capacity_audit(store: &Store) -> (usize, usize, usize, usize) {
    let centres: HashMap<_, Centre> =
        store.scan::<Centre>(T::Centres, &[]).expect("centres").into_iter().map(|(_, c)| (c.id, c)).collect();
    let mut confirmed: HashMap<ShiftId, Vec<Booking>> = HashMap::new();
    let (mut n_conf, mut n_wait) = (0, 0);
    for (_, b) in store.scan::<Booking>(T::Bookings, &[]).expect("bookings") {
        match b.status {
            BookingStatus::Confirmed => {
                n_conf += 1;
                confirmed.entry(b.shift).or_default().push(b);
            }
            BookingStatus::Waitlisted => n_wait += 1,
            _ => {}
        }
    }
    let mut on_duty: HashMap<_, u32> = HashMap::new();
    for (_, s) in store.scan::<Signup>(T::Signups, &[]).expect("signups") {
        if s.is_on_duty() {
            *on_duty.entry(s.shift).or_default() += 1;
        }
    }
    let mut checked = 0;
    let mut over = 0;
    for (_, shift) in store.scan::<Shift>(T::Shifts, &[]).expect("shifts") {
        checked += 1;
        let Some(centre) = centres.get(&shift.centre) else { continue };
        let occ = Occupancy::of(confirmed.get(&shift.id).into_iter().flatten().map(|b| b.group));
        let caregivers = shift.staff + on_duty.get(&shift.id).copied().unwrap_or(0);
        if huzhu::rota::check(&occ, caregivers, shift.capacity, &centre.policy).is_err() {
            over += 1;
        }
    }
    (checked, over, n_conf, n_wait)
}
