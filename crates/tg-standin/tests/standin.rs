//! The stand-in Bot API server, exercised through teloxide itself (to prove
//! wire compatibility) and through raw HTTP (for encodings teloxide does not
//! use).

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use teloxide::net::Download;
use teloxide::payloads::setters::*;
use teloxide::prelude::*;
use teloxide::types::{
    BotCommand, ChatId, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, MessageId, ParseMode, UpdateKind,
};
use teloxide::{ApiError, RequestError};
use tg_standin::{Fault, Injected, MessageKind, StandIn, TestUser};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const WAIT: Duration = Duration::from_secs(5);

async fn setup() -> (StandIn, Bot) {
    let s = StandIn::start().await.expect("start stand-in");
    let bot = Bot::new(s.token()).set_api_url(s.api_url().parse().unwrap());
    (s, bot)
}

fn alice() -> TestUser {
    TestUser::new(1001, "Alice", Some("zh-hans")).with_username("alice_parent")
}

fn keyboard() -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![
        vec![InlineKeyboardButton::callback("Yes", "ans:yes")],
        vec![
            InlineKeyboardButton::callback("No", "ans:no"),
            InlineKeyboardButton::url("Help", "https://example.org/help".parse().unwrap()),
        ],
    ])
}

/// A real PNG produced by the `png` crate.
fn png_bytes(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().unwrap();
        writer.write_image_data(&vec![128u8; (w * h) as usize]).unwrap();
    }
    out
}

/// Minimal HTTP/1.1 client for encodings teloxide does not produce.
async fn raw(s: &StandIn, verb: &str, path: &str, content_type: Option<&str>, body: &[u8]) -> (u16, Value) {
    let addr = s.api_url().trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let mut head =
        format!("{verb} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    if let Some(ct) = content_type {
        head.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut resp = Vec::new();
    stream.read_to_end(&mut resp).await.unwrap();
    let text = String::from_utf8_lossy(&resp);
    let status: u16 = text.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = text.split_once("\r\n\r\n").map(|x| x.1).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn get_me_and_token_checks() {
    let (s, bot) = setup().await;
    let me = bot.get_me().await.unwrap();
    assert_eq!(me.username(), s.bot_username());
    assert!(me.is_bot);
    assert_eq!(me.id.0 as i64, s.bot_id());
    assert!(s.token().starts_with(&format!("{}:", s.bot_id())));

    let wrong = Bot::new("42:WRONG-TOKEN").set_api_url(s.api_url().parse().unwrap());
    let err = wrong.get_me().await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::InvalidToken)), "{err:?}");
    let (status, body) = raw(&s, "GET", "/bot42:WRONG-TOKEN/getMe", None, b"").await;
    assert_eq!((status, body["description"].as_str()), (401, Some("Unauthorized")));
    let (status, body) = raw(&s, "GET", "/botnonsense/getMe", None, b"").await;
    assert_eq!((status, body["description"].as_str()), (404, Some("Not Found")));

    let calls = s.calls();
    assert_eq!(calls[0].method, "getme");
    assert_eq!(calls[0].status, 200);
    assert_eq!(calls[1].status, 401);
    s.shutdown().await;
}

#[tokio::test]
async fn long_poll_delivers_injected_message_and_offset_confirms() {
    let (s, bot) = setup().await;
    let user = alice();
    let poll = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(5).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let mid = s.send_text(&user, "/start hello");
    let updates = poll.await.unwrap().unwrap();
    assert!(started.elapsed() < Duration::from_secs(2), "long poll should return promptly");
    assert_eq!(updates.len(), 1);
    let UpdateKind::Message(msg) = &updates[0].kind else { panic!("{:?}", updates[0]) };
    assert_eq!(msg.id, MessageId(mid as i32));
    assert_eq!(msg.chat.id, ChatId(user.id));
    assert!(msg.chat.is_private());
    assert_eq!(msg.text(), Some("/start hello"));
    let from = msg.from.as_ref().unwrap();
    assert_eq!(from.first_name, "Alice");
    assert_eq!(from.language_code.as_deref(), Some("zh-hans"));
    assert_eq!(from.username.as_deref(), Some("alice_parent"));
    let entities = msg.entities().unwrap();
    assert_eq!(entities.len(), 1);
    assert_eq!((entities[0].offset, entities[0].length), (0, 6));
    assert_eq!(msg.parse_entities().unwrap()[0].text(), "/start");

    // Without an offset the update is delivered again.
    assert_eq!(bot.get_updates().await.unwrap().len(), 1);
    assert_eq!(s.pending_updates(), 1);
    s.send_text(&user, "second");
    let next = updates[0].id.as_offset();
    let updates = bot.get_updates().offset(next).await.unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(s.pending_updates(), 1);
    let updates = bot.get_updates().offset(updates[0].id.as_offset()).limit(10).await.unwrap();
    assert!(updates.is_empty());
    assert_eq!(s.pending_updates(), 0);
    s.shutdown().await;
}

#[tokio::test]
async fn long_poll_times_out_with_empty_result() {
    let (s, bot) = setup().await;
    let started = Instant::now();
    let updates = bot.get_updates().timeout(1).await.unwrap();
    let waited = started.elapsed();
    assert!(updates.is_empty());
    assert!(waited >= Duration::from_millis(900), "returned after {waited:?}");
    assert!(waited < Duration::from_secs(3), "returned after {waited:?}");
    s.shutdown().await;
}

#[tokio::test]
async fn second_poller_terminates_the_first() {
    let (s, bot) = setup().await;
    let first = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(5).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    bot.get_updates().await.unwrap();
    let err = first.await.unwrap().unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::TerminatedByOtherGetUpdates)), "{err:?}");
    s.shutdown().await;
}

#[tokio::test]
async fn send_edit_and_callback_round_trip() {
    let (s, bot) = setup().await;
    let user = alice();
    s.send_text(&user, "/start");
    let chat = ChatId(user.id);

    let sent =
        bot.send_message(chat, "<b>Pick</b> one").parse_mode(ParseMode::Html).reply_markup(keyboard()).await.unwrap();
    assert_eq!(sent.text(), Some("Pick one"));
    assert_eq!(sent.from.as_ref().unwrap().username.as_deref(), Some("huzhu_test_bot"));
    assert_eq!(sent.reply_markup().unwrap().inline_keyboard.len(), 2);
    let recorded = s.last_message_to(user.id).unwrap();
    assert_eq!(recorded.message_id, sent.id.0 as i64);
    assert_eq!(recorded.text, "Pick one");
    assert_eq!(recorded.kind, MessageKind::Text);
    assert_eq!(recorded.entities[0]["type"], "bold");
    assert_eq!(recorded.buttons[0][0].callback_data.as_deref(), Some("ans:yes"));
    assert_eq!(recorded.buttons[1][1].url.as_deref(), Some("https://example.org/help"));

    // The user presses "No"; the update carries the full message.
    let offset = bot.get_updates().await.unwrap().last().unwrap().id.as_offset();
    let cb_id = s.press(&user, recorded.message_id, "No");
    let updates = bot.get_updates().offset(offset).timeout(2).await.unwrap();
    let UpdateKind::CallbackQuery(q) = &updates[0].kind else { panic!("{:?}", updates[0]) };
    assert_eq!(q.id.0, cb_id);
    assert_eq!(q.data.as_deref(), Some("ans:no"));
    assert_eq!(q.from.id.0 as i64, user.id);
    let qmsg = q.regular_message().expect("accessible message");
    assert_eq!(qmsg.id, sent.id);
    assert_eq!(qmsg.text(), Some("Pick one"));
    assert!(qmsg.reply_markup().is_some());

    bot.answer_callback_query(q.id.clone()).text("Noted").await.unwrap();
    assert_eq!(s.callback_answers(), vec![(cb_id.clone(), Some("Noted".to_owned()))]);
    let err = bot.answer_callback_query(q.id.clone()).await.unwrap_err();
    match err {
        RequestError::Api(ApiError::Unknown(d)) => {
            assert!(d.contains("query ID is invalid"), "{d}")
        }
        other => panic!("{other:?}"),
    }

    // Editing without reply_markup removes the keyboard, like Telegram.
    let before = s.current_seq();
    let edited = bot.edit_message_text(chat, sent.id, "You said no").await.unwrap();
    assert_eq!(edited.text(), Some("You said no"));
    assert!(edited.edit_date().is_some());
    assert!(edited.reply_markup().is_none());
    let seen = s.wait_for_message(user.id, before, |m| m.text == "You said no", WAIT).await.expect("edit observed");
    assert_eq!((seen.edits, seen.buttons.len()), (1, 0));
    assert!(seen.seq > before);

    let err = bot.edit_message_text(chat, sent.id, "You said no").await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::MessageNotModified)), "{err:?}");
    bot.edit_message_reply_markup(chat, sent.id).reply_markup(keyboard()).await.unwrap();
    let err = bot.edit_message_reply_markup(chat, sent.id).reply_markup(keyboard()).await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::MessageNotModified)), "{err:?}");
    assert_eq!(s.last_message_to(user.id).unwrap().buttons.len(), 2);

    let err = bot.edit_message_text(chat, MessageId(9999), "x").await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::MessageToEditNotFound)), "{err:?}");
    s.shutdown().await;
}

#[tokio::test]
async fn validation_errors_map_to_teloxide_variants() {
    let (s, bot) = setup().await;
    let user = alice();
    let chat = ChatId(user.id);

    let err = bot.send_message(chat, "hi").await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::ChatNotFound)), "{err:?}");
    s.send_text(&user, "hello");

    let err = bot.send_message(chat, "").await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::MessageTextIsEmpty)), "{err:?}");
    let err = bot.send_message(chat, "  \n ").await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::MessageTextIsEmpty)), "{err:?}");
    let err = bot.send_message(chat, "长".repeat(4097)).await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::MessageIsTooLong)), "{err:?}");
    bot.send_message(chat, "长".repeat(4096)).await.unwrap();

    let too_long_data = InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::callback("x", "d".repeat(65))]]);
    let err = bot.send_message(chat, "x").reply_markup(too_long_data).await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::ButtonDataInvalid)), "{err:?}");

    let err = bot.send_message(chat, "a < b").parse_mode(ParseMode::Html).await.unwrap_err();
    match err {
        RequestError::Api(ApiError::CantParseEntities(d)) => {
            assert!(d.contains("Unsupported start tag"), "{d}")
        }
        other => panic!("{other:?}"),
    }
    // MarkdownV2 is not modelled: refused, saying so, rather than passed unchecked.
    let err = bot.send_message(chat, "*1*").parse_mode(ParseMode::MarkdownV2).await.unwrap_err();
    match err {
        RequestError::Api(ApiError::Unknown(d)) => assert!(d.contains("not modelled by the stand-in"), "{d}"),
        other => panic!("{other:?}"),
    }

    // Text is trimmed like Telegram does.
    let m = bot.send_message(chat, "  padded \n").await.unwrap();
    assert_eq!(m.text(), Some("padded"));

    // Failed calls are recorded with their status.
    let statuses: Vec<u16> = s.calls_to("SendMessage").iter().map(|c| c.status).collect();
    assert_eq!(statuses, vec![400, 400, 400, 400, 200, 400, 400, 400, 200]);
    s.shutdown().await;
}

#[tokio::test]
async fn faults_blocked_rate_limit_and_server_error() {
    let (s, bot) = setup().await;
    let user = alice();
    let chat = ChatId(user.id);
    s.send_text(&user, "hi");

    s.set_fault(user.id, Fault::Blocked);
    let err = bot.send_message(chat, "x").await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::BotBlocked)), "{err:?}");
    // Writing to the bot again means the user unblocked it.
    s.send_text(&user, "/start");
    bot.send_message(chat, "x").await.unwrap();

    s.set_fault(user.id, Fault::RateLimit { retry_after: 7, times: 2 });
    for _ in 0..2 {
        let err = bot.send_message(chat, "y").await.unwrap_err();
        match err {
            RequestError::RetryAfter(secs) => assert_eq!(secs.seconds(), 7),
            other => panic!("{other:?}"),
        }
    }
    bot.send_message(chat, "y").await.unwrap();

    // teloxide sleeps 10 s after a 5xx, so check the 502 over raw HTTP.
    s.set_fault(user.id, Fault::ServerError { times: 1 });
    let path = format!("/bot{}/sendMessage", s.token());
    let body = json!({ "chat_id": user.id, "text": "z" }).to_string();
    let (status, resp) = raw(&s, "POST", &path, Some("application/json"), body.as_bytes()).await;
    assert_eq!(status, 502);
    assert_eq!(resp, json!({ "ok": false, "error_code": 502, "description": "Bad Gateway" }));
    let (status, _) = raw(&s, "POST", &path, Some("application/json"), body.as_bytes()).await;
    assert_eq!(status, 200);

    let statuses: Vec<u16> = s.calls_to("sendmessage").iter().map(|c| c.status).collect();
    assert_eq!(statuses, vec![403, 200, 429, 429, 200, 502, 200]);
    let texts: Vec<String> = s.messages_to(user.id).into_iter().map(|m| m.text).collect();
    assert_eq!(texts, vec!["x", "y", "z"]);
    s.shutdown().await;
}

/// The fault plan: each planned fault hits the next matching request once, as teloxide
/// sees it; `applied` delivers the message and loses only its answer.
#[tokio::test]
async fn the_fault_plan_hits_the_next_matching_requests_once() {
    let (s, bot) = setup().await;
    let (user, other) = (alice(), TestUser::new(1002, "Bob", None));
    s.send_text(&user, "hi");
    s.send_text(&other, "hi");
    let chat = ChatId(user.id);
    s.plan("sendMessage", Some(user.id), Injected::too_many(3), false);
    s.plan("sendMessage", Some(user.id), Injected::Malformed, true);
    s.plan("sendMessage", Some(user.id), Injected::Reset, true);
    s.plan("sendMessage", Some(user.id), Injected::blocked(), false);
    // Another chat is not affected by a plan for this one.
    bot.send_message(ChatId(other.id), "b").await.unwrap();
    match bot.send_message(chat, "1").await.unwrap_err() {
        RequestError::RetryAfter(secs) => assert_eq!(secs.seconds(), 3),
        e => panic!("{e:?}"),
    }
    let err = bot.send_message(chat, "2").await.unwrap_err();
    assert!(matches!(err, RequestError::InvalidJson { .. }), "{err:?}");
    let err = bot.send_message(chat, "3").await.unwrap_err();
    assert!(matches!(err, RequestError::Network(_)), "{err:?}");
    let err = bot.send_message(chat, "4").await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::BotBlocked)), "{err:?}");
    bot.send_message(chat, "5").await.unwrap();
    assert!(s.planned().is_empty());
    let texts: Vec<String> = s.messages_to(user.id).into_iter().map(|m| m.text).collect();
    assert_eq!(texts, vec!["2", "3", "5"], "applied faults deliver; the others do not");
    let statuses: Vec<u16> = s.calls_to("sendmessage").iter().map(|c| c.status).collect();
    assert_eq!(statuses, vec![200, 429, 200, 0, 403, 200]);

    // A slow answer, applied: delivered at once, answered after the delay; and a 500
    // on getUpdates over raw HTTP (teloxide sleeps 10 s after a 5xx).
    s.plan("sendMessage", None, Injected::Slow(Duration::from_millis(300)), true);
    let started = Instant::now();
    bot.send_message(chat, "6").await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
    s.plan("getUpdates", None, Injected::server(500), false);
    let path = format!("/bot{}/getUpdates", s.token());
    let (status, resp) = raw(&s, "POST", &path, Some("application/json"), b"{}").await;
    assert_eq!(status, 500);
    assert_eq!(resp, json!({ "ok": false, "error_code": 500, "description": "Internal Server Error" }));
    let (most, gap) = s.send_rates();
    assert!(most >= 7, "{most}");
    assert!(gap.is_some_and(|g| g < Duration::from_secs(1)), "the stand-in counts, it does not enforce: {gap:?}");
    s.shutdown().await;
}

#[tokio::test]
async fn photo_and_document_uploads_are_recorded() {
    let (s, bot) = setup().await;
    let user = alice();
    let chat = ChatId(user.id);
    s.send_text(&user, "/qr");

    let png = png_bytes(400, 200);
    let sent = bot
        .send_photo(chat, InputFile::memory(png.clone()).file_name("qr.png"))
        .caption("Your code")
        .reply_markup(keyboard())
        .await
        .unwrap();
    let sizes = sent.photo().expect("photo message");
    let largest = sizes.last().unwrap();
    assert_eq!((largest.width, largest.height), (400, 200));
    assert_eq!(sent.caption(), Some("Your code"));
    let rec = s.last_message_to(user.id).unwrap();
    assert_eq!(rec.kind, MessageKind::Photo);
    assert_eq!(rec.text, "Your code");
    assert_eq!(rec.file_bytes.as_deref(), Some(&png[..]));
    assert_eq!(rec.file_name.as_deref(), Some("qr.png"));
    assert_eq!(rec.buttons.len(), 2);
    let call = s.calls_to("sendphoto").pop().unwrap();
    assert!(call.params["photo"].as_str().unwrap().starts_with("attach://"));

    // The largest size can be fetched back through getFile + download.
    let file = bot.get_file(largest.file.id.clone()).await.unwrap();
    let mut downloaded = Vec::new();
    bot.download_file(&file.path, &mut downloaded).await.unwrap();
    assert_eq!(downloaded, png);
    // Re-sending by file_id works without an upload.
    bot.send_photo(chat, InputFile::file_id(largest.file.id.clone())).await.unwrap();

    let err = bot.send_photo(chat, InputFile::memory(b"definitely not an image".to_vec())).await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::ImageProcessFailed)), "{err:?}");

    let csv = b"date,child\n2024-05-01,Mei\n".to_vec();
    let doc = bot
        .send_document(chat, InputFile::memory(csv.clone()).file_name("roster.csv"))
        .caption("Roster")
        .await
        .unwrap();
    let d = doc.document().expect("document message");
    assert_eq!(d.file_name.as_deref(), Some("roster.csv"));
    assert_eq!(d.mime_type.as_ref().map(|m| m.essence_str().to_owned()).as_deref(), Some("text/csv"));
    assert_eq!(d.file.size as usize, csv.len());
    let rec = s.last_message_to(user.id).unwrap();
    assert_eq!(rec.kind, MessageKind::Document);
    assert_eq!((rec.text.as_str(), rec.file_bytes.as_deref()), ("Roster", Some(&csv[..])));
    s.shutdown().await;
}

#[tokio::test]
async fn method_names_and_body_encodings() {
    let (s, bot) = setup().await;
    let user = alice();
    s.send_text(&user, "hi");
    let token = s.token();

    for name in ["getMe", "getme", "GETME", "GetMe"] {
        let (status, body) = raw(&s, "GET", &format!("/bot{token}/{name}"), None, b"").await;
        assert_eq!(status, 200, "{name}");
        assert_eq!(body["result"]["username"], "huzhu_test_bot");
        assert_eq!(body["result"]["has_main_web_app"], false);
    }
    let (status, body) = raw(&s, "POST", &format!("/bot{token}/noSuchMethod"), None, b"").await;
    assert_eq!(status, 404);
    assert_eq!(body, json!({ "ok": false, "error_code": 404, "description": "Not Found" }));

    // Query string.
    let path = format!("/bot{token}/sendMessage?chat_id={}&text=via%20query", user.id);
    let (status, body) = raw(&s, "GET", &path, None, b"").await;
    assert_eq!((status, body["result"]["text"].as_str()), (200, Some("via query")));

    // Form with reply_markup as a JSON string.
    let markup = r#"{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}"#;
    let form = format!(
        "chat_id={}&text=via+form&reply_markup={}",
        user.id,
        markup.replace('{', "%7B").replace('}', "%7D").replace('"', "%22").replace(':', "%3A")
    );
    let (status, body) = raw(
        &s,
        "POST",
        &format!("/bot{token}/sendmessage"),
        Some("application/x-www-form-urlencoded"),
        form.as_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"], "a");

    // JSON with reply_markup as a JSON string, too.
    let json_body = json!({ "chat_id": user.id.to_string(), "text": "via json", "reply_markup": markup });
    let (status, body) = raw(
        &s,
        "POST",
        &format!("/bot{token}/SENDMESSAGE"),
        Some("application/json"),
        json_body.to_string().as_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let texts: Vec<String> = s.messages().into_iter().map(|m| m.text).collect();
    assert_eq!(texts, vec!["via query", "via form", "via json"]);
    assert_eq!(s.messages()[1].buttons[0][0].text, "A");

    // teloxide's PascalCase names work as well.
    bot.send_chat_action(ChatId(user.id), teloxide::types::ChatAction::Typing).await.unwrap();
    assert_eq!(s.calls_to("sendChatAction")[0].status, 200);
    s.shutdown().await;
}

#[tokio::test]
async fn commands_and_webhook() {
    let (s, bot) = setup().await;
    bot.set_my_commands(vec![BotCommand::new("start", "开始"), BotCommand::new("help", "帮助")])
        .language_code("zh")
        .await
        .unwrap();
    bot.set_my_commands(vec![BotCommand::new("start", "Start")]).await.unwrap();
    let cmds = s.commands();
    assert_eq!(cmds.len(), 2);
    assert_eq!(cmds[0].0, json!({ "type": "default" }));
    assert_eq!(cmds[0].1.as_deref(), Some("zh"));
    assert_eq!(cmds[0].2[1], ("help".to_owned(), "帮助".to_owned()));
    let got = bot.get_my_commands().language_code("zh").await.unwrap();
    assert_eq!(got.len(), 2);
    let err = bot.set_my_commands(vec![BotCommand::new("Bad-Name", "x")]).await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::Unknown(_))), "{err:?}");
    bot.delete_my_commands().language_code("zh").await.unwrap();
    assert_eq!(s.commands().len(), 1);

    let info = bot.get_webhook_info().await.unwrap();
    assert!(info.url.is_none());
    bot.set_webhook("https://example.org/hook".parse().unwrap()).await.unwrap();
    assert_eq!(s.webhook_url().as_deref(), Some("https://example.org/hook"));
    let err = bot.get_updates().await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::Unknown(_))), "{err:?}");
    assert_eq!(s.calls_to("getupdates")[0].status, 409);
    bot.delete_webhook().await.unwrap();
    assert!(bot.get_webhook_info().await.unwrap().url.is_none());
    bot.get_updates().await.unwrap();
    s.shutdown().await;
}

#[tokio::test]
async fn teloxide_dispatcher_end_to_end() {
    let (s, bot) = setup().await;
    let handler = Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
        let text = msg.text().unwrap_or_default().to_owned();
        bot.send_message(msg.chat.id, format!("echo: {text}")).reply_markup(keyboard()).await?;
        respond(())
    });
    let mut dispatcher = Dispatcher::builder(bot, handler).build();
    let token = dispatcher.shutdown_token();
    let running = tokio::spawn(async move { dispatcher.dispatch().await });

    let user = alice();
    let seq = s.current_seq();
    s.send_text(&user, "/start");
    let reply = s.wait_for_message(user.id, seq, |m| m.text.starts_with("echo:"), WAIT).await.expect("bot replied");
    assert_eq!(reply.text, "echo: /start");

    // The dispatcher only asked for messages, so a callback query is dropped
    // (Telegram never delivers update kinds outside allowed_updates).
    s.press(&user, reply.message_id, 0);
    let seq = s.current_seq();
    s.send_text(&user, "again");
    assert!(s.wait_for_message(user.id, seq, |m| m.text == "echo: again", WAIT).await.is_some());
    assert_eq!(s.callback_answers().len(), 0);

    let getme = s.calls_to("getMe");
    assert_eq!(getme.len(), 1);
    let polls = s.calls_to("getUpdates");
    assert_eq!(polls[0].params["allowed_updates"], json!(["message"]));

    token.shutdown().expect("dispatcher running").await;
    running.await.unwrap();
    assert_eq!(s.pending_updates(), 0);
    s.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_send_is_neither_answered_nor_delivered_until_cleared() {
    let (s, bot) = setup().await;
    let user = alice();
    let chat = ChatId(user.id);
    s.send_text(&user, "hi");
    s.set_fault(user.id, Fault::Hang);
    let pending = tokio::spawn({
        let bot = bot.clone();
        async move { bot.send_message(chat, "lost on the way").await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!pending.is_finished(), "the send hangs");
    assert!(s.calls_to("sendMessage").iter().any(|c| c.status == 0), "in flight");
    s.clear_fault(user.id);
    let err = pending.await.unwrap().unwrap_err();
    assert!(format!("{err:?}").contains("Gateway Timeout"), "{err:?}");
    assert!(s.messages_to(user.id).iter().all(|m| m.text != "lost on the way"), "never delivered");
    bot.send_message(chat, "after").await.unwrap();
    s.shutdown().await;
}

#[tokio::test]
async fn a_shared_contact_arrives_as_telegram_sends_it() {
    let (s, bot) = setup().await;
    let user = alice();
    let own = s.send_contact(&user, "8613800138000", "Alice", Some(user.id));
    s.send_contact(&user, "+86 139 0000 0000", "Bob", None);
    let updates = bot.get_updates().await.unwrap();
    assert_eq!(updates.len(), 2);
    let UpdateKind::Message(msg) = &updates[0].kind else { panic!("{:?}", updates[0]) };
    assert_eq!(msg.id, MessageId(own as i32));
    assert_eq!(msg.text(), None);
    let c = msg.contact().expect("a contact");
    assert_eq!(c.phone_number, "8613800138000");
    assert_eq!(c.user_id.map(|u| u.0 as i64), Some(user.id));
    let UpdateKind::Message(other) = &updates[1].kind else { panic!("{:?}", updates[1]) };
    let c = other.contact().expect("a contact");
    assert_eq!((c.first_name.as_str(), c.user_id), ("Bob", None));
    // A reply keyboard asking for the contact is accepted and recorded.
    let kb = teloxide::types::KeyboardMarkup::new(vec![vec![
        teloxide::types::KeyboardButton::new("share").request(teloxide::types::ButtonRequest::Contact)
    ]]);
    bot.send_message(ChatId(user.id), "please").reply_markup(kb).await.unwrap();
    let m = s.last_message_to(user.id).unwrap();
    assert_eq!(m.reply_keyboard.unwrap()["keyboard"][0][0]["request_contact"], true);
    s.shutdown().await;
}
