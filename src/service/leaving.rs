//! Leaving and removal: a guardian leaves the family, a member leaves the centre, a
//! coordinator removes a guardian or a whole family. Future signups are dropped and,
//! when a family closes (its last guardian goes), its future bookings are cancelled
//! with the usual rules (free when a coordinator removes them). The family's account
//! is kept, and found again when the person comes back with the centre's code.
//!
//! The future bookings and signups are read from their indexes inside the change
//! (`records::family_bookings_from`, `member_signups_from`), so one made at the same
//! moment is either walked or, made after, refused.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::access::{former_key, request_key, FormerFamily};
use super::booking::{take_booking_off, take_signup_off};
use super::jobs::rebalance_and_review;
use super::records::*;
use super::{Caller, Event, Notice, Outcome, Res, Service, ServiceError};
use crate::domain::*;
use crate::ledger;
use crate::store::{Tx, T};

/// What someone's departure did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Departure {
    pub user: UserId,
    pub name: String,
    /// Future bookings cancelled (the family closed).
    pub cancelled: u32,
    /// Future volunteer signups dropped.
    pub dropped: u32,
    /// Credits charged for late cancellations (never when a coordinator removed them).
    pub charged: i64,
    /// The family's balance, kept for their return, when the family closed.
    pub balance: Option<i64>,
}

/// Who asked for the departure.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum By {
    /// The person themselves: the usual cancellation charges apply.
    Themselves,
    /// A coordinator: nothing is charged.
    Coordinator(UserId),
}

/// Cancels `family`'s live booking `id` in `centre` of a shift not yet started, charged
/// as `by` decides, and rebalances the shift; `None` if there is nothing to do, otherwise
/// what it cost. (A suspension cancels this way too, under its own memo.)
#[allow(clippy::too_many_arguments)]
pub(super) fn cancel_for_departure(
    tx: &Tx,
    centre: &Centre,
    (id, of_family): (BookingId, FamilyId),
    by: By,
    actor: UserId,
    memo: &str,
    now: DateTime<Utc>,
    notes: &mut Vec<Notice>,
) -> Res<Option<i64>> {
    let mut b = booking(tx, id)?;
    if !b.is_live() || b.centre != centre.id || b.family != of_family {
        return Ok(None);
    }
    let mut shift = shift_by_id(tx, b.shift)?;
    if shift.status != ShiftStatus::Open || shift.starts_at(centre.tz()) <= now {
        return Ok(None);
    }
    let mut fam = family(tx, b.family)?;
    let charge = match by {
        By::Coordinator(_) => 0,
        By::Themselves if b.status == BookingStatus::Confirmed => {
            ledger::cancellation_charge(b.held, shift.starts_at(centre.tz()), now, &centre.policy)
        }
        By::Themselves => 0,
    };
    take_booking_off(tx, &mut shift, &mut b, &mut fam, charge, actor, now, memo)?;
    rebalance_and_review(tx, centre, &mut shift, now, notes)?;
    Ok(Some(b.charged))
}

/// Drops `user`'s live signup `id` in `centre` of a shift not yet started and rebalances
/// the shift; false if there is nothing to do. `declined` as in `take_signup_off` (a
/// suspension's are; a departure's are not).
pub(super) fn drop_for_departure(
    tx: &Tx,
    centre: &Centre,
    (id, user): (SignupId, UserId),
    declined: bool,
    now: DateTime<Utc>,
    notes: &mut Vec<Notice>,
) -> Res<bool> {
    let mut s = signup(tx, id)?;
    if s.user != user || !s.is_on_duty() || s.centre != centre.id {
        return Ok(false);
    }
    let mut shift = shift_by_id(tx, s.shift)?;
    if shift.status != ShiftStatus::Open || shift.starts_at(centre.tz()) <= now {
        return Ok(false);
    }
    take_signup_off(tx, &mut shift, &mut s, declined)?;
    rebalance_and_review(tx, centre, &mut shift, now, notes)?;
    Ok(true)
}

/// One person goes: off their family (closing it if they were its last guardian) and,
/// unless `keep_membership`, out of the centre.
#[allow(clippy::too_many_arguments)]
fn depart(
    tx: &Tx,
    centre: &Centre,
    user: UserId,
    by: By,
    keep_membership: bool,
    now: DateTime<Utc>,
    from: NaiveDate,
    notes: &mut Vec<Notice>,
) -> Res<Departure> {
    let mut m = member_in(tx, centre.id, user)?;
    if m.status == MemberStatus::Rejected {
        return Err(ServiceError::UnknownMember.into());
    }
    let actor = match by {
        By::Themselves => user,
        By::Coordinator(c) => c,
    };
    let mut d = Departure { user, name: m.name.clone(), cancelled: 0, dropped: 0, charged: 0, balance: None };
    if !keep_membership {
        for id in member_signups_from(tx, user, from)? {
            if drop_for_departure(tx, centre, (id, user), false, now, notes)? {
                d.dropped += 1;
            }
        }
    }
    let mut stays_with: Vec<UserId> = vec![];
    if let Some(fid) = m.family {
        let fam = family(tx, fid)?;
        if fam.guardians.contains(&user) {
            let last = fam.guardians.iter().all(|g| *g == user);
            if last {
                for id in family_bookings_from(tx, fid, from)? {
                    let memo = "left the centre";
                    if let Some(charged) = cancel_for_departure(tx, centre, (id, fid), by, actor, memo, now, notes)? {
                        d.cancelled += 1;
                        d.charged += charged;
                    }
                }
            }
            // Cancelling changed the family's holds: read it again.
            let mut fam = family(tx, fid)?;
            fam.guardians.retain(|g| *g != user);
            if last {
                // The family closes: its code stops working, its account is kept.
                tx.del(T::Invites, fam.invite_code.as_bytes())?;
                tx.put(T::Meta, former_key(user), &FormerFamily { centre: centre.id, family: fid })?;
                d.balance = Some(balance(tx, AccountId::Family(fid))?);
            } else {
                stays_with = fam.guardians.clone();
            }
            put_family(tx, &fam)?;
        }
    }
    tx.del(T::Meta, request_key(user))?;
    if keep_membership {
        m.family = None;
        put_member(tx, &m)?;
    } else {
        delete_member(tx, &m)?;
    }
    let removed = matches!(by, By::Coordinator(_));
    notes.push(Notice {
        to: user,
        event: Event::Left {
            centre_name: centre.name.clone(),
            removed,
            cancelled: d.cancelled,
            dropped: d.dropped,
            balance: d.balance,
        },
    });
    let mut told: Vec<UserId> = stays_with;
    told.extend(coordinators(tx, centre.id)?);
    told.retain(|u| *u != user && *u != actor);
    unique_users(&mut told);
    tell_all(notes, &told, Event::MemberLeft { user, name: m.name.clone(), removed });
    Ok(d)
}

impl Service {
    /// A member leaves the centre: their future signups are dropped; if they were their
    /// family's last guardian, its future bookings are cancelled with the usual charges
    /// and its balance is kept for their return.
    pub fn leave_centre(&self, caller: &Caller) -> Result<Outcome<Departure>, ServiceError> {
        let from = self.yesterday_anywhere();
        self.change(caller, |tx, now| {
            let m = member(tx, caller.user)?;
            let centre = centre(tx, m.centre)?;
            let mut notes = vec![];
            let d = depart(tx, &centre, caller.user, By::Themselves, false, now, from, &mut notes)?;
            Ok((d, notes))
        })
    }

    /// A guardian leaves the family. A parent has no place in the centre without one,
    /// so a parent leaves the centre too; staff and coordinators stay members.
    pub fn leave_family(&self, caller: &Caller) -> Result<Outcome<Departure>, ServiceError> {
        let from = self.yesterday_anywhere();
        self.change(caller, |tx, now| {
            let m = member(tx, caller.user)?;
            if m.family.is_none() {
                return Err(ServiceError::NoFamily.into());
            }
            let centre = centre(tx, m.centre)?;
            let keep = m.role != Role::Parent && m.is_active();
            let mut notes = vec![];
            let d = depart(tx, &centre, caller.user, By::Themselves, keep, now, from, &mut notes)?;
            Ok((d, notes))
        })
    }

    /// A coordinator removes a member (a guardian, staff, another coordinator) from the
    /// centre. Nothing they cancel is charged.
    pub fn remove_member(&self, caller: &Caller, target: UserId) -> Result<Outcome<Departure>, ServiceError> {
        if target == caller.user {
            return Err(ServiceError::UnknownMember);
        }
        let from = self.yesterday_anywhere();
        self.change(caller, |tx, now| {
            let coord = coordinator(tx, caller.user)?;
            let centre = centre(tx, coord.centre)?;
            let by = By::Coordinator(caller.user);
            let mut notes = vec![];
            let d = depart(tx, &centre, target, by, false, now, from, &mut notes)?;
            super::audit::record(tx, centre.id, caller.user, now, super::AuditAction::MemberRemoved { user: target })?;
            Ok((d, notes))
        })
    }

    /// A coordinator removes a whole family (named by any of its guardians): every
    /// guardian leaves, its future bookings are cancelled free of charge, its balance kept.
    pub fn remove_family(&self, caller: &Caller, guardian: UserId) -> Result<Outcome<Vec<Departure>>, ServiceError> {
        let from = self.yesterday_anywhere();
        self.change(caller, |tx, now| {
            let named: Option<Member> = tx.get(T::Members, member_key(guardian))?;
            let fam = named.and_then(|m| m.family).ok_or(ServiceError::UnknownMember)?;
            let f = family(tx, fam)?;
            if f.guardians.contains(&caller.user) {
                // A coordinator leaves their own family with /family leave.
                return Err(ServiceError::UnknownMember.into());
            }
            let coord = coordinator(tx, caller.user)?;
            let centre = centre(tx, coord.centre)?;
            if f.centre != centre.id || f.guardians.is_empty() {
                return Err(ServiceError::UnknownMember.into());
            }
            let mut notes = vec![];
            let mut out = vec![];
            for g in &f.guardians {
                let by = By::Coordinator(caller.user);
                out.push(depart(tx, &centre, *g, by, false, now, from, &mut notes)?);
            }
            let action = super::AuditAction::FamilyRemoved { family: fam, guardians: f.guardians.clone() };
            super::audit::record(tx, centre.id, caller.user, now, action)?;
            Ok((out, notes))
        })
    }
}
