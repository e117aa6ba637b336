//! The allocation round's engine against the exact integer program (issue 14), on seeded
//! generated weeks from 50 families x 20 shifts to 5,000 x 500: children placed, fairness
//! score, time, and the gap; then the engine's time at 1x, 4x and 16x sizes. The solver
//! (good_lp + microlp, pure Rust) runs in a child process with a 60 s limit, killed at
//! 90 s if it overruns, so "solver >60 s" means it did not prove an optimum in time. It
//! gets the engine's answer as a first incumbent; its proof of optimality does not depend
//! on it. The last line is the summary a script reads.
//!
//! Growth: n is the number of wished shifts; cost growing like n log n from 1x to 16x
//! allows a time ratio of (n16 ln n16) / (n1 ln n1), printed next to the measured one.
//! Times are the best of several interleaved runs (the machine is shared; the load
//! average is printed before and after). The thread's CPU time of the same runs is printed
//! too, with its growth, as a diagnostic: on a loaded machine the wall clock of a long run
//! includes other processes' time slices, which a short run more often escapes. The
//! summary's growth is the wall-clock one.
//!
//! cargo bench --bench allocation
//! (`HUZHU_ALLOC_TIMES_ONLY=1` skips the solver comparison.)

#[path = "../tests/alloc_support/mod.rs"]
mod alloc_support;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use alloc_support::{check, generate, solve_exact};
use huzhu::allocation::allocate;

const SOLVER_LIMIT: f64 = 60.0;
const CHILD_ENV: &str = "HUZHU_ALLOC_SOLVE";

/// (families, shifts, seed) of the compared instances.
const INSTANCES: &[(usize, usize, u64)] = &[
    (50, 20, 1),
    (50, 20, 2),
    (50, 20, 3),
    (100, 20, 4),
    (100, 30, 5),
    (200, 40, 6),
    (500, 60, 7),
    (1000, 100, 8),
    (2000, 200, 9),
    (5000, 500, 10),
];

fn main() {
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        return solve_child(&spec);
    }
    println!("load average at start: {}", load_average());
    println!("allocation engine vs exact integer program (microlp), seeded generated weeks");
    println!(
        "{:>9} {:>6} {:>6} | {:>7} {:>9} {:>9} | {:>8} {:>9} {:>8} | {:>7}",
        "families", "shifts", "wishes", "engine", "fairness", "time", "optimum", "fairness", "time", "ratio"
    );
    let mut worst: Option<f64> = None;
    let mut finished = 0;
    let instances = if std::env::var("HUZHU_ALLOC_TIMES_ONLY").is_ok() { &[][..] } else { INSTANCES };
    for &(families, shifts, seed) in instances {
        let p = generate(families, shifts, seed);
        let (a, secs) = timed(|| allocate(&p, seed));
        check(&p, &a).expect("the engine keeps every rule");
        let solved = solve_in_child(families, shifts, seed);
        let (opt, fair, stime, ratio) = match solved {
            Some((placed, true, fairness, t)) => {
                finished += 1;
                let r = if placed == 0 { 1.0 } else { a.placed as f64 / placed as f64 };
                worst = Some(worst.map_or(r, |w: f64| w.min(r)));
                (
                    placed.to_string(),
                    fairness.map_or("-".into(), |f| f.to_string()),
                    format!("{t:.2} s"),
                    format!("{r:.4}"),
                )
            }
            Some((placed, false, _, _)) => (format!(">={placed}"), "-".into(), "solver >60 s".into(), "-".into()),
            None => ("-".into(), "-".into(), "solver >60 s".into(), "-".into()),
        };
        println!(
            "{:>9} {:>6} {:>6} | {:>7} {:>9} {:>7.2}ms | {:>8} {:>9} {:>8} | {:>7}",
            families,
            shifts,
            p.wishes.len(),
            a.placed,
            a.fairness,
            secs * 1e3,
            opt,
            fair,
            stime,
            ratio
        );
    }

    const RUNS: usize = 7;
    println!("engine time by size (best of {RUNS} interleaved runs, release build)");
    let sizes = [(1, 312, 31), (4, 1250, 125), (16, 5000, 500)];
    let problems: Vec<_> = sizes.iter().map(|(_, f, s)| generate(*f, *s, 42)).collect();
    let mut times = [f64::INFINITY; 3];
    let mut cpu = [f64::INFINITY; 3];
    let mut placed = [0; 3];
    for _ in 0..RUNS {
        for (i, p) in problems.iter().enumerate() {
            let c0 = thread_cpu();
            let (a, t) = timed(|| allocate(p, 42));
            cpu[i] = cpu[i].min(thread_cpu() - c0);
            times[i] = times[i].min(t);
            placed[i] = a.placed;
        }
    }
    let n: Vec<f64> = problems.iter().map(|p| p.wishes.iter().map(|w| w.choices.len()).sum::<usize>() as f64).collect();
    for (i, (mult, families, shifts)) in sizes.iter().enumerate() {
        println!(
            "{mult:>3}x: {families:>5} families x {shifts:>3} shifts, {:>6} wished shifts: {:.1} ms (CPU {:.1} ms), {} placed",
            n[i],
            times[i] * 1e3,
            cpu[i] * 1e3,
            placed[i]
        );
    }
    let big = generate(5000, 500, 10);
    let t_big = (0..RUNS).map(|_| timed(|| allocate(&big, 10)).1).fold(f64::INFINITY, f64::min);
    let growth = times[2] / times[0];
    let bound = n[2] * n[2].ln() / (n[0] * n[0].ln());
    println!(
        "growth 16x: {growth:.1} x (linear: {:.1} x, n log n bound: {bound:.1} x): {}",
        n[2] / n[0],
        if growth <= bound { "within" } else { "above" }
    );
    println!("growth 16x in CPU time: {:.1} x", cpu[2] / cpu[0]);
    println!("load average at end: {}", load_average());
    println!(
        "allocation: worst placed/optimal {} over {finished} instances; 5000x500 in {t_big:.3} s; growth 16x: {growth:.1} x",
        worst.map_or("-".into(), |w| format!("{w:.4}"))
    );
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "-".into())
}

/// This thread's CPU time in seconds (the time the engine ran, not the time it waited).
fn thread_cpu() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime only writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed().as_secs_f64())
}

/// In the child process: solve one instance, print "placed optimal fairness secs".
fn solve_child(spec: &str) {
    let v: Vec<u64> = spec.split_whitespace().filter_map(|x| x.parse().ok()).collect();
    let (families, shifts, seed) = (v[0] as usize, v[1] as usize, v[2]);
    let p = generate(families, shifts, seed);
    let a = allocate(&p, seed);
    match solve_exact(&p, SOLVER_LIMIT, Some(&a)) {
        Ok(e) => println!("{} {} {} {}", e.placed, e.optimal, e.fairness.map_or("-".into(), |f| f.to_string()), e.secs),
        Err(err) => println!("error {err}"),
    }
}

/// Runs the solver in a child process; None if it overran (killed) or failed.
fn solve_in_child(families: usize, shifts: usize, seed: u64) -> Option<(usize, bool, Option<i64>, f64)> {
    let exe = std::env::current_exe().ok()?;
    let mut child = Command::new(exe)
        .env(CHILD_ENV, format!("{families} {shifts} {seed}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + Duration::from_secs_f64(SOLVER_LIMIT + 30.0);
    loop {
        match child.try_wait().ok()? {
            Some(_) => break,
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    let mut out = String::new();
    child.stdout.take()?.read_to_string(&mut out).ok()?;
    let f: Vec<&str> = out.split_whitespace().collect();
    if f.len() != 4 {
        return None;
    }
    Some((f[0].parse().ok()?, f[1] == "true", f[2].parse().ok(), f[3].parse().ok()?))
}
