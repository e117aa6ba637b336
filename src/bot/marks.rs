//! Done marks written together. A handled update's mark (with the dialogue state it
//! leaves) goes to one writer thread, which writes every mark waiting in one
//! transaction (`Inbox::done_all`) and asks for its flush, at most once every
//! `LINGER`: under a burst, one write for many updates instead of a transaction (and a
//! blocking-pool hop) each, the store's write lock taken once for them all, and the
//! marks riding in the flushes others ask for meanwhile.
//!
//! Invariants:
//! - a mark is written after its update's reply went out (it is sent here only then);
//! - the update keeps its place in the gate until its mark is written (the place
//!   travels with the mark), so the gate still bounds updates in flight;
//! - a mark that changes its chat's dialogue state is waited for (written, not flushed)
//!   before the chat's next update is read; other marks are not waited for;
//! - marks are written in the order they were sent, so a chat's marks keep its order;
//! - `stop` writes every mark sent before it returns (the final flush follows it).
//!
//! What a crash costs is unchanged in kind: a mark not yet on disk (waiting here, or
//! written and not yet flushed: at most `LINGER` and a flush after it was written)
//! hands its update over again on start, which changes nothing more (its identity is
//! its request key); its reply goes out again (at least once).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::gate::Place;
use super::inbox::{DoneMark, Inbox};
use crate::store::Pending;

/// At most this many marks in one transaction (a burst's worth; more wait for the next).
const BATCH: usize = 1024;
/// Flushes asked for by marks are at least this far apart: under a burst the marks
/// ride in the flushes others ask for (the poller's for each batch, each change's own),
/// and a flush of sled wakes its whole IO thread pool.
const LINGER: Duration = Duration::from_millis(10);

enum Msg {
    Mark { mark: DoneMark, place: Option<Place>, written: Option<oneshot::Sender<()>> },
    Stop,
}

/// The way to the writer thread.
#[derive(Clone)]
pub struct Marks {
    tx: mpsc::Sender<Msg>,
    inbox: Inbox,
    thread: Arc<Mutex<Option<JoinHandle<()>>>>,
    counts: Arc<Counts>,
}

/// Marks written and the writes they took, since the start.
#[derive(Default)]
struct Counts {
    marks: AtomicU64,
    writes: AtomicU64,
}

impl Marks {
    pub fn start(inbox: Inbox) -> Marks {
        let (tx, rx) = mpsc::channel();
        let (writer, counts) = (inbox.clone(), Arc::new(Counts::default()));
        let counted = counts.clone();
        let thread = std::thread::Builder::new()
            .name("huzhu-marks".into())
            .spawn(move || write_loop(writer, rx, &counted))
            .expect("start the done marks' writer thread");
        Marks { tx, inbox, thread: Arc::new(Mutex::new(Some(thread))), counts }
    }

    /// Hands a mark over; returns when it is written if it changes the dialogue state,
    /// at once otherwise. `place` is given back once the mark is written.
    pub async fn done(&self, mark: DoneMark, place: Option<Place>) {
        let wait = mark.changes_dialogue();
        let (written, written_rx) = if wait {
            let (tx, rx) = oneshot::channel();
            (Some(tx), Some(rx))
        } else {
            (None, None)
        };
        if let Err(mpsc::SendError(msg)) = self.tx.send(Msg::Mark { mark, place, written }) {
            // Stopped already: written here (off the async workers).
            if let Msg::Mark { mark, place, .. } = msg {
                let inbox = self.inbox.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    if let Err(e) = inbox.write_mark(&mark) {
                        log::error!("marking an update done failed: {e}");
                    }
                    drop(place);
                })
                .await;
            }
            return;
        }
        if let Some(rx) = written_rx {
            let _ = rx.await;
        }
    }

    /// Writes every mark sent so far and stops the writer thread (blocking); logs how
    /// many marks it wrote in how many writes.
    pub fn stop(&self) {
        let _ = self.tx.send(Msg::Stop);
        let handle = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(h) = handle {
            if h.join().is_err() {
                log::error!("the done marks' writer thread panicked");
            }
            let (marks, writes) = self.stats();
            log::info!("done marks: {marks} written in {writes} writes");
        }
    }

    /// (marks written, writes they took) so far.
    pub fn stats(&self) -> (u64, u64) {
        (self.counts.marks.load(Ordering::SeqCst), self.counts.writes.load(Ordering::SeqCst))
    }
}

type Waiting = (Option<Place>, Option<oneshot::Sender<()>>);

fn write_loop(inbox: Inbox, rx: mpsc::Receiver<Msg>, counts: &Counts) {
    // What the watchdog and the tests' hanging store fault (`HUZHU_TEST_HANG_STORE`)
    // know these writes by.
    let _context = crate::watchdog::context("writing done marks".to_string());
    let mut stopping = false;
    // Marks written and not yet asked to be flushed (the latest write covers the
    // earlier ones), and when a flush was last asked for.
    let mut unflushed: Option<Pending> = None;
    let mut asked: Option<Instant> = None;
    let due = |asked: Option<Instant>| asked.map_or(Duration::ZERO, |a| LINGER.saturating_sub(a.elapsed()));
    loop {
        let (mut marks, mut waiting): (Vec<DoneMark>, Vec<Waiting>) = (Vec::new(), Vec::new());
        // The first blocks until the flush asked for is due (once stopping, what is
        // left is taken without waiting); the rest are whatever waits meanwhile.
        let first = match (stopping, unflushed) {
            (true, _) => rx.try_recv().ok(),
            (false, None) => rx.recv().ok(),
            (false, Some(_)) => match rx.recv_timeout(due(asked)) {
                Ok(m) => Some(m),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Some(p) = unflushed.take() {
                        inbox.request_flush(p);
                        asked = Some(Instant::now());
                    }
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => None,
            },
        };
        // Disconnected, or stopping with nothing left: the last marks' flush asked for.
        let Some(first) = first else {
            if let Some(p) = unflushed.take() {
                inbox.request_flush(p);
            }
            return;
        };
        let mut next = Some(first);
        while let Some(msg) = next {
            match msg {
                Msg::Mark { mark, place, written } => {
                    marks.push(mark);
                    waiting.push((place, written));
                }
                Msg::Stop => stopping = true,
            }
            next = if marks.len() < BATCH { rx.try_recv().ok() } else { None };
        }
        if marks.is_empty() {
            continue;
        }
        match inbox.done_all(&marks) {
            Ok(pending) => {
                counts.marks.fetch_add(marks.len() as u64, Ordering::SeqCst);
                counts.writes.fetch_add(1, Ordering::SeqCst);
                unflushed = Some(pending);
            }
            // The disk's refusal stops the binary (the store's failure hook); the
            // updates are handled again on start.
            Err(e) => log::error!("marking {} updates done failed: {e}", marks.len()),
        }
        if due(asked).is_zero() {
            if let Some(p) = unflushed.take() {
                inbox.request_flush(p);
                asked = Some(Instant::now());
            }
        }
        for (place, written) in waiting {
            drop(place);
            if let Some(w) = written {
                let _ = w.send(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::dialogue::{SledStorage, State};
    use crate::store::{Store, T};
    use std::sync::atomic::AtomicBool;
    use std::time::Duration;
    use teloxide::types::{ChatId, Update};

    fn update(id: u32, chat: i64) -> Update {
        crate::testing::message_update(id, chat, "/balance")
    }

    /// 100 chats' marks sent while the store's writer is busy with another write: they
    /// are written together once it is done, each update is done and out of the inbox,
    /// and the gate's places come back only once their marks are written.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn marks_that_wait_for_the_store_are_written_in_one_write() {
        let store = Arc::new(Store::temporary().expect("store"));
        let inbox = Inbox::new(store.clone());
        let updates: Vec<Update> = (1..=100).map(|i| update(i, 1_000 + i as i64)).collect();
        let (fresh, _) = inbox.admit(&updates, i64::MAX).expect("admit");
        assert_eq!(fresh.len(), 100);
        // Another write holds the store's one writer until released.
        let (released, holding) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
        let busy = {
            let (store, released, holding) = (store.clone(), released.clone(), holding.clone());
            std::thread::spawn(move || {
                store
                    .write_unflushed(|_tx| {
                        holding.store(true, Ordering::SeqCst);
                        while !released.load(Ordering::SeqCst) {
                            std::thread::sleep(Duration::from_millis(1));
                        }
                        Ok::<_, sled::transaction::ConflictableTransactionError<()>>(())
                    })
                    .expect("the other write")
            })
        };
        while !holding.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let gate = crate::bot::gate::Gate::new(100);
        let marks = Marks::start(inbox.clone());
        for u in &updates {
            let place = gate.enter_for_chat(None).await;
            marks.done(DoneMark::new(u, None, i64::MAX), Some(place)).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(marks.stats(), (0, 0), "nothing written while the store is busy");
        assert!(
            tokio::time::timeout(Duration::from_millis(50), gate.enter_for_chat(None)).await.is_err(),
            "places held"
        );
        released.store(true, Ordering::SeqCst);
        let _ = busy.join().expect("the other write").1;
        let store_stop = marks.clone();
        tokio::task::spawn_blocking(move || store_stop.stop()).await.expect("stop");
        // The writer may have taken the first mark before the others came (then it
        // waited for the store with it alone): at most two writes.
        let (written, writes) = marks.stats();
        assert_eq!(written, 100);
        assert!(writes <= 2, "{writes} writes for 100 marks that waited together");
        assert!(updates.iter().all(|u| inbox.is_done(u)));
        assert!(inbox.pending().expect("pending").is_empty());
        assert!(
            tokio::time::timeout(Duration::from_secs(1), gate.enter_for_chat(None)).await.is_ok(),
            "places given back"
        );
    }

    /// A mark that changes the chat's dialogue state is written when `done` returns (the
    /// chat's next update reads it); marks of one chat keep their order (the last state
    /// wins); a mark sent after `stop` is still written.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_dialogue_change_is_written_before_done_returns_and_in_order() {
        let store = Arc::new(Store::temporary().expect("store"));
        let inbox = Inbox::new(store.clone());
        let marks = Marks::start(inbox.clone());
        let chat = ChatId(7);
        let read = || SledStorage::read(&store, chat);
        let first = State::ChildBirth { name: "A".into() };
        marks.done(DoneMark::new(&update(1, 7), Some((chat, first.clone())), i64::MAX), None).await;
        assert_eq!(read(), first);
        // Without a change of state: not waited for; then a change that must win.
        marks.done(DoneMark::new(&update(2, 7), None, i64::MAX), None).await;
        marks.done(DoneMark::new(&update(3, 7), Some((chat, State::ChildName)), i64::MAX), None).await;
        assert_eq!(read(), State::ChildName);
        marks.done(DoneMark::new(&update(4, 7), Some((chat, State::Idle)), i64::MAX), None).await;
        assert_eq!(read(), State::Idle);
        assert!(store.tree(T::Dialogues).is_empty(), "idle is no record");
        let stopping = marks.clone();
        tokio::task::spawn_blocking(move || stopping.stop()).await.expect("stop");
        marks.done(DoneMark::new(&update(5, 7), None, i64::MAX), None).await;
        assert!((1..=5).all(|i| inbox.is_done(&update(i, 7))));
    }
}
