//! Shared by `tests/allocation.rs` and `benches/allocation.rs`: seeded weeks of wishes,
//! the exact integer program of the allocation problem (good_lp + microlp), and a checker
//! of the capacity rules that uses `rota::check` directly, independently of the engine.
#![allow(dead_code)]

use std::time::Instant;

use good_lp::{
    constraint, microlp, variable, variables, Constraint, Expression, Solution, SolutionStatus, SolverModel, Variable,
    WithInitialSolution, WithMipGap, WithTimeLimit,
};
use huzhu::allocation::{needs, Allocation, Choice, FamilyFacts, Problem, Reason, ShiftFacts, WishFacts};
use huzhu::domain::AgeGroup;
use huzhu::policy::Policy;
use huzhu::rota::{self, Occupancy};
use rand::distributions::{Distribution, WeightedIndex};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A generated week: `families` families (1-3 children each, 70% one) wishing among
/// `shifts` shifts over 7 days, a fifth of them popular (5x as likely to be wished).
/// Shifts have 0-4 caregivers (mostly 1-2), 8-16 places (one in ten 20-24, so the mixed
/// cap matters), a few children already confirmed; families' credit is sometimes short;
/// standings in half-hours, so families tie and the lottery decides.
pub fn generate(families: usize, shifts: usize, seed: u64) -> Problem {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let policy = Policy::default();
    let starts = [480u32, 540, 780, 840];
    let mut shift_list = Vec::with_capacity(shifts);
    for _ in 0..shifts {
        let caregivers = *[0u32, 1, 1, 1, 1, 2, 2, 2, 3, 4].get(rng.gen_range(0..10)).unwrap_or(&1);
        let capacity = if rng.gen_ratio(1, 10) { rng.gen_range(20..=24) } else { rng.gen_range(8..=16) };
        let minutes = if rng.gen_bool(0.5) { 180 } else { 240 };
        let start = starts[rng.gen_range(0..starts.len())];
        let mut confirmed = Occupancy::default();
        for _ in 0..rng.gen_range(0..=3) {
            let g = AgeGroup::ALL[rng.gen_range(0..3)];
            if rota::can_add(&confirmed, g, caregivers, capacity, &policy).is_ok() {
                confirmed.add(g);
            }
        }
        shift_list.push(ShiftFacts {
            caregivers,
            capacity,
            confirmed,
            cost: minutes as i64 * policy.cost_per_child_minute,
            day: rng.gen_range(0..7),
            start,
            end: start + minutes,
        });
    }
    let weights: Vec<u32> = (0..shifts).map(|_| if rng.gen_ratio(1, 5) { 5 } else { 1 }).collect();
    let pick = WeightedIndex::new(&weights).expect("weights");
    let mut family_list = Vec::with_capacity(families);
    let mut wishes = Vec::new();
    for f in 0..families {
        let credit = if rng.gen_ratio(3, 10) { rng.gen_range(0..=500) } else { rng.gen_range(600..=1500) };
        family_list.push(FamilyFacts { standing: rng.gen_range(-20..=20) * 30, credit });
        let children = match rng.gen_range(0..20) {
            0 => 3,
            1..=5 => 2,
            _ => 1,
        };
        for _ in 0..children {
            let group = rng.gen_range(0..3usize);
            // One child in ten has a birthday mid-week and moves up a group from that day.
            let turns = (group < 2 && rng.gen_ratio(1, 10)).then(|| rng.gen_range(1..7));
            let n = rng.gen_range(1..=6.min(shifts));
            let mut choices: Vec<Choice> = Vec::with_capacity(n);
            for _ in 0..n * 4 {
                if choices.len() == n {
                    break;
                }
                let s = pick.sample(&mut rng);
                if choices.iter().any(|c| c.shift == s) {
                    continue;
                }
                let day = shift_list[s].day;
                let g = if turns.is_some_and(|d| day >= d) { group + 1 } else { group };
                choices.push(Choice { shift: s, group: AgeGroup::ALL[g] });
            }
            let max = rng.gen_range(1..=choices.len().min(3)) as u32;
            wishes.push(WishFacts { family: f, choices, max });
        }
    }
    Problem { policy, shifts: shift_list, families: family_list, wishes }
}

/// The independent check: every rule the engine must keep, from the problem alone.
pub fn check(p: &Problem, a: &Allocation) -> Result<(), String> {
    if a.wishes.len() != p.wishes.len() {
        return Err("one outcome per wish".into());
    }
    let mut occ: Vec<Occupancy> = p.shifts.iter().map(|s| s.confirmed).collect();
    let mut touched = vec![false; p.shifts.len()];
    let mut spent = vec![0i64; p.families.len()];
    let mut placed = 0;
    for (w, (wish, out)) in p.wishes.iter().zip(&a.wishes).enumerate() {
        if out.placed.len() > wish.max as usize {
            return Err(format!("wish {w} got {} > max {}", out.placed.len(), wish.max));
        }
        for (i, s) in out.placed.iter().enumerate() {
            let Some(choice) = wish.choices.iter().find(|c| c.shift == *s) else {
                return Err(format!("wish {w} got shift {s} it did not wish for"));
            };
            if out.placed[..i].contains(s) {
                return Err(format!("wish {w} got shift {s} twice"));
            }
            for t in &out.placed[..i] {
                let (x, y) = (&p.shifts[*s], &p.shifts[*t]);
                if x.day == y.day && x.start < y.end && y.start < x.end {
                    return Err(format!("wish {w} got overlapping shifts {s} and {t}"));
                }
            }
            occ[*s].add(choice.group);
            touched[*s] = true;
            spent[wish.family] += p.shifts[*s].cost;
            placed += 1;
        }
        for c in &wish.choices {
            let n = out.placed.iter().filter(|s| **s == c.shift).count()
                + out.refused.iter().filter(|(s, _)| *s == c.shift).count();
            if n != 1 {
                return Err(format!("wish {w}: shift {} accounted for {n} times", c.shift));
            }
        }
        if out.refused.iter().any(|(_, r)| *r == Reason::Enough) && out.placed.len() < wish.max as usize {
            return Err(format!("wish {w} told 'enough' below its max"));
        }
    }
    for (s, sh) in p.shifts.iter().enumerate() {
        if touched[s] {
            rota::check(&occ[s], sh.caregivers, sh.capacity, &p.policy)
                .map_err(|m| format!("shift {s} breaks {m:?} with {:?}", occ[s].counts))?;
        }
    }
    for (f, fam) in p.families.iter().enumerate() {
        if spent[f] > fam.credit {
            return Err(format!("family {f} spends {} > credit {}", spent[f], fam.credit));
        }
    }
    if placed != a.placed {
        return Err(format!("placed {} but counted {}", placed, a.placed));
    }
    Ok(())
}

/// What the exact solver found.
#[derive(Debug, Clone)]
pub struct Exact {
    /// The most child-shifts placeable (proven optimal when `optimal`).
    pub placed: usize,
    pub optimal: bool,
    /// The best fairness score among allocations placing `placed` (None: not proven in time).
    pub fairness: Option<i64>,
    pub secs: f64,
    /// The solver's placements, per wish (shift indices), as found in stage 1.
    pub placements: Vec<Vec<usize>>,
}

struct Model {
    vars: good_lp::ProblemVariables,
    x: Vec<(usize, usize, Variable)>,
    /// The mixed-class binaries: (shift, Some(group): y, group present; None: z, mixed).
    flags: Vec<(usize, Option<AgeGroup>, Variable)>,
    constraints: Vec<Constraint>,
}

/// The integer program: x[w,c] in {0,1} for each wished shift (first mention of a shift
/// in a wish); per wish at most `max` and no two overlapping; per family the credit; per
/// shift the class caps, the room, the age-weighted load, and the mixed-class cap as a
/// disjunction (binary y[s,g]: group g present; z[s]: mixed; groups <= 1 + 2 z;
/// total <= capacity - (capacity - 18) z).
fn model(p: &Problem) -> Model {
    let pol = &p.policy;
    let mut vars = variables!();
    let mut x = Vec::new();
    let mut per_shift: Vec<Vec<(AgeGroup, Variable)>> = vec![Vec::new(); p.shifts.len()];
    let mut constraints = Vec::new();
    let mut flags = Vec::new();
    let dead: Vec<bool> =
        p.shifts.iter().map(|s| rota::check(&s.confirmed, s.caregivers, s.capacity, pol).is_err()).collect();
    let mut per_family: Vec<Expression> = vec![Expression::from(0.0); p.families.len()];
    for (w, wish) in p.wishes.iter().enumerate() {
        let mut mine: Vec<(usize, Variable)> = Vec::new();
        for (c, ch) in wish.choices.iter().enumerate() {
            if ch.shift >= p.shifts.len() || dead[ch.shift] || wish.choices[..c].iter().any(|o| o.shift == ch.shift) {
                continue;
            }
            let v = vars.add(variable().binary());
            x.push((w, c, v));
            per_shift[ch.shift].push((ch.group, v));
            per_family[wish.family] += p.shifts[ch.shift].cost as f64 * v;
            mine.push((ch.shift, v));
        }
        if mine.is_empty() {
            continue;
        }
        let total: Expression = mine.iter().map(|(_, v)| *v).sum();
        constraints.push(constraint!(total <= wish.max as f64));
        for i in 0..mine.len() {
            for j in i + 1..mine.len() {
                let (a, b) = (&p.shifts[mine[i].0], &p.shifts[mine[j].0]);
                if a.day == b.day && a.start < b.end && b.start < a.end {
                    constraints.push(constraint!(mine[i].1 + mine[j].1 <= 1.0));
                }
            }
        }
    }
    for (f, e) in per_family.into_iter().enumerate() {
        constraints.push(constraint!(e <= p.families[f].credit as f64));
    }
    // Cut: a family pays for at most credit / (its cheapest wished shift) places.
    let mut cheapest: Vec<Option<i64>> = vec![None; p.families.len()];
    let mut per_family_n: Vec<Expression> = vec![Expression::from(0.0); p.families.len()];
    for (w, c, v) in &x {
        let f = p.wishes[*w].family;
        let cost = p.shifts[p.wishes[*w].choices[*c].shift].cost;
        cheapest[f] = Some(cheapest[f].map_or(cost, |m: i64| m.min(cost)));
        per_family_n[f] += *v;
    }
    for (f, e) in per_family_n.into_iter().enumerate() {
        if let Some(m) = cheapest[f].filter(|m| *m > 0) {
            constraints.push(constraint!(e <= (p.families[f].credit.max(0) / m) as f64));
        }
    }
    for (s, list) in per_shift.iter().enumerate() {
        if list.is_empty() {
            continue;
        }
        let sh = &p.shifts[s];
        let e = sh.confirmed;
        let total: Expression = list.iter().map(|(_, v)| *v).sum();
        let load: Expression = list.iter().map(|(g, v)| pol.load_of(*g) as f64 * *v).sum();
        // Cuts: for a few directions d, d . (children added per group) is at most its
        // largest value over the shift's feasible mixes (enumerated with rota::check),
        // which brings the relaxation close to the integer hull.
        let mut supply = [0u32; 3];
        for (g, _) in list {
            supply[g.index()] += 1;
        }
        for (d, most) in hull_cuts(sh, supply, pol) {
            let lhs: Expression = list.iter().map(|(g, v)| d[g.index()] as f64 * *v).sum();
            constraints.push(constraint!(lhs <= most as f64));
        }
        constraints.push(constraint!(load <= (sh.caregivers * pol.load_per_caregiver) as f64 - e.load(pol) as f64));
        let mut present = Vec::new();
        for g in AgeGroup::ALL {
            let n: Expression = list.iter().filter(|(h, _)| *h == g).map(|(_, v)| *v).sum();
            let room_g = pol.cap_of(g) as f64 - e.counts[g.index()] as f64;
            if sh.capacity > pol.mixed_class_cap {
                let y = vars.add(variable().binary());
                if e.counts[g.index()] > 0 {
                    constraints.push(constraint!(y >= 1.0));
                }
                constraints.push(constraint!(n <= room_g * y));
                present.push(y);
                flags.push((s, Some(g), y));
            } else {
                constraints.push(constraint!(n <= room_g));
            }
        }
        if sh.capacity > pol.mixed_class_cap {
            let z = vars.add(variable().binary());
            flags.push((s, None, z));
            let groups: Expression = present.iter().copied().sum();
            constraints.push(constraint!(groups <= 1.0 + 2.0 * z));
            let slack = (sh.capacity - pol.mixed_class_cap) as f64;
            constraints.push(constraint!(total + slack * z <= sh.capacity as f64 - e.total() as f64));
        } else {
            constraints.push(constraint!(total <= sh.capacity as f64 - e.total() as f64));
        }
    }
    Model { vars, x, flags, constraints }
}

/// Directions of the per-shift cuts: every d in {0,1,2,3}^3 but zero.
fn directions() -> Vec<[u32; 3]> {
    let mut out = Vec::new();
    for a in 0..4 {
        for b in 0..4 {
            for c in 0..4 {
                if a + b + c > 0 {
                    out.push([a, b, c]);
                }
            }
        }
    }
    out
}

/// For each direction, the largest d . n over the mixes n (at most `supply` per group)
/// that the shift can add to its confirmed children (brute force over rota::check).
fn hull_cuts(sh: &ShiftFacts, supply: [u32; 3], pol: &Policy) -> Vec<([u32; 3], u32)> {
    let dirs = directions();
    let mut best = vec![0u32; dirs.len()];
    let lim = |g: usize| supply[g].min(pol.class_caps[g]);
    for a in 0..=lim(0) {
        for b in 0..=lim(1) {
            for c in 0..=lim(2) {
                let mut occ = sh.confirmed;
                occ.counts[0] += a;
                occ.counts[1] += b;
                occ.counts[2] += c;
                if rota::check(&occ, sh.caregivers, sh.capacity, pol).is_err() {
                    continue;
                }
                for (i, d) in dirs.iter().enumerate() {
                    best[i] = best[i].max(d[0] * a + d[1] * b + d[2] * c);
                }
            }
        }
    }
    dirs.into_iter()
        .zip(best)
        // Only cuts that bind below what the supply alone allows.
        .filter(|(d, m)| *m < d[0] * supply[0] + d[1] * supply[1] + d[2] * supply[2])
        .collect()
}

/// The engine's answer as values of the model's variables, for a warm start.
fn hints(p: &Problem, m: &Model, a: &Allocation) -> Vec<(Variable, f64)> {
    let mut occ: Vec<Occupancy> = p.shifts.iter().map(|s| s.confirmed).collect();
    let mut out = Vec::new();
    for (w, c, v) in &m.x {
        let ch = p.wishes[*w].choices[*c];
        let on = a.wishes[*w].placed.contains(&ch.shift);
        if on {
            occ[ch.shift].add(ch.group);
        }
        out.push((*v, if on { 1.0 } else { 0.0 }));
    }
    for (s, g, v) in &m.flags {
        let on = match g {
            Some(g) => occ[*s].counts[g.index()] > 0,
            None => occ[*s].is_mixed(),
        };
        out.push((*v, if on { 1.0 } else { 0.0 }));
    }
    out
}

/// Solves the integer program lexicographically: the most placements, then (with that many)
/// the best fairness score, within `limit` seconds in all. `warm`: an allocation to start
/// from (the engine's): only an advisory first incumbent, the proof of optimality does not
/// depend on it. Both objectives are integers, so the search stops once the bound is less
/// than 1 above the incumbent (a relative gap below 1 / the largest possible objective):
/// that incumbent is optimal.
pub fn solve_exact(p: &Problem, limit: f64, warm: Option<&Allocation>) -> Result<Exact, String> {
    let started = Instant::now();
    let need = needs(&p.families);
    // Stage 1: the most placements.
    let m = model(p);
    if m.x.is_empty() {
        return Ok(Exact {
            placed: 0,
            optimal: true,
            fairness: Some(0),
            secs: 0.0,
            placements: vec![vec![]; p.wishes.len()],
        });
    }
    let nx = m.x.len() as f32;
    let objective: Expression = m.x.iter().map(|(_, _, v)| *v).sum();
    let hint = warm.map(|a| hints(p, &m, a));
    let mut solver = m
        .vars
        .maximise(objective)
        .using(microlp)
        .with_all(m.constraints)
        .with_time_limit(limit)
        .with_mip_gap(0.999 / (nx + 1.0))
        .map_err(|e| e.to_string())?;
    if let Some(h) = hint {
        solver = solver.with_initial_solution(h);
    }
    let sol = solver.solve().map_err(|e| e.to_string())?;
    let placed = m.x.iter().filter(|(_, _, v)| sol.value(*v) > 0.5).count();
    let mut placements = vec![vec![]; p.wishes.len()];
    for (w, c, v) in &m.x {
        if sol.value(*v) > 0.5 {
            placements[*w].push(p.wishes[*w].choices[*c].shift);
        }
    }
    let optimal = matches!(sol.status(), SolutionStatus::Optimal | SolutionStatus::GapLimit);
    if !optimal {
        return Ok(Exact { placed, optimal, fairness: None, secs: started.elapsed().as_secs_f64(), placements });
    }
    // Stage 2: with that many, the best fairness score.
    let left = limit - started.elapsed().as_secs_f64();
    let mut fairness = None;
    if left > 0.5 {
        let m = model(p);
        let count: Expression = m.x.iter().map(|(_, _, v)| *v).sum();
        let fair: Expression = m.x.iter().map(|(w, _, v)| need[p.wishes[*w].family] as f64 * *v).sum();
        let top = m.x.iter().map(|(w, _, _)| need[p.wishes[*w].family]).sum::<i64>() as f32;
        let hint = warm.map(|a| hints(p, &m, a));
        let mut solver = m
            .vars
            .maximise(fair)
            .using(microlp)
            .with_all(m.constraints)
            .with(constraint!(count >= placed as f64 - 0.5))
            .with_time_limit(left)
            .with_mip_gap(0.999 / (top + 1.0))
            .map_err(|e| e.to_string())?;
        if let Some(h) = hint {
            solver = solver.with_initial_solution(h);
        }
        if let Ok(sol) = solver.solve() {
            if matches!(sol.status(), SolutionStatus::Optimal | SolutionStatus::GapLimit) {
                fairness = Some(
                    m.x.iter().filter(|(_, _, v)| sol.value(*v) > 0.5).map(|(w, _, _)| need[p.wishes[*w].family]).sum(),
                );
            }
        }
    }
    Ok(Exact { placed, optimal, fairness, secs: started.elapsed().as_secs_f64(), placements })
}

/// A small, crowded week: few places (1-6), 0-2 caregivers, sometimes children already
/// confirmed beyond what the caregivers can carry (a caregiver dropped). Contested enough
/// that the order of placement matters.
pub fn generate_tight(families: usize, shifts: usize, seed: u64) -> Problem {
    let mut p = generate(families, shifts, seed);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7167_6874);
    for s in &mut p.shifts {
        s.capacity = rng.gen_range(1..=6);
        s.caregivers = rng.gen_range(0..=2);
        if rng.gen_ratio(1, 6) {
            // Understaffed or over the room already: nothing more may go in.
            s.confirmed = Occupancy::of([AgeGroup::Infant, AgeGroup::Infant]);
        } else {
            s.confirmed = Occupancy::default();
            if rng.gen_bool(0.3)
                && rota::can_add(&s.confirmed, AgeGroup::Toddler, s.caregivers, s.capacity, &p.policy).is_ok()
            {
                s.confirmed.add(AgeGroup::Toddler);
            }
        }
    }
    p
}

/// (wish, shift) placements taken away and added.
pub type Diff = (Vec<(usize, usize)>, Vec<(usize, usize)>);

/// Diagnosis: an allocation placing at least `target` that differs from `a` in as few
/// (wish, shift) placements as possible, as (removed, added) lists; None if not found.
pub fn closest_with(p: &Problem, a: &Allocation, target: usize, limit: f64) -> Option<Diff> {
    let m = model(p);
    let count: Expression = m.x.iter().map(|(_, _, v)| *v).sum();
    let mut dist = Expression::from(0.0);
    for (w, c, v) in &m.x {
        let s = p.wishes[*w].choices[*c].shift;
        if a.wishes[*w].placed.contains(&s) {
            dist += 1.0 - *v;
        } else {
            dist += *v;
        }
    }
    let sol = m
        .vars
        .minimise(dist)
        .using(microlp)
        .with_all(m.constraints)
        .with(constraint!(count >= target as f64 - 0.5))
        .with_time_limit(limit)
        .solve()
        .ok()?;
    let (mut removed, mut added) = (vec![], vec![]);
    for (w, c, v) in &m.x {
        let s = p.wishes[*w].choices[*c].shift;
        let on = sol.value(*v) > 0.5;
        let was = a.wishes[*w].placed.contains(&s);
        if was && !on {
            removed.push((*w, s));
        }
        if on && !was {
            added.push((*w, s));
        }
    }
    Some((removed, added))
}
