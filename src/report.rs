//! A centre's month in figures (`/report`), pure: plain facts about the month's shifts
//! and credit movements in, figures, daily series and a fill-rate grid out. The service
//! gathers the facts from index ranges (`service::report`); rendering is the bot's.
//!
//! What counts (each figure for the month, and the month before for the change):
//! - a shift counts unless it was cancelled; its places are `capacity` (offered);
//! - a booking took a place when it is confirmed, attended or a no-show (booked);
//! - a child was served by a confirmed or attended booking (child-minutes: the shift's
//!   length per such booking); families active: those with a child served or a
//!   volunteer who served (signed up, confirmed or served);
//! - volunteer minutes: the shift's length per such signup; staff minutes: the shift's
//!   professional staff times its length;
//! - the waitlist that never got in: bookings still waiting when the month was read
//!   (settlement turns them into cancellations, which keep no trace of the wait, so a
//!   settled shift's waiting children are counted from `waited`: bookings cancelled at
//!   settlement while waitlisted);
//! - no-shows: children's and volunteers' separately;
//! - credits issued: everything the centre's pool paid out (start grants, grants,
//!   earnings); spent: everything paid into it (care, penalties, corrections).
//!
//! Integer arithmetic only (minutes, per-mille).

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike, Weekday};
use std::collections::BTreeSet;
use std::fmt;

use crate::domain::{BookingStatus, ChildId, FamilyId, SignupStatus, UserId};

/// A calendar month, as typed (`2026-12`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    /// `YYYY-MM` (also `YYYY/MM`, `YYYY.MM`), years 2000 to 2200.
    pub fn parse(s: &str) -> Option<Month> {
        let s = s.replace(['/', '.'], "-");
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.is_empty() || m.len() > 2 {
            return None;
        }
        let (year, month) = (y.parse().ok()?, m.parse().ok()?);
        ((2000..=2200).contains(&year) && (1..=12).contains(&month)).then_some(Month { year, month })
    }
    pub fn of(d: NaiveDate) -> Month {
        Month { year: d.year(), month: d.month() }
    }
    pub fn first(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }
    pub fn last(self) -> NaiveDate {
        self.next().first().pred_opt().unwrap_or(NaiveDate::MAX)
    }
    pub fn prev(self) -> Month {
        if self.month == 1 {
            Month { year: self.year - 1, month: 12 }
        } else {
            Month { year: self.year, month: self.month - 1 }
        }
    }
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month { year: self.year + 1, month: 1 }
        } else {
            Month { year: self.year, month: self.month + 1 }
        }
    }
    pub fn contains(self, d: NaiveDate) -> bool {
        Month::of(d) == self
    }
    pub fn days(self) -> impl Iterator<Item = NaiveDate> {
        let last = self.last();
        self.first().iter_days().take_while(move |d| *d <= last)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A booking as the report sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingFact {
    pub family: FamilyId,
    pub child: ChildId,
    pub status: BookingStatus,
    /// Cancelled at settlement while still on the waitlist (it never got in).
    pub waited: bool,
}

/// A volunteer signup as the report sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct SignupFact {
    pub user: UserId,
    pub family: Option<FamilyId>,
    pub status: SignupStatus,
}

/// A shift as the report sees it (dates and times local to the centre).
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftFacts {
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub minutes: i64,
    pub capacity: u32,
    pub staff: u32,
    pub cancelled: bool,
    pub bookings: Vec<BookingFact>,
    pub signups: Vec<SignupFact>,
}

/// One credit movement of the centre's pool, on its local date: out of the pool
/// (issued) or into it (spent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Movement {
    pub date: NaiveDate,
    pub issued: i64,
    pub spent: i64,
}

/// The month's figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub families: i64,
    pub children: i64,
    pub child_minutes: i64,
    pub volunteer_minutes: i64,
    pub staff_minutes: i64,
    pub offered: i64,
    pub booked: i64,
    pub waitlist_unserved: i64,
    pub child_no_shows: i64,
    pub volunteer_no_shows: i64,
    pub credits_issued: i64,
    pub credits_spent: i64,
}

impl Figures {
    /// Booked / offered places, in per-mille (None when nothing was offered).
    pub fn fill_permille(&self) -> Option<i64> {
        permille(self.booked, self.offered)
    }
}

/// `part / whole` in per-mille, rounded half up.
pub fn permille(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (part * 1000 + whole / 2) / whole)
}

/// The figures a report shows, in its order; `value` reads one from `Figures`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Families,
    Children,
    ChildMinutes,
    VolunteerMinutes,
    StaffMinutes,
    FillRate,
    Offered,
    Booked,
    WaitlistUnserved,
    ChildNoShows,
    VolunteerNoShows,
    CreditsIssued,
    CreditsSpent,
}

impl Metric {
    pub const ALL: [Metric; 13] = [
        Metric::Families,
        Metric::Children,
        Metric::ChildMinutes,
        Metric::VolunteerMinutes,
        Metric::StaffMinutes,
        Metric::FillRate,
        Metric::Offered,
        Metric::Booked,
        Metric::WaitlistUnserved,
        Metric::ChildNoShows,
        Metric::VolunteerNoShows,
        Metric::CreditsIssued,
        Metric::CreditsSpent,
    ];

    /// The figure (minutes for hours and credits, per-mille for the fill rate; None: no
    /// place was offered).
    pub fn value(self, f: &Figures) -> Option<i64> {
        Some(match self {
            Metric::Families => f.families,
            Metric::Children => f.children,
            Metric::ChildMinutes => f.child_minutes,
            Metric::VolunteerMinutes => f.volunteer_minutes,
            Metric::StaffMinutes => f.staff_minutes,
            Metric::FillRate => return f.fill_permille(),
            Metric::Offered => f.offered,
            Metric::Booked => f.booked,
            Metric::WaitlistUnserved => f.waitlist_unserved,
            Metric::ChildNoShows => f.child_no_shows,
            Metric::VolunteerNoShows => f.volunteer_no_shows,
            Metric::CreditsIssued => f.credits_issued,
            Metric::CreditsSpent => f.credits_spent,
        })
    }

    /// How the figure reads: a count, minutes shown as hours, or a per-mille rate.
    pub fn unit(self) -> Unit {
        match self {
            Metric::ChildMinutes
            | Metric::VolunteerMinutes
            | Metric::StaffMinutes
            | Metric::CreditsIssued
            | Metric::CreditsSpent => Unit::Minutes,
            Metric::FillRate => Unit::Permille,
            _ => Unit::Count,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Minutes,
    Permille,
}

/// One day of the month: the chart's lines and the daily table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRow {
    pub date: NaiveDate,
    pub child_minutes: i64,
    pub volunteer_minutes: i64,
    pub offered: i64,
    pub booked: i64,
}

/// Parts of the day a shift starts in (the fill grid's rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DayPart {
    Morning,
    Afternoon,
    Evening,
}

impl DayPart {
    pub const ALL: [DayPart; 3] = [DayPart::Morning, DayPart::Afternoon, DayPart::Evening];
    /// Before noon, noon to 17:00, from 17:00.
    pub fn of(t: NaiveTime) -> DayPart {
        match t.hour() {
            0..=11 => DayPart::Morning,
            12..=16 => DayPart::Afternoon,
            _ => DayPart::Evening,
        }
    }
}

/// Places offered and booked on one weekday in one part of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FillCell {
    pub weekday: Weekday,
    pub part: DayPart,
    pub offered: i64,
    pub booked: i64,
}

/// Everything `/report` shows for one centre and month.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthReport {
    pub month: Month,
    pub current: Figures,
    pub previous: Figures,
    pub days: Vec<DayRow>,
    /// Monday to Sunday, each with its three parts of the day.
    pub fill: Vec<FillCell>,
}

fn took_place(s: BookingStatus) -> bool {
    matches!(s, BookingStatus::Confirmed | BookingStatus::Attended | BookingStatus::NoShow)
}

fn served(s: BookingStatus) -> bool {
    matches!(s, BookingStatus::Confirmed | BookingStatus::Attended)
}

fn volunteered(s: SignupStatus) -> bool {
    matches!(s, SignupStatus::SignedUp | SignupStatus::Confirmed | SignupStatus::Served)
}

/// The figures of `month` from the shifts and pool movements given (others are ignored).
pub fn figures(shifts: &[ShiftFacts], moves: &[Movement], month: Month) -> Figures {
    let mut f = Figures::default();
    let mut families = BTreeSet::new();
    let mut children = BTreeSet::new();
    for s in shifts.iter().filter(|s| month.contains(s.date) && !s.cancelled) {
        f.offered += s.capacity as i64;
        f.staff_minutes += s.staff as i64 * s.minutes;
        for b in &s.bookings {
            if took_place(b.status) {
                f.booked += 1;
            }
            if served(b.status) {
                families.insert(b.family);
                children.insert(b.child);
                f.child_minutes += s.minutes;
            }
            if b.status == BookingStatus::NoShow {
                f.child_no_shows += 1;
            }
            if b.status == BookingStatus::Waitlisted || b.waited {
                f.waitlist_unserved += 1;
            }
        }
        for v in &s.signups {
            if volunteered(v.status) {
                f.volunteer_minutes += s.minutes;
                families.extend(v.family);
            }
            if v.status == SignupStatus::NoShow {
                f.volunteer_no_shows += 1;
            }
        }
    }
    for m in moves.iter().filter(|m| month.contains(m.date)) {
        f.credits_issued += m.issued;
        f.credits_spent += m.spent;
    }
    f.families = families.len() as i64;
    f.children = children.len() as i64;
    f
}

/// The report of `month` (and the change from the month before).
pub fn build(shifts: &[ShiftFacts], moves: &[Movement], month: Month) -> MonthReport {
    let mut days: Vec<DayRow> = month
        .days()
        .map(|date| DayRow { date, child_minutes: 0, volunteer_minutes: 0, offered: 0, booked: 0 })
        .collect();
    let weekdays = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];
    let mut fill: Vec<FillCell> = weekdays
        .iter()
        .flat_map(|w| DayPart::ALL.iter().map(move |p| FillCell { weekday: *w, part: *p, offered: 0, booked: 0 }))
        .collect();
    for s in shifts.iter().filter(|s| month.contains(s.date) && !s.cancelled) {
        let booked = s.bookings.iter().filter(|b| took_place(b.status)).count() as i64;
        let day = &mut days[s.date.day0() as usize];
        day.offered += s.capacity as i64;
        day.booked += booked;
        day.child_minutes += s.bookings.iter().filter(|b| served(b.status)).count() as i64 * s.minutes;
        day.volunteer_minutes += s.signups.iter().filter(|v| volunteered(v.status)).count() as i64 * s.minutes;
        let cell = s.date.weekday().num_days_from_monday() as usize * 3
            + DayPart::ALL.iter().position(|p| *p == DayPart::of(s.start)).unwrap_or(0);
        fill[cell].offered += s.capacity as i64;
        fill[cell].booked += booked;
    }
    MonthReport {
        month,
        current: figures(shifts, moves, month),
        previous: figures(shifts, moves, month.prev()),
        days,
        fill,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use BookingStatus::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn t(h: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, 0, 0).unwrap()
    }
    fn b(family: u64, child: u64, status: BookingStatus) -> BookingFact {
        BookingFact { family: FamilyId(family), child: ChildId(child), status, waited: false }
    }
    fn v(user: i64, family: Option<u64>, status: SignupStatus) -> SignupFact {
        SignupFact { user: UserId(user), family: family.map(FamilyId), status }
    }
    fn shift(date: &str, start: u32, hours: i64, capacity: u32, staff: u32) -> ShiftFacts {
        ShiftFacts {
            date: d(date),
            start: t(start),
            minutes: hours * 60,
            capacity,
            staff,
            cancelled: false,
            bookings: vec![],
            signups: vec![],
        }
    }

    #[test]
    fn months_parse_and_step() {
        assert_eq!(Month::parse("2026-12"), Some(Month { year: 2026, month: 12 }));
        assert_eq!(Month::parse("2026/3"), Some(Month { year: 2026, month: 3 }));
        assert_eq!(Month::parse("2026-13"), None);
        assert_eq!(Month::parse("2026-00"), None);
        assert_eq!(Month::parse("26-12"), None);
        assert_eq!(Month::parse("99999-1"), None);
        assert_eq!(Month::parse("december"), None);
        let dec = Month::parse("2026-12").unwrap();
        assert_eq!(dec.next().to_string(), "2027-01");
        assert_eq!(dec.next().prev(), dec);
        assert_eq!(Month::parse("2027-01").unwrap().prev().to_string(), "2026-12");
        assert_eq!(dec.last(), d("2026-12-31"));
        assert_eq!(Month::parse("2028-02").unwrap().last(), d("2028-02-29"));
        assert_eq!(dec.days().count(), 31);
    }

    /// A generated December (and a November to compare with), the figures worked out by
    /// hand in the comments.
    #[test]
    fn a_generated_month_gives_the_figures_worked_out_by_hand() {
        let mut shifts = vec![];
        // Every Monday of December 2026 (7, 14, 21, 28), 09:00-12:00, 10 places, 1 staff:
        // families 1 and 2 (children 11, 12, 21) attend; volunteer 100 of family 1 serves.
        for day in ["2026-12-07", "2026-12-14", "2026-12-21", "2026-12-28"] {
            let mut s = shift(day, 9, 3, 10, 1);
            s.bookings = vec![b(1, 11, Attended), b(1, 12, Attended), b(2, 21, Attended)];
            s.signups = vec![v(100, Some(1), SignupStatus::Served)];
            shifts.push(s);
        }
        // Wednesday 2 December, 14:00-16:00, 4 places, no staff: family 3's child 31 is a
        // no-show, family 2's child 21 attends, child 41 (family 4) is still waiting, a
        // cancelled booking (family 5) counts for nothing; volunteer 200 (no family) is a
        // no-show, volunteer 300 (family 3) serves.
        let mut wed = shift("2026-12-02", 14, 2, 4, 0);
        wed.bookings = vec![b(3, 31, NoShow), b(2, 21, Attended), b(4, 41, Waitlisted), b(5, 51, Cancelled)];
        wed.signups = vec![v(200, None, SignupStatus::NoShow), v(300, Some(3), SignupStatus::Served)];
        shifts.push(wed);
        // Saturday 5 December, 18:00-20:00, 6 places: cancelled, counts for nothing.
        let mut gone = shift("2026-12-05", 18, 2, 6, 2);
        gone.cancelled = true;
        gone.bookings = vec![b(6, 61, Cancelled)];
        shifts.push(gone);
        // Thursday 31 December, 17:00-19:00, 5 places, 1 staff: child 71 (family 7)
        // booked for later (confirmed), child 72 waited and was let go at settlement.
        let mut eve = shift("2026-12-31", 17, 2, 5, 1);
        eve.bookings = vec![b(7, 71, Confirmed), BookingFact { waited: true, ..b(7, 72, Cancelled) }];
        shifts.push(eve);
        // November: one shift of 2 hours, 8 places, 1 staff, child 11 attends.
        let mut nov = shift("2026-11-30", 9, 2, 8, 1);
        nov.bookings = vec![b(1, 11, Attended)];
        shifts.push(nov);
        let moves = [
            Movement { date: d("2026-12-01"), issued: 600, spent: 0 },
            Movement { date: d("2026-12-15"), issued: 180, spent: 540 },
            Movement { date: d("2026-11-30"), issued: 0, spent: 120 },
            Movement { date: d("2027-01-01"), issued: 999, spent: 999 },
        ];
        let dec = Month::parse("2026-12").unwrap();
        let r = build(&shifts, &moves, dec);

        // Families: 1, 2 (Mondays), 3 (volunteer 300; its child was a no-show), 7. Family
        // 4 only waited, 5 cancelled, 6's shift was cancelled.
        assert_eq!(r.current.families, 4);
        // Children served: 11, 12, 21, 71.
        assert_eq!(r.current.children, 4);
        // Child-minutes: 4 Mondays x 3 children x 180 + 1 x 120 (Wed) + 1 x 120 (31st).
        assert_eq!(r.current.child_minutes, 4 * 3 * 180 + 120 + 120);
        // Volunteers: 4 x 180 + 120 (volunteer 300).
        assert_eq!(r.current.volunteer_minutes, 4 * 180 + 120);
        // Staff: 4 x 1 x 180 + 0 + 1 x 120.
        assert_eq!(r.current.staff_minutes, 720 + 120);
        // Places: 4 x 10 + 4 + 5 = 49 offered; booked: 4 x 3 + 2 (no-show, attended) + 1.
        assert_eq!((r.current.offered, r.current.booked), (49, 15));
        // 15 / 49 = 0.3061... -> 306 per mille.
        assert_eq!(r.current.fill_permille(), Some(306));
        assert_eq!(r.current.waitlist_unserved, 2);
        assert_eq!((r.current.child_no_shows, r.current.volunteer_no_shows), (1, 1));
        assert_eq!((r.current.credits_issued, r.current.credits_spent), (780, 540));

        // November: 1 family, 1 child, 120 child-minutes, 8 offered, 1 booked (125 per mille).
        let nov = r.previous;
        assert_eq!((nov.families, nov.children, nov.child_minutes), (1, 1, 120));
        assert_eq!((nov.offered, nov.booked, nov.fill_permille()), (8, 1, Some(125)));
        assert_eq!((nov.staff_minutes, nov.credits_spent), (120, 120));

        // The days: 31 rows; 7 December holds one Monday.
        assert_eq!(r.days.len(), 31);
        let dec7 = r.days[6];
        assert_eq!((dec7.date, dec7.child_minutes, dec7.volunteer_minutes), (d("2026-12-07"), 540, 180));
        assert_eq!((r.days[4].offered, r.days[4].booked), (0, 0), "the cancelled Saturday offers nothing");
        assert_eq!(r.days.iter().map(|d| d.child_minutes).sum::<i64>(), r.current.child_minutes);
        assert_eq!(r.days.iter().map(|d| d.volunteer_minutes).sum::<i64>(), r.current.volunteer_minutes);

        // The grid: Monday mornings 40 offered / 12 booked; Wednesday afternoon 4 / 2;
        // Thursday evening 5 / 1; the rest empty.
        let cell = |w: Weekday, p: DayPart| {
            let c = r.fill.iter().find(|c| c.weekday == w && c.part == p).unwrap();
            (c.offered, c.booked)
        };
        assert_eq!(r.fill.len(), 21);
        assert_eq!(cell(Weekday::Mon, DayPart::Morning), (40, 12));
        assert_eq!(cell(Weekday::Wed, DayPart::Afternoon), (4, 2));
        assert_eq!(cell(Weekday::Thu, DayPart::Evening), (5, 1));
        assert_eq!(cell(Weekday::Sat, DayPart::Evening), (0, 0));
        assert_eq!(r.fill.iter().map(|c| c.offered).sum::<i64>(), r.current.offered);

        // The metric table reads the same figures.
        assert_eq!(Metric::FillRate.value(&r.current), Some(306));
        assert_eq!(Metric::ChildMinutes.unit(), Unit::Minutes);
        assert_eq!(Metric::FillRate.value(&Figures::default()), None);
    }

    #[test]
    fn day_parts() {
        assert_eq!(DayPart::of(t(9)), DayPart::Morning);
        assert_eq!(DayPart::of(t(12)), DayPart::Afternoon);
        assert_eq!(DayPart::of(t(16)), DayPart::Afternoon);
        assert_eq!(DayPart::of(t(17)), DayPart::Evening);
        assert_eq!(permille(1, 3), Some(333));
        assert_eq!(permille(2, 3), Some(667));
        assert_eq!(permille(1, 0), None);
    }
}
