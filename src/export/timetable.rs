//! The coming week as a timetable picture (`/schedule png`): a column per day, a box
//! per shift with its time, places taken, and what it lacks: free places in green, a
//! full shift in amber, volunteers still needed in red (a red frame; pink when no place
//! is free until they come), a cancelled one in grey.

use chrono::{Datelike, NaiveDate, NaiveTime};
use plotters::prelude::*;

use super::chart::{font_of, png_of};

pub const WIDTH: u32 = 1400;
const COL: i32 = 196;
const BOX_H: i32 = 118;
const TOP: i32 = 110;

/// One shift as the timetable shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    pub id: u64,
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub booked: u32,
    pub capacity: u32,
    /// Free places (all age groups together; 0 while children wait).
    pub free: u32,
    pub waiting: u32,
    pub volunteers_needed: u32,
    pub cancelled: bool,
}

/// The words of the picture. `free`, `full`, `needs` and `waiting` hold `{n}` for the
/// number.
#[derive(Debug, Clone)]
pub struct TimetableLabels {
    pub title: String,
    /// Monday first.
    pub weekdays: [String; 7],
    pub free: String,
    pub full: String,
    pub needs: String,
    pub waiting: String,
    pub cancelled: String,
    pub empty_day: String,
}

impl TimetableLabels {
    pub fn texts(&self) -> Vec<String> {
        let mut v: Vec<String> = [&self.title, &self.free, &self.full, &self.needs, &self.waiting, &self.cancelled]
            .iter()
            .map(|s| s.replace("{n}", "0123456789"))
            .collect();
        v.push(self.empty_day.clone());
        v.push("#0123456789:-/".into());
        v.extend(self.weekdays.iter().cloned());
        v
    }
}

pub const GREEN: RGBColor = RGBColor(200, 235, 200);
pub const AMBER: RGBColor = RGBColor(255, 224, 160);
pub const RED: RGBColor = RGBColor(235, 70, 60);
pub const GREY: RGBColor = RGBColor(220, 220, 220);
/// Room left but no place free until more caregivers come.
pub const PINK: RGBColor = RGBColor(255, 214, 208);

/// The colour of a shift's box: places free, full, short of caregivers, cancelled.
pub fn colour(s: &Slot) -> RGBColor {
    if s.cancelled {
        GREY
    } else if s.free > 0 {
        GREEN
    } else if s.booked >= s.capacity {
        AMBER
    } else {
        PINK
    }
}

/// Seven days from `from`, as PNG.
pub fn week_png(from: NaiveDate, slots: &[Slot], l: &TimetableLabels) -> Result<Vec<u8>, String> {
    let days: Vec<NaiveDate> = from.iter_days().take(7).collect();
    let per_day = |d: NaiveDate| slots.iter().filter(move |s| s.date == d);
    let rows = days.iter().map(|d| per_day(*d).count()).max().unwrap_or(0).max(1) as i32;
    let height = (TOP + rows * BOX_H + 20) as u32;
    png_of(WIDTH, height, |root| {
        let e = |e: DrawingAreaErrorKind<_>| e.to_string();
        let black = |size: f64| font_of(size).color(&BLACK);
        root.draw_text(&l.title, &black(28.0), (20, 12)).map_err(e)?;
        for (i, d) in days.iter().enumerate() {
            let x = 10 + i as i32 * COL;
            let wd = &l.weekdays[d.weekday().num_days_from_monday() as usize];
            root.draw_text(&format!("{wd} {}", d.format("%m-%d")), &black(20.0), (x + 6, 66)).map_err(e)?;
            let mut list: Vec<&Slot> = per_day(*d).collect();
            list.sort_by_key(|s| (s.start, s.id));
            if list.is_empty() {
                root.draw_text(&l.empty_day, &font_of(18.0).color(&RGBColor(150, 150, 150)), (x + 8, TOP + 10))
                    .map_err(e)?;
            }
            for (j, s) in list.iter().enumerate() {
                let y = TOP + j as i32 * BOX_H;
                let (x1, y1) = (x + COL - 8, y + BOX_H - 8);
                root.draw(&Rectangle::new([(x, y), (x1, y1)], colour(s).filled())).map_err(e)?;
                if s.volunteers_needed > 0 && !s.cancelled {
                    // A volunteer gap: a thick red frame and its line.
                    for k in 0..4 {
                        root.draw(&Rectangle::new([(x + k, y + k), (x1 - k, y1 - k)], RED.stroke_width(1)))
                            .map_err(e)?;
                    }
                }
                let time = format!("#{} {}-{}", s.id, s.start.format("%H:%M"), s.end.format("%H:%M"));
                root.draw_text(&time, &black(18.0), (x + 8, y + 8)).map_err(e)?;
                let n = |t: &str, n: u32| t.replace("{n}", &n.to_string());
                let mut lines = vec![];
                if s.cancelled {
                    lines.push((l.cancelled.clone(), BLACK));
                } else {
                    lines.push((format!("{}/{}", s.booked, s.capacity), BLACK));
                    if s.free > 0 {
                        lines.push((n(&l.free, s.free), RGBColor(20, 110, 40)));
                    } else if s.booked >= s.capacity {
                        lines.push((n(&l.full, s.booked), RGBColor(150, 90, 0)));
                    }
                    if s.waiting > 0 {
                        lines.push((n(&l.waiting, s.waiting), BLACK));
                    }
                    if s.volunteers_needed > 0 {
                        lines.push((n(&l.needs, s.volunteers_needed), RGBColor(190, 20, 20)));
                    }
                }
                for (k, (text, c)) in lines.iter().enumerate() {
                    root.draw_text(text, &font_of(17.0).color(c), (x + 8, y + 32 + k as i32 * 20)).map_err(e)?;
                }
            }
        }
        Ok(())
    })
}
