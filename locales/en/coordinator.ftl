# huzhu — coordinator and administrator text (English)

usage-newshift = Usage: /newshift YYYY-MM-DD HH:MM-HH:MM [PLACES [STAFF]], for example /newshift 2026-12-07 09:00-12:00 10 2 (10 places, 2 professional staff)
usage-template = Usage: /template add wed 09:00-12:00 [PLACES]; /template gen 2026-12-01 2026-12-31
usage-cancelshift = Usage: /cancelshift SHIFT REASON, for example /cancelshift 12 typhoon warning
usage-approve = Usage: /approve USER, for example /approve 123456789 (see /pending)
usage-reject = Usage: /reject USER, for example /reject 123456789
usage-suspend = Usage: /suspend USER, for example /suspend 123456789
usage-grant = Usage: /grant USER MINUTES MEMO, for example /grant 123456789 60 event bonus (negative to correct)
usage-ledger = Usage: /ledger USER, for example /ledger 123456789
usage-roster = Usage: /roster SHIFT, for example /roster 12
usage-attendance = Usage: /attendance SHIFT, for example /attendance 12
usage-settle = Usage: /settle SHIFT, for example /settle 12
usage-newcenter = Usage: /newcenter NAME, for example /newcenter Liuhe Mutual-Aid Centre
usage-coordinator = Usage: /coordinator USER CENTRE, for example /coordinator 123456789 1

cmd-pending = Pending join requests
cmd-newshift = Publish a shift
cmd-template = Weekly templates
cmd-cancelshift = Cancel a shift
cmd-roster = Who comes to a shift
cmd-attendance = Attendance and settlement
cmd-grant = Adjust credits
cmd-ledger = A family's ledger
cmd-invite = Centre invite link
cmd-approve = Approve a request
cmd-suspend = Suspend a member

shift-created = Published shift { $shift } with { $places ->
        [one] 1 place
       *[other] { $places } places
    } and { $staff } staff.
template-created = Added weekly template { $template }. Create its shifts with /template gen FROM TO.
template-generated = Created { $count ->
        [one] 1 shift
       *[other] { $count } shifts
    }.
templates-none = No weekly templates yet.
templates-title = Weekly templates:
template-line = #{ $id } every { $weekday } { $start }-{ $end } · { $places } places
cancelshift-ask-reason = Why is shift #{ $shift } cancelled? (Every family and volunteer will be told.)
shift-cancelled = Cancelled shift { $shift }; every family and volunteer has been told and held credits returned.
pending-none = No pending requests.
pending-title = Pending join requests:
pending-line = · { $name } (user { $user })
member-approved = Approved { $name } (user { $user }).
member-rejected = Rejected { $name } (user { $user }).
member-suspended = Suspended { $name }.
granted = Adjusted user { $user } by { $amount } h; available now { $balance } h.
roster-title = Roster of { $shift } ({ $staff } staff)
roster-children = Children ({ $count }):
roster-child = · { $name } · { $group } · { $months } months
roster-waitlist = Waitlist ({ $count }):
roster-volunteers = Volunteers ({ $count }):
attendance-hint = Mark each one present ✅ or absent ❌; unmarked counts as present. Press Settle when done.
settled = Settled { $shift }: { $attended } attended, { $noshow } absent; { $served ->
        [one] 1 volunteer
       *[other] { $served } volunteers
    } served, { $vnoshow } absent; { $earned } h earned.
invite = Invite code of "{ $centre }": { $code }
    Invite link: { $link }
    Parents who open it can ask to join; you approve them.
centre-created = Created centre "{ $name }" (id { $id }, timezone { $timezone }), invite code { $code }. Appoint a coordinator with /coordinator USER { $id }.
coordinator-appointed = User { $user } is now a coordinator of centre { $centre }.

usage-broadcast = Usage: /broadcast TEXT (everyone); /broadcast SHIFT TEXT (that shift's families and volunteers); /broadcast waitlist SHIFT TEXT. For example /broadcast 12 Please bring sun hats tomorrow
usage-moveshift = Usage: /moveshift SHIFT YYYY-MM-DD HH:MM-HH:MM, for example /moveshift 12 2026-12-08 14:00-17:00
cmd-broadcast = Message many members
cmd-moveshift = Move a shift
broadcast-confirm = Send this message to { $count } people?

    { $text }
btn-broadcast-send = 📢 Send
btn-broadcast-cancel = Cancel
broadcast-cancelled = Broadcast cancelled; nothing was sent.
broadcast-progress = 📢 Sending… sent { $sent } / { $total }
broadcast-done = 📢 Broadcast finished: { $total ->
        [one] 1 recipient
       *[other] { $total } recipients
    }, { $delivered } delivered, { $blocked } blocked the bot, { $failed } failed.
broadcast-blocked-list = Blocked the bot (marked unreachable): { $names }
broadcast-failed-list = Not delivered: { $names }
digest-title = 📋 Tomorrow, { $date }:
digest-shift = { $shift }: infants { $infants }, toddlers { $toddlers }, older { $older }; waitlist { $waitlist }; staff { $staff }; volunteers: { $volunteers }
digest-gap =   ⚠ { $missing } more caregiver(s) needed; asking members to cover.
digest-unreached = ⚠ Reminders could not reach (Telegram unreachable until their shift): { $names }
shift-moved = Moved shift { $shift }; its families and volunteers have been told.
digest-title-today = 📋 Today, { $date }:
usage-settings = Usage: /settings shows every setting; change one with /settings KEY VALUE: remind 24,2 (1-168 h, at most 4) · family 20:00 · digest 18:00 · quiet 22:00-07:00 (or quiet off) · cover 5 (1-50) · ages 6-36 · earn 2 (0-10) · cost 1 (1-10) · grant 360 (0-6000 min) · freecancel 24 (0-168 h) · late 50 (0-100 %) · penalty 60 (0-600 min) · block 2 90 (1-10 no-shows, 1-365 days) · autosettle 12 (1-168 h) · places 12 (1-100) · staff 1 (0-20) · waitlist 10 (1-50)
cmd-settings = Centre settings
settings-saved = Saved. Reminders already planned for future shifts follow the new settings.
settings-quiet-none = none
settings-view = Settings of "{ $centre }":
    Children and shifts
    · accepted ages: { $min_age } to { $max_age } months (ages { $min_age }-{ $max_age })
    · a new shift: { $places } places (places), { $staff } professional staff (staff)
    · longest waitlist: { $waitlist } (waitlist)
    Credits
    · start grant of a new family: { $grant } h (grant, in minutes)
    · a volunteer earns { $earn } min per minute served (earn)
    · care costs { $cost } min per child-minute (cost)
    Cancellations and settlement
    · free until { $free_cancel } h before the start (freecancel), then { $late }% charged (late)
    · an unmarked shift settles itself { $autosettle } h after its end (autosettle)
    · a volunteer no-show costs { $penalty } h (penalty, in minutes); { $block } no-shows within { $block_days } days block sign-up until lifted (block)
    Reminders
    · volunteers: { $hours } h before their shift (remind)
    · families: { $family } the evening before (family)
    · coordinators' digest: { $digest } the day before (digest)
    · quiet hours: { $quiet } (quiet)
    · asks for cover: { $cover } members at a time, more as the shift nears (cover)
    Change one with /settings KEY VALUE, for example /settings remind 24,2 · late 50 · block 2 90 · ages 6-36
usage-cancelday = Usage: /cancelday YYYY-MM-DD REASON, for example /cancelday 2026-12-08 typhoon warning
cmd-cancelday = Cancel a whole day
cancelday-ask = Cancel { $shifts ->
        [one] the one shift
       *[other] all { $shifts } shifts
    } on { $date } (reason: { $reason })? That touches { $children ->
        [one] 1 child
       *[other] { $children } children
    }, { $families ->
        [one] 1 family
       *[other] { $families } families
    } and { $volunteers ->
        [one] 1 volunteer
       *[other] { $volunteers } volunteers
    }; every hold is returned in full and each person gets one notice.
btn-cancelday = Cancel the day
cancelday-done = Cancelled { $shifts ->
        [one] 1 shift
       *[other] { $shifts } shifts
    } on { $date }: { $children ->
        [one] 1 child
       *[other] { $children } children
    }, { $families ->
        [one] 1 family
       *[other] { $families } families
    }; everyone has been told.
usage-unblock = Usage: /unblock USER, for example /unblock 123456789 (lifts the sign-up block after repeated no-shows)
usage-overdraft = Usage: /overdraft USER MINUTES, for example /overdraft 123456789 120 (that member's family may go up to 2 h below zero; 0 for none)
usage-staff = Usage: /staff USER on|off, for example /staff 123456789 on
cmd-unblock = Lift a sign-up block
cmd-overdraft = Set a family's overdraft
cmd-staff = Give or take the staff role
member-unblocked = Lifted { $name }'s sign-up block.
overdraft-set = The family of user { $user } may now go up to { $limit } h below zero.
staff-on = { $name } is staff now.
staff-off = { $name } is no longer staff.
err-setting-range = /settings { $setting } must be between { $min } and { $max }. Nothing was changed.

## issue 10: who gets in, removal
invite-replaced = The centre has a new invite code; the old one no longer works.
member-removed = Removed { $name } (user { $user }). Cancelled bookings (free of charge): { $cancelled }; dropped signups: { $dropped }.
family-removed = Removed the family:
pending-awaits-family = — waits for their family to confirm
pending-family-confirmed = — confirmed by their family (user { $user })
attempts-title = Wrong invite codes (last 7 days):
attempts-line = · user { $user }: { $count } in a row, last at { $last }
attempts-blocked = (waiting until { $until })
settings-guardians-on = · a guardian who joins with a family code: confirmed by the family, then approved by a coordinator (/settings guardians off: the family's confirmation is enough)
settings-guardians-off = · a guardian who joins with a family code: the family's confirmation is enough (/settings guardians on: a coordinator approves too)
usage-remove = Usage: /remove USER removes a member; /remove family USER removes that member's whole family (for example /remove 123456789).
help-coordinator-membership = Membership (coordinators):
    /remove USER · /remove family USER
    /invite new replaces the centre's invite code
    /settings guardians on|off: whether you approve guardians who join with a family code
cmd-remove = Remove a member or a family
