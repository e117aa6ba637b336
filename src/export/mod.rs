//! Files people take away, pure: CSV documents (UTF-8 with a byte-order mark, so Excel
//! opens Chinese correctly), their names, the report's chart and the week's timetable
//! as PNG (`chart`, `timetable`, drawn with plotters in the embedded CJK font, `font`),
//! and calendars (`ics`, RFC 5545). Values and words in, bytes out; no store, no clock.

pub mod chart;
pub mod font;
pub mod ics;
pub mod timetable;

/// UTF-8's byte-order mark: Excel reads a CSV without it in the PC's legacy code page.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A CSV document (RFC 4180: CRLF line ends, fields quoted when they hold a comma, a
/// quote or a line break, quotes doubled), UTF-8 with a BOM. A field that a
/// spreadsheet would run as a formula (`=`, `+`, `-`, `@` first, unless it is a
/// number) gets a leading apostrophe.
pub fn csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = BOM.to_vec();
    for row in rows {
        let line: Vec<String> = row.iter().map(|f| field(f)).collect();
        out.extend_from_slice(line.join(",").as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn field(f: &str) -> String {
    let formula = f.starts_with(['=', '+', '-', '@']) && f.parse::<f64>().is_err();
    let f = if formula { format!("'{f}") } else { f.to_string() };
    if f.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f
    }
}

/// A file's name: the centre, the period and what it is, e.g. `六和-2026-12-report.csv`.
/// Characters that file systems refuse (`/ \ : * ? " < > |`, control characters) become
/// `_`; the centre's part is cut to 40 characters.
pub fn file_name(centre: &str, period: &str, what: &str, ext: &str) -> String {
    let clean = |s: &str, max: usize| -> String {
        let s: String = s
            .trim()
            .chars()
            .map(|c| if c.is_control() || "/\\:*?\"<>|".contains(c) || c.is_whitespace() { '_' } else { c })
            .take(max)
            .collect();
        if s.is_empty() {
            "huzhu".into()
        } else {
            s
        }
    };
    format!("{}-{}-{}.{}", clean(centre, 40), clean(period, 20), clean(what, 30), ext)
}

/// Minutes as hours with one decimal (`90` -> `1.5`), for tables.
pub fn hours(minutes: i64) -> String {
    let tenths = (minutes.abs() * 10 + 30) / 60;
    let sign = if minutes < 0 && tenths > 0 { "-" } else { "" };
    format!("{sign}{}.{}", tenths / 10, tenths % 10)
}

/// A per-mille rate as a percentage with one decimal (`306` -> `30.6%`).
pub fn percent(permille: i64) -> String {
    let sign = if permille < 0 { "-" } else { "" };
    format!("{sign}{}.{}%", permille.abs() / 10, permille.abs() % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_starts_with_a_bom_and_quotes_what_needs_it() {
        let doc = csv(&[
            vec!["日期".into(), "说明".into()],
            vec!["2026-12-01".into(), "a, \"b\"\nc".into()],
            vec!["=cmd()".into(), "-30".into()],
        ]);
        assert!(doc.starts_with(BOM));
        let text = std::str::from_utf8(&doc[3..]).unwrap();
        assert_eq!(text, "日期,说明\r\n2026-12-01,\"a, \"\"b\"\"\nc\"\r\n'=cmd(),-30\r\n");
    }

    #[test]
    fn file_names_carry_centre_period_and_kind() {
        assert_eq!(file_name("六和", "2026-12", "report", "csv"), "六和-2026-12-report.csv");
        assert_eq!(file_name("A/B: C*", "2026-12", "daily", "csv"), "A_B__C_-2026-12-daily.csv");
        assert_eq!(file_name("  ", "2026-12", "report", "png"), "huzhu-2026-12-report.png");
        assert_eq!(file_name(&"长".repeat(100), "2026-12", "x", "csv").chars().count(), 40 + 1 + 7 + 1 + 1 + 4);
    }

    #[test]
    fn hours_and_percent() {
        assert_eq!(hours(90), "1.5");
        assert_eq!(hours(0), "0.0");
        assert_eq!(hours(-30), "-0.5");
        assert_eq!(hours(100), "1.7");
        assert_eq!(percent(306), "30.6%");
        assert_eq!(percent(-5), "-0.5%");
    }
}
