//! Issue 13: the audit log through the real service. Every coordinator action leaves
//! exactly one structured entry in its own transaction (a refused action none, a
//! replay none more); `/audit`'s read is a prefix range, newest first, limited; only
//! the centre's coordinators and super-admins may read it.

use chrono::Duration;
use huzhu::domain::*;
use huzhu::service::*;
use huzhu::store::T;
use huzhu::testing::{date, time, Fixture, ADMIN, COORD};

fn kinds(f: &Fixture, n: usize) -> Vec<AuditAction> {
    f.svc.audit_log(COORD, None, n).unwrap().1.into_iter().map(|e| e.action).collect()
}

#[test]
fn coordinator_actions_are_recorded_with_who_when_and_what() {
    let f = Fixture::new();
    let before = f.svc.audit_log(COORD, None, 100).unwrap().1.len();
    // Creating the centre and appointing the coordinator are there already.
    assert_eq!(before, 2);
    let parent = f.family(10, "Li");
    let shift = f.shift("2026-12-03", "09:00", "12:00", 6);
    f.svc.grant(&f.coord(), parent, 90, "thanks").unwrap();
    f.svc.set_overdraft(&f.coord(), parent, 60).unwrap();
    f.svc.change_setting(&f.coord(), &SettingChange::CoverBatch(4)).unwrap();
    f.svc.move_shift(&f.coord(), shift, date("2026-12-04"), time("10:00"), time("12:00")).unwrap();
    f.svc.cancel_shift(&f.coord(), shift, "rain").unwrap();
    f.svc.lift_block(&f.coord(), parent).unwrap();
    f.svc.set_staff(&f.coord(), parent, true).unwrap();
    f.svc.suspend_member(&f.coord(), parent).unwrap();
    f.svc.approve_member(&f.coord(), parent).unwrap();

    let (centre, log) = f.svc.audit_log(COORD, None, 100).unwrap();
    assert_eq!(centre.id, f.centre.id);
    let got: Vec<AuditAction> = log.iter().map(|e| e.action.clone()).collect();
    let expected = vec![
        AuditAction::MemberApproved { user: parent },
        AuditAction::MemberSuspended { user: parent },
        AuditAction::StaffSet { user: parent, on: true },
        AuditAction::BlockLifted { user: parent },
        AuditAction::ShiftCancelled { shift, reason: "rain".into() },
        AuditAction::ShiftMoved { shift, date: date("2026-12-04"), start: time("10:00"), end: time("12:00") },
        AuditAction::SettingChanged { change: SettingChange::CoverBatch(4) },
        AuditAction::OverdraftSet { user: parent, family: log[8].action_family(), minutes: 60 },
        AuditAction::CreditsGranted {
            user: parent,
            family: log[8].action_family(),
            minutes: 90,
            memo: "thanks".into(),
        },
        AuditAction::ShiftCreated { shift, date: date("2026-12-03"), start: time("09:00"), end: time("12:00") },
        AuditAction::MemberApproved { user: parent },
    ];
    assert_eq!(&got[..expected.len()], &expected[..]);
    // Who and when: the coordinator, at the clock's time; the same centre throughout.
    assert!(log.iter().take(expected.len()).all(|e| e.by == COORD && e.centre == f.centre.id));
    assert!(log.iter().all(|e| e.at == f.svc.now()));
    // Newest first, by sequence.
    assert!(log.windows(2).all(|w| w[0].seq > w[1].seq));
}

trait FamilyOf {
    fn action_family(&self) -> FamilyId;
}
impl FamilyOf for AuditEntry {
    fn action_family(&self) -> FamilyId {
        match &self.action {
            AuditAction::OverdraftSet { family, .. } | AuditAction::CreditsGranted { family, .. } => *family,
            other => panic!("no family in {other:?}"),
        }
    }
}

#[test]
fn a_refused_action_leaves_no_entry_and_a_replay_no_second() {
    let f = Fixture::new();
    let parent = f.family(10, "Li");
    let n = kinds(&f, 100).len();
    // Refused: out of range, another centre's member, a parent trying.
    assert!(f.svc.change_setting(&f.coord(), &SettingChange::CoverBatch(0)).is_err());
    assert!(f.svc.grant(&f.coord(), UserId(999), 60, "x").is_err());
    assert!(f.svc.grant(&Caller::new(parent), parent, 60, "x").is_err());
    assert_eq!(kinds(&f, 100).len(), n);
    // The same request twice (an update handled again): one entry.
    let req = Caller::with_request(COORD, "m42");
    let first = f.svc.grant(&req, parent, 60, "once").unwrap();
    let again = f.svc.grant(&req, parent, 60, "once").unwrap();
    assert!(!first.replayed && again.replayed);
    let grants = kinds(&f, 100).iter().filter(|a| matches!(a, AuditAction::CreditsGranted { .. })).count();
    assert_eq!(grants, 1);
    assert_eq!(kinds(&f, 100).len(), n + 1);
}

#[test]
fn the_newest_n_come_first_and_the_limit_holds() {
    let f = Fixture::new();
    let parent = f.family(10, "Li");
    for i in 1..=30 {
        f.clock.advance(Duration::minutes(1));
        f.svc.grant(&f.coord(), parent, i, &format!("g{i}")).unwrap();
    }
    let (_, log) = f.svc.audit_log(COORD, None, 5).unwrap();
    let minutes: Vec<i64> = log
        .iter()
        .map(|e| match &e.action {
            AuditAction::CreditsGranted { minutes, .. } => *minutes,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(minutes, vec![30, 29, 28, 27, 26]);
    assert!(log.windows(2).all(|w| w[0].at > w[1].at));
    assert_eq!(f.svc.audit_log(COORD, None, AUDIT_DEFAULT).unwrap().1.len(), AUDIT_DEFAULT);
    // Asking for more than the maximum gives the maximum at most.
    assert!(f.svc.audit_log(COORD, None, 10_000).unwrap().1.len() <= AUDIT_MAX);
    // 30 grants + 2 setup entries + the approval.
    assert_eq!(f.svc.audit_log(COORD, None, AUDIT_MAX).unwrap().1.len(), 33);
}

#[test]
fn only_the_centres_coordinators_and_super_admins_read_it() {
    let f = Fixture::new();
    let parent = f.family(10, "Li");
    assert!(matches!(f.svc.audit_log(parent, None, 20), Err(ServiceError::NotCoordinator)));
    assert!(matches!(f.svc.audit_log(UserId(777), None, 20), Err(ServiceError::NotCoordinator)));
    // Another centre and its coordinator.
    let admin = Caller::new(ADMIN);
    let other = f.svc.create_centre(&admin, "Other", None).unwrap().value;
    let other_coord = UserId(50);
    f.svc.appoint_coordinator(&admin, other_coord, other.id, "Wang").unwrap();
    f.svc.grant(&f.coord(), parent, 60, "ours").unwrap();
    // The other coordinator sees only their own centre, and cannot name ours.
    let (c, theirs) = f.svc.audit_log(other_coord, None, 100).unwrap();
    assert_eq!(c.id, other.id);
    assert!(theirs.iter().all(|e| e.centre == other.id));
    assert!(!theirs.iter().any(|e| matches!(e.action, AuditAction::CreditsGranted { .. })));
    assert!(matches!(f.svc.audit_log(other_coord, Some(f.centre.id), 20), Err(ServiceError::NotCoordinator)));
    // A super-admin reads either, by naming it.
    let (c, ours) = f.svc.audit_log(ADMIN, Some(f.centre.id), 100).unwrap();
    assert_eq!(c.id, f.centre.id);
    assert!(ours.iter().any(|e| matches!(e.action, AuditAction::CreditsGranted { .. })));
    assert!(f.svc.audit_log(ADMIN, Some(CentreId(999)), 20).is_err());
    // Entries live in their own tree, never in Expiry (kept for good).
    assert!(f.svc.store().tree(T::Audit).len() >= 5);
    let expiring =
        f.svc.store().tree(T::Expiry).iter().keys().filter_map(Result::ok).any(|k| k.get(8) == Some(&(T::Audit as u8)));
    assert!(!expiring);
}

#[test]
fn concurrent_coordinator_actions_are_each_recorded_once() {
    let f = Fixture::new();
    let parents: Vec<UserId> = (0..10).map(|i| f.family(100 + i, &format!("P{i}"))).collect();
    let n = kinds(&f, 100).len();
    std::thread::scope(|s| {
        for (i, p) in parents.iter().enumerate() {
            let svc = f.svc.clone();
            s.spawn(move || {
                let c = Caller::with_request(COORD, format!("r{i}"));
                svc.grant(&c, *p, 10, "busy").unwrap();
                // The same update handled twice (a replay) at once.
                svc.grant(&c, *p, 10, "busy").unwrap();
            });
        }
    });
    let log = kinds(&f, 100);
    assert_eq!(log.len(), n + 10);
    for p in &parents {
        let mine = log.iter().filter(|a| matches!(a, AuditAction::CreditsGranted { user, .. } if user == p)).count();
        assert_eq!(mine, 1, "{p}");
    }
}

#[test]
fn forgetting_a_person_takes_their_id_out_of_the_log() {
    let f = Fixture::new();
    let parent = f.family(10, "Li Lei");
    f.svc.grant(&f.coord(), parent, 60, "for Li Lei's help").unwrap();
    let n = kinds(&f, 100).len();
    f.svc.forget(&Caller::new(parent)).unwrap();
    let log = f.svc.audit_log(COORD, None, 100).unwrap().1;
    assert_eq!(log.len(), n, "what was done stays");
    for e in &log {
        assert!(!e.action.users().contains(&parent), "{e:?}");
        if let AuditAction::CreditsGranted { memo, user, .. } = &e.action {
            assert!(memo.is_empty(), "the memo named them: {memo:?}");
            assert!(user.0 < 0, "an anonymous id");
        }
    }
}
