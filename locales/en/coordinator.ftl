# huzhu — coordinator and administrator text (English)

usage-newshift = Usage: /newshift YYYY-MM-DD HH:MM-HH:MM [PLACES], for example /newshift 2026-12-07 09:00-12:00 10
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

shift-created = Published shift { $shift } with { $places } places and { $staff } staff.
template-created = Added weekly template { $template }. Create its shifts with /template gen FROM TO.
template-generated = Created { $count } shifts.
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
settled = Settled { $shift }: { $attended } attended, { $noshow } absent; { $served } volunteers served, { $vnoshow } absent; { $earned } h earned.
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
broadcast-done = 📢 Broadcast finished: { $total } recipients, { $delivered } delivered, { $blocked } blocked the bot, { $failed } failed.
broadcast-blocked-list = Blocked the bot (marked unreachable): { $names }
broadcast-failed-list = Not delivered: { $names }
digest-title = 📋 Tomorrow, { $date }:
digest-shift = { $shift }: infants { $infants }, toddlers { $toddlers }, older { $older }; waitlist { $waitlist }; staff { $staff }; volunteers: { $volunteers }
digest-gap =   ⚠ { $missing } more caregiver(s) needed; asking members to cover.
shift-moved = Moved shift { $shift }; its families and volunteers have been told.
digest-title-today = 📋 Today, { $date }:
usage-settings = Usage: /settings shows the reminder settings; change one with /settings remind 24,2 · /settings family 20:00 · /settings digest 18:00 · /settings quiet 22:00-07:00 (or quiet off) · /settings cover 5 (1-50; reminder hours 1-168, at most 4)
cmd-settings = Reminder settings
settings-saved = Saved. Reminders already planned for future shifts have moved to the new times.
settings-quiet-none = none
settings-view = Reminder settings of "{ $centre }":
    · volunteers: { $hours } h before their shift
    · families: { $family } the evening before
    · coordinators' digest: { $digest } the day before
    · quiet hours: { $quiet }
    · asks for cover: { $cover } members at a time, more as the shift nears
    Change one with /settings remind 24,2 · family 20:00 · digest 18:00 · quiet 22:00-07:00 · cover 5

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
