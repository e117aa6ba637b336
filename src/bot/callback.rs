//! Button payloads. `callback_data` is at most 64 bytes, so buttons carry short ids and
//! a tag, never payloads; the service checks the presser may act on those ids.

use chrono::NaiveDate;

use super::command::Concern;
use crate::domain::{BookingId, ChildId, RoundId, ShiftId, SignupId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Menu {
    Main,
    Schedule,
    Book,
    Volunteer,
    Balance,
    My,
    Children,
    Language,
    Pending,
    Invite,
    Swaps,
    /// The coming week as a timetable picture (under the schedule).
    Week,
}

const MENUS: [(Menu, &str); 12] = [
    (Menu::Main, "main"),
    (Menu::Schedule, "sched"),
    (Menu::Book, "book"),
    (Menu::Volunteer, "vol"),
    (Menu::Balance, "bal"),
    (Menu::My, "my"),
    (Menu::Children, "kids"),
    (Menu::Language, "lang"),
    (Menu::Pending, "pend"),
    (Menu::Invite, "inv"),
    (Menu::Swaps, "swaps"),
    (Menu::Week, "week"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Callback {
    Menu(Menu),
    SetLang(bool),
    /// Booking flow: a day was chosen.
    BookDay(NaiveDate),
    /// A shift was chosen (pick the child next).
    BookShift(ShiftId),
    /// Show cost and ask to confirm.
    BookAsk(ShiftId, ChildId),
    /// Book it.
    BookDo(ShiftId, ChildId),
    VolunteerAsk(ShiftId),
    VolunteerDo(ShiftId),
    CancelAsk(BookingId),
    CancelDo(BookingId),
    DropAsk(SignupId),
    DropDo(SignupId),
    OfferSwap(SignupId),
    TakeSwap(SignupId),
    Approve(UserId),
    Reject(UserId),
    MarkChild(ShiftId, BookingId, bool),
    MarkVolunteer(ShiftId, SignupId, bool),
    Settle(ShiftId),
    /// From a volunteer's reminder: "I'll be there" / "I can't make it".
    Attend(SignupId),
    CantCome(SignupId),
    /// From an ask for cover: "Take this shift".
    TakeCover(ShiftId),
    /// Confirm or drop a drafted broadcast.
    BroadcastSend(u64),
    BroadcastCancel(u64),
    /// A child's notes, with how to change them.
    ChildNotes(ChildId),
    /// Confirm a drafted `/cancelday`.
    CancelDayDo(u64),
    /// Close a flow.
    Dismiss,
    /// A guardian confirms or declines someone who used the family's code.
    GuardianOk(UserId),
    GuardianNo(UserId),
    /// Confirmations: leave the centre, leave the family, forget my data.
    LeaveDo,
    LeaveFamilyDo,
    ForgetDo,
    /// The `/wish` flow (its draft is in the dialogue state): a child, a shift added to
    /// the order, the last one taken back, done picking, how many at most, send, cancel.
    /// `/wish`: the week (round) to wish in, when several take wishes.
    WishRound(RoundId),
    WishChild(ChildId),
    WishShift(ShiftId),
    WishUndo,
    WishDone,
    WishMax(u32),
    WishSend,
    WishCancel,
}

impl Menu {
    pub fn concern(&self) -> Concern {
        match self {
            Menu::Main | Menu::Language => Concern::Membership,
            Menu::Schedule
            | Menu::Book
            | Menu::Volunteer
            | Menu::Balance
            | Menu::My
            | Menu::Children
            | Menu::Swaps
            | Menu::Week => Concern::Parent,
            Menu::Pending | Menu::Invite => Concern::Coordinator,
        }
    }
}

impl Callback {
    /// Whom the button serves (see `Concern`); a menu button, its menu's.
    pub fn concern(&self) -> Concern {
        use Callback::*;
        match self {
            Menu(m) => m.concern(),
            SetLang(_) | Dismiss | GuardianOk(_) | GuardianNo(_) | LeaveDo | LeaveFamilyDo | ForgetDo => {
                Concern::Membership
            }
            BookDay(_) | BookShift(_) | BookAsk(..) | BookDo(..) | VolunteerAsk(_) | VolunteerDo(_) | CancelAsk(_)
            | CancelDo(_) | DropAsk(_) | DropDo(_) | OfferSwap(_) | TakeSwap(_) | Attend(_) | CantCome(_)
            | TakeCover(_) | ChildNotes(_) => Concern::Parent,
            WishRound(_) | WishChild(_) | WishShift(_) | WishUndo | WishDone | WishMax(_) | WishSend | WishCancel => {
                Concern::Parent
            }
            Approve(_) | Reject(_) | MarkChild(..) | MarkVolunteer(..) | Settle(_) | BroadcastSend(_)
            | BroadcastCancel(_) | CancelDayDo(_) => Concern::Coordinator,
        }
    }

    pub fn encode(&self) -> String {
        use Callback::*;
        // One arm per button, here and in `decode`: the table is the format (alike on purpose).
        let s = match self {
            Menu(m) => format!("m:{}", MENUS.iter().find(|(x, _)| x == m).map(|(_, n)| *n).unwrap_or("main")),
            SetLang(en) => format!("l:{}", if *en { "en" } else { "zh" }),
            BookDay(d) => format!("bd:{}", d.format("%Y%m%d")),
            BookShift(s) => format!("bs:{s}"),
            BookAsk(s, c) => format!("ba:{s}:{c}"),
            BookDo(s, c) => format!("bk:{s}:{c}"),
            VolunteerAsk(s) => format!("va:{s}"),
            VolunteerDo(s) => format!("vk:{s}"),
            CancelAsk(b) => format!("ca:{b}"),
            CancelDo(b) => format!("ck:{b}"),
            DropAsk(s) => format!("da:{s}"),
            DropDo(s) => format!("dk:{s}"),
            OfferSwap(s) => format!("so:{s}"),
            TakeSwap(s) => format!("st:{s}"),
            Approve(u) => format!("ap:{u}"),
            Reject(u) => format!("rj:{u}"),
            MarkChild(s, b, p) => format!("mc:{s}:{b}:{}", u8::from(*p)),
            MarkVolunteer(s, v, p) => format!("mv:{s}:{v}:{}", u8::from(*p)),
            Settle(s) => format!("se:{s}"),
            Attend(s) => format!("at:{s}"),
            CantCome(s) => format!("cc:{s}"),
            TakeCover(s) => format!("tc:{s}"),
            BroadcastSend(b) => format!("bb:{b}"),
            BroadcastCancel(b) => format!("bx:{b}"),
            CancelDayDo(d) => format!("cd:{d}"),
            ChildNotes(c) => format!("cn:{c}"),
            Dismiss => "x".into(),
            GuardianOk(u) => format!("gy:{u}"),
            GuardianNo(u) => format!("gn:{u}"),
            LeaveDo => "lv".into(),
            LeaveFamilyDo => "lf".into(),
            ForgetDo => "fg".into(),
            WishRound(r) => format!("wr:{r}"),
            WishChild(c) => format!("wc:{c}"),
            WishShift(s) => format!("ws:{s}"),
            WishUndo => "wu".into(),
            WishDone => "wd".into(),
            WishMax(n) => format!("wm:{n}"),
            WishSend => "wk".into(),
            WishCancel => "wx".into(),
        };
        debug_assert!(s.len() <= 64);
        s
    }

    pub fn decode(data: &str) -> Option<Callback> {
        use Callback::*;
        let parts: Vec<&str> = data.split(':').collect();
        let n = |i: usize| parts.get(i).and_then(|p| p.parse::<u64>().ok());
        let flag = |i: usize| parts.get(i).map(|p| *p == "1");
        Some(match parts[0] {
            "m" => Menu(MENUS.iter().find(|(_, name)| Some(name) == parts.get(1))?.0),
            "l" => SetLang(*parts.get(1)? == "en"),
            "bd" => BookDay(NaiveDate::parse_from_str(parts.get(1)?, "%Y%m%d").ok()?),
            "bs" => BookShift(ShiftId(n(1)?)),
            "ba" => BookAsk(ShiftId(n(1)?), ChildId(n(2)?)),
            "bk" => BookDo(ShiftId(n(1)?), ChildId(n(2)?)),
            "va" => VolunteerAsk(ShiftId(n(1)?)),
            "vk" => VolunteerDo(ShiftId(n(1)?)),
            "ca" => CancelAsk(BookingId(n(1)?)),
            "ck" => CancelDo(BookingId(n(1)?)),
            "da" => DropAsk(SignupId(n(1)?)),
            "dk" => DropDo(SignupId(n(1)?)),
            "so" => OfferSwap(SignupId(n(1)?)),
            "st" => TakeSwap(SignupId(n(1)?)),
            "ap" => Approve(UserId(parts.get(1)?.parse().ok()?)),
            "rj" => Reject(UserId(parts.get(1)?.parse().ok()?)),
            "mc" => MarkChild(ShiftId(n(1)?), BookingId(n(2)?), flag(3)?),
            "mv" => MarkVolunteer(ShiftId(n(1)?), SignupId(n(2)?), flag(3)?),
            "se" => Settle(ShiftId(n(1)?)),
            "at" => Attend(SignupId(n(1)?)),
            "cc" => CantCome(SignupId(n(1)?)),
            "tc" => TakeCover(ShiftId(n(1)?)),
            "bb" => BroadcastSend(n(1)?),
            "bx" => BroadcastCancel(n(1)?),
            "cd" => CancelDayDo(n(1)?),
            "cn" => ChildNotes(ChildId(n(1)?)),
            "x" => Dismiss,
            "gy" => GuardianOk(UserId(parts.get(1)?.parse().ok()?)),
            "gn" => GuardianNo(UserId(parts.get(1)?.parse().ok()?)),
            "lv" => LeaveDo,
            "lf" => LeaveFamilyDo,
            "fg" => ForgetDo,
            "wr" => WishRound(RoundId(n(1)?)),
            "wc" => WishChild(ChildId(n(1)?)),
            "ws" => WishShift(ShiftId(n(1)?)),
            "wu" => WishUndo,
            "wd" => WishDone,
            "wm" => WishMax(u32::try_from(n(1)?).ok()?),
            "wk" => WishSend,
            "wx" => WishCancel,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_within_64_bytes() {
        let all = [
            Callback::Menu(Menu::Swaps),
            Callback::Menu(Menu::Week),
            Callback::SetLang(true),
            Callback::BookDay("2026-12-31".parse().unwrap()),
            Callback::BookDo(ShiftId(u64::MAX), ChildId(u64::MAX)),
            Callback::MarkChild(ShiftId(u64::MAX), BookingId(u64::MAX), false),
            Callback::Approve(UserId(-1001234567890)),
            Callback::Attend(SignupId(u64::MAX)),
            Callback::CantCome(SignupId(u64::MAX)),
            Callback::TakeCover(ShiftId(u64::MAX)),
            Callback::BroadcastSend(u64::MAX),
            Callback::BroadcastCancel(u64::MAX),
            Callback::CancelDayDo(u64::MAX),
            Callback::ChildNotes(ChildId(u64::MAX)),
            Callback::Dismiss,
            Callback::GuardianOk(UserId(i64::MIN)),
            Callback::GuardianNo(UserId(i64::MAX)),
            Callback::LeaveDo,
            Callback::LeaveFamilyDo,
            Callback::ForgetDo,
            Callback::WishRound(RoundId(u64::MAX)),
            Callback::WishChild(ChildId(u64::MAX)),
            Callback::WishShift(ShiftId(u64::MAX)),
            Callback::WishUndo,
            Callback::WishDone,
            Callback::WishMax(u32::MAX),
            Callback::WishSend,
            Callback::WishCancel,
        ];
        for cb in all {
            let s = cb.encode();
            assert!(s.len() <= 64, "{s}");
            assert_eq!(Callback::decode(&s), Some(cb));
        }
    }

    #[test]
    fn garbage_is_rejected() {
        for bad in ["", "zz:1", "gy:x", "gn:", "bk:1", "bk:a:b", "m:nope", "bd:20261340", "mc:1:2"] {
            assert_eq!(Callback::decode(bad), None, "{bad}");
        }
    }
}
