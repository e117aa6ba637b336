//! The report's picture: daily child-hours and volunteer hours over the month (lines),
//! and the fill rate by weekday and part of the day (a coloured grid). Words come in
//! `ReportLabels` (the bot takes them from the Fluent files); PNG bytes come out.

use plotters::prelude::*;
use plotters::style::FontFamily;

use super::font;
use crate::report::MonthReport;

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 960;

/// Every word the picture shows, in the reader's language.
#[derive(Debug, Clone)]
pub struct ReportLabels {
    /// Centre and month, e.g. "六和 · 2026-12".
    pub title: String,
    pub daily_caption: String,
    pub child_hours: String,
    pub volunteer_hours: String,
    pub day_axis: String,
    pub hours_axis: String,
    pub fill_caption: String,
    /// Monday first.
    pub weekdays: [String; 7],
    /// Morning, afternoon, evening.
    pub parts: [String; 3],
    /// A cell where nothing was offered.
    pub nothing: String,
}

impl ReportLabels {
    /// Every text the picture may draw (for the glyph-coverage check).
    pub fn texts(&self) -> Vec<String> {
        let mut v = vec![
            self.title.clone(),
            self.daily_caption.clone(),
            self.child_hours.clone(),
            self.volunteer_hours.clone(),
            self.day_axis.clone(),
            self.hours_axis.clone(),
            self.fill_caption.clone(),
            self.nothing.clone(),
            "0123456789.%-".into(),
        ];
        v.extend(self.weekdays.iter().cloned());
        v.extend(self.parts.iter().cloned());
        v
    }
}

pub(crate) fn font_of(size: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(font::FAMILY), size, FontStyle::Normal)
}

/// Draws into an RGB buffer and encodes it as PNG.
pub(crate) fn png_of(
    width: u32,
    height: u32,
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>) -> Result<(), String>,
) -> Result<Vec<u8>, String> {
    if !font::register() {
        return Err("the embedded font could not be read".into());
    }
    let mut rgb = vec![255u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        draw(&root)?;
        root.present().map_err(|e| e.to_string())?;
    }
    let mut out = vec![];
    let mut enc = png::Encoder::new(&mut out, width, height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().map_err(|e| e.to_string())?;
    w.write_image_data(&rgb).map_err(|e| e.to_string())?;
    drop(w);
    Ok(out)
}

/// A green as deep as the rate (white at 0, full green at 100 %).
fn fill_colour(permille: i64) -> RGBColor {
    let p = permille.clamp(0, 1000) as f64 / 1000.0;
    let mix = |from: f64, to: f64| (from + (to - from) * p).round() as u8;
    RGBColor(mix(245.0, 46.0), mix(250.0, 160.0), mix(245.0, 67.0))
}

/// The report's chart as PNG.
pub fn report_png(r: &MonthReport, l: &ReportLabels) -> Result<Vec<u8>, String> {
    png_of(WIDTH, HEIGHT, |root| {
        let e = |e: DrawingAreaErrorKind<_>| e.to_string();
        let (top, bottom) = root.split_vertically(560);
        top.draw_text(&l.title, &font_of(30.0).color(&BLACK), (30, 12)).map_err(e)?;
        let hours = |m: i64| m as f64 / 60.0;
        let max = r.days.iter().map(|d| hours(d.child_minutes.max(d.volunteer_minutes))).fold(1.0f64, f64::max) * 1.15;
        let days = r.days.len() as i32;
        let area = top.margin(50, 10, 10, 20);
        let mut chart = ChartBuilder::on(&area)
            .caption(&l.daily_caption, font_of(24.0))
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(1..days, 0f64..max)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_labels(days.min(16) as usize)
            .x_desc(l.day_axis.as_str())
            .y_desc(l.hours_axis.as_str())
            .label_style(font_of(16.0))
            .axis_desc_style(font_of(18.0))
            .draw()
            .map_err(e)?;
        let child = RGBColor(33, 113, 181);
        let vol = RGBColor(230, 120, 20);
        let series = |f: fn(&crate::report::DayRow) -> i64| {
            r.days.iter().map(move |d| (d.date.format("%d").to_string().parse::<i32>().unwrap_or(1), hours(f(d))))
        };
        chart
            .draw_series(LineSeries::new(series(|d| d.child_minutes), child.stroke_width(3)))
            .map_err(e)?
            .label(l.child_hours.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], child.stroke_width(3)));
        chart
            .draw_series(LineSeries::new(series(|d| d.volunteer_minutes), vol.stroke_width(3)))
            .map_err(e)?
            .label(l.volunteer_hours.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], vol.stroke_width(3)));
        chart
            .configure_series_labels()
            .label_font(font_of(18.0))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(e)?;

        // The fill grid: weekdays across, parts of the day down.
        bottom.draw_text(&l.fill_caption, &font_of(24.0).color(&BLACK), (30, 0)).map_err(e)?;
        let (x0, y0, cell_w, cell_h) = (150, 66, 140, 104);
        for (i, w) in l.weekdays.iter().enumerate() {
            let x = x0 + i as i32 * cell_w;
            bottom.draw_text(w, &font_of(20.0).color(&BLACK), (x + cell_w / 2 - 20, y0 - 28)).map_err(e)?;
        }
        for (j, p) in l.parts.iter().enumerate() {
            let y = y0 + j as i32 * cell_h;
            bottom.draw_text(p, &font_of(20.0).color(&BLACK), (30, y + cell_h / 2 - 10)).map_err(e)?;
        }
        for (k, c) in r.fill.iter().enumerate() {
            let (i, j) = ((k / 3) as i32, (k % 3) as i32);
            let (x, y) = (x0 + i * cell_w, y0 + j * cell_h);
            let rate = crate::report::permille(c.booked, c.offered);
            let colour = rate.map(fill_colour).unwrap_or(RGBColor(225, 225, 225));
            bottom.draw(&Rectangle::new([(x, y), (x + cell_w - 4, y + cell_h - 4)], colour.filled())).map_err(e)?;
            let text = match rate {
                Some(p) => format!("{}%", (p + 5) / 10),
                None => l.nothing.clone(),
            };
            bottom
                .draw_text(&text, &font_of(22.0).color(&BLACK), (x + cell_w / 2 - 24, y + cell_h / 2 - 12))
                .map_err(e)?;
        }
        Ok(())
    })
}
