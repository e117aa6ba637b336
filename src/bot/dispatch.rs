//! Hands each update to its chat's worker: a fixed set of workers, each handling its
//! updates one at a time, in order; chats share them by id (a chat's updates always
//! go to the same one).
//!
//! Why not teloxide's `Dispatcher`: it drops the workers it thinks idle whenever it has
//! more than the most that were ever busy at once, and waits for each one it drops to
//! end before it takes the next update. "Idle" is read from the worker's queue being
//! empty and a flag the worker clears just after it takes an update: one that has just
//! taken an update and not yet cleared the flag looks idle, is dropped, and the
//! dispatcher waits for the whole of that update's handling. Seen here: a reply Telegram
//! refused with a 500 (teloxide waits 10 s inside such a request) left every other chat
//! unanswered for those 10 s, on a machine whose second core was busy (most likely the
//! worker's thread was preempted in that moment). Here nothing waits for a worker but
//! the worker's own queue, and the workers stay.
//!
//! Invariants: a chat's updates are handled in the order they came, one at a time; a
//! handler that panics loses its update's reply (its update stays in the inbox for the
//! next start) but not the worker; when the input ends, every update handed over is
//! handled before `dispatch` returns.

use std::future::Future;
use std::sync::Arc;

use futures::FutureExt;
use teloxide::types::Update;
use tokio::sync::mpsc;

use super::admission::chat_of;

/// Updates waiting at one worker, at most; beyond it the dispatch waits for room (the
/// admission keeps at most two of a chat's updates past it, so this is reached only
/// when many chats on one worker write at once).
const WORKER_QUEUE: usize = 64;

/// Which of `workers` handles `update`: its chat's, as the admission sees chats (an
/// update without a chat goes by its sender, whose private chat has the same id).
pub fn worker_of(update: &Update, workers: usize) -> usize {
    let workers = workers.max(1) as i64;
    chat_of(update).map_or(0, |chat| chat.rem_euclid(workers) as usize)
}

/// Handles every update from `updates` with `handle`, each on its chat's worker, until
/// `updates` ends; then waits for the workers to finish what they were handed.
pub async fn dispatch<H, F>(mut updates: mpsc::Receiver<Update>, workers: usize, handle: H)
where
    H: Fn(Update) -> F + Send + Sync + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    let handle = Arc::new(handle);
    let (mut queues, mut tasks) = (Vec::new(), Vec::new());
    for _ in 0..workers.max(1) {
        // Boxed: a queue's block of slots then costs a pointer a slot, not an update.
        let (tx, mut rx) = mpsc::channel::<Box<Update>>(WORKER_QUEUE);
        let handle = handle.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(update) = rx.recv().await {
                let id = update.id.0;
                // A panic ends this update's handling, not the worker (nor its chats).
                if std::panic::AssertUnwindSafe(handle(*update)).catch_unwind().await.is_err() {
                    log::error!("handling update {id} panicked; it is handled again at the next start");
                }
            }
        }));
        queues.push(tx);
    }
    while let Some(update) = updates.recv().await {
        let worker = worker_of(&update, queues.len());
        // A worker's queue closes only if its task is gone, which a panic cannot do.
        if queues[worker].send(Box::new(update)).await.is_err() {
            log::error!("worker {worker} is gone; no more updates are taken");
            break;
        }
    }
    drop(queues);
    for task in tasks {
        if let Err(e) = task.await {
            log::error!("a dispatch worker failed: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Mutex;
    use std::time::Duration;
    use tokio::sync::Notify;

    fn message(update_id: u32, chat: i64) -> Update {
        crate::testing::message_update(update_id, chat, "/balance")
    }

    /// Guards a wait that must end (a hang fails the test instead of stalling it).
    async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
        tokio::time::timeout(Duration::from_secs(20), f).await.unwrap_or_else(|_| panic!("{what} never happened"))
    }

    /// Round after round, one chat's update hangs in its handler; an update of another
    /// chat that comes after it is handled while it hangs, and so is the hung chat's
    /// next one as soon as it is let go. (teloxide's dispatcher, which this replaced,
    /// held every chat now and then behind such an update.)
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_hung_update_holds_up_no_other_chat() {
        let (tx, rx) = mpsc::channel(16);
        let handled: Arc<Mutex<Vec<u32>>> = Arc::default();
        let (release, done) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
        let dispatcher = {
            let (handled, release, done) = (handled.clone(), release.clone(), done.clone());
            tokio::spawn(dispatch(rx, 64, move |u: Update| {
                let (handled, release, done) = (handled.clone(), release.clone(), done.clone());
                async move {
                    // Odd chats hang until let go.
                    if u.chat().is_some_and(|c| c.id.0 % 2 == 1) {
                        release.notified().await;
                    }
                    handled.lock().unwrap().push(u.id.0);
                    done.notify_one();
                }
            }))
        };
        for round in 0..300u32 {
            let slow = 1 + 2 * i64::from(round % 32);
            let fast = 2 * i64::from(round % 32);
            tx.send(message(3 * round, slow)).await.unwrap();
            tx.send(message(3 * round + 1, fast)).await.unwrap();
            within("the other chat's update handled", async {
                while !handled.lock().unwrap().contains(&(3 * round + 1)) {
                    done.notified().await;
                }
            })
            .await;
            assert!(!handled.lock().unwrap().contains(&(3 * round)), "the hung update is still hung");
            release.notify_one();
            within("the hung update handled once let go", async {
                while !handled.lock().unwrap().contains(&(3 * round)) {
                    done.notified().await;
                }
            })
            .await;
        }
        drop(tx);
        within("the dispatcher ends with its input", dispatcher).await.unwrap();
        assert_eq!(handled.lock().unwrap().len(), 600);
    }

    /// A chat's updates are handled one at a time, in the order they came, while 100
    /// chats write at once; every update handed over is handled before `dispatch`
    /// returns, and a handler that panics loses only its own update.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_chats_updates_go_in_order_one_at_a_time() {
        let (tx, rx) = mpsc::channel(16);
        let seen: Arc<Mutex<HashMap<i64, Vec<u32>>>> = Arc::default();
        let busy: Arc<Mutex<HashMap<i64, bool>>> = Arc::default();
        // Counted, not asserted in the handler: the dispatch catches a handler's panic.
        let overlaps = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let dispatcher = {
            let (seen, busy, overlaps) = (seen.clone(), busy.clone(), overlaps.clone());
            tokio::spawn(dispatch(rx, 8, move |u: Update| {
                let (seen, busy, overlaps) = (seen.clone(), busy.clone(), overlaps.clone());
                async move {
                    let chat = u.chat().expect("a chat").id.0;
                    if busy.lock().unwrap().insert(chat, true).unwrap_or(false) {
                        overlaps.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                    tokio::time::sleep(Duration::from_micros(200)).await;
                    busy.lock().unwrap().insert(chat, false);
                    if u.id.0 % 97 == 13 {
                        panic!("a handler's bug");
                    }
                    seen.lock().unwrap().entry(chat).or_default().push(u.id.0);
                }
            }))
        };
        for id in 0..2000u32 {
            tx.send(message(id, i64::from(id % 100))).await.unwrap();
        }
        drop(tx);
        within("the dispatcher ends with its input", dispatcher).await.unwrap();
        assert_eq!(overlaps.load(std::sync::atomic::Ordering::SeqCst), 0, "two updates of one chat at once");
        let seen = seen.lock().unwrap();
        let mut total = 0;
        for (chat, ids) in seen.iter() {
            assert!(ids.windows(2).all(|w| w[0] < w[1]), "chat {chat} out of order: {ids:?}");
            total += ids.len();
        }
        let panicked = (0..2000u32).filter(|id| id % 97 == 13).count();
        assert_eq!(total, 2000 - panicked, "every update but the panicked ones handled");
    }

    #[test]
    fn chats_keep_their_worker_and_spread_over_all() {
        assert_eq!(worker_of(&message(1, 130), 64), 2);
        assert_eq!(worker_of(&message(9, 130), 64), 2, "the same chat, the same worker");
        let used: std::collections::HashSet<usize> = (0..640).map(|c| worker_of(&message(1, c), 64)).collect();
        assert_eq!(used.len(), 64);
    }
}
