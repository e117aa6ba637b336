//! When this process last started a message, kept as the modification time of a file
//! beside the database, so that the next process (after a kill, or a stop and an
//! immediate restart) keeps every chat quiet for what is left of a second
//! (`limiter::quiet_after_restart`): the updates the last process left go to the same
//! chats at once, and a chat must not get two messages within a second.
//!
//! A file's time, not a store write: setting it is one system call, at most every
//! [`EVERY`], and it survives a killed process (the kernel keeps it), which is all it
//! needs to survive: after a machine's crash the restart takes longer than a second.
//! Only the bot sets it, so a database just seeded, imported or restored does not delay
//! the first replies.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The file's time is at most this much behind the last start (within the limiter's
/// 20 ms margin a chat).
pub const EVERY: Duration = Duration::from_millis(5);

/// The file beside the database at `db`.
pub fn path_for(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".lastsend");
    db.with_file_name(name)
}

/// When the last process last started a message (`None`: never, or no file).
pub fn previous(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).ok()?.modified().ok()
}

/// This process's mark.
pub struct LastSend {
    file: Option<File>,
    /// Milliseconds since the epoch when the file was last set.
    set_ms: AtomicU64,
}

impl LastSend {
    /// Opens (or creates) the file; without one (it cannot be written), nothing is kept
    /// and a restart is not kept quiet (logged once).
    pub fn open(path: &Path) -> LastSend {
        let file = File::options().create(true).truncate(false).write(true).open(path);
        if let Err(e) = &file {
            log::warn!("cannot keep the time of the last send in {}: {e}", path.display());
        }
        LastSend { file: file.ok(), set_ms: AtomicU64::new(0) }
    }

    /// Nothing kept (the sandbox, tests).
    pub fn none() -> LastSend {
        LastSend { file: None, set_ms: AtomicU64::new(0) }
    }

    /// A message starts now.
    pub fn started(&self, now: SystemTime) {
        let Some(file) = &self.file else { return };
        let ms = now.duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
        let last = self.set_ms.load(Ordering::Relaxed);
        if ms < last + EVERY.as_millis() as u64 {
            return;
        }
        if self.set_ms.compare_exchange(last, ms, Ordering::Relaxed, Ordering::Relaxed).is_ok() {
            if let Err(e) = file.set_modified(now) {
                log::debug!("the time of the last send was not kept: {e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_keeps_when_the_last_message_started() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = path_for(&dir.path().join("huzhu.db"));
        assert_eq!(path, dir.path().join("huzhu.db.lastsend"));
        assert_eq!(previous(&path), None, "no file: never");
        let mark = LastSend::open(&path);
        let t1 = UNIX_EPOCH + Duration::from_secs(2_000_000_000);
        mark.started(t1);
        assert_eq!(previous(&path), Some(t1));
        // Within `EVERY` of the last: not set again (one system call at most so often).
        mark.started(t1 + Duration::from_millis(2));
        assert_eq!(previous(&path), Some(t1));
        let t2 = t1 + Duration::from_millis(40);
        mark.started(t2);
        assert_eq!(previous(&path), Some(t2));
        // A new process reads it before opening its own.
        drop(mark);
        assert_eq!(previous(&path), Some(t2));
        LastSend::none().started(t2 + Duration::from_secs(5));
        assert_eq!(previous(&path), Some(t2), "no file kept: nothing set");
    }
}
