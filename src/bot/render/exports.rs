//! The words of the files people take away: the report's message, chart labels and CSV
//! tables, the timetable's labels, calendar events and the ledger's CSV. Every word from
//! the Fluent files (`exports.ftl`); the drawing and the file formats are `crate::export`.

use chrono::Weekday;
use chrono_tz::Tz;

use crate::domain::{EntryKind, Shift, ShiftStatus};
use crate::export::{self, chart::ReportLabels, ics::CalEvent, timetable::Slot, timetable::TimetableLabels};
use crate::i18n::Lang;
use crate::report::{DayPart, Metric, MonthReport, Unit};
use crate::service::{CalendarData, CentreReport, LedgerExport, ShiftView};
use crate::t;

/// A file to send: bytes, name, caption.
pub type File = (Vec<u8>, String, String);

fn metric_key(m: Metric) -> &'static str {
    match m {
        Metric::Families => "metric-families",
        Metric::Children => "metric-children",
        Metric::ChildMinutes => "metric-child-hours",
        Metric::VolunteerMinutes => "metric-volunteer-hours",
        Metric::StaffMinutes => "metric-staff-hours",
        Metric::FillRate => "metric-fill-rate",
        Metric::Offered => "metric-offered",
        Metric::Booked => "metric-booked",
        Metric::WaitlistUnserved => "metric-waitlist",
        Metric::ChildNoShows => "metric-child-no-shows",
        Metric::VolunteerNoShows => "metric-volunteer-no-shows",
        Metric::CreditsIssued => "metric-credits-issued",
        Metric::CreditsSpent => "metric-credits-spent",
    }
}

/// A figure as shown (hours, a rate, a count).
fn shown(lang: Lang, m: Metric, v: Option<i64>) -> String {
    match (m.unit(), v) {
        (_, None) => t!(lang, "report-no-rate"),
        (Unit::Minutes, Some(v)) => export::hours(v),
        (Unit::Permille, Some(v)) => export::percent(v),
        (Unit::Count, Some(v)) => v.to_string(),
    }
}

/// The change from the month before, signed ("+1.5", "-3", "+2.0%").
fn change(lang: Lang, m: Metric, r: &MonthReport) -> String {
    match (m.value(&r.current), m.value(&r.previous)) {
        (Some(now), Some(before)) => {
            let d = shown(lang, m, Some(now - before));
            if now >= before {
                format!("+{d}")
            } else {
                d
            }
        }
        _ => t!(lang, "report-no-rate"),
    }
}

/// The short message of a centre's report.
pub fn report_message(lang: Lang, centre: &str, r: &MonthReport) -> String {
    let mut text = t!(lang, "report-title", centre = centre, month = r.month.to_string());
    for m in Metric::ALL {
        text.push('\n');
        text.push_str(&t!(
            lang,
            "report-line",
            metric = t!(lang, metric_key(m)),
            value = shown(lang, m, m.value(&r.current)),
            change = change(lang, m, r)
        ));
    }
    text.push('\n');
    text.push_str(&t!(lang, "report-files"));
    text
}

pub fn weekday(lang: Lang, w: Weekday) -> String {
    let key = ["wd-mon", "wd-tue", "wd-wed", "wd-thu", "wd-fri", "wd-sat", "wd-sun"][w.num_days_from_monday() as usize];
    t!(lang, key)
}

fn weekdays(lang: Lang) -> [String; 7] {
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun]
        .map(|w| weekday(lang, w))
}

fn part(lang: Lang, p: DayPart) -> String {
    t!(
        lang,
        match p {
            DayPart::Morning => "part-morning",
            DayPart::Afternoon => "part-afternoon",
            DayPart::Evening => "part-evening",
        }
    )
}

pub fn report_labels(lang: Lang, centre: &str, month: &str) -> ReportLabels {
    ReportLabels {
        title: format!("{centre} · {month}"),
        daily_caption: t!(lang, "chart-daily"),
        child_hours: t!(lang, "chart-child-hours"),
        volunteer_hours: t!(lang, "chart-volunteer-hours"),
        day_axis: t!(lang, "chart-day-axis"),
        hours_axis: t!(lang, "chart-hours-axis"),
        fill_caption: t!(lang, "chart-fill"),
        weekdays: weekdays(lang),
        parts: DayPart::ALL.map(|p| part(lang, p)),
        nothing: t!(lang, "chart-nothing"),
    }
}

fn csv_file(lang: Lang, centre: &str, period: &str, what: &str, title_key: &str, rows: &[Vec<String>]) -> File {
    let caption = t!(lang, "report-csv-caption", what = t!(lang, title_key));
    (export::csv(rows), export::file_name(centre, period, what, "csv"), caption)
}

/// The report's tables: the summary, the days, the fill grid.
pub fn report_csvs(lang: Lang, centre: &str, r: &MonthReport) -> Vec<File> {
    let month = r.month.to_string();
    let mut summary = vec![vec![
        t!(lang, "csv-metric"),
        format!("{} ({month})", t!(lang, "csv-this-month")),
        format!("{} ({})", t!(lang, "csv-last-month"), r.month.prev()),
        t!(lang, "csv-change"),
    ]];
    for m in Metric::ALL {
        summary.push(vec![
            t!(lang, metric_key(m)),
            shown(lang, m, m.value(&r.current)),
            shown(lang, m, m.value(&r.previous)),
            change(lang, m, r),
        ]);
    }
    let mut daily = vec![vec![
        t!(lang, "csv-date"),
        t!(lang, "csv-weekday"),
        t!(lang, "chart-child-hours"),
        t!(lang, "chart-volunteer-hours"),
        t!(lang, "metric-offered"),
        t!(lang, "metric-booked"),
    ]];
    for d in &r.days {
        use chrono::Datelike;
        daily.push(vec![
            d.date.to_string(),
            weekday(lang, d.date.weekday()),
            export::hours(d.child_minutes),
            export::hours(d.volunteer_minutes),
            d.offered.to_string(),
            d.booked.to_string(),
        ]);
    }
    let mut fill = vec![vec![
        t!(lang, "csv-weekday"),
        t!(lang, "csv-day-part"),
        t!(lang, "metric-offered"),
        t!(lang, "metric-booked"),
        t!(lang, "metric-fill-rate"),
    ]];
    for c in &r.fill {
        fill.push(vec![
            weekday(lang, c.weekday),
            part(lang, c.part),
            c.offered.to_string(),
            c.booked.to_string(),
            crate::report::permille(c.booked, c.offered).map(export::percent).unwrap_or_default(),
        ]);
    }
    vec![
        csv_file(lang, centre, &month, "report", "report-csv-summary", &summary),
        csv_file(lang, centre, &month, "daily", "report-csv-daily", &daily),
        csv_file(lang, centre, &month, "fill", "report-csv-fill", &fill),
    ]
}

/// Every centre at a glance (super-admins): a message and one CSV, a row per centre.
pub fn overview(lang: Lang, month: &str, all: &[CentreReport]) -> (String, File) {
    let mut text = t!(lang, "report-overview-title", month = month, count = all.len());
    if all.is_empty() {
        text.push('\n');
        text.push_str(&t!(lang, "report-none"));
    }
    let mut header = vec![t!(lang, "csv-centre-id"), t!(lang, "csv-centre")];
    header.extend(Metric::ALL.iter().map(|m| t!(lang, metric_key(*m))));
    header.extend(Metric::ALL.iter().map(|m| format!("{} ({})", t!(lang, metric_key(*m)), t!(lang, "csv-change"))));
    let mut rows = vec![header];
    for c in all {
        let r = &c.report;
        text.push('\n');
        text.push_str(&t!(
            lang,
            "report-overview-line",
            id = c.centre.id.0,
            centre = c.centre.name.as_str(),
            families = r.current.families,
            hours = export::hours(r.current.child_minutes),
            fill = shown(lang, Metric::FillRate, r.current.fill_permille())
        ));
        let mut row = vec![c.centre.id.0.to_string(), c.centre.name.clone()];
        row.extend(Metric::ALL.iter().map(|m| shown(lang, *m, m.value(&r.current))));
        row.extend(Metric::ALL.iter().map(|m| change(lang, *m, r)));
        rows.push(row);
    }
    let file = csv_file(lang, "all-centres", month, "report", "report-csv-summary", &rows);
    (text, file)
}

pub fn timetable_labels(lang: Lang, centre: &str, from: &str) -> TimetableLabels {
    TimetableLabels {
        title: t!(lang, "timetable-title", centre = centre, from = from),
        weekdays: weekdays(lang),
        free: t!(lang, "timetable-free", n = "{n}"),
        full: t!(lang, "timetable-full"),
        needs: t!(lang, "timetable-needs", n = "{n}"),
        waiting: t!(lang, "timetable-waiting", n = "{n}"),
        cancelled: t!(lang, "timetable-cancelled"),
        empty_day: t!(lang, "timetable-empty"),
    }
}

/// A schedule's shift as the timetable draws it.
pub fn slot(v: &ShiftView) -> Slot {
    let s = &v.shift;
    Slot {
        id: s.id.0,
        date: s.date,
        start: s.start,
        end: s.end,
        booked: v.confirmed,
        capacity: s.capacity,
        free: v.free.iter().copied().max().unwrap_or(0),
        waiting: v.waitlist,
        volunteers_needed: v.volunteers_needed,
        cancelled: s.status == ShiftStatus::Cancelled,
    }
}

fn span(tz: Tz, s: &Shift) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    (s.starts_at(tz), s.ends_at(tz))
}

/// The events of a person's calendar, with the alarms of their reminders.
pub fn calendar_events(lang: Lang, d: &CalendarData) -> Vec<CalEvent> {
    let (tz, policy, centre) = (d.centre.tz(), &d.centre.policy, d.centre.id.0);
    let mut out = vec![];
    for (b, s, child) in &d.bookings {
        let (start, end) = span(tz, s);
        let alarm = t!(lang, "calendar-alarm-booking", child = child.as_str());
        out.push(CalEvent {
            uid: export::ics::booking_uid(b.id.0, centre),
            summary: t!(lang, "calendar-booking", child = child.as_str()),
            description: t!(
                lang,
                "calendar-booking-desc",
                booking = b.id.0,
                status = super::booking_status(lang, b.status)
            ),
            location: d.centre.name.clone(),
            start,
            end,
            alarms: export::ics::family_alarm(policy, tz, s.date, start)
                .into_iter()
                .map(|m| (m, alarm.clone()))
                .collect(),
        });
    }
    for (v, s) in &d.signups {
        let (start, end) = span(tz, s);
        out.push(CalEvent {
            uid: export::ics::signup_uid(v.id.0, centre),
            summary: t!(lang, "calendar-signup"),
            description: t!(lang, "calendar-signup-desc", signup = v.id.0),
            location: d.centre.name.clone(),
            start,
            end,
            alarms: export::ics::volunteer_alarms(policy, tz, start)
                .into_iter()
                .map(|m| (m, t!(lang, "calendar-alarm-signup", hours = export::hours(m))))
                .collect(),
        });
    }
    out.sort_by(|a, b| (a.start, &a.uid).cmp(&(b.start, &b.uid)));
    out
}

fn kind(lang: Lang, k: EntryKind) -> String {
    t!(
        lang,
        match k {
            EntryKind::StartGrant => "kind-start-grant",
            EntryKind::Hold => "kind-hold",
            EntryKind::Release => "kind-release",
            EntryKind::Capture => "kind-capture",
            EntryKind::Earn => "kind-earn",
            EntryKind::Penalty => "kind-penalty",
            EntryKind::Grant => "kind-grant",
        }
    )
}

/// A family's ledger as CSV: date, kind, amount, balance after, shift, who, memo.
pub fn ledger_csv(lang: Lang, x: &LedgerExport, month: &str) -> File {
    let tz = x.centre.tz();
    let mut rows = vec![vec![
        t!(lang, "csv-date"),
        t!(lang, "csv-kind"),
        t!(lang, "csv-amount"),
        t!(lang, "csv-amount-hours"),
        t!(lang, "csv-balance-after"),
        t!(lang, "csv-shift"),
        t!(lang, "csv-by"),
        t!(lang, "csv-memo"),
    ]];
    for l in &x.lines {
        let shift = l
            .shift
            .as_ref()
            .map(|s| format!("#{} {} {}-{}", s.id.0, s.date, s.start.format("%H:%M"), s.end.format("%H:%M")))
            .or_else(|| l.entry.shift.map(|s| format!("#{}", s.0)))
            .unwrap_or_default();
        let by = match (&l.by_name, l.entry.by) {
            (Some(name), Some(u)) => format!("{name} ({u})"),
            (None, Some(u)) => u.to_string(),
            _ => String::new(),
        };
        rows.push(vec![
            l.entry.at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
            kind(lang, l.entry.kind),
            l.signed.to_string(),
            export::hours(l.signed),
            l.balance_after.to_string(),
            shift,
            by,
            l.entry.memo.clone(),
        ]);
    }
    let what = format!("ledger-family{}", x.family.0);
    (export::csv(&rows), export::file_name(&x.centre.name, month, &what, "csv"), t!(lang, "ledger-export-caption"))
}

/// Every text the report chart and the timetable may draw in `lang`, with a sample
/// centre name (for the glyph-coverage check).
pub fn picture_texts(lang: Lang, centre: &str) -> Vec<String> {
    let mut v = report_labels(lang, centre, "2026-12").texts();
    v.extend(timetable_labels(lang, centre, "2026-12-07").texts());
    v
}
