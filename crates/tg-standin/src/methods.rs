//! Bot API methods.
//!
//! Supported: getMe, getUpdates, sendMessage, sendPhoto, sendDocument,
//! editMessageText, editMessageCaption, editMessageReplyMarkup,
//! deleteMessage, answerCallbackQuery, sendChatAction, setMyCommands,
//! deleteMyCommands, getMyCommands, setWebhook, deleteWebhook,
//! getWebhookInfo, getFile, setMyName/getMyName,
//! setMyDescription/getMyDescription,
//! setMyShortDescription/getMyShortDescription, close, logOut.
//! Anything else gets `404 Not Found`, as unknown methods do on Telegram.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use crate::keyboard::{self, Markup};
use crate::markup::{self, utf16_len};
use crate::media;
use crate::protocol::{ApiErr, Outcome, Params, Success, UploadedFile};
use crate::state::{self, FileKind, State, StoredFile, StoredMessage, Webhook};
use crate::{Fault, Inner, MessageKind};

fn ok(result: Value) -> Outcome {
    Ok(Success { result, description: None })
}

fn ok_described(result: Value, description: &'static str) -> Outcome {
    Ok(Success { result, description: Some(description) })
}

fn bad(description: String) -> ApiErr {
    ApiErr::bad_request(&description)
}

const TEXT_LIMIT: usize = 4096;
const CAPTION_LIMIT: usize = 1024;
const CALLBACK_TEXT_LIMIT: usize = 200;
const DOCUMENT_LIMIT: usize = 50 * 1024 * 1024;
const PHOTO_LIMIT: usize = 10 * 1024 * 1024;

const NOT_MODIFIED: &str = "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";
const QUERY_INVALID: &str = "Bad Request: query is too old and response timeout expired or query ID is invalid";
const CHAT_NOT_FOUND: &str = "Bad Request: chat not found";
const BAD_MARKUP_JSON: &str = "Bad Request: can't parse reply keyboard markup JSON object";
const BAD_ENTITIES_JSON: &str = "Bad Request: can't parse entities JSON object";

const CHAT_ACTIONS: [&str; 11] = [
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
];

pub(crate) async fn call(inner: &Arc<Inner>, method: &str, p: &Params) -> Outcome {
    if method == "getupdates" {
        return get_updates(inner, p).await;
    }
    let outcome = {
        let mut st = inner.lock();
        dispatch(&mut st, method, p)
    };
    // deleteWebhook/setWebhook may have dropped updates or enabled polling.
    inner.updates_notify.notify_waiters();
    outcome
}

fn dispatch(st: &mut State, method: &str, p: &Params) -> Outcome {
    match method {
        "getme" => ok(st.me_json()),
        "logout" | "close" => ok(json!(true)),
        "sendmessage" => send_message(st, p),
        "sendphoto" => send_media(st, p, FileKind::Photo),
        "senddocument" => send_media(st, p, FileKind::Document),
        "editmessagetext" => edit_text(st, p),
        "editmessagecaption" => edit_caption(st, p),
        "editmessagereplymarkup" => edit_reply_markup(st, p),
        "deletemessage" => delete_message(st, p),
        "answercallbackquery" => answer_callback_query(st, p),
        "sendchataction" => send_chat_action(st, p),
        "setmycommands" => set_my_commands(st, p),
        "deletemycommands" => delete_my_commands(st, p),
        "getmycommands" => get_my_commands(st, p),
        "setwebhook" => set_webhook(st, p),
        "deletewebhook" => delete_webhook(st, p),
        "getwebhookinfo" => get_webhook_info(st),
        "getfile" => get_file(st, p),
        "setmyname" => set_bot_text(st, p, "name"),
        "getmyname" => get_bot_text(st, p, "name"),
        "setmydescription" => set_bot_text(st, p, "description"),
        "getmydescription" => get_bot_text(st, p, "description"),
        "setmyshortdescription" => set_bot_text(st, p, "short_description"),
        "getmyshortdescription" => get_bot_text(st, p, "short_description"),
        _ => Err(ApiErr::not_found()),
    }
}

// ------------------------------------------------------------ updates ----

async fn get_updates(inner: &Arc<Inner>, p: &Params) -> Outcome {
    let limit = p.i64("limit").unwrap_or(100).clamp(1, 100) as usize;
    let timeout = p.i64("timeout").unwrap_or(0).max(0) as u64;
    let allowed = p.json("allowed_updates", "Bad Request: can't parse allowed updates")?.map(|v| string_list(&v));
    let my_generation = {
        let mut st = inner.lock();
        if st.webhook.is_some() {
            return Err(ApiErr::new(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            ));
        }
        if let Some(offset) = p.i64("offset") {
            st.confirm(offset);
        }
        if let Some(list) = allowed {
            st.allowed_updates = if list.is_empty() { None } else { Some(list) };
        }
        st.poll_generation += 1;
        st.poll_generation
    };
    // Terminates any other pending getUpdates (it gets 409 Conflict).
    inner.updates_notify.notify_waiters();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
    loop {
        let notified = inner.updates_notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let mut st = inner.lock();
            if st.poll_generation != my_generation {
                return Err(ApiErr::new(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                ));
            }
            let batch = st.take_batch(limit);
            if !batch.is_empty() || st.shutting_down || tokio::time::Instant::now() >= deadline {
                return ok(Value::Array(batch));
            }
        }
        tokio::select! {
            _ = &mut notified => {}
            _ = tokio::time::sleep_until(deadline) => {}
        }
    }
}

fn string_list(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect()).unwrap_or_default()
}

// -------------------------------------------------------- chat targets ----

#[derive(PartialEq, Eq)]
enum Target {
    /// Creates or changes a message: subject to RateLimit.
    Send,
    Other,
}

fn parse_chat_id(p: &Params) -> Result<i64, ApiErr> {
    match p.get("chat_id") {
        None => Err(ApiErr::bad_request("Bad Request: chat_id is empty")),
        Some(Value::String(s)) if s.trim().is_empty() => Err(ApiErr::bad_request("Bad Request: chat_id is empty")),
        Some(_) => p.i64("chat_id").ok_or_else(|| ApiErr::bad_request(CHAT_NOT_FOUND)),
    }
}

/// Resolves `chat_id` and applies the chat's injected faults (except
/// `Blocked`, see [`check_blocked`]).
fn target_chat(st: &mut State, p: &Params, kind: Target) -> Result<i64, ApiErr> {
    let chat_id = parse_chat_id(p)?;
    if let Some(Fault::Unavailable { until }) = st.faults.get(&chat_id) {
        if std::time::Instant::now() < *until {
            return Err(ApiErr::bad_request("Bad Request: service unavailable (injected outage)"));
        }
        st.faults.remove(&chat_id);
    }
    if let Some(Fault::ServerError { times }) = st.faults.get_mut(&chat_id) {
        if *times > 0 {
            *times -= 1;
            if *times == 0 {
                st.faults.remove(&chat_id);
            }
            return Err(ApiErr::new(502, "Bad Gateway"));
        }
    }
    if !st.chats.contains_key(&chat_id) {
        return Err(ApiErr::bad_request(CHAT_NOT_FOUND));
    }
    if kind == Target::Send {
        if let Some(Fault::RateLimit { retry_after, times }) = st.faults.get_mut(&chat_id) {
            if *times > 0 {
                let retry_after = *retry_after;
                *times -= 1;
                if *times == 0 {
                    st.faults.remove(&chat_id);
                }
                return Err(ApiErr {
                    code: 429,
                    description: format!("Too Many Requests: retry after {retry_after}"),
                    parameters: Some(json!({ "retry_after": retry_after })),
                });
            }
        }
    }
    Ok(chat_id)
}

fn check_blocked(st: &State, chat_id: i64) -> Result<(), ApiErr> {
    if st.faults.get(&chat_id) == Some(&Fault::Blocked) {
        return Err(ApiErr::new(403, "Forbidden: bot was blocked by the user"));
    }
    Ok(())
}

fn parse_markup(p: &Params) -> Result<Markup, ApiErr> {
    let v = p.json("reply_markup", BAD_MARKUP_JSON)?;
    keyboard::parse_markup(v.as_ref()).map_err(bad)
}

/// Formats `text`/`caption` with `parse_mode` or explicit entities.
fn format(p: &Params, text_key: &str, entities_key: &str) -> Result<(String, Vec<markup::Entity>), ApiErr> {
    let raw = p.str(text_key).unwrap_or_default();
    let explicit = p.json(entities_key, BAD_ENTITIES_JSON)?;
    let parse_mode = p.str("parse_mode");
    markup::format_text(&raw, parse_mode.as_deref(), explicit.as_ref()).map_err(bad)
}

/// The message being replied to, from `reply_parameters` or the legacy
/// `reply_to_message_id`.
fn reply_target(st: &State, chat_id: i64, p: &Params) -> Result<Option<i64>, ApiErr> {
    let (id, allow_without) =
        match p.json("reply_parameters", "Bad Request: can't parse reply parameters JSON object")? {
            Some(rp) => {
                let id = match rp.get("message_id") {
                    Some(Value::Number(n)) => n.as_i64(),
                    Some(Value::String(s)) => s.parse().ok(),
                    _ => None,
                };
                let other_chat = match rp.get("chat_id") {
                    Some(Value::Number(n)) => n.as_i64() != Some(chat_id),
                    Some(Value::String(s)) => s.parse::<i64>().ok() != Some(chat_id),
                    _ => false,
                };
                let allow = rp.get("allow_sending_without_reply").and_then(Value::as_bool);
                (if other_chat { Some(-1) } else { id }, allow.unwrap_or(false))
            }
            None => (p.i64("reply_to_message_id"), p.bool("allow_sending_without_reply")),
        };
    let Some(id) = id else { return Ok(None) };
    if st.message(chat_id, id).is_some() {
        Ok(Some(id))
    } else if allow_without {
        Ok(None)
    } else {
        Err(ApiErr::bad_request("Bad Request: message to be replied not found"))
    }
}

fn new_bot_message(st: &State, kind: MessageKind) -> StoredMessage {
    StoredMessage {
        message_id: 0,
        from_bot: true,
        sender: st.bot_user_json(),
        date: state::now_unix(),
        edit_date: None,
        kind,
        text: String::new(),
        entities: Vec::new(),
        markup: Markup::default(),
        media: None,
        file_name: None,
        file_bytes: None,
        reply_to: None,
        edits: 0,
        seq: 0,
        deleted: false,
        protected: false,
    }
}

// ------------------------------------------------------------- sending ----

fn send_message(st: &mut State, p: &Params) -> Outcome {
    let chat_id = target_chat(st, p, Target::Send)?;
    let (text, entities) = format(p, "text", "entities")?;
    if text.is_empty() {
        return Err(ApiErr::bad_request("Bad Request: message text is empty"));
    }
    if utf16_len(&text) > TEXT_LIMIT {
        return Err(ApiErr::bad_request("Bad Request: message is too long"));
    }
    let markup = parse_markup(p)?;
    let reply_to = reply_target(st, chat_id, p)?;
    check_blocked(st, chat_id)?;
    let mut msg = new_bot_message(st, MessageKind::Text);
    msg.text = text;
    msg.entities = entities;
    msg.markup = markup;
    msg.reply_to = reply_to;
    msg.protected = p.bool("protect_content");
    let id = st.add_message(chat_id, msg);
    ok(st.message_json(chat_id, id))
}

/// Where the file of a sendPhoto/sendDocument comes from.
enum Input<'a> {
    Upload(&'a UploadedFile),
    Existing(String),
    Url(String),
}

fn input_file<'a>(p: &'a Params, field: &str) -> Result<Input<'a>, ApiErr> {
    let missing = || ApiErr::bad_request(&format!("Bad Request: there is no {field} in the request"));
    match p.str(field) {
        None => p.files.get(field).map(Input::Upload).ok_or_else(missing),
        Some(v) if v.starts_with("attach://") => {
            p.files.get(&v["attach://".len()..]).map(Input::Upload).ok_or_else(missing)
        }
        Some(v) if v.trim().is_empty() => Err(missing()),
        Some(v) => {
            let lower = v.to_ascii_lowercase();
            if lower.starts_with("http://") || lower.starts_with("https://") {
                Ok(Input::Url(v))
            } else {
                Ok(Input::Existing(v))
            }
        }
    }
}

/// The `photo`/`document` value, the stored bytes and the file name.
type MediaResult = Result<(Value, Option<Vec<u8>>, Option<String>), ApiErr>;

const WRONG_FILE_ID: &str = "Bad Request: wrong file identifier/HTTP URL specified";

/// Builds the `photo` array (and registers its files).
fn photo_media(st: &mut State, input: &Input) -> MediaResult {
    match input {
        Input::Existing(id) => {
            let f = st.files.get(id).ok_or_else(|| ApiErr::bad_request(WRONG_FILE_ID))?;
            if f.kind != FileKind::Photo {
                return Err(ApiErr::bad_request("Bad Request: type of file mismatch"));
            }
            Ok((f.media.clone(), f.bytes.clone(), f.file_name.clone()))
        }
        Input::Url(_) => Ok((register_photo(st, 800, 600, None, None), None, None)),
        Input::Upload(f) => {
            if f.bytes.is_empty() {
                return Err(ApiErr::bad_request("Bad Request: file must be non-empty"));
            }
            if f.bytes.len() > PHOTO_LIMIT {
                return Err(ApiErr::new(413, "Request Entity Too Large"));
            }
            let (w, h) = media::image_dimensions(&f.bytes)
                .ok_or_else(|| ApiErr::bad_request("Bad Request: IMAGE_PROCESS_FAILED"))?;
            if w + h > 10_000 || w.max(h) > 20 * w.min(h) {
                return Err(ApiErr::bad_request("Bad Request: PHOTO_INVALID_DIMENSIONS"));
            }
            let photo = register_photo(st, w, h, Some(&f.bytes), f.file_name.clone());
            Ok((photo, Some(f.bytes.clone()), f.file_name.clone()))
        }
    }
}

fn register_photo(st: &mut State, w: u32, h: u32, bytes: Option<&Vec<u8>>, file_name: Option<String>) -> Value {
    let sizes = media::photo_sizes(w, h);
    let total = bytes.map_or(50_000, Vec::len) as u64;
    let ids: Vec<(String, String)> = sizes.iter().map(|_| media::new_file_ids(true)).collect();
    let array: Vec<Value> = sizes
        .iter()
        .zip(&ids)
        .map(|(&(sw, sh), (id, uid))| {
            let size = (total * u64::from(sw * sh) / u64::from((w * h).max(1))).max(1);
            json!({ "file_id": id, "file_unique_id": uid, "file_size": size, "width": sw, "height": sh })
        })
        .collect();
    let array = Value::Array(array);
    let last = sizes.len() - 1;
    for (i, (id, uid)) in ids.iter().enumerate() {
        let size = array[i]["file_size"].as_u64().unwrap_or(0);
        st.register_file(
            id,
            StoredFile {
                kind: FileKind::Photo,
                unique_id: uid.clone(),
                size,
                path: String::new(),
                bytes: if i == last { bytes.cloned() } else { None },
                media: array.clone(),
                file_name: file_name.clone(),
            },
        );
    }
    array
}

/// Builds the `document` object (and registers its file).
fn document_media(st: &mut State, input: &Input) -> MediaResult {
    match input {
        Input::Existing(id) => {
            let f = st.files.get(id).ok_or_else(|| ApiErr::bad_request(WRONG_FILE_ID))?;
            if f.kind != FileKind::Document {
                return Err(ApiErr::bad_request("Bad Request: type of file mismatch"));
            }
            Ok((f.media.clone(), f.bytes.clone(), f.file_name.clone()))
        }
        Input::Url(url) => {
            let name = url
                .split(['?', '#'])
                .next()
                .and_then(|u| u.rsplit('/').next())
                .filter(|n| !n.is_empty() && !n.contains(':'))
                .map(str::to_owned);
            let doc = register_document(st, name.clone(), None, None);
            Ok((doc, None, name))
        }
        Input::Upload(f) => {
            if f.bytes.is_empty() {
                return Err(ApiErr::bad_request("Bad Request: file must be non-empty"));
            }
            if f.bytes.len() > DOCUMENT_LIMIT {
                return Err(ApiErr::new(413, "Request Entity Too Large"));
            }
            let doc = register_document(st, f.file_name.clone(), f.content_type.as_deref(), Some(&f.bytes));
            Ok((doc, Some(f.bytes.clone()), f.file_name.clone()))
        }
    }
}

fn register_document(
    st: &mut State,
    file_name: Option<String>,
    content_type: Option<&str>,
    bytes: Option<&Vec<u8>>,
) -> Value {
    let (id, uid) = media::new_file_ids(false);
    let size = bytes.map_or(50_000, Vec::len) as u64;
    let mut doc = json!({
        "file_id": id,
        "file_unique_id": uid,
        "file_size": size,
        "mime_type": media::guess_mime(file_name.as_deref(), content_type),
    });
    if let Some(n) = &file_name {
        doc["file_name"] = json!(n);
    }
    st.register_file(
        &id,
        StoredFile {
            kind: FileKind::Document,
            unique_id: uid,
            size,
            path: String::new(),
            bytes: bytes.cloned(),
            media: doc.clone(),
            file_name,
        },
    );
    doc
}

fn send_media(st: &mut State, p: &Params, kind: FileKind) -> Outcome {
    let chat_id = target_chat(st, p, Target::Send)?;
    let field = match kind {
        FileKind::Photo => "photo",
        FileKind::Document => "document",
    };
    let input = input_file(p, field)?;
    let (caption, entities) = format(p, "caption", "caption_entities")?;
    if utf16_len(&caption) > CAPTION_LIMIT {
        return Err(ApiErr::bad_request("Bad Request: message caption is too long"));
    }
    let markup = parse_markup(p)?;
    let reply_to = reply_target(st, chat_id, p)?;
    check_blocked(st, chat_id)?;
    let (media_value, bytes, file_name) = match kind {
        FileKind::Photo => photo_media(st, &input)?,
        FileKind::Document => document_media(st, &input)?,
    };
    let mut msg = new_bot_message(
        st,
        match kind {
            FileKind::Photo => MessageKind::Photo,
            FileKind::Document => MessageKind::Document,
        },
    );
    msg.text = caption;
    msg.entities = entities;
    msg.markup = markup;
    msg.reply_to = reply_to;
    msg.media = Some((field, media_value));
    msg.file_bytes = bytes;
    msg.file_name = file_name;
    msg.protected = p.bool("protect_content");
    let id = st.add_message(chat_id, msg);
    ok(st.message_json(chat_id, id))
}

// ------------------------------------------------------------- editing ----

/// Resolves `chat_id` + `message_id` of a bot message to edit.
fn edit_target(st: &mut State, p: &Params) -> Result<(i64, i64), ApiErr> {
    if p.has("inline_message_id") {
        // No inline messages exist here.
        return Err(ApiErr::bad_request("Bad Request: MESSAGE_ID_INVALID"));
    }
    let chat_id = target_chat(st, p, Target::Send)?;
    let message_id =
        p.i64("message_id").ok_or_else(|| ApiErr::bad_request("Bad Request: message identifier is not specified"))?;
    let msg =
        st.message(chat_id, message_id).ok_or_else(|| ApiErr::bad_request("Bad Request: message to edit not found"))?;
    if !msg.from_bot {
        return Err(ApiErr::bad_request("Bad Request: message can't be edited"));
    }
    Ok((chat_id, message_id))
}

fn apply_edit(
    st: &mut State,
    chat_id: i64,
    message_id: i64,
    content: Option<(String, Vec<markup::Entity>)>,
    inline: Option<Value>,
) -> Outcome {
    let seq = st.next_seq();
    let m = st.chats.get_mut(&chat_id).and_then(|c| c.messages.get_mut(&message_id)).expect("edit target exists");
    if let Some((text, entities)) = content {
        m.text = text;
        m.entities = entities;
    }
    m.markup.inline = inline;
    m.edits += 1;
    m.seq = seq;
    m.edit_date = Some(state::now_unix());
    ok(st.message_json(chat_id, message_id))
}

fn inline_only(markup: Markup) -> Result<Option<Value>, ApiErr> {
    if markup.other.is_some() {
        return Err(ApiErr::bad_request("Bad Request: inline keyboard expected"));
    }
    Ok(markup.inline)
}

fn edit_text(st: &mut State, p: &Params) -> Outcome {
    let (chat_id, message_id) = edit_target(st, p)?;
    let (text, entities) = format(p, "text", "entities")?;
    if text.is_empty() {
        return Err(ApiErr::bad_request("Bad Request: message text is empty"));
    }
    if utf16_len(&text) > TEXT_LIMIT {
        return Err(ApiErr::bad_request("Bad Request: MESSAGE_TOO_LONG"));
    }
    let inline = inline_only(parse_markup(p)?)?;
    let m = st.message(chat_id, message_id).expect("edit target exists");
    if m.kind != MessageKind::Text {
        return Err(ApiErr::bad_request("Bad Request: there is no text in the message to edit"));
    }
    if m.text == text && m.entities == entities && m.markup.inline == inline {
        return Err(ApiErr::bad_request(NOT_MODIFIED));
    }
    check_blocked(st, chat_id)?;
    apply_edit(st, chat_id, message_id, Some((text, entities)), inline)
}

fn edit_caption(st: &mut State, p: &Params) -> Outcome {
    let (chat_id, message_id) = edit_target(st, p)?;
    let (caption, entities) = format(p, "caption", "caption_entities")?;
    if utf16_len(&caption) > CAPTION_LIMIT {
        return Err(ApiErr::bad_request("Bad Request: message caption is too long"));
    }
    let inline = inline_only(parse_markup(p)?)?;
    let m = st.message(chat_id, message_id).expect("edit target exists");
    if m.kind == MessageKind::Text {
        return Err(ApiErr::bad_request("Bad Request: there is no caption in the message to edit"));
    }
    if m.text == caption && m.entities == entities && m.markup.inline == inline {
        return Err(ApiErr::bad_request(NOT_MODIFIED));
    }
    check_blocked(st, chat_id)?;
    apply_edit(st, chat_id, message_id, Some((caption, entities)), inline)
}

fn edit_reply_markup(st: &mut State, p: &Params) -> Outcome {
    let (chat_id, message_id) = edit_target(st, p)?;
    let inline = inline_only(parse_markup(p)?)?;
    let m = st.message(chat_id, message_id).expect("edit target exists");
    if m.markup.inline == inline {
        return Err(ApiErr::bad_request(NOT_MODIFIED));
    }
    check_blocked(st, chat_id)?;
    apply_edit(st, chat_id, message_id, None, inline)
}

fn delete_message(st: &mut State, p: &Params) -> Outcome {
    let chat_id = target_chat(st, p, Target::Other)?;
    let message_id =
        p.i64("message_id").ok_or_else(|| ApiErr::bad_request("Bad Request: message identifier is not specified"))?;
    if st.message(chat_id, message_id).is_none() {
        return Err(ApiErr::bad_request("Bad Request: message to delete not found"));
    }
    check_blocked(st, chat_id)?;
    if let Some(m) = st.chats.get_mut(&chat_id).and_then(|c| c.messages.get_mut(&message_id)) {
        m.deleted = true;
    }
    ok(json!(true))
}

// --------------------------------------------------------------- other ----

fn answer_callback_query(st: &mut State, p: &Params) -> Outcome {
    let id = p.str("callback_query_id").unwrap_or_default();
    let text = p.str("text").filter(|t| !t.is_empty());
    if text.as_deref().is_some_and(|t| utf16_len(t) > CALLBACK_TEXT_LIMIT) {
        return Err(ApiErr::bad_request("Bad Request: MESSAGE_TOO_LONG"));
    }
    match st.callbacks.get_mut(&id) {
        Some(cb) if !cb.answered => cb.answered = true,
        _ => return Err(ApiErr::bad_request(QUERY_INVALID)),
    }
    st.callback_answers.push((id, text));
    ok(json!(true))
}

fn send_chat_action(st: &mut State, p: &Params) -> Outcome {
    let chat_id = target_chat(st, p, Target::Other)?;
    let action = p.str("action").unwrap_or_default();
    if !CHAT_ACTIONS.contains(&action.as_str()) {
        return Err(ApiErr::bad_request("Bad Request: wrong parameter action in request"));
    }
    check_blocked(st, chat_id)?;
    ok(json!(true))
}

/// Validates and canonicalises a `BotCommandScope`.
fn parse_scope(st: &State, p: &Params) -> Result<Value, ApiErr> {
    let invalid = || ApiErr::bad_request("Bad Request: can't parse BotCommandScope JSON object");
    let Some(scope) = p.json("scope", "Bad Request: can't parse BotCommandScope JSON object")? else {
        return Ok(json!({ "type": "default" }));
    };
    let kind = scope.get("type").and_then(Value::as_str).ok_or_else(invalid)?;
    let id_of = |key: &str| match scope.get(key) {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    match kind {
        "default" | "all_private_chats" | "all_group_chats" | "all_chat_administrators" => Ok(json!({ "type": kind })),
        "chat" | "chat_administrators" | "chat_member" => {
            let chat_id = id_of("chat_id").ok_or_else(|| ApiErr::bad_request(CHAT_NOT_FOUND))?;
            if !st.chats.contains_key(&chat_id) {
                return Err(ApiErr::bad_request(CHAT_NOT_FOUND));
            }
            if kind == "chat_administrators" {
                return Err(ApiErr::bad_request("Bad Request: can't change commands in private chats"));
            }
            if kind == "chat_member" {
                let user_id = id_of("user_id").ok_or_else(|| ApiErr::bad_request("Bad Request: user not found"))?;
                return Ok(json!({ "type": kind, "chat_id": chat_id, "user_id": user_id }));
            }
            Ok(json!({ "type": kind, "chat_id": chat_id }))
        }
        _ => Err(ApiErr::bad_request("Bad Request: wrong BotCommandScope type specified")),
    }
}

fn language_code(p: &Params) -> Option<String> {
    p.str("language_code").filter(|l| !l.is_empty())
}

fn set_my_commands(st: &mut State, p: &Params) -> Outcome {
    let list = p
        .json("commands", "Bad Request: can't parse commands JSON object")?
        .ok_or_else(|| ApiErr::bad_request("Bad Request: parameter \"commands\" is required"))?;
    let list =
        list.as_array().ok_or_else(|| ApiErr::bad_request("Bad Request: field \"commands\" must be an Array"))?;
    if list.len() > 100 {
        return Err(ApiErr::bad_request("Bad Request: BOT_COMMANDS_TOO_MUCH"));
    }
    let mut commands = Vec::new();
    for c in list {
        let command = c.get("command").and_then(Value::as_str).unwrap_or("");
        let description = c.get("description").and_then(Value::as_str).unwrap_or("");
        let valid = (1..=32).contains(&command.chars().count())
            && command.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
        if !valid {
            return Err(ApiErr::bad_request("Bad Request: BOT_COMMAND_INVALID"));
        }
        if !(1..=256).contains(&description.chars().count()) {
            return Err(ApiErr::bad_request("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"));
        }
        commands.push((command.to_owned(), description.to_owned()));
    }
    let scope = parse_scope(st, p)?;
    let lang = language_code(p);
    st.commands.retain(|c| !(c.scope == scope && c.language_code == lang));
    if !commands.is_empty() {
        st.commands.push(state::CommandSet { scope, language_code: lang, commands });
    }
    ok(json!(true))
}

fn delete_my_commands(st: &mut State, p: &Params) -> Outcome {
    let scope = parse_scope(st, p)?;
    let lang = language_code(p);
    st.commands.retain(|c| !(c.scope == scope && c.language_code == lang));
    ok(json!(true))
}

fn get_my_commands(st: &mut State, p: &Params) -> Outcome {
    let scope = parse_scope(st, p)?;
    let lang = language_code(p);
    let list: Vec<Value> = st
        .commands
        .iter()
        .find(|c| c.scope == scope && c.language_code == lang)
        .map(|c| c.commands.iter().map(|(c, d)| json!({ "command": c, "description": d })).collect())
        .unwrap_or_default();
    ok(Value::Array(list))
}

fn set_webhook(st: &mut State, p: &Params) -> Outcome {
    let url = p.str("url").unwrap_or_default();
    if url.is_empty() {
        return delete_webhook(st, p);
    }
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("https://") else {
        return Err(ApiErr::bad_request("Bad Request: bad webhook: An HTTPS URL must be provided for webhook"));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if let Some((_, port)) = authority.rsplit_once(':') {
        if !matches!(port, "80" | "88" | "443" | "8443") {
            return Err(ApiErr::bad_request(
                "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
            ));
        }
    }
    let allowed = p.json("allowed_updates", "Bad Request: can't parse allowed updates")?.map(|v| string_list(&v));
    if let Some(list) = &allowed {
        st.allowed_updates = if list.is_empty() { None } else { Some(list.clone()) };
    }
    if p.bool("drop_pending_updates") {
        st.updates.clear();
    }
    let same = st.webhook.as_ref().is_some_and(|w| w.url == url);
    st.webhook = Some(Webhook {
        url,
        max_connections: p.i64("max_connections").unwrap_or(40).clamp(1, 100) as u32,
        allowed_updates: allowed,
    });
    ok_described(json!(true), if same { "Webhook is already set" } else { "Webhook was set" })
}

fn delete_webhook(st: &mut State, p: &Params) -> Outcome {
    if p.bool("drop_pending_updates") {
        st.updates.clear();
    }
    match st.webhook.take() {
        Some(_) => ok_described(json!(true), "Webhook was deleted"),
        None => ok_described(json!(true), "Webhook is already deleted"),
    }
}

fn get_webhook_info(st: &mut State) -> Outcome {
    let mut info = json!({
        "url": "",
        "has_custom_certificate": false,
        "pending_update_count": st.updates.len(),
    });
    if let Some(w) = &st.webhook {
        info["url"] = json!(w.url);
        info["max_connections"] = json!(w.max_connections);
        if let Some(a) = &w.allowed_updates {
            info["allowed_updates"] = json!(a);
        }
    }
    ok(info)
}

fn get_file(st: &mut State, p: &Params) -> Outcome {
    let id = p.str("file_id").unwrap_or_default();
    let f = st.files.get(&id).ok_or_else(|| ApiErr::bad_request("Bad Request: invalid file_id"))?;
    ok(json!({
        "file_id": id,
        "file_unique_id": f.unique_id,
        "file_size": f.size,
        "file_path": f.path,
    }))
}

fn set_bot_text(st: &mut State, p: &Params, kind: &str) -> Outcome {
    let limit = match kind {
        "name" => 64,
        "description" => 512,
        _ => 120,
    };
    let value = p.str(kind).unwrap_or_default();
    if value.chars().count() > limit {
        let err = match kind {
            "name" => "Bad Request: BOT_TITLE_INVALID",
            _ => "Bad Request: BOT_DESCRIPTION_INVALID",
        };
        return Err(ApiErr::bad_request(err));
    }
    let key = (kind.to_owned(), language_code(p).unwrap_or_default());
    if value.is_empty() {
        st.bot_texts.remove(&key);
    } else {
        st.bot_texts.insert(key, value);
    }
    ok(json!(true))
}

fn get_bot_text(st: &mut State, p: &Params, kind: &str) -> Outcome {
    let lang = language_code(p).unwrap_or_default();
    let value = st
        .bot_texts
        .get(&(kind.to_owned(), lang))
        .or_else(|| st.bot_texts.get(&(kind.to_owned(), String::new())))
        .cloned()
        .unwrap_or_else(|| if kind == "name" { st.bot_first_name.clone() } else { String::new() });
    ok(json!({ kind: value }))
}
