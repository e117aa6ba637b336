//! The replies that report what a person asked for was done, worded in one place (as
//! `error` words refusals and `notice` what others are told). The handlers say which
//! `Done` it was and with what; only the words and buttons are here.

use super::{date, hours, shift, template, Reply};
use crate::bot::callback::{Callback, Menu};
use crate::domain::{
    Booking, Broadcast, Centre, CentreId, Child, ChildId, Family, Member, MemberStatus, Role, Shift, Signup, Template,
    UserId,
};
use crate::i18n::Lang;
use crate::service::{BookResult, DayCancel, Departure, GuardianAnswer, JoinResult, SettleReport, ShiftBrief};
use crate::t;

/// One reply per kind of success.
pub enum Done<'a> {
    // ----- anyone -----
    /// The language was changed (worded in the new language).
    LangSet,
    Joined(&'a JoinResult),
    /// `/family newcode`: the family's new code and its link.
    FamilyCode {
        code: &'a str,
        link: String,
    },
    /// Left the centre.
    Left(&'a Departure),
    /// Left the family.
    LeftFamily(&'a Departure),
    /// A guardian answered someone who used the family's code.
    Guardian(&'a GuardianAnswer),
    Forgotten,
    /// `/mydata`: the document follows.
    DataSent,
    // ----- parents -----
    ChildAdded(&'a Child),
    NotesSet {
        child: ChildId,
        cleared: bool,
    },
    /// Booked or waitlisted; a waitlisted child is offered `alternatives`.
    Booked {
        result: &'a BookResult,
        child: ChildId,
        alternatives: Vec<Shift>,
    },
    Cancelled(&'a Booking),
    /// Signed up to volunteer on `shift` (when it could be read back).
    Volunteered {
        signup: &'a Signup,
        shift: Option<Shift>,
    },
    Dropped(&'a Signup),
    SwapOffered(&'a Signup),
    SwapTaken(&'a Signup),
    /// "I'll be there", "I can't make it" and "Take this shift", on a signup's shift.
    Attending(&'a Signup, Option<Shift>),
    CantCome(&'a Signup, Option<Shift>),
    CoverTaken(&'a Signup, Option<Shift>),
    // ----- coordinators -----
    ShiftCreated(&'a Shift),
    TemplateCreated(&'a Template),
    ShiftsGenerated(usize),
    ShiftCancelled(&'a Shift),
    ShiftMoved(&'a Shift),
    /// A `/cancelday` drafted: what it would cancel, with confirm and keep.
    DayDrafted {
        draft: u64,
        day: &'a DayCancel,
        reason: String,
    },
    DayCancelled(&'a DayCancel),
    BroadcastDrafted(&'a Broadcast),
    BroadcastStarted(&'a Broadcast),
    BroadcastCancelled,
    SettingsSaved(&'a Centre),
    Approved(&'a Member),
    Rejected(&'a Member),
    Suspended(&'a Member),
    Unblocked(&'a Member),
    Overdraft {
        user: UserId,
        family: &'a Family,
    },
    Staff(&'a Member),
    Granted {
        user: UserId,
        minutes: i64,
        balance: i64,
    },
    Settled(&'a SettleReport),
    /// `/invite new`: the line before the new invite.
    InviteReplaced,
    Removed(&'a Departure),
    FamilyRemoved(&'a [Departure]),
    // ----- the super-admin -----
    CentreCreated(&'a Centre),
    CoordinatorAppointed {
        user: UserId,
        centre: CentreId,
    },
}

/// What a success says to the person who asked.
pub fn done(lang: Lang, d: &Done) -> Reply {
    use Done::*;
    let text = |key: &str| Reply::text(t!(lang, key));
    let brief = |s: &Shift| shift(lang, &ShiftBrief::from(s));
    match d {
        LangSet => text("lang-set").with_button(t!(lang, "btn-menu"), Callback::Menu(Menu::Main)),
        Joined(r) => joined(lang, r),
        FamilyCode { code, link } => Reply::text(t!(lang, "family-newcode", code = *code, link = link.as_str())),
        Left(d) => departed(lang, "left-done", d),
        LeftFamily(d) => departed(lang, "left-family-done", d),
        Guardian(a) => guardian(lang, a),
        Forgotten => text("forget-done"),
        DataSent => text("mydata-sent"),
        ChildAdded(c) => Reply::text(t!(lang, "child-added", name = c.name.as_str(), id = c.id.0))
            .with_button(t!(lang, "btn-book"), Callback::Menu(Menu::Book)),
        NotesSet { child, cleared } => {
            let key = if *cleared { "child-notes-cleared" } else { "child-notes-saved" };
            Reply::text(t!(lang, key, id = child.0))
        }
        Booked { result, child, alternatives } => booked(lang, result, *child, alternatives),
        Cancelled(b) if b.charged > 0 => {
            Reply::text(t!(lang, "cancelled-charged", booking = b.id.0, charged = hours(b.charged)))
        }
        Cancelled(b) => Reply::text(t!(lang, "cancelled-free", booking = b.id.0)),
        Volunteered { signup, shift } => Reply::text(t!(
            lang,
            "volunteered",
            signup = signup.id.0,
            shift = shift.as_ref().map(brief).unwrap_or_default()
        )),
        Dropped(s) => Reply::text(t!(lang, "dropped", signup = s.id.0)),
        SwapOffered(s) => Reply::text(t!(lang, "swap-offered", signup = s.id.0)),
        SwapTaken(s) => Reply::text(t!(lang, "swap-taken", shift = s.shift.0)),
        Attending(s, sh) => Reply::text(t!(lang, "attend-confirmed", shift = signup_shift(lang, s, sh))),
        CantCome(s, sh) => Reply::text(t!(lang, "cant-come-done", shift = signup_shift(lang, s, sh))),
        CoverTaken(s, sh) => Reply::text(t!(lang, "cover-taken-ok", shift = signup_shift(lang, s, sh))),
        ShiftCreated(s) => {
            Reply::text(t!(lang, "shift-created", shift = brief(s), places = s.capacity, staff = s.staff))
        }
        TemplateCreated(tpl) => Reply::text(t!(lang, "template-created", template = template(lang, tpl))),
        ShiftsGenerated(count) => Reply::text(t!(lang, "template-generated", count = *count)),
        ShiftCancelled(s) => Reply::text(t!(lang, "shift-cancelled", shift = brief(s))),
        ShiftMoved(s) => Reply::text(t!(lang, "shift-moved", shift = brief(s))),
        DayDrafted { draft, day, reason } => Reply::text(t!(
            lang,
            "cancelday-ask",
            date = date(lang, day.date),
            shifts = day.shifts.len(),
            children = day.children,
            families = day.families,
            volunteers = day.volunteers,
            reason = reason.as_str()
        ))
        .with_row(vec![
            (t!(lang, "btn-cancelday"), Callback::CancelDayDo(*draft)),
            (t!(lang, "btn-keep"), Callback::Dismiss),
        ]),
        DayCancelled(day) => Reply::text(t!(
            lang,
            "cancelday-done",
            date = date(lang, day.date),
            shifts = day.shifts.len(),
            children = day.children,
            families = day.families
        )),
        BroadcastDrafted(b) => super::broadcast_draft(lang, b),
        BroadcastStarted(b) => Reply::text(super::broadcast_progress(lang, b)),
        BroadcastCancelled => text("broadcast-cancelled"),
        SettingsSaved(c) => Reply::text(format!("{}\n{}", t!(lang, "settings-saved"), super::settings(lang, c))),
        Approved(m) => Reply::text(t!(lang, "member-approved", name = m.name.as_str(), user = m.user.0)),
        Rejected(m) => Reply::text(t!(lang, "member-rejected", name = m.name.as_str(), user = m.user.0)),
        Suspended(m) => Reply::text(t!(lang, "member-suspended", name = m.name.as_str())),
        Unblocked(m) => Reply::text(t!(lang, "member-unblocked", name = m.name.as_str())),
        Overdraft { user, family } => {
            Reply::text(t!(lang, "overdraft-set", user = user.0, limit = hours(family.overdraft_limit)))
        }
        Staff(m) => {
            let key = if m.role == Role::Parent { "staff-off" } else { "staff-on" };
            Reply::text(t!(lang, key, name = m.name.as_str()))
        }
        Granted { user, minutes, balance } => {
            Reply::text(t!(lang, "granted", amount = hours(*minutes), user = user.0, balance = hours(*balance)))
        }
        Settled(r) => Reply::text(t!(
            lang,
            "settled",
            shift = brief(&r.shift),
            attended = r.attended,
            noshow = r.child_no_shows,
            served = r.served,
            vnoshow = r.volunteer_no_shows,
            earned = hours(r.earned)
        )),
        InviteReplaced => text("invite-replaced"),
        Removed(d) => departed(lang, "member-removed", d),
        FamilyRemoved(list) => {
            let mut r = text("family-removed");
            for d in list.iter() {
                r.text.push('\n');
                r.text.push_str(&departed(lang, "member-removed", d).text);
            }
            r
        }
        CentreCreated(c) => Reply::text(t!(
            lang,
            "centre-created",
            name = c.name.as_str(),
            id = c.id.0,
            code = c.invite_code.as_str(),
            timezone = c.timezone.as_str()
        )),
        CoordinatorAppointed { user, centre } => {
            Reply::text(t!(lang, "coordinator-appointed", user = user.0, centre = centre.0))
        }
    }
}

fn joined(lang: Lang, r: &JoinResult) -> Reply {
    match r {
        JoinResult::Requested { centre_name } => Reply::text(t!(lang, "join-requested", centre = centre_name.as_str())),
        JoinResult::JoinedFamily { centre_name, status } => {
            let key = if *status == MemberStatus::Active { "join-family-active" } else { "join-family-pending" };
            Reply::text(t!(lang, key, centre = centre_name.as_str()))
                .with_button(t!(lang, "btn-menu"), Callback::Menu(Menu::Main))
        }
        JoinResult::AwaitingFamily { centre_name } => {
            Reply::text(t!(lang, "join-family-asked", centre = centre_name.as_str()))
        }
        JoinResult::Rejoined { centre_name, balance } => {
            Reply::text(t!(lang, "join-rejoined", centre = centre_name.as_str(), balance = hours(*balance)))
        }
    }
}

/// "Removed NAME: N bookings cancelled, M signups dropped (balance kept: X h)".
fn departed(lang: Lang, key: &str, d: &Departure) -> Reply {
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

fn guardian(lang: Lang, a: &GuardianAnswer) -> Reply {
    match a {
        GuardianAnswer::AwaitingCoordinator { name } => {
            Reply::text(t!(lang, "guardian-confirmed-wait", name = name.as_str()))
        }
        GuardianAnswer::Joined { name, .. } => Reply::text(t!(lang, "guardian-confirmed-joined", name = name.as_str())),
        GuardianAnswer::Declined { name } => Reply::text(t!(lang, "guardian-declined", name = name.as_str())),
    }
}

/// Booked, or waitlisted with the place, the volunteers that would let it in, other
/// shifts to try and a way to cancel.
fn booked(lang: Lang, r: &BookResult, child: ChildId, alternatives: &[Shift]) -> Reply {
    let brief = shift(lang, &ShiftBrief::from(&r.shift));
    let Some(pos) = r.waitlist_position else {
        return Reply::text(t!(
            lang,
            "booked",
            booking = r.booking.id.0,
            child = r.child_name.as_str(),
            shift = brief,
            cost = hours(r.cost),
            after = hours(r.available_after)
        ));
    };
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
    if !alternatives.is_empty() {
        reply.text.push_str(&format!("\n\n{}", t!(lang, "alternatives")));
        for s in alternatives {
            reply = reply.with_button(shift(lang, &ShiftBrief::from(s)), Callback::BookAsk(s.id, child));
        }
    }
    reply.with_button(t!(lang, "btn-cancel-booking"), Callback::CancelAsk(r.booking.id))
}

/// "#12 12月2日 周三 09:00-12:00" for a signup's shift, or "#12" when it could not be read.
fn signup_shift(lang: Lang, s: &Signup, sh: &Option<Shift>) -> String {
    match sh {
        Some(sh) => shift(lang, &ShiftBrief::from(sh)),
        None => format!("#{}", s.shift.0),
    }
}
