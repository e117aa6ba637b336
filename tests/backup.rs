//! Issue 13: backups and restores, and imported families, through the real service.
//! A generated centre (families, children, shifts, bookings, signups, ledger entries,
//! settings, audit entries, imported families) is backed up, restored into a new path,
//! and every record of every tree compared byte for byte; a restore refuses a path that
//! holds anything and a file with a bad line, writing nothing.

use chrono::Duration;
use std::sync::Arc;

use huzhu::domain::*;
use huzhu::import::{ImportChild, ImportFamily, ImportGuardian};
use huzhu::service::*;
use huzhu::store::backup::{read_backup, restore, write_backup, RestoreError};
use huzhu::store::{Store, T};
use huzhu::testing::{date, t0, Fixture, ADMIN, COORD};

/// A centre with a bit of everything, on a store at `path`.
fn generated(path: &std::path::Path) -> Fixture {
    let f = Fixture::with_store(Arc::new(Store::open(path).unwrap()), t0());
    let mut parents = vec![];
    for i in 0..6 {
        let p = f.family(100 + i, &format!("家长{i}"));
        f.child(p, &format!("宝宝{i}"), "2025-03-01");
        parents.push(p);
    }
    f.guardian(parents[0], 200, "Second guardian");
    let shifts: Vec<ShiftId> = (2..6).map(|d| f.shift(&format!("2026-12-0{d}"), "09:00", "12:00", 4)).collect();
    for (i, p) in parents.iter().enumerate() {
        let child = f.svc.children(*p).unwrap()[0].id;
        f.svc.book(&Caller::new(*p), shifts[i % shifts.len()], child).unwrap();
    }
    f.svc.volunteer(&Caller::new(parents[1]), shifts[0]).unwrap();
    f.svc.grant(&f.coord(), parents[2], 120, "thanks for the mats").unwrap();
    f.svc.change_setting(&f.coord(), &SettingChange::CoverBatch(5)).unwrap();
    f.svc.cancel_shift(&f.coord(), shifts[3], "heating broken").unwrap();
    let fam = ImportFamily {
        name: "王家".into(),
        guardians: vec![ImportGuardian { name: "王芳".into(), phone: "13800138000".into() }],
        children: vec![ImportChild { name: "小明".into(), birth_date: date("2025-01-02") }],
    };
    f.svc.import_families(f.centre.id, &[fam]).unwrap();
    // Past the first shift's end: attendance and settlement.
    f.clock.set(t0() + Duration::hours(30));
    let _ = f.svc.settle_shift(&f.coord(), shifts[0]);
    f
}

fn counts(store: &Store) -> Vec<(String, usize)> {
    T::ALL.iter().map(|t| (t.name(), store.tree(*t).len())).collect()
}

#[test]
fn a_generated_centre_round_trips_record_for_record() {
    let dir = tempfile::tempdir().unwrap();
    let f = generated(&dir.path().join("live.db"));
    for t in [T::Families, T::Children, T::Shifts, T::Bookings, T::Signups, T::Ledger, T::Centres, T::Audit] {
        assert!(!f.svc.store().tree(t).is_empty(), "{t:?} is empty: the centre is not generated enough");
    }
    let snap = f.svc.store().consistent_snapshot().unwrap();
    let file = dir.path().join("backup.jsonl");
    let mut out = std::fs::File::create(&file).unwrap();
    let n = write_backup(&mut out, &snap, f.svc.now()).unwrap();
    drop(out);
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count() as u64, n + 1, "a header and one line per record");
    let header: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(header["format"], "huzhu-backup");
    assert_eq!(header["version"], 1);
    assert_eq!(header["trees"].as_array().unwrap().len(), T::ALL.len());

    let restored_path = dir.path().join("restored.db");
    let (_, restored_n) =
        restore(std::io::BufReader::new(std::fs::File::open(&file).unwrap()), &restored_path).unwrap();
    assert_eq!(restored_n, n);
    let restored = Store::open_waiting(&restored_path, std::time::Duration::from_secs(5)).unwrap();
    // Every record of every tree, byte for byte.
    assert_eq!(restored.snapshot(), f.svc.store().snapshot());
    assert_eq!(counts(&restored), counts(f.svc.store()));
    // sled's own CRC32 over every tree agrees.
    assert_eq!(restored.db().checksum().unwrap(), f.svc.store().db().checksum().unwrap());
    // And the restored database works: the service reads it as before.
    let clock = huzhu::clock::ManualClock::new(f.svc.now());
    let config = ServiceConfig { super_admins: vec![ADMIN], ..ServiceConfig::default() };
    let svc = Service::new(Arc::new(restored), Arc::new(clock), config);
    assert_eq!(svc.ledger_sum().unwrap(), 0);
    assert_eq!(svc.audit_log(COORD, None, 100).unwrap(), f.svc.audit_log(COORD, None, 100).unwrap());
    assert_eq!(svc.balance(UserId(102), 5).unwrap(), f.svc.balance(UserId(102), 5).unwrap());
}

#[test]
fn restore_refuses_a_used_path_and_bad_files_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let f = Fixture::new();
    let mut bytes = vec![];
    write_backup(&mut bytes, &f.svc.store().consistent_snapshot().unwrap(), f.svc.now()).unwrap();
    // A path with something in it.
    let used = dir.path().join("used");
    std::fs::create_dir_all(&used).unwrap();
    std::fs::write(used.join("x"), b"x").unwrap();
    assert!(matches!(restore(bytes.as_slice(), &used), Err(RestoreError::NotEmpty(_))));
    // A bad line: refused with its number, and the new path not created.
    let text = String::from_utf8(bytes.clone()).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[3] = "{\"tree\":\"meta\",\"key\":\"zz\",\"value\":\"00\"}";
    let bad = lines.join("\n");
    let fresh = dir.path().join("fresh");
    match restore(bad.as_bytes(), &fresh) {
        Err(RestoreError::Invalid(e)) => assert!(e[0].starts_with("line 4: key is not hex"), "{e:?}"),
        other => panic!("{other:?}"),
    }
    assert!(!fresh.exists());
    // A good file into an empty directory works.
    std::fs::create_dir_all(&fresh).unwrap();
    restore(bytes.as_slice(), &fresh).unwrap();
    assert!(read_backup(bytes.as_slice()).is_ok());
}

#[test]
fn a_backup_taken_while_writers_run_is_consistent() {
    // Writers keep granting while snapshots are taken: every snapshot's ledger sums to
    // zero and holds as many entries as the accounts say (no transaction half in it).
    let f = Fixture::new();
    let parents: Vec<UserId> = (0..4).map(|i| f.family(300 + i, &format!("P{i}"))).collect();
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        for p in &parents {
            let (svc, stop) = (f.svc.clone(), &stop);
            s.spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    svc.grant(&Caller::new(COORD), *p, 1, "tick").unwrap();
                }
            });
        }
        for _ in 0..20 {
            let snap = f.svc.store().consistent_snapshot().unwrap();
            let accounts = &snap[T::Accounts as usize].1;
            let total: i64 = accounts.iter().map(|(_, v)| huzhu::store::decode::<i64>(v).unwrap()).sum();
            assert_eq!(total, 0);
            let grants = snap[T::Audit as usize].1.len();
            let entries = snap[T::Ledger as usize].1.len();
            // Each grant is one ledger entry and one audit entry, in one transaction.
            let start_grants = parents.len();
            let setup_audit = 2 + parents.len();
            assert_eq!(grants - setup_audit, entries - start_grants);
        }
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
    });
}

// ----- imported families -----

fn family(name: &str, phone: &str, kids: &[(&str, &str)]) -> ImportFamily {
    ImportFamily {
        name: name.into(),
        guardians: vec![ImportGuardian { name: format!("{name} guardian"), phone: phone.into() }],
        children: kids.iter().map(|(n, b)| ImportChild { name: n.to_string(), birth_date: date(b) }).collect(),
    }
}

#[test]
fn importing_twice_adds_nothing_and_a_claim_makes_a_member_at_once() {
    let f = Fixture::new();
    let list = vec![
        family("Li", "13800138000", &[("Mei", "2025-01-02"), ("Bao", "2025-06-01")]),
        family("Wang", "+44 20 7946 0958", &[("Xiao", "2024-12-31")]),
    ];
    let list: Vec<ImportFamily> = list
        .into_iter()
        .map(|mut f| {
            for g in &mut f.guardians {
                g.phone = huzhu::import::normalise_phone(&g.phone).unwrap();
            }
            f
        })
        .collect();
    let first = f.svc.import_families(f.centre.id, &list).unwrap();
    assert_eq!(first, ImportSummary { families: 2, children: 3, guardians: 2 });
    let before = f.svc.store().snapshot();
    let again = f.svc.import_families(f.centre.id, &list).unwrap();
    assert_eq!(again, ImportSummary::default());
    assert_eq!(f.svc.store().snapshot(), before, "the second import changed nothing at all");

    // The guardian shares their number (written another way): a member at once.
    let li = UserId(5000);
    // Someone else's contact (forwarded, or from the address book) claims nothing.
    assert!(matches!(
        f.svc.claim_phone(&Caller::new(UserId(5003)), "+86 138 0013 8000", Some(li), "Mallory"),
        Err(ServiceError::NotOwnContact)
    ));
    assert!(matches!(
        f.svc.claim_phone(&Caller::new(UserId(5003)), "+86 138 0013 8000", None, "Mallory"),
        Err(ServiceError::NotOwnContact)
    ));
    let out = f.svc.claim_phone(&Caller::new(li), "+86 138 0013 8000", Some(li), "Li Lei").unwrap();
    assert_eq!(out.value.children, vec!["Mei".to_string(), "Bao".to_string()]);
    let m = f.svc.member(li).unwrap().unwrap();
    assert!(m.is_active());
    assert_eq!(m.family, Some(out.value.family));
    assert_eq!(f.svc.children(li).unwrap().len(), 2);
    assert!(f.svc.balance(li, 1).unwrap().available > 0, "the start grant is paid at the claim");
    // Nobody else can claim it, and the same person not twice.
    assert!(matches!(
        f.svc.claim_phone(&Caller::new(UserId(5001)), "13800138000", Some(UserId(5001)), "X"),
        Err(ServiceError::PhoneClaimed)
    ));
    assert!(matches!(
        f.svc.claim_phone(&Caller::new(li), "13800138000", Some(li), "X"),
        Err(ServiceError::AlreadyMember)
    ));
    assert!(matches!(
        f.svc.claim_phone(&Caller::new(UserId(5002)), "13900000000", Some(UserId(5002)), "X"),
        Err(ServiceError::PhoneUnknown)
    ));
    // An existing member cannot take another family's number.
    assert!(matches!(
        f.svc.claim_phone(&Caller::new(COORD), "+442079460958", Some(COORD), "X"),
        Err(ServiceError::AlreadyMember)
    ));
    // A phone already imported for another family is refused, and nothing is imported.
    let clash = vec![
        family("Zhao", "13600000000", &[("A", "2025-01-01")]),
        family("Sun", "13800138000", &[("B", "2025-01-01")]),
    ];
    let before = f.svc.store().snapshot();
    assert!(matches!(f.svc.import_families(f.centre.id, &clash), Err(ServiceError::PhoneTaken(_))));
    assert_eq!(f.svc.store().snapshot(), before);
    // The import is in the audit log, once.
    let imports = f
        .svc
        .audit_log(COORD, None, 100)
        .unwrap()
        .1
        .into_iter()
        .filter(|e| matches!(e.action, AuditAction::FamiliesImported { .. }))
        .count();
    assert_eq!(imports, 1);
}

#[test]
fn many_guardians_claim_at_once_each_exactly_their_family() {
    let f = Fixture::new();
    let list: Vec<ImportFamily> =
        (0..20).map(|i| family(&format!("F{i}"), &format!("1380000{:04}", i), &[("Kid", "2025-01-01")])).collect();
    f.svc.import_families(f.centre.id, &list).unwrap();
    std::thread::scope(|s| {
        for i in 0..20i64 {
            let svc = f.svc.clone();
            s.spawn(move || {
                // Each guardian, plus an impostor racing for the same number.
                let mine = svc.claim_phone(
                    &Caller::new(UserId(7000 + i)),
                    &format!("1380000{:04}", i),
                    Some(UserId(7000 + i)),
                    "g",
                );
                let theirs = svc.claim_phone(
                    &Caller::new(UserId(8000 + i)),
                    &format!("1380000{:04}", i),
                    Some(UserId(8000 + i)),
                    "x",
                );
                assert!(mine.is_ok() && matches!(theirs, Err(ServiceError::PhoneClaimed)));
            });
        }
    });
    for i in 0..20i64 {
        let m = f.svc.member(UserId(7000 + i)).unwrap().unwrap();
        assert!(m.is_active());
        let fam = f.svc.family(m.family.unwrap()).unwrap().unwrap();
        assert_eq!(fam.guardians, vec![UserId(7000 + i)]);
        assert!(f.svc.member(UserId(8000 + i)).unwrap().is_none());
    }
    assert_eq!(f.svc.ledger_sum().unwrap(), 0);
}

#[test]
fn the_command_lines_import_skips_bad_rows_only_when_told() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("huzhu.db");
    let centre = {
        let f = Fixture::with_store(Arc::new(Store::open(&db).unwrap()), t0());
        f.centre.id
    };
    let csv = dir.path().join("families.csv");
    std::fs::write(
        &csv,
        "family,guardian,phone,child,birth_date\n\
         Li,Li Lei,13800138000,Mei,2025-01-02\n\
         Wu,Wu Di,not-a-phone,Bao,2025-01-02\n\
         Wang,Wang Fang,13700000000,Xiao,2024-12-31\n",
    )
    .unwrap();
    let config = || ServiceConfig { super_admins: vec![ADMIN], ..ServiceConfig::default() };
    let err = huzhu::admin_cli::import(&db, config(), centre.0, &csv, false).unwrap_err();
    assert!(err.contains("line 3: phone not-a-phone is not a phone number"), "{err}");
    assert!(err.contains("nothing imported"), "{err}");
    let ok = huzhu::admin_cli::import(&db, config(), centre.0, &csv, true).unwrap();
    assert!(ok.contains("line 3: phone not-a-phone"), "{ok}");
    assert!(ok.contains("skipped 1 bad rows"), "{ok}");
    assert!(ok.contains("imported 2 families, 2 children, 2 guardians"), "{ok}");
    // An unknown centre: nothing imported, said so.
    let err = huzhu::admin_cli::import(&db, config(), 99, &csv, true).unwrap_err();
    assert!(err.contains("nothing imported"), "{err}");
    // The command line's backup of a stopped bot's database restores to the same records.
    let file = dir.path().join("b.jsonl");
    huzhu::admin_cli::backup(&db, config(), &file).unwrap();
    let restored = dir.path().join("r.db");
    huzhu::admin_cli::restore(&restored, &file).unwrap();
    let wait = std::time::Duration::from_secs(5);
    let (a, b) = (Store::open_waiting(&db, wait).unwrap(), Store::open_waiting(&restored, wait).unwrap());
    assert_eq!(a.snapshot(), b.snapshot());
    let svc = Service::new(Arc::new(b), Arc::new(huzhu::clock::ManualClock::new(t0())), config());
    assert_eq!(svc.imported_guardian("+86 137 0000 0000").unwrap().unwrap().name, "Wang Fang");
}
