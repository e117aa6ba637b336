//! The service's bottom layer: loading and saving records inside a transaction, with
//! the authorisation and same-centre checks every use case shares, the indexes and
//! per-day lists kept with them, and credit postings. Imports no other layer.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Event, Notice, Res, ServiceError};
use crate::domain::*;
use crate::ledger;
use crate::store::keys::{date_at, prefix_end, u64_at};
use crate::store::{Key, Tx, T};

pub fn member_key(user: UserId) -> Key {
    Key::new().i64(user.0)
}

pub fn member(tx: &Tx, user: UserId) -> Res<Member> {
    Ok(tx.get(T::Members, member_key(user))?.ok_or(ServiceError::NotRegistered)?)
}

pub fn active_member(tx: &Tx, user: UserId) -> Res<Member> {
    let m = member(tx, user)?;
    if !m.is_active() {
        return Err(ServiceError::NotActive(m.status).into());
    }
    Ok(m)
}

pub fn coordinator(tx: &Tx, user: UserId) -> Res<Member> {
    let m = active_member(tx, user)?;
    if !m.is_coordinator() {
        return Err(ServiceError::NotCoordinator.into());
    }
    Ok(m)
}

pub fn staff(tx: &Tx, user: UserId) -> Res<Member> {
    let m = active_member(tx, user)?;
    if !m.is_staff() {
        return Err(ServiceError::NotStaff.into());
    }
    Ok(m)
}

/// An active member of the caller's centre, found by user id.
pub fn member_in(tx: &Tx, centre: CentreId, user: UserId) -> Res<Member> {
    match tx.get::<Member>(T::Members, member_key(user))? {
        Some(m) if m.centre == centre => Ok(m),
        _ => Err(ServiceError::UnknownMember.into()),
    }
}

/// The cover-search order: active members of a centre, least recently volunteered first.
fn cover_order_key(m: &Member) -> Key {
    let since = m.last_volunteered.unwrap_or(NaiveDate::MIN);
    Key::new().u64(m.centre.0).date(since).i64(m.user.0)
}

pub fn put_member(tx: &Tx, m: &Member) -> Res<()> {
    if let Some(old) = tx.get::<Member>(T::Members, member_key(m.user))? {
        tx.del(T::CoverOrder, cover_order_key(&old))?;
    }
    if m.is_active() {
        tx.mark(T::CoverOrder, cover_order_key(m))?;
    }
    tx.put(T::Members, member_key(m.user), m)?;
    tx.mark(T::MembersByCentre, Key::new().u64(m.centre.0).i64(m.user.0))?;
    Ok(())
}

pub fn family_of(tx: &Tx, m: &Member) -> Res<Family> {
    let id = m.family.ok_or(ServiceError::NoFamily)?;
    Ok(tx.get(T::Families, Key::new().u64(id.0))?.ok_or(ServiceError::NoFamily)?)
}

pub fn family(tx: &Tx, id: FamilyId) -> Res<Family> {
    Ok(tx.get(T::Families, Key::new().u64(id.0))?.ok_or(ServiceError::NoFamily)?)
}

pub fn put_family(tx: &Tx, f: &Family) -> Res<()> {
    Ok(tx.put(T::Families, Key::new().u64(f.id.0), f)?)
}

pub fn centre(tx: &Tx, id: CentreId) -> Res<Centre> {
    Ok(tx.get(T::Centres, Key::new().u64(id.0))?.ok_or(ServiceError::UnknownCentre)?)
}

pub fn child_in(tx: &Tx, centre: CentreId, id: ChildId) -> Res<Child> {
    match tx.get::<Child>(T::Children, Key::new().u64(id.0))? {
        Some(c) if c.centre == centre => Ok(c),
        _ => Err(ServiceError::UnknownChild.into()),
    }
}

pub fn shift_in(tx: &Tx, centre: CentreId, id: ShiftId) -> Res<Shift> {
    match tx.get::<Shift>(T::Shifts, Key::new().u64(id.0))? {
        Some(s) if s.centre == centre => Ok(s),
        _ => Err(ServiceError::UnknownShift.into()),
    }
}

/// Refuses a cancelled or settled shift.
pub fn ensure_open(s: &Shift) -> Result<(), ServiceError> {
    match s.status {
        ShiftStatus::Cancelled => Err(ServiceError::ShiftCancelled),
        ShiftStatus::Settled => Err(ServiceError::ShiftSettled),
        ShiftStatus::Open => Ok(()),
    }
}

/// A shift that can still be changed: open and not yet started.
pub fn open_future_shift(tx: &Tx, centre: &Centre, id: ShiftId, now: DateTime<Utc>) -> Res<Shift> {
    let s = shift_in(tx, centre.id, id)?;
    ensure_open(&s)?;
    if s.starts_at(centre.tz()) <= now {
        return Err(ServiceError::ShiftStarted.into());
    }
    Ok(s)
}

pub fn put_shift(tx: &Tx, s: &Shift) -> Res<()> {
    tx.put(T::Shifts, Key::new().u64(s.id.0), s)?;
    Ok(())
}

// `booking_in`/`signup_in` and `booking`/`signup` are alike on purpose: each kind is its
// own tree, type and not-found answer, and a generic reader would need a trait for three
// lines each.
pub fn booking_in(tx: &Tx, centre: CentreId, id: BookingId) -> Res<Booking> {
    match tx.get::<Booking>(T::Bookings, Key::new().u64(id.0))? {
        Some(b) if b.centre == centre => Ok(b),
        _ => Err(ServiceError::UnknownBooking.into()),
    }
}

/// A shift by id, whatever its centre (for jobs, which carry no caller).
pub fn shift_by_id(tx: &Tx, id: ShiftId) -> Res<Shift> {
    Ok(tx.get(T::Shifts, Key::new().u64(id.0))?.ok_or(ServiceError::UnknownShift)?)
}

pub fn booking(tx: &Tx, id: BookingId) -> Res<Booking> {
    Ok(tx.get(T::Bookings, Key::new().u64(id.0))?.ok_or(ServiceError::UnknownBooking)?)
}

pub fn put_booking(tx: &Tx, b: &Booking) -> Res<()> {
    Ok(tx.put(T::Bookings, Key::new().u64(b.id.0), b)?)
}

pub fn signup_in(tx: &Tx, centre: CentreId, id: SignupId) -> Res<Signup> {
    match tx.get::<Signup>(T::Signups, Key::new().u64(id.0))? {
        Some(s) if s.centre == centre => Ok(s),
        _ => Err(ServiceError::UnknownSignup.into()),
    }
}

pub fn signup(tx: &Tx, id: SignupId) -> Res<Signup> {
    Ok(tx.get(T::Signups, Key::new().u64(id.0))?.ok_or(ServiceError::UnknownSignup)?)
}

pub fn put_signup(tx: &Tx, s: &Signup) -> Res<()> {
    Ok(tx.put(T::Signups, Key::new().u64(s.id.0), s)?)
}

pub fn balance(tx: &Tx, account: AccountId) -> Res<i64> {
    Ok(tx.get(T::Accounts, Key::new().account(account))?.unwrap_or(0))
}

/// Moves `amount` (> 0) from one account to another and records the entry.
#[allow(clippy::too_many_arguments)]
pub fn post(
    tx: &Tx,
    kind: EntryKind,
    from: AccountId,
    to: AccountId,
    amount: i64,
    shift: Option<ShiftId>,
    booking: Option<BookingId>,
    by: Option<UserId>,
    at: DateTime<Utc>,
    memo: &str,
) -> Res<EntryId> {
    let (from_after, to_after) =
        ledger::transfer(balance(tx, from)?, balance(tx, to)?, amount).map_err(ServiceError::from)?;
    tx.put(T::Accounts, Key::new().account(from), &from_after)?;
    tx.put(T::Accounts, Key::new().account(to), &to_after)?;
    let id = EntryId(tx.next_id("entry")?);
    let entry = Entry { id, kind, from, to, amount, shift, booking, by, at, memo: memo.to_string() };
    tx.put(T::Ledger, Key::new().u64(id.0), &entry)?;
    tx.mark(T::LedgerByAccount, Key::new().account(from).u64(id.0))?;
    tx.mark(T::LedgerByAccount, Key::new().account(to).u64(id.0))?;
    Ok(id)
}

/// A movement of a booking's credits: the accounts it runs between follow from it.
#[derive(Clone, Copy)]
enum HoldMove {
    /// Family -> escrow: the booking holds more.
    Hold,
    /// Escrow -> family: the booking holds less.
    Release,
    /// Escrow -> pool: the centre charges part of the hold.
    Capture,
}

/// Posts `amount` (> 0) of a booking's credits and keeps the booking's and its family's
/// figures (`held`, `charged`) in step with the entry.
#[allow(clippy::too_many_arguments)]
fn post_for_booking(
    tx: &Tx,
    b: &mut Booking,
    fam: &mut Family,
    how: HoldMove,
    amount: i64,
    by: Option<UserId>,
    at: DateTime<Utc>,
    memo: &str,
) -> Res<()> {
    let (family, escrow, pool) = (AccountId::Family(b.family), AccountId::Escrow(b.centre), AccountId::Pool(b.centre));
    let (kind, from, to, held) = match how {
        HoldMove::Hold => (EntryKind::Hold, family, escrow, amount),
        HoldMove::Release => (EntryKind::Release, escrow, family, -amount),
        HoldMove::Capture => (EntryKind::Capture, escrow, pool, -amount),
    };
    post(tx, kind, from, to, amount, Some(b.shift), Some(b.id), by, at, memo)?;
    b.held += held;
    fam.held += held;
    if let HoldMove::Capture = how {
        b.charged += amount;
    }
    Ok(())
}

/// Holds `amount` (> 0) more of the family's credits for a booking.
pub fn hold(
    tx: &Tx,
    b: &mut Booking,
    fam: &mut Family,
    amount: i64,
    by: Option<UserId>,
    at: DateTime<Utc>,
    memo: &str,
) -> Res<()> {
    post_for_booking(tx, b, fam, HoldMove::Hold, amount, by, at, memo)
}

/// Holds or releases the difference so that a booking holds `target` (its shift's cost
/// changed). The caller checks first that the family can pay a larger hold.
pub fn adjust_hold(
    tx: &Tx,
    b: &mut Booking,
    fam: &mut Family,
    target: i64,
    by: Option<UserId>,
    at: DateTime<Utc>,
    memo: &str,
) -> Res<()> {
    let extra = target - b.held;
    if extra > 0 {
        post_for_booking(tx, b, fam, HoldMove::Hold, extra, by, at, memo)?;
    } else if extra < 0 {
        post_for_booking(tx, b, fam, HoldMove::Release, -extra, by, at, memo)?;
    }
    Ok(())
}

/// Releases whatever a booking still holds back to its family; returns how much.
pub fn release_hold(
    tx: &Tx,
    b: &mut Booking,
    fam: &mut Family,
    by: Option<UserId>,
    at: DateTime<Utc>,
    memo: &str,
) -> Res<i64> {
    let amount = b.held;
    if amount > 0 {
        post_for_booking(tx, b, fam, HoldMove::Release, amount, by, at, memo)?;
    }
    Ok(amount)
}

/// Captures `amount` of a booking's hold for the centre and releases the rest; returns
/// how much was released.
pub fn capture_hold(
    tx: &Tx,
    b: &mut Booking,
    fam: &mut Family,
    amount: i64,
    by: Option<UserId>,
    at: DateTime<Utc>,
    memo: &str,
) -> Res<i64> {
    let amount = amount.clamp(0, b.held);
    if amount > 0 {
        post_for_booking(tx, b, fam, HoldMove::Capture, amount, by, at, memo)?;
    }
    release_hold(tx, b, fam, by, at, memo)
}

/// Every guardian of a family gets `event`.
pub fn tell_family(notes: &mut Vec<Notice>, fam: &Family, event: Event) {
    for g in &fam.guardians {
        notes.push(Notice { to: *g, event: event.clone() });
    }
}

/// Every listed user gets `event`.
pub fn tell_all(notes: &mut Vec<Notice>, users: &[UserId], event: Event) {
    for u in users {
        notes.push(Notice { to: *u, event: event.clone() });
    }
}

/// Telegram said the user blocked the bot (or they wrote to it again).
pub fn mark_unreachable(tx: &Tx, user: UserId, unreachable: bool) -> Res<()> {
    let key = member_key(user);
    let mut p: Profile = tx.get(T::Profiles, &key)?.unwrap_or(Profile { user, ..Profile::default() });
    p.unreachable = unreachable;
    tx.put(T::Profiles, &key, &p)?;
    Ok(())
}

/// Drops repeated users, keeping the first of each (who is told, who receives).
pub fn unique_users(users: &mut Vec<UserId>) {
    let mut seen = std::collections::HashSet::new();
    users.retain(|u| seen.insert(*u));
}

/// Where a centre's coordinators are listed (in `Meta`).
pub fn coordinators_key(centre: CentreId) -> Key {
    Key::new().str("coordinators/").u64(centre.0)
}

/// The coordinators of a centre, kept on a record so transactions need not scan.
pub fn coordinators(tx: &Tx, centre: CentreId) -> Res<Vec<UserId>> {
    Ok(tx.get(T::Meta, coordinators_key(centre))?.unwrap_or_default())
}

pub fn set_coordinator(tx: &Tx, centre: CentreId, user: UserId, on: bool) -> Res<()> {
    let mut list = coordinators(tx, centre)?;
    list.retain(|u| *u != user);
    if on {
        list.push(user);
    }
    tx.put(T::Meta, coordinators_key(centre), &list)?;
    Ok(())
}

/// The ids in an index keyed `owner ++ date ++ id`, dated `from` on, and before `until`
/// when given (`Tx::keys_in`: in a change, a record made just before it is among them).
fn dated_ids(tx: &Tx, t: T, owner: Key, from: NaiveDate, until: Option<NaiveDate>) -> Res<Vec<u64>> {
    let end = match until {
        Some(until) => Some(owner.clone().date(until).into_vec()),
        None => prefix_end(owner.bytes()),
    };
    let start = owner.date(from);
    let at = start.bytes().len();
    Ok(tx.keys_in(t, start.bytes(), end.as_deref())?.iter().filter_map(|k| u64_at(k, at)).collect())
}

/// A family's bookings on shifts dated `from` on (an index range).
pub fn family_bookings_from(tx: &Tx, family: FamilyId, from: NaiveDate) -> Res<Vec<BookingId>> {
    family_bookings_between(tx, family, from, None)
}

/// A family's bookings on shifts dated `from` on, and before `until` when given.
pub fn family_bookings_between(
    tx: &Tx,
    family: FamilyId,
    from: NaiveDate,
    until: Option<NaiveDate>,
) -> Res<Vec<BookingId>> {
    Ok(dated_ids(tx, T::BookingsByFamily, Key::new().u64(family.0), from, until)?.into_iter().map(BookingId).collect())
}

/// A member's signups on shifts dated `from` on (an index range).
pub fn member_signups_from(tx: &Tx, user: UserId, from: NaiveDate) -> Res<Vec<SignupId>> {
    member_signups_between(tx, user, from, None)
}

/// A member's signups on shifts dated `from` on, and before `until` when given.
pub fn member_signups_between(tx: &Tx, user: UserId, from: NaiveDate, until: Option<NaiveDate>) -> Res<Vec<SignupId>> {
    Ok(dated_ids(tx, T::SignupsByMember, Key::new().i64(user.0), from, until)?.into_iter().map(SignupId).collect())
}

/// A centre's members, in user id order: a range of `MembersByCentre` (in a change, a
/// member who joined or left just before is counted as they now are).
pub fn centre_members(tx: &Tx, centre: CentreId) -> Res<Vec<Member>> {
    let prefix = Key::new().u64(centre.0);
    let end = prefix_end(prefix.bytes());
    let mut out = vec![];
    for k in tx.keys_in(T::MembersByCentre, prefix.bytes(), end.as_deref())? {
        let Some(user) = crate::store::keys::i64_at(&k, 8) else { continue };
        if let Some(m) = tx.get::<Member>(T::Members, member_key(UserId(user)))? {
            if m.centre == centre {
                out.push(m);
            }
        }
    }
    Ok(out)
}

/// A centre's shifts dated `from` to `to` with their dates, in date order: a range of
/// `ShiftsByDate` (keyed `centre ++ date ++ id`; no shift decoded). In a change, a shift
/// created or moved onto those days just before is among them.
pub fn centre_dated_shifts(
    tx: &Tx,
    centre: CentreId,
    from: NaiveDate,
    to: NaiveDate,
) -> Res<Vec<(NaiveDate, ShiftId)>> {
    let start = Key::new().u64(centre.0).date(from);
    let end = prefix_end(Key::new().u64(centre.0).date(to).bytes());
    let keys = tx.keys_in(T::ShiftsByDate, start.bytes(), end.as_deref())?;
    Ok(keys.iter().filter_map(|k| Some((date_at(k, 8)?, ShiftId(u64_at(k, 12)?)))).collect())
}

/// `centre_dated_shifts` without the dates.
pub fn centre_shifts_between(tx: &Tx, centre: CentreId, from: NaiveDate, to: NaiveDate) -> Res<Vec<ShiftId>> {
    Ok(centre_dated_shifts(tx, centre, from, to)?.into_iter().map(|(_, id)| id).collect())
}

/// Ids stored in a per-day list (a child's bookings, a volunteer's signups that day).
pub fn day_list(tx: &Tx, t: T, who: Key, date: NaiveDate) -> Res<Vec<u64>> {
    Ok(tx.get(t, who.date(date))?.unwrap_or_default())
}

pub fn set_day_list(tx: &Tx, t: T, who: Key, date: NaiveDate, list: &[u64]) -> Res<()> {
    let key = who.date(date);
    if list.is_empty() {
        tx.del(t, key)?;
    } else {
        tx.put(t, key, &list)?;
    }
    Ok(())
}

/// Takes a booking off its child's list of the day.
pub fn remove_child_day(tx: &Tx, b: &Booking, date: NaiveDate) -> Res<()> {
    let mut list = day_list(tx, T::ChildDay, Key::new().u64(b.child.0), date)?;
    list.retain(|id| *id != b.id.0);
    set_day_list(tx, T::ChildDay, Key::new().u64(b.child.0), date, &list)
}

/// Takes a signup off its volunteer's list of the day.
pub fn remove_volunteer_day(tx: &Tx, s: &Signup, date: NaiveDate) -> Res<()> {
    let mut list = day_list(tx, T::VolunteerDay, Key::new().i64(s.user.0), date)?;
    list.retain(|id| *id != s.id.0);
    set_day_list(tx, T::VolunteerDay, Key::new().i64(s.user.0), date, &list)
}

/// The volunteer is not already on this shift nor on an overlapping one.
pub fn check_volunteer_free(tx: &Tx, centre: &Centre, shift: &Shift, user: UserId) -> Res<()> {
    for id in day_list(tx, T::VolunteerDay, Key::new().i64(user.0), shift.date)? {
        let other = signup(tx, SignupId(id))?;
        if other.shift == shift.id {
            return Err(ServiceError::AlreadySignedUp.into());
        }
        let other_shift = shift_in(tx, centre.id, other.shift)?;
        if other_shift.overlaps(shift) {
            return Err(ServiceError::VolunteerClash(other_shift.id).into());
        }
    }
    Ok(())
}

/// Text a person typed: trimmed, non-empty, at most `max` characters.
pub fn clean_text(text: &str, max: usize) -> Result<String, ServiceError> {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(ServiceError::BadText { max });
    }
    Ok(t.to_string())
}

/// Removes a person's membership record and its index entries (they left or were removed).
pub fn delete_member(tx: &Tx, m: &Member) -> Res<()> {
    tx.del(T::CoverOrder, cover_order_key(m))?;
    tx.del(T::Members, member_key(m.user))?;
    tx.del(T::MembersByCentre, Key::new().u64(m.centre.0).i64(m.user.0))?;
    set_coordinator(tx, m.centre, m.user, false)
}

/// Days before today a date a person types may lie (a year).
pub const DATE_PAST_DAYS: u64 = 366;
/// Days after today a date a person types may lie (two years).
pub const DATE_FUTURE_DAYS: u64 = 2 * 366;

/// The range of dates a person may name for shifts and schedules, around `today`:
/// a year back to two years ahead. Keeps every later date computation far from
/// chrono's limits (years of any length parse).
pub fn date_window(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let from = today.checked_sub_days(chrono::Days::new(DATE_PAST_DAYS)).unwrap_or(NaiveDate::MIN);
    let to = today.checked_add_days(chrono::Days::new(DATE_FUTURE_DAYS)).unwrap_or(NaiveDate::MAX);
    (from, to)
}

/// Refuses a date outside `date_window(today)`.
pub fn check_date(today: NaiveDate, date: NaiveDate) -> Result<(), ServiceError> {
    let (from, to) = date_window(today);
    if date < from || date > to {
        return Err(ServiceError::DateOutOfRange { from, to });
    }
    Ok(())
}

/// An allocation round, by id.
pub fn round_key(id: RoundId) -> Key {
    Key::new().str("round/").u64(id.0)
}

/// A centre's round for the week of `monday` (a round id).
pub fn round_week_key(centre: CentreId, monday: NaiveDate) -> Key {
    Key::new().str("roundweek/").u64(centre.0).date(monday)
}

/// The Monday of `date`'s week.
pub fn monday_of(date: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    date - chrono::Duration::days(date.weekday().num_days_from_monday() as i64)
}

/// The round for the week holding `date`, if a coordinator opened one.
pub fn round_of_week(tx: &Tx, centre: CentreId, date: NaiveDate) -> Res<Option<Round>> {
    match tx.get::<RoundId>(T::Meta, round_week_key(centre, monday_of(date)))? {
        Some(id) => Ok(tx.get(T::Meta, round_key(id))?),
        None => Ok(None),
    }
}
