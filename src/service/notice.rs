//! Notices: what a change means for someone other than the caller. The bot renders
//! them in the recipient's language; they carry what rendering needs.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::domain::{AgeProblem, BookingId, CentreId, Shift, ShiftId, SignupId, UserId};

/// Enough of a shift to name it in a message (local date and times).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftBrief {
    pub id: ShiftId,
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl From<&Shift> for ShiftBrief {
    fn from(s: &Shift) -> Self {
        ShiftBrief { id: s.id, date: s.date, start: s.start, end: s.end }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// To coordinators: someone asked to join.
    JoinRequested {
        user: UserId,
        name: String,
    },
    /// To the member.
    Approved {
        centre: CentreId,
        centre_name: String,
    },
    Rejected {
        centre_name: String,
    },
    Suspended {
        centre_name: String,
    },
    /// To a new coordinator.
    MadeCoordinator {
        centre_name: String,
    },
    /// To the other guardians of a family.
    GuardianJoined {
        user: UserId,
        name: String,
    },
    /// To every guardian: a waitlisted booking got a place.
    Promoted {
        booking: BookingId,
        shift: ShiftBrief,
        child: String,
    },
    /// To guardians and volunteers of a cancelled shift.
    ShiftCancelled {
        shift: ShiftBrief,
        reason: String,
        released: i64,
    },
    /// To each guardian and volunteer of a day a coordinator cancelled, once in all:
    /// their shifts that day and their family's total returned.
    DayCancelled {
        date: NaiveDate,
        reason: String,
        shifts: Vec<ShiftBrief>,
        released: i64,
    },
    /// To coordinators: confirmed children no longer fit the caregivers.
    Understaffed {
        shift: ShiftBrief,
        missing: u32,
    },
    /// To the family: a coordinator granted or corrected credits.
    CreditsGranted {
        amount: i64,
        memo: String,
        balance: i64,
    },
    /// To a volunteer's family: credits earned at settlement.
    Earned {
        shift: ShiftBrief,
        amount: i64,
    },
    /// To a volunteer: marked as a no-show.
    VolunteerNoShow {
        shift: ShiftBrief,
        penalty: i64,
        blocked: bool,
    },
    /// To the guardians: a booking was marked as a no-show.
    ChildNoShow {
        shift: ShiftBrief,
        child: String,
        charged: i64,
    },
    /// To the families and volunteers of a shift a coordinator moved.
    ShiftMoved {
        from: ShiftBrief,
        to: ShiftBrief,
    },
    /// To the guardians: the shift moved and the booking could not move with it, so it
    /// was cancelled and its hold released in full.
    MoveCancelled {
        shift: ShiftBrief,
        child: String,
        why: MoveDrop,
        released: i64,
    },
    /// To the guardians: the shift moved, and on the new date the room or class caps no
    /// longer hold every confirmed child, so this one is back at the head of the waitlist.
    MoveWaitlisted {
        booking: BookingId,
        shift: ShiftBrief,
        child: String,
    },
    /// To the volunteer who offered a shift: someone took it over.
    SwapTaken {
        shift: ShiftBrief,
        by: String,
        signup: SignupId,
    },
    /// To the guardians of a family: someone used the family's code and waits for one
    /// of them to confirm (or decline) them.
    GuardianRequested {
        user: UserId,
        name: String,
    },
    /// To the person who joined with a family code: a guardian confirmed them; a
    /// coordinator approves next.
    FamilyConfirmed {
        centre_name: String,
    },
    /// To a person who left or was removed: what was cancelled and the balance kept.
    Left {
        centre_name: String,
        removed: bool,
        cancelled: u32,
        dropped: u32,
        /// The family's balance, kept for their return (None: the family stays with others).
        balance: Option<i64>,
    },
    /// To coordinators and the remaining guardians: someone left or was removed.
    MemberLeft {
        user: UserId,
        name: String,
        removed: bool,
    },
}

/// Why a booking could not move with its shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MoveDrop {
    /// The child is too young or too old on the new date.
    Age(AgeProblem),
    /// The longer shift costs `needed` more than the family can hold.
    Credits { needed: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub to: UserId,
    pub event: Event,
}
