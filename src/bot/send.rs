//! Sending: every outgoing message waits for the send limiter (`limiter`), then goes
//! out; Telegram's answers are handled in one place (`send_retrying`).

use std::sync::Arc;
use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::{ChatId, InlineKeyboardMarkup, InputFile, MessageId};
use teloxide::{ApiError, RequestError};

use super::limiter::{Limits, Priority, SendLimiter};
use crate::domain::UserId;
use crate::service::Service;

/// The bot and its send limiter: what every part of the shell sends through.
#[derive(Clone)]
pub struct Tg {
    pub bot: Bot,
    pub limiter: Arc<SendLimiter>,
}

impl Tg {
    pub fn new(bot: Bot, limits: Limits) -> Self {
        Tg { bot, limiter: Arc::new(SendLimiter::new(limits)) }
    }

    /// One attempt at a message, started within the limits.
    async fn send_once(
        &self,
        chat: ChatId,
        text: &str,
        markup: Option<InlineKeyboardMarkup>,
        priority: Priority,
    ) -> Result<Message, RequestError> {
        self.limiter.acquire(chat.0, priority).await;
        let mut req = self.bot.send_message(chat, text);
        if let Some(m) = markup {
            req = req.reply_markup(m);
        }
        req.await
    }

    /// A message with a reply keyboard (or its removal): one attempt, a failure is a
    /// warning (the person can ask again with /start).
    pub async fn send_with_markup(&self, chat: ChatId, text: &str, markup: teloxide::types::ReplyMarkup) {
        self.limiter.acquire(chat.0, Priority::Reply).await;
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
            self.limiter.acquire(chat.0, priority).await;
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
        self.limiter.acquire(chat.0, Priority::Reply).await;
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
    /// Still failing after the bounded retries, or refused for good (chat not found).
    Failed,
}

/// Retries of a send that failed with a 5xx, a timeout or a network error.
const SEND_RETRIES: u32 = 3;

/// Sends one message within the limits. A 429 pauses every send for its
/// `retry_after`, then this one is sent again; a 403 is final; 5xx answers, timeouts
/// and network errors are retried with exponential backoff, `SEND_RETRIES` times
/// (teloxide itself already waits 10 s after a 5xx answer before returning it).
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
        match &err {
            RequestError::Api(ApiError::BotBlocked | ApiError::UserDeactivated | ApiError::BotKicked) => {
                log::info!("user {} blocked the bot", chat.0);
                return SendResult::Blocked;
            }
            RequestError::RetryAfter(after) => {
                log::warn!("Telegram asks to wait {:?}: every send pauses", after.duration());
                tg.limiter.pause(after.duration());
            }
            RequestError::Network(_)
            | RequestError::Io(_)
            | RequestError::InvalidJson { .. }
            | RequestError::Api(ApiError::Unknown(_))
                if failures < SEND_RETRIES =>
            {
                failures += 1;
                let backoff = Duration::from_millis(500 << failures);
                log::warn!("sendMessage to {} failed ({err}); retry {failures} in {backoff:?}", chat.0);
                tokio::time::sleep(backoff).await;
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
