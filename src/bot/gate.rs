//! How many updates are handled at once: an update holds a place from the start of
//! its handling until its done mark is written (after its reply went out). While the
//! replies of a burst wait for Telegram's send rate, the updates without a place wait
//! in the dispatcher's queues as they came (a couple of KB each), not as handlers that
//! hold their state, a blocking thread's turn and a rendered reply.
//!
//! The bound scales with the send rate (`HUZHU_SEND_RATE`): a few seconds of replies
//! are ready for the limiter at any time, so the bound never slows the replies, and a
//! rate lifted far above Telegram's is not held to a bound made for 30 a second.
//! Places are given in the order they were asked for (tokio's semaphore is fair).
//!
//! A place taken for an update of a chat also tells the `admission` when
//! it is given back, so the chat's next waiting update goes on to the dispatcher.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use teloxide::types::Update;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::admission::{chat_of, Admission};

/// Seconds of replies at the send rate that may be handled at once.
const SECONDS: u32 = 2;
/// At least this many at once, whatever the rate.
const MIN: usize = 16;
/// At most this many at once (the dispatcher's workers are fewer at any rate anyway).
const MAX: usize = 4096;

/// The places for updates being handled.
#[derive(Clone)]
pub struct Gate {
    inner: Arc<Inner>,
}

struct Inner {
    places: Arc<Semaphore>,
    bound: usize,
    now: AtomicUsize,
    peak: AtomicUsize,
    admission: Option<Admission>,
}

/// A place held by an update being handled; given back when dropped (also when the
/// handling is cancelled or panics).
pub struct Place {
    _permit: Option<OwnedSemaphorePermit>,
    inner: Arc<Inner>,
    /// The chat whose update holds the place, told to the admission when it is given back.
    chat: Option<i64>,
}

impl Gate {
    /// The bound for a send rate (messages a second): `SECONDS` of them, within
    /// [`MIN`, `MAX`].
    pub fn bound_for_rate(per_second: u32) -> usize {
        (per_second as usize).saturating_mul(SECONDS as usize).clamp(MIN, MAX)
    }

    pub fn new(bound: usize) -> Gate {
        Self::with_admission(bound, None)
    }

    /// A gate whose places taken for a chat's update tell `admission`
    /// when the update is done.
    pub fn with_admission(bound: usize, admission: Option<Admission>) -> Gate {
        let bound = bound.max(1);
        Gate {
            inner: Arc::new(Inner {
                places: Arc::new(Semaphore::new(bound)),
                bound,
                now: AtomicUsize::new(0),
                peak: AtomicUsize::new(0),
                admission,
            }),
        }
    }

    /// Waits for a place for `update`; giving it back tells the admission that the
    /// update's chat has one update fewer with the dispatcher. (Every handler enters
    /// with its update: a chat whose place never told the admission would wait for good.)
    pub async fn enter(&self, update: &Update) -> Place {
        self.enter_for_chat(chat_of(update)).await
    }

    /// Waits for a place for an update of `chat` (`None`: of no chat).
    pub async fn enter_for_chat(&self, chat: Option<i64>) -> Place {
        // The semaphore is never closed, so acquiring never fails (if it did, the
        // update would still be handled, without a place).
        let permit = self.inner.places.clone().acquire_owned().await.ok();
        let now = self.inner.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.inner.peak.fetch_max(now, Ordering::SeqCst);
        Place { _permit: permit, inner: self.inner.clone(), chat }
    }

    pub fn bound(&self) -> usize {
        self.inner.bound
    }

    /// The most updates handled at once so far.
    pub fn peak(&self) -> usize {
        self.inner.peak.load(Ordering::SeqCst)
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        self.inner.now.fetch_sub(1, Ordering::SeqCst);
        if let (Some(chat), Some(admission)) = (self.chat, &self.inner.admission) {
            admission.done(chat);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_bound_is_a_few_seconds_of_the_send_rate() {
        assert_eq!(Gate::bound_for_rate(30), 60);
        assert_eq!(Gate::bound_for_rate(1), MIN);
        assert_eq!(Gate::bound_for_rate(1_000), 2_000);
        assert_eq!(Gate::bound_for_rate(100_000), MAX);
    }

    /// 200 updates, 8 places: never more than 8 at once, every one handled, and the
    /// bound is reached (it is what held them back).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_more_than_the_bound_at_once_and_everyone_gets_a_place() {
        let gate = Gate::new(8);
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..200)
            .map(|_| {
                let (gate, inside, most) = (gate.clone(), inside.clone(), most.clone());
                tokio::spawn(async move {
                    let _place = gate.enter_for_chat(None).await;
                    let n = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(n, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    inside.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("a task");
        }
        assert_eq!(most.load(Ordering::SeqCst), 8);
        assert_eq!(gate.peak(), 8);
        assert_eq!(gate.inner.now.load(Ordering::SeqCst), 0);
        assert_eq!(gate.inner.places.available_permits(), 8);
    }

    /// The place of a chat's update, given back, lets the chat's next update go on to
    /// the dispatcher (and only then).
    #[tokio::test]
    async fn a_place_given_back_lets_the_chats_next_update_on() {
        use crate::testing::message_update;
        let admission = Admission::new(1, 100);
        let (tx, mut rx) = tokio::sync::mpsc::channel(10);
        tokio::spawn(admission.clone().feed(tx));
        let gate = Gate::with_admission(4, Some(admission.clone()));
        assert!(admission.admit(0, [message_update(1, 7, "a"), message_update(2, 7, "b")]).await);
        let first = rx.recv().await.expect("the first update");
        assert_eq!(first.id.0, 1);
        let place = gate.enter(&first).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(rx.try_recv().is_err(), "the chat's next update waits");
        drop(place);
        let next = tokio::time::timeout(Duration::from_secs(1), rx.recv()).await.expect("in time").expect("open");
        assert_eq!(next.id.0, 2);
    }

    /// A handling that is cancelled (its task dropped) gives its place back.
    #[tokio::test]
    async fn a_cancelled_handling_gives_its_place_back() {
        let gate = Gate::new(1);
        let held = gate.enter_for_chat(None).await;
        let waiting = tokio::spawn({
            let gate = gate.clone();
            async move {
                let _place = gate.enter_for_chat(None).await;
            }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        waiting.abort();
        let _ = waiting.await;
        drop(held);
        let again = tokio::time::timeout(Duration::from_secs(1), gate.enter_for_chat(None)).await;
        assert!(again.is_ok(), "the place came back");
    }
}
