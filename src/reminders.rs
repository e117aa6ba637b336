//! Pure timing rules for automatic messages: when each reminder is due, how quiet hours
//! move it, and how fast the search for cover widens. Times are parameters; nothing
//! here reads a clock or the store.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::domain::local_to_utc;
use crate::policy::Policy;

pub use crate::policy::{read_hhmm, write_hhmm};

/// "HH:MM" from a policy, or `fallback` when the setting is malformed.
pub fn hhmm(s: &str, fallback: NaiveTime) -> NaiveTime {
    read_hhmm(s).unwrap_or(fallback)
}

fn quiet_bounds(policy: &Policy) -> (NaiveTime, NaiveTime) {
    let start = hhmm(&policy.quiet_start, NaiveTime::from_hms_opt(22, 0, 0).expect("22:00"));
    let end = hhmm(&policy.quiet_end, NaiveTime::from_hms_opt(7, 0, 0).expect("07:00"));
    (start, end)
}

/// Whether a local wall time falls in quiet hours (`[start, end)`, which may wrap midnight).
pub fn is_quiet(policy: &Policy, local: NaiveTime) -> bool {
    let (start, end) = quiet_bounds(policy);
    match start.cmp(&end) {
        std::cmp::Ordering::Equal => false,
        std::cmp::Ordering::Less => start <= local && local < end,
        std::cmp::Ordering::Greater => local >= start || local < end,
    }
}

/// A reminder time moved out of quiet hours: to the minute before they begin, never
/// later (a later time could fall after the event).
pub fn out_of_quiet(policy: &Policy, tz: Tz, t: DateTime<Utc>) -> DateTime<Utc> {
    let local = t.with_timezone(&tz).naive_local();
    if !is_quiet(policy, local.time()) {
        return t;
    }
    let (start, _) = quiet_bounds(policy);
    // The quiet period began today if we are past its start, else the day before.
    let began = if local.time() >= start { local.date() } else { local.date() - Duration::days(1) };
    local_to_utc(tz, began.and_time(start)) - Duration::minutes(1)
}

/// One planned reminder: when it is due and what it says about the distance to the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    pub due: DateTime<Utc>,
    /// Hours before the event the reminder was meant for (volunteers); 0 otherwise.
    pub hours: i64,
}

/// What becomes of reminders whose time has passed when they are planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overdue {
    /// Re-planned (the shift moved, the reminder times changed): the latest goes out at
    /// once, since its people have not heard the time it is about.
    AtOnce,
    /// For a booking or signup just made: dropped, since the confirmation the person was
    /// just sent gives the shift's time (a reminder seconds later would only repeat it).
    Skip,
}

/// Keeps reminders that are still ahead; if every one is already past but the event is
/// not, one (the latest) goes out at once when `overdue` says so. An event that has
/// started gets nothing.
fn keep_useful(mut plans: Vec<Planned>, start: DateTime<Utc>, now: DateTime<Utc>, overdue: Overdue) -> Vec<Planned> {
    if start <= now {
        return vec![];
    }
    plans.sort_by_key(|p| p.due);
    if plans.iter().any(|p| p.due > now) || overdue == Overdue::Skip {
        plans.retain(|p| p.due > now);
        plans
    } else {
        plans.last().map(|p| vec![Planned { due: now, hours: p.hours }]).unwrap_or_default()
    }
}

/// A volunteer's reminders for a shift starting at `start`, planned at `now`.
pub fn volunteer_plan(
    policy: &Policy,
    tz: Tz,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
    overdue: Overdue,
) -> Vec<Planned> {
    let plans = policy
        .volunteer_reminder_hours
        .iter()
        .filter(|h| **h > 0)
        .map(|h| Planned { due: out_of_quiet(policy, tz, start - Duration::hours(*h)), hours: *h })
        .collect();
    keep_useful(plans, start, now, overdue)
}

/// A family's reminder for a booking: at `family_reminder_time` the evening before.
pub fn family_plan(
    policy: &Policy,
    tz: Tz,
    date: NaiveDate,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
    overdue: Overdue,
) -> Option<Planned> {
    let at = hhmm(&policy.family_reminder_time, NaiveTime::from_hms_opt(20, 0, 0).expect("20:00"));
    let due = out_of_quiet(policy, tz, local_to_utc(tz, (date - Duration::days(1)).and_time(at)));
    keep_useful(vec![Planned { due, hours: 0 }], start, now, overdue).pop()
}

/// The coordinators' digest of `date`: at `coordinator_digest_time` the day before. A
/// digest whose time has passed still goes out at once while `date` lies ahead; for a
/// day that has already begun there is nothing to plan.
pub fn digest_plan(policy: &Policy, tz: Tz, date: NaiveDate, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let at = hhmm(&policy.coordinator_digest_time, NaiveTime::from_hms_opt(18, 0, 0).expect("18:00"));
    let due = out_of_quiet(policy, tz, local_to_utc(tz, (date - Duration::days(1)).and_time(at)));
    let day_begins = local_to_utc(tz, date.and_time(NaiveTime::MIN));
    if due > now {
        Some(due)
    } else if day_begins > now {
        Some(now)
    } else {
        None
    }
}

/// One round of asking for cover: how many more members to ask now, and when to ask
/// again if the shift still lacks volunteers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoverRound {
    pub batch: usize,
    pub next: Option<DateTime<Utc>>,
}

/// Asks widen as the shift approaches: the base batch more than three days ahead, twice
/// that within three days, four times within a day, everyone left within six hours.
/// Rounds repeat every third of the time left (between 30 minutes and 12 hours) and stop
/// an hour before the start.
pub fn cover_round(policy: &Policy, start: DateTime<Utc>, now: DateTime<Utc>) -> CoverRound {
    let left = start - now;
    let base = policy.cover_batch.max(1) as usize;
    let batch = if left > Duration::hours(72) {
        base
    } else if left > Duration::hours(24) {
        base * 2
    } else if left > Duration::hours(6) {
        base * 4
    } else {
        usize::MAX
    };
    let gap = (left / 3).clamp(Duration::minutes(30), Duration::hours(12));
    let next = (left > Duration::hours(1) && now + gap < start - Duration::hours(1)).then_some(now + gap);
    CoverRound { batch, next }
}

/// When an ask for cover may go out: quiet hours wait for their end, unless the end is
/// too close to the shift (then it goes now; an empty room matters more than sleep).
pub fn ask_time(policy: &Policy, tz: Tz, start: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&tz).naive_local();
    if !is_quiet(policy, local.time()) {
        return now;
    }
    let (_, end) = quiet_bounds(policy);
    let ends_on = if local.time() < end { local.date() } else { local.date() + Duration::days(1) };
    let quiet_over = local_to_utc(tz, ends_on.and_time(end));
    if quiet_over + Duration::hours(2) <= start {
        quiet_over
    } else {
        now
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const TZ: Tz = chrono_tz::Asia::Shanghai;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        TZ.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn quiet_hours_wrap_midnight() {
        let p = Policy::default();
        let t = |s| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        assert!(!is_quiet(&p, t("21:59")));
        assert!(is_quiet(&p, t("22:00")));
        assert!(is_quiet(&p, t("03:00")));
        assert!(is_quiet(&p, t("06:59")));
        assert!(!is_quiet(&p, t("07:00")));
    }

    #[test]
    fn a_reminder_in_quiet_hours_moves_earlier_never_later() {
        let p = Policy::default();
        // 2 h before an 08:00 shift is 06:00: quiet, so 21:59 the evening before.
        assert_eq!(out_of_quiet(&p, TZ, at(2026, 12, 3, 6, 0)), at(2026, 12, 2, 21, 59));
        // 23:30 moves back to 21:59 the same evening.
        assert_eq!(out_of_quiet(&p, TZ, at(2026, 12, 2, 23, 30)), at(2026, 12, 2, 21, 59));
        assert_eq!(out_of_quiet(&p, TZ, at(2026, 12, 2, 12, 0)), at(2026, 12, 2, 12, 0));
    }

    #[test]
    fn volunteer_plan_keeps_future_reminders_or_one_at_once() {
        let p = Policy::default();
        let start = at(2026, 12, 3, 14, 0);
        let plan = volunteer_plan(&p, TZ, start, at(2026, 12, 1, 9, 0), Overdue::Skip);
        assert_eq!(
            plan,
            vec![Planned { due: at(2026, 12, 2, 14, 0), hours: 24 }, Planned { due: at(2026, 12, 3, 12, 0), hours: 2 }]
        );
        // Signed up 10 h before: the 24 h reminder is gone, the 2 h one stays.
        let plan = volunteer_plan(&p, TZ, start, at(2026, 12, 3, 4, 0), Overdue::Skip);
        assert_eq!(plan, vec![Planned { due: at(2026, 12, 3, 12, 0), hours: 2 }]);
        // Signed up 1 h before: nothing (the confirmation gave the time)...
        let now = at(2026, 12, 3, 13, 0);
        assert!(volunteer_plan(&p, TZ, start, now, Overdue::Skip).is_empty());
        // ...but a shift moved to start in an hour: one reminder at once.
        assert_eq!(volunteer_plan(&p, TZ, start, now, Overdue::AtOnce), vec![Planned { due: now, hours: 2 }]);
        // After the start: nothing.
        for overdue in [Overdue::Skip, Overdue::AtOnce] {
            assert!(volunteer_plan(&p, TZ, start, at(2026, 12, 3, 14, 0), overdue).is_empty());
        }
    }

    #[test]
    fn family_and_digest_times() {
        let p = Policy::default();
        let date = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let start = at(2026, 12, 3, 9, 0);
        let early = at(2026, 12, 1, 9, 0);
        assert_eq!(family_plan(&p, TZ, date, start, early, Overdue::Skip).unwrap().due, at(2026, 12, 2, 20, 0));
        // Booked at 21:00 the evening before: no reminder after the confirmation...
        let late = at(2026, 12, 2, 21, 0);
        assert_eq!(family_plan(&p, TZ, date, start, late, Overdue::Skip), None);
        // ...but a shift moved to tomorrow morning at 21:00: reminded at once.
        assert_eq!(family_plan(&p, TZ, date, start, late, Overdue::AtOnce).unwrap().due, late);
        assert_eq!(family_plan(&p, TZ, date, start, start, Overdue::AtOnce), None);
        assert_eq!(digest_plan(&p, TZ, date, at(2026, 12, 1, 9, 0)), Some(at(2026, 12, 2, 18, 0)));
        assert_eq!(digest_plan(&p, TZ, date, late), Some(late));
        assert_eq!(digest_plan(&p, TZ, date, at(2026, 12, 3, 0, 0)), None);
        // A family reminder set inside quiet hours moves before them.
        let p2 = Policy { family_reminder_time: "23:00".into(), ..Policy::default() };
        assert_eq!(family_plan(&p2, TZ, date, start, early, Overdue::Skip).unwrap().due, at(2026, 12, 2, 21, 59));
    }

    #[test]
    fn cover_asks_widen_as_time_runs_out() {
        let p = Policy::default();
        let start = at(2026, 12, 10, 9, 0);
        assert_eq!(cover_round(&p, start, start - Duration::days(5)).batch, 5);
        assert_eq!(cover_round(&p, start, start - Duration::days(2)).batch, 10);
        assert_eq!(cover_round(&p, start, start - Duration::hours(12)).batch, 20);
        assert_eq!(cover_round(&p, start, start - Duration::hours(3)).batch, usize::MAX);
        assert_eq!(
            cover_round(&p, start, start - Duration::days(5)).next,
            Some(start - Duration::days(5) + Duration::hours(12))
        );
        assert_eq!(cover_round(&p, start, start - Duration::minutes(50)).next, None);
        // Asking at 23:00 for a shift at 09:00 waits for 07:00; for one at 08:00 it goes now.
        let night = at(2026, 12, 9, 23, 0);
        assert_eq!(ask_time(&p, TZ, start, night), at(2026, 12, 10, 7, 0));
        assert_eq!(ask_time(&p, TZ, at(2026, 12, 10, 8, 0), night), night);
        assert_eq!(ask_time(&p, TZ, start, at(2026, 12, 9, 12, 0)), at(2026, 12, 9, 12, 0));
    }
}
