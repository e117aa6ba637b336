# huzhu — parents and general text (English)

welcome = Hello, { $name }! This is huzhu, the assistant of your community mutual-aid childcare centre: parents take turns minding the children and earn free care for their own.
welcome-stranger = You are not a member of a centre yet. Ask your coordinator for an invite link, or send /join CODE (for example /join ABC234).
menu-title = { $name } · { $centre }
    What would you like to do?
help-everyone = For everyone:
    /start start and show the menu
    /join CODE — join a centre or a family
    /menu main menu
    /lang zh|en switch language
    /help this help
help-parent = For parents:
    /schedule [YYYY-MM-DD] the next 7 days
    /book [SHIFT] [CHILD] book care
    /volunteer [SHIFT] volunteer for a shift
    /my your bookings and shifts (with cancel buttons)
    /cancel ID cancel a booking (/cancel vID drops a volunteer shift)
    /balance your time credits
    /child your children; /child add NAME YYYY-MM-DD adds one; /child note ID TEXT sets notes (allergies, care needs)
    /family your family invite code (for a second parent)
    /swap [SHIFT] offer your volunteer shift, or take over one offered
help-coordinator = For coordinators:
    /newshift YYYY-MM-DD HH:MM-HH:MM [PLACES [STAFF]]
    /template, /template add wed 09:00-12:00 [PLACES], /template gen FROM TO
    /cancelshift SHIFT REASON, /cancelday YYYY-MM-DD REASON, /moveshift SHIFT YYYY-MM-DD HH:MM-HH:MM
    /broadcast TEXT, /broadcast SHIFT TEXT, /broadcast waitlist SHIFT TEXT
    /settings every centre setting (ages, credits, cancellations, no-shows, reminders)
    /pending, /approve USER, /reject USER, /suspend USER, /unblock USER, /staff USER on|off
    /grant USER MINUTES MEMO (negative to correct), /overdraft USER MINUTES, /ledger USER
    /roster SHIFT, /attendance SHIFT, /settle SHIFT
    /invite the centre's invite link and QR code
help-admin = For administrators:
    /newcenter NAME
    /coordinator USER CENTRE
lang-choose = 请选择语言 / Choose a language:
lang-name-zh = 中文
lang-name-en = English
lang-set = Language set to English.
not-understood = I didn't understand that. Use the menu below or send /help for the commands.
send-text = Please send text or a command, for example /menu.
edit-not-read = Edited messages are not read. Please send the command again as a new message.
too-long = That message is too long (at most { $max } characters). Please send something shorter.
unknown-command = There is no /{ $command } command. Send /help to see what you can do.
stale-button = That button is no longer valid. Open the menu again: /menu
dismissed = OK, closed.
usage-wrong = That didn't look right. { $usage }

usage-join = Usage: /join CODE, for example /join ABC234
usage-lang = Usage: /lang zh or /lang en
usage-child = Usage: /child add NAME BIRTHDATE, for example /child add Ming 2025-03-18; /child note ID TEXT sets a child's notes (allergies, care needs), /child note ID - clears them
usage-schedule = Usage: /schedule or /schedule 2026-12-07; as a picture: /schedule png
usage-book = Usage: /book SHIFT [CHILD], for example /book 12 or /book 12 3
usage-volunteer = Usage: /volunteer or /volunteer 12
usage-cancel = Usage: /cancel BOOKING (for example /cancel 7), or /cancel vSIGNUP (for example /cancel v5)
usage-swap = Usage: /swap lists shifts you can take over; /swap 12 offers your volunteer place on shift 12 (or /swap v5 by signup id)

cmd-menu = Main menu
cmd-schedule = See the shifts
cmd-book = Book care
cmd-volunteer = Volunteer for a shift
cmd-my = My bookings and shifts
cmd-balance = Time credit balance
cmd-child = My children
cmd-family = Family invite code
cmd-swap = Offer or take a shift swap
cmd-lang = Language
cmd-help = Help

wd-mon = Mon
wd-tue = Tue
wd-wed = Wed
wd-thu = Thu
wd-fri = Fri
wd-sat = Sat
wd-sun = Sun
date-format = { $weekday } { $day } { $monthname }
shift-brief = #{ $id } { $date } { $start }-{ $end }
unit-hours = h

group-infant = infant (6-12 m)
group-toddler = toddler (12-24 m)
group-older = older toddler (24-36 m)
bstatus-confirmed = confirmed
bstatus-waitlisted = waitlisted
bstatus-cancelled = cancelled
bstatus-attended = attended
bstatus-noshow = no-show
vstatus-signedup = signed up
vstatus-confirmed = confirmed
vstatus-dropped = dropped
vstatus-served = served
vstatus-noshow = no-show

entry-startgrant = welcome credits
entry-hold = held for booking
entry-release = released
entry-capture = care
entry-earn = volunteering
entry-penalty = no-show penalty
entry-grant = coordinator adjustment

btn-schedule = 📅 Schedule
btn-book = 🧒 Book care
btn-volunteer = 🙋 Volunteer
btn-my = 📋 Mine
btn-balance = ⏱ Balance
btn-children = 👶 Children
btn-swaps = 🔁 Swaps
btn-language = 🌐 Language
btn-pending = ⏳ Pending
btn-invite = 🔗 Invite
btn-menu = Main menu
btn-back = ↩ Back
btn-confirm = ✅ Confirm
btn-approve = ✅ Approve
btn-approve-name = ✅ Approve { $name }
btn-reject = ❌ Reject
btn-cancel-booking = Cancel booking
btn-cancel-n = Cancel booking #{ $id }
btn-keep = Keep it
btn-drop = Drop shift
btn-drop-n = Drop v{ $id }
btn-swap-n = Offer v{ $id }
btn-roster = Open schedule
btn-settle = Settle
btn-open-link = Open invite link

join-requested = Your request to join "{ $centre }" has been sent. You'll be told when a coordinator approves it.
join-family-active = You joined your family at "{ $centre }" and can book right away.
join-family-pending = You joined your family at "{ $centre }"; the family is still waiting for a coordinator's approval.

children-none = You have not added a child yet.
children-title = Your children:
child-line = #{ $id } { $name }, born { $birth } ({ $months } months)
children-add-hint = Add a child: /child add NAME YYYY-MM-DD
child-ask-name = What is your child's name?
child-ask-birth = When was { $name } born? (YYYY-MM-DD, for example 2025-03-18)
child-bad-birth = The date should look like YYYY-MM-DD, for example 2025-03-18. Please try again:
child-added = Added { $name } (id { $id }).
child-notes-saved = Saved the notes of child #{ $id }. Only coordinators, and the staff and volunteers of a shift the child is booked on (from the day before to the day after), can see them.
child-notes-cleared = Cleared the notes of child #{ $id }.
children-note-hint = Add or change notes (allergies, care needs): /child note ID TEXT (for example /child note 3 peanut allergy); to clear: /child note ID -
btn-child-notes = 📝 Notes of { $name }
child-notes-show = Notes of { $name } (#{ $id }): { $notes }
child-notes-ask = Send the new notes for { $name } now (allergies, care needs), or - to clear them.
    To change them send /child note { $id } TEXT (for example /child note { $id } peanut allergy); to clear: /child note { $id } -
child-notes-none = (none)
family-invite = Family invite code: { $code }
    Another parent who opens { $link } joins your family and shares its credits.

schedule-title = Shifts from { $from } to { $to }:
schedule-empty = No open shifts in that period yet.
sched-detail =   free: infant { $infant } · toddler { $toddler } · older { $older } | booked { $booked } · waitlist { $waitlist } | volunteers { $volunteers }, { $needed } more needed
sched-cancelled =  (cancelled)
sched-mine-booked =  · you booked
sched-mine-volunteer =  · you volunteer

book-pick-day = Pick a day:
book-pick-shift = Shifts on { $date } (pick one):
book-pick-child = Which child?
book-confirm = Book { $shift } for { $child } ({ $group })?
    Cost { $cost } h; available { $available } → { $after } h.
book-confirm-waitlist = { $shift } is full: { $child } ({ $group }) would join the waitlist.
    { $cost } h would be held (available { $available } → { $after }) and returned in full if no place opens.
booked = ✅ Booked #{ $booking }: { $child }, { $shift }.
    { $cost } h held; { $after } h available.
waitlisted = ⏳ { $shift } is full: { $child } is on the waitlist (position { $position }, booking #{ $booking }).
    { $needed ->
        [0] No volunteer can make room: a place opens only if a confirmed booking is cancelled.
        [1] One more volunteer would let the waitlist in.
       *[other] { $needed } more volunteers would let the waitlist in.
    } { $cost } h held, returned in full if no place opens.
alternatives = Nearby shifts with room:

volunteer-pick = Pick a shift to help with (most needed first):
volunteer-needed-label = { $shift } · { $needed } needed
volunteer-ask = Volunteer for { $shift }? You earn { $earn } h once it is settled.
volunteer-ask-no-family = Volunteer for { $shift }? You have no family account, so you earn no credits (staff are not paid in credits).
volunteered = 🙌 Signed up v{ $signup }: { $shift }. Thank you!

balance-title = Time credits:
balance-line = available { $available } h · held { $held } h
balance-overdraft = overdraft allowed up to { $limit } h
balance-recent = Recent entries:
ledger-title = Family account of user { $user }:

my-title = Your bookings and shifts:
my-booking = #{ $booking } { $child } · { $shift } · { $status }
my-signup = v{ $signup } volunteering · { $shift } · { $status }
my-offered =  · offered for swap
my-none = Nothing yet. Send /book to book care or /volunteer to help.
cancel-ask = Cancel booking #{ $booking }? Free until 24 h before the start; later, half is charged.
cancel-ask-free = Cancel booking #{ $booking }? Cancelled by a coordinator, it costs the family nothing.
cancelled-free = Booking #{ $booking } cancelled; the held credits are all back.
cancelled-charged = Booking #{ $booking } cancelled. As it was close to the start, { $charged } h was charged and the rest returned.
drop-ask = Drop volunteer shift v{ $signup }?
dropped = Dropped volunteer shift v{ $signup }.

swaps-none = Nobody is offering a shift right now.
swaps-title = Shifts you can take over:
swap-label = { $shift } · { $name }
swap-offered = Signup v{ $signup } is offered for swap; it stays yours until someone takes it.
swap-taken = You took over the volunteer shift of #{ $shift }. Thank you!

note-join-requested = New join request: { $name } (user { $user })
note-approved = 🎉 You have been approved at "{ $centre }": you can book care and volunteer. Send /menu to start.
note-rejected = Sorry, "{ $centre }" did not approve your request. Please contact the coordinator if you have questions.
note-suspended = Your account at "{ $centre }" has been suspended. Please contact the coordinator.
note-made-coordinator = You are now a coordinator of "{ $centre }". Send /help for the coordinator commands.
note-guardian-joined = { $name } joined your family.
note-promoted = 🎉 Good news: { $child } got a place at { $shift } (booking #{ $booking }).
note-shift-cancelled = ⚠ Shift { $shift } is cancelled: { $reason }. { $released } h returned.
note-day-cancelled = ⚠ Every shift on { $date } is cancelled: { $reason }. Yours: { $shifts }. { $released } h returned.
note-understaffed = ⚠ Shift { $shift } is understaffed: { $missing ->
        [one] 1 more caregiver
       *[other] { $missing } more caregivers
    } needed. No confirmed child was dropped.
note-granted = A coordinator adjusted your credits by { $amount } h ({ $memo }). Available now: { $balance } h.
note-earned = Thank you for helping at { $shift }! You earned { $amount } h.
note-volunteer-noshow = You were marked absent for { $shift }; { $penalty } h was deducted.
note-child-noshow = { $child } was marked absent for { $shift }; { $charged } h was charged.
note-swap-taken = { $name } took over your volunteer shift at { $shift }.

err-not-registered = You are not a member yet. Ask your coordinator for an invite link, or send /join CODE.
err-pending = Your request to join is waiting for a coordinator's approval; you'll be told when it's done.
err-suspended = Your account is suspended. Please contact the coordinator.
err-not-coordinator = Only coordinators can do that. You can use /schedule, /book, /volunteer, /my and /balance.
err-not-staff = Only staff, coordinators and this shift's volunteers can see that.
err-not-admin = Only a deployment administrator can do that.
err-no-family = You don't have a family account yet.
err-already-member = You already belong to a centre.
err-unknown-invite = That invite code is not valid. Check it and try again, for example /join ABC234.
err-unknown-centre = There is no centre with that id.
err-unknown-member = No such user, or this doesn't apply to them. Send /pending to see the requests.
err-unknown-child = No such child. Add one with /child add NAME YYYY-MM-DD, or send /child to see the ids.
err-unknown-shift = No such shift. Send /schedule to see the shift ids.
err-unknown-template = No such template. Send /template to see them.
err-unknown-booking = No such booking. Send /my to see your booking ids.
err-unknown-signup = No such volunteer signup. Send /my to see the ids.
err-unknown-timezone = Unknown timezone; use a name like Asia/Shanghai.
err-too-young = The child is only { $months } months old on that day; the centre takes children from { $min } months.
err-too-old = The child is { $months } months old on that day; the centre takes children under { $max } months.
err-not-born = The birth date cannot be in the future.
err-shift-started = That shift has already started or ended.
err-shift-not-over = That shift has not ended yet.
err-shift-not-started = That shift has not started yet: take attendance once it has begun.
err-is-coordinator = That member is a coordinator, and so counts as staff already.
err-nothing-to-cancel = There is no open shift on that day to cancel.
err-shift-cancelled = That shift is cancelled.
err-shift-settled = That shift is already settled.
err-in-past = That date and time are in the past.
err-bad-times = The end must be after the start, for example 09:00-12:00.
err-bad-capacity = Places must be between 1 and 100.
err-bad-range = That date range is not valid (at most one year).
err-date-range = Dates must lie between { $from } and { $to }.
err-already-booked = This child is already booked for that shift.
err-child-busy = This child already has a booking at an overlapping time.
err-waitlist-full = The waitlist for that shift is full. Try another shift: /schedule
err-already-signed-up = You already volunteer at that shift.
err-volunteer-clash = You already volunteer at the overlapping shift #{ $shift }.
err-signup-blocked = After repeated no-shows you cannot sign up for now. Please ask a coordinator to lift it.
err-booking-not-live = That booking is already cancelled or over.
err-signup-not-live = That volunteer signup is already dropped or over.
err-not-offered = That shift was already taken over or is no longer offered.
err-insufficient = Not enough credits: { $available } h available, { $needed } h needed. Volunteering earns credits: /volunteer
err-bad-amount = That amount is out of range.
err-bad-text = The text is empty or too long (at most { $max } characters).
err-too-many-children = A family can register at most 10 children.
err-internal = Sorry, something went wrong and nothing was changed. Please try again later.
err-internal-after-change = Done, but something went wrong while showing the details. Please check with /my or /balance.

# reminders, asks for cover, broadcasts
remind-volunteer = ⏰ Reminder: you volunteer at { $shift } (in about { $hours } h). { $children } children are booked so far. Will you be there?
btn-attend = ✅ I'll be there
btn-cant-come = ❌ I can't make it
attend-confirmed = Thank you! You're confirmed for { $shift }.
cant-come-done = Thanks for telling us. Your signup for { $shift } is dropped; we are looking for someone to cover.
remind-family = ⏰ Tomorrow: { $child } at { $shift }. Please arrive by { $start } and bring a change of clothes, nappies, a water bottle and any medicine (tell the staff about it). To cancel: /my
remind-family-waitlisted = ⏰ Tomorrow: { $child } is still number { $position } on the waitlist for { $shift }. You'll be told at once if a place opens; credits held come back if not.
cover-ask = 🙋 Can you help? Shift { $shift } needs { $missing ->
        [one] 1 more volunteer
       *[other] { $missing } more volunteers
    }. You would earn { $earn } h.
cover-ask-no-credits = 🙋 Can you help? Shift { $shift } needs { $missing ->
        [one] 1 more volunteer
       *[other] { $missing } more volunteers
    }. (You have no family account, so no credits are earned.)
btn-take-cover = 🙋 Take this shift
cover-taken-ok = Thank you! You volunteer at { $shift } now. You'll get a reminder before it.
broadcast-header = 📢 { $centre }:
    { $text }
err-cover-taken = Someone else has already taken that shift. Thank you for offering!
err-cover-not-needed = That shift does not need cover any more. Thank you for offering!
err-move-clash = A child or volunteer of that shift has another shift at the new time; nothing was moved.
err-broadcast-closed = That broadcast was already sent or cancelled.
err-no-recipients = Nobody would receive that message (no members match).
note-shift-moved = 📅 Shift { $from } has moved to { $date } { $start }-{ $end }. Your booking or signup moves with it; if the new time doesn't suit you, cancel via /my.
note-move-cancelled = ⚠ The shift moved to { $shift } and { $child }'s booking could not move with it, so it is cancelled: { $why } { $released } h returned.
note-move-credits = The longer shift needs { $needed } h more than you can hold.
note-move-waitlisted = ⚠ The shift moved to { $shift }: on the new date the room or class caps do not hold every child, so { $child } is back at the head of the waitlist (booking { $booking }). You will be told when a place frees up.
remind-family-today = ⏰ Today: { $child } at { $shift }. Please arrive by { $start } and bring a change of clothes, nappies, a water bottle and any medicine (tell the staff about it). To cancel: /my
remind-family-waitlisted-today = ⏰ Today: { $child } is still number { $position } on the waitlist for { $shift }. You'll be told at once if a place opens; credits held come back if not.

## issue 10: who gets in, leaving, personal data
err-too-many-attempts = That code is not valid, and there have been several wrong codes in a row. Please check the code with the person who gave it to you and try again after { $until }.
err-join-refused = This centre has declined your request to join, so its invite codes cannot be used. Please contact the coordinator if you think this is a mistake.
err-awaiting-guardian = A guardian of that family must confirm this person first; the request waits for them.
err-not-guardian = Only a guardian of that family can answer this request.
note-guardian-requested = 👪 { $name } (user { $user }) used your family's invite code and asks to join your family as a guardian. They could then book with your credits and see your children. Do you know this person?
btn-guardian-yes = ✅ Yes, confirm
btn-guardian-no = ❌ No, decline
note-family-confirmed = Your family confirmed you. A coordinator of "{ $centre }" approves your request next; you'll be told.
note-left = You have left "{ $centre }". Cancelled bookings: { $cancelled }; dropped volunteer signups: { $dropped }.
note-removed = A coordinator removed you from "{ $centre }". Cancelled bookings (free of charge): { $cancelled }; dropped volunteer signups: { $dropped }.
note-balance-kept = Your family's balance of { $balance } h is kept; it is yours again if you come back with the centre's invite code.
note-member-left = { $name } (user { $user }) has left the centre.
note-member-removed = { $name } (user { $user }) was removed from the centre by a coordinator.
family-newcode = Your family has a new invite code: { $code }
    The old code no longer works. Another parent who opens { $link } asks to join; you confirm them.
family-invite-confirmed = Family invite code: { $code }
    Another parent who opens { $link } asks to join your family; you confirm them (and a coordinator approves) before they share its credits. Replace the code with /family newcode.
family-leave-ask = Leave your family? If you are its last guardian, its future bookings are cancelled (late cancellations are charged as usual) and its balance is kept for your return.
btn-leave-family = Leave the family
leave-ask = Leave the centre? Your future volunteer signups are dropped; if you are your family's last guardian, its future bookings are cancelled (late cancellations are charged as usual) and its balance is kept for your return.
btn-leave = Leave the centre
left-done = You have left the centre. Cancelled bookings: { $cancelled }; dropped signups: { $dropped }; charged for late cancellations: { $charged } h.
left-family-done = You have left your family. Cancelled bookings: { $cancelled }; dropped signups: { $dropped }; charged for late cancellations: { $charged } h.
join-family-asked = You asked to join a family at "{ $centre }". A guardian of that family confirms you first, then a coordinator; you'll be told.
join-rejoined = Welcome back to "{ $centre }"! Your family's balance of { $balance } h was kept. A coordinator approves your return; you'll be told.
guardian-confirmed-wait = You confirmed { $name }. A coordinator approves them next.
guardian-confirmed-joined = You confirmed { $name }; they are now a guardian of your family.
guardian-declined = You declined { $name }. They cannot join this centre with its codes.
mydata-sent = Here is everything the centre holds about you and your children (a JSON file).
mydata-caption = Your data at the centre
forget-ask = Delete your personal data? You leave the centre first (future bookings and signups are cancelled as usual). Then your name, your children's names, birth dates and notes, your language and your Telegram id are removed from every record. The credit ledger keeps its amounts under an anonymous id. This cannot be undone.
btn-forget = Delete my data
forget-done = Your personal data has been deleted. Thank you for being part of the centre.
usage-family = Usage: /family shows your family's invite code; /family newcode replaces it; /family leave leaves the family.
usage-leave = Usage: /leave (without anything after it)
usage-invite = Usage: /invite shows the centre's invite code; /invite new replaces it.
help-membership = Your membership and data:
    /family newcode new family invite code · /family leave leave the family
    /leave leave the centre
    /mydata everything the centre holds about you · /forget delete your personal data
cmd-mydata = My data (a file)
cmd-forget = Delete my personal data
cmd-leave = Leave the centre
