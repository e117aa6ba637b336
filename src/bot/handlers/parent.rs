//! A family's parents: children (and the typed steps that add one or change its notes),
//! the schedule, booking, volunteering, swaps, what is mine, the balance.

use chrono::{Duration, NaiveDate};
use teloxide::dptree::{self, case, di::Asyncify};

use super::ctx::{Ctx, Handled, Text, Tree, C};
use crate::bot::callback::{Callback, Menu};
use crate::bot::command::{self, Command, SwapOf};
use crate::bot::dialogue::State;
use crate::bot::render::{self, hours, Done, Reply};
use crate::domain::*;
use crate::service::{ServiceError, ShiftBrief};
use crate::t;

/// The typed commands of parents.
pub fn commands() -> Tree {
    dptree::entry()
        .branch(case![Command::Children].endpoint(Asyncify(|ctx: C| children(&ctx))))
        .branch(case![Command::ChildAdd(what)].endpoint(Asyncify(
            |ctx: C, what: Option<(String, NaiveDate)>| match what {
                Some((name, birth)) => add_child(&ctx, &name, birth),
                // The guided way: the name, then the birth date.
                None => match ctx.svc.my_family(ctx.user) {
                    Ok(_) => Handled {
                        reply: Reply::text(ctx.l("child-ask-name")),
                        state: Some(State::ChildName),
                        ..Handled::default()
                    },
                    Err(e) => ctx.err(&e),
                },
            },
        )))
        .branch(case![Command::ChildNote(what)].endpoint(Asyncify(
            |ctx: C, what: Option<(ChildId, Option<String>)>| match what {
                Some((child, notes)) => set_notes(&ctx, child, notes.as_deref()),
                None => children(&ctx),
            },
        )))
        .branch(
            case![Command::Schedule(from)].endpoint(Asyncify(|ctx: C, from: Option<NaiveDate>| {
                schedule(&ctx, from.unwrap_or_else(|| ctx.today()))
            })),
        )
        .branch(case![Command::Book(shift, child)].endpoint(Asyncify(
            |ctx: C, (shift, child): (Option<ShiftId>, Option<ChildId>)| {
                let Some(shift) = shift else { return book_days(&ctx) };
                match child.map(|c| Ok(Some(c))).unwrap_or_else(|| only_child(&ctx)) {
                    Ok(Some(child)) => book(&ctx, shift, child),
                    Ok(None) => pick_child(&ctx, shift),
                    Err(e) => ctx.err(&e),
                }
            },
        )))
        .branch(case![Command::Volunteer(shift)].endpoint(Asyncify(|ctx: C, shift: Option<ShiftId>| match shift {
            Some(shift) => volunteer(&ctx, shift),
            None => volunteer_list(&ctx),
        })))
        .branch(case![Command::Balance].endpoint(Asyncify(|ctx: C| balance(&ctx))))
        .branch(case![Command::BalanceExport].endpoint(Asyncify(|ctx: C| super::exports::balance_export(&ctx))))
        .branch(case![Command::Calendar].endpoint(Asyncify(|ctx: C| super::exports::calendar(&ctx))))
        .branch(
            case![Command::ScheduleImage(from)]
                .endpoint(Asyncify(|ctx: C, from: Option<NaiveDate>| super::exports::timetable(&ctx, from))),
        )
        .branch(case![Command::My].endpoint(Asyncify(|ctx: C| my(&ctx))))
        .branch(case![Command::CancelBooking(b)].endpoint(Asyncify(|ctx: C, b: BookingId| cancel_booking(&ctx, b))))
        .branch(case![Command::DropSignup(s)].endpoint(Asyncify(|ctx: C, s: SignupId| drop_signup(&ctx, s))))
        .branch(case![Command::Swap(of)].endpoint(Asyncify(|ctx: C, of: Option<SwapOf>| {
            let r = match of {
                None => return swaps(&ctx),
                Some(SwapOf::Signup(s)) => ctx.svc.offer_swap(&ctx.caller(), s),
                Some(SwapOf::Shift(s)) => ctx.svc.offer_swap_on_shift(&ctx.caller(), s),
            };
            ctx.done(r, |v| Done::SwapOffered(v))
        })))
}

/// The buttons of parents (and of volunteers' reminders and asks for cover).
pub fn buttons() -> Tree {
    let menu = |m: Menu| dptree::filter(move |cb: Callback| cb == Callback::Menu(m));
    dptree::entry()
        .branch(menu(Menu::Schedule).endpoint(Asyncify(|ctx: C| schedule(&ctx, ctx.today()))))
        .branch(menu(Menu::Book).endpoint(Asyncify(|ctx: C| book_days(&ctx))))
        .branch(menu(Menu::Volunteer).endpoint(Asyncify(|ctx: C| volunteer_list(&ctx))))
        .branch(menu(Menu::Balance).endpoint(Asyncify(|ctx: C| balance(&ctx))))
        .branch(menu(Menu::Week).endpoint(Asyncify(|ctx: C| super::exports::timetable(&ctx, None))))
        .branch(menu(Menu::My).endpoint(Asyncify(|ctx: C| my(&ctx))))
        .branch(menu(Menu::Children).endpoint(Asyncify(|ctx: C| children(&ctx))))
        .branch(menu(Menu::Swaps).endpoint(Asyncify(|ctx: C| swaps(&ctx))))
        .branch(case![Callback::BookDay(d)].endpoint(Asyncify(|ctx: C, d: NaiveDate| book_day(&ctx, d))))
        .branch(case![Callback::BookShift(s)].endpoint(Asyncify(|ctx: C, s: ShiftId| match only_child(&ctx) {
            Ok(Some(c)) => book_ask(&ctx, s, c),
            Ok(None) => pick_child(&ctx, s),
            Err(e) => ctx.err(&e),
        })))
        .branch(
            case![Callback::BookAsk(s, c)]
                .endpoint(Asyncify(|ctx: C, (s, c): (ShiftId, ChildId)| book_ask(&ctx, s, c))),
        )
        .branch(case![Callback::BookDo(s, c)].endpoint(Asyncify(|ctx: C, (s, c): (ShiftId, ChildId)| book(&ctx, s, c))))
        .branch(case![Callback::VolunteerAsk(s)].endpoint(Asyncify(|ctx: C, s: ShiftId| volunteer_ask(&ctx, s))))
        .branch(case![Callback::VolunteerDo(s)].endpoint(Asyncify(|ctx: C, s: ShiftId| volunteer(&ctx, s))))
        .branch(case![Callback::CancelAsk(b)].endpoint(Asyncify(|ctx: C, b: BookingId| cancel_ask(&ctx, b))))
        .branch(case![Callback::CancelDo(b)].endpoint(Asyncify(|ctx: C, b: BookingId| cancel_booking(&ctx, b))))
        .branch(case![Callback::DropAsk(s)].endpoint(Asyncify(|ctx: C, s: SignupId| {
            let text = t!(ctx.lang, "drop-ask", signup = s.0);
            ctx.ask(text, ("btn-drop", Callback::DropDo(s)), ("btn-keep", Callback::Menu(Menu::My)))
        })))
        .branch(case![Callback::DropDo(s)].endpoint(Asyncify(|ctx: C, s: SignupId| drop_signup(&ctx, s))))
        .branch(case![Callback::OfferSwap(s)].endpoint(Asyncify(|ctx: C, s: SignupId| {
            ctx.done(ctx.svc.offer_swap(&ctx.caller(), s), |v| Done::SwapOffered(v))
        })))
        .branch(case![Callback::TakeSwap(s)].endpoint(Asyncify(|ctx: C, s: SignupId| {
            ctx.done(ctx.svc.take_swap(&ctx.caller(), s), |v| Done::SwapTaken(v))
        })))
        .branch(case![Callback::Attend(s)].endpoint(Asyncify(|ctx: C, s: SignupId| {
            ctx.done(ctx.svc.confirm_signup(&ctx.caller(), s), |s| Done::Attending(s, shift_of(&ctx, s)))
        })))
        .branch(case![Callback::CantCome(s)].endpoint(Asyncify(|ctx: C, s: SignupId| {
            ctx.done(ctx.svc.cant_come(&ctx.caller(), s), |s| Done::CantCome(s, shift_of(&ctx, s)))
        })))
        .branch(case![Callback::TakeCover(shift)].endpoint(Asyncify(|ctx: C, shift: ShiftId| {
            ctx.done(ctx.svc.take_cover(&ctx.caller(), shift), |s| Done::CoverTaken(s, shift_of(&ctx, s)))
        })))
        .branch(case![Callback::ChildNotes(id)].endpoint(Asyncify(|ctx: C, id: ChildId| child_notes(&ctx, id))))
}

/// The typed answers of parents' guided flows, by the dialogue state waiting for them.
pub fn steps() -> Tree {
    dptree::entry()
        .branch(case![State::ChildName].endpoint(Asyncify(|ctx: C, Text(text): Text| match text.trim() {
            name if name.is_empty() || name.chars().count() > 40 => {
                Reply::text(render::error(ctx.lang, &ServiceError::BadText { max: 40 })).into()
            }
            name => Handled {
                reply: Reply::text(t!(ctx.lang, "child-ask-birth", name = name)),
                state: Some(State::ChildBirth { name: name.to_string() }),
                ..Handled::default()
            },
        })))
        .branch(case![State::ChildBirth { name }].endpoint(Asyncify(|ctx: C, name: String, Text(text): Text| {
            match command::date(text.trim()) {
                // On success the flow ends; on a refusal (too old, ...) it asks again.
                Some(birth) => add_child(&ctx, &name, birth),
                None => Reply::text(ctx.l("child-bad-birth")).into(),
            }
        })))
        .branch(case![State::ChildNotes { child }].endpoint(Asyncify(|ctx: C, child: ChildId, Text(text): Text| {
            let notes = text.trim();
            let mut h = set_notes(&ctx, child, (notes != "-").then_some(notes));
            h.state = Some(State::Idle);
            h
        })))
}

fn children(ctx: &Ctx) -> Handled {
    let lang = ctx.lang;
    match ctx.svc.children(ctx.user) {
        Ok(list) => {
            let today = ctx.today();
            let mut text = if list.is_empty() { ctx.l("children-none") } else { ctx.l("children-title") };
            for c in &list {
                let months = age_in_months(c.birth_date, today).unwrap_or(0);
                text.push_str(&format!(
                    "\n{}",
                    t!(
                        lang,
                        "child-line",
                        id = c.id.0,
                        name = c.name.as_str(),
                        birth = c.birth_date.to_string(),
                        months = months
                    )
                ));
                // The family sees its own children's notes.
                if let Some(n) = &c.notes {
                    text.push_str(&format!("\n   ⚠ {n}"));
                }
            }
            text.push_str(&format!("\n\n{}", ctx.l("children-add-hint")));
            if !list.is_empty() {
                text.push_str(&format!("\n{}", ctx.l("children-note-hint")));
            }
            // One button per child leads to its notes and how to change them.
            let mut reply = Reply::text(text);
            for c in &list {
                reply =
                    reply.with_button(t!(lang, "btn-child-notes", name = c.name.as_str()), Callback::ChildNotes(c.id));
            }
            reply.into()
        }
        Err(e) => ctx.err(&e),
    }
}

fn add_child(ctx: &Ctx, name: &str, birth: NaiveDate) -> Handled {
    match ctx.svc.add_child(&ctx.caller(), name, birth, None) {
        Ok(o) => {
            Handled { reply: ctx.said(Done::ChildAdded(&o.value)), state: Some(State::Idle), ..Handled::default() }
        }
        Err(e) => {
            let mut h = ctx.err(&e);
            if matches!(e, ServiceError::ChildAge(_)) {
                h.reply.text.push('\n');
                h.reply.text.push_str(&ctx.l("child-bad-birth"));
            }
            h
        }
    }
}

fn set_notes(ctx: &Ctx, child: ChildId, notes: Option<&str>) -> Handled {
    let cleared = notes.is_none();
    ctx.done(ctx.svc.set_child_notes(&ctx.caller(), child, notes), |id| Done::NotesSet { child: *id, cleared })
}

/// A child's notes, then waits for new ones (guided; `/child note` is the one-line way).
fn child_notes(ctx: &Ctx, id: ChildId) -> Handled {
    let lang = ctx.lang;
    match ctx.svc.children(ctx.user) {
        Ok(list) => match list.into_iter().find(|c| c.id == id) {
            Some(c) => Handled {
                reply: Reply::text(format!(
                    "{}\n{}",
                    t!(
                        lang,
                        "child-notes-show",
                        name = c.name.as_str(),
                        id = c.id.0,
                        notes = c.notes.unwrap_or_else(|| ctx.l("child-notes-none"))
                    ),
                    t!(lang, "child-notes-ask", name = c.name.as_str())
                )),
                state: Some(State::ChildNotes { child: c.id }),
                ..Handled::default()
            },
            None => ctx.err(&ServiceError::UnknownChild),
        },
        Err(e) => ctx.err(&e),
    }
}

fn schedule(ctx: &Ctx, from: NaiveDate) -> Handled {
    let lang = ctx.lang;
    match ctx.svc.schedule(ctx.user, from, 7) {
        Ok(views) => {
            let mut text = t!(
                lang,
                "schedule-title",
                from = render::date(lang, from),
                to = render::date(lang, from + Duration::days(6))
            );
            if views.is_empty() {
                text.push('\n');
                text.push_str(&ctx.l("schedule-empty"));
            }
            for v in &views {
                text.push_str("\n\n");
                text.push_str(&render::shift_view(lang, v));
            }
            Reply::text(text)
                .with_row(vec![
                    (ctx.l("btn-book"), Callback::Menu(Menu::Book)),
                    (ctx.l("btn-volunteer"), Callback::Menu(Menu::Volunteer)),
                ])
                .with_row(vec![(ctx.l("btn-week-picture"), Callback::Menu(Menu::Week))])
                .into()
        }
        Err(e) => ctx.err(&e),
    }
}

/// Step 1 of booking: the days of the next two weeks that have open shifts.
fn book_days(ctx: &Ctx) -> Handled {
    let lang = ctx.lang;
    // Booking is for a family's children: without a family, say so before any picker.
    if let Err(e) = ctx.svc.children(ctx.user) {
        return ctx.err(&e);
    }
    match ctx.svc.schedule(ctx.user, ctx.today(), 14) {
        Ok(views) => {
            let mut days: Vec<NaiveDate> =
                views.iter().filter(|v| v.shift.status == ShiftStatus::Open).map(|v| v.shift.date).collect();
            days.dedup();
            if days.is_empty() {
                return Reply::text(ctx.l("schedule-empty")).into();
            }
            let mut r = Reply::text(ctx.l("book-pick-day"));
            for chunk in days.chunks(3) {
                r = r.with_row(chunk.iter().map(|d| (render::date(lang, *d), Callback::BookDay(*d))).collect());
            }
            r.into()
        }
        Err(e) => ctx.err(&e),
    }
}

/// Step 2: the shifts of that day.
fn book_day(ctx: &Ctx, day: NaiveDate) -> Handled {
    let lang = ctx.lang;
    match ctx.svc.schedule(ctx.user, day, 1) {
        Ok(views) => {
            let open: Vec<_> = views.iter().filter(|v| v.shift.status == ShiftStatus::Open).collect();
            let mut text = t!(lang, "book-pick-shift", date = render::date(lang, day));
            let mut r = Reply::default();
            for v in &open {
                text.push_str("\n\n");
                text.push_str(&render::shift_view(lang, v));
                r = r.with_button(
                    format!("#{} {}-{}", v.shift.id, render::hm(v.shift.start), render::hm(v.shift.end)),
                    Callback::BookShift(v.shift.id),
                );
            }
            r.text = text;
            r.with_button(ctx.l("btn-back"), Callback::Menu(Menu::Book)).into()
        }
        Err(e) => ctx.err(&e),
    }
}

/// The family's only child, or None when there are several to choose from.
fn only_child(ctx: &Ctx) -> Result<Option<ChildId>, ServiceError> {
    let kids = ctx.svc.children(ctx.user)?;
    match kids.as_slice() {
        [] => Err(ServiceError::UnknownChild),
        [one] => Ok(Some(one.id)),
        _ => Ok(None),
    }
}

/// Step 3: which child.
fn pick_child(ctx: &Ctx, shift: ShiftId) -> Handled {
    match ctx.svc.children(ctx.user) {
        Ok(kids) => {
            let mut r = Reply::text(ctx.l("book-pick-child"));
            for k in kids {
                r = r.with_button(k.name.clone(), Callback::BookAsk(shift, k.id));
            }
            r.into()
        }
        Err(e) => ctx.err(&e),
    }
}

/// Step 4: the cost and the balance after, then confirm.
fn book_ask(ctx: &Ctx, shift: ShiftId, child: ChildId) -> Handled {
    let lang = ctx.lang;
    match ctx.svc.quote(ctx.user, shift, child) {
        Ok(q) => {
            let key = if q.would_confirm { "book-confirm" } else { "book-confirm-waitlist" };
            let text = t!(
                lang,
                key,
                child = q.child.name.as_str(),
                group = render::group(lang, q.group),
                shift = render::shift(lang, &ShiftBrief::from(&q.shift)),
                cost = hours(q.cost),
                available = hours(q.available),
                after = hours(q.available_after)
            );
            ctx.ask(text, ("btn-confirm", Callback::BookDo(shift, child)), ("btn-back", Callback::Menu(Menu::Book)))
        }
        Err(e) => ctx.err(&e),
    }
}

/// Booked, or waitlisted with up to three other shifts to try.
fn book(ctx: &Ctx, shift: ShiftId, child: ChildId) -> Handled {
    ctx.done(ctx.svc.book(&ctx.caller(), shift, child), |result| {
        let alternatives = match result.waitlist_position {
            Some(_) => ctx.svc.alternatives(ctx.user, shift, child, 3).unwrap_or_default(),
            None => Vec::new(),
        };
        Done::Booked { result, child, alternatives }
    })
}

fn volunteer_list(ctx: &Ctx) -> Handled {
    let lang = ctx.lang;
    match ctx.svc.schedule(ctx.user, ctx.today(), 14) {
        Ok(mut views) => {
            views.retain(|v| v.shift.status == ShiftStatus::Open && !v.i_volunteer);
            // Shifts that need people first, then by date.
            views.sort_by_key(|v| (std::cmp::Reverse(v.volunteers_needed), v.shift.date, v.shift.start));
            if views.is_empty() {
                return Reply::text(ctx.l("schedule-empty")).into();
            }
            let mut r = Reply::text(ctx.l("volunteer-pick"));
            for v in views.iter().take(8) {
                let shift = render::shift(lang, &ShiftBrief::from(&v.shift));
                let label = if v.volunteers_needed > 0 {
                    t!(lang, "volunteer-needed-label", shift = shift, needed = v.volunteers_needed)
                } else {
                    shift
                };
                r = r.with_button(label, Callback::VolunteerAsk(v.shift.id));
            }
            r.into()
        }
        Err(e) => ctx.err(&e),
    }
}

/// What volunteering on a shift earns (nothing without a family), then confirm.
fn volunteer_ask(ctx: &Ctx, s: ShiftId) -> Handled {
    let lang = ctx.lang;
    match ctx.svc.volunteer_quote(ctx.user, s) {
        Ok((shift, earn)) => {
            let shift = render::shift(lang, &ShiftBrief::from(&shift));
            let text = match earn {
                Some(earn) => t!(lang, "volunteer-ask", shift = shift, earn = hours(earn)),
                None => t!(lang, "volunteer-ask-no-family", shift = shift),
            };
            ctx.ask(text, ("btn-confirm", Callback::VolunteerDo(s)), ("btn-back", Callback::Menu(Menu::Volunteer)))
        }
        Err(e) => ctx.err(&e),
    }
}

fn volunteer(ctx: &Ctx, shift: ShiftId) -> Handled {
    ctx.done(ctx.svc.volunteer(&ctx.caller(), shift), |signup| Done::Volunteered {
        signup,
        shift: ctx.svc.shift(signup.shift).ok().flatten(),
    })
}

/// The shift of a signup, when it can be read.
fn shift_of(ctx: &Ctx, s: &Signup) -> Option<Shift> {
    ctx.svc.shift(s.shift).ok().flatten()
}

fn balance(ctx: &Ctx) -> Handled {
    match ctx.svc.balance(ctx.user, 10) {
        Ok(v) => Reply::text(render::balance(ctx.lang, ctx.tz(), &v, None)).into(),
        Err(e) => ctx.err(&e),
    }
}

/// The family's live bookings and the person's signups, each with its buttons.
fn my(ctx: &Ctx) -> Handled {
    let lang = ctx.lang;
    let today = ctx.today();
    let mut r = Reply::text(ctx.l("my-title"));
    let mut any = false;
    match ctx.svc.my_bookings(ctx.user, today) {
        Ok(list) => {
            for (b, s) in list.iter().filter(|(b, s)| b.is_live() && s.status == ShiftStatus::Open) {
                any = true;
                let child = ctx.svc.child(b.child).ok().flatten().map(|c| c.name).unwrap_or_default();
                r.text.push_str(&format!(
                    "\n{}",
                    t!(
                        lang,
                        "my-booking",
                        booking = b.id.0,
                        child = child.as_str(),
                        shift = render::shift(lang, &ShiftBrief::from(s)),
                        status = render::booking_status(lang, b.status)
                    )
                ));
                r = r.with_button(t!(lang, "btn-cancel-n", id = b.id.0), Callback::CancelAsk(b.id));
            }
        }
        Err(ServiceError::NoFamily) => {}
        Err(e) => return ctx.err(&e),
    }
    // Signups read like the bookings above, with their own words and buttons.
    if let Ok(list) = ctx.svc.my_signups(ctx.user, today) {
        for (s, sh) in list.iter().filter(|(s, sh)| s.is_on_duty() && sh.status == ShiftStatus::Open) {
            any = true;
            let swap = if s.offered_for_swap { t!(lang, "my-offered") } else { String::new() };
            r.text.push_str(&format!(
                "\n{}{swap}",
                t!(
                    lang,
                    "my-signup",
                    signup = s.id.0,
                    shift = render::shift(lang, &ShiftBrief::from(sh)),
                    status = render::signup_status(lang, s.status)
                )
            ));
            r = r.with_row(vec![
                (t!(lang, "btn-drop-n", id = s.id.0), Callback::DropAsk(s.id)),
                (t!(lang, "btn-swap-n", id = s.id.0), Callback::OfferSwap(s.id)),
            ]);
        }
    }
    if !any {
        r.text.push('\n');
        r.text.push_str(&ctx.l("my-none"));
    }
    r.into()
}

/// The prompt, only for a booking the presser may cancel.
fn cancel_ask(ctx: &Ctx, b: BookingId) -> Handled {
    match ctx.svc.cancellable_booking(ctx.user, b) {
        Ok(bk) => {
            // A coordinator cancelling another family's booking charges nothing.
            let own = ctx.svc.member(ctx.user).ok().flatten().and_then(|m| m.family) == Some(bk.family);
            let key = if own { "cancel-ask" } else { "cancel-ask-free" };
            let text = t!(ctx.lang, key, booking = b.0);
            ctx.ask(text, ("btn-cancel-booking", Callback::CancelDo(b)), ("btn-keep", Callback::Menu(Menu::My)))
        }
        Err(e) => ctx.err(&e),
    }
}

fn cancel_booking(ctx: &Ctx, b: BookingId) -> Handled {
    ctx.done(ctx.svc.cancel_booking(&ctx.caller(), b), |v| Done::Cancelled(v))
}

fn drop_signup(ctx: &Ctx, s: SignupId) -> Handled {
    ctx.done(ctx.svc.drop_signup(&ctx.caller(), s), |v| Done::Dropped(v))
}

fn swaps(ctx: &Ctx) -> Handled {
    let lang = ctx.lang;
    match ctx.svc.swaps_offered(ctx.user, 14) {
        Ok(list) => {
            let list: Vec<_> = list.into_iter().filter(|(s, _, _)| s.user != ctx.user).collect();
            if list.is_empty() {
                return Reply::text(ctx.l("swaps-none")).into();
            }
            let mut r = Reply::text(ctx.l("swaps-title"));
            for (s, sh, name) in list.iter().take(8) {
                r = r.with_button(
                    t!(lang, "swap-label", shift = render::shift(lang, &ShiftBrief::from(sh)), name = name.as_str()),
                    Callback::TakeSwap(s.id),
                );
            }
            r.into()
        }
        Err(e) => ctx.err(&e),
    }
}
