//! Bad input, fuzzed (proptest): every parser of user text (commands and their
//! arguments, ids, dates, times and spans, weekdays, amounts, settings, button data)
//! never panics, refuses garbage with its usage line (which shows an example that
//! works), and reads back what it writes; and whole messages and button presses fed to
//! the handler trees (the in-process dispatcher route: `handlers::message` and
//! `handlers::callback`, what `bot::run` calls for each update, without HTTP) from
//! strangers, pending members, parents and coordinators, in every dialogue state, never
//! panic, and a refused or unexpected input changes nothing in the store.
//!
//! The number of cases is `PROPTEST_CASES` (default: 256 per parser, 64 per caller and
//! state for whole inputs); each test prints how many it tried. The in-process route
//! was chosen over the real binary: a case costs microseconds instead of a round trip
//! through HTTP, the limiter's one reply a second per chat, and a process.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{NaiveDate, NaiveTime};
use huzhu::bot::callback::Callback;
use huzhu::bot::command::{self, Command, ParseError};
use huzhu::bot::dialogue::State;
use huzhu::bot::handlers::{self, Ctx, Input};
use huzhu::bot::render;
use huzhu::domain::*;
use huzhu::i18n::Lang;
use huzhu::policy::{read_hhmm, write_hhmm, Policy};
use huzhu::testing::{Fixture, COORD};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

const BOT: &str = "huzhu_bot";

/// Every command name `command::parse` knows (and its aliases).
const NAMES: &[&str] = &[
    "start",
    "join",
    "help",
    "lang",
    "language",
    "menu",
    "child",
    "children",
    "family",
    "schedule",
    "book",
    "volunteer",
    "balance",
    "my",
    "cancel",
    "swap",
    "newshift",
    "template",
    "templates",
    "cancelshift",
    "cancelday",
    "moveshift",
    "broadcast",
    "settings",
    "setting",
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
    "leave",
    "remove",
    "mydata",
    "forget",
    "newcenter",
    "newcentre",
    "coordinator",
    "calendar",
    "ics",
    "report",
    "audit",
    "round",
    "wish",
];

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn runner(default: u32) -> TestRunner {
    TestRunner::new(Config { cases: cases(default), failure_persistence: None, ..Config::default() })
}

/// Odd text: control characters, bidi and zero-width marks, full-width digits and
/// colons, emoji, CJK, combining marks, surrogate-range-adjacent characters.
fn odd_char() -> impl Strategy<Value = char> {
    prop::sample::select(vec![
        '\u{0}',
        '\u{7}',
        '\n',
        '\t',
        '\r',
        '\u{200b}',
        '\u{200e}',
        '\u{202e}',
        '\u{2066}',
        '\u{feff}',
        '０',
        '９',
        '：',
        '－',
        '～',
        '–',
        '/',
        '@',
        '#',
        ':',
        '-',
        '.',
        '周',
        '日',
        '开',
        '关',
        '😀',
        '👨',
        '\u{301}',
        '\u{fffd}',
        '\u{10ffff}',
        'ß',
        'İ',
        ' ',
        '\u{3000}',
    ])
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| format!("#{n}")),
        (0u32..40).prop_map(|n| n.to_string()),
        "-?[0-9]{1,25}",
        "[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,3}",
        "[0-9]{1,2}[:：][0-9]{1,3}(-[0-9]{1,2}:[0-9]{1,3})?",
        prop::sample::select(vec![
            "on",
            "off",
            "开",
            "否",
            "mon",
            "wed",
            "周三",
            "星期日",
            "add",
            "gen",
            "note",
            "new",
            "family",
            "leave",
            "newcode",
            "remind",
            "cover",
            "ages",
            "quiet",
            "digest",
            "guardians",
            "earn",
            "cost",
            "all",
            "parents",
            "volunteers",
            "v3",
            "en",
            "zh",
            "-",
            "2026-02-29",
            "2026-02-30",
            "0000-01-01",
            "9999-12-31",
            "24:00",
            "23:59",
            "00:00-00:00",
        ])
        .prop_map(str::to_string),
        prop::collection::vec(odd_char(), 1..12).prop_map(|c| c.into_iter().collect()),
        "\\PC{1,20}",
        (1usize..6000).prop_map(|n| "x".repeat(n)),
    ]
}

/// Text that looks like a command: a known name (or not), maybe @a bot, arguments.
fn command_text() -> impl Strategy<Value = String> {
    let name = prop_oneof![4 => prop::sample::select(NAMES.to_vec()).prop_map(str::to_string), 1 => "[a-zA-Z_]{1,40}"];
    let at = prop::sample::select(vec!["", "@huzhu_bot", "@HUZHU_BOT", "@other_bot", "@"]);
    let case = any::<bool>();
    (name, at, case, prop::collection::vec(word(), 0..6), prop::sample::select(vec![" ", "  ", "\n", "\t"])).prop_map(
        |(n, at, upper, args, sep)| {
            let n = if upper { n.to_uppercase() } else { n };
            let mut s = format!("/{n}{at}");
            for a in args {
                s.push_str(sep);
                s.push_str(&a);
            }
            s
        },
    )
}

/// Any text a person might send.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![3 => command_text(), 1 => word(), 1 => any::<String>(), 1 => "\\PC{0,300}"]
}

fn check_usage(c: &str) -> Result<(), TestCaseError> {
    let en = render::usage(Lang::En, c);
    let zh = render::usage(Lang::Zh, c);
    prop_assert!(en.contains("Usage: /"), "usage line of {c}: {en}");
    prop_assert!(zh.contains('/') && !zh.contains("usage-"), "zh usage line of {c}: {zh}");
    Ok(())
}

#[test]
fn command_parsing_never_panics_and_refuses_with_a_usage_line() {
    let tried = AtomicU64::new(0);
    runner(1024)
        .run(&any_text(), |text| {
            tried.fetch_add(1, Ordering::Relaxed);
            match command::parse(&text, BOT) {
                Ok(cmd) => {
                    // What was read is what was typed: ids positive, dates real.
                    if let Some((usage, dates)) = cmd.typed_dates() {
                        prop_assert!(!dates.is_empty());
                        check_usage(usage)?;
                    }
                    if let Command::Settings(Some(change)) = &cmd {
                        let mut p = Policy::default();
                        let before = p.clone();
                        if p.apply(change).is_err() {
                            prop_assert_eq!(p, before, "a refused setting changes nothing");
                        }
                    }
                }
                Err(ParseError::Usage(c)) => check_usage(c)?,
                Err(ParseError::Unknown(c)) => prop_assert!(c.chars().count() <= 32),
                Err(ParseError::NotCommand) => prop_assert!(!text.trim().starts_with('/') || text.contains('@')),
            }
            // The handler trees sort every input; none is lost.
            let _ = Input::of(Some(&text), BOT);
            Ok(())
        })
        .unwrap();
    eprintln!("command parsing: {} cases", tried.load(Ordering::Relaxed));
}

#[test]
fn argument_parsers_never_panic_and_read_back_what_they_write() {
    let tried = AtomicU64::new(0);
    let dates = (-200_000i32..200_000).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n + 730_000).unwrap());
    let times = || (0u32..24, 0u32..60).prop_map(|(h, m)| NaiveTime::from_hms_opt(h, m, 0).unwrap());
    runner(1024)
        .run(&(word(), dates, times(), times()), |(w, d, a, b)| {
            tried.fetch_add(1, Ordering::Relaxed);
            let _ = (command::id(&w), command::date(&w), command::span_of(&w), command::weekday(&w), read_hhmm(&w));
            if let Some(n) = command::id(&w) {
                prop_assert!(n > 0, "ids start at 1");
            }
            if (0..=9999).contains(&d.year_ce().1) {
                prop_assert_eq!(command::date(&d.format("%Y-%m-%d").to_string()), Some(d));
            }
            prop_assert_eq!(read_hhmm(&write_hhmm(a)), Some(a));
            prop_assert_eq!(command::span_of(&format!("{}-{}", write_hhmm(a), write_hhmm(b))), Some((a, b)));
            Ok(())
        })
        .unwrap();
    eprintln!("argument parsers: {} cases", tried.load(Ordering::Relaxed));
}

use chrono::Datelike;

fn callback_data() -> impl Strategy<Value = String> {
    let tag = prop::sample::select(vec![
        "m", "l", "bd", "bs", "ba", "bk", "va", "vk", "ca", "ck", "da", "dk", "so", "st", "ap", "rj", "mc", "mv", "se",
        "at", "cc", "tc", "bb", "bx", "cd", "cn", "x", "gy", "gn", "lv", "lf", "fg", "wr", "wc", "ws", "wu", "wd",
        "wm", "wk", "wx", "zz", "",
    ]);
    let part = prop_oneof![word(), Just(String::new()), (0u64..20).prop_map(|n| n.to_string())];
    prop_oneof![
        3 => (tag, prop::collection::vec(part, 0..4)).prop_map(|(t, p)| {
            let mut s = t.to_string();
            for x in p {
                s.push(':');
                s.push_str(&x);
            }
            s
        }),
        1 => any::<String>(),
        1 => "[ -~]{0,64}",
    ]
}

#[test]
fn button_data_never_panics_and_round_trips() {
    let tried = AtomicU64::new(0);
    runner(1024)
        .run(&callback_data(), |data| {
            tried.fetch_add(1, Ordering::Relaxed);
            if let Some(cb) = Callback::decode(&data) {
                let again = cb.encode();
                prop_assert!(again.len() <= 64, "{again}");
                prop_assert_eq!(Callback::decode(&again), Some(cb));
            }
            Ok(())
        })
        .unwrap();
    eprintln!("button data: {} cases", tried.load(Ordering::Relaxed));
}

// ----- whole inputs through the handler trees -----

/// A centre with a coordinator, a family with a child and a booking, a pending member.
struct World {
    f: Fixture,
    parent: UserId,
    pending: UserId,
}

const STRANGER: UserId = UserId(777);

fn world() -> World {
    let f = Fixture::new();
    let parent = f.family(10, "P");
    let child = f.child(parent, "Mei", "2025-06-01");
    let shift = f.shift("2026-12-03", "09:00", "12:00", 12);
    f.svc.book(&huzhu::service::Caller::new(parent), shift, child).expect("a booking");
    let pending = UserId(40);
    let code = f.centre.invite_code.clone();
    f.svc.join(&huzhu::service::Caller::new(pending), &code, "Pending").expect("join");
    // An open round (RoundId(1)) with a shift in its week, so wish drafts and their
    // buttons reach a real round.
    f.shift("2026-12-08", "09:00", "12:00", 12);
    let deadline = NaiveDate::from_ymd_opt(2026, 12, 4).and_then(|d| d.and_hms_opt(20, 0, 0)).expect("a deadline");
    let week = NaiveDate::from_ymd_opt(2026, 12, 7).expect("a Monday");
    let round = f.svc.open_round(&f.coord(), week, deadline).expect("a round").value;
    assert_eq!(round.id, RoundId(1));
    World { f, parent, pending }
}

fn ctx(w: &World, user: UserId) -> Ctx {
    Ctx::direct(w.f.svc.clone(), user)
}

type Snapshot = Vec<Vec<(Vec<u8>, Vec<u8>)>>;

/// What changed between two snapshots, other than the one record a refused input is
/// meant to leave: a wrong invite code counts towards its sender's back-off
/// (`codefail/` in `Meta`, against guessing codes).
fn changed(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    let meta = huzhu::store::T::Meta as usize;
    let mut out = Vec::new();
    for (i, (a, b)) in before.iter().zip(after).enumerate() {
        let keys: std::collections::BTreeSet<&Vec<u8>> = a.iter().chain(b.iter()).map(|(k, _)| k).collect();
        for k in keys {
            let (x, y) = (a.iter().find(|(ka, _)| ka == k), b.iter().find(|(kb, _)| kb == k));
            if x != y && !(i == meta && k.starts_with(b"codefail/")) {
                out.push(format!("{:?} {}", huzhu::store::T::ALL[i], String::from_utf8_lossy(k)));
            }
        }
    }
    out
}

/// Garbage for the input (not a command that may legitimately change things).
fn is_garbage(input: &Input) -> bool {
    !matches!(input, Input::Command(_))
}

#[test]
fn whole_inputs_never_panic_and_garbage_changes_nothing() {
    let w = world();
    let callers = [STRANGER, w.pending, w.parent, COORD];
    let states = [
        State::Idle,
        State::ChildName,
        State::ChildBirth { name: "Mei".into() },
        State::CancelShiftReason { shift: ShiftId(1) },
        State::ChildNotes { child: ChildId(1) },
        State::Wish { round: RoundId(1), child: None, shifts: vec![], max: None },
        State::Wish { round: RoundId(1), child: Some(ChildId(1)), shifts: vec![ShiftId(1)], max: None },
    ];
    let tried = AtomicU64::new(0);
    let inputs = prop_oneof![
        4 => any_text().prop_map(Some),
        1 => Just(None), // a sticker, a photo without caption, a location
    ];
    for user in callers {
        for state in &states {
            let snapshot = || w.f.svc.store().snapshot();
            runner(64)
                .run(&inputs, |text| {
                    tried.fetch_add(1, Ordering::Relaxed);
                    let input = Input::of(text.as_deref(), BOT);
                    let before = snapshot();
                    let h = handlers::message(&ctx(&w, user), state, text.as_deref());
                    prop_assert!(!h.reply.text.is_empty(), "every input gets an answer");
                    // A typed answer in a flow may be taken (a child's name); anything
                    // else that is not a command must leave the store as it was.
                    let answer_in_flow = *state != State::Idle && matches!(input, Input::Text(_));
                    if (is_garbage(&input) && !answer_in_flow) || h.error {
                        let changed = changed(&before, &snapshot());
                        prop_assert!(changed.is_empty(), "{text:?} from {user:?} in {state:?} changed {changed:?}");
                    }
                    Ok(())
                })
                .unwrap();
        }
    }
    eprintln!("whole messages: {} cases", tried.load(Ordering::Relaxed));
}

#[test]
fn button_presses_never_panic_and_refusals_change_nothing() {
    let w = world();
    let tried = AtomicU64::new(0);
    // Buttons outside a flow, and inside a wish's draft (its buttons carry on the draft).
    let states = [State::Idle, State::Wish { round: RoundId(1), child: Some(ChildId(1)), shifts: vec![], max: None }];
    for user in [STRANGER, w.pending, w.parent, COORD] {
        for state in &states {
            runner(64)
                .run(&callback_data(), |data| {
                    tried.fetch_add(1, Ordering::Relaxed);
                    let Some(cb) = Callback::decode(&data) else { return Ok(()) };
                    let before = w.f.svc.store().snapshot();
                    let h = handlers::callback(&ctx(&w, user), state, cb);
                    if h.error {
                        let changed = changed(&before, &w.f.svc.store().snapshot());
                        prop_assert!(
                            changed.is_empty(),
                            "{data:?} from {user:?} in {state:?} refused, yet changed {changed:?}"
                        );
                    }
                    Ok(())
                })
                .unwrap();
        }
    }
    eprintln!("button presses: {} cases", tried.load(Ordering::Relaxed));
}
