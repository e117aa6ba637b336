//! A centre's coordinators: shifts and templates (and the typed reason for cancelling
//! one), days off, approvals and members, attendance and settlement, credits,
//! broadcasts, settings, the centre's invite.

use chrono::{NaiveDate, NaiveTime, Weekday};
use teloxide::dptree::{self, case, di::Asyncify};

use super::ctx::{Ctx, Handled, Text, Tree, C};
use crate::bot::callback::{Callback, Menu};
use crate::bot::command::Command;
use crate::bot::dialogue::State;
use crate::bot::render::{self, Done, Reply};
use crate::domain::*;
use crate::service::{Mark, ServiceError, SettingChange};
use crate::t;

type ShiftSpec = (NaiveDate, NaiveTime, NaiveTime, Option<u32>, Option<u32>);
type TemplateSpec = (Weekday, NaiveTime, NaiveTime, Option<u32>);
type MoveSpec = (ShiftId, NaiveDate, NaiveTime, NaiveTime);

/// The typed commands of coordinators.
pub fn commands() -> Tree {
    dptree::entry()
        .branch(shifts())
        .branch(members())
        .branch(case![Command::Broadcast(audience, text)].endpoint(Asyncify(
            |ctx: C, (audience, text): (Audience, String)| {
                ctx.done(ctx.svc.draft_broadcast(&ctx.caller(), audience, &text), |v| Done::BroadcastDrafted(v))
            },
        )))
        .branch(case![Command::Settings(change)].endpoint(Asyncify(
            |ctx: C, change: Option<SettingChange>| match change {
                Some(change) => ctx.done(ctx.svc.change_setting(&ctx.caller(), &change), |v| Done::SettingsSaved(v)),
                None => match ctx.svc.settings(ctx.user) {
                    Ok(c) => Reply::text(render::settings(ctx.lang, &c)).into(),
                    Err(e) => ctx.err(&e),
                },
            },
        )))
        .branch(case![Command::Invite].endpoint(Asyncify(|ctx: C| invite(&ctx))))
        .branch(case![Command::Audit(n, centre)].endpoint(Asyncify(
            |ctx: C, (n, centre): (usize, Option<CentreId>)| match ctx.svc.audit_log(ctx.user, centre, n) {
                Ok((c, entries)) => {
                    let mut users: Vec<UserId> = entries.iter().flat_map(|e| e.action.users()).collect();
                    users.extend(entries.iter().map(|e| e.by));
                    users.sort();
                    users.dedup();
                    let names = ctx.svc.names_of(&users).unwrap_or_default();
                    let names = users.into_iter().zip(names).collect();
                    Reply::text(render::audit::log(ctx.lang, &c, &entries, &names)).into()
                }
                Err(e) => ctx.err(&e),
            },
        )))
        .branch(case![Command::InviteNew].endpoint(Asyncify(|ctx: C| match ctx.svc.new_centre_code(&ctx.caller()) {
            Ok(_) => {
                let mut h = invite(&ctx);
                h.reply.text = format!("{}\n{}", ctx.said(Done::InviteReplaced).text, h.reply.text);
                h
            }
            Err(e) => ctx.err(&e),
        })))
}

/// Shifts, templates, days off, rosters, attendance and settlement.
fn shifts() -> Tree {
    dptree::entry()
        .branch(case![Command::NewShift { date, start, end, places, staff }].endpoint(Asyncify(
            |ctx: C, (date, start, end, places, staff): ShiftSpec| {
                ctx.done(ctx.svc.create_shift(&ctx.caller(), date, start, end, places, staff), |v| {
                    Done::ShiftCreated(v)
                })
            },
        )))
        .branch(case![Command::Templates].endpoint(Asyncify(|ctx: C| templates(&ctx))))
        .branch(case![Command::TemplateAdd { weekday, start, end, places }].endpoint(Asyncify(
            |ctx: C, (weekday, start, end, places): TemplateSpec| {
                let r = ctx.svc.create_template(&ctx.caller(), weekday, start, end, places, None);
                ctx.done(r, |v| Done::TemplateCreated(v))
            },
        )))
        .branch(case![Command::TemplateGenerate { from, to }].endpoint(Asyncify(
            |ctx: C, (from, to): (NaiveDate, NaiveDate)| {
                let r = ctx.svc.generate_shifts(&ctx.caller(), None, from, to);
                ctx.done(r, |list| Done::ShiftsGenerated(list.len()))
            },
        )))
        .branch(case![Command::CancelShift(shift, reason)].endpoint(Asyncify(
            |ctx: C, (shift, reason): (ShiftId, Option<String>)| match reason {
                Some(reason) => cancel_shift(&ctx, shift, &reason),
                // Ask for the reason only about a shift this coordinator may cancel.
                None => match ctx.svc.shift_to_cancel(ctx.user, shift) {
                    Ok(_) => Handled {
                        reply: Reply::text(t!(ctx.lang, "cancelshift-ask-reason", shift = shift.0)),
                        state: Some(State::CancelShiftReason { shift }),
                        ..Handled::default()
                    },
                    Err(e) => ctx.err(&e),
                },
            },
        )))
        .branch(case![Command::CancelDay(date, reason)].endpoint(Asyncify(
            |ctx: C, (date, reason): (NaiveDate, String)| {
                ctx.done(ctx.svc.draft_cancel_day(&ctx.caller(), date, &reason), |(draft, day)| Done::DayDrafted {
                    draft: *draft,
                    day,
                    reason: reason.clone(),
                })
            },
        )))
        .branch(case![Command::MoveShift { shift, date, start, end }].endpoint(Asyncify(
            |ctx: C, (shift, date, start, end): MoveSpec| {
                ctx.done(ctx.svc.move_shift(&ctx.caller(), shift, date, start, end), |v| Done::ShiftMoved(v))
            },
        )))
        .branch(case![Command::Roster(shift)].endpoint(Asyncify(|ctx: C, shift: ShiftId| {
            match ctx.svc.roster(ctx.user, shift) {
                Ok(r) => Reply::text(render::roster(ctx.lang, &r)).into(),
                Err(e) => ctx.err(&e),
            }
        })))
        .branch(case![Command::Attendance(shift)].endpoint(Asyncify(|ctx: C, shift: ShiftId| attendance(&ctx, shift))))
        .branch(case![Command::Settle(shift)].endpoint(Asyncify(|ctx: C, shift: ShiftId| settle(&ctx, shift))))
}

/// Approvals, members and their credits.
fn members() -> Tree {
    dptree::entry()
        .branch(case![Command::Pending].endpoint(Asyncify(|ctx: C| pending(&ctx))))
        .branch(case![Command::Approve(u)].endpoint(Asyncify(|ctx: C, u: UserId| approve(&ctx, u))))
        .branch(case![Command::Reject(u)].endpoint(Asyncify(|ctx: C, u: UserId| reject(&ctx, u))))
        .branch(case![Command::Suspend(u)].endpoint(Asyncify(|ctx: C, u: UserId| {
            ctx.done(ctx.svc.suspend_member(&ctx.caller(), u), |v| Done::Suspended(v))
        })))
        .branch(case![Command::Unblock(u)].endpoint(Asyncify(|ctx: C, u: UserId| {
            ctx.done(ctx.svc.lift_block(&ctx.caller(), u), |v| Done::Unblocked(v))
        })))
        .branch(case![Command::Overdraft(user, limit)].endpoint(Asyncify(|ctx: C, (user, limit): (UserId, i64)| {
            ctx.done(ctx.svc.set_overdraft(&ctx.caller(), user, limit), |family| Done::Overdraft { user, family })
        })))
        .branch(case![Command::Staff(u, on)].endpoint(Asyncify(|ctx: C, (u, on): (UserId, bool)| {
            ctx.done(ctx.svc.set_staff(&ctx.caller(), u, on), |v| Done::Staff(v))
        })))
        .branch(case![Command::Grant { user, minutes, memo }].endpoint(Asyncify(
            |ctx: C, (user, minutes, memo): (UserId, i64, String)| {
                ctx.done(ctx.svc.grant(&ctx.caller(), user, minutes, &memo), |balance| Done::Granted {
                    user,
                    minutes,
                    balance: *balance,
                })
            },
        )))
        .branch(case![Command::Ledger(u)].endpoint(Asyncify(
            |ctx: C, u: UserId| match ctx.svc.ledger_of(ctx.user, u, 20) {
                Ok(view) => super::exports::ledger_file(
                    &ctx,
                    Some(u),
                    Reply::text(render::balance(ctx.lang, ctx.tz(), &view, Some(u))).into(),
                ),
                Err(e) => ctx.err(&e),
            },
        )))
        .branch(case![Command::Report(month, scope)].endpoint(Asyncify(
            |ctx: C, (month, scope): (Option<crate::report::Month>, crate::service::ReportScope)| {
                super::exports::report(&ctx, month, scope)
            },
        )))
        .branch(case![Command::Remove(u)].endpoint(Asyncify(|ctx: C, u: UserId| {
            ctx.done(ctx.svc.remove_member(&ctx.caller(), u), |v| Done::Removed(v))
        })))
        .branch(case![Command::RemoveFamily(u)].endpoint(Asyncify(|ctx: C, u: UserId| {
            ctx.done(ctx.svc.remove_family(&ctx.caller(), u), |v| Done::FamilyRemoved(v))
        })))
}

/// The buttons of coordinators.
pub fn buttons() -> Tree {
    let menu = |m: Menu| dptree::filter(move |cb: Callback| cb == Callback::Menu(m));
    dptree::entry()
        .branch(menu(Menu::Pending).endpoint(Asyncify(|ctx: C| pending(&ctx))))
        .branch(menu(Menu::Invite).endpoint(Asyncify(|ctx: C| invite(&ctx))))
        .branch(case![Callback::Approve(u)].endpoint(Asyncify(|ctx: C, u: UserId| approve(&ctx, u))))
        .branch(case![Callback::Reject(u)].endpoint(Asyncify(|ctx: C, u: UserId| reject(&ctx, u))))
        .branch(case![Callback::MarkChild(s, b, present)].endpoint(Asyncify(
            |ctx: C, (s, b, present): (ShiftId, BookingId, bool)| mark(&ctx, s, Mark::Child(b, present)),
        )))
        .branch(case![Callback::MarkVolunteer(s, v, present)].endpoint(Asyncify(
            |ctx: C, (s, v, present): (ShiftId, SignupId, bool)| mark(&ctx, s, Mark::Volunteer(v, present)),
        )))
        .branch(case![Callback::Settle(s)].endpoint(Asyncify(|ctx: C, s: ShiftId| settle(&ctx, s))))
        .branch(case![Callback::BroadcastSend(id)].endpoint(Asyncify(|ctx: C, id: u64| {
            ctx.done(ctx.svc.start_broadcast(&ctx.caller(), id, ctx.message), |v| Done::BroadcastStarted(v))
        })))
        .branch(case![Callback::BroadcastCancel(id)].endpoint(Asyncify(|ctx: C, id: u64| {
            ctx.done(ctx.svc.cancel_broadcast(&ctx.caller(), id), |_| Done::BroadcastCancelled)
        })))
        .branch(case![Callback::CancelDayDo(id)].endpoint(Asyncify(|ctx: C, id: u64| {
            ctx.done(ctx.svc.confirm_cancel_day(&ctx.caller(), id), |v| Done::DayCancelled(v))
        })))
}

/// The typed answers coordinators give, by the dialogue state waiting for them.
pub fn steps() -> Tree {
    dptree::entry().branch(case![State::CancelShiftReason { shift }].endpoint(Asyncify(
        |ctx: C, shift: ShiftId, Text(reason): Text| {
            let mut h = cancel_shift(&ctx, shift, &reason);
            h.state = Some(State::Idle);
            h
        },
    )))
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
    ctx.done(ctx.svc.cancel_shift(&ctx.caller(), shift, reason), |v| Done::ShiftCancelled(v))
}

/// Who waits for approval (with buttons once their family confirmed them), and who
/// tried wrong codes.
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
                        let until = render::hm(until.with_timezone(&tz).time());
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
    ctx.done(ctx.svc.approve_member(&ctx.caller(), u), |v| Done::Approved(v))
}

fn reject(ctx: &Ctx, u: UserId) -> Handled {
    ctx.done(ctx.svc.reject_member(&ctx.caller(), u), |v| Done::Rejected(v))
}

/// The roster with a present/absent button pair per child and volunteer, and Settle.
fn attendance(ctx: &Ctx, shift: ShiftId) -> Handled {
    let is_staff = ctx.svc.my_centre(ctx.user).map(|(m, _)| m.is_staff());
    match (is_staff, ctx.svc.roster(ctx.user, shift)) {
        (Ok(true), Ok(r)) => {
            let text = format!("{}\n\n{}", render::roster(ctx.lang, &r), ctx.l("attendance-hint"));
            let pair = |name: &str, present: Callback, absent: Callback| {
                vec![(format!("✅ {name}"), present), (format!("❌ {name}"), absent)]
            };
            let mut reply = Reply::text(text);
            for c in r.children.iter().filter(|c| c.status == BookingStatus::Confirmed) {
                reply = reply.with_row(pair(
                    &c.name,
                    Callback::MarkChild(shift, c.booking, true),
                    Callback::MarkChild(shift, c.booking, false),
                ));
            }
            for v in
                r.volunteers.iter().filter(|v| matches!(v.status, SignupStatus::SignedUp | SignupStatus::Confirmed))
            {
                reply = reply.with_row(pair(
                    &v.name,
                    Callback::MarkVolunteer(shift, v.signup, true),
                    Callback::MarkVolunteer(shift, v.signup, false),
                ));
            }
            reply.with_button(ctx.l("btn-settle"), Callback::Settle(shift)).into()
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
    ctx.done(ctx.svc.settle_shift(&ctx.caller(), shift), |v| Done::Settled(v))
}

/// The centre's code and link, with its QR code.
fn invite(ctx: &Ctx) -> Handled {
    let lang = ctx.lang;
    match ctx.svc.invite_code(ctx.user) {
        Ok(c) => {
            let link = ctx.start_link(&c.invite_code);
            let caption =
                t!(lang, "invite", centre = c.name.as_str(), code = c.invite_code.as_str(), link = link.as_str());
            let mut reply = Reply::text(caption.clone());
            reply.link = Some((t!(lang, "btn-open-link"), link.clone()));
            Handled { reply, photo: crate::bot::qr::png(&link).map(|png| (png, caption)), ..Handled::default() }
        }
        Err(e) => ctx.err(&e),
    }
}
