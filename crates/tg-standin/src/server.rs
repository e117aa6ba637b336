//! HTTP layer: routing `/bot<token>/<method>` and `/file/bot<token>/<path>`,
//! decoding parameters from query strings, JSON, url-encoded forms and
//! multipart bodies, and wrapping results in the Bot API envelope.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::oneshot;

use crate::methods;
use crate::plan::Injected;
use crate::protocol::{envelope, ApiErr, Outcome, Params, UploadedFile};
use crate::{ApiCall, Inner, TOKEN};

/// Telegram accepts uploads up to 50 MB; leave room for multipart overhead.
const BODY_LIMIT: usize = 64 * 1024 * 1024;

pub(crate) async fn serve(listener: tokio::net::TcpListener, inner: Arc<Inner>, stop: oneshot::Receiver<()>) {
    let app = Router::new().fallback(handle).with_state(inner).layer(DefaultBodyLimit::max(BODY_LIMIT));
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = stop.await;
        })
        .await;
    if let Err(e) = result {
        log::error!("stand-in server failed: {e}");
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Shaped like `<digits>:<token chars>` — such tokens get 401, others 404.
fn token_shaped(token: &str) -> bool {
    match token.split_once(':') {
        Some((id, secret)) => {
            !id.is_empty()
                && id.bytes().all(|c| c.is_ascii_digit())
                && !secret.is_empty()
                && secret.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
        }
        None => false,
    }
}

fn json_response(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

async fn read_params(req: Request) -> Result<Params, ApiErr> {
    let mut params = Params::default();
    if let Ok(Query(pairs)) = Query::<Vec<(String, String)>>::try_from_uri(req.uri()) {
        for (k, v) in pairs {
            params.map.insert(k, Value::String(v));
        }
    }
    let content_type =
        req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let mut mp = Multipart::from_request(req, &())
            .await
            .map_err(|e| ApiErr::bad_request(&format!("Bad Request: {}", e.body_text())))?;
        loop {
            let field = match mp.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(ApiErr::new(413, "Request Entity Too Large"))
                }
                Err(e) => return Err(ApiErr::bad_request(&format!("Bad Request: {}", e.body_text()))),
            };
            let name = field.name().unwrap_or("").to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let part_type = field.content_type().map(str::to_owned);
            let bytes = field.bytes().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiErr::new(413, "Request Entity Too Large")
                } else {
                    ApiErr::bad_request(&format!("Bad Request: {}", e.body_text()))
                }
            })?;
            if file_name.is_some() {
                let file_name = file_name.filter(|n| !n.is_empty());
                params.files.insert(name, UploadedFile { file_name, content_type: part_type, bytes: bytes.to_vec() });
            } else {
                params.map.insert(name, Value::String(String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
        return Ok(params);
    }
    let body = Bytes::from_request(req, &()).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiErr::new(413, "Request Entity Too Large")
        } else {
            ApiErr::bad_request("Bad Request: can't read request body")
        }
    })?;
    if body.is_empty() {
        return Ok(params);
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let text = String::from_utf8_lossy(&body);
        for pair in text.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| percent_decode(&s.replace('+', " "));
            params.map.insert(decode(k), Value::String(decode(v)));
        }
        return Ok(params);
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(m)) => {
            params.map.extend(m);
            Ok(params)
        }
        _ if content_type.starts_with("application/json") => {
            Err(ApiErr::bad_request("Bad Request: can't parse JSON object"))
        }
        // Unknown content type: Telegram ignores bodies it can't decode.
        _ => Ok(params),
    }
}

fn record_call(inner: &Inner, method: String, params: Value, at: Instant) -> usize {
    let mut st = inner.lock();
    st.calls.push(ApiCall { method, params, at, status: 0 });
    st.calls.len() - 1
}

fn finish_call(inner: &Inner, idx: usize, status: u16) {
    if let Some(c) = inner.lock().calls.get_mut(idx) {
        c.status = status;
    }
}

async fn handle(State(inner): State<Arc<Inner>>, req: Request) -> Response {
    let at = Instant::now();
    let path = percent_decode(req.uri().path());
    if let Some(rest) = path.strip_prefix("/file/bot") {
        return download(&inner, rest, at);
    }
    let Some(rest) = path.strip_prefix("/bot") else {
        let idx = record_call(&inner, String::new(), json!({}), at);
        let (status, body) = envelope(&Err(ApiErr::not_found()));
        finish_call(&inner, idx, status);
        return json_response(status, &body);
    };
    let (token, method) = rest.split_once('/').unwrap_or((rest, ""));
    let method = method.to_ascii_lowercase();
    let params = read_params(req).await;
    let recorded = params.as_ref().map(Params::record).unwrap_or_else(|_| json!({}));
    let idx = record_call(&inner, method.clone(), recorded, at);
    if let Ok(p) = &params {
        if method.starts_with("send") && hang(&inner, p).await {
            let (status, body) = envelope(&Err(ApiErr::new(504, "Gateway Timeout")));
            finish_call(&inner, idx, status);
            return json_response(status, &body);
        }
    }
    let chat = params.as_ref().ok().and_then(|p| p.i64("chat_id"));
    let planned = {
        let mut st = inner.lock();
        let at = st.plan.iter().position(|f| f.matches(&method, chat));
        at.map(|i| st.plan.remove(i))
    };
    if let Some(planned) = planned {
        let outcome = match planned.applied {
            true => Some(answer(&inner, token, &method, params).await),
            false => None,
        };
        inner.msgs_notify.notify_waiters();
        return faulty(&inner, idx, planned.fault, outcome).await;
    }
    let outcome = answer(&inner, token, &method, params).await;
    let (status, body) = envelope(&outcome);
    finish_call(&inner, idx, status);
    inner.msgs_notify.notify_waiters();
    json_response(status, &body)
}

/// A planned fault's answer (`outcome`: what the request did, when it was applied).
async fn faulty(inner: &Inner, idx: usize, fault: Injected, outcome: Option<Outcome>) -> Response {
    let (status, body) = match fault {
        Injected::Status { code, description, retry_after } => {
            let mut e = ApiErr::new(code, &description);
            e.parameters = retry_after.map(|r| json!({ "retry_after": r }));
            envelope(&Err(e))
        }
        Injected::Slow(delay) => {
            tokio::time::sleep(delay).await;
            envelope(&outcome.unwrap_or_else(|| Err(ApiErr::new(504, "Gateway Timeout"))))
        }
        Injected::Reset => {
            // Status 0 stays recorded: no answer ever arrived.
            let reset = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "injected connection reset");
            let body = axum::body::Body::from_stream(futures_util::stream::once(async move { Err::<Bytes, _>(reset) }));
            return (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], body).into_response();
        }
        Injected::Malformed => {
            finish_call(inner, idx, 200);
            return (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], "{\"ok\":true,\"result\":[{\"upd")
                .into_response();
        }
    };
    finish_call(inner, idx, status);
    json_response(status, &body)
}

/// The method's normal outcome.
async fn answer(inner: &Arc<Inner>, token: &str, method: &str, params: Result<Params, ApiErr>) -> Outcome {
    if token != TOKEN {
        if token_shaped(token) {
            Err(ApiErr::new(401, "Unauthorized"))
        } else {
            Err(ApiErr::not_found())
        }
    } else if method.is_empty() || method.contains('/') {
        Err(ApiErr::not_found())
    } else {
        match params {
            Ok(p) => methods::call(inner, method, &p).await,
            Err(e) => Err(e),
        }
    }
}

/// Waits while the target chat has a [`Fault::Hang`]; true if it had one.
async fn hang(inner: &Inner, p: &Params) -> bool {
    let Some(chat) = p.i64("chat_id") else { return false };
    let hung = || inner.lock().faults.get(&chat) == Some(&crate::Fault::Hang);
    if !hung() {
        return false;
    }
    while hung() {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    true
}

fn download(inner: &Inner, rest: &str, at: Instant) -> Response {
    let (token, file_path) = rest.split_once('/').unwrap_or((rest, ""));
    let idx = record_call(inner, "file".into(), json!({ "file_path": file_path }), at);
    let found = if token == TOKEN {
        let st = inner.lock();
        st.file_paths.get(file_path).and_then(|id| st.files.get(id)).and_then(|f| f.bytes.clone())
    } else {
        None
    };
    match found {
        Some(bytes) => {
            finish_call(inner, idx, 200);
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response()
        }
        None => {
            let (status, body) = envelope(&Err(ApiErr::not_found()));
            finish_call(inner, idx, status);
            json_response(status, &body)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(percent_decode("a%3Ab%2"), "a:b%2");
        assert!(token_shaped("1:abc-_D"));
        assert!(!token_shaped("abc"));
        assert!(!token_shaped("1:"));
    }
}
