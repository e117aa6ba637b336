//! When the disk fails under the store (full, turned read-only, an I/O error): a
//! transaction may be applied in memory but can never be made durable, so carrying on
//! would answer from a state the disk does not hold. The first such failure calls the
//! hook the binary installs (`on_disk_failure`: one error line, then a non-zero exit);
//! nobody is told "done" for the failed write, and what was acknowledged before is on
//! disk. After the fault is removed, a restart serves it, and the inbox replays what
//! was not done. Without a hook (the core's tests, benchmarks) the error is returned
//! to the caller as before.
//!
//! `fail_flushes_from` is a test-only fault (`HUZHU_TEST_STORE_FAIL_AFTER`, refused by
//! `huzhu run` without `--test-faults`): from the Nth transaction on, the flush that
//! would make it durable fails with ENOSPC, as a full disk does.

use std::sync::OnceLock;

type Hook = Box<dyn Fn(&str) + Send + Sync>;

static ON_FAILURE: OnceLock<Hook> = OnceLock::new();
static FAIL_FROM: OnceLock<u64> = OnceLock::new();

/// Installs what happens on the first write the disk refuses (once per process).
pub fn on_disk_failure(hook: impl Fn(&str) + Send + Sync + 'static) {
    let _ = ON_FAILURE.set(Box::new(hook));
}

/// Tests only: flushes covering transaction `n` (counted from 1 since the store was
/// opened) or later fail with "No space left on device".
pub fn fail_flushes_from(n: u64) {
    let _ = FAIL_FROM.set(n);
}

/// The injected failure for a flush that covers transactions up to `last`, if any.
pub(crate) fn injected(last: u64) -> Option<std::io::Error> {
    let from = *FAIL_FROM.get()?;
    (last >= from).then(|| std::io::Error::from_raw_os_error(28))
}

/// A write could not be made durable: tells the hook (which normally does not return).
pub(crate) fn report(what: &str) {
    if let Some(hook) = ON_FAILURE.get() {
        hook(what);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_injected_error_is_a_full_disk() {
        let e = std::io::Error::from_raw_os_error(28);
        assert_eq!(e.kind(), std::io::ErrorKind::StorageFull);
    }
}
