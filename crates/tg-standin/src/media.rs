//! Uploaded files: image dimension sniffing, file ids and MIME types.

use rand::Rng;

/// Width and height of a PNG, JPEG, GIF, WebP or BMP image, `None` if the
/// bytes are not an image Telegram could process.
pub(crate) fn image_dimensions(b: &[u8]) -> Option<(u32, u32)> {
    let u16le = |i: usize| Some(u16::from_le_bytes([*b.get(i)?, *b.get(i + 1)?]) as u32);
    let u32be = |i: usize| Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?));
    let u32le = |i: usize| Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?));
    let u24le = |i: usize| {
        let s = b.get(i..i + 3)?;
        Some(s[0] as u32 | (s[1] as u32) << 8 | (s[2] as u32) << 16)
    };
    let dims = if b.starts_with(b"\x89PNG\r\n\x1a\n") && b.get(12..16) == Some(b"IHDR") {
        (u32be(16)?, u32be(20)?)
    } else if b.starts_with(&[0xFF, 0xD8]) {
        jpeg_dimensions(b)?
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        (u16le(6)?, u16le(8)?)
    } else if b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP") {
        match b.get(12..16)? {
            b"VP8X" => (u24le(24)? + 1, u24le(27)? + 1),
            b"VP8L" => {
                let bits = u32le(21)?;
                ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
            }
            b"VP8 " => (u16le(26)? & 0x3FFF, u16le(28)? & 0x3FFF),
            _ => return None,
        }
    } else if b.starts_with(b"BM") {
        let w = u32le(18)? as i32;
        let h = u32le(22)? as i32;
        (w.unsigned_abs(), h.unsigned_abs())
    } else {
        return None;
    };
    (dims.0 > 0 && dims.1 > 0).then_some(dims)
}

fn jpeg_dimensions(b: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    while i + 9 < b.len() {
        if b[i] != 0xFF {
            i += 1;
            continue;
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        if marker == 0xD8 || marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            i += 2;
            continue;
        }
        let len = u16::from_be_bytes([b[i + 2], b[i + 3]]) as usize;
        let is_sof = (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let h = u16::from_be_bytes([b[i + 5], b[i + 6]]) as u32;
            let w = u16::from_be_bytes([b[i + 7], b[i + 8]]) as u32;
            return Some((w, h));
        }
        i += 2 + len;
    }
    None
}

/// The sizes Telegram generates for a photo: thumbnails of at most 90, 320
/// and 800 px on the longer side (if smaller than the original) and the
/// photo itself scaled down to at most 1280 px.
pub(crate) fn photo_sizes(w: u32, h: u32) -> Vec<(u32, u32)> {
    let scale = |limit: u32| {
        let longer = w.max(h);
        if longer <= limit {
            (w, h)
        } else {
            let f = limit as f64 / longer as f64;
            (((w as f64 * f).round() as u32).max(1), ((h as f64 * f).round() as u32).max(1))
        }
    };
    let mut out: Vec<(u32, u32)> = Vec::new();
    for limit in [90, 320, 800] {
        if w.max(h) > limit {
            out.push(scale(limit));
        }
    }
    out.push(scale(1280));
    out
}

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn random_b64(len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len).map(|_| B64[rng.gen_range(0..B64.len())] as char).collect()
}

/// A fresh `(file_id, file_unique_id)` pair shaped like Telegram's.
pub(crate) fn new_file_ids(photo: bool) -> (String, String) {
    if photo {
        (format!("AgACAgIAAxkDAAI{}", random_b64(56)), format!("AQAD{}", random_b64(12)))
    } else {
        (format!("BQACAgIAAxkDAAI{}", random_b64(56)), format!("AgAD{}", random_b64(12)))
    }
}

/// A MIME type for a document, from its file name or the part's content
/// type.
pub(crate) fn guess_mime(file_name: Option<&str>, content_type: Option<&str>) -> String {
    let ext = file_name.and_then(|n| n.rsplit_once('.')).map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let by_ext = match ext.as_str() {
        "pdf" => "application/pdf",
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "xml" => "application/xml",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "mp4" => "video/mp4",
        "mp3" => "audio/mpeg",
        "ogg" => "audio/ogg",
        "ics" => "text/calendar",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "",
    };
    if !by_ext.is_empty() {
        return by_ext.to_owned();
    }
    match content_type {
        Some(ct) if !ct.is_empty() => ct.to_owned(),
        _ => "application/octet-stream".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_and_sizes() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&1000u32.to_be_bytes());
        png.extend_from_slice(&500u32.to_be_bytes());
        assert_eq!(image_dimensions(&png), Some((1000, 500)));
        assert_eq!(image_dimensions(b"not an image"), None);
        assert_eq!(photo_sizes(1000, 500), vec![(90, 45), (320, 160), (800, 400), (1000, 500)]);
        assert_eq!(photo_sizes(50, 50), vec![(50, 50)]);
    }
}
