//! The service layer: the only way state changes. One method per use case; each runs
//! one store transaction, checks who may do it, and returns a typed result plus the
//! notices it caused (who must be told what). The bot and the reminder loop call it;
//! tests call it directly.
//!
//! Layers, each importing only those below it: `records` (in-transaction reads and
//! writes, index upkeep, credit postings) <- `capacity` (a shift's live state, waitlist
//! promotion, understaffing) <- `jobs` (reminders and the search for cover) <- the use
//! cases (`booking`, `schedule`, `membership`, ...). See ARCHITECTURE.md.
//!
//! Invariants kept here:
//! - authorisation is checked before anything is written; another centre's ids answer
//!   exactly like unknown ids;
//! - a replayed request (same `Caller::request`) returns the first answer and changes nothing;
//! - the ledger only moves through `records::post`, so all balances sum to zero.

mod access;
mod audit;
mod booking;
mod broadcast;
mod capacity;
mod credits;
mod error;
mod imported;
mod jobs;
mod leaving;
mod membership;
mod notice;
mod privacy;
mod records;
mod report;
mod round;
mod schedule;
mod settings;
mod settlement;

pub use access::{CodeAttempts, GuardianAnswer, GuardianRequest, FREE_ATTEMPTS};
pub use audit::{audit_key, AuditAction, AuditEntry, AUDIT_DEFAULT, AUDIT_MAX};
pub use booking::{BookResult, Quote};
pub use broadcast::{Delivery, MAX_BROADCAST};
pub use credits::{BalanceView, EntryView};
pub use error::ServiceError;
pub use imported::{Claimed, ImportSummary, ImportedGuardian};
pub use jobs::{DigestShift, JobStep, Reminder, RoundChild, RoundSummary};
pub use leaving::Departure;
pub use membership::JoinResult;
pub use notice::{Event, MoveDrop, Notice, ShiftBrief};
pub use privacy::{forgotten_birth, FamilyData, Forgotten, MyData};
pub use records::date_window;
pub use report::{CalendarData, CentreReport, LedgerExport, LedgerLine, ReportScope};
pub use round::{PlanChild, RoundPlan, WishOptions, MAX_WISH};
pub use schedule::{DayCancel, RosterChild, RosterView, RosterVolunteer, ShiftView};
pub use settlement::{AutoSettle, Mark, SettleReport};

/// The settings a coordinator changes and their ranges: pure rules, kept in `policy`.
pub use crate::policy::{SettingChange, SettingKey};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{de::DeserializeOwned, Serialize};
use sled::transaction::ConflictableTransactionError;
use std::sync::Arc;

use crate::clock::Clock;
use crate::domain::UserId;
use crate::store::{Store, StoreError, Tx, WriteError};

pub type Res<T> = Result<T, ConflictableTransactionError<ServiceError>>;

/// Who is asking, and (optionally) a key that makes the request idempotent, such as
/// the Telegram update id or callback query id that carried it.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: UserId,
    pub request: Option<String>,
}

impl Caller {
    pub fn new(user: UserId) -> Self {
        Caller { user, request: None }
    }
    pub fn with_request(user: UserId, request: impl Into<String>) -> Self {
        Caller { user, request: Some(request.into()) }
    }
}

/// A change's result, the notices it caused, and whether it was a replay
/// (a replay's notices were already delivered the first time).
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome<T> {
    pub value: T,
    pub notices: Vec<Notice>,
    pub replayed: bool,
}

#[derive(Debug, Clone)]
pub struct ServiceConfig {
    pub super_admins: Vec<UserId>,
    pub default_tz: Tz,
    /// How long records kept only for idempotency or delivery are kept (replay results,
    /// done marks, sent marks, finished broadcasts, cover calls): longer than any replay
    /// Telegram can make.
    pub retention: chrono::Duration,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            super_admins: Vec::new(),
            default_tz: chrono_tz::Asia::Shanghai,
            retention: chrono::Duration::days(30),
        }
    }
}

/// Wake-ups for the background loops: a change may have planned an earlier job, or a
/// broadcast was confirmed. (A permit is kept if nobody waits, so none is lost.)
#[derive(Default)]
pub struct Signals {
    pub jobs: tokio::sync::Notify,
    pub broadcasts: tokio::sync::Notify,
}

pub struct Service {
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    config: ServiceConfig,
    signals: Signals,
}

impl Service {
    pub fn new(store: Arc<Store>, clock: Arc<dyn Clock>, config: ServiceConfig) -> Self {
        Service { store, clock, config, signals: Signals::default() }
    }

    pub fn signals(&self) -> &Signals {
        &self.signals
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Timezone of new centres, and of people who belong to none.
    pub fn default_tz(&self) -> Tz {
        self.config.default_tz
    }

    /// Whether `user`'s request `request` changed something (its replay record exists).
    pub fn was_applied(&self, user: UserId, request: &str) -> bool {
        let key = format!("{user}/{request}");
        self.store.tree(crate::store::T::Processed).contains_key(key.as_bytes()).unwrap_or(false)
    }

    /// When a record kept for idempotency or delivery, written `now`, may be pruned (ms).
    pub fn expiry(&self, now: DateTime<Utc>) -> i64 {
        (now + self.config.retention).timestamp_millis()
    }

    /// Removes records whose retention ended, at most `limit` at a time (bounded work per
    /// call); returns how many it removed.
    pub fn prune_expired(&self, limit: usize) -> Result<usize, ServiceError> {
        Ok(self.store.prune_expired(self.now().timestamp_millis(), limit)?)
    }

    pub fn is_super_admin(&self, user: UserId) -> bool {
        self.config.super_admins.contains(&user)
    }

    /// Today's date in `tz`.
    pub fn today(&self, tz: Tz) -> NaiveDate {
        self.now().with_timezone(&tz).date_naive()
    }

    /// Runs one change: a transaction that returns a value and notices, remembered under
    /// the caller's request key.
    fn change<T>(
        &self,
        caller: &Caller,
        f: impl Fn(&Tx, DateTime<Utc>) -> Res<(T, Vec<Notice>)>,
    ) -> Result<Outcome<T>, ServiceError>
    where
        T: Serialize + DeserializeOwned,
    {
        let now = self.now();
        let request = caller.request.as_ref().map(|r| format!("{}/{}", caller.user, r));
        let expires = self.expiry(now);
        let ((value, notices), replayed) = self
            .store
            .write_once(request.as_deref(), |tx| {
                let r = f(tx, now)?;
                // The replay record is kept for the retention period, then pruned.
                if let Some(req) = &request {
                    tx.expire_at(crate::store::T::Processed, req.as_bytes(), expires)?;
                }
                Ok(r)
            })
            .map_err(ServiceError::from_write)?;
        if !replayed {
            // The change may have planned a job earlier than the loop's next wake-up.
            self.signals.jobs.notify_one();
        }
        Ok(Outcome { value, notices, replayed })
    }
}

impl ServiceError {
    fn from_write(e: WriteError<ServiceError>) -> Self {
        match e {
            WriteError::Abort(e) => e,
            WriteError::Store(e) => e.into(),
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        ServiceError::Storage(e.to_string())
    }
}

impl From<ServiceError> for ConflictableTransactionError<ServiceError> {
    fn from(e: ServiceError) -> Self {
        ConflictableTransactionError::Abort(e)
    }
}
