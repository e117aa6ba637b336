//! Delivers confirmed broadcasts, a window of recipients at a time through the send limiter, editing
//! the coordinator's progress message as it goes and ending with a count of who was
//! reached. Each recipient is claimed durably before the send (see
//! `service::broadcast`), so after a restart the broadcast resumes and nobody gets it
//! twice.

use futures::stream::{FuturesUnordered, StreamExt};
use std::sync::Arc;
use std::time::{Duration, Instant};
use teloxide::types::{ChatId, MessageId};
use tokio::sync::watch;

use super::render;
use super::{lang_of, send, send_retrying, Priority, SendResult, Tg};
use crate::service::{Delivery, Service};

/// How often the progress message is edited at most (each edit takes a send slot from
/// the broadcast itself: every 5 s costs a 1,000-member broadcast 7 slots, 0.2 s).
const PROGRESS_EVERY: Duration = Duration::from_secs(5);
/// Sends of one broadcast in flight at once: about one second of the limiter's 30/s.
const WINDOW: usize = 30;

pub async fn broadcast_loop(bot: Tg, svc: Arc<Service>, mut stop: watch::Receiver<bool>) {
    loop {
        match tokio::task::block_in_place(|| svc.sending_broadcasts()) {
            Ok(list) => {
                for b in list {
                    if !run_broadcast(&bot, &svc, b.id, &stop).await {
                        return;
                    }
                }
            }
            Err(e) => log::error!("reading broadcasts: {e}"),
        }
        tokio::select! {
            _ = svc.signals().broadcasts.notified() => {}
            _ = stop.changed() => return,
        }
    }
}

/// Sends one broadcast to everyone not yet claimed, up to `WINDOW` sends at a time (each
/// waits for the limiter, so one at a time would add every request's latency). Returns false
/// when asked to stop.
pub async fn run_broadcast(bot: &Tg, svc: &Arc<Service>, id: u64, stop: &watch::Receiver<bool>) -> bool {
    let b = match tokio::task::block_in_place(|| svc.broadcast_resume(id)) {
        Ok(b) => b,
        Err(e) => {
            log::error!("broadcast {id}: cannot resume: {e}");
            return true;
        }
    };
    let centre = svc.centre(b.centre).ok().flatten().map(|c| c.name).unwrap_or_default();
    let coordinator = ChatId(b.by.0);
    let coord_lang = lang_of(svc, b.by, None, false);
    // The confirm press already showed "sent 0 / N"; edits follow every few seconds.
    let mut last_edit = Instant::now();
    let mut sending = FuturesUnordered::new();
    let mut all_claimed = false;
    loop {
        while !all_claimed && sending.len() < WINDOW && !*stop.borrow() {
            match tokio::task::block_in_place(|| svc.broadcast_claim(id)) {
                Ok(Some(user)) => {
                    let text = render::broadcast_message(lang_of(svc, user, None, false), &centre, &b.text);
                    let bot = bot.clone();
                    // Its own task, so this loop's store writes never hold up a send that
                    // the limiter has let go (a late start would bunch with later ones).
                    let task = tokio::spawn(async move {
                        match send_retrying(&bot, ChatId(user.0), &text, None, Priority::Bulk).await {
                            SendResult::Sent(_) => Delivery::Delivered,
                            SendResult::Blocked => Delivery::Blocked,
                            SendResult::Failed => Delivery::Failed,
                        }
                    });
                    sending.push(async move { (user, task.await.unwrap_or(Delivery::Failed)) });
                }
                Ok(None) => all_claimed = true,
                Err(e) => {
                    log::error!("broadcast {id}: claiming the next recipient failed: {e}");
                    all_claimed = true;
                }
            }
        }
        let Some((user, result)) = sending.next().await else { break };
        let now = match tokio::task::block_in_place(|| svc.broadcast_report(id, user, result)) {
            Ok(b) => b,
            Err(e) => {
                log::error!("broadcast {id}: recording the send to {} failed: {e}", user.0);
                continue;
            }
        };
        if last_edit.elapsed() >= PROGRESS_EVERY {
            edit_progress(bot, coordinator, now.progress_message, &render::broadcast_progress(coord_lang, &now)).await;
            last_edit = Instant::now();
        }
    }
    if *stop.borrow() {
        return false;
    }
    let done = match tokio::task::block_in_place(|| svc.finish_broadcast(id)) {
        Ok(b) => b,
        Err(e) => {
            log::error!("broadcast {id}: finishing failed: {e}");
            return true;
        }
    };
    edit_progress(bot, coordinator, done.progress_message, &render::broadcast_progress(coord_lang, &done)).await;
    let blocked = svc.names_of(&done.blocked).unwrap_or_default();
    let mut failed = done.failed.clone();
    failed.extend(&done.uncertain);
    let failed = svc.names_of(&failed).unwrap_or_default();
    let report = render::broadcast_report(coord_lang, &done, &blocked, &failed);
    send(bot, svc, coordinator, &report, None, Priority::Bulk).await;
    log::info!(
        "broadcast {id} done: {} delivered, {} blocked, {} failed",
        done.delivered,
        done.blocked.len(),
        done.failed.len() + done.uncertain.len()
    );
    true
}

async fn edit_progress(bot: &Tg, chat: ChatId, message: Option<i32>, text: &str) {
    let Some(id) = message else { return };
    if let Err(e) = bot.edit(chat, MessageId(id), text, None, Priority::Bulk).await {
        log::debug!("progress edit failed: {e}");
    }
}
