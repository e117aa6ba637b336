# huzhu 互助 — 协调员与管理员文本（简体中文）

usage-newshift = 用法：/newshift YYYY-MM-DD HH:MM-HH:MM [名额 [专业人员数]]，例如 /newshift 2026-12-07 09:00-12:00 10 2（10 个名额，2 位专业人员）
usage-template = 用法：/template add 周三 09:00-12:00 [名额]；/template gen 2026-12-01 2026-12-31
usage-cancelshift = 用法：/cancelshift 时段编号 原因，例如 /cancelshift 12 台风停课
usage-approve = 用法：/approve 用户编号，例如 /approve 123456789（/pending 可查看）
usage-reject = 用法：/reject 用户编号，例如 /reject 123456789
usage-suspend = 用法：/suspend 用户编号，例如 /suspend 123456789
usage-grant = 用法：/grant 用户编号 分钟 备注，例如 /grant 123456789 60 活动奖励（负数为更正）
usage-ledger = 用法：/ledger 用户编号，例如 /ledger 123456789
usage-roster = 用法：/roster 时段编号，例如 /roster 12
usage-attendance = 用法：/attendance 时段编号，例如 /attendance 12
usage-settle = 用法：/settle 时段编号，例如 /settle 12
usage-newcenter = 用法：/newcenter 名称，例如 /newcenter 坪山街道六和社区互助中心
usage-coordinator = 用法：/coordinator 用户编号 中心编号，例如 /coordinator 123456789 1

cmd-pending = 待审批的加入申请
cmd-newshift = 发布时段
cmd-template = 每周模板
cmd-cancelshift = 取消时段
cmd-roster = 时段名单
cmd-attendance = 考勤与结算
cmd-grant = 调整互助时间
cmd-ledger = 查看家庭账户
cmd-invite = 中心邀请链接
cmd-approve = 通过申请
cmd-suspend = 暂停成员

shift-created = 已发布时段 { $shift }，{ $places } 个名额，专业人员 { $staff } 名。
template-created = 已添加每周模板 { $template }。用 /template gen 开始日期 结束日期 生成时段。
template-generated = 已生成 { $count } 个时段。
templates-none = 还没有每周模板。
templates-title = 每周模板：
template-line = #{ $id } 每{ $weekday } { $start }-{ $end } · { $places } 个名额
cancelshift-ask-reason = 请输入取消时段 #{ $shift } 的原因（会通知所有预约和帮带的家庭）：
shift-cancelled = 已取消时段 { $shift }，所有家庭和志愿者已收到通知，冻结的互助时间已退回。
pending-none = 没有待审批的申请。
pending-title = 待审批的加入申请：
pending-line = · { $name }（用户 { $user }）
member-approved = 已通过 { $name }（用户 { $user }）。
member-rejected = 已拒绝 { $name }（用户 { $user }）。
member-suspended = 已暂停 { $name }。
granted = 已为用户 { $user } 调整 { $amount } 小时，现在可用 { $balance } 小时。
roster-title = 时段 { $shift } 名单（专业人员 { $staff } 名）
roster-children = 孩子（{ $count }）：
roster-child = · { $name } · { $group } · { $months } 个月
roster-waitlist = 候补（{ $count }）：
roster-volunteers = 志愿者（{ $count }）：
attendance-hint = 请逐一标记到场 ✅ 或缺席 ❌，未标记的按到场计。标记完成后点「结算」。
settled = 时段 { $shift } 已结算：到场 { $attended }，缺席 { $noshow }；志愿者服务 { $served }，缺席 { $vnoshow }；共发放 { $earned } 小时。
invite = 「{ $centre }」邀请码：{ $code }
    邀请链接：{ $link }
    家长打开链接即可申请加入，您审批后生效。
centre-created = 已创建中心「{ $name }」（编号 { $id }，时区 { $timezone }），邀请码 { $code }。用 /coordinator 用户编号 { $id } 指定协调员。
coordinator-appointed = 已将用户 { $user } 设为中心 { $centre } 的协调员。

usage-broadcast = 用法：/broadcast 内容（全体成员）；/broadcast 时段编号 内容（该时段的家庭和志愿者）；/broadcast waitlist 时段编号 内容。例如 /broadcast 12 明天请带遮阳帽
usage-moveshift = 用法：/moveshift 时段编号 YYYY-MM-DD HH:MM-HH:MM，例如 /moveshift 12 2026-12-08 14:00-17:00
cmd-broadcast = 群发通知
cmd-moveshift = 调整时段
broadcast-confirm = 将这条消息发给 { $count } 人？

    { $text }
btn-broadcast-send = 📢 发送
btn-broadcast-cancel = 取消
broadcast-cancelled = 已取消群发，没有发送任何消息。
broadcast-progress = 📢 发送中…… 已发 { $sent } / { $total }
broadcast-done = 📢 群发完成：共 { $total } 人，送达 { $delivered }，屏蔽机器人 { $blocked }，失败 { $failed }。
broadcast-blocked-list = 已屏蔽机器人（已标记为无法联系）：{ $names }
broadcast-failed-list = 未送达：{ $names }
digest-title = 📋 明天 { $date }：
digest-shift = { $shift }：婴儿 { $infants }，幼儿 { $toddlers }，大童 { $older }；候补 { $waitlist }；专业人员 { $staff }；志愿者：{ $volunteers }
digest-gap =   ⚠ 还缺 { $missing } 位照护人，正在请成员顶班。
digest-unreached = ⚠ 以下成员在时段开始前没有收到提醒（无法连接 Telegram）：{ $names }
shift-moved = 已调整时段 { $shift }，已通知相关家庭和志愿者。
digest-title-today = 📋 今天 { $date }：
usage-settings = 用法：/settings 查看全部设置；修改：/settings 项目 数值：remind 24,2（1-168 小时，最多 4 个）· family 20:00 · digest 18:00 · quiet 22:00-07:00（或 quiet off）· cover 5（1-50）· ages 6-36 · earn 2（0-10）· cost 1（1-10）· grant 360（0-6000 分钟）· freecancel 24（0-168 小时）· late 50（0-100 %）· penalty 60（0-600 分钟）· block 2 90（1-10 次，1-365 天）· autosettle 12（1-168 小时）· places 12（1-100）· staff 1（0-20）· waitlist 10（1-50）
cmd-settings = 中心设置
settings-saved = 已保存。已为未来时段安排的提醒已按新设置调整。
settings-quiet-none = 无
settings-view = "{ $centre }" 的设置：
    孩子与时段
    · 接收年龄：{ $min_age } 至 { $max_age } 个月（ages { $min_age }-{ $max_age }）
    · 新时段：{ $places } 个名额（places），{ $staff } 位专业人员（staff）
    · 候补上限：{ $waitlist }（waitlist）
    互助时间
    · 新家庭起始额度：{ $grant } 小时（grant，单位分钟）
    · 帮带每分钟获得 { $earn } 分钟（earn）
    · 托育每个孩子每分钟花费 { $cost } 分钟（cost）
    取消与结算
    · 开始前 { $free_cancel } 小时之前取消免费（freecancel），之后收取 { $late }%（late）
    · 未点名的时段在结束 { $autosettle } 小时后自动结算（autosettle）
    · 帮带缺席扣 { $penalty } 小时（penalty，单位分钟）；{ $block_days } 天内缺席 { $block } 次则停止报名，直到协调员解除（block）
    提醒
    · 帮带家长：时段前 { $hours } 小时（remind）
    · 家庭：前一天 { $family }（family）
    · 协调员日报：前一天 { $digest }（digest）
    · 免打扰：{ $quiet }（quiet）
    · 求助顶班：每次询问 { $cover } 人，临近时增加（cover）
    修改：/settings 项目 数值，例如 /settings remind 24,2 · late 50 · block 2 90 · ages 6-36
usage-cancelday = 用法：/cancelday YYYY-MM-DD 原因，例如 /cancelday 2026-12-08 台风预警
cmd-cancelday = 取消一整天的时段
cancelday-ask = 取消 { $date } 的全部 { $shifts } 个时段（原因：{ $reason }）？涉及 { $children } 个孩子、{ $families } 个家庭和 { $volunteers } 位帮带家长；所有预留的互助时间全额退回，每人只收到一条通知。
btn-cancelday = 取消这一天
cancelday-done = 已取消 { $date } 的 { $shifts } 个时段：{ $children } 个孩子、{ $families } 个家庭，已通知每个人。
usage-unblock = 用法：/unblock 用户编号，例如 /unblock 123456789（解除因多次缺席而停止的报名）
usage-overdraft = 用法：/overdraft 用户编号 分钟，例如 /overdraft 123456789 120（该家庭最多可透支 2 小时；0 为不可透支）
usage-staff = 用法：/staff 用户编号 on|off，例如 /staff 123456789 on
cmd-unblock = 解除报名限制
cmd-overdraft = 设置家庭透支额度
cmd-staff = 设置专业人员
member-unblocked = 已解除 { $name } 的报名限制。
overdraft-set = 用户 { $user } 的家庭现在最多可透支 { $limit } 小时。
staff-on = { $name } 现在是专业人员。
staff-off = { $name } 不再是专业人员。
err-setting-range = /settings { $setting } 的数值必须在 { $min } 到 { $max } 之间，未作任何修改。

## issue 10: who gets in, removal
invite-replaced = 中心邀请码已更换，旧邀请码已失效。
member-removed = 已移出 { $name }（用户 { $user }）。已取消预约（不收费）：{ $cancelled } 个；已退出报名：{ $dropped } 个。
family-removed = 已移出该家庭：
pending-awaits-family = —— 等待其家庭确认
pending-family-confirmed = —— 其家庭已确认（用户 { $user }）
attempts-title = 输错的邀请码（最近 7 天）：
attempts-line = · 用户 { $user }：连续 { $count } 次，最近一次 { $last }
attempts-blocked = （需等待至 { $until }）
settings-guardians-on = · 用家庭邀请码加入的家长：先由家庭确认，再由协调员审核（/settings guardians off：家庭确认即可）
settings-guardians-off = · 用家庭邀请码加入的家长：家庭确认即可（/settings guardians on：协调员也要审核）
usage-remove = 用法：/remove 用户 移出一位成员；/remove family 用户 移出该成员的整个家庭（例如 /remove 123456789）。
help-coordinator-membership = 成员管理（协调员）：
    /remove 用户 · /remove family 用户
    /invite new 更换中心邀请码
    /settings guardians on|off：用家庭邀请码加入的家长是否需要您审核
cmd-remove = 移出成员或家庭
