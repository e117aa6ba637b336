//! The files people ask for: `/report`, `/schedule png`, `/calendar`, `/ledger USER`'s
//! CSV and `/balance export`. Parse -> read through the service -> word (render::exports)
//! and draw or write the file (crate::export); every file goes out as a document (the
//! timetable and the chart as photos), named with the centre and the month.

use chrono::NaiveDate;

use super::ctx::{Ctx, Handled};
use crate::bot::render::{exports as words, Reply};
use crate::bot::send::FileKind;
use crate::domain::UserId;
use crate::export;
use crate::report::Month;
use crate::service::ReportScope;
use crate::t;

fn this_month(ctx: &Ctx) -> Month {
    Month::of(ctx.today())
}

/// `/report [YYYY-MM] [CENTRE|all]`: one centre's full report (message, chart, tables),
/// or for a super-admin's every centre an overview and one table.
pub fn report(ctx: &Ctx, month: Option<Month>, scope: ReportScope) -> Handled {
    let month = month.unwrap_or_else(|| this_month(ctx));
    let list = match ctx.svc.month_report(ctx.user, month, scope) {
        Ok(list) => list,
        Err(e) => return ctx.err(&e),
    };
    let lang = ctx.lang;
    // Every centre at a glance: asked for, or a super-admin who coordinates none.
    let all = match scope {
        ReportScope::All => true,
        ReportScope::Centre(_) => false,
        ReportScope::Mine => ctx.svc.my_coordinated_centre(ctx.user).is_err(),
    };
    if all || list.len() != 1 {
        let (text, (bytes, name, caption)) = words::overview(lang, &month.to_string(), &list);
        return Handled {
            reply: Reply::text(text),
            files: vec![(FileKind::Document, bytes, name, caption)],
            ..Handled::default()
        };
    }
    let c = &list[0];
    let mut files = vec![];
    let labels = words::report_labels(lang, &c.centre.name, &month.to_string());
    match export::chart::report_png(&c.report, &labels) {
        Ok(png) => files.push((
            FileKind::Photo,
            png,
            export::file_name(&c.centre.name, &month.to_string(), "chart", "png"),
            t!(lang, "chart-caption", centre = c.centre.name.as_str(), month = month.to_string()),
        )),
        Err(e) => log::error!("report chart of centre {}: {e}", c.centre.id),
    }
    for (bytes, name, caption) in words::report_csvs(lang, &c.centre.name, &c.report) {
        files.push((FileKind::Document, bytes, name, caption));
    }
    Handled { reply: Reply::text(words::report_message(lang, &c.centre.name, &c.report)), files, ..Handled::default() }
}

/// `/schedule png [DATE]`: seven days from that day (today) as a timetable picture.
pub fn timetable(ctx: &Ctx, from: Option<NaiveDate>) -> Handled {
    let from = from.unwrap_or_else(|| ctx.today());
    let (views, centre) =
        match ctx.svc.schedule(ctx.user, from, 7).and_then(|v| Ok((v, ctx.svc.my_centre(ctx.user)?.1))) {
            Ok(x) => x,
            Err(e) => return ctx.err(&e),
        };
    let lang = ctx.lang;
    let slots: Vec<_> = views.iter().map(words::slot).collect();
    let labels = words::timetable_labels(lang, &centre.name, &from.to_string());
    let text = if slots.is_empty() { t!(lang, "timetable-none") } else { t!(lang, "timetable-caption") };
    let mut h = Handled::from(Reply::text(text));
    match export::timetable::week_png(from, &slots, &labels) {
        Ok(png) => h.files.push((
            FileKind::Photo,
            png,
            export::file_name(&centre.name, &from.to_string(), "week", "png"),
            labels.title.clone(),
        )),
        Err(e) => log::error!("timetable of centre {}: {e}", centre.id),
    }
    h
}

/// `/calendar`: the caller's upcoming bookings and shifts as an .ics document.
pub fn calendar(ctx: &Ctx) -> Handled {
    let data = match ctx.svc.calendar_data(ctx.user) {
        Ok(d) => d,
        Err(e) => return ctx.err(&e),
    };
    let lang = ctx.lang;
    let events = words::calendar_events(lang, &data);
    let name = t!(lang, "calendar-name", centre = data.centre.name.as_str());
    let bytes = export::ics::calendar(&name, data.centre.tz(), &events, data.now);
    let text = if events.is_empty() { t!(lang, "calendar-empty") } else { t!(lang, "calendar-sent") };
    let month = Month::of(data.now.with_timezone(&data.centre.tz()).date_naive()).to_string();
    let file = export::file_name(&data.centre.name, &month, &format!("calendar-{}", ctx.user.0), "ics");
    Handled {
        reply: Reply::text(text),
        files: vec![(FileKind::Document, bytes, file, t!(lang, "calendar-caption"))],
        ..Handled::default()
    }
}

/// The full ledger as CSV: the caller's family (`None`) or a member's (coordinators),
/// after `reply` (the text view the command shows anyway).
pub fn ledger_file(ctx: &Ctx, target: Option<UserId>, mut h: Handled) -> Handled {
    if h.error {
        return h;
    }
    match ctx.svc.ledger_export(ctx.user, target) {
        Ok(x) => {
            let (bytes, name, caption) = words::ledger_csv(ctx.lang, &x, &this_month(ctx).to_string());
            if !h.reply.text.is_empty() {
                h.reply.text.push_str("\n\n");
            }
            h.reply.text.push_str(&t!(ctx.lang, "ledger-export-sent", count = x.lines.len()));
            h.files.push((FileKind::Document, bytes, name, caption));
            h
        }
        Err(e) => ctx.err(&e),
    }
}

/// `/balance export`: the family's every entry.
pub fn balance_export(ctx: &Ctx) -> Handled {
    ledger_file(ctx, None, Handled::default())
}
