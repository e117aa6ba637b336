//! Anyone, member or not: joining, the menu and help, the language, the family's code,
//! leaving, one's data.

use teloxide::dptree::{self, case, di::Asyncify};

use super::ctx::{Ctx, Handled, Tree, C};
use crate::bot::callback::{Callback, Menu};
use crate::bot::command::Command;
use crate::bot::dialogue::State;
use crate::bot::render::{self, Done, Reply};
use crate::domain::{MemberStatus, UserId};
use crate::i18n::Lang;
use crate::service::ServiceError;
use crate::t;

/// The typed commands anyone may send.
pub fn commands() -> Tree {
    dptree::entry()
        .branch(
            dptree::filter_map(|c: Command| match c {
                Command::Start(Some(code)) | Command::Join(code) => Some(code),
                _ => None,
            })
            .endpoint(Asyncify(|ctx: C, code: String| join(&ctx, &code))),
        )
        .branch(
            dptree::filter(|c: Command| matches!(c, Command::Start(None) | Command::Menu))
                .endpoint(Asyncify(|ctx: C| main_menu(&ctx, true))),
        )
        .branch(case![Command::Help].endpoint(Asyncify(|ctx: C| Handled::from(help(&ctx)))))
        .branch(case![Command::Lang(l)].endpoint(Asyncify(|ctx: C, l: Option<String>| match l {
            Some(l) => match Lang::parse(&l) {
                Some(new) => set_lang(&ctx, new),
                None => Reply::text(render::usage(ctx.lang, "lang")).into(),
            },
            None => language_menu(&ctx).into(),
        })))
        .branch(case![Command::Family].endpoint(Asyncify(|ctx: C| family(&ctx))))
        .branch(case![Command::FamilyNewCode].endpoint(Asyncify(|ctx: C| {
            ctx.done(ctx.svc.new_family_code(&ctx.caller()), |f| Done::FamilyCode {
                code: &f.invite_code,
                link: ctx.start_link(&f.invite_code),
            })
        })))
        .branch(case![Command::FamilyLeave].endpoint(Asyncify(|ctx: C| match ctx.svc.my_family(ctx.user) {
            Ok(_) => ctx.ask(
                ctx.l("family-leave-ask"),
                ("btn-leave-family", Callback::LeaveFamilyDo),
                ("btn-keep", Callback::Dismiss),
            ),
            Err(e) => ctx.err(&e),
        })))
        .branch(case![Command::Leave].endpoint(Asyncify(|ctx: C| match ctx.svc.member(ctx.user) {
            Ok(Some(m)) if m.status != MemberStatus::Rejected => {
                ctx.ask(ctx.l("leave-ask"), ("btn-leave", Callback::LeaveDo), ("btn-keep", Callback::Dismiss))
            }
            Ok(_) => ctx.err(&ServiceError::NotRegistered),
            Err(e) => ctx.err(&e),
        })))
        .branch(case![Command::MyData].endpoint(Asyncify(|ctx: C| my_data(&ctx))))
        .branch(case![Command::Forget].endpoint(Asyncify(|ctx: C| {
            ctx.ask(ctx.l("forget-ask"), ("btn-forget", Callback::ForgetDo), ("btn-keep", Callback::Dismiss))
        })))
}

/// The buttons anyone may press.
pub fn buttons() -> Tree {
    dptree::entry()
        .branch(
            dptree::filter(|cb: Callback| cb == Callback::Menu(Menu::Main))
                .endpoint(Asyncify(|ctx: C| main_menu(&ctx, false))),
        )
        .branch(
            dptree::filter(|cb: Callback| cb == Callback::Menu(Menu::Language))
                .endpoint(Asyncify(|ctx: C| Handled::from(language_menu(&ctx)))),
        )
        .branch(
            case![Callback::SetLang(en)]
                .endpoint(Asyncify(|ctx: C, en: bool| set_lang(&ctx, if en { Lang::En } else { Lang::Zh }))),
        )
        .branch(case![Callback::Dismiss].endpoint(Asyncify(|ctx: C| Handled {
            reply: Reply::text(ctx.l("dismissed")),
            state: Some(State::Idle),
            ..Handled::default()
        })))
        .branch(case![Callback::GuardianOk(u)].endpoint(Asyncify(|ctx: C, u: UserId| {
            ctx.done(ctx.svc.confirm_guardian(&ctx.caller(), u), |v| Done::Guardian(v))
        })))
        .branch(case![Callback::GuardianNo(u)].endpoint(Asyncify(|ctx: C, u: UserId| {
            ctx.done(ctx.svc.decline_guardian(&ctx.caller(), u), |v| Done::Guardian(v))
        })))
        .branch(
            case![Callback::LeaveDo]
                .endpoint(Asyncify(|ctx: C| ctx.done(ctx.svc.leave_centre(&ctx.caller()), |v| Done::Left(v)))),
        )
        .branch(
            case![Callback::LeaveFamilyDo]
                .endpoint(Asyncify(|ctx: C| ctx.done(ctx.svc.leave_family(&ctx.caller()), |v| Done::LeftFamily(v)))),
        )
        .branch(
            case![Callback::ForgetDo]
                .endpoint(Asyncify(|ctx: C| ctx.done(ctx.svc.forget(&ctx.caller()), |_| Done::Forgotten))),
        )
}

/// Typed text with no flow waiting for it: a gentle pointer to the menu.
pub fn not_understood(ctx: &Ctx) -> Handled {
    Reply::text(ctx.l("not-understood")).with_button(ctx.l("btn-menu"), Callback::Menu(Menu::Main)).into()
}

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
        // Someone on an imported family list joins by sharing their phone number; the
        // keyboard button replaces the language button (/lang still works).
        _ => Reply {
            text: format!("{}\n\n{}", t!(lang, "welcome-stranger"), t!(lang, "contact-share-intro")),
            contact: Some(t!(lang, "contact-share-button")),
            ..Reply::default()
        },
    };
    if greet {
        reply.text = format!("{}\n\n{}", t!(lang, "welcome", name = ctx.name.as_str()), reply.text);
    }
    reply.into()
}

/// Help for everyone, then the parts for what the person is.
fn help(ctx: &Ctx) -> Reply {
    let member = ctx.svc.member(ctx.user).ok().flatten();
    let active = member.as_ref().is_some_and(|m| m.is_active());
    let coordinator = member.as_ref().is_some_and(|m| m.is_coordinator());
    let admin = ctx.svc.is_super_admin(ctx.user);
    let parts: [(&str, bool); 11] = [
        ("help-parent", active),
        ("help-round-parent", active),
        ("help-membership", active),
        ("help-exports-parent", active),
        ("help-coordinator", coordinator),
        ("help-coordinator-membership", coordinator),
        ("help-exports-coordinator", coordinator),
        ("help-coordinator-records", coordinator || admin),
        ("help-round-coordinator", coordinator),
        ("help-admin", admin),
        ("help-exports-admin", admin),
    ];
    let mut text = ctx.l("help-everyone");
    for (key, _) in parts.iter().filter(|(_, shown)| *shown) {
        text.push_str("\n\n");
        text.push_str(&ctx.l(key));
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
        Ok(_) => render::done(lang, &Done::LangSet).into(),
        Err(e) => ctx.err(&e),
    }
}

fn join(ctx: &Ctx, code: &str) -> Handled {
    let result = ctx.svc.join(&ctx.caller(), code, &ctx.name);
    if let Err(ServiceError::TooManyAttempts { until }) = &result {
        let until = until.with_timezone(&ctx.tz()).format("%Y-%m-%d %H:%M").to_string();
        let reply = Reply::text(t!(ctx.lang, "err-too-many-attempts", until = until));
        return Handled { reply, error: true, ..Handled::default() };
    }
    ctx.done(result, |v| Done::Joined(v))
}

/// `/family`: the family's code and link, to give to another guardian.
fn family(ctx: &Ctx) -> Handled {
    match ctx.svc.my_family(ctx.user) {
        Ok(f) => Reply::text(t!(
            ctx.lang,
            "family-invite-confirmed",
            code = f.invite_code.as_str(),
            link = ctx.start_link(&f.invite_code)
        ))
        .into(),
        Err(e) => ctx.err(&e),
    }
}

fn my_data(ctx: &Ctx) -> Handled {
    match ctx.svc.my_data(ctx.user) {
        Ok(doc) => {
            let bytes = serde_json::to_vec_pretty(&doc).unwrap_or_default();
            let name = format!("huzhu-data-{}.json", ctx.user.0);
            Handled {
                reply: ctx.said(Done::DataSent),
                document: Some((bytes, name, ctx.l("mydata-caption"))),
                ..Handled::default()
            }
        }
        Err(e) => ctx.err(&e),
    }
}
