//! The watchdog: a store operation or an update's handling that has not finished
//! within its limit (30 s by default) means the process is stuck (a sled deadlock, a
//! hung call). It is logged as an error naming what was stuck, and the process exits
//! non-zero, so that its supervisor (deploy/huzhu.service) restarts it and the inbox
//! replays what was not done.
//!
//! Work registers itself with `watch(label)` and is unregistered when the guard drops.
//! Until `install` is called (tests of the core, benchmarks) guards cost one atomic load.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

struct Watchdog {
    limit: Duration,
    next: AtomicU64,
    running: Mutex<HashMap<u64, (String, Instant)>>,
}

static WATCHDOG: OnceLock<Watchdog> = OnceLock::new();

thread_local! {
    /// What this thread is working on (e.g. "update 812 (/book)"), named by store
    /// operations made on its behalf.
    static CONTEXT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Starts the watchdog thread. `on_stuck` runs once with the description of what is
/// stuck (the binary exits there; tests may record instead).
pub fn install(limit: Duration, on_stuck: impl Fn(&str) + Send + 'static) {
    let dog = Watchdog { limit, next: AtomicU64::new(1), running: Mutex::new(HashMap::new()) };
    if WATCHDOG.set(dog).is_err() {
        return;
    }
    let _ = std::thread::Builder::new().name("huzhu-watchdog".into()).spawn(move || {
        let Some(dog) = WATCHDOG.get() else { return };
        let tick = (limit / 10).clamp(Duration::from_millis(50), Duration::from_secs(1));
        loop {
            std::thread::sleep(tick);
            let stuck: Vec<String> = {
                let running = dog.running.lock().unwrap_or_else(|e| e.into_inner());
                let mut stuck: Vec<(Instant, String)> = running
                    .values()
                    .filter(|(_, since)| since.elapsed() >= dog.limit)
                    .map(|(label, since)| (*since, format!("{label} (running for {} s)", since.elapsed().as_secs())))
                    .collect();
                stuck.sort();
                stuck.into_iter().map(|(_, s)| s).collect()
            };
            if !stuck.is_empty() {
                on_stuck(&stuck.join("; "));
                return;
            }
        }
    });
}

/// Unregisters its work when dropped.
pub struct Guard(Option<u64>);

impl Drop for Guard {
    fn drop(&mut self) {
        if let (Some(id), Some(dog)) = (self.0, WATCHDOG.get()) {
            dog.running.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
        }
    }
}

/// Registers a piece of work that must finish within the watchdog's limit.
pub fn watch(label: impl FnOnce() -> String) -> Guard {
    let Some(dog) = WATCHDOG.get() else { return Guard(None) };
    let id = dog.next.fetch_add(1, Ordering::Relaxed);
    dog.running.lock().unwrap_or_else(|e| e.into_inner()).insert(id, (label(), Instant::now()));
    Guard(Some(id))
}

/// Names what the current thread works on, for the labels of store operations, until
/// the returned guard drops.
pub fn context(label: String) -> ContextGuard {
    let previous = CONTEXT.with(|c| c.replace(Some(label)));
    ContextGuard(previous)
}

pub struct ContextGuard(Option<String>);

impl Drop for ContextGuard {
    fn drop(&mut self) {
        let previous = self.0.take();
        CONTEXT.with(|c| *c.borrow_mut() = previous);
    }
}

/// What the current thread works on, if it said.
pub fn current_context() -> Option<String> {
    CONTEXT.with(|c| c.borrow().clone())
}
