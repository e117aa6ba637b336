//! Age groups of the national standard (《托育机构设置标准（试行）》art. 19-20).
//! Age is counted in completed months on the shift's date.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AgeGroup {
    /// 乳儿班, 6-12 months.
    Infant,
    /// 托小班, 12-24 months.
    Toddler,
    /// 托大班, 24-36 months.
    Older,
}

impl AgeGroup {
    pub const ALL: [AgeGroup; 3] = [AgeGroup::Infant, AgeGroup::Toddler, AgeGroup::Older];

    pub fn index(self) -> usize {
        match self {
            AgeGroup::Infant => 0,
            AgeGroup::Toddler => 1,
            AgeGroup::Older => 2,
        }
    }
}

/// Completed months between `birth` and `on`; `None` if `on` is before birth.
/// A month is complete on the same day-of-month, or on the last day of a shorter month
/// (born 31 Jan: one month old on 28/29 Feb).
pub fn age_in_months(birth: NaiveDate, on: NaiveDate) -> Option<u32> {
    if on < birth {
        return None;
    }
    let mut months = (on.year_() - birth.year_()) * 12 + on.month_() as i32 - birth.month_() as i32;
    // `months` may overshoot by one when the day of month is not yet reached.
    while months > 0 {
        match birth.checked_add_months(Months::new(months as u32)) {
            Some(d) if d <= on => break,
            _ => months -= 1,
        }
    }
    Some(months.max(0) as u32)
}

trait YearMonth {
    fn year_(&self) -> i32;
    fn month_(&self) -> u32;
}

impl YearMonth for NaiveDate {
    fn year_(&self) -> i32 {
        chrono::Datelike::year(self)
    }
    fn month_(&self) -> u32 {
        chrono::Datelike::month(self)
    }
}

/// Why a child cannot attend on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AgeProblem {
    TooYoung { months: u32, min_months: u32 },
    TooOld { months: u32, max_months: u32 },
    NotBorn,
}

/// The group a child of `birth` belongs to on `on`, within the centre's accepted range
/// `[min_months, max_months)`.
pub fn age_group(birth: NaiveDate, on: NaiveDate, min_months: u32, max_months: u32) -> Result<AgeGroup, AgeProblem> {
    let months = age_in_months(birth, on).ok_or(AgeProblem::NotBorn)?;
    if months < min_months {
        return Err(AgeProblem::TooYoung { months, min_months });
    }
    if months >= max_months {
        return Err(AgeProblem::TooOld { months, max_months });
    }
    Ok(match months {
        0..=11 => AgeGroup::Infant,
        12..=23 => AgeGroup::Toddler,
        _ => AgeGroup::Older,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn months_count_completed_months() {
        assert_eq!(age_in_months(d("2024-01-15"), d("2024-01-15")), Some(0));
        assert_eq!(age_in_months(d("2024-01-15"), d("2024-02-14")), Some(0));
        assert_eq!(age_in_months(d("2024-01-15"), d("2024-02-15")), Some(1));
        assert_eq!(age_in_months(d("2024-01-31"), d("2024-02-29")), Some(1));
        assert_eq!(age_in_months(d("2024-01-31"), d("2024-02-28")), Some(0));
        assert_eq!(age_in_months(d("2023-02-28"), d("2024-02-28")), Some(12));
        assert_eq!(age_in_months(d("2024-01-15"), d("2023-12-01")), None);
    }

    #[test]
    fn boundaries_at_6_12_24_36_months() {
        let b = d("2023-03-10");
        let g = |on: &str| age_group(b, d(on), 6, 36);
        assert_eq!(g("2023-09-09"), Err(AgeProblem::TooYoung { months: 5, min_months: 6 }));
        assert_eq!(g("2023-09-10"), Ok(AgeGroup::Infant));
        assert_eq!(g("2024-03-09"), Ok(AgeGroup::Infant));
        assert_eq!(g("2024-03-10"), Ok(AgeGroup::Toddler));
        assert_eq!(g("2025-03-09"), Ok(AgeGroup::Toddler));
        assert_eq!(g("2025-03-10"), Ok(AgeGroup::Older));
        assert_eq!(g("2026-03-09"), Ok(AgeGroup::Older));
        assert_eq!(g("2026-03-10"), Err(AgeProblem::TooOld { months: 36, max_months: 36 }));
        assert_eq!(g("2023-01-01"), Err(AgeProblem::NotBorn));
    }

    #[test]
    fn a_centre_may_narrow_the_range() {
        assert!(age_group(d("2024-01-01"), d("2024-10-01"), 12, 36).is_err());
        assert!(age_group(d("2023-01-01"), d("2025-06-01"), 6, 24).is_err());
    }
}
