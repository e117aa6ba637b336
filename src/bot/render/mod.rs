//! Turning service results, errors and notices into localized text and keyboards.
//! No rules here: only words and layout.

use chrono::{Datelike, NaiveDate};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::callback::Callback;
use crate::domain::{
    AgeGroup, AgeProblem, BookingStatus, Broadcast, Centre, EntryKind, MemberStatus, SignupStatus, Template, UserId,
};
use crate::i18n::Lang;
use crate::ledger::format_hours;
use crate::service::{BalanceView, Event, Reminder, RosterView, ServiceError, ShiftBrief, ShiftView};
use crate::t;

pub mod audit;
mod done;
pub mod exports;
pub mod round;
pub use done::{done, Done};

/// A message to show: text and buttons (rows of label + action).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reply {
    pub text: String,
    pub buttons: Vec<Vec<(String, Callback)>>,
    /// A button that opens a link (the invite link).
    pub link: Option<(String, String)>,
    /// A keyboard button that shares the person's own phone number (its label); sent
    /// instead of the inline buttons.
    pub contact: Option<String>,
    /// Takes a shown reply keyboard (the phone number button) away.
    pub remove_keyboard: bool,
}

impl Reply {
    pub fn text(text: impl Into<String>) -> Self {
        Reply { text: text.into(), ..Reply::default() }
    }
    pub fn with_row(mut self, row: Vec<(String, Callback)>) -> Self {
        if !row.is_empty() {
            self.buttons.push(row);
        }
        self
    }
    pub fn with_button(self, label: String, cb: Callback) -> Self {
        self.with_row(vec![(label, cb)])
    }
    pub fn keyboard(&self) -> Option<InlineKeyboardMarkup> {
        if self.buttons.is_empty() && self.link.is_none() {
            return None;
        }
        let mut rows: Vec<Vec<InlineKeyboardButton>> = self
            .buttons
            .iter()
            .map(|row| {
                row.iter().map(|(label, cb)| InlineKeyboardButton::callback(label.clone(), cb.encode())).collect()
            })
            .collect();
        if let Some((label, url)) = &self.link {
            if let Ok(url) = url.parse() {
                rows.push(vec![InlineKeyboardButton::url(label.clone(), url)]);
            }
        }
        Some(InlineKeyboardMarkup::new(rows))
    }
}

pub fn hours(minutes: i64) -> String {
    format_hours(minutes)
}

pub fn weekday(lang: Lang, d: NaiveDate) -> String {
    let key = ["wd-mon", "wd-tue", "wd-wed", "wd-thu", "wd-fri", "wd-sat", "wd-sun"]
        [d.weekday().num_days_from_monday() as usize];
    t!(lang, key)
}

/// "12月2日 周三" / "Wed 2 Dec".
pub fn date(lang: Lang, d: NaiveDate) -> String {
    t!(lang, "date-format", month = d.month(), day = d.day(), weekday = weekday(lang, d), monthname = month_name(d))
}

fn month_name(d: NaiveDate) -> String {
    d.format("%b").to_string()
}

/// "09:00" (the one writer of wall times, shared with the policy's).
pub use crate::reminders::write_hhmm as hm;

/// "#12 12月2日 周三 09:00-12:00"
pub fn shift(lang: Lang, s: &ShiftBrief) -> String {
    t!(lang, "shift-brief", id = s.id.0, date = date(lang, s.date), start = hm(s.start), end = hm(s.end))
}

pub fn group(lang: Lang, g: AgeGroup) -> String {
    t!(
        lang,
        match g {
            AgeGroup::Infant => "group-infant",
            AgeGroup::Toddler => "group-toddler",
            AgeGroup::Older => "group-older",
        }
    )
}

pub fn booking_status(lang: Lang, s: BookingStatus) -> String {
    t!(
        lang,
        match s {
            BookingStatus::Confirmed => "bstatus-confirmed",
            BookingStatus::Waitlisted => "bstatus-waitlisted",
            BookingStatus::Cancelled => "bstatus-cancelled",
            BookingStatus::Attended => "bstatus-attended",
            BookingStatus::NoShow => "bstatus-noshow",
        }
    )
}

pub fn signup_status(lang: Lang, s: SignupStatus) -> String {
    t!(
        lang,
        match s {
            SignupStatus::SignedUp => "vstatus-signedup",
            SignupStatus::Confirmed => "vstatus-confirmed",
            SignupStatus::Dropped => "vstatus-dropped",
            SignupStatus::Served => "vstatus-served",
            SignupStatus::NoShow => "vstatus-noshow",
        }
    )
}

/// One schedule line: when, free places per group, waitlist, volunteers still needed.
pub fn shift_view(lang: Lang, v: &ShiftView) -> String {
    let mut line = shift(lang, &ShiftBrief::from(&v.shift));
    if v.shift.status == crate::domain::ShiftStatus::Cancelled {
        line.push_str(&t!(lang, "sched-cancelled"));
        return line;
    }
    line.push('\n');
    line.push_str(&t!(
        lang,
        "sched-detail",
        infant = v.free[0],
        toddler = v.free[1],
        older = v.free[2],
        booked = v.confirmed,
        waitlist = v.waitlist,
        volunteers = v.volunteers,
        needed = v.volunteers_needed
    ));
    if !v.my_bookings.is_empty() {
        line.push_str(&t!(lang, "sched-mine-booked"));
    }
    if v.i_volunteer {
        line.push_str(&t!(lang, "sched-mine-volunteer"));
    }
    line
}

/// "#1 every Wed 09:00-12:00 · 8 places"
pub fn template(lang: Lang, t: &Template) -> String {
    // Any date with that weekday names it.
    let day = NaiveDate::from_isoywd_opt(2026, 10, t.weekday).unwrap_or_default();
    t!(
        lang,
        "template-line",
        id = t.id.0,
        weekday = weekday(lang, day),
        start = hm(t.start),
        end = hm(t.end),
        places = t.capacity
    )
}

/// A balance (`of` a member: a coordinator's `/ledger`) and its recent entries, their
/// times in `tz`.
pub fn balance(lang: Lang, tz: chrono_tz::Tz, v: &BalanceView, of: Option<UserId>) -> String {
    let mut text = match of {
        Some(u) => t!(lang, "ledger-title", user = u.0),
        None => t!(lang, "balance-title"),
    };
    text.push('\n');
    text.push_str(&t!(lang, "balance-line", available = hours(v.available), held = hours(v.held)));
    if v.overdraft_limit > 0 {
        text.push_str(&format!("\n{}", t!(lang, "balance-overdraft", limit = hours(v.overdraft_limit))));
    }
    if !v.recent.is_empty() {
        text.push_str(&format!("\n\n{}", t!(lang, "balance-recent")));
    }
    for e in &v.recent {
        let when = e.entry.at.with_timezone(&tz).format("%m-%d %H:%M").to_string();
        let kind = t!(lang, &format!("entry-{:?}", e.entry.kind).to_lowercase());
        let sign = if e.signed > 0 { "+" } else { "" };
        text.push_str(&format!("\n{when}  {sign}{} {}  {kind}", hours(e.signed), t!(lang, "unit-hours")));
        if !e.entry.memo.is_empty() && matches!(e.entry.kind, EntryKind::Grant) {
            text.push_str(&format!(" · {}", e.entry.memo));
        }
    }
    text
}

/// A shift's roster: children (with their notes) and their marks, the waitlist, the
/// volunteers.
pub fn roster(lang: Lang, r: &RosterView) -> String {
    let mark = |m: Option<bool>| match m {
        Some(true) => " ✅",
        Some(false) => " ❌",
        None => "",
    };
    let child = |name: &str, g: AgeGroup, months: u32| {
        t!(lang, "roster-child", name = name, group = group(lang, g), months = months)
    };
    let mut text = t!(lang, "roster-title", shift = shift(lang, &ShiftBrief::from(&r.shift)), staff = r.shift.staff);
    text.push_str(&format!("\n\n{}", t!(lang, "roster-children", count = r.children.len())));
    for c in &r.children {
        text.push_str(&format!("\n{}{}", child(&c.name, c.group, c.months), mark(c.marked_present)));
        if let Some(n) = &c.notes {
            text.push_str(&format!("\n   ⚠ {n}"));
        }
    }
    if !r.waitlist.is_empty() {
        text.push_str(&format!("\n\n{}", t!(lang, "roster-waitlist", count = r.waitlist.len())));
        for c in &r.waitlist {
            text.push_str(&format!("\n{}", child(&c.name, c.group, c.months)));
        }
    }
    text.push_str(&format!("\n\n{}", t!(lang, "roster-volunteers", count = r.volunteers.len())));
    for v in &r.volunteers {
        text.push_str(&format!("\n· {} ({}){}", v.name, signup_status(lang, v.status), mark(v.marked_present)));
    }
    text
}

pub fn usage(lang: Lang, command: &str) -> String {
    t!(lang, "usage-wrong", usage = t!(lang, &format!("usage-{command}")))
}

/// A clear sentence for each refusal, saying what to do instead.
pub fn error(lang: Lang, e: &ServiceError) -> String {
    use ServiceError::*;
    match e {
        NotRegistered => t!(lang, "err-not-registered"),
        PhoneUnknown => t!(lang, "err-phone-unknown"),
        PhoneClaimed => t!(lang, "err-phone-claimed"),
        PhoneTaken(phone) => t!(lang, "err-phone-taken", phone = phone.clone()),
        NotOwnContact => t!(lang, "err-not-own-contact"),
        NotActive(MemberStatus::Pending) => t!(lang, "err-pending"),
        NotActive(MemberStatus::Suspended) => t!(lang, "err-suspended"),
        NotActive(_) => t!(lang, "err-not-registered"),
        NotCoordinator => t!(lang, "err-not-coordinator"),
        NotStaff => t!(lang, "err-not-staff"),
        NotSuperAdmin => t!(lang, "err-not-admin"),
        NoFamily => t!(lang, "err-no-family"),
        AlreadyMember => t!(lang, "err-already-member"),
        UnknownInvite => t!(lang, "err-unknown-invite"),
        UnknownCentre => t!(lang, "err-unknown-centre"),
        UnknownMember => t!(lang, "err-unknown-member"),
        UnknownChild => t!(lang, "err-unknown-child"),
        UnknownShift => t!(lang, "err-unknown-shift"),
        UnknownTemplate => t!(lang, "err-unknown-template"),
        UnknownBooking => t!(lang, "err-unknown-booking"),
        UnknownSignup => t!(lang, "err-unknown-signup"),
        UnknownTimezone => t!(lang, "err-unknown-timezone"),
        ChildAge(AgeProblem::TooYoung { months, min_months }) => {
            t!(lang, "err-too-young", months = *months, min = *min_months)
        }
        ChildAge(AgeProblem::TooOld { months, max_months }) => {
            t!(lang, "err-too-old", months = *months, max = *max_months)
        }
        ChildAge(AgeProblem::NotBorn) => t!(lang, "err-not-born"),
        ShiftStarted => t!(lang, "err-shift-started"),
        ShiftNotOver => t!(lang, "err-shift-not-over"),
        ShiftNotStarted => t!(lang, "err-shift-not-started"),
        ShiftCancelled => t!(lang, "err-shift-cancelled"),
        ShiftSettled => t!(lang, "err-shift-settled"),
        InPast => t!(lang, "err-in-past"),
        BadTimes => t!(lang, "err-bad-times"),
        BadCapacity => t!(lang, "err-bad-capacity"),
        BadRange => t!(lang, "err-bad-range"),
        DateOutOfRange { from, to } => t!(lang, "err-date-range", from = from.to_string(), to = to.to_string()),
        AlreadyBooked => t!(lang, "err-already-booked"),
        ChildBusy => t!(lang, "err-child-busy"),
        WaitlistFull => t!(lang, "err-waitlist-full"),
        AlreadySignedUp => t!(lang, "err-already-signed-up"),
        VolunteerClash(s) => t!(lang, "err-volunteer-clash", shift = s.0),
        SignupBlocked => t!(lang, "err-signup-blocked"),
        BookingNotLive => t!(lang, "err-booking-not-live"),
        SignupNotLive => t!(lang, "err-signup-not-live"),
        NotOffered => t!(lang, "err-not-offered"),
        Insufficient { available, needed } => {
            t!(lang, "err-insufficient", available = hours(*available), needed = hours(*needed))
        }
        BadAmount => t!(lang, "err-bad-amount"),
        BadText { max } => t!(lang, "err-bad-text", max = *max),
        TooManyChildren => t!(lang, "err-too-many-children"),
        CoverTaken => t!(lang, "err-cover-taken"),
        CoverNotNeeded => t!(lang, "err-cover-not-needed"),
        MoveClash => t!(lang, "err-move-clash"),
        BroadcastClosed => t!(lang, "err-broadcast-closed"),
        NoRecipients => t!(lang, "err-no-recipients"),
        BadSetting => t!(lang, "usage-settings"),
        SettingRange { key, min, max } => {
            t!(lang, "err-setting-range", setting = setting_word(*key), min = *min, max = *max)
        }
        NothingToCancel => t!(lang, "err-nothing-to-cancel"),
        IsCoordinator => t!(lang, "err-is-coordinator"),
        Storage(_) => t!(lang, "err-internal"),
        TooManyAttempts { until } => {
            t!(lang, "err-too-many-attempts", until = until.format("%Y-%m-%d %H:%M UTC").to_string())
        }
        JoinRefused => t!(lang, "err-join-refused"),
        AwaitingGuardian => t!(lang, "err-awaiting-guardian"),
        NotGuardian => t!(lang, "err-not-guardian"),
        RoundOpen { .. }
        | RoundExists
        | UnknownRound
        | RoundClosed
        | BadRoundDates
        | ShiftNotInRound
        | BadWish { .. }
        | NoWishRound { .. } => round::error(lang, e).unwrap_or_default(),
    }
}

/// What a notice says to its recipient.
pub fn notice(lang: Lang, e: &Event) -> Reply {
    match e {
        Event::JoinRequested { user, name } => {
            Reply::text(t!(lang, "note-join-requested", name = name.as_str(), user = user.0)).with_row(vec![
                (t!(lang, "btn-approve"), Callback::Approve(*user)),
                (t!(lang, "btn-reject"), Callback::Reject(*user)),
            ])
        }
        Event::Approved { centre_name, .. } => Reply::text(t!(lang, "note-approved", centre = centre_name.as_str()))
            .with_button(t!(lang, "btn-menu"), Callback::Menu(super::callback::Menu::Main)),
        Event::Rejected { centre_name } => Reply::text(t!(lang, "note-rejected", centre = centre_name.as_str())),
        Event::Suspended { centre_name } => Reply::text(t!(lang, "note-suspended", centre = centre_name.as_str())),
        Event::MadeCoordinator { centre_name } => {
            Reply::text(t!(lang, "note-made-coordinator", centre = centre_name.as_str()))
        }
        Event::GuardianJoined { name, .. } => Reply::text(t!(lang, "note-guardian-joined", name = name.as_str())),
        Event::Promoted { booking, shift: s, child } => {
            Reply::text(t!(lang, "note-promoted", child = child.as_str(), shift = shift(lang, s), booking = booking.0))
        }
        Event::ShiftCancelled { shift: s, reason, released } => Reply::text(t!(
            lang,
            "note-shift-cancelled",
            shift = shift(lang, s),
            reason = reason.as_str(),
            released = hours(*released)
        )),
        Event::DayCancelled { date: d, reason, shifts, released } => Reply::text(t!(
            lang,
            "note-day-cancelled",
            date = date(lang, *d),
            reason = reason.as_str(),
            shifts = shifts.iter().map(|s| shift(lang, s)).collect::<Vec<_>>().join(", "),
            released = hours(*released)
        )),
        Event::Understaffed { shift: s, missing } => {
            Reply::text(t!(lang, "note-understaffed", shift = shift(lang, s), missing = *missing))
                .with_button(t!(lang, "btn-roster"), Callback::Menu(super::callback::Menu::Schedule))
        }
        Event::CreditsGranted { amount, memo, balance } => Reply::text(t!(
            lang,
            "note-granted",
            amount = hours(*amount),
            memo = memo.as_str(),
            balance = hours(*balance)
        )),
        Event::Earned { shift: s, amount } => {
            Reply::text(t!(lang, "note-earned", shift = shift(lang, s), amount = hours(*amount)))
        }
        Event::VolunteerNoShow { shift: s, penalty, blocked } => {
            let mut text = t!(lang, "note-volunteer-noshow", shift = shift(lang, s), penalty = hours(*penalty));
            if *blocked {
                text.push('\n');
                text.push_str(&t!(lang, "err-signup-blocked"));
            }
            Reply::text(text)
        }
        Event::ChildNoShow { shift: s, child, charged } => Reply::text(t!(
            lang,
            "note-child-noshow",
            shift = shift(lang, s),
            child = child.as_str(),
            charged = hours(*charged)
        )),
        Event::ShiftMoved { from, to } => Reply::text(t!(
            lang,
            "note-shift-moved",
            from = shift(lang, from),
            date = date(lang, to.date),
            start = hm(to.start),
            end = hm(to.end)
        )),
        Event::MoveCancelled { shift: s, child, why, released } => {
            let why = match why {
                crate::service::MoveDrop::Age(problem) => error(lang, &ServiceError::ChildAge(*problem)),
                crate::service::MoveDrop::Credits { needed } => t!(lang, "note-move-credits", needed = hours(*needed)),
            };
            Reply::text(t!(
                lang,
                "note-move-cancelled",
                shift = shift(lang, s),
                child = child.as_str(),
                why = why,
                released = hours(*released)
            ))
        }
        Event::MoveWaitlisted { booking, shift: s, child } => Reply::text(t!(
            lang,
            "note-move-waitlisted",
            shift = shift(lang, s),
            child = child.as_str(),
            booking = booking.0
        )),
        Event::SwapTaken { shift: s, by, .. } => {
            Reply::text(t!(lang, "note-swap-taken", shift = shift(lang, s), name = by.as_str()))
        }
        Event::GuardianRequested { user, name } => {
            Reply::text(t!(lang, "note-guardian-requested", name = name.as_str(), user = user.0)).with_row(vec![
                (t!(lang, "btn-guardian-yes"), Callback::GuardianOk(*user)),
                (t!(lang, "btn-guardian-no"), Callback::GuardianNo(*user)),
            ])
        }
        Event::FamilyConfirmed { centre_name } => {
            Reply::text(t!(lang, "note-family-confirmed", centre = centre_name.as_str()))
        }
        Event::Left { centre_name, removed, cancelled, dropped, balance } => {
            let key = if *removed { "note-removed" } else { "note-left" };
            let mut text = t!(lang, key, centre = centre_name.as_str(), cancelled = *cancelled, dropped = *dropped);
            if let Some(b) = balance {
                text.push('\n');
                text.push_str(&t!(lang, "note-balance-kept", balance = hours(*b)));
            }
            Reply::text(text)
        }
        Event::MemberLeft { user, name, removed } => {
            let key = if *removed { "note-member-removed" } else { "note-member-left" };
            Reply::text(t!(lang, key, name = name.as_str(), user = user.0))
        }
    }
}

/// A due reminder or ask, in the recipient's language.
pub fn reminder(lang: Lang, r: &Reminder) -> Reply {
    match r {
        Reminder::Volunteer { shift: s, signup, hours: h, confirmed, children } => {
            let text = t!(lang, "remind-volunteer", shift = shift(lang, s), hours = *h, children = *children);
            if *confirmed {
                Reply::text(text)
            } else {
                Reply::text(text).with_row(vec![
                    (t!(lang, "btn-attend"), Callback::Attend(*signup)),
                    (t!(lang, "btn-cant-come"), Callback::CantCome(*signup)),
                ])
            }
        }
        Reminder::Family { shift: s, child, waitlist_position: None, today } => Reply::text(t!(
            lang,
            if *today { "remind-family-today" } else { "remind-family" },
            shift = shift(lang, s),
            child = child.as_str(),
            start = hm(s.start)
        )),
        Reminder::Family { shift: s, child, waitlist_position: Some(p), today } => Reply::text(t!(
            lang,
            if *today { "remind-family-waitlisted-today" } else { "remind-family-waitlisted" },
            shift = shift(lang, s),
            child = child.as_str(),
            position = *p
        )),
        Reminder::Digest { date: d, shifts, today, unreached } => {
            let mut text = t!(lang, if *today { "digest-title-today" } else { "digest-title" }, date = date(lang, *d));
            for ds in shifts {
                text.push('\n');
                text.push_str(&t!(
                    lang,
                    "digest-shift",
                    shift = shift(lang, &ds.shift),
                    infants = ds.children[0],
                    toddlers = ds.children[1],
                    older = ds.children[2],
                    waitlist = ds.waitlist,
                    staff = ds.staff,
                    volunteers = if ds.volunteers.is_empty() { "-".to_string() } else { ds.volunteers.join(", ") }
                ));
                if ds.missing > 0 || ds.understaffed {
                    text.push('\n');
                    text.push_str(&t!(lang, "digest-gap", missing = ds.missing));
                }
            }
            if !unreached.is_empty() {
                text.push('\n');
                text.push_str(&t!(lang, "digest-unreached", names = unreached.join(", ")));
            }
            Reply::text(text)
        }
        Reminder::CoverAsk { shift: s, earn, missing } => {
            let text = if *earn > 0 {
                t!(lang, "cover-ask", shift = shift(lang, s), missing = *missing, earn = hours(*earn))
            } else {
                t!(lang, "cover-ask-no-credits", shift = shift(lang, s), missing = *missing)
            };
            Reply::text(text).with_button(t!(lang, "btn-take-cover"), Callback::TakeCover(s.id))
        }
        Reminder::Round { week, children } => round::result(lang, *week, children),
        Reminder::RoundSummary { summary } => round::summary(lang, summary),
    }
}

/// "Send this to N people?" with Send / Cancel.
pub fn broadcast_draft(lang: Lang, b: &Broadcast) -> Reply {
    Reply::text(t!(lang, "broadcast-confirm", count = b.recipients.len(), text = b.text.as_str())).with_row(vec![
        (t!(lang, "btn-broadcast-send"), Callback::BroadcastSend(b.id)),
        (t!(lang, "btn-broadcast-cancel"), Callback::BroadcastCancel(b.id)),
    ])
}

/// What members receive: who it is from, then the coordinator's words.
/// A broadcast's copy: the centre's header and the text, or the text alone when both
/// would exceed Telegram's 4,096 characters (a text that long is accepted).
pub fn broadcast_message(lang: Lang, centre: &str, text: &str) -> String {
    let full = t!(lang, "broadcast-header", centre = centre, text = text);
    if full.chars().count() <= crate::service::MAX_BROADCAST {
        full
    } else {
        text.to_string()
    }
}

pub fn broadcast_progress(lang: Lang, b: &Broadcast) -> String {
    t!(lang, "broadcast-progress", sent = b.handled(), total = b.recipients.len())
}

/// The final count, naming who was not reached.
pub fn broadcast_report(lang: Lang, b: &Broadcast, blocked: &[String], failed: &[String]) -> String {
    let mut text = t!(
        lang,
        "broadcast-done",
        total = b.recipients.len(),
        delivered = b.delivered,
        blocked = b.blocked.len(),
        failed = b.failed.len() + b.uncertain.len()
    );
    if !blocked.is_empty() {
        text.push('\n');
        text.push_str(&t!(lang, "broadcast-blocked-list", names = blocked.join(", ")));
    }
    if !failed.is_empty() {
        text.push('\n');
        text.push_str(&t!(lang, "broadcast-failed-list", names = failed.join(", ")));
    }
    text
}

/// A centre's reminder settings and how to change them.
pub fn settings(lang: Lang, c: &Centre) -> String {
    let p = &c.policy;
    let remind: Vec<String> = p.volunteer_reminder_hours.iter().map(|h| h.to_string()).collect();
    let quiet = if p.quiet_start == p.quiet_end {
        t!(lang, "settings-quiet-none")
    } else {
        format!("{}-{}", p.quiet_start, p.quiet_end)
    };
    // One argument per setting (alike lines, not a copy).
    let mut text = t!(
        lang,
        "settings-view",
        centre = c.name.as_str(),
        min_age = p.min_age_months,
        max_age = p.max_age_months,
        places = p.default_capacity,
        staff = p.default_staff,
        waitlist = p.max_waitlist,
        grant = hours(p.start_grant_minutes),
        earn = p.earn_per_minute,
        cost = p.cost_per_child_minute,
        free_cancel = p.free_cancel_hours,
        late = p.late_cancel_percent,
        autosettle = p.auto_settle_hours,
        penalty = hours(p.volunteer_no_show_penalty),
        block = p.no_show_block_count,
        block_days = p.no_show_window_days,
        hours = remind.join(", "),
        family = p.family_reminder_time.as_str(),
        digest = p.coordinator_digest_time.as_str(),
        quiet = quiet,
        cover = p.cover_batch
    );
    text.push('\n');
    let key = if p.coordinator_confirms_guardians { "settings-guardians-on" } else { "settings-guardians-off" };
    text.push_str(&t!(lang, key));
    text
}

/// The word that names a setting in `/settings KEY VALUE` (the same in both languages).
fn setting_word(key: crate::service::SettingKey) -> &'static str {
    use crate::service::SettingKey::*;
    match key {
        Remind => "remind",
        Cover => "cover",
        Ages => "ages",
        Earn => "earn",
        Cost => "cost",
        Grant => "grant",
        FreeCancel => "freecancel",
        LatePercent => "late",
        Penalty => "penalty",
        BlockCount | BlockDays => "block",
        AutoSettle => "autosettle",
        Capacity => "places",
        Staff => "staff",
        Waitlist => "waitlist",
    }
}
