# 操作记录、备份与导入的家庭。

usage-audit = 用法：/audit [条数] [中心编号]，例如 /audit 20（条数 1 到 100；超级管理员可加中心编号）
audit-empty = { $centre } 还没有协调员操作记录。
audit-title = { $centre } 最近 { $count } 条操作（最新在前）：
audit-line = { $at } · { $by } · { $what }
audit-by-cli = 命令行
audit-centre-created = 开设中心 { $name }
audit-coordinator-appointed = 任命 { $user } 为协调员
audit-member-approved = 批准 { $user } 加入
audit-member-rejected = 拒绝 { $user }
audit-member-suspended = 暂停 { $user }
audit-role-set = 将 { $user } 的角色设为{ $role ->
        [parent] 家长
        [staff] 专业人员
       *[coordinator] 协调员
    }
audit-staff-set = { $on ->
        [on] 将 { $user } 设为专业人员
       *[off] 取消 { $user } 的专业人员身份
    }
audit-block-lifted = 解除 { $user } 的缺席限制
audit-member-removed = 移除 { $user }
audit-family-removed = 移除家庭 #{ $family }（{ $guardians }）
audit-guardian-approved = 批准 { $user } 成为家庭 #{ $family } 的家长
audit-credits-granted = 给 { $user } 发放 { $minutes } 分钟：{ $memo }
audit-overdraft-set = 将 { $user } 的透支额度设为 { $minutes } 分钟
audit-shift-created = 创建时段 #{ $shift }：{ $date } { $start }-{ $end }
audit-template-created = 创建模板 #{ $template }
audit-shifts-generated = 生成 { $count } 个时段 { $shifts }
audit-shift-cancelled = 取消时段 #{ $shift }：{ $reason }
audit-day-cancelled = 取消 { $date } 全天（时段 { $shifts }）：{ $reason }
audit-shift-moved = 将时段 #{ $shift } 改到 { $date } { $start }-{ $end }
audit-booking-cancelled = 取消家庭 #{ $family } 的预约 #{ $booking }
audit-signup-dropped = 取消 { $user } 的值班报名 #{ $signup }
audit-attendance = 记录时段 #{ $shift } 的出勤：{ $present } 人到，{ $absent } 人缺席
audit-shift-settled = 结算时段 #{ $shift }
audit-setting-changed = 修改设置：{ $setting }
audit-broadcast-sent = 发送群发消息 #{ $broadcast }，共 { $recipients } 人
audit-broadcast-cancelled = 取消群发消息 #{ $broadcast }
audit-centre-code-replaced = 更换中心邀请码
audit-families-imported = 导入 { $families } 个家庭、{ $children } 个孩子、{ $guardians } 位家长
help-coordinator-records = 记录（协调员）：
    /audit [条数]：本中心协调员最近的操作（默认 20 条）
    服务器上：huzhu backup 文件、huzhu restore 文件、huzhu import --centre 中心编号 families.csv
err-phone-unknown = 中心的家庭名单里没有这个手机号。请用中心邀请码加入：/join 邀请码（向协调员索取）。
err-phone-claimed = 这个手机号已经用来加入过它的家庭。如果不是您本人操作，请告诉协调员；您仍可以用 /join 邀请码 加入。
err-phone-taken = 手机号 { $phone } 属于另一个已导入的家庭。
err-not-own-contact = 请用下方按钮分享您本人的手机号（不能使用他人的联系人）。
contact-share-button = 📱 分享我的手机号
contact-share-intro = 您的家庭已经在中心的名单上吗？用下方按钮分享手机号，即可直接加入。
contact-claimed = 欢迎来到{ $centre }！您已成为家庭的家长{ $children ->
        [none] 。
       *[other] ，孩子：{ $children }。
    }打开 /menu 预约托育或报名值班。
cmd-audit = 操作记录
