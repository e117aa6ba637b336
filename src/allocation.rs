//! The fair allocation round's engine (issue 14): every wish of a week at once.
//!
//! Pure: the capacity facts of the shifts, the wishes, each family's standing and credit,
//! and a seed go in; placements and, for every wished shift not placed, a reason come out.
//! Integer arithmetic only; the only randomness is a ChaCha20 lottery seeded with `seed`
//! (a stable algorithm, so a recorded seed re-derives the same result on any build).
//!
//! The objective, in order:
//! 1. place as many child-shifts as the capacity rules of `rota` allow (age-weighted load,
//!    class caps, the mixed-class cap, room), within each wish's `max`, each family's
//!    credit, and never one child in two overlapping shifts;
//! 2. among those, prefer families who received least care relative to what they
//!    contributed (`standing`, lower first): the fairness score is the sum over placements
//!    of the family's `need` (how many families in the round stand strictly higher);
//! 3. then higher-ranked wishes (the rank score: the sum of the placed choices' positions,
//!    0 = first choice; lower is better);
//! 4. remaining ties by the lottery: families drawn in a seeded order.
//!
//! The algorithm: a greedy pass in priority order (neediest family first, lottery among
//! equals, each child's choices in its order), another lightest children first, and on
//! small weeks (up to `SMALL_WEEK` wished shifts) `RESTARTS` more lightest-first starts
//! with a seeded random order among equal loads; each start improved locally until
//! nothing changes, the best kept. Each step improves (placed, fairness, rank)
//! lexicographically:
//! - augmenting paths: a child with room left in its wish enters a shift, the child it
//!   displaces moves to another of its wished shifts, and so on until one enters a shift
//!   with room (a breadth-first search over (shift, age group) states; the states a
//!   search reached stay marked for the rest of the pass, so a pass costs the week's
//!   size once; the next round looks again);
//! - re-packing a shift lightest first: since the load budget favours light children, one
//!   heavier child may give way to two lighter ones who wished for the shift (placed + 1);
//!   also with lighter ones placed at the same time elsewhere or at their wish's max, who
//!   move in while the places they leave are refilled (tentative: kept only when it
//!   places more);
//! - fairness swaps: a child of a needier family (or luckier, at equal need) takes the place
//!   of one whose family comes later, when the shift's rules allow the exchange;
//! - rank moves: a placed child moves up to a better-ranked choice that has room;
//! - a fill pass places whatever still fits directly;
//! - tentative take-one-out moves: a child out, whoever then fits in, paths for its
//!   family's wishes (credit given back) and for itself; kept when that places more.
//!
//! Re-packing and take-one-out moves look again only at shifts that changed since they
//! last looked (a child added or removed there, or in a family wishing for it), so the
//! later rounds cost what changed rather than the whole week; re-packing also skips a shift
//! that already holds as many children as it ever could (a bound from its room, class caps,
//! caregivers' load and who wishes for it). Whether a child holds a shift
//! overlapping another is one AND of two bit masks (its wish's placed choices and the
//! choices overlapping that one), not a walk over the wish.
//!
//! `tests/allocation.rs` checks the count against an exact integer program and the rules
//! with `rota::check` independently; `benches/allocation.rs` measures both.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};

use crate::domain::AgeGroup;
use crate::policy::Policy;
use crate::rota::{self, Misfit, Occupancy};

/// What the engine must know of one shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftFacts {
    /// Caregivers on duty: professional staff plus volunteers signed up.
    pub caregivers: u32,
    /// Room places.
    pub capacity: u32,
    /// Children already confirmed, by age group (the round adds to them).
    pub confirmed: Occupancy,
    /// Credit minutes one child's place costs.
    pub cost: i64,
    /// Day number (any consistent count, e.g. days from CE) and minutes of the day
    /// [start, end): a child is never placed in two shifts that overlap.
    pub day: i32,
    pub start: u32,
    pub end: u32,
}

impl ShiftFacts {
    pub fn overlaps(&self, other: &ShiftFacts) -> bool {
        self.day == other.day && self.start < other.end && other.start < self.end
    }
}

/// One family taking part in the round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyFacts {
    /// Care received minus care contributed over the last weeks (credit minutes): the
    /// lower, the more the family is owed, the earlier it comes.
    pub standing: i64,
    /// What the family may spend: balance plus overdraft (minutes).
    pub credit: i64,
}

/// One wished shift of a child, with the child's age group on that shift's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// Index into `Problem::shifts`.
    pub shift: usize,
    pub group: AgeGroup,
}

/// One child's wish: shifts in order of preference and how many of them at most.
/// Every wish is a different child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WishFacts {
    /// Index into `Problem::families`.
    pub family: usize,
    pub choices: Vec<Choice>,
    pub max: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub policy: Policy,
    pub shifts: Vec<ShiftFacts>,
    pub families: Vec<FamilyFacts>,
    pub wishes: Vec<WishFacts>,
}

/// Why a wished shift was not placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reason {
    /// Room, class or mixed-class cap reached.
    Full,
    /// Not enough caregivers signed up for one more child of this age.
    Caregivers,
    /// The family's credit would not cover it.
    Credit,
    /// The child got a shift at the same time.
    Overlap,
    /// The wish already got as many shifts as it asked for (not a refusal).
    Enough,
}

/// What one wish got.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WishOutcome {
    /// Shifts placed (indices into `Problem::shifts`), in the wish's order.
    pub placed: Vec<usize>,
    /// Every other wished shift, in the wish's order, with why it was not placed.
    pub refused: Vec<(usize, Reason)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub seed: u64,
    /// One per wish, in the input order.
    pub wishes: Vec<WishOutcome>,
    /// Child-shifts placed.
    pub placed: usize,
    /// Sum over placements of the family's need (higher is fairer).
    pub fairness: i64,
    /// Sum over placements of the choice's position (0 = first choice; lower is better).
    pub rank: i64,
}

impl Allocation {
    /// (wish, shift) pairs placed, in wish order.
    pub fn placements(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.wishes.iter().enumerate().flat_map(|(w, o)| o.placed.iter().map(move |s| (w, *s)))
    }
}

/// Each family's need: how many families of the round stand strictly higher (received
/// more relative to what they contributed). The neediest has the largest need.
pub fn needs(families: &[FamilyFacts]) -> Vec<i64> {
    let mut sorted: Vec<i64> = families.iter().map(|f| f.standing).collect();
    sorted.sort_unstable();
    families.iter().map(|f| (sorted.len() - sorted.partition_point(|x| *x <= f.standing)) as i64).collect()
}

/// The fairness and rank scores of a set of placements given as (wish, choice position).
pub fn scores(problem: &Problem, placed: impl IntoIterator<Item = (usize, usize)>) -> (i64, i64) {
    let need = needs(&problem.families);
    placed.into_iter().fold((0, 0), |(f, r), (w, pos)| (f + need[problem.wishes[w].family], r + pos as i64))
}

const NONE: u32 = u32::MAX;
/// Safety net on the improvement rounds (each round improves the objective, so they end
/// anyway; in practice a handful).
const MAX_ROUNDS: usize = 200;

/// Allocates every wish at once. Deterministic in `(problem, seed)`.
pub fn allocate(problem: &Problem, seed: u64) -> Allocation {
    // Two starts: the fair one (priority order) and the dense one (lightest children
    // first, which is what the load budget rewards); each improved locally, the better
    // kept (more placed, then fairer, then better ranks; the fair one on a tie).
    let mut best = improve(Engine::new(problem, seed), Start::Fair);
    let consider = |a: Allocation, best: &mut Allocation| {
        if (a.placed, a.fairness, -a.rank) > (best.placed, best.fairness, -best.rank) {
            *best = a;
        }
    };
    consider(improve(Engine::new(problem, seed), Start::Dense), &mut best);
    // Small weeks (where a restart costs little) get more starts: the dense order with
    // the children of each load in a seeded random order.
    let choices: usize = problem.wishes.iter().map(|w| w.choices.len()).sum();
    let restarts = if choices <= SMALL_WEEK { RESTARTS } else { 0 };
    let mut rng = ChaCha20Rng::seed_from_u64(seed ^ 0x5e_ed_0f_5a_17);
    for _ in 0..restarts {
        let shuffle: u64 = rng.gen();
        consider(improve(Engine::new(problem, seed), Start::Shuffled(shuffle)), &mut best);
    }
    best
}

/// Wished shifts up to which a week gets `RESTARTS` more starts.
const SMALL_WEEK: usize = 1_000;
const RESTARTS: usize = 40;

#[derive(Clone, Copy)]
enum Start {
    Fair,
    Dense,
    Shuffled(u64),
}

fn improve(mut e: Engine<'_>, start: Start) -> Allocation {
    match start {
        Start::Fair => {}
        Start::Dense => e.fill_lightest_first(None),
        Start::Shuffled(s) => e.fill_lightest_first(Some(s)),
    }
    e.fill();
    for _ in 0..MAX_ROUNDS {
        let mut changed = e.augment_all();
        changed |= e.repack_all();
        changed |= e.swap_all();
        changed |= e.improve_ranks();
        changed |= e.fill();
        if !changed {
            // The costlier tentative moves only once the others found nothing.
            changed = e.kick_all();
        }
        if !changed {
            break;
        }
    }
    e.result()
}

/// An upper bound on the children of the round shift `sh` can hold, given how many of
/// each age group wish for it: the lightest first, as many as room, class caps and the
/// caregivers' load allow (for a count, lighter is never worse; the mixed-class cap is
/// left out, so it may be higher than what fits, never lower).
fn most_children(sh: &ShiftFacts, wishing: [u32; 3], policy: &Policy) -> u32 {
    let held = sh.confirmed;
    let mut room = sh.capacity.saturating_sub(held.total());
    let mut load = sh.caregivers.saturating_mul(policy.load_per_caregiver).saturating_sub(held.load(policy));
    let mut groups = AgeGroup::ALL;
    groups.sort_by_key(|g| policy.load_of(*g));
    let mut most = 0;
    for g in groups {
        let i = g.index();
        let unit = policy.load_of(g);
        let by_load = load.checked_div(unit).unwrap_or(u32::MAX);
        let n = wishing[i].min(policy.cap_of(g).saturating_sub(held.counts[i])).min(room).min(by_load);
        most += n;
        room -= n;
        load -= n * unit;
    }
    most
}

/// One wished shift (choice), flattened: choice `c` belongs to wish `ch[c].wish`.
#[derive(Clone, Copy)]
struct Ch {
    /// Overlap mask, for wishes of up to 64 choices: bit `j` is set when choice `off + j` of
    /// the same wish overlaps this one in time; with `Wi::bits` (bit `j` set when that
    /// choice is placed), "does the wish hold a shift overlapping this one" is one AND
    /// instead of a walk over the wish's choices (longer wishes walk).
    ovl: u64,
    wish: u32,
    shift: u32,
    /// The wish's family, kept at hand.
    fam: u32,
    group: AgeGroup,
    /// Placed.
    chosen: bool,
}

/// One wish: its choices are `off..end`.
#[derive(Clone, Copy)]
struct Wi {
    /// Bit `j` set when choice `off + j` is placed (wishes of up to 64 choices).
    bits: u64,
    off: u32,
    end: u32,
    /// Choices placed, and the wish's `max`.
    count: u32,
    max: u32,
}

/// One family: credit minutes spent by the placements, and what it may spend.
#[derive(Clone, Copy)]
struct Fa {
    spent: i64,
    credit: i64,
}

/// The working state.
struct Engine<'a> {
    p: &'a Problem,
    seed: u64,
    need: Vec<i64>,
    /// Wishes are numbered in priority order (best first: the neediest family, then the
    /// lottery), so the passes in that order read memory in sequence and a lower number is
    /// a better priority; `inner[w]` is the number of `Problem::wishes[w]`.
    inner: Vec<u32>,
    /// Per choice, per wish and per family, what the hot loops read together in one
    /// record each (a few cache lines per child looked at, not one per array).
    ch: Vec<Ch>,
    wi: Vec<Wi>,
    fa: Vec<Fa>,
    pos_of: Vec<u32>,
    /// Choice ids wanting each shift.
    wanted_by: Vec<Vec<u32>>,
    /// Their age groups, in the same order.
    wanted_group: Vec<Vec<AgeGroup>>,
    // State (with `Ch::chosen`, `Wi::count`, `Wi::bits` and `Fa::spent`).
    occ: Vec<Occupancy>,
    in_shift: Vec<Vec<u32>>,
    // Search scratch.
    mark: Vec<u32>,
    epoch: u32,
    par_choice: Vec<u32>,
    par_node: Vec<u32>,
    par_leave: Vec<u32>,
    queue: Vec<u32>,
    /// Each family's wishes.
    family_wishes: Vec<Vec<u32>>,
    /// Re-packing's scratch: what each family of the candidates spends outside the shift
    /// re-packed (plus the children kept so far), indexed by family: no search per child.
    fspend: Vec<i64>,
    /// While a tentative move runs: every add (true) and remove (false), to undo it.
    log: Option<Vec<(bool, u32)>>,
    /// Change stamps: `changed[s]` is the last change to shift `s` or to the wishes of a
    /// family wanting it (a child added or removed); `repacked[s]` and `kicked[s]` when
    /// those passes last looked at it. A pass skips a shift nothing changed about since,
    /// so later rounds cost what changed, not the whole week.
    stamp: u64,
    changed: Vec<u64>,
    repacked: Vec<u64>,
    kicked: Vec<u64>,
    /// The most children of the round each shift could ever hold: re-packing a shift that
    /// has as many cannot place more, so it is not tried (see `most_children`).
    most: Vec<u32>,
}

impl<'a> Engine<'a> {
    fn new(p: &'a Problem, seed: u64) -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let fam_ticket: Vec<u64> = p.families.iter().map(|_| rng.gen()).collect();
        let wish_ticket: Vec<u64> = p.wishes.iter().map(|_| rng.gen()).collect();
        let need = needs(&p.families);
        let mut order: Vec<u32> = (0..p.wishes.len() as u32).collect();
        order.sort_by_key(|w| {
            let wish = &p.wishes[*w as usize];
            let f = wish.family;
            (p.families[f].standing, fam_ticket[f], f, wish_ticket[*w as usize], *w)
        });
        let mut inner = vec![0; p.wishes.len()];
        for (i, w) in order.iter().enumerate() {
            inner[*w as usize] = i as u32;
        }
        let mut off = Vec::with_capacity(p.wishes.len() + 1);
        let (mut wish_of, mut shift_of, mut group_of, mut pos_of) = (vec![], vec![], vec![], vec![]);
        for (i, w) in order.iter().enumerate() {
            off.push(wish_of.len() as u32);
            let start = shift_of.len();
            for (pos, ch) in p.wishes[*w as usize].choices.iter().enumerate() {
                // A shift named twice counts once (its first, better, position).
                if ch.shift >= p.shifts.len() || shift_of[start..].contains(&(ch.shift as u32)) {
                    continue;
                }
                wish_of.push(i as u32);
                shift_of.push(ch.shift as u32);
                group_of.push(ch.group);
                pos_of.push(pos as u32);
            }
        }
        off.push(wish_of.len() as u32);
        // The lists below keep the input's order (it decides who is tried first).
        let mut wanted_by = vec![Vec::new(); p.shifts.len()];
        let mut family_wishes = vec![Vec::new(); p.families.len()];
        for (w, wish) in p.wishes.iter().enumerate() {
            let i = inner[w] as usize;
            for c in off[i]..off[i + 1] {
                wanted_by[shift_of[c as usize] as usize].push(c);
            }
            if let Some(list) = family_wishes.get_mut(wish.family) {
                list.push(i as u32);
            }
        }
        let n = wish_of.len();
        let fam_of: Vec<u32> = wish_of.iter().map(|i| p.wishes[order[*i as usize] as usize].family as u32).collect();
        let mut ovl = vec![0u64; n];
        for w in 0..p.wishes.len() {
            let (a, b) = (off[w] as usize, off[w + 1] as usize);
            if b - a > 64 {
                continue;
            }
            for c in a..b {
                let sc = &p.shifts[shift_of[c] as usize];
                for (j, sd) in shift_of[a..b].iter().enumerate() {
                    if a + j != c && sc.overlaps(&p.shifts[*sd as usize]) {
                        ovl[c] |= 1 << j;
                    }
                }
            }
        }
        let nodes = p.shifts.len() * 3;
        let most = (0..p.shifts.len())
            .map(|s| {
                let mut wishing = [0u32; 3];
                for c in &wanted_by[s] {
                    wishing[group_of[*c as usize].index()] += 1;
                }
                most_children(&p.shifts[s], wishing, &p.policy)
            })
            .collect();
        Engine {
            p,
            seed,
            need,
            inner,
            ch: (0..n)
                .map(|c| Ch {
                    ovl: ovl[c],
                    wish: wish_of[c],
                    shift: shift_of[c],
                    fam: fam_of[c],
                    group: group_of[c],
                    chosen: false,
                })
                .collect(),
            wi: order
                .iter()
                .enumerate()
                .map(|(i, w)| Wi { bits: 0, off: off[i], end: off[i + 1], count: 0, max: p.wishes[*w as usize].max })
                .collect(),
            fa: p.families.iter().map(|f| Fa { spent: 0, credit: f.credit }).collect(),
            pos_of,
            wanted_group: wanted_by.iter().map(|list| list.iter().map(|c| group_of[*c as usize]).collect()).collect(),
            wanted_by,
            occ: p.shifts.iter().map(|s| s.confirmed).collect(),
            in_shift: vec![Vec::new(); p.shifts.len()],
            mark: vec![0; nodes],
            epoch: 1,
            par_choice: vec![NONE; nodes],
            par_node: vec![NONE; nodes],
            par_leave: vec![NONE; nodes],
            queue: Vec::new(),
            family_wishes,
            fspend: vec![0; p.families.len()],
            log: None,
            stamp: 1,
            changed: vec![1; p.shifts.len()],
            repacked: vec![0; p.shifts.len()],
            kicked: vec![0; p.shifts.len()],
            most,
        }
    }

    fn choices(&self, w: usize) -> std::ops::Range<usize> {
        self.wi[w].off as usize..self.wi[w].end as usize
    }

    fn family(&self, c: usize) -> usize {
        self.ch[c].fam as usize
    }

    fn cost(&self, s: usize) -> i64 {
        self.p.shifts[s].cost
    }

    fn fits(&self, s: usize, occ: &Occupancy) -> bool {
        let sh = &self.p.shifts[s];
        rota::check(occ, sh.caregivers, sh.capacity, &self.p.policy).is_ok()
    }

    /// For each age group placed in shift `s`: whether one child of it could give its
    /// place to a child of group `g` (the shift's rules allow the exchange).
    fn groups_giving_way(&self, s: usize, g: AgeGroup) -> [bool; 3] {
        let mut gives = [false; 3];
        for h in AgeGroup::ALL {
            if self.occ[s].counts[h.index()] > 0 {
                let mut o = self.occ[s];
                o.counts[h.index()] -= 1;
                o.add(g);
                gives[h.index()] = self.fits(s, &o);
            }
        }
        gives
    }

    fn misfit(&self, s: usize, g: AgeGroup) -> Result<(), Misfit> {
        let sh = &self.p.shifts[s];
        rota::can_add(&self.occ[s], g, sh.caregivers, sh.capacity, &self.p.policy)
    }

    /// Whether the wish of choice `c` has another chosen shift overlapping `c`'s (other
    /// than that of choice `except`, of the same wish, or `usize::MAX`).
    fn overlaps_choice(&self, c: usize, except: usize) -> bool {
        let w = self.ch[c].wish as usize;
        let base = self.wi[w].off as usize;
        if self.wi[w].end as usize - base > 64 {
            let ex = if except == usize::MAX { usize::MAX } else { self.ch[except].shift as usize };
            return self.overlaps(w, self.ch[c].shift as usize, ex);
        }
        let mut held = self.wi[w].bits;
        if except != usize::MAX {
            held &= !(1 << (except - base));
        }
        self.ch[c].ovl & held != 0
    }

    /// Whether wish `w` has a chosen shift overlapping `s` (other than `except`).
    fn overlaps(&self, w: usize, s: usize, except: usize) -> bool {
        let sh = &self.p.shifts[s];
        self.choices(w).any(|c| {
            self.ch[c].chosen && {
                let o = self.ch[c].shift as usize;
                o != except && (o == s || sh.overlaps(&self.p.shifts[o]))
            }
        })
    }

    /// Choice `c` could be added for its wish (not counting the shift's capacity).
    fn eligible(&self, c: usize) -> bool {
        let w = self.ch[c].wish as usize;
        let s = self.ch[c].shift as usize;
        let f = self.family(c);
        !self.ch[c].chosen
            && self.wi[w].count < self.wi[w].max
            && self.fa[f].spent + self.cost(s) <= self.fa[f].credit
            && !self.overlaps_choice(c, usize::MAX)
    }

    fn has_spare(&self, w: usize) -> bool {
        self.wi[w].count < self.wi[w].max && self.choices(w).any(|c| self.eligible(c))
    }

    /// Marks the shift of choice `c` and every shift its family wished for as changed.
    fn touch(&mut self, c: usize) {
        self.stamp += 1;
        let f = self.family(c);
        self.changed[self.ch[c].shift as usize] = self.stamp;
        for i in 0..self.family_wishes[f].len() {
            let w = self.family_wishes[f][i] as usize;
            for c2 in self.choices(w) {
                self.changed[self.ch[c2].shift as usize] = self.stamp;
            }
        }
    }

    fn add(&mut self, c: usize) {
        self.touch(c);
        let s = self.ch[c].shift as usize;
        let f = self.family(c);
        self.ch[c].chosen = true;
        let w = self.ch[c].wish as usize;
        let bit = c - self.wi[w].off as usize;
        if bit < 64 {
            self.wi[w].bits |= 1 << bit;
        }
        self.wi[w].count += 1;
        self.fa[f].spent += self.cost(s);
        self.occ[s].add(self.ch[c].group);
        self.in_shift[s].push(c as u32);
        if let Some(log) = &mut self.log {
            log.push((true, c as u32));
        }
    }

    fn remove(&mut self, c: usize) {
        self.touch(c);
        let s = self.ch[c].shift as usize;
        let f = self.family(c);
        self.ch[c].chosen = false;
        let w = self.ch[c].wish as usize;
        let bit = c - self.wi[w].off as usize;
        if bit < 64 {
            self.wi[w].bits &= !(1 << bit);
        }
        self.wi[w].count -= 1;
        self.fa[f].spent -= self.cost(s);
        self.occ[s].counts[self.ch[c].group.index()] -= 1;
        let list = &mut self.in_shift[s];
        if let Some(i) = list.iter().position(|x| *x == c as u32) {
            list.swap_remove(i);
        }
        if let Some(log) = &mut self.log {
            log.push((false, c as u32));
        }
    }

    /// Places every eligible choice that fits as things stand, in priority order.
    fn fill(&mut self) -> bool {
        let mut changed = false;
        for w in 0..self.wi.len() {
            for c in self.choices(w) {
                if self.eligible(c) && self.misfit(self.ch[c].shift as usize, self.ch[c].group).is_ok() {
                    self.add(c);
                    changed = true;
                }
            }
        }
        changed
    }

    /// The dense start: every wished place in order of the child's load (lightest first),
    /// then priority, then the wish's own order.
    /// `shuffle`: a seed for a random order among children of the same load instead.
    fn fill_lightest_first(&mut self, shuffle: Option<u64>) {
        let policy = &self.p.policy;
        let mut all: Vec<u32> = (0..self.ch.len() as u32).collect();
        let mut ticket = vec![0u64; all.len()];
        if let Some(seed) = shuffle {
            // Drawn in the input's order of wishes, so a seed gives the same order as ever.
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            for w in 0..self.inner.len() {
                for c in self.choices(self.inner[w] as usize) {
                    ticket[c] = rng.gen();
                }
            }
        }
        all.sort_by_key(|c| {
            let c = *c as usize;
            (policy.load_of(self.ch[c].group), ticket[c], self.ch[c].wish, self.pos_of[c])
        });
        for c in all {
            let c = c as usize;
            if self.eligible(c) && self.misfit(self.ch[c].shift as usize, self.ch[c].group).is_ok() {
                self.add(c);
            }
        }
    }

    /// Augmenting paths for every wish with room left, in priority order.
    fn augment_all(&mut self) -> bool {
        let mut changed = false;
        self.epoch += 1;
        for w in 0..self.wi.len() {
            // States a search reached stay marked for the rest of the pass, also after a
            // success (the next round's pass looks again): a pass costs the week's size,
            // not the week's size per path found.
            while self.has_spare(w) && self.augment(w) {
                changed = true;
            }
        }
        changed
    }

    /// One more placement for wish `k`, moving others along a path if needed.
    fn augment(&mut self, k: usize) -> bool {
        self.augment_within(k, usize::MAX)
    }

    /// `augment`, giving up once `limit` states were reached.
    fn augment_within(&mut self, k: usize, limit: usize) -> bool {
        let ep = self.epoch;
        self.queue.clear();
        for c in self.choices(k) {
            if !self.eligible(c) {
                continue;
            }
            let n = self.ch[c].shift as usize * 3 + self.ch[c].group.index();
            if self.mark[n] == ep {
                continue;
            }
            self.mark[n] = ep;
            self.par_choice[n] = c as u32;
            self.par_node[n] = NONE;
            self.par_leave[n] = NONE;
            self.queue.push(n as u32);
        }
        let mut head = 0;
        while head < self.queue.len() && head < limit {
            let n = self.queue[head] as usize;
            head += 1;
            let (s, g) = (n / 3, AgeGroup::ALL[n % 3]);
            if self.misfit(s, g).is_ok() {
                if self.apply_path(n) {
                    return true;
                }
                continue;
            }
            // States queued at `limit` or later are never taken out: no need to add them.
            if self.queue.len() >= limit {
                continue;
            }
            // Which groups could give way to `g` here.
            let gives = self.groups_giving_way(s, g);
            if gives == [false; 3] {
                continue;
            }
            'expand: for i in 0..self.in_shift[s].len() {
                let y = self.in_shift[s][i] as usize;
                if !gives[self.ch[y].group.index()] {
                    continue;
                }
                let wy = self.ch[y].wish as usize;
                let fy = self.family(y);
                let budget = self.fa[fy].credit - self.fa[fy].spent + self.cost(s);
                for c2 in self.choices(wy) {
                    if self.ch[c2].chosen {
                        continue;
                    }
                    let s2 = self.ch[c2].shift as usize;
                    let n2 = s2 * 3 + self.ch[c2].group.index();
                    if self.mark[n2] == ep || self.cost(s2) > budget || self.overlaps_choice(c2, y) {
                        continue;
                    }
                    self.mark[n2] = ep;
                    self.par_choice[n2] = c2 as u32;
                    self.par_node[n2] = n as u32;
                    self.par_leave[n2] = y as u32;
                    self.queue.push(n2 as u32);
                    if self.queue.len() >= limit {
                        break 'expand;
                    }
                }
            }
        }
        false
    }

    /// Applies the path ending at node `t`; undoes it if it broke a wish's limits (a child
    /// moved twice, a family paying for two moves).
    fn apply_path(&mut self, t: usize) -> bool {
        let mut log: Vec<(bool, usize)> = Vec::new();
        let mut n = t;
        loop {
            let c = self.par_choice[n] as usize;
            self.add(c);
            log.push((true, c));
            if self.par_node[n] == NONE {
                break;
            }
            let leave = self.par_leave[n] as usize;
            self.remove(leave);
            log.push((false, leave));
            n = self.par_node[n] as usize;
        }
        if self.valid_after(&log) {
            return true;
        }
        for (added, c) in log.into_iter().rev() {
            if added {
                self.remove(c);
            } else {
                self.add(c);
            }
        }
        false
    }

    fn valid_after(&self, log: &[(bool, usize)]) -> bool {
        log.iter().all(|(_, c)| {
            let c = *c;
            let w = self.ch[c].wish as usize;
            let f = self.family(c);
            let s = self.ch[c].shift as usize;
            self.wi[w].count <= self.wi[w].max
                && self.fa[f].spent <= self.fa[f].credit
                && self.fits(s, &self.occ[s])
                && !self.choices(w).any(|a| self.ch[a].chosen && self.overlaps_choice(a, usize::MAX))
        })
    }

    /// Sets `fspend` for the families of `cands` (which include the shift's children):
    /// what each spends outside shift `s`.
    fn spend_outside(&mut self, s: usize, cands: impl Iterator<Item = usize> + Clone) {
        for c in cands {
            let f = self.family(c);
            self.fspend[f] = self.fa[f].spent;
        }
        for i in 0..self.in_shift[s].len() {
            let f = self.family(self.in_shift[s][i] as usize);
            self.fspend[f] -= self.cost(s);
        }
    }

    /// Re-packs each shift lightest first from its children and the eligible wishes for it;
    /// applied where that places more.
    fn repack_all(&mut self) -> bool {
        let mut changed = false;
        for s in 0..self.p.shifts.len() {
            if self.changed[s] <= self.repacked[s] {
                continue;
            }
            self.repacked[s] = self.stamp;
            // Neither re-packing can place more than the shift could ever hold.
            if self.in_shift[s].len() >= self.most[s] as usize {
                continue;
            }
            changed |= self.repack(s) || self.repack_moving(s);
        }
        changed
    }

    /// Re-packing a shift with children placed at the same time elsewhere, who move in
    /// (lightest first, as `repack`), the places they leave refilled directly; kept when
    /// that places more, undone otherwise. Catches one heavier child giving way to two
    /// lighter ones who must first leave an overlapping shift that others can then fill
    /// (the small crowded weeks where the engine was one child short).
    fn repack_moving(&mut self, s: usize) -> bool {
        let policy = &self.p.policy;
        let sh = &self.p.shifts[s];
        let mut cands: Vec<(u32, u32)> = self.in_shift[s].iter().map(|c| (*c, NONE)).collect();
        let current = cands.len();
        let mut movers = 0;
        for &c in &self.wanted_by[s] {
            let c = c as usize;
            let w = self.ch[c].wish as usize;
            if self.ch[c].chosen {
                continue;
            }
            // The one placed shift of the wish in the way, if exactly one is.
            let base = self.wi[w].off as usize;
            let (first, second) = if self.wi[w].end as usize - base <= 64 {
                let held = self.ch[c].ovl & self.wi[w].bits;
                let second = held & held.wrapping_sub(1);
                let at = |bits: u64| (bits != 0).then(|| base + bits.trailing_zeros() as usize);
                (at(held), at(second))
            } else {
                let mut blocking = self.choices(w).filter(|&a| {
                    self.ch[a].chosen && {
                        let o = self.ch[a].shift as usize;
                        o != s && sh.overlaps(&self.p.shifts[o])
                    }
                });
                (blocking.next(), blocking.next())
            };
            match (first, second) {
                (Some(a), None) => {
                    cands.push((c as u32, a as u32));
                    movers += 1;
                }
                (None, _) if self.wi[w].count < self.wi[w].max => cands.push((c as u32, NONE)),
                // At its max: it may give up its worst-ranked shift to come here.
                (None, _) => {
                    if let Some(a) = self.choices(w).rev().find(|&a| self.ch[a].chosen) {
                        cands.push((c as u32, a as u32));
                        movers += 1;
                    }
                }
                _ => {}
            }
        }
        if movers == 0 {
            return false;
        }
        cands.sort_by_key(|(c, _)| {
            let c = *c as usize;
            (policy.load_of(self.ch[c].group), !self.ch[c].chosen, self.ch[c].wish)
        });
        let mut occ = self.p.shifts[s].confirmed;
        let mut keep = Vec::with_capacity(cands.len());
        let mut seen_wish: Vec<u32> = vec![];
        // What each family spends outside this shift; each child kept adds its cost here
        // (a mover gives back the cost of the shift it leaves).
        self.spend_outside(s, cands.iter().map(|(c, _)| *c as usize));
        for &(c, from) in &cands {
            let c = c as usize;
            let g = self.ch[c].group;
            let w = self.ch[c].wish;
            let f = self.family(c);
            if seen_wish.contains(&w) || !self.fits(s, &occ.with(g)) {
                continue;
            }
            let back = if from == NONE { 0 } else { self.cost(self.ch[from as usize].shift as usize) };
            if self.fspend[f] + self.cost(s) - back > self.fa[f].credit {
                continue;
            }
            self.fspend[f] += self.cost(s) - back;
            seen_wish.push(w);
            occ.add(g);
            keep.push((c, from));
        }
        if keep.len() <= current || !keep.iter().any(|(_, from)| *from != NONE) {
            return false;
        }
        self.log = Some(Vec::new());
        let leaving: Vec<u32> =
            self.in_shift[s].iter().copied().filter(|c| !keep.iter().any(|(k, _)| *k == *c as usize)).collect();
        for c in leaving {
            self.remove(c as usize);
        }
        let mut vacated = vec![];
        for &(c, from) in &keep {
            if from != NONE {
                self.remove(from as usize);
                vacated.push(self.ch[from as usize].shift as usize);
            }
            if !self.ch[c].chosen {
                self.add(c);
            }
        }
        for v in vacated {
            for i in 0..self.wanted_by[v].len() {
                let c2 = self.wanted_by[v][i] as usize;
                if self.eligible(c2) && self.misfit(v, self.ch[c2].group).is_ok() {
                    self.add(c2);
                }
            }
        }
        let log = self.log.take().unwrap_or_default();
        let gained: i64 = log.iter().map(|(added, _)| if *added { 1 } else { -1 }).sum();
        let as_usize: Vec<(bool, usize)> = log.iter().map(|(a, c)| (*a, *c as usize)).collect();
        if gained > 0 && self.valid_after(&as_usize) {
            return true;
        }
        for (added, c2) in log.into_iter().rev() {
            if added {
                self.remove(c2 as usize);
            } else {
                self.add(c2 as usize);
            }
        }
        false
    }

    fn repack(&mut self, s: usize) -> bool {
        let policy = &self.p.policy;
        let mut cands: Vec<u32> = self.in_shift[s].clone();
        let current = cands.len();
        for &c in &self.wanted_by[s] {
            let c = c as usize;
            let w = self.ch[c].wish as usize;
            // Credit is checked below, with what the family's children leaving give back.
            if !self.ch[c].chosen && self.wi[w].count < self.wi[w].max && !self.overlaps_choice(c, usize::MAX) {
                cands.push(c as u32);
            }
        }
        if cands.len() == current {
            return false;
        }
        // Lightest first; then placed before newcomers; then priority.
        cands.sort_by_key(|c| {
            let c = *c as usize;
            (policy.load_of(self.ch[c].group), !self.ch[c].chosen, self.ch[c].wish)
        });
        // What each family spends outside this shift, then each child kept here adds its cost.
        self.spend_outside(s, cands.iter().map(|c| *c as usize));
        let mut occ = self.p.shifts[s].confirmed;
        let mut keep = Vec::with_capacity(cands.len());
        for &c in &cands {
            let c = c as usize;
            let g = self.ch[c].group;
            let f = self.family(c);
            if !self.fits(s, &occ.with(g)) || self.fspend[f] + self.cost(s) > self.fa[f].credit {
                continue;
            }
            self.fspend[f] += self.cost(s);
            occ.add(g);
            keep.push(c);
        }
        if keep.len() <= current {
            return false;
        }
        let leaving: Vec<u32> = self.in_shift[s].iter().copied().filter(|c| !keep.contains(&(*c as usize))).collect();
        for c in leaving {
            self.remove(c as usize);
        }
        for c in keep {
            if !self.ch[c].chosen {
                self.add(c);
            }
        }
        true
    }

    /// Count-preserving swaps in favour of wishes with better priority.
    fn swap_all(&mut self) -> bool {
        let mut changed = false;
        for k in 0..self.wi.len() {
            // Whether the wish has room and an eligible choice: changes only when a swap
            // is made (one tried and taken back leaves counts and credit as they were).
            let mut spare = self.has_spare(k);
            'choices: for c in self.choices(k) {
                if !spare {
                    break;
                }
                if !self.eligible(c) {
                    continue;
                }
                let s = self.ch[c].shift as usize;
                let g = self.ch[c].group;
                // Which age groups `c` could take the place of (the shift's rules allow it).
                let gives = self.groups_giving_way(s, g);
                if gives == [false; 3] {
                    continue;
                }
                // The latest-priority child whose place `c` could take.
                let mut best: Option<(usize, u32)> = None;
                for &y in &self.in_shift[s] {
                    let y = y as usize;
                    let py = self.ch[y].wish;
                    if py > k as u32 && best.is_none_or(|(_, pb)| py > pb) && gives[self.ch[y].group.index()] {
                        best = Some((y, py));
                    }
                }
                let Some((y, _)) = best else { continue 'choices };
                // A child of the same family leaving may free the credit it needs; check after.
                self.remove(y);
                if self.eligible(c) {
                    self.add(c);
                    changed = true;
                    spare = self.has_spare(k);
                } else {
                    self.add(y);
                }
            }
        }
        changed
    }

    /// Moves placed children up to better-ranked choices that have room.
    fn improve_ranks(&mut self) -> bool {
        let mut changed = false;
        for w in 0..self.wi.len() {
            for c in self.choices(w) {
                if !self.ch[c].chosen {
                    continue;
                }
                let s = self.ch[c].shift as usize;
                let f = self.family(c);
                for better in self.wi[w].off as usize..c {
                    if self.ch[better].chosen {
                        continue;
                    }
                    let s2 = self.ch[better].shift as usize;
                    if self.fa[f].spent - self.cost(s) + self.cost(s2) > self.fa[f].credit
                        || self.overlaps_choice(better, c)
                        || self.misfit(s2, self.ch[better].group).is_err()
                    {
                        continue;
                    }
                    self.remove(c);
                    self.add(better);
                    changed = true;
                    break;
                }
            }
        }
        changed
    }

    /// Tentative moves: take one child out of a shift, let in whoever then fits directly
    /// (the shift's room, or the credit its family gets back), and search a new place for
    /// the child taken out; kept when that places more, undone otherwise. Catches what
    /// paths and re-packing cannot: credit freed in one family letting two others in.
    /// Latest priority first, so the children moved are the lottery's last.
    fn kick_all(&mut self) -> bool {
        let mut changed = false;
        // The shifts changed since the last pass (all, the first time).
        let todo: Vec<bool> = (0..self.p.shifts.len()).map(|s| self.changed[s] > self.kicked[s]).collect();
        for (s, t) in todo.iter().enumerate() {
            if *t {
                self.kicked[s] = self.stamp;
            }
        }
        for y in (0..self.wi.len()).rev() {
            for c in self.choices(y) {
                if self.ch[c].chosen && todo[self.ch[c].shift as usize] && self.kick(c) {
                    changed = true;
                }
            }
        }
        changed
    }

    /// Budget of the path search inside a tentative move (keeps `kick_all` linear).
    const KICK_SEARCH: usize = 24;

    fn kick(&mut self, c: usize) -> bool {
        let s = self.ch[c].shift as usize;
        let y = self.ch[c].wish as usize;
        let f = self.family(c);
        self.log = Some(Vec::new());
        self.remove(c);
        let mut gained = 0usize;
        // The age groups that could enter `s` now (again after each child let in): children
        // of the others are passed over without reading their records.
        let mut open = AgeGroup::ALL.map(|g| self.misfit(s, g).is_ok());
        for i in 0..self.wanted_by[s].len() {
            if open == [false; 3] {
                break;
            }
            if !open[self.wanted_group[s][i].index()] {
                continue;
            }
            let c2 = self.wanted_by[s][i] as usize;
            if c2 != c && self.eligible(c2) && self.misfit(s, self.ch[c2].group).is_ok() {
                self.add(c2);
                gained += 1;
                open = AgeGroup::ALL.map(|g| self.misfit(s, g).is_ok());
            }
        }
        for i in 0..self.family_wishes[f].len() {
            let w2 = self.family_wishes[f][i] as usize;
            for c2 in self.choices(w2) {
                if c2 != c && self.eligible(c2) && self.misfit(self.ch[c2].shift as usize, self.ch[c2].group).is_ok() {
                    self.add(c2);
                    gained += 1;
                }
            }
        }
        // Paths for the family's wishes (the credit given back may let a sibling in along
        // one), the child taken out last.
        for i in 0..=self.family_wishes[f].len() {
            if gained >= 2 {
                break;
            }
            let len = self.family_wishes[f].len();
            let w2 = if i < len { self.family_wishes[f][i] as usize } else { y };
            if (w2 == y && i < len) || !self.has_spare(w2) {
                continue;
            }
            // Each search left (this one included) adds one at most: when even all of them
            // cannot bring the gain to two, the move is undone anyway, so stop searching.
            let later_own = self.family_wishes[f][i..].iter().filter(|x| **x as usize == y).count();
            if gained + (len + 1 - i - later_own) < 2 {
                break;
            }
            self.epoch += 1;
            if self.augment_within(w2, Self::KICK_SEARCH) {
                gained += 1;
            }
            self.epoch += 1;
        }
        let log = self.log.take().unwrap_or_default();
        if gained >= 2 {
            return true;
        }
        for (added, c2) in log.into_iter().rev() {
            if added {
                self.remove(c2 as usize);
            } else {
                self.add(c2 as usize);
            }
        }
        false
    }

    fn result(&self) -> Allocation {
        let mut wishes = Vec::with_capacity(self.p.wishes.len());
        let (mut placed, mut fairness, mut rank) = (0, 0, 0);
        for (w, wish) in self.p.wishes.iter().enumerate() {
            let mut out = WishOutcome::default();
            let f = wish.family;
            let w = self.inner[w] as usize;
            for c in self.choices(w) {
                let s = self.ch[c].shift as usize;
                if self.ch[c].chosen {
                    out.placed.push(s);
                    placed += 1;
                    fairness += self.need[f];
                    rank += self.pos_of[c] as i64;
                    continue;
                }
                let reason = if self.wi[w].count >= wish.max {
                    Reason::Enough
                } else if self.overlaps_choice(c, usize::MAX) {
                    Reason::Overlap
                } else {
                    match self.misfit(s, self.ch[c].group) {
                        Err(Misfit::Ratio) => Reason::Caregivers,
                        Err(_) => Reason::Full,
                        // It fits, so only the credit stopped it (a fill pass placed the rest).
                        Ok(()) => Reason::Credit,
                    }
                };
                out.refused.push((s, reason));
            }
            wishes.push(out);
        }
        Allocation { seed: self.seed, wishes, placed, fairness, rank }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AgeGroup::*;

    fn shift(caregivers: u32, capacity: u32, day: i32, start: u32) -> ShiftFacts {
        ShiftFacts { caregivers, capacity, confirmed: Occupancy::default(), cost: 180, day, start, end: start + 180 }
    }

    fn fam(standing: i64) -> FamilyFacts {
        FamilyFacts { standing, credit: 10_000 }
    }

    fn wish(family: usize, choices: &[(usize, AgeGroup)], max: u32) -> WishFacts {
        WishFacts { family, choices: choices.iter().map(|(s, g)| Choice { shift: *s, group: *g }).collect(), max }
    }

    #[test]
    fn most_children_is_never_below_what_fits() {
        // Every composition of the wishing children that fits, by brute force: none has
        // more children than the bound (re-packing is skipped on it, so a low bound would
        // lose placements).
        let policy = Policy::default();
        for caregivers in 0..=3 {
            for capacity in [0, 4, 9, 16, 22] {
                for confirmed in
                    [Occupancy::default(), Occupancy { counts: [1, 0, 2] }, Occupancy { counts: [0, 3, 0] }]
                {
                    let sh = ShiftFacts { caregivers, capacity, confirmed, ..shift(0, 0, 0, 480) };
                    for wishing in [[0, 0, 0], [3, 2, 9], [12, 1, 0], [0, 20, 25], [5, 5, 5], [2, 0, 30]] {
                        let most = most_children(&sh, wishing, &policy);
                        let mut best = 0;
                        for a in 0..=wishing[0] {
                            for b in 0..=wishing[1] {
                                for c in 0..=wishing[2] {
                                    let occ = Occupancy {
                                        counts: [
                                            confirmed.counts[0] + a,
                                            confirmed.counts[1] + b,
                                            confirmed.counts[2] + c,
                                        ],
                                    };
                                    if rota::check(&occ, caregivers, capacity, &policy).is_ok() {
                                        best = best.max(a + b + c);
                                    }
                                }
                            }
                        }
                        assert!(most >= best, "{sh:?} {wishing:?}: bound {most} < {best} that fit");
                        // Without the mixed-class cap biting it is exact (lightest first is best).
                        if caregivers == 1 && confirmed == Occupancy::default() {
                            assert_eq!(most, best, "{sh:?} {wishing:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn needs_count_families_standing_higher() {
        assert_eq!(needs(&[fam(10), fam(-5), fam(10), fam(3)]), vec![0, 3, 0, 2]);
    }

    #[test]
    fn light_children_win_a_crowded_shift_when_that_places_more() {
        // One caregiver (105): the needy family's infant (35) alone, or seven older toddlers.
        let mut wishes = vec![wish(0, &[(0, Infant)], 1)];
        for f in 1..=7 {
            wishes.push(wish(f, &[(0, Older)], 1));
        }
        let mut families = vec![fam(-100)];
        families.extend((1..=7).map(|_| fam(0)));
        let p = Problem { policy: Policy::default(), shifts: vec![shift(1, 12, 0, 480)], families, wishes };
        let a = allocate(&p, 7);
        assert_eq!(a.placed, 7);
        assert_eq!(a.wishes[0].refused, vec![(0, Reason::Caregivers)]);
    }

    #[test]
    fn the_needier_family_gets_the_contested_place() {
        let p = Problem {
            policy: Policy::default(),
            shifts: vec![shift(1, 1, 0, 480)],
            families: vec![fam(50), fam(-50)],
            wishes: vec![wish(0, &[(0, Older)], 1), wish(1, &[(0, Older)], 1)],
        };
        for seed in 0..20 {
            let a = allocate(&p, seed);
            assert_eq!(a.wishes[1].placed, vec![0]);
            assert_eq!(a.wishes[0].refused, vec![(0, Reason::Full)]);
        }
    }

    #[test]
    fn a_path_moves_a_flexible_child_to_make_room() {
        // Wish 0 (first in priority) takes shift 0; wish 1 wants only shift 0; wish 0 can move.
        let p = Problem {
            policy: Policy::default(),
            shifts: vec![shift(1, 1, 0, 480), shift(1, 1, 1, 480)],
            families: vec![fam(-10), fam(10)],
            wishes: vec![wish(0, &[(0, Older), (1, Older)], 1), wish(1, &[(0, Older)], 1)],
        };
        let a = allocate(&p, 1);
        assert_eq!(a.placed, 2);
        assert_eq!(a.wishes[0].placed, vec![1]);
    }

    #[test]
    fn credit_overlap_and_max_are_kept() {
        let mut p = Problem {
            policy: Policy::default(),
            shifts: vec![shift(2, 10, 0, 480), shift(2, 10, 0, 540), shift(2, 10, 1, 480), shift(2, 10, 2, 480)],
            families: vec![FamilyFacts { standing: 0, credit: 360 }],
            wishes: vec![wish(0, &[(0, Older), (1, Older), (2, Older), (3, Older)], 3)],
        };
        let a = allocate(&p, 3);
        assert_eq!(a.wishes[0].placed, vec![0, 2]);
        assert_eq!(a.wishes[0].refused, vec![(1, Reason::Overlap), (3, Reason::Credit)]);
        p.families[0].credit = 10_000;
        p.wishes[0].max = 2;
        let a = allocate(&p, 3);
        assert_eq!(a.wishes[0].placed, vec![0, 2]);
        assert_eq!(a.wishes[0].refused, vec![(1, Reason::Enough), (3, Reason::Enough)]);
    }

    #[test]
    fn the_same_seed_gives_the_same_result_and_the_lottery_decides_ties() {
        let p = Problem {
            policy: Policy::default(),
            shifts: vec![shift(1, 1, 0, 480)],
            families: (0..10).map(|_| fam(0)).collect(),
            wishes: (0..10).map(|f| wish(f, &[(0, Older)], 1)).collect(),
        };
        let winners: std::collections::BTreeSet<usize> = (0..50)
            .map(|seed| {
                let a = allocate(&p, seed);
                assert_eq!(a, allocate(&p, seed));
                a.wishes.iter().position(|o| !o.placed.is_empty()).unwrap()
            })
            .collect();
        assert!(winners.len() > 3, "the lottery spreads the place: {winners:?}");
    }
}
