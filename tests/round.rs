//! The allocation round through the real service (issue 14): opening, wishes, preview,
//! commit (at the deadline from the jobs, or early), every refusal, idempotency, the
//! rules after the commit, and what each family is told.

use chrono::Duration;
use huzhu::domain::*;
use huzhu::rota;
use huzhu::service::*;
use huzhu::store::T;
use huzhu::testing::{date, Fixture, COORD};

/// Born so that in December 2026 the child is an older toddler (load 15).
const OLDER: &str = "2024-06-01";
/// The round's week: Monday 2026-12-07 (the fixture's clock is Tuesday 12-01 09:00).
const WEEK: &str = "2026-12-07";

fn deadline() -> chrono::NaiveDateTime {
    date("2026-12-04").and_hms_opt(20, 0, 0).unwrap()
}

fn as_(u: UserId) -> Caller {
    Caller::new(u)
}

struct R {
    f: Fixture,
    round: Round,
}

impl R {
    fn new() -> R {
        let f = Fixture::new();
        let round = f.svc.open_round(&f.coord(), date(WEEK), deadline()).expect("open").value;
        R { f, round }
    }

    /// A family (one guardian) with one older toddler.
    fn family(&self, user: i64) -> (UserId, ChildId) {
        let u = self.f.family(user, &format!("parent{user}"));
        let c = self.f.child(u, &format!("kid{user}"), OLDER);
        (u, c)
    }

    fn wish(&self, u: UserId, c: ChildId, shifts: &[ShiftId], max: u32) -> Result<Outcome<Wish>, ServiceError> {
        self.f.svc.submit_wish(&as_(u), self.round.id, c, shifts, max)
    }

    fn snapshot(&self) -> Vec<Vec<(Vec<u8>, Vec<u8>)>> {
        self.f.svc.store().snapshot()
    }

    /// Passes the deadline and runs the due `RoundCommit` job as the reminder loop does.
    fn pass_deadline(&self) -> Option<RoundPlan> {
        self.f.clock.advance(Duration::days(4));
        let job = self
            .f
            .svc
            .due_jobs(100)
            .unwrap()
            .into_iter()
            .find(|j| matches!(j.kind, JobKind::RoundCommit { round } if round == self.round.id))
            .expect("the commit job is due");
        assert_eq!(self.f.svc.prepare_job(&job).unwrap(), JobStep::CommitRound);
        self.f.svc.commit_due_round(&job).unwrap()
    }

    /// What each family's `RoundResult` job would send: (guardians, reminder).
    fn results(&self) -> Vec<(Vec<UserId>, Reminder)> {
        let mut out = vec![];
        for job in self.f.svc.due_jobs(1000).unwrap() {
            if let JobKind::RoundResult { .. } = job.kind {
                match self.f.svc.prepare_job(&job).unwrap() {
                    JobStep::Send { to, reminder } => out.push((to, reminder)),
                    other => panic!("a result job that sends nothing: {other:?}"),
                }
            }
        }
        out
    }
}

/// A shift's confirmed children by age group, caregivers on duty, and places.
fn live(f: &Fixture, id: ShiftId) -> (rota::Occupancy, u32, u32) {
    let s = f.svc.shift(id).unwrap().unwrap();
    let mut occ = rota::Occupancy::default();
    for b in &s.bookings {
        let b = f.svc.booking(*b).unwrap().unwrap();
        if b.status == BookingStatus::Confirmed {
            occ.add(b.group);
        }
    }
    let mut caregivers = s.staff;
    for v in &s.signups {
        if f.svc.signup(*v).unwrap().unwrap().is_on_duty() {
            caregivers += 1;
        }
    }
    (occ, caregivers, s.capacity)
}

fn child_result(results: &[(Vec<UserId>, Reminder)], u: UserId) -> &RoundChild {
    let (_, r) = results.iter().find(|(to, _)| to.contains(&u)).expect("told");
    match r {
        Reminder::Round { children, .. } => &children[0],
        other => panic!("not a round result: {other:?}"),
    }
}

/// The families of a week with every reason to miss: two families wish for one place
/// (`tight`), a family that can pay for two 3-hour shifts (360 minutes) wishes for three
/// (`rich`), and a family wishes for a shift without caregivers (`d`, `unstaffed`).
struct MixedWeek {
    tight: ShiftId,
    a: UserId,
    b: UserId,
    rich: UserId,
    unstaffed: ShiftId,
    d: UserId,
}

impl R {
    fn mixed_week(&self) -> MixedWeek {
        let r = self;
        let tight = r.f.shift("2026-12-08", "09:00", "12:00", 1);
        let (a, ca) = r.family(100);
        let (b, cb) = r.family(101);
        r.wish(a, ca, &[tight], 1).unwrap();
        r.wish(b, cb, &[tight], 1).unwrap();
        let (rich, cr) = r.family(102);
        let s1 = r.f.shift("2026-12-09", "09:00", "12:00", 10);
        let s2 = r.f.shift("2026-12-10", "09:00", "12:00", 10);
        let s3 = r.f.shift("2026-12-11", "09:00", "12:00", 10);
        r.wish(rich, cr, &[s1, s2, s3], 3).unwrap();
        let unstaffed =
            r.f.svc
                .create_shift(
                    &r.f.coord(),
                    date("2026-12-12"),
                    huzhu::testing::time("09:00"),
                    huzhu::testing::time("12:00"),
                    Some(5),
                    Some(0),
                )
                .unwrap()
                .value
                .id;
        let (d, cd) = r.family(103);
        r.wish(d, cd, &[unstaffed], 1).unwrap();
        MixedWeek { tight, a, b, rich, unstaffed, d }
    }
}

#[test]
fn opening_a_round_checks_who_the_week_and_the_deadline() {
    let f = Fixture::new();
    let parent = f.family(100, "p");
    let svc = &f.svc;
    assert_eq!(svc.open_round(&as_(parent), date(WEEK), deadline()).unwrap_err(), ServiceError::NotCoordinator);
    // Not a Monday; a deadline already past; a deadline inside the week.
    assert_eq!(svc.open_round(&f.coord(), date("2026-12-08"), deadline()).unwrap_err(), ServiceError::BadRoundDates);
    let past = date("2026-11-30").and_hms_opt(20, 0, 0).unwrap();
    assert_eq!(svc.open_round(&f.coord(), date(WEEK), past).unwrap_err(), ServiceError::BadRoundDates);
    let late = date(WEEK).and_hms_opt(8, 0, 0).unwrap();
    assert_eq!(svc.open_round(&f.coord(), date(WEEK), late).unwrap_err(), ServiceError::BadRoundDates);
    let r = svc.open_round(&f.coord(), date(WEEK), deadline()).unwrap().value;
    assert_eq!(r.status, RoundStatus::Open);
    assert_eq!(svc.open_round(&f.coord(), date(WEEK), deadline()).unwrap_err(), ServiceError::RoundExists);
    // The commit is planned at the deadline.
    let job = svc.pending_jobs().unwrap().into_iter().find(|j| j.kind == JobKind::RoundCommit { round: r.id });
    assert_eq!(job.map(|j| j.due), Some(r.deadline));
}

#[test]
fn wishes_are_checked_and_a_new_one_replaces_the_old() {
    let r = R::new();
    let (u, c) = r.family(100);
    let (other, other_child) = r.family(101);
    let a = r.f.shift("2026-12-07", "09:00", "12:00", 10);
    let b = r.f.shift("2026-12-08", "09:00", "12:00", 10);
    let outside = r.f.shift("2026-12-03", "09:00", "12:00", 10);
    assert_eq!(r.wish(u, other_child, &[a], 1).unwrap_err(), ServiceError::UnknownChild);
    assert_eq!(r.wish(u, c, &[outside], 1).unwrap_err(), ServiceError::ShiftNotInRound);
    assert_eq!(r.wish(u, c, &[ShiftId(999)], 1).unwrap_err(), ServiceError::UnknownShift);
    assert_eq!(r.wish(u, c, &[], 1).unwrap_err(), ServiceError::BadWish { max: MAX_WISH });
    assert_eq!(r.wish(u, c, &[a, b], 0).unwrap_err(), ServiceError::BadWish { max: MAX_WISH });
    assert_eq!(r.wish(u, c, &[a, b], 3).unwrap_err(), ServiceError::BadWish { max: MAX_WISH });
    assert_eq!(r.wish(COORD, c, &[a], 1).unwrap_err(), ServiceError::NoFamily);
    assert_eq!(r.f.svc.submit_wish(&as_(u), RoundId(77), c, &[a], 1).unwrap_err(), ServiceError::UnknownRound);
    let w = r.wish(u, c, &[b, a, b], 2).unwrap().value;
    assert_eq!((w.shifts.clone(), w.max), (vec![b, a], 2));
    let w = r.wish(u, c, &[a], 1).unwrap().value;
    assert_eq!(r.f.svc.my_wishes(u, r.round.id).unwrap(), vec![w]);
    // The same request again is a replay: the same answer, nothing changed.
    let key = Caller::with_request(other, "upd-1");
    let first = r.f.svc.submit_wish(&key, r.round.id, other_child, &[a], 1).unwrap();
    let before = r.snapshot();
    let again = r.f.svc.submit_wish(&key, r.round.id, other_child, &[a], 1).unwrap();
    assert!(again.replayed && again.value == first.value);
    assert_eq!(before, r.snapshot());
    assert_eq!(r.f.svc.round(r.round.id).unwrap().unwrap().children.len(), 2);
    // After the deadline: closed.
    r.f.clock.advance(Duration::days(4));
    assert_eq!(r.wish(u, c, &[a], 1).unwrap_err(), ServiceError::RoundClosed);
}

#[test]
fn first_come_booking_waits_for_the_round_then_takes_what_is_left() {
    let r = R::new();
    let (u, c) = r.family(100);
    let a = r.f.shift("2026-12-09", "09:00", "12:00", 10);
    let free = r.f.shift("2026-12-03", "09:00", "12:00", 10);
    assert!(matches!(r.f.svc.book(&as_(u), a, c).unwrap_err(), ServiceError::RoundOpen { .. }));
    r.f.svc.book(&as_(u), free, c).expect("another week books as ever");
    r.pass_deadline();
    r.f.svc.book(&as_(u), a, c).expect("open to first-come after the commit");
}

#[test]
fn preview_writes_nothing_and_commit_books_what_it_showed() {
    let r = R::new();
    let busy = r.f.shift("2026-12-08", "09:00", "12:00", 2);
    let quiet = r.f.shift("2026-12-09", "09:00", "12:00", 10);
    let mut families = vec![];
    for i in 0..5 {
        let (u, c) = r.family(100 + i);
        r.wish(u, c, &[busy, quiet], 2).unwrap();
        families.push((u, c));
    }
    assert_eq!(r.f.svc.preview_round(families[0].0, r.round.id).unwrap_err(), ServiceError::NotCoordinator);
    let before = r.snapshot();
    let plan = r.f.svc.preview_round(COORD, r.round.id).unwrap();
    assert_eq!(plan, r.f.svc.preview_round(COORD, r.round.id).unwrap(), "the same seed, the same plan");
    assert_eq!(before, r.snapshot(), "a preview writes nothing");
    assert_eq!(plan.placed, 7);
    let committed = r.pass_deadline().expect("committed at the deadline");
    assert_eq!(committed.children, plan.children);
    assert_eq!(committed.round.status, RoundStatus::Committed);
    assert_eq!(committed.round.seed, plan.round.seed);
    // Ordinary bookings, held, exactly as the preview said.
    for (u, c) in &families {
        let fam = r.f.svc.my_family(*u).unwrap();
        let mine: Vec<ShiftId> =
            r.f.svc
                .my_bookings(*u, date(WEEK))
                .unwrap()
                .into_iter()
                .filter(|(b, _)| b.child == *c && b.status == BookingStatus::Confirmed)
                .map(|(b, _)| b.shift)
                .collect();
        let shown: Vec<ShiftId> =
            plan.children.iter().find(|p| p.child == *c).unwrap().result.got.iter().map(|s| s.id).collect();
        assert_eq!(mine.len(), shown.len());
        assert!(shown.iter().all(|s| mine.contains(s)));
        assert_eq!(fam.held, 180 * mine.len() as i64);
    }
    // Capacity holds: two places in the busy shift, by the rota's own check.
    for s in [busy, quiet] {
        let (occ, caregivers, capacity) = live(&r.f, s);
        assert!(rota::check(&occ, caregivers, capacity, &r.f.centre.policy).is_ok());
    }
    assert_eq!(live(&r.f, busy).0.counts.iter().sum::<u32>(), 2);
    // Again: nothing more changes, whoever asks.
    let after = r.snapshot();
    assert_eq!(r.f.svc.commit_round(&r.f.coord(), r.round.id).unwrap_err(), ServiceError::RoundClosed);
    assert_eq!(after, r.snapshot());
}

#[test]
fn every_family_is_told_once_with_the_reasons() {
    let r = R::new();
    let MixedWeek { tight, a, b, rich, unstaffed, d } = r.mixed_week();
    r.pass_deadline();
    let results = r.results();
    assert_eq!(results.len(), 4, "one message per family");
    let (ra, rb) = (child_result(&results, a), child_result(&results, b));
    assert_eq!(ra.got.len() + rb.got.len(), 1);
    let loser = if ra.got.is_empty() { ra } else { rb };
    assert_eq!(loser.missed.iter().map(|(s, m)| (s.id, *m)).collect::<Vec<_>>(), vec![(tight, Miss::Full)]);
    let rr = child_result(&results, rich);
    assert_eq!(rr.got.len(), 2);
    assert_eq!(rr.missed.iter().map(|(_, m)| *m).collect::<Vec<_>>(), vec![Miss::Credit]);
    let rd = child_result(&results, d);
    assert_eq!(rd.missed.iter().map(|(s, m)| (s.id, *m)).collect::<Vec<_>>(), vec![(unstaffed, Miss::Caregivers)]);
    // Sent once: a recipient marked sent is not sent the job again.
    for job in r.f.svc.due_jobs(1000).unwrap() {
        if let JobKind::RoundResult { family, .. } = job.kind {
            let guardians = match r.f.svc.prepare_job(&job).unwrap() {
                JobStep::Send { to, .. } => to,
                other => panic!("{other:?}"),
            };
            for g in guardians {
                r.f.svc.job_sent(&job, g, Some(1)).unwrap();
            }
            assert_eq!(r.f.svc.prepare_job(&job).unwrap(), JobStep::Drop, "family {family}");
        }
    }
}

#[test]
fn the_commit_job_after_an_early_commit_changes_nothing() {
    let r = R::new();
    let s = r.f.shift("2026-12-08", "09:00", "12:00", 3);
    let (u, c) = r.family(100);
    r.wish(u, c, &[s], 1).unwrap();
    assert_eq!(r.f.svc.commit_round(&as_(u), r.round.id).unwrap_err(), ServiceError::NotCoordinator);
    let plan = r.f.svc.commit_round(&r.f.coord(), r.round.id).unwrap().value;
    assert_eq!(plan.placed, 1);
    let before = r.snapshot();
    r.f.clock.advance(Duration::days(4));
    let job =
        r.f.svc.due_jobs(100).unwrap().into_iter().find(|j| matches!(j.kind, JobKind::RoundCommit { .. })).unwrap();
    assert_eq!(r.f.svc.commit_due_round(&job).unwrap(), None);
    // Only the job went; the bookings are as they were.
    assert_eq!(live(&r.f, s).0.counts.iter().sum::<u32>(), 1);
    assert_ne!(before, r.snapshot());
    assert!(!r.f.svc.pending_jobs().unwrap().iter().any(|j| matches!(j.kind, JobKind::RoundCommit { .. })));
}

#[test]
fn the_family_that_gave_more_than_it_got_wins_the_contested_place() {
    for seed_try in 0..4 {
        let r = R::new();
        let (giver, cg) = r.family(100 + seed_try * 10);
        let (taker, ct) = r.family(101 + seed_try * 10);
        // Before the round's week: the giver volunteers, the taker is cared for.
        let before = r.f.shift("2026-12-03", "09:00", "12:00", 10);
        r.f.svc.volunteer(&as_(giver), before).unwrap();
        r.f.svc.book(&as_(taker), before, ct).unwrap();
        let tight = r.f.shift("2026-12-08", "09:00", "12:00", 1);
        r.wish(taker, ct, &[tight], 1).unwrap();
        r.wish(giver, cg, &[tight], 1).unwrap();
        let plan = r.f.svc.preview_round(COORD, r.round.id).unwrap();
        let got = |c: ChildId| plan.children.iter().find(|p| p.child == c).unwrap().result.got.len();
        assert_eq!((got(cg), got(ct)), (1, 0), "round seed {}", plan.round.seed);
    }
}

/// A second round, for the week after `WEEK`, wishes until Friday 2026-12-11 20:00.
const NEXT: &str = "2026-12-14";

fn next_deadline() -> chrono::NaiveDateTime {
    date("2026-12-11").and_hms_opt(20, 0, 0).unwrap()
}

#[test]
fn with_several_rounds_the_wish_names_its_week() {
    let r = R::new();
    let second = r.f.svc.open_round(&r.f.coord(), date(NEXT), next_deadline()).unwrap().value;
    let (u, c) = r.family(100);
    let a = r.f.shift("2026-12-08", "09:00", "12:00", 10);
    let b = r.f.shift("2026-12-15", "09:00", "12:00", 10);
    let svc = &r.f.svc;
    let weeks = |rs: Vec<Round>| rs.into_iter().map(|x| x.id).collect::<Vec<_>>();
    // No week named: both, earliest first, for the parent to choose.
    assert_eq!(weeks(svc.wish_round(u, None).unwrap()), vec![r.round.id, second.id]);
    assert_eq!(svc.wish_round(COORD, None).unwrap_err(), ServiceError::NoFamily);
    // A week named by its Monday or any day of it.
    assert_eq!(weeks(svc.wish_round(u, Some(date(NEXT))).unwrap()), vec![second.id]);
    assert_eq!(weeks(svc.wish_round(u, Some(date("2026-12-10"))).unwrap()), vec![r.round.id]);
    // A week without a round: which weeks take wishes, nothing changed.
    let before = r.snapshot();
    assert_eq!(
        svc.wish_round(u, Some(date("2026-12-23"))).unwrap_err(),
        ServiceError::NoWishRound { week: date("2026-12-21"), closed: false, open: vec![date(WEEK), date(NEXT)] }
    );
    // Each round's options are its own week's shifts; the wish goes to that round.
    let opts = svc.wish_options(u, second.id).unwrap();
    assert_eq!(opts.shifts.iter().map(|s| s.id).collect::<Vec<_>>(), vec![b]);
    assert_eq!(svc.wish_options(u, r.round.id).unwrap().shifts.iter().map(|s| s.id).collect::<Vec<_>>(), vec![a]);
    assert_eq!(before, r.snapshot(), "reads change nothing");
    assert_eq!(svc.submit_wish(&as_(u), second.id, c, &[a], 1).unwrap_err(), ServiceError::ShiftNotInRound);
    svc.submit_wish(&as_(u), second.id, c, &[b], 1).unwrap();
    assert_eq!(svc.my_wishes(u, second.id).unwrap().len(), 1);
    assert!(svc.my_wishes(u, r.round.id).unwrap().is_empty());
    // The coordinator names a week for preview and commit; `/round status` lists both.
    assert_eq!(svc.coordinated_round(COORD, None).unwrap().id, r.round.id);
    assert_eq!(svc.coordinated_round(COORD, Some(date("2026-12-16"))).unwrap().id, second.id);
    assert_eq!(svc.coordinated_round(COORD, Some(date("2026-12-23"))).unwrap_err(), ServiceError::UnknownRound);
    assert_eq!(svc.coordinated_round(u, None).unwrap_err(), ServiceError::NotCoordinator);
    assert_eq!(weeks(svc.rounds(COORD, 10).unwrap()), vec![second.id, r.round.id], "newest week first");
    assert_eq!(svc.rounds(u, 10).unwrap_err(), ServiceError::NotCoordinator);
    // Past the first deadline: that week answers closed, the other still takes wishes.
    r.f.clock.set(huzhu::testing::t0() + Duration::days(4)); // Saturday 12-05 09:00
    assert_eq!(
        svc.wish_round(u, Some(date(WEEK))).unwrap_err(),
        ServiceError::NoWishRound { week: date(WEEK), closed: true, open: vec![date(NEXT)] }
    );
    assert_eq!(weeks(svc.wish_round(u, None).unwrap()), vec![second.id]);
    assert_eq!(svc.wish_options(u, r.round.id).unwrap_err(), ServiceError::RoundClosed);
    // Past both: no round at all.
    r.f.clock.set(huzhu::testing::t0() + Duration::days(11));
    assert_eq!(svc.wish_round(u, None).unwrap_err(), ServiceError::UnknownRound);
    assert_eq!(
        svc.wish_round(u, Some(date(NEXT))).unwrap_err(),
        ServiceError::NoWishRound { week: date(NEXT), closed: true, open: vec![] }
    );
}

/// What the `RoundSummary` job of a round would send now.
fn summary_step(f: &Fixture, round: RoundId) -> (Job, JobStep) {
    let job = f
        .svc
        .due_jobs(1000)
        .unwrap()
        .into_iter()
        .find(|j| matches!(j.kind, JobKind::RoundSummary { round: x, .. } if x == round))
        .expect("a summary job");
    let step = f.svc.prepare_job(&job).unwrap();
    (job, step)
}

#[test]
fn the_coordinators_are_told_once_what_the_deadline_did() {
    let r = R::new();
    let second = UserId(4);
    r.f.svc.appoint_coordinator(&as_(huzhu::testing::ADMIN), second, r.f.centre.id, "Second").unwrap();
    r.mixed_week();
    let plan = r.pass_deadline().expect("committed");
    let (job, step) = summary_step(&r.f, r.round.id);
    let JobStep::Send { mut to, reminder: Reminder::RoundSummary { summary } } = step else {
        panic!("not a summary: {step:?}")
    };
    to.sort();
    assert_eq!(to, vec![COORD, second], "every coordinator of the centre");
    let want = RoundSummary {
        week: date(WEEK),
        seed: plan.round.seed,
        placed: 3,
        children: 4,
        children_placed: 2,
        families: 4,
        families_placed: 2,
        full: 1,
        caregivers: 1,
        credit: 1,
        other: 0,
    };
    assert_eq!(summary, want);
    // Told: not again, whatever replays.
    r.f.svc.job_sent(&job, COORD, Some(1)).unwrap();
    assert!(matches!(r.f.svc.prepare_job(&job).unwrap(), JobStep::Send { to, .. } if to == vec![second]));
    r.f.svc.job_sent(&job, second, Some(2)).unwrap();
    assert_eq!(r.f.svc.prepare_job(&job).unwrap(), JobStep::Drop);
    r.f.svc.finish_job(&job).unwrap();
    // The commit job replayed (a restart before it was finished): no second summary.
    let commit = Job { id: 0, kind: JobKind::RoundCommit { round: r.round.id }, due: r.round.deadline };
    let before = r.snapshot();
    assert_eq!(r.f.svc.commit_due_round(&commit).unwrap(), None);
    assert_eq!(before, r.snapshot());
    assert!(!r.f.svc.pending_jobs().unwrap().iter().any(|j| matches!(j.kind, JobKind::RoundSummary { .. })));
}

#[test]
fn a_commit_by_hand_tells_the_other_coordinators_only() {
    let r = R::new();
    let s = r.f.shift("2026-12-08", "09:00", "12:00", 3);
    let (u, c) = r.family(100);
    r.wish(u, c, &[s], 1).unwrap();
    // The only coordinator commits: the plan is their reply, the summary goes to nobody.
    r.f.svc.commit_round(&r.f.coord(), r.round.id).unwrap();
    assert_eq!(summary_step(&r.f, r.round.id).1, JobStep::Drop);
    // With a second coordinator, they are told.
    let r = R::new();
    let second = UserId(4);
    r.f.svc.appoint_coordinator(&as_(huzhu::testing::ADMIN), second, r.f.centre.id, "Second").unwrap();
    let (u, c) = r.family(100);
    let s = r.f.shift("2026-12-08", "09:00", "12:00", 3);
    r.wish(u, c, &[s], 1).unwrap();
    r.f.svc.commit_round(&r.f.coord(), r.round.id).unwrap();
    match summary_step(&r.f, r.round.id).1 {
        JobStep::Send { to, reminder: Reminder::RoundSummary { summary } } => {
            assert_eq!(to, vec![second]);
            assert_eq!((summary.placed, summary.children_placed, summary.families_placed), (1, 1, 1));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn forgetting_a_parent_takes_their_family_out_of_open_rounds() {
    let r = R::new();
    let s = r.f.shift("2026-12-08", "09:00", "12:00", 1);
    let (gone, cg) = r.family(100);
    let (stays, cs) = r.family(101);
    // A family with two guardians: the one who wished forgets, the family stays.
    let (first, cf) = r.family(102);
    let co = r.f.guardian(first, 103, "co-parent");
    r.wish(gone, cg, &[s], 1).unwrap();
    r.wish(stays, cs, &[s], 1).unwrap();
    r.wish(first, cf, &[s], 1).unwrap();
    // `/mydata` shows the family's wishes; `/forget` then takes them out.
    let mine = r.f.svc.my_data(gone).unwrap().round_wishes;
    assert_eq!(mine.iter().map(|w| (w.round, w.child, w.by)).collect::<Vec<_>>(), vec![(r.round.id, cg, gone)]);
    let forgot = r.f.svc.forget(&as_(gone)).unwrap().value;
    assert!(forgot.records > 0);
    let round = r.f.svc.round(r.round.id).unwrap().unwrap();
    assert_eq!(round.children, vec![cs, cf], "the closed family's child left the round");
    // No record under wish/ or round/ names them any more.
    let named = |u: UserId| {
        r.f.svc.store().scan::<serde_json::Value>(T::Meta, b"wish/").unwrap().into_iter().any(|(_, v)| v["by"] == u.0)
    };
    assert!(!named(gone));
    r.f.svc.forget(&as_(first)).unwrap();
    assert!(!named(first), "the wish of a family that stays names nobody");
    let plan = r.f.svc.preview_round(COORD, r.round.id).unwrap();
    assert_eq!(plan.children.iter().map(|c| c.child).collect::<Vec<_>>(), vec![cs, cf]);
    // The family that stays keeps its wish, for its other guardian.
    assert_eq!(r.f.svc.my_wishes(co, r.round.id).unwrap().len(), 1);
    // A coordinator who opened a round is not named by it after forgetting.
    r.f.svc.forget(&as_(COORD)).unwrap();
    assert_ne!(r.f.svc.round(r.round.id).unwrap().unwrap().opened_by, COORD);
}

#[test]
fn forgetting_after_the_commit_drops_the_family_result() {
    let r = R::new();
    let s = r.f.shift("2026-12-08", "09:00", "12:00", 3);
    let (u, c) = r.family(100);
    r.wish(u, c, &[s], 1).unwrap();
    r.pass_deadline().unwrap();
    assert_eq!(r.results().len(), 1);
    r.f.svc.forget(&as_(u)).unwrap();
    // Its result (the child's name in it) and its job are gone; the wish names nobody.
    assert!(r.results().is_empty());
    assert!(r.f.svc.store().scan::<serde_json::Value>(T::Meta, b"roundnews/").unwrap().is_empty());
    let wishes = r.f.svc.store().scan::<serde_json::Value>(T::Meta, b"wish/").unwrap();
    assert!(wishes.iter().all(|(_, w)| w["by"] != u.0), "{wishes:?}");
}

/// A wish saved while the round commits is weighed with its family's real standing, or
/// not at all (it came after): never with a standing of 0 because the standings were
/// read before the commit took its turn. Two families received care the week before,
/// the `taker` three times as much as the `other`; both want the one place. The other
/// must win whenever the taker's wish made it into the commit.
#[test]
fn a_wish_saved_while_the_round_commits_counts_with_its_real_standing() {
    for attempt in 0..40u64 {
        let r = R::new();
        let (other, co) = r.family(200);
        let (taker, ct) = r.family(201);
        let short = r.f.shift("2026-12-03", "09:00", "10:00", 10);
        let long = r.f.shift("2026-12-02", "09:00", "12:00", 10);
        r.f.svc.book(&as_(other), short, co).unwrap();
        r.f.svc.book(&as_(taker), long, ct).unwrap();
        let tight = r.f.shift("2026-12-08", "09:00", "12:00", 1);
        r.wish(other, co, &[tight], 1).unwrap();
        let (wished, plan) = std::thread::scope(|s| {
            let wisher = s.spawn(|| r.wish(taker, ct, &[tight], 1).is_ok());
            // From committing at once (the wish comes after) to waiting for it.
            std::thread::sleep(std::time::Duration::from_micros(20 * (attempt % 10)));
            let plan = r.f.svc.commit_round(&r.f.coord(), r.round.id).expect("commit").value;
            (wisher.join().expect("the wisher"), plan)
        });
        let got = |c: ChildId| plan.children.iter().find(|p| p.child == c).map(|p| p.result.got.len());
        assert_eq!(got(co), Some(1), "attempt {attempt}: the family that received less care wins the place");
        if wished {
            assert_eq!(got(ct), Some(0), "attempt {attempt}: the taker's wish was saved before the commit");
        }
    }
}
