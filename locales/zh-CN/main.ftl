# huzhu 互助 — 家长与通用文本（简体中文，默认语言）

welcome = 您好，{ $name }！这里是「互助」社区亲子互助中心助手：家长轮流帮带，换取孩子的免费托育。
welcome-stranger = 您还不是任何互助中心的成员。请向社区协调员索取邀请链接，或发送 /join 邀请码 加入（例如 /join ABC234）。
menu-title = { $name } · { $centre }
    请选择：
help-everyone = 通用命令：
    /start 开始并显示菜单
    /join 邀请码 — 加入中心或家庭
    /menu 主菜单
    /lang zh|en 切换语言
    /help 帮助
help-parent = 家长命令：
    /schedule [YYYY-MM-DD] 查看 7 天时段
    /book [时段] [孩子] 预约托育
    /volunteer [时段] 报名帮带
    /my 我的预约和帮带（可取消）
    /cancel 编号 取消预约（/cancel v编号 取消帮带）
    /balance 互助时间余额
    /child 孩子列表；/child add 姓名 YYYY-MM-DD 添加孩子；/child note 编号 内容 设置备注（过敏、照护需要）
    /family 家庭邀请码（让另一位家长加入）
    /swap [时段编号] 转让您的帮带，或接手别人转让的帮带
help-coordinator = 协调员命令：
    /newshift YYYY-MM-DD HH:MM-HH:MM [名额 [专业人员数]]
    /template、/template add 周三 09:00-12:00 [名额]、/template gen 开始日期 结束日期
    /cancelshift 时段 原因、/cancelday YYYY-MM-DD 原因、/moveshift 时段 YYYY-MM-DD HH:MM-HH:MM
    /broadcast 内容、/broadcast 时段 内容、/broadcast waitlist 时段 内容
    /settings 中心的全部设置（年龄、互助时间、取消、缺席、提醒）
    /pending、/approve 用户、/reject 用户、/suspend 用户、/unblock 用户、/staff 用户 on|off
    /grant 用户 分钟 备注（负数为更正）、/overdraft 用户 分钟、/ledger 用户
    /roster 时段、/attendance 时段、/settle 时段
    /invite 中心邀请链接和二维码
help-admin = 管理员命令：
    /newcenter 名称
    /coordinator 用户 中心编号
lang-choose = 请选择语言 / Choose a language:
lang-name-zh = 中文
lang-name-en = English
lang-set = 已切换为中文。
not-understood = 没看懂这句话。请点下面的菜单，或发送 /help 查看命令。
send-text = 请发送文字或命令，例如 /menu。
edit-not-read = 修改过的消息不会被读取。请把命令作为新消息重新发送。
too-long = 消息太长了（最多 { $max } 个字）。请简短一些再发。
unknown-command = 没有 /{ $command } 这个命令。发送 /help 查看可用命令。
stale-button = 这个按钮已失效，请重新打开菜单：/menu
dismissed = 好的，已关闭。
usage-wrong = 格式不对。{ $usage }

usage-join = 用法：/join 邀请码，例如 /join ABC234
usage-lang = 用法：/lang zh 或 /lang en
usage-child = 用法：/child add 姓名 出生日期，例如 /child add 小明 2025-03-18；/child note 编号 内容 设置孩子的备注（过敏、照护需要），/child note 编号 - 清除
usage-schedule = 用法：/schedule 或 /schedule 2026-12-07；图片：/schedule png
usage-book = 用法：/book 时段编号 [孩子编号]，例如 /book 12 或 /book 12 3
usage-volunteer = 用法：/volunteer 或 /volunteer 12
usage-cancel = 用法：/cancel 预约编号（例如 /cancel 7），或 /cancel v帮带编号（例如 /cancel v5）
usage-swap = 用法：/swap 查看可接手的帮带；/swap 12 转让您在时段 12 的帮带（或 /swap v5 按帮带编号）

cmd-menu = 主菜单
cmd-schedule = 查看时段
cmd-book = 预约托育
cmd-volunteer = 报名帮带
cmd-my = 我的预约和帮带
cmd-balance = 互助时间余额
cmd-child = 我的孩子
cmd-family = 家庭邀请码
cmd-swap = 转让或接手帮带
cmd-lang = 切换语言
cmd-help = 帮助

wd-mon = 周一
wd-tue = 周二
wd-wed = 周三
wd-thu = 周四
wd-fri = 周五
wd-sat = 周六
wd-sun = 周日
date-format = { $month }月{ $day }日 { $weekday }
shift-brief = #{ $id } { $date } { $start }-{ $end }
unit-hours = 小时

group-infant = 乳儿（6-12月）
group-toddler = 托小（12-24月）
group-older = 托大（24-36月）
bstatus-confirmed = 已确认
bstatus-waitlisted = 候补中
bstatus-cancelled = 已取消
bstatus-attended = 已出席
bstatus-noshow = 缺席
vstatus-signedup = 已报名
vstatus-confirmed = 已确认
vstatus-dropped = 已退出
vstatus-served = 已服务
vstatus-noshow = 缺席

entry-startgrant = 入会赠送
entry-hold = 预约冻结
entry-release = 解冻退回
entry-capture = 托育扣除
entry-earn = 帮带收入
entry-penalty = 缺席扣减
entry-grant = 协调员调整

btn-schedule = 📅 时段
btn-book = 🧒 预约托育
btn-volunteer = 🙋 报名帮带
btn-my = 📋 我的
btn-balance = ⏱ 余额
btn-children = 👶 孩子
btn-swaps = 🔁 转让
btn-language = 🌐 语言
btn-pending = ⏳ 待审批
btn-invite = 🔗 邀请
btn-menu = 主菜单
btn-back = ↩ 返回
btn-confirm = ✅ 确认
btn-approve = ✅ 通过
btn-approve-name = ✅ 通过 { $name }
btn-reject = ❌ 拒绝
btn-cancel-booking = 取消预约
btn-cancel-n = 取消预约 #{ $id }
btn-keep = 保留
btn-drop = 退出帮带
btn-drop-n = 退出帮带 v{ $id }
btn-swap-n = 转让 v{ $id }
btn-roster = 查看时段
btn-settle = 结算
btn-open-link = 打开邀请链接

join-requested = 已向「{ $centre }」提交加入申请。协调员审批后会通知您。
join-family-active = 您已加入「{ $centre }」的家庭，可以开始预约了。
join-family-pending = 您已加入「{ $centre }」的家庭；该家庭还在等待协调员审批。

children-none = 您还没有登记孩子。
children-title = 您的孩子：
child-line = #{ $id } { $name }，出生 { $birth }（{ $months } 个月）
children-add-hint = 添加孩子：/child add 姓名 YYYY-MM-DD
child-ask-name = 请输入孩子的名字：
child-ask-birth = { $name } 的出生日期是？（格式 YYYY-MM-DD，例如 2025-03-18）
child-bad-birth = 日期格式应为 YYYY-MM-DD，例如 2025-03-18。请重新输入：
child-added = 已添加 { $name }（编号 { $id }）。
child-notes-saved = 已保存孩子 #{ $id } 的备注。只有协调员，以及孩子所约时段的专业人员和帮带家长（在时段前后一天内）能看到。
child-notes-cleared = 已清除孩子 #{ $id } 的备注。
children-note-hint = 添加或修改过敏、照护需要等备注：/child note 编号 内容（例如 /child note 3 花生过敏）；清除：/child note 编号 -
btn-child-notes = 📝 { $name } 的备注
child-notes-show = { $name }（#{ $id }）的备注：{ $notes }
child-notes-ask = 请现在发送{ $name }的新备注（过敏、照护需要），发送 - 则清除。
    修改：发送 /child note { $id } 内容（例如 /child note { $id } 花生过敏）；清除：/child note { $id } -
child-notes-none = （无）
family-invite = 家庭邀请码：{ $code }
    让另一位家长打开 { $link } 即可加入您的家庭，共用互助时间。

schedule-title = { $from } 至 { $to } 的时段：
schedule-empty = 这段时间还没有开放的时段。
sched-detail =   空位：乳儿 { $infant } · 托小 { $toddler } · 托大 { $older } | 已约 { $booked } · 候补 { $waitlist } | 志愿者 { $volunteers }，还需 { $needed }
sched-cancelled =  （已取消）
sched-mine-booked =  · 您已预约
sched-mine-volunteer =  · 您在帮带

book-pick-day = 选择日期：
book-pick-shift = { $date } 的时段（请选择）：
book-pick-child = 为哪个孩子预约？
book-confirm = 为 { $child }（{ $group }）预约 { $shift }？
    费用 { $cost } 小时，可用余额 { $available } → { $after } 小时。
book-confirm-waitlist = 该时段已满，{ $child }（{ $group }）将进入 { $shift } 的候补。
    将冻结 { $cost } 小时（可用 { $available } → { $after }），未排上会全额退回。
booked = ✅ 预约成功 #{ $booking }：{ $child }，{ $shift }。
    冻结 { $cost } 小时，可用余额 { $after } 小时。
waitlisted = ⏳ 该时段已满：{ $child } 已进入 { $shift } 的候补（第 { $position } 位，预约 #{ $booking }）。
    { $needed ->
        [0] 名额已满，增加志愿者也排不上：只有已确认的预约取消后才会空出名额。
       *[other] 再有 { $needed } 位志愿者就能排上。
    }已冻结 { $cost } 小时，未排上会全额退回。
alternatives = 附近还有空位的时段：

volunteer-pick = 选择要帮带的时段（最缺人的在前）：
volunteer-needed-label = { $shift } · 缺 { $needed } 人
volunteer-ask = 报名帮带 { $shift }？结算后可获得 { $earn } 小时互助时间。
volunteer-ask-no-family = 报名帮带 { $shift }？您没有家庭账户，所以不获得互助时间（专业人员不以互助时间计酬）。
volunteered = 🙌 报名成功 v{ $signup }：{ $shift }。谢谢您！

balance-title = 互助时间：
balance-line = 可用 { $available } 小时 · 冻结 { $held } 小时
balance-overdraft = 可透支 { $limit } 小时
balance-recent = 最近记录：
ledger-title = 用户 { $user } 的家庭账户：

my-title = 我的预约和帮带：
my-booking = #{ $booking } { $child } · { $shift } · { $status }
my-signup = v{ $signup } 帮带 · { $shift } · { $status }
my-offered =  · 已挂出转让
my-none = 暂无。发送 /book 预约托育，或 /volunteer 报名帮带。
cancel-ask = 确定取消预约 #{ $booking }？开始前 24 小时以上取消不收费，之后收取一半。
cancel-ask-free = 取消预约 #{ $booking }？由协调员取消，家庭不需支付任何费用。
cancelled-free = 已取消预约 #{ $booking }，冻结的互助时间已全部退回。
cancelled-charged = 已取消预约 #{ $booking }。因临近开始，扣除 { $charged } 小时，其余已退回。
drop-ask = 确定退出帮带 v{ $signup }？
dropped = 已退出帮带 v{ $signup }。

swaps-none = 目前没有人转让帮带。
swaps-title = 可以接手的帮带：
swap-label = { $shift } · { $name }
swap-offered = 帮带 v{ $signup } 已挂出转让；有人接手前仍由您负责。
swap-taken = 您已接手时段 #{ $shift } 的帮带，谢谢！

note-join-requested = 新的加入申请：{ $name }（用户 { $user }）
note-approved = 🎉 您已通过「{ $centre }」的审批，可以预约托育和报名帮带了。发送 /menu 开始。
note-rejected = 很抱歉，「{ $centre }」没有通过您的加入申请。如有疑问请联系协调员。
note-suspended = 您在「{ $centre }」的账户已被暂停。如有疑问请联系协调员。
note-made-coordinator = 您已成为「{ $centre }」的协调员。发送 /help 查看协调员命令。
note-guardian-joined = { $name } 已加入您的家庭。
note-promoted = 🎉 好消息：{ $child } 已从候补转为确认，时段 { $shift }（预约 #{ $booking }）。
note-shift-cancelled = ⚠ 时段 { $shift } 已取消：{ $reason }。已退回 { $released } 小时。
note-day-cancelled = ⚠ { $date } 的所有时段已取消：{ $reason }。您的时段：{ $shifts }。已退回 { $released } 小时。
note-understaffed = ⚠ 时段 { $shift } 人手不足：还需 { $missing } 位照护者，已确认的孩子没有被取消。
note-granted = 协调员调整了您的互助时间：{ $amount } 小时（{ $memo }）。现在可用 { $balance } 小时。
note-earned = 谢谢帮带 { $shift }！获得 { $amount } 小时互助时间。
note-volunteer-noshow = 您在 { $shift } 的帮带被记为缺席，扣除 { $penalty } 小时。
note-child-noshow = { $child } 在 { $shift } 被记为缺席，扣除 { $charged } 小时。
note-swap-taken = { $name } 接手了您在 { $shift } 的帮带。

err-not-registered = 您还不是成员。请向协调员索取邀请链接，或发送 /join 邀请码。
err-pending = 您的加入申请正在等待协调员审批，审批后会通知您。
err-suspended = 您的账户已被暂停，请联系协调员。
err-not-coordinator = 只有协调员可以这样做。您可以使用 /schedule、/book、/volunteer、/my、/balance。
err-not-staff = 只有专业人员、协调员或该时段的志愿者可以查看。
err-not-admin = 只有部署管理员可以这样做。
err-no-family = 您还没有家庭账户。
err-already-member = 您已经是一个中心的成员了。
err-unknown-invite = 邀请码无效。请检查后重试，例如 /join ABC234。
err-unknown-centre = 找不到这个中心编号。
err-unknown-member = 找不到这个用户，或此操作不适用于他/她。发送 /pending 查看待审批名单。
err-unknown-child = 找不到这个孩子。先用 /child add 姓名 YYYY-MM-DD 添加，或发送 /child 查看编号。
err-unknown-shift = 找不到这个时段。发送 /schedule 查看时段编号。
err-unknown-template = 找不到这个模板。发送 /template 查看。
err-unknown-booking = 找不到这个预约。发送 /my 查看您的预约编号。
err-unknown-signup = 找不到这个帮带报名。发送 /my 查看编号。
err-unknown-timezone = 未知时区，例如 Asia/Shanghai。
err-too-young = 孩子在该时段当天只有 { $months } 个月，需满 { $min } 个月才能入托。
err-too-old = 孩子在该日期已 { $months } 个月，本中心接收 { $max } 个月以下的孩子。
err-not-born = 出生日期不能在将来。
err-shift-started = 这个时段已经开始或结束了。
err-shift-not-over = 这个时段还没有结束。
err-shift-not-started = 这个时段还没有开始：开始后才能点名。
err-is-coordinator = 这位成员是协调员，本身就算专业人员。
err-nothing-to-cancel = 那一天没有可以取消的开放时段。
err-shift-cancelled = 这个时段已取消。
err-shift-settled = 这个时段已结算。
err-in-past = 这个日期和时间已经过去了。
err-bad-times = 结束时间必须晚于开始时间，例如 09:00-12:00。
err-bad-capacity = 名额须在 1 到 100 之间。
err-bad-range = 日期范围无效（最长一年）。
err-date-range = 日期必须在 { $from } 到 { $to } 之间。
err-already-booked = 这个孩子已经预约了该时段。
err-child-busy = 这个孩子在同一时间已有另一个预约。
err-waitlist-full = 该时段的候补已满。请看看其他时段：/schedule
err-already-signed-up = 您已报名该时段的帮带。
err-volunteer-clash = 您在时间重叠的时段 #{ $shift } 已有帮带。
err-signup-blocked = 因多次缺席，您暂时不能报名帮带。请联系协调员解除。
err-booking-not-live = 这个预约已经取消或结束了。
err-signup-not-live = 这个帮带报名已经退出或结束了。
err-not-offered = 这个帮带已被别人接手或不再转让。
err-insufficient = 互助时间不足：可用 { $available } 小时，需要 { $needed } 小时。报名帮带可以赚取互助时间：/volunteer
err-bad-amount = 数额超出范围。
err-bad-text = 文字为空或太长（最多 { $max } 个字）。
err-too-many-children = 每个家庭最多登记 10 个孩子。
err-internal = 抱歉，出了点问题，您的操作没有生效。请稍后再试。
err-internal-after-change = 已完成，但显示详情时出错了。请用 /my 或 /balance 查看。

# 提醒、求助顶班、群发
remind-volunteer = ⏰ 提醒：您报名了 { $shift } 的帮带（约 { $hours } 小时后）。目前已有 { $children } 个孩子预约。您能来吗？
btn-attend = ✅ 我会到
btn-cant-come = ❌ 我来不了
attend-confirmed = 谢谢！已确认您参加 { $shift }。
cant-come-done = 谢谢告知。已取消您在 { $shift } 的帮带报名，我们正在找人顶班。
remind-family = ⏰ 明天：{ $child } 在 { $shift } 托育。请在 { $start } 前到达，带好换洗衣物、尿不湿、水杯和需要的药品（请告诉工作人员）。如需取消：/my
remind-family-waitlisted = ⏰ 明天：{ $child } 仍在 { $shift } 的候补第 { $position } 位。一有空位会立即通知您；若没有空位，冻结的时间会退回。
cover-ask = 🙋 能帮忙吗？时段 { $shift } 还缺 { $missing } 位志愿者。参加可获得 { $earn } 小时。
cover-ask-no-credits = 🙋 能帮忙吗？时段 { $shift } 还需要 { $missing } 位帮带家长。（您没有家庭账户，帮带不计互助时间。）
btn-take-cover = 🙋 我来顶班
cover-taken-ok = 谢谢！您已报名 { $shift } 的帮带，开始前会提醒您。
broadcast-header = 📢 { $centre }：
    { $text }
err-cover-taken = 这个时段已经有人顶上了，谢谢您的热心！
err-cover-not-needed = 这个时段现在不需要顶班了，谢谢您！
err-move-clash = 该时段的孩子或志愿者在新时间已有其他时段，未做任何更改。
err-broadcast-closed = 这条群发已经发送或取消。
err-no-recipients = 没有符合条件的接收人。
note-shift-moved = 📅 时段 { $from } 已改到 { $date } { $start }-{ $end }。您的预约或报名随之改动；如新时间不合适，可在 /my 取消。
note-move-cancelled = ⚠ 时段移到了 { $shift }，{ $child } 的预约无法随之移动，已取消：{ $why } 已退回 { $released } 小时。
note-move-credits = 新时段更长，还需 { $needed } 小时，超出了可用额度。
note-move-waitlisted = ⚠ 时段移到了 { $shift }：新日期的班级或房间容量放不下所有孩子，{ $child } 回到候补第一位（预约 { $booking }）。有位置时会通知您。
remind-family-today = ⏰ 今天：{ $child } 在 { $shift } 托育。请在 { $start } 前到达，带好换洗衣物、尿不湿、水杯和需要的药品（请告诉工作人员）。如需取消：/my
remind-family-waitlisted-today = ⏰ 今天：{ $child } 仍在 { $shift } 的候补第 { $position } 位。一有空位会立即通知您；若没有空位，冻结的时间会退回。

## issue 10: who gets in, leaving, personal data
err-too-many-attempts = 邀请码无效，且已连续多次输错。请向给您邀请码的人核对后，于 { $until } 之后再试。
err-join-refused = 该中心已拒绝您的加入申请，因此不能使用它的邀请码。如认为有误，请联系协调员。
err-awaiting-guardian = 需要该家庭的一位家长先确认此人；申请正在等待他们答复。
err-not-guardian = 只有该家庭的家长才能答复这个申请。
note-guardian-requested = 👪 { $name }（用户 { $user }）使用了您家庭的邀请码，申请作为家长加入您的家庭。加入后可以用您家庭的互助时间预约，并看到您孩子的信息。您认识此人吗？
btn-guardian-yes = ✅ 认识，确认
btn-guardian-no = ❌ 不认识，拒绝
note-family-confirmed = 您的家庭已确认您。接下来由「{ $centre }」的协调员审核，结果会通知您。
note-left = 您已退出「{ $centre }」。已取消预约：{ $cancelled } 个；已退出帮带报名：{ $dropped } 个。
note-removed = 协调员已将您移出「{ $centre }」。已取消预约（不收费）：{ $cancelled } 个；已退出帮带报名：{ $dropped } 个。
note-balance-kept = 您家庭的余额 { $balance } 小时会保留；如用中心邀请码回来，仍归您所有。
note-member-left = { $name }（用户 { $user }）已退出中心。
note-member-removed = { $name }（用户 { $user }）已被协调员移出中心。
family-newcode = 您的家庭有了新的邀请码：{ $code }
    旧邀请码已失效。另一位家长打开 { $link } 即可申请加入，由您确认。
family-invite-confirmed = 家庭邀请码：{ $code }
    另一位家长打开 { $link } 即可申请加入您的家庭；经您确认（并由协调员审核）后才能共用互助时间。更换邀请码：/family newcode
family-leave-ask = 确定退出家庭吗？如果您是最后一位家长，家庭今后的预约将被取消（临时取消照常收费），余额会为您保留。
btn-leave-family = 退出家庭
leave-ask = 确定退出中心吗？您今后的帮带报名会被取消；如果您是家庭的最后一位家长，家庭今后的预约也会被取消（临时取消照常收费），余额会为您保留。
btn-leave = 退出中心
left-done = 您已退出中心。已取消预约：{ $cancelled } 个；已退出报名：{ $dropped } 个；临时取消收费：{ $charged } 小时。
left-family-done = 您已退出家庭。已取消预约：{ $cancelled } 个；已退出报名：{ $dropped } 个；临时取消收费：{ $charged } 小时。
join-family-asked = 您已申请加入「{ $centre }」的一个家庭。先由该家庭的家长确认，再由协调员审核，结果会通知您。
join-rejoined = 欢迎回到「{ $centre }」！您家庭的余额 { $balance } 小时一直保留着。协调员审核后即可恢复使用，结果会通知您。
guardian-confirmed-wait = 您已确认 { $name }。接下来由协调员审核。
guardian-confirmed-joined = 您已确认 { $name }，对方现在是您家庭的家长。
guardian-declined = 您已拒绝 { $name }。对方不能再用本中心的邀请码加入。
mydata-sent = 这是中心保存的关于您和您孩子的全部信息（JSON 文件）。
mydata-caption = 您在中心的数据
forget-ask = 确定删除您的个人信息吗？您会先退出中心（今后的预约和报名照常取消）。之后您的姓名、孩子的姓名、出生日期和备注、语言设置以及 Telegram 编号会从所有记录中删除。互助时间账目以匿名编号保留金额。此操作无法撤销。
btn-forget = 删除我的信息
forget-done = 您的个人信息已删除。感谢您曾参与互助中心。
usage-family = 用法：/family 查看家庭邀请码；/family newcode 更换邀请码；/family leave 退出家庭。
usage-leave = 用法：/leave（后面不需要加内容）
usage-invite = 用法：/invite 查看中心邀请码；/invite new 更换邀请码。
help-membership = 成员与个人信息：
    /family newcode 更换家庭邀请码 · /family leave 退出家庭
    /leave 退出中心
    /mydata 查看中心保存的您的全部信息 · /forget 删除您的个人信息
cmd-mydata = 我的信息（文件）
cmd-forget = 删除我的个人信息
cmd-leave = 退出中心
