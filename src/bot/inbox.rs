//! The durable inbox: every update is written to the store (one group commit per
//! fetched batch) before the `getUpdates` offset that confirms it goes back to
//! Telegram, and is removed when it has been handled. After a crash, a hang (the
//! watchdog exits) or a stop, the updates that were not done are handled first on the
//! next start, in update order (so in order per chat). Nothing a user sent is lost.
//!
//! The update id stays the request key of the service call an update causes, so an
//! update handled again after a crash changes nothing more (its reply is sent again:
//! at least once).

use std::sync::Arc;
use std::time::Duration;

use teloxide::prelude::*;
use teloxide::stop::{mk_stop_token, StopFlag, StopToken};
use teloxide::types::{AllowedUpdate, ChatId, UpdateKind};
use tokio::sync::mpsc;

use super::admission::Admission;
use super::dialogue::{SledStorage, State};
use super::unreadable;
use crate::store::{Key, Pending, Store, StoreError, WriteError, T};

/// How long one `getUpdates` long poll waits (under teloxide's 17 s HTTP timeout).
const POLL_TIMEOUT_SECS: u32 = 10;
/// How long a stored batch waits for a flush someone else asks for (the first change it
/// causes) before the poller asks for one itself: the next `getUpdates` is that much
/// later, and a change flushes once instead of waiting behind the batch's own flush.
const PIGGYBACK: Duration = Duration::from_millis(2);
/// Updates handed to the dispatcher but not yet taken; the admission's feeder waits
/// beyond it (and the poller beyond the admission's bound).
const QUEUE: usize = 256;
/// Leftovers read from the inbox at once on start.
const LEFTOVERS_AT_ONCE: usize = 256;

/// The inbox's records in the store.
#[derive(Clone)]
pub struct Inbox {
    store: Arc<Store>,
}

/// What identifies an update for good. Telegram may reuse update ids after a week
/// without updates, so an update is known by what it carries: a message by its chat and
/// message id (an edit also by its edit time), a button press by its callback query id.
/// This is also the request key of the service call the update causes.
pub fn identity(u: &Update) -> String {
    match &u.kind {
        UpdateKind::Message(m) => format!("m{}:{}", m.chat.id.0, m.id.0),
        UpdateKind::EditedMessage(m) => {
            format!("e{}:{}:{}", m.chat.id.0, m.id.0, m.edit_date().map(|d| d.timestamp()).unwrap_or(0))
        }
        UpdateKind::CallbackQuery(q) => format!("c{}", q.id),
        _ => format!("u{}:{}", u.id.0, serde_json::to_string(&u.kind).map(|j| j.len()).unwrap_or(0)),
    }
}

fn done_key(identity: &str) -> Key {
    Key::new().str("upd/").str(identity)
}

fn inbox_key(id: u32) -> Key {
    Key::new().u64(id as u64)
}

/// An update's done mark, its keys and the dialogue state it leaves worked out before
/// the write (nothing of it is computed under the store's write lock).
#[derive(Clone)]
pub struct DoneMark {
    inbox: Key,
    done: Key,
    expires_ms: i64,
    /// The chat's dialogue key and its new state, encoded (`None`: back to idle,
    /// removed); `None` when the update left the state as it was.
    dialogue: Option<(Key, Option<Vec<u8>>)>,
}

impl DoneMark {
    pub fn new(update: &Update, dialogue: Option<(ChatId, State)>, expires_ms: i64) -> DoneMark {
        DoneMark {
            inbox: inbox_key(update.id.0),
            done: done_key(&identity(update)),
            expires_ms,
            dialogue: dialogue.map(|(chat, state)| {
                let value = (state != State::Idle).then(|| crate::store::encode(&state));
                (SledStorage::key(chat), value)
            }),
        }
    }

    /// Whether the mark changes its chat's dialogue state (the chat's next update must
    /// not be read before it is written).
    pub fn changes_dialogue(&self) -> bool {
        self.dialogue.is_some()
    }
}

impl Inbox {
    pub fn new(store: Arc<Store>) -> Self {
        Inbox { store }
    }

    /// Updates stored and not yet handled, oldest first.
    pub fn pending(&self) -> Result<Vec<Update>, StoreError> {
        self.pending_after(None, usize::MAX)
    }

    /// At most `n` of them, those after update `after` (from the first: `None`): the
    /// leftovers of a run are read a part at a time, however many there are.
    pub fn pending_after(&self, after: Option<u32>, n: usize) -> Result<Vec<Update>, StoreError> {
        let from = match after {
            Some(id) => std::ops::Bound::Excluded(inbox_key(id).bytes().to_vec()),
            None => std::ops::Bound::Unbounded,
        };
        let mut out = Vec::new();
        for r in self.store.tree(T::Inbox).range::<Vec<u8>, _>((from, std::ops::Bound::Unbounded)).take(n) {
            let (_, value) = r?;
            out.push(crate::store::decode(&value)?);
        }
        Ok(out)
    }

    /// A stored update by its id; `None` when it is not in the inbox (or cannot be read,
    /// which is logged: it stays for the next start).
    pub fn get(&self, id: u32) -> Option<Update> {
        match self.store.get::<Update>(T::Inbox, inbox_key(id)) {
            Ok(u) => u,
            Err(e) => {
                log::error!("update {id} could not be read back from the inbox: {e}");
                None
            }
        }
    }

    /// The updates of a fetched batch that are new: not waiting in the inbox, not
    /// handled, and readable (a read, no write: they may be handed to the handlers at
    /// once, before `admit` stores them).
    pub fn unseen(&self, updates: &[Update]) -> Result<Vec<Update>, StoreError> {
        let (inbox, processed) = (self.store.tree(T::Inbox), self.store.tree(T::Processed));
        let mut fresh = Vec::new();
        for u in updates {
            if matches!(u.kind, UpdateKind::Error(_))
                || inbox.contains_key(inbox_key(u.id.0).bytes())?
                || processed.contains_key(done_key(&identity(u)).bytes())?
            {
                continue;
            }
            fresh.push(u.clone());
        }
        Ok(fresh)
    }

    /// Stores a fetched batch in one write and returns the updates that are new (not
    /// already waiting in the inbox, not already handled), with the write's pending
    /// flush: Telegram must not be told we have them until `durable` returns for it.
    /// An update handled before this write (`unseen` handed it over first) is not
    /// stored again: its done mark is checked in the same transaction. Updates teloxide
    /// could not parse are recorded as handled at once: no handler would ever see them.
    pub fn admit(&self, updates: &[Update], expires_ms: i64) -> Result<(Vec<Update>, Pending), StoreError> {
        // Keys and values worked out before the write, not under the store's write lock.
        let records: Vec<(Key, Key, Option<Vec<u8>>)> = updates
            .iter()
            .map(|u| {
                let value = (!matches!(u.kind, UpdateKind::Error(_))).then(|| crate::store::encode(u));
                (inbox_key(u.id.0), done_key(&identity(u)), value)
            })
            .collect();
        let fresh = self.store.write_unflushed(|tx| {
            let mut fresh = Vec::new();
            for (i, (inbox, done, value)) in records.iter().enumerate() {
                if tx.contains(T::Inbox, inbox)? || tx.contains(T::Processed, done)? {
                    continue;
                }
                match value {
                    Some(value) => {
                        tx.put_raw(T::Inbox, inbox, value)?;
                        fresh.push(i);
                    }
                    None => {
                        tx.mark(T::Processed, done)?;
                        tx.expire_at(T::Processed, done, expires_ms)?;
                    }
                }
            }
            Ok::<_, sled::transaction::ConflictableTransactionError<()>>(fresh)
        });
        let fresh = fresh.map(|(fresh, pending)| (fresh.into_iter().map(|i| updates[i].clone()).collect(), pending));
        match fresh {
            Ok(f) => Ok(f),
            Err(WriteError::Store(e)) => Err(e),
            Err(WriteError::Abort(())) => Ok((Vec::new(), Pending::default())),
        }
    }

    /// Waits until an admitted batch is on disk.
    pub fn durable(&self, pending: Pending) -> Result<(), StoreError> {
        self.store.wait_durable(pending)
    }

    /// Marks an update handled, with the dialogue state it leaves its chat in (if it
    /// changed), in one write. The done mark is kept until `expires_ms` (retention):
    /// long enough for any batch Telegram could hand out again.
    ///
    /// The write is not waited for: it rides in the next group flush (asked for here),
    /// so a worker goes on to its chat's next update without a flush of its own. A
    /// crash before that flush loses the mark (and the dialogue state with it, and
    /// every later write of the chat: flushes are in order), so the update is handled
    /// again on start: a change replays its stored result and changes nothing, and the
    /// reply, already sent once, goes out again, as after a crash before the reply.
    pub fn done(&self, update: &Update, dialogue: Option<(ChatId, State)>, expires_ms: i64) -> Result<(), StoreError> {
        self.write_mark(&DoneMark::new(update, dialogue, expires_ms))
    }

    /// Writes one mark worked out already and asks for its flush (not waited for).
    pub fn write_mark(&self, mark: &DoneMark) -> Result<(), StoreError> {
        let pending = self.done_all(std::slice::from_ref(mark))?;
        self.store.request_flush(pending);
        Ok(())
    }

    /// `done` for many updates in one write (`super::marks` gathers them), without
    /// asking for its flush: the caller asks (`Store::request_flush`) or another flush
    /// takes it along. Marks of one chat are applied in the order given, so its last
    /// dialogue state wins.
    pub fn done_all(&self, marks: &[DoneMark]) -> Result<Pending, StoreError> {
        if marks.is_empty() {
            return Ok(Pending::default());
        }
        let r = self.store.write_unflushed(|tx| {
            for m in marks {
                tx.del(T::Inbox, &m.inbox)?;
                tx.mark(T::Processed, &m.done)?;
                tx.expire_at(T::Processed, &m.done, m.expires_ms)?;
                match &m.dialogue {
                    Some((chat, Some(state))) => tx.put_raw(T::Dialogues, chat, state)?,
                    Some((chat, None)) => tx.del(T::Dialogues, chat)?,
                    None => {}
                }
            }
            Ok::<_, sled::transaction::ConflictableTransactionError<()>>(())
        });
        match r {
            Ok(((), pending)) => Ok(pending),
            Err(WriteError::Abort(())) => Ok(Pending::default()),
            Err(WriteError::Store(e)) => Err(e),
        }
    }

    /// Asks for a flush that covers written marks, without waiting for it.
    pub fn request_flush(&self, pending: Pending) {
        self.store.request_flush(pending);
    }

    /// Whether an update was handled (for tests).
    pub fn is_done(&self, update: &Update) -> bool {
        self.store.tree(T::Processed).contains_key(done_key(&identity(update)).bytes()).unwrap_or(false)
    }
}

/// The update listener: the inbox's leftovers first, then long polling, each fetched
/// batch stored before its offset is confirmed by the next `getUpdates`. Updates reach
/// `updates` through the `admission` (a chat's flood waits there, not in front of
/// every other chat).
pub struct InboxListener {
    /// What goes on to the dispatch (`super::dispatch`); it ends once the poller stopped.
    pub updates: mpsc::Receiver<Update>,
    /// Stops the poller.
    pub stop: StopToken,
}

impl InboxListener {
    /// Starts the poller task. `expiry_ms` gives the time until which a done mark made
    /// now is kept.
    pub fn start(
        bot: Bot,
        inbox: Inbox,
        admission: Admission,
        expiry_ms: impl Fn() -> i64 + Send + Sync + 'static,
    ) -> InboxListener {
        let (tx, updates) = mpsc::channel(QUEUE);
        let (stop, flag) = mk_stop_token();
        tokio::spawn(admission.clone().feed(tx));
        tokio::spawn(poller(bot, inbox, admission, flag, expiry_ms));
        InboxListener { updates, stop }
    }
}

async fn blocking<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> Option<R> {
    tokio::task::spawn_blocking(f).await.ok()
}

async fn poller(
    bot: Bot,
    inbox: Inbox,
    admission: Admission,
    mut stop: StopFlag,
    now_ms: impl Fn() -> i64 + Send + Sync + 'static,
) {
    // The last run's leftovers, a part at a time (a flood may have left many).
    let (mut after, mut leftovers) = (None, 0usize);
    loop {
        let part = {
            let inbox = inbox.clone();
            blocking(move || inbox.pending_after(after, LEFTOVERS_AT_ONCE)).await
        };
        let part = match part {
            Some(Ok(part)) => part,
            Some(Err(e)) => {
                log::error!("reading the inbox failed: {e}");
                break;
            }
            None => {
                log::error!("reading the inbox failed");
                break;
            }
        };
        let Some(last) = part.last() else { break };
        after = Some(last.id.0);
        leftovers += part.len();
        if !admission.admit(0, part).await {
            return;
        }
    }
    if leftovers > 0 {
        log::info!("handling {leftovers} updates left in the inbox");
    }
    let now_ms = Arc::new(now_ms);
    let mut offset: i32 = 0;
    let mut failures: u32 = 0;
    // Fetched batches, numbered from 1 (0: the leftovers, stored already).
    let mut batch: u64 = 0;
    let allowed = vec![AllowedUpdate::Message, AllowedUpdate::EditedMessage, AllowedUpdate::CallbackQuery];
    // After an answer teloxide could not read: one update at a time, up to the one that
    // cannot be read (`unreadable`).
    let mut one_at_a_time = false;
    loop {
        let mut request = bot.get_updates().offset(offset).timeout(POLL_TIMEOUT_SECS).allowed_updates(allowed.clone());
        if one_at_a_time {
            request = request.limit(1);
        }
        let result = tokio::select! {
            _ = &mut stop => break,
            r = request.send() => r,
        };
        let updates = match result {
            Ok(u) => {
                failures = 0;
                one_at_a_time = false;
                u
            }
            Err(e) => {
                if let teloxide::RequestError::InvalidJson { raw, source } = &e {
                    if let Some(first) = unreadable::first_update_id(raw) {
                        match (one_at_a_time, unreadable::offset_after(first)) {
                            (false, _) => {
                                log::warn!("an update from {first} on could not be read ({source}); fetching them one at a time");
                                one_at_a_time = true;
                                continue;
                            }
                            (true, Some(next)) if next > offset => {
                                log::error!(
                                    "update {first} could not be read ({source}): skipped, as updates of kinds huzhu cannot handle are (its first 200 characters: {})",
                                    raw.chars().take(200).collect::<String>()
                                );
                                offset = next;
                                one_at_a_time = false;
                                continue;
                            }
                            _ => {}
                        }
                    }
                }
                let delay = match &e {
                    teloxide::RequestError::RetryAfter(s) => s.duration(),
                    _ => {
                        failures = failures.saturating_add(1);
                        Duration::from_millis((250u64 << failures.min(6)).min(10_000))
                    }
                };
                log::warn!("getUpdates failed ({e}); trying again in {delay:?}");
                tokio::select! {
                    _ = &mut stop => break,
                    _ = tokio::time::sleep(delay) => continue,
                }
            }
        };
        let Some(last) = updates.last() else { continue };
        let Some(next_offset) = unreadable::offset_after(last.id.0) else {
            log::error!("update id {} is beyond getUpdates' offsets: it cannot be confirmed", last.id.0);
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        };
        // Handed to the handlers at once (a reply waits for no store write of the
        // inbox's), stored meanwhile, and durable before the next getUpdates confirms
        // the batch: a crash before that gets the batch again from Telegram, and an
        // update handled again changes nothing more (its identity is its request key).
        // If storing or flushing fails, the same offset is asked again.
        let unseen = match inbox.unseen(&updates) {
            Ok(u) => u,
            Err(e) => {
                log::error!("reading the inbox failed: {e}");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        batch += 1;
        if !admission.admit(batch, unseen).await {
            return;
        }
        let stored = {
            let inbox = inbox.clone();
            let now = now_ms.clone();
            blocking(move || inbox.admit(&updates, now())).await
        };
        let fetched = next_offset - offset;
        let pending = match stored {
            Some(Ok((_, pending))) => {
                // In the trees now: what waits by id may be read back.
                admission.stored(batch);
                pending
            }
            Some(Err(e)) => {
                log::error!("storing {fetched} updates in the inbox failed: {e}");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            None => continue,
        };
        // The change an update makes is flushed with its batch when it comes within
        // `PIGGYBACK` (one flush on the way to the reply, not a second one behind it).
        let stopping = tokio::select! {
            _ = &mut stop => true,
            _ = tokio::time::sleep(PIGGYBACK) => false,
        };
        let flushed = {
            let inbox = inbox.clone();
            blocking(move || inbox.durable(pending)).await
        };
        match flushed {
            Some(Ok(())) => offset = next_offset,
            Some(Err(e)) => {
                log::error!("flushing {fetched} updates to the inbox failed: {e}");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            None => {}
        }
        if stopping {
            break;
        }
    }
    // Nothing more goes to the dispatcher: a chat's updates still waiting for its turn
    // stay in the inbox for the next start.
    let waiting = admission.waiting();
    if waiting > 0 {
        log::info!("{waiting} updates wait for their chat's turn; they are handled on the next start");
    }
    admission.close();
    // Confirm what was stored, so the next start is not handed it again (it would be
    // skipped anyway: the inbox knows it).
    if offset != 0 {
        let _ = bot.get_updates().offset(offset).timeout(0).limit(1).send().await;
    }
}
