//! Every way a use case can refuse, as a value the bot turns into a clear message.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{AgeProblem, MemberStatus, ShiftId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ServiceError {
    #[error("you are not a member of a centre yet")]
    NotRegistered,
    #[error("your membership is {0:?}")]
    NotActive(MemberStatus),
    #[error("only a coordinator may do this")]
    NotCoordinator,
    #[error("only staff or coordinators may do this")]
    NotStaff,
    #[error("only a deployment administrator may do this")]
    NotSuperAdmin,
    #[error("you are not in a family yet")]
    NoFamily,
    #[error("you already belong to a centre")]
    AlreadyMember,
    #[error("no such invite code")]
    UnknownInvite,
    #[error("no such centre")]
    UnknownCentre,
    #[error("no such member")]
    UnknownMember,
    #[error("no such child")]
    UnknownChild,
    #[error("no such shift")]
    UnknownShift,
    #[error("no such template")]
    UnknownTemplate,
    #[error("no such booking")]
    UnknownBooking,
    #[error("no such volunteer signup")]
    UnknownSignup,
    #[error("unknown timezone")]
    UnknownTimezone,
    #[error("the child's age does not fit: {0:?}")]
    ChildAge(AgeProblem),
    #[error("that shift has already started or is over")]
    ShiftStarted,
    #[error("that shift has not ended yet")]
    ShiftNotOver,
    #[error("that shift has not started yet")]
    ShiftNotStarted,
    #[error("that shift is cancelled")]
    ShiftCancelled,
    #[error("that shift is already settled")]
    ShiftSettled,
    #[error("the date or time is in the past")]
    InPast,
    #[error("the end must be after the start")]
    BadTimes,
    #[error("places must be between 1 and 100, staff between 0 and 20")]
    BadCapacity,
    #[error("the date range is empty or longer than a year")]
    BadRange,
    #[error("dates must lie between {from} and {to}")]
    DateOutOfRange { from: chrono::NaiveDate, to: chrono::NaiveDate },
    #[error("this child is already booked for this shift")]
    AlreadyBooked,
    #[error("this child is booked for an overlapping shift")]
    ChildBusy,
    #[error("the waitlist of this shift is full")]
    WaitlistFull,
    #[error("you already signed up for this shift")]
    AlreadySignedUp,
    #[error("you already volunteer at an overlapping shift ({0})")]
    VolunteerClash(ShiftId),
    #[error("sign-up is blocked after repeated no-shows; ask a coordinator")]
    SignupBlocked,
    #[error("that booking is no longer active")]
    BookingNotLive,
    #[error("that signup is no longer active")]
    SignupNotLive,
    #[error("that shift is not offered for swap")]
    NotOffered,
    #[error("not enough credits: available {available} min, needed {needed} min")]
    Insufficient { available: i64, needed: i64 },
    #[error("the amount is out of range")]
    BadAmount,
    #[error("the text is empty or too long (at most {max} characters)")]
    BadText { max: usize },
    #[error("too many children in one family")]
    TooManyChildren,
    #[error("someone else has already taken that shift")]
    CoverTaken,
    #[error("that shift does not need cover any more")]
    CoverNotNeeded,
    #[error("a child or volunteer of this shift has another shift at the new time")]
    MoveClash,
    #[error("that broadcast was already sent or cancelled")]
    BroadcastClosed,
    #[error("nobody would receive that broadcast")]
    NoRecipients,
    #[error("that setting is out of range")]
    BadSetting,
    #[error("{key:?} must be between {min} and {max}")]
    SettingRange { key: crate::policy::SettingKey, min: i64, max: i64 },
    #[error("that member is a coordinator (and so staff already)")]
    IsCoordinator,
    #[error("no open shift on that day to cancel")]
    NothingToCancel,
    #[error("storage error: {0}")]
    Storage(String),
    #[error("too many wrong invite codes; try again after {until}")]
    TooManyAttempts { until: DateTime<Utc> },
    #[error("this centre declined your request to join")]
    JoinRefused,
    #[error("a guardian of the family must confirm this person first")]
    AwaitingGuardian,
    #[error("only a guardian of that family may answer")]
    NotGuardian,
    #[error("no imported family has this phone number")]
    PhoneUnknown,
    #[error("this phone number was already used to join")]
    PhoneClaimed,
    #[error("phone {0} belongs to another imported family")]
    PhoneTaken(String),
    #[error("only your own phone number can be shared")]
    NotOwnContact,
    #[error("an allocation round takes wishes for this week until {deadline}; use /wish")]
    RoundOpen { deadline: chrono::NaiveDateTime },
    #[error("a round for that week is already open or done")]
    RoundExists,
    #[error("no open allocation round")]
    UnknownRound,
    #[error("that round's deadline has passed")]
    RoundClosed,
    #[error("the week must start on a Monday in the future, the deadline lie ahead and before the week")]
    BadRoundDates,
    #[error("that shift is not in the round's week")]
    ShiftNotInRound,
    #[error("a wish names 1 to {max} shifts and wants at most that many")]
    BadWish { max: usize },
    /// `/wish DATE` for a week whose round takes no wishes (`closed`: it has one, past its
    /// deadline or allocated); `open`: the weeks whose rounds do.
    #[error("no round takes wishes for the week of {week}")]
    NoWishRound { week: chrono::NaiveDate, closed: bool, open: Vec<chrono::NaiveDate> },
}

impl From<crate::ledger::LedgerError> for ServiceError {
    fn from(e: crate::ledger::LedgerError) -> Self {
        use crate::ledger::LedgerError::*;
        match e {
            Insufficient { available, needed } => ServiceError::Insufficient { available, needed },
            Overflow | NotPositive => ServiceError::BadAmount,
        }
    }
}
