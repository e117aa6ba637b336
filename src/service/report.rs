//! Read-side use cases for the files people take away: a centre's month report
//! (`/report`), a person's calendar (`/calendar`) and a family's full ledger (`/ledger`,
//! `/balance export`). Reads only, through index ranges: a month's shifts from
//! `ShiftsByDate` (centre ++ date), a family's entries from `LedgerByAccount`, the pool's
//! movements from the newest back to the month's start. The maths is `crate::report`.

use chrono::{DateTime, Utc};

use super::{Service, ServiceError};
use crate::domain::*;
use crate::report::{self, BookingFact, Month, MonthReport, Movement, ShiftFacts, SignupFact};
use crate::store::{keys::u64_at, Key, T};

/// Whose report: the caller's centre, one centre (super-admins), or every centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportScope {
    Mine,
    Centre(CentreId),
    All,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CentreReport {
    pub centre: Centre,
    pub report: MonthReport,
}

/// A person's upcoming bookings (with the child's name) and shifts.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarData {
    pub centre: Centre,
    pub bookings: Vec<(Booking, Shift, String)>,
    pub signups: Vec<(Signup, Shift)>,
    pub now: DateTime<Utc>,
}

/// One ledger entry seen from a family: signed amount, the balance after it, the shift
/// it concerns and who caused it (by name when they are still known).
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerLine {
    pub entry: Entry,
    pub signed: i64,
    pub balance_after: i64,
    pub shift: Option<Shift>,
    pub by_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LedgerExport {
    pub centre: Centre,
    pub family: FamilyId,
    /// Oldest first.
    pub lines: Vec<LedgerLine>,
}

impl Service {
    /// The report of `month`: a coordinator's own centre; a super-admin's chosen centre
    /// or every centre (`All`, or `Mine` when they coordinate none).
    pub fn month_report(
        &self,
        user: UserId,
        month: Month,
        scope: ReportScope,
    ) -> Result<Vec<CentreReport>, ServiceError> {
        let admin = self.is_super_admin(user);
        let mine = self.my_coordinated_centre(user).map(|(_, c)| c);
        let centres = match (scope, mine) {
            (ReportScope::Mine, Ok(c)) => vec![c],
            (ReportScope::Centre(id), Ok(c)) if c.id == id => vec![c],
            (ReportScope::Centre(id), _) if admin => vec![self.centre(id)?.ok_or(ServiceError::UnknownCentre)?],
            (ReportScope::All, _) | (ReportScope::Mine, _) if admin => self.centres()?,
            (ReportScope::Centre(_), Ok(_)) => return Err(ServiceError::UnknownCentre),
            (_, Err(e)) => return Err(e),
            (ReportScope::All, Ok(_)) => return Err(ServiceError::NotSuperAdmin),
        };
        centres
            .into_iter()
            .map(|centre| Ok(CentreReport { report: self.centre_month(&centre, month)?, centre }))
            .collect()
    }

    /// A centre's month and the month before, from its shifts and its pool's movements.
    fn centre_month(&self, centre: &Centre, month: Month) -> Result<MonthReport, ServiceError> {
        let from = month.prev().first();
        let mut shifts = vec![];
        for id in self.shift_ids_between(centre.id, from, month.last())? {
            let Some(s) = self.shift(id)? else { continue };
            let settled = s.status == ShiftStatus::Settled;
            let mut bookings = vec![];
            for b in &s.bookings {
                if let Some(b) = self.booking(*b)? {
                    // A cancelled booking still on a settled shift's list was cancelled by
                    // the settlement itself: it was still waiting (an open shift's
                    // cancelled bookings leave the list).
                    let waited = settled && b.status == BookingStatus::Cancelled;
                    bookings.push(BookingFact { family: b.family, child: b.child, status: b.status, waited });
                }
            }
            let mut signups = vec![];
            for v in &s.signups {
                if let Some(v) = self.signup(*v)? {
                    signups.push(SignupFact { user: v.user, family: v.family, status: v.status });
                }
            }
            shifts.push(ShiftFacts {
                date: s.date,
                start: s.start,
                minutes: s.minutes(),
                capacity: s.capacity,
                staff: s.staff,
                cancelled: s.status == ShiftStatus::Cancelled,
                bookings,
                signups,
            });
        }
        let moves = self.pool_movements(centre, month)?;
        Ok(report::build(&shifts, &moves, month))
    }

    /// The pool's movements from the month before `month` to its end: the pool's index
    /// read from the newest entry back, stopping a day before that month began (entry
    /// ids grow with time).
    fn pool_movements(&self, centre: &Centre, month: Month) -> Result<Vec<Movement>, ServiceError> {
        let tz = centre.tz();
        let pool = AccountId::Pool(centre.id);
        let prefix = Key::new().account(pool);
        let stop = month.prev().first().pred_opt().unwrap_or(chrono::NaiveDate::MIN);
        let mut out = vec![];
        for k in self.store.tree(T::LedgerByAccount).scan_prefix(prefix.bytes()).rev() {
            let (k, _) = k.map_err(|e| ServiceError::Storage(e.to_string()))?;
            let Some(id) = u64_at(&k, 9) else { continue };
            let Some(e) = self.store.get::<Entry>(T::Ledger, Key::new().u64(id))? else { continue };
            let date = e.at.with_timezone(&tz).date_naive();
            if date < stop {
                break;
            }
            let (issued, spent) = if e.from == pool { (e.amount, 0) } else { (0, e.amount) };
            out.push(Movement { date, issued, spent });
        }
        Ok(out)
    }

    /// The caller's upcoming live bookings and on-duty signups on open shifts.
    pub fn calendar_data(&self, user: UserId) -> Result<CalendarData, ServiceError> {
        let (_, centre) = self.my_centre(user)?;
        let now = self.now();
        let from = self.yesterday_anywhere();
        let ahead = |s: &Shift| s.status == ShiftStatus::Open && s.ends_at(centre.tz()) > now;
        let mut bookings = vec![];
        match self.my_bookings(user, from) {
            Ok(list) => {
                for (b, s) in list.into_iter().filter(|(b, s)| b.is_live() && ahead(s)) {
                    let child = self.child(b.child)?.map(|c| c.name).unwrap_or_default();
                    bookings.push((b, s, child));
                }
            }
            Err(ServiceError::NoFamily) => {}
            Err(e) => return Err(e),
        }
        let signups = self.my_signups(user, from)?.into_iter().filter(|(v, s)| v.is_on_duty() && ahead(s)).collect();
        Ok(CalendarData { centre, bookings, signups, now })
    }

    /// Every entry of a family's account, oldest first, with the balance after each:
    /// the caller's own family (`None`), or, for a coordinator, the family of a member
    /// of their centre.
    pub fn ledger_export(&self, user: UserId, target: Option<UserId>) -> Result<LedgerExport, ServiceError> {
        let (centre, family) = match target {
            None => {
                let (m, c) = self.my_centre(user)?;
                (c, m.family.ok_or(ServiceError::NoFamily)?)
            }
            Some(t) => {
                let (_, c) = self.my_coordinated_centre(user)?;
                let m = self.member(t)?.filter(|m| m.centre == c.id).ok_or(ServiceError::UnknownMember)?;
                (c, m.family.ok_or(ServiceError::NoFamily)?)
            }
        };
        let account = AccountId::Family(family);
        let prefix = Key::new().account(account);
        let mut balance = 0;
        let mut lines = vec![];
        for k in self.store.index_keys(T::LedgerByAccount, prefix.bytes(), &[]) {
            let Some(id) = u64_at(&k?, 9) else { continue };
            let Some(entry) = self.store.get::<Entry>(T::Ledger, Key::new().u64(id))? else { continue };
            let signed = if entry.to == account { entry.amount } else { -entry.amount };
            balance += signed;
            let shift = match entry.shift {
                Some(s) => self.shift(s)?,
                None => None,
            };
            let by_name = match entry.by {
                Some(u) => self.member(u)?.map(|m| m.name),
                None => None,
            };
            lines.push(LedgerLine { entry, signed, balance_after: balance, shift, by_name });
        }
        Ok(LedgerExport { centre, family, lines })
    }
}
