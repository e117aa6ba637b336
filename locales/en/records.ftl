# The audit log, backups and imported families.

usage-audit = Usage: /audit [N] [CENTRE], for example /audit 20 (N from 1 to 100; a super-admin adds the centre id)
audit-empty = No coordinator actions recorded yet for { $centre }.
audit-title = Latest { $count } actions at { $centre } (newest first):
audit-line = { $at } · { $by } · { $what }
audit-by-cli = the command line
audit-centre-created = opened the centre { $name }
audit-coordinator-appointed = appointed { $user } coordinator
audit-member-approved = approved { $user }
audit-member-rejected = rejected { $user }
audit-member-suspended = suspended { $user }
audit-role-set = set the role of { $user } to { $role }
audit-staff-set = { $on ->
        [on] made { $user } staff
       *[off] took the staff role from { $user }
    }
audit-block-lifted = lifted the no-show block of { $user }
audit-member-removed = removed { $user }
audit-family-removed = removed family #{ $family } ({ $guardians })
audit-guardian-approved = approved { $user } as guardian of family #{ $family }
audit-credits-granted = granted { $minutes } minutes to { $user }: { $memo }
audit-overdraft-set = set the overdraft of { $user } to { $minutes } minutes
audit-shift-created = created shift #{ $shift } on { $date } { $start }-{ $end }
audit-template-created = created template #{ $template }
audit-shifts-generated = generated { $count } shifts { $shifts }
audit-shift-cancelled = cancelled shift #{ $shift }: { $reason }
audit-day-cancelled = cancelled { $date } (shifts { $shifts }): { $reason }
audit-shift-moved = moved shift #{ $shift } to { $date } { $start }-{ $end }
audit-booking-cancelled = cancelled booking #{ $booking } of family #{ $family }
audit-signup-dropped = dropped signup #{ $signup } of { $user }
audit-attendance = took attendance of shift #{ $shift }: { $present } present, { $absent } absent
audit-shift-settled = settled shift #{ $shift }
audit-setting-changed = changed a setting: { $setting }
audit-broadcast-sent = sent broadcast #{ $broadcast } to { $recipients } people
audit-broadcast-cancelled = cancelled broadcast #{ $broadcast }
audit-centre-code-replaced = replaced the centre's invite code
audit-families-imported = imported { $families } families, { $children } children, { $guardians } guardians
help-coordinator-records = Records (coordinators):
    /audit [N]: the centre's latest N actions by coordinators (20 unless you say)
    On the server: huzhu backup FILE, huzhu restore FILE, huzhu import --centre ID families.csv
err-phone-unknown = This phone number is not on the centre's list of families. Join with the centre's invite code instead: /join CODE (ask a coordinator for the code).
err-phone-claimed = This phone number was already used to join its family. If that was not you, tell a coordinator; you can still join with /join CODE.
err-phone-taken = The phone number { $phone } belongs to another imported family.
err-not-own-contact = Please share your own phone number with the button below (a contact of someone else cannot be used).
contact-share-button = 📱 Share my phone number
contact-share-intro = Is your family already on the centre's list? Share your phone number with the button below and you are in at once.
contact-claimed = Welcome to { $centre }! You are now a guardian of your family{ $children ->
        [none] .
       *[other] , with { $children }.
    } Open /menu to book care or volunteer.
cmd-audit = Who did what (audit log)
