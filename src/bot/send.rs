//! Sending: every outgoing message waits for the send limiter (`limiter`), then goes
//! out; Telegram's answers are handled in one place (`send_retrying`).

use std::sync::Arc;
use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::{ChatId, InlineKeyboardMarkup, InputFile, MessageId};
use teloxide::{ApiError, RequestError};

use super::last_send::LastSend;
use super::limiter::{Limits, Priority, SendLimiter};
use crate::domain::UserId;
use crate::service::Service;

/// The bot and its send limiter: what every part of the shell sends through.
#[derive(Clone)]
pub struct Tg {
    pub bot: Bot,
    pub limiter: Arc<SendLimiter>,
    last_send: Arc<LastSend>,
}

impl Tg {
    /// With every private chat kept quiet for `quiet` (`limiter::quiet_after_restart`),
    /// each message's start kept in `last_send` for the next process.
    pub fn new(bot: Bot, limits: Limits, quiet: Duration, last_send: LastSend) -> Self {
        Tg { bot, limiter: Arc::new(SendLimiter::new(limits).quiet_for(quiet)), last_send: Arc::new(last_send) }
    }

    /// Waits until a message to `chat` may start (the limiter), and keeps the time.
    async fn start(&self, chat: ChatId, priority: Priority) {
        self.limiter.acquire(chat.0, priority).await;
        self.last_send.started(std::time::SystemTime::now());
    }

    /// One attempt at a message, started within the limits.
    async fn send_once(
        &self,
        chat: ChatId,
        text: &str,
        markup: Option<InlineKeyboardMarkup>,
        priority: Priority,
    ) -> Result<Message, RequestError> {
        self.start(chat, priority).await;
        let mut req = self.bot.send_message(chat, text);
        if let Some(m) = markup {
            req = req.reply_markup(m);
        }
        req.await
    }

    /// A message with a reply keyboard (or its removal): one attempt, a failure is a
    /// warning (the person can ask again with /start).
    pub async fn send_with_markup(&self, chat: ChatId, text: &str, markup: teloxide::types::ReplyMarkup) {
        self.start(chat, Priority::Reply).await;
        if let Err(e) = self.bot.send_message(chat, text).reply_markup(markup).await {
            log::warn!("sendMessage (reply keyboard) to {} failed: {e}", chat.0);
        }
    }

    /// Edits a message's text (and buttons); counts as a message to that chat.
    pub async fn edit(
        &self,
        chat: ChatId,
        id: MessageId,
        text: &str,
        markup: Option<InlineKeyboardMarkup>,
        priority: Priority,
    ) -> Result<(), RequestError> {
        loop {
            self.start(chat, priority).await;
            let mut req = self.bot.edit_message_text(chat, id, text);
            if let Some(m) = markup.clone() {
                req = req.reply_markup(m);
            }
            match req.await {
                Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => return Ok(()),
                Err(RequestError::RetryAfter(after)) => self.limiter.pause(after.duration()),
                Err(e) => return Err(e),
            }
        }
    }

    /// Sends a file (a picture or a document) with its caption, cut to Telegram's
    /// 1,024 characters; a failure is a warning.
    pub async fn send_file(&self, chat: ChatId, kind: FileKind, bytes: Vec<u8>, name: &str, caption: &str) {
        self.start(chat, Priority::Reply).await;
        let file = InputFile::memory(bytes).file_name(name.to_string());
        let caption: String = caption.chars().take(1000).collect();
        let (method, sent) = match kind {
            FileKind::Photo => ("sendPhoto", self.bot.send_photo(chat, file).caption(caption).await.map(drop)),
            FileKind::Document => ("sendDocument", self.bot.send_document(chat, file).caption(caption).await.map(drop)),
        };
        if let Err(e) = sent {
            log::warn!("{method} failed: {e}");
        }
    }
}

/// What kind of file `send_file` sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Photo,
    Document,
}

/// How a send ended after retries.
pub enum SendResult {
    Sent(Box<Message>),
    /// 403: the user blocked the bot (or is gone). Not retried.
    Blocked,
    /// Still failing after the bounded retries, refused for good (chat not found), or
    /// its answer lost (it may have been delivered: not sent again).
    Failed,
}

/// Retries of a send that Telegram refused with a 5xx, or that never left (a failed
/// connection).
const SEND_RETRIES: u32 = 3;

/// What a failed attempt tells about the message.
#[derive(Debug, PartialEq, Eq)]
enum Attempt {
    /// Telegram refused it (429, 5xx answered in its envelope) or it never left
    /// (connecting failed): not delivered, safe to send again.
    NotSent,
    /// The request went out and its answer was lost (a timeout, a connection reset,
    /// an answer that is not Telegram's JSON): Telegram may have delivered it.
    Unknown,
    /// Refused for good (400: chat not found, ...).
    Refused,
}

fn attempt_of(err: &RequestError) -> Attempt {
    match err {
        RequestError::Api(ApiError::Unknown(_)) | RequestError::Io(_) | RequestError::RetryAfter(_) => Attempt::NotSent,
        RequestError::Network(e) if e.is_connect() => Attempt::NotSent,
        RequestError::Network(_) | RequestError::InvalidJson { .. } => Attempt::Unknown,
        _ => Attempt::Refused,
    }
}

/// Sends one message within the limits. A 429 pauses every send for its
/// `retry_after`, then this one is sent again; a 403 is final; a 5xx answer (Telegram
/// refused it; teloxide itself already waits 10 s before returning it) or a failed
/// connection is retried with exponential backoff, `SEND_RETRIES` times. A send whose
/// answer was lost after the request went out (timeout, reset, garbled answer) is
/// **not** sent again: Telegram may have delivered it, and Telegram has no way to ask,
/// so a retry could double it. It ends `Failed`; what the caller does with that is its
/// own rule (a reply is not repeated; a reminder goes back in the queue, repeat over
/// skip; a broadcast counts it as not delivered).
pub async fn send_retrying(
    tg: &Tg,
    chat: ChatId,
    text: &str,
    markup: Option<InlineKeyboardMarkup>,
    priority: Priority,
) -> SendResult {
    let mut failures = 0;
    loop {
        let err = match tg.send_once(chat, text, markup.clone(), priority).await {
            Ok(m) => return SendResult::Sent(Box::new(m)),
            Err(e) => e,
        };
        match (&err, attempt_of(&err)) {
            (RequestError::Api(ApiError::BotBlocked | ApiError::UserDeactivated | ApiError::BotKicked), _) => {
                log::info!("user {} blocked the bot", chat.0);
                return SendResult::Blocked;
            }
            (RequestError::RetryAfter(after), _) => {
                log::warn!("Telegram asks to wait {:?}: every send pauses", after.duration());
                tg.limiter.pause(after.duration());
            }
            (_, Attempt::NotSent) if failures < SEND_RETRIES => {
                failures += 1;
                let backoff = Duration::from_millis(500 << failures);
                log::warn!("sendMessage to {} failed ({err}); retry {failures} in {backoff:?}", chat.0);
                tokio::time::sleep(backoff).await;
            }
            (_, Attempt::Unknown) => {
                log::warn!(
                    "sendMessage to {}: the answer was lost ({err}); it may have been delivered, so it is not sent again",
                    chat.0
                );
                return SendResult::Failed;
            }
            _ => {
                log::warn!("sendMessage to {} failed: {err}", chat.0);
                return SendResult::Failed;
            }
        }
    }
}

/// Sends one message; a user who blocked the bot is marked unreachable.
pub async fn send(
    tg: &Tg,
    svc: &Arc<Service>,
    chat: ChatId,
    text: &str,
    markup: Option<InlineKeyboardMarkup>,
    priority: Priority,
) -> Option<Message> {
    match send_retrying(tg, chat, text, markup, priority).await {
        SendResult::Sent(m) => Some(*m),
        SendResult::Blocked => {
            let svc = svc.clone();
            let _ = tokio::task::spawn_blocking(move || svc.set_unreachable(UserId(chat.0), true)).await;
            None
        }
        SendResult::Failed => None,
    }
}
