//! The co-op's records: centres, members, families, children, shifts, bookings,
//! volunteer signups. Plain data; the rules that change them live in `rota`,
//! `ledger` and the service layer.

mod age;
mod ids;
mod messaging;
mod round;

pub use age::{age_group, age_in_months, AgeGroup, AgeProblem};
pub use ids::*;
pub use messaging::*;
pub use round::{Miss, Round, RoundId, RoundStatus, Wish};

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::policy::Policy;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Centre {
    pub id: CentreId,
    pub name: String,
    /// IANA timezone name; shift dates and times are local to it.
    pub timezone: String,
    pub invite_code: String,
    pub policy: Policy,
    pub created_at: DateTime<Utc>,
}

impl Centre {
    pub fn tz(&self) -> Tz {
        self.timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberStatus {
    Pending,
    Active,
    Suspended,
    Rejected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    Parent,
    Staff,
    Coordinator,
}

/// A person's membership of a centre. A person belongs to one centre at a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub user: UserId,
    pub centre: CentreId,
    pub name: String,
    pub status: MemberStatus,
    pub role: Role,
    /// Parents (and coordinators who are parents too) belong to a family.
    pub family: Option<FamilyId>,
    pub joined_at: DateTime<Utc>,
    /// Dates of volunteer no-shows, for the sign-up block.
    pub no_shows: Vec<DateTime<Utc>>,
    /// When a coordinator last lifted a no-show block.
    pub block_lifted_at: Option<DateTime<Utc>>,
    /// How many of `no_shows` had been recorded when the block was last lifted: those no
    /// longer count. (None on records from before it: then `block_lifted_at` decides.)
    #[serde(default)]
    pub no_shows_lifted: Option<usize>,
    /// When this member last served (or signed up for) a shift; finding cover asks the
    /// least recent first.
    pub last_volunteered: Option<NaiveDate>,
}

impl Member {
    pub fn new(
        user: UserId,
        centre: CentreId,
        name: String,
        status: MemberStatus,
        role: Role,
        family: Option<FamilyId>,
        joined_at: DateTime<Utc>,
    ) -> Member {
        Member {
            user,
            centre,
            name,
            status,
            role,
            family,
            joined_at,
            no_shows: vec![],
            block_lifted_at: None,
            no_shows_lifted: None,
            last_volunteered: None,
        }
    }

    pub fn is_active(&self) -> bool {
        self.status == MemberStatus::Active
    }
    pub fn is_coordinator(&self) -> bool {
        self.is_active() && self.role == Role::Coordinator
    }
    pub fn is_staff(&self) -> bool {
        self.is_active() && matches!(self.role, Role::Staff | Role::Coordinator)
    }
}

/// What a person chose about themselves, whether or not they are a member yet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub user: UserId,
    /// "zh-CN" or "en".
    pub language: Option<String>,
    /// Telegram said the user blocked the bot.
    pub unreachable: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Family {
    pub id: FamilyId,
    pub centre: CentreId,
    pub guardians: Vec<UserId>,
    pub children: Vec<ChildId>,
    /// Lets a second guardian join this family.
    pub invite_code: String,
    /// How far below zero the balance may go (minutes, >= 0), granted by a coordinator.
    pub overdraft_limit: i64,
    /// Credits held for unsettled bookings (mirrors the escrow entries of this family).
    pub held: i64,
    /// The start grant is paid once, when the family is first approved.
    pub start_granted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Child {
    pub id: ChildId,
    pub family: FamilyId,
    pub centre: CentreId,
    pub name: String,
    pub birth_date: NaiveDate,
    /// Allergies and the like; shown only to staff, the shift's volunteers and coordinators.
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShiftStatus {
    Open,
    Cancelled,
    Settled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shift {
    pub id: ShiftId,
    pub centre: CentreId,
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    /// Room places (children).
    pub capacity: u32,
    /// Professional staff on duty.
    pub staff: u32,
    pub status: ShiftStatus,
    /// Its bookings in arrival order (the waitlist order). A booking cancelled while the
    /// shift is open leaves the list (it stays in its family's history), so booking and
    /// cancelling again and again cannot make the record grow.
    pub bookings: Vec<BookingId>,
    /// Its volunteer signups in arrival order; dropped ones leave the list likewise.
    pub signups: Vec<SignupId>,
    pub template: Option<TemplateId>,
    pub cancel_reason: Option<String>,
    /// Confirmed children no longer fit the caregivers on duty.
    pub understaffed: bool,
    /// Someone took attendance (so auto-settlement uses the marks).
    pub attendance_taken: bool,
}

impl Shift {
    pub fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }
    pub fn starts_at(&self, tz: Tz) -> DateTime<Utc> {
        local_to_utc(tz, self.date.and_time(self.start))
    }
    pub fn ends_at(&self, tz: Tz) -> DateTime<Utc> {
        local_to_utc(tz, self.date.and_time(self.end))
    }
    pub fn overlaps(&self, other: &Shift) -> bool {
        self.date == other.date && self.start < other.end && other.start < self.end
    }
}

/// Local wall time to an instant; in a DST gap take the later side, in a fold the earlier.
pub fn local_to_utc(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(a, _) => a.with_timezone(&Utc),
        chrono::LocalResult::None => local_to_utc(tz, local + chrono::Duration::hours(1)),
    }
}

/// A weekly shift pattern a coordinator sets once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub id: TemplateId,
    pub centre: CentreId,
    pub weekday: Weekday,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub capacity: u32,
    pub staff: u32,
    pub active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BookingStatus {
    Confirmed,
    Waitlisted,
    Cancelled,
    Attended,
    NoShow,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Booking {
    pub id: BookingId,
    pub centre: CentreId,
    pub shift: ShiftId,
    pub child: ChildId,
    pub family: FamilyId,
    pub group: AgeGroup,
    pub booked_by: UserId,
    pub status: BookingStatus,
    pub created_at: DateTime<Utc>,
    /// Credits currently held in escrow for this booking.
    pub held: i64,
    /// Credits captured (charged) for this booking.
    pub charged: i64,
    /// Attendance as marked by staff before settlement (None: not marked).
    pub marked_present: Option<bool>,
}

impl Booking {
    pub fn is_live(&self) -> bool {
        matches!(self.status, BookingStatus::Confirmed | BookingStatus::Waitlisted)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignupStatus {
    SignedUp,
    Confirmed,
    Dropped,
    Served,
    NoShow,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signup {
    pub id: SignupId,
    pub centre: CentreId,
    pub shift: ShiftId,
    pub user: UserId,
    /// The family credited for the service (None for members without a family).
    pub family: Option<FamilyId>,
    pub status: SignupStatus,
    pub created_at: DateTime<Utc>,
    pub marked_present: Option<bool>,
    /// Offered for swap: another member may take it over.
    pub offered_for_swap: bool,
}

impl Signup {
    /// Counts as a caregiver on duty (signed up or confirmed the reminder).
    pub fn is_on_duty(&self) -> bool {
        matches!(self.status, SignupStatus::SignedUp | SignupStatus::Confirmed)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryKind {
    StartGrant,
    Hold,
    Release,
    Capture,
    Earn,
    Penalty,
    Grant,
}

/// One movement of credits between two accounts. Never edited, never deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: EntryId,
    pub kind: EntryKind,
    pub from: AccountId,
    pub to: AccountId,
    /// Minutes, always > 0.
    pub amount: i64,
    pub shift: Option<ShiftId>,
    pub booking: Option<BookingId>,
    pub by: Option<UserId>,
    pub at: DateTime<Utc>,
    pub memo: String,
}

/// An invite code points at a centre (join as a new family) or a family (join as a guardian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Invite {
    Centre(CentreId),
    Family(FamilyId),
}
