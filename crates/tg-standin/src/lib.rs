//! A local stand-in for the Telegram Bot API HTTP server.
//!
//! [`StandIn::start`] binds `127.0.0.1` on a free port and serves the Bot API
//! under `/bot<token>/<method>` (and file downloads under
//! `/file/bot<token>/<path>`). Point the bot at it with
//! `TELOXIDE_API_URL=<StandIn::api_url()>` and `TELOXIDE_TOKEN=<StandIn::token()>`
//! (or `Bot::new(token).set_api_url(url)`), then play the user's side with
//! [`StandIn::send_text`] / [`StandIn::press_button`] and inspect what the bot
//! did with [`StandIn::messages`], [`StandIn::calls`] and friends.
//!
//! The server behaves like the real Bot API rather than like any particular
//! bot: it validates what Telegram validates and answers with Telegram's
//! error descriptions, so a bot that works against it should work against
//! Telegram. README.md says what of the Bot API it models and what it does not
//! (private chats only; `parse_mode` HTML, not Markdown); the module notes in
//! `methods.rs` list the supported methods.

mod keyboard;
mod markup;
mod media;
mod methods;
mod plan;
mod protocol;
mod server;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::Value;
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinHandle;

pub use self::plan::{Injected, Planned};
use self::state::{State, StoredMessage};

/// The bot's numeric id (the part of the token before the colon).
pub const BOT_ID: i64 = 123_456_789;
/// The one token the stand-in accepts.
pub const TOKEN: &str = "123456789:STANDIN-TEST-TOKEN";
/// The bot's username, as returned by `getMe`.
pub const BOT_USERNAME: &str = "huzhu_test_bot";
/// The bot's first name, as returned by `getMe`.
pub const BOT_FIRST_NAME: &str = "Huzhu Test Bot";

/// A Telegram user playing the other side of a private chat.
#[derive(Clone, Debug)]
pub struct TestUser {
    pub id: i64,
    pub first_name: String,
    pub username: Option<String>,
    pub language_code: Option<String>,
}

impl TestUser {
    pub fn new(id: i64, first_name: &str, language_code: Option<&str>) -> Self {
        TestUser {
            id,
            first_name: first_name.to_owned(),
            username: None,
            language_code: language_code.map(str::to_owned),
        }
    }

    /// The same user with a `@username`.
    pub fn with_username(mut self, username: &str) -> Self {
        self.username = Some(username.to_owned());
        self
    }
}

/// One inline keyboard button of a bot message.
#[derive(Clone, Debug, PartialEq)]
pub struct Button {
    pub text: String,
    pub callback_data: Option<String>,
    pub url: Option<String>,
}

/// What kind of message the bot sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    Text,
    Photo,
    Document,
}

/// A message the bot sent, in its current (possibly edited) state.
#[derive(Clone, Debug)]
pub struct BotMessage {
    pub message_id: i64,
    pub chat_id: i64,
    /// Text after entity parsing (what the user sees); caption for photos and
    /// documents.
    pub text: String,
    pub kind: MessageKind,
    /// Current inline keyboard, as rows.
    pub buttons: Vec<Vec<Button>>,
    /// How many times the message was edited.
    pub edits: u32,
    /// Global order of the send or the last edit (see [`StandIn::current_seq`]).
    pub seq: u64,
    /// Document file name, or the upload's file name for photos.
    pub file_name: Option<String>,
    /// Uploaded bytes (`None` when sent by file_id/URL without stored bytes).
    pub file_bytes: Option<Vec<u8>>,
    /// `MessageEntity` objects of the text/caption (from `parse_mode`,
    /// explicit entities, and automatic detection).
    pub entities: Vec<Value>,
    /// A non-inline `reply_markup` sent with the message (reply keyboard,
    /// keyboard removal, force reply).
    pub reply_keyboard: Option<Value>,
    /// The message this one replies to.
    pub reply_to_message_id: Option<i64>,
    /// The bot deleted the message.
    pub deleted: bool,
}

/// One HTTP request the stand-in received.
#[derive(Clone, Debug)]
pub struct ApiCall {
    /// Lowercased method name from the URL (`"file"` for file downloads).
    pub method: String,
    /// Parameters as received: a JSON body as-is; query/form/multipart fields
    /// as strings; uploaded files as `{"file_name": .., "size": ..}`.
    pub params: Value,
    pub at: Instant,
    /// HTTP status of the response; `0` while the call is still in flight
    /// (e.g. a long poll).
    pub status: u16,
}

/// Failures to inject for one chat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The user blocked the bot: every method targeting the chat gets
    /// `403 Forbidden: bot was blocked by the user` until cleared.
    Blocked,
    /// The next `times` message sends/edits to the chat get `429 Too Many
    /// Requests: retry after N` with `parameters.retry_after`.
    RateLimit { retry_after: u32, times: u32 },
    /// The next `times` requests targeting the chat get `502 Bad Gateway`.
    /// (teloxide sleeps 10 s after any 5xx response.)
    ServerError { times: u32 },
    /// Sends to the chat hang, unanswered and undelivered, until the fault is cleared;
    /// then they fail with `504 Gateway Timeout`. Models a request lost on the way
    /// (a test can kill the bot while it waits).
    Hang,
    /// Every send to the chat fails with `400 Bad Request` until the instant (an outage
    /// between the bot and Telegram, answered fast, as a proxy in between would).
    Unavailable { until: Instant },
}

/// `(scope, language_code, [(command, description)])`, see [`StandIn::commands`].
pub type CommandsView = (Value, Option<String>, Vec<(String, String)>);

/// Selects a button for [`StandIn::press`].
#[derive(Clone, Debug)]
pub enum ButtonRef {
    /// The first button with exactly this text.
    Text(String),
    /// The n-th button, counting row by row from 0.
    Index(usize),
    /// `(row, column)`.
    At(usize, usize),
}

impl From<&str> for ButtonRef {
    fn from(s: &str) -> Self {
        ButtonRef::Text(s.to_owned())
    }
}
impl From<String> for ButtonRef {
    fn from(s: String) -> Self {
        ButtonRef::Text(s)
    }
}
impl From<usize> for ButtonRef {
    fn from(i: usize) -> Self {
        ButtonRef::Index(i)
    }
}
impl From<(usize, usize)> for ButtonRef {
    fn from((r, c): (usize, usize)) -> Self {
        ButtonRef::At(r, c)
    }
}

pub(crate) struct Inner {
    state: Mutex<State>,
    /// Woken when updates are queued or a new getUpdates starts.
    pub(crate) updates_notify: Notify,
    /// Woken after every API call that may have changed messages.
    pub(crate) msgs_notify: Notify,
    addr: SocketAddr,
    shutdown_tx: Mutex<Option<oneshot::Sender<()>>>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Inner {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running stand-in Bot API server. Cheap to clone; all clones share it.
#[derive(Clone)]
pub struct StandIn {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for StandIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StandIn").field("addr", &self.inner.addr).finish_non_exhaustive()
    }
}

impl StandIn {
    /// Binds `127.0.0.1:0` and serves in a tokio task.
    pub async fn start() -> std::io::Result<StandIn> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel();
        let inner = Arc::new(Inner {
            state: Mutex::new(State::new(BOT_ID, BOT_FIRST_NAME, BOT_USERNAME)),
            updates_notify: Notify::new(),
            msgs_notify: Notify::new(),
            addr,
            shutdown_tx: Mutex::new(Some(tx)),
            task: Mutex::new(None),
        });
        let task = tokio::spawn(server::serve(listener, inner.clone(), rx));
        *inner.task.lock().unwrap_or_else(|e| e.into_inner()) = Some(task);
        Ok(StandIn { inner })
    }

    /// Base URL for `TELOXIDE_API_URL`, e.g. `http://127.0.0.1:PORT`.
    pub fn api_url(&self) -> String {
        format!("http://{}", self.inner.addr)
    }

    /// The one token accepted; other tokens get `401 Unauthorized` (or
    /// `404 Not Found` if they are not token-shaped).
    pub fn token(&self) -> String {
        TOKEN.to_owned()
    }

    pub fn bot_username(&self) -> String {
        BOT_USERNAME.to_owned()
    }

    pub fn bot_id(&self) -> i64 {
        BOT_ID
    }

    /// Makes the user's private chat known (as if they had pressed Start
    /// earlier) without queuing an update.
    pub fn register_user(&self, user: &TestUser) {
        self.inner.lock().ensure_chat(user);
    }

    /// Queues a private-chat text message from `from` (chat id == user id)
    /// and returns its message_id. Commands get a `bot_command` entity, URLs
    /// and mentions get theirs, like Telegram does. A [`Fault::Blocked`] on
    /// the chat is cleared, since a user must unblock a bot to write to it.
    pub fn send_text(&self, from: &TestUser, text: &str) -> i64 {
        self.send_text_inner(from, text, None)
    }

    /// Like [`StandIn::send_text`], but as a reply to `reply_to` (a message
    /// in the same chat).
    pub fn send_reply(&self, from: &TestUser, reply_to: i64, text: &str) -> i64 {
        self.send_text_inner(from, text, Some(reply_to))
    }

    fn send_text_inner(&self, from: &TestUser, text: &str, reply_to: Option<i64>) -> i64 {
        assert!(!text.trim().is_empty(), "Telegram clients cannot send an empty message");
        let mut st = self.inner.lock();
        st.ensure_chat(from);
        // Writing to a bot requires unblocking it first.
        if st.faults.get(&from.id) == Some(&Fault::Blocked) {
            st.faults.remove(&from.id);
        }
        if let Some(r) = reply_to {
            assert!(st.message(from.id, r).is_some(), "no message {r} in chat {}", from.id);
        }
        let msg = StoredMessage {
            message_id: 0,
            from_bot: false,
            sender: state::user_json(from),
            date: state::now_unix(),
            edit_date: None,
            kind: MessageKind::Text,
            text: text.to_owned(),
            entities: markup::user_text_entities(text),
            markup: Default::default(),
            media: None,
            file_name: None,
            file_bytes: None,
            reply_to,
            edits: 0,
            seq: 0,
            deleted: false,
            protected: false,
        };
        let id = st.add_message(from.id, msg);
        let payload = st.message_json(from.id, id);
        st.push_update("message", payload, false);
        drop(st);
        self.inner.updates_notify.notify_waiters();
        id
    }

    /// Queues a private-chat message from `from` carrying a `contact` (what a
    /// client sends when the user taps a `request_contact` keyboard button, or
    /// shares any contact from their address book). `user_id` is the contact's
    /// Telegram user id when it has one: the sender's own id for "share my phone
    /// number", another's (or none) for a contact of someone else. Returns the
    /// message_id.
    pub fn send_contact(&self, from: &TestUser, phone_number: &str, first_name: &str, user_id: Option<i64>) -> i64 {
        let mut st = self.inner.lock();
        st.ensure_chat(from);
        if st.faults.get(&from.id) == Some(&Fault::Blocked) {
            st.faults.remove(&from.id);
        }
        let mut contact = serde_json::json!({ "phone_number": phone_number, "first_name": first_name });
        if let Some(u) = user_id {
            contact["user_id"] = serde_json::json!(u);
        }
        let msg = StoredMessage {
            message_id: 0,
            from_bot: false,
            sender: state::user_json(from),
            date: state::now_unix(),
            edit_date: None,
            kind: MessageKind::Text,
            text: String::new(),
            entities: vec![],
            markup: Default::default(),
            media: Some(("contact", contact)),
            file_name: None,
            file_bytes: None,
            reply_to: None,
            edits: 0,
            seq: 0,
            deleted: false,
            protected: false,
        };
        let id = st.add_message(from.id, msg);
        let payload = st.message_json(from.id, id);
        st.push_update("message", payload, false);
        drop(st);
        self.inner.updates_notify.notify_waiters();
        id
    }

    /// Queues a `callback_query` update as if `from` pressed a button with
    /// `data` under bot message `message_id` in their chat; the update
    /// carries the full current message. Returns the callback query id.
    ///
    /// Panics if the bot sent no such (undeleted) message to that user.
    pub fn press_button(&self, from: &TestUser, message_id: i64, data: &str) -> String {
        let mut st = self.inner.lock();
        let ok = st.message(from.id, message_id).is_some_and(|m| m.from_bot);
        assert!(ok, "the bot has no message {message_id} in chat {}", from.id);
        let chat_instance = st.ensure_chat(from).chat_instance.clone();
        let id = rand::thread_rng().gen_range(10u64.pow(17)..10u64.pow(19)).to_string();
        st.callbacks.insert(id.clone(), state::CallbackState { answered: false });
        let payload = serde_json::json!({
            "id": id,
            "from": state::user_json(from),
            "message": st.message_json(from.id, message_id),
            "chat_instance": chat_instance,
            "data": data,
        });
        st.push_update("callback_query", payload, false);
        drop(st);
        self.inner.updates_notify.notify_waiters();
        id
    }

    /// Presses a callback button of a bot message, selected by text, index or
    /// position. Panics if there is no such callback button.
    pub fn press(&self, from: &TestUser, message_id: i64, button: impl Into<ButtonRef>) -> String {
        let button = button.into();
        let msg = self
            .messages_to(from.id)
            .into_iter()
            .find(|m| m.message_id == message_id)
            .unwrap_or_else(|| panic!("the bot has no message {message_id} in chat {}", from.id));
        let found = match &button {
            ButtonRef::Text(t) => msg.buttons.iter().flatten().find(|b| &b.text == t),
            ButtonRef::Index(i) => msg.buttons.iter().flatten().nth(*i),
            ButtonRef::At(r, c) => msg.buttons.get(*r).and_then(|row| row.get(*c)),
        };
        let found =
            found.unwrap_or_else(|| panic!("no button {button:?} on message {message_id}; buttons: {:?}", msg.buttons));
        let data = found.callback_data.clone().unwrap_or_else(|| panic!("button {found:?} is not a callback button"));
        self.press_button(from, message_id, &data)
    }

    /// Queues an arbitrary update (`{"update_id": N, kind: payload}`);
    /// returns its update_id.
    pub fn push_update(&self, kind: &str, payload: Value) -> u32 {
        let id = self.inner.lock().push_update(kind, payload, false);
        self.inner.updates_notify.notify_waiters();
        id
    }

    /// Queues an update that is delivered whatever the bot's `allowed_updates`: one
    /// created before they took effect, which the Bot API says may still arrive
    /// ("unwanted updates may be received for a short period of time").
    pub fn push_update_unfiltered(&self, kind: &str, payload: Value) -> u32 {
        let id = self.inner.lock().push_update(kind, payload, true);
        self.inner.updates_notify.notify_waiters();
        id
    }

    /// Everything the bot sent, in send order (deleted ones included, with
    /// `deleted == true`).
    pub fn messages(&self) -> Vec<BotMessage> {
        let st = self.inner.lock();
        st.sent.iter().map(|&(c, m)| st.view(c, m)).collect()
    }

    pub fn messages_to(&self, chat_id: i64) -> Vec<BotMessage> {
        let st = self.inner.lock();
        st.sent.iter().filter(|(c, _)| *c == chat_id).map(|&(c, m)| st.view(c, m)).collect()
    }

    /// The most recently sent message to the chat that was not deleted.
    pub fn last_message_to(&self, chat_id: i64) -> Option<BotMessage> {
        self.messages_to(chat_id).into_iter().rev().find(|m| !m.deleted)
    }

    /// Waits until a message to `chat_id` that was sent or edited after
    /// `after_seq` matches `pred`; returns the earliest such (lowest `seq`),
    /// or `None` on timeout. Deleted messages are ignored.
    pub async fn wait_for_message<F: Fn(&BotMessage) -> bool>(
        &self,
        chat_id: i64,
        after_seq: u64,
        pred: F,
        timeout: Duration,
    ) -> Option<BotMessage> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inner.msgs_notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let mut candidates: Vec<BotMessage> =
                self.messages_to(chat_id).into_iter().filter(|m| m.seq > after_seq && !m.deleted).collect();
            candidates.sort_by_key(|m| m.seq);
            if let Some(m) = candidates.into_iter().find(|m| pred(m)) {
                return Some(m);
            }
            if tokio::time::Instant::now() >= deadline {
                return None;
            }
            tokio::select! {
                _ = &mut notified => {}
                _ = tokio::time::sleep_until(deadline) => {}
            }
        }
    }

    /// The seq of the latest send or edit (0 before any).
    pub fn current_seq(&self) -> u64 {
        self.inner.lock().seq
    }

    /// Every HTTP call received, in arrival order, including failed ones.
    pub fn calls(&self) -> Vec<ApiCall> {
        self.inner.lock().calls.clone()
    }

    /// Calls of one method (case-insensitive).
    pub fn calls_to(&self, method: &str) -> Vec<ApiCall> {
        let method = method.to_ascii_lowercase();
        self.inner.lock().calls.iter().filter(|c| c.method == method).cloned().collect()
    }

    /// `(callback_query_id, text)` of every successful answerCallbackQuery.
    pub fn callback_answers(&self) -> Vec<(String, Option<String>)> {
        self.inner.lock().callback_answers.clone()
    }

    /// Sets (replaces) the fault for a chat.
    pub fn set_fault(&self, chat_id: i64, fault: Fault) {
        self.inner.lock().faults.insert(chat_id, fault);
    }

    pub fn clear_fault(&self, chat_id: i64) {
        self.inner.lock().faults.remove(&chat_id);
    }

    /// Plans `fault` for the next request of `method` (to `chat`, if given) that no
    /// earlier planned fault takes; `applied`: the request takes effect before the
    /// fault hides its answer (see [`Injected`]).
    pub fn plan(&self, method: &str, chat: Option<i64>, fault: Injected, applied: bool) {
        let method = method.to_ascii_lowercase();
        self.inner.lock().plan.push(Planned { method, chat, fault, applied });
    }

    /// Planned faults not used yet.
    pub fn planned(&self) -> Vec<Planned> {
        self.inner.lock().plan.clone()
    }

    /// Telegram's limits as the stand-in saw them: the most message sends and edits
    /// that started within one second, and the shortest gap between two to one chat.
    /// (Telegram counts on arrival; so does this, with each request's arrival time.)
    pub fn send_rates(&self) -> (usize, Option<Duration>) {
        let calls = self.inner.lock().calls.clone();
        let sends: Vec<&ApiCall> = calls.iter().filter(|c| is_message_send(&c.method)).collect();
        let mut times: Vec<Instant> = sends.iter().map(|c| c.at).collect();
        times.sort();
        let (mut most, mut j) = (0, 0);
        for i in 0..times.len() {
            while times[i].duration_since(times[j]) >= Duration::from_secs(1) {
                j += 1;
            }
            most = most.max(i - j + 1);
        }
        let mut by_chat: std::collections::HashMap<i64, Vec<Instant>> = Default::default();
        for c in &sends {
            if let Some(chat) = c.params["chat_id"].as_i64().or_else(|| c.params["chat_id"].as_str()?.parse().ok()) {
                by_chat.entry(chat).or_default().push(c.at);
            }
        }
        let gap = by_chat
            .values_mut()
            .flat_map(|t| {
                t.sort();
                t.windows(2).map(|w| w[1].duration_since(w[0])).collect::<Vec<_>>()
            })
            .min();
        (most, gap)
    }

    /// Updates queued and not yet confirmed via getUpdates `offset`.
    pub fn pending_updates(&self) -> usize {
        self.inner.lock().updates.len()
    }

    /// What setMyCommands registered: `(scope, language_code, [(command,
    /// description)])` per scope/language pair.
    pub fn commands(&self) -> Vec<CommandsView> {
        self.inner
            .lock()
            .commands
            .iter()
            .map(|c| (c.scope.clone(), c.language_code.clone(), c.commands.clone()))
            .collect()
    }

    /// The webhook URL set via setWebhook, if any.
    pub fn webhook_url(&self) -> Option<String> {
        self.inner.lock().webhook.as_ref().map(|w| w.url.clone())
    }

    /// Stops the server: pending long polls return `[]`, then the listener
    /// closes. Idempotent.
    pub async fn shutdown(&self) {
        self.inner.lock().shutting_down = true;
        self.inner.updates_notify.notify_waiters();
        self.inner.msgs_notify.notify_waiters();
        let tx = self.inner.shutdown_tx.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(tx) = tx {
            let _ = tx.send(());
        }
        let task = self.inner.task.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(mut task) = task {
            if tokio::time::timeout(Duration::from_secs(2), &mut task).await.is_err() {
                task.abort();
            }
        }
    }
}

/// A request that sends or changes a message (what Telegram's limits count).
fn is_message_send(method: &str) -> bool {
    matches!(method, "sendmessage" | "sendphoto" | "senddocument" | "editmessagetext" | "editmessagecaption")
}
