//! Families imported from a centre's member list (`huzhu import`), and their guardians
//! claiming them by sharing their own phone number with the bot.
//!
//! Records (in `Meta`): `import/fam/` ++ centre ++ family name -> FamilyId,
//! `import/child/` ++ family ++ birth ++ child name -> ChildId, and
//! `import/phone/` ++ normalised phone -> `ImportedGuardian` (which family, and who
//! claimed it).
//!
//! Invariants:
//! - Importing is one transaction and idempotent: a family, child or guardian already
//!   imported is found by its key and not added again.
//! - A phone number belongs to one guardian of one family; a claim is allowed once,
//!   by a person who is not a member yet, and makes them an active guardian of that
//!   family at once (the family's start grant is paid then, as at an approval).
//! - Nobody claims a family except through one of its imported phone numbers.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::records::*;
use super::{AuditAction, Caller, Notice, Outcome, Res, Service, ServiceError};
use crate::domain::*;
use crate::import::{normalise_phone, ImportFamily};
use crate::store::{Key, Tx, T};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedGuardian {
    pub centre: CentreId,
    pub family: FamilyId,
    pub name: String,
    pub claimed_by: Option<UserId>,
}

/// What an import added (all zero: the file was imported before).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub families: u32,
    pub children: u32,
    pub guardians: u32,
}

/// A claim's answer: the centre and family the person now belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claimed {
    pub centre: CentreId,
    pub centre_name: String,
    pub family: FamilyId,
    pub children: Vec<String>,
}

fn family_key(centre: CentreId, name: &str) -> Key {
    Key::new().str("import/fam/").u64(centre.0).str(name)
}

fn child_key(family: FamilyId, birth: NaiveDate, name: &str) -> Key {
    Key::new().str("import/child/").u64(family.0).date(birth).str(name)
}

pub fn phone_key(phone: &str) -> Key {
    Key::new().str("import/phone/").str(phone)
}

fn import_in(tx: &Tx, centre: &Centre, families: &[ImportFamily]) -> Res<ImportSummary> {
    let mut sum = ImportSummary::default();
    for f in families {
        let fid = match tx.get::<FamilyId>(T::Meta, family_key(centre.id, &f.name))? {
            Some(id) => id,
            None => {
                let code = super::access::new_code(tx)?;
                let fam = Family {
                    id: FamilyId(tx.next_id("family")?),
                    centre: centre.id,
                    guardians: vec![],
                    children: vec![],
                    invite_code: code.clone(),
                    overdraft_limit: 0,
                    held: 0,
                    start_granted: false,
                };
                tx.put(T::Invites, code.as_bytes(), &Invite::Family(fam.id))?;
                put_family(tx, &fam)?;
                tx.put(T::Meta, family_key(centre.id, &f.name), &fam.id)?;
                sum.families += 1;
                fam.id
            }
        };
        let mut fam = family(tx, fid)?;
        for c in &f.children {
            let key = child_key(fid, c.birth_date, &c.name);
            if tx.contains(T::Meta, &key)? {
                continue;
            }
            let child = Child {
                id: ChildId(tx.next_id("child")?),
                family: fid,
                centre: centre.id,
                name: c.name.clone(),
                birth_date: c.birth_date,
                notes: None,
            };
            tx.put(T::Children, Key::new().u64(child.id.0), &child)?;
            tx.put(T::Meta, &key, &child.id)?;
            fam.children.push(child.id);
            sum.children += 1;
        }
        put_family(tx, &fam)?;
        for g in &f.guardians {
            match tx.get::<ImportedGuardian>(T::Meta, phone_key(&g.phone))? {
                Some(old) if old.family == fid => {}
                Some(_) => return Err(ServiceError::PhoneTaken(g.phone.clone()).into()),
                None => {
                    let rec =
                        ImportedGuardian { centre: centre.id, family: fid, name: g.name.clone(), claimed_by: None };
                    tx.put(T::Meta, phone_key(&g.phone), &rec)?;
                    sum.guardians += 1;
                }
            }
        }
    }
    Ok(sum)
}

impl Service {
    /// Imports families into a centre (the command line's `huzhu import`), in one
    /// transaction; what was imported before is left as it is.
    pub fn import_families(&self, centre: CentreId, families: &[ImportFamily]) -> Result<ImportSummary, ServiceError> {
        let out = self.change(&Caller::new(UserId(0)), |tx, now| {
            let centre = super::records::centre(tx, centre)?;
            let sum = import_in(tx, &centre, families)?;
            if sum != ImportSummary::default() {
                let action = AuditAction::FamiliesImported {
                    families: sum.families,
                    children: sum.children,
                    guardians: sum.guardians,
                };
                super::audit::record(tx, centre.id, UserId(0), now, action)?;
            }
            Ok((sum, vec![]))
        })?;
        Ok(out.value)
    }

    /// A person shares their own phone number (the bot checked it is their own): if an
    /// imported guardian has it and nobody claimed it, they become that family's active
    /// guardian at once.
    /// `owner` is the contact's own user id: only the sender's own contact counts (a
    /// contact of someone else, forwarded or from the address book, has another or none).
    pub fn claim_phone(
        &self,
        caller: &Caller,
        phone: &str,
        owner: Option<UserId>,
        name: &str,
    ) -> Result<Outcome<Claimed>, ServiceError> {
        if owner != Some(caller.user) {
            return Err(ServiceError::NotOwnContact);
        }
        let phone = normalise_phone(phone).ok_or(ServiceError::PhoneUnknown)?;
        self.change(caller, |tx, now| {
            let mut rec: ImportedGuardian = tx.get(T::Meta, phone_key(&phone))?.ok_or(ServiceError::PhoneUnknown)?;
            if let Some(m) = tx.get::<Member>(T::Members, member_key(caller.user))? {
                if m.status != MemberStatus::Rejected {
                    return Err(ServiceError::AlreadyMember.into());
                }
            }
            if rec.claimed_by.is_some() {
                return Err(ServiceError::PhoneClaimed.into());
            }
            let centre = centre(tx, rec.centre)?;
            let mut fam = family(tx, rec.family)?;
            let shown = if rec.name.is_empty() { name.to_string() } else { rec.name.clone() };
            let m = Member::new(caller.user, centre.id, shown, MemberStatus::Active, Role::Parent, Some(fam.id), now);
            put_member(tx, &m)?;
            fam.guardians.push(caller.user);
            if !fam.start_granted && centre.policy.start_grant_minutes > 0 {
                post(
                    tx,
                    EntryKind::StartGrant,
                    AccountId::Pool(centre.id),
                    AccountId::Family(fam.id),
                    centre.policy.start_grant_minutes,
                    None,
                    None,
                    None,
                    now,
                    "start grant",
                )?;
                fam.start_granted = true;
            }
            put_family(tx, &fam)?;
            rec.claimed_by = Some(caller.user);
            tx.put(T::Meta, phone_key(&phone), &rec)?;
            let mut children = vec![];
            for c in &fam.children {
                if let Some(child) = tx.get::<Child>(T::Children, Key::new().u64(c.0))? {
                    children.push(child.name);
                }
            }
            Ok((
                Claimed { centre: centre.id, centre_name: centre.name, family: fam.id, children },
                Vec::<Notice>::new(),
            ))
        })
    }

    /// The imported guardian record of a phone number (tests and the command line).
    pub fn imported_guardian(&self, phone: &str) -> Result<Option<ImportedGuardian>, ServiceError> {
        let Some(phone) = normalise_phone(phone) else { return Ok(None) };
        Ok(self.store.get(T::Meta, phone_key(&phone))?)
    }
}
