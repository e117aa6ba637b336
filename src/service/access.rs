//! Who gets in: a family code asks a guardian of that family (and then, by the centre's
//! policy, a coordinator) before anyone becomes a guardian; a rejected person cannot
//! come back through any code of that centre; wrong codes are answered more slowly;
//! codes can be replaced.
//!
//! Records (in `Meta`, point lookups inside transactions, prefix scans for listings):
//! - `gjoin/ ++ user` -> `GuardianRequest`: a family-code join waiting for answers;
//! - `codefail/ ++ user` -> `CodeAttempts`: wrong codes in a row and the back-off;
//! - `rejected/ ++ centre ++ user` -> (): this centre said no to this person;
//! - `former/ ++ user` -> `FormerFamily`: the family someone left, for their return.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::records::*;
use super::{Caller, Event, Notice, Outcome, Res, Service, ServiceError};
use crate::domain::*;
use crate::store::{Key, Tx, T};

/// Wrong codes in a row answered at once; from the next one on, the user waits.
pub const FREE_ATTEMPTS: u32 = 3;
/// The first wait; it doubles with each further wrong code, up to `MAX_BACKOFF_MINUTES`.
const BACKOFF_SECONDS: i64 = 60;
const MAX_BACKOFF_MINUTES: i64 = 60;

/// A person who used a family's code, waiting for a guardian (and a coordinator).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardianRequest {
    pub user: UserId,
    pub name: String,
    pub family: FamilyId,
    pub centre: CentreId,
    pub at: DateTime<Utc>,
    /// The guardian who confirmed them (then a coordinator approves, if the policy asks).
    pub confirmed_by: Option<UserId>,
}

/// Wrong invite codes from one user, for the back-off and for coordinators to see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeAttempts {
    pub user: UserId,
    /// Wrong codes in a row (a right code resets it).
    pub failures: u32,
    pub last: DateTime<Utc>,
    /// No code is accepted from this user before this time.
    pub until: Option<DateTime<Utc>>,
    /// The request that brought the last wrong code: a replay of it is not counted again.
    #[serde(default)]
    pub last_request: Option<String>,
}

/// The family someone left: its balance is kept for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormerFamily {
    pub centre: CentreId,
    pub family: FamilyId,
}

/// What a guardian's answer to a family-code join did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum GuardianAnswer {
    /// Confirmed by the family; a coordinator approves next.
    AwaitingCoordinator { name: String },
    /// Confirmed and joined (the policy does not ask a coordinator).
    Joined { name: String, status: MemberStatus },
    /// Declined: the person is rejected.
    Declined { name: String },
}

pub fn request_key(user: UserId) -> Key {
    Key::new().str("gjoin/").i64(user.0)
}

pub fn attempts_key(user: UserId) -> Key {
    Key::new().str("codefail/").i64(user.0)
}

pub fn rejected_key(centre: CentreId, user: UserId) -> Key {
    Key::new().str("rejected/").u64(centre.0).i64(user.0)
}

pub fn former_key(user: UserId) -> Key {
    Key::new().str("former/").i64(user.0)
}

/// How long a user waits after `failures` wrong codes in a row (none below the free ones).
pub fn backoff(failures: u32) -> Option<Duration> {
    if failures < FREE_ATTEMPTS {
        return None;
    }
    let doublings = (failures - FREE_ATTEMPTS).min(12);
    let secs = (BACKOFF_SECONDS << doublings).min(MAX_BACKOFF_MINUTES * 60);
    Some(Duration::seconds(secs))
}

/// Refuses any code while the user's back-off lasts.
pub fn check_backoff(tx: &Tx, user: UserId, now: DateTime<Utc>) -> Res<()> {
    if let Some(a) = tx.get::<CodeAttempts>(T::Meta, attempts_key(user))? {
        if let Some(until) = a.until.filter(|u| *u > now) {
            return Err(ServiceError::TooManyAttempts { until }.into());
        }
    }
    Ok(())
}

pub fn is_rejected(tx: &Tx, centre: CentreId, user: UserId) -> Res<bool> {
    Ok(tx.contains(T::Meta, rejected_key(centre, user))?)
}

pub fn mark_rejected(tx: &Tx, centre: CentreId, user: UserId) -> Res<()> {
    Ok(tx.mark(T::Meta, rejected_key(centre, user))?)
}

/// A fresh invite code not yet in use: 6 characters without look-alikes (0/O, 1/I).
pub fn new_code(tx: &Tx) -> Res<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    loop {
        let code: String = (0..6).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
        if !tx.contains(T::Invites, code.as_bytes())? {
            return Ok(code);
        }
    }
}

/// A fresh code for a family, the old one forgotten at once.
pub fn replace_family_code(tx: &Tx, fam: &mut Family) -> Res<String> {
    tx.del(T::Invites, fam.invite_code.as_bytes())?;
    let code = new_code(tx)?;
    tx.put(T::Invites, code.as_bytes(), &Invite::Family(fam.id))?;
    fam.invite_code = code.clone();
    put_family(tx, fam)?;
    Ok(code)
}

/// Makes a person a guardian of the family: on its list, with the family's standing.
pub fn admit_guardian(tx: &Tx, fam: &mut Family, m: &Member) -> Res<()> {
    if !fam.guardians.contains(&m.user) {
        fam.guardians.push(m.user);
    }
    put_family(tx, fam)?;
    tx.del(T::Meta, request_key(m.user))?;
    Ok(())
}

/// The open request of `target`, answered by `guardian` (who must be of that family).
fn request_for(tx: &Tx, guardian: UserId, target: UserId) -> Res<(GuardianRequest, Family, Member)> {
    let req: GuardianRequest = tx.get(T::Meta, request_key(target))?.ok_or(ServiceError::UnknownMember)?;
    let g = member(tx, guardian)?;
    let fam = family(tx, req.family)?;
    if g.family != Some(req.family)
        || !fam.guardians.contains(&guardian)
        || !matches!(g.status, MemberStatus::Active | MemberStatus::Pending)
    {
        return Err(ServiceError::NotGuardian.into());
    }
    let m = member(tx, target)?;
    // A family that closed meanwhile takes nobody in.
    if m.status != MemberStatus::Pending || m.family != Some(req.family) || fam.guardians.is_empty() {
        return Err(ServiceError::UnknownMember.into());
    }
    Ok((req, fam, m))
}

impl Service {
    /// Counts a wrong code. From the `FREE_ATTEMPTS`th in a row on, the user must wait
    /// (doubling each time) and is told until when.
    pub(super) fn note_wrong_code(&self, caller: &Caller) -> Result<ServiceError, ServiceError> {
        let now = self.now();
        let user = caller.user;
        self.store
            .write(|tx| -> Res<ServiceError> {
                let mut a = tx.get::<CodeAttempts>(T::Meta, attempts_key(user))?.unwrap_or(CodeAttempts {
                    user,
                    failures: 0,
                    last: now,
                    until: None,
                    last_request: None,
                });
                let replay = caller.request.is_some() && a.last_request == caller.request;
                if !replay {
                    a.failures += 1;
                    a.last = now;
                    a.until = backoff(a.failures).map(|d| now + d);
                    a.last_request = caller.request.clone();
                    tx.put(T::Meta, attempts_key(user), &a)?;
                }
                Ok(match a.until {
                    Some(until) => ServiceError::TooManyAttempts { until },
                    None => ServiceError::UnknownInvite,
                })
            })
            .map_err(ServiceError::from_write)
    }

    /// A guardian confirms the person who used their family's code. Then a coordinator
    /// approves (if the centre's policy asks), or the person joins at once.
    pub fn confirm_guardian(&self, caller: &Caller, target: UserId) -> Result<Outcome<GuardianAnswer>, ServiceError> {
        self.change(caller, |tx, _| {
            let (mut req, mut fam, mut m) = request_for(tx, caller.user, target)?;
            let centre = centre(tx, fam.centre)?;
            let mut notes = vec![];
            if req.confirmed_by.is_some() {
                return Ok((GuardianAnswer::AwaitingCoordinator { name: m.name }, notes));
            }
            if centre.policy.coordinator_confirms_guardians {
                req.confirmed_by = Some(caller.user);
                tx.put(T::Meta, request_key(target), &req)?;
                tell_all(
                    &mut notes,
                    &coordinators(tx, centre.id)?,
                    Event::JoinRequested { user: target, name: m.name.clone() },
                );
                notes.push(Notice { to: target, event: Event::FamilyConfirmed { centre_name: centre.name.clone() } });
                return Ok((GuardianAnswer::AwaitingCoordinator { name: m.name }, notes));
            }
            // The family's standing is its first guardian's: a pending family stays pending.
            let first = member(tx, fam.guardians[0])?;
            m.status = if first.is_active() { MemberStatus::Active } else { MemberStatus::Pending };
            let others: Vec<UserId> = fam.guardians.iter().copied().filter(|g| *g != caller.user).collect();
            tell_all(&mut notes, &others, Event::GuardianJoined { user: target, name: m.name.clone() });
            admit_guardian(tx, &mut fam, &m)?;
            put_member(tx, &m)?;
            let event = if m.is_active() {
                Event::Approved { centre: centre.id, centre_name: centre.name.clone() }
            } else {
                Event::FamilyConfirmed { centre_name: centre.name.clone() }
            };
            notes.push(Notice { to: target, event });
            Ok((GuardianAnswer::Joined { name: m.name.clone(), status: m.status }, notes))
        })
    }

    /// A guardian declines the person who used their family's code: they are rejected
    /// and cannot come back through any code of this centre.
    pub fn decline_guardian(&self, caller: &Caller, target: UserId) -> Result<Outcome<GuardianAnswer>, ServiceError> {
        self.change(caller, |tx, _| {
            let (_, fam, mut m) = request_for(tx, caller.user, target)?;
            let centre = centre(tx, fam.centre)?;
            m.status = MemberStatus::Rejected;
            put_member(tx, &m)?;
            tx.del(T::Meta, request_key(target))?;
            mark_rejected(tx, centre.id, target)?;
            let notes = vec![Notice { to: target, event: Event::Rejected { centre_name: centre.name.clone() } }];
            Ok((GuardianAnswer::Declined { name: m.name }, notes))
        })
    }

    /// `/family newcode`: a guardian replaces the family's invite code.
    pub fn new_family_code(&self, caller: &Caller) -> Result<Outcome<Family>, ServiceError> {
        self.change(caller, |tx, _| {
            let m = active_member(tx, caller.user)?;
            let mut fam = family_of(tx, &m)?;
            if !fam.guardians.contains(&caller.user) {
                return Err(ServiceError::NoFamily.into());
            }
            replace_family_code(tx, &mut fam)?;
            Ok((fam, vec![]))
        })
    }

    /// `/invite new`: a coordinator replaces the centre's invite code.
    pub fn new_centre_code(&self, caller: &Caller) -> Result<Outcome<Centre>, ServiceError> {
        self.change(caller, |tx, now| {
            let coord = coordinator(tx, caller.user)?;
            let mut c = centre(tx, coord.centre)?;
            tx.del(T::Invites, c.invite_code.as_bytes())?;
            let code = new_code(tx)?;
            tx.put(T::Invites, code.as_bytes(), &Invite::Centre(c.id))?;
            c.invite_code = code;
            tx.put(T::Centres, Key::new().u64(c.id.0), &c)?;
            super::audit::record(tx, c.id, caller.user, now, super::AuditAction::CentreCodeReplaced)?;
            Ok((c, vec![]))
        })
    }

    /// Family-code joins of the coordinator's centre still waiting for an answer.
    pub fn guardian_requests(&self, user: UserId) -> Result<Vec<GuardianRequest>, ServiceError> {
        let (_, c) = self.my_coordinated_centre(user)?;
        let prefix = Key::new().str("gjoin/");
        Ok(self
            .store
            .scan::<GuardianRequest>(T::Meta, prefix.bytes())?
            .into_iter()
            .map(|(_, r)| r)
            .filter(|r| r.centre == c.id)
            .collect())
    }

    /// Users who typed wrong codes recently (the last week), most recent first. A wrong
    /// code names no centre, so every coordinator sees them.
    pub fn code_attempts(&self, user: UserId) -> Result<Vec<CodeAttempts>, ServiceError> {
        self.my_coordinated_centre(user)?;
        let since = self.now() - Duration::days(7);
        let prefix = Key::new().str("codefail/");
        let mut list: Vec<CodeAttempts> = self
            .store
            .scan::<CodeAttempts>(T::Meta, prefix.bytes())?
            .into_iter()
            .map(|(_, a)| a)
            .filter(|a| a.failures > 0 && a.last >= since)
            .collect();
        list.sort_by_key(|a| std::cmp::Reverse(a.last));
        Ok(list)
    }

    /// The open family-code request of a user, if any.
    pub fn guardian_request(&self, user: UserId) -> Result<Option<GuardianRequest>, ServiceError> {
        Ok(self.store.get(T::Meta, request_key(user))?)
    }
}
