//! Reminders, digests and the search for cover, driven through the real service with a
//! settable clock: the test plays the reminder loop's part (due jobs -> prepare -> "send"
//! -> record -> finish) and checks what went out, to whom, and at which local time.

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, Timelike, Utc};
use chrono_tz::Tz;
use huzhu::domain::*;
use huzhu::service::*;
use huzhu::testing::{date, time, Fixture, COORD};

const TZ: Tz = chrono_tz::Asia::Shanghai;
const INFANT: &str = "2026-03-01";
const TODDLER: &str = "2025-06-01";

/// One message the loop would have sent.
#[derive(Debug, Clone)]
struct Out {
    at: DateTime<Utc>,
    to: UserId,
    what: Reminder,
}

impl Out {
    fn local(&self) -> NaiveDateTime {
        self.at.with_timezone(&TZ).naive_local()
    }
}

fn local(s: &str) -> DateTime<Utc> {
    let t = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("local time");
    local_to_utc(TZ, t)
}

fn as_(u: UserId) -> Caller {
    Caller::new(u)
}

/// Runs one due job the way the bot's loop does, logging what would be sent.
fn run_job(fx: &Fixture, job: &Job, log: &mut Vec<Out>) {
    match fx.svc.prepare_job(job).expect("prepare") {
        JobStep::Drop => fx.svc.finish_job(job).expect("finish"),
        JobStep::CoverRound => {
            fx.svc.run_cover_round(job).expect("cover round");
        }
        JobStep::CommitRound => {
            fx.svc.commit_due_round(job).expect("commit round");
        }
        JobStep::Send { to, reminder } => {
            for u in to {
                log.push(Out { at: fx.svc.now(), to: u, what: reminder.clone() });
                fx.svc.job_sent(job, u, Some(log.len() as i32)).expect("record");
            }
            fx.svc.finish_job(job).expect("finish");
        }
    }
}

/// Moves the clock from job to job (never backwards) until `end`, running each when due.
fn run_until(fx: &Fixture, end: DateTime<Utc>, log: &mut Vec<Out>) {
    while let Some(next) = fx.svc.next_job_due().expect("next") {
        if next > end {
            break;
        }
        if next > fx.svc.now() {
            fx.clock.set(next);
        }
        for job in fx.svc.due_jobs(100).expect("due") {
            run_job(fx, &job, log);
        }
    }
    if end > fx.svc.now() {
        fx.clock.set(end);
    }
}

/// Parent P (10) has booked Mei onto a shift on 2026-12-03 where V (20) volunteers.
fn booked_and_volunteered(fx: &Fixture, start: &str, end: &str) -> (UserId, UserId, ChildId, ShiftId) {
    let (p, v) = (fx.family(10, "P"), fx.family(20, "V"));
    let kid = fx.child(p, "Mei", TODDLER);
    let s = fx.shift("2026-12-03", start, end, 5);
    fx.svc.book(&as_(p), s, kid).expect("book");
    fx.svc.volunteer(&as_(v), s).expect("volunteer");
    (p, v, kid, s)
}

fn kind(r: &Reminder) -> String {
    match r {
        Reminder::Volunteer { shift, hours, .. } => format!("volunteer #{} {hours}h", shift.id),
        Reminder::Family { shift, child, .. } => format!("family #{} {child}", shift.id),
        Reminder::Digest { date, shifts, .. } => format!("digest {date} {}", shifts.len()),
        Reminder::CoverAsk { shift, .. } => format!("cover #{}", shift.id),
        Reminder::Round { week, .. } => format!("round {week}"),
        Reminder::RoundSummary { summary } => format!("round summary {}", summary.week),
    }
}

fn set(log: &[Out]) -> BTreeSet<(i64, String, String)> {
    log.iter().map(|o| (o.to.0, o.local().format("%Y-%m-%d %H:%M").to_string(), kind(&o.what))).collect()
}

#[test]
fn a_month_of_reminders_at_the_right_local_times() {
    let fx = Fixture::new();
    let parent = fx.family(10, "Parent A");
    let late_parent = fx.family(11, "Parent B");
    let vol = fx.family(20, "Volunteer One");
    let early_vol = fx.family(21, "Volunteer Two");
    let kid = fx.child(parent, "Mei", TODDLER);
    let late_kid = fx.child(late_parent, "Bo", TODDLER);
    fx.svc.grant(&fx.coord(), parent, 100 * 60, "a month of care").expect("grant");
    let mut expected = BTreeSet::new();
    let mut want = |user: UserId, at: String, what: String| {
        expected.insert((user.0, at, what));
    };
    let mut afternoon = std::collections::BTreeMap::new();
    // Every day of December from the 2nd: a 14:00 shift the parent books and the
    // volunteer serves; Mondays also an 08:00 shift, whose 2 h reminder (06:00) falls
    // in quiet hours and moves to 21:59 the evening before.
    for day in 2..=31 {
        let d = date(&format!("2026-12-{day:02}"));
        let s = fx.shift(&d.to_string(), "14:00", "17:00", 10);
        fx.svc.book(&as_(parent), s, kid).expect("book");
        fx.svc.volunteer(&as_(vol), s).expect("volunteer");
        afternoon.insert(day, s);
        let prev = d - Duration::days(1);
        if d.weekday() == chrono::Weekday::Mon {
            let e = fx.shift(&d.to_string(), "08:00", "10:00", 10);
            fx.svc.volunteer(&as_(early_vol), e).expect("volunteer early");
            want(early_vol, format!("{prev} 08:00"), format!("volunteer #{e} 24h"));
            want(early_vol, format!("{prev} 21:59"), format!("volunteer #{e} 2h"));
        }
    }
    // On the 10th some records change; their reminders must follow.
    let mut log = vec![];
    run_until(&fx, local("2026-12-10 10:00"), &mut log);
    let my = fx.svc.my_bookings(parent, date("2026-12-20")).expect("bookings");
    let b20 = my.iter().find(|(_, s)| s.date == date("2026-12-20")).expect("booking on the 20th").0.id;
    fx.svc.cancel_booking(&as_(parent), b20).expect("cancel booking");
    let sg = fx.svc.my_signups(vol, date("2026-12-21")).expect("signups");
    let s21 = sg.iter().find(|(_, s)| s.date == date("2026-12-21")).expect("signup on the 21st").0.id;
    fx.svc.drop_signup(&as_(vol), s21).expect("drop");
    fx.svc.cancel_shift(&fx.coord(), afternoon[&22], "typhoon").expect("cancel shift");
    fx.svc.move_shift(&fx.coord(), afternoon[&23], date("2026-12-24"), time("09:00"), time("11:00")).expect("move");

    for day in 2..=31u32 {
        let d = date(&format!("2026-12-{day:02}"));
        let prev = d - Duration::days(1);
        let s = afternoon[&day];
        match day {
            20 => {
                want(vol, format!("{prev} 14:00"), format!("volunteer #{s} 24h"));
                want(vol, format!("{d} 12:00"), format!("volunteer #{s} 2h"));
            }
            21 => want(parent, format!("{prev} 20:00"), format!("family #{s} Mei")),
            22 => {}
            23 => {
                // Moved to the 24th, 09:00-11:00.
                want(vol, "2026-12-23 09:00".into(), format!("volunteer #{s} 24h"));
                want(vol, "2026-12-24 07:00".into(), format!("volunteer #{s} 2h"));
                want(parent, "2026-12-23 20:00".into(), format!("family #{s} Mei"));
            }
            _ => {
                want(vol, format!("{prev} 14:00"), format!("volunteer #{s} 24h"));
                want(vol, format!("{d} 12:00"), format!("volunteer #{s} 2h"));
                want(parent, format!("{prev} 20:00"), format!("family #{s} Mei"));
            }
        }
        if day != 22 && day != 23 {
            let shifts = if d.weekday() == chrono::Weekday::Mon { 2 } else { 1 };
            let shifts = if day == 24 { 2 } else { shifts };
            want(COORD, format!("{prev} 18:00"), format!("digest {d} {shifts}"));
        }
    }
    // A shift created less than 2 h before it starts: the volunteer and the family who
    // sign up and book then get no reminder (their confirmations gave the time)...
    run_until(&fx, local("2026-12-15 12:45"), &mut log);
    let late = fx
        .svc
        .create_shift(&fx.coord(), date("2026-12-15"), time("14:30"), time("16:00"), Some(5), Some(1))
        .expect("late shift")
        .value
        .id;
    fx.clock.advance(Duration::minutes(5));
    fx.svc.volunteer(&as_(early_vol), late).expect("late volunteer");
    run_until(&fx, local("2026-12-15 12:55"), &mut log);
    fx.svc.book(&as_(late_parent), late, late_kid).expect("late booking");
    run_until(&fx, local("2026-12-15 13:00"), &mut log);
    // ...but when the shift then moves, both are reminded of its new time at once; the
    // day's digest already went out and is not repeated.
    fx.svc.move_shift(&fx.coord(), late, date("2026-12-15"), time("14:45"), time("16:00")).expect("move");
    want(early_vol, "2026-12-15 13:00".into(), format!("volunteer #{late} 2h"));
    want(late_parent, "2026-12-15 13:00".into(), format!("family #{late} Bo"));
    run_until(&fx, local("2027-01-01 00:00"), &mut log);

    let got = set(&log);
    let missing: Vec<_> = expected.difference(&got).collect();
    let extra: Vec<_> = got.difference(&expected).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing {missing:#?}\nextra {extra:#?}");
    assert_eq!(got.len(), log.len(), "a reminder went out twice");
    // Nothing planned went out in quiet hours (the late shift's were due at once, by day).
    for o in &log {
        let h = o.local().hour();
        assert!((7..22).contains(&h), "sent in quiet hours: {o:?}");
    }
    // The volunteer's reminders carry the attend / can't buttons until confirmed.
    assert!(log.iter().all(|o| !matches!(o.what, Reminder::Volunteer { confirmed: true, .. })));
    assert!(fx.svc.pending_jobs().expect("jobs").is_empty(), "every job was sent or dropped");
}

#[test]
fn after_downtime_missed_reminders_go_out_once_and_past_ones_are_dropped() {
    let fx = Fixture::new();
    let parent = fx.family(10, "Parent");
    let vol = fx.family(20, "Vol");
    let other = fx.family(21, "Early Vol");
    let kid = fx.child(parent, "Mei", TODDLER);
    let afternoon = fx.shift("2026-12-03", "14:00", "17:00", 10);
    let morning = fx.shift("2026-12-03", "09:00", "12:00", 10);
    fx.svc.book(&as_(parent), afternoon, kid).expect("book");
    fx.svc.volunteer(&as_(vol), afternoon).expect("volunteer");
    fx.svc.volunteer(&as_(other), morning).expect("volunteer morning");
    // The bot was down from t0 until 13:00 on the day: every reminder time has passed.
    fx.clock.set(local("2026-12-03 13:00"));
    let mut log = vec![];
    for job in fx.svc.due_jobs(100).expect("due") {
        run_job(&fx, &job, &mut log);
    }
    let got = set(&log);
    let expected: BTreeSet<_> = [
        (vol.0, "2026-12-03 13:00".to_string(), format!("volunteer #{afternoon} 2h")),
        (parent.0, "2026-12-03 13:00".to_string(), format!("family #{afternoon} Mei")),
        // The digest lists what has not started.
        (COORD.0, "2026-12-03 13:00".to_string(), "digest 2026-12-03 1".to_string()),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, expected, "only the latest reminder per signup; the morning shift's are dropped");
    assert!(fx.svc.pending_jobs().expect("jobs").is_empty());
}

#[test]
fn a_crash_between_send_and_record_repeats_at_worst_and_never_skips() {
    let fx = Fixture::new();
    let vol = fx.family(20, "Vol");
    let s = fx.shift("2026-12-03", "14:00", "17:00", 10);
    fx.svc.volunteer(&as_(vol), s).expect("volunteer");
    fx.clock.set(local("2026-12-02 14:00"));
    let job = fx.svc.due_jobs(10).expect("due").into_iter().next().expect("the 24 h reminder");
    let JobStep::Send { to, .. } = fx.svc.prepare_job(&job).expect("prepare") else { panic!("a send") };
    assert_eq!(to, vec![vol]);
    // "Crash" after sending, before recording: the job is still due and names the volunteer.
    let again = fx.svc.due_jobs(10).expect("due");
    assert_eq!(again, vec![job.clone()]);
    assert!(matches!(fx.svc.prepare_job(&job).expect("prepare"), JobStep::Send { .. }));
    // Recorded: a replay of the job (or a second loop) sends nothing more.
    fx.svc.job_sent(&job, vol, Some(77)).expect("record");
    assert_eq!(fx.svc.prepare_job(&job).expect("prepare"), JobStep::Drop);
    fx.svc.job_sent(&job, vol, Some(77)).expect("record twice is harmless");
    assert_eq!(fx.svc.sent_log().expect("log"), vec![(job.id, vol, Some(77))]);
    fx.svc.finish_job(&job).expect("finish");
    fx.svc.finish_job(&job).expect("finish twice is harmless");
    assert_eq!(fx.svc.prepare_job(&job).expect("prepare"), JobStep::Drop);
}

#[test]
fn the_reminder_buttons_confirm_or_drop_and_cant_come_starts_the_search_for_cover() {
    let fx = Fixture::new();
    let vol = fx.family(20, "Vol");
    let parents: Vec<UserId> = (0..6).map(|i| fx.family(30 + i, &format!("Parent {i}"))).collect();
    let members: Vec<UserId> = (0..8).map(|i| fx.family(60 + i, &format!("Member {i}"))).collect();
    let s = fx.shift("2026-12-03", "14:00", "17:00", 10);
    // Staff + volunteer carry six infants (2 x 105 load units).
    fx.svc.volunteer(&as_(vol), s).expect("volunteer");
    for p in &parents {
        let kid = fx.child(*p, "Baby", INFANT);
        let b = fx.svc.book(&as_(*p), s, kid).expect("book").value;
        assert_eq!(b.booking.status, BookingStatus::Confirmed);
    }
    let signup = fx.svc.my_signups(vol, date("2026-12-03")).expect("signups")[0].0.id;
    // "I'll be there" twice: confirmed once, nothing more.
    let first = fx.svc.confirm_signup(&Caller::with_request(vol, "c1"), signup).expect("confirm").value;
    assert_eq!(first.status, SignupStatus::Confirmed);
    let second = fx.svc.confirm_signup(&Caller::with_request(vol, "c2"), signup).expect("confirm again").value;
    assert_eq!(second, first);
    // Somebody else cannot confirm or drop it.
    assert_eq!(fx.svc.confirm_signup(&as_(members[0]), signup), Err(ServiceError::UnknownSignup));
    // "I can't make it": the signup goes, coordinators hear the shift is understaffed
    // (no child is dropped), and the search for cover starts at once.
    let out = fx.svc.drop_signup(&as_(vol), signup).expect("can't come");
    assert!(out.notices.iter().any(|n| n.to == COORD && matches!(n.event, Event::Understaffed { missing: 1, .. })));
    let jobs = fx.svc.pending_jobs().expect("jobs");
    assert!(jobs.iter().any(|j| j.kind == JobKind::CoverRound { shift: s }), "{jobs:?}");
    assert!(!jobs.iter().any(|j| j.kind.owner() == JobOwner::Signup(signup)), "the dropped signup's reminders go");
    let mut log = vec![];
    for job in fx.svc.due_jobs(100).expect("due") {
        run_job(&fx, &job, &mut log);
    }
    for job in fx.svc.due_jobs(100).expect("due") {
        run_job(&fx, &job, &mut log);
    }
    // Two days ahead: twice the base batch of 5, least recently volunteered first and
    // never the one who just dropped (who volunteered most recently).
    let asked: Vec<UserId> = log.iter().filter(|o| matches!(o.what, Reminder::CoverAsk { .. })).map(|o| o.to).collect();
    assert_eq!(asked.len(), 10, "{log:?}");
    assert!(!asked.contains(&vol));
    for o in &log {
        if let Reminder::CoverAsk { missing, earn, .. } = &o.what {
            // The coordinator has no family account, so is promised no credits (issue 9).
            let want = if o.to == COORD { 0 } else { 360 };
            assert_eq!((*missing, *earn), (1, want));
        }
    }
    let taker = members[3];
    fx.svc.take_cover(&as_(taker), s).expect("take");
    assert_eq!(fx.svc.take_cover(&as_(members[4]), s), Err(ServiceError::CoverTaken));
    assert!(fx.svc.pending_jobs().expect("jobs").iter().all(|j| j.kind.owner() != JobOwner::Cover(s)));
}

#[test]
fn cover_asks_go_least_recently_volunteered_first_and_widen_as_time_runs_out() {
    let fx = Fixture::new();
    // Members 100..106 volunteered (then dropped) on the 2nd..8th: older first.
    let mut by_recency = vec![];
    for i in 0..7 {
        let u = fx.family(100 + i, &format!("Helper {i}"));
        let d = format!("2026-12-{:02}", 2 + i);
        let s = fx.shift(&d, "08:00", "09:00", 5);
        let sg = fx.svc.volunteer(&as_(u), s).expect("volunteer").value;
        fx.svc.drop_signup(&as_(u), sg.id).expect("drop");
        by_recency.push(u);
    }
    let never = fx.family(200, "Never Volunteered");
    let suspended = fx.family(201, "Suspended");
    fx.svc.suspend_member(&fx.coord(), suspended).expect("suspend");
    // A shift with nobody on duty needs cover from the moment it is published.
    let s = fx
        .svc
        .create_shift(&fx.coord(), date("2026-12-20"), time("09:00"), time("12:00"), Some(5), Some(0))
        .expect("shift")
        .value
        .id;
    let mut log = vec![];
    run_until(&fx, fx.svc.now(), &mut log);
    run_until(&fx, fx.svc.now(), &mut log);
    let asks = |log: &[Out]| -> Vec<UserId> {
        log.iter().filter(|o| matches!(o.what, Reminder::CoverAsk { .. })).map(|o| o.to).collect()
    };
    let asked = asks(&log);
    // More than three days ahead: the base batch of 5. Coordinator (never volunteered)
    // and the never-volunteered member first, then the oldest helpers.
    let mut first = vec![COORD, never];
    first.extend(&by_recency[..3]);
    assert_eq!(asked.iter().copied().collect::<BTreeSet<_>>(), first.iter().copied().collect::<BTreeSet<_>>());
    assert!(!asked.contains(&suspended));
    // The next round, 12 hours later, asks the rest, nobody twice.
    run_until(&fx, fx.svc.now() + Duration::hours(12), &mut log);
    let all = asks(&log);
    assert_eq!(all.len(), 9, "{all:?}");
    assert_eq!(all.iter().collect::<BTreeSet<_>>().len(), 9, "nobody is asked twice");
    assert_eq!(fx.svc.cover_call(s).expect("call").asked.len(), 9);
}

#[test]
fn of_two_members_pressing_take_this_shift_at_once_exactly_one_gets_it() {
    let fx = Fixture::new();
    let a = fx.family(10, "A");
    let b = fx.family(11, "B");
    for round in 0..30u32 {
        let d = date("2026-12-05") + Duration::days(round as i64);
        let s = fx
            .svc
            .create_shift(&fx.coord(), d, time("09:00"), time("12:00"), Some(5), Some(0))
            .expect("shift")
            .value
            .id;
        let barrier = Arc::new(Barrier::new(2));
        let handles: Vec<_> = [a, b]
            .into_iter()
            .map(|u| {
                let svc = fx.svc.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    svc.take_cover(&Caller::with_request(u, format!("press-{round}")), s)
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().expect("thread")).collect();
        let won = results.iter().filter(|r| r.is_ok()).count();
        let taken = results.iter().filter(|r| **r == Err(ServiceError::CoverTaken)).count();
        assert_eq!((won, taken), (1, 1), "round {round}: {results:?}");
        let shift = fx.svc.shift(s).expect("read").expect("shift");
        assert_eq!(shift.signups.len(), 1);
    }
}

#[test]
fn broadcast_recipients_claims_and_resume() {
    let fx = Fixture::new();
    let parents: Vec<UserId> = (0..4).map(|i| fx.family(10 + i, &format!("P{i}"))).collect();
    let vol = fx.family(30, "Vol");
    let s = fx.shift("2026-12-03", "09:00", "12:00", 1);
    for p in &parents[..2] {
        let kid = fx.child(*p, "Kid", TODDLER);
        fx.svc.book(&as_(*p), s, kid).expect("book");
    }
    fx.svc.volunteer(&as_(vol), s).expect("volunteer");
    let count = |a: Audience| fx.svc.draft_broadcast(&fx.coord(), a, "hello").map(|o| o.value.recipients.len());
    // Everyone but the sender; the shift's two families and volunteer; its waitlist (one).
    assert_eq!(count(Audience::All), Ok(5));
    assert_eq!(count(Audience::Shift(s)), Ok(3));
    assert_eq!(count(Audience::Waitlist(s)), Ok(1));
    assert_eq!(
        fx.svc.draft_broadcast(&as_(parents[0]), Audience::All, "hi").map(|_| ()),
        Err(ServiceError::NotCoordinator)
    );
    assert_eq!(
        fx.svc.draft_broadcast(&fx.coord(), Audience::All, "  ").map(|_| ()),
        Err(ServiceError::BadText { max: MAX_BROADCAST })
    );
    let empty = fx.shift("2026-12-04", "09:00", "12:00", 5);
    assert_eq!(
        fx.svc.draft_broadcast(&fx.coord(), Audience::Waitlist(empty), "x").map(|_| ()),
        Err(ServiceError::NoRecipients)
    );

    let b = fx.svc.draft_broadcast(&fx.coord(), Audience::All, "Water is off tomorrow").expect("draft").value;
    assert_eq!(fx.svc.broadcast_claim(b.id), Ok(None), "a draft sends nothing");
    fx.svc.start_broadcast(&fx.coord(), b.id, Some(5)).expect("start");
    assert_eq!(fx.svc.start_broadcast(&fx.coord(), b.id, Some(5)).map(|_| ()), Err(ServiceError::BroadcastClosed));
    let first = fx.svc.broadcast_claim(b.id).expect("claim").expect("someone");
    fx.svc.broadcast_report(b.id, first, Delivery::Delivered).expect("report");
    let second = fx.svc.broadcast_claim(b.id).expect("claim").expect("someone");
    // Crash: `second` was claimed, maybe sent, never reported. On resume it is not sent
    // again; it counts as uncertain.
    let resumed = fx.svc.broadcast_resume(b.id).expect("resume");
    assert_eq!((resumed.uncertain.clone(), resumed.in_flight.len()), (vec![second], 0));
    let mut rest = vec![];
    while let Some(u) = fx.svc.broadcast_claim(b.id).expect("claim") {
        fx.svc
            .broadcast_report(b.id, u, if rest.is_empty() { Delivery::Blocked } else { Delivery::Delivered })
            .expect("report");
        rest.push(u);
    }
    assert!(!rest.contains(&second) && !rest.contains(&first));
    let done = fx.svc.finish_broadcast(b.id).expect("finish");
    assert_eq!(done.uncertain, vec![second]);
    assert_eq!((done.delivered, done.blocked.len(), done.handled()), (3, 1, 5));
    assert!(fx.svc.profile(rest[0]).expect("profile").expect("exists").unreachable, "403 marks unreachable");
    assert_eq!(fx.svc.broadcast_claim(b.id), Ok(None));
}

#[test]
fn swap_by_shift_offers_the_callers_own_signup_and_it_changes_hands_only_when_taken() {
    let fx = Fixture::new();
    let (v, other, taker) = (fx.family(20, "Vol"), fx.family(21, "Other"), fx.family(22, "Taker"));
    let s = fx.shift("2026-12-03", "09:00", "12:00", 5);
    let mine = fx.svc.volunteer(&as_(v), s).expect("volunteer").value;
    // Someone with no signup on the shift has nothing to offer.
    assert_eq!(fx.svc.offer_swap_on_shift(&as_(other), s).map(|_| ()), Err(ServiceError::UnknownSignup));
    let offered = fx.svc.offer_swap_on_shift(&as_(v), s).expect("offer").value;
    assert_eq!((offered.id, offered.offered_for_swap), (mine.id, true));
    assert_eq!(fx.svc.shift(s).unwrap().unwrap().signups, vec![mine.id], "still the volunteer's");
    let taken = fx.svc.take_swap(&as_(taker), mine.id).expect("take").value;
    assert_eq!(fx.svc.shift(s).unwrap().unwrap().signups, vec![taken.id]);
    // The reminders moved to the new volunteer.
    let owners: Vec<JobOwner> = fx.svc.pending_jobs().unwrap().iter().map(|j| j.kind.owner()).collect();
    assert!(owners.contains(&JobOwner::Signup(taken.id)) && !owners.contains(&JobOwner::Signup(mine.id)));
}

#[test]
fn moving_a_shift_moves_its_bookings_signups_and_overlap_checks() {
    let fx = Fixture::new();
    let (p, v, kid, s) = booked_and_volunteered(&fx, "09:00", "12:00");
    let out = fx.svc.move_shift(&fx.coord(), s, date("2026-12-05"), time("14:00"), time("16:00")).expect("move");
    let told: BTreeSet<UserId> = out.notices.iter().map(|n| n.to).collect();
    assert_eq!(told, [p, v].into_iter().collect(), "the family and the volunteer are told once each");
    let mine = fx.svc.my_bookings(p, date("2026-12-05")).expect("bookings");
    assert_eq!(mine.iter().map(|(_, sh)| (sh.id, sh.date)).collect::<Vec<_>>(), vec![(s, date("2026-12-05"))]);
    assert_eq!(fx.svc.my_signups(v, date("2026-12-04")).expect("signups").len(), 1);
    // The old morning is free again; the new afternoon is taken.
    let old_slot = fx.shift("2026-12-03", "09:00", "12:00", 5);
    fx.svc.book(&as_(p), old_slot, kid).expect("the old slot is free");
    fx.svc.volunteer(&as_(v), old_slot).expect("the volunteer is free then too");
    let new_slot = fx.shift("2026-12-05", "15:00", "17:00", 5);
    assert_eq!(fx.svc.book(&as_(p), new_slot, kid).map(|_| ()), Err(ServiceError::ChildBusy));
    assert!(matches!(fx.svc.volunteer(&as_(v), new_slot), Err(ServiceError::VolunteerClash(id)) if id == s));
}

#[test]
fn changing_a_setting_moves_the_reminders_already_planned() {
    let fx = Fixture::new();
    let (p, v, _, s) = booked_and_volunteered(&fx, "14:00", "17:00");
    let coord = fx.coord();
    assert_eq!(
        fx.svc.change_setting(&as_(p), &SettingChange::CoverBatch(3)).map(|_| ()),
        Err(ServiceError::NotCoordinator)
    );
    for bad in [
        SettingChange::CoverBatch(0),
        SettingChange::VolunteerHours(vec![]),
        SettingChange::VolunteerHours(vec![200]),
        SettingChange::VolunteerHours(vec![1, 2, 3, 4, 5]),
    ] {
        let got = fx.svc.change_setting(&coord, &bad).map(|_| ());
        assert!(matches!(got, Err(ServiceError::BadSetting | ServiceError::SettingRange { .. })), "{bad:?}: {got:?}");
    }
    fx.svc.change_setting(&coord, &SettingChange::VolunteerHours(vec![3, 48])).expect("hours");
    fx.svc.change_setting(&coord, &SettingChange::FamilyTime(time("19:00"))).expect("family");
    fx.svc.change_setting(&coord, &SettingChange::DigestTime(time("17:30"))).expect("digest");
    let c = fx.svc.change_setting(&coord, &SettingChange::Quiet(time("23:00"), time("06:00"))).expect("quiet").value;
    assert_eq!(c.policy.volunteer_reminder_hours, vec![48, 3]);
    let mut log = vec![];
    run_until(&fx, local("2026-12-04 00:00"), &mut log);
    let got = set(&log);
    let expected: BTreeSet<_> = [
        (v.0, "2026-12-01 14:00".to_string(), format!("volunteer #{s} 48h")),
        (v.0, "2026-12-03 11:00".to_string(), format!("volunteer #{s} 3h")),
        (p.0, "2026-12-02 19:00".to_string(), format!("family #{s} Mei")),
        (COORD.0, "2026-12-02 17:30".to_string(), "digest 2026-12-03 1".to_string()),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, expected);
}

/// A reminder whose sends keep failing stays due (it is not recorded as sent), comes
/// back after a growing back-off, and once its shift has started, the coordinators'
/// next digest names who it did not reach.
#[test]
fn a_reminder_that_cannot_be_sent_is_retried_then_named_in_the_next_digest() {
    let fx = Fixture::new();
    let v = fx.family(300, "Volunteer Li");
    let day1 = fx.shift("2026-12-03", "14:00", "17:00", 10);
    fx.shift("2026-12-05", "09:00", "12:00", 10);
    fx.svc.volunteer(&as_(v), day1).expect("volunteer");
    fx.clock.set(local("2026-12-03 12:00"));
    // Of the two reminders due (24 h and 2 h before), the latest goes out.
    let due = fx.svc.due_jobs(50).expect("due");
    let job = due
        .into_iter()
        .find(|j| {
            matches!(j.kind, JobKind::Volunteer { .. })
                && matches!(fx.svc.prepare_job(j).expect("prepare"), JobStep::Send { .. })
        })
        .expect("the volunteer's reminder is due");
    // The send failed for good: the job comes back later, under the same id.
    let moved = fx.svc.retry_job(&job).expect("retry").expect("still pending");
    assert_eq!(moved.id, job.id);
    assert_eq!(moved.due, fx.svc.now() + Duration::seconds(30));
    assert_eq!(fx.svc.job_failures(&job).expect("failures"), 1);
    assert!(fx.svc.sent_log().expect("sent").is_empty(), "nothing recorded as sent");
    let again = fx.svc.retry_job(&moved).expect("retry").expect("pending");
    assert_eq!(again.due, fx.svc.now() + Duration::seconds(60), "the back-off doubles");
    // The shift starts before it gets through: not delivered, and the digest says so.
    fx.clock.set(local("2026-12-03 14:30"));
    assert!(matches!(fx.svc.prepare_job(&again).expect("prepare"), JobStep::Drop));
    assert_eq!(fx.svc.job_undelivered(&again).expect("undelivered"), vec![v]);
    assert!(fx.svc.pending_jobs().expect("jobs").iter().all(|j| j.id != job.id), "the job is gone");
    fx.clock.set(local("2026-12-04 18:00"));
    let digest = fx
        .svc
        .due_jobs(50)
        .expect("due")
        .into_iter()
        .find(|j| matches!(j.kind, JobKind::Digest { date: d, .. } if d == date("2026-12-05")))
        .expect("the digest of the 5th is due");
    match fx.svc.prepare_job(&digest).expect("prepare") {
        JobStep::Send { to, reminder: Reminder::Digest { unreached, .. } } => {
            assert_eq!(to, vec![COORD]);
            assert_eq!(unreached, vec!["Volunteer Li".to_string()]);
        }
        other => panic!("expected the digest, got {other:?}"),
    }
    fx.svc.job_sent(&digest, COORD, Some(1)).expect("sent");
    fx.svc.finish_job(&digest).expect("finish");
}

/// A setting change re-plans every future shift's reminders, and a reminder already sent
/// keeps its identity: the family reminded at 20:00 is not reminded again when the
/// coordinator changes the cover batch at 21:00. Moving the shift is a new reminder.
#[test]
fn a_setting_change_never_sends_a_reminder_again() {
    let fx = Fixture::new();
    let p = fx.family(310, "Parent Zhao");
    let kid = fx.child(p, "Bao", TODDLER);
    let s = fx.shift("2026-12-04", "09:00", "12:00", 10);
    fx.svc.book(&as_(p), s, kid).expect("book");
    // The evening before at 20:00: the family's reminder goes out.
    fx.clock.set(local("2026-12-03 20:00"));
    let sent_family = |fx: &Fixture| -> usize {
        let mut n = 0;
        for job in fx.svc.due_jobs(100).expect("due") {
            if let Ok(JobStep::Send { to, reminder: Reminder::Family { .. } }) = fx.svc.prepare_job(&job) {
                for u in to {
                    fx.svc.job_sent(&job, u, Some(1)).expect("sent");
                    n += 1;
                }
                fx.svc.finish_job(&job).expect("finish");
            }
        }
        n
    };
    assert_eq!(sent_family(&fx), 1, "the reminder at 20:00");
    // 21:00: the coordinator changes the cover batch; every future shift is re-planned.
    fx.clock.set(local("2026-12-03 21:00"));
    fx.svc.change_setting(&fx.coord(), &SettingChange::CoverBatch(7)).expect("setting");
    assert_eq!(sent_family(&fx), 0, "not again after a setting change");
    fx.svc.change_setting(&fx.coord(), &SettingChange::FamilyTime(time("21:30"))).expect("setting");
    fx.clock.set(local("2026-12-03 21:31"));
    assert_eq!(sent_family(&fx), 0, "nor after a new family reminder time");
    // Moved to another day, it is a new reminder: the family hears of the new time.
    fx.svc.move_shift(&fx.coord(), s, date("2026-12-10"), time("09:00"), time("12:00")).expect("move");
    fx.clock.set(local("2026-12-09 21:30"));
    assert_eq!(sent_family(&fx), 1, "the moved shift's reminder");
}
