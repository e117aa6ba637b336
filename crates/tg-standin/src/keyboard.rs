//! `reply_markup` parsing and validation.

use serde_json::{json, Map, Value};

use crate::Button;

/// Fields of an `InlineKeyboardButton` that make it do something; exactly one
/// must be present.
const ACTIONS: [&str; 10] = [
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
];

/// A validated `reply_markup`.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Markup {
    /// Normalised `{"inline_keyboard": [[...]]}`, `None` if absent or empty.
    pub inline: Option<Value>,
    /// A non-inline markup (reply keyboard, remove keyboard, force reply).
    pub other: Option<Value>,
}

impl Markup {
    pub(crate) fn buttons(&self) -> Vec<Vec<Button>> {
        buttons_of(self.inline.as_ref())
    }
}

pub(crate) fn buttons_of(inline: Option<&Value>) -> Vec<Vec<Button>> {
    let Some(rows) = inline.and_then(|v| v.get("inline_keyboard")).and_then(Value::as_array) else {
        return Vec::new();
    };
    rows.iter()
        .filter_map(Value::as_array)
        .map(|row| {
            row.iter()
                .map(|b| Button {
                    text: b.get("text").and_then(Value::as_str).unwrap_or("").to_owned(),
                    callback_data: b.get("callback_data").and_then(Value::as_str).map(str::to_owned),
                    url: b.get("url").and_then(Value::as_str).map(str::to_owned),
                })
                .collect()
        })
        .collect()
}

const BAD_MARKUP: &str = "Bad Request: can't parse reply keyboard markup JSON object";
const BUTTON_PREFIX: &str = "Bad Request: can't parse inline keyboard button: ";

/// Validates a `reply_markup` value (already decoded from a JSON string if
/// it came from a form).
pub(crate) fn parse_markup(v: Option<&Value>) -> Result<Markup, String> {
    let Some(v) = v else {
        return Ok(Markup::default());
    };
    let Some(obj) = v.as_object() else {
        return Err(BAD_MARKUP.into());
    };
    if let Some(kb) = obj.get("inline_keyboard") {
        let not_array = || {
            "Bad Request: field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays".to_owned()
        };
        let rows = kb.as_array().ok_or_else(not_array)?;
        let mut out_rows = Vec::new();
        for row in rows {
            let row = row.as_array().ok_or_else(not_array)?;
            let mut out_row = Vec::new();
            for button in row {
                out_row.push(validate_button(button)?);
            }
            if !out_row.is_empty() {
                out_rows.push(Value::Array(out_row));
            }
        }
        let inline = if out_rows.is_empty() { None } else { Some(json!({ "inline_keyboard": out_rows })) };
        return Ok(Markup { inline, other: None });
    }
    if obj.contains_key("keyboard") || obj.contains_key("remove_keyboard") || obj.contains_key("force_reply") {
        if let Some(kb) = obj.get("keyboard") {
            let ok = kb.as_array().is_some_and(|rows| rows.iter().all(Value::is_array));
            if !ok {
                return Err(
                    "Bad Request: field \"keyboard\" of the ReplyKeyboardMarkup should be an Array of Arrays".into()
                );
            }
        }
        return Ok(Markup { inline: None, other: Some(v.clone()) });
    }
    Err(BAD_MARKUP.into())
}

fn validate_button(button: &Value) -> Result<Value, String> {
    let Some(obj) = button.as_object() else {
        return Err(format!("{BUTTON_PREFIX}InlineKeyboardButton must be an Object"));
    };
    let text = match obj.get("text") {
        Some(Value::String(s)) => s,
        Some(_) => return Err(format!("{BUTTON_PREFIX}Field \"text\" must be of type String")),
        None => return Err(format!("{BUTTON_PREFIX}Can't find field \"text\"")),
    };
    if text.trim().is_empty() {
        return Err("Bad Request: BUTTON_TEXT_INVALID".into());
    }
    let mut out = Map::new();
    out.insert("text".into(), json!(text));
    let mut actions = 0;
    for key in ACTIONS {
        match obj.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.is_empty() && key == "callback_data" => {}
            Some(v) => {
                actions += 1;
                out.insert(key.to_owned(), v.clone());
            }
        }
    }
    if actions == 0 {
        return Err(format!("{BUTTON_PREFIX}Text buttons are unallowed in the inline keyboard"));
    }
    if let Some(data) = out.get("callback_data") {
        let Some(data) = data.as_str() else {
            return Err(format!("{BUTTON_PREFIX}Field \"callback_data\" must be of type String"));
        };
        if data.len() > 64 {
            return Err("Bad Request: BUTTON_DATA_INVALID".into());
        }
    }
    if let Some(url) = out.get("url") {
        if !url.as_str().is_some_and(valid_button_url) {
            return Err("Bad Request: BUTTON_URL_INVALID".into());
        }
    }
    Ok(Value::Object(out))
}

fn valid_button_url(url: &str) -> bool {
    if url.is_empty() || url.chars().any(char::is_whitespace) {
        return false;
    }
    let lower = url.to_ascii_lowercase();
    match lower.split_once("://") {
        Some((scheme, rest)) => matches!(scheme, "http" | "https" | "tg" | "ton") && !rest.is_empty(),
        // Telegram accepts scheme-less links such as "t.me/foo".
        None => !lower.contains(':') && lower.contains('.'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_buttons() {
        let ok = json!({"inline_keyboard":[[{"text":"a","callback_data":"x"}],[]]});
        let m = parse_markup(Some(&ok)).unwrap();
        assert_eq!(m.buttons().len(), 1);
        let long = json!({"inline_keyboard":[[{"text":"a","callback_data":"x".repeat(65)}]]});
        assert_eq!(parse_markup(Some(&long)).unwrap_err(), "Bad Request: BUTTON_DATA_INVALID");
        let text_only = json!({"inline_keyboard":[[{"text":"a"}]]});
        assert!(parse_markup(Some(&text_only)).unwrap_err().contains("Text buttons are unallowed"));
        let empty = json!({"inline_keyboard":[]});
        assert_eq!(parse_markup(Some(&empty)).unwrap(), Markup::default());
        assert!(parse_markup(Some(&json!([1]))).is_err());
    }
}
