//! The audit log as text: one line per entry, in the centre's timezone, each action
//! worded from the Fluent files (`records.ftl`).

use std::collections::HashMap;

use crate::domain::{Centre, Role, UserId};
use crate::i18n::Lang;
use crate::service::{AuditAction, AuditEntry};
use crate::t;

/// `/audit`'s reply: a heading, then the newest entries first.
pub fn log(lang: Lang, centre: &Centre, entries: &[AuditEntry], names: &HashMap<UserId, String>) -> String {
    if entries.is_empty() {
        return t!(lang, "audit-empty", centre = centre.name.clone());
    }
    let mut out = t!(lang, "audit-title", centre = centre.name.clone(), count = entries.len());
    for e in entries {
        let at = e.at.with_timezone(&centre.tz()).format("%Y-%m-%d %H:%M").to_string();
        out.push('\n');
        out.push_str(&t!(
            lang,
            "audit-line",
            at = at,
            by = who(lang, names, e.by),
            what = action(lang, names, &e.action)
        ));
    }
    out
}

fn who(lang: Lang, names: &HashMap<UserId, String>, u: UserId) -> String {
    if u == UserId(0) {
        return t!(lang, "audit-by-cli");
    }
    match names.get(&u) {
        // Someone appointed by id alone is named "#id" until they say their name.
        Some(n) if *n != u.to_string() && *n != format!("#{u}") => format!("{n} ({u})"),
        _ => u.to_string(),
    }
}

fn ids<T: std::fmt::Display>(list: &[T]) -> String {
    list.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(", ")
}

/// One action in words. Every variant has its own Fluent key.
pub fn action(lang: Lang, names: &HashMap<UserId, String>, a: &AuditAction) -> String {
    use AuditAction::*;
    let w = |u: &UserId| who(lang, names, *u);
    match a {
        CentreCreated { name } => t!(lang, "audit-centre-created", name = name.clone()),
        CoordinatorAppointed { user } => t!(lang, "audit-coordinator-appointed", user = w(user)),
        MemberApproved { user } => t!(lang, "audit-member-approved", user = w(user)),
        MemberRejected { user } => t!(lang, "audit-member-rejected", user = w(user)),
        MemberSuspended { user } => t!(lang, "audit-member-suspended", user = w(user)),
        RoleSet { user, role } => {
            let role = match role {
                Role::Parent => "parent",
                Role::Staff => "staff",
                Role::Coordinator => "coordinator",
            };
            t!(lang, "audit-role-set", user = w(user), role = role)
        }
        StaffSet { user, on } => t!(lang, "audit-staff-set", user = w(user), on = if *on { "on" } else { "off" }),
        BlockLifted { user } => t!(lang, "audit-block-lifted", user = w(user)),
        MemberRemoved { user } => t!(lang, "audit-member-removed", user = w(user)),
        FamilyRemoved { family, guardians } => {
            let who: Vec<String> = guardians.iter().map(w).collect();
            t!(lang, "audit-family-removed", family = family.0, guardians = who.join(", "))
        }
        GuardianApproved { user, family } => t!(lang, "audit-guardian-approved", user = w(user), family = family.0),
        CreditsGranted { user, minutes, memo, .. } => {
            t!(lang, "audit-credits-granted", user = w(user), minutes = *minutes, memo = memo.clone())
        }
        OverdraftSet { user, minutes, .. } => t!(lang, "audit-overdraft-set", user = w(user), minutes = *minutes),
        ShiftCreated { shift, date, start, end } => t!(
            lang,
            "audit-shift-created",
            shift = shift.0,
            date = date.to_string(),
            start = super::hm(*start),
            end = super::hm(*end)
        ),
        TemplateCreated { template } => t!(lang, "audit-template-created", template = template.0),
        ShiftsGenerated { shifts } => t!(lang, "audit-shifts-generated", count = shifts.len(), shifts = ids(shifts)),
        ShiftCancelled { shift, reason } => t!(lang, "audit-shift-cancelled", shift = shift.0, reason = reason.clone()),
        DayCancelled { date, shifts, reason } => {
            t!(lang, "audit-day-cancelled", date = date.to_string(), shifts = ids(shifts), reason = reason.clone())
        }
        ShiftMoved { shift, date, start, end } => t!(
            lang,
            "audit-shift-moved",
            shift = shift.0,
            date = date.to_string(),
            start = super::hm(*start),
            end = super::hm(*end)
        ),
        BookingCancelled { booking, family } => {
            t!(lang, "audit-booking-cancelled", booking = booking.0, family = family.0)
        }
        SignupDropped { signup, user } => t!(lang, "audit-signup-dropped", signup = signup.0, user = w(user)),
        AttendanceRecorded { shift, present, absent } => {
            t!(lang, "audit-attendance", shift = shift.0, present = *present, absent = *absent)
        }
        ShiftSettled { shift } => t!(lang, "audit-shift-settled", shift = shift.0),
        SettingChanged { change } => t!(lang, "audit-setting-changed", setting = setting(change)),
        BroadcastSent { broadcast, recipients } => {
            t!(lang, "audit-broadcast-sent", broadcast = *broadcast, recipients = *recipients)
        }
        BroadcastCancelled { broadcast } => t!(lang, "audit-broadcast-cancelled", broadcast = *broadcast),
        CentreCodeReplaced => t!(lang, "audit-centre-code-replaced"),
        FamiliesImported { families, children, guardians } => {
            t!(lang, "audit-families-imported", families = *families, children = *children, guardians = *guardians)
        }
    }
}

/// A setting change as `Name = value` (the names are the settings' own, as stored).
fn setting(change: &crate::service::SettingChange) -> String {
    match serde_json::to_value(change) {
        Ok(serde_json::Value::Object(m)) => m.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join(", "),
        Ok(v) => v.to_string(),
        Err(_) => String::new(),
    }
}
