//! The authorisation matrix: every command × every role (stranger, pending member,
//! parent, parent of another family, staff, coordinator of another centre,
//! coordinator, super-admin), through the handler trees (`handlers::command`, what the
//! bot runs for a typed command). Each cell is allowed or refused; a refusal is a
//! refusal message and leaves the store exactly as it was.
//!
//! The table has one row per `Command` variant; `row_of` matches `Command`
//! exhaustively, so a new command does not compile until it has a row, and the test
//! fails if a row is missing or doubled.

use chrono::Weekday;
use huzhu::bot::command::{Command, RoundCmd};
use huzhu::bot::handlers::{self, Ctx};
use huzhu::domain::*;
use huzhu::service::{Caller, ReportScope, SettingChange};
use huzhu::testing::{date, time, Fixture, ADMIN, COORD};

/// The roles, in the table's column order. The other centre's coordinator is allowed
/// what acts on their own centre (`/newshift`, `/settings`, `/invite`, ...) and refused
/// everything that names this centre's records; a centre's coordinator may cancel a
/// family's booking or a volunteer's signup (as the service allows); anyone may see
/// `/mydata` (their own, possibly nothing) and be asked to confirm `/forget`.
const ROLES: [&str; 8] = ["stranger", "pending", "parent", "other family", "staff", "other coord", "coord", "admin"];

/// Centre 1 with its coordinator, a parent (child, booking, signup), a parent of
/// another family, a staff member and a pending member; centre 2 with its coordinator.
struct World {
    f: Fixture,
    parent: UserId,
    other: UserId,
    staff: UserId,
    pending: UserId,
    other_coord: UserId,
    child: ChildId,
    shift: ShiftId,
    free_shift: ShiftId,
    booking: BookingId,
    signup: SignupId,
    other_centre: CentreId,
}

const STRANGER: UserId = UserId(777);
const DAY: &str = "2026-12-03";
/// The week of the round the world has open (another week than `/round open`'s row).
const ROUND_WEEK: &str = "2026-12-14";

fn world() -> World {
    let f = Fixture::new();
    let coord = f.coord();
    let parent = f.family(10, "Parent");
    let other = f.family(20, "Other");
    let staff = f.family(30, "Staff");
    f.svc.set_staff(&coord, staff, true).expect("staff");
    let child = f.child(parent, "Mei", "2025-06-01");
    f.child(other, "Lei", "2025-06-01");
    f.child(staff, "Bo", "2025-06-01");
    let shift = f.shift(DAY, "09:00", "12:00", 12);
    let free_shift = f.shift("2026-12-04", "09:00", "12:00", 12);
    let booking = f.svc.book(&Caller::new(parent), shift, child).expect("book").value.booking.id;
    let signup = f.svc.volunteer(&Caller::new(parent), shift).expect("volunteer").value.id;
    // A round taking wishes, with a shift in its week.
    f.shift("2026-12-15", "09:00", "12:00", 12);
    let deadline = date("2026-12-11").and_hms_opt(20, 0, 0).expect("a time");
    f.svc.open_round(&coord, date(ROUND_WEEK), deadline).expect("a round");
    let pending = UserId(40);
    f.svc.join(&Caller::new(pending), &f.centre.invite_code, "Pending").expect("join");
    let admin = Caller::new(ADMIN);
    let centre2 = f.svc.create_centre(&admin, "Other Centre", Some("Asia/Shanghai")).expect("centre").value;
    let other_coord = UserId(3);
    f.svc.appoint_coordinator(&admin, other_coord, centre2.id, "Other coordinator").expect("coordinator");
    World {
        f,
        parent,
        other,
        staff,
        pending,
        other_coord,
        child,
        shift,
        free_shift,
        booking,
        signup,
        other_centre: centre2.id,
    }
}

impl World {
    fn user(&self, role: usize) -> UserId {
        [STRANGER, self.pending, self.parent, self.other, self.staff, self.other_coord, COORD, ADMIN][role]
    }
}

/// The row a command belongs to: one per variant, matched exhaustively.
fn row_of(cmd: &Command) -> &'static str {
    use Command::*;
    match cmd {
        Start(_) => "start",
        Join(_) => "join",
        Help => "help",
        Lang(_) => "lang",
        Menu => "menu",
        Children => "children",
        ChildAdd(_) => "child add",
        ChildNote(_) => "child note",
        Family => "family",
        Schedule(_) => "schedule",
        Book(..) => "book",
        Volunteer(_) => "volunteer",
        Balance => "balance",
        My => "my",
        CancelBooking(_) => "cancel booking",
        DropSignup(_) => "cancel signup",
        Swap(_) => "swap",
        NewShift { .. } => "newshift",
        Templates => "templates",
        TemplateAdd { .. } => "template add",
        TemplateGenerate { .. } => "template gen",
        CancelShift(..) => "cancelshift",
        CancelDay(..) => "cancelday",
        MoveShift { .. } => "moveshift",
        Broadcast(..) => "broadcast",
        Settings(None) => "settings",
        Settings(Some(_)) => "settings change",
        Pending => "pending",
        Approve(_) => "approve",
        Reject(_) => "reject",
        Suspend(_) => "suspend",
        Unblock(_) => "unblock",
        Overdraft(..) => "overdraft",
        Staff(..) => "staff",
        Grant { .. } => "grant",
        Ledger(_) => "ledger",
        Roster(_) => "roster",
        Attendance(_) => "attendance",
        Settle(_) => "settle",
        Invite => "invite",
        NewCentre(_) => "newcenter",
        Coordinator(..) => "coordinator",
        FamilyNewCode => "family newcode",
        FamilyLeave => "family leave",
        InviteNew => "invite new",
        Leave => "leave",
        Remove(_) => "remove",
        RemoveFamily(_) => "remove family",
        MyData => "mydata",
        Forget => "forget",
        ScheduleImage(_) => "schedule png",
        Calendar => "calendar",
        BalanceExport => "balance export",
        Report(..) => "report",
        Audit(..) => "audit",
        Round(RoundCmd::Open(..)) => "round open",
        Round(RoundCmd::Status) => "round status",
        Round(RoundCmd::Preview(_)) => "round preview",
        Round(RoundCmd::Commit(_)) => "round commit",
        Wish(None) => "wish",
        Wish(Some(_)) => "wish week",
    }
}

/// One row: the command as typed against the world, and per role (in `ROLES` order)
/// `A` (allowed) or `R` (refused).
fn table(w: &World) -> Vec<(Command, &'static str)> {
    let d = |s: &str| date(s);
    let t = |s: &str| time(s);
    let (p, o) = (w.parent, w.other);
    vec![
        //                                                            str pen par oth stf oco cor adm
        (Command::Start(None), "AAAAAAAA"),
        (Command::Join(w.f.centre.invite_code.clone()), "ARRRRRRA"),
        (Command::Help, "AAAAAAAA"),
        (Command::Lang(Some("en".into())), "AAAAAAAA"),
        (Command::Menu, "AAAAAAAA"),
        (Command::Children, "RRAAARRR"),
        (Command::ChildAdd(Some(("Kai".into(), d("2025-05-01")))), "RRAAARRR"),
        (Command::ChildNote(Some((w.child, Some("naps at noon".into())))), "RRARRRRR"),
        (Command::Family, "RRAAARRR"),
        (Command::Schedule(Some(d(DAY))), "RRAAAAAR"),
        (Command::Book(Some(w.free_shift), None), "RRAAARRR"),
        (Command::Volunteer(Some(w.free_shift)), "RRAAARAR"),
        (Command::Balance, "RRAAARRR"),
        (Command::My, "RRAAAAAR"),
        (Command::CancelBooking(w.booking), "RRARRRAR"),
        (Command::DropSignup(w.signup), "RRARRRAR"),
        (Command::Swap(None), "RRAAAAAR"),
        (
            Command::NewShift { date: d("2026-12-10"), start: t("09:00"), end: t("12:00"), places: None, staff: None },
            "RRRRRAAR",
        ),
        (Command::Templates, "RRRRRAAR"),
        (Command::TemplateAdd { weekday: Weekday::Wed, start: t("09:00"), end: t("12:00"), places: None }, "RRRRRAAR"),
        (Command::TemplateGenerate { from: d("2026-12-07"), to: d("2026-12-13") }, "RRRRRAAR"),
        (Command::CancelShift(w.shift, Some("typhoon".into())), "RRRRRRAR"),
        (Command::CancelDay(d(DAY), "typhoon".into()), "RRRRRRAR"),
        (Command::MoveShift { shift: w.shift, date: d("2026-12-05"), start: t("10:00"), end: t("13:00") }, "RRRRRRAR"),
        (Command::Broadcast(Audience::All, "Hello".into()), "RRRRRRAR"),
        (Command::Settings(None), "RRRRRAAR"),
        (Command::Settings(Some(SettingChange::CoverBatch(5))), "RRRRRAAR"),
        (Command::Pending, "RRRRRAAR"),
        (Command::Approve(w.pending), "RRRRRRAR"),
        (Command::Reject(w.pending), "RRRRRRAR"),
        (Command::Suspend(o), "RRRRRRAR"),
        (Command::Unblock(p), "RRRRRRAR"),
        (Command::Overdraft(p, 60), "RRRRRRAR"),
        (Command::Staff(p, true), "RRRRRRAR"),
        (Command::Grant { user: p, minutes: 60, memo: "thanks".into() }, "RRRRRRAR"),
        (Command::Ledger(p), "RRRRRRAR"),
        (Command::Roster(w.shift), "RRARARAR"),
        (Command::Attendance(w.shift), "RRRRARAR"),
        (Command::Settle(w.shift), "RRRRRRRR"),
        (Command::Invite, "RRRRRAAR"),
        (Command::NewCentre("Third Centre".into()), "RRRRRRRA"),
        (Command::Coordinator(UserId(555), w.other_centre), "RRRRRRRA"),
        (Command::FamilyNewCode, "RRAAARRR"),
        (Command::FamilyLeave, "RRAAARRR"),
        (Command::InviteNew, "RRRRRAAR"),
        (Command::Leave, "RAAAAAAR"),
        (Command::Remove(o), "RRRRRRAR"),
        (Command::RemoveFamily(o), "RRRRRRAR"),
        (Command::MyData, "AAAAAAAA"),
        (Command::Forget, "AAAAAAAA"),
        (Command::ScheduleImage(Some(d(DAY))), "RRAAAAAR"),
        (Command::Calendar, "RRAAAAAR"),
        (Command::BalanceExport, "RRAAARRR"),
        (Command::Report(None, ReportScope::Mine), "RRRRRAAA"),
        (Command::Audit(20, None), "RRRRRAAR"),
        (
            Command::Round(RoundCmd::Open(d("2026-12-07"), d("2026-12-04").and_hms_opt(20, 0, 0).expect("a time"))),
            "RRRRRAAR",
        ),
        (Command::Round(RoundCmd::Status), "RRRRRAAR"),
        (Command::Round(RoundCmd::Preview(Some(d(ROUND_WEEK)))), "RRRRRRAR"),
        (Command::Round(RoundCmd::Commit(Some(d(ROUND_WEEK)))), "RRRRRRAR"),
        (Command::Wish(None), "RRAAARRR"),
        (Command::Wish(Some(d(ROUND_WEEK))), "RRAAARRR"),
    ]
}

fn ctx(w: &World, user: UserId) -> Ctx {
    Ctx::direct(w.f.svc.clone(), user)
}

#[test]
fn every_command_for_every_role() {
    let started = std::time::Instant::now();
    let shape = world();
    let rows = table(&shape);
    // Every command has exactly one row.
    let mut names: Vec<&str> = rows.iter().map(|(c, _)| row_of(c)).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(names.len(), before, "a command has two rows");
    let every = [
        "start",
        "join",
        "help",
        "lang",
        "menu",
        "children",
        "child add",
        "child note",
        "family",
        "schedule",
        "book",
        "volunteer",
        "balance",
        "my",
        "cancel booking",
        "cancel signup",
        "swap",
        "newshift",
        "templates",
        "template add",
        "template gen",
        "cancelshift",
        "cancelday",
        "moveshift",
        "broadcast",
        "settings",
        "settings change",
        "pending",
        "approve",
        "reject",
        "suspend",
        "unblock",
        "overdraft",
        "staff",
        "grant",
        "ledger",
        "roster",
        "attendance",
        "settle",
        "invite",
        "newcenter",
        "coordinator",
        "family newcode",
        "family leave",
        "invite new",
        "leave",
        "remove",
        "remove family",
        "mydata",
        "forget",
        "schedule png",
        "calendar",
        "balance export",
        "report",
        "audit",
        "round open",
        "round status",
        "round preview",
        "round commit",
        "wish",
        "wish week",
    ];
    for name in every {
        assert!(names.contains(&name), "the command row {name:?} is missing from the table");
    }
    assert_eq!(names.len(), every.len(), "rows: {names:?}");

    let mut wrong = Vec::new();
    let mut cells = 0;
    for (i, (_, expected)) in rows.iter().enumerate() {
        for (role, want) in expected.chars().enumerate() {
            // A fresh world per cell: an allowed command changes it.
            let w = world();
            let cmd = table(&w).swap_remove(i).0;
            let before = w.f.svc.store().snapshot();
            let h = handlers::command(&ctx(&w, w.user(role)), cmd.clone());
            cells += 1;
            let refused = h.error;
            if refused {
                assert!(!h.reply.text.is_empty(), "{} as {}: a refusal says why", row_of(&cmd), ROLES[role]);
                assert!(
                    before == w.f.svc.store().snapshot(),
                    "{} as {}: refused, yet changed",
                    row_of(&cmd),
                    ROLES[role]
                );
            }
            let got = if refused { 'R' } else { 'A' };
            if got != want {
                wrong.push(format!(
                    "{:>16} as {:<12} expected {want}, got {got}: {}",
                    row_of(&cmd),
                    ROLES[role],
                    h.reply.text
                ));
            }
        }
    }
    eprintln!(
        "authorisation matrix: {} commands x {} roles = {cells} cells in {:.1} s",
        rows.len(),
        ROLES.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(wrong.is_empty(), "{} cells differ:\n{}", wrong.len(), wrong.join("\n"));
}

/// Every command an allowed role may give, handled twice with the same request key (the
/// update handled again after a stop, before its done mark): the second answer is the
/// first one again, word for word and button for button, and the store is as the first
/// left it. A use case that reads outside its change what the change itself alters
/// (a draft it deletes, a record it moves) fails here.
#[test]
fn every_allowed_command_handled_again_answers_the_same_and_changes_nothing() {
    let shape = world();
    let rows = table(&shape);
    let mut wrong = Vec::new();
    let mut cells = 0;
    for (i, (_, expected)) in rows.iter().enumerate() {
        for (role, allowed) in expected.chars().enumerate() {
            if allowed != 'A' {
                continue;
            }
            let w = world();
            let cmd = table(&w).swap_remove(i).0;
            let mut c = ctx(&w, w.user(role));
            c.request = Some(format!("update-{i}-{role}"));
            let first = handlers::command(&c, cmd.clone());
            let after = w.f.svc.store().snapshot();
            let again = handlers::command(&c, cmd.clone());
            cells += 1;
            let what = format!("{:>16} as {:<12}", row_of(&cmd), ROLES[role]);
            if (&again.reply.text, &again.reply.buttons, again.error)
                != (&first.reply.text, &first.reply.buttons, first.error)
            {
                wrong.push(format!("{what} answered {:?} then {:?}", first.reply.text, again.reply.text));
            }
            if after != w.f.svc.store().snapshot() {
                wrong.push(format!("{what} changed the store again"));
            }
        }
    }
    eprintln!("replays: {cells} allowed cells handled twice");
    assert!(wrong.is_empty(), "{} replays differ:\n{}", wrong.len(), wrong.join("\n"));
}

/// Every button that changes something, pressed by the one it is for and handled twice
/// with the same request key (the press handled again after a stop): the second answer
/// is the first again and the store is as the first left it.
#[test]
fn every_changing_button_handled_again_answers_the_same_and_changes_nothing() {
    use huzhu::bot::callback::Callback as B;
    use huzhu::bot::dialogue::State;
    type Setup = fn(&World) -> (UserId, B);
    let presses: Vec<(&str, Setup)> = vec![
        ("book", |w| (w.parent, B::BookDo(w.free_shift, w.child))),
        ("volunteer", |w| (w.parent, B::VolunteerDo(w.free_shift))),
        ("cancel booking", |w| (w.parent, B::CancelDo(w.booking))),
        ("drop signup", |w| (w.parent, B::DropDo(w.signup))),
        ("offer swap", |w| (w.parent, B::OfferSwap(w.signup))),
        ("take swap", |w| {
            w.f.svc.offer_swap(&Caller::new(w.parent), w.signup).expect("offered");
            (w.other, B::TakeSwap(w.signup))
        }),
        ("take cover", |w| {
            // No staff: the shift lacks a caregiver.
            let bare =
                w.f.svc.create_shift(&w.f.coord(), date("2026-12-05"), time("09:00"), time("12:00"), Some(12), Some(0));
            (w.other, B::TakeCover(bare.expect("a shift").value.id))
        }),
        ("attend", |w| (w.parent, B::Attend(w.signup))),
        ("can't come", |w| (w.parent, B::CantCome(w.signup))),
        ("approve", |w| (COORD, B::Approve(w.pending))),
        ("reject", |w| (COORD, B::Reject(w.pending))),
        ("mark child", |w| {
            w.f.clock.advance(chrono::Duration::days(2));
            (COORD, B::MarkChild(w.shift, w.booking, false))
        }),
        ("mark volunteer", |w| {
            w.f.clock.advance(chrono::Duration::days(2));
            (COORD, B::MarkVolunteer(w.shift, w.signup, false))
        }),
        ("settle", |w| {
            w.f.clock.advance(chrono::Duration::days(2) + chrono::Duration::hours(4));
            (COORD, B::Settle(w.shift))
        }),
        ("broadcast send", |w| {
            let draft = w.f.svc.draft_broadcast(&w.f.coord(), Audience::All, "Hello").expect("a draft").value;
            (COORD, B::BroadcastSend(draft.id))
        }),
        ("broadcast cancel", |w| {
            let draft = w.f.svc.draft_broadcast(&w.f.coord(), Audience::All, "Hello").expect("a draft").value;
            (COORD, B::BroadcastCancel(draft.id))
        }),
        ("cancel day", |w| {
            let (draft, _) = w.f.svc.draft_cancel_day(&w.f.coord(), date(DAY), "typhoon").expect("a draft").value;
            (COORD, B::CancelDayDo(draft))
        }),
        ("guardian ok", |w| {
            let code = w.f.svc.family(w.f.svc.member(w.parent).unwrap().unwrap().family.unwrap()).unwrap().unwrap();
            w.f.svc.join(&Caller::new(UserId(60)), &code.invite_code, "Grandma").expect("asked");
            (w.parent, B::GuardianOk(UserId(60)))
        }),
        ("guardian no", |w| {
            let code = w.f.svc.family(w.f.svc.member(w.parent).unwrap().unwrap().family.unwrap()).unwrap().unwrap();
            w.f.svc.join(&Caller::new(UserId(60)), &code.invite_code, "Grandma").expect("asked");
            (w.parent, B::GuardianNo(UserId(60)))
        }),
        ("leave", |w| (w.other, B::LeaveDo)),
        ("leave family", |w| (w.other, B::LeaveFamilyDo)),
        ("language", |w| (w.parent, B::SetLang(false))),
    ];
    let mut wrong = Vec::new();
    for (i, (name, setup)) in presses.iter().enumerate() {
        let w = world();
        let (user, press) = setup(&w);
        let mut c = ctx(&w, user);
        c.request = Some(format!("press-{i}"));
        let first = handlers::callback(&c, &State::Idle, press);
        if first.error {
            wrong.push(format!("{name:>16}: refused the first time: {}", first.reply.text));
            continue;
        }
        let after = w.f.svc.store().snapshot();
        let again = handlers::callback(&c, &State::Idle, press);
        if (&again.reply.text, &again.reply.buttons, again.error)
            != (&first.reply.text, &first.reply.buttons, first.error)
        {
            wrong.push(format!("{name:>16}: answered {:?} then {:?}", first.reply.text, again.reply.text));
        }
        if after != w.f.svc.store().snapshot() {
            wrong.push(format!("{name:>16}: changed the store again"));
        }
    }
    eprintln!("replays: {} buttons pressed and handled again", presses.len());
    assert!(wrong.is_empty(), "{} replays differ:\n{}", wrong.len(), wrong.join("\n"));
}
