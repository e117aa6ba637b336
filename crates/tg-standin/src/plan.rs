//! The fault plan: transport and server faults for the next requests of a method
//! (optionally only those aimed at one chat), each used once, in the order planned.
//! Unlike the per-chat [`crate::Fault`]s, which model what Telegram decides about a
//! chat, these model what goes wrong on the way: an error status, an answer slower
//! than the client waits, a connection dropped mid-answer, a body that is not JSON.
//! `applied` says whether the request took effect before the fault (a message sent,
//! then its answer lost), which is what a bot must not double by retrying.

use std::time::Duration;

/// What one planned request gets instead of its normal answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Injected {
    /// An error envelope with this status and description (`retry_after` goes into
    /// `parameters`, as Telegram's 429 has it).
    Status { code: u16, description: String, retry_after: Option<u32> },
    /// The answer comes after this delay: longer than the client's timeout, a timeout.
    /// Not applied: the request takes effect only after the delay, if anyone still waits.
    Slow(Duration),
    /// Headers, then the connection is dropped mid-body (a reset).
    Reset,
    /// A `200` whose body is not JSON.
    Malformed,
}

impl Injected {
    /// `429 Too Many Requests: retry after N`.
    pub fn too_many(retry_after: u32) -> Self {
        Injected::Status {
            code: 429,
            description: format!("Too Many Requests: retry after {retry_after}"),
            retry_after: Some(retry_after),
        }
    }
    /// `500 Internal Server Error` or `502 Bad Gateway`, ...
    pub fn server(code: u16) -> Self {
        let description = match code {
            500 => "Internal Server Error",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            _ => "Gateway Timeout",
        };
        Injected::Status { code, description: description.to_owned(), retry_after: None }
    }
    /// `403 Forbidden: bot was blocked by the user`, once.
    pub fn blocked() -> Self {
        Injected::Status { code: 403, description: "Forbidden: bot was blocked by the user".into(), retry_after: None }
    }
}

/// One planned fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    /// Lowercased method name (`sendmessage`, `getupdates`).
    pub method: String,
    /// Only requests aimed at this chat (`chat_id`); `None`: any request of the method.
    pub chat: Option<i64>,
    pub fault: Injected,
    /// The request took effect (the message was sent, the updates handed out) before
    /// the fault hid its answer.
    pub applied: bool,
}

impl Planned {
    pub(crate) fn matches(&self, method: &str, chat: Option<i64>) -> bool {
        self.method == method && (self.chat.is_none() || self.chat == chat)
    }
}
