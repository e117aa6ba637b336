//! End-to-end stories: the real `huzhu` binary, started as a child process, talks to the
//! Bot API stand-in run by the test. Every story bootstraps its centre through the bot
//! (the administrator's `/newcenter` and `/coordinator`), on a fresh database, and plays
//! the people's side with typed messages and button presses.
//!
//! Shifts are dated from the real clock (the bot runs on it), in the centre's timezone
//! (Asia/Shanghai): tomorrow and the days after.

mod common;

use common::*;
use tg_standin::TestUser;

// --------------------------------------------------------------- stories ----

/// Join by deep link and Approve button; children added both ways; the fourth infant is
/// waitlisted and promoted when a volunteer signs up; the guided booking with buttons.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn family_joins_books_is_waitlisted_and_promoted() {
    let h = Harness::start().await;
    let coord = en(2001, "Wang");
    let alice = en(1101, "Alice");
    let bob = en(1102, "Bob");
    let carol = en(1103, "Carol");
    let dave = en(1104, "Dave");
    let vera = en(1105, "Vera");
    h.register(&[&alice, &bob, &carol, &dave, &vera]);
    let (_, code) = h.bootstrap(&coord, "Liuhe Centre").await;

    // The coordinator's own command menu, with the coordinator commands.
    h.wait_until("the coordinator's command menu", || {
        h.standin.commands().iter().any(|(scope, _, cmds)| {
            scope["chat_id"].as_i64() == Some(coord.id) && cmds.iter().any(|(c, _)| c == "newshift")
        })
    })
    .await;

    // Alice opens the invite link: /start CODE.
    let before = h.seq();
    let r = h.say(&alice, &format!("/start {code}")).await;
    assert_eq!(
        r.text,
        "Your request to join \"Liuhe Centre\" has been sent. You'll be told when a coordinator approves it."
    );
    let request = h.expect(&coord, before, "New join request: Alice").await;
    assert_has(&request, &format!("(user {})", alice.id));
    assert_eq!(labels(&request), ["✅ Approve", "❌ Reject"]);
    let before = h.seq();
    let r = h.press(&coord, "✅ Approve").await;
    assert_eq!(r.message_id, request.message_id, "the request is edited in place");
    assert_eq!(r.text, format!("Approved Alice (user {}).", alice.id));
    let note = h.expect(&alice, before, "You have been approved").await;
    assert_has(&note, "\"Liuhe Centre\"");

    // A child by the guided flow, another in one line.
    let r = h.say(&alice, "/child add").await;
    assert_eq!(r.text, "What is your child's name?");
    let r = h.say(&alice, "Mia").await;
    assert!(r.text.starts_with("When was Mia born?"), "{:?}", r.text);
    // A typo, then a date the centre refuses: each time she is asked again.
    let r = h.say(&alice, "2025-02-30").await;
    assert!(r.text.starts_with("The date should look like YYYY-MM-DD"), "{:?}", r.text);
    let r = h.say(&alice, &day(1).to_string()).await;
    assert!(r.text.starts_with("The birth date cannot be in the future."), "{:?}", r.text);
    assert!(r.text.ends_with("Please try again:"), "{:?}", r.text);
    let r = h.say(&alice, &born_months_ago(9).to_string()).await;
    assert!(r.text.starts_with("Added Mia (id "), "{:?}", r.text);
    let mia = number_after(&r.text, "(id ");
    let noah = h.add_child(&alice, "Noah", born_months_ago(18)).await;
    let r = h.say(&alice, "/child").await;
    assert_has(&r, &format!("#{mia} Mia, born {} (9 months)", born_months_ago(9)));
    assert_has(&r, &format!("#{noah} Noah, born {} (18 months)", born_months_ago(18)));

    // Three more families, each with an infant, and a volunteer.
    for p in [&bob, &carol, &dave, &vera] {
        h.join_approved(&coord, p, &code).await;
    }
    for (p, kid) in [(&bob, "Ben"), (&carol, "Cleo"), (&dave, "Dan")] {
        h.add_child(p, kid, born_months_ago(9)).await;
    }
    let morning = h.new_shift(&coord, day(1), "09:00-12:00", None).await;
    let afternoon = h.new_shift(&coord, day(2), "14:00-17:00", None).await;

    // One staff carries three infants: Ben, Cleo and Dan are confirmed.
    for (p, kid) in [(&bob, "Ben"), (&carol, "Cleo"), (&dave, "Dan")] {
        let r = h.say(p, &format!("/book {morning}")).await;
        assert!(r.text.starts_with("✅ Booked #"), "{:?}", r.text);
        assert_has(&r, &format!(": {kid}, #{morning} "));
        assert_has(&r, "3 h held; 3 h available.");
    }

    // Alice has two children, so she is asked which; Mia would be fourth: the waitlist.
    let r = h.say(&alice, &format!("/book {morning}")).await;
    assert_eq!(r.text, "Which child?");
    assert_eq!(labels(&r), ["Mia", "Noah"]);
    let r = h.press(&alice, "Mia").await;
    assert_has(&r, &format!("#{morning} "));
    assert_has(&r, "is full: Mia (infant (6-12 m)) would join the waitlist");
    let (msg, data) = h.find_button(&alice, "✅ Confirm");
    let before = h.seq();
    let query = h.standin.press_button(&alice, msg.message_id, &data);
    let r = h.next_to(&alice, before, "an answer to pressing Confirm").await;
    assert_has(&r, "is full: Mia is on the waitlist (position 1, booking #");
    assert_has(&r, "One more volunteer would let the waitlist in.");
    // The reply (the edit) reaches Telegram first, then the answer that stops the
    // button's spinner: it would only compete with the reply for the machine.
    let edit_at = h
        .standin
        .calls()
        .iter()
        .rposition(|c| c.method == "editmessagetext" && c.params["chat_id"].as_i64() == Some(alice.id));
    let answer_at = || {
        h.standin.calls().iter().position(|c| {
            c.method == "answercallbackquery" && c.params["callback_query_id"].as_str() == Some(query.as_str())
        })
    };
    h.wait_until("the press answered", || answer_at().is_some()).await;
    assert!(edit_at.is_some() && edit_at < answer_at(), "the edit ({edit_at:?}) before the answer ({:?})", answer_at());
    let waiting = number_after(&r.text, "booking #");
    let r = h.say(&alice, "/my").await;
    assert_has(&r, &format!("#{waiting} Mia · #{morning} "));
    assert_has(&r, "· waitlisted");

    // Vera volunteers: a second caregiver, and Mia gets her place.
    let before = h.seq();
    let r = h.say(&vera, &format!("/volunteer {morning}")).await;
    assert!(r.text.starts_with("🙌 Signed up v"), "{:?}", r.text);
    assert_has(&r, &format!(": #{morning} "));
    let good = h.expect(&alice, before, "Good news").await;
    assert_has(&good, &format!("Mia got a place at #{morning} "));
    assert_has(&good, &format!("(booking #{waiting})"));

    // The guided booking: day, shift, child, confirm.
    let r = h.say(&alice, "/book").await;
    assert_eq!(r.text, "Pick a day:");
    assert_eq!(labels(&r), [day_label(day(1)), day_label(day(2))]);
    let r = h.press(&alice, &day_label(day(2))).await;
    assert!(r.text.starts_with(&format!("Shifts on {} (pick one):", day_label(day(2)))), "{:?}", r.text);
    let r = h.press(&alice, &format!("#{afternoon} 14:00-17:00")).await;
    assert_eq!(r.text, "Which child?");
    let r = h.press(&alice, "Noah").await;
    assert_has(&r, &format!("Book #{afternoon} {} 14:00-17:00 for Noah (toddler (12-24 m))?", day_label(day(2))));
    assert_has(&r, "Cost 3 h; available 3 → 0 h.");
    let r = h.press(&alice, "✅ Confirm").await;
    assert!(r.text.starts_with("✅ Booked #"), "{:?}", r.text);
    assert_has(&r, &format!(": Noah, #{afternoon} "));
    assert_has(&r, "3 h held; 0 h available.");

    let r = h.say(&alice, "/my").await;
    assert_has(&r, &format!("#{waiting} Mia · #{morning} "));
    assert!(r.text.lines().filter(|l| l.ends_with("· confirmed")).count() == 2, "{:?}", r.text);
    assert!(h.balance(&alice).await.contains("available 0 h · held 6 h"));

    let r = h.say(&coord, &format!("/roster {morning}")).await;
    assert_has(&r, "Children (4):");
    assert_has(&r, "Volunteers (1):");
    assert!(!r.text.contains("Waitlist"), "{:?}", r.text);
}

/// A coordinator cancels a shift: every booked family is told and gets its credits back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_shift_returns_every_familys_credits() {
    let h = Harness::start().await;
    let coord = en(2002, "Wang");
    let pia = en(1201, "Pia");
    let quinn = en(1202, "Quinn");
    let (_, code) = h.bootstrap(&coord, "Harbour Centre").await;
    for p in [&pia, &quinn] {
        h.join_approved(&coord, p, &code).await;
    }
    h.add_child(&pia, "Pip", born_months_ago(9)).await;
    h.add_child(&quinn, "Quill", born_months_ago(20)).await;
    // One place: Pip is confirmed, Quill waitlisted.
    let shift = h.new_shift(&coord, day(2), "09:00-12:00", Some(1)).await;
    let r = h.say(&pia, &format!("/book {shift}")).await;
    assert!(r.text.starts_with("✅ Booked #"), "{:?}", r.text);
    let r = h.say(&quinn, &format!("/book {shift}")).await;
    assert_has(&r, "is on the waitlist (position 1");
    // The room is full: volunteers cannot help, and the answer does not say they could.
    assert_has(&r, "No volunteer can make room: a place opens only if a confirmed booking is cancelled.");
    for p in [&pia, &quinn] {
        assert!(h.balance(p).await.contains("available 3 h · held 3 h"));
    }

    let before = h.seq();
    let r = h.say(&coord, &format!("/cancelshift {shift} typhoon")).await;
    assert!(r.text.starts_with(&format!("Cancelled shift #{shift} ")), "{:?}", r.text);
    assert_has(&r, "every family and volunteer has been told");
    for p in [&pia, &quinn] {
        let note = h.expect(p, before, "cancelled").await;
        assert!(note.text.starts_with(&format!("⚠ Shift #{shift} ")), "{:?}", note.text);
        assert_has(&note, "is cancelled: typhoon. 3 h returned.");
    }
    for p in [&pia, &quinn] {
        let b = h.balance(p).await;
        assert!(b.contains("available 6 h · held 0 h"), "{b:?}");
        let r = h.say(p, "/my").await;
        assert_has(&r, "Nothing yet.");
    }
    let r = h.say(&pia, &format!("/book {shift}")).await;
    assert_eq!(r.text, "That shift is cancelled.");

    // Without a reason the coordinator is asked for one.
    let other = h.new_shift(&coord, day(3), "09:00-12:00", None).await;
    let r = h.say(&coord, &format!("/cancelshift {other}")).await;
    assert!(r.text.starts_with(&format!("Why is shift #{other} cancelled?")), "{:?}", r.text);
    let r = h.say(&coord, "storm warning").await;
    assert!(r.text.starts_with(&format!("Cancelled shift #{other} ")), "{:?}", r.text);
    let r = h.say(&coord, &format!("/cancelshift {other} again")).await;
    assert_eq!(r.text, "That shift is cancelled.");
}

/// Cancelling through the buttons works once; the same confirm pressed again only gets a
/// notice, and changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_confirm_button_changes_nothing() {
    let h = Harness::start().await;
    let coord = en(2003, "Wang");
    let pia = en(1301, "Pia");
    let (_, code) = h.bootstrap(&coord, "Riverside Centre").await;
    h.join_approved(&coord, &pia, &code).await;
    h.add_child(&pia, "Pip", born_months_ago(9)).await;
    // More than 24 h ahead: cancelling is free.
    let shift = h.new_shift(&coord, day(3), "09:00-12:00", None).await;
    let r = h.say(&pia, &format!("/book {shift}")).await;
    let booking = number_after(&r.text, "Booked #");
    assert!(h.balance(&pia).await.contains("available 3 h · held 3 h"));

    let r = h.say(&pia, "/my").await;
    assert_has(&r, &format!("#{booking} Pip · #{shift} "));
    let r = h.press(&pia, &format!("Cancel booking #{booking}")).await;
    assert!(r.text.starts_with(&format!("Cancel booking #{booking}?")), "{:?}", r.text);
    assert_eq!(labels(&r), ["Cancel booking", "Keep it"]);
    let (confirm, data) = h.find_button(&pia, "Cancel booking");
    let r = h.press(&pia, "Cancel booking").await;
    assert_eq!(r.message_id, confirm.message_id);
    assert_eq!(r.text, format!("Booking #{booking} cancelled; the held credits are all back."));
    let after_cancel = h.balance(&pia).await;
    assert!(after_cancel.contains("available 6 h · held 0 h"), "{after_cancel:?}");

    // The same confirm again (a double tap, or an old message scrolled back to).
    let seq = h.seq();
    let sent = h.standin.messages_to(pia.id).len();
    let toast = h.press_for_toast(&pia, confirm.message_id, &data).await;
    assert_eq!(toast.as_deref(), Some("That booking is already cancelled or over."));
    // A button the bot cannot read at all.
    let toast = h.press_for_toast(&pia, confirm.message_id, "zz:1").await;
    assert_eq!(toast.as_deref(), Some("That button is no longer valid. Open the menu again: /menu"));
    assert_eq!(h.seq(), seq, "nothing was sent or edited");
    assert_eq!(h.standin.messages_to(pia.id).len(), sent);
    assert_eq!(h.balance(&pia).await, after_cancel);
    let r = h.say(&pia, "/my").await;
    assert_has(&r, "Nothing yet.");
}

/// Strangers, parents and typos get a polite answer that says what to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_parents_and_typos_get_polite_answers() {
    let h = Harness::start().await;
    let coord = en(2004, "Wang");
    let sam = en(1401, "Sam");
    let pia = en(1402, "Pia");
    let pat = en(1403, "Pat");
    h.register(&[&sam, &pat]);
    let (_, code) = h.bootstrap(&coord, "Hillside Centre").await;
    h.join_approved(&coord, &pia, &code).await;
    let tomorrow = day(1);

    let not_member = "You are not a member yet. Ask your coordinator for an invite link, or send /join CODE.";
    for text in ["/book".to_string(), "/approve 123".into(), format!("/newshift {tomorrow} 09:00-12:00")] {
        let r = h.say(&sam, &text).await;
        assert_eq!(r.text, not_member, "answer to {text:?}");
    }
    let r = h.say(&sam, "/frobnicate").await;
    assert_eq!(r.text, "There is no /frobnicate command. Send /help to see what you can do.");
    let r = h.say(&sam, "hello?").await;
    assert!(r.text.starts_with("I didn't understand that."), "{:?}", r.text);
    let r = h.say(&sam, "/join NOPE99").await;
    assert!(r.text.starts_with("That invite code is not valid."), "{:?}", r.text);

    // Asked to join, not approved yet.
    let before = h.seq();
    let r = h.say(&pat, &format!("/join {code}")).await;
    assert_has(&r, "has been sent");
    h.expect(&coord, before, "New join request: Pat").await;
    let r = h.say(&pat, "/book").await;
    assert!(r.text.starts_with("Your request to join is waiting for a coordinator's approval"), "{:?}", r.text);

    // A parent is not a coordinator.
    let only = "Only coordinators can do that.";
    for text in
        [format!("/newshift {tomorrow} 09:00-12:00"), format!("/approve {}", pat.id), "/cancelshift 1 rain".into()]
    {
        let r = h.say(&pia, &text).await;
        assert!(r.text.starts_with(only), "answer to {text:?}: {:?}", r.text);
    }
    let r = h.say(&pia, "/pending").await;
    assert!(r.text.starts_with(only), "{:?}", r.text);

    // Malformed arguments: the usage line with an example.
    let r = h.say(&pia, "/book abc").await;
    assert_eq!(r.text, "That didn't look right. Usage: /book SHIFT [CHILD], for example /book 12 or /book 12 3");
    let r = h.say(&sam, "/book abc").await;
    assert_has(&r, "Usage: /book SHIFT");
    let r = h.say(&coord, "/newshift 2026-13-40 9-12").await;
    assert!(r.text.starts_with("That didn't look right. Usage: /newshift YYYY-MM-DD HH:MM-HH:MM"), "{:?}", r.text);
    assert_has(&r, "for example /newshift ");
    let r = h.say(&pia, "/child add Ming").await;
    assert_has(&r, "Usage: /child add NAME BIRTHDATE, for example /child add Ming 2025-03-18");
    let r = h.say(&coord, &format!("/newshift {} 09:00-12:00", day(-1))).await;
    assert_eq!(r.text, "That date and time are in the past.");
    let r = h.say(&coord, &format!("/newshift {tomorrow} 12:00-09:00")).await;
    assert!(r.text.starts_with("The end must be after the start"), "{:?}", r.text);

    // None of that changed anything: Pat is still pending, and no shift exists.
    let r = h.say(&coord, "/pending").await;
    assert_has(&r, &format!("· Pat (user {})", pat.id));
    let r = h.say(&pia, "/schedule").await;
    assert_has(&r, "No open shifts in that period yet.");
}

/// SIGKILL in the middle of the guided `/child add`; after a restart on the same
/// database the flow goes on where it was, and nothing is handled twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_mid_flow_keeps_the_flow_and_handles_nothing_twice() {
    let mut h = Harness::start().await;
    let coord = en(2005, "Wang");
    let pia = en(1501, "Pia");
    let (_, code) = h.bootstrap(&coord, "Lakeside Centre").await;
    h.join_approved(&coord, &pia, &code).await;

    let r = h.say(&pia, "/child add").await;
    assert_eq!(r.text, "What is your child's name?");
    let r = h.say(&pia, "Lily").await;
    assert!(r.text.starts_with("When was Lily born?"), "{:?}", r.text);
    // Telegram has forgotten the update once the bot asked for the next ones.
    h.wait_until("the name to be confirmed to Telegram", || h.standin.pending_updates() == 0).await;
    // And the bot has marked it done (a moment after its reply; a kill before that would
    // have it answered again after the restart: at least once, by design).
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    let get_me_per_start = h.standin.calls_to("getMe").len();
    h.kill();
    // The birth date is sent while the bot is down; it waits at Telegram.
    let before = h.seq();
    h.standin.send_text(&pia, &born_months_ago(10).to_string());
    h.restart().await;
    let r = h.next_to(&pia, before, "a reply to the birth date").await;
    assert!(r.text.starts_with("Added Lily (id "), "{:?}", r.text);
    let lily = number_after(&r.text, "(id ");

    let r = h.say(&pia, "/child").await;
    assert_eq!(r.text.matches("Lily").count(), 1, "{:?}", r.text);
    assert_has(&r, &format!("#{lily} Lily, born {} (10 months)", born_months_ago(10)));
    let texts: Vec<String> = h.standin.messages_to(pia.id).into_iter().map(|m| m.text).collect();
    let count = |needle: &str| texts.iter().filter(|t| t.contains(needle)).count();
    assert_eq!(count("Added"), 1, "{texts:#?}");
    assert_eq!(count("What is your child's name?"), 1, "{texts:#?}");
    assert_eq!(count("When was Lily born?"), 1, "{texts:#?}");
    assert_eq!(count("You have been approved"), 1, "{texts:#?}");
    assert_eq!(count("didn't understand"), 0, "{texts:#?}");
    assert_eq!(count("should look like"), 0, "{texts:#?}");
    assert_eq!(h.standin.calls_to("getMe").len(), 2 * get_me_per_start, "one start, one restart");
    // The start grant was not given twice.
    assert!(h.balance(&pia).await.contains("available 6 h · held 0 h"));
    // The restarted bot still knows the coordinator.
    let r = h.say(&coord, "/pending").await;
    assert_eq!(r.text, "No pending requests.");
}

/// A Chinese-speaking parent gets Chinese, switches to English and back; the command
/// menu is registered in both languages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chinese_parent_switches_language() {
    let h = Harness::start().await;
    let coord = en(2006, "Wang");
    let li = TestUser::new(1601, "李妈妈", Some("zh-hans"));
    h.register(&[&li]);

    let cmds = h.standin.commands();
    assert!(!cmds.is_empty(), "no command menu registered");
    let en_menu = cmds.iter().find(|(_, lang, _)| lang.as_deref() == Some("en")).expect("an English command menu");
    assert!(en_menu.2.contains(&("book".to_string(), "Book care".to_string())), "{:?}", en_menu.2);
    let zh_menu = cmds.iter().find(|(_, lang, _)| lang.as_deref() == Some("zh")).expect("a Chinese command menu");
    assert!(zh_menu.2.iter().any(|(c, _)| c == "book"), "{:?}", zh_menu.2);

    let r = h.say(&li, "/start").await;
    assert!(r.text.starts_with("您好，李妈妈！"), "{:?}", r.text);
    assert_has(&r, "您还不是任何互助中心的成员");
    let r = h.say(&li, "/lang en").await;
    assert_eq!(r.text, "Language set to English.");
    let r = h.say(&li, "/start").await;
    assert!(r.text.starts_with("Hello, 李妈妈!"), "{:?}", r.text);
    let r = h.say(&li, "/lang zh").await;
    assert_eq!(r.text, "已切换为中文。");
    let r = h.say(&li, "/help").await;
    assert_has(&r, "/lang zh|en");
    assert!(!r.text.contains("For everyone"), "{:?}", r.text);

    // With the buttons.
    let r = h.say(&li, "/lang").await;
    assert_eq!(r.text, "请选择语言 / Choose a language:");
    let r = h.press(&li, "English").await;
    assert_eq!(r.text, "Language set to English.");
    let r = h.press(&li, "Main menu").await;
    assert!(r.text.starts_with("You are not a member of a centre yet."), "{:?}", r.text);
    let r = h.say(&li, "/lang zh").await;
    assert_eq!(r.text, "已切换为中文。");

    // She joins; the English coordinator approves; she is told in Chinese.
    let (_, code) = h.bootstrap(&coord, "Liuhe Centre").await;
    let before = h.seq();
    let r = h.say(&li, &format!("/start {code}")).await;
    assert_eq!(r.text, "已向「Liuhe Centre」提交加入申请。协调员审批后会通知您。");
    h.expect(&coord, before, "New join request: 李妈妈").await;
    let before = h.seq();
    let r = h.press(&coord, "✅ Approve").await;
    assert_eq!(r.text, format!("Approved 李妈妈 (user {}).", li.id));
    let note = h.expect(&li, before, "🎉").await;
    assert!(note.text.starts_with("🎉 您已通过「Liuhe Centre」的审批"), "{:?}", note.text);
    let r = h.say(&li, &format!("/child add 小明 {}", born_months_ago(18))).await;
    assert!(r.text.starts_with("已添加 小明（编号 "), "{:?}", r.text);
}

/// The coordinator's tools: invite link and QR code, weekly templates, the roster,
/// attendance buttons (Settle refused before the end), grants and the ledger; and a
/// volunteer who signs up through the buttons, then hands the shift over with /swap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coordinator_tools_and_a_swap() {
    let h = Harness::start().await;
    let coord = en(2007, "Wang");
    let rosa = en(1701, "Rosa");
    let sam = en(1702, "Sam");
    let (_, code) = h.bootstrap(&coord, "Oak Centre").await;
    for p in [&rosa, &sam] {
        h.join_approved(&coord, p, &code).await;
    }

    // Invite: the link as text, then the same link as a QR code picture.
    let before = h.seq();
    let r = h.say(&coord, "/invite").await;
    assert_has(&r, &format!("Invite code of \"Oak Centre\": {code}"));
    assert_has(&r, &format!("?start={code}"));
    let photo = h
        .standin
        .wait_for_message(coord.id, before, |m| m.kind == tg_standin::MessageKind::Photo, WAIT)
        .await
        .unwrap_or_else(|| h.fail(&coord, "got no QR code picture"));
    assert!(photo.file_bytes.as_deref().is_some_and(|b| b.starts_with(b"\x89PNG")), "not a PNG");

    // Weekly template: every Wednesday, generated for the next two weeks (two Wednesdays).
    let r = h.say(&coord, "/template add wed 09:00-12:00 8").await;
    assert!(r.text.starts_with("Added weekly template #1 every Wed 09:00-12:00 · 8 places."), "{:?}", r.text);
    let r = h.say(&coord, &format!("/template gen {} {}", day(1), day(14))).await;
    assert_eq!(r.text, "Created 2 shifts.");
    let r = h.say(&coord, &format!("/template gen {} {}", day(1), day(14))).await;
    assert_eq!(r.text, "Created 0 shifts.");
    let r = h.say(&coord, "/template").await;
    assert_has(&r, "#1 every Wed 09:00-12:00 · 8 places");

    // Rosa books; Sam volunteers through the guided buttons.
    h.add_child(&rosa, "Ria", born_months_ago(9)).await;
    let shift = h.new_shift(&coord, day(2), "14:00-17:00", None).await;
    let r = h.say(&rosa, &format!("/book {shift}")).await;
    assert!(r.text.starts_with("✅ Booked #"), "{:?}", r.text);
    let r = h.say(&sam, "/volunteer").await;
    assert_has(&r, "Pick a shift to help with");
    let r = h.press(&sam, &format!("#{shift} ")).await;
    assert_has(&r, "You earn 6 h once it is settled.");
    let r = h.press(&sam, "✅ Confirm").await;
    assert!(r.text.starts_with("🙌 Signed up v"), "{:?}", r.text);
    let signup = number_after(&r.text, "Signed up v");

    // The roster is for the coordinator (and the shift's volunteers), not for parents.
    let r = h.say(&coord, &format!("/roster {shift}")).await;
    assert_has(&r, "· Ria · infant (6-12 m) · 9 months");
    assert_has(&r, "· Sam (signed up)");
    let r = h.say(&rosa, &format!("/roster {shift}")).await;
    assert_eq!(r.text, "Only staff, coordinators and this shift's volunteers can see that.");

    // Attendance: marking Ria absent is refused before the start; so is Settle before the end.
    let r = h.say(&coord, &format!("/attendance {shift}")).await;
    assert_eq!(labels(&r), ["✅ Ria", "❌ Ria", "✅ Sam", "❌ Sam", "Settle"]);
    // Nobody is marked absent (and charged) before the shift starts (issue 9 item 4).
    let (msg, data) = h.find_button(&coord, "❌ Ria");
    let toast = h.press_for_toast(&coord, msg.message_id, &data).await;
    assert_eq!(toast.as_deref(), Some("That shift has not started yet: take attendance once it has begun."));
    let (msg, data) = h.find_button(&coord, "Settle");
    let toast = h.press_for_toast(&coord, msg.message_id, &data).await;
    assert_eq!(toast.as_deref(), Some("That shift has not ended yet."));

    // Grant and ledger: Rosa had 6 h, 3 h are held for Ria, plus 1.5 h.
    let before = h.seq();
    let r = h.say(&coord, &format!("/grant {} 90 bonus", rosa.id)).await;
    assert_eq!(r.text, format!("Adjusted user {} by 1.5 h; available now 4.5 h.", rosa.id));
    h.expect(&rosa, before, "A coordinator adjusted your credits by 1.5 h (bonus). Available now: 4.5 h.").await;
    let r = h.say(&coord, &format!("/ledger {}", rosa.id)).await;
    assert_has(&r, "available 4.5 h · held 3 h");
    assert_has(&r, "coordinator adjustment · bonus");

    // Sam offers the shift; Rosa takes it over; Sam is told.
    let r = h.say(&sam, "/my").await;
    assert_has(&r, &format!("v{signup} volunteering"));
    let r = h.press(&sam, &format!("Offer v{signup}")).await;
    assert_eq!(r.text, format!("Signup v{signup} is offered for swap; it stays yours until someone takes it."));
    let before = h.seq();
    let r = h.say(&rosa, "/swap").await;
    assert_has(&r, "Shifts you can take over:");
    let r = h.press(&rosa, "· Sam").await;
    assert_eq!(r.text, format!("You took over the volunteer shift of #{shift}. Thank you!"));
    h.expect(&sam, before, "Rosa took over your volunteer shift").await;
    let r = h.say(&sam, "/my").await;
    assert_has(&r, "Nothing yet.");
}
