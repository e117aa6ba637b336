//! huzhu: `huzhu run` (or just `huzhu`) runs the bot against Telegram (TELOXIDE_TOKEN),
//! `huzhu sandbox` runs it against a local stand-in of the Bot API with a demo centre.
//! Each subcommand is a variant of [`Cmd`] with its arguments in a struct of its own,
//! dispatched in `main`; `huzhu --help` lists them.

use clap::{Args, Parser, Subcommand};
use std::process::ExitCode;
use std::sync::Arc;

use huzhu::clock::{OffsetClock, SystemClock};
use huzhu::config::Config;
use huzhu::domain::UserId;
use huzhu::service::{Service, ServiceConfig};
use huzhu::store::Store;

/// huzhu (互助): a Telegram bot for community parent-child mutual-aid childcare centres.
///
/// Configuration comes from the environment and `.env` (every variable is explained in
/// .env.example). Without a subcommand, huzhu runs the bot (`huzhu run`).
#[derive(Parser, Debug)]
#[command(name = "huzhu", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
}

/// The subcommands. A new one (backup, restore, import, bench, ...) is a variant here
/// with its own `Args` struct and an arm in `main`'s match.
#[derive(Subcommand, Debug)]
enum Cmd {
    /// Run the bot against Telegram (the default). Needs TELOXIDE_TOKEN (see .env.example).
    Run(RunArgs),
    /// Chat with huzhu in this terminal: the real bot against a local stand-in of the
    /// Bot API, with a demo centre. No Telegram needed.
    Sandbox(SandboxArgs),
    /// Write a consistent snapshot of the whole database to FILE (versioned JSON lines),
    /// through the running bot if there is one.
    Backup(BackupArgs),
    /// Restore a backup FILE into a new, empty database (HUZHU_DB_PATH, or --db).
    Restore(RestoreArgs),
    /// Import a centre's families from a CSV file (family,guardian,phone,child,birth_date);
    /// their guardians join by sharing their phone number with the bot.
    Import(ImportArgs),
}

#[derive(Args, Debug)]
struct BackupArgs {
    /// Where to write the backup.
    #[arg(value_name = "FILE")]
    file: std::path::PathBuf,
}

#[derive(Args, Debug)]
struct RestoreArgs {
    /// The backup to restore.
    #[arg(value_name = "FILE")]
    file: std::path::PathBuf,
    /// The new database's path (default: HUZHU_DB_PATH); it must not exist or be empty.
    #[arg(long, value_name = "PATH")]
    db: Option<std::path::PathBuf>,
}

#[derive(Args, Debug)]
struct ImportArgs {
    /// The centre to import into (its id, as /newcentre showed it).
    #[arg(long, value_name = "ID")]
    centre: u64,
    /// Import the good rows even if some are bad (each bad one is still reported).
    #[arg(long)]
    skip_bad: bool,
    /// The CSV file (UTF-8, header family,guardian,phone,child,birth_date).
    #[arg(value_name = "FILE")]
    file: std::path::PathBuf,
}

#[derive(Args, Debug, Default)]
struct RunArgs {
    /// Tests only: let HUZHU_CLOCK_START set the clock's start. Without this flag,
    /// `huzhu run` refuses to start while HUZHU_CLOCK_START is set.
    #[arg(long)]
    test_clock: bool,
    /// Tests only: let HUZHU_TEST_HANG_STORE (a store write that hangs) and
    /// HUZHU_TEST_STORE_FAIL_AFTER (a disk that fills up) arm their faults. Without this
    /// flag, `huzhu run` refuses to start while either is set.
    #[arg(long)]
    test_faults: bool,
}

#[derive(Args, Debug)]
struct SandboxArgs {
    /// Play a file of sandbox lines and print the transcript.
    #[arg(long, value_name = "FILE")]
    script: Option<std::path::PathBuf>,
}

/// With `--features dhat-heap`: every allocation is recorded, and the profile is written
/// to `dhat-heap.json` when huzhu stops (see BENCHMARKS.md).
#[cfg(feature = "dhat-heap")]
#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn main() -> ExitCode {
    #[cfg(feature = "dhat-heap")]
    let _profiler = dhat::Profiler::new_heap();
    let cli = Cli::parse();
    // A missing .env is fine; the environment may carry everything.
    let _ = dotenvy::dotenv();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("huzhu: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut log = pretty_env_logger::formatted_timed_builder();
    log.parse_filters(&config.log_level);
    let _ = log.try_init();

    tune_malloc(&config);
    // Blocking work (store calls) is bounded (`HUZHU_BLOCKING_THREADS`): it is short
    // and writes go one at a time anyway; tokio's default of 512 threads would let a
    // burst hold hundreds of stacks (measured: 55 threads after start with 160 allowed,
    // each ~0.65 MB at a burst's peak).
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(config.blocking_threads)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("huzhu: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let svc_config = || ServiceConfig {
        super_admins: config.super_admins.iter().map(|u| UserId(*u)).collect(),
        default_tz: config.default_tz,
        retention: chrono::Duration::days(config.retention_days as i64),
    };
    let said = |r: Result<String, String>| match r {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("huzhu: {e}");
            ExitCode::FAILURE
        }
    };
    match cli.command.unwrap_or(Cmd::Run(RunArgs::default())) {
        Cmd::Backup(a) => said(huzhu::admin_cli::backup(&config.db_path, svc_config(), &a.file)),
        Cmd::Restore(a) => said(huzhu::admin_cli::restore(a.db.as_ref().unwrap_or(&config.db_path), &a.file)),
        Cmd::Import(a) => said(huzhu::admin_cli::import(&config.db_path, svc_config(), a.centre, &a.file, a.skip_bad)),
        Cmd::Run(args) => runtime.block_on(run_bot(config, args)),
        Cmd::Sandbox(SandboxArgs { script }) => match runtime.block_on(huzhu::sandbox::run(script)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("huzhu sandbox: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

async fn run_bot(config: Config, args: RunArgs) -> ExitCode {
    // A clock that does not start now belongs to tests: a production run refuses it.
    if config.clock_start.is_some() && !args.test_clock {
        eprintln!(
            "huzhu: HUZHU_CLOCK_START is set, which is for tests only: unset it (check .env), or pass `huzhu run --test-clock`"
        );
        return ExitCode::from(2);
    }
    if config.test_hang_store.is_some() && !args.test_faults {
        eprintln!(
            "huzhu: HUZHU_TEST_HANG_STORE is set, which is for tests only: unset it (check .env), or pass `huzhu run --test-faults`"
        );
        return ExitCode::from(2);
    }
    if config.test_store_fail_after.is_some() && !args.test_faults {
        eprintln!(
            "huzhu: HUZHU_TEST_STORE_FAIL_AFTER is set, which is for tests only: unset it (check .env), or pass `huzhu run --test-faults`"
        );
        return ExitCode::from(2);
    }
    if std::env::var("TELOXIDE_TOKEN").map(|t| t.trim().is_empty()).unwrap_or(true) {
        eprintln!(
            "huzhu: TELOXIDE_TOKEN is not set.\n\
             Get a bot token from @BotFather in Telegram (send /newbot), then put\n\
             TELOXIDE_TOKEN=123456:ABC... in .env (see .env.example) and run `huzhu` again.\n\
             To try huzhu without Telegram, run `cargo run --release -- sandbox`."
        );
        return ExitCode::from(2);
    }
    // Waits a few seconds for the database's lock: a process that just stopped (or the
    // tool that seeded it) may hold it a moment longer.
    let cache = Some(config.cache_mb * 1024 * 1024);
    let store = match Store::open_with_cache_waiting(&config.db_path, cache, std::time::Duration::from_secs(5)) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("huzhu: cannot open the database at {}: {e}", config.db_path.display());
            return ExitCode::FAILURE;
        }
    };
    log::info!(
        "opened {} ({} centres); timezone default {}; {} super-admins",
        config.db_path.display(),
        store.tree(huzhu::store::T::Centres).len(),
        config.default_tz,
        config.super_admins.len()
    );
    let clock: Arc<dyn huzhu::clock::Clock> = match config.clock_start {
        Some(start) => {
            log::warn!("HUZHU_CLOCK_START is set: the clock starts at {start} (for tests only)");
            Arc::new(OffsetClock::starting_at(start))
        }
        None => Arc::new(SystemClock),
    };
    let svc = Arc::new(Service::new(
        store,
        clock,
        ServiceConfig {
            super_admins: config.super_admins.iter().map(|u| UserId(*u)).collect(),
            default_tz: config.default_tz,
            retention: chrono::Duration::days(config.retention_days as i64),
        },
    ));
    // Stuck for longer than the limit: say what, and exit so the supervisor restarts us
    // (deploy/huzhu.service); the inbox then replays what was not done.
    huzhu::watchdog::install(std::time::Duration::from_secs(config.watchdog_secs), |stuck| {
        log::error!("watchdog: stuck, exiting so that huzhu is restarted: {stuck}");
        eprintln!("huzhu watchdog: stuck: {stuck}");
        std::process::exit(70);
    });
    // The disk refused a write (full, read-only, failing): stop at once, before anyone
    // is told the change was made; what was acknowledged is on disk, and a restart
    // after the fault is removed replays the rest from the inbox.
    huzhu::store::on_disk_failure(|what| {
        log::error!("the database cannot be written ({what}): stopping; free disk space or fix the disk, then start huzhu again (exit 74)");
        eprintln!("huzhu: the database cannot be written: {what}");
        std::process::exit(74);
    });
    if let Some(n) = config.test_store_fail_after {
        log::warn!("HUZHU_TEST_STORE_FAIL_AFTER is set: store flushes fail from transaction {n} on (tests only)");
        huzhu::store::fail_flushes_from(n);
    }
    if let Some(pattern) = &config.test_hang_store {
        log::warn!("HUZHU_TEST_HANG_STORE is set: store writes for {pattern} hang (tests only)");
        huzhu::store::hang_writes_of(pattern);
    }
    // `huzhu backup` and `huzhu import` reach the running bot here (sled lets only one
    // process open the database).
    let socket = huzhu::control::socket_path(&config.db_path);
    let control = match huzhu::control::listen(svc.clone(), socket.clone()) {
        Ok(h) => Some(h),
        Err(e) => {
            log::warn!("no control socket at {} ({e}): backup and import need the bot stopped", socket.display());
            None
        }
    };
    let bot = teloxide::Bot::from_env();
    let options = huzhu::bot::RunOptions {
        limits: huzhu::bot::Limits { per_second: config.send_rate, ..huzhu::bot::Limits::default() },
        stop: None,
        last_send: Some(huzhu::bot::last_send::path_for(&config.db_path)),
    };
    let result = huzhu::bot::run(bot, svc, options).await;
    if let Some(h) = control {
        h.abort();
        let _ = std::fs::remove_file(&socket);
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("huzhu: cannot reach the Telegram Bot API: {e}");
            ExitCode::FAILURE
        }
    }
}

/// glibc malloc, tuned for a bot that waits on the network most of the time
/// (`Config::malloc_arenas`, `Config::malloc_mmap_threshold`; an operator's own glibc
/// settings win, and then these are None).
///
/// Arenas: glibc gives each thread that allocates an arena of its own (up to 8 per
/// core), and what a burst leaves in them is not returned: fewer arenas keep idle and
/// peak memory down (measured with `cargo bench --bench memory`: two arenas halve idle
/// memory, one takes 7 MB more off the peak at Telegram's rate, at no CPU cost we could
/// measure).
///
/// The mmap threshold, fixed at glibc's starting 128 KiB: by default glibc raises it to
/// the size of any mapped block that is freed (sled frees large start-up buffers), so
/// later large blocks come from the heap, whose pages stay with the process after they
/// are freed. Fixed, blocks of 128 KiB and more are mapped and unmapped on their own
/// (measured: peak 46.4-46.8 MB instead of 51.2 MB in the same bench, same CPU).
fn tune_malloc(config: &Config) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    for (param, value) in
        [(libc::M_ARENA_MAX, config.malloc_arenas), (libc::M_MMAP_THRESHOLD, config.malloc_mmap_threshold)]
    {
        if let Some(v) = value {
            // SAFETY: mallopt only sets an allocator parameter; called before other threads start.
            unsafe {
                libc::mallopt(param, v);
            }
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = config;
}
