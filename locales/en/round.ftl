# huzhu — the fair weekly allocation round (English)

help-round-parent = The weekly round (when your coordinator opens one):
    /wish wish for shifts for each child, in order of preference, and how many at most; at the deadline the places are shared out fairly and you are told what you got
    /wish YYYY-MM-DD: wish in the round of that week (when several are open), e.g. /wish 2026-12-07
help-round-coordinator = The weekly round (coordinators):
    /round open YYYY-MM-DD DEADLINE: a round for the week starting that Monday, wishes until DEADLINE (YYYY-MM-DDTHH:MM, centre time), e.g. /round open 2026-12-07 2026-12-04T20:00
    /round or /round status: the centre's rounds and their state
    /round preview [YYYY-MM-DD]: what the allocation would give now (nothing is booked; the earliest round, or that week's)
    /round commit [YYYY-MM-DD]: allocate and book now, before the deadline
usage-round = Usage: /round (the rounds' state), /round open YYYY-MM-DD DEADLINE (the week's Monday; the deadline as YYYY-MM-DDTHH:MM in the centre's time, before the week), /round preview [YYYY-MM-DD], /round commit [YYYY-MM-DD]. For example /round open 2026-12-07 2026-12-04T20:00
cmd-round = Weekly allocation round
cmd-wish = Wish for shifts in the weekly round
round-opened = Round { $id } is open for the week of { $week }. Families can send /wish until { $deadline }; then the places are allocated and booked, and everyone is told. Until then that week is not bookable first-come.
round-preview = Preview of the round for the week of { $week } (deadline { $deadline }, lottery seed { $seed }): { $placed } child-shifts for { $children } children. Nothing is booked yet.
round-committed = The round for the week of { $week } is allocated and booked: { $placed } child-shifts for { $children } children (lottery seed { $seed }). Every family is being told; what is left is open to /book.
round-child-got = { $child }: booked { $shifts }
round-child-none = { $child }: no shift this round
round-miss =   · not { $shift }: { $why }
round-why-full = it was full
round-why-caregivers = not enough caregivers signed up
round-why-credit = not enough credit
round-why-overlap = at the same time as another of the child's shifts
round-why-unavailable = the shift is no longer available (or the age does not fit)
round-result-title = Your result in the round for the week of { $week }:
round-result-free = Places left over are open now: /book
wish-intro = Round for the week of { $week }: wishes until { $deadline }. Which child is this wish for?
wish-pick-shifts = Wish for { $child }, week of { $week }. Tap shifts in order of preference (first = most wanted), then “Done”.
    So far:
    { $picked }
wish-none-yet = (none yet)
wish-pick-max = How many of these { $count } shifts does { $child } want at most?
wish-confirm = Wish for { $child }, at most { $max }:
    { $picked }
    Send it?
wish-saved = Wish saved for { $child }: { $count } shifts, at most { $max }. You can send /wish again to change it until { $deadline }.
wish-no-shifts = The round's week has no open shifts to wish for.
wish-no-children = Add a child first: /child add NAME YYYY-MM-DD
btn-wish-done = Done
btn-wish-send = Send the wish
btn-wish-cancel = Cancel
btn-wish-undo = Undo last
err-round-open = That week is in an allocation round: send /wish until { $deadline }; places left after it can be booked.
err-round-exists = A round for that week is already open or done.
err-unknown-round = There is no open round. A coordinator opens one with /round open YYYY-MM-DD DEADLINE.
err-round-closed = That round is closed: its deadline has passed or it was allocated.
err-round-dates = The week must start on a Monday, and the deadline must lie ahead and before that Monday. For example /round open 2026-12-07 2026-12-04T20:00
err-shift-not-in-round = That shift is not in the round's week.
err-bad-wish = A wish names 1 to { $max } shifts and wants at least one, at most as many as it names.
wish-use-buttons = Please use the buttons above to build your wish (or send /wish to start again).
wish-cancelled = Wish not sent. Send /wish to start again.
usage-wish = Usage: /wish, or /wish YYYY-MM-DD for the round of that week, for example /wish 2026-12-07
wish-pick-week = Several rounds are taking wishes. Which week is this wish for?
btn-wish-week = Week of { $week } (until { $deadline })
err-wish-week-none = There is no round for the week of { $week }.
err-wish-week-closed = The round for the week of { $week } takes no more wishes: its deadline has passed or it was allocated.
err-wish-weeks-open = Rounds taking wishes: { $weeks }
err-wish-weeks-none = No round is taking wishes now.
round-summary = 📋 The round for the week of { $week } is allocated and booked: { $placed } child-shifts; { $children_placed } of { $children } children and { $families_placed } of { $families } families got a place. Wishes not met: { $full } full, { $caregivers } short of caregivers, { $credit } short of credit, { $other } for other reasons. Lottery seed { $seed }. What is left is open to /book.
round-status-title = The centre's rounds (newest week first):
round-status-none = No rounds yet. Open one: /round open 2026-12-07 2026-12-04T20:00
round-status-open = Round { $id }, week of { $week }: taking wishes until { $deadline }, { $children } children so far. Preview: /round preview { $monday }
round-status-due = Round { $id }, week of { $week }: its deadline { $deadline } has passed; being allocated.
round-status-committed = Round { $id }, week of { $week }: allocated { $at }, { $placed } child-shifts for { $children } children (lottery seed { $seed }).
