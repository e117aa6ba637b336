//! Calendars (`/calendar`): a person's upcoming bookings and shifts as an RFC 5545
//! `.ics` file (icalendar crate), each event with display alarms at the times the bot
//! itself would remind them (the centre's reminder settings, quiet hours included).
//! Times are UTC (`...Z`) so every app places them right; the calendar names the
//! centre's timezone (`X-WR-TIMEZONE`). UIDs are fixed by the booking or signup, so
//! importing a newer file updates events instead of doubling them.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use icalendar::{Alarm, Calendar, Component, EventLike, Trigger};

use crate::policy::Policy;
use crate::reminders;

/// One event of the calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct CalEvent {
    pub uid: String,
    pub summary: String,
    pub description: String,
    pub location: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Minutes before the start each alarm rings, with its text.
    pub alarms: Vec<(i64, String)>,
}

/// A booking's event UID.
pub fn booking_uid(booking: u64, centre: u64) -> String {
    format!("booking-{booking}.centre-{centre}@huzhu")
}

/// A volunteer signup's event UID.
pub fn signup_uid(signup: u64, centre: u64) -> String {
    format!("signup-{signup}.centre-{centre}@huzhu")
}

/// Minutes before `start` the family's evening-before reminder goes out.
pub fn family_alarm(policy: &Policy, tz: Tz, date: NaiveDate, start: DateTime<Utc>) -> Vec<i64> {
    reminders::family_plan(policy, tz, date, start, DateTime::<Utc>::MIN_UTC, reminders::Overdue::Skip)
        .map(|p| (start - p.due).num_minutes())
        .into_iter()
        .collect()
}

/// Minutes before `start` each volunteer reminder goes out.
pub fn volunteer_alarms(policy: &Policy, tz: Tz, start: DateTime<Utc>) -> Vec<i64> {
    reminders::volunteer_plan(policy, tz, start, DateTime::<Utc>::MIN_UTC, reminders::Overdue::Skip)
        .into_iter()
        .map(|p| (start - p.due).num_minutes())
        .collect()
}

/// The calendar file (UTF-8, CRLF lines as RFC 5545 asks).
pub fn calendar(name: &str, tz: Tz, events: &[CalEvent], stamp: DateTime<Utc>) -> Vec<u8> {
    let mut cal = Calendar::new();
    cal.name(name).timezone(tz.name());
    for e in events {
        let mut ev = icalendar::Event::new();
        ev.uid(&e.uid)
            .timestamp(stamp)
            .summary(&e.summary)
            .description(&e.description)
            .location(&e.location)
            .starts(e.start)
            .ends(e.end);
        for (minutes, text) in &e.alarms {
            // The crate gives an alarm a random UID and the wall clock's DTSTAMP; fixed
            // ones keep the file the same for the same data.
            let mut alarm = Alarm::display(text, Trigger::before_start(Duration::minutes(*minutes)));
            alarm.uid(&format!("{}.alarm-{minutes}", e.uid)).timestamp(stamp);
            ev.alarm(alarm);
        }
        cal.push(ev.done());
    }
    cal.done().to_string().into_bytes()
}
