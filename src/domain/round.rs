//! The allocation round's records (issue 14): a round for a centre's week, the wishes
//! families submit until its deadline, and, once committed, what each wish got.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{CentreId, ChildId, FamilyId, ShiftId, UserId};

/// A round's id (a per-kind counter, like the others).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoundId(pub u64);

impl std::fmt::Display for RoundId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoundStatus {
    /// Taking wishes until the deadline.
    Open,
    /// Allocated and booked; its week is open to first-come booking again.
    Committed,
}

/// A round for the week starting `week_start` (a Monday, the centre's date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round {
    pub id: RoundId,
    pub centre: CentreId,
    pub week_start: NaiveDate,
    pub deadline: DateTime<Utc>,
    pub opened_by: UserId,
    /// The lottery's seed, drawn when the round opens and kept, so preview and commit
    /// agree and the result can be re-derived.
    pub seed: u64,
    pub status: RoundStatus,
    /// The children with a wish, in the order their first wish came.
    pub children: Vec<ChildId>,
    pub committed_at: Option<DateTime<Utc>>,
    /// Child-shifts booked at commit.
    pub placed: u32,
}

impl Round {
    /// The last day of the round's week.
    pub fn week_end(&self) -> NaiveDate {
        self.week_start + chrono::Duration::days(6)
    }
}

/// One child's wish: shifts in order of preference, and how many of them at most.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wish {
    pub round: RoundId,
    pub child: ChildId,
    pub family: FamilyId,
    pub by: UserId,
    pub shifts: Vec<ShiftId>,
    pub max: u32,
    pub at: DateTime<Utc>,
}

/// Why a wished shift was not booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Miss {
    /// The room or a class cap was full.
    Full,
    /// Not enough caregivers signed up for one more child of this age.
    Caregivers,
    /// The family's credit would not cover it.
    Credit,
    /// The child got (or already had) a shift at the same time.
    Overlap,
    /// The wish already got as many as it asked for.
    Enough,
    /// The shift was cancelled, started, or the child's age no longer fits.
    Unavailable,
}
