//! The types the HTTP layer (`server`) and the methods (`methods`) share: decoded request
//! parameters, a method's outcome (a result or a Bot API error) and the response
//! envelope. `server` decodes requests into [`Params`], calls `methods`, and wraps the
//! [`Outcome`] with [`envelope`]; `methods` knows nothing of HTTP. So the imports point
//! one way: `server` -> `methods` -> `protocol`.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

/// An error response.
#[derive(Debug)]
pub(crate) struct ApiErr {
    pub code: u16,
    pub description: String,
    pub parameters: Option<Value>,
}

impl ApiErr {
    pub(crate) fn new(code: u16, description: &str) -> Self {
        ApiErr { code, description: description.to_owned(), parameters: None }
    }
    pub(crate) fn bad_request(description: &str) -> Self {
        Self::new(400, description)
    }
    pub(crate) fn not_found() -> Self {
        Self::new(404, "Not Found")
    }
}

/// A successful result, optionally with the envelope's `description`.
pub(crate) struct Success {
    pub result: Value,
    pub description: Option<&'static str>,
}

pub(crate) type Outcome = Result<Success, ApiErr>;

/// One multipart part (or, for JSON/form requests, nothing).
pub(crate) struct UploadedFile {
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// Decoded request parameters.
#[derive(Default)]
pub(crate) struct Params {
    pub map: Map<String, Value>,
    /// Multipart parts that carried a file name (uploads), by part name.
    pub files: HashMap<String, UploadedFile>,
}

impl Params {
    pub(crate) fn get(&self, k: &str) -> Option<&Value> {
        self.map.get(k).filter(|v| !v.is_null())
    }

    pub(crate) fn has(&self, k: &str) -> bool {
        self.get(k).is_some()
    }

    /// A parameter as a string (numbers and booleans are stringified).
    pub(crate) fn str(&self, k: &str) -> Option<String> {
        match self.get(k)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            other => Some(other.to_string()),
        }
    }

    pub(crate) fn i64(&self, k: &str) -> Option<i64> {
        match self.get(k)? {
            Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub(crate) fn bool(&self, k: &str) -> bool {
        match self.get(k) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => {
                matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "1")
            }
            Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
            _ => false,
        }
    }

    /// A JSON-typed parameter; form/multipart clients send these as JSON
    /// strings. `err` is the description used when it does not parse.
    pub(crate) fn json(&self, k: &str, err: &str) -> Result<Option<Value>, ApiErr> {
        match self.get(k) {
            None => Ok(None),
            Some(Value::String(s)) => serde_json::from_str(s).map(Some).map_err(|_| ApiErr::bad_request(err)),
            Some(v) => Ok(Some(v.clone())),
        }
    }

    /// The parameters as recorded in [`crate::ApiCall::params`] (uploads as name and size).
    pub(crate) fn record(&self) -> Value {
        let mut m = self.map.clone();
        for (name, f) in &self.files {
            m.insert(name.clone(), json!({ "file_name": f.file_name, "size": f.bytes.len() }));
        }
        Value::Object(m)
    }
}

/// The Bot API's response envelope and HTTP status: `{"ok": true, "result": ..}`, or
/// `{"ok": false, "error_code": .., "description": .., "parameters": ..}`.
pub(crate) fn envelope(outcome: &Outcome) -> (u16, Value) {
    match outcome {
        Ok(s) => {
            let mut body = json!({ "ok": true, "result": s.result });
            if let Some(d) = s.description {
                body["description"] = json!(d);
            }
            (200, body)
        }
        Err(e) => {
            let mut body = json!({ "ok": false, "error_code": e.code, "description": e.description });
            if let Some(p) = &e.parameters {
                body["parameters"] = p.clone();
            }
            (e.code, body)
        }
    }
}
