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
        SettingChanged { change } => t!(lang, "audit-setting-changed", setting = change.as_command()),
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
#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;
    use crate::service::SettingChange;
    use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};

    fn every_action() -> Vec<AuditAction> {
        use AuditAction::*;
        let (u, f, s) = (UserId(5), FamilyId(3), ShiftId(9));
        let d = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let (a, b) = (NaiveTime::from_hms_opt(9, 0, 0).unwrap(), NaiveTime::from_hms_opt(12, 0, 0).unwrap());
        vec![
            CentreCreated { name: "Sunny".into() },
            CoordinatorAppointed { user: u },
            MemberApproved { user: u },
            MemberRejected { user: u },
            MemberSuspended { user: u },
            RoleSet { user: u, role: Role::Staff },
            StaffSet { user: u, on: true },
            StaffSet { user: u, on: false },
            BlockLifted { user: u },
            MemberRemoved { user: u },
            FamilyRemoved { family: f, guardians: vec![u, UserId(6)] },
            GuardianApproved { user: u, family: f },
            CreditsGranted { user: u, family: f, minutes: 60, memo: "thanks".into() },
            OverdraftSet { user: u, family: f, minutes: 120 },
            ShiftCreated { shift: s, date: d, start: a, end: b },
            TemplateCreated { template: TemplateId(2) },
            ShiftsGenerated { shifts: vec![s, ShiftId(10)] },
            ShiftCancelled { shift: s, reason: "rain".into() },
            DayCancelled { date: d, shifts: vec![s], reason: "rain".into() },
            ShiftMoved { shift: s, date: d, start: a, end: b },
            BookingCancelled { booking: BookingId(4), family: f },
            SignupDropped { signup: SignupId(8), user: u },
            AttendanceRecorded { shift: s, present: 3, absent: 1 },
            ShiftSettled { shift: s },
            SettingChanged { change: SettingChange::CoverBatch(4) },
            BroadcastSent { broadcast: 7, recipients: 30 },
            BroadcastCancelled { broadcast: 7 },
            CentreCodeReplaced,
            FamiliesImported { families: 2, children: 3, guardians: 2 },
        ]
    }

    /// Every action has words in both languages, with every argument filled in.
    #[test]
    fn every_action_is_worded_in_both_languages() {
        let names: HashMap<UserId, String> = [(UserId(5), "李雷".to_string())].into();
        for lang in [Lang::Zh, Lang::En] {
            for a in every_action() {
                let text = action(lang, &names, &a);
                assert!(
                    !text.starts_with("audit-") && !text.contains('{') && !text.is_empty(),
                    "{lang:?} {a:?}: {text}"
                );
                if !a.users().is_empty() {
                    assert!(text.contains("李雷 (5)"), "{lang:?} {a:?}: {text}");
                }
            }
        }
        let centre = Centre {
            id: CentreId(1),
            name: "六和".into(),
            timezone: "Asia/Shanghai".into(),
            invite_code: "ABC234".into(),
            policy: Default::default(),
            created_at: Utc::now(),
        };
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 23, 30, 0).unwrap();
        let e = AuditEntry { seq: 1, centre: CentreId(1), by: UserId(5), at, action: AuditAction::CentreCodeReplaced };
        let text = log(Lang::En, &centre, &[e], &names);
        // 23:30 UTC is 07:30 the next day in Shanghai.
        assert!(text.lines().nth(1).unwrap().starts_with("2026-12-02 07:30 · 李雷 (5) · "), "{text}");
    }
}
