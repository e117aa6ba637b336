//! `huzhu import`'s file, pure: a UTF-8 CSV of families (header
//! `family,guardian,phone,child,birth_date`, one row per child; a family's rows share its
//! name) in, the families to import and each bad row's line number and reason out. No
//! store here: the service imports what this accepts (`Service::import_families`).
//!
//! Invariants: every row is checked (not only the first bad one); a phone belongs to one
//! guardian of one family; phone numbers are compared normalised (`normalise_phone`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const HEADER: [&str; 5] = ["family", "guardian", "phone", "child", "birth_date"];
/// Longest family, guardian or child name (the bot's own limit for names).
pub const NAME_MAX: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportGuardian {
    pub name: String,
    /// Normalised (`normalise_phone`).
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportChild {
    pub name: String,
    pub birth_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportFamily {
    pub name: String,
    pub guardians: Vec<ImportGuardian>,
    pub children: Vec<ImportChild>,
}

/// A bad row: `line 7: birth_date 2026-02-30 is not a date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// A phone number as compared: spaces, dashes, dots and brackets dropped; China's
/// country code (+86, 0086, or 86 before an 11-digit mobile number) dropped; another
/// country's code kept as `+CC...`. None: not a phone number (5 to 15 digits).
pub fn normalise_phone(raw: &str) -> Option<String> {
    let s: String = raw.trim().chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{3000}')).collect();
    let (plus, digits) = match s.strip_prefix('+') {
        Some(rest) => (true, rest.to_string()),
        None => match s.strip_prefix("00") {
            Some(rest) => (true, rest.to_string()),
            None => (false, s),
        },
    };
    if !digits.chars().all(|c| c.is_ascii_digit()) || !(5..=15).contains(&digits.len()) {
        return None;
    }
    let national = match digits.strip_prefix("86") {
        Some(rest) if plus || (rest.len() == 11 && rest.starts_with('1')) => Some(rest.to_string()),
        _ => None,
    };
    match national {
        Some(n) if n.len() >= 5 => Some(n),
        Some(_) => None,
        None if plus => Some(format!("+{digits}")),
        None => Some(digits),
    }
}

fn name(field: &str, value: &str) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(format!("{field} is empty"));
    }
    if v.chars().count() > NAME_MAX {
        return Err(format!("{field} is longer than {NAME_MAX} characters"));
    }
    if v.chars().any(char::is_control) {
        return Err(format!("{field} holds a control character"));
    }
    Ok(v.to_string())
}

/// Reads the whole file: the families (in the order they first appear) and every bad
/// row. A birth date after `today` is refused.
pub fn parse(bytes: &[u8], today: NaiveDate) -> (Vec<ImportFamily>, Vec<RowError>) {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut errors = vec![];
    let mut families: Vec<ImportFamily> = vec![];
    // phone -> (family, guardian name, line)
    let mut phones: std::collections::HashMap<String, (String, String, u64)> = Default::default();
    // (family, child, birth) -> line
    let mut rows: std::collections::HashMap<(String, String, NaiveDate), u64> = Default::default();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = reader.byte_records();
    match records.next() {
        None => errors.push(RowError {
            line: 1,
            reason: "the file is empty (expected the header family,guardian,phone,child,birth_date)".into(),
        }),
        Some(Err(e)) => errors.push(RowError { line: 1, reason: format!("cannot be read: {e}") }),
        Some(Ok(h)) => {
            let got: Vec<String> = h.iter().map(|f| String::from_utf8_lossy(f).trim().to_lowercase()).collect();
            if got != HEADER {
                errors.push(RowError {
                    line: 1,
                    reason: format!(
                        "the header is {:?}; expected family,guardian,phone,child,birth_date",
                        got.join(",")
                    ),
                });
                return (vec![], errors);
            }
        }
    }
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                errors.push(RowError { line, reason: format!("cannot be read: {e}") });
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        match row(&rec, today) {
            Err(reason) => errors.push(RowError { line, reason }),
            Ok((family, guardian, child)) => {
                if let Some((f, g, l)) = phones.get(&guardian.phone) {
                    if *f != family {
                        errors.push(RowError {
                            line,
                            reason: format!("phone {} is already family {f}'s (line {l})", guardian.phone),
                        });
                        continue;
                    }
                    if *g != guardian.name {
                        errors.push(RowError {
                            line,
                            reason: format!("phone {} is already {g}'s (line {l})", guardian.phone),
                        });
                        continue;
                    }
                }
                let key = (family.clone(), child.name.clone(), child.birth_date);
                if let Some(l) = rows.get(&key) {
                    errors.push(RowError { line, reason: format!("repeats line {l}") });
                    continue;
                }
                rows.insert(key, line);
                phones.entry(guardian.phone.clone()).or_insert((family.clone(), guardian.name.clone(), line));
                let fam = match families.iter_mut().position(|f| f.name == family) {
                    Some(i) => &mut families[i],
                    None => {
                        families.push(ImportFamily { name: family, guardians: vec![], children: vec![] });
                        families.last_mut().expect("just pushed")
                    }
                };
                if !fam.guardians.contains(&guardian) {
                    fam.guardians.push(guardian);
                }
                fam.children.push(child);
            }
        }
    }
    (families, errors)
}

fn row(rec: &csv::ByteRecord, today: NaiveDate) -> Result<(String, ImportGuardian, ImportChild), String> {
    if rec.len() != HEADER.len() {
        return Err(format!("expected {} fields, found {}", HEADER.len(), rec.len()));
    }
    let field = |i: usize| std::str::from_utf8(&rec[i]).map_err(|_| format!("{} is not UTF-8 text", HEADER[i]));
    let family = name("family", field(0)?)?;
    let guardian = name("guardian", field(1)?)?;
    let raw_phone = field(2)?.trim();
    let phone = normalise_phone(raw_phone).ok_or_else(|| format!("phone {raw_phone} is not a phone number"))?;
    let child = name("child", field(3)?)?;
    let raw_birth = field(4)?.trim();
    let birth_date = NaiveDate::parse_from_str(raw_birth, "%Y-%m-%d")
        .map_err(|_| format!("birth_date {raw_birth} is not a date (YYYY-MM-DD)"))?;
    if birth_date > today {
        return Err(format!("birth_date {raw_birth} is in the future"));
    }
    Ok((family, ImportGuardian { name: guardian, phone }, ImportChild { name: child, birth_date }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    const HEAD: &str = "family,guardian,phone,child,birth_date\n";

    fn errs(body: &str) -> Vec<String> {
        parse(format!("{HEAD}{body}").as_bytes(), today()).1.iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn phones_are_normalised() {
        for raw in
            ["13800138000", "+86 138 0013 8000", "+8613800138000", "008613800138000", "8613800138000", "138-0013-8000"]
        {
            assert_eq!(normalise_phone(raw).as_deref(), Some("13800138000"), "{raw}");
        }
        assert_eq!(normalise_phone("+44 20 7946 0958").as_deref(), Some("+442079460958"));
        assert_eq!(normalise_phone("010-62345678").as_deref(), Some("01062345678"));
        for bad in ["", "abc", "12", "+86", "1380013800a", "1234567890123456"] {
            assert_eq!(normalise_phone(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_good_file_groups_rows_by_family() {
        let body = "Li,Li Lei,13800138000,Mei,2025-01-02\n\
                    Li,Han Mei,+86 139 0000 0000,Bao,2025-03-04\n\
                    Wang,Wang Fang,13700000000,Xiao,2024-12-31\n";
        let (fams, errs) = parse(format!("\u{feff}{HEAD}{body}").as_bytes(), today());
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(fams.len(), 2);
        assert_eq!(fams[0].name, "Li");
        assert_eq!(fams[0].guardians.len(), 2);
        assert_eq!(fams[0].guardians[1].phone, "13900000000");
        assert_eq!(fams[0].children.len(), 2);
        assert_eq!(fams[1].children[0].birth_date, NaiveDate::from_ymd_opt(2024, 12, 31).unwrap());
    }

    #[test]
    fn every_kind_of_bad_row_is_named_with_its_line() {
        let body = "Li,Li Lei,13800138000,Mei,2025-01-02\n\
                    Li,Li Lei,13800138000,Bao,2026-02-30\n\
                    Wang,,13700000000,Xiao,2024-12-31\n\
                    Zhao,Zhao Yun,12ab,Xiao,2024-12-31\n\
                    Sun,Sun Li,13600000000,Xiao\n\
                    ,Qian,13500000000,Xiao,2024-12-31\n\
                    Zhou,Zhou Bo,13800138000,Xiao,2024-12-31\n\
                    Li,Other Name,13800138000,Bao,2025-01-01\n\
                    Li,Li Lei,13800138000,Mei,2025-01-02\n\
                    Wu,Wu Di,13400000000,Baby,2027-01-01\n\
                    Zheng,Zheng He,13300000000,,2024-01-01\n\
                    Feng,Feng Yu,13200000000,Xiao,01/02/2024\n";
        let got = errs(body);
        let want = [
            "line 3: birth_date 2026-02-30 is not a date (YYYY-MM-DD)",
            "line 4: guardian is empty",
            "line 5: phone 12ab is not a phone number",
            "line 6: expected 5 fields, found 4",
            "line 7: family is empty",
            "line 8: phone 13800138000 is already family Li's (line 2)",
            "line 9: phone 13800138000 is already Li Lei's (line 2)",
            "line 10: repeats line 2",
            "line 11: birth_date 2027-01-01 is in the future",
            "line 12: child is empty",
            "line 13: birth_date 01/02/2024 is not a date (YYYY-MM-DD)",
        ];
        assert_eq!(got, want);
        let long = "x".repeat(NAME_MAX + 1);
        assert_eq!(
            errs(&format!("{long},A,13800138000,B,2025-01-01\n")),
            [format!("line 2: family is longer than {NAME_MAX} characters")]
        );
        assert_eq!(errs("A,B\u{7},13800138000,C,2025-01-01\n"), ["line 2: guardian holds a control character"]);
    }

    #[test]
    fn a_wrong_header_or_an_empty_file_is_line_1() {
        let (_, e) = parse(b"name,phone\nLi,138\n", today());
        assert_eq!(e.len(), 1);
        assert!(e[0].to_string().starts_with("line 1: the header is"), "{e:?}");
        let (_, e) = parse(b"", today());
        assert!(e[0].to_string().starts_with("line 1: the file is empty"));
        // Not UTF-8 in a field.
        let mut bytes = HEAD.as_bytes().to_vec();
        bytes.extend_from_slice(b"Li,\xff\xfe,13800138000,Mei,2025-01-02\n");
        let (_, e) = parse(&bytes, today());
        assert_eq!(e[0].to_string(), "line 2: guardian is not UTF-8 text");
    }
}
