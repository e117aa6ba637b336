//! Broadcasts: a coordinator's message to the whole centre, one shift, or its waitlist.
//! Drafted (with its recipient list fixed), confirmed, then delivered one recipient at a
//! a few at a time by the bot. Each recipient is claimed in a flushed transaction before
//! the send and reported after it, so a restart resumes where it stopped and never sends
//! anyone a second copy: a claim that a crash left unreported counts as "uncertain".

use serde::{Deserialize, Serialize};

use super::capacity::shift_state;
use super::records::*;
use super::{Caller, Outcome, Res, Service, ServiceError};
use crate::domain::*;
use crate::store::{Key, T};

/// Longest broadcast text: what Telegram delivers in one message. A copy starts with a
/// header naming the centre when that still fits (`render::broadcast_message`).
pub const MAX_BROADCAST: usize = 4096;

/// How one send of a broadcast ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    Delivered,
    /// The member blocked the bot (Telegram 403): marked unreachable, not retried.
    Blocked,
    /// Still failing after the bounded retries.
    Failed,
}

fn key(id: u64) -> Key {
    Key::new().u64(id)
}

/// Ids of the broadcasts being sent, so resuming reads a short list, not every
/// broadcast ever sent.
fn sending_key() -> Key {
    Key::new().str("broadcasts_sending")
}

fn set_sending(tx: &crate::store::Tx, id: u64, on: bool) -> Res<()> {
    let mut ids: Vec<u64> = tx.get(T::Meta, sending_key())?.unwrap_or_default();
    ids.retain(|i| *i != id);
    if on {
        ids.push(id);
    }
    tx.put(T::Meta, sending_key(), &ids)?;
    Ok(())
}

fn load(tx: &crate::store::Tx, id: u64) -> Res<Broadcast> {
    Ok(tx.get(T::Broadcasts, key(id))?.ok_or(ServiceError::BroadcastClosed)?)
}

impl Service {
    /// A coordinator drafts a broadcast. Nothing is sent until `start_broadcast`; the
    /// draft says how many people it would reach.
    pub fn draft_broadcast(
        &self,
        caller: &Caller,
        audience: Audience,
        text: &str,
    ) -> Result<Outcome<Broadcast>, ServiceError> {
        let text = clean_text(text, MAX_BROADCAST)?;
        self.change(caller, |tx, now| {
            let coord = coordinator(tx, caller.user)?;
            let centre = centre(tx, coord.centre)?;
            let mut recipients: Vec<UserId> = match audience {
                // Read in the change: a member suspended or joined just before counts as
                // they now are.
                Audience::All => {
                    centre_members(tx, centre.id)?.into_iter().filter(|m| m.is_active()).map(|m| m.user).collect()
                }
                Audience::Shift(id) | Audience::Waitlist(id) => {
                    let shift = shift_in(tx, centre.id, id)?;
                    ensure_open(&shift)?;
                    let st = shift_state(tx, &shift)?;
                    let waitlist_only = matches!(audience, Audience::Waitlist(_));
                    let bookings = st.waitlist.iter().chain(st.confirmed.iter().filter(|_| !waitlist_only));
                    let mut users = vec![];
                    for b in bookings {
                        users.extend(family(tx, b.family)?.guardians);
                    }
                    if !waitlist_only {
                        users.extend(st.on_duty.iter().map(|s| s.user));
                    }
                    users
                }
            };
            recipients.retain(|u| *u != caller.user);
            unique_users(&mut recipients);
            if recipients.is_empty() {
                return Err(ServiceError::NoRecipients.into());
            }
            let b = Broadcast {
                id: tx.next_id("broadcast")?,
                centre: centre.id,
                by: caller.user,
                audience,
                text: text.clone(),
                recipients,
                next: 0,
                in_flight: vec![],
                delivered: 0,
                blocked: vec![],
                failed: vec![],
                uncertain: vec![],
                status: BroadcastStatus::Draft,
                progress_message: None,
                created_at: now,
            };
            tx.put(T::Broadcasts, key(b.id), &b)?;
            Ok((b, vec![]))
        })
    }

    /// The coordinator confirms: delivery starts. `progress_message` is the message that
    /// will show "sent N / M". Confirming twice is refused.
    pub fn start_broadcast(
        &self,
        caller: &Caller,
        id: u64,
        progress_message: Option<i32>,
    ) -> Result<Outcome<Broadcast>, ServiceError> {
        let o = self.set_draft(caller, id, BroadcastStatus::Sending, progress_message)?;
        self.signals.broadcasts.notify_one();
        Ok(o)
    }

    pub fn cancel_broadcast(&self, caller: &Caller, id: u64) -> Result<Outcome<Broadcast>, ServiceError> {
        self.set_draft(caller, id, BroadcastStatus::Cancelled, None)
    }

    fn set_draft(
        &self,
        caller: &Caller,
        id: u64,
        status: BroadcastStatus,
        progress_message: Option<i32>,
    ) -> Result<Outcome<Broadcast>, ServiceError> {
        self.change(caller, |tx, now| {
            let coord = coordinator(tx, caller.user)?;
            let mut b = load(tx, id)?;
            if b.centre != coord.centre || b.status != BroadcastStatus::Draft {
                return Err(ServiceError::BroadcastClosed.into());
            }
            b.status = status;
            b.progress_message = progress_message;
            tx.put(T::Broadcasts, key(id), &b)?;
            set_sending(tx, id, status == BroadcastStatus::Sending)?;
            let action = match status {
                BroadcastStatus::Sending => {
                    super::AuditAction::BroadcastSent { broadcast: id, recipients: b.recipients.len() }
                }
                _ => super::AuditAction::BroadcastCancelled { broadcast: id },
            };
            super::audit::record(tx, coord.centre, caller.user, now, action)?;
            Ok((b, vec![]))
        })
    }

    pub fn broadcast(&self, id: u64) -> Result<Option<Broadcast>, ServiceError> {
        Ok(self.store.get(T::Broadcasts, key(id))?)
    }

    /// Broadcasts confirmed and not finished (to resume after a restart).
    pub fn sending_broadcasts(&self) -> Result<Vec<Broadcast>, ServiceError> {
        let ids: Vec<u64> = self.store.get(T::Meta, sending_key())?.unwrap_or_default();
        let mut out = vec![];
        for id in ids {
            if let Some(b) = self.broadcast(id)? {
                out.push(b);
            }
        }
        Ok(out)
    }

    /// Starts (or resumes) delivery: claims that a crash left unreported become
    /// "uncertain" (maybe delivered) and are never sent again. Call once per run, before
    /// the first claim.
    pub fn broadcast_resume(&self, id: u64) -> Result<Broadcast, ServiceError> {
        self.store
            .write(|tx| -> Res<Broadcast> {
                let mut b = load(tx, id)?;
                let lost = std::mem::take(&mut b.in_flight);
                b.uncertain.extend(lost);
                tx.put(T::Broadcasts, key(id), &b)?;
                Ok(b)
            })
            .map_err(ServiceError::from_write)
    }

    /// Claims the next recipient, durably, before it is sent to. `None`: every
    /// recipient has been claimed (or the broadcast is not being sent).
    pub fn broadcast_claim(&self, id: u64) -> Result<Option<UserId>, ServiceError> {
        self.store
            .write(|tx| -> Res<Option<UserId>> {
                let mut b = load(tx, id)?;
                if b.status != BroadcastStatus::Sending {
                    return Ok(None);
                }
                let next = b.recipients.get(b.next).copied();
                if let Some(u) = next {
                    b.next += 1;
                    b.in_flight.push(u);
                    tx.put(T::Broadcasts, key(id), &b)?;
                }
                Ok(next)
            })
            .map_err(ServiceError::from_write)
    }

    /// Reports how the send to a claimed recipient ended. A member who blocked the bot
    /// is marked unreachable in the same transaction.
    pub fn broadcast_report(&self, id: u64, user: UserId, result: Delivery) -> Result<Broadcast, ServiceError> {
        self.store
            .write(|tx| -> Res<Broadcast> {
                let mut b = load(tx, id)?;
                if !b.in_flight.contains(&user) {
                    return Ok(b);
                }
                b.in_flight.retain(|u| *u != user);
                match result {
                    Delivery::Delivered => b.delivered += 1,
                    Delivery::Failed => b.failed.push(user),
                    Delivery::Blocked => {
                        b.blocked.push(user);
                        mark_unreachable(tx, user, true)?;
                    }
                }
                tx.put(T::Broadcasts, key(id), &b)?;
                Ok(b)
            })
            .map_err(ServiceError::from_write)
    }

    /// Marks a broadcast whose recipients have all been claimed as done.
    pub fn finish_broadcast(&self, id: u64) -> Result<Broadcast, ServiceError> {
        let expires = self.expiry(self.now());
        self.store
            .write(|tx| -> Res<Broadcast> {
                let mut b = load(tx, id)?;
                let lost = std::mem::take(&mut b.in_flight);
                b.uncertain.extend(lost);
                b.status = BroadcastStatus::Done;
                tx.put(T::Broadcasts, key(id), &b)?;
                // A finished broadcast (and its recipient lists) is kept for the retention.
                tx.expire_at(T::Broadcasts, key(id), expires)?;
                set_sending(tx, id, false)?;
                Ok(b)
            })
            .map_err(ServiceError::from_write)
    }

    /// Display names of members (for the coordinator's report of who was not reached).
    pub fn names_of(&self, users: &[UserId]) -> Result<Vec<String>, ServiceError> {
        users.iter().map(|u| Ok(self.member(*u)?.map(|m| m.name).unwrap_or_else(|| u.to_string()))).collect()
    }
}
