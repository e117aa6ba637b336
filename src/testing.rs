//! Fixtures for tests and benchmarks: a service on a temporary store with a settable
//! clock, and helpers that build a centre with a coordinator and approved families
//! through the real service calls.
//!
//! Compiled only for unit tests and with the `testing` feature, which huzhu's own
//! integration tests and benchmarks get through the dev-only `huzhu-testing` crate; a
//! build of the binary (`cargo build --release`) has none of it. The sandbox builds its
//! demo centre itself, through the service (`sandbox.rs`).

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use std::sync::Arc;

use crate::clock::ManualClock;
use crate::domain::*;
use crate::service::{Caller, GuardianAnswer, Service, ServiceConfig};
use crate::store::Store;

/// The super-admin of every fixture.
pub const ADMIN: UserId = UserId(1);
/// The coordinator of the fixture's centre.
pub const COORD: UserId = UserId(2);

pub struct Fixture {
    pub svc: Arc<Service>,
    pub clock: ManualClock,
    pub centre: Centre,
}

/// 2026-12-01 09:00 in Asia/Shanghai (01:00 UTC): a Tuesday.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap()
}

/// A private chat's text message from its user, as Telegram sends it (update and
/// message id `update_id`, chat and user id `chat`).
pub fn message_update(update_id: u32, chat: i64, text: &str) -> teloxide::types::Update {
    // From text: teloxide's update does not deserialize from a `serde_json::Value`.
    serde_json::from_str(
        &serde_json::json!({
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 1_780_000_000,
                "chat": {"id": chat, "type": "private", "first_name": "A"},
                "from": {"id": chat, "is_bot": false, "first_name": "A"},
                "text": text
            }
        })
        .to_string(),
    )
    .expect("a message update")
}

pub fn date(s: &str) -> NaiveDate {
    s.parse().expect("fixture date")
}

pub fn time(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").expect("fixture time")
}

impl Fixture {
    /// A centre "Test Centre" with coordinator `COORD`, on a temporary store, clock at `t0()`.
    pub fn new() -> Fixture {
        Self::with_store(Arc::new(Store::temporary().expect("temporary store")), t0())
    }

    pub fn with_store(store: Arc<Store>, now: DateTime<Utc>) -> Fixture {
        let clock = ManualClock::new(now);
        let svc = Arc::new(Service::new(
            store,
            Arc::new(clock.clone()),
            ServiceConfig { super_admins: vec![ADMIN], ..ServiceConfig::default() },
        ));
        let centre = svc.create_centre(&Caller::new(ADMIN), "Test Centre", None).expect("centre").value;
        svc.appoint_coordinator(&Caller::new(ADMIN), COORD, centre.id, "Coordinator").expect("coordinator");
        Fixture { svc, clock, centre }
    }

    pub fn coord(&self) -> Caller {
        Caller::new(COORD)
    }

    /// A family joined by `user` through the centre's invite code and approved.
    pub fn family(&self, user: i64, name: &str) -> UserId {
        let u = UserId(user);
        self.svc.join(&Caller::new(u), &self.centre.invite_code, name).expect("join");
        self.svc.approve_member(&self.coord(), u).expect("approve");
        u
    }

    /// A second guardian of `first`'s family: joined with the family's code, confirmed by
    /// `first` and (as the default policy asks) approved by the coordinator.
    pub fn guardian(&self, first: UserId, user: i64, name: &str) -> UserId {
        let u = UserId(user);
        let code = self.svc.my_family(first).expect("family").invite_code;
        self.svc.join(&Caller::new(u), &code, name).expect("join family");
        let answer = self.svc.confirm_guardian(&Caller::new(first), u).expect("confirm").value;
        if matches!(answer, GuardianAnswer::AwaitingCoordinator { .. }) {
            self.svc.approve_member(&self.coord(), u).expect("approve guardian");
        }
        u
    }

    /// A child born `birth` in `parent`'s family.
    pub fn child(&self, parent: UserId, name: &str, birth: &str) -> ChildId {
        self.svc.add_child(&Caller::new(parent), name, date(birth), None).expect("child").value.id
    }

    /// A shift on `day` from `start` to `end` with `capacity` places and one staff.
    pub fn shift(&self, day: &str, start: &str, end: &str, capacity: u32) -> ShiftId {
        self.svc
            .create_shift(&self.coord(), date(day), time(start), time(end), Some(capacity), Some(1))
            .expect("shift")
            .value
            .id
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}
