//! The rota engine's pure rules: age-weighted capacity, waitlist promotion,
//! understaffing, how many volunteers a shift still needs, and who may not sign up
//! (the no-show block).
//!
//! Invariant kept by callers: a shift's confirmed children always satisfy
//! `fits(..)` for its caregivers, except when a caregiver drops, which marks
//! the shift understaffed instead of dropping a child.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{AgeGroup, BookingId, Member};
use crate::policy::Policy;

/// The policy's numbers per age group. (Written here, where age groups meet the policy:
/// `policy` knows no domain type, so the two do not import each other.)
impl Policy {
    pub fn load_of(&self, group: AgeGroup) -> u32 {
        self.load_units[group.index()]
    }
    pub fn cap_of(&self, group: AgeGroup) -> u32 {
        self.class_caps[group.index()]
    }
}

/// Children counted per age group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occupancy {
    pub counts: [u32; 3],
}

impl Occupancy {
    pub fn of(groups: impl IntoIterator<Item = AgeGroup>) -> Self {
        let mut o = Occupancy::default();
        for g in groups {
            o.add(g);
        }
        o
    }
    pub fn add(&mut self, g: AgeGroup) {
        self.counts[g.index()] += 1;
    }
    pub fn with(mut self, g: AgeGroup) -> Self {
        self.add(g);
        self
    }
    pub fn total(&self) -> u32 {
        self.counts.iter().sum()
    }
    /// More than one age group is present: the children form a mixed class.
    pub fn is_mixed(&self) -> bool {
        self.counts.iter().filter(|n| **n > 0).count() > 1
    }
    /// Load units used (integer arithmetic only).
    pub fn load(&self, policy: &Policy) -> u32 {
        AgeGroup::ALL.iter().map(|g| self.counts[g.index()] * policy.load_of(*g)).sum()
    }
}

/// Why a child does not fit a shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Misfit {
    /// Not enough caregivers for the age-weighted load.
    Ratio,
    /// The child's age group is at its class-size cap.
    ClassCap(AgeGroup),
    /// A class that mixes age groups is at its cap (18 by default).
    MixedClass,
    /// The room is full.
    Room,
}

/// Whether `occ` is allowed with `caregivers` on duty in a room of `capacity`.
pub fn check(occ: &Occupancy, caregivers: u32, capacity: u32, policy: &Policy) -> Result<(), Misfit> {
    if occ.total() > capacity {
        return Err(Misfit::Room);
    }
    for g in AgeGroup::ALL {
        if occ.counts[g.index()] > policy.cap_of(g) {
            return Err(Misfit::ClassCap(g));
        }
    }
    if occ.is_mixed() && occ.total() > policy.mixed_class_cap {
        return Err(Misfit::MixedClass);
    }
    if occ.load(policy) > caregivers.saturating_mul(policy.load_per_caregiver) {
        return Err(Misfit::Ratio);
    }
    Ok(())
}

/// Whether one more child of `group` fits.
pub fn can_add(
    occ: &Occupancy,
    group: AgeGroup,
    caregivers: u32,
    capacity: u32,
    policy: &Policy,
) -> Result<(), Misfit> {
    check(&occ.with(group), caregivers, capacity, policy)
}

/// Promotes the waitlist strictly in order: the longest prefix that fits.
/// Stopping at the first child that does not fit keeps first-come-first-served fair.
pub fn promotable(
    confirmed: Occupancy,
    waitlist: &[(BookingId, AgeGroup)],
    caregivers: u32,
    capacity: u32,
    policy: &Policy,
) -> Vec<BookingId> {
    let mut occ = confirmed;
    let mut out = Vec::new();
    for (id, g) in waitlist {
        if can_add(&occ, *g, caregivers, capacity, policy).is_err() {
            break;
        }
        occ.add(*g);
        out.push(*id);
    }
    out
}

/// After the children's age groups changed (their shift moved to another date): the
/// confirmed children that must go back to the waitlist so that room, class and mixed-class
/// caps hold again, the last booked first. The ratio is not checked here: more caregivers
/// can fix it, so the shift is flagged understaffed instead.
pub fn over_caps(confirmed: &[(BookingId, AgeGroup)], capacity: u32, policy: &Policy) -> Vec<BookingId> {
    let unlimited = u32::MAX / policy.load_per_caregiver.max(1);
    let mut keep = confirmed.len();
    while keep > 0
        && check(&Occupancy::of(confirmed[..keep].iter().map(|(_, g)| *g)), unlimited, capacity, policy).is_err()
    {
        keep -= 1;
    }
    confirmed[keep..].iter().rev().map(|(id, _)| *id).collect()
}

/// Caregivers needed to carry `occ` by load alone.
pub fn caregivers_for(occ: &Occupancy, policy: &Policy) -> u32 {
    occ.load(policy).div_ceil(policy.load_per_caregiver.max(1))
}

/// More confirmed load than the caregivers on duty can carry.
pub fn is_understaffed(confirmed: &Occupancy, caregivers: u32, policy: &Policy) -> bool {
    confirmed.load(policy) > caregivers.saturating_mul(policy.load_per_caregiver)
}

/// How many more children of each group could be confirmed right now, each counted alone.
pub fn free_places(confirmed: &Occupancy, caregivers: u32, capacity: u32, policy: &Policy) -> [u32; 3] {
    let mut out = [0; 3];
    for g in AgeGroup::ALL {
        let mut occ = *confirmed;
        while can_add(&occ, g, caregivers, capacity, policy).is_ok() {
            occ.add(g);
            out[g.index()] += 1;
        }
    }
    out
}

/// Volunteers still wanted: enough extra caregivers to carry the confirmed children and
/// every waitlisted child that room and class caps would allow, in waitlist order.
pub fn volunteers_needed(
    confirmed: &Occupancy,
    waitlist: &[AgeGroup],
    caregivers: u32,
    capacity: u32,
    policy: &Policy,
) -> u32 {
    let mut occ = *confirmed;
    for g in waitlist {
        // With unlimited caregivers, only room and class caps stop a child.
        if check(&occ.with(*g), u32::MAX / policy.load_per_caregiver.max(1), capacity, policy).is_err() {
            break;
        }
        occ.add(*g);
    }
    caregivers_for(&occ, policy).saturating_sub(caregivers)
}

/// Caregivers a shift still lacks, what the search for cover looks for: enough for its
/// confirmed and waitlisted children (`volunteers_needed`), and at least one when nobody
/// at all is on duty (no child could be taken).
pub fn cover_needed(
    confirmed: &Occupancy,
    waitlist: &[AgeGroup],
    caregivers: u32,
    capacity: u32,
    policy: &Policy,
) -> u32 {
    let needed = volunteers_needed(confirmed, waitlist, caregivers, capacity, policy);
    if caregivers == 0 {
        needed.max(1)
    } else {
        needed
    }
}

/// Sign-up is blocked once `no_show_block_count` no-shows (dated at their shifts) fell
/// within `no_show_window_days` of each other since the last lift; the block lasts
/// until a coordinator lifts it (DESIGN.md section 3), however long ago they were.
pub fn is_blocked(m: &Member, policy: &Policy) -> bool {
    let n = policy.no_show_block_count as usize;
    if n == 0 {
        return false;
    }
    let mut counted: Vec<DateTime<Utc>> = match m.no_shows_lifted {
        Some(k) => m.no_shows.iter().skip(k).copied().collect(),
        None => m.no_shows.iter().filter(|t| m.block_lifted_at.is_none_or(|l| **t > l)).copied().collect(),
    };
    counted.sort_unstable();
    let window = chrono::Duration::try_days(policy.no_show_window_days.max(0)).unwrap_or(chrono::Duration::MAX);
    counted.windows(n).any(|w| w[n - 1] - w[0] <= window)
}

#[cfg(test)]
mod tests {
    use super::*;
    use AgeGroup::*;

    fn p() -> Policy {
        Policy::default()
    }

    #[test]
    fn load_exactly_at_the_limit_fits_one_more_does_not() {
        let policy = p();
        // one caregiver: 3 infants = 105 exactly
        let occ = Occupancy::of([Infant, Infant]);
        assert_eq!(can_add(&occ, Infant, 1, 20, &policy), Ok(()));
        let full = occ.with(Infant);
        assert_eq!(full.load(&policy), 105);
        assert_eq!(can_add(&full, Older, 1, 20, &policy), Err(Misfit::Ratio));
        // 5 toddlers = 105, 7 older = 105
        assert_eq!(check(&Occupancy::of([Toddler; 5]), 1, 20, &policy), Ok(()));
        assert_eq!(check(&Occupancy::of([Toddler; 6]), 1, 20, &policy), Err(Misfit::Ratio));
        assert_eq!(check(&Occupancy::of([Older; 7]), 1, 20, &policy), Ok(()));
        assert_eq!(check(&Occupancy::of([Older; 8]), 1, 20, &policy), Err(Misfit::Ratio));
        // mixed: 1 infant (35) + 2 toddlers (42) + 1 older (15) = 92; +1 older = 107 > 105
        let mixed = Occupancy::of([Infant, Toddler, Toddler, Older]);
        assert_eq!(mixed.load(&policy), 92);
        assert_eq!(can_add(&mixed, Older, 1, 20, &policy), Err(Misfit::Ratio));
        assert_eq!(can_add(&mixed, Older, 2, 20, &policy), Ok(()));
    }

    #[test]
    fn class_caps_and_room() {
        let policy = p();
        assert_eq!(check(&Occupancy::of([Infant; 10]), 10, 30, &policy), Ok(()));
        assert_eq!(check(&Occupancy::of([Infant; 11]), 10, 30, &policy), Err(Misfit::ClassCap(Infant)));
        assert_eq!(check(&Occupancy::of([Toddler; 16]), 10, 30, &policy), Err(Misfit::ClassCap(Toddler)));
        assert_eq!(check(&Occupancy::of([Older; 21]), 10, 30, &policy), Err(Misfit::ClassCap(Older)));
        assert_eq!(check(&Occupancy::of([Older; 4]), 10, 4, &policy), Ok(()));
        assert_eq!(check(&Occupancy::of([Older; 5]), 10, 4, &policy), Err(Misfit::Room));
    }

    #[test]
    fn a_mixed_class_holds_at_most_18() {
        let policy = p();
        // One group alone may go up to its own cap (20 older toddlers)...
        assert_eq!(check(&Occupancy::of([Older; 20]), 10, 30, &policy), Ok(()));
        // ...but as soon as groups mix, 18 is the most.
        let mut mixed = Occupancy::of([Older; 17]).with(Toddler);
        assert_eq!(check(&mixed, 10, 30, &policy), Ok(()));
        assert_eq!(can_add(&mixed, Older, 10, 30, &policy), Err(Misfit::MixedClass));
        assert_eq!(can_add(&mixed, Toddler, 10, 30, &policy), Err(Misfit::MixedClass));
        mixed = Occupancy::of([Older; 18]);
        assert_eq!(can_add(&mixed, Older, 10, 30, &policy), Ok(()));
        assert_eq!(can_add(&mixed, Infant, 10, 30, &policy), Err(Misfit::MixedClass));
        // Free places and volunteers needed respect it too.
        assert_eq!(free_places(&Occupancy::of([Older; 17]), 10, 30, &policy), [1, 1, 3]);
        assert_eq!(volunteers_needed(&Occupancy::of([Older; 18]), &[Toddler, Older], 2, 30, &policy), 1);
    }

    #[test]
    fn over_caps_sends_back_the_last_booked_first() {
        let policy = p();
        let ids: Vec<(BookingId, AgeGroup)> =
            [Older, Older, Infant, Older].iter().enumerate().map(|(i, g)| (BookingId(i as u64 + 1), *g)).collect();
        assert!(over_caps(&ids, 4, &policy).is_empty());
        assert_eq!(over_caps(&ids, 2, &policy), vec![BookingId(4), BookingId(3)]);
        // Class cap: 11 infants, one goes back.
        let infants: Vec<(BookingId, AgeGroup)> = (1..=11).map(|i| (BookingId(i), Infant)).collect();
        assert_eq!(over_caps(&infants, 30, &policy), vec![BookingId(11)]);
    }

    #[test]
    fn promotion_is_strictly_in_order() {
        let policy = p();
        let wl = [(BookingId(1), Toddler), (BookingId(2), Infant), (BookingId(3), Older)];
        // 1 caregiver, 2 toddlers confirmed (42): toddler -> 63, infant -> 98, older -> 113 no
        let got = promotable(Occupancy::of([Toddler, Toddler]), &wl, 1, 20, &policy);
        assert_eq!(got, vec![BookingId(1), BookingId(2)]);
        // an infant at the head that does not fit blocks those behind it
        let wl = [(BookingId(1), Infant), (BookingId(2), Older)];
        let got = promotable(Occupancy::of([Infant, Infant, Older]), &wl, 1, 20, &policy);
        assert!(got.is_empty());
    }

    #[test]
    fn understaffed_and_volunteers_needed() {
        let policy = p();
        let occ = Occupancy::of([Infant, Infant, Infant, Toddler]);
        assert!(is_understaffed(&occ, 1, &policy));
        assert!(!is_understaffed(&occ, 2, &policy));
        assert_eq!(caregivers_for(&occ, &policy), 2);
        assert_eq!(volunteers_needed(&occ, &[], 1, 20, &policy), 1);
        assert_eq!(volunteers_needed(&occ, &[], 2, 20, &policy), 0);
        // waitlist of 3 infants: 6 infants = 210 + 21 = 231 -> 3 caregivers
        assert_eq!(volunteers_needed(&occ, &[Infant, Infant, Infant], 1, 20, &policy), 2);
        // room cap 5 stops the waitlist after one child
        assert_eq!(volunteers_needed(&occ, &[Infant, Infant], 2, 5, &policy), 0);
    }

    #[test]
    fn free_places_per_group() {
        let policy = p();
        let free = free_places(&Occupancy::default(), 1, 12, &policy);
        assert_eq!(free, [3, 5, 7]);
        let free = free_places(&Occupancy::of([Older; 6]), 1, 12, &policy);
        assert_eq!(free, [0, 0, 1]);
        let free = free_places(&Occupancy::default(), 3, 4, &policy);
        assert_eq!(free, [4, 4, 4]);
    }

    #[test]
    fn cover_wants_at_least_one_caregiver() {
        let policy = p();
        // No child and nobody on duty: still one, so a child could be taken.
        assert_eq!(cover_needed(&Occupancy::default(), &[], 0, 12, &policy), 1);
        assert_eq!(volunteers_needed(&Occupancy::default(), &[], 0, 12, &policy), 0);
        // Staff on duty and no child: nobody is wanted.
        assert_eq!(cover_needed(&Occupancy::default(), &[], 1, 12, &policy), 0);
        // Otherwise as many as the children want.
        assert_eq!(cover_needed(&Occupancy::of([Infant; 4]), &[], 0, 12, &policy), 2);
        assert_eq!(cover_needed(&Occupancy::of([Infant; 4]), &[Infant, Infant, Infant], 1, 12, &policy), 2);
    }

    #[test]
    fn two_no_shows_within_the_window_block_until_lifted() {
        use crate::domain::{CentreId, MemberStatus, Role, UserId};
        let policy = p();
        let day = |d: i64| DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::days(d);
        let mut m = Member::new(UserId(1), CentreId(1), "A".into(), MemberStatus::Active, Role::Parent, None, day(0));
        m.no_shows = vec![day(10)];
        assert!(!is_blocked(&m, &policy));
        // The second one 91 days later: outside the 90-day window.
        m.no_shows.push(day(101));
        assert!(!is_blocked(&m, &policy));
        // A third within 90 days of the second: blocked, however long ago they were.
        m.no_shows.push(day(150));
        assert!(is_blocked(&m, &policy));
        // Lifted: those no longer count.
        m.no_shows_lifted = Some(3);
        assert!(!is_blocked(&m, &policy));
        m.no_shows.push(day(400));
        assert!(!is_blocked(&m, &policy));
        m.no_shows.push(day(401));
        assert!(is_blocked(&m, &policy));
        // Records from before `no_shows_lifted`: the lift's time decides.
        m.no_shows_lifted = None;
        m.block_lifted_at = Some(day(400));
        assert!(!is_blocked(&m, &policy));
        // No block count: never blocked.
        m.block_lifted_at = None;
        assert!(!is_blocked(&m, &Policy { no_show_block_count: 0, ..p() }));
    }
}
