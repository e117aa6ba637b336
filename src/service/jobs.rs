//! Reminder jobs: planned in the same transaction as the change they follow (a booking,
//! a signup, a new or cancelled shift), kept in due-time order, and handed to the
//! reminder loop when due.
//!
//! Layout: `Jobs` maps `due (ms) ++ job id` to the job, so what is due is a range read
//! from the start, O(log n + due). `JobIndex` maps each owner (booking, signup, digest,
//! cover search) to its job keys, so cancelling or moving a record finds its jobs
//! without a scan. `Sent` maps `job id ++ user` to the Telegram message id: a
//! recipient with a `Sent` entry is never sent that job again.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::capacity::{self, cover_needed, shift_state};
use super::records::*;
use super::{Notice, Res, Service, ServiceError, ShiftBrief};
use crate::domain::*;
use crate::ledger;
use crate::reminders::{self, Overdue};
use crate::rota;
use crate::store::{
    keys::{i64_at, u64_at},
    Key, Tx, T,
};

/// What a due job should send, rendered by the bot in each recipient's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reminder {
    Volunteer {
        shift: ShiftBrief,
        signup: SignupId,
        hours: i64,
        confirmed: bool,
        children: u32,
    },
    /// `today`: sent on the shift's own day (after downtime), so it says "today".
    Family {
        shift: ShiftBrief,
        child: String,
        waitlist_position: Option<u32>,
        today: bool,
    },
    Digest {
        date: NaiveDate,
        shifts: Vec<DigestShift>,
        today: bool,
        /// Members a reminder could not reach before its shift (Telegram unreachable).
        #[serde(default)]
        unreached: Vec<String>,
    },
    CoverAsk {
        shift: ShiftBrief,
        earn: i64,
        missing: u32,
    },
    /// What an allocation round gave a family: each child's shifts, and why not the others.
    Round {
        week: NaiveDate,
        children: Vec<RoundChild>,
    },
    /// What a committed round did, for the centre's coordinators.
    RoundSummary {
        summary: RoundSummary,
    },
}

/// A committed round in figures, for the coordinators (counts only: it names nobody).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundSummary {
    pub week: NaiveDate,
    /// The lottery's seed, to re-derive the result.
    pub seed: u64,
    /// Child-shifts booked.
    pub placed: u32,
    /// Children with a wish, and those of them who got at least one shift.
    pub children: u32,
    pub children_placed: u32,
    /// Families with a wish, and those of them who got at least one shift.
    pub families: u32,
    pub families_placed: u32,
    /// Wished shifts not booked, by why: full, too few caregivers, not enough credit,
    /// and the rest (the child's other shift at that time; the shift gone or the age).
    pub full: u32,
    pub caregivers: u32,
    pub credit: u32,
    pub other: u32,
}

/// One child's part of a round's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundChild {
    pub child: String,
    pub got: Vec<ShiftBrief>,
    /// Wished shifts not booked, with why (`Miss::Enough` is left out: not a refusal).
    pub missed: Vec<(ShiftBrief, Miss)>,
}

/// One shift in the coordinators' digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestShift {
    pub shift: ShiftBrief,
    /// Confirmed children per age group: infant, toddler, older toddler.
    pub children: [u32; 3],
    pub waitlist: u32,
    pub volunteers: Vec<String>,
    pub staff: u32,
    /// Caregivers still missing for the confirmed and waitlisted children.
    pub missing: u32,
    pub understaffed: bool,
}

/// What to do with a due job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobStep {
    /// Nothing to send (the event started, the booking went, already sent, ...): finish it.
    Drop,
    /// Pick the next members to ask for cover.
    CoverRound,
    /// Commit an allocation round (`Service::commit_due_round`).
    CommitRound,
    /// Send `reminder` to each of `to` (those not yet sent), then finish it.
    Send { to: Vec<UserId>, reminder: Reminder },
}

pub fn job_key(due: DateTime<Utc>, id: u64) -> Key {
    Key::new().i64(due.timestamp_millis()).u64(id)
}

fn owner_key(owner: JobOwner) -> Key {
    match owner {
        JobOwner::Signup(s) => Key::new().str("s").u64(s.0),
        JobOwner::Booking(b) => Key::new().str("b").u64(b.0),
        JobOwner::Digest(c, d) => Key::new().str("d").u64(c.0).date(d),
        JobOwner::Cover(s) => Key::new().str("c").u64(s.0),
        JobOwner::Round(r) => Key::new().str("r").u64(r.0),
        JobOwner::RoundFamily(r, f) => Key::new().str("r").u64(r.0).u64(f.0),
    }
}

/// Where a committed round keeps the message for one family (its `RoundResult` job sends it).
pub fn round_news_key(round: RoundId, family: FamilyId) -> Key {
    Key::new().str("roundnews/").u64(round.0).u64(family.0)
}

/// Where a committed round keeps its summary for the coordinators (its `RoundSummary` job).
pub fn round_summary_key(round: RoundId) -> Key {
    Key::new().str("roundsummary/").u64(round.0)
}

fn digest_done_key(centre: CentreId, date: NaiveDate) -> Key {
    Key::new().str("digest_sent/").u64(centre.0).date(date)
}

fn owner_jobs(tx: &Tx, owner: JobOwner) -> Res<Vec<Vec<u8>>> {
    Ok(tx.get(T::JobIndex, owner_key(owner))?.unwrap_or_default())
}

fn set_owner_jobs(tx: &Tx, owner: JobOwner, keys: &[Vec<u8>]) -> Res<()> {
    if keys.is_empty() {
        tx.del(T::JobIndex, owner_key(owner))?;
    } else {
        tx.put(T::JobIndex, owner_key(owner), &keys)?;
    }
    Ok(())
}

/// Stores a job due at `due`.
pub fn schedule(tx: &Tx, kind: JobKind, due: DateTime<Utc>) -> Res<Job> {
    let id = tx.next_id("job")?;
    store_job(tx, Job { id, kind, due })
}

/// Stores a reminder job that keeps its identity across re-plans: the same reminder
/// (`identity`: whose, which one, for which start of the shift) gets the same job id
/// whenever it is planned again (a settings change re-plans every future shift), so the
/// `Sent` marks, keyed by job id, keep it from going out twice. A moved shift has a new
/// start, so a new identity: its people are reminded of the new time. The mapping is
/// kept until a day after the shift's start, when no plan can want it any more.
fn schedule_reminder(tx: &Tx, kind: JobKind, due: DateTime<Utc>, identity: &str, start: DateTime<Utc>) -> Res<Job> {
    let key = Key::new().str("jobid/").str(identity);
    let id = match tx.get::<u64>(T::Meta, &key)? {
        Some(id) => id,
        None => {
            let id = tx.next_id("job")?;
            tx.put(T::Meta, &key, &id)?;
            tx.expire_at(T::Meta, &key, (start + chrono::Duration::days(1)).timestamp_millis())?;
            id
        }
    };
    store_job(tx, Job { id, kind, due })
}

fn store_job(tx: &Tx, job: Job) -> Res<Job> {
    let due = job.due;
    let key = job_key(due, job.id).into_vec();
    tx.put(T::Jobs, &key, &job)?;
    let owner = job.kind.owner();
    let mut keys = owner_jobs(tx, owner)?;
    keys.push(key);
    set_owner_jobs(tx, owner, &keys)?;
    Ok(job)
}

/// Removes every pending job of `owner`.
pub fn cancel_owner(tx: &Tx, owner: JobOwner) -> Res<()> {
    for key in owner_jobs(tx, owner)? {
        tx.del(T::Jobs, &key)?;
    }
    set_owner_jobs(tx, owner, &[])
}

fn owner_pending(tx: &Tx, owner: JobOwner) -> Res<Vec<Job>> {
    let mut out = vec![];
    for key in owner_jobs(tx, owner)? {
        if let Some(j) = tx.get::<Job>(T::Jobs, &key)? {
            out.push(j);
        }
    }
    Ok(out)
}

/// Removes one job (sent or dropped).
pub fn finish(tx: &Tx, job: &Job) -> Res<()> {
    let key = job_key(job.due, job.id).into_vec();
    tx.del(T::Jobs, &key)?;
    let owner = job.kind.owner();
    let mut keys = owner_jobs(tx, owner)?;
    keys.retain(|k| *k != key);
    set_owner_jobs(tx, owner, &keys)?;
    if let JobKind::Digest { centre, date } = job.kind {
        tx.mark(T::Meta, digest_done_key(centre, date))?;
        // The coordinators have been told who was not reached.
        tx.del(T::Meta, unreached_key(centre))?;
    }
    tx.del(T::Meta, tries_key(job.id))?;
    Ok(())
}

/// Members of a centre whom a reminder could not reach before its event (for the digest).
fn unreached_key(centre: CentreId) -> Key {
    Key::new().str("unreached/").u64(centre.0)
}

/// How many times a job's sends failed for good (its back-off).
fn tries_key(job: u64) -> Key {
    Key::new().str("jobtry/").u64(job)
}

/// (Re)plans a volunteer's reminders for their signup (`overdue`: what becomes of those
/// whose time has passed: dropped for a signup just made, at once after a move).
pub fn plan_signup(
    tx: &Tx,
    centre: &Centre,
    shift: &Shift,
    signup: SignupId,
    now: DateTime<Utc>,
    overdue: Overdue,
) -> Res<()> {
    cancel_owner(tx, JobOwner::Signup(signup))?;
    let start = shift.starts_at(centre.tz());
    for p in reminders::volunteer_plan(&centre.policy, centre.tz(), start, now, overdue) {
        let identity = format!("v{}:{}@{}", signup.0, p.hours, start.timestamp());
        schedule_reminder(tx, JobKind::Volunteer { signup, hours: p.hours }, p.due, &identity, start)?;
    }
    Ok(())
}

/// (Re)plans a booking's evening-before reminder to its family (`overdue` as for
/// `plan_signup`).
pub fn plan_booking(
    tx: &Tx,
    centre: &Centre,
    shift: &Shift,
    booking: BookingId,
    now: DateTime<Utc>,
    overdue: Overdue,
) -> Res<()> {
    cancel_owner(tx, JobOwner::Booking(booking))?;
    let tz = centre.tz();
    let start = shift.starts_at(tz);
    if let Some(p) = reminders::family_plan(&centre.policy, tz, shift.date, start, now, overdue) {
        let identity = format!("f{}@{}", booking.0, start.timestamp());
        schedule_reminder(tx, JobKind::Family { booking }, p.due, &identity, start)?;
    }
    Ok(())
}

/// Makes sure the coordinators' digest of `date` is planned (once per centre and day).
pub fn plan_digest(tx: &Tx, centre: &Centre, date: NaiveDate, now: DateTime<Utc>) -> Res<()> {
    let owner = JobOwner::Digest(centre.id, date);
    if tx.contains(T::Meta, digest_done_key(centre.id, date))? || !owner_jobs(tx, owner)?.is_empty() {
        return Ok(());
    }
    if let Some(due) = reminders::digest_plan(&centre.policy, centre.tz(), date, now) {
        schedule(tx, JobKind::Digest { centre: centre.id, date }, due)?;
    }
    Ok(())
}

/// Every job that belongs to a shift's bookings, signups and cover search goes.
pub fn cancel_shift_jobs(tx: &Tx, shift: &Shift) -> Res<()> {
    for b in &shift.bookings {
        cancel_owner(tx, JobOwner::Booking(*b))?;
    }
    for s in &shift.signups {
        cancel_owner(tx, JobOwner::Signup(*s))?;
    }
    cancel_owner(tx, JobOwner::Cover(shift.id))
}

/// Re-plans every reminder of a shift (after it moved).
pub fn replan_shift(tx: &Tx, centre: &Centre, shift: &Shift, now: DateTime<Utc>) -> Res<()> {
    for id in &shift.bookings {
        if booking(tx, *id)?.is_live() {
            plan_booking(tx, centre, shift, *id, now, Overdue::AtOnce)?;
        }
    }
    for id in &shift.signups {
        if signup(tx, *id)?.is_on_duty() {
            plan_signup(tx, centre, shift, *id, now, Overdue::AtOnce)?;
        }
    }
    plan_digest(tx, centre, shift.date, now)?;
    cancel_owner(tx, JobOwner::Cover(shift.id))?;
    review_cover(tx, centre, shift, now)
}

/// After a shift's children or caregivers changed: `capacity::rebalance` (the waitlist
/// promoted, the understaffed flag), then the search for cover started or stopped to match.
pub fn rebalance_and_review(
    tx: &Tx,
    centre: &Centre,
    shift: &mut Shift,
    now: DateTime<Utc>,
    notes: &mut Vec<Notice>,
) -> Res<()> {
    capacity::rebalance(tx, centre, shift, notes)?;
    review_cover(tx, centre, shift, now)
}

/// Starts the search for cover when a shift lacks volunteers, and stops it (withdrawing
/// asks not yet sent) when it no longer does.
pub fn review_cover(tx: &Tx, centre: &Centre, shift: &Shift, now: DateTime<Utc>) -> Res<()> {
    let owner = JobOwner::Cover(shift.id);
    let needed = cover_needed(tx, centre, shift)?;
    if needed == 0 || shift.starts_at(centre.tz()) <= now {
        return cancel_owner(tx, owner);
    }
    let searching = owner_pending(tx, owner)?.iter().any(|j| matches!(j.kind, JobKind::CoverRound { .. }));
    if !searching {
        schedule(tx, JobKind::CoverRound { shift: shift.id }, now)?;
    }
    Ok(())
}

/// Someone who just dropped a shift is not asked to cover it.
pub fn note_declined(tx: &Tx, shift: ShiftId, user: UserId) -> Res<()> {
    let key = Key::new().u64(shift.0);
    let mut call: CoverCall = tx.get(T::CoverCalls, &key)?.unwrap_or_default();
    if !call.asked.contains(&user) {
        call.asked.push(user);
        tx.put(T::CoverCalls, &key, &call)?;
    }
    Ok(())
}

fn sent_key(job: u64, user: UserId) -> Key {
    Key::new().u64(job).i64(user.0)
}

/// Records `user` as already told what `job` says (they saw it another way: the
/// coordinator who committed a round by hand has its plan as their reply), until `expires`.
pub fn mark_told(tx: &Tx, job: &Job, user: UserId, expires: i64) -> Res<()> {
    tx.put(T::Sent, sent_key(job.id, user), &None::<i32>)?;
    Ok(tx.expire_at(T::Sent, sent_key(job.id, user), expires)?)
}

impl Service {
    /// Jobs due now, oldest first (a range read from the start of the due-time order).
    pub fn due_jobs(&self, limit: usize) -> Result<Vec<Job>, ServiceError> {
        let end = job_key(self.now(), u64::MAX);
        let mut out = vec![];
        for r in self.store.tree(T::Jobs).range(..end.into_vec()).take(limit) {
            let (_, v) = r.map_err(crate::store::StoreError::from)?;
            out.push(crate::store::decode(&v)?);
        }
        Ok(out)
    }

    /// When the next job falls due.
    pub fn next_job_due(&self) -> Result<Option<DateTime<Utc>>, ServiceError> {
        match self.store.tree(T::Jobs).first().map_err(crate::store::StoreError::from)? {
            Some((_, v)) => Ok(Some(crate::store::decode::<Job>(&v)?.due)),
            None => Ok(None),
        }
    }

    /// Every pending job (tests and diagnostics; a scan).
    pub fn pending_jobs(&self) -> Result<Vec<Job>, ServiceError> {
        Ok(self.store.scan::<Job>(T::Jobs, &[])?.into_iter().map(|(_, j)| j).collect())
    }

    /// Who has been sent which job: `(job id, user, message id)` (tests and diagnostics).
    pub fn sent_log(&self) -> Result<Vec<(u64, UserId, Option<i32>)>, ServiceError> {
        let mut out = vec![];
        for (k, msg) in self.store.scan::<Option<i32>>(T::Sent, &[])? {
            let job = u64_at(&k, 0).unwrap_or(0);
            let user = i64_at(&k, 8).unwrap_or(0);
            out.push((job, UserId(user), msg));
        }
        Ok(out)
    }

    /// Decides what a due job does now, from the live records. Changes nothing.
    pub fn prepare_job(&self, job: &Job) -> Result<JobStep, ServiceError> {
        let now = self.now();
        // The digest lists a day's shifts: an index range, read before the transaction.
        let day_shifts = match job.kind {
            JobKind::Digest { centre, date } => self.shift_ids_between(centre, date, date)?,
            _ => vec![],
        };
        self.store
            .read(|tx| -> Res<JobStep> {
                if !tx.contains(T::Jobs, job_key(job.due, job.id))? {
                    return Ok(JobStep::Drop);
                }
                let step = match &job.kind {
                    JobKind::Volunteer { signup: id, hours } => volunteer_step(tx, job, *id, *hours, now)?,
                    JobKind::Family { booking: id } => family_step(tx, *id, now)?,
                    JobKind::Digest { centre, date } => digest_step(tx, *centre, *date, &day_shifts, now)?,
                    JobKind::CoverRound { shift } => {
                        let s = shift_by_id(tx, *shift)?;
                        let c = centre(tx, s.centre)?;
                        if s.starts_at(c.tz()) > now && cover_needed(tx, &c, &s)? > 0 {
                            JobStep::CoverRound
                        } else {
                            JobStep::Drop
                        }
                    }
                    JobKind::CoverAsk { shift, user } => cover_ask_step(tx, *shift, *user, now)?,
                    JobKind::RoundCommit { .. } => JobStep::CommitRound,
                    JobKind::RoundResult { round, family: f, .. } => {
                        match tx.get::<Reminder>(T::Meta, round_news_key(*round, *f))? {
                            // Told until the round's week is over.
                            Some(r @ Reminder::Round { week, .. })
                                if now.date_naive() <= week + chrono::Duration::days(7) =>
                            {
                                JobStep::Send { to: family(tx, *f)?.guardians, reminder: r }
                            }
                            _ => JobStep::Drop,
                        }
                    }
                    JobKind::RoundSummary { round, centre: c } => {
                        match tx.get::<Reminder>(T::Meta, round_summary_key(*round))? {
                            // Told until the round's week is over, like the families.
                            Some(r @ Reminder::RoundSummary { .. })
                                if matches!(&r, Reminder::RoundSummary { summary }
                                    if now.date_naive() <= summary.week + chrono::Duration::days(7)) =>
                            {
                                JobStep::Send { to: coordinators(tx, *c)?, reminder: r }
                            }
                            _ => JobStep::Drop,
                        }
                    }
                };
                Ok(match step {
                    JobStep::Send { to, reminder } => {
                        let mut left = vec![];
                        for u in to {
                            if !tx.contains(T::Sent, sent_key(job.id, u))? {
                                left.push(u);
                            }
                        }
                        if left.is_empty() {
                            JobStep::Drop
                        } else {
                            JobStep::Send { to: left, reminder }
                        }
                    }
                    other => other,
                })
            })
            .map_err(ServiceError::from_write)
    }

    /// Records that `user` was sent `job` (with the Telegram message id, if one came
    /// back), in one flushed transaction: it is never sent to them again.
    pub fn job_sent(&self, job: &Job, user: UserId, message: Option<i32>) -> Result<(), ServiceError> {
        let expires = self.expiry(self.now());
        self.store
            .write(|tx| -> Res<()> {
                tx.put(T::Sent, sent_key(job.id, user), &message)?;
                Ok(tx.expire_at(T::Sent, sent_key(job.id, user), expires)?)
            })
            .map_err(ServiceError::from_write)
    }

    /// Some sends of `job` failed even after their retries (Telegram or the network was
    /// down): the job stays pending, due again after a back-off (30 s doubling up to
    /// 30 min), under its own id, so whoever it reached is not sent it again. A job
    /// whose event has started is dropped by `prepare_job` as usual; returns the moved
    /// job (None: it was gone).
    pub fn retry_job(&self, job: &Job) -> Result<Option<Job>, ServiceError> {
        let now = self.now();
        self.store
            .write(|tx| -> Res<Option<Job>> {
                let old = job_key(job.due, job.id).into_vec();
                if !tx.contains(T::Jobs, &old)? {
                    return Ok(None);
                }
                let tries: u32 = tx.get(T::Meta, tries_key(job.id))?.unwrap_or(0);
                tx.put(T::Meta, tries_key(job.id), &(tries + 1))?;
                let wait = chrono::Duration::seconds((30i64 << tries.min(6)).min(1800));
                let moved = Job { due: now + wait, ..job.clone() };
                let new = job_key(moved.due, moved.id).into_vec();
                tx.del(T::Jobs, &old)?;
                tx.put(T::Jobs, &new, &moved)?;
                let owner = job.kind.owner();
                let mut keys = owner_jobs(tx, owner)?;
                keys.retain(|k| *k != old);
                keys.push(new);
                set_owner_jobs(tx, owner, &keys)?;
                Ok(Some(moved))
            })
            .map_err(ServiceError::from_write)
    }

    /// A job whose event started before its sends got through: records who it did not
    /// reach (for the coordinators' next digest) and removes it.
    pub fn job_undelivered(&self, job: &Job) -> Result<Vec<UserId>, ServiceError> {
        self.store
            .write(|tx| -> Res<Vec<UserId>> {
                let (centre, meant): (CentreId, Vec<UserId>) = match job.kind {
                    JobKind::Volunteer { signup: id, .. } => {
                        let s = signup(tx, id)?;
                        (shift_by_id(tx, s.shift)?.centre, vec![s.user])
                    }
                    JobKind::Family { booking: id } => {
                        let b = booking(tx, id)?;
                        (b.centre, family(tx, b.family)?.guardians)
                    }
                    JobKind::CoverAsk { shift, user } => (shift_by_id(tx, shift)?.centre, vec![user]),
                    JobKind::Digest { centre, .. } => (centre, coordinators(tx, centre)?),
                    JobKind::RoundResult { centre, family: f, .. } => (centre, family(tx, f)?.guardians),
                    JobKind::RoundSummary { centre, .. } => (centre, coordinators(tx, centre)?),
                    JobKind::CoverRound { .. } | JobKind::RoundCommit { .. } => {
                        return finish(tx, job).map(|()| vec![])
                    }
                };
                let mut missed = vec![];
                for u in meant {
                    if !tx.contains(T::Sent, sent_key(job.id, u))? {
                        missed.push(u);
                    }
                }
                if !missed.is_empty() && !matches!(job.kind, JobKind::Digest { .. }) {
                    let mut list: Vec<UserId> = tx.get(T::Meta, unreached_key(centre))?.unwrap_or_default();
                    for u in &missed {
                        if !list.contains(u) {
                            list.push(*u);
                        }
                    }
                    tx.put(T::Meta, unreached_key(centre), &list)?;
                }
                finish(tx, job)?;
                Ok(missed)
            })
            .map_err(ServiceError::from_write)
    }

    /// How many times a job's sends have failed for good so far.
    pub fn job_failures(&self, job: &Job) -> Result<u32, ServiceError> {
        Ok(self.store.get(T::Meta, tries_key(job.id))?.unwrap_or(0))
    }

    /// Removes a job that was sent to everyone or has nothing left to send.
    pub fn finish_job(&self, job: &Job) -> Result<(), ServiceError> {
        self.store.write(|tx| finish(tx, job)).map_err(ServiceError::from_write)
    }

    /// One round of the search for cover: asks the next members who volunteered least
    /// recently and are free then, and plans the next, wider round.
    pub fn run_cover_round(&self, job: &Job) -> Result<Vec<UserId>, ServiceError> {
        let JobKind::CoverRound { shift: shift_id } = job.kind else {
            return Err(ServiceError::UnknownShift);
        };
        let now = self.now();
        let Some(shift) = self.shift(shift_id)? else {
            self.finish_job(job)?;
            return Ok(vec![]);
        };
        let Some(centre_rec) = self.centre(shift.centre)? else {
            self.finish_job(job)?;
            return Ok(vec![]);
        };
        let retained_until = self.expiry(shift.starts_at(centre_rec.tz()));
        let round = reminders::cover_round(&centre_rec.policy, shift.starts_at(centre_rec.tz()), now);
        let call: CoverCall = self.store.get(T::CoverCalls, Key::new().u64(shift.id.0))?.unwrap_or_default();
        // Candidates in least-recently-volunteered order: an index range. Some will be
        // skipped (asked before, busy, blocked), so read a margin beyond the batch.
        let want = round.batch.saturating_mul(4).saturating_add(call.asked.len() + shift.signups.len());
        let prefix = Key::new().u64(shift.centre.0);
        let mut candidates = vec![];
        for k in self.store.index_keys(T::CoverOrder, prefix.bytes(), &[]).take(want) {
            let k = k?;
            let user = UserId(i64_at(&k, 12).unwrap_or(0));
            if !call.asked.contains(&user) {
                candidates.push(user);
            }
        }
        let unreachable: Vec<UserId> = candidates
            .iter()
            .copied()
            .filter(|u| self.profile(*u).ok().flatten().is_some_and(|p| p.unreachable))
            .collect();
        self.store
            .write(|tx| -> Res<Vec<UserId>> {
                if !tx.contains(T::Jobs, job_key(job.due, job.id))? {
                    return Ok(vec![]);
                }
                finish(tx, job)?;
                let shift = shift_by_id(tx, shift_id)?;
                let centre = centre(tx, shift.centre)?;
                let start = shift.starts_at(centre.tz());
                if start <= now || cover_needed(tx, &centre, &shift)? == 0 {
                    return Ok(vec![]);
                }
                let on_duty: Vec<UserId> = shift_state(tx, &shift)?.on_duty.iter().map(|s| s.user).collect();
                let mut asked = vec![];
                for user in &candidates {
                    if asked.len() >= round.batch {
                        break;
                    }
                    if on_duty.contains(user) || unreachable.contains(user) {
                        continue;
                    }
                    let Some(m) = tx.get::<Member>(T::Members, member_key(*user))? else { continue };
                    if !m.is_active()
                        || m.centre != centre.id
                        || rota::is_blocked(&m, &centre.policy)
                        || check_volunteer_free(tx, &centre, &shift, *user).is_err()
                    {
                        continue;
                    }
                    asked.push(*user);
                }
                let due = reminders::ask_time(&centre.policy, centre.tz(), start, now);
                for user in &asked {
                    schedule(tx, JobKind::CoverAsk { shift: shift.id, user: *user }, due)?;
                }
                let mut call: CoverCall = tx.get(T::CoverCalls, Key::new().u64(shift.id.0))?.unwrap_or_default();
                call.asked.extend(asked.iter().copied());
                tx.put(T::CoverCalls, Key::new().u64(shift.id.0), &call)?;
                // Kept for the retention after the shift's start (always the same time).
                tx.expire_at(T::CoverCalls, Key::new().u64(shift.id.0), retained_until)?;
                if let Some(next) = round.next {
                    schedule(tx, JobKind::CoverRound { shift: shift.id }, next)?;
                }
                Ok(asked)
            })
            .map_err(ServiceError::from_write)
    }

    /// Who has been asked to cover a shift so far.
    pub fn cover_call(&self, shift: ShiftId) -> Result<CoverCall, ServiceError> {
        Ok(self.store.get(T::CoverCalls, Key::new().u64(shift.0))?.unwrap_or_default())
    }
}

/// An open shift that has not started, with its centre; `None` when reminders are moot.
fn upcoming(tx: &Tx, id: ShiftId, now: DateTime<Utc>) -> Res<Option<(Shift, Centre)>> {
    let s = shift_by_id(tx, id)?;
    let c = centre(tx, s.centre)?;
    Ok((s.status == ShiftStatus::Open && s.starts_at(c.tz()) > now).then_some((s, c)))
}

fn volunteer_step(tx: &Tx, job: &Job, id: SignupId, hours: i64, now: DateTime<Utc>) -> Res<JobStep> {
    let s = signup(tx, id)?;
    let Some((shift, _)) = upcoming(tx, s.shift, now)? else { return Ok(JobStep::Drop) };
    let active = tx.get::<Member>(T::Members, member_key(s.user))?.is_some_and(|m| m.is_active());
    if !s.is_on_duty() || !active {
        return Ok(JobStep::Drop);
    }
    // After downtime several reminders of one signup may be due at once: send the latest.
    let superseded = owner_pending(tx, JobOwner::Signup(id))?.iter().any(|j| j.due <= now && j.due > job.due);
    if superseded {
        return Ok(JobStep::Drop);
    }
    let children = shift_state(tx, &shift)?.confirmed.len() as u32;
    Ok(JobStep::Send {
        to: vec![s.user],
        reminder: Reminder::Volunteer {
            shift: ShiftBrief::from(&shift),
            signup: id,
            hours,
            confirmed: s.status == SignupStatus::Confirmed,
            children,
        },
    })
}

fn family_step(tx: &Tx, id: BookingId, now: DateTime<Utc>) -> Res<JobStep> {
    let b = booking(tx, id)?;
    let Some((shift, centre)) = upcoming(tx, b.shift, now)? else { return Ok(JobStep::Drop) };
    if !b.is_live() {
        return Ok(JobStep::Drop);
    }
    let waitlist_position = if b.status == BookingStatus::Waitlisted {
        let st = shift_state(tx, &shift)?;
        st.waitlist.iter().position(|w| w.id == b.id).map(|p| p as u32 + 1)
    } else {
        None
    };
    let child = child_in(tx, centre.id, b.child)?;
    let fam = family(tx, b.family)?;
    let today = now.with_timezone(&centre.tz()).date_naive() >= shift.date;
    // A suspended guardian gets no reminders.
    let mut to = vec![];
    for g in &fam.guardians {
        if tx.get::<Member>(T::Members, member_key(*g))?.is_some_and(|m| m.is_active()) {
            to.push(*g);
        }
    }
    if to.is_empty() {
        return Ok(JobStep::Drop);
    }
    Ok(JobStep::Send {
        to,
        reminder: Reminder::Family { shift: ShiftBrief::from(&shift), child: child.name, waitlist_position, today },
    })
}

fn digest_step(tx: &Tx, centre_id: CentreId, date: NaiveDate, ids: &[ShiftId], now: DateTime<Utc>) -> Res<JobStep> {
    let centre = centre(tx, centre_id)?;
    let mut shifts = vec![];
    for id in ids {
        let shift = shift_by_id(tx, *id)?;
        // Open shifts of the day that have not started (a digest sent late after downtime
        // leaves out what is already under way).
        if shift.status != ShiftStatus::Open || shift.date != date || shift.starts_at(centre.tz()) <= now {
            continue;
        }
        let st = shift_state(tx, &shift)?;
        let mut children = [0u32; 3];
        for b in &st.confirmed {
            children[b.group.index()] += 1;
        }
        let mut volunteers = vec![];
        for s in &st.on_duty {
            volunteers.push(tx.get::<Member>(T::Members, member_key(s.user))?.map(|m| m.name).unwrap_or_default());
        }
        shifts.push(DigestShift {
            shift: ShiftBrief::from(&shift),
            children,
            waitlist: st.waitlist.len() as u32,
            volunteers,
            staff: shift.staff,
            missing: cover_needed(tx, &centre, &shift)?,
            understaffed: shift.understaffed,
        });
    }
    if shifts.is_empty() {
        return Ok(JobStep::Drop);
    }
    shifts.sort_by_key(|s| s.shift.start);
    let today = now.with_timezone(&centre.tz()).date_naive() >= date;
    let unreached: Vec<UserId> = tx.get(T::Meta, unreached_key(centre_id))?.unwrap_or_default();
    let mut names = vec![];
    for u in unreached {
        names.push(tx.get::<Member>(T::Members, member_key(u))?.map(|m| m.name).unwrap_or_else(|| u.to_string()));
    }
    let reminder = Reminder::Digest { date, shifts, today, unreached: names };
    Ok(JobStep::Send { to: coordinators(tx, centre_id)?, reminder })
}

fn cover_ask_step(tx: &Tx, shift_id: ShiftId, user: UserId, now: DateTime<Utc>) -> Res<JobStep> {
    let Some((shift, centre)) = upcoming(tx, shift_id, now)? else { return Ok(JobStep::Drop) };
    let missing = cover_needed(tx, &centre, &shift)?;
    // Suspended (or gone) since the ask was planned: not asked.
    let asked = tx.get::<Member>(T::Members, member_key(user))?.filter(|m| m.is_active());
    if missing == 0 || asked.is_none() || check_volunteer_free(tx, &centre, &shift, user).is_err() {
        return Ok(JobStep::Drop);
    }
    // Credits go to a family's account: a member without one is promised none.
    let earn = match asked.and_then(|m| m.family) {
        Some(_) => ledger::volunteer_earning(shift.minutes(), &centre.policy).map_err(ServiceError::from)?,
        None => 0,
    };
    Ok(JobStep::Send {
        to: vec![user],
        reminder: Reminder::CoverAsk { shift: ShiftBrief::from(&shift), earn, missing },
    })
}

/// Removes one pending job (by its `Jobs` key) and its entry in its owner's list.
pub fn remove_job(tx: &Tx, key: &[u8]) -> Res<()> {
    if let Some(job) = tx.get::<Job>(T::Jobs, key)? {
        let owner = job.kind.owner();
        let mut keys = owner_jobs(tx, owner)?;
        keys.retain(|k| k != key);
        set_owner_jobs(tx, owner, &keys)?;
        tx.del(T::Jobs, key)?;
    }
    Ok(())
}
