//! The time bank's pure rules: what things cost and earn, and whether an account may
//! pay. Amounts are integer minutes (`i64`); every movement is one `Entry` between two
//! accounts, so the sum over all accounts is always zero.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::policy::Policy;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum LedgerError {
    #[error("amount out of range")]
    Overflow,
    #[error("insufficient credits: available {available}, needed {needed}")]
    Insufficient { available: i64, needed: i64 },
    #[error("amount must be positive")]
    NotPositive,
}

/// Cost of caring for one child for `minutes`.
pub fn care_cost(minutes: i64, policy: &Policy) -> Result<i64, LedgerError> {
    minutes.checked_mul(policy.cost_per_child_minute).ok_or(LedgerError::Overflow)
}

/// Credits earned for serving `minutes` as a volunteer.
pub fn volunteer_earning(minutes: i64, policy: &Policy) -> Result<i64, LedgerError> {
    minutes.checked_mul(policy.earn_per_minute).ok_or(LedgerError::Overflow)
}

/// What cancelling a booking of `cost` costs at `now` for a shift starting at `starts_at`:
/// nothing at least `free_cancel_hours` before, otherwise `late_cancel_percent` of it
/// (rounded down, in the family's favour).
pub fn cancellation_charge(cost: i64, starts_at: DateTime<Utc>, now: DateTime<Utc>, policy: &Policy) -> i64 {
    if now <= starts_at - Duration::hours(policy.free_cancel_hours) {
        0
    } else {
        cost.saturating_mul(policy.late_cancel_percent.clamp(0, 100)) / 100
    }
}

/// Whether an account with `balance` and an overdraft of `overdraft` (>= 0) may pay `amount`.
pub fn check_spend(balance: i64, overdraft: i64, amount: i64) -> Result<(), LedgerError> {
    if amount <= 0 {
        return Err(LedgerError::NotPositive);
    }
    let after = balance.checked_sub(amount).ok_or(LedgerError::Overflow)?;
    if after < -overdraft.max(0) {
        return Err(LedgerError::Insufficient { available: balance.saturating_add(overdraft.max(0)), needed: amount });
    }
    Ok(())
}

/// The part of a penalty an account can pay without going below its floor.
pub fn payable_penalty(balance: i64, overdraft: i64, penalty: i64) -> i64 {
    penalty.min(balance.saturating_add(overdraft.max(0))).max(0)
}

/// New balances of payer and payee after moving `amount`.
pub fn transfer(from_balance: i64, to_balance: i64, amount: i64) -> Result<(i64, i64), LedgerError> {
    if amount <= 0 {
        return Err(LedgerError::NotPositive);
    }
    Ok((
        from_balance.checked_sub(amount).ok_or(LedgerError::Overflow)?,
        to_balance.checked_add(amount).ok_or(LedgerError::Overflow)?,
    ))
}

/// Splits minutes into whole hours and tenths for display ("2.5"): integer arithmetic only.
pub fn hours_tenths(minutes: i64) -> (i64, i64) {
    let tenths = minutes.abs() * 10 / 60;
    let sign = if minutes < 0 { -1 } else { 1 };
    (sign * (tenths / 10), tenths % 10)
}

/// "2.5", "-1", "0.3": minutes shown as hours with at most one decimal.
pub fn format_hours(minutes: i64) -> String {
    let (h, t) = hours_tenths(minutes);
    let sign = if minutes < 0 && h == 0 && t > 0 { "-" } else { "" };
    if t == 0 {
        format!("{sign}{h}")
    } else {
        format!("{sign}{h}.{t}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn cancellation_exactly_24h_before_is_free() {
        let policy = Policy::default();
        let start = Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap();
        assert_eq!(cancellation_charge(180, start, start - Duration::hours(24), &policy), 0);
        assert_eq!(cancellation_charge(180, start, start - Duration::hours(24) + Duration::seconds(1), &policy), 90);
        assert_eq!(cancellation_charge(181, start, start, &policy), 90);
        assert_eq!(cancellation_charge(180, start, start - Duration::days(3), &policy), 0);
    }

    #[test]
    fn spending_respects_floor_and_overdraft() {
        assert_eq!(check_spend(100, 0, 100), Ok(()));
        assert_eq!(check_spend(100, 0, 101), Err(LedgerError::Insufficient { available: 100, needed: 101 }));
        assert_eq!(check_spend(100, 50, 150), Ok(()));
        assert_eq!(check_spend(100, 0, 0), Err(LedgerError::NotPositive));
        assert_eq!(check_spend(i64::MIN + 1, i64::MAX, 10), Err(LedgerError::Overflow));
        assert_eq!(payable_penalty(30, 0, 60), 30);
        assert_eq!(payable_penalty(-5, 0, 60), 0);
        assert_eq!(payable_penalty(500, 0, 60), 60);
    }

    #[test]
    fn transfer_overflow_is_an_error() {
        assert_eq!(transfer(10, 0, 4), Ok((6, 4)));
        assert_eq!(transfer(0, i64::MAX, 1), Err(LedgerError::Overflow));
        assert_eq!(transfer(0, 0, -1), Err(LedgerError::NotPositive));
        assert_eq!(care_cost(i64::MAX, &Policy::default()), Ok(i64::MAX));
        assert_eq!(volunteer_earning(i64::MAX, &Policy::default()), Err(LedgerError::Overflow));
    }

    #[test]
    fn hours_display() {
        assert_eq!(format_hours(150), "2.5");
        assert_eq!(format_hours(360), "6");
        assert_eq!(format_hours(0), "0");
        assert_eq!(format_hours(-90), "-1.5");
        assert_eq!(format_hours(-20), "-0.3");
        assert_eq!(format_hours(20), "0.3");
    }
}
