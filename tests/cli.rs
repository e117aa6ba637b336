//! The command line: the subcommands `huzhu --help` lists, `run` as the default, and a
//! production run refusing the tests' settable clock (`HUZHU_CLOCK_START`) unless told
//! `--test-clock`, and their store faults (`HUZHU_TEST_HANG_STORE`,
//! `HUZHU_TEST_STORE_FAIL_AFTER`) unless `--test-faults`.

use std::process::{Command, Output};

/// The binary in an empty directory (no `.env`), with `vars` and without Telegram.
fn huzhu(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_huzhu"));
    cmd.args(args).current_dir(dir.path()).env("HUZHU_DB_PATH", dir.path().join("huzhu.db"));
    for var in [
        "TELOXIDE_TOKEN",
        "TELOXIDE_API_URL",
        "HUZHU_CLOCK_START",
        "HUZHU_TEST_HANG_STORE",
        "HUZHU_TEST_STORE_FAIL_AFTER",
        "RUST_LOG",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().expect("run huzhu")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const CLOCK: (&str, &str) = ("HUZHU_CLOCK_START", "2026-12-01T09:00:00+08:00");
const REFUSAL: &str = "huzhu: HUZHU_CLOCK_START is set, which is for tests only";

#[test]
fn help_lists_the_subcommands_and_each_has_its_own() {
    let out = huzhu(&["--help"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let commands = text.split_once("Commands:").expect("a list of commands").1;
    for (name, about) in [("run", "Run the bot against Telegram (the default)"), ("sandbox", "Chat with huzhu")] {
        assert!(commands.lines().any(|l| l.trim_start().starts_with(&format!("{name} "))), "{name} in:\n{text}");
        assert!(commands.contains(about), "{about:?} in:\n{text}");
    }
    let run = huzhu(&["run", "--help"], &[]);
    assert!(run.status.success());
    assert!(String::from_utf8_lossy(&run.stdout).contains("--test-clock"));
    let sandbox = huzhu(&["sandbox", "--help"], &[]);
    assert!(sandbox.status.success());
    assert!(String::from_utf8_lossy(&sandbox.stdout).contains("--script <FILE>"));
}

#[test]
fn a_production_run_refuses_the_test_clock_in_one_line() {
    for args in [&["run"][..], &[][..]] {
        let out = huzhu(args, &[CLOCK, ("TELOXIDE_TOKEN", "123:abc")]);
        assert_eq!(out.status.code(), Some(2), "huzhu {args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(err.starts_with(REFUSAL) && err.contains("--test-clock"), "{err}");
    }
}

#[test]
fn test_clock_lets_the_clock_start_through() {
    // Past the clock check, the next thing a run needs is the token.
    let out = huzhu(&["run", "--test-clock"], &[CLOCK]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(!err.contains(REFUSAL), "{err}");
    assert!(err.contains("TELOXIDE_TOKEN is not set"), "{err}");
    // And without the test clock a run goes as far without the flag.
    let out = huzhu(&["run"], &[]);
    assert!(stderr(&out).contains("TELOXIDE_TOKEN is not set"), "{}", stderr(&out));
}

#[test]
fn a_production_run_refuses_the_test_fault_unless_told() {
    let hang = ("HUZHU_TEST_HANG_STORE", "(/book)");
    let out = huzhu(&["run"], &[hang, ("TELOXIDE_TOKEN", "123:abc")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("huzhu: HUZHU_TEST_HANG_STORE is set, which is for tests only"), "{err}");
    assert!(err.contains("--test-faults"), "{err}");
    // With the flag, the run goes on to its next need, the token.
    let out = huzhu(&["run", "--test-faults"], &[hang]);
    assert!(stderr(&out).contains("TELOXIDE_TOKEN is not set"), "{}", stderr(&out));
}

#[test]
fn a_production_run_refuses_the_full_disk_fault_unless_told() {
    let full = ("HUZHU_TEST_STORE_FAIL_AFTER", "3");
    let out = huzhu(&["run"], &[full, ("TELOXIDE_TOKEN", "123:abc")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("huzhu: HUZHU_TEST_STORE_FAIL_AFTER is set, which is for tests only"), "{err}");
    let out = huzhu(&["run", "--test-faults"], &[full]);
    assert!(stderr(&out).contains("TELOXIDE_TOKEN is not set"), "{}", stderr(&out));
    let out = huzhu(&["run", "--test-faults"], &[("HUZHU_TEST_STORE_FAIL_AFTER", "soon")]);
    assert!(stderr(&out).contains("HUZHU_TEST_STORE_FAIL_AFTER"), "a bad value names the variable: {}", stderr(&out));
}
