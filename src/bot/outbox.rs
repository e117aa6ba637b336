//! The reminder loop: sends due jobs (reminders, digests, asks for cover) and sleeps
//! until the next one is due or a change wakes it. Never a fixed poll.
//!
//! Delivery is at least once per recipient: the send comes first, then `job_sent`
//! records the Telegram message id in one flushed transaction. A crash between the two
//! repeats that one message after the restart; it never skips one. (ARCHITECTURE.md
//! says why.) Up to `WINDOW` jobs are under way at once, taken in due order; a job is
//! never run twice at once.

use futures::stream::{FuturesUnordered, StreamExt};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use teloxide::types::ChatId;
use tokio::sync::watch;

use super::render;
use super::{lang_of, send_retrying, Priority, SendResult, Tg};
use crate::domain::Job;
use crate::service::{JobStep, Service};

/// Jobs under way at once (each waits for the send limiter; a few dozen keep it busy).
const WINDOW: usize = 30;
/// The longest sleep: a safety net, not a poll (every change also wakes the loop).
const MAX_SLEEP: Duration = Duration::from_secs(3600);

pub async fn outbox_loop(bot: Tg, svc: Arc<Service>, mut stop: watch::Receiver<bool>) {
    let mut running = FuturesUnordered::new();
    let mut busy: HashSet<u64> = HashSet::new();
    loop {
        let stopping = *stop.borrow();
        if stopping {
            // Let the sends under way finish and be recorded, then stop.
            while let Some(id) = running.next().await {
                busy.remove(&id);
            }
            return;
        }
        // Fill the window with due jobs not already under way.
        if running.len() < WINDOW {
            match tokio::task::block_in_place(|| svc.due_jobs(WINDOW + busy.len())) {
                Ok(jobs) => {
                    let fresh: Vec<Job> = jobs.into_iter().filter(|j| !busy.contains(&j.id)).collect();
                    for job in fresh {
                        if running.len() >= WINDOW {
                            break;
                        }
                        busy.insert(job.id);
                        // Each job is its own task: one job's store writes (which block)
                        // must not hold up the others' sends once the limiter lets them go.
                        let id = job.id;
                        let task = tokio::spawn(run_job(bot.clone(), svc.clone(), job));
                        running.push(async move {
                            if let Err(e) = task.await {
                                log::error!("job {id} failed: {e}");
                            }
                            id
                        });
                    }
                }
                Err(e) => log::error!("reading due jobs: {e}"),
            }
        }
        if running.is_empty() {
            let now = svc.now();
            let wait = match svc.next_job_due() {
                Ok(Some(t)) => (t - now).to_std().unwrap_or_default().min(MAX_SLEEP),
                Ok(None) => MAX_SLEEP,
                Err(_) => Duration::from_secs(5),
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = svc.signals().jobs.notified() => {}
                _ = stop.changed() => {}
            }
            continue;
        }
        tokio::select! {
            Some(id) = running.next() => { busy.remove(&id); }
            _ = svc.signals().jobs.notified() => {}
            _ = stop.changed() => {}
        }
    }
}

/// Sends one job to each recipient it has not reached yet, then removes it. Returns
/// the job's id when done (sent, dropped, or given up on).
pub async fn run_job(bot: Tg, svc: Arc<Service>, job: Job) -> u64 {
    let (bot, svc, job) = (&bot, &*svc, &job);
    let step = tokio::task::block_in_place(|| svc.prepare_job(job));
    match step {
        Err(e) => {
            log::warn!("job {} cannot run ({e}); dropping it", job.id);
            let _ = tokio::task::block_in_place(|| svc.finish_job(job));
        }
        Ok(JobStep::Drop) => {
            // A job that kept failing and whose event has now started: who it did not
            // reach goes into the coordinators' next digest.
            if svc.job_failures(job).unwrap_or(0) > 0 {
                match tokio::task::block_in_place(|| svc.job_undelivered(job)) {
                    Ok(missed) => {
                        log::warn!("job {} ({:?}) did not reach {} people in time", job.id, job.kind, missed.len())
                    }
                    Err(e) => log::error!("recording job {} as not delivered: {e}", job.id),
                }
                return job.id;
            }
            if let Err(e) = tokio::task::block_in_place(|| svc.finish_job(job)) {
                log::error!("finishing job {}: {e}", job.id);
            }
        }
        Ok(JobStep::CoverRound) => match tokio::task::block_in_place(|| svc.run_cover_round(job)) {
            Ok(asked) => log::info!("cover round for {:?}: asking {} members", job.kind, asked.len()),
            Err(e) => {
                log::warn!("cover round {} failed ({e}); dropping it", job.id);
                let _ = tokio::task::block_in_place(|| svc.finish_job(job));
            }
        },
        Ok(JobStep::CommitRound) => match tokio::task::block_in_place(|| svc.commit_due_round(job)) {
            Ok(Some(plan)) => log::info!("round {} committed: {} child-shifts booked", plan.round.id, plan.placed),
            Ok(None) => {}
            Err(e) => {
                // Nothing was written; the job stays and is tried again after a back-off.
                log::error!("committing round job {} failed: {e}", job.id);
                let _ = tokio::task::block_in_place(|| svc.retry_job(job));
            }
        },
        Ok(JobStep::Send { to, reminder }) => {
            let mut failed = 0;
            for user in to {
                let lang = lang_of(svc, user, None, false);
                let reply = render::reminder(lang, &reminder);
                let message =
                    match send_retrying(bot, ChatId(user.0), &reply.text, reply.keyboard(), Priority::Bulk).await {
                        SendResult::Sent(m) => Some(m.id.0),
                        SendResult::Blocked => {
                            let _ = tokio::task::block_in_place(|| svc.set_unreachable(user, true));
                            None
                        }
                        // Not sent (after the send's own retries): not recorded, the job
                        // comes back after a back-off until its event starts.
                        SendResult::Failed => {
                            failed += 1;
                            continue;
                        }
                    };
                if let Err(e) = tokio::task::block_in_place(|| svc.job_sent(job, user, message)) {
                    log::error!("recording job {} sent to {}: {e}", job.id, user.0);
                    return job.id;
                }
            }
            if failed > 0 {
                match tokio::task::block_in_place(|| svc.retry_job(job)) {
                    Ok(Some(moved)) => {
                        log::warn!("job {}: {failed} sends failed; trying again at {}", job.id, moved.due)
                    }
                    Ok(None) => {}
                    Err(e) => log::error!("rescheduling job {}: {e}", job.id),
                }
                return job.id;
            }
            if let Err(e) = tokio::task::block_in_place(|| svc.finish_job(job)) {
                log::error!("finishing job {}: {e}", job.id);
            }
        }
    }
    job.id
}
