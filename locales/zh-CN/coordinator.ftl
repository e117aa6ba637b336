# huzhu 互助 — 协调员与管理员文本（简体中文）

usage-newshift = 用法：/newshift YYYY-MM-DD HH:MM-HH:MM [名额]，例如 /newshift 2026-12-07 09:00-12:00 10
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
shift-moved = 已调整时段 { $shift }，已通知相关家庭和志愿者。
digest-title-today = 📋 今天 { $date }：
usage-settings = 用法：/settings 查看提醒设置；修改：/settings remind 24,2 · /settings family 20:00 · /settings digest 18:00 · /settings quiet 22:00-07:00（或 quiet off）· /settings cover 5（1-50；提醒小时数 1-168，最多 4 个）
cmd-settings = 提醒设置
settings-saved = 已保存。已为未来时段安排的提醒已改到新时间。
settings-quiet-none = 无
settings-view = “{ $centre }”的提醒设置：
    · 志愿者：时段开始前 { $hours } 小时
    · 家庭：前一天 { $family }
    · 协调员日报：前一天 { $digest }
    · 免打扰：{ $quiet }
    · 求助顶班：每次询问 { $cover } 人，临近时增加
    修改：/settings remind 24,2 · family 20:00 · digest 18:00 · quiet 22:00-07:00 · cover 5

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
