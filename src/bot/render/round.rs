//! The allocation round's words: a family's result, the coordinator's preview and
//! commit, the `/wish` flow's steps, and the round's refusals.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::{date, hm, shift, Reply};
use crate::domain::RoundStatus;
use crate::domain::{Miss, Round};
use crate::i18n::Lang;
use crate::service::{RoundChild, RoundPlan, RoundSummary, ServiceError, ShiftBrief};
use crate::t;

/// "2026-12-04 20:00" in the centre's time.
pub fn local(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

pub fn deadline(tz: Tz, t: DateTime<Utc>) -> String {
    local(t.with_timezone(&tz).naive_local())
}

fn why(lang: Lang, m: Miss) -> String {
    t!(
        lang,
        match m {
            Miss::Full => "round-why-full",
            Miss::Caregivers => "round-why-caregivers",
            Miss::Credit => "round-why-credit",
            Miss::Overlap => "round-why-overlap",
            Miss::Enough | Miss::Unavailable => "round-why-unavailable",
        }
    )
}

/// One child's lines: what it got, and why not the rest.
fn child_lines(lang: Lang, c: &RoundChild) -> String {
    let mut text = if c.got.is_empty() {
        t!(lang, "round-child-none", child = c.child.as_str())
    } else {
        let got: Vec<String> = c.got.iter().map(|s| shift(lang, s)).collect();
        t!(lang, "round-child-got", child = c.child.as_str(), shifts = got.join(", "))
    };
    for (s, m) in &c.missed {
        text.push('\n');
        text.push_str(&t!(lang, "round-miss", shift = shift(lang, s), why = why(lang, *m)));
    }
    text
}

/// What the round gave a family (the `RoundResult` job's message).
pub fn result(lang: Lang, week: NaiveDate, children: &[RoundChild]) -> Reply {
    let mut text = t!(lang, "round-result-title", week = date(lang, week));
    for c in children {
        text.push('\n');
        text.push_str(&child_lines(lang, c));
    }
    text.push('\n');
    text.push_str(&t!(lang, "round-result-free"));
    Reply::text(text)
}

/// The coordinator's view of a plan (preview, or what a commit booked).
pub fn plan(lang: Lang, tz: Tz, p: &RoundPlan, committed: bool) -> String {
    let r = &p.round;
    let key = if committed { "round-committed" } else { "round-preview" };
    let mut text = t!(
        lang,
        key,
        week = date(lang, r.week_start),
        deadline = deadline(tz, r.deadline),
        placed = p.placed,
        children = p.children.len(),
        seed = r.seed.to_string()
    );
    for c in &p.children {
        text.push('\n');
        text.push_str(&child_lines(lang, &c.result));
    }
    text
}

/// What a committed round did, for the coordinators (the `RoundSummary` job's message).
pub fn summary(lang: Lang, s: &RoundSummary) -> Reply {
    Reply::text(t!(
        lang,
        "round-summary",
        week = date(lang, s.week),
        placed = s.placed,
        children = s.children,
        children_placed = s.children_placed,
        families = s.families,
        families_placed = s.families_placed,
        full = s.full,
        caregivers = s.caregivers,
        credit = s.credit,
        other = s.other,
        seed = s.seed.to_string()
    ))
}

/// `/round status`: each round's week and state, newest first.
pub fn status(lang: Lang, tz: Tz, rounds: &[Round], now: DateTime<Utc>) -> String {
    if rounds.is_empty() {
        return t!(lang, "round-status-none");
    }
    let mut text = t!(lang, "round-status-title");
    for r in rounds {
        let week = date(lang, r.week_start);
        let line = match r.status {
            RoundStatus::Open if r.deadline > now => t!(
                lang,
                "round-status-open",
                id = r.id.0,
                week = week,
                deadline = deadline(tz, r.deadline),
                children = r.children.len(),
                monday = r.week_start.to_string()
            ),
            RoundStatus::Open => {
                t!(lang, "round-status-due", id = r.id.0, week = week, deadline = deadline(tz, r.deadline))
            }
            RoundStatus::Committed => t!(
                lang,
                "round-status-committed",
                id = r.id.0,
                week = week,
                at = deadline(tz, r.committed_at.unwrap_or(r.deadline)),
                placed = r.placed,
                children = r.children.len(),
                seed = r.seed.to_string()
            ),
        };
        text.push('\n');
        text.push_str(&line);
    }
    text
}

pub fn opened(lang: Lang, tz: Tz, r: &Round) -> String {
    t!(lang, "round-opened", id = r.id.0, week = date(lang, r.week_start), deadline = deadline(tz, r.deadline))
}

/// The shifts picked so far, in order ("1. #12 …").
pub fn picked(lang: Lang, shifts: &[ShiftBrief]) -> String {
    if shifts.is_empty() {
        return t!(lang, "wish-none-yet");
    }
    shifts.iter().enumerate().map(|(i, s)| format!("{}. {}", i + 1, shift(lang, s))).collect::<Vec<_>>().join("\n")
}

/// A shift's button label: "周一 09:00-12:00" style, short.
pub fn shift_button(lang: Lang, s: &ShiftBrief) -> String {
    format!("{} {}-{}", date(lang, s.date), hm(s.start), hm(s.end))
}

/// The round's refusals (`None`: not one of them).
pub fn error(lang: Lang, e: &ServiceError) -> Option<String> {
    use ServiceError::*;
    Some(match e {
        RoundOpen { deadline } => t!(lang, "err-round-open", deadline = local(*deadline)),
        RoundExists => t!(lang, "err-round-exists"),
        UnknownRound => t!(lang, "err-unknown-round"),
        RoundClosed => t!(lang, "err-round-closed"),
        BadRoundDates => t!(lang, "err-round-dates"),
        ShiftNotInRound => t!(lang, "err-shift-not-in-round"),
        BadWish { max } => t!(lang, "err-bad-wish", max = *max),
        NoWishRound { week, closed, open } => {
            let key = if *closed { "err-wish-week-closed" } else { "err-wish-week-none" };
            let mut text = t!(lang, key, week = date(lang, *week));
            text.push('\n');
            if open.is_empty() {
                text.push_str(&t!(lang, "err-wish-weeks-none"));
            } else {
                let list: Vec<String> = open.iter().map(|d| format!("/wish {d}")).collect();
                text.push_str(&t!(lang, "err-wish-weeks-open", weeks = list.join(", ")));
            }
            text
        }
        _ => return None,
    })
}
