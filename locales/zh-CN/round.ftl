# huzhu — 每周公平分配（简体中文）

help-round-parent = 每周分配（协调员开启后）：
    /wish 为每个孩子按喜好顺序选择时段，并设定最多几个；截止时公平分配，并告诉您结果
    /wish YYYY-MM-DD：为那一周的分配提交意愿（同时有几轮分配时），例如 /wish 2026-12-07
help-round-coordinator = 每周分配（协调员）：
    /round open YYYY-MM-DD 截止时间：为从该周一开始的一周开启分配，截止时间写作 YYYY-MM-DDTHH:MM（中心时间），例如 /round open 2026-12-07 2026-12-04T20:00
    /round 或 /round status：本中心各轮分配及其状态
    /round preview [YYYY-MM-DD]：查看现在分配会得到什么（不预约；默认最早的一轮，或指定那一周）
    /round commit [YYYY-MM-DD]：在截止前立即分配并预约
usage-round = 用法：/round（各轮状态），/round open YYYY-MM-DD 截止时间（该周的周一；截止时间写作 YYYY-MM-DDTHH:MM，中心时间，须在该周之前），/round preview [YYYY-MM-DD]，/round commit [YYYY-MM-DD]。例如 /round open 2026-12-07 2026-12-04T20:00
cmd-round = 每周分配
cmd-wish = 在每周分配中提交意愿
round-opened = 第 { $id } 轮分配已开启，针对 { $week } 起的一周。家庭可在 { $deadline } 之前发送 /wish；届时统一分配并预约，并通知每个家庭。在此之前该周不能先到先得预约。
round-preview = { $week } 起一周的分配预览（截止 { $deadline }，抽签种子 { $seed }）：{ $children } 个孩子共 { $placed } 个时段。尚未预约。
round-committed = { $week } 起一周的分配已完成并预约：{ $children } 个孩子共 { $placed } 个时段（抽签种子 { $seed }）。正在通知每个家庭；剩余名额可用 /book 预约。
round-child-got = { $child }：已预约 { $shifts }
round-child-none = { $child }：本轮没有分到时段
round-miss =   · 未得到 { $shift }：{ $why }
round-why-full = 名额已满
round-why-caregivers = 报名的照看人员不够
round-why-credit = 积分不够
round-why-overlap = 与孩子的另一个时段时间重叠
round-why-unavailable = 该时段已不可用（或年龄不符）
round-result-title = 您在 { $week } 起一周分配中的结果：
round-result-free = 剩余名额现在可以预约：/book
wish-intro = { $week } 起一周的分配：{ $deadline } 前可提交意愿。为哪个孩子提交？
wish-pick-shifts = 为 { $child } 提交意愿（{ $week } 起的一周）。请按喜好顺序点选时段（第一个最想要），然后点“完成”。
    已选：
    { $picked }
wish-none-yet = （尚未选择）
wish-pick-max = 这 { $count } 个时段中，{ $child } 最多想要几个？
wish-confirm = { $child } 的意愿，最多 { $max } 个：
    { $picked }
    确认提交吗？
wish-saved = 已保存 { $child } 的意愿：{ $count } 个时段，最多 { $max } 个。在 { $deadline } 之前可再次发送 /wish 修改。
wish-no-shifts = 本轮这一周没有可选的时段。
wish-no-children = 请先添加孩子：/child add 姓名 YYYY-MM-DD
btn-wish-done = 完成
btn-wish-send = 提交意愿
btn-wish-cancel = 取消
btn-wish-undo = 撤销上一个
err-round-open = 这一周正在进行分配：请在 { $deadline } 之前发送 /wish；分配后剩余的名额可以预约。
err-round-exists = 这一周的分配已经开启或完成。
err-unknown-round = 目前没有开启的分配。协调员可用 /round open YYYY-MM-DD 截止时间 开启。
err-round-closed = 这一轮分配已关闭：截止时间已过或已分配。
err-round-dates = 这一周必须从周一开始，截止时间必须在现在之后、该周一之前。例如 /round open 2026-12-07 2026-12-04T20:00
err-shift-not-in-round = 这个时段不在本轮分配的那一周。
err-bad-wish = 一个意愿可选 1 到 { $max } 个时段，最多想要的数量至少 1 个，且不超过所选时段数。
wish-use-buttons = 请用上面的按钮填写意愿（或发送 /wish 重新开始）。
wish-cancelled = 意愿未提交。发送 /wish 重新开始。
usage-wish = 用法：/wish，或 /wish YYYY-MM-DD（那一周的分配），例如 /wish 2026-12-07
wish-pick-week = 有几轮分配正在接受意愿。为哪一周提交？
btn-wish-week = { $week } 起一周（截止 { $deadline }）
err-wish-week-none = { $week } 起的一周没有分配。
err-wish-week-closed = { $week } 起一周的分配不再接受意愿：截止时间已过或已分配。
err-wish-weeks-open = 正在接受意愿的：{ $weeks }
err-wish-weeks-none = 目前没有接受意愿的分配。
round-summary = 📋 { $week } 起一周的分配已完成并预约：共 { $placed } 个时段；{ $children } 个孩子中 { $children_placed } 个、{ $families } 个家庭中 { $families_placed } 个分到时段。未满足的意愿：名额已满 { $full } 个，照看人员不够 { $caregivers } 个，积分不够 { $credit } 个，其他原因 { $other } 个。抽签种子 { $seed }。剩余名额已开放 /book 预约。
round-status-title = 本中心的分配（最近的周在前）：
round-status-none = 还没有分配。开启一轮：/round open 2026-12-07 2026-12-04T20:00
round-status-open = 第 { $id } 轮，{ $week } 起一周：接受意愿至 { $deadline }，已有 { $children } 个孩子提交。预览：/round preview { $monday }
round-status-due = 第 { $id } 轮，{ $week } 起一周：截止时间 { $deadline } 已过，正在分配。
round-status-committed = 第 { $id } 轮，{ $week } 起一周：已于 { $at } 分配，{ $children } 个孩子共预约 { $placed } 个时段（抽签种子 { $seed }）。
