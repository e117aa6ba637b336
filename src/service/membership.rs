//! Centres, joining, approval, roles, families and children.

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::leaving::{cancel_for_departure, drop_for_departure, By};
use super::records::*;
use super::{AuditAction, Caller, Event, Notice, Outcome, Res, Service, ServiceError};
use crate::domain::*;
use crate::policy::Policy;
use crate::store::{Key, Tx, T};

/// What joining by a code did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum JoinResult {
    /// Asked to join a centre; a coordinator must approve.
    Requested { centre_name: String },
    /// Joined an existing family as another guardian.
    JoinedFamily { centre_name: String, status: MemberStatus },
    /// Used a family's code: a guardian of that family confirms first, then (by the
    /// centre's policy) a coordinator.
    AwaitingFamily { centre_name: String },
    /// Came back to the family they left (its balance kept); a coordinator must approve.
    Rejoined { centre_name: String, balance: i64 },
}

const NAME_MAX: usize = 40;
const NOTES_MAX: usize = 300;
const MAX_CHILDREN: usize = 10;

fn new_family(tx: &Tx, centre: CentreId, guardian: UserId) -> Res<Family> {
    let code = super::access::new_code(tx)?;
    let fam = Family {
        id: FamilyId(tx.next_id("family")?),
        centre,
        guardians: vec![guardian],
        children: vec![],
        invite_code: code.clone(),
        overdraft_limit: 0,
        held: 0,
        start_granted: false,
    };
    tx.put(T::Invites, code.as_bytes(), &Invite::Family(fam.id))?;
    put_family(tx, &fam)?;
    Ok(fam)
}

impl Service {
    fn super_admin(&self, user: UserId) -> Result<(), ServiceError> {
        if self.is_super_admin(user) {
            Ok(())
        } else {
            Err(ServiceError::NotSuperAdmin)
        }
    }

    /// A deployment administrator opens a centre.
    pub fn create_centre(
        &self,
        caller: &Caller,
        name: &str,
        timezone: Option<&str>,
    ) -> Result<Outcome<Centre>, ServiceError> {
        self.super_admin(caller.user)?;
        let name = clean_text(name, 60)?;
        let tz: Tz = match timezone {
            Some(t) => t.parse().map_err(|_| ServiceError::UnknownTimezone)?,
            None => self.config.default_tz,
        };
        self.change(caller, |tx, now| {
            let code = super::access::new_code(tx)?;
            let centre = Centre {
                id: CentreId(tx.next_id("centre")?),
                name: name.clone(),
                timezone: tz.name().to_string(),
                invite_code: code.clone(),
                policy: Policy::default(),
                created_at: now,
            };
            tx.put(T::Centres, Key::new().u64(centre.id.0), &centre)?;
            tx.put(T::Invites, code.as_bytes(), &Invite::Centre(centre.id))?;
            let action = AuditAction::CentreCreated { name: centre.name.clone() };
            super::audit::record(tx, centre.id, caller.user, now, action)?;
            Ok((centre, vec![]))
        })
    }

    /// A deployment administrator makes someone a coordinator of a centre.
    pub fn appoint_coordinator(
        &self,
        caller: &Caller,
        target: UserId,
        centre_id: CentreId,
        name: &str,
    ) -> Result<Outcome<Member>, ServiceError> {
        self.super_admin(caller.user)?;
        // Appointed by id alone: a name people can read until they say theirs.
        let name: String = match name.trim() {
            "" => format!("#{target}"),
            n => n.chars().take(NAME_MAX).collect(),
        };
        self.change(caller, |tx, now| {
            let centre = centre(tx, centre_id)?;
            let m = match tx.get::<Member>(T::Members, member_key(target))? {
                Some(m) if m.centre != centre_id && m.status != MemberStatus::Rejected => {
                    return Err(ServiceError::AlreadyMember.into())
                }
                Some(mut m) if m.centre == centre_id => {
                    m.role = Role::Coordinator;
                    m.status = MemberStatus::Active;
                    m
                }
                _ => Member::new(
                    target,
                    centre_id,
                    name.chars().take(NAME_MAX).collect(),
                    MemberStatus::Active,
                    Role::Coordinator,
                    None,
                    now,
                ),
            };
            put_member(tx, &m)?;
            set_coordinator(tx, centre_id, target, true)?;
            super::audit::record(tx, centre_id, caller.user, now, AuditAction::CoordinatorAppointed { user: target })?;
            let note = Notice { to: target, event: Event::MadeCoordinator { centre_name: centre.name } };
            Ok((m, vec![note]))
        })
    }

    /// Joins by a centre invite code (a pending request, a new family, or the family
    /// they left) or a family invite code (a request a guardian of that family answers).
    /// Wrong codes in a row are answered more slowly; a person this centre rejected
    /// cannot come back through any of its codes.
    pub fn join(&self, caller: &Caller, code: &str, name: &str) -> Result<Outcome<JoinResult>, ServiceError> {
        let code = code.trim().to_uppercase();
        let name: String = name.trim().chars().take(NAME_MAX).collect();
        let name = if name.is_empty() { format!("#{}", caller.user) } else { name };
        let r = self.change(caller, |tx, now| {
            super::access::check_backoff(tx, caller.user, now)?;
            let invite: Invite = tx.get(T::Invites, code.as_bytes())?.ok_or(ServiceError::UnknownInvite)?;
            if let Some(existing) = tx.get::<Member>(T::Members, member_key(caller.user))? {
                if existing.status != MemberStatus::Rejected {
                    return Err(ServiceError::AlreadyMember.into());
                }
            }
            let cid = match invite {
                Invite::Centre(cid) => cid,
                Invite::Family(fid) => family(tx, fid)?.centre,
            };
            if super::access::is_rejected(tx, cid, caller.user)? {
                return Err(ServiceError::JoinRefused.into());
            }
            // A right code ends the run of wrong ones.
            tx.del(T::Meta, super::access::attempts_key(caller.user))?;
            let mut notes = vec![];
            // Whoever joins starts as a pending parent of a family, until answered.
            let pending = |centre, fid| {
                Member::new(caller.user, centre, name.clone(), MemberStatus::Pending, Role::Parent, Some(fid), now)
            };
            match invite {
                Invite::Centre(cid) => {
                    let centre = centre(tx, cid)?;
                    let former: Option<super::access::FormerFamily> =
                        tx.get(T::Meta, super::access::former_key(caller.user))?;
                    let returning = match former {
                        Some(f) if f.centre == cid => {
                            Some(family(tx, f.family)?).filter(|fam| fam.guardians.is_empty())
                        }
                        _ => None,
                    };
                    let (fid, result) = match returning {
                        Some(mut fam) => {
                            fam.guardians.push(caller.user);
                            super::access::replace_family_code(tx, &mut fam)?;
                            tx.del(T::Meta, super::access::former_key(caller.user))?;
                            let balance = balance(tx, AccountId::Family(fam.id))?;
                            (fam.id, JoinResult::Rejoined { centre_name: centre.name.clone(), balance })
                        }
                        None => (
                            new_family(tx, cid, caller.user)?.id,
                            JoinResult::Requested { centre_name: centre.name.clone() },
                        ),
                    };
                    let m = pending(cid, fid);
                    put_member(tx, &m)?;
                    tell_all(
                        &mut notes,
                        &coordinators(tx, cid)?,
                        Event::JoinRequested { user: caller.user, name: name.clone() },
                    );
                    Ok((result, notes))
                }
                Invite::Family(fid) => {
                    let fam = family(tx, fid)?;
                    let centre = centre(tx, fam.centre)?;
                    // Not a guardian yet: pending, off the family's list, until answered.
                    let m = pending(fam.centre, fid);
                    put_member(tx, &m)?;
                    let req = super::access::GuardianRequest {
                        user: caller.user,
                        name: name.clone(),
                        family: fid,
                        centre: fam.centre,
                        at: now,
                        confirmed_by: None,
                    };
                    tx.put(T::Meta, super::access::request_key(caller.user), &req)?;
                    tell_family(&mut notes, &fam, Event::GuardianRequested { user: caller.user, name: name.clone() });
                    Ok((JoinResult::AwaitingFamily { centre_name: centre.name }, notes))
                }
            }
        });
        match r {
            Err(ServiceError::UnknownInvite) => Err(self.note_wrong_code(caller)?),
            r => r,
        }
    }

    /// Approves a pending member (or reinstates a suspended one). A family's first
    /// approval pays its start grant.
    pub fn approve_member(&self, caller: &Caller, target: UserId) -> Result<Outcome<Member>, ServiceError> {
        self.change(caller, |tx, now| {
            let coord = coordinator(tx, caller.user)?;
            let mut m = member_in(tx, coord.centre, target)?;
            if !matches!(m.status, MemberStatus::Pending | MemberStatus::Suspended) {
                return Err(ServiceError::UnknownMember.into());
            }
            let centre = centre(tx, coord.centre)?;
            let request: Option<super::access::GuardianRequest> =
                tx.get(T::Meta, super::access::request_key(target))?;
            if let Some(req) = &request {
                // A family code's request: the family answers first.
                if req.confirmed_by.is_none() {
                    return Err(ServiceError::AwaitingGuardian.into());
                }
                let mut fam = family(tx, req.family)?;
                if fam.guardians.is_empty() {
                    // The family closed meanwhile: nobody to join.
                    return Err(ServiceError::UnknownMember.into());
                }
                super::access::admit_guardian(tx, &mut fam, &m)?;
            }
            let action = match &request {
                Some(req) => AuditAction::GuardianApproved { user: target, family: req.family },
                None => AuditAction::MemberApproved { user: target },
            };
            super::audit::record(tx, centre.id, caller.user, now, action)?;
            m.status = MemberStatus::Active;
            put_member(tx, &m)?;
            if m.role == Role::Coordinator {
                // Suspension took a coordinator off the list; reinstatement puts them back.
                set_coordinator(tx, centre.id, target, true)?;
            }
            let mut notes = vec![];
            if let Some(fid) = m.family {
                let mut fam = family(tx, fid)?;
                // Other pending guardians of the family become active with it.
                for g in fam.guardians.clone() {
                    if g != target {
                        let mut other = member(tx, g)?;
                        if other.status == MemberStatus::Pending {
                            other.status = MemberStatus::Active;
                            put_member(tx, &other)?;
                            notes.push(Notice {
                                to: g,
                                event: Event::Approved { centre: centre.id, centre_name: centre.name.clone() },
                            });
                        }
                    }
                }
                if !fam.start_granted && centre.policy.start_grant_minutes > 0 {
                    post(
                        tx,
                        EntryKind::StartGrant,
                        AccountId::Pool(centre.id),
                        AccountId::Family(fid),
                        centre.policy.start_grant_minutes,
                        None,
                        None,
                        Some(caller.user),
                        now,
                        "start grant",
                    )?;
                    fam.start_granted = true;
                    put_family(tx, &fam)?;
                }
            }
            notes.push(Notice {
                to: target,
                event: Event::Approved { centre: centre.id, centre_name: centre.name.clone() },
            });
            Ok((m, notes))
        })
    }

    pub fn reject_member(&self, caller: &Caller, target: UserId) -> Result<Outcome<Member>, ServiceError> {
        self.change(caller, |tx, now| {
            let coord = coordinator(tx, caller.user)?;
            let mut m = member_in(tx, coord.centre, target)?;
            if m.status != MemberStatus::Pending {
                return Err(ServiceError::UnknownMember.into());
            }
            let centre = centre(tx, coord.centre)?;
            m.status = MemberStatus::Rejected;
            put_member(tx, &m)?;
            // No code of this centre lets them in again.
            tx.del(T::Meta, super::access::request_key(target))?;
            super::access::mark_rejected(tx, centre.id, target)?;
            super::audit::record(tx, centre.id, caller.user, now, AuditAction::MemberRejected { user: target })?;
            Ok((m, vec![Notice { to: target, event: Event::Rejected { centre_name: centre.name } }]))
        })
    }

    /// Suspends a member. They leave the rota at once: their signups on shifts not yet
    /// started are dropped (the shift is flagged understaffed and coordinators told if
    /// children no longer fit, and the search for cover starts), their reminders and asks
    /// stop, and they earn nothing afterwards. When no guardian of their family is active
    /// any more, the family's bookings on shifts not yet started are cancelled and their
    /// holds released in full.
    pub fn suspend_member(&self, caller: &Caller, target: UserId) -> Result<Outcome<Member>, ServiceError> {
        // The records to walk: index ranges read inside the change, so a booking or signup
        // made just before it is walked too.
        let from = self.yesterday_anywhere();
        self.change(caller, |tx, now| {
            let coord = coordinator(tx, caller.user)?;
            let mut m = member_in(tx, coord.centre, target)?;
            if m.status != MemberStatus::Active || target == caller.user {
                return Err(ServiceError::UnknownMember.into());
            }
            let centre = centre(tx, coord.centre)?;
            m.status = MemberStatus::Suspended;
            super::audit::record(tx, centre.id, caller.user, now, AuditAction::MemberSuspended { user: target })?;
            if m.role == Role::Coordinator {
                set_coordinator(tx, centre.id, target, false)?;
            }
            put_member(tx, &m)?;
            let mut notes = vec![Notice { to: target, event: Event::Suspended { centre_name: centre.name.clone() } }];
            // Like a departure's, but they count as asked: the search for cover skips them.
            for id in member_signups_from(tx, target, from)? {
                drop_for_departure(tx, &centre, (id, target), true, now, &mut notes)?;
            }
            if let Some(fid) = m.family {
                let fam = family(tx, fid)?;
                let mut anyone_active = false;
                for g in &fam.guardians {
                    anyone_active |= member(tx, *g)?.is_active();
                }
                if !anyone_active {
                    // Released in full: the suspension is the centre's decision.
                    let by = By::Coordinator(caller.user);
                    for id in family_bookings_from(tx, fid, from)? {
                        cancel_for_departure(
                            tx,
                            &centre,
                            (id, fid),
                            by,
                            caller.user,
                            "family suspended",
                            now,
                            &mut notes,
                        )?;
                    }
                }
            }
            Ok((m, notes))
        })
    }

    /// A coordinator sets a member's role (parent, staff or coordinator).
    pub fn set_role(&self, caller: &Caller, target: UserId, role: Role) -> Result<Outcome<Member>, ServiceError> {
        self.change(caller, |tx, now| {
            let coord = coordinator(tx, caller.user)?;
            let mut m = member_in(tx, coord.centre, target)?;
            if !m.is_active() {
                return Err(ServiceError::NotActive(m.status).into());
            }
            m.role = role;
            put_member(tx, &m)?;
            set_coordinator(tx, coord.centre, target, role == Role::Coordinator)?;
            super::audit::record(tx, coord.centre, caller.user, now, AuditAction::RoleSet { user: target, role })?;
            Ok((m, vec![]))
        })
    }

    /// A coordinator gives or takes the professional staff role (`/staff USER on|off`).
    /// A coordinator is staff already; taking it from them is refused (use the role).
    pub fn set_staff(&self, caller: &Caller, target: UserId, on: bool) -> Result<Outcome<Member>, ServiceError> {
        self.change(caller, |tx, now| {
            let coord = coordinator(tx, caller.user)?;
            let mut m = member_in(tx, coord.centre, target)?;
            if !m.is_active() {
                return Err(ServiceError::NotActive(m.status).into());
            }
            match (m.role, on) {
                (Role::Coordinator, false) => return Err(ServiceError::IsCoordinator.into()),
                (Role::Coordinator, true) => {}
                (_, true) => m.role = Role::Staff,
                (_, false) => m.role = Role::Parent,
            }
            put_member(tx, &m)?;
            super::audit::record(tx, coord.centre, caller.user, now, AuditAction::StaffSet { user: target, on })?;
            Ok((m, vec![]))
        })
    }

    /// A coordinator lifts a volunteer's no-show block.
    pub fn lift_block(&self, caller: &Caller, target: UserId) -> Result<Outcome<Member>, ServiceError> {
        self.change(caller, |tx, now| {
            let coord = coordinator(tx, caller.user)?;
            let mut m = member_in(tx, coord.centre, target)?;
            m.block_lifted_at = Some(now);
            m.no_shows_lifted = Some(m.no_shows.len());
            put_member(tx, &m)?;
            super::audit::record(tx, coord.centre, caller.user, now, AuditAction::BlockLifted { user: target })?;
            Ok((m, vec![]))
        })
    }

    /// A guardian adds a child. The returned record leaves the notes out: it is kept as
    /// the request's replay answer, and notes are only ever kept in the child's record.
    pub fn add_child(
        &self,
        caller: &Caller,
        name: &str,
        birth_date: NaiveDate,
        notes: Option<&str>,
    ) -> Result<Outcome<Child>, ServiceError> {
        let name = clean_text(name, NAME_MAX)?;
        let notes = match notes.map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => Some(clean_text(n, NOTES_MAX)?),
            None => None,
        };
        self.change(caller, |tx, now| {
            let m = active_member(tx, caller.user)?;
            let mut fam = family_of(tx, &m)?;
            let centre = centre(tx, m.centre)?;
            let today = now.with_timezone(&centre.tz()).date_naive();
            if birth_date > today {
                return Err(ServiceError::ChildAge(AgeProblem::NotBorn).into());
            }
            if age_in_months(birth_date, today).unwrap_or(0) >= centre.policy.max_age_months {
                let months = age_in_months(birth_date, today).unwrap_or(0);
                return Err(ServiceError::ChildAge(AgeProblem::TooOld {
                    months,
                    max_months: centre.policy.max_age_months,
                })
                .into());
            }
            if fam.children.len() >= MAX_CHILDREN {
                return Err(ServiceError::TooManyChildren.into());
            }
            let child = Child {
                id: ChildId(tx.next_id("child")?),
                family: fam.id,
                centre: m.centre,
                name: name.clone(),
                birth_date,
                notes: notes.clone(),
            };
            tx.put(T::Children, Key::new().u64(child.id.0), &child)?;
            fam.children.push(child.id);
            put_family(tx, &fam)?;
            // The answer is kept for replays (`Processed`): without the notes, which stay
            // in the child's own record only.
            Ok((Child { notes: None, ..child }, vec![]))
        })
    }

    /// A guardian sets (or, with `None` or empty text, clears) a child's notes: allergies
    /// and care needs. The answer (kept for replays) carries no notes.
    pub fn set_child_notes(
        &self,
        caller: &Caller,
        child_id: ChildId,
        notes: Option<&str>,
    ) -> Result<Outcome<ChildId>, ServiceError> {
        let notes = match notes.map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => Some(clean_text(n, NOTES_MAX)?),
            None => None,
        };
        self.change(caller, |tx, _| {
            let m = active_member(tx, caller.user)?;
            let mut child = child_in(tx, m.centre, child_id)?;
            if m.family != Some(child.family) {
                return Err(ServiceError::UnknownChild.into());
            }
            child.notes = notes.clone();
            tx.put(T::Children, Key::new().u64(child.id.0), &child)?;
            Ok((child.id, vec![]))
        })
    }

    pub fn set_language(&self, user: UserId, language: &str) -> Result<Profile, ServiceError> {
        let caller = Caller::new(user);
        let language = language.to_string();
        self.change(&caller, |tx, _| {
            let key = member_key(user);
            let mut p: Profile = tx.get(T::Profiles, &key)?.unwrap_or(Profile { user, ..Profile::default() });
            p.language = Some(language.clone());
            tx.put(T::Profiles, &key, &p)?;
            Ok((p, vec![]))
        })
        .map(|o| o.value)
    }

    pub fn set_unreachable(&self, user: UserId, unreachable: bool) -> Result<(), ServiceError> {
        self.change(&Caller::new(user), |tx, _| Ok((mark_unreachable(tx, user, unreachable)?, vec![]))).map(|_| ())
    }

    // ----- queries -----

    pub fn profile(&self, user: UserId) -> Result<Option<Profile>, ServiceError> {
        Ok(self.store.get(T::Profiles, member_key(user))?)
    }

    pub fn member(&self, user: UserId) -> Result<Option<Member>, ServiceError> {
        Ok(self.store.get(T::Members, member_key(user))?)
    }

    pub fn centre(&self, id: CentreId) -> Result<Option<Centre>, ServiceError> {
        Ok(self.store.get(T::Centres, Key::new().u64(id.0))?)
    }

    pub fn family(&self, id: FamilyId) -> Result<Option<Family>, ServiceError> {
        Ok(self.store.get(T::Families, Key::new().u64(id.0))?)
    }

    pub fn child(&self, id: ChildId) -> Result<Option<Child>, ServiceError> {
        Ok(self.store.get(T::Children, Key::new().u64(id.0))?)
    }

    /// The caller's active membership and centre.
    pub fn my_centre(&self, user: UserId) -> Result<(Member, Centre), ServiceError> {
        let m = self.member(user)?.ok_or(ServiceError::NotRegistered)?;
        if !m.is_active() {
            return Err(ServiceError::NotActive(m.status));
        }
        let c = self.centre(m.centre)?.ok_or(ServiceError::UnknownCentre)?;
        Ok((m, c))
    }

    pub(crate) fn my_coordinated_centre(&self, user: UserId) -> Result<(Member, Centre), ServiceError> {
        let (m, c) = self.my_centre(user)?;
        if !m.is_coordinator() {
            return Err(ServiceError::NotCoordinator);
        }
        Ok((m, c))
    }

    pub fn children(&self, user: UserId) -> Result<Vec<Child>, ServiceError> {
        let (m, _) = self.my_centre(user)?;
        let fam = self.family(m.family.ok_or(ServiceError::NoFamily)?)?.ok_or(ServiceError::NoFamily)?;
        fam.children.iter().filter_map(|c| self.child(*c).transpose()).collect()
    }

    /// The caller's family, for its invite code.
    pub fn my_family(&self, user: UserId) -> Result<Family, ServiceError> {
        let (m, _) = self.my_centre(user)?;
        self.family(m.family.ok_or(ServiceError::NoFamily)?)?.ok_or(ServiceError::NoFamily)
    }

    /// Pending join requests of the coordinator's centre.
    pub fn pending_members(&self, user: UserId) -> Result<Vec<Member>, ServiceError> {
        let (_, c) = self.my_coordinated_centre(user)?;
        Ok(self.members_of(c.id)?.into_iter().filter(|m| m.status == MemberStatus::Pending).collect())
    }

    /// Every member of a centre (broadcasts, cover search).
    pub fn members_of(&self, centre: CentreId) -> Result<Vec<Member>, ServiceError> {
        self.store.read(|tx| centre_members(tx, centre)).map_err(ServiceError::from_write)
    }

    /// The active coordinators of a centre (the record `records::coordinators` reads in
    /// a transaction, read here on its own).
    pub fn coordinators_of(&self, centre: CentreId) -> Result<Vec<UserId>, ServiceError> {
        Ok(self.store.get(T::Meta, coordinators_key(centre))?.unwrap_or_default())
    }

    pub fn centres(&self) -> Result<Vec<Centre>, ServiceError> {
        Ok(self.store.scan::<Centre>(T::Centres, &[])?.into_iter().map(|(_, c)| c).collect())
    }

    /// The day before today anywhere (local dates run up to 14 hours either side of UTC):
    /// where walks over someone's future bookings and signups start.
    pub(crate) fn yesterday_anywhere(&self) -> NaiveDate {
        (self.now() - chrono::Duration::days(1)).date_naive()
    }

    /// Ids of a member's signups on shifts dated `from` on (an index range).
    pub(crate) fn signup_ids_from(&self, user: UserId, from: NaiveDate) -> Result<Vec<SignupId>, ServiceError> {
        self.store.read(|tx| member_signups_from(tx, user, from)).map_err(ServiceError::from_write)
    }

    /// Ids of a family's bookings on shifts dated `from` on (an index range).
    pub(crate) fn booking_ids_from(&self, family: FamilyId, from: NaiveDate) -> Result<Vec<BookingId>, ServiceError> {
        self.store.read(|tx| family_bookings_from(tx, family, from)).map_err(ServiceError::from_write)
    }

    /// The coordinator's own centre, for `/invite`.
    pub fn invite_code(&self, user: UserId) -> Result<Centre, ServiceError> {
        Ok(self.my_coordinated_centre(user)?.1)
    }
}
