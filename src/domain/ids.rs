//! Short numeric ids. The bot shows them to people ("/book 12"), so they are
//! small counters per kind, not random.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($($(#[$m:meta])* $name:ident),* $(,)?) => {$(
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}

id_type!(CentreId, FamilyId, ChildId, ShiftId, TemplateId, BookingId, SignupId, EntryId);

/// A Telegram user id (the identity of a person).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A credit account in the double-entry ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AccountId {
    /// A family's own time credits.
    Family(FamilyId),
    /// The centre's pool: source of start grants and volunteer earnings, sink of care costs.
    Pool(CentreId),
    /// Credits held for bookings that are not yet settled.
    Escrow(CentreId),
}
