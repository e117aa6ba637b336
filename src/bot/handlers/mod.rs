//! What each message, command, button and typed answer does: parse -> call the service
//! -> render. Synchronous (the service is); `bot/mod.rs` runs these off the async
//! executor, watched, and sends what they return. Rules stay in the service.
//!
//! Inputs go down dptree handler trees, as in teloxide's own examples: commands and
//! buttons by the role they serve (`Concern`: `membership`, `parent`, `coordinator`,
//! `admin`, one module each), typed text by the dialogue state waiting for it (each
//! flow's steps live with their concern). Who may actually do a thing is the service's
//! to decide: the branches sort, they do not authorise. The endpoints are synchronous
//! (`Asyncify`), so a tree's future is ready when first polled.

mod admin;
mod contact;
mod coordinator;
mod ctx;
mod exports;
mod membership;
mod parent;
mod round;

use chrono::NaiveDate;
use std::ops::ControlFlow;
use std::sync::{Arc, LazyLock};
use teloxide::dptree::{self, case, di::Asyncify, di::DependencyMap};

pub use self::contact::contact;
pub use self::ctx::{Ctx, Handled};
use self::ctx::{Text, Tree, C};
use super::callback::Callback;
use super::command::{self, Command, Concern, ParseError};
use super::dialogue::State;
use super::render::{self, Reply};
use crate::service::{date_window, ServiceError};
use crate::t;

/// A message as the trees see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A photo, a sticker, ...: only text is read.
    NoText,
    /// Longer than any command or answer may be.
    TooLong,
    Command(Command),
    /// A known command with arguments that do not fit: its usage line.
    Usage(&'static str),
    /// A command we do not know.
    Unknown(String),
    /// Plain text: an answer to a flow's question, or nothing we expected.
    Text(String),
}

impl Input {
    pub fn of(text: Option<&str>, bot_username: &str) -> Input {
        match text {
            None => Input::NoText,
            Some(text) if text.chars().count() > command::MAX_INPUT => Input::TooLong,
            Some(text) => match command::parse(text, bot_username) {
                Ok(cmd) => Input::Command(cmd),
                Err(ParseError::NotCommand) => Input::Text(text.to_string()),
                Err(ParseError::Usage(c)) => Input::Usage(c),
                Err(ParseError::Unknown(c)) => Input::Unknown(c),
            },
        }
    }
}

static MESSAGES: LazyLock<Tree> = LazyLock::new(message_tree);
static COMMANDS: LazyLock<Tree> = LazyLock::new(command_tree);
static TEXTS: LazyLock<Tree> = LazyLock::new(text_tree);
static BUTTONS: LazyLock<Tree> = LazyLock::new(button_tree);

/// A private message in the dialogue state `state`. A new command ends any flow that
/// was waiting for text.
pub fn message(ctx: &Ctx, state: &State, text: Option<&str>) -> Handled {
    let input = Input::of(text, &ctx.bot_username);
    let is_command = matches!(input, Input::Command(_));
    let mut h = run(ctx, &MESSAGES, dptree::deps![Arc::new(ctx.clone()), state.clone(), input]);
    if is_command && h.state.is_none() && *state != State::Idle {
        h.state = Some(State::Idle);
    }
    h
}

/// A typed command.
pub fn command(ctx: &Ctx, cmd: Command) -> Handled {
    run(ctx, &COMMANDS, dptree::deps![Arc::new(ctx.clone()), cmd])
}

/// Plain text: an answer to a guided flow's question, or a gentle pointer to the menu.
pub fn text(ctx: &Ctx, state: &State, text: &str) -> Handled {
    run(ctx, &TEXTS, dptree::deps![Arc::new(ctx.clone()), state.clone(), Text(text.to_string())])
}

/// A button press (in the dialogue state `state`, which a button flow's draft keeps).
pub fn callback(ctx: &Ctx, state: &State, cb: Callback) -> Handled {
    run(ctx, &BUTTONS, dptree::deps![Arc::new(ctx.clone()), state.clone(), cb])
}

fn run(ctx: &Ctx, tree: &Tree, deps: DependencyMap) -> Handled {
    match futures::executor::block_on(tree.dispatch(deps)) {
        ControlFlow::Break(h) => h,
        ControlFlow::Continue(_) => {
            log::error!("no branch of the handler tree took an input");
            Handled { reply: Reply::text(ctx.l("err-internal")), error: true, ..Handled::default() }
        }
    }
}

fn message_tree() -> Tree {
    dptree::entry()
        .branch(case![Input::Command(cmd)].chain(command_tree()))
        .branch(case![Input::Text(text)].map(Text).chain(text_tree()))
        .branch(case![Input::NoText].endpoint(Asyncify(|ctx: C| Handled::from(Reply::text(ctx.l("send-text"))))))
        .branch(case![Input::TooLong].endpoint(Asyncify(|ctx: C| {
            Handled::from(Reply::text(t!(ctx.lang, "too-long", max = command::MAX_INPUT)))
        })))
        .branch(
            case![Input::Usage(c)]
                .endpoint(Asyncify(|ctx: C, c: &'static str| Handled::from(Reply::text(render::usage(ctx.lang, c))))),
        )
        .branch(case![Input::Unknown(c)].endpoint(Asyncify(|ctx: C, c: String| {
            Handled::from(Reply::text(t!(ctx.lang, "unknown-command", command = c)))
        })))
}

/// A date typed far from today (chrono reads years of any length): the range and the
/// usage of the command it was typed in.
#[derive(Debug, Clone)]
struct FarDate {
    usage: &'static str,
    from: NaiveDate,
    to: NaiveDate,
}

fn far_date(ctx: C, cmd: Command) -> Option<FarDate> {
    let (usage, dates) = cmd.typed_dates()?;
    let (from, to) = date_window(ctx.today());
    dates.iter().any(|d| *d < from || *d > to).then_some(FarDate { usage, from, to })
}

fn command_tree() -> Tree {
    let role = |concern: Concern| dptree::filter(move |c: Command| c.concern() == concern);
    dptree::entry()
        .branch(dptree::filter_map(far_date).endpoint(Asyncify(|ctx: C, far: FarDate| {
            let mut h = ctx.err(&ServiceError::DateOutOfRange { from: far.from, to: far.to });
            h.reply.text.push('\n');
            h.reply.text.push_str(&render::usage(ctx.lang, far.usage));
            h
        })))
        .branch(round::commands())
        .branch(role(Concern::Membership).chain(membership::commands()))
        .branch(role(Concern::Parent).chain(parent::commands()))
        .branch(role(Concern::Coordinator).chain(coordinator::commands()))
        .branch(role(Concern::Admin).chain(admin::commands()))
}

/// Buttons by the role they serve (the super-admin has none).
fn button_tree() -> Tree {
    let role = |concern: Concern| dptree::filter(move |cb: Callback| cb.concern() == concern);
    dptree::entry()
        .branch(round::buttons())
        .branch(role(Concern::Membership).chain(membership::buttons()))
        .branch(role(Concern::Parent).chain(parent::buttons()))
        .branch(role(Concern::Coordinator).chain(coordinator::buttons()))
}

/// Typed text by the dialogue state waiting for it.
fn text_tree() -> Tree {
    dptree::entry()
        .branch(case![State::Idle].endpoint(Asyncify(|ctx: C| membership::not_understood(&ctx))))
        .branch(parent::steps())
        .branch(coordinator::steps())
        .branch(round::steps())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::callback::Menu;
    use crate::domain::{BookingId, ChildId, ShiftId, SignupId, UserId};
    use crate::i18n::Lang;

    fn ctx() -> (crate::testing::Fixture, Ctx) {
        let f = crate::testing::Fixture::new();
        let ctx = Ctx {
            svc: f.svc.clone(),
            user: UserId(424242),
            name: "someone".into(),
            lang: Lang::En,
            request: None,
            bot_username: "huzhu_bot".into(),
            message: None,
        };
        (f, ctx)
    }

    fn unrouted(h: &Handled) -> bool {
        h.error && h.reply.text == t!(Lang::En, "err-internal")
    }

    /// Every command, button and dialogue state reaches an endpoint of the trees.
    #[test]
    fn every_input_has_a_branch() {
        let (_f, ctx) = ctx();
        let day = ctx.today().to_string();
        let commands = [
            "/start",
            "/start CODE",
            "/join CODE",
            "/help",
            "/lang",
            "/lang en",
            "/menu",
            "/child",
            "/child add",
            "/child add Mia 2024-01-01",
            "/child note",
            "/child note 1 -",
            "/family",
            "/family newcode",
            "/family leave",
            "/schedule",
            "/book",
            "/book 1",
            "/book 1 1",
            "/volunteer",
            "/volunteer 1",
            "/balance",
            "/my",
            "/cancel 1",
            "/cancel v1",
            "/swap",
            "/swap 1",
            "/swap v1",
            "/wish",
            "/wish 2026-12-07",
        ];
        let coordinator = [
            format!("/newshift {day} 09:00-12:00"),
            "/template".into(),
            "/template add mon 09:00-12:00".into(),
            format!("/template gen {day} {day}"),
            "/cancelshift 1".into(),
            "/cancelshift 1 rain".into(),
            format!("/cancelday {day} rain"),
            format!("/moveshift 1 {day} 09:00-12:00"),
            "/broadcast hello".into(),
            "/settings".into(),
            "/settings cover 3".into(),
            "/pending".into(),
            "/approve 1".into(),
            "/reject 1".into(),
            "/suspend 1".into(),
            "/unblock 1".into(),
            "/overdraft 1 60".into(),
            "/staff 1 on".into(),
            "/grant 1 60 thanks".into(),
            "/ledger 1".into(),
            "/roster 1".into(),
            "/attendance 1".into(),
            "/settle 1".into(),
            "/invite".into(),
            "/invite new".into(),
            "/leave".into(),
            "/remove 1".into(),
            "/remove family 1".into(),
            "/mydata".into(),
            "/forget".into(),
            "/newcentre Sunny".into(),
            "/coordinator 1 1".into(),
            "/report".into(),
            "/report 2026-12 all".into(),
            "/calendar".into(),
            "/balance export".into(),
            "/schedule png".into(),
            "/audit".into(),
            "/audit 5 1".into(),
            format!("/round open {day} {day}T20:00"),
            "/round preview".into(),
            "/round commit".into(),
            "/round".into(),
            "/round preview 2026-12-07".into(),
            "/round commit 2026-12-07".into(),
        ];
        for text in commands.iter().map(|s| s.to_string()).chain(coordinator) {
            let cmd = command::parse(&text, "huzhu_bot").unwrap_or_else(|e| panic!("{text}: {e:?}"));
            assert!(!unrouted(&command(&ctx, cmd)), "{text}");
        }
        let (s, b, v, c, u) = (ShiftId(1), BookingId(1), SignupId(1), ChildId(1), UserId(1));
        let menus = [
            Menu::Main,
            Menu::Schedule,
            Menu::Book,
            Menu::Volunteer,
            Menu::Balance,
            Menu::My,
            Menu::Children,
            Menu::Language,
            Menu::Pending,
            Menu::Invite,
            Menu::Swaps,
            Menu::Week,
        ];
        let buttons = [
            Callback::SetLang(true),
            Callback::BookDay(ctx.today()),
            Callback::BookShift(s),
            Callback::BookAsk(s, c),
            Callback::BookDo(s, c),
            Callback::VolunteerAsk(s),
            Callback::VolunteerDo(s),
            Callback::CancelAsk(b),
            Callback::CancelDo(b),
            Callback::DropAsk(v),
            Callback::DropDo(v),
            Callback::OfferSwap(v),
            Callback::TakeSwap(v),
            Callback::Approve(u),
            Callback::Reject(u),
            Callback::MarkChild(s, b, true),
            Callback::MarkVolunteer(s, v, false),
            Callback::Settle(s),
            Callback::Attend(v),
            Callback::CantCome(v),
            Callback::TakeCover(s),
            Callback::BroadcastSend(1),
            Callback::BroadcastCancel(1),
            Callback::ChildNotes(c),
            Callback::CancelDayDo(1),
            Callback::Dismiss,
            Callback::GuardianOk(u),
            Callback::GuardianNo(u),
            Callback::LeaveDo,
            Callback::LeaveFamilyDo,
            Callback::ForgetDo,
            Callback::WishRound(crate::domain::RoundId(1)),
            Callback::WishChild(c),
            Callback::WishShift(s),
            Callback::WishUndo,
            Callback::WishDone,
            Callback::WishMax(1),
            Callback::WishSend,
            Callback::WishCancel,
        ];
        for cb in menus.into_iter().map(Callback::Menu).chain(buttons) {
            assert!(!unrouted(&callback(&ctx, &State::Idle, cb)), "{cb:?}");
        }
        let states = [
            State::Idle,
            State::ChildName,
            State::ChildBirth { name: "Mia".into() },
            State::CancelShiftReason { shift: s },
            State::ChildNotes { child: c },
            State::Wish { round: crate::domain::RoundId(1), child: None, shifts: vec![], max: None },
        ];
        for state in states {
            assert!(!unrouted(&text(&ctx, &state, "2024-01-01")), "{state:?}");
        }
        for input in [None, Some("x".repeat(command::MAX_INPUT + 1).as_str()), Some("/book x"), Some("/nope")] {
            assert!(!unrouted(&message(&ctx, &State::Idle, input)), "{input:?}");
        }
    }
}
