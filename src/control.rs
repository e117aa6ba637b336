//! The command line's way into a running bot. sled lets one process open a database
//! (it holds a file lock), so while `huzhu run` runs, `huzhu backup` and `huzhu import`
//! cannot open it themselves: they ask the bot over a Unix socket beside the database
//! (`<db path>.sock`, mode 0600, made by `huzhu run`). With no bot answering there,
//! they open the database directly.
//!
//! Protocol: one JSON `Request` line; the answer's first line is `{"ok":true}` or
//! `{"error":"..."}` (an import's carries its summary), then, for a backup, the backup
//! file's lines until the end of the stream.
//!
//! Invariants: the bot's side only reads a snapshot or calls the service (`import` is a
//! service use case); it never writes a file the client names.

use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::domain::CentreId;
use crate::import::ImportFamily;
use crate::service::{ImportSummary, Service};
use crate::store::backup::write_backup;

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    Backup,
    Import { centre: CentreId, families: Vec<ImportFamily> },
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Answer {
    #[serde(default)]
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported: Option<ImportSummary>,
}

/// Where the control socket of the database at `db` is.
pub fn socket_path(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".sock");
    PathBuf::from(s)
}

/// Answers one request with the service (on the bot's side, or in the command line's
/// own process when no bot runs), writing the answer to `out`.
pub fn answer(svc: &Service, req: Request, out: &mut impl Write) -> std::io::Result<()> {
    match req {
        Request::Backup => match svc.store().consistent_snapshot() {
            Ok(snap) => {
                serde_json::to_writer(&mut *out, &Answer { ok: true, ..Answer::default() })?;
                out.write_all(b"\n")?;
                write_backup(out, &snap, svc.now())?;
            }
            Err(e) => refuse(out, &e.to_string())?,
        },
        Request::Import { centre, families } => match svc.import_families(centre, &families) {
            Ok(sum) => {
                serde_json::to_writer(&mut *out, &Answer { ok: true, imported: Some(sum), ..Answer::default() })?;
                out.write_all(b"\n")?;
            }
            Err(e) => refuse(out, &e.to_string())?,
        },
    }
    out.flush()
}

fn refuse(out: &mut impl Write, why: &str) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, &Answer { error: Some(why.to_string()), ..Answer::default() })?;
    out.write_all(b"\n")
}

/// The bot's side: listens on the socket until the task is dropped. A stale socket
/// file (left by a killed bot) is replaced; the database lock guarantees no other bot
/// uses this database.
pub fn listen(svc: Arc<Service>, path: PathBuf) -> std::io::Result<tokio::task::JoinHandle<()>> {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::remove_file(&path);
    let listener = tokio::net::UnixListener::bind(&path)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    Ok(tokio::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((s, _)) => s,
                Err(e) => {
                    log::warn!("control socket: {e}");
                    continue;
                }
            };
            let svc = svc.clone();
            // Each request runs on the blocking pool: snapshots and imports touch the store.
            tokio::spawn(async move {
                let r = async {
                    let std = stream.into_std()?;
                    std.set_nonblocking(false)?;
                    tokio::task::spawn_blocking(move || serve_one(&svc, std)).await.map_err(std::io::Error::other)?
                };
                if let Err(e) = r.await {
                    log::warn!("control request failed: {e}");
                }
            });
        }
    }))
}

fn serve_one(svc: &Service, stream: UnixStream) -> std::io::Result<()> {
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line)?;
    let mut out = std::io::BufWriter::new(&stream);
    match serde_json::from_str::<Request>(&line) {
        Ok(req) => {
            log::info!("control request: {}", if matches!(req, Request::Backup) { "backup" } else { "import" });
            answer(svc, req, &mut out)
        }
        Err(e) => refuse(&mut out, &format!("not a request: {e}")),
    }
}

/// The command line's side: sends `req` to a running bot. None: no bot answers there.
pub fn ask(db: &Path, req: &Request) -> std::io::Result<Option<BufReader<UnixStream>>> {
    let mut stream = match UnixStream::connect(socket_path(db)) {
        Ok(s) => s,
        Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused) => {
            return Ok(None)
        }
        Err(e) => return Err(e),
    };
    serde_json::to_writer(&mut stream, req)?;
    stream.write_all(b"\n")?;
    stream.flush()?;
    Ok(Some(BufReader::new(stream)))
}

/// Reads an answer's first line.
pub fn read_answer(r: &mut impl BufRead) -> std::io::Result<Answer> {
    let mut line = String::new();
    r.read_line(&mut line)?;
    if line.is_empty() {
        return Ok(Answer {
            error: Some("the bot closed the connection without an answer".into()),
            ..Answer::default()
        });
    }
    serde_json::from_str(&line).map_err(std::io::Error::other)
}
