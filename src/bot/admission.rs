//! Which fetched updates go on to the dispatcher now, so that one chat cannot hold up
//! the others.
//!
//! The dispatch (`super::dispatch`) hands each update to its chat's worker and waits for
//! room in that worker's queue (64 updates) before it takes the next update, whatever
//! its chat (as teloxide's dispatcher, which it replaced, did).
//! A chat that sends more than that at once, each answer waiting a second for the
//! chat's send rate, would stop every chat for as long as its flood lasts (measured:
//! 200 messages from one member left everyone else unanswered). So at most
//! [`PER_CHAT`] updates of a chat are with the dispatcher at a time (handed over, their
//! done mark not yet written); the chat's later updates wait here, in order, and go on
//! one by one as its earlier ones are done. Other chats' updates pass them.
//!
//! Nothing is lost by waiting here: every update is in the inbox before Telegram is told
//! we have it, and a restart hands the inbox's updates over again.
//!
//! Memory is bounded two ways. A chat's first [`KEPT_PER_CHAT`] waiting updates are
//! kept whole; later ones wait by update id only (a few bytes) and are read back from
//! the inbox when their turn comes, so a flood of any size from one account costs the
//! poller nothing (it once waited for room, and stopped every chat). The poller hands a
//! batch over before it stores it, so an update waiting by id whose batch is not stored
//! yet is kept aside whole until it is (one batch at most, Telegram's 100 updates): the
//! feeder never waits for a batch to be stored, which could have waited for ever on the
//! poller waiting for room. And at most [`HELD`] whole updates wait here or on their way
//! to the dispatcher (many chats at once); beyond that the poller fetches no more until
//! some have gone on (they wait at Telegram meanwhile).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use teloxide::types::Update;
use tokio::sync::{mpsc, Notify, Semaphore};

/// Updates of one chat with the dispatcher at a time: one being handled and the next
/// ready behind it (its worker need not wait for a round trip through here).
pub const PER_CHAT: usize = 2;
/// Whole updates held here or on their way to the dispatcher, at most (a few KB each).
pub const HELD: usize = 8192;
/// A chat's waiting updates kept whole; later ones wait by id, read back from the inbox.
pub const KEPT_PER_CHAT: usize = 16;

/// Reads an update back from the inbox by its update id; `None` when it is not there
/// (handled already, as a copy of it fetched twice).
pub type Load = Arc<dyn Fn(u32) -> Option<Update> + Send + Sync>;

/// The admission of updates to the dispatcher, shared by the poller (which admits
/// them), the feeder task (which hands them over) and the handlers (whose places in the
/// gate tell it when an update is done).
#[derive(Clone)]
pub struct Admission {
    inner: Arc<Inner>,
}

struct Inner {
    per_chat: usize,
    /// A chat's waiting updates kept whole (with `load`; without, all are).
    kept: usize,
    load: Option<Load>,
    state: Mutex<State>,
    /// Woken when an update is ready to go on.
    ready: Notify,
    /// Room for whole updates held: a permit per update from its admission until it
    /// went on.
    room: Semaphore,
}

/// An update waiting or ready to go on.
enum Entry {
    /// Held whole (it holds a permit of `room`); boxed, so that an entry by id takes
    /// a few bytes, not an update's two KB.
    Whole(Box<Update>),
    /// Known by its id, read back from the inbox (or taken from `unstored` while its
    /// batch is not stored yet).
    Stored { chat: i64, id: u32 },
}

#[derive(Default)]
struct State {
    /// Per chat, its updates handed to the dispatcher and not yet done.
    with_dispatcher: HashMap<i64, usize>,
    /// Per chat, its updates waiting for one of those to be done, oldest first.
    waiting: HashMap<i64, VecDeque<Entry>>,
    /// Updates to hand to the dispatcher next, in order.
    ready: VecDeque<Entry>,
    /// Every batch up to this number is in the inbox (0: the leftovers of the last run).
    stored: u64,
    /// The updates waiting by id of batches not stored yet, with their batch: the
    /// inbox does not have them yet. Emptied as their batch is stored.
    unstored: HashMap<u32, (u64, Box<Update>)>,
    /// The poller has stopped: nothing more goes on.
    closed: bool,
}

/// Whose turn an update waits for, and whose worker handles it (`super::dispatch`): its
/// chat; for an update without a chat (a button under an inline message), its sender,
/// whose private chat has the same id and is where any answer goes (so a flood of such
/// presses waits its turn like any other chat's, and never holds every place in the
/// gate).
pub fn chat_of(update: &Update) -> Option<i64> {
    update.chat().map(|c| c.id.0).or_else(|| update.from().and_then(|u| i64::try_from(u.id.0).ok()))
}

impl Admission {
    /// An admission that keeps every waiting update whole (bounded by `held`).
    pub fn new(per_chat: usize, held: usize) -> Admission {
        Admission::build(per_chat, held, usize::MAX, None)
    }

    /// An admission that keeps a chat's first `kept` waiting updates whole and reads
    /// later ones back with `load` when their turn comes.
    pub fn reading_back(per_chat: usize, held: usize, kept: usize, load: Load) -> Admission {
        Admission::build(per_chat, held, kept, Some(load))
    }

    fn build(per_chat: usize, held: usize, kept: usize, load: Option<Load>) -> Admission {
        Admission {
            inner: Arc::new(Inner {
                per_chat: per_chat.max(1),
                kept,
                load,
                state: Mutex::new(State::default()),
                ready: Notify::new(),
                room: Semaphore::new(held.max(1)),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state holds plain queues and counts, consistent after every statement that
        // could panic; a poisoned lock is taken over as it is.
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes the updates of fetched batch `batch` (0: the inbox's leftovers, stored
    /// already) in the order they were fetched, waiting while [`HELD`] whole ones are
    /// held. Returns false once the feeder has stopped (the dispatcher is gone).
    pub async fn admit(&self, batch: u64, updates: impl IntoIterator<Item = Update>) -> bool {
        for update in updates {
            let Some(update) = self.wait_by_id(batch, update) else { continue };
            match self.inner.room.acquire().await {
                Ok(permit) => permit.forget(),
                Err(_) => return false,
            }
            self.place(update);
        }
        true
    }

    /// Puts the update in its chat's queue by id when the chat already keeps its share
    /// of whole updates waiting; otherwise gives it back. (Only the poller adds to the
    /// queues, so the choice stays right until `place`: the queue can only shrink.)
    fn wait_by_id(&self, batch: u64, update: Update) -> Option<Update> {
        if self.inner.load.is_none() {
            return Some(update);
        }
        // An update of no chat and no sender waits for nobody: it goes on whole.
        let Some(chat) = chat_of(&update) else { return Some(update) };
        let mut st = self.state();
        match st.waiting.get_mut(&chat) {
            Some(queue) if queue.len() >= self.inner.kept => {
                let id = update.id.0;
                queue.push_back(Entry::Stored { chat, id });
                if batch > st.stored {
                    st.unstored.insert(id, (batch, Box::new(update)));
                }
                None
            }
            _ => {
                drop(st);
                Some(update)
            }
        }
    }

    fn place(&self, update: Update) {
        let mut st = self.state();
        match chat_of(&update) {
            None => st.ready.push_back(Entry::Whole(Box::new(update))),
            Some(chat) => {
                let busy = st.with_dispatcher.get(&chat).copied().unwrap_or(0);
                if busy < self.inner.per_chat && !st.waiting.contains_key(&chat) {
                    st.with_dispatcher.insert(chat, busy + 1);
                    st.ready.push_back(Entry::Whole(Box::new(update)));
                } else {
                    st.waiting.entry(chat).or_default().push_back(Entry::Whole(Box::new(update)));
                }
            }
        }
        drop(st);
        self.inner.ready.notify_one();
    }

    /// Batch `batch` is in the inbox: its updates waiting by id are read back from
    /// there, not kept aside.
    pub fn stored(&self, batch: u64) {
        let mut st = self.state();
        st.stored = st.stored.max(batch);
        let stored = st.stored;
        st.unstored.retain(|_, (b, _)| *b > stored);
    }

    /// One of `chat`'s updates is done (its done mark is written): the chat's next
    /// waiting update may go on.
    pub fn done(&self, chat: i64) {
        let mut st = self.state();
        let next = st.waiting.get_mut(&chat).and_then(VecDeque::pop_front);
        match next {
            // It takes the done update's place with the dispatcher.
            Some(entry) => {
                if st.waiting.get(&chat).is_some_and(VecDeque::is_empty) {
                    st.waiting.remove(&chat);
                }
                st.ready.push_back(entry);
                drop(st);
                self.inner.ready.notify_one();
            }
            None => {
                if let Some(n) = st.with_dispatcher.get_mut(&chat) {
                    *n -= 1;
                    if *n == 0 {
                        st.with_dispatcher.remove(&chat);
                    }
                }
            }
        }
    }

    /// Hands the ready updates to the dispatcher's channel, in order, until it closes;
    /// then lets the poller know (its `admit` returns false).
    pub async fn feed(self, tx: mpsc::Sender<Update>) {
        enum Next {
            /// Held whole: its permit of `room` goes back once it is handed over.
            Whole(Box<Update>),
            /// Kept aside until its batch is stored: it holds no permit.
            Aside(Box<Update>),
            ReadBack {
                chat: i64,
                id: u32,
            },
            Wait,
        }
        loop {
            let next = {
                let mut st = self.state();
                if st.closed {
                    break;
                }
                match st.ready.pop_front() {
                    None => Next::Wait,
                    Some(Entry::Whole(update)) => Next::Whole(update),
                    Some(Entry::Stored { chat, id }) => match st.unstored.remove(&id) {
                        Some((_, update)) => Next::Aside(update),
                        None => Next::ReadBack { chat, id },
                    },
                }
            };
            match next {
                Next::Whole(update) => {
                    if tx.send(*update).await.is_err() {
                        break;
                    }
                    self.inner.room.add_permits(1);
                }
                Next::Aside(update) => {
                    if tx.send(*update).await.is_err() {
                        break;
                    }
                }
                Next::ReadBack { chat, id } => match self.read_back(id).await {
                    Some(update) => {
                        if tx.send(update).await.is_err() {
                            break;
                        }
                    }
                    // Not in the inbox: handled already (a copy fetched twice). Its
                    // place goes to the chat's next update.
                    None => self.done(chat),
                },
                Next::Wait => {
                    tokio::select! {
                        _ = self.inner.ready.notified() => {}
                        _ = tx.closed() => break,
                    }
                }
            }
        }
        self.inner.room.close();
    }

    async fn read_back(&self, id: u32) -> Option<Update> {
        let load = self.inner.load.clone()?;
        tokio::task::spawn_blocking(move || load(id)).await.ok().flatten()
    }

    /// The poller has stopped: the feeder hands nothing more over and closes the
    /// dispatcher's channel, so the dispatcher stops once the updates it has are done.
    /// What was waiting here is in the inbox, handed over again on the next start.
    pub fn close(&self) {
        self.state().closed = true;
        self.inner.ready.notify_one();
    }

    /// Updates waiting here for their chat's earlier ones (for logs and tests).
    pub fn waiting(&self) -> usize {
        self.state().waiting.values().map(VecDeque::len).sum()
    }

    /// Of those, the ones waiting by id only (for tests).
    pub fn waiting_by_id(&self) -> usize {
        let st = self.state();
        st.waiting.values().flatten().filter(|e| matches!(e, Entry::Stored { .. })).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn message(update_id: u32, chat: i64, text: &str) -> Update {
        crate::testing::message_update(update_id, chat, text)
    }

    fn ids(rx: &mut mpsc::Receiver<Update>) -> Vec<u32> {
        let mut out = vec![];
        while let Ok(u) = rx.try_recv() {
            out.push(u.id.0);
        }
        out
    }

    #[test]
    fn a_message_update_has_its_chat() {
        let u = message(1, 7, "x");
        assert!(!matches!(u.kind, teloxide::types::UpdateKind::Error(_)), "{:?}", u.kind);
        assert_eq!(chat_of(&u), Some(7));
    }

    #[test]
    fn a_button_without_a_message_waits_for_its_sender() {
        let u: Update = serde_json::from_str(
            &serde_json::json!({
                "update_id": 5,
                "callback_query": {
                    "id": "q5",
                    "from": {"id": 42, "is_bot": false, "first_name": "A"},
                    "chat_instance": "1",
                    "inline_message_id": "im",
                    "data": "x"
                }
            })
            .to_string(),
        )
        .expect("an update");
        assert!(u.chat().is_none());
        assert_eq!(chat_of(&u), Some(42));
    }

    /// An update of no chat and no sender (a poll's new state) goes on whole even where
    /// later updates wait by id: it was once dropped there, left in the inbox for ever.
    #[tokio::test]
    async fn an_update_of_no_chat_and_no_sender_goes_on() {
        let poll: Update = serde_json::from_str(
            r#"{"update_id": 9, "poll": {"id": "p", "question": "?", "options": [], "total_voter_count": 0,
                "is_closed": true, "is_anonymous": true, "type": "regular", "allows_multiple_answers": false}}"#,
        )
        .expect("an update");
        assert!(matches!(poll.kind, teloxide::types::UpdateKind::Poll(_)), "{:?}", poll.kind);
        assert_eq!(chat_of(&poll), None);
        let (load, _) = inbox_of(&[]);
        let adm = Admission::reading_back(1, 10, 1, load);
        let (tx, mut rx) = mpsc::channel(100);
        tokio::spawn(adm.clone().feed(tx));
        assert!(adm.admit(1, [message(1, 7, "a"), poll, message(10, 7, "b")]).await);
        adm.stored(1);
        settle().await;
        assert_eq!(ids(&mut rx), vec![1, 9]);
    }

    async fn settle() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    /// A chat's flood waits beyond two with the dispatcher; the others' updates pass
    /// it; each done update lets the chat's next one on, in order.
    #[tokio::test]
    async fn a_flooding_chat_waits_its_turn_and_others_pass_it() {
        let adm = Admission::new(2, 1000);
        let (tx, mut rx) = mpsc::channel(100);
        tokio::spawn(adm.clone().feed(tx));
        let mut batch: Vec<Update> = (1..=50).map(|i| message(i, 7, "/help")).collect();
        batch.push(message(51, 8, "/balance"));
        batch.push(message(52, 9, "/balance"));
        assert!(adm.admit(0, batch).await);
        settle().await;
        assert_eq!(ids(&mut rx), vec![1, 2, 51, 52]);
        assert_eq!(adm.waiting(), 48);
        adm.done(7);
        adm.done(8);
        settle().await;
        assert_eq!(ids(&mut rx), vec![3]);
        // A new update of the flooding chat goes behind its waiting ones.
        assert!(adm.admit(0, [message(53, 7, "/book"), message(54, 8, "/book")]).await);
        settle().await;
        assert_eq!(ids(&mut rx), vec![54]);
        for _ in 0..49 {
            adm.done(7);
        }
        settle().await;
        let rest = ids(&mut rx);
        assert_eq!(rest, (4..=50).chain([53]).collect::<Vec<u32>>());
        assert_eq!(adm.waiting(), 0);
    }

    /// A chat that is done with everything starts afresh: two at once again.
    #[tokio::test]
    async fn a_chat_whose_updates_are_done_gets_its_two_places_back() {
        let adm = Admission::new(2, 1000);
        let (tx, mut rx) = mpsc::channel(100);
        tokio::spawn(adm.clone().feed(tx));
        assert!(adm.admit(0, [message(1, 7, "a"), message(2, 7, "b")]).await);
        settle().await;
        assert_eq!(ids(&mut rx), vec![1, 2]);
        adm.done(7);
        adm.done(7);
        // A done mark for an update not counted changes nothing.
        adm.done(7);
        assert!(adm.admit(0, [message(3, 7, "c"), message(4, 7, "d"), message(5, 7, "e")]).await);
        settle().await;
        assert_eq!(ids(&mut rx), vec![3, 4]);
        assert_eq!(adm.waiting(), 1);
    }

    /// At most `held` updates are held: the poller's admit waits for room, and goes on
    /// as the dispatcher takes them.
    #[tokio::test]
    async fn admitting_waits_while_the_held_updates_are_at_their_bound() {
        let adm = Admission::new(2, 3);
        let (tx, mut rx) = mpsc::channel(1);
        let feeder = tokio::spawn(adm.clone().feed(tx));
        // Six chats, one update each: the channel takes one, the feeder holds one on
        // its way, and the room is for three.
        let admitting = tokio::spawn({
            let adm = adm.clone();
            async move { adm.admit(0, (1..=6).map(|i| message(i, i as i64, "x"))).await }
        });
        settle().await;
        assert!(!admitting.is_finished(), "admit waits for room");
        let mut got = vec![];
        while got.len() < 6 {
            let u = tokio::time::timeout(Duration::from_secs(2), rx.recv()).await.expect("in time").expect("open");
            got.push(u.id.0);
        }
        assert_eq!(got, vec![1, 2, 3, 4, 5, 6]);
        assert!(admitting.await.expect("admit"));
        // The dispatcher gone: the feeder stops and admitting says so.
        drop(rx);
        tokio::time::timeout(Duration::from_secs(2), feeder).await.expect("the feeder stops").expect("feeder");
        assert!(!adm.admit(0, [message(9, 9, "x")]).await);
    }

    /// A loader over a map of "stored" updates, and the ids it was asked for.
    fn inbox_of(updates: &[Update]) -> (Load, Arc<Mutex<Vec<u32>>>) {
        let map: HashMap<u32, Update> = updates.iter().map(|u| (u.id.0, u.clone())).collect();
        let asked = Arc::new(Mutex::new(vec![]));
        let seen = asked.clone();
        let load: Load = Arc::new(move |id| {
            seen.lock().expect("asked").push(id);
            map.get(&id).cloned()
        });
        (load, asked)
    }

    /// A flood beyond the chat's kept updates waits by id, takes no room (the poller
    /// does not wait), and goes on in order: kept aside whole until its batch is
    /// stored, read back from the inbox after.
    #[tokio::test]
    async fn a_flood_beyond_the_kept_updates_waits_by_id_and_is_read_back_in_order() {
        let flood: Vec<Update> = (1..=50).map(|i| message(i, 7, "/help")).collect();
        let (load, asked) = inbox_of(&flood);
        // Room for ten whole updates: the flood of fifty still goes in at once.
        let adm = Admission::reading_back(2, 10, 3, load);
        let (tx, mut rx) = mpsc::channel(100);
        tokio::spawn(adm.clone().feed(tx));
        let mut batch = flood.clone();
        batch.push(message(51, 8, "/balance"));
        let admitted = tokio::time::timeout(Duration::from_secs(2), adm.admit(1, batch)).await;
        assert_eq!(admitted, Ok(true), "the poller does not wait for room");
        settle().await;
        assert_eq!(ids(&mut rx), vec![1, 2, 51]);
        assert_eq!((adm.waiting(), adm.waiting_by_id()), (48, 45));
        // Three whole ones go on, then the fourth and fifth from aside: batch 1 is not
        // stored, so the inbox is not asked.
        for _ in 0..5 {
            adm.done(7);
        }
        settle().await;
        assert_eq!(ids(&mut rx), vec![3, 4, 5, 6, 7]);
        assert!(asked.lock().expect("asked").is_empty(), "nothing read back before its batch is stored");
        // Once it is stored, the rest is read back from the inbox.
        adm.stored(1);
        for _ in 0..43 {
            adm.done(7);
        }
        settle().await;
        assert_eq!(ids(&mut rx), (8..=50).collect::<Vec<u32>>());
        assert_eq!(*asked.lock().expect("asked"), (8..=50).collect::<Vec<u32>>());
        assert_eq!(adm.waiting(), 0);
    }

    /// An update no longer in the inbox when its turn comes (handled already) is
    /// skipped, and the chat's next update takes its place.
    #[tokio::test]
    async fn an_update_gone_from_the_inbox_is_skipped_and_the_next_goes_on() {
        let flood: Vec<Update> = (1..=6).map(|i| message(i, 7, "x")).collect();
        let (load, _) = inbox_of(&flood.iter().filter(|u| u.id.0 != 4).cloned().collect::<Vec<_>>());
        let adm = Admission::reading_back(1, 10, 1, load);
        let (tx, mut rx) = mpsc::channel(100);
        tokio::spawn(adm.clone().feed(tx));
        assert!(adm.admit(0, flood).await);
        settle().await;
        assert_eq!(ids(&mut rx), vec![1]);
        adm.done(7);
        adm.done(7);
        settle().await;
        assert_eq!(ids(&mut rx), vec![2, 3], "3 is read back; 4 is gone, so 5 comes after 3 is done");
        adm.done(7);
        settle().await;
        assert_eq!(ids(&mut rx), vec![5]);
        adm.done(7);
        settle().await;
        assert_eq!(ids(&mut rx), vec![6]);
        assert_eq!(adm.waiting(), 0);
    }

    /// One random run: `chats` in fetch order (one update each, ids from 1), cut into
    /// batches of `cuts` sizes; `gone` ids are no longer in the inbox when read back.
    /// A dispatcher stand-in takes each update, checks its chat has at most `per_chat`
    /// with it, and marks it done a moment later. Returns what each chat got, in order,
    /// and any read-back of an update whose batch was not yet stored.
    async fn flood_run(
        chats: &[i64],
        cuts: &[usize],
        gone: &[u32],
        (per_chat, held, kept): (usize, usize, usize),
    ) -> Result<(HashMap<i64, Vec<u32>>, Vec<u32>), String> {
        let updates: Vec<Update> = chats.iter().enumerate().map(|(i, &c)| message(i as u32 + 1, c, "x")).collect();
        let mut batches: Vec<Vec<Update>> = vec![];
        let mut rest = updates.as_slice();
        for &n in cuts.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (head, tail) = rest.split_at(n.clamp(1, rest.len()));
            batches.push(head.to_vec());
            rest = tail;
        }
        let batch_of: HashMap<u32, u64> =
            batches.iter().enumerate().flat_map(|(b, us)| us.iter().map(move |u| (u.id.0, b as u64 + 1))).collect();
        let stored = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let early = Arc::new(Mutex::new(vec![]));
        let inbox: HashMap<u32, Update> =
            updates.iter().filter(|u| !gone.contains(&u.id.0)).map(|u| (u.id.0, u.clone())).collect();
        let load: Load = {
            let (stored, early) = (stored.clone(), early.clone());
            Arc::new(move |id| {
                if batch_of[&id] > stored.load(std::sync::atomic::Ordering::SeqCst) {
                    early.lock().expect("early").push(id);
                }
                inbox.get(&id).cloned()
            })
        };
        let adm = Admission::reading_back(per_chat, held, kept, load);
        let (tx, mut rx) = mpsc::channel(8);
        tokio::spawn(adm.clone().feed(tx));
        // The dispatcher: marks each update done a little later, out of order across
        // chats.
        let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let dispatcher = tokio::spawn({
            let (adm, finished) = (adm.clone(), finished.clone());
            async move {
                let mut got: HashMap<i64, Vec<u32>> = HashMap::new();
                let mut with_it: HashMap<i64, usize> = HashMap::new();
                let mut handling: VecDeque<i64> = VecDeque::new();
                let (mut seen, mut idle) = (0, 0);
                loop {
                    let next = tokio::time::timeout(Duration::from_millis(150), rx.recv()).await;
                    idle = if next.is_err() { idle + 1 } else { 0 };
                    match next {
                        Ok(Some(u)) => {
                            let chat = chat_of(&u).expect("a chat");
                            got.entry(chat).or_default().push(u.id.0);
                            let n = with_it.entry(chat).or_default();
                            *n += 1;
                            if *n > per_chat {
                                return Err(format!("chat {chat} has {n} updates with the dispatcher"));
                            }
                            handling.push_back(chat);
                            seen += 1;
                        }
                        Ok(None) => break,
                        // Nothing more comes, nothing is being handled, every batch is
                        // in: the end, unless updates still wait (a stall).
                        Err(_) if handling.is_empty() && finished.load(std::sync::atomic::Ordering::SeqCst) => {
                            if adm.waiting() == 0 {
                                break;
                            }
                            if idle >= 10 {
                                return Err(format!("stalled with {} waiting after {seen}: {got:?}", adm.waiting()));
                            }
                        }
                        Err(_) => {}
                    }
                    // Every other update, finish the oldest two being handled.
                    for _ in 0..(seen % 2 + 1) {
                        if let Some(chat) = handling.pop_front() {
                            *with_it.get_mut(&chat).expect("counted") -= 1;
                            adm.done(chat);
                        }
                    }
                }
                Ok(got)
            }
        });
        // The poller: hands each batch over, then stores it.
        for (b, batch) in batches.into_iter().enumerate() {
            let admitted = tokio::time::timeout(Duration::from_secs(5), adm.admit(b as u64 + 1, batch)).await;
            if admitted != Ok(true) {
                return Err(format!("batch {} was not admitted: {admitted:?}", b + 1));
            }
            tokio::task::yield_now().await;
            stored.store(b as u64 + 1, std::sync::atomic::Ordering::SeqCst);
            adm.stored(b as u64 + 1);
        }
        finished.store(true, std::sync::atomic::Ordering::SeqCst);
        let got = dispatcher.await.map_err(|e| e.to_string())??;
        let early = early.lock().expect("early").clone();
        Ok((got, early))
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 48, ..Default::default() })]
        /// Several chats flooding at once, past their kept updates, in batches: every
        /// chat gets its updates in order, none missing but those gone from the inbox,
        /// never more than its share with the dispatcher at a time; nothing is read back
        /// before its batch is stored; and the poller never waits for ever.
        #[test]
        fn several_chats_flooding_at_once_are_served_in_order(
            chats in proptest::collection::vec(1i64..=5, 0..160),
            cuts in proptest::collection::vec(1usize..40, 1..6),
            gone_every in 0u32..12,
            per_chat in 1usize..=3,
            held in 2usize..=24,
            kept in 1usize..=5,
        ) {
            let n = chats.len() as u32;
            let gone: Vec<u32> = if gone_every == 0 { vec![] } else { (1..=n).filter(|i| i % gone_every == 0).collect() };
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
            let (got, early) = rt
                .block_on(flood_run(&chats, &cuts, &gone, (per_chat, held, kept)))
                .map_err(proptest::test_runner::TestCaseError::fail)?;
            proptest::prop_assert!(early.is_empty(), "read back before its batch was stored: {early:?}");
            for chat in 1i64..=5 {
                let all: Vec<u32> = (1..=n).filter(|&i| chats[i as usize - 1] == chat).collect();
                let had = got.get(&chat).cloned().unwrap_or_default();
                proptest::prop_assert!(had.windows(2).all(|w| w[0] < w[1]), "chat {chat} out of order: {had:?}");
                proptest::prop_assert!(had.iter().all(|i| all.contains(i)), "chat {chat} got another's: {had:?}");
                let missing: Vec<u32> = all.iter().copied().filter(|i| !had.contains(i) && !gone.contains(i)).collect();
                proptest::prop_assert!(missing.is_empty(), "chat {chat} never got {missing:?} (had {had:?})");
            }
        }
    }
}
