//! The fair weekly allocation round (issue 14): a coordinator opens a round for a week,
//! families wish until the deadline (each child's shifts in order and how many at most),
//! and at the deadline the engine (`crate::allocation`) allocates every wish at once.
//! The result is booked as ordinary bookings (`booking::place_booking`, the steps of
//! `book`) in one transaction, with the lottery's seed kept in the round; each family is
//! told through a `RoundResult` job (the outbox: at least once, never twice on a record).
//! While a round is open, first-come booking of its week waits (`ServiceError::RoundOpen`);
//! what stays free after the commit is open to it again.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use super::booking::place_booking;
use super::capacity::shift_state;
use super::jobs::{finish, mark_told, round_news_key, round_summary_key, schedule, RoundChild, RoundSummary};
use super::records::*;
use super::{Caller, Outcome, Res, Service, ServiceError, ShiftBrief};
use crate::allocation::{self, Choice, FamilyFacts, Problem, Reason, ShiftFacts, WishFacts};
use crate::domain::*;
use crate::ledger;
use crate::store::{keys::u64_at, Key, Tx, T};

/// The most shifts one wish may name.
pub const MAX_WISH: usize = 10;
/// The fairness input looks back this many weeks before the round's week.
const FAIRNESS_WEEKS: i64 = 8;

/// What the engine allocates (preview) or allocated (commit), child by child.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundPlan {
    pub round: Round,
    pub children: Vec<PlanChild>,
    /// Child-shifts placed.
    pub placed: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanChild {
    pub child: ChildId,
    pub family: FamilyId,
    pub result: RoundChild,
}

/// What the `/wish` flow offers: the round, the family's children, the week's shifts.
#[derive(Debug, Clone, PartialEq)]
pub struct WishOptions {
    pub round: Round,
    pub children: Vec<Child>,
    pub shifts: Vec<Shift>,
}

/// The Monday of `day`'s week (`day` itself at the far end of the calendar, where no
/// round is: no panic on a typed date).
fn week_of(day: NaiveDate) -> NaiveDate {
    day.checked_sub_days(chrono::Days::new(u64::from(day.weekday().num_days_from_monday()))).unwrap_or(day)
}

fn wish_key(round: RoundId, child: ChildId) -> Key {
    Key::new().str("wish/").u64(round.0).u64(child.0)
}

/// A centre's open rounds (ids), earliest week first.
fn open_rounds_key(centre: CentreId) -> Key {
    Key::new().str("roundsopen/").u64(centre.0)
}

fn round_in(tx: &Tx, centre: CentreId, id: RoundId) -> Res<Round> {
    match tx.get::<Round>(T::Meta, round_key(id))? {
        Some(r) if r.centre == centre => Ok(r),
        _ => Err(ServiceError::UnknownRound.into()),
    }
}

/// Families' standing: care received minus care contributed (credit minutes) over the
/// weeks before the round.
type Standings = HashMap<FamilyId, i64>;

impl Service {
    /// Opens a round for the week starting `week_start` (a Monday), taking wishes until
    /// `deadline` (the centre's local time), which lies ahead and before the week begins.
    /// One round per centre-week.
    pub fn open_round(
        &self,
        caller: &Caller,
        week_start: NaiveDate,
        deadline: chrono::NaiveDateTime,
    ) -> Result<Outcome<Round>, ServiceError> {
        let seed: u64 = rand::random();
        self.change(caller, |tx, now| {
            let m = coordinator(tx, caller.user)?;
            let centre = centre(tx, m.centre)?;
            let deadline = local_to_utc(centre.tz(), deadline);
            let begins = local_to_utc(centre.tz(), week_start.and_time(chrono::NaiveTime::MIN));
            if week_start.weekday() != chrono::Weekday::Mon || deadline <= now || deadline >= begins {
                return Err(ServiceError::BadRoundDates.into());
            }
            check_date(self.today(centre.tz()), week_start)?;
            let week = round_week_key(centre.id, week_start);
            if tx.contains(T::Meta, &week)? {
                return Err(ServiceError::RoundExists.into());
            }
            let id = RoundId(tx.next_id("round")?);
            let round = Round {
                id,
                centre: centre.id,
                week_start,
                deadline,
                opened_by: caller.user,
                seed,
                status: RoundStatus::Open,
                children: vec![],
                committed_at: None,
                placed: 0,
            };
            tx.put(T::Meta, round_key(id), &round)?;
            tx.put(T::Meta, &week, &id)?;
            let mut open: Vec<(NaiveDate, RoundId)> = tx.get(T::Meta, open_rounds_key(centre.id))?.unwrap_or_default();
            open.push((week_start, id));
            open.sort();
            tx.put(T::Meta, open_rounds_key(centre.id), &open)?;
            schedule(tx, JobKind::RoundCommit { round: id }, deadline)?;
            Ok((round, vec![]))
        })
    }

    /// The rounds of the caller's centre still taking wishes (open, deadline ahead),
    /// earliest week first.
    pub fn wish_rounds(&self, user: UserId) -> Result<Vec<Round>, ServiceError> {
        let (m, _) = self.my_centre(user)?;
        let now = self.now();
        let open: Vec<(NaiveDate, RoundId)> = self.store.get(T::Meta, open_rounds_key(m.centre))?.unwrap_or_default();
        let mut out = vec![];
        for (_, id) in open {
            if let Some(r) = self.store.get::<Round>(T::Meta, round_key(id))? {
                if r.status == RoundStatus::Open && r.deadline > now {
                    out.push(r);
                }
            }
        }
        Ok(out)
    }

    /// The round a `/wish` is for: the week's (`week`: any day of it) when named, else
    /// the only round taking wishes, or all of them for the parent to choose from.
    /// A week without a round, or whose round takes no more wishes, answers
    /// `NoWishRound` with the weeks that do; no round at all, `UnknownRound`.
    pub fn wish_round(&self, user: UserId, week: Option<NaiveDate>) -> Result<Vec<Round>, ServiceError> {
        // Only a family wishes (a member without one is told so before any week).
        self.children(user)?;
        let open = self.wish_rounds(user)?;
        let Some(day) = week else {
            return if open.is_empty() { Err(ServiceError::UnknownRound) } else { Ok(open) };
        };
        let monday = week_of(day);
        if let Some(r) = open.iter().find(|r| r.week_start == monday) {
            return Ok(vec![r.clone()]);
        }
        let (m, _) = self.my_centre(user)?;
        let closed = self.store.get::<RoundId>(T::Meta, round_week_key(m.centre, monday))?.is_some();
        Err(ServiceError::NoWishRound { week: monday, closed, open: open.iter().map(|r| r.week_start).collect() })
    }

    /// The earliest open round of a coordinator's centre (deadline passed or not), or the
    /// round of `week` (any day of it; committed or not).
    pub fn coordinated_round(&self, user: UserId, week: Option<NaiveDate>) -> Result<Round, ServiceError> {
        let (m, _) = self.my_coordinated_centre(user)?;
        let id = match week {
            Some(day) => self.store.get::<RoundId>(T::Meta, round_week_key(m.centre, week_of(day)))?,
            None => {
                let open: Vec<(NaiveDate, RoundId)> =
                    self.store.get(T::Meta, open_rounds_key(m.centre))?.unwrap_or_default();
                open.first().map(|(_, id)| *id)
            }
        };
        let id = id.ok_or(ServiceError::UnknownRound)?;
        self.store.get(T::Meta, round_key(id))?.ok_or(ServiceError::UnknownRound)
    }

    /// `/round status`: the coordinator's centre's rounds, newest week first (at most
    /// `limit`), each with how many children have a wish in it.
    pub fn rounds(&self, user: UserId, limit: usize) -> Result<Vec<Round>, ServiceError> {
        let (m, _) = self.my_coordinated_centre(user)?;
        let prefix = Key::new().str("roundweek/").u64(m.centre.0).into_vec();
        let mut out = vec![];
        for k in self.store.last_index_keys(T::Meta, &prefix, limit)? {
            if let Some(id) = self.store.get::<RoundId>(T::Meta, &k)? {
                out.extend(self.store.get::<Round>(T::Meta, round_key(id))?);
            }
        }
        Ok(out)
    }

    /// What the `/wish` flow offers the caller in `round`: the round (still taking
    /// wishes, of their centre), their children, and the open shifts of its week.
    pub fn wish_options(&self, user: UserId, round: RoundId) -> Result<WishOptions, ServiceError> {
        let round = self.wish_rounds(user)?.into_iter().find(|r| r.id == round).ok_or(ServiceError::RoundClosed)?;
        let children = self.children(user)?;
        let now = self.now();
        let ids = self.shift_ids_between(round.centre, round.week_start, round.week_end())?;
        let shifts = self
            .store
            .read(|tx| -> Res<Vec<Shift>> {
                let c = centre(tx, round.centre)?;
                let mut out = vec![];
                for id in &ids {
                    if let Ok(s) = open_future_shift(tx, &c, *id, now) {
                        out.push(s);
                    }
                }
                Ok(out)
            })
            .map_err(ServiceError::from_write)?;
        Ok(WishOptions { round, children, shifts })
    }

    /// A guardian's wish for a child: `shifts` in order of preference (of the round's
    /// week and centre), at most `max` of them. Submitting again replaces the wish.
    pub fn submit_wish(
        &self,
        caller: &Caller,
        round_id: RoundId,
        child_id: ChildId,
        shifts: &[ShiftId],
        max: u32,
    ) -> Result<Outcome<Wish>, ServiceError> {
        let mut list: Vec<ShiftId> = vec![];
        for s in shifts {
            if !list.contains(s) {
                list.push(*s);
            }
        }
        if list.is_empty() || list.len() > MAX_WISH || max == 0 || max as usize > list.len() {
            return Err(ServiceError::BadWish { max: MAX_WISH });
        }
        self.change(caller, |tx, now| {
            let m = active_member(tx, caller.user)?;
            let fam = family_of(tx, &m)?;
            let centre = centre(tx, m.centre)?;
            let mut round = round_in(tx, centre.id, round_id)?;
            if round.status != RoundStatus::Open || now >= round.deadline {
                return Err(ServiceError::RoundClosed.into());
            }
            let child = child_in(tx, centre.id, child_id)?;
            if child.family != fam.id {
                return Err(ServiceError::UnknownChild.into());
            }
            let p = &centre.policy;
            for id in &list {
                let shift = open_future_shift(tx, &centre, *id, now)?;
                if shift.date < round.week_start || shift.date > round.week_end() {
                    return Err(ServiceError::ShiftNotInRound.into());
                }
                age_group(child.birth_date, shift.date, p.min_age_months, p.max_age_months)
                    .map_err(ServiceError::ChildAge)?;
            }
            let wish = Wish {
                round: round.id,
                child: child.id,
                family: fam.id,
                by: caller.user,
                shifts: list.clone(),
                max,
                at: now,
            };
            tx.put(T::Meta, wish_key(round.id, child.id), &wish)?;
            if !round.children.contains(&child.id) {
                round.children.push(child.id);
                tx.put(T::Meta, round_key(round.id), &round)?;
            }
            Ok((wish, vec![]))
        })
    }

    /// The caller's family's wishes in a round.
    pub fn my_wishes(&self, user: UserId, round: RoundId) -> Result<Vec<Wish>, ServiceError> {
        let kids = self.children(user)?;
        let mut out = vec![];
        for c in kids {
            if let Some(w) = self.store.get::<Wish>(T::Meta, wish_key(round, c.id))? {
                out.push(w);
            }
        }
        Ok(out)
    }

    /// What the engine would allocate now for the coordinator's round. Changes nothing.
    pub fn preview_round(&self, user: UserId, round_id: RoundId) -> Result<RoundPlan, ServiceError> {
        let (m, _) = self.my_coordinated_centre(user)?;
        let now = self.now();
        self.store
            .read(|tx| -> Res<RoundPlan> {
                let round = round_in(tx, m.centre, round_id)?;
                if round.status != RoundStatus::Open {
                    return Err(ServiceError::RoundClosed.into());
                }
                Ok(plan(tx, &round, &standings(tx, &round)?, now)?.0)
            })
            .map_err(ServiceError::from_write)
    }

    /// A coordinator commits the round now (before its deadline, or when the loop has
    /// not yet). A committed round answers `RoundClosed` and changes nothing.
    pub fn commit_round(&self, caller: &Caller, round_id: RoundId) -> Result<Outcome<RoundPlan>, ServiceError> {
        let m = self.my_coordinated_centre(caller.user)?.0;
        self.change(caller, |tx, now| {
            coordinator(tx, caller.user)?;
            let round = round_in(tx, m.centre, round_id)?;
            Ok((commit_in(tx, round, now, Some(caller.user))?, vec![]))
        })
    }

    /// The reminder loop's `RoundCommit` job: commits the round at its deadline and
    /// removes the job in the same transaction. None: already committed (or gone).
    pub fn commit_due_round(&self, job: &Job) -> Result<Option<RoundPlan>, ServiceError> {
        let JobKind::RoundCommit { round: id } = job.kind else {
            return Err(ServiceError::UnknownRound);
        };
        let now = self.now();
        self.store
            .write(|tx| -> Res<Option<RoundPlan>> {
                let out = match tx.get::<Round>(T::Meta, round_key(id))? {
                    Some(r) if r.status == RoundStatus::Open => Some(commit_in(tx, r, now, None)?),
                    _ => None,
                };
                finish(tx, job)?;
                Ok(out)
            })
            .map_err(ServiceError::from_write)
    }

    /// A family's wishes (its `children`) in every round of `centre` (`/mydata`).
    pub(super) fn family_wishes(&self, centre: CentreId, children: &[ChildId]) -> Result<Vec<Wish>, ServiceError> {
        let prefix = Key::new().str("roundweek/").u64(centre.0).into_vec();
        let mut out = vec![];
        for (_, id) in self.store.scan::<RoundId>(T::Meta, &prefix)? {
            for c in children {
                out.extend(self.store.get::<Wish>(T::Meta, wish_key(id, *c))?);
            }
        }
        Ok(out)
    }

    /// A round's record (tests and diagnostics).
    pub fn round(&self, id: RoundId) -> Result<Option<Round>, ServiceError> {
        Ok(self.store.get(T::Meta, round_key(id))?)
    }
}

/// Each wishing family's standing: care received (booked cost of its children's shifts)
/// minus care contributed (what its guardians earned volunteering) over the
/// `FAIRNESS_WEEKS` weeks before the round's week, from the dated indexes. Read in the
/// commit's own change (or the preview's read), so a wish or a booking saved just before
/// the commit is weighed with what it stands on, never with a standing read before it.
fn standings(tx: &Tx, round: &Round) -> Res<Standings> {
    let centre = centre(tx, round.centre)?;
    let (from, to) = (round.week_start - chrono::Duration::weeks(FAIRNESS_WEEKS), round.week_start);
    let mut out = Standings::new();
    for child in &round.children {
        let Some(w) = tx.get::<Wish>(T::Meta, wish_key(round.id, *child))? else { continue };
        if out.contains_key(&w.family) {
            continue;
        }
        let Some(fam) = tx.get::<Family>(T::Families, Key::new().u64(w.family.0))? else { continue };
        let mut standing = 0i64;
        for id in family_bookings_between(tx, fam.id, from, Some(to))? {
            if let Some(b) = tx.get::<Booking>(T::Bookings, Key::new().u64(id.0))? {
                if b.status != BookingStatus::Cancelled {
                    standing += b.charged + b.held;
                }
            }
        }
        for g in &fam.guardians {
            for id in member_signups_between(tx, *g, from, Some(to))? {
                let Some(s) = tx.get::<Signup>(T::Signups, Key::new().u64(id.0))? else { continue };
                if s.family != Some(fam.id)
                    || !matches!(s.status, SignupStatus::Served | SignupStatus::SignedUp | SignupStatus::Confirmed)
                {
                    continue;
                }
                if let Some(shift) = tx.get::<Shift>(T::Shifts, Key::new().u64(s.shift.0))? {
                    standing -= ledger::volunteer_earning(shift.minutes(), &centre.policy).unwrap_or(0);
                }
            }
        }
        out.insert(fam.id, standing);
    }
    Ok(out)
}

/// What one wished shift is, for the engine (or why it cannot be had at all).
struct Candidate {
    shift: ShiftId,
    choice: Result<Choice, Miss>,
}

/// The engine's problem from the live records, run with the round's seed. Also returns,
/// per child of the plan, its wish's candidates and the loaded shifts (for the commit).
#[allow(clippy::type_complexity)]
fn plan(
    tx: &Tx,
    round: &Round,
    standings: &Standings,
    now: DateTime<Utc>,
) -> Res<(RoundPlan, Vec<(usize, usize)>, Vec<Shift>, Vec<(Child, Wish)>)> {
    let centre = centre(tx, round.centre)?;
    let p = &centre.policy;
    let mut shifts: Vec<Shift> = vec![];
    let mut facts: Vec<ShiftFacts> = vec![];
    let mut index: HashMap<ShiftId, Option<usize>> = HashMap::new();
    let mut families: Vec<FamilyFacts> = vec![];
    let mut fam_index: HashMap<FamilyId, usize> = HashMap::new();
    let mut wishes: Vec<WishFacts> = vec![];
    let mut cands: Vec<Vec<Candidate>> = vec![];
    let mut who: Vec<(Child, Wish)> = vec![];
    for child_id in &round.children {
        let Some(w) = tx.get::<Wish>(T::Meta, wish_key(round.id, *child_id))? else { continue };
        let Some(child) = tx.get::<Child>(T::Children, Key::new().u64(child_id.0))? else { continue };
        let Some(fam) = tx.get::<Family>(T::Families, Key::new().u64(w.family.0))? else { continue };
        if child.family != fam.id || fam.guardians.is_empty() {
            continue;
        }
        let f = *fam_index.entry(fam.id).or_insert_with(|| {
            families.push(FamilyFacts { standing: standings.get(&fam.id).copied().unwrap_or(0), credit: 0 });
            families.len() - 1
        });
        families[f].credit = balance(tx, AccountId::Family(fam.id))? + fam.overdraft_limit.max(0);
        let mut list = vec![];
        for sid in &w.shifts {
            let slot = match index.get(sid) {
                Some(x) => *x,
                None => {
                    let x = match open_future_shift(tx, &centre, *sid, now) {
                        Ok(s) => {
                            let st = shift_state(tx, &s)?;
                            let cost = ledger::care_cost(s.minutes(), p).map_err(ServiceError::from)?;
                            // A shift with a waitlist has no free place to give.
                            let capacity = if st.waitlist.is_empty() { s.capacity } else { 0 };
                            facts.push(ShiftFacts {
                                caregivers: st.caregivers(&s),
                                capacity,
                                confirmed: st.occupancy(),
                                cost,
                                day: s.date.num_days_from_ce(),
                                start: minutes_of(s.start),
                                end: minutes_of(s.end),
                            });
                            shifts.push(s);
                            Some(shifts.len() - 1)
                        }
                        Err(_) => None,
                    };
                    index.insert(*sid, x);
                    x
                }
            };
            let choice = match slot {
                None => Err(Miss::Unavailable),
                Some(i) => {
                    let s = &shifts[i];
                    match age_group(child.birth_date, s.date, p.min_age_months, p.max_age_months) {
                        Err(_) => Err(Miss::Unavailable),
                        Ok(group) => match child_busy(tx, &centre, &child, s)? {
                            true => Err(Miss::Overlap),
                            false => Ok(Choice { shift: i, group }),
                        },
                    }
                }
            };
            list.push(Candidate { shift: *sid, choice });
        }
        wishes.push(WishFacts { family: f, choices: list.iter().filter_map(|c| c.choice.ok()).collect(), max: w.max });
        cands.push(list);
        who.push((child, w));
    }
    let problem = Problem { policy: p.clone(), shifts: facts, families, wishes };
    let alloc = allocation::allocate(&problem, round.seed);
    let brief = |tx: &Tx, id: ShiftId| -> Res<ShiftBrief> {
        Ok(match index.get(&id).copied().flatten() {
            Some(i) => ShiftBrief::from(&shifts[i]),
            None => ShiftBrief::from(&shift_by_id(tx, id)?),
        })
    };
    let mut children = vec![];
    let mut placements = vec![];
    for (w, out) in alloc.wishes.iter().enumerate() {
        let (child, wish) = &who[w];
        let mut got = vec![];
        let mut missed = vec![];
        for c in &cands[w] {
            match c.choice {
                Err(miss) => missed.push((brief(tx, c.shift)?, miss)),
                Ok(ch) if out.placed.contains(&ch.shift) => {
                    got.push(brief(tx, c.shift)?);
                    placements.push((w, ch.shift));
                }
                Ok(ch) => {
                    let reason = out.refused.iter().find(|(s, _)| *s == ch.shift).map(|(_, r)| *r);
                    let miss = match reason {
                        Some(Reason::Full) | None => Miss::Full,
                        Some(Reason::Caregivers) => Miss::Caregivers,
                        Some(Reason::Credit) => Miss::Credit,
                        Some(Reason::Overlap) => Miss::Overlap,
                        Some(Reason::Enough) => continue,
                    };
                    missed.push((brief(tx, c.shift)?, miss));
                }
            }
        }
        children.push(PlanChild {
            child: child.id,
            family: wish.family,
            result: RoundChild { child: child.name.clone(), got, missed },
        });
    }
    let plan = RoundPlan { round: round.clone(), children, placed: alloc.placed as u32 };
    Ok((plan, placements, shifts, who))
}

fn minutes_of(t: chrono::NaiveTime) -> u32 {
    use chrono::Timelike;
    t.hour() * 60 + t.minute()
}

/// The child is booked on `shift` or on one overlapping it already.
fn child_busy(tx: &Tx, centre: &Centre, child: &Child, shift: &Shift) -> Res<bool> {
    for id in day_list(tx, T::ChildDay, Key::new().u64(child.id.0), shift.date)? {
        let other = booking(tx, BookingId(id))?;
        if other.shift == shift.id || shift_in(tx, centre.id, other.shift)?.overlaps(shift) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A plan in figures for the coordinators: children and families with a wish and with a
/// place, and the wished shifts not booked by why.
pub fn summary_of(plan: &RoundPlan) -> RoundSummary {
    let mut s = RoundSummary {
        week: plan.round.week_start,
        seed: plan.round.seed,
        placed: plan.placed,
        children: plan.children.len() as u32,
        ..RoundSummary::default()
    };
    let mut families: Vec<(FamilyId, bool)> = vec![];
    for c in &plan.children {
        let got = !c.result.got.is_empty();
        s.children_placed += u32::from(got);
        match families.iter_mut().find(|(f, _)| *f == c.family) {
            Some((_, any)) => *any |= got,
            None => families.push((c.family, got)),
        }
        for (_, why) in &c.result.missed {
            match why {
                Miss::Full => s.full += 1,
                Miss::Caregivers => s.caregivers += 1,
                Miss::Credit => s.credit += 1,
                Miss::Overlap | Miss::Unavailable | Miss::Enough => s.other += 1,
            }
        }
    }
    s.families = families.len() as u32;
    s.families_placed = families.iter().filter(|(_, any)| *any).count() as u32;
    s
}

/// Allocates and books an open round in the caller's transaction: every placement an
/// ordinary confirmed booking with its hold; the round marked committed; each family's
/// message stored and its `RoundResult` job planned; the coordinators' summary stored and
/// its `RoundSummary` job planned (`told`: the coordinator who committed by hand, who has
/// the plan as their reply and is not sent the summary).
fn commit_in(tx: &Tx, mut round: Round, now: DateTime<Utc>, told: Option<UserId>) -> Res<RoundPlan> {
    if round.status != RoundStatus::Open {
        return Err(ServiceError::RoundClosed.into());
    }
    let centre = centre(tx, round.centre)?;
    let (mut plan, placements, mut shifts, who) = plan(tx, &round, &standings(tx, &round)?, now)?;
    let mut fams: HashMap<FamilyId, Family> = HashMap::new();
    for (w, i) in placements {
        let (child, wish) = &who[w];
        let shift = &mut shifts[i];
        let fam = match fams.get_mut(&wish.family) {
            Some(f) => f,
            None => fams.entry(wish.family).or_insert(family(tx, wish.family)?),
        };
        let p = &centre.policy;
        let group = age_group(child.birth_date, shift.date, p.min_age_months, p.max_age_months)
            .map_err(ServiceError::ChildAge)?;
        let cost = ledger::care_cost(shift.minutes(), p).map_err(ServiceError::from)?;
        ledger::check_spend(balance(tx, AccountId::Family(fam.id))?, fam.overdraft_limit, cost)
            .map_err(ServiceError::from)?;
        place_booking(tx, &centre, shift, fam, child, (group, cost, BookingStatus::Confirmed), wish.by, now)?;
    }
    round.status = RoundStatus::Committed;
    round.committed_at = Some(now);
    round.placed = plan.placed;
    tx.put(T::Meta, round_key(round.id), &round)?;
    let mut open: Vec<(NaiveDate, RoundId)> = tx.get(T::Meta, open_rounds_key(centre.id))?.unwrap_or_default();
    open.retain(|(_, id)| *id != round.id);
    tx.put(T::Meta, open_rounds_key(centre.id), &open)?;
    // One message per family, all its children's results in it.
    let mut news: Vec<(FamilyId, Vec<RoundChild>)> = vec![];
    for c in &plan.children {
        match news.iter_mut().find(|(f, _)| *f == c.family) {
            Some((_, list)) => list.push(c.result.clone()),
            None => news.push((c.family, vec![c.result.clone()])),
        }
    }
    let keep = (local_to_utc(centre.tz(), round.week_end().and_time(chrono::NaiveTime::MIN))
        + chrono::Duration::days(2))
    .timestamp_millis();
    for (family, children) in news {
        let key = round_news_key(round.id, family);
        tx.put(T::Meta, &key, &super::Reminder::Round { week: round.week_start, children })?;
        tx.expire_at(T::Meta, &key, keep)?;
        schedule(tx, JobKind::RoundResult { round: round.id, centre: centre.id, family }, now)?;
    }
    plan.round = round;
    let key = round_summary_key(plan.round.id);
    tx.put(T::Meta, &key, &super::Reminder::RoundSummary { summary: summary_of(&plan) })?;
    tx.expire_at(T::Meta, &key, keep)?;
    let job = schedule(tx, JobKind::RoundSummary { round: plan.round.id, centre: centre.id }, now)?;
    if let Some(user) = told {
        mark_told(tx, &job, user, keep)?;
    }
    Ok(plan)
}

/// Whether a round record (a `Meta` key under `wish/`, `round/` or `roundnews/` and its
/// stored value) names `user` or belongs to the family `closed` (whose last guardian is
/// being forgotten): `/forget` rewrites or deletes it (`forget_round_record`).
pub(super) fn round_record_is_personal(key: &[u8], value: &[u8], user: UserId, closed: Option<FamilyId>) -> bool {
    use crate::store::decode;
    if key.starts_with(b"wish/") {
        decode::<Wish>(value).is_ok_and(|w| w.by == user || Some(w.family) == closed)
    } else if key.starts_with(b"round/") {
        decode::<Round>(value).is_ok_and(|r| r.opened_by == user)
    } else if key.starts_with(b"roundnews/") {
        closed.is_some_and(|f| u64_at(key, b"roundnews/".len() + 8) == Some(f.0))
    } else {
        false
    }
}

/// `/forget`, in its transaction, for one record `round_record_is_personal` found (read
/// again here): a closed family's wishes in open rounds go (its children leave the round),
/// its result message goes with its job; elsewhere `user` becomes `anon` (a wish's
/// author, a round's opener), as on bookings. Returns whether anything changed.
pub(super) fn forget_round_record(
    tx: &Tx,
    key: &[u8],
    user: UserId,
    anon: UserId,
    closed: Option<FamilyId>,
) -> Res<bool> {
    if key.starts_with(b"wish/") {
        let Some(mut w) = tx.get::<Wish>(T::Meta, key)? else { return Ok(false) };
        let round = tx.get::<Round>(T::Meta, round_key(w.round))?;
        if Some(w.family) == closed {
            if let Some(mut r) = round.filter(|r| r.status == RoundStatus::Open) {
                tx.del(T::Meta, key)?;
                r.children.retain(|c| *c != w.child);
                tx.put(T::Meta, round_key(r.id), &r)?;
                return Ok(true);
            }
        }
        if w.by == user {
            w.by = anon;
            tx.put(T::Meta, key, &w)?;
            return Ok(true);
        }
    } else if key.starts_with(b"round/") {
        if let Some(mut r) = tx.get::<Round>(T::Meta, key)?.filter(|r| r.opened_by == user) {
            r.opened_by = anon;
            tx.put(T::Meta, key, &r)?;
            return Ok(true);
        }
    } else if key.starts_with(b"roundnews/") {
        let at = b"roundnews/".len();
        if let (Some(r), Some(f), Some(c)) = (u64_at(key, at), u64_at(key, at + 8), closed) {
            if f == c.0 && tx.contains(T::Meta, key)? {
                tx.del(T::Meta, key)?;
                super::jobs::cancel_owner(tx, JobOwner::RoundFamily(RoundId(r), c))?;
                return Ok(true);
            }
        }
    }
    Ok(false)
}
