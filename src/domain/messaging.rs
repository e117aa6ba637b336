//! Records of the automatic side: reminder jobs, calls for cover, and broadcasts.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{BookingId, CentreId, FamilyId, RoundId, ShiftId, SignupId, UserId};

/// What a due job does. Reminders and asks are rendered from the live records when they
/// go out, so they always say what is true then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobKind {
    /// Remind a volunteer `hours` before their shift (with attend / can't buttons).
    Volunteer { signup: SignupId, hours: i64 },
    /// Remind a booking's family the evening before.
    Family { booking: BookingId },
    /// Tell the centre's coordinators about `date`'s shifts.
    Digest { centre: CentreId, date: NaiveDate },
    /// Pick the next members to ask to cover a shift.
    CoverRound { shift: ShiftId },
    /// Ask one member to take a shift that lacks volunteers.
    CoverAsk { shift: ShiftId, user: UserId },
    /// Commit an allocation round at its deadline.
    RoundCommit { round: RoundId },
    /// Tell a family what a committed round gave it (the message is stored with the round).
    RoundResult { round: RoundId, centre: CentreId, family: FamilyId },
    /// Tell the centre's coordinators what a committed round did (stored with the round).
    RoundSummary { round: RoundId, centre: CentreId },
}

impl JobKind {
    /// The record a job belongs to: cancelling or moving that record finds its jobs here.
    pub fn owner(&self) -> JobOwner {
        match self {
            JobKind::Volunteer { signup, .. } => JobOwner::Signup(*signup),
            JobKind::Family { booking } => JobOwner::Booking(*booking),
            JobKind::Digest { centre, date } => JobOwner::Digest(*centre, *date),
            JobKind::CoverRound { shift } | JobKind::CoverAsk { shift, .. } => JobOwner::Cover(*shift),
            JobKind::RoundCommit { round } | JobKind::RoundSummary { round, .. } => JobOwner::Round(*round),
            JobKind::RoundResult { round, family, .. } => JobOwner::RoundFamily(*round, *family),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobOwner {
    Signup(SignupId),
    Booking(BookingId),
    Digest(CentreId, NaiveDate),
    Cover(ShiftId),
    Round(RoundId),
    RoundFamily(RoundId, FamilyId),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub id: u64,
    pub kind: JobKind,
    pub due: DateTime<Utc>,
}

/// The search for cover of one shift: who has been asked (or dropped it), so nobody is
/// asked twice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverCall {
    pub asked: Vec<UserId>,
    /// Who took the shift with "Take this shift" (so a later press can say it was taken).
    #[serde(default)]
    pub taken_by: Vec<UserId>,
}

/// Who a broadcast goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    /// Every active member of the centre.
    All,
    /// The families (confirmed and waitlisted) and volunteers of one shift.
    Shift(ShiftId),
    /// The families on one shift's waitlist.
    Waitlist(ShiftId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BroadcastStatus {
    /// Waiting for the coordinator to confirm.
    Draft,
    Sending,
    Done,
    Cancelled,
}

/// A coordinator's message to many members, and how far its delivery got. Each
/// recipient is claimed (durably) before the send, so a restart never sends twice;
/// claims a crash left unreported become `uncertain`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Broadcast {
    pub id: u64,
    pub centre: CentreId,
    pub by: UserId,
    pub audience: Audience,
    pub text: String,
    pub recipients: Vec<UserId>,
    /// Index of the next recipient to claim.
    pub next: usize,
    /// Claimed and not yet reported (sends run a few at a time).
    pub in_flight: Vec<UserId>,
    pub delivered: u32,
    pub blocked: Vec<UserId>,
    pub failed: Vec<UserId>,
    /// Claimed before a crash and never confirmed: maybe delivered, not sent again.
    pub uncertain: Vec<UserId>,
    pub status: BroadcastStatus,
    /// The coordinator's message that shows the progress (chat is `by`).
    pub progress_message: Option<i32>,
    pub created_at: DateTime<Utc>,
}

impl Broadcast {
    pub fn handled(&self) -> usize {
        self.delivered as usize + self.blocked.len() + self.failed.len() + self.uncertain.len()
    }
}
