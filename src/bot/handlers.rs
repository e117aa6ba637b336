//! What each command, button and typed answer does: parse -> call the service ->
//! render. Synchronous (the service is); `mod.rs` runs these off the async executor
//! and sends what they return. Rules stay in the service.

use chrono::{Duration, NaiveDate};
use std::sync::Arc;

use super::callback::{Callback, Menu};
use super::command::{self, Command};
use super::dialogue::State;
use super::render::{self, hours, Reply};
use crate::domain::*;
use crate::i18n::Lang;
use crate::service::{Caller, Mark, Notice, Outcome, Service, ServiceError, ShiftBrief};
use crate::t;

/// Who is talking, in which language, and the request key that makes replays harmless.
pub struct Ctx {
    pub svc: Arc<Service>,
    pub user: UserId,
    pub name: String,
    pub lang: Lang,
    pub request: Option<String>,
    pub bot_username: String,
    /// The message whose button was pressed (a broadcast's progress is edited into it).
    pub message: Option<i32>,
}

/// What handling produced: the reply, notices for others, an optional picture,
/// and the next dialogue state (None: leave it as it is).
#[derive(Default)]
pub struct Handled {
    pub reply: Reply,
    pub notices: Vec<Notice>,
    pub photo: Option<(Vec<u8>, String)>,
    /// A file to send (bytes, file name, caption): `/mydata`'s JSON document.
    pub document: Option<(Vec<u8>, String, String)>,
    pub state: Option<State>,
    /// The reply is a refusal (shown as a short notice for a button press).
    pub error: bool,
}

impl From<Reply> for Handled {
    fn from(reply: Reply) -> Self {
        Handled { reply, ..Handled::default() }
    }
}

impl Ctx {
    fn caller(&self) -> Caller {
        Caller { user: self.user, request: self.request.clone() }
    }
    fn err(&self, e: &ServiceError) -> Handled {
        Handled { reply: Reply::text(render::error(self.lang, e)), error: true, ..Handled::default() }
    }
    /// A change's reply, plus the notices it caused. A replay (the inbox handling an
    /// update again after a crash) delivers them again: the crash may have come before
    /// they went out, and a notice twice beats a notice lost.
    fn done<T>(&self, r: Result<Outcome<T>, ServiceError>, ok: impl FnOnce(&T) -> Reply) -> Handled {
        match r {
            Ok(o) => Handled { reply: ok(&o.value), notices: o.notices, ..Handled::default() },
            Err(e) => self.err(&e),
        }
    }
    fn tz(&self) -> chrono_tz::Tz {
        self.svc.my_centre(self.user).map(|(_, c)| c.tz()).unwrap_or_else(|_| self.svc.default_tz())
    }
    fn today(&self) -> NaiveDate {
        self.svc.today(self.tz())
    }
    fn l(&self, key: &str) -> String {
        t!(self.lang, key)
    }
}

// ----- typed commands -----

pub fn command(ctx: &Ctx, cmd: Command) -> Handled {
    let lang = ctx.lang;
    // Dates far from today (chrono reads years of any length) get the range and the usage.
    if let Some((usage, dates)) = cmd.typed_dates() {
        let (from, to) = crate::service::date_window(ctx.today());
        if dates.iter().any(|d| *d < from || *d > to) {
            let e = ServiceError::DateOutOfRange { from, to };
            let mut h = ctx.err(&e);
            h.reply.text.push('\n');
            h.reply.text.push_str(&render::usage(lang, usage));
            return h;
        }
    }
    match cmd {
        Command::Start(Some(code)) | Command::Join(code) => join(ctx, &code),
        Command::Start(None) | Command::Menu => main_menu(ctx, true),
        Command::Help => help(ctx).into(),
        Command::Lang(Some(l)) => match Lang::parse(&l) {
            Some(new) => set_lang(ctx, new),
            None => Reply::text(render::usage(lang, "lang")).into(),
        },
        Command::Lang(None) => language_menu(ctx).into(),
        Command::Children => children(ctx),
        Command::ChildAdd(None) => match ctx.svc.my_family(ctx.user) {
            Ok(_) => Handled {
                reply: Reply::text(ctx.l("child-ask-name")),
                state: Some(State::ChildName),
                ..Handled::default()
            },
            Err(e) => ctx.err(&e),
        },
        Command::ChildAdd(Some((name, birth))) => add_child(ctx, &name, birth),
        Command::ChildNote(None) => children(ctx),
        Command::ChildNote(Some((child, notes))) => {
            ctx.done(ctx.svc.set_child_notes(&ctx.caller(), child, notes.as_deref()), |id| {
                let key = if notes.is_some() { "child-notes-saved" } else { "child-notes-cleared" };
                Reply::text(t!(lang, key, id = id.0))
            })
        }
        Command::Family => match ctx.svc.my_family(ctx.user) {
            Ok(f) => Reply::text(t!(
                lang,
                "family-invite-confirmed",
                code = f.invite_code.as_str(),
                link = format!("https://t.me/{}?start={}", ctx.bot_username, f.invite_code)
            ))
            .into(),
            Err(e) => ctx.err(&e),
        },
        Command::Schedule(from) => schedule(ctx, from.unwrap_or_else(|| ctx.today())),
        Command::Book(None, _) => book_days(ctx),
        Command::Book(Some(shift), child) => match child.map(|c| Ok(Some(c))).unwrap_or_else(|| only_child(ctx)) {
            Ok(Some(child)) => book(ctx, shift, child),
            Ok(None) => pick_child(ctx, shift),
            Err(e) => ctx.err(&e),
        },
        Command::Volunteer(None) => volunteer_list(ctx),
        Command::Volunteer(Some(shift)) => volunteer(ctx, shift),
        Command::Balance => balance(ctx),
        Command::My => my(ctx),
        Command::CancelBooking(b) => cancel_booking(ctx, b),
        Command::DropSignup(s) => drop_signup(ctx, s),
        Command::Swap(None) => swaps(ctx),
        Command::Swap(Some(of)) => {
            let r = match of {
                command::SwapOf::Signup(s) => ctx.svc.offer_swap(&ctx.caller(), s),
                command::SwapOf::Shift(s) => ctx.svc.offer_swap_on_shift(&ctx.caller(), s),
            };
            ctx.done(r, |s| Reply::text(t!(lang, "swap-offered", signup = s.id.0)))
        }
        Command::NewShift { date, start, end, places, staff } => {
            ctx.done(ctx.svc.create_shift(&ctx.caller(), date, start, end, places, staff), |s| {
                Reply::text(t!(
                    lang,
                    "shift-created",
                    shift = render::shift(lang, &ShiftBrief::from(s)),
                    places = s.capacity,
                    staff = s.staff
                ))
            })
        }
        Command::Templates => templates(ctx),
        Command::TemplateAdd { weekday, start, end, places } => ctx
            .done(ctx.svc.create_template(&ctx.caller(), weekday, start, end, places, None), |t| {
                Reply::text(t!(lang, "template-created", template = render::template(lang, t)))
            }),
        Command::TemplateGenerate { from, to } => ctx
            .done(ctx.svc.generate_shifts(&ctx.caller(), None, from, to), |list| {
                Reply::text(t!(lang, "template-generated", count = list.len()))
            }),
        Command::CancelShift(shift, Some(reason)) => cancel_shift(ctx, shift, &reason),
        // Ask for the reason only about a shift this coordinator may cancel.
        Command::CancelShift(shift, None) => match ctx.svc.shift_to_cancel(ctx.user, shift) {
            Ok(_) => Handled {
                reply: Reply::text(t!(lang, "cancelshift-ask-reason", shift = shift.0)),
                state: Some(State::CancelShiftReason { shift }),
                ..Handled::default()
            },
            Err(e) => ctx.err(&e),
        },
        Command::CancelDay(date, reason) => {
            ctx.done(ctx.svc.draft_cancel_day(&ctx.caller(), date, &reason), |(id, day)| {
                Reply::text(t!(
                    lang,
                    "cancelday-ask",
                    date = render::date(lang, day.date),
                    shifts = day.shifts.len(),
                    children = day.children,
                    families = day.families,
                    volunteers = day.volunteers,
                    reason = reason.as_str()
                ))
                .with_row(vec![
                    (ctx.l("btn-cancelday"), Callback::CancelDayDo(*id)),
                    (ctx.l("btn-keep"), Callback::Dismiss),
                ])
            })
        }
        Command::MoveShift { shift, date, start, end } => ctx
            .done(ctx.svc.move_shift(&ctx.caller(), shift, date, start, end), |s| {
                Reply::text(t!(lang, "shift-moved", shift = render::shift(lang, &ShiftBrief::from(s))))
            }),
        Command::Broadcast(audience, text) => {
            ctx.done(ctx.svc.draft_broadcast(&ctx.caller(), audience, &text), |b| render::broadcast_draft(lang, b))
        }
        Command::Settings(None) => match ctx.svc.settings(ctx.user) {
            Ok(c) => Reply::text(render::settings(lang, &c)).into(),
            Err(e) => ctx.err(&e),
        },
        Command::Settings(Some(change)) => ctx.done(ctx.svc.change_setting(&ctx.caller(), &change), |c| {
            Reply::text(format!("{}\n{}", t!(lang, "settings-saved"), render::settings(lang, c)))
        }),
        Command::Pending => pending(ctx),
        Command::Approve(u) => approve(ctx, u),
        Command::Reject(u) => reject(ctx, u),
        Command::Suspend(u) => ctx.done(ctx.svc.suspend_member(&ctx.caller(), u), |m| {
            Reply::text(t!(lang, "member-suspended", name = m.name.as_str()))
        }),
        Command::Unblock(u) => ctx.done(ctx.svc.lift_block(&ctx.caller(), u), |m| {
            Reply::text(t!(lang, "member-unblocked", name = m.name.as_str()))
        }),
        Command::Overdraft(u, limit) => ctx.done(ctx.svc.set_overdraft(&ctx.caller(), u, limit), |f| {
            Reply::text(t!(lang, "overdraft-set", user = u.0, limit = hours(f.overdraft_limit)))
        }),
        Command::Staff(u, on) => ctx.done(ctx.svc.set_staff(&ctx.caller(), u, on), |m| {
            let key = if m.role == Role::Parent { "staff-off" } else { "staff-on" };
            Reply::text(t!(lang, key, name = m.name.as_str()))
        }),
        Command::Grant { user, minutes, memo } => ctx.done(ctx.svc.grant(&ctx.caller(), user, minutes, &memo), |bal| {
            Reply::text(t!(lang, "granted", amount = hours(minutes), user = user.0, balance = hours(*bal)))
        }),
        Command::Ledger(u) => match ctx.svc.ledger_of(ctx.user, u, 20) {
            Ok(view) => Reply::text(balance_text(ctx, &view, Some(u))).into(),
            Err(e) => ctx.err(&e),
        },
        Command::Roster(shift) => roster(ctx, shift),
        Command::Attendance(shift) => attendance(ctx, shift),
        Command::Settle(shift) => settle(ctx, shift),
        Command::Invite => invite(ctx),
        Command::NewCentre(name) => ctx.done(ctx.svc.create_centre(&ctx.caller(), &name, None), |c| {
            Reply::text(t!(
                lang,
                "centre-created",
                name = c.name.as_str(),
                id = c.id.0,
                code = c.invite_code.as_str(),
                timezone = c.timezone.as_str()
            ))
        }),
        Command::Coordinator(user, centre) => ctx
            .done(ctx.svc.appoint_coordinator(&ctx.caller(), user, centre, ""), |_| {
                Reply::text(t!(lang, "coordinator-appointed", user = user.0, centre = centre.0))
            }),
        Command::FamilyNewCode => ctx.done(ctx.svc.new_family_code(&ctx.caller()), |f| {
            Reply::text(t!(
                lang,
                "family-newcode",
                code = f.invite_code.as_str(),
                link = format!("https://t.me/{}?start={}", ctx.bot_username, f.invite_code)
            ))
        }),
        Command::InviteNew => match ctx.svc.new_centre_code(&ctx.caller()) {
            Ok(_) => {
                let mut h = invite(ctx);
                h.reply.text = format!("{}\n{}", ctx.l("invite-replaced"), h.reply.text);
                h
            }
            Err(e) => ctx.err(&e),
        },
        Command::FamilyLeave => match ctx.svc.my_family(ctx.user) {
            Ok(_) => Reply::text(ctx.l("family-leave-ask"))
                .with_row(vec![
                    (ctx.l("btn-leave-family"), Callback::LeaveFamilyDo),
                    (ctx.l("btn-keep"), Callback::Dismiss),
                ])
                .into(),
            Err(e) => ctx.err(&e),
        },
        Command::Leave => match ctx.svc.member(ctx.user) {
            Ok(Some(m)) if m.status != MemberStatus::Rejected => Reply::text(ctx.l("leave-ask"))
                .with_row(vec![(ctx.l("btn-leave"), Callback::LeaveDo), (ctx.l("btn-keep"), Callback::Dismiss)])
                .into(),
            Ok(_) => ctx.err(&ServiceError::NotRegistered),
            Err(e) => ctx.err(&e),
        },
        Command::Remove(user) => {
            ctx.done(ctx.svc.remove_member(&ctx.caller(), user), |d| departed(lang, "member-removed", d))
        }
        Command::RemoveFamily(user) => ctx.done(ctx.svc.remove_family(&ctx.caller(), user), |list| {
            let mut r = Reply::text(ctx.l("family-removed"));
            for d in list {
                r.text.push('\n');
                r.text.push_str(&departed(lang, "member-removed", d).text);
            }
            r
        }),
        Command::MyData => my_data(ctx),
        Command::Forget => Reply::text(ctx.l("forget-ask"))
            .with_row(vec![(ctx.l("btn-forget"), Callback::ForgetDo), (ctx.l("btn-keep"), Callback::Dismiss)])
            .into(),
    }
}

/// "Removed NAME: N bookings cancelled, M signups dropped (balance kept: X h)".
fn departed(lang: Lang, key: &str, d: &crate::service::Departure) -> Reply {
    let mut text = t!(
        lang,
        key,
        name = d.name.as_str(),
        user = d.user.0,
        cancelled = d.cancelled,
        dropped = d.dropped,
        charged = hours(d.charged)
    );
    if let Some(b) = d.balance {
        text.push('\n');
        text.push_str(&t!(lang, "note-balance-kept", balance = hours(b)));
    }
    Reply::text(text)
}

fn my_data(ctx: &Ctx) -> Handled {
    match ctx.svc.my_data(ctx.user) {
        Ok(doc) => {
            let bytes = serde_json::to_vec_pretty(&doc).unwrap_or_default();
            let name = format!("huzhu-data-{}.json", ctx.user.0);
            Handled {
                reply: Reply::text(ctx.l("mydata-sent")),
                document: Some((bytes, name, ctx.l("mydata-caption"))),
                ..Handled::default()
            }
        }
        Err(e) => ctx.err(&e),
    }
}

/// Plain text: an answer to a guided flow's question, or a gentle pointer to the menu.
pub fn text(ctx: &Ctx, state: &State, text: &str) -> Handled {
    match state {
        State::Idle => {
            let mut h: Handled = Reply::text(ctx.l("not-understood")).into();
            h.reply = h.reply.with_button(ctx.l("btn-menu"), Callback::Menu(Menu::Main));
            h
        }
        State::ChildName => match text.trim() {
            name if name.is_empty() || name.chars().count() > 40 => {
                Reply::text(render::error(ctx.lang, &ServiceError::BadText { max: 40 })).into()
            }
            name => Handled {
                reply: Reply::text(t!(ctx.lang, "child-ask-birth", name = name)),
                state: Some(State::ChildBirth { name: name.to_string() }),
                ..Handled::default()
            },
        },
        State::ChildBirth { name } => match command::date(text.trim()) {
            // On success the flow ends; on a refusal (too old, ...) it asks again.
            Some(birth) => add_child(ctx, name, birth),
            None => Reply::text(t!(ctx.lang, "child-bad-birth")).into(),
        },
        State::CancelShiftReason { shift } => {
            let mut h = cancel_shift(ctx, *shift, text);
            h.state = Some(State::Idle);
            h
        }
        State::ChildNotes { child } => {
            let notes = text.trim();
            let notes = (notes != "-").then_some(notes);
            let mut h = ctx.done(ctx.svc.set_child_notes(&ctx.caller(), *child, notes), |id| {
                let key = if notes.is_some() { "child-notes-saved" } else { "child-notes-cleared" };
                Reply::text(t!(ctx.lang, key, id = id.0))
            });
            h.state = Some(State::Idle);
            h
        }
    }
}

// ----- button presses -----

pub fn callback(ctx: &Ctx, cb: Callback) -> Handled {
    let lang = ctx.lang;
    match cb {
        Callback::Menu(m) => menu(ctx, m),
        Callback::SetLang(en) => set_lang(ctx, if en { Lang::En } else { Lang::Zh }),
        Callback::BookDay(d) => book_day(ctx, d),
        Callback::BookShift(s) => match only_child(ctx) {
            Ok(Some(c)) => book_ask(ctx, s, c),
            Ok(None) => pick_child(ctx, s),
            Err(e) => ctx.err(&e),
        },
        Callback::BookAsk(s, c) => book_ask(ctx, s, c),
        Callback::BookDo(s, c) => book(ctx, s, c),
        Callback::VolunteerAsk(s) => match ctx.svc.volunteer_quote(ctx.user, s) {
            Ok((shift, earn)) => Reply::text(match earn {
                Some(earn) => t!(
                    lang,
                    "volunteer-ask",
                    shift = render::shift(lang, &ShiftBrief::from(&shift)),
                    earn = hours(earn)
                ),
                None => t!(lang, "volunteer-ask-no-family", shift = render::shift(lang, &ShiftBrief::from(&shift))),
            })
            .with_row(vec![
                (ctx.l("btn-confirm"), Callback::VolunteerDo(s)),
                (ctx.l("btn-back"), Callback::Menu(Menu::Volunteer)),
            ])
            .into(),
            Err(e) => ctx.err(&e),
        },
        Callback::VolunteerDo(s) => volunteer(ctx, s),
        // The prompt only for a booking the presser may cancel.
        Callback::CancelAsk(b) => match ctx.svc.cancellable_booking(ctx.user, b) {
            // A coordinator cancelling another family's booking charges nothing.
            Ok(bk) if ctx.svc.member(ctx.user).ok().flatten().and_then(|m| m.family) != Some(bk.family) => {
                Reply::text(t!(lang, "cancel-ask-free", booking = b.0))
                    .with_row(vec![
                        (ctx.l("btn-cancel-booking"), Callback::CancelDo(b)),
                        (ctx.l("btn-keep"), Callback::Menu(Menu::My)),
                    ])
                    .into()
            }
            Ok(_) => Reply::text(t!(lang, "cancel-ask", booking = b.0))
                .with_row(vec![
                    (ctx.l("btn-cancel-booking"), Callback::CancelDo(b)),
                    (ctx.l("btn-keep"), Callback::Menu(Menu::My)),
                ])
                .into(),
            Err(e) => ctx.err(&e),
        },
        Callback::CancelDo(b) => cancel_booking(ctx, b),
        Callback::DropAsk(s) => Reply::text(t!(lang, "drop-ask", signup = s.0))
            .with_row(vec![(ctx.l("btn-drop"), Callback::DropDo(s)), (ctx.l("btn-keep"), Callback::Menu(Menu::My))])
            .into(),
        Callback::DropDo(s) => drop_signup(ctx, s),
        Callback::OfferSwap(s) => {
            ctx.done(ctx.svc.offer_swap(&ctx.caller(), s), |s| Reply::text(t!(lang, "swap-offered", signup = s.id.0)))
        }
        Callback::TakeSwap(s) => {
            ctx.done(ctx.svc.take_swap(&ctx.caller(), s), |s| Reply::text(t!(lang, "swap-taken", shift = s.shift.0)))
        }
        Callback::Approve(u) => approve(ctx, u),
        Callback::Reject(u) => reject(ctx, u),
        Callback::MarkChild(s, b, present) => mark(ctx, s, Mark::Child(b, present)),
        Callback::MarkVolunteer(s, v, present) => mark(ctx, s, Mark::Volunteer(v, present)),
        Callback::Settle(s) => settle(ctx, s),
        Callback::Attend(s) => ctx.done(ctx.svc.confirm_signup(&ctx.caller(), s), |s| {
            Reply::text(t!(lang, "attend-confirmed", shift = signup_shift(ctx, s)))
        }),
        Callback::CantCome(s) => ctx.done(ctx.svc.cant_come(&ctx.caller(), s), |s| {
            Reply::text(t!(lang, "cant-come-done", shift = signup_shift(ctx, s)))
        }),
        Callback::TakeCover(shift) => ctx.done(ctx.svc.take_cover(&ctx.caller(), shift), |s| {
            Reply::text(t!(lang, "cover-taken-ok", shift = signup_shift(ctx, s)))
        }),
        Callback::BroadcastSend(id) => ctx.done(ctx.svc.start_broadcast(&ctx.caller(), id, ctx.message), |b| {
            Reply::text(render::broadcast_progress(lang, b))
        }),
        Callback::BroadcastCancel(id) => {
            ctx.done(ctx.svc.cancel_broadcast(&ctx.caller(), id), |_| Reply::text(ctx.l("broadcast-cancelled")))
        }
        Callback::CancelDayDo(id) => ctx.done(ctx.svc.confirm_cancel_day(&ctx.caller(), id), |day| {
            Reply::text(t!(
                lang,
                "cancelday-done",
                date = render::date(lang, day.date),
                shifts = day.shifts.len(),
                children = day.children,
                families = day.families
            ))
        }),
        Callback::ChildNotes(id) => match ctx.svc.children(ctx.user) {
            Ok(list) => match list.into_iter().find(|c| c.id == id) {
                // Shows the notes and waits for new ones (guided; `/child note` is the one-line way).
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
        },
        Callback::Dismiss => {
            Handled { reply: Reply::text(ctx.l("dismissed")), state: Some(State::Idle), ..Handled::default() }
        }
        Callback::GuardianOk(u) => ctx.done(ctx.svc.confirm_guardian(&ctx.caller(), u), |a| guardian_answer(lang, a)),
        Callback::GuardianNo(u) => ctx.done(ctx.svc.decline_guardian(&ctx.caller(), u), |a| guardian_answer(lang, a)),
        Callback::LeaveDo => ctx.done(ctx.svc.leave_centre(&ctx.caller()), |d| departed(lang, "left-done", d)),
        Callback::LeaveFamilyDo => {
            ctx.done(ctx.svc.leave_family(&ctx.caller()), |d| departed(lang, "left-family-done", d))
        }
        Callback::ForgetDo => ctx.done(ctx.svc.forget(&ctx.caller()), |_| Reply::text(t!(lang, "forget-done"))),
    }
}

fn guardian_answer(lang: Lang, a: &crate::service::GuardianAnswer) -> Reply {
    use crate::service::GuardianAnswer::*;
    match a {
        AwaitingCoordinator { name } => Reply::text(t!(lang, "guardian-confirmed-wait", name = name.as_str())),
        Joined { name, .. } => Reply::text(t!(lang, "guardian-confirmed-joined", name = name.as_str())),
        Declined { name } => Reply::text(t!(lang, "guardian-declined", name = name.as_str())),
    }
}

fn menu(ctx: &Ctx, m: Menu) -> Handled {
    match m {
        Menu::Main => main_menu(ctx, false),
        Menu::Schedule => schedule(ctx, ctx.today()),
        Menu::Book => book_days(ctx),
        Menu::Volunteer => volunteer_list(ctx),
        Menu::Balance => balance(ctx),
        Menu::My => my(ctx),
        Menu::Children => children(ctx),
        Menu::Language => language_menu(ctx).into(),
        Menu::Pending => pending(ctx),
        Menu::Invite => invite(ctx),
        Menu::Swaps => swaps(ctx),
    }
}

// ----- the pieces -----

fn main_menu(ctx: &Ctx, greet: bool) -> Handled {
    let lang = ctx.lang;
    let member = ctx.svc.member(ctx.user).ok().flatten();
    let b = |key: &str, m: Menu| (t!(lang, key), Callback::Menu(m));
    let mut reply = match &member {
        Some(m) if m.is_active() => {
            let centre = ctx.svc.centre(m.centre).ok().flatten().map(|c| c.name).unwrap_or_default();
            let r = Reply::text(t!(lang, "menu-title", name = m.name.as_str(), centre = centre));
            // Booking, balance and children belong to a family: a member without one
            // (a coordinator appointed by id) is not offered them.
            let mut r = if m.family.is_some() {
                r.with_row(vec![b("btn-schedule", Menu::Schedule), b("btn-book", Menu::Book)])
                    .with_row(vec![b("btn-volunteer", Menu::Volunteer), b("btn-my", Menu::My)])
                    .with_row(vec![b("btn-balance", Menu::Balance), b("btn-children", Menu::Children)])
            } else {
                r.with_row(vec![b("btn-schedule", Menu::Schedule), b("btn-volunteer", Menu::Volunteer)])
                    .with_row(vec![b("btn-my", Menu::My)])
            }
            .with_row(vec![b("btn-swaps", Menu::Swaps), b("btn-language", Menu::Language)]);
            if m.is_coordinator() {
                r = r.with_row(vec![b("btn-pending", Menu::Pending), b("btn-invite", Menu::Invite)]);
            }
            r
        }
        Some(m) if m.status == MemberStatus::Pending => {
            Reply::text(t!(lang, "err-pending")).with_row(vec![b("btn-language", Menu::Language)])
        }
        Some(m) if m.status == MemberStatus::Suspended => Reply::text(t!(lang, "err-suspended")),
        _ => Reply::text(t!(lang, "welcome-stranger")).with_row(vec![b("btn-language", Menu::Language)]),
    };
    if greet {
        reply.text = format!("{}\n\n{}", t!(lang, "welcome", name = ctx.name.as_str()), reply.text);
    }
    reply.into()
}

fn help(ctx: &Ctx) -> Reply {
    let mut text = ctx.l("help-everyone");
    let member = ctx.svc.member(ctx.user).ok().flatten();
    if member.as_ref().is_some_and(|m| m.is_active()) {
        text.push_str("\n\n");
        text.push_str(&ctx.l("help-parent"));
    }
    if member.as_ref().is_some_and(|m| m.is_active()) {
        text.push_str("\n\n");
        text.push_str(&ctx.l("help-membership"));
    }
    if member.as_ref().is_some_and(|m| m.is_coordinator()) {
        text.push_str("\n\n");
        text.push_str(&ctx.l("help-coordinator"));
        text.push_str("\n\n");
        text.push_str(&ctx.l("help-coordinator-membership"));
    }
    if ctx.svc.is_super_admin(ctx.user) {
        text.push_str("\n\n");
        text.push_str(&ctx.l("help-admin"));
    }
    Reply::text(text)
}

fn language_menu(ctx: &Ctx) -> Reply {
    Reply::text(ctx.l("lang-choose")).with_row(vec![
        (ctx.l("lang-name-zh"), Callback::SetLang(false)),
        (ctx.l("lang-name-en"), Callback::SetLang(true)),
    ])
}

fn set_lang(ctx: &Ctx, lang: Lang) -> Handled {
    match ctx.svc.set_language(ctx.user, lang.code()) {
        Ok(_) => Reply::text(t!(lang, "lang-set")).with_button(t!(lang, "btn-menu"), Callback::Menu(Menu::Main)).into(),
        Err(e) => ctx.err(&e),
    }
}

fn join(ctx: &Ctx, code: &str) -> Handled {
    let lang = ctx.lang;
    let result = ctx.svc.join(&ctx.caller(), code, &ctx.name);
    if let Err(ServiceError::TooManyAttempts { until }) = &result {
        let until = until.with_timezone(&ctx.tz()).format("%Y-%m-%d %H:%M").to_string();
        let reply = Reply::text(t!(lang, "err-too-many-attempts", until = until));
        return Handled { reply, error: true, ..Handled::default() };
    }
    ctx.done(result, |r| match r {
        crate::service::JoinResult::Requested { centre_name } => {
            Reply::text(t!(lang, "join-requested", centre = centre_name.as_str()))
        }
        crate::service::JoinResult::JoinedFamily { centre_name, status } => {
            let key = if *status == MemberStatus::Active { "join-family-active" } else { "join-family-pending" };
            Reply::text(t!(lang, key, centre = centre_name.as_str()))
                .with_button(t!(lang, "btn-menu"), Callback::Menu(Menu::Main))
        }
        crate::service::JoinResult::AwaitingFamily { centre_name } => {
            Reply::text(t!(lang, "join-family-asked", centre = centre_name.as_str()))
        }
        crate::service::JoinResult::Rejoined { centre_name, balance } => {
            Reply::text(t!(lang, "join-rejoined", centre = centre_name.as_str(), balance = hours(*balance)))
        }
    })
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
    let lang = ctx.lang;
    match ctx.svc.add_child(&ctx.caller(), name, birth, None) {
        Ok(o) => Handled {
            reply: Reply::text(t!(lang, "child-added", name = o.value.name.as_str(), id = o.value.id.0))
                .with_button(t!(lang, "btn-book"), Callback::Menu(Menu::Book)),
            state: Some(State::Idle),
            ..Handled::default()
        },
        Err(e) => {
            let mut h = ctx.err(&e);
            if matches!(e, ServiceError::ChildAge(_)) {
                h.reply.text.push('\n');
                h.reply.text.push_str(&t!(lang, "child-bad-birth"));
            }
            h
        }
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
            Reply::text(t!(
                lang,
                key,
                child = q.child.name.as_str(),
                group = render::group(lang, q.group),
                shift = render::shift(lang, &ShiftBrief::from(&q.shift)),
                cost = hours(q.cost),
                available = hours(q.available),
                after = hours(q.available_after)
            ))
            .with_row(vec![
                (ctx.l("btn-confirm"), Callback::BookDo(shift, child)),
                (ctx.l("btn-back"), Callback::Menu(Menu::Book)),
            ])
            .into()
        }
        Err(e) => ctx.err(&e),
    }
}

fn book(ctx: &Ctx, shift: ShiftId, child: ChildId) -> Handled {
    let lang = ctx.lang;
    match ctx.svc.book(&ctx.caller(), shift, child) {
        Ok(o) => {
            let r = &o.value;
            let brief = render::shift(lang, &ShiftBrief::from(&r.shift));
            let reply = match r.waitlist_position {
                None => Reply::text(t!(
                    lang,
                    "booked",
                    booking = r.booking.id.0,
                    child = r.child_name.as_str(),
                    shift = brief,
                    cost = hours(r.cost),
                    after = hours(r.available_after)
                )),
                Some(pos) => {
                    let mut reply = Reply::text(t!(
                        lang,
                        "waitlisted",
                        booking = r.booking.id.0,
                        child = r.child_name.as_str(),
                        shift = brief,
                        position = pos,
                        needed = r.volunteers_needed,
                        cost = hours(r.cost)
                    ));
                    let alternatives = ctx.svc.alternatives(ctx.user, shift, child, 3).unwrap_or_default();
                    if !alternatives.is_empty() {
                        reply.text.push_str(&format!("\n\n{}", t!(lang, "alternatives")));
                        for s in alternatives {
                            reply = reply.with_button(
                                render::shift(lang, &ShiftBrief::from(&s)),
                                Callback::BookAsk(s.id, child),
                            );
                        }
                    }
                    reply.with_button(t!(lang, "btn-cancel-booking"), Callback::CancelAsk(r.booking.id))
                }
            };
            Handled { reply, notices: o.notices, ..Handled::default() }
        }
        Err(e) => ctx.err(&e),
    }
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
                let label = if v.volunteers_needed > 0 {
                    t!(
                        lang,
                        "volunteer-needed-label",
                        shift = render::shift(lang, &ShiftBrief::from(&v.shift)),
                        needed = v.volunteers_needed
                    )
                } else {
                    render::shift(lang, &ShiftBrief::from(&v.shift))
                };
                r = r.with_button(label, Callback::VolunteerAsk(v.shift.id));
            }
            r.into()
        }
        Err(e) => ctx.err(&e),
    }
}

fn volunteer(ctx: &Ctx, shift: ShiftId) -> Handled {
    let lang = ctx.lang;
    let svc = &ctx.svc;
    ctx.done(svc.volunteer(&ctx.caller(), shift), |s| {
        let brief =
            svc.shift(s.shift).ok().flatten().map(|sh| render::shift(lang, &ShiftBrief::from(&sh))).unwrap_or_default();
        Reply::text(t!(lang, "volunteered", signup = s.id.0, shift = brief))
    })
}

fn balance_text(ctx: &Ctx, v: &crate::service::BalanceView, of: Option<UserId>) -> String {
    let lang = ctx.lang;
    let tz = ctx.tz();
    let mut text = match of {
        Some(u) => t!(lang, "ledger-title", user = u.0),
        None => ctx.l("balance-title"),
    };
    text.push('\n');
    text.push_str(&t!(lang, "balance-line", available = hours(v.available), held = hours(v.held)));
    if v.overdraft_limit > 0 {
        text.push_str(&format!("\n{}", t!(lang, "balance-overdraft", limit = hours(v.overdraft_limit))));
    }
    if !v.recent.is_empty() {
        text.push_str(&format!("\n\n{}", ctx.l("balance-recent")));
    }
    for e in &v.recent {
        let when = e.entry.at.with_timezone(&tz).format("%m-%d %H:%M").to_string();
        let kind = t!(lang, &format!("entry-{:?}", e.entry.kind).to_lowercase());
        let sign = if e.signed > 0 { "+" } else { "" };
        text.push_str(&format!("\n{when}  {sign}{} {}  {kind}", hours(e.signed), ctx.l("unit-hours")));
        if !e.entry.memo.is_empty() && matches!(e.entry.kind, EntryKind::Grant) {
            text.push_str(&format!(" · {}", e.entry.memo));
        }
    }
    text
}

fn balance(ctx: &Ctx) -> Handled {
    match ctx.svc.balance(ctx.user, 10) {
        Ok(v) => Reply::text(balance_text(ctx, &v, None)).into(),
        Err(e) => ctx.err(&e),
    }
}

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

fn cancel_booking(ctx: &Ctx, b: BookingId) -> Handled {
    let lang = ctx.lang;
    ctx.done(ctx.svc.cancel_booking(&ctx.caller(), b), |b| {
        if b.charged > 0 {
            Reply::text(t!(lang, "cancelled-charged", booking = b.id.0, charged = hours(b.charged)))
        } else {
            Reply::text(t!(lang, "cancelled-free", booking = b.id.0))
        }
    })
}

fn drop_signup(ctx: &Ctx, s: SignupId) -> Handled {
    let lang = ctx.lang;
    ctx.done(ctx.svc.drop_signup(&ctx.caller(), s), |s| Reply::text(t!(lang, "dropped", signup = s.id.0)))
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

fn templates(ctx: &Ctx) -> Handled {
    let lang = ctx.lang;
    match ctx.svc.templates(ctx.user) {
        Ok(list) => {
            let mut text = if list.is_empty() { ctx.l("templates-none") } else { ctx.l("templates-title") };
            for tpl in &list {
                text.push('\n');
                text.push_str(&render::template(lang, tpl));
            }
            text.push_str(&format!("\n\n{}", t!(lang, "usage-template")));
            Reply::text(text).into()
        }
        Err(e) => ctx.err(&e),
    }
}

fn cancel_shift(ctx: &Ctx, shift: ShiftId, reason: &str) -> Handled {
    let lang = ctx.lang;
    ctx.done(ctx.svc.cancel_shift(&ctx.caller(), shift, reason), |s| {
        Reply::text(t!(lang, "shift-cancelled", shift = render::shift(lang, &ShiftBrief::from(s))))
    })
}

fn pending(ctx: &Ctx) -> Handled {
    let lang = ctx.lang;
    let tz = ctx.tz();
    match ctx.svc.pending_members(ctx.user) {
        Ok(list) => {
            let requests = ctx.svc.guardian_requests(ctx.user).unwrap_or_default();
            let attempts = ctx.svc.code_attempts(ctx.user).unwrap_or_default();
            let mut r = Reply::text(if list.is_empty() { ctx.l("pending-none") } else { ctx.l("pending-title") });
            for m in list.iter().take(20) {
                r.text.push_str(&format!("\n{}", t!(lang, "pending-line", name = m.name.as_str(), user = m.user.0)));
                match requests.iter().find(|q| q.user == m.user) {
                    Some(q) if q.confirmed_by.is_none() => {
                        // The family answers first: no buttons for the coordinator yet.
                        r.text.push_str(&format!(" {}", t!(lang, "pending-awaits-family")));
                        continue;
                    }
                    Some(q) => {
                        let by = q.confirmed_by.map(|u| u.0).unwrap_or_default();
                        r.text.push_str(&format!(" {}", t!(lang, "pending-family-confirmed", user = by)));
                    }
                    None => {}
                }
                r = r.with_row(vec![
                    (t!(lang, "btn-approve-name", name = m.name.as_str()), Callback::Approve(m.user)),
                    (t!(lang, "btn-reject"), Callback::Reject(m.user)),
                ]);
            }
            if !attempts.is_empty() {
                r.text.push_str(&format!("\n\n{}", ctx.l("attempts-title")));
                for a in attempts.iter().take(20) {
                    let last = a.last.with_timezone(&tz).format("%m-%d %H:%M").to_string();
                    r.text.push_str(&format!(
                        "\n{}",
                        t!(lang, "attempts-line", user = a.user.0, count = a.failures, last = last)
                    ));
                    if let Some(until) = a.until.filter(|u| *u > ctx.svc.now()) {
                        let until = until.with_timezone(&tz).format("%H:%M").to_string();
                        r.text.push_str(&format!(" {}", t!(lang, "attempts-blocked", until = until)));
                    }
                }
            }
            r.into()
        }
        Err(e) => ctx.err(&e),
    }
}

fn approve(ctx: &Ctx, u: UserId) -> Handled {
    let lang = ctx.lang;
    ctx.done(ctx.svc.approve_member(&ctx.caller(), u), |m| {
        Reply::text(t!(lang, "member-approved", name = m.name.as_str(), user = m.user.0))
    })
}

fn reject(ctx: &Ctx, u: UserId) -> Handled {
    let lang = ctx.lang;
    ctx.done(ctx.svc.reject_member(&ctx.caller(), u), |m| {
        Reply::text(t!(lang, "member-rejected", name = m.name.as_str(), user = m.user.0))
    })
}

fn roster_text(ctx: &Ctx, r: &crate::service::RosterView) -> String {
    let lang = ctx.lang;
    let mut text =
        t!(lang, "roster-title", shift = render::shift(lang, &ShiftBrief::from(&r.shift)), staff = r.shift.staff);
    text.push_str(&format!("\n\n{}", t!(lang, "roster-children", count = r.children.len())));
    for c in &r.children {
        let mark = match c.marked_present {
            Some(true) => " ✅",
            Some(false) => " ❌",
            None => "",
        };
        text.push_str(&format!(
            "\n{}{mark}",
            t!(lang, "roster-child", name = c.name.as_str(), group = render::group(lang, c.group), months = c.months)
        ));
        if let Some(n) = &c.notes {
            text.push_str(&format!("\n   ⚠ {n}"));
        }
    }
    if !r.waitlist.is_empty() {
        text.push_str(&format!("\n\n{}", t!(lang, "roster-waitlist", count = r.waitlist.len())));
        for c in &r.waitlist {
            text.push_str(&format!(
                "\n{}",
                t!(
                    lang,
                    "roster-child",
                    name = c.name.as_str(),
                    group = render::group(lang, c.group),
                    months = c.months
                )
            ));
        }
    }
    text.push_str(&format!("\n\n{}", t!(lang, "roster-volunteers", count = r.volunteers.len())));
    for v in &r.volunteers {
        let mark = match v.marked_present {
            Some(true) => " ✅",
            Some(false) => " ❌",
            None => "",
        };
        text.push_str(&format!("\n· {} ({}){mark}", v.name, render::signup_status(lang, v.status)));
    }
    text
}

fn roster(ctx: &Ctx, shift: ShiftId) -> Handled {
    match ctx.svc.roster(ctx.user, shift) {
        Ok(r) => Reply::text(roster_text(ctx, &r)).into(),
        Err(e) => ctx.err(&e),
    }
}

/// The roster with a present/absent button pair per child and volunteer, and Settle.
fn attendance(ctx: &Ctx, shift: ShiftId) -> Handled {
    let lang = ctx.lang;
    let is_staff = ctx.svc.my_centre(ctx.user).map(|(m, _)| m.is_staff());
    match (is_staff, ctx.svc.roster(ctx.user, shift)) {
        (Ok(true), Ok(r)) => {
            let mut reply = Reply::text(format!("{}\n\n{}", roster_text(ctx, &r), ctx.l("attendance-hint")));
            for c in r.children.iter().filter(|c| c.status == BookingStatus::Confirmed) {
                reply = reply.with_row(vec![
                    (format!("✅ {}", c.name), Callback::MarkChild(shift, c.booking, true)),
                    (format!("❌ {}", c.name), Callback::MarkChild(shift, c.booking, false)),
                ]);
            }
            for v in
                r.volunteers.iter().filter(|v| matches!(v.status, SignupStatus::SignedUp | SignupStatus::Confirmed))
            {
                reply = reply.with_row(vec![
                    (format!("✅ {}", v.name), Callback::MarkVolunteer(shift, v.signup, true)),
                    (format!("❌ {}", v.name), Callback::MarkVolunteer(shift, v.signup, false)),
                ]);
            }
            reply.with_button(t!(lang, "btn-settle"), Callback::Settle(shift)).into()
        }
        (Ok(false), _) => ctx.err(&ServiceError::NotStaff),
        (Err(e), _) | (_, Err(e)) => ctx.err(&e),
    }
}

fn mark(ctx: &Ctx, shift: ShiftId, m: Mark) -> Handled {
    match ctx.svc.record_attendance(&ctx.caller(), shift, &[m]) {
        Ok(_) => attendance(ctx, shift),
        Err(e) => ctx.err(&e),
    }
}

fn settle(ctx: &Ctx, shift: ShiftId) -> Handled {
    let lang = ctx.lang;
    ctx.done(ctx.svc.settle_shift(&ctx.caller(), shift), |r| {
        Reply::text(t!(
            lang,
            "settled",
            shift = render::shift(lang, &ShiftBrief::from(&r.shift)),
            attended = r.attended,
            noshow = r.child_no_shows,
            served = r.served,
            vnoshow = r.volunteer_no_shows,
            earned = hours(r.earned)
        ))
    })
}

fn invite(ctx: &Ctx) -> Handled {
    let lang = ctx.lang;
    match ctx.svc.invite_code(ctx.user) {
        Ok(c) => {
            let link = format!("https://t.me/{}?start={}", ctx.bot_username, c.invite_code);
            let caption =
                t!(lang, "invite", centre = c.name.as_str(), code = c.invite_code.as_str(), link = link.as_str());
            let mut reply = Reply::text(caption.clone());
            reply.link = Some((t!(lang, "btn-open-link"), link.clone()));
            Handled { reply, photo: super::qr::png(&link).map(|png| (png, caption)), ..Handled::default() }
        }
        Err(e) => ctx.err(&e),
    }
}

/// "#12 12月2日 周三 09:00-12:00" for a signup's shift.
fn signup_shift(ctx: &Ctx, s: &Signup) -> String {
    match ctx.svc.shift(s.shift) {
        Ok(Some(shift)) => render::shift(ctx.lang, &ShiftBrief::from(&shift)),
        _ => format!("#{}", s.shift.0),
    }
}
