//! The Telegram shell: updates in, service calls, localized replies out. Holds no
//! business rule (see `handlers` for what each input does).
//!
//! Invariants:
//! - a reply that reports a change is sent only after the service returned, and the
//!   service returns only after its transaction is flushed;
//! - an update id is handled once: replays are skipped, and service calls carry the
//!   update (or callback query) id as their request key;
//! - every outgoing message goes through `Throttle`; a 403 marks the user unreachable.

pub mod broadcaster;
pub mod callback;
pub mod command;
pub mod dialogue;
pub mod handlers;
pub mod outbox;
pub mod qr;
pub mod render;

use std::sync::Arc;
use teloxide::adaptors::throttle::{Limits, Throttle};
use teloxide::dispatching::dialogue::Dialogue;
use teloxide::prelude::*;
use teloxide::types::{BotCommand, BotCommandScope, ChatId, InputFile, Me, MessageId, Recipient};
use teloxide::{ApiError, RequestError};

use self::callback::Callback;
use self::dialogue::{SledStorage, State};
use self::handlers::{Ctx, Handled};
use self::render::Reply;
use crate::domain::UserId;
use crate::i18n::Lang;
use crate::service::{Event, Notice, Service};
use crate::store::{Key, T};
use crate::t;

pub type Tg = Throttle<Bot>;
type HandlerResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Runs the bot until SIGINT or SIGTERM, then flushes the store.
pub async fn run(bot: Bot, svc: Arc<Service>) -> Result<(), RequestError> {
    let me = bot.get_me().await?;
    log::info!("connected as @{}", me.username());
    let bot = bot.throttle(send_limits());
    register_commands(&bot, &svc).await;
    let storage = SledStorage::new(svc.store().clone());
    let handler = dptree::entry()
        .branch(Update::filter_message().endpoint(on_message))
        .branch(Update::filter_callback_query().endpoint(on_callback));
    let dispatcher_bot = bot.clone();
    let mut dispatcher = Dispatcher::builder(bot, handler)
        .dependencies(dptree::deps![svc.clone(), storage])
        .default_handler(|_| async {})
        .enable_ctrlc_handler()
        .build();
    let token = dispatcher.shutdown_token();
    tokio::spawn(async move {
        #[cfg(unix)]
        if let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            term.recv().await;
            log::info!("SIGTERM: stopping");
            // The dispatcher may still be starting; try until it accepts.
            while token.shutdown().is_err() {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    });
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let settler = tokio::spawn(settle_loop(dispatcher_bot.clone(), svc.clone()));
    let outbox = tokio::spawn(outbox::outbox_loop(dispatcher_bot.clone(), svc.clone(), stop.clone()));
    let broadcasts = tokio::spawn(broadcaster::broadcast_loop(dispatcher_bot, svc.clone(), stop));
    dispatcher.dispatch().await;
    settler.abort();
    // The loops stop between sends, so a graceful stop never leaves a send unrecorded.
    let _ = stop_tx.send(true);
    for task in [outbox, broadcasts] {
        if tokio::time::timeout(std::time::Duration::from_secs(10), task).await.is_err() {
            log::warn!("a background loop did not stop in time");
        }
    }
    if let Err(e) = svc.store().flush_async().await {
        log::error!("final flush failed: {e}");
    }
    log::info!("stopped");
    Ok(())
}

/// Telegram allows 30 messages a second overall and counts them as they arrive. Throttle
/// counts them as it releases them, and requests released in one tick can arrive
/// bunched with the next tick's (connection set-up, scheduling), so it releases at most
/// 25 a second: the headroom keeps every second Telegram sees under 30. Per chat: 1 a
/// second, 20 a minute (Telegram's numbers).
pub fn send_limits() -> Limits {
    Limits { messages_per_sec_overall: 25, ..Limits::default() }
}

/// Settles shifts nobody settled, `auto_settle_hours` after their end, and tells the
/// volunteers what they earned. Sleeps until the next one is due (at most an hour).
async fn settle_loop(bot: Tg, svc: Arc<Service>) {
    loop {
        match tokio::task::block_in_place(|| svc.settle_due()) {
            Ok(done) => {
                for o in done {
                    log::info!("auto-settled shift {}", o.value.shift.id);
                    deliver(&bot, &svc, &o.notices).await;
                }
            }
            Err(e) => log::error!("automatic settlement failed: {e}"),
        }
        let now = svc.now();
        let next = svc.next_settlement_due().ok().flatten().unwrap_or(now + chrono::Duration::hours(1));
        let wait = (next - now)
            .to_std()
            .unwrap_or_default()
            .clamp(std::time::Duration::from_secs(1), std::time::Duration::from_secs(3600));
        tokio::time::sleep(wait).await;
    }
}

/// The language a user reads: their choice, else a guess from Telegram.
pub fn lang_of(svc: &Service, user: UserId, telegram_code: Option<&str>) -> Lang {
    svc.profile(user)
        .ok()
        .flatten()
        .and_then(|p| p.language)
        .and_then(|l| Lang::parse(&l))
        .unwrap_or_else(|| Lang::guess(telegram_code))
}

/// The language of someone who wrote to the bot. A guess from Telegram that differs
/// from the default is remembered: notices carry no Telegram language, and without it
/// an English-speaking parent would get English replies but Chinese notices.
fn sender_lang(svc: &Service, user: UserId, telegram_code: Option<&str>) -> Lang {
    let chosen = svc.profile(user).ok().flatten().and_then(|p| p.language).and_then(|l| Lang::parse(&l));
    if let Some(lang) = chosen {
        return lang;
    }
    let guess = Lang::guess(telegram_code);
    if guess != Lang::default() {
        if let Err(e) = tokio::task::block_in_place(|| svc.set_language(user, guess.code())) {
            log::warn!("remembering the language of {}: {e}", user.0);
        }
    }
    guess
}

fn user_name(u: &teloxide::types::User) -> String {
    match &u.last_name {
        Some(last) => format!("{} {last}", u.first_name),
        None => u.first_name.clone(),
    }
}

/// Skips an update seen before (Telegram delivers at least once).
fn seen(svc: &Service, update: &Update) -> bool {
    svc.store().tree(T::Processed).contains_key(Key::new().str("upd/").u64(update.id.0 as u64)).unwrap_or(false)
}

async fn mark_seen(svc: &Service, update: &Update) {
    let _ = svc.store().tree(T::Processed).insert(Key::new().str("upd/").u64(update.id.0 as u64), &[][..]);
    let _ = svc.store().flush_async().await;
}

/// Runs synchronous handling off the async workers; a panic becomes an apology.
fn handle_blocking(f: impl FnOnce() -> Handled, lang: Lang) -> Handled {
    tokio::task::block_in_place(|| match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(h) => h,
        Err(_) => {
            log::error!("handler panicked");
            Handled { reply: Reply::text(t!(lang, "err-internal")), error: true, ..Handled::default() }
        }
    })
}

async fn on_message(
    bot: Tg,
    msg: Message,
    update: Update,
    me: Me,
    svc: Arc<Service>,
    storage: Arc<SledStorage>,
) -> HandlerResult {
    let Some(from) = msg.from.as_ref() else { return Ok(()) };
    if !msg.chat.is_private() || seen(&svc, &update) {
        return Ok(());
    }
    let user = UserId(from.id.0 as i64);
    let lang = sender_lang(&svc, user, from.language_code.as_deref());
    // Someone who writes to the bot can be reached again.
    if svc.profile(user).ok().flatten().is_some_and(|p| p.unreachable) {
        let _ = tokio::task::block_in_place(|| svc.set_unreachable(user, false));
    }
    let ctx = Ctx {
        svc: svc.clone(),
        user,
        name: user_name(from),
        lang,
        request: Some(format!("u{}", update.id.0)),
        bot_username: me.username().to_string(),
        message: None,
    };
    let dialogue: Dialogue<State, SledStorage> = Dialogue::new(storage, msg.chat.id);
    let state = dialogue.get().await.unwrap_or_else(|e| {
        log::warn!("dialogue read failed: {e}");
        None
    });
    let state = state.unwrap_or_default();
    let handled = match msg.text() {
        None => Reply::text(t!(lang, "send-text")).into(),
        Some(text) if text.chars().count() > command::MAX_INPUT => {
            Reply::text(t!(lang, "too-long", max = command::MAX_INPUT)).into()
        }
        Some(text) => handle_blocking(
            || match command::parse(text, me.username()) {
                Ok(cmd) => {
                    let mut h = handlers::command(&ctx, cmd);
                    // A new command ends any flow that was waiting for text.
                    if h.state.is_none() && state != State::Idle {
                        h.state = Some(State::Idle);
                    }
                    h
                }
                Err(command::ParseError::NotCommand) => handlers::text(&ctx, &state, text),
                Err(command::ParseError::Usage(c)) => Reply::text(render::usage(lang, c)).into(),
                Err(command::ParseError::Unknown(c)) => Reply::text(t!(lang, "unknown-command", command = c)).into(),
            },
            lang,
        ),
    };
    apply_state(&dialogue, &handled).await;
    send_reply(&bot, &svc, msg.chat.id, None, &handled).await;
    deliver(&bot, &svc, &handled.notices).await;
    mark_seen(&svc, &update).await;
    Ok(())
}

async fn on_callback(
    bot: Tg,
    q: CallbackQuery,
    update: Update,
    me: Me,
    svc: Arc<Service>,
    storage: Arc<SledStorage>,
) -> HandlerResult {
    if seen(&svc, &update) {
        return Ok(());
    }
    let user = UserId(q.from.id.0 as i64);
    let lang = sender_lang(&svc, user, q.from.language_code.as_deref());
    let Some(cb) = q.data.as_deref().and_then(Callback::decode) else {
        let _ = bot.answer_callback_query(q.id.clone()).text(t!(lang, "stale-button")).await;
        mark_seen(&svc, &update).await;
        return Ok(());
    };
    let ctx = Ctx {
        svc: svc.clone(),
        user,
        name: user_name(&q.from),
        lang,
        request: Some(format!("c{}", q.id)),
        bot_username: me.username().to_string(),
        message: q.regular_message().map(|m| m.id.0),
    };
    let handled = handle_blocking(|| handlers::callback(&ctx, cb), lang);
    let chat = ChatId(user.0);
    let dialogue: Dialogue<State, SledStorage> = Dialogue::new(storage, chat);
    apply_state(&dialogue, &handled).await;
    // A refusal (stale button, someone else's id) is a short notice; the message stays.
    let toast = handled.error.then(|| handled.reply.text.clone());
    let mut answer = bot.answer_callback_query(q.id.clone());
    if let Some(text) = toast {
        answer = answer.text(text.chars().take(190).collect::<String>()).show_alert(true);
    }
    if let Err(e) = answer.await {
        log::warn!("answerCallbackQuery failed: {e}");
    }
    if !handled.error {
        let editable = q.regular_message().map(|m| m.id);
        send_reply(&bot, &svc, chat, editable, &handled).await;
    }
    deliver(&bot, &svc, &handled.notices).await;
    mark_seen(&svc, &update).await;
    Ok(())
}

async fn apply_state(dialogue: &Dialogue<State, SledStorage>, h: &Handled) {
    let result = match &h.state {
        None => Ok(()),
        Some(State::Idle) => dialogue.exit().await,
        Some(s) => dialogue.update(s.clone()).await,
    };
    if let Err(e) = result {
        log::warn!("dialogue write failed: {e}");
    }
}

/// Telegram's limit is 4096 characters; long lists go out in parts, buttons on the last.
fn split_text(text: &str) -> Vec<String> {
    const MAX: usize = 3900;
    let mut parts = vec![String::new()];
    for line in text.split('\n') {
        let cur = parts.last_mut().expect("one part");
        if !cur.is_empty() && cur.chars().count() + line.chars().count() + 1 > MAX {
            parts.push(String::new());
        }
        let cur = parts.last_mut().expect("one part");
        if !cur.is_empty() {
            cur.push('\n');
        }
        cur.push_str(&line.chars().take(MAX).collect::<String>());
    }
    parts
}

/// Sends (or edits into `edit`) the reply and its picture.
async fn send_reply(bot: &Tg, svc: &Service, chat: ChatId, edit: Option<MessageId>, h: &Handled) {
    let parts = split_text(&h.reply.text);
    let kb = h.reply.keyboard();
    let last = parts.len() - 1;
    for (i, part) in parts.iter().enumerate() {
        let markup = if i == last { kb.clone() } else { None };
        if i == 0 {
            if let Some(id) = edit {
                let mut req = bot.edit_message_text(chat, id, part);
                if let Some(m) = markup.clone() {
                    req = req.reply_markup(m);
                }
                match req.await {
                    Ok(_) => continue,
                    Err(RequestError::Api(ApiError::MessageNotModified)) => continue,
                    Err(e) => log::debug!("edit failed, sending instead: {e}"),
                }
            }
        }
        send(bot, svc, chat, part, markup).await;
    }
    if let Some((png, caption)) = &h.photo {
        let req = bot
            .send_photo(chat, InputFile::memory(png.clone()).file_name("invite.png"))
            .caption(caption.chars().take(1000).collect::<String>());
        if let Err(e) = req.await {
            log::warn!("sendPhoto failed: {e}");
        }
    }
}

/// Sends one message; a user who blocked the bot is marked unreachable.
pub async fn send(
    bot: &Tg,
    svc: &Service,
    chat: ChatId,
    text: &str,
    markup: Option<teloxide::types::InlineKeyboardMarkup>,
) -> Option<Message> {
    match send_retrying(bot, chat, text, markup).await {
        SendResult::Sent(m) => Some(*m),
        SendResult::Blocked => {
            let _ = tokio::task::block_in_place(|| svc.set_unreachable(UserId(chat.0), true));
            None
        }
        SendResult::Failed => None,
    }
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

/// Sends one message through `Throttle` (30/s overall, 1/s per chat). A 429 is waited
/// out for its `retry_after` and sent again (Throttle does this itself; the arm below
/// covers an answer that still gets through); a 403 is final; 5xx answers, timeouts
/// and network errors are retried with exponential backoff, `SEND_RETRIES` times
/// (teloxide itself already waits 10 s after a 5xx answer before returning it).
pub async fn send_retrying(
    bot: &Tg,
    chat: ChatId,
    text: &str,
    markup: Option<teloxide::types::InlineKeyboardMarkup>,
) -> SendResult {
    let mut failures = 0;
    loop {
        let mut req = bot.send_message(chat, text);
        if let Some(m) = markup.clone() {
            req = req.reply_markup(m);
        }
        let err = match req.await {
            Ok(m) => return SendResult::Sent(Box::new(m)),
            Err(e) => e,
        };
        match &err {
            RequestError::Api(ApiError::BotBlocked | ApiError::UserDeactivated | ApiError::BotKicked) => {
                log::info!("user {} blocked the bot", chat.0);
                return SendResult::Blocked;
            }
            RequestError::RetryAfter(after) => {
                tokio::time::sleep(after.duration()).await;
                continue;
            }
            RequestError::Network(_)
            | RequestError::Io(_)
            | RequestError::InvalidJson { .. }
            | RequestError::Api(ApiError::Unknown(_))
                if failures < SEND_RETRIES =>
            {
                failures += 1;
                let backoff = std::time::Duration::from_millis(500 << failures);
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

/// Tells each recipient of a notice, in their own language.
pub async fn deliver(bot: &Tg, svc: &Service, notices: &[Notice]) {
    for n in notices {
        let lang = lang_of(svc, n.to, None);
        let reply = render::notice(lang, &n.event);
        send(bot, svc, ChatId(n.to.0), &reply.text, reply.keyboard()).await;
        if let Event::MadeCoordinator { .. } = n.event {
            register_coordinator_commands(bot, n.to, lang).await;
        }
    }
}

const PARENT_COMMANDS: &[&str] =
    &["menu", "schedule", "book", "volunteer", "my", "balance", "child", "family", "swap", "lang", "help"];
const COORDINATOR_COMMANDS: &[&str] = &[
    "pending",
    "newshift",
    "template",
    "cancelshift",
    "moveshift",
    "broadcast",
    "settings",
    "roster",
    "attendance",
    "grant",
    "ledger",
    "invite",
    "approve",
    "suspend",
];

fn commands(lang: Lang, names: &[&str]) -> Vec<BotCommand> {
    names.iter().map(|n| BotCommand::new(*n, t!(lang, &format!("cmd-{n}")))).collect()
}

/// The command menu per language (parents) and per coordinator chat. Failures are warnings.
async fn register_commands(bot: &Tg, svc: &Service) {
    for (lang, code) in [(Lang::Zh, None), (Lang::Zh, Some("zh")), (Lang::En, Some("en"))] {
        let mut req = bot.set_my_commands(commands(lang, PARENT_COMMANDS)).scope(BotCommandScope::Default);
        if let Some(c) = code {
            req = req.language_code(c);
        }
        if let Err(e) = req.await {
            log::warn!("setMyCommands failed: {e}");
        }
    }
    let centres = tokio::task::block_in_place(|| svc.centres()).unwrap_or_default();
    for c in centres {
        for u in svc.coordinators_of(c.id).unwrap_or_default() {
            register_coordinator_commands(bot, u, lang_of(svc, u, None)).await;
        }
    }
}

async fn register_coordinator_commands(bot: &Tg, user: UserId, lang: Lang) {
    let mut all = commands(lang, PARENT_COMMANDS);
    all.extend(commands(lang, COORDINATOR_COMMANDS));
    let scope = BotCommandScope::Chat { chat_id: Recipient::Id(ChatId(user.0)) };
    if let Err(e) = bot.set_my_commands(all).scope(scope).await {
        log::warn!("setMyCommands for coordinator {} failed: {e}", user.0);
    }
}
