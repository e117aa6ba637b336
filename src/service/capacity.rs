//! A shift's capacity, kept right after every change to its children or caregivers:
//! its live state (`shift_state`), the waitlist promoted strictly in order as far as the
//! rules allow, the understaffed flag (coordinators told when it goes up), and how many
//! caregivers it still lacks. The rules themselves are `rota`'s; this layer reads and
//! writes through `records` and plans no jobs (`jobs` sits above it and starts or stops
//! the search for cover).

use super::records::*;
use super::{Event, Notice, Res, ShiftBrief};
use crate::domain::*;
use crate::rota::{self, Occupancy};
use crate::store::Tx;

/// The live state of a shift, read from its bookings and signups.
pub struct ShiftState {
    pub confirmed: Vec<Booking>,
    pub waitlist: Vec<Booking>,
    pub on_duty: Vec<Signup>,
}

impl ShiftState {
    pub fn caregivers(&self, shift: &Shift) -> u32 {
        shift.staff + self.on_duty.len() as u32
    }
    pub fn occupancy(&self) -> Occupancy {
        Occupancy::of(self.confirmed.iter().map(|b| b.group))
    }
}

pub fn shift_state(tx: &Tx, shift: &Shift) -> Res<ShiftState> {
    let mut st = ShiftState { confirmed: vec![], waitlist: vec![], on_duty: vec![] };
    for id in &shift.bookings {
        let b = booking(tx, *id)?;
        match b.status {
            BookingStatus::Confirmed => st.confirmed.push(b),
            BookingStatus::Waitlisted => st.waitlist.push(b),
            _ => {}
        }
    }
    for id in &shift.signups {
        let s = signup(tx, *id)?;
        if s.is_on_duty() {
            st.on_duty.push(s);
        }
    }
    Ok(st)
}

/// After capacity grew or shrank: promote the waitlist in order as far as it fits, and
/// flag (and report) the shift as understaffed when confirmed children no longer fit.
/// Stores the shift. (The search for cover follows: `jobs::rebalance_and_review`.)
pub fn rebalance(tx: &Tx, centre: &Centre, shift: &mut Shift, notes: &mut Vec<Notice>) -> Res<()> {
    let st = shift_state(tx, shift)?;
    let policy = &centre.policy;
    let caregivers = st.caregivers(shift);
    let waitlist: Vec<(BookingId, AgeGroup)> = st.waitlist.iter().map(|b| (b.id, b.group)).collect();
    let promote = rota::promotable(st.occupancy(), &waitlist, caregivers, shift.capacity, policy);
    let mut occ = st.occupancy();
    for b in st.waitlist.iter().filter(|b| promote.contains(&b.id)) {
        let mut b = b.clone();
        b.status = BookingStatus::Confirmed;
        put_booking(tx, &b)?;
        occ.add(b.group);
        let fam = family(tx, b.family)?;
        let child = child_in(tx, centre.id, b.child)?;
        tell_family(
            notes,
            &fam,
            Event::Promoted { booking: b.id, shift: ShiftBrief::from(&*shift), child: child.name },
        );
    }
    let under = rota::is_understaffed(&occ, caregivers, policy);
    if under && !shift.understaffed {
        let missing = rota::caregivers_for(&occ, policy).saturating_sub(caregivers);
        tell_all(
            notes,
            &coordinators(tx, centre.id)?,
            Event::Understaffed { shift: ShiftBrief::from(&*shift), missing },
        );
    }
    shift.understaffed = under;
    put_shift(tx, shift)
}

/// Caregivers a shift still lacks (`rota::cover_needed`): none once it is not open.
pub fn cover_needed(tx: &Tx, centre: &Centre, shift: &Shift) -> Res<u32> {
    if shift.status != ShiftStatus::Open {
        return Ok(0);
    }
    let st = shift_state(tx, shift)?;
    let waiting: Vec<AgeGroup> = st.waitlist.iter().map(|b| b.group).collect();
    Ok(rota::cover_needed(&st.occupancy(), &waiting, st.caregivers(shift), shift.capacity, &centre.policy))
}
