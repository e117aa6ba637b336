//! What every handler works with: who is talking (`Ctx`) and what handling produced
//! (`Handled`), and the shape of the handler trees the concerns add branches to.

use chrono::NaiveDate;
use std::sync::Arc;
use teloxide::dptree::Handler;

use crate::bot::callback::Callback;
use crate::bot::dialogue::State;
use crate::bot::render::{self, Done, Reply};
use crate::bot::send::FileKind;
use crate::domain::UserId;
use crate::i18n::Lang;
use crate::service::{Caller, Notice, Outcome, Service, ServiceError};
use crate::t;

/// A handler tree (or a branch of one): dptree over the input's parts, ending in what
/// handling produced.
pub type Tree = Handler<'static, Handled>;

/// Typed text, as the dialogue steps receive it (a newtype: a state's own strings are
/// injected beside it).
#[derive(Debug, Clone)]
pub struct Text(pub String);

/// The caller as the trees inject it.
pub type C = Arc<Ctx>;

/// Who is talking, in which language, and the request key that makes replays harmless.
#[derive(Clone)]
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
    /// More files after the reply, in order (reports, timetables, calendars, exports):
    /// kind, bytes, file name, caption.
    pub files: Vec<(FileKind, Vec<u8>, String, String)>,
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
    /// A context for calling the handlers directly, without an update (tests and the
    /// fuzz harness): English, no request key, no pressed message.
    pub fn direct(svc: Arc<Service>, user: UserId) -> Ctx {
        Ctx {
            svc,
            user,
            name: "someone".into(),
            lang: Lang::En,
            request: None,
            bot_username: "huzhu_bot".into(),
            message: None,
        }
    }

    pub fn caller(&self) -> Caller {
        Caller { user: self.user, request: self.request.clone() }
    }
    pub fn err(&self, e: &ServiceError) -> Handled {
        Handled { reply: Reply::text(render::error(self.lang, e)), error: true, ..Handled::default() }
    }
    /// A change's reply, plus the notices it caused. A replay (the inbox handling an
    /// update again after a crash) delivers them again: the crash may have come before
    /// they went out, and a notice twice beats a notice lost.
    pub fn done<T>(&self, r: Result<Outcome<T>, ServiceError>, ok: impl for<'x> FnOnce(&'x T) -> Done<'x>) -> Handled {
        match r {
            Ok(o) => {
                Handled { reply: render::done(self.lang, &ok(&o.value)), notices: o.notices, ..Handled::default() }
            }
            Err(e) => self.err(&e),
        }
    }
    /// A success's words (for replies that carry more than `done` gives them).
    pub fn said(&self, d: Done) -> Reply {
        render::done(self.lang, &d)
    }
    pub fn tz(&self) -> chrono_tz::Tz {
        self.svc.my_centre(self.user).map(|(_, c)| c.tz()).unwrap_or_else(|_| self.svc.default_tz())
    }
    pub fn today(&self) -> NaiveDate {
        self.svc.today(self.tz())
    }
    pub fn l(&self, key: &str) -> String {
        t!(self.lang, key)
    }
    /// A question with two buttons, to do it or not (their labels' Fluent keys first).
    pub fn ask(&self, text: String, yes: (&str, Callback), no: (&str, Callback)) -> Handled {
        Reply::text(text).with_row(vec![(self.l(yes.0), yes.1), (self.l(no.0), no.1)]).into()
    }
    /// The `t.me` link that starts the bot with `code`.
    pub fn start_link(&self, code: &str) -> String {
        format!("https://t.me/{}?start={code}", self.bot_username)
    }
}
