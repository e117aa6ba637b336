//! Parsing typed commands. Pure: text in, a `Command` or the name of the usage line
//! to show out. Ids are the short numbers the bot shows.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use crate::domain::{Audience, BookingId, CentreId, ChildId, ShiftId, SignupId, UserId};
use crate::reminders::read_hhmm;
use crate::report::Month;
use crate::service::{ReportScope, SettingChange};

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Start(Option<String>),
    Join(String),
    Help,
    Lang(Option<String>),
    Menu,
    Children,
    /// `/child add NAME YYYY-MM-DD`; without arguments a guided flow.
    ChildAdd(Option<(String, NaiveDate)>),
    /// `/child note ID TEXT` sets a child's notes (`-` clears them); `/child note` shows
    /// the children with their notes and how to change them.
    ChildNote(Option<(ChildId, Option<String>)>),
    Family,
    Schedule(Option<NaiveDate>),
    Book(Option<ShiftId>, Option<ChildId>),
    Volunteer(Option<ShiftId>),
    Balance,
    My,
    CancelBooking(BookingId),
    DropSignup(SignupId),
    /// `/swap` lists offers; `/swap SHIFT` offers your signup on that shift; `/swap vN`
    /// offers signup N.
    Swap(Option<SwapOf>),
    NewShift {
        date: NaiveDate,
        start: NaiveTime,
        end: NaiveTime,
        places: Option<u32>,
        staff: Option<u32>,
    },
    Templates,
    TemplateAdd {
        weekday: Weekday,
        start: NaiveTime,
        end: NaiveTime,
        places: Option<u32>,
    },
    TemplateGenerate {
        from: NaiveDate,
        to: NaiveDate,
    },
    CancelShift(ShiftId, Option<String>),
    /// `/cancelday DATE REASON`: every shift of a day, after a confirmation.
    CancelDay(NaiveDate, String),
    MoveShift {
        shift: ShiftId,
        date: NaiveDate,
        start: NaiveTime,
        end: NaiveTime,
    },
    Broadcast(Audience, String),
    /// `/settings` shows the reminder settings; `/settings KEY VALUE` changes one.
    Settings(Option<SettingChange>),
    Pending,
    Approve(UserId),
    Reject(UserId),
    Suspend(UserId),
    /// `/unblock USER`: lift a volunteer's no-show block.
    Unblock(UserId),
    /// `/overdraft USER MINUTES`: how far below zero that member's family may go.
    Overdraft(UserId, i64),
    /// `/staff USER on|off`: the professional staff role.
    Staff(UserId, bool),
    Grant {
        user: UserId,
        minutes: i64,
        memo: String,
    },
    Ledger(UserId),
    Roster(ShiftId),
    Attendance(ShiftId),
    Settle(ShiftId),
    Invite,
    NewCentre(String),
    Coordinator(UserId, CentreId),
    /// `/family newcode`: a guardian replaces the family's invite code.
    FamilyNewCode,
    /// `/family leave`: a guardian leaves the family (asks to confirm).
    FamilyLeave,
    /// `/invite new`: a coordinator replaces the centre's invite code.
    InviteNew,
    /// `/leave`: leave the centre (asks to confirm).
    Leave,
    /// `/remove USER`: a coordinator removes a member.
    Remove(UserId),
    /// `/remove family USER`: a coordinator removes that member's whole family.
    RemoveFamily(UserId),
    /// `/mydata`: everything the centre holds about the caller, as a document.
    MyData,
    /// `/forget`: delete the caller's personal data (asks to confirm).
    Forget,
    /// `/schedule png [DATE]`: the week from that day as a timetable picture.
    ScheduleImage(Option<NaiveDate>),
    /// `/calendar`: the caller's upcoming bookings and shifts as an .ics file.
    Calendar,
    /// `/balance export`: the family's every ledger entry as CSV.
    BalanceExport,
    /// `/report [YYYY-MM] [CENTRE|all]`: a month's report (this month without one).
    Report(Option<Month>, ReportScope),
    /// `/audit [N] [CENTRE]`: the newest N entries of the centre's audit log (a
    /// super-admin names any centre).
    Audit(usize, Option<CentreId>),
    /// `/round [status]|open|preview|commit`: the weekly allocation round (coordinators).
    Round(RoundCmd),
    /// `/wish [YYYY-MM-DD]`: the guided wish for a round taking wishes (the week of that
    /// day; without one, the only such round, or a choice of them).
    Wish(Option<NaiveDate>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundCmd {
    /// `/round open YYYY-MM-DD YYYY-MM-DDTHH:MM`: the week's Monday and the deadline
    /// (the centre's local time).
    Open(NaiveDate, NaiveDateTime),
    /// `/round` or `/round status`: the centre's rounds and their state.
    Status,
    /// `/round preview [YYYY-MM-DD]`: the earliest open round, or that week's.
    Preview(Option<NaiveDate>),
    /// `/round commit [YYYY-MM-DD]`: the earliest open round, or that week's.
    Commit(Option<NaiveDate>),
}

/// Whom an input serves: the handler tree has one branch per role. Who may actually do
/// it is the service's to decide (a parent's `/newshift` gets its refusal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concern {
    /// Anyone, member or not: joining, the menu, language, the family, leaving, data.
    Membership,
    /// A family's parents: children, the schedule, booking, volunteering, the balance.
    Parent,
    /// A centre's coordinators: shifts, members, attendance, credits, broadcasts, settings.
    Coordinator,
    /// The super-admin: centres and their coordinators.
    Admin,
}

impl Command {
    pub fn concern(&self) -> Concern {
        use Command::*;
        match self {
            Start(_) | Join(_) | Help | Lang(_) | Menu | Family | FamilyNewCode | FamilyLeave | Leave | MyData
            | Forget => Concern::Membership,
            Children | ChildAdd(_) | ChildNote(_) | Schedule(_) | Book(..) | Volunteer(_) | Balance | My
            | CancelBooking(_) | DropSignup(_) | Swap(_) | ScheduleImage(_) | Calendar | BalanceExport | Wish(_) => {
                Concern::Parent
            }
            NewShift { .. }
            | Templates
            | TemplateAdd { .. }
            | TemplateGenerate { .. }
            | CancelShift(..)
            | CancelDay(..)
            | MoveShift { .. }
            | Broadcast(..)
            | Settings(_)
            | Pending
            | Approve(_)
            | Reject(_)
            | Suspend(_)
            | Unblock(_)
            | Overdraft(..)
            | Staff(..)
            | Grant { .. }
            | Ledger(_)
            | Roster(_)
            | Attendance(_)
            | Settle(_)
            | Invite
            | InviteNew
            | Remove(_)
            | RemoveFamily(_)
            | Report(..)
            | Audit(..)
            | Round(_) => Concern::Coordinator,
            NewCentre(_) | Coordinator(..) => Concern::Admin,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwapOf {
    Shift(ShiftId),
    Signup(SignupId),
}

/// Why a line could not be parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum ParseError {
    /// Not a command at all (plain text).
    NotCommand,
    /// A command we do not know.
    Unknown(String),
    /// Known command, wrong arguments: show the usage line of this command.
    Usage(&'static str),
}

/// Longest text a message may carry: Telegram's own limit of 4,096 characters, so a
/// long broadcast reaches the broadcast's own limit (`MAX_BROADCAST`) and its answer.
pub const MAX_INPUT: usize = 4096;

pub fn parse(text: &str, bot_username: &str) -> Result<Command, ParseError> {
    let text = text.trim();
    let Some(rest) = text.strip_prefix('/') else { return Err(ParseError::NotCommand) };
    let (head, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let args = args.trim();
    // "/book@huzhu_bot 12" in groups
    let name = match head.split_once('@') {
        Some((n, bot)) if bot.eq_ignore_ascii_case(bot_username) => n,
        Some(_) => return Err(ParseError::NotCommand),
        None => head,
    }
    .to_ascii_lowercase();
    let words: Vec<&str> = args.split_whitespace().collect();
    let usage = |n: &'static str| ParseError::Usage(n);
    macro_rules! need {
        ($e:expr, $u:expr) => {
            $e.ok_or(usage($u))?
        };
    }
    Ok(match name.as_str() {
        "start" => Command::Start(words.first().map(|s| s.to_string())),
        "join" => Command::Join(need!(words.first().filter(|w| w.len() <= 32), "join").to_string()),
        "help" => Command::Help,
        "lang" | "language" => Command::Lang(words.first().map(|s| s.to_string())),
        "menu" => Command::Menu,
        "child" | "children" => match words.as_slice() {
            [] => Command::Children,
            ["add"] => Command::ChildAdd(None),
            ["add", rest @ ..] if rest.len() >= 2 => {
                let birth = need!(date(rest[rest.len() - 1]), "child");
                let name = rest[..rest.len() - 1].join(" ");
                Command::ChildAdd(Some((name, birth)))
            }
            ["note"] => Command::ChildNote(None),
            ["note", c, text @ ..] if !text.is_empty() => {
                let child = ChildId(need!(id(c), "child"));
                let text = text.join(" ");
                Command::ChildNote(Some((child, (text != "-").then_some(text))))
            }
            _ => return Err(usage("child")),
        },
        "family" => match words.as_slice() {
            [] => Command::Family,
            [w] if w.eq_ignore_ascii_case("newcode") => Command::FamilyNewCode,
            [w] if w.eq_ignore_ascii_case("leave") => Command::FamilyLeave,
            _ => return Err(usage("family")),
        },
        "schedule" => match words.as_slice() {
            [] => Command::Schedule(None),
            [w] if is_picture(w) => Command::ScheduleImage(None),
            [w, d] if is_picture(w) => Command::ScheduleImage(Some(need!(date(d), "schedule"))),
            [d] => Command::Schedule(Some(need!(date(d), "schedule"))),
            _ => return Err(usage("schedule")),
        },
        "book" => match words.as_slice() {
            [] => Command::Book(None, None),
            [s] => Command::Book(Some(ShiftId(need!(id(s), "book"))), None),
            [s, c] => Command::Book(Some(ShiftId(need!(id(s), "book"))), Some(ChildId(need!(id(c), "book")))),
            _ => return Err(usage("book")),
        },
        "volunteer" => match words.as_slice() {
            [] => Command::Volunteer(None),
            [s] => Command::Volunteer(Some(ShiftId(need!(id(s), "volunteer")))),
            _ => return Err(usage("volunteer")),
        },
        "balance" => match words.as_slice() {
            [] => Command::Balance,
            [w] if w.eq_ignore_ascii_case("export") || *w == "导出" => Command::BalanceExport,
            _ => return Err(usage("balance")),
        },
        "calendar" | "ics" => match words.as_slice() {
            [] => Command::Calendar,
            _ => return Err(usage("calendar")),
        },
        "report" => {
            let (mut month, mut scope) = (None, ReportScope::Mine);
            if words.len() > 2 {
                return Err(usage("report"));
            }
            for w in &words {
                if let (None, Some(m)) = (month, Month::parse(w)) {
                    month = Some(m);
                } else if w.eq_ignore_ascii_case("all") || *w == "全部" {
                    scope = ReportScope::All;
                } else if let (ReportScope::Mine, Some(c)) = (scope, id(w).filter(|_| !w.contains('-'))) {
                    scope = ReportScope::Centre(CentreId(c));
                } else {
                    return Err(usage("report"));
                }
            }
            Command::Report(month, scope)
        }
        "my" => Command::My,
        "cancel" => match words.as_slice() {
            [w] => match w.strip_prefix(['v', 'V']) {
                Some(n) => Command::DropSignup(SignupId(need!(id(n), "cancel"))),
                None => Command::CancelBooking(BookingId(need!(id(w), "cancel"))),
            },
            _ => return Err(usage("cancel")),
        },
        "swap" => match words.as_slice() {
            [] => Command::Swap(None),
            [w] => match w.strip_prefix(['v', 'V']) {
                Some(n) => Command::Swap(Some(SwapOf::Signup(SignupId(need!(id(n), "swap"))))),
                None => Command::Swap(Some(SwapOf::Shift(ShiftId(need!(id(w), "swap"))))),
            },
            _ => return Err(usage("swap")),
        },
        "newshift" => match words.as_slice() {
            [d, span, rest @ ..] if rest.len() <= 2 => {
                let (start, end) = need!(span_of(span), "newshift");
                let number = |i: usize| match rest.get(i) {
                    Some(p) => p.parse::<u32>().ok().map(Some),
                    None => Some(None),
                };
                Command::NewShift {
                    date: need!(date(d), "newshift"),
                    start,
                    end,
                    places: need!(number(0), "newshift"),
                    staff: need!(number(1), "newshift"),
                }
            }
            _ => return Err(usage("newshift")),
        },
        "template" | "templates" => match words.as_slice() {
            [] => Command::Templates,
            ["add", wd, span] | ["add", wd, span, _] => {
                let (start, end) = need!(span_of(span), "template");
                let places = match words.get(3) {
                    Some(p) => Some(need!(p.parse::<u32>().ok(), "template")),
                    None => None,
                };
                Command::TemplateAdd { weekday: need!(weekday(wd), "template"), start, end, places }
            }
            ["gen", from, to] => {
                Command::TemplateGenerate { from: need!(date(from), "template"), to: need!(date(to), "template") }
            }
            _ => return Err(usage("template")),
        },
        "cancelshift" => match words.as_slice() {
            [] => return Err(usage("cancelshift")),
            [s, reason @ ..] => {
                let reason = (!reason.is_empty()).then(|| reason.join(" "));
                Command::CancelShift(ShiftId(need!(id(s), "cancelshift")), reason)
            }
        },
        "cancelday" => match words.as_slice() {
            [d, reason @ ..] if !reason.is_empty() => Command::CancelDay(need!(date(d), "cancelday"), reason.join(" ")),
            _ => return Err(usage("cancelday")),
        },
        "moveshift" => match words.as_slice() {
            [s, d, span] => {
                let (start, end) = need!(span_of(span), "moveshift");
                Command::MoveShift {
                    shift: ShiftId(need!(id(s), "moveshift")),
                    date: need!(date(d), "moveshift"),
                    start,
                    end,
                }
            }
            _ => return Err(usage("moveshift")),
        },
        // `/broadcast TEXT`, `/broadcast all TEXT`, `/broadcast SHIFT TEXT`,
        // `/broadcast waitlist SHIFT TEXT`. The text keeps its line breaks.
        "broadcast" => {
            let rest = |n: usize| {
                let mut s = args;
                for _ in 0..n {
                    s = s.split_once(char::is_whitespace).map(|(_, r)| r.trim_start()).unwrap_or("");
                }
                s.trim().to_string()
            };
            let (audience, text) = match words.as_slice() {
                [] => return Err(usage("broadcast")),
                [w, s, ..] if w.eq_ignore_ascii_case("waitlist") => {
                    (Audience::Waitlist(ShiftId(need!(id(s), "broadcast"))), rest(2))
                }
                [w, ..] if w.eq_ignore_ascii_case("all") => (Audience::All, rest(1)),
                [w, ..] if id(w).is_some() => (Audience::Shift(ShiftId(need!(id(w), "broadcast"))), rest(1)),
                _ => (Audience::All, args.to_string()),
            };
            if text.is_empty() {
                return Err(usage("broadcast"));
            }
            Command::Broadcast(audience, text)
        }
        "settings" | "setting" => match words.as_slice() {
            [] => Command::Settings(None),
            ["remind", hours @ ..] if !hours.is_empty() => {
                let list: Option<Vec<i64>> = hours
                    .join(",")
                    .split(',')
                    .filter(|h| !h.trim().is_empty())
                    .map(|h| h.trim().parse().ok())
                    .collect();
                Command::Settings(Some(SettingChange::VolunteerHours(need!(list, "settings"))))
            }
            ["family", t] => Command::Settings(Some(SettingChange::FamilyTime(need!(read_hhmm(t), "settings")))),
            ["digest", t] => Command::Settings(Some(SettingChange::DigestTime(need!(read_hhmm(t), "settings")))),
            ["quiet", "off"] => Command::Settings(Some(SettingChange::Quiet(NaiveTime::MIN, NaiveTime::MIN))),
            ["quiet", span] => {
                let (from, to) = need!(span_of(span), "settings");
                Command::Settings(Some(SettingChange::Quiet(from, to)))
            }
            ["cover", n] => Command::Settings(Some(SettingChange::CoverBatch(need!(n.parse().ok(), "settings")))),
            ["guardians", v] => Command::Settings(Some(SettingChange::GuardianApproval(need!(on_off(v), "settings")))),
            ["ages", span] => {
                let (a, b) = need!(span.split_once(['-', '–', '~']), "settings");
                let (a, b) = (need!(a.trim().parse().ok(), "settings"), need!(b.trim().parse().ok(), "settings"));
                Command::Settings(Some(SettingChange::Ages(a, b)))
            }
            ["block", n, days] => Command::Settings(Some(SettingChange::NoShowBlock(
                need!(n.parse().ok(), "settings"),
                need!(days.parse().ok(), "settings"),
            ))),
            [key, n] => {
                let n: i64 = need!(n.parse().ok(), "settings");
                let small = || u32::try_from(n).ok();
                Command::Settings(Some(match *key {
                    "earn" => SettingChange::EarnRate(n),
                    "cost" => SettingChange::CostRate(n),
                    "grant" => SettingChange::StartGrant(n),
                    "freecancel" => SettingChange::FreeCancelHours(n),
                    "late" => SettingChange::LateCancelPercent(n),
                    "penalty" => SettingChange::NoShowPenalty(n),
                    "autosettle" => SettingChange::AutoSettleHours(n),
                    "places" => SettingChange::Capacity(need!(small(), "settings")),
                    "staff" => SettingChange::Staff(need!(small(), "settings")),
                    "waitlist" => SettingChange::Waitlist(need!(small(), "settings")),
                    _ => return Err(usage("settings")),
                }))
            }
            _ => return Err(usage("settings")),
        },
        "pending" => Command::Pending,
        "approve" => Command::Approve(need!(user(&words), "approve")),
        "reject" => Command::Reject(need!(user(&words), "reject")),
        "suspend" => Command::Suspend(need!(user(&words), "suspend")),
        "unblock" => Command::Unblock(need!(user(&words), "unblock")),
        "overdraft" => match words.as_slice() {
            [u, m] => Command::Overdraft(
                UserId(need!(u.parse().ok(), "overdraft")),
                need!(m.parse().ok().filter(|m: &i64| *m >= 0), "overdraft"),
            ),
            _ => return Err(usage("overdraft")),
        },
        "staff" => match words.as_slice() {
            [u, on] => {
                let on = match on.to_ascii_lowercase().as_str() {
                    "on" | "yes" | "开" => true,
                    "off" | "no" | "关" => false,
                    _ => return Err(usage("staff")),
                };
                Command::Staff(UserId(need!(u.parse().ok(), "staff")), on)
            }
            _ => return Err(usage("staff")),
        },
        "grant" => match words.as_slice() {
            [u, m, memo @ ..] if !memo.is_empty() => Command::Grant {
                user: UserId(need!(u.parse().ok(), "grant")),
                minutes: need!(m.parse().ok(), "grant"),
                memo: memo.join(" "),
            },
            _ => return Err(usage("grant")),
        },
        "ledger" => Command::Ledger(need!(user(&words), "ledger")),
        "roster" => Command::Roster(ShiftId(need!(single_id(&words), "roster"))),
        "attendance" => Command::Attendance(ShiftId(need!(single_id(&words), "attendance"))),
        "settle" => Command::Settle(ShiftId(need!(single_id(&words), "settle"))),
        "invite" => match words.as_slice() {
            [] => Command::Invite,
            [w] if w.eq_ignore_ascii_case("new") => Command::InviteNew,
            _ => return Err(usage("invite")),
        },
        "leave" if words.is_empty() => Command::Leave,
        "leave" => return Err(usage("leave")),
        "remove" => match words.as_slice() {
            [w, u] if w.eq_ignore_ascii_case("family") => Command::RemoveFamily(need!(user(&[u]), "remove")),
            [_] => Command::Remove(need!(user(&words), "remove")),
            _ => return Err(usage("remove")),
        },
        "audit" => {
            let n = |w: &str| w.parse().ok().filter(|n| (1..=crate::service::AUDIT_MAX).contains(n));
            match words.as_slice() {
                [] => Command::Audit(crate::service::AUDIT_DEFAULT, None),
                [w] => Command::Audit(need!(n(w), "audit"), None),
                [w, c] => Command::Audit(need!(n(w), "audit"), Some(CentreId(need!(id(c), "audit")))),
                _ => return Err(usage("audit")),
            }
        }
        "mydata" => Command::MyData,
        "forget" => Command::Forget,
        "newcenter" | "newcentre" => {
            if args.is_empty() {
                return Err(usage("newcenter"));
            }
            Command::NewCentre(args.to_string())
        }
        "coordinator" => match words.as_slice() {
            [u, c] => Command::Coordinator(
                UserId(need!(u.parse().ok(), "coordinator")),
                CentreId(need!(id(c), "coordinator")),
            ),
            _ => return Err(usage("coordinator")),
        },
        "round" => match words.as_slice() {
            ["open", d, t] => Command::Round(RoundCmd::Open(need!(date(d), "round"), need!(date_time(t), "round"))),
            ["open", d, day, t] => Command::Round(RoundCmd::Open(
                need!(date(d), "round"),
                need!(date(day).zip(read_hhmm(t)).map(|(d, t)| d.and_time(t)), "round"),
            )),
            [] | ["status"] => Command::Round(RoundCmd::Status),
            ["preview"] => Command::Round(RoundCmd::Preview(None)),
            ["preview", d] => Command::Round(RoundCmd::Preview(Some(need!(date(d), "round")))),
            ["commit"] => Command::Round(RoundCmd::Commit(None)),
            ["commit", d] => Command::Round(RoundCmd::Commit(Some(need!(date(d), "round")))),
            _ => return Err(usage("round")),
        },
        "wish" => match words.as_slice() {
            [] => Command::Wish(None),
            [d] => Command::Wish(Some(need!(date(d), "wish"))),
            _ => return Err(usage("wish")),
        },
        other => return Err(ParseError::Unknown(other.chars().take(32).collect())),
    })
}

/// `png` (or 图, 图片): the picture form of a listing.
fn is_picture(w: &str) -> bool {
    w.eq_ignore_ascii_case("png") || w.eq_ignore_ascii_case("image") || *w == *"图" || *w == *"图片"
}

/// "on"/"off" (also yes/no, 开/关).
fn on_off(s: &str) -> Option<bool> {
    match s.to_lowercase().as_str() {
        "on" | "yes" | "开" | "是" => Some(true),
        "off" | "no" | "关" | "否" => Some(false),
        _ => None,
    }
}

impl Command {
    /// The dates a person typed for shifts and schedules, with the command whose usage
    /// line explains them (birth dates are the service's to judge).
    pub fn typed_dates(&self) -> Option<(&'static str, Vec<NaiveDate>)> {
        Some(match self {
            Command::Schedule(Some(d)) | Command::ScheduleImage(Some(d)) => ("schedule", vec![*d]),
            Command::NewShift { date, .. } => ("newshift", vec![*date]),
            Command::TemplateGenerate { from, to } => ("template", vec![*from, *to]),
            Command::MoveShift { date, .. } => ("moveshift", vec![*date]),
            Command::CancelDay(date, _) => ("cancelday", vec![*date]),
            Command::Round(RoundCmd::Open(week, deadline)) => ("round", vec![*week, deadline.date()]),
            Command::Round(RoundCmd::Preview(Some(d)) | RoundCmd::Commit(Some(d))) => ("round", vec![*d]),
            Command::Wish(Some(d)) => ("wish", vec![*d]),
            _ => return None,
        })
    }
}

/// A short id as shown ("12" or "#12").
pub fn id(s: &str) -> Option<u64> {
    s.trim_start_matches('#').parse().ok().filter(|n| *n > 0)
}

fn single_id(words: &[&str]) -> Option<u64> {
    match words {
        [w] => id(w),
        _ => None,
    }
}

fn user(words: &[&str]) -> Option<UserId> {
    match words {
        [w] => w.parse().ok().map(UserId),
        _ => None,
    }
}

/// YYYY-MM-DD (also YYYY/MM/DD and YYYY.MM.DD).
pub fn date(s: &str) -> Option<NaiveDate> {
    let s = s.replace(['/', '.'], "-");
    NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok()
}

/// "2026-12-04T20:00" (a deadline; a space instead of the T is two words, read above).
pub fn date_time(s: &str) -> Option<NaiveDateTime> {
    let (d, t) = s.split_once(['T', 't'])?;
    Some(date(d)?.and_time(read_hhmm(t)?))
}

/// "09:00-12:00"
pub fn span_of(s: &str) -> Option<(NaiveTime, NaiveTime)> {
    let (a, b) = s.split_once(['-', '–', '~'])?;
    Some((read_hhmm(a)?, read_hhmm(b)?))
}

pub fn weekday(s: &str) -> Option<Weekday> {
    let s = s.to_lowercase();
    let zh = ["一", "二", "三", "四", "五", "六", "日"];
    if let Some(i) = zh.iter().position(|d| s == *d || s == format!("周{d}") || s == format!("星期{d}")) {
        return Weekday::try_from(i as u8).ok();
    }
    s.parse::<Weekday>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Command, ParseError> {
        parse(s, "huzhu_bot")
    }

    #[test]
    fn parses_the_round_and_the_wish() {
        let week = date("2026-12-07").unwrap();
        let at = date("2026-12-04").unwrap().and_hms_opt(20, 0, 0).unwrap();
        assert_eq!(p("/round open 2026-12-07 2026-12-04T20:00"), Ok(Command::Round(RoundCmd::Open(week, at))));
        assert_eq!(p("/round open 2026-12-07 2026-12-04 20:00"), Ok(Command::Round(RoundCmd::Open(week, at))));
        assert_eq!(p("/round preview"), Ok(Command::Round(RoundCmd::Preview(None))));
        assert_eq!(p("/round commit"), Ok(Command::Round(RoundCmd::Commit(None))));
        assert_eq!(p("/round preview 2026-12-07"), Ok(Command::Round(RoundCmd::Preview(Some(week)))));
        assert_eq!(p("/round commit 2026-12-07"), Ok(Command::Round(RoundCmd::Commit(Some(week)))));
        assert_eq!(p("/round"), Ok(Command::Round(RoundCmd::Status)));
        assert_eq!(p("/round status"), Ok(Command::Round(RoundCmd::Status)));
        assert_eq!(p("/wish"), Ok(Command::Wish(None)));
        assert_eq!(p("/wish 2026-12-07"), Ok(Command::Wish(Some(week))));
        for bad in ["/wish next", "/wish 2026-12-07 2026-12-14", "/wish 2026-13-01"] {
            assert_eq!(p(bad), Err(ParseError::Usage("wish")), "{bad}");
        }
        for bad in [
            "/round preview soon",
            "/round commit 2026-12-07 now",
            "/round open 2026-12-07",
            "/round open 2026-12-07 2026-12-04",
            "/round open x 2026-12-04T20:00",
            "/round open 2026-12-07 2026-12-04T25:00",
            "/round go",
        ] {
            assert_eq!(p(bad), Err(ParseError::Usage("round")), "{bad}");
        }
    }

    #[test]
    fn parses_parent_commands() {
        assert_eq!(p("/book 12 3"), Ok(Command::Book(Some(ShiftId(12)), Some(ChildId(3)))));
        assert_eq!(p("/book@huzhu_bot #12"), Ok(Command::Book(Some(ShiftId(12)), None)));
        assert_eq!(p("/BOOK"), Ok(Command::Book(None, None)));
        assert_eq!(
            p("/child add Xiao Ming 2025-01-31"),
            Ok(Command::ChildAdd(Some(("Xiao Ming".into(), date("2025-01-31").unwrap()))))
        );
        assert_eq!(p("/cancel 7"), Ok(Command::CancelBooking(BookingId(7))));
        assert_eq!(
            p("/child note 3 peanut allergy"),
            Ok(Command::ChildNote(Some((ChildId(3), Some("peanut allergy".into())))))
        );
        assert_eq!(p("/child note 3 -"), Ok(Command::ChildNote(Some((ChildId(3), None)))));
        assert_eq!(p("/child note"), Ok(Command::ChildNote(None)));
        assert_eq!(p("/child note x nuts"), Err(ParseError::Usage("child")));
        assert_eq!(p("/cancel v7"), Ok(Command::DropSignup(SignupId(7))));
        assert_eq!(p("/schedule 2026/12/01"), Ok(Command::Schedule(date("2026-12-01"))));
        assert_eq!(p("/start ABC123"), Ok(Command::Start(Some("ABC123".into()))));
    }

    #[test]
    fn parses_coordinator_commands() {
        assert_eq!(
            p("/newshift 2026-12-02 09:00-12:00 8"),
            Ok(Command::NewShift {
                date: date("2026-12-02").unwrap(),
                start: read_hhmm("09:00").unwrap(),
                end: read_hhmm("12:00").unwrap(),
                places: Some(8),
                staff: None
            })
        );
        assert_eq!(
            p("/newshift 2026-12-02 09:00-12:00 8 2").map(|c| match c {
                Command::NewShift { places, staff, .. } => (places, staff),
                _ => (None, None),
            }),
            Ok((Some(8), Some(2)))
        );
        assert_eq!(p("/unblock 42"), Ok(Command::Unblock(UserId(42))));
        assert_eq!(p("/overdraft 42 120"), Ok(Command::Overdraft(UserId(42), 120)));
        assert_eq!(p("/overdraft 42 -5"), Err(ParseError::Usage("overdraft")));
        assert_eq!(p("/staff 42 on"), Ok(Command::Staff(UserId(42), true)));
        assert_eq!(p("/staff 42 OFF"), Ok(Command::Staff(UserId(42), false)));
        assert_eq!(p("/staff 42 maybe"), Err(ParseError::Usage("staff")));
        assert_eq!(
            p("/cancelday 2026-12-08 typhoon warning"),
            Ok(Command::CancelDay(date("2026-12-08").unwrap(), "typhoon warning".into()))
        );
        assert_eq!(p("/cancelday 2026-12-08"), Err(ParseError::Usage("cancelday")));
        assert_eq!(
            p("/grant 42 -30 fix typo"),
            Ok(Command::Grant { user: UserId(42), minutes: -30, memo: "fix typo".into() })
        );
        assert_eq!(p("/cancelshift 5 台风"), Ok(Command::CancelShift(ShiftId(5), Some("台风".into()))));
        assert_eq!(p("/broadcast 明天停水\n请带水"), Ok(Command::Broadcast(Audience::All, "明天停水\n请带水".into())));
        assert_eq!(p("/broadcast all 3 things"), Ok(Command::Broadcast(Audience::All, "3 things".into())));
        assert_eq!(
            p("/broadcast 12 bring hats"),
            Ok(Command::Broadcast(Audience::Shift(ShiftId(12)), "bring hats".into()))
        );
        assert_eq!(
            p("/broadcast waitlist 12 a place may open"),
            Ok(Command::Broadcast(Audience::Waitlist(ShiftId(12)), "a place may open".into()))
        );
        assert_eq!(p("/settings"), Ok(Command::Settings(None)));
        assert_eq!(p("/settings remind 24,2"), Ok(Command::Settings(Some(SettingChange::VolunteerHours(vec![24, 2])))));
        assert_eq!(p("/settings remind 48 3"), Ok(Command::Settings(Some(SettingChange::VolunteerHours(vec![48, 3])))));
        assert_eq!(
            p("/settings quiet 21:30-07:30"),
            Ok(Command::Settings(Some(SettingChange::Quiet(
                NaiveTime::from_hms_opt(21, 30, 0).unwrap(),
                NaiveTime::from_hms_opt(7, 30, 0).unwrap()
            ))))
        );
        assert_eq!(p("/settings cover 8"), Ok(Command::Settings(Some(SettingChange::CoverBatch(8)))));
        assert_eq!(p("/settings family 25:00"), Err(ParseError::Usage("settings")));
        assert_eq!(p("/settings remind soon"), Err(ParseError::Usage("settings")));
        assert_eq!(p("/settings volume 11"), Err(ParseError::Usage("settings")));
        assert_eq!(p("/settings ages 12-36"), Ok(Command::Settings(Some(SettingChange::Ages(12, 36)))));
        assert_eq!(p("/settings block 3 60"), Ok(Command::Settings(Some(SettingChange::NoShowBlock(3, 60)))));
        assert_eq!(p("/settings late 40"), Ok(Command::Settings(Some(SettingChange::LateCancelPercent(40)))));
        assert_eq!(p("/settings places 15"), Ok(Command::Settings(Some(SettingChange::Capacity(15)))));
        assert_eq!(p("/settings places -1"), Err(ParseError::Usage("settings")));
        assert_eq!(p("/swap 12"), Ok(Command::Swap(Some(SwapOf::Shift(ShiftId(12))))));
        assert_eq!(p("/swap v5"), Ok(Command::Swap(Some(SwapOf::Signup(SignupId(5))))));
        assert_eq!(p("/swap x"), Err(ParseError::Usage("swap")));
        assert_eq!(p("/broadcast"), Err(ParseError::Usage("broadcast")));
        assert_eq!(p("/broadcast 12"), Err(ParseError::Usage("broadcast")));
        assert_eq!(p("/broadcast waitlist x hi"), Err(ParseError::Usage("broadcast")));
        assert_eq!(
            p("/moveshift 3 2026-12-08 10:00-12:00"),
            Ok(Command::MoveShift {
                shift: ShiftId(3),
                date: "2026-12-08".parse().unwrap(),
                start: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
                end: NaiveTime::from_hms_opt(12, 0, 0).unwrap()
            })
        );
        assert_eq!(p("/moveshift 3 tomorrow"), Err(ParseError::Usage("moveshift")));
        assert_eq!(
            p("/template add 周三 09:00-11:30"),
            Ok(Command::TemplateAdd {
                weekday: Weekday::Wed,
                start: read_hhmm("09:00").unwrap(),
                end: read_hhmm("11:30").unwrap(),
                places: None
            })
        );
        assert_eq!(p("/template add tue 09:00-11:30 6").map(|_| ()), Ok(()));
        assert_eq!(p("/coordinator 99 1"), Ok(Command::Coordinator(UserId(99), CentreId(1))));
    }

    #[test]
    fn parses_membership_commands() {
        assert_eq!(p("/family newcode"), Ok(Command::FamilyNewCode));
        assert_eq!(p("/family leave"), Ok(Command::FamilyLeave));
        assert_eq!(p("/family dance"), Err(ParseError::Usage("family")));
        assert_eq!(p("/invite new"), Ok(Command::InviteNew));
        assert_eq!(p("/invite old"), Err(ParseError::Usage("invite")));
        assert_eq!(p("/leave"), Ok(Command::Leave));
        assert_eq!(p("/leave now"), Err(ParseError::Usage("leave")));
        assert_eq!(p("/remove 42"), Ok(Command::Remove(UserId(42))));
        assert_eq!(p("/remove family 42"), Ok(Command::RemoveFamily(UserId(42))));
        assert_eq!(p("/remove x"), Err(ParseError::Usage("remove")));
        assert_eq!(p("/mydata"), Ok(Command::MyData));
        assert_eq!(p("/forget"), Ok(Command::Forget));
        assert_eq!(p("/calendar"), Ok(Command::Calendar));
        assert_eq!(p("/calendar now"), Err(ParseError::Usage("calendar")));
        assert_eq!(p("/balance export"), Ok(Command::BalanceExport));
        assert_eq!(p("/balance everything"), Err(ParseError::Usage("balance")));
        assert_eq!(p("/schedule png"), Ok(Command::ScheduleImage(None)));
        assert_eq!(p("/schedule png 2026-12-07"), Ok(Command::ScheduleImage(date("2026-12-07"))));
        let dec = Month::parse("2026-12");
        assert_eq!(p("/report"), Ok(Command::Report(None, ReportScope::Mine)));
        assert_eq!(p("/report 2026-12"), Ok(Command::Report(dec, ReportScope::Mine)));
        assert_eq!(p("/report 2026-12 3"), Ok(Command::Report(dec, ReportScope::Centre(CentreId(3)))));
        assert_eq!(p("/report all"), Ok(Command::Report(None, ReportScope::All)));
        assert_eq!(p("/report 2026-13"), Err(ParseError::Usage("report")));
        assert_eq!(p("/report 2026-12 2026-11"), Err(ParseError::Usage("report")));
        assert_eq!(p("/report december"), Err(ParseError::Usage("report")));
        assert_eq!(p("/report 2026-12 1 all"), Err(ParseError::Usage("report")));
        assert_eq!(p("/settings guardians off"), Ok(Command::Settings(Some(SettingChange::GuardianApproval(false)))));
        assert_eq!(p("/settings guardians maybe"), Err(ParseError::Usage("settings")));
    }

    #[test]
    fn malformed_arguments_name_the_usage() {
        assert_eq!(p("/book twelve"), Err(ParseError::Usage("book")));
        assert_eq!(p("/book 0"), Err(ParseError::Usage("book")));
        assert_eq!(p("/newshift 2026-13-02 09:00-12:00"), Err(ParseError::Usage("newshift")));
        assert_eq!(p("/newshift 2026-12-02 9-12"), Err(ParseError::Usage("newshift")));
        assert_eq!(p("/newshift 2026-12-02 09:00-12:00 8 x"), Err(ParseError::Usage("newshift")));
        assert_eq!(p("/newshift 2026-12-02 09:00-12:00 8 1 9"), Err(ParseError::Usage("newshift")));
        assert_eq!(p("/grant 42 lots"), Err(ParseError::Usage("grant")));
        assert_eq!(p("/grant 42 99999999999999999999999 x"), Err(ParseError::Usage("grant")));
        assert_eq!(p("/approve"), Err(ParseError::Usage("approve")));
        assert_eq!(p("/child add Ming"), Err(ParseError::Usage("child")));
        assert_eq!(p("/frobnicate"), Err(ParseError::Unknown("frobnicate".into())));
        assert_eq!(p("hello"), Err(ParseError::NotCommand));
        assert_eq!(p("/book@other_bot 1"), Err(ParseError::NotCommand));
    }

    #[test]
    fn a_setting_change_reads_back_from_the_command_it_shows_as() {
        use chrono::NaiveTime;
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        let every = [
            SettingChange::VolunteerHours(vec![24, 2]),
            SettingChange::FamilyTime(t(7, 30)),
            SettingChange::DigestTime(t(20, 0)),
            SettingChange::Quiet(t(22, 0), t(7, 0)),
            SettingChange::Quiet(NaiveTime::MIN, NaiveTime::MIN),
            SettingChange::CoverBatch(5),
            SettingChange::GuardianApproval(true),
            SettingChange::GuardianApproval(false),
            SettingChange::Ages(6, 30),
            SettingChange::EarnRate(2),
            SettingChange::CostRate(1),
            SettingChange::StartGrant(600),
            SettingChange::FreeCancelHours(24),
            SettingChange::LateCancelPercent(50),
            SettingChange::NoShowPenalty(60),
            SettingChange::NoShowBlock(3, 30),
            SettingChange::AutoSettleHours(12),
            SettingChange::Capacity(12),
            SettingChange::Staff(2),
            SettingChange::Waitlist(5),
        ];
        for change in every {
            let shown = change.as_command();
            assert_eq!(p(&shown), Ok(Command::Settings(Some(change.clone()))), "{shown}");
        }
    }
}
