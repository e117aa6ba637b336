//! The weekly allocation round: `/round [status]|open|preview|commit` for coordinators,
//! and the guided `/wish [WEEK]` for parents (pick the week when several rounds take
//! wishes, then the child, the shifts in order, how many at most, confirm), its draft,
//! round included, kept in the dialogue state between presses.

use chrono::NaiveDate;
use teloxide::dptree::{self, case, di::Asyncify};

use super::ctx::{Ctx, Handled, Tree, C};
use crate::bot::callback::Callback;
use crate::bot::command::{Command, RoundCmd};
use crate::bot::dialogue::State;
use crate::bot::render::{self, round as words, Reply};
use crate::domain::{ChildId, RoundId, ShiftId};
use crate::service::{ShiftBrief, WishOptions, MAX_WISH};
use crate::t;

pub fn commands() -> Tree {
    dptree::entry()
        .branch(case![Command::Round(cmd)].endpoint(Asyncify(|ctx: C, cmd: RoundCmd| round(&ctx, cmd))))
        .branch(case![Command::Wish(week)].endpoint(Asyncify(|ctx: C, week: Option<NaiveDate>| wish_start(&ctx, week))))
}

/// The `/wish` buttons, with the draft from the dialogue state.
pub fn buttons() -> Tree {
    dptree::filter_map(|cb: Callback, state: State| match (cb, state) {
        (
            cb @ (Callback::WishRound(_)
            | Callback::WishChild(_)
            | Callback::WishShift(_)
            | Callback::WishUndo
            | Callback::WishDone
            | Callback::WishMax(_)
            | Callback::WishSend
            | Callback::WishCancel),
            state,
        ) => Some(Press(cb, state)),
        _ => None,
    })
    .endpoint(Asyncify(|ctx: C, p: Press| press(&ctx, p.0, p.1)))
}

/// Text typed while the `/wish` buttons wait: point back at them.
pub fn steps() -> Tree {
    case![State::Wish { round, child, shifts, max }]
        .endpoint(Asyncify(|ctx: C| Handled::from(Reply::text(ctx.l("wish-use-buttons")))))
}

#[derive(Clone)]
struct Press(Callback, State);

/// How many rounds `/round status` lists (newest weeks first).
const STATUS_ROUNDS: usize = 10;

fn round(ctx: &Ctx, cmd: RoundCmd) -> Handled {
    let tz = ctx.tz();
    match cmd {
        RoundCmd::Open(week, deadline) => match ctx.svc.open_round(&ctx.caller(), week, deadline) {
            Ok(o) => Reply::text(words::opened(ctx.lang, tz, &o.value)).into(),
            Err(e) => ctx.err(&e),
        },
        RoundCmd::Status => match ctx.svc.rounds(ctx.user, STATUS_ROUNDS) {
            Ok(rounds) => Reply::text(words::status(ctx.lang, tz, &rounds, ctx.svc.now())).into(),
            Err(e) => ctx.err(&e),
        },
        RoundCmd::Preview(week) => {
            let r = ctx.svc.coordinated_round(ctx.user, week).and_then(|r| ctx.svc.preview_round(ctx.user, r.id));
            match r {
                Ok(plan) => Reply::text(words::plan(ctx.lang, tz, &plan, false)).into(),
                Err(e) => ctx.err(&e),
            }
        }
        RoundCmd::Commit(week) => {
            let r = ctx.svc.coordinated_round(ctx.user, week).and_then(|r| ctx.svc.commit_round(&ctx.caller(), r.id));
            match r {
                Ok(o) => Reply::text(words::plan(ctx.lang, tz, &o.value, true)).into(),
                Err(e) => ctx.err(&e),
            }
        }
    }
}

/// `/wish [WEEK]`: straight into the round of that week, or the only one taking wishes;
/// with several, a button per week.
fn wish_start(ctx: &Ctx, week: Option<NaiveDate>) -> Handled {
    let rounds = match ctx.svc.wish_round(ctx.user, week) {
        Ok(r) => r,
        Err(e) => return ctx.err(&e),
    };
    if let [only] = rounds.as_slice() {
        return wish_in(ctx, only.id);
    }
    let mut reply = Reply::text(ctx.l("wish-pick-week"));
    for r in &rounds {
        let label = t!(
            ctx.lang,
            "btn-wish-week",
            week = render::date(ctx.lang, r.week_start),
            deadline = words::deadline(ctx.tz(), r.deadline)
        );
        reply = reply.with_button(label, Callback::WishRound(r.id));
    }
    reply = reply.with_button(ctx.l("btn-wish-cancel"), Callback::WishCancel);
    Handled { reply, state: Some(State::Idle), ..Handled::default() }
}

/// The wish flow in one round: the child (when there are several), then its shifts.
fn wish_in(ctx: &Ctx, round: RoundId) -> Handled {
    let opts = match ctx.svc.wish_options(ctx.user, round) {
        Ok(o) => o,
        Err(e) => return ctx.err(&e),
    };
    if opts.children.is_empty() {
        return Reply::text(ctx.l("wish-no-children")).into();
    }
    if opts.shifts.is_empty() {
        return Reply::text(ctx.l("wish-no-shifts")).into();
    }
    if let [only] = opts.children.as_slice() {
        return pick_shifts(ctx, &opts, round, only.id, vec![]);
    }
    let intro = t!(
        ctx.lang,
        "wish-intro",
        week = render::date(ctx.lang, opts.round.week_start),
        deadline = words::deadline(ctx.tz(), opts.round.deadline)
    );
    let mut reply = Reply::text(intro);
    for c in &opts.children {
        reply = reply.with_button(c.name.clone(), Callback::WishChild(c.id));
    }
    reply = reply.with_button(ctx.l("btn-wish-cancel"), Callback::WishCancel);
    Handled { reply, state: Some(State::Wish { round, child: None, shifts: vec![], max: None }), ..Handled::default() }
}

fn briefs(opts: &WishOptions, ids: &[ShiftId]) -> Vec<ShiftBrief> {
    ids.iter().filter_map(|id| opts.shifts.iter().find(|s| s.id == *id)).map(ShiftBrief::from).collect()
}

fn child_name(opts: &WishOptions, child: ChildId) -> String {
    opts.children.iter().find(|c| c.id == child).map(|c| c.name.clone()).unwrap_or_default()
}

/// The shifts step: the order so far, a button per shift not yet picked, done, undo.
fn pick_shifts(ctx: &Ctx, opts: &WishOptions, round: RoundId, child: ChildId, shifts: Vec<ShiftId>) -> Handled {
    let lang = ctx.lang;
    let text = t!(
        lang,
        "wish-pick-shifts",
        child = child_name(opts, child),
        week = render::date(lang, opts.round.week_start),
        picked = words::picked(lang, &briefs(opts, &shifts))
    );
    let mut reply = Reply::text(text);
    if shifts.len() < MAX_WISH {
        let left: Vec<(String, Callback)> = opts
            .shifts
            .iter()
            .filter(|s| !shifts.contains(&s.id))
            .map(|s| (words::shift_button(lang, &ShiftBrief::from(s)), Callback::WishShift(s.id)))
            .collect();
        for row in left.chunks(2) {
            reply = reply.with_row(row.to_vec());
        }
    }
    let mut last = vec![];
    if !shifts.is_empty() {
        last.push((ctx.l("btn-wish-undo"), Callback::WishUndo));
        last.push((ctx.l("btn-wish-done"), Callback::WishDone));
    }
    last.push((ctx.l("btn-wish-cancel"), Callback::WishCancel));
    reply = reply.with_row(last);
    Handled { reply, state: Some(State::Wish { round, child: Some(child), shifts, max: None }), ..Handled::default() }
}

fn stale(ctx: &Ctx) -> Handled {
    Handled { reply: Reply::text(ctx.l("stale-button")), error: true, ..Handled::default() }
}

fn press(ctx: &Ctx, cb: Callback, state: State) -> Handled {
    if cb == Callback::WishCancel {
        return Handled { reply: Reply::text(ctx.l("wish-cancelled")), state: Some(State::Idle), ..Handled::default() };
    }
    if let Callback::WishRound(r) = cb {
        return wish_in(ctx, r);
    }
    let State::Wish { round, child, mut shifts, max } = state else { return stale(ctx) };
    let opts = match ctx.svc.wish_options(ctx.user, round) {
        Ok(o) => o,
        Err(e) => return ctx.err(&e),
    };
    match (cb, child) {
        (Callback::WishChild(c), _) if opts.children.iter().any(|x| x.id == c) => {
            pick_shifts(ctx, &opts, round, c, vec![])
        }
        (Callback::WishShift(s), Some(c)) => {
            if !shifts.contains(&s) && shifts.len() < MAX_WISH && opts.shifts.iter().any(|x| x.id == s) {
                shifts.push(s);
            }
            pick_shifts(ctx, &opts, round, c, shifts)
        }
        (Callback::WishUndo, Some(c)) => {
            shifts.pop();
            pick_shifts(ctx, &opts, round, c, shifts)
        }
        (Callback::WishDone, Some(c)) if !shifts.is_empty() => {
            let text = t!(ctx.lang, "wish-pick-max", count = shifts.len(), child = child_name(&opts, c));
            let numbers: Vec<(String, Callback)> =
                (1..=shifts.len() as u32).map(|n| (n.to_string(), Callback::WishMax(n))).collect();
            let mut reply = Reply::text(text);
            for row in numbers.chunks(5) {
                reply = reply.with_row(row.to_vec());
            }
            reply = reply.with_button(ctx.l("btn-wish-cancel"), Callback::WishCancel);
            Handled { reply, state: Some(State::Wish { round, child, shifts, max: None }), ..Handled::default() }
        }
        (Callback::WishMax(n), Some(c)) if n >= 1 && n as usize <= shifts.len() => {
            let text = t!(
                ctx.lang,
                "wish-confirm",
                child = child_name(&opts, c),
                max = n,
                picked = words::picked(ctx.lang, &briefs(&opts, &shifts))
            );
            let h = ctx.ask(text, ("btn-wish-send", Callback::WishSend), ("btn-wish-cancel", Callback::WishCancel));
            Handled { state: Some(State::Wish { round, child, shifts, max: Some(n) }), ..h }
        }
        (Callback::WishSend, Some(c)) => {
            let Some(n) = max else { return stale(ctx) };
            match ctx.svc.submit_wish(&ctx.caller(), round, c, &shifts, n) {
                Ok(o) => {
                    let text = t!(
                        ctx.lang,
                        "wish-saved",
                        child = child_name(&opts, c),
                        count = o.value.shifts.len(),
                        max = o.value.max,
                        deadline = words::deadline(ctx.tz(), opts.round.deadline)
                    );
                    Handled { reply: Reply::text(text), state: Some(State::Idle), ..Handled::default() }
                }
                Err(e) => ctx.err(&e),
            }
        }
        _ => stale(ctx),
    }
}
