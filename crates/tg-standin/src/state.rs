//! The stand-in's mutable world: chats, messages, the update queue and
//! everything recorded for inspection. Always used behind `Inner::lock`.

use std::collections::{BTreeMap, HashMap, VecDeque};

use rand::Rng;
use serde_json::{json, Map, Value};

use crate::keyboard::Markup;
use crate::markup::Entity;
use crate::{ApiCall, BotMessage, Fault, MessageKind, TestUser};

/// Update kinds delivered when `allowed_updates` was never set (or set to
/// an empty list).
const NOT_DEFAULT_UPDATES: [&str; 3] = ["chat_member", "message_reaction", "message_reaction_count"];

pub(crate) struct PendingUpdate {
    pub id: u32,
    pub kind: String,
    pub payload: Value,
    /// Created before the bot's `allowed_updates` took effect: delivered whatever its
    /// kind (the Bot API says so of `allowed_updates`).
    pub unfiltered: bool,
}

impl PendingUpdate {
    pub(crate) fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("update_id".into(), json!(self.id));
        m.insert(self.kind.clone(), self.payload.clone());
        Value::Object(m)
    }
}

pub(crate) struct StoredMessage {
    pub message_id: i64,
    pub from_bot: bool,
    /// The `from` user object.
    pub sender: Value,
    pub date: i64,
    pub edit_date: Option<i64>,
    pub kind: MessageKind,
    /// Text, or caption for media.
    pub text: String,
    pub entities: Vec<Entity>,
    pub markup: Markup,
    /// `("photo", [...])` or `("document", {...})`.
    pub media: Option<(&'static str, Value)>,
    pub file_name: Option<String>,
    pub file_bytes: Option<Vec<u8>>,
    pub reply_to: Option<i64>,
    pub edits: u32,
    pub seq: u64,
    pub deleted: bool,
    pub protected: bool,
}

pub(crate) struct ChatState {
    pub user: TestUser,
    pub next_message_id: i64,
    pub messages: BTreeMap<i64, StoredMessage>,
    pub chat_instance: String,
}

pub(crate) struct CallbackState {
    pub answered: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    Photo,
    Document,
}

pub(crate) struct StoredFile {
    pub kind: FileKind,
    pub unique_id: String,
    pub size: u64,
    pub path: String,
    pub bytes: Option<Vec<u8>>,
    /// For photos: the whole `photo` array this size belongs to. For
    /// documents: the `document` object.
    pub media: Value,
    pub file_name: Option<String>,
}

pub(crate) struct CommandSet {
    pub scope: Value,
    pub language_code: Option<String>,
    pub commands: Vec<(String, String)>,
}

pub(crate) struct Webhook {
    pub url: String,
    pub max_connections: u32,
    pub allowed_updates: Option<Vec<String>>,
}

pub(crate) struct State {
    pub bot_id: i64,
    pub bot_first_name: String,
    pub bot_username: String,
    pub chats: HashMap<i64, ChatState>,
    /// Bot messages in send order, as `(chat_id, message_id)`.
    pub sent: Vec<(i64, i64)>,
    pub seq: u64,
    pub updates: VecDeque<PendingUpdate>,
    pub next_update_id: u32,
    pub poll_generation: u64,
    pub allowed_updates: Option<Vec<String>>,
    pub calls: Vec<ApiCall>,
    pub callbacks: HashMap<String, CallbackState>,
    pub callback_answers: Vec<(String, Option<String>)>,
    pub faults: HashMap<i64, Fault>,
    /// The fault plan: used once each, first match first.
    pub plan: Vec<crate::plan::Planned>,
    pub commands: Vec<CommandSet>,
    pub webhook: Option<Webhook>,
    pub files: HashMap<String, StoredFile>,
    pub file_paths: HashMap<String, String>,
    pub next_file_no: u64,
    /// `(kind, language_code)` -> value for setMyName / setMyDescription /
    /// setMyShortDescription.
    pub bot_texts: HashMap<(String, String), String>,
    pub shutting_down: bool,
}

/// Seconds since the Unix epoch (Telegram's `date`).
pub(crate) fn now_unix() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

pub(crate) fn user_json(u: &TestUser) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(u.id));
    m.insert("is_bot".into(), json!(false));
    m.insert("first_name".into(), json!(u.first_name));
    if let Some(x) = &u.username {
        m.insert("username".into(), json!(x));
    }
    if let Some(x) = &u.language_code {
        m.insert("language_code".into(), json!(x));
    }
    Value::Object(m)
}

fn chat_json(u: &TestUser) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(u.id));
    m.insert("first_name".into(), json!(u.first_name));
    if let Some(x) = &u.username {
        m.insert("username".into(), json!(x));
    }
    m.insert("type".into(), json!("private"));
    Value::Object(m)
}

impl State {
    pub(crate) fn new(bot_id: i64, first_name: &str, username: &str) -> Self {
        State {
            bot_id,
            bot_first_name: first_name.to_owned(),
            bot_username: username.to_owned(),
            chats: HashMap::new(),
            sent: Vec::new(),
            seq: 0,
            updates: VecDeque::new(),
            // Real update ids start at an arbitrary point, not at 0 or 1.
            next_update_id: rand::thread_rng().gen_range(100_000_000..800_000_000),
            poll_generation: 0,
            allowed_updates: None,
            calls: Vec::new(),
            callbacks: HashMap::new(),
            callback_answers: Vec::new(),
            faults: HashMap::new(),
            plan: Vec::new(),
            commands: Vec::new(),
            webhook: None,
            files: HashMap::new(),
            file_paths: HashMap::new(),
            next_file_no: 0,
            bot_texts: HashMap::new(),
            shutting_down: false,
        }
    }

    /// The bot as it appears in `from` of its messages.
    pub(crate) fn bot_user_json(&self) -> Value {
        json!({
            "id": self.bot_id,
            "is_bot": true,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        })
    }

    /// The `getMe` result.
    pub(crate) fn me_json(&self) -> Value {
        json!({
            "id": self.bot_id,
            "is_bot": true,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
            "can_join_groups": true,
            "can_read_all_group_messages": false,
            "supports_inline_queries": false,
            "can_connect_to_business": false,
            "has_main_web_app": false,
        })
    }

    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Registers (or refreshes the profile of) a user's private chat.
    pub(crate) fn ensure_chat(&mut self, user: &TestUser) -> &mut ChatState {
        let chat = self.chats.entry(user.id).or_insert_with(|| ChatState {
            user: user.clone(),
            next_message_id: 1,
            messages: BTreeMap::new(),
            chat_instance: format!("-{}", rand::thread_rng().gen_range(10u64.pow(17)..10u64.pow(18))),
        });
        chat.user = user.clone();
        chat
    }

    pub(crate) fn push_update(&mut self, kind: &str, payload: Value, unfiltered: bool) -> u32 {
        let id = self.next_update_id;
        self.next_update_id = self.next_update_id.wrapping_add(1);
        self.updates.push_back(PendingUpdate { id, kind: kind.to_owned(), payload, unfiltered });
        id
    }

    /// Applies a getUpdates `offset`: confirms (forgets) earlier updates.
    pub(crate) fn confirm(&mut self, offset: i64) {
        if offset > 0 {
            self.updates.retain(|u| i64::from(u.id) >= offset);
        } else if offset < 0 {
            let keep = offset.unsigned_abs() as usize;
            while self.updates.len() > keep {
                self.updates.pop_front();
            }
        }
    }

    fn update_allowed(&self, kind: &str) -> bool {
        match &self.allowed_updates {
            Some(list) => list.iter().any(|k| k == kind),
            None => !NOT_DEFAULT_UPDATES.contains(&kind),
        }
    }

    /// Up to `limit` deliverable updates, oldest first. Updates of kinds the
    /// bot did not subscribe to are dropped, as Telegram never queues them, except
    /// those pushed unfiltered.
    pub(crate) fn take_batch(&mut self, limit: usize) -> Vec<Value> {
        let allowed: Vec<bool> = self.updates.iter().map(|u| u.unfiltered || self.update_allowed(&u.kind)).collect();
        let mut i = 0;
        self.updates.retain(|_| {
            i += 1;
            allowed[i - 1]
        });
        self.updates.iter().take(limit).map(PendingUpdate::to_json).collect()
    }

    /// Stores a new message in a known chat and returns its id.
    pub(crate) fn add_message(&mut self, chat_id: i64, mut msg: StoredMessage) -> i64 {
        let seq = if msg.from_bot { self.next_seq() } else { 0 };
        let chat = self.chats.get_mut(&chat_id).expect("chat exists");
        let id = chat.next_message_id;
        chat.next_message_id += 1;
        msg.message_id = id;
        msg.seq = seq;
        let from_bot = msg.from_bot;
        chat.messages.insert(id, msg);
        if from_bot {
            self.sent.push((chat_id, id));
        }
        id
    }

    pub(crate) fn message(&self, chat_id: i64, message_id: i64) -> Option<&StoredMessage> {
        self.chats.get(&chat_id)?.messages.get(&message_id).filter(|m| !m.deleted)
    }

    /// The full `Message` object, as Telegram returns and delivers it.
    pub(crate) fn message_json(&self, chat_id: i64, message_id: i64) -> Value {
        let chat = &self.chats[&chat_id];
        message_json_in(chat, &chat.messages[&message_id], true)
    }

    pub(crate) fn view(&self, chat_id: i64, message_id: i64) -> BotMessage {
        let m = &self.chats[&chat_id].messages[&message_id];
        BotMessage {
            message_id: m.message_id,
            chat_id,
            text: m.text.clone(),
            kind: m.kind,
            buttons: m.markup.buttons(),
            edits: m.edits,
            seq: m.seq,
            file_name: m.file_name.clone(),
            file_bytes: m.file_bytes.clone(),
            entities: m.entities.iter().map(Entity::to_json).collect(),
            reply_keyboard: m.markup.other.clone(),
            reply_to_message_id: m.reply_to,
            deleted: m.deleted,
        }
    }

    pub(crate) fn register_file(&mut self, file_id: &str, mut file: StoredFile) {
        self.next_file_no += 1;
        let dir = match file.kind {
            FileKind::Photo => "photos",
            FileKind::Document => "documents",
        };
        let ext = match file.kind {
            FileKind::Photo => "jpg".to_owned(),
            FileKind::Document => file
                .file_name
                .as_deref()
                .and_then(|n| n.rsplit_once('.'))
                .map(|(_, e)| e.to_owned())
                .unwrap_or_else(|| "bin".to_owned()),
        };
        file.path = format!("{dir}/file_{}.{ext}", self.next_file_no);
        self.file_paths.insert(file.path.clone(), file_id.to_owned());
        self.files.insert(file_id.to_owned(), file);
    }
}

fn message_json_in(chat: &ChatState, m: &StoredMessage, with_reply: bool) -> Value {
    let mut o = Map::new();
    o.insert("message_id".into(), json!(m.message_id));
    o.insert("from".into(), m.sender.clone());
    o.insert("chat".into(), chat_json(&chat.user));
    o.insert("date".into(), json!(m.date));
    if let Some(d) = m.edit_date {
        o.insert("edit_date".into(), json!(d));
    }
    if with_reply {
        if let Some(r) = m.reply_to.and_then(|r| chat.messages.get(&r)).filter(|r| !r.deleted) {
            o.insert("reply_to_message".into(), message_json_in(chat, r, false));
        }
    }
    let entities: Vec<Value> = m.entities.iter().map(Entity::to_json).collect();
    match &m.media {
        None => {
            o.insert("text".into(), json!(m.text));
            if !entities.is_empty() {
                o.insert("entities".into(), Value::Array(entities));
            }
        }
        Some((key, media)) => {
            o.insert((*key).into(), media.clone());
            if !m.text.is_empty() {
                o.insert("caption".into(), json!(m.text));
            }
            if !entities.is_empty() {
                o.insert("caption_entities".into(), Value::Array(entities));
            }
        }
    }
    if let Some(inline) = &m.markup.inline {
        o.insert("reply_markup".into(), inline.clone());
    }
    if m.protected {
        o.insert("has_protected_content".into(), json!(true));
    }
    Value::Object(o)
}
