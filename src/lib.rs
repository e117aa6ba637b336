//! huzhu (互助): runs community parent-child mutual-aid childcare centres.
//! See ARCHITECTURE.md for the code map.

pub mod admin_cli;
pub mod allocation;
pub mod bot;
pub mod clock;
pub mod config;
pub mod control;
pub mod domain;
pub mod export;
pub mod i18n;
pub mod import;
pub mod ledger;
pub mod policy;
pub mod reminders;
pub mod report;
pub mod rota;
pub mod sandbox;
pub mod service;
pub mod store;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod watchdog;
