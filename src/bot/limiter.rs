//! The send limiter: a message goes the moment it is within Telegram's limits, and
//! waits exactly as long as needed otherwise. Telegram counts messages as they arrive,
//! so we count each one when its request starts:
//!
//! - overall: `governor`'s GCRA at `per_second` with a burst of one, i.e. starts at
//!   least 1/`per_second` apart, so no window of one second ever holds more than
//!   `per_second` starts (a burst allowance would let 2x through a sliding window);
//! - a private chat: one start a second; a group: `group_per_minute` a minute;
//! - a 429's `retry_after` pauses every send, as Telegram means it;
//! - replies to people go first: bulk sends (reminders, broadcasts, asks for cover)
//!   stand back while a reply is waiting for the overall limit.
//!
//! The chat's limit and the overall limit are decided together under one lock, and a
//! start is recorded in both only when both allow it, so neither counts a message
//! that did not start. (governor's limiters consume on a successful check and have no
//! peek, so the chat side is a short list of start times kept here.)

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock, Reference};
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

/// Who waits for the message: a person who just wrote, or nobody in particular.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    Reply,
    Bulk,
}

/// Telegram's limits (per_second is configurable: `HUZHU_SEND_RATE`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub per_second: u32,
    pub chat_gap: Duration,
    pub group_per_minute: usize,
    /// Added to every overall slot (1 s / `per_second`): headroom for jitter; at most
    /// 6% of the slot.
    pub slot_margin: Duration,
}

impl Default for Limits {
    /// Telegram's limits, with a little headroom for network jitter: we count a message
    /// when its request starts, Telegram when it arrives, and a request that is delayed
    /// by a few milliseconds more than the next one would otherwise arrive less than a
    /// second after its predecessor (seen at the stand-in: 989 ms). 20 ms per chat and
    /// 2 ms per overall slot (30 slots: 60 ms) absorb that and cost a 1,000-member
    /// broadcast two seconds (measured: 0.5 ms let 31 arrivals into one second on a
    /// loaded 2-core machine once sends woke exactly on their slots, and 1 ms did once
    /// at a load of 7 after waiting sends were woken as soon as their turn came).
    fn default() -> Self {
        Limits {
            per_second: 30,
            chat_gap: Duration::from_millis(1020),
            group_per_minute: 20,
            slot_margin: Duration::from_millis(2),
        }
    }
}

/// How long before its overall slot the sender first in line wakes (then yields until
/// the slot): more than tokio's timer granularity of a millisecond.
const EARLY_WAKE: Duration = Duration::from_micros(1500);

/// How long a new process keeps every private chat quiet: the last process (killed, or
/// stopped, and restarted at once by the supervisor) may have sent to any chat up to
/// when it last started a message (`last_send`, a file's modification time), and the
/// updates it left go to the same chats at once; without this, a restart could send a
/// chat two messages within a second. Nothing when that is older than a chat's gap (or
/// there was none), so a normal start answers at once.
pub fn quiet_after_restart(
    chat_gap: Duration,
    last_send: Option<std::time::SystemTime>,
    now: std::time::SystemTime,
) -> Duration {
    match last_send {
        // A last send in the future (the clock stepped back): the whole gap.
        Some(at) => chat_gap.saturating_sub(now.duration_since(at).unwrap_or(Duration::ZERO)),
        None => Duration::ZERO,
    }
}

type Global<C> = RateLimiter<NotKeyed, InMemoryState, C, NoOpMiddleware<<C as Clock>::Instant>>;

pub struct SendLimiter<C: Clock + Clone = DefaultClock> {
    limits: Limits,
    clock: C,
    global: Global<C>,
    /// Per chat, the recent start times (private chats keep one, groups a minute's).
    chats: Mutex<HashMap<i64, VecDeque<C::Instant>>>,
    paused_until: Mutex<Option<C::Instant>>,
    /// Replies whose chat allows them and that wait for the overall limit, by ticket:
    /// they go in the order they started waiting (a member who writes during a rush
    /// waits behind the replies already waiting, not behind chance), and bulk sends
    /// stand back while any waits. Each holds a wake-up: the one that becomes first
    /// is woken when its predecessor leaves, not at its next poll (polling every 2 ms
    /// capped a lifted rate near 1,000 replies a second).
    queue: Mutex<BTreeMap<u64, Arc<tokio::sync::Notify>>>,
    next_ticket: AtomicU64,
    /// Held by the one bulk send waiting for the overall limit (FIFO: tokio's mutex is fair).
    bulk_gate: tokio::sync::Mutex<()>,
    /// No private chat's first message starts before this (`quiet_for`).
    quiet_until: Option<C::Instant>,
}

/// Why a message cannot start yet, and when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait<I> {
    Paused(I),
    Chat(I),
    Overall(I),
    /// A bulk send standing back for a reply.
    Yield,
    /// A reply whose turn in the queue of waiting replies has not come.
    Queued,
}

impl SendLimiter<DefaultClock> {
    pub fn new(limits: Limits) -> Self {
        Self::with_clock(limits, DefaultClock::default())
    }
}

fn nanos(d: Duration) -> governor::nanos::Nanos {
    governor::nanos::Nanos::from(d)
}

impl<C: Clock + Clone> SendLimiter<C> {
    pub fn with_clock(limits: Limits, clock: C) -> Self {
        let per_second = NonZeroU32::new(limits.per_second.max(1)).unwrap_or(NonZeroU32::MIN);
        // Rounded up: 30 periods must span at least a whole second.
        let n = u64::from(per_second.get());
        // The margin is at most 6% of a slot (2 ms at Telegram's 30/s), so a rate lifted
        // far above Telegram's (a bench's) is not capped near 500/s by the margin.
        let slot = Duration::from_nanos(1_000_000_000u64.div_ceil(n));
        let period = slot + limits.slot_margin.min(slot * 6 / 100);
        // `with_period` is only None for a zero period, which this is not.
        let quota =
            Quota::with_period(period).unwrap_or_else(|| Quota::per_second(per_second)).allow_burst(NonZeroU32::MIN);
        SendLimiter {
            limits,
            global: RateLimiter::direct_with_clock(quota, clock.clone()),
            clock,
            chats: Mutex::new(HashMap::new()),
            paused_until: Mutex::new(None),
            queue: Mutex::new(BTreeMap::new()),
            next_ticket: AtomicU64::new(1),
            bulk_gate: tokio::sync::Mutex::new(()),
            quiet_until: None,
        }
    }

    /// No private chat's first message starts within `quiet` from now (see
    /// [`quiet_after_restart`]).
    pub fn quiet_for(mut self, quiet: Duration) -> Self {
        self.quiet_until = (!quiet.is_zero()).then(|| self.clock.now() + nanos(quiet));
        self
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Starts a message to `chat` now if every limit allows it (and records it);
    /// otherwise says what it waits for.
    pub fn try_start(&self, chat: i64, priority: Priority) -> Result<(), Wait<C::Instant>> {
        self.try_start_in_turn(chat, priority, None)
    }

    /// `try_start` for a reply holding `ticket` in the queue of waiting replies.
    fn try_start_in_turn(&self, chat: i64, priority: Priority, ticket: Option<u64>) -> Result<(), Wait<C::Instant>> {
        let now = self.clock.now();
        if let Some(until) = *self.paused_until.lock().unwrap_or_else(|e| e.into_inner()) {
            if until > now {
                return Err(Wait::Paused(until));
            }
        }
        let mut chats = self.chats.lock().unwrap_or_else(|e| e.into_inner());
        // Private chats have positive ids; groups and channels negative.
        let (window, allowed) = if chat >= 0 {
            (self.limits.chat_gap, 1)
        } else {
            (Duration::from_secs(60), self.limits.group_per_minute.max(1))
        };
        let starts = chats.entry(chat).or_default();
        while starts.front().is_some_and(|t| now.duration_since(*t) >= nanos(window)) {
            starts.pop_front();
        }
        if starts.len() >= allowed {
            let oldest = starts[starts.len() - allowed];
            return Err(Wait::Chat(oldest + nanos(window)));
        }
        if let Some(quiet) = self.quiet_until.filter(|q| chat >= 0 && starts.is_empty() && *q > now) {
            return Err(Wait::Chat(quiet));
        }
        let first = self.queue.lock().unwrap_or_else(|e| e.into_inner()).keys().next().copied();
        match (priority, first) {
            (Priority::Bulk, Some(_)) => return Err(Wait::Yield),
            (Priority::Reply, Some(first)) if Some(first) != ticket => return Err(Wait::Queued),
            _ => {}
        }
        match self.global.check() {
            Ok(()) => {
                starts.push_back(now);
                Ok(())
            }
            Err(not_until) => Err(Wait::Overall(not_until.earliest_possible())),
        }
    }

    /// Pauses every send until `retry_after` has passed (a 429).
    pub fn pause(&self, retry_after: Duration) {
        let until = self.clock.now() + nanos(retry_after);
        let mut paused = self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        if paused.is_none_or(|p| p < until) {
            *paused = Some(until);
        }
    }

    /// Forgets chats that have been quiet for a minute (bounded memory).
    pub fn forget_quiet_chats(&self) {
        let now = self.clock.now();
        let minute = nanos(Duration::from_secs(60));
        self.chats
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, starts| starts.back().is_some_and(|t| now.duration_since(*t) < minute));
    }

    /// How long from now until `at`.
    pub fn until(&self, at: C::Instant) -> Duration {
        at.duration_since(self.clock.now()).into()
    }

    /// Waits until a message to `chat` may start, and records its start.
    pub async fn acquire(&self, chat: i64, priority: Priority) {
        let mut turn = Turn { limiter: self, ticket: None, woken: Arc::default() };
        // A bulk send whose chat allows it waits for the overall limit behind the gate,
        // so one bulk send at a time contends for each slot (30 in flight would all wake
        // for every slot) and it can wake exactly on time (below).
        let mut gate = None;
        loop {
            let wait = match self.try_start_in_turn(chat, priority, turn.ticket) {
                Ok(()) => break,
                Err(w) => w,
            };
            if priority == Priority::Bulk {
                match (matches!(wait, Wait::Overall(_) | Wait::Yield), gate.is_some()) {
                    (true, false) => {
                        gate = Some(self.bulk_gate.lock().await);
                        continue;
                    }
                    (false, true) => gate = None,
                    _ => {}
                }
            }
            // A reply that only waits for the overall limit (or for its turn) queues.
            let contending = priority == Priority::Reply && matches!(wait, Wait::Overall(_) | Wait::Queued);
            match (contending, turn.ticket) {
                (true, None) => {
                    let t = self.next_ticket.fetch_add(1, Ordering::SeqCst);
                    self.queue.lock().unwrap_or_else(|e| e.into_inner()).insert(t, turn.woken.clone());
                    turn.ticket = Some(t);
                }
                (false, Some(_)) => turn.leave(),
                _ => {}
            }
            let delay = match wait {
                Wait::Paused(at) | Wait::Chat(at) => self.until(at),
                // tokio's timers fire on the millisecond after their deadline, which over
                // 1,000 slots of 33 ms would add a second: the one sender first in line
                // for the overall limit sleeps to just before its slot, then yields until
                // it comes.
                Wait::Overall(at) => match self.until(at).checked_sub(EARLY_WAKE) {
                    Some(d) if !d.is_zero() => d,
                    _ => {
                        tokio::task::yield_now().await;
                        continue;
                    }
                },
                Wait::Yield => Duration::from_millis(5),
                // Woken when it becomes first in line (a permit is kept if that happened
                // since the check above); the timeout is only a safety net.
                Wait::Queued => {
                    let _ = tokio::time::timeout(Duration::from_millis(20), turn.woken.notified()).await;
                    continue;
                }
            };
            tokio::time::sleep(delay.max(Duration::from_micros(200))).await;
        }
    }
}

/// A reply's place in the queue, given up when it starts or stops waiting (also when
/// its task is dropped, so a cancelled send never blocks the queue).
struct Turn<'a, C: Clock + Clone> {
    limiter: &'a SendLimiter<C>,
    ticket: Option<u64>,
    woken: Arc<tokio::sync::Notify>,
}

impl<C: Clock + Clone> Turn<'_, C> {
    fn leave(&mut self) {
        if let Some(t) = self.ticket.take() {
            let mut queue = self.limiter.queue.lock().unwrap_or_else(|e| e.into_inner());
            let was_first = queue.keys().next() == Some(&t);
            queue.remove(&t);
            // The next in line goes now (its slot may already have come).
            if let (true, Some(next)) = (was_first, queue.values().next()) {
                next.notify_one();
            }
        }
    }
}

impl<C: Clock + Clone> Drop for Turn<'_, C> {
    fn drop(&mut self) {
        self.leave();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;
    use proptest::prelude::*;

    // Each test builds its own clock and limiter and reads on its own: alike on purpose.
    fn limiter(clock: &FakeRelativeClock) -> SendLimiter<FakeRelativeClock> {
        SendLimiter::with_clock(Limits::default(), clock.clone())
    }

    #[test]
    fn an_idle_limiter_sends_at_once_and_spaces_one_chat_by_a_second_and_a_margin() {
        let clock = FakeRelativeClock::default();
        let l = limiter(&clock);
        assert_eq!(l.try_start(1, Priority::Reply), Ok(()));
        assert!(matches!(l.try_start(1, Priority::Reply), Err(Wait::Chat(_))));
        clock.advance(Duration::from_millis(1019));
        assert!(matches!(l.try_start(1, Priority::Reply), Err(Wait::Chat(_))));
        clock.advance(Duration::from_millis(1));
        assert_eq!(l.try_start(1, Priority::Reply), Ok(()));
    }

    /// A new process counts every private chat as sent to when it started: the last
    /// process may have sent to it a moment before. Groups and later starts are as usual.
    #[test]
    fn after_a_restart_no_private_chat_gets_a_message_within_the_first_second() {
        let clock = FakeRelativeClock::default();
        let l = limiter(&clock).quiet_for(Limits::default().chat_gap);
        assert!(matches!(l.try_start(1, Priority::Reply), Err(Wait::Chat(_))));
        assert!(matches!(l.try_start(2, Priority::Bulk), Err(Wait::Chat(_))));
        assert_eq!(l.try_start(-5, Priority::Reply), Ok(()), "a group counts its minute as before");
        clock.advance(Duration::from_millis(1019));
        assert!(matches!(l.try_start(1, Priority::Reply), Err(Wait::Chat(_))));
        clock.advance(Duration::from_millis(1));
        assert_eq!(l.try_start(1, Priority::Reply), Ok(()));
        clock.advance(Duration::from_millis(40));
        assert_eq!(l.try_start(2, Priority::Reply), Ok(()));
        assert!(matches!(l.try_start(1, Priority::Reply), Err(Wait::Chat(_))), "then a second apart, as always");
    }

    /// The quiet after a restart is what is left of a chat's gap since the last
    /// process last started a message: none on a first start or long after.
    #[test]
    fn the_quiet_after_a_restart_is_what_is_left_of_the_gap_since_the_last_send() {
        let gap = Duration::from_millis(1020);
        let now = std::time::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(quiet_after_restart(gap, None, now), Duration::ZERO);
        assert_eq!(quiet_after_restart(gap, Some(now - Duration::from_millis(300)), now), Duration::from_millis(720));
        assert_eq!(quiet_after_restart(gap, Some(now - Duration::from_secs(60)), now), Duration::ZERO);
        assert_eq!(quiet_after_restart(gap, Some(now + Duration::from_secs(5)), now), gap);
        let clock = FakeRelativeClock::default();
        let l = limiter(&clock).quiet_for(Duration::ZERO);
        assert_eq!(l.try_start(1, Priority::Reply), Ok(()), "no quiet: at once");
    }

    /// A rate lifted far above Telegram's (`HUZHU_SEND_RATE`, a bench) keeps its speed:
    /// the jitter margin is at most 6% of a slot, not whole milliseconds per start.
    #[test]
    fn a_lifted_rate_is_not_capped_by_the_margin() {
        let clock = FakeRelativeClock::default();
        let l = SendLimiter::with_clock(Limits { per_second: 100_000, ..Limits::default() }, clock.clone());
        let mut started = 0;
        for step in 0..200_000u64 {
            if l.try_start(step as i64, Priority::Reply).is_ok() {
                started += 1;
            }
            clock.advance(Duration::from_micros(1));
        }
        // 0.2 s in 1 µs steps: slots of 10.6 µs hold 18,867 starts (two milliseconds'
        // margin a slot would have allowed 99).
        assert!(started > 18_000, "{started} starts in 0.2 s at 100,000/s");
        assert!(started <= 20_000, "{started} starts in 0.2 s at 100,000/s");
    }

    #[test]
    fn a_refused_start_is_not_counted() {
        let clock = FakeRelativeClock::default();
        let l = limiter(&clock);
        assert_eq!(l.try_start(1, Priority::Reply), Ok(()));
        // Chat 2 is refused by the overall limit: its chat must not count that.
        assert!(matches!(l.try_start(2, Priority::Reply), Err(Wait::Overall(_))));
        clock.advance(Duration::from_millis(40));
        assert_eq!(l.try_start(2, Priority::Reply), Ok(()));
    }

    #[test]
    fn a_429_pauses_everyone() {
        let clock = FakeRelativeClock::default();
        let l = limiter(&clock);
        l.pause(Duration::from_secs(5));
        for chat in 1..5 {
            assert!(matches!(l.try_start(chat, Priority::Reply), Err(Wait::Paused(_))));
        }
        clock.advance(Duration::from_secs(5));
        assert_eq!(l.try_start(1, Priority::Reply), Ok(()));
    }

    #[test]
    fn groups_get_twenty_a_minute() {
        let clock = FakeRelativeClock::default();
        let l = limiter(&clock);
        let mut sent = 0;
        for _ in 0..600 {
            if l.try_start(-100, Priority::Reply).is_ok() {
                sent += 1;
            }
            clock.advance(Duration::from_millis(100));
        }
        assert_eq!(sent, 20, "20 in the first minute");
    }

    #[test]
    fn bulk_stands_back_while_a_reply_waits() {
        let clock = FakeRelativeClock::default();
        let l = limiter(&clock);
        assert_eq!(l.try_start(1, Priority::Bulk), Ok(()));
        l.queue.lock().unwrap().insert(1, Arc::default());
        clock.advance(Duration::from_millis(100));
        assert_eq!(l.try_start(2, Priority::Bulk), Err(Wait::Yield));
        // Replies go in the order they started waiting: the ticket holder first.
        l.queue.lock().unwrap().insert(2, Arc::default());
        assert_eq!(l.try_start(4, Priority::Reply), Err(Wait::Queued));
        assert_eq!(l.try_start_in_turn(5, Priority::Reply, Some(2)), Err(Wait::Queued));
        assert_eq!(l.try_start_in_turn(3, Priority::Reply, Some(1)), Ok(()));
    }

    /// 300 reminders wait for the overall limit; a reply that comes in after them goes
    /// out next (within a slot or two), not after them.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_reply_goes_before_300_queued_bulk_sends() {
        let l = Arc::new(SendLimiter::new(Limits { per_second: 100, ..Limits::default() }));
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for chat in 1..=300 {
            let (l, order) = (l.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                l.acquire(chat, Priority::Bulk).await;
                order.lock().unwrap().push(chat);
            }));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let before = order.lock().unwrap().len();
        assert!(before < 100, "the bulk sends are still queued ({before} out)");
        l.acquire(9999, Priority::Reply).await;
        order.lock().unwrap().push(9999);
        let position = order.lock().unwrap().iter().position(|c| *c == 9999).unwrap();
        assert!(position <= before + 3, "the reply went out {position}th, {before} had gone before it came");
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(order.lock().unwrap().len(), 301, "every bulk send went out after it");
    }

    /// At a lifted rate, 2,000 replies to different chats waiting at once go out at
    /// the rate, not at one per timer tick: the next in line is woken when the one
    /// before it starts (waiting replies that polled every 2 ms took about 2 s here).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn waiting_replies_at_a_lifted_rate_are_not_held_by_polling() {
        let l = Arc::new(SendLimiter::new(Limits { per_second: 100_000, ..Limits::default() }));
        let started = std::time::Instant::now();
        let tasks: Vec<_> = (1..=2000)
            .map(|chat| {
                let l = l.clone();
                tokio::spawn(async move { l.acquire(chat, Priority::Reply).await })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        let took = started.elapsed();
        assert!(took < Duration::from_millis(700), "2,000 replies at 100,000/s took {took:?}");
        assert!(l.queue.lock().unwrap().is_empty(), "every reply left the queue");
    }

    proptest! {
        /// Whatever the pattern of attempts, no 1 s window holds more than 30 starts
        /// overall, nor two starts to one private chat.
        #[test]
        fn never_31_in_a_second(steps in proptest::collection::vec((0u64..40, 0i64..50, any::<bool>()), 1..2000)) {
            let clock = FakeRelativeClock::default();
            let l = limiter(&clock);
            let mut starts: Vec<(u64, i64)> = Vec::new();
            let mut now = 0u64;
            for (gap_ms, chat, bulk) in steps {
                clock.advance(Duration::from_millis(gap_ms));
                now += gap_ms;
                let p = if bulk { Priority::Bulk } else { Priority::Reply };
                // Several attempts at the same instant, as concurrent tasks would make.
                for _ in 0..3 {
                    if l.try_start(chat, p).is_ok() {
                        starts.push((now, chat));
                    }
                }
            }
            for (i, (t, _)) in starts.iter().enumerate() {
                let in_window = starts[i..].iter().take_while(|(u, _)| *u < t + 1000).count();
                prop_assert!(in_window <= 30, "{in_window} starts within 1 s from {t} ms");
            }
            let mut by_chat: HashMap<i64, Vec<u64>> = HashMap::new();
            for (t, c) in &starts {
                by_chat.entry(*c).or_default().push(*t);
            }
            for (c, ts) in by_chat {
                for w in ts.windows(2) {
                    prop_assert!(w[1] - w[0] >= 1000, "chat {c}: starts at {} and {} ms", w[0], w[1]);
                }
            }
        }
    }
}
