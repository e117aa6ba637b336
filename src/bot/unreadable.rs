//! A `getUpdates` answer teloxide cannot read. teloxide reads an update of a kind or
//! shape it does not know as `UpdateKind::Error`, but some answers fail whole: an
//! update nested deeper than serde_json's limit (128), say. Asking again gets the same
//! answer, so a poller that only retries stops for good on one such update (other bots
//! have, in production). The poller fetches one update at a time up to it, then skips
//! it, as it reads past updates of kinds it cannot handle.
//!
//! A garbled answer (cut short, not JSON) is not one of these: it is asked for again.

use serde::Deserialize;

/// The first update id of an answer that is whole (`ok`, updates with their ids) though
/// teloxide could not read it; `None` for anything else, a garbled answer included.
/// Unknown fields are skipped without recursion (serde_json skips them with its own
/// stack), so an update nested too deep for teloxide does not stop this.
pub fn first_update_id(raw: &str) -> Option<u32> {
    #[derive(Deserialize)]
    struct Answer {
        ok: bool,
        result: Vec<Item>,
    }
    #[derive(Deserialize)]
    struct Item {
        update_id: u32,
    }
    let answer: Answer = serde_json::from_str(raw).ok()?;
    answer.ok.then_some(())?;
    answer.result.first().map(|item| item.update_id)
}

/// The `getUpdates` offset that confirms update `id` and every one before it; `None`
/// past the range Telegram's offsets have (update ids fit it).
pub fn offset_after(id: u32) -> Option<i32> {
    i32::try_from(id).ok()?.checked_add(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A message whose `reply_to_message` nests `depth` messages.
    fn nested(depth: usize) -> serde_json::Value {
        let mut m = json!({ "message_id": 1, "date": 1, "chat": { "id": 5, "type": "private", "first_name": "A" }, "text": "x" });
        for i in 0..depth {
            m = json!({ "message_id": i + 2, "date": 1, "chat": { "id": 5, "type": "private", "first_name": "A" },
                "text": "x", "reply_to_message": m });
        }
        m
    }

    #[test]
    fn an_update_too_deep_for_teloxide_is_found_by_its_id() {
        let raw = json!({ "ok": true, "result": [{ "update_id": 41, "message": nested(300) }] }).to_string();
        // As teloxide reads an answer: from the text, into its types.
        #[derive(Debug, Deserialize)]
        struct Teloxide {
            #[allow(dead_code)]
            result: Vec<teloxide::types::Update>,
        }
        let read = serde_json::from_str::<Teloxide>(&raw);
        assert!(read.is_err_and(|e| e.to_string().contains("recursion limit")), "too deep for serde_json's limit");
        assert_eq!(first_update_id(&raw), Some(41));
    }

    #[test]
    fn a_garbled_or_refused_answer_is_not_skipped() {
        assert_eq!(first_update_id("{\"ok\":true,\"result\":[{\"upd"), None, "cut short");
        assert_eq!(first_update_id("<html>502</html>"), None, "not JSON");
        assert_eq!(first_update_id(r#"{"ok":false,"error_code":500,"description":"x"}"#), None, "an error");
        assert_eq!(first_update_id(r#"{"ok":true,"result":[]}"#), None, "no updates");
        assert_eq!(first_update_id(r#"{"ok":true,"result":[{"message":{}}]}"#), None, "no update id");
        // A text that spells an update id is a string, not a field.
        let raw = json!({ "ok": true, "result": [{ "update_id": 7, "message": { "text": "\"update_id\": 99" } }] });
        assert_eq!(first_update_id(&raw.to_string()), Some(7));
    }

    #[test]
    fn offsets_stay_in_telegrams_range() {
        assert_eq!(offset_after(0), Some(1));
        assert_eq!(offset_after(41), Some(42));
        assert_eq!(offset_after(i32::MAX as u32), None);
        assert_eq!(offset_after(u32::MAX), None);
    }
}
