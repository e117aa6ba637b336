//! Configuration from the environment (and `.env`, loaded by `main`).
//! Every variable is documented in `.env.example`.

use chrono_tz::Tz;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    /// `HUZHU_DB_PATH`, default `./data/huzhu.db`.
    pub db_path: PathBuf,
    /// `HUZHU_SUPER_ADMINS`: comma-separated Telegram user ids.
    pub super_admins: Vec<i64>,
    /// `HUZHU_DEFAULT_TZ`, default `Asia/Shanghai`: timezone of new centres.
    pub default_tz: Tz,
    /// `RUST_LOG`, default `info`.
    pub log_level: String,
    /// `HUZHU_CLOCK_START` (RFC 3339, tests only): the clock starts at this instant and
    /// runs at normal speed, so tests can run the real binary "the evening before".
    pub clock_start: Option<chrono::DateTime<chrono::Utc>>,
    /// `HUZHU_SEND_RATE`, default 30: messages a second overall (Telegram's limit; a
    /// bot with paid broadcasts may raise it, a benchmark lifts it against the stand-in).
    pub send_rate: u32,
    /// `HUZHU_WATCHDOG_SECS`, default 30: a store operation or an update's handling
    /// that takes longer means huzhu is stuck; it logs what and exits non-zero.
    pub watchdog_secs: u64,
    /// `HUZHU_RETENTION_DAYS`, default 30: how long records kept only for idempotency
    /// or delivery are kept (replay results, done and sent marks, finished broadcasts).
    pub retention_days: u64,
    /// `HUZHU_CACHE_MB`, default 2: what sled's page cache may hold (its own default is
    /// 1 GB), counted as sled counts it: pages' size on disk, about a tenth of the memory
    /// they take (measured: 16 held ~55 MB); the operating system's file cache still
    /// holds the rest of the database.
    pub cache_mb: u64,
    /// `HUZHU_BLOCKING_THREADS`: threads for blocking work (store calls); more wait
    /// their turn. Each thread that ran keeps its touched stack and allocator caches
    /// (measured: ~0.65 MB each at a burst's peak). Default: a quarter of the send rate,
    /// at most eight per core, within 8..=160 (8 at Telegram's 30/s; see
    /// `default_blocking_threads`).
    pub blocking_threads: usize,
    /// glibc malloc arenas (`mallopt(M_ARENA_MAX)`): one at Telegram's rate, where few
    /// threads allocate at once (measured: 7 MB less at a burst's peak, no more CPU);
    /// with the rate lifted, four per core (`lifted_rate_arenas`). None when the
    /// operator chose (`MALLOC_ARENA_MAX`, or `glibc.malloc.arena_max` in
    /// `GLIBC_TUNABLES`): glibc reads theirs at start.
    pub malloc_arenas: Option<i32>,
    /// glibc's mmap threshold (`mallopt(M_MMAP_THRESHOLD)`), fixed at its starting
    /// 128 KiB so it does not rise after a large block is freed (see `main::tune_malloc`;
    /// measured: 5 MB less at a burst's peak). None when the operator chose
    /// (`MALLOC_MMAP_THRESHOLD_`, or `glibc.malloc.mmap_threshold` in `GLIBC_TUNABLES`).
    pub malloc_mmap_threshold: Option<i32>,
    /// `HUZHU_TEST_HANG_STORE` (tests only): a store write made while handling a
    /// command containing this text (e.g. `/book`) blocks forever, to test the watchdog.
    pub test_hang_store: Option<String>,
    /// `HUZHU_TEST_STORE_FAIL_AFTER` (tests only): from this store transaction on
    /// (counted from 1 at start), flushes fail as on a full disk.
    pub test_store_fail_after: Option<u64>,
}

/// One clear line naming the variable and what it expects.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{var}: {problem} (expected {expected})")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
    pub expected: &'static str,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let non_empty = |k: &str| lookup(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let db_path = non_empty("HUZHU_DB_PATH").unwrap_or_else(|| "./data/huzhu.db".into()).into();
        let super_admins = match non_empty("HUZHU_SUPER_ADMINS") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<i64>().map_err(|_| ConfigError {
                        var: "HUZHU_SUPER_ADMINS",
                        problem: format!("`{s}` is not a Telegram user id"),
                        expected: "comma-separated numeric user ids, e.g. 123456789,987654321",
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let default_tz = match non_empty("HUZHU_DEFAULT_TZ") {
            None => chrono_tz::Asia::Shanghai,
            Some(name) => name.parse::<Tz>().map_err(|_| ConfigError {
                var: "HUZHU_DEFAULT_TZ",
                problem: format!("`{name}` is not a known timezone"),
                expected: "an IANA timezone name such as Asia/Shanghai",
            })?,
        };
        let log_level = non_empty("RUST_LOG").unwrap_or_else(|| "info".into());
        let clock_start = match non_empty("HUZHU_CLOCK_START") {
            None => None,
            Some(s) => Some(chrono::DateTime::parse_from_rfc3339(&s).map(|t| t.to_utc()).map_err(|_| ConfigError {
                var: "HUZHU_CLOCK_START",
                problem: format!("`{s}` is not an RFC 3339 time"),
                expected: "a time such as 2026-12-01T09:00:00+08:00 (tests only; leave unset)",
            })?),
        };
        let number = |var: &'static str, default: u64, range: std::ops::RangeInclusive<u64>, expected: &'static str| {
            match non_empty(var) {
                None => Ok(default),
                Some(v) => v.parse::<u64>().ok().filter(|n| range.contains(n)).ok_or_else(|| ConfigError {
                    var,
                    problem: format!("`{v}` is not a number in {}..={}", range.start(), range.end()),
                    expected,
                }),
            }
        };
        let send_rate =
            number("HUZHU_SEND_RATE", 30, 1..=100_000, "messages a second, e.g. 30 (Telegram's limit)")? as u32;
        let watchdog_secs = number("HUZHU_WATCHDOG_SECS", 30, 1..=3600, "seconds, e.g. 30")?;
        let retention_days = number("HUZHU_RETENTION_DAYS", 30, 8..=3650, "days, e.g. 30 (more than a week)")?;
        let cache_mb = number("HUZHU_CACHE_MB", 2, 1..=65_536, "megabytes, e.g. 2")?;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let by_rate = default_blocking_threads(send_rate, cores) as u64;
        let blocking_threads = number("HUZHU_BLOCKING_THREADS", by_rate, 4..=512, "threads, e.g. 8")? as usize;
        let operator_chose = |var: &str, tunable: &str| {
            non_empty(var).is_some() || non_empty("GLIBC_TUNABLES").is_some_and(|t| t.contains(tunable))
        };
        let malloc_arenas = (!operator_chose("MALLOC_ARENA_MAX", "glibc.malloc.arena_max"))
            .then_some(if send_rate <= 30 { 1 } else { lifted_rate_arenas() });
        let malloc_mmap_threshold =
            (!operator_chose("MALLOC_MMAP_THRESHOLD_", "glibc.malloc.mmap_threshold")).then_some(128 * 1024);
        let test_hang_store = non_empty("HUZHU_TEST_HANG_STORE");
        let test_store_fail_after = match non_empty("HUZHU_TEST_STORE_FAIL_AFTER") {
            None => None,
            Some(_) => Some(number("HUZHU_TEST_STORE_FAIL_AFTER", 1, 1..=u64::MAX, "a transaction count, e.g. 20")?),
        };
        Ok(Config {
            db_path,
            super_admins,
            default_tz,
            log_level,
            clock_start,
            send_rate,
            watchdog_secs,
            retention_days,
            cache_mb,
            blocking_threads,
            malloc_arenas,
            malloc_mmap_threshold,
            test_hang_store,
            test_store_fail_after,
        })
    }
}

/// Blocking threads by default: a quarter of the send rate, at most eight per core,
/// within 8..=160. With the rate lifted, more threads only wait for the store's one
/// writer and keep their stacks and allocator caches (measured with `cargo bench
/// --bench rush -- --ceiling-only` on 2 cores, eight runs each: 1,000 `/book` at once
/// at a median 2,249/s with 16 threads against 1,992/s with 160; peak RSS 42–45 MB
/// against 58–60 MB).
fn default_blocking_threads(send_rate: u32, cores: usize) -> usize {
    (send_rate as usize / 4).min(8 * cores).clamp(8, 160)
}

/// Arenas with the send rate lifted: four per core. Many threads then allocate at once,
/// and with fewer arenas they queue on the arenas' locks (measured with `cargo bench
/// --bench rush -- --ceiling-only` on 2 cores, 1,000 `/balance` at once: 5,539/s with 2
/// arenas, 6,252/s with 4, 6,414/s with 8, 6,011/s with glibc's default 16; peak RSS
/// 55.6 MB with 2, 57.3 MB with 8). At least 4.
fn lifted_rate_arenas() -> i32 {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (4 * cores).clamp(4, 64) as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults() {
        let c = cfg(&[]).unwrap();
        assert_eq!(c.db_path, PathBuf::from("./data/huzhu.db"));
        assert!(c.super_admins.is_empty());
        assert_eq!(c.default_tz, chrono_tz::Asia::Shanghai);
        assert_eq!(c.log_level, "info");
        assert_eq!(c.send_rate, 30);
        assert_eq!(c.watchdog_secs, 30);
        assert_eq!(c.cache_mb, 2);
        assert_eq!(c.blocking_threads, 8);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(
            cfg(&[("HUZHU_SEND_RATE", "100000")]).unwrap().blocking_threads,
            default_blocking_threads(100_000, cores)
        );
        // Telegram's rate: 8 however many cores; lifted: eight per core, within 8..=160.
        assert_eq!(default_blocking_threads(30, 64), 8);
        assert_eq!(default_blocking_threads(40, 2), 10);
        assert_eq!(default_blocking_threads(100_000, 1), 8);
        assert_eq!(default_blocking_threads(100_000, 2), 16);
        assert_eq!(default_blocking_threads(1_000, 8), 64);
        assert_eq!(default_blocking_threads(100_000, 64), 160);
        assert_eq!(c.malloc_arenas, Some(1));
        assert_eq!(cfg(&[("HUZHU_SEND_RATE", "1000")]).unwrap().malloc_arenas, Some(lifted_rate_arenas()));
        assert!(lifted_rate_arenas() >= 4);
        assert_eq!(c.malloc_mmap_threshold, Some(128 * 1024));
        assert_eq!(c.test_hang_store, None);
        assert_eq!(c.test_store_fail_after, None);
        assert_eq!(cfg(&[("HUZHU_TEST_STORE_FAIL_AFTER", "7")]).unwrap().test_store_fail_after, Some(7));
        assert_eq!(cfg(&[("HUZHU_TEST_STORE_FAIL_AFTER", "0")]).unwrap_err().var, "HUZHU_TEST_STORE_FAIL_AFTER");
    }

    #[test]
    fn the_operators_malloc_settings_win() {
        let c = cfg(&[("MALLOC_ARENA_MAX", "4")]).unwrap();
        assert_eq!((c.malloc_arenas, c.malloc_mmap_threshold), (None, Some(128 * 1024)));
        let c = cfg(&[("MALLOC_MMAP_THRESHOLD_", "65536")]).unwrap();
        assert_eq!((c.malloc_arenas, c.malloc_mmap_threshold), (Some(1), None));
        let c = cfg(&[("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=65536:glibc.malloc.arena_max=2")]).unwrap();
        assert_eq!((c.malloc_arenas, c.malloc_mmap_threshold), (None, None));
        let c = cfg(&[("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0")]).unwrap();
        assert_eq!((c.malloc_arenas, c.malloc_mmap_threshold), (Some(1), Some(128 * 1024)));
    }

    #[test]
    fn send_rate_and_watchdog() {
        let c = cfg(&[("HUZHU_SEND_RATE", "1000"), ("HUZHU_WATCHDOG_SECS", "5")]).unwrap();
        assert_eq!((c.send_rate, c.watchdog_secs), (1000, 5));
        assert_eq!(cfg(&[("HUZHU_SEND_RATE", "0")]).unwrap_err().var, "HUZHU_SEND_RATE");
        assert_eq!(cfg(&[("HUZHU_SEND_RATE", "fast")]).unwrap_err().var, "HUZHU_SEND_RATE");
        assert_eq!(cfg(&[("HUZHU_WATCHDOG_SECS", "-1")]).unwrap_err().var, "HUZHU_WATCHDOG_SECS");
    }

    #[test]
    fn cache_size() {
        assert_eq!(cfg(&[("HUZHU_CACHE_MB", "64")]).unwrap().cache_mb, 64);
        assert_eq!(cfg(&[("HUZHU_CACHE_MB", "0")]).unwrap_err().var, "HUZHU_CACHE_MB");
        assert_eq!(cfg(&[("HUZHU_CACHE_MB", "lots")]).unwrap_err().var, "HUZHU_CACHE_MB");
    }

    #[test]
    fn blocking_threads() {
        assert_eq!(cfg(&[("HUZHU_BLOCKING_THREADS", "8")]).unwrap().blocking_threads, 8);
        assert_eq!(cfg(&[("HUZHU_BLOCKING_THREADS", "2")]).unwrap_err().var, "HUZHU_BLOCKING_THREADS");
        assert_eq!(cfg(&[("HUZHU_BLOCKING_THREADS", "many")]).unwrap_err().var, "HUZHU_BLOCKING_THREADS");
    }

    #[test]
    fn parses_values() {
        let c = cfg(&[
            ("HUZHU_SUPER_ADMINS", "1, 22 ,333"),
            ("HUZHU_DEFAULT_TZ", "Europe/Helsinki"),
            ("HUZHU_DB_PATH", "/tmp/x.db"),
        ])
        .unwrap();
        assert_eq!(c.super_admins, vec![1, 22, 333]);
        assert_eq!(c.default_tz, chrono_tz::Europe::Helsinki);
        assert_eq!(c.db_path, PathBuf::from("/tmp/x.db"));
    }

    #[test]
    fn malformed_values_name_the_variable() {
        let e = cfg(&[("HUZHU_SUPER_ADMINS", "12,abc")]).unwrap_err();
        assert_eq!(e.var, "HUZHU_SUPER_ADMINS");
        assert!(e.to_string().contains("abc"));
        let e = cfg(&[("HUZHU_DEFAULT_TZ", "Mars/Olympus")]).unwrap_err();
        assert_eq!(e.var, "HUZHU_DEFAULT_TZ");
    }
}
