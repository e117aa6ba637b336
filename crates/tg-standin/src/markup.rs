//! Text formatting the way the Bot API applies it: `parse_mode` HTML, explicit
//! `entities`, whitespace trimming and automatic entity detection (bot commands,
//! mentions, URLs).
//!
//! `parse_mode` MarkdownV2 and legacy Markdown are not modelled: a message using them is
//! refused with a 400 that says so ([`UNMODELLED_MARKDOWN`]), so a bot that starts
//! sending them fails loudly here instead of passing unchecked.
//!
//! All entity offsets and lengths are in UTF-16 code units, like Telegram's.

use serde_json::{json, Map, Value};

/// One `MessageEntity`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entity {
    pub kind: String,
    pub offset: usize,
    pub length: usize,
    /// Extra fields (`url`, `language`, `custom_emoji_id`, `user`).
    pub extra: Map<String, Value>,
}

impl Entity {
    fn new(kind: &str, offset: usize, length: usize) -> Self {
        Entity { kind: kind.to_owned(), offset, length, extra: Map::new() }
    }

    fn with(mut self, key: &str, value: Value) -> Self {
        self.extra.insert(key.to_owned(), value);
        self
    }

    pub(crate) fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("type".into(), json!(self.kind));
        m.insert("offset".into(), json!(self.offset));
        m.insert("length".into(), json!(self.length));
        for (k, v) in &self.extra {
            m.insert(k.clone(), v.clone());
        }
        Value::Object(m)
    }

    fn from_json(v: &Value) -> Option<Entity> {
        let o = v.as_object()?;
        let kind = o.get("type")?.as_str()?.to_owned();
        let offset = o.get("offset")?.as_u64()? as usize;
        let length = o.get("length")?.as_u64()? as usize;
        let mut extra = Map::new();
        for key in ["url", "language", "custom_emoji_id", "user"] {
            if let Some(x) = o.get(key) {
                extra.insert(key.to_owned(), x.clone());
            }
        }
        Some(Entity { kind, offset, length, extra })
    }
}

/// Length of a string in UTF-16 code units (Telegram's unit for offsets and
/// length limits).
pub(crate) fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

const PARSE_PREFIX: &str = "Bad Request: can't parse entities: ";

/// The answer to `parse_mode` MarkdownV2 or Markdown, which the stand-in does not parse.
pub(crate) const UNMODELLED_MARKDOWN: &str =
    "Bad Request: parse_mode Markdown and MarkdownV2 are not modelled by the stand-in (use HTML or entities)";

/// Output buffer that tracks its UTF-16 length.
#[derive(Default)]
struct Out {
    text: String,
    u16: usize,
}

impl Out {
    fn push(&mut self, c: char) {
        self.text.push(c);
        self.u16 += c.len_utf16();
    }
}

/// Applies `parse_mode` / explicit `entities` to `raw`, trims surrounding
/// whitespace and adds automatically detected entities. Returns the final
/// text and entities, or a full error description ("Bad Request: ...").
pub(crate) fn format_text(
    raw: &str,
    parse_mode: Option<&str>,
    explicit_entities: Option<&Value>,
) -> Result<(String, Vec<Entity>), String> {
    let (text, mut entities) = match explicit_entities {
        Some(Value::Array(list)) => {
            let mut out = Vec::new();
            for v in list {
                match Entity::from_json(v) {
                    Some(e) => out.push(e),
                    None => return Err("Bad Request: can't parse entities JSON object".into()),
                }
            }
            let total = utf16_len(raw);
            out.retain(|e| e.length > 0 && e.offset + e.length <= total);
            (raw.to_owned(), out)
        }
        Some(_) => return Err("Bad Request: can't parse entities JSON object".into()),
        None => match parse_mode.map(|m| m.to_ascii_lowercase()).as_deref() {
            None | Some("") => (raw.to_owned(), Vec::new()),
            Some("html") => parse_html(raw).map_err(|e| format!("{PARSE_PREFIX}{e}"))?,
            Some("markdownv2") | Some("markdown") => return Err(UNMODELLED_MARKDOWN.into()),
            Some(_) => return Err("Bad Request: unsupported parse_mode".into()),
        },
    };
    let (text, trimmed) = trim(text, std::mem::take(&mut entities));
    let mut all = trimmed;
    add_auto_entities(&text, &mut all);
    sort_entities(&mut all);
    Ok((text, all))
}

/// Entities for text typed by a user in a client: only automatic detection.
pub(crate) fn user_text_entities(text: &str) -> Vec<Entity> {
    let mut v = Vec::new();
    add_auto_entities(text, &mut v);
    sort_entities(&mut v);
    v
}

fn sort_entities(v: &mut [Entity]) {
    v.sort_by(|a, b| a.offset.cmp(&b.offset).then(b.length.cmp(&a.length)));
}

/// Telegram strips leading and trailing whitespace from message texts and
/// captions; entities are shifted/clipped accordingly.
fn trim(text: String, entities: Vec<Entity>) -> (String, Vec<Entity>) {
    let trimmed_start = text.trim_start();
    let lead = utf16_len(&text[..text.len() - trimmed_start.len()]);
    let trimmed = trimmed_start.trim_end();
    if trimmed.len() == text.len() {
        return (text, entities);
    }
    let len = utf16_len(trimmed);
    let out = entities
        .into_iter()
        .filter_map(|mut e| {
            let start = e.offset.max(lead) - lead;
            let end = (e.offset + e.length).min(lead + len).saturating_sub(lead);
            if end > start {
                e.offset = start;
                e.length = end - start;
                Some(e)
            } else {
                None
            }
        })
        .collect();
    (trimmed.to_owned(), out)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Detects `bot_command`, `mention` and `url` entities like Telegram clients
/// and the server do, skipping ranges already covered by code-like entities.
fn add_auto_entities(text: &str, entities: &mut Vec<Entity>) {
    const BLOCKING: [&str; 9] =
        ["code", "pre", "text_link", "text_mention", "url", "mention", "bot_command", "custom_emoji", "email"];
    let chars: Vec<char> = text.chars().collect();
    let mut offs = Vec::with_capacity(chars.len() + 1);
    let mut acc = 0;
    for c in &chars {
        offs.push(acc);
        acc += c.len_utf16();
    }
    offs.push(acc);
    let mut found: Vec<Entity> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let prev_ok = i == 0 || !is_word(chars[i - 1]) && chars[i - 1] != '/' && chars[i - 1] != '@';
        let c = chars[i];
        if c == '/' && (i == 0 || chars[i - 1].is_whitespace()) {
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            let cmd_len = j - i - 1;
            // "/usr/bin" is a path, not a command.
            if (1..=64).contains(&cmd_len) && chars.get(j) != Some(&'/') {
                if j < chars.len() && chars[j] == '@' {
                    let mut k = j + 1;
                    while k < chars.len() && (chars[k].is_ascii_alphanumeric() || chars[k] == '_') {
                        k += 1;
                    }
                    if (3..=32).contains(&(k - j - 1)) {
                        j = k;
                    }
                }
                found.push(Entity::new("bot_command", offs[i], offs[j] - offs[i]));
                i = j;
                continue;
            }
        }
        if c == '@' && prev_ok {
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            if (5..=32).contains(&(j - i - 1)) {
                found.push(Entity::new("mention", offs[i], offs[j] - offs[i]));
                i = j;
                continue;
            }
        }
        if (c == 'h' || c == 'H') && prev_ok {
            let rest: String = chars[i..chars.len().min(i + 8)].iter().collect::<String>();
            let lower = rest.to_ascii_lowercase();
            let scheme = if lower.starts_with("https://") {
                8
            } else if lower.starts_with("http://") {
                7
            } else {
                0
            };
            if scheme > 0 {
                let mut j = i + scheme;
                while j < chars.len() && !chars[j].is_whitespace() {
                    j += 1;
                }
                while j > i + scheme && ".,;:!?)\"'»”".contains(chars[j - 1]) {
                    j -= 1;
                }
                if j > i + scheme {
                    found.push(Entity::new("url", offs[i], offs[j] - offs[i]));
                    i = j;
                    continue;
                }
            }
        }
        i += 1;
    }
    for e in found {
        let overlaps = entities.iter().any(|x| {
            BLOCKING.contains(&x.kind.as_str()) && x.offset < e.offset + e.length && e.offset < x.offset + x.length
        });
        if !overlaps {
            entities.push(e);
        }
    }
}

// ---------------------------------------------------------------- HTML ----

const HTML_TAGS: [&str; 16] = [
    "a",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "tg-emoji",
    "code",
    "pre",
    "blockquote",
];

struct OpenTag {
    tag: String,
    start: usize,
    attrs: Vec<(String, String)>,
    language: Option<String>,
}

/// Decodes an HTML entity at the start of `s` (which starts with '&').
/// Returns the character and the number of bytes consumed.
fn decode_html_entity(s: &str) -> Option<(char, usize)> {
    let end = s[..s.len().min(12)].find(';')?;
    let body = &s[1..end];
    let c = match body {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        _ => {
            let code = if let Some(hex) = body.strip_prefix("#x").or_else(|| body.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()?
            } else if let Some(dec) = body.strip_prefix('#') {
                dec.parse::<u32>().ok()?
            } else {
                return None;
            };
            if code == 0 {
                return None;
            }
            char::from_u32(code)?
        }
    };
    Some((c, end + 1))
}

fn decode_html_entities(s: &str) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if rest.starts_with('&') {
            if let Some((c, n)) = decode_html_entity(rest) {
                out.push(c);
                i += n;
                continue;
            }
        }
        let c = rest.chars().next().unwrap_or('\0');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

pub(crate) fn parse_html(s: &str) -> Result<(String, Vec<Entity>), String> {
    let b = s.as_bytes();
    let n = b.len();
    let mut out = Out::default();
    let mut stack: Vec<OpenTag> = Vec::new();
    let mut entities = Vec::new();
    let mut i = 0;
    while i < n {
        match b[i] {
            b'&' => {
                if let Some((c, len)) = decode_html_entity(&s[i..]) {
                    out.push(c);
                    i += len;
                } else {
                    out.push('&');
                    i += 1;
                }
            }
            b'<' => {
                let begin = i;
                if i + 1 < n && b[i + 1] == b'/' {
                    let mut j = i + 2;
                    while j < n && b[j] != b'>' {
                        j += 1;
                    }
                    if j >= n {
                        return Err(format!("Unclosed end tag at byte offset {begin}"));
                    }
                    let name = s[i + 2..j].trim().to_ascii_lowercase();
                    let Some(open) = stack.pop() else {
                        return Err(format!("Unexpected end tag at byte offset {begin}"));
                    };
                    if open.tag != name {
                        return Err(format!(
                            "Unmatched end tag at byte offset {begin}, expected \"</{}>\", found \"</{}>\"",
                            open.tag, name
                        ));
                    }
                    close_html_tag(open, &out, &mut stack, &mut entities);
                    i = j + 1;
                } else {
                    let mut j = i + 1;
                    while j < n && (b[j].is_ascii_alphanumeric() || b[j] == b'-') {
                        j += 1;
                    }
                    let name = s[i + 1..j].to_ascii_lowercase();
                    if !HTML_TAGS.contains(&name.as_str()) {
                        return Err(format!("Unsupported start tag \"{name}\" at byte offset {begin}"));
                    }
                    let mut attrs: Vec<(String, String)> = Vec::new();
                    loop {
                        while j < n && b[j].is_ascii_whitespace() {
                            j += 1;
                        }
                        if j >= n {
                            return Err(format!("Unclosed start tag at byte offset {begin}"));
                        }
                        if b[j] == b'>' {
                            j += 1;
                            break;
                        }
                        let name_start = j;
                        while j < n && (b[j].is_ascii_alphanumeric() || b[j] == b'-' || b[j] == b'_') {
                            j += 1;
                        }
                        if j == name_start {
                            return Err(format!("Empty attribute name in the tag \"{name}\" at byte offset {j}"));
                        }
                        let attr = s[name_start..j].to_ascii_lowercase();
                        while j < n && b[j].is_ascii_whitespace() {
                            j += 1;
                        }
                        if j < n && b[j] == b'=' {
                            j += 1;
                            while j < n && b[j].is_ascii_whitespace() {
                                j += 1;
                            }
                            if j >= n {
                                return Err(format!("Unclosed start tag at byte offset {begin}"));
                            }
                            let value;
                            if b[j] == b'"' || b[j] == b'\'' {
                                let q = b[j];
                                let vs = j + 1;
                                let mut k = vs;
                                while k < n && b[k] != q {
                                    k += 1;
                                }
                                if k >= n {
                                    return Err(format!("Unclosed start tag at byte offset {begin}"));
                                }
                                value = decode_html_entities(&s[vs..k]);
                                j = k + 1;
                            } else {
                                let vs = j;
                                while j < n && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                                    j += 1;
                                }
                                value = decode_html_entities(&s[vs..j]);
                            }
                            attrs.push((attr, value));
                        } else if name == "blockquote" && attr == "expandable" {
                            attrs.push((attr, String::new()));
                        } else {
                            return Err(format!(
                                "Expected equal sign in declaration of an attribute of the tag \"{name}\" at byte offset {j}"
                            ));
                        }
                    }
                    if name == "span" && !attrs.iter().any(|(k, v)| k == "class" && v == "tg-spoiler") {
                        return Err(format!("Tag \"span\" must have class \"tg-spoiler\" at byte offset {begin}"));
                    }
                    stack.push(OpenTag { tag: name, start: out.u16, attrs, language: None });
                    i = j;
                }
            }
            _ => {
                let c = s[i..].chars().next().unwrap_or('\0');
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("Can't find end tag corresponding to start tag \"{}\"", open.tag));
    }
    Ok((out.text, entities))
}

fn close_html_tag(open: OpenTag, out: &Out, stack: &mut [OpenTag], entities: &mut Vec<Entity>) {
    let length = out.u16 - open.start;
    let attr = |k: &str| open.attrs.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone());
    let entity = match open.tag.as_str() {
        "b" | "strong" => Some(Entity::new("bold", open.start, length)),
        "i" | "em" => Some(Entity::new("italic", open.start, length)),
        "u" | "ins" => Some(Entity::new("underline", open.start, length)),
        "s" | "strike" | "del" => Some(Entity::new("strikethrough", open.start, length)),
        "span" | "tg-spoiler" => Some(Entity::new("spoiler", open.start, length)),
        "a" => match attr("href") {
            Some(url) if !url.is_empty() => Some(Entity::new("text_link", open.start, length).with("url", json!(url))),
            _ => None,
        },
        "tg-emoji" => attr("emoji-id")
            .map(|id| Entity::new("custom_emoji", open.start, length).with("custom_emoji_id", json!(id))),
        "code" => {
            let lang = attr("class").and_then(|c| c.strip_prefix("language-").map(str::to_owned));
            match stack.last_mut() {
                Some(parent) if parent.tag == "pre" && parent.start == open.start => {
                    parent.language = lang;
                    None
                }
                _ => Some(Entity::new("code", open.start, length)),
            }
        }
        "pre" => {
            let e = Entity::new("pre", open.start, length);
            Some(match open.language {
                Some(l) if !l.is_empty() => e.with("language", json!(l)),
                _ => e,
            })
        }
        "blockquote" => {
            if attr("expandable").is_some() {
                Some(Entity::new("expandable_blockquote", open.start, length))
            } else {
                Some(Entity::new("blockquote", open.start, length))
            }
        }
        _ => None,
    };
    if let Some(e) = entity {
        if e.length > 0 {
            entities.push(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(v: &[Entity]) -> Vec<(&str, usize, usize)> {
        v.iter().map(|e| (e.kind.as_str(), e.offset, e.length)).collect()
    }

    #[test]
    fn html_basic() {
        let (t, e) = parse_html("<b>hi</b> &lt;x&gt; <a href=\"https://a.b\">l</a>").unwrap();
        assert_eq!(t, "hi <x> l");
        assert_eq!(kinds(&e), vec![("bold", 0, 2), ("text_link", 7, 1)]);
        assert!(parse_html("a < b").unwrap_err().contains("Unsupported start tag \"\""));
        assert!(parse_html("<b>x").unwrap_err().contains("Can't find end tag"));
        assert!(parse_html("<b>x</i>").unwrap_err().contains("Unmatched end tag"));
        let (t, e) = parse_html("<pre><code class=\"language-rust\">fn</code></pre>").unwrap();
        assert_eq!(t, "fn");
        assert_eq!(e[0].extra.get("language"), Some(&json!("rust")));
    }

    #[test]
    fn markdown_is_refused_not_guessed() {
        for mode in ["MarkdownV2", "Markdown"] {
            assert_eq!(format_text("*b*", Some(mode), None).unwrap_err(), UNMODELLED_MARKDOWN);
        }
        assert_eq!(format_text("x", Some("rtf"), None).unwrap_err(), "Bad Request: unsupported parse_mode");
    }

    #[test]
    fn trimming_and_auto() {
        let (t, e) = format_text("  <b>x</b> /start@bot_x https://a.b/c.  ", Some("HTML"), None).unwrap();
        assert_eq!(t, "x /start@bot_x https://a.b/c.");
        assert_eq!(kinds(&e), vec![("bold", 0, 1), ("bot_command", 2, 12), ("url", 15, 13)]);
        assert_eq!(utf16_len("😀a"), 3);
        assert!(user_text_entities("see /usr/bin").is_empty());
    }
}
