//! huzhu (互助): runs community parent-child mutual-aid childcare centres.
//! See ARCHITECTURE.md for the code map.

pub mod clock;
pub mod config;
pub mod domain;
pub mod ledger;
pub mod policy;
pub mod rota;
pub mod service;
pub mod store;
pub mod testing;
