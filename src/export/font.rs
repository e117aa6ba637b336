//! The CJK font every picture is drawn in: WenQuanYi Micro Hei (Apache-2.0, from
//! Debian's fonts-wqy-microhei; licence beside it in `assets/fonts/`), which has Latin
//! letters and digits as well as Chinese (Droid Sans Fallback has no digits). Compiled
//! into the binary so a machine without fonts or fontconfig draws Chinese, not boxes.

use ab_glyph::{Font, FontRef};
use std::sync::OnceLock;

/// The font file (a collection: its first face, Micro Hei), embedded.
pub static BYTES: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei.ttc");

/// The family name pictures ask plotters for.
pub const FAMILY: &str = "huzhu-cjk";

/// Registers the font with plotters (once); false if it could not be read.
pub fn register() -> bool {
    static DONE: OnceLock<bool> = OnceLock::new();
    *DONE.get_or_init(|| {
        // Also as plotters' default family, so no text falls back to a missing one.
        [FAMILY, "sans-serif"]
            .iter()
            .all(|name| plotters::style::register_font(name, plotters::style::FontStyle::Normal, BYTES).is_ok())
    })
}

/// The first character of `text` the font has no glyph for (it would be drawn as a
/// box), ignoring line breaks.
pub fn missing_glyph(text: &str) -> Option<char> {
    let font = FontRef::try_from_slice(BYTES).ok()?;
    text.chars().filter(|c| !c.is_control()).find(|c| font.glyph_id(*c).0 == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_reads_and_has_chinese_but_not_everything() {
        assert!(register());
        assert_eq!(missing_glyph("六和社区互助中心 2026-12 托育时长 (小时) 45.5%"), None);
        // A character the font lacks is found (the check can fail): a private-use one.
        assert_eq!(missing_glyph("ok\u{E000}"), Some('\u{E000}'));
    }
}
