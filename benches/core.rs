//! Benchmark of huzhu's core: booking, the week's schedule and a family's balance with
//! history, on generated centres of two sizes built through the real service.
//!
//! - `10k`:  200 families, 10 weekly templates (522 shifts over a year), 10,682 bookings;
//! - `100k`: 2,000 families, 98 weekly templates (14 shifts a day, 5,110 shifts), 102,442 bookings.
//!
//! Each family is approved, has one child (12-18 months old now, 24-30 at the year's end) and
//! 10,000,000 credits. Shifts are 3 hours, room for 30, 4 staff. Both sizes also have one
//! "history" family (242 bookings, every other one cancelled: 365 ledger entries) and 8
//! fresh bench families. Generation runs with durability off, on a store in a temp dir.
//!
//! Both have the same per-shift state (20 rotation bookings a shift) and per-family history
//! (~52 bookings a family), so only the total amount of data differs (10x). The issue asks
//! that a booking cost O(log n), not a scan: `book/*/10k` and `book/*/100k` should match.
//!
//! Every timed `book` puts a fresh child (one of a few bench families with no other bookings)
//! into one of 92 pool shifts (the first shift of each day, 2027-08-01..2027-10-31, where
//! the mix of ages leaves room so the booking confirms). Untimed, the booking is then
//! cancelled through the service and rolled back: the shift's record is put back as it was
//! and the cancelled booking, its index entry and its two ledger entries are removed. So
//! every timed call sees exactly the generated dataset. Without the restore each pool shift
//! would grow by one booking id per iteration (a shift keeps every booking ever made,
//! cancelled ones too, and `book` reads them all) and the per-call cost would drift up; and
//! without the removal the tens of thousands of timed bookings would swamp the small
//! dataset. The summary prints record counts before and after, and, as a diagnostic, what
//! `book` costs on a shift that has seen N book/cancel cycles.
//!
//! Every booking also plans its family's reminder, so the datasets hold about 10k and 100k
//! pending reminder jobs; `due_jobs/*` times the reminder loop's reads (the 20 due jobs
//! and the next due time) and should not grow with them either.
//!
//! Run: `cargo bench --bench core`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Duration as Days, NaiveDate, NaiveTime, Weekday};
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use huzhu::domain::{Booking, BookingStatus, ChildId, Shift, ShiftId, UserId};
use huzhu::service::Caller;
use huzhu::store::{Key, Store, T};
use huzhu::testing::{t0, Fixture};

const SAMPLE_SIZE: usize = 20;
const BOOKINGS_PER_SHIFT: usize = 20;
/// Credits given to every family (one `grant` call; the maximum is 10,000,000).
const CREDITS: i64 = 10_000_000;
/// Fresh families whose children the timed bookings use.
const BENCH_FAMILIES: usize = 8;

fn d(s: &str) -> NaiveDate {
    s.parse().expect("bench date")
}

fn first_day() -> NaiveDate {
    d("2026-12-02")
}

fn last_day() -> NaiveDate {
    d("2027-12-01")
}

#[derive(Clone, Copy)]
struct Scale {
    label: &'static str,
    families: usize,
    templates_per_week: usize,
}

const SMALL: Scale = Scale { label: "10k", families: 200, templates_per_week: 10 };
const BIG: Scale = Scale { label: "100k", families: 2_000, templates_per_week: 98 };

struct Dataset {
    label: &'static str,
    fx: Fixture,
    /// Keeps the on-disk store alive.
    _dir: tempfile::TempDir,
    families: usize,
    shifts: usize,
    bookings: usize,
    confirmed: usize,
    gen_time: Duration,
    /// The family with the longest ledger history, and how many entries it has.
    history_user: UserId,
    history_entries: usize,
    /// A parent of the rotation, for the schedule.
    parent: UserId,
    /// (bench parent, bench child)
    bench_children: Vec<(UserId, ChildId)>,
    /// One shift a day in the pool window; the timed bookings go there.
    pool: Vec<ShiftId>,
    /// Shifts in the week the schedule benchmark lists.
    week_shifts: usize,
    /// (booking records, ledger entries, ledger index entries) right after generation.
    sizes: (usize, usize, usize),
}

fn week_from() -> NaiveDate {
    d("2027-03-01")
}

impl Dataset {
    fn generate(scale: Scale) -> Dataset {
        let started = Instant::now();
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(Store::open(dir.path().join("db")).expect("open store"));
        store.set_durable(false);
        let fx = Fixture::with_store(store.clone(), t0());
        let svc = fx.svc.clone();
        let coord = fx.coord();

        // Families: approved, one child 12-18 months old now (24-30 at the year's end),
        // birth dates scattered so that consecutive families differ in age.
        let mut children = Vec::with_capacity(scale.families);
        for i in 0..scale.families {
            let user = fx.family(10_000 + i as i64, &format!("Family {i}"));
            let birth = d("2025-06-02") + Days::days(((i * 37) % 182) as i64);
            let child = svc.add_child(&Caller::new(user), &format!("Child {i}"), birth, None).expect("child").value.id;
            svc.grant(&coord, user, CREDITS, "bench").expect("grant");
            children.push((user, child));
        }

        // A year of shifts from weekly templates: template i is on weekday i % 7 at slot
        // i / 7 (07:00, 07:45, ...), three hours long, room for 30 with 4 staff.
        for i in 0..scale.templates_per_week {
            let weekday = Weekday::try_from((i % 7) as u8).expect("weekday");
            let start = NaiveTime::from_hms_opt(7, 0, 0).expect("time") + Days::minutes(45 * (i / 7) as i64);
            let end = start + Days::hours(3);
            svc.create_template(&coord, weekday, start, end, Some(30), Some(4)).expect("template");
        }
        let mut shifts: Vec<Shift> = vec![];
        let mut from = first_day();
        while from <= last_day() {
            let to = (from + Days::days(30)).min(last_day());
            shifts.extend(svc.generate_shifts(&coord, None, from, to).expect("generate").value);
            from = to + Days::days(1);
        }
        shifts.sort_by_key(|s| (s.date, s.start, s.id));

        // Bookings: each shift takes the next 20 families in rotation. A day has at most
        // 14 x 20 = 280 (big) or 2 x 20 = 40 (small) bookings, fewer than the families,
        // so no child is booked twice on a day.
        let mut next = 0usize;
        let mut bookings = 0;
        let mut confirmed = 0;
        for s in &shifts {
            for _ in 0..BOOKINGS_PER_SHIFT {
                let (user, child) = children[next % children.len()];
                next += 1;
                let r = svc.book(&Caller::new(user), s.id, child).expect("book").value;
                bookings += 1;
                confirmed += usize::from(r.booking.status == BookingStatus::Confirmed);
            }
        }

        // The family with a long history: one booking every day until the pool window
        // (in the day's last shift), every other one cancelled again.
        let history_user = fx.family(9_000, "History family");
        let history_child = svc.add_child(&Caller::new(history_user), "History child", d("2025-03-01"), None);
        let history_child = history_child.expect("history child").value.id;
        svc.grant(&coord, history_user, CREDITS, "bench").expect("grant");
        let mut last_of_day: BTreeMap<NaiveDate, ShiftId> = BTreeMap::new();
        for s in &shifts {
            last_of_day.insert(s.date, s.id);
        }
        for (n, (_, shift)) in last_of_day.range(..d("2027-08-01")).enumerate() {
            let r = svc.book(&Caller::new(history_user), *shift, history_child).expect("history book").value;
            bookings += 1;
            confirmed += usize::from(r.booking.status == BookingStatus::Confirmed);
            if n % 2 == 1 {
                svc.cancel_booking(&Caller::new(history_user), r.booking.id).expect("history cancel");
            }
        }
        let history_entries = svc.balance(history_user, usize::MAX).expect("history balance").recent.len();

        // Fresh families for the timed bookings: no bookings of their own; children
        // 24-26 months old in the pool window.
        let bench_children = (0..BENCH_FAMILIES)
            .map(|k| {
                let user = fx.family(9_100 + k as i64, &format!("Bench family {k}"));
                let child = svc.add_child(&Caller::new(user), &format!("Bench child {k}"), d("2025-08-01"), None);
                svc.grant(&coord, user, CREDITS, "bench").expect("grant");
                (user, child.expect("bench child").value.id)
            })
            .collect();
        let mut pool = vec![];
        let mut seen = None;
        for s in shifts.iter().filter(|s| s.date >= d("2027-08-01") && s.date <= d("2027-10-31")) {
            if seen != Some(s.date) {
                pool.push(s.id);
                seen = Some(s.date);
            }
        }
        let week_shifts =
            shifts.iter().filter(|s| s.date >= week_from() && s.date < week_from() + Days::days(7)).count();

        store.flush().expect("flush");
        let gen_time = started.elapsed();
        let mut ds = Dataset {
            label: scale.label,
            parent: children[0].0,
            fx,
            _dir: dir,
            families: scale.families,
            shifts: shifts.len(),
            bookings,
            confirmed,
            gen_time,
            history_user,
            history_entries,
            bench_children,
            pool,
            week_shifts,
            sizes: (0, 0, 0),
        };
        ds.sizes = ds.sizes();
        ds
    }

    fn store(&self) -> &Arc<Store> {
        self.fx.svc.store()
    }

    fn shift_bytes(&self, shift: ShiftId) -> sled::IVec {
        self.store().tree(T::Shifts).get(Key::new().u64(shift.0)).expect("read shift").expect("shift exists")
    }

    /// One timed `book` of the `j`-th (child, pool shift) pair; then, untimed, the booking
    /// is cancelled and the shift record restored, and the store flushed if `durable`.
    fn timed_book(&self, j: usize, durable: bool, confirmed: &mut u64) -> Duration {
        let svc = &self.fx.svc;
        let store = self.store();
        let shift = self.pool[j % self.pool.len()];
        let (user, child) = self.bench_children[(j / self.pool.len()) % self.bench_children.len()];
        let before = self.shift_bytes(shift);
        store.set_durable(durable);
        let t = Instant::now();
        let r = svc.book(&Caller::new(user), shift, child);
        let elapsed = t.elapsed();
        store.set_durable(false);
        let r = r.expect("timed book").value;
        *confirmed += u64::from(r.booking.status == BookingStatus::Confirmed);
        svc.cancel_booking(&Caller::new(user), r.booking.id).expect("cancel timed booking");
        self.roll_back(&r.booking, r.shift.date, before);
        if durable {
            store.flush().expect("flush");
        }
        elapsed
    }
}

impl Dataset {
    /// After a booking was made and cancelled: puts its shift's record back as it was and
    /// removes what the pair left behind (the cancelled booking, its index entry, its hold
    /// and release ledger entries), so every timed call sees the generated dataset
    /// unchanged. Balances and the family's `held` are already back after the cancel.
    fn roll_back(&self, b: &Booking, date: NaiveDate, shift_before: sled::IVec) {
        let store = self.store();
        let tree = |t: T| store.tree(t);
        tree(T::Shifts).insert(Key::new().u64(b.shift.0), shift_before).expect("restore shift");
        let entries = self.fx.svc.balance(b.booked_by, 4).expect("bench balance").recent;
        let mine: Vec<_> = entries.iter().filter(|e| e.entry.booking == Some(b.id)).collect();
        assert_eq!(mine.len(), 2, "a free cancellation leaves a hold and a release");
        for e in mine {
            tree(T::Ledger).remove(Key::new().u64(e.entry.id.0)).expect("remove entry");
            tree(T::LedgerByAccount).remove(Key::new().account(e.entry.from).u64(e.entry.id.0)).expect("index");
            tree(T::LedgerByAccount).remove(Key::new().account(e.entry.to).u64(e.entry.id.0)).expect("index");
        }
        tree(T::Bookings).remove(Key::new().u64(b.id.0)).expect("remove booking");
        tree(T::BookingsByFamily).remove(Key::new().u64(b.family.0).date(date).u64(b.id.0)).expect("index");
    }

    /// Record counts, to show the data the timed calls ran against stayed as generated.
    fn sizes(&self) -> (usize, usize, usize) {
        let store = self.store();
        (store.tree(T::Bookings).len(), store.tree(T::Ledger).len(), store.tree(T::LedgerByAccount).len())
    }
}

/// Per benchmark id: every (iterations, time) criterion asked for, warm-up first.
#[derive(Default)]
struct Record {
    runs: RefCell<BTreeMap<String, Vec<(u64, Duration)>>>,
}

impl Record {
    fn add(&self, id: &str, iters: u64, time: Duration) {
        self.runs.borrow_mut().entry(id.to_string()).or_default().push((iters, time));
    }
    /// Time per call over the measured samples (the last `SAMPLE_SIZE` runs): the mean, and
    /// the median of the samples' per-call times (robust against a sample disturbed by
    /// other work on the machine); and how many calls were made, warm-up included.
    fn per_call(&self, id: &str) -> Option<(Duration, Duration, u64)> {
        let runs = self.runs.borrow();
        let v = runs.get(id)?;
        let measured = &v[v.len().saturating_sub(SAMPLE_SIZE)..];
        let iters: u64 = measured.iter().map(|r| r.0).sum();
        let time: Duration = measured.iter().map(|r| r.1).sum();
        let mut per: Vec<Duration> = measured.iter().map(|r| r.1 / r.0.max(1) as u32).collect();
        per.sort();
        let median = per[per.len() / 2];
        let total: u64 = v.iter().map(|r| r.0).sum();
        Some((time / iters.max(1) as u32, median, total))
    }
}

fn bench_book(c: &mut Criterion, sets: &[&Dataset], rec: &Record, confirmed: &RefCell<(u64, u64)>) {
    for (durable, name, time) in [(false, "durable_off", 5), (true, "durable_on", 10)] {
        let mut g = c.benchmark_group("book");
        g.sample_size(SAMPLE_SIZE).measurement_time(Duration::from_secs(time)).warm_up_time(Duration::from_secs(1));
        g.sampling_mode(SamplingMode::Flat);
        g.throughput(Throughput::Elements(1));
        for ds in sets {
            let id = format!("book/{name}/{}", ds.label);
            let mut j = 0usize;
            g.bench_function(BenchmarkId::new(name, ds.label), |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    let mut ok = 0;
                    for _ in 0..iters {
                        total += ds.timed_book(j, durable, &mut ok);
                        j += 1;
                    }
                    let mut cf = confirmed.borrow_mut();
                    cf.0 += ok;
                    cf.1 += iters;
                    rec.add(&id, iters, total);
                    total
                })
            });
            ds.store().set_durable(false);
        }
        g.finish();
    }
}

fn bench_reads(c: &mut Criterion, sets: &[&Dataset], rec: &Record) {
    let mut g = c.benchmark_group("schedule_week");
    g.sample_size(SAMPLE_SIZE).measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(1));
    for ds in sets {
        let id = format!("schedule_week/{}", ds.label);
        let n = ds.fx.svc.schedule(ds.parent, week_from(), 7).expect("schedule").len();
        assert_eq!(n, ds.week_shifts, "schedule lists the week's shifts");
        g.bench_function(BenchmarkId::from_parameter(ds.label), |b| {
            b.iter_custom(|iters| {
                let t = Instant::now();
                for _ in 0..iters {
                    std::hint::black_box(ds.fx.svc.schedule(ds.parent, week_from(), 7).expect("schedule"));
                }
                let e = t.elapsed();
                rec.add(&id, iters, e);
                e
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("balance_history");
    g.sample_size(SAMPLE_SIZE).measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(1));
    for ds in sets {
        let id = format!("balance_history/{}", ds.label);
        assert_eq!(ds.fx.svc.balance(ds.history_user, 10).expect("balance").recent.len(), 10);
        g.bench_function(BenchmarkId::from_parameter(ds.label), |b| {
            b.iter_custom(|iters| {
                let t = Instant::now();
                for _ in 0..iters {
                    std::hint::black_box(ds.fx.svc.balance(ds.history_user, 10).expect("balance"));
                }
                let e = t.elapsed();
                rec.add(&id, iters, e);
                e
            })
        });
    }
    g.finish();
}

/// The reminder loop's two reads: what is due now (a range from the start of the
/// due-time order, at most 20) and when the next job falls due. Measured at 20:00 the
/// evening before the first shifts, when the first family reminders are due; the
/// datasets hold one pending reminder per booking (about 10x more in `100k`).
fn bench_jobs(c: &mut Criterion, sets: &[&Dataset], rec: &Record) {
    let mut g = c.benchmark_group("due_jobs");
    g.sample_size(SAMPLE_SIZE).measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(1));
    for ds in sets {
        let id = format!("due_jobs/{}", ds.label);
        let evening = t0() + Days::hours(11); // 2026-12-01 20:00 in Asia/Shanghai
        ds.fx.clock.set(evening);
        let due = ds.fx.svc.due_jobs(20).expect("due jobs").len();
        assert_eq!(due, 20, "the first shifts' family reminders are due");
        g.bench_function(BenchmarkId::from_parameter(ds.label), |b| {
            b.iter_custom(|iters| {
                let t = Instant::now();
                for _ in 0..iters {
                    std::hint::black_box(ds.fx.svc.due_jobs(20).expect("due"));
                    std::hint::black_box(ds.fx.svc.next_job_due().expect("next"));
                }
                let e = t.elapsed();
                rec.add(&id, iters, e);
                e
            })
        });
        ds.fx.clock.set(t0());
    }
    g.finish();
}

/// A paired check of the scaling claim that is robust against other work on the machine:
/// blocks of `block` timed bookings alternate between the two datasets (order swapped every
/// round), and the median over rounds of the 100k/10k ratio is reported with the medians of
/// each side's per-call time.
fn paired_check(small: &Dataset, big: &Dataset, durable: bool, rounds: usize, block: usize) -> (f64, f64, f64) {
    let mut per = [vec![], vec![]];
    let mut ratios = vec![];
    let mut ok = 0;
    for round in 0..rounds {
        let mut this = [0.0; 2];
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for side in order {
            let ds = [small, big][side];
            let mut total = Duration::ZERO;
            for k in 0..block {
                total += ds.timed_book(round * block + k, durable, &mut ok);
            }
            ds.store().set_durable(false);
            this[side] = total.as_secs_f64() * 1e6 / block as f64;
            per[side].push(this[side]);
        }
        ratios.push(this[1] / this[0]);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (median(&mut per[0]), median(&mut per[1]), median(&mut ratios))
}

/// Diagnostic, not a criterion benchmark: what `book` costs on a shift that has seen many
/// book/cancel cycles (its record keeps every cancelled booking id).
fn churn_check(ds: &Dataset) -> Vec<(usize, Duration)> {
    let svc = &ds.fx.svc;
    // A shift outside the pool: the first of 2027-11-15.
    let shift = svc
        .shift_ids_between(ds.fx.centre.id, d("2027-11-15"), d("2027-11-15"))
        .expect("shift ids")
        .into_iter()
        .next()
        .expect("a shift on 2027-11-15");
    let (user, child) = ds.bench_children[0];
    let mut out = vec![];
    let mut cancelled = 0;
    for target in [0usize, 100, 500, 2000] {
        while cancelled < target {
            let r = svc.book(&Caller::new(user), shift, child).expect("churn book").value;
            svc.cancel_booking(&Caller::new(user), r.booking.id).expect("churn cancel");
            cancelled += 1;
        }
        // Measured at exactly `target` cancelled bookings: the shift is restored after each.
        let before = ds.shift_bytes(shift);
        let reps = 100;
        let mut total = Duration::ZERO;
        for _ in 0..reps {
            let t = Instant::now();
            let r = svc.book(&Caller::new(user), shift, child).expect("churn book");
            total += t.elapsed();
            svc.cancel_booking(&Caller::new(user), r.value.booking.id).expect("churn cancel");
            ds.store().tree(T::Shifts).insert(Key::new().u64(shift.0), before.clone()).expect("restore shift");
        }
        out.push((target, total / reps));
    }
    out
}

fn rate(d: Duration) -> f64 {
    1.0 / d.as_secs_f64()
}

fn main() {
    let mut c = Criterion::default().configure_from_args();

    let mut sets = vec![];
    for scale in [SMALL, BIG] {
        let ds = Dataset::generate(scale);
        println!(
            "generated {:>4}: {} families, {} shifts, {} bookings ({} confirmed, {:.0}%), history family {} ledger entries, in {:.1} s",
            ds.label,
            ds.families,
            ds.shifts,
            ds.bookings,
            ds.confirmed,
            100.0 * ds.confirmed as f64 / ds.bookings as f64,
            ds.history_entries,
            ds.gen_time.as_secs_f64()
        );
        sets.push(ds);
    }
    let refs: Vec<&Dataset> = sets.iter().collect();

    let rec = Record::default();
    let confirmed = RefCell::new((0u64, 0u64));
    bench_book(&mut c, &refs, &rec, &confirmed);
    bench_reads(&mut c, &refs, &rec);
    let pending: Vec<usize> = sets.iter().map(|ds| ds.store().tree(T::Jobs).len()).collect();
    bench_jobs(&mut c, &refs, &rec);

    let paired = [
        (false, paired_check(&sets[0], &sets[1], false, 15, 200)),
        (true, paired_check(&sets[0], &sets[1], true, 15, 100)),
    ];
    let after: Vec<_> = sets.iter().map(Dataset::sizes).collect();
    let churn = churn_check(&sets[1]);

    println!();
    println!("=== huzhu core benchmark summary ===");
    for (ds, after) in sets.iter().zip(&after) {
        println!(
            "dataset {:>4}: {:>5} families, {:>5} shifts, {:>6} bookings, generated in {:>5.1} s; \
             records (bookings, ledger entries, ledger index) generated {:?}, after the benchmarks {:?}",
            ds.label,
            ds.families,
            ds.shifts,
            ds.bookings,
            ds.gen_time.as_secs_f64(),
            ds.sizes,
            after,
        );
    }
    println!(
        "{:<24} {:>11} {:>11} {:>11} {:>13} {:>9}",
        "case", "mean/call", "calls/s", "median/call", "calls/s (med)", "calls"
    );
    let ids = [
        "book/durable_off/10k",
        "book/durable_off/100k",
        "book/durable_on/10k",
        "book/durable_on/100k",
        "schedule_week/10k",
        "schedule_week/100k",
        "balance_history/10k",
        "balance_history/100k",
        "due_jobs/10k",
        "due_jobs/100k",
    ];
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    for id in ids {
        if let Some((mean, median, total)) = rec.per_call(id) {
            println!(
                "{:<24} {:>8.1} µs {:>11.0} {:>8.1} µs {:>13.0} {:>9}",
                id,
                us(mean),
                rate(mean),
                us(median),
                rate(median),
                total
            );
        }
    }
    for ds in &sets {
        if let Some((mean, median, _)) = rec.per_call(&format!("schedule_week/{}", ds.label)) {
            println!(
                "schedule_week/{:<5} lists {:>2} shifts: {:.1} µs (median {:.1} µs) per listed shift",
                ds.label,
                ds.week_shifts,
                us(mean) / ds.week_shifts as f64,
                us(median) / ds.week_shifts as f64
            );
        }
    }
    for name in ["durable_off", "durable_on"] {
        if let (Some((a, am, _)), Some((b, bm, _))) =
            (rec.per_call(&format!("book/{name}/10k")), rec.per_call(&format!("book/{name}/100k")))
        {
            println!(
                "book/{name}: per-call cost at 100k / at 10k = {:.2}x (medians {:.2}x)",
                b.as_secs_f64() / a.as_secs_f64(),
                bm.as_secs_f64() / am.as_secs_f64()
            );
        }
    }
    for (durable, (a, b, r)) in paired {
        let name = if durable { "durable_on" } else { "durable_off" };
        println!(
            "paired check book/{name}: alternating blocks, median per call 10k {a:.1} µs, 100k {b:.1} µs; \
             median ratio 100k/10k = {r:.2}x"
        );
    }
    for (ds, n) in sets.iter().zip(&pending) {
        println!("due_jobs/{:<5} with {n} pending reminder jobs: 20 due ones and the next due time per call", ds.label);
    }
    let (ok, all) = *confirmed.borrow();
    println!("timed bookings confirmed: {ok} of {all}");
    println!("diagnostic (100k, durable off): book on a shift after N book/cancel cycles on it");
    for (n, per) in churn {
        println!("  {:>5} cancelled bookings on the shift: {:>8.1} µs per book", n, per.as_secs_f64() * 1e6);
    }

    c.final_summary();
}
