//! The Telegram shell: updates in, service calls, localized replies out. Holds no
//! business rule (see `handlers` for what each input does).
//!
//! Invariants:
//! - every update is in the durable inbox before Telegram is told we have it, and is
//!   marked done (with the dialogue state it leaves) only after its reply was sent;
//!   on start, what was not done is handled first (`inbox`);
//! - a reply that reports a change is sent only after the service returned, and the
//!   service returns only after its transaction is flushed (the store's group commit);
//! - service calls carry the update (or callback query) id as their request key, so an
//!   update handled twice changes nothing more;
//! - every outgoing message waits for the send limiter (`limiter`), replies before
//!   bulk sends; a 403 marks the user unreachable;
//! - the handling of an update is watched (`crate::watchdog`): stuck for 30 s, the
//!   process exits and its supervisor restarts it;
//! - every background loop stops before `run` returns.

pub mod admission;
pub mod broadcaster;
pub mod callback;
pub mod command;
pub mod dialogue;
pub mod dispatch;
pub mod gate;
pub mod handlers;
pub mod inbox;
pub mod last_send;
pub mod limiter;
pub mod marks;
pub mod outbox;
pub mod qr;
pub mod render;
pub mod send;
pub mod unreadable;

use std::sync::Arc;
use std::time::Duration;
use teloxide::prelude::*;
use teloxide::types::{BotCommand, BotCommandScope, ChatId, Me, MessageId, Recipient, UpdateKind};
use teloxide::RequestError;
use tokio::sync::watch;

use self::admission::Admission;
use self::callback::Callback;
use self::dialogue::{SledStorage, State};
use self::gate::Gate;
use self::gate::Place;
use self::handlers::{Ctx, Handled};
use self::inbox::{DoneMark, Inbox, InboxListener};
use self::last_send::LastSend;
pub use self::limiter::{Limits, Priority};
use self::marks::Marks;
use self::render::Reply;
pub use self::send::{send, send_retrying, FileKind, SendResult, Tg};
use crate::domain::UserId;
use crate::i18n::Lang;
use crate::service::{Event, Notice, Service};
use crate::t;

/// How the bot runs: its send rate and, for the sandbox, a way to stop it.
#[derive(Clone, Default)]
pub struct RunOptions {
    pub limits: Limits,
    /// Set to true to stop (besides SIGINT and SIGTERM).
    pub stop: Option<watch::Receiver<bool>>,
    /// Where each message's start is kept (`last_send`): the last process's, read at
    /// start, keeps chats quiet for what is left of a second since. `None`: not kept.
    pub last_send: Option<std::path::PathBuf>,
}

/// How many workers take updates (each the chats whose id falls on it, in order;
/// `dispatch`): about the gate's bound at Telegram's 30/s (60), so a burst keeps the
/// limiter busy, and bounded, so memory does not grow with the number of chats.
const WORKERS: usize = 64;

/// Runs the bot until SIGINT, SIGTERM or `options.stop`; then stops every loop and
/// flushes the store.
pub async fn run(bot: Bot, svc: Arc<Service>, options: RunOptions) -> Result<(), RequestError> {
    let me = bot.get_me().await?;
    log::info!("connected as @{}", me.username());
    let previous = options.last_send.as_deref().and_then(last_send::previous);
    let quiet = limiter::quiet_after_restart(options.limits.chat_gap, previous, std::time::SystemTime::now());
    if !quiet.is_zero() {
        log::info!(
            "the last run sent a message just before: chats get their first message in {} ms",
            quiet.as_millis()
        );
    }
    let mark = options.last_send.as_deref().map_or_else(LastSend::none, LastSend::open);
    let tg = Tg::new(bot.clone(), options.limits, quiet, mark);
    register_commands(&tg, &svc).await;
    let inbox = Inbox::new(svc.store().clone());
    // Done marks are written together, by one thread (`marks`).
    let marks = Marks::start(inbox.clone());
    // Updates handled at once, bounded by a few seconds of the send rate (`gate`).
    // At most two updates of a chat with the dispatcher at a time (`admission`).
    // A chat's flood beyond its first few waiting updates waits by id and is read back
    // from the inbox when its turn comes.
    let admission = {
        let inbox = inbox.clone();
        Admission::reading_back(
            admission::PER_CHAT,
            admission::HELD,
            admission::KEPT_PER_CHAT,
            Arc::new(move |id| inbox.get(id)),
        )
    };
    let gate = Gate::with_admission(Gate::bound_for_rate(options.limits.per_second), Some(admission.clone()));
    let (stop_tx, stop) = watch::channel(false);
    let settler = tokio::spawn(settle_loop(tg.clone(), svc.clone(), stop.clone()));
    let outbox = tokio::spawn(outbox::outbox_loop(tg.clone(), svc.clone(), stop.clone()));
    let broadcasts = tokio::spawn(broadcaster::broadcast_loop(tg.clone(), svc.clone(), stop.clone()));
    let janitor = tokio::spawn(limiter_janitor(tg.clone(), stop.clone()));
    let pruner = tokio::spawn(retention_loop(svc.clone(), stop));
    let clock_svc = svc.clone();
    let listener = InboxListener::start(bot, inbox, admission, move || clock_svc.expiry(clock_svc.now()));
    let (listener_stop, mut external_stop) = (listener.stop.clone(), options.stop.clone());
    // SIGINT, SIGTERM or the caller's stop: the poller stops; the updates it handed
    // over are handled, and what waits for a chat's turn stays in the inbox.
    tokio::spawn(async move {
        let external = async {
            match external_stop.as_mut() {
                Some(rx) => {
                    while !*rx.borrow() {
                        if rx.changed().await.is_err() {
                            std::future::pending::<()>().await;
                        }
                    }
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(unix)]
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut term) => {
                    term.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        // A handler that cannot be set up is no stop: wait for the others.
        let interrupt = async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            _ = external => log::info!("stopping"),
            _ = term => log::info!("SIGTERM: stopping"),
            _ = interrupt => log::info!("SIGINT: stopping"),
        }
        listener_stop.stop();
    });
    let shell = Shell { tg: tg.clone(), svc: svc.clone(), marks: marks.clone(), gate: gate.clone(), me };
    dispatch::dispatch(listener.updates, WORKERS, move |update| shell.clone().handle(update)).await;
    log::info!("updates handled at once: at most {} (bound {})", gate.peak(), gate.bound());
    // Every done mark handed over is written before the final flush.
    let _ = tokio::task::spawn_blocking(move || marks.stop()).await;
    // The loops stop between sends, so a graceful stop never leaves a send unrecorded.
    let _ = stop_tx.send(true);
    for task in [settler, outbox, broadcasts, janitor, pruner] {
        if tokio::time::timeout(Duration::from_secs(10), task).await.is_err() {
            log::warn!("a background loop did not stop in time");
        }
    }
    let store = svc.store().clone();
    match tokio::task::spawn_blocking(move || store.flush()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => log::error!("final flush failed: {e}"),
        Err(e) => log::error!("final flush failed: {e}"),
    }
    let commits = svc.store().commit_stats();
    log::info!(
        "store: {} transactions, {} flushes since the start; write lock waited for {} ms and held {} ms (closures and waiting for the turn to apply); after it, {} ms waiting for reads to end and {} ms applying; flushing {} ms (summed)",
        commits.transactions,
        commits.flushes,
        commits.lock_wait_us / 1000,
        commits.locked_us / 1000,
        commits.readers_wait_us / 1000,
        commits.apply_us / 1000,
        commits.flushing_us / 1000
    );
    log::info!("stopped");
    Ok(())
}

/// Keeps the limiter's per-chat memory to the chats of the last minute.
async fn limiter_janitor(tg: Tg, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(60)) => tg.limiter.forget_quiet_chats(),
            _ = stop.changed() => return,
        }
    }
}

/// Prunes records kept only for idempotency or delivery once their retention ended:
/// at most `BATCH` records a write and `BATCHES` writes a run, a run every ten minutes,
/// so pruning never holds the store for long.
async fn retention_loop(svc: Arc<Service>, mut stop: watch::Receiver<bool>) {
    const BATCH: usize = 500;
    const BATCHES: usize = 20;
    loop {
        for _ in 0..BATCHES {
            let s = svc.clone();
            match tokio::task::spawn_blocking(move || s.prune_expired(BATCH)).await {
                Ok(Ok(n)) if n == BATCH => continue,
                Ok(Ok(n)) => {
                    if n > 0 {
                        log::info!("retention: pruned {n} records");
                    }
                    break;
                }
                Ok(Err(e)) => {
                    log::error!("retention: pruning failed: {e}");
                    break;
                }
                Err(e) => {
                    log::error!("retention: pruning failed: {e}");
                    break;
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(600)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Settles shifts nobody settled, `auto_settle_hours` after their end, and tells the
/// volunteers what they earned. Sleeps until the next one is due (at most an hour).
async fn settle_loop(tg: Tg, svc: Arc<Service>, mut stop: watch::Receiver<bool>) {
    loop {
        let s = svc.clone();
        match tokio::task::spawn_blocking(move || s.settle_due()).await {
            Ok(Ok(done)) => {
                for o in done {
                    log::info!("auto-settled shift {}", o.value.shift.id);
                    deliver(&tg, &svc, &o.notices, Priority::Bulk).await;
                }
            }
            Ok(Err(e)) => log::error!("automatic settlement failed: {e}"),
            Err(e) => log::error!("automatic settlement failed: {e}"),
        }
        let now = svc.now();
        let next = svc.next_settlement_due().ok().flatten().unwrap_or(now + chrono::Duration::hours(1));
        let wait = (next - now).to_std().unwrap_or_default().clamp(Duration::from_secs(1), Duration::from_secs(3600));
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
    }
}

/// The language a user reads: their choice, else a guess from Telegram's language code.
/// For someone whose message or press is being handled (`wrote`; blocking: it may
/// write), a guess that differs from the default is remembered: notices carry no
/// Telegram language, and without it an English-speaking parent would get English
/// replies but Chinese notices. Someone who writes can also be reached again.
pub fn lang_of(svc: &Service, user: UserId, telegram_code: Option<&str>, wrote: bool) -> Lang {
    let profile = svc.profile(user).ok().flatten();
    if wrote && profile.as_ref().is_some_and(|p| p.unreachable) {
        let _ = svc.set_unreachable(user, false);
    }
    if let Some(lang) = profile.and_then(|p| p.language).and_then(|l| Lang::parse(&l)) {
        return lang;
    }
    let guess = Lang::guess(telegram_code);
    if wrote && guess != Lang::default() {
        if let Err(e) = svc.set_language(user, guess.code()) {
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

/// Who wrote or pressed, in their language (blocking: learning it may write).
fn ctx_of(svc: Arc<Service>, from: &teloxide::types::User, request: String, bot: String, message: Option<i32>) -> Ctx {
    let user = UserId(from.id.0 as i64);
    let lang = lang_of(&svc, user, from.language_code.as_deref(), true);
    Ctx { svc, user, name: user_name(from), lang, request: Some(request), bot_username: bot, message }
}

/// Runs an update's synchronous part off the async workers, watched by the watchdog
/// and named for the store operations it makes. A panic becomes an apology; if the
/// change it asked for was committed before the panic (its replay record exists), the
/// person is told it was done rather than that nothing changed.
async fn handle_blocking(
    label: String,
    lang: Lang,
    request: (Arc<Service>, UserId, String),
    f: impl FnOnce() -> Handled + Send + 'static,
) -> Handled {
    let task = tokio::task::spawn_blocking(move || {
        let _watch = crate::watchdog::watch(|| label.clone());
        let _context = crate::watchdog::context(label.clone());
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
            Ok(h) => h,
            Err(_) => {
                log::error!("handling {label} panicked");
                let (svc, user, key) = request;
                let committed = svc.was_applied(user, &key);
                let text = t!(lang, if committed { "err-internal-after-change" } else { "err-internal" });
                Handled { reply: Reply::text(text), error: !committed, ..Handled::default() }
            }
        }
    });
    match task.await {
        Ok(h) => h,
        Err(e) => {
            log::error!("handling an update failed: {e}");
            Handled { reply: Reply::text(t!(lang, "err-internal")), error: true, ..Handled::default() }
        }
    }
}

/// Marks an update handled (and the dialogue state it leaves): handed to the done
/// marks' writer with the update's place in the gate, which it gives back once the mark
/// is written; a change of dialogue state is waited for (the chat's next update reads it).
async fn finish(svc: &Arc<Service>, marks: &Marks, update: &Update, dialogue: Option<(ChatId, State)>, place: Place) {
    let mark = DoneMark::new(update, dialogue, svc.expiry(svc.now()));
    marks.done(mark, Some(place)).await;
}

/// What an update is about, for logs and the watchdog (never its text: it may hold
/// a child's notes).
fn label_of(update: u32, text: Option<&str>) -> String {
    let what = match text {
        Some(t) if t.starts_with('/') => t.split_whitespace().next().unwrap_or("/").chars().take(40).collect(),
        Some(_) => "text".to_string(),
        None => "no text".to_string(),
    };
    format!("update {update} ({what})")
}

/// What the handling of every update needs (the dispatch's workers share it).
#[derive(Clone)]
struct Shell {
    tg: Tg,
    svc: Arc<Service>,
    marks: Marks,
    gate: Gate,
    me: Me,
}

impl Shell {
    /// Handles one update: a message, an edit or a button press; anything else (a
    /// kind we do not read) is marked done at once.
    async fn handle(self, update: Update) {
        let Shell { tg, svc, marks, gate, me } = self;
        match update.kind.clone() {
            UpdateKind::Message(msg) => on_message(tg, msg, update, me, svc, marks, gate).await,
            UpdateKind::EditedMessage(msg) => on_edited(tg, msg, update, svc, marks, gate).await,
            UpdateKind::CallbackQuery(q) => on_callback(tg, q, update, me, svc, marks, gate).await,
            _ => {
                let place = gate.enter(&update).await;
                finish(&svc, &marks, &update, None, place).await;
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn on_message(tg: Tg, msg: Message, update: Update, me: Me, svc: Arc<Service>, marks: Marks, gate: Gate) {
    let place = gate.enter(&update).await;
    let id = update.id.0;
    let (Some(from), true) = (msg.from.clone(), msg.chat.is_private()) else {
        finish(&svc, &marks, &update, None, place).await;
        return;
    };
    let user = UserId(from.id.0 as i64);
    let chat = msg.chat.id;
    let text = msg.text().map(str::to_string);
    // A shared contact: its number, and whose it is (Telegram's user id of the contact).
    let contact = msg.contact().map(|c| (c.phone_number.clone(), c.user_id.map(|u| UserId(u.0 as i64))));
    let label = if contact.is_some() { format!("update {id} (contact)") } else { label_of(id, text.as_deref()) };
    let ctx_svc = svc.clone();
    let bot_username = me.username().to_string();
    // The message's identity, not the update id (Telegram may reuse those).
    let request = inbox::identity(&update);
    let ctx_request = request.clone();
    let handled =
        handle_blocking(label, Lang::guess(from.language_code.as_deref()), (svc.clone(), user, request), move || {
            let state = SledStorage::read(ctx_svc.store(), chat);
            let ctx = ctx_of(ctx_svc, &from, ctx_request, bot_username, None);
            match contact {
                Some((phone, owner)) => handlers::contact(&ctx, &phone, owner),
                None => handlers::message(&ctx, &state, text.as_deref()),
            }
        })
        .await;
    send_reply(&tg, &svc, msg.chat.id, None, &handled).await;
    deliver(&tg, &svc, &handled.notices, Priority::Reply).await;
    finish(&svc, &marks, &update, handled.state.clone().map(|s| (msg.chat.id, s)), place).await;
}

/// Edited messages are not read (an edit of a command could book twice); the person is
/// told to send it again.
async fn on_edited(tg: Tg, msg: Message, update: Update, svc: Arc<Service>, marks: Marks, gate: Gate) {
    let place = gate.enter(&update).await;
    if let (Some(from), true) = (msg.from.as_ref(), msg.chat.is_private()) {
        let lang = lang_of(&svc, UserId(from.id.0 as i64), from.language_code.as_deref(), false);
        send(&tg, &svc, msg.chat.id, &t!(lang, "edit-not-read"), None, Priority::Reply).await;
    }
    finish(&svc, &marks, &update, None, place).await;
}

#[allow(clippy::too_many_arguments)]
async fn on_callback(tg: Tg, q: CallbackQuery, update: Update, me: Me, svc: Arc<Service>, marks: Marks, gate: Gate) {
    let place = gate.enter(&update).await;
    let id = update.id.0;
    let user = UserId(q.from.id.0 as i64);
    let chat = ChatId(user.0);
    let data = q.data.clone().unwrap_or_default();
    let label =
        format!("update {id} (button {})", data.split(':').next().unwrap_or("").chars().take(16).collect::<String>());
    let ctx_svc = svc.clone();
    let from = q.from.clone();
    let bot_username = me.username().to_string();
    let (query_id, message) = (q.id.clone(), q.regular_message().map(|m| m.id.0));
    let request = format!("c{query_id}");
    let ctx_request = request.clone();
    let handled =
        handle_blocking(label, Lang::guess(q.from.language_code.as_deref()), (svc.clone(), user, request), move || {
            // A button flow that builds a draft (`/wish`) reads it from the dialogue state.
            let state = SledStorage::read(ctx_svc.store(), chat);
            let ctx = ctx_of(ctx_svc, &from, ctx_request, bot_username, message);
            match Callback::decode(&data) {
                Some(cb) => handlers::callback(&ctx, &state, cb),
                None => Handled { reply: Reply::text(ctx.l("stale-button")), error: true, ..Handled::default() },
            }
        })
        .await;
    // A refusal (stale button, someone else's id) is a short notice; the message stays.
    let toast = handled.error.then(|| handled.reply.text.clone());
    let mut answer = tg.bot.answer_callback_query(q.id.clone());
    if let Some(text) = toast {
        answer = answer.text(text.chars().take(190).collect::<String>()).show_alert(true);
    }
    // The reply first, then the answer to the press (which only stops the button's
    // spinner): sent together, they share two cores with the reply's own work.
    if !handled.error {
        let editable = q.regular_message().map(|m| m.id);
        send_reply(&tg, &svc, chat, editable, &handled).await;
    }
    if let Err(e) = answer.send().await {
        log::warn!("answerCallbackQuery failed: {e}");
    }
    deliver(&tg, &svc, &handled.notices, Priority::Reply).await;
    finish(&svc, &marks, &update, handled.state.clone().map(|s| (chat, s)), place).await;
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
async fn send_reply(tg: &Tg, svc: &Arc<Service>, chat: ChatId, edit: Option<MessageId>, h: &Handled) {
    let parts = split_text(&h.reply.text);
    let kb = h.reply.keyboard();
    let last = parts.len() - 1;
    for (i, part) in parts.iter().enumerate() {
        if let (true, Some(markup)) = (i == last, reply_keyboard(&h.reply)) {
            tg.send_with_markup(chat, part, markup).await;
            continue;
        }
        let markup = if i == last { kb.clone() } else { None };
        if let (0, Some(id)) = (i, edit) {
            match tg.edit(chat, id, part, markup.clone(), Priority::Reply).await {
                Ok(()) => continue,
                Err(e) => log::debug!("edit failed, sending instead: {e}"),
            }
        }
        send(tg, svc, chat, part, markup, Priority::Reply).await;
    }
    if let Some((png, caption)) = &h.photo {
        tg.send_file(chat, FileKind::Photo, png.clone(), "invite.png", caption).await;
    }
    if let Some((bytes, name, caption)) = &h.document {
        tg.send_file(chat, FileKind::Document, bytes.clone(), name, caption).await;
    }
    for (kind, bytes, name, caption) in &h.files {
        tg.send_file(chat, *kind, bytes.clone(), name, caption).await;
    }
}

/// The reply keyboard a reply asks for: the "share my phone number" button, or its removal.
fn reply_keyboard(r: &Reply) -> Option<teloxide::types::ReplyMarkup> {
    use teloxide::types::{ButtonRequest, KeyboardButton, KeyboardMarkup, KeyboardRemove, ReplyMarkup};
    match (&r.contact, r.remove_keyboard) {
        (Some(label), _) => Some(ReplyMarkup::Keyboard(
            KeyboardMarkup::new(vec![vec![KeyboardButton::new(label.clone()).request(ButtonRequest::Contact)]])
                .resize_keyboard()
                .one_time_keyboard(),
        )),
        (None, true) => Some(ReplyMarkup::KeyboardRemove(KeyboardRemove::new())),
        (None, false) => None,
    }
}

/// Tells each recipient of a notice, in their own language.
pub async fn deliver(tg: &Tg, svc: &Arc<Service>, notices: &[Notice], priority: Priority) {
    for n in notices {
        let lang = lang_of(svc, n.to, None, false);
        let reply = render::notice(lang, &n.event);
        send(tg, svc, ChatId(n.to.0), &reply.text, reply.keyboard(), priority).await;
        if let Event::MadeCoordinator { .. } = n.event {
            register_coordinator_commands(tg, n.to, lang).await;
        }
    }
}

const PARENT_COMMANDS: &[&str] = &[
    "menu",
    "schedule",
    "book",
    "volunteer",
    "my",
    "balance",
    "calendar",
    "child",
    "family",
    "swap",
    "wish",
    "lang",
    "mydata",
    "forget",
    "leave",
    "help",
];
const COORDINATOR_COMMANDS: &[&str] = &[
    "round",
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
    "report",
    "invite",
    "approve",
    "suspend",
    "remove",
    "cancelday",
    "unblock",
    "overdraft",
    "staff",
    "audit",
];

fn commands(lang: Lang, names: &[&str]) -> Vec<BotCommand> {
    names.iter().map(|n| BotCommand::new(*n, t!(lang, &format!("cmd-{n}")))).collect()
}

/// The command menu per language (parents) and per coordinator chat. Failures are warnings.
async fn register_commands(tg: &Tg, svc: &Arc<Service>) {
    for (lang, code) in [(Lang::Zh, None), (Lang::Zh, Some("zh")), (Lang::En, Some("en"))] {
        let mut req = tg.bot.set_my_commands(commands(lang, PARENT_COMMANDS)).scope(BotCommandScope::Default);
        if let Some(c) = code {
            req = req.language_code(c);
        }
        if let Err(e) = req.await {
            log::warn!("setMyCommands failed: {e}");
        }
    }
    let s = svc.clone();
    let centres = tokio::task::spawn_blocking(move || s.centres()).await.ok().and_then(Result::ok).unwrap_or_default();
    for c in centres {
        for u in svc.coordinators_of(c.id).unwrap_or_default() {
            register_coordinator_commands(tg, u, lang_of(svc, u, None, false)).await;
        }
    }
}

async fn register_coordinator_commands(tg: &Tg, user: UserId, lang: Lang) {
    let mut all = commands(lang, PARENT_COMMANDS);
    all.extend(commands(lang, COORDINATOR_COMMANDS));
    let scope = BotCommandScope::Chat { chat_id: Recipient::Id(ChatId(user.0)) };
    if let Err(e) = tg.bot.set_my_commands(all).scope(scope).await {
        log::warn!("setMyCommands for coordinator {} failed: {e}", user.0);
    }
}
