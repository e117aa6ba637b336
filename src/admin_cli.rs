//! `huzhu backup`, `huzhu restore` and `huzhu import`: the command line's side. Each
//! returns the line to print, or the error to show (and exit 1 with).
//!
//! A backup or an import goes to the running bot over its control socket when one
//! answers (`control`), else opens the database itself. Both ways run the same code
//! (`control::answer`), so a backup is the same file either way.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::sync::Arc;

use crate::clock::SystemClock;
use crate::control::{self, Answer, Request};
use crate::domain::CentreId;
use crate::service::{Service, ServiceConfig};
use crate::store::backup::{read_backup, restore as restore_db};
use crate::store::Store;

/// Runs `req` with the bot if it answers, else with the database opened here; `rest`
/// gets the answer and the stream after its first line.
fn with_bot_or_db<R>(
    db: &Path,
    config: ServiceConfig,
    req: Request,
    rest: impl FnOnce(Answer, &mut dyn BufRead) -> Result<R, String>,
) -> Result<R, String> {
    if let Some(mut r) = control::ask(db, &req).map_err(|e| format!("cannot reach the running bot: {e}"))? {
        let answer = control::read_answer(&mut r).map_err(|e| format!("the bot's answer could not be read: {e}"))?;
        return rest(answer, &mut r);
    }
    if !db.exists() {
        return Err(format!("no database at {} (set HUZHU_DB_PATH)", db.display()));
    }
    let store = Store::open_waiting(db, std::time::Duration::from_secs(3)).map_err(|e| {
        format!(
            "cannot open the database at {} ({e}); if huzhu is running, it did not answer on {}",
            db.display(),
            control::socket_path(db).display()
        )
    })?;
    let svc = Service::new(Arc::new(store), Arc::new(SystemClock), config);
    let mut buf = vec![];
    control::answer(&svc, req, &mut buf).map_err(|e| e.to_string())?;
    svc.store().flush().map_err(|e| e.to_string())?;
    let mut r = BufReader::new(buf.as_slice());
    let answer = control::read_answer(&mut r).map_err(|e| e.to_string())?;
    rest(answer, &mut r)
}

/// `huzhu backup FILE`: the snapshot goes to `FILE.partial`, is read back and checked,
/// then renamed to FILE (a failed backup never leaves a FILE that looks whole).
pub fn backup(db: &Path, config: ServiceConfig, file: &Path) -> Result<String, String> {
    let partial = file.with_extension("partial");
    with_bot_or_db(db, config, Request::Backup, |answer, r| {
        if let Some(e) = answer.error {
            return Err(e);
        }
        let mut out =
            std::fs::File::create(&partial).map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
        std::io::copy(r, &mut out).map_err(|e| format!("the backup was cut short: {e}"))?;
        out.flush().and_then(|_| out.sync_all()).map_err(|e| e.to_string())?;
        let check = std::fs::File::open(&partial).map_err(|e| e.to_string())?;
        let (header, _) = read_backup(BufReader::new(check)).map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            format!("the backup could not be checked: {e}")
        })?;
        std::fs::rename(&partial, file).map_err(|e| e.to_string())?;
        Ok(format!(
            "backup written to {}: {} records in {} trees (format {}, huzhu {})",
            file.display(),
            header.records,
            header.trees.len(),
            header.version,
            header.huzhu
        ))
    })
}

/// `huzhu restore FILE`: into `db`, which must not exist or be empty.
pub fn restore(db: &Path, file: &Path) -> Result<String, String> {
    let input = std::fs::File::open(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let (header, n) = restore_db(BufReader::new(input), db).map_err(|e| e.to_string())?;
    Ok(format!("restored {n} records into {} (backup of {}, huzhu {})", db.display(), header.created, header.huzhu))
}

/// `huzhu import --centre ID FILE`: checks every row first; with a bad row nothing is
/// imported unless `skip_bad`. Importing the same file again adds nothing.
pub fn import(db: &Path, config: ServiceConfig, centre: u64, file: &Path, skip_bad: bool) -> Result<String, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let today = chrono::Utc::now().with_timezone(&config.default_tz).date_naive();
    let (families, errors) = crate::import::parse(&bytes, today);
    let mut report: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    if !errors.is_empty() && !skip_bad {
        report.push(format!(
            "{} bad rows: nothing imported (fix them, or pass --skip-bad to import the rest)",
            errors.len()
        ));
        return Err(report.join("\n"));
    }
    let req = Request::Import { centre: CentreId(centre), families };
    let sum = with_bot_or_db(db, config, req, |answer, _| match (answer.error, answer.imported) {
        (Some(e), _) => Err(format!("nothing imported: {e}")),
        (None, Some(sum)) => Ok(sum),
        (None, None) => Err("the bot's answer had no summary".into()),
    })?;
    if !errors.is_empty() {
        report.push(format!("skipped {} bad rows", errors.len()));
    }
    report.push(format!(
        "imported {} families, {} children, {} guardians into centre {centre} (what was there already is unchanged)",
        sum.families, sum.children, sum.guardians
    ));
    Ok(report.join("\n"))
}
