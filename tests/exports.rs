//! The files people take away, through the service and the renderers (no Telegram):
//! a report of a month built by real calls (figures worked out by hand), the chart and
//! the timetable as decodable, non-blank PNGs whose every label has a glyph in the
//! embedded font, calendars parsed back with an iCalendar parser (events, times, stable
//! UIDs, alarms at the reminder times), and the ledger's CSV (BOM, running balance).

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use icalendar::{Calendar, CalendarComponent, Component};

use huzhu::bot::render::exports as words;
use huzhu::domain::*;
use huzhu::export::{self, chart, font, timetable};
use huzhu::i18n::Lang;
use huzhu::report::Month;
use huzhu::service::{Caller, Mark, ReportScope, ServiceError, SettingChange};
use huzhu::testing::{t0, Fixture, ADMIN, COORD};

const TODDLER: &str = "2025-03-01";

fn as_(u: UserId) -> Caller {
    Caller::new(u)
}

fn dec() -> Month {
    Month::parse("2026-12").unwrap()
}

/// Two families and a volunteer; two shifts in December, attended, a no-show, a child
/// who waited in vain; a grant. Returns (fixture, parent a, parent b, volunteer).
fn december() -> (Fixture, UserId, UserId, UserId) {
    let f = Fixture::new();
    let (a, b, v) = (f.family(10, "Ada"), f.family(11, "Bo"), f.family(12, "Chen"));
    let (a1, b1) = (f.child(a, "An", TODDLER), f.child(b, "Bei", TODDLER));
    // 2 December 09:00-12:00, 5 places, 1 staff; 3 December 14:00-16:00, 1 place.
    let s1 = f.shift("2026-12-02", "09:00", "12:00", 5);
    let s2 = f.shift("2026-12-03", "14:00", "16:00", 1);
    let ba = f.svc.book(&as_(a), s1, a1).unwrap().value.booking.id;
    let bb = f.svc.book(&as_(b), s1, b1).unwrap().value.booking.id;
    let signup = f.svc.volunteer(&as_(v), s1).unwrap().value.id;
    f.svc.book(&as_(a), s2, a1).unwrap();
    let waiting = f.svc.book(&as_(b), s2, b1).unwrap().value.booking;
    assert_eq!(waiting.status, BookingStatus::Waitlisted);
    f.svc.grant(&f.coord(), a, 60, "thanks").unwrap();
    f.clock.set(Utc.with_ymd_and_hms(2026, 12, 4, 2, 0, 0).unwrap());
    let marks = [Mark::Child(ba, true), Mark::Child(bb, false), Mark::Volunteer(signup, true)];
    f.svc.record_attendance(&f.coord(), s1, &marks).unwrap();
    f.svc.settle_shift(&f.coord(), s1).unwrap();
    f.svc.settle_shift(&f.coord(), s2).unwrap();
    (f, a, b, v)
}

#[test]
fn a_month_of_real_calls_gives_the_figures_worked_out_by_hand() {
    let (f, _, _, _) = december();
    let list = f.svc.month_report(COORD, dec(), ReportScope::Mine).unwrap();
    assert_eq!(list.len(), 1);
    let r = &list[0].report;
    let c = r.current;
    // Offered 5 + 1; booked: An and Bei (no-show) on the 2nd, An on the 3rd.
    assert_eq!((c.offered, c.booked, c.fill_permille()), (6, 3, Some(500)));
    // Served: An only (Bei was absent, then waited); 180 + 120 child-minutes.
    assert_eq!((c.children, c.child_minutes), (1, 300));
    // Families: Ada's (An) and Chen's (volunteered); Bo's child never came.
    assert_eq!(c.families, 2);
    assert_eq!((c.volunteer_minutes, c.staff_minutes), (180, 300));
    assert_eq!((c.waitlist_unserved, c.child_no_shows, c.volunteer_no_shows), (1, 1, 0));
    // Issued: three start grants of 360, the grant of 60, Chen's 180 x 2 earned.
    assert_eq!(c.credits_issued, 3 * 360 + 60 + 360);
    // Spent minus issued is what the pool holds (it started at zero).
    let pool = f.svc.account_balance(AccountId::Pool(f.centre.id)).unwrap();
    assert_eq!(c.credits_spent - c.credits_issued, pool);
    assert_eq!(r.previous, huzhu::report::Figures::default(), "nothing happened in November");
    assert_eq!(r.days[1].child_minutes, 180);
    assert_eq!(r.days[2].child_minutes, 120);

    // Reading changes nothing.
    let before = f.svc.store().snapshot();
    f.svc.month_report(COORD, dec(), ReportScope::Mine).unwrap();
    assert!(before == f.svc.store().snapshot());
}

#[test]
fn who_may_see_which_report() {
    let (f, a, _, _) = december();
    let other = f.svc.create_centre(&as_(ADMIN), "六和", None).unwrap().value;
    // A parent may not; a coordinator sees their own centre only.
    assert_eq!(f.svc.month_report(a, dec(), ReportScope::Mine), Err(ServiceError::NotCoordinator));
    assert_eq!(f.svc.month_report(COORD, dec(), ReportScope::Centre(other.id)), Err(ServiceError::UnknownCentre));
    assert_eq!(f.svc.month_report(COORD, dec(), ReportScope::All), Err(ServiceError::NotSuperAdmin));
    // The super-admin: every centre, or one.
    let all = f.svc.month_report(ADMIN, dec(), ReportScope::Mine).unwrap();
    assert_eq!(all.len(), 2);
    let one = f.svc.month_report(ADMIN, dec(), ReportScope::Centre(other.id)).unwrap();
    assert_eq!((one.len(), one[0].centre.name.as_str()), (1, "六和"));
    assert_eq!(f.svc.month_report(ADMIN, dec(), ReportScope::Centre(CentreId(99))), Err(ServiceError::UnknownCentre));
}

#[test]
fn every_picture_label_has_a_glyph_in_the_embedded_font() {
    for lang in [Lang::Zh, Lang::En] {
        for text in words::picture_texts(lang, "坪山街道六和社区互助中心") {
            assert_eq!(font::missing_glyph(&text), None, "{lang:?}: {text:?} would show a box");
        }
    }
}

/// Decodes a PNG: (width, height, distinct colours, share of non-white pixels in %).
fn decode(png: &[u8]) -> (u32, u32, usize, usize) {
    let mut reader = png::Decoder::new(png).read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let px: Vec<&[u8]> = buf[..info.buffer_size()].chunks(3).collect();
    let colours: std::collections::HashSet<&[u8]> = px.iter().copied().collect();
    let ink = px.iter().filter(|p| **p != [255, 255, 255]).count();
    (info.width, info.height, colours.len(), ink * 100 / px.len())
}

#[test]
fn the_report_chart_is_a_real_picture() {
    let (f, _, _, _) = december();
    let r = &f.svc.month_report(COORD, dec(), ReportScope::Mine).unwrap()[0].report;
    let png = chart::report_png(r, &words::report_labels(Lang::Zh, "六和社区", "2026-12")).unwrap();
    let (w, h, colours, ink) = decode(&png);
    assert_eq!((w, h), (chart::WIDTH, chart::HEIGHT));
    assert!(colours > 20 && ink >= 3, "a blank picture: {colours} colours, {ink}% ink");
    let en = chart::report_png(r, &words::report_labels(Lang::En, "Liuhe", "2026-12")).unwrap();
    assert_eq!(decode(&en).0, chart::WIDTH);
    assert_ne!(en, png, "the words differ");
    if let Ok(dir) = std::env::var("HUZHU_KEEP_PICTURES") {
        std::fs::write(format!("{dir}/report.png"), &png).unwrap();
        std::fs::write(format!("{dir}/report-en.png"), &en).unwrap();
    }
}

#[test]
fn the_timetable_colours_free_places_full_shifts_and_gaps() {
    let f = Fixture::new();
    let a = f.family(10, "Ada");
    f.child(a, "An", TODDLER);
    let svc = &f.svc;
    // A week from 7 December: one shift with places, one full, one cancelled, one
    // needing volunteers (more children than its staff can carry).
    let roomy = f.shift("2026-12-07", "09:00", "11:00", 6);
    let full = f.shift("2026-12-08", "09:00", "11:00", 1);
    let gone = f.shift("2026-12-09", "15:00", "17:00", 4);
    let busy = svc
        .create_shift(
            &f.coord(),
            huzhu::testing::date("2026-12-10"),
            huzhu::testing::time("18:00"),
            huzhu::testing::time("20:00"),
            Some(12),
            Some(0),
        )
        .unwrap()
        .value
        .id;
    let kid = svc.children(a).unwrap()[0].id;
    svc.book(&as_(a), full, kid).unwrap();
    svc.book(&as_(a), busy, kid).unwrap();
    svc.cancel_shift(&f.coord(), gone, "rain").unwrap();
    let from = huzhu::testing::date("2026-12-07");
    let views = svc.schedule(COORD, from, 7).unwrap();
    let slots: Vec<_> = views.iter().map(words::slot).collect();
    let find = |id: ShiftId| slots.iter().find(|s| s.id == id.0).unwrap().clone();
    assert_eq!(timetable::colour(&find(roomy)), timetable::GREEN);
    assert_eq!(timetable::colour(&find(full)), timetable::AMBER);
    assert_eq!(timetable::colour(&find(gone)), timetable::GREY);
    assert!(find(busy).volunteers_needed > 0, "{:?}", find(busy));
    assert_eq!(timetable::colour(&find(busy)), timetable::PINK, "room left, but nobody to care");
    let png = timetable::week_png(from, &slots, &words::timetable_labels(Lang::Zh, "六和", "2026-12-07")).unwrap();
    let (w, h, colours, ink) = decode(&png);
    assert_eq!(w, timetable::WIDTH);
    assert!(h > 200 && colours > 20 && ink >= 3, "{h} {colours} {ink}");
    if let Ok(dir) = std::env::var("HUZHU_KEEP_PICTURES") {
        std::fs::write(format!("{dir}/week.png"), &png).unwrap();
    }
}

fn parse(bytes: &[u8]) -> Vec<icalendar::Event> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let cal: Calendar = text.parse().expect("a calendar the parser reads");
    cal.components
        .into_iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

fn utc(e: &icalendar::Event, start: bool) -> chrono::DateTime<Utc> {
    let p = if start { e.get_start() } else { e.get_end() };
    match p {
        Some(icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(t))) => t,
        other => panic!("expected a UTC time, got {other:?}"),
    }
}

/// The triggers of an event's alarms, as minutes before its start.
fn alarm_minutes(raw: &str, uid: &str) -> Vec<i64> {
    let unfolded = icalendar::parser::unfold(raw);
    let event = unfolded.split("BEGIN:VEVENT").find(|e| e.contains(&format!("UID:{uid}"))).expect("event");
    let mut out: Vec<i64> = event
        .lines()
        .filter_map(|l| l.strip_prefix("TRIGGER"))
        .map(|l| {
            let v = l.rsplit(':').next().unwrap().trim();
            let d = v.trim_start_matches("-P").trim_start_matches('T');
            // -PT{s}S, -PT{h}H{m}M, -P{d}DT{h}H...: days, hours, minutes and seconds.
            let mut total = 0;
            let mut n = String::new();
            for ch in d.chars() {
                match ch {
                    '0'..='9' => n.push(ch),
                    'D' => total += n.parse::<i64>().unwrap() * 1440,
                    'H' => total += n.parse::<i64>().unwrap() * 60,
                    'M' => total += n.parse::<i64>().unwrap(),
                    'S' => total += n.parse::<i64>().unwrap() / 60,
                    'T' | 'W' => {}
                    _ => panic!("unexpected trigger {v}"),
                }
                if !ch.is_ascii_digit() {
                    n.clear();
                }
            }
            assert!(v.starts_with('-'), "an alarm before the start: {v}");
            total
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_calendar_parses_back_with_times_uids_and_alarms() {
    let f = Fixture::new();
    let a = f.family(10, "Ada");
    let kid = f.child(a, "An", TODDLER);
    // 3 December 09:00-11:30 Shanghai = 01:00-03:30 UTC; a shift the parent volunteers for
    // on the 4th at 14:00 (06:00 UTC).
    let s1 = f.shift("2026-12-03", "09:00", "11:30", 6);
    let s2 = f.shift("2026-12-04", "14:00", "16:00", 6);
    let gone = f.shift("2026-12-05", "09:00", "10:00", 6);
    let booking = f.svc.book(&as_(a), s1, kid).unwrap().value.booking.id;
    let cancelled = f.svc.book(&as_(a), gone, kid).unwrap().value.booking.id;
    f.svc.cancel_booking(&as_(a), cancelled).unwrap();
    let signup = f.svc.volunteer(&as_(a), s2).unwrap().value.id;
    // Volunteers are reminded 24 h and 3 h before; families at 19:30 the evening before.
    f.svc.change_setting(&f.coord(), &SettingChange::VolunteerHours(vec![24, 3])).unwrap();
    f.svc.change_setting(&f.coord(), &SettingChange::FamilyTime(huzhu::testing::time("19:30"))).unwrap();

    let render = |lang| {
        let d = f.svc.calendar_data(a).unwrap();
        let events = words::calendar_events(lang, &d);
        export::ics::calendar("Test", d.centre.tz(), &events, d.now)
    };
    let bytes = render(Lang::En);
    let raw = String::from_utf8(bytes.clone()).unwrap();
    assert!(raw.starts_with("BEGIN:VCALENDAR\r\n") && raw.contains("X-WR-TIMEZONE:Asia/Shanghai"), "{raw}");
    let events = parse(&bytes);
    assert_eq!(events.len(), 2, "the cancelled booking is not in it: {raw}");
    let care = &events[0];
    let uid_care = export::ics::booking_uid(booking.0, f.centre.id.0);
    let uid_vol = export::ics::signup_uid(signup.0, f.centre.id.0);
    assert_eq!(care.get_uid(), Some(uid_care.as_str()));
    assert_eq!(care.get_summary(), Some("Care: An"));
    assert_eq!(utc(care, true), Utc.with_ymd_and_hms(2026, 12, 3, 1, 0, 0).unwrap());
    assert_eq!(utc(care, false), Utc.with_ymd_and_hms(2026, 12, 3, 3, 30, 0).unwrap());
    let vol = &events[1];
    assert_eq!(vol.get_uid(), Some(uid_vol.as_str()));
    assert_eq!(utc(vol, true), Utc.with_ymd_and_hms(2026, 12, 4, 6, 0, 0).unwrap());
    // The family's alarm: 19:30 on the 2nd, 13 h 30 before 09:00 on the 3rd.
    assert_eq!(alarm_minutes(&raw, &uid_care), vec![13 * 60 + 30]);
    // The volunteer's: 3 h and 24 h before.
    assert_eq!(alarm_minutes(&raw, &uid_vol), vec![180, 24 * 60]);

    // Stable UIDs: the Chinese file, made later, names the same events.
    f.clock.set(t0() + Duration::hours(1));
    let zh = parse(&render(Lang::Zh));
    let uids = |v: &[icalendar::Event]| v.iter().map(|e| e.get_uid().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(uids(&zh), uids(&events));
    assert_eq!(zh[0].get_summary(), Some("托育：An"));

    // Quiet hours move an alarm earlier, as they move the reminder: a 2 h reminder of a
    // 07:30 shift would fall at 05:30, inside 22:00-07:00, so it rings at 21:59 before.
    let early = f.shift("2026-12-06", "07:30", "09:00", 6);
    f.svc.change_setting(&f.coord(), &SettingChange::VolunteerHours(vec![2])).unwrap();
    let s = f.svc.volunteer(&as_(a), early).unwrap().value.id;
    let raw = String::from_utf8(render(Lang::En)).unwrap();
    assert_eq!(alarm_minutes(&raw, &export::ics::signup_uid(s.0, f.centre.id.0)), vec![9 * 60 + 31]);
}

#[test]
fn a_member_without_bookings_gets_an_empty_calendar_and_a_stranger_a_refusal() {
    let f = Fixture::new();
    let a = f.family(10, "Ada");
    let d = f.svc.calendar_data(a).unwrap();
    assert!(parse(&export::ics::calendar("x", d.centre.tz(), &words::calendar_events(Lang::Zh, &d), d.now)).is_empty());
    assert_eq!(f.svc.calendar_data(UserId(999)), Err(ServiceError::NotRegistered));
}

#[test]
fn the_ledger_csv_has_every_entry_and_the_balance_after_each() {
    let (f, a, b, _) = december();
    let x = f.svc.ledger_export(a, None).unwrap();
    let (bytes, name, _) = words::ledger_csv(Lang::Zh, &x, "2026-12");
    assert_eq!(name, format!("Test_Centre-2026-12-ledger-family{}.csv", x.family.0));
    assert!(bytes.starts_with(export::BOM));
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let rows: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(rows[0], "日期,类型,数量（分钟）,数量（小时）,之后余额（分钟）,时段,操作人,备注");
    assert_eq!(rows.len(), x.lines.len() + 1);
    assert!(rows[1].contains("入会赠送,360,6.0,360"), "{}", rows[1]);
    // The running balance ends at the account's balance; each step is its amount.
    let last = x.lines.last().unwrap().balance_after;
    assert_eq!(last, f.svc.account_balance(AccountId::Family(x.family)).unwrap());
    let mut bal = 0;
    for l in &x.lines {
        bal += l.signed;
        assert_eq!(l.balance_after, bal);
    }
    // The grant names the coordinator; the care charges name their shift.
    assert!(text.contains("Coordinator (2)"), "{text}");
    assert!(text.contains("#1 2026-12-02 09:00-12:00"), "{text}");
    // A coordinator exports a member's family; another family's guardian may not.
    assert_eq!(f.svc.ledger_export(COORD, Some(a)).unwrap().lines, x.lines);
    assert_eq!(f.svc.ledger_export(b, Some(a)), Err(ServiceError::NotCoordinator));
    assert_eq!(f.svc.ledger_export(COORD, Some(UserId(4242))), Err(ServiceError::UnknownMember));
}

#[test]
fn report_files_are_named_with_the_centre_and_the_month_and_start_with_a_bom() {
    let (f, _, _, _) = december();
    let r = &f.svc.month_report(COORD, dec(), ReportScope::Mine).unwrap()[0].report;
    let files = words::report_csvs(Lang::Zh, "六和", r);
    let names: Vec<&str> = files.iter().map(|(_, n, _)| n.as_str()).collect();
    assert_eq!(names, ["六和-2026-12-report.csv", "六和-2026-12-daily.csv", "六和-2026-12-fill.csv"]);
    for (bytes, _, _) in &files {
        assert!(bytes.starts_with(export::BOM));
    }
    let summary = std::str::from_utf8(&files[0].0[3..]).unwrap();
    assert!(summary.contains("满员率（已约 / 提供名额）,50.0%,无,无"), "{summary}");
    assert!(summary.contains("托育时长（儿童·小时）,5.0,0.0,+5.0"), "{summary}");
    let daily = std::str::from_utf8(&files[1].0[3..]).unwrap();
    assert_eq!(daily.lines().count(), 32, "a header and 31 days");
    let message = words::report_message(Lang::En, "六和", r);
    assert!(message.contains("Fill rate (booked / offered places): 50.0% (n/a)"), "{message}");
    assert!(message.contains("Children served: 1 (+1)"), "{message}");
    let _ = NaiveDate::MIN;
}

/// Long Chinese texts are folded at 75 octets without breaking a character, and read
/// back whole.
#[test]
fn long_chinese_lines_fold_and_read_back_whole() {
    let long = "坪山街道六和社区亲子互助托育中心".repeat(4);
    let start = Utc.with_ymd_and_hms(2026, 12, 3, 1, 0, 0).unwrap();
    let event = export::ics::CalEvent {
        uid: "booking-1.centre-1@huzhu".into(),
        summary: format!("托育：{long}"),
        description: long.clone(),
        location: long.clone(),
        start,
        end: start + Duration::hours(2),
        alarms: vec![(90, format!("明天托育：{long}"))],
    };
    let bytes = export::ics::calendar(&long, chrono_tz::Asia::Shanghai, &[event], start);
    let raw = String::from_utf8(bytes.clone()).expect("folding kept UTF-8 whole");
    assert!(raw.split("\r\n").all(|l| l.len() <= 75), "a line over 75 octets");
    let events = parse(&bytes);
    assert_eq!(events[0].get_summary(), Some(format!("托育：{long}").as_str()));
    assert_eq!(events[0].get_description(), Some(long.as_str()));
}
