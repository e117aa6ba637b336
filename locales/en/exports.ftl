# Reports, charts, calendars and exports (/report, /schedule png, /calendar, /ledger, /balance export)
help-exports-parent = Files:
    /schedule png the next 7 days as a timetable picture (green: places free, amber: full, red frame: volunteers needed)
    /calendar your bookings and shifts as a calendar file (.ics, with reminders)
    /balance export every credit entry (CSV)
help-exports-coordinator = Reports (coordinators):
    /report [YYYY-MM] the month: a summary, a chart and CSV tables (this month by default)
    /ledger USER that family's entries, with a CSV file
help-exports-admin = Reports (administrators):
    /report [YYYY-MM] every centre at a glance, with one CSV (a row per centre)
    /report YYYY-MM CENTRE one centre's full report
usage-report = Usage: /report or /report 2026-12 (month 01–12); administrators: /report 2026-12 1 (centre id) or /report 2026-12 all
usage-calendar = Usage: /calendar
report-title = 📊 { $centre } · { $month } (in brackets: change from the month before)
report-line = { $metric }: { $value } ({ $change })
report-files = The chart and the CSV tables follow.
report-overview-title = 📊 { $month }, every centre ({ $count }); the figures are in the CSV. One centre's full report: /report { $month } CENTRE
report-overview-line = #{ $id } { $centre }: { $families ->
        [one] 1 family
       *[other] { $families } families
    }, { $hours } hours of care, fill rate { $fill }
report-none = No centres yet.
report-no-rate = n/a
metric-families = Families active
metric-children = Children served
metric-child-hours = Child-hours of care
metric-volunteer-hours = Volunteer hours
metric-staff-hours = Staff hours
metric-fill-rate = Fill rate (booked / offered places)
metric-offered = Places offered
metric-booked = Places booked
metric-waitlist = Waitlist that never got in
metric-child-no-shows = Children's no-shows
metric-volunteer-no-shows = Volunteers' no-shows
metric-credits-issued = Credits issued (hours)
metric-credits-spent = Credits spent (hours)
csv-metric = Figure
csv-this-month = This month
csv-last-month = Last month
csv-change = Change
csv-date = Date
csv-weekday = Weekday
csv-day-part = Part of day
csv-centre = Centre
csv-centre-id = Centre id
csv-kind = Kind
csv-amount = Amount (minutes)
csv-amount-hours = Amount (hours)
csv-balance-after = Balance after (minutes)
csv-shift = Shift
csv-by = By
csv-memo = Memo
chart-daily = Daily child-hours and volunteer hours
chart-child-hours = Care (child-hours)
chart-volunteer-hours = Volunteers (hours)
chart-day-axis = Day
chart-hours-axis = Hours
chart-fill = Fill rate by weekday and time of day
chart-nothing = none
chart-caption = { $centre } · { $month } chart
part-morning = Morning
part-afternoon = Afternoon
part-evening = Evening
timetable-title = { $centre } · 7 days from { $from }
timetable-free = { $n } free
timetable-full = full
timetable-needs = needs { $n ->
        [one] 1 volunteer
       *[other] { $n } volunteers
    }
timetable-waiting = { $n } waiting
timetable-cancelled = cancelled
timetable-empty = no shifts
timetable-caption = 🗓 The next 7 days: green has places free, amber is full, pink waits for caregivers, a red frame needs volunteers, grey is cancelled.
timetable-none = No shifts in the next 7 days.
calendar-sent = 📅 Your calendar file follows: open it on your phone to add the events; its alarms ring when the centre's reminders would.
calendar-empty = 📅 You have no upcoming bookings or shifts; the calendar file has no events yet.
calendar-name = { $centre } childcare
calendar-booking = Care: { $child }
calendar-booking-desc = Booking { $booking } ({ $status }). To cancel: /cancel { $booking }
calendar-signup = Volunteer shift
calendar-signup-desc = Signup { $signup }. To cancel: /cancel v{ $signup }
calendar-alarm-booking = Care tomorrow: { $child }
calendar-alarm-signup = Volunteer shift in { $hours } hours
calendar-caption = Open this file with your calendar app
ledger-export-caption = Credit entries (CSV, opens in Excel)
ledger-export-sent = { $count ->
        [one] The one entry is
       *[other] All { $count } entries are
    } in the CSV file that follows.
report-csv-caption = { $what } (CSV)
report-csv-summary = Summary
report-csv-daily = Daily
report-csv-fill = Fill rate
kind-start-grant = Start grant
kind-hold = Hold for a booking
kind-release = Hold released
kind-capture = Care charged
kind-earn = Volunteer earnings
kind-penalty = No-show penalty
kind-grant = Coordinator's adjustment
usage-balance = Usage: /balance shows your balance, /balance export sends every entry (CSV)
btn-week-picture = 🖼 This week as a picture
cmd-calendar = My calendar file (bookings and shifts)
cmd-report = Monthly report (chart and CSV)
