//! The end-to-end harness shared by the test binaries that run the real `huzhu` binary
//! against the Bot API stand-in: starting, killing and restarting it, talking to it as
//! people, and the steps many stories share. (Each test binary uses part of it.)
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{Datelike, Months, NaiveDate, Utc};
use tg_standin::{BotMessage, StandIn, TestUser};

/// How long to wait for one reply. Replies to one chat are throttled to one a second.
pub const WAIT: Duration = Duration::from_secs(15);
pub const ADMIN_ID: i64 = 9000;

// ----------------------------------------------------------------- dates ----

pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive()
}

/// `n` days from today in the centre's timezone.
pub fn day(n: i64) -> NaiveDate {
    today() + chrono::Duration::days(n)
}

pub fn born_months_ago(months: u32) -> NaiveDate {
    today().checked_sub_months(Months::new(months)).expect("a birth date")
}

/// The label of a day button, as the English bot writes it ("Thu 4 Dec").
pub fn day_label(d: NaiveDate) -> String {
    format!("{} {} {}", d.format("%a"), d.day(), d.format("%b"))
}

// ---------------------------------------------------------------- people ----

pub fn en(id: i64, name: &str) -> TestUser {
    TestUser::new(id, name, Some("en"))
}

// ------------------------------------------------------------- parsing ----

/// The number right after `marker` in `text` ("(id 3)" -> 3).
pub fn number_after(text: &str, marker: &str) -> u64 {
    let rest = text.split_once(marker).unwrap_or_else(|| panic!("no {marker:?} in {text:?}")).1;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap_or_else(|_| panic!("no number after {marker:?} in {text:?}"))
}

/// The alphanumeric word right after `marker` in `text`.
pub fn word_after(text: &str, marker: &str) -> String {
    let rest = text.split_once(marker).unwrap_or_else(|| panic!("no {marker:?} in {text:?}")).1;
    rest.chars().take_while(char::is_ascii_alphanumeric).collect()
}

pub fn labels(m: &BotMessage) -> Vec<String> {
    m.buttons.iter().flatten().map(|b| b.text.clone()).collect()
}

pub fn assert_has(m: &BotMessage, needle: &str) {
    assert!(m.text.contains(needle), "expected {needle:?} in the bot's message to {}:\n{}", m.chat_id, m.text);
}

// --------------------------------------------------------------- harness ----

/// The stand-in, the bot binary running against it, and the bot's database directory.
pub struct Harness {
    pub standin: StandIn,
    pub child: Option<Child>,
    pub db_dir: tempfile::TempDir,
    pub admin: TestUser,
    /// Extra environment for the binary (e.g. `HUZHU_CLOCK_START`).
    pub env: Vec<(String, String)>,
}

impl Harness {
    /// A fresh stand-in and database, the administrator registered, the bot polling.
    pub async fn start() -> Harness {
        Self::start_with(tempfile::tempdir().expect("a temporary directory"), vec![]).await
    }

    /// Like `start`, on a database directory a test prepared (`huzhu.db` inside it),
    /// with extra environment for the binary.
    pub async fn start_with(db_dir: tempfile::TempDir, env: Vec<(String, String)>) -> Harness {
        let mut h = Self::prepare(db_dir, env).await;
        h.spawn().await;
        h
    }

    /// The stand-in up, the bot not started yet (register people first, then `spawn`).
    pub async fn prepare(db_dir: tempfile::TempDir, env: Vec<(String, String)>) -> Harness {
        let standin = StandIn::start().await.expect("start the stand-in");
        let admin = en(ADMIN_ID, "Admin");
        standin.register_user(&admin);
        Harness { standin, child: None, db_dir, admin, env }
    }

    /// Where the bot keeps its database (a test may prepare it before `start_with`).
    pub fn db_path(dir: &std::path::Path) -> PathBuf {
        dir.join("huzhu.db")
    }

    pub fn register(&self, users: &[&TestUser]) {
        for u in users {
            self.standin.register_user(u);
        }
    }

    pub fn log_path(&self) -> PathBuf {
        self.db_dir.path().join("bot.log")
    }

    /// The end of what the bot logged (for failure messages).
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// The stand-in's calls as a timeline (for failure messages): when each started
    /// (ms after the first), its method, its chat or offset, and its status (0: no
    /// answer yet, e.g. a long poll under way); and how many updates wait unfetched.
    #[allow(dead_code)]
    pub fn call_timeline(&self) -> String {
        let calls = self.standin.calls();
        let Some(first) = calls.first().map(|c| c.at) else { return "no calls".into() };
        let mut out: Vec<String> = calls
            .iter()
            .map(|c| {
                let arg = match (c.params.get("chat_id"), c.params.get("offset")) {
                    (Some(chat), _) => format!("chat {chat}"),
                    (None, Some(offset)) => format!("offset {offset}"),
                    (None, None) => String::new(),
                };
                format!("{:>7} ms {} {arg} -> {}", c.at.duration_since(first).as_millis(), c.method, c.status)
            })
            .collect();
        out.push(format!("updates not fetched: {}", self.standin.pending_updates()));
        out.join("\n")
    }

    /// Starts the binary on the database directory; returns once it polls for updates.
    pub async fn spawn(&mut self) {
        self.launch(false).await;
    }

    /// `spawn` for a bot that may stop before its first poll (a disk full from the
    /// start: a reminder due at once is a write): returns once it polls or has exited.
    #[allow(dead_code)]
    pub async fn spawn_may_exit(&mut self) {
        self.launch(true).await;
    }

    async fn launch(&mut self, may_exit: bool) {
        assert!(self.child.is_none(), "the bot is already running");
        let polls_before = self.standin.calls_to("getUpdates").len();
        let log = std::fs::OpenOptions::new().create(true).append(true).open(self.log_path()).expect("the log file");
        // HUZHU_TEST_BIN runs the stories against another build (e.g. an older one).
        let bin = std::env::var("HUZHU_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_huzhu").to_string());
        let mut cmd = Command::new(bin);
        // `huzhu run` refuses the tests' clock and faults unless told it is a test.
        let has = |var: &str| self.env.iter().any(|(k, _)| k == var);
        let mut flags: Vec<&str> = [
            ("HUZHU_CLOCK_START", "--test-clock"),
            ("HUZHU_TEST_HANG_STORE", "--test-faults"),
            ("HUZHU_TEST_STORE_FAIL_AFTER", "--test-faults"),
        ]
        .into_iter()
        .filter(|(var, _)| has(var))
        .map(|(_, flag)| flag)
        .collect();
        flags.dedup();
        if !flags.is_empty() {
            cmd.arg("run").args(flags);
        }
        cmd.current_dir(self.db_dir.path())
            .env("TELOXIDE_TOKEN", self.standin.token())
            .env("TELOXIDE_API_URL", self.standin.api_url())
            .env("HUZHU_DB_PATH", Self::db_path(self.db_dir.path()))
            .env("HUZHU_SUPER_ADMINS", ADMIN_ID.to_string())
            .env("HUZHU_DEFAULT_TZ", "Asia/Shanghai")
            // HUZHU_TEST_LOG: the bot's log filter when a test is looked into (e.g. debug).
            .env("RUST_LOG", std::env::var("HUZHU_TEST_LOG").unwrap_or_else(|_| "info".into()))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().expect("the log file")))
            .stderr(Stdio::from(log));
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        for var in
            ["TELOXIDE_PROXY", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"]
        {
            cmd.env_remove(var);
        }
        self.child = Some(cmd.spawn().expect("start the huzhu binary"));
        let deadline = Instant::now() + WAIT;
        while self.standin.calls_to("getUpdates").len() <= polls_before {
            if self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()).is_some() {
                if may_exit {
                    return;
                }
                panic!("huzhu exited at start; its log:\n{}", self.log_tail());
            }
            assert!(Instant::now() < deadline, "huzhu did not poll within {WAIT:?}; its log:\n{}", self.log_tail());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGKILL: no shutdown, no final flush.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, and waits for the exit: the bot finishes the updates under way (their
    /// replies and done marks) first.
    pub async fn stop(&mut self) -> std::process::ExitStatus {
        self.stop_with("TERM").await
    }

    /// `stop` with another signal (`INT`: Ctrl-C).
    pub async fn stop_with(&mut self, signal: &str) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("the bot runs");
        let status = Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status();
        assert!(status.expect("run kill").success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(s) = child.try_wait().expect("wait") {
                return s;
            }
            assert!(Instant::now() < deadline, "huzhu did not stop within 20 s of SIG{signal}:\n{}", self.log_tail());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills the bot (if running) and starts it again on the same database and stand-in.
    pub async fn restart(&mut self) {
        self.kill();
        self.spawn().await;
    }

    pub fn seq(&self) -> u64 {
        self.standin.current_seq()
    }

    /// Sends `text` as `user` and returns the bot's next message (or edit) to them.
    /// The reply to `text` (reminders, digests and asks for cover that the bot sends on
    /// its own at the same time are skipped).
    pub async fn say(&self, user: &TestUser, text: &str) -> BotMessage {
        let before = self.seq();
        self.standin.send_text(user, text);
        self.next_to(user, before, &format!("a reply to {text:?}")).await
    }

    /// The first message to `user` sent or edited after `after`.
    pub async fn next_to(&self, user: &TestUser, after: u64, what: &str) -> BotMessage {
        match self.standin.wait_for_message(user.id, after, |m| !is_automatic(m), WAIT).await {
            Some(m) => m,
            None => self.fail(user, &format!("got no {what} within {WAIT:?}")),
        }
    }

    /// Waits for a message to `user` after `after` that contains `needle`.
    pub async fn expect(&self, user: &TestUser, after: u64, needle: &str) -> BotMessage {
        match self.standin.wait_for_message(user.id, after, |m| m.text.contains(needle), WAIT).await {
            Some(m) => m,
            None => self.fail(user, &format!("got no message containing {needle:?} within {WAIT:?}")),
        }
    }

    pub fn fail(&self, user: &TestUser, problem: &str) -> ! {
        let msgs: Vec<String> = self
            .standin
            .messages_to(user.id)
            .iter()
            .map(|m| format!("[seq {} id {}] {} {:?}", m.seq, m.message_id, m.text, labels(m)))
            .collect();
        panic!(
            "{} ({}) {problem}.\nMessages to them:\n{}\nCallback answers: {:?}\nBot log:\n{}",
            user.first_name,
            user.id,
            msgs.join("\n"),
            self.standin.callback_answers(),
            self.log_tail()
        )
    }

    /// The newest message to `user` with a callback button labelled `label` (exactly, or
    /// else containing it), and that button's data.
    pub fn find_button(&self, user: &TestUser, label: &str) -> (BotMessage, String) {
        let mut msgs: Vec<BotMessage> = self.standin.messages_to(user.id).into_iter().filter(|m| !m.deleted).collect();
        msgs.sort_by_key(|m| std::cmp::Reverse(m.seq));
        let exact = |b: &tg_standin::Button| b.text == label;
        let partial = |b: &tg_standin::Button| b.text.contains(label);
        for matches in [&exact as &dyn Fn(&tg_standin::Button) -> bool, &partial] {
            for m in &msgs {
                if let Some(b) = m.buttons.iter().flatten().find(|b| matches(b) && b.callback_data.is_some()) {
                    return (m.clone(), b.callback_data.clone().unwrap_or_default());
                }
            }
        }
        self.fail(user, &format!("has no button {label:?}"))
    }

    /// Presses the newest button labelled `label` and returns the bot's answer (the
    /// edited message, or a new one).
    pub async fn press(&self, user: &TestUser, label: &str) -> BotMessage {
        let (msg, data) = self.find_button(user, label);
        let before = self.seq();
        self.standin.press_button(user, msg.message_id, &data);
        self.next_to(user, before, &format!("an answer to pressing {label:?}")).await
    }

    /// Presses a button by its payload and returns the text of the callback answer.
    pub async fn press_for_toast(&self, user: &TestUser, message_id: i64, data: &str) -> Option<String> {
        let id = self.standin.press_button(user, message_id, data);
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some((_, text)) = self.standin.callback_answers().into_iter().find(|(q, _)| *q == id) {
                return text;
            }
            if Instant::now() >= deadline {
                self.fail(user, &format!("got no callback answer to {data:?} within {WAIT:?}"));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Polls `cond` until it holds (at most `WAIT`).
    pub async fn wait_until(&self, what: &str, cond: impl Fn() -> bool) {
        let deadline = Instant::now() + WAIT;
        while !cond() {
            assert!(Instant::now() < deadline, "{what} did not happen within {WAIT:?}; bot log:\n{}", self.log_tail());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    // ----- steps every story needs -----

    /// The administrator opens a centre and appoints `coord`; returns (centre id, invite code).
    pub async fn bootstrap(&self, coord: &TestUser, name: &str) -> (u64, String) {
        self.register(&[coord]);
        // A bot may only write to people who started it, so the coordinator does first.
        let r = self.say(coord, "/start").await;
        assert_has(&r, "not a member of a centre yet");
        let admin = self.admin.clone();
        let r = self.say(&admin, &format!("/newcenter {name}")).await;
        assert_has(&r, &format!("Created centre \"{name}\""));
        assert_has(&r, "timezone Asia/Shanghai");
        let centre = number_after(&r.text, "(id ");
        let code = word_after(&r.text, "invite code ");
        assert_eq!(code.len(), 6, "invite code in {:?}", r.text);
        let before = self.seq();
        let r = self.say(&admin, &format!("/coordinator {} {centre}", coord.id)).await;
        assert_eq!(r.text, format!("User {} is now a coordinator of centre {centre}.", coord.id));
        self.expect(coord, before, &format!("You are now a coordinator of \"{name}\"")).await;
        (centre, code)
    }

    /// `parent` asks to join with `/join CODE`; the coordinator approves with `/approve`.
    pub async fn join_approved(&self, coord: &TestUser, parent: &TestUser, code: &str) {
        self.register(&[parent]);
        let before = self.seq();
        let r = self.say(parent, &format!("/join {code}")).await;
        assert_has(&r, "has been sent");
        let note = self.expect(coord, before, &format!("(user {})", parent.id)).await;
        assert_has(&note, &format!("New join request: {}", parent.first_name));
        let before = self.seq();
        let r = self.say(coord, &format!("/approve {}", parent.id)).await;
        assert_eq!(r.text, format!("Approved {} (user {}).", parent.first_name, parent.id));
        self.expect(parent, before, "You have been approved").await;
    }

    /// `/child add NAME DATE`; returns the child's id.
    pub async fn add_child(&self, parent: &TestUser, name: &str, birth: NaiveDate) -> u64 {
        let r = self.say(parent, &format!("/child add {name} {birth}")).await;
        assert!(r.text.starts_with(&format!("Added {name} (id ")), "{:?}", r.text);
        number_after(&r.text, "(id ")
    }

    /// `/newshift DATE SPAN [PLACES]`; returns the shift id.
    pub async fn new_shift(&self, coord: &TestUser, date: NaiveDate, span: &str, places: Option<u32>) -> u64 {
        let places_arg = places.map(|p| format!(" {p}")).unwrap_or_default();
        let r = self.say(coord, &format!("/newshift {date} {span}{places_arg}")).await;
        assert!(r.text.starts_with("Published shift #"), "{:?}", r.text);
        let places = match places.unwrap_or(12) {
            1 => "1 place".to_string(),
            n => format!("{n} places"),
        };
        assert_has(&r, &format!("with {places} and 1 staff"));
        number_after(&r.text, "shift #")
    }

    pub async fn balance(&self, user: &TestUser) -> String {
        let r = self.say(user, "/balance").await;
        assert!(r.text.starts_with("Time credits:"), "{:?}", r.text);
        r.text
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!("--- huzhu log ---\n{}", self.log_tail());
        }
    }
}

/// Messages the bot sends on its own (reminders, digests, asks for cover, broadcasts),
/// which may arrive between a command and its reply.
pub fn is_automatic(m: &BotMessage) -> bool {
    ["⏰", "📋", "🙋", "📢"].iter().any(|p| m.text.starts_with(p))
}
