//! Turns on huzhu's `testing` feature for huzhu's own integration tests and benchmarks.
//!
//! A package cannot name itself as a dev-dependency with a feature, so huzhu names this
//! crate instead, which depends on huzhu with `testing`; cargo then builds huzhu's tests
//! and benchmarks against a huzhu that has `huzhu::testing` (the fixtures). A build of
//! the binary does not include dev-dependencies, so it has no fixtures. There is nothing
//! to use here: tests write `huzhu::testing::Fixture`.
