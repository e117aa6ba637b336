//! huzhu: `huzhu` runs the bot against Telegram (TELOXIDE_TOKEN), `huzhu sandbox`
//! runs it against a local stand-in of the Bot API with a demo centre.

use std::process::ExitCode;
use std::sync::Arc;

use huzhu::clock::{OffsetClock, SystemClock};
use huzhu::config::Config;
use huzhu::domain::UserId;
use huzhu::service::{Service, ServiceConfig};
use huzhu::store::Store;

const USAGE: &str = "usage:
  huzhu                          run the bot (needs TELOXIDE_TOKEN; see .env.example)
  huzhu sandbox                  chat with the bot in this terminal, no Telegram needed
  huzhu sandbox --script FILE    play a file of sandbox lines and print the transcript";

fn main() -> ExitCode {
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

    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("huzhu: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match args.first().map(String::as_str) {
        None => runtime.block_on(run_bot(config)),
        Some("sandbox") => {
            let script = match args.get(1).map(String::as_str) {
                None => None,
                Some("--script") => match args.get(2) {
                    Some(f) => Some(std::path::PathBuf::from(f)),
                    None => {
                        eprintln!("{USAGE}");
                        return ExitCode::from(2);
                    }
                },
                Some(_) => {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                }
            };
            match runtime.block_on(huzhu::sandbox::run(script)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("huzhu sandbox: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("huzhu: unknown argument `{other}`\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

async fn run_bot(config: Config) -> ExitCode {
    if std::env::var("TELOXIDE_TOKEN").map(|t| t.trim().is_empty()).unwrap_or(true) {
        eprintln!(
            "huzhu: TELOXIDE_TOKEN is not set.\n\
             Get a bot token from @BotFather in Telegram (send /newbot), then put\n\
             TELOXIDE_TOKEN=123456:ABC... in .env (see .env.example) and run `huzhu` again.\n\
             To try huzhu without Telegram, run `cargo run --release -- sandbox`."
        );
        return ExitCode::from(2);
    }
    let store = match Store::open(&config.db_path) {
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
        },
    ));
    let bot = teloxide::Bot::from_env();
    match huzhu::bot::run(bot, svc).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("huzhu: cannot reach the Telegram Bot API: {e}");
            ExitCode::FAILURE
        }
    }
}
