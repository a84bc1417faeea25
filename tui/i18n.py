"""Every label the counter UI shows, Chinese first, English second: one table.

Ids from the case vocabulary (remedies, documents, conditions...) are labelled by
``aftersales.core.vocab`` and case states by ``aftersales.store.workflow``; this table holds
what is particular to the screens. ``t(key, lang)`` looks a key up; ``vocab(kind, id, lang)``
labels a vocabulary id; ``state(id, lang)`` a case state.
"""

from __future__ import annotations

from typing import Any

from aftersales.core.vocab import label as _vocab_label
from aftersales.core.vocab import listed

LANGS = ("zh", "en")

# key -> (zh, en)
TEXT: dict[str, tuple[str, str]] = {
    # app, modes, bindings
    "app.title": ("售后柜台", "After-sales counter"),
    "mode.intake": ("受理", "Intake"),
    "mode.queue": ("案例队列", "Queue"),
    "mode.policies": ("政策", "Policies"),
    "key.intake": ("受理", "Intake"),
    "key.queue": ("队列", "Queue"),
    "key.policies": ("政策", "Policies"),
    "key.language": ("English", "中文"),
    "key.quit": ("退出", "Quit"),
    "key.save": ("保存", "Save"),
    "key.new": ("新案例", "New"),
    "key.citations": ("出处", "Citations"),
    "key.refresh": ("刷新", "Refresh"),
    "key.filter": ("筛选", "Filter"),
    "key.open": ("打开", "Open"),
    "key.back": ("返回", "Back"),
    "key.cancel": ("取消", "Cancel"),
    "key.move": ("改状态", "Move"),
    "key.follow_up": ("回访", "Follow-up"),
    "key.reevaluate": ("重新判定", "Re-evaluate"),
    "key.choose_remedy": ("客户选定方案", "Remedy chosen"),
    "key.lend_spare": ("借出备用机", "Spare phone lent"),
    "detail.spare_lent": ("{number}：已记录借出备用机", "{number}: spare phone lent, recorded"),
    "detail.remedy_which": ("客户选定哪种处理方式？", "Which remedy did the customer choose?"),
    "detail.remedy_chosen": ("{number}：客户选定{remedy}", "{number}: the customer chose {remedy}"),
    "detail.no_remedy": ("判定未给出可办理的处理方式", "The decision offers no remedy"),
    "detail.ticket_reason": ("查看或打印受理单（含完整联系电话）", "the service ticket viewed or printed (the phone in full)"),
    "detail.ticket_unlogged": ("受理单的查看未能写入访问记录：{error}", "viewing the ticket could not be logged: {error}"),
    "key.ticket": ("受理单", "Ticket"),
    "key.view": ("查看", "View"),
    "key.reload": ("重新加载", "Reload"),
    "key.retry": ("重试", "Retry"),
    "key.continue": ("继续（不保存）", "Continue (no saving)"),
    "key.save_file": ("保存到文件", "Save to file"),
    "key.close": ("关闭", "Close"),
    "key.confirm": ("确定", "Confirm"),
    "key.auto_advance": ("自动跳栏", "Auto-advance"),
    "key.correct": ("更正", "Correct"),
    "key.palette": ("命令", "Commands"),
    "key.close_list": ("收起列表", "Close list"),
    "palette.none": ("没有这样的命令", "no such command"),
    "palette.none_help": ("试试：保存、新案例、队列、政策、回访……", "try: save, new case, queue, policies, follow-up…"),
    "palette.placeholder": ("输入要做的事，如：新案例、队列、保存…", "Type what you want to do: new case, queue, save…"),
    "auto_advance.on": ("自动跳栏已开启：IMEI、日期填完后自动跳到下一栏", "Auto-advance on: a complete IMEI or date moves to the next field"),
    "auto_advance.off": ("自动跳栏已关闭", "Auto-advance off"),
    "unsaved.new": ("本次受理尚未保存。清空表单，开始新案例？", "This intake is not saved. Clear the form and start a new case?"),
    "unsaved.new_yes": ("清空", "Clear"),
    "unsaved.quit": ("本次受理尚未保存。仍要退出吗？（草稿会保留，下次启动时可恢复）",
                     "This intake is not saved. Quit anyway? (The draft is kept and offered at the next start.)"),
    "unsaved.quit_yes": ("退出", "Quit"),
    "draft.offer": ("发现上次未保存的受理草稿（客户：{name}，{when}）。恢复吗？",
                    "An intake draft was not saved last time (customer: {name}, {when}). Restore it?"),
    "confirm.waiting": ("请先回答上面的问题（按 {keys}）：刚才的 {count} 个按键没有收下{typed}，回答后请重新输入",
                        "Answer the question first ({keys}): the last {count} keys were not taken{typed}; type them again after answering"),
    "confirm.keys": ("Y 或 N", "Y or N"),
    "choice.keys": ("1–{last} 或 Esc", "1–{last} or Esc"),
    "confirm.waiting_typed": ("（{typed}）", " ({typed})"),
    "draft.restore": ("恢复", "Restore"),
    "draft.discard": ("丢弃", "Discard"),
    # intake sections
    "sec.device": ("设备", "Device"),
    "sec.purchase": ("购买", "Purchase"),
    "sec.documents": ("出示的单证", "Papers presented"),
    "sec.fault": ("故障", "Fault"),
    "sec.condition": ("外观与状况", "Condition"),
    "sec.history": ("维修记录", "Repair history"),
    "sec.plans": ("服务计划", "Coverage plans"),
    "sec.customer": ("客户", "Customer"),
    # intake fields (case paths)
    "customer.name": ("客户姓名", "Customer name"),
    "customer.phone": ("联系电话", "Phone"),
    "region.auto": ("自动识别", "automatic"),
    "region.derived": ("识别为 {region}（{how}）", "identified as {region} ({how})"),
    "region.none": ("填写部件号或型号代码后自动识别", "filled in from the part number or model code"),
    "select.none": ("（无）", "(none)"),
    "select.no_match": ("没有{field}“{typed}”；可选：{options}", "nothing in {field} begins with “{typed}”; choose from: {options}"),
    "note.then": ("：", ": "),
    "placeholder.date": ("YYYY-MM-DD", "YYYY-MM-DD"),
    "placeholder.count": ("0", "0"),
    # field messages
    "err.date": ("日期格式应为 YYYY-MM-DD", "a date is YYYY-MM-DD"),
    "err.date_month": ("没有 {month} 月这个月份", "there is no month {month}"),
    "err.date_day": ("{year} 年 {month} 月没有 {day} 日", "{year}-{month:02d} has no day {day}"),
    "err.count": ("应为不小于 0 的整数", "a whole number, 0 or more"),
    "err.amount": ("应为不小于 0 的金额（元），如 4999 或 4999.50", "an amount in yuan, 0 or more, e.g. 4999 or 4999.50"),
    "err.count_max": ("应为 0–{max} 的整数", "a whole number from 0 to {max}"),
    "err.imei_len": ("IMEI 为 15 位数字，已输入 {n} 位", "an IMEI has 15 digits; {n} so far"),
    "err.imei_digits": ("IMEI 只能是数字", "an IMEI is digits only"),
    "err.imei_check": ("IMEI 校验位不符，请核对", "the IMEI check digit is wrong; check it"),
    "err.country": ("两位字母代码，如 CN、HK、US", "a two-letter code such as CN, HK, US"),
    "ok.imei": ("✓ IMEI 校验通过", "✓ IMEI check digit ok"),
    # intake status
    "save.need": ("保存前请填写：{fields}", "Before saving, fill in: {fields}"),
    "save.fix": ("请先更正标红的字段：{fields}", "Correct the fields marked in red first: {fields}"),
    "save.fix_any": ("请先更正标红的字段", "Correct the fields marked in red first"),
    "save.ready": ("可以保存（Ctrl+S）", "Ready to save (Ctrl+S)"),
    "save.saving": ("正在保存…", "Saving…"),
    "save.done": ("已保存，案例编号 {number}", "Saved as case {number}"),
    "signin.title": ("员工登录：工号与 PIN", "Staff sign-in: code and PIN"),
    "signin.code": ("工号，如 S001", "Staff code, e.g. S001"),
    "signin.pin": ("PIN（6–12 位数字）", "PIN (6-12 digits)"),
    "save.changed": ("已保存。请注意：\n{changes}", "Saved. Please note:\n{changes}"),
    "save.failed": ("保存失败：{error}", "Not saved: {error}"),
    "save.no_store": ("案例库不可用，无法保存", "The case store is not available: cannot save"),
    "save.no_policies": ("政策未能加载，无法判定，不能保存", "Policies could not be loaded: nothing is decided, cannot save"),
    "save.unchanged": ("已保存 {number}；改动后 Ctrl+S 即更正，Ctrl+N 新案例",
                       "Saved {number}. Edit + Ctrl+S: correct; Ctrl+N: new case"),   # fits 80 columns
    "save.correcting": ("正在更正 {number}：改好后按 Ctrl+S 保存更正（编号不变），Ctrl+N 放弃",
                        "Correcting {number}: Ctrl+S saves the correction (same number), Ctrl+N leaves it"),
    "save.other_customer": ("这会改掉已保存案例 {number} 的：{what}。\n是另一位顾客或另一台机器吗？那就改为新案例受理，{number} 保持原样。",
                            "This changes case {number}, as saved: {what}.\nIs it another customer or another unit? Then take it in as "
                            "a new case; {number} stays as it is."),
    "save.as_new": ("作为新案例受理", "Take in as a new case"),
    "save.correct_it": ("更正原案例", "Correct the saved case"),
    "save.now_new": ("已改为新案例（未保存）：没重新填写的字段还是上一位顾客的，请核对后按 Ctrl+S 保存",
                     "Now a new case, not saved: the fields not typed again are still the last customer's; look them "
                     "over, then Ctrl+S"),
    "save.corrected": ("已更正 {number}（{n} 处改动），已重新判定", "Case {number} corrected ({n} changes) and decided again"),
    "save.phone_kept": ("{phone}（留空不改）", "{phone}; blank=keep"),   # the number first: 80 columns cut the end
    "same_unit.found": ("这台设备（IMEI 或序列号相同）已有未结案例 {numbers}。\n打开该案例？要另建新案例，返回后再按 Ctrl+S。",
                        "This unit (same IMEI or serial number) has an open case: {numbers}.\n"
                        "Open it? To take in a new case anyway, go back and press Ctrl+S again."),
    "same_unit.open": ("打开 {number}", "Open {number}"),
    "backdate.ask": ("受理日期 {date} 早于今天（{today}）：案例将按该日判定（补登，记入日志）。\n按 {date} 受理？",
                     "The intake date {date} is before today ({today}): the case will be decided as of that "
                     "day (back-dated, recorded in the log).\nTake it in as of {date}?"),
    "backdate.yes": ("按 {date} 受理", "Take in as of {date}"),
    "same_unit.not_saved": ("上一张受理单未保存：这台设备已有未结案例 {numbers}", "The previous intake was not saved: the unit has an open case, {numbers}"),
    "unsaved.correct": ("受理表单尚未保存。放弃它，改为更正 {number}？", "The intake is not saved. Drop it and correct {number}?"),
    "unsaved.correct_yes": ("更正", "Correct"),
    "unsaved.leave": ("这里填写的内容尚未保存。放弃它，回到案例队列？", "What was entered here is not saved. Drop it and go to the queue?"),
    "unsaved.leave_yes": ("放弃", "Drop"),
    "unsaved.note": ("备注尚未记录（在备注栏按回车即记录）。放弃它，离开本案例？",
                     "The note is not recorded yet (Enter in the note field records it). Drop it and leave this case?"),
    "unsaved.stay": ("留在本案例", "Stay"),
    "unsaved.dialog": ("这里填写的内容尚未保存。放弃它，关闭？", "What was entered here is not saved. Drop it and close?"),
    "unsaved.keep_editing": ("继续填写", "Keep editing"),
    "unsaved.quit_input": ("这里填写的内容尚未保存，退出后不会保留。仍要退出吗？",
                           "What was entered here is not saved and is not kept. Quit anyway?"),
    # decision panel
    "panel.title": ("判定", "Decision"),
    "panel.loading": ("正在加载政策…", "Loading policies…"),
    "panel.no_policies": ("政策未能加载：{error}", "Policies could not be loaded: {error}"),
    "panel.incomplete": ("尚不能判定：{field} {message}", "Cannot decide yet: {field} {message}"),
    "outcome.imei_in_serial": ("{serial} 像是 IMEI：请填在「{imei}」一栏", "{serial} looks like an IMEI: it goes in \"{imei}\""),
    "panel.ignored": ("有误的字段未计入判定：{fields}", "Fields with errors are left out: {fields}"),
    "panel.plan_brand": ("{plans}不是{brand}的服务计划：判定不计，请取消勾选",
                         "{plans}: not a {brand} service plan; no term reads it: untick it"),
    "panel.entitlement": ("权益", "Entitlement"),
    "badge.pending": ("待检测 · 确认后可{remedy}", "to test · {remedy} if confirmed"),
    "panel.region": ("机器版本", "Made for"),
    "panel.remedies": ("补救方式", "Remedies"),
    "panel.granted_by": ("依据", "granted by"),
    "panel.missing": ("缺少", "missing"),
    "panel.asks": ("另请出示", "also ask for"),
    "panel.fee": ("服务费", "fee"),
    "panel.confirm": ("需确认", "needs confirmation"),
    "panel.coverage": ("权益期限", "Coverage"),
    "panel.day": ("第 {n} 天", "day {n}"),
    "panel.day_before": ("{n} 天后起算", "starts in {n} days"),
    "panel.until": ("至", "to"),
    "panel.exchange": ("换货方式", "Exchange"),
    "panel.lead": ("约 {a}–{b} 天", "about {a}–{b} days"),
    "panel.location": ("服务地点", "Where"),
    "panel.exclusions": ("除外情形", "Exclusions"),
    "panel.notices": ("提示", "Notices"),
    "panel.engine_error": ("判定出错", "Deciding failed"),
    "panel.citations": ("出处", "Citations"),
    "panel.cite_refund": ("不换机退款", "Refund instead"),
    "panel.cite_floor": ("法定底线", "Statutory floor"),
    "panel.cite_start": ("权益期限起算", "Coverage start"),
    "panel.citations_hint": ("Ctrl+O 显示出处", "Ctrl+O shows the citations"),
    "panel.policies": ("政策版本", "Policies"),
    "panel.calendar_gap": ("{years} 年节假日数据缺失", "no holiday data for {years}"),
    "reason.outside_window": ("不在期限内", "outside its window"),
    "reason.expired": ("已过期", "expired"),
    "reason.missing_documents": ("缺单证", "papers missing"),
    "reason.not_applicable": ("条件不符", "conditions not met"),
    "reason.no_start": ("缺少起算日期", "no start date"),
    "reason.excluded": ("除外", "excluded"),
    "reason.free_remedy_available": ("有免费权益", "a free remedy is available"),
    "reason.pending_detection": ("检测确认后可{remedy}", "{remedy} once testing confirms the fault"),
    "panel.still_needs": ("还需", "still needed"),
    "reason.region": ("机器版本不适用", "not for a unit made for this region"),
    "panel.where": ("服务地点", "where"),
    "region.how_given": ("已选择", "chosen"),
    "region.how_read": ("由{field} {value} 判断", "from the {field} {value}"),
    "region.how_country": ("仅按购买地{country}推定", "only assumed from the country of purchase, {country}"),
    "region.how_default": ("未能判断，暂按此推定", "not known: assumed"),
    "region.how_plugin": ("由插件 {plugin} 识别", "identified by plugin {plugin}"),
    "region.ask": ("请输入{fields}，以核实机器版本", "Enter the {fields} to check the region"),
    "region.ask_any": ("请核对机身型号或包装上的版本", "Check the model on the unit or its box"),
    "or": ("或", " or "),
    # queue
    "queue.title": ("未结案例", "Open cases"),
    "queue.state": ("状态", "State"),
    "queue.brand": ("品牌", "Brand"),
    "queue.text": ("查找：电话、IMEI、序列号、编号、客户、品牌", "Find: phone, IMEI, serial, number, customer, brand"),
    "queue.searching": ("正在查找…", "Searching…"),
    "queue.found": ("找到 {n} 个案例（含已结案）", "{n} cases found (closed ones included)"),
    "queue.all_open": ("全部未结", "all open"),
    "queue.all_brands": ("全部品牌", "all brands"),
    "col.number": ("编号", "Number"),
    "col.state": ("状态", "State"),
    "col.brand": ("品牌", "Brand"),
    "col.model": ("机型", "Model"),
    "col.customer": ("客户", "Customer"),
    "col.intake": ("受理日期", "Intake"),
    "col.next_due": ("下次回访", "Next due"),
    "col.intake_short": ("受理", "In"),
    "col.next_due_short": ("回访", "Call"),
    "col.entitlement": ("权益", "Entitlement"),
    "queue.empty": ("案例库里还没有未结案例。按 F1 受理第一台设备。",
                    "No open cases yet. Press F1 to take in the first device."),
    "queue.none_match": ("没有符合筛选条件的案例", "No case matches the filter"),
    "queue.found_hidden": ("找到 {n} 个案例，但都不在所选的状态或品牌中：把筛选改回「{all}」即可看到",
                           "{n} found, none in the state or brand chosen: set the filter back to \"{all}\" to see them"),
    "queue.count": ("{n} 个案例，{late} 个回访逾期", "{n} cases, {late} follow-ups overdue"),
    "queue.loading": ("正在读取案例…", "Reading cases…"),
    # detail
    "detail.title": ("案例 {number}", "Case {number}"),
    "intake.correcting": ("{title} · 更正 {number}", "{title} · correcting {number}"),
    "detail.case": ("案例信息", "Case"),
    "detail.decisions": ("判定记录", "Decisions"),
    "detail.timeline": ("事件记录", "Timeline"),
    "detail.follow_ups": ("回访", "Follow-ups"),
    "detail.actions": ("操作", "Actions"),
    "detail.note": ("备注（回车）", "Note (Enter)"),
    "detail.no_moves": ("案例已结束，没有可执行的状态变更", "The case is finished: no moves left"),
    "detail.moved": ("{number} → {state}", "{number} → {state}"),
    "detail.followed": ("已记录回访", "Follow-up recorded"),
    "detail.noted": ("已记录备注", "Note recorded"),
    "detail.reevaluated": ("已重新判定：{entitlement}", "Re-evaluated: {entitlement}"),
    "detail.note_needed": ("这一步需要在备注里写明原因", "This move needs a note saying why"),
    "detail.follow_note_needed": ("请先在备注里写下回访内容", "Write what was said in the note first"),
    "detail.loading": ("正在读取案例…", "Reading the case…"),
    "detail.customer": ("客户", "Customer"),
    "detail.staff": ("经办人", "Staff"),
    "detail.mail_in": ("服务方式：寄修", "Service: mail-in"),
    "detail.courier": ("寄来快递", "sent by"),
    "detail.return_by": ("送还", "returned"),
    "detail.intake_at": ("受理时间", "Taken in"),
    "detail.state_since": ("当前状态始于", "In this state since"),
    "detail.repair_due": ("承诺修复", "Repair due"),
    "detail.done": ("已完成", "done"),
    "detail.follow_who": ("客户和维修站都待回访：这次回访的是谁？", "Both the customer and the repair station are due a call: whom was this one to?"),
    "follow.record_customer": ("记录客户回访", "Record the customer's call"),
    "follow.record_repair_station": ("记录维修站回访", "Record the station's call"),
    "detail.due": ("应于", "due"),
    "detail.party": ("回访对象", "Call"),
    "party.both": ("维修站和客户", "station and customer"),
    "party.repair_station": ("维修站", "repair station"),
    "party.customer": ("客户", "customer"),
    "error.file": ("文件操作失败：", "file error: "),
    "ticket.title": ("受理单", "Service ticket"),
    "ticket.saved": ("{what}已保存到 {path}", "{what} saved to {path}"),
    "move.title": ("变更状态：{number}", "Move case {number}"),
    "follow.title": ("记录回访：{number}", "Record a follow-up: {number}"),
    # policies
    "pol.title": ("插件与政策", "Plugins and policies"),
    "origin.bundled": ("内置", "bundled"),
    "origin.entry_point": ("已安装", "installed"),
    "origin.folder": ("插件目录", "plugin folder"),
    "pol.origin": ("来源", "Origin"),
    "pol.brands": ("品牌", "Brands"),
    "pol.policy": ("政策", "Policy"),
    "pol.policy_version": ("政策版本", "Policy version"),
    "pol.effective": ("生效", "Effective"),
    "pol.state": ("校验", "Check"),
    "pol.valid": ("✓ 通过", "✓ valid"),
    "pol.invalid": ("✗ 有误", "✗ errors"),
    "pol.plugin_error": ("✗ 插件出错", "✗ plugin failed"),
    "pol.errors": ("问题", "Problems"),
    "pol.no_errors": ("所有政策文件校验通过。", "Every policy file is valid."),
    "pol.reloading": ("正在重新加载政策…", "Reloading the policies…"),
    "pol.reloaded": ("政策已重新加载（{n} 个）", "Policies reloaded ({n})"),
    "pol.reload_failed": ("政策文件有误，仍使用原有政策：", "A policy file is broken; the old policies stay in force:"),
    "pol.reload_failed_short": ("重新加载失败，原有政策继续有效", "Reload failed: the old policies stay in force"),
    "pol.load_failed": ("政策文件有误，没有可用的政策：", "A policy file is broken; no policies are in force:"),
    "pol.load_failed_short": ("政策未能加载，无法判定（F3 查看原因）", "Policies could not be loaded: nothing can be decided (F3 shows why)"),
    "pol.view_title": ("{id} {version}（只读）", "{id} {version} (read-only)"),
    "pol.source_title": ("{id} {version} · 原文（{file}）", "{id} {version} · source ({file})"),
    "pol.any_brand": ("所有品牌", "every brand"),
    "pol.plugin_version": ("插件版本", "Plugin version"),
    "pol.from": ("{date} 起", "from {date}"),
    "pol.from_until": ("{start} 至 {end}", "{start} to {end}"),
    "pol.text_source": ("依据", "Based on"),
    "pol.text_effective": ("生效", "In force"),
    "pol.text_brands": ("适用品牌", "Brands"),
    "pol.offers": ("补救方式", "Remedies"),
    "pol.window_days": ("{n} 日内", "within {n} days"),
    "pol.window_from": ("第 {a}–{b} 日", "days {a}–{b}"),
    "pol.documents": ("所需单证", "papers"),
    "pol.documents_none": ("无需单证", "no papers"),
    "pol.either": ("或", " or "),
    "pol.exchange": ("换货方式", "Exchange"),
    "pol.refund": ("不换机退款", "Refund instead of an exchange"),
    "pol.exclusions": ("除外情形", "Exclusions"),
    "pol.notices": ("提示", "Notices"),
    "key.source": ("原文", "Source"),
    "key.summary": ("条款", "Terms"),
    "pol.unreadable": ("无法读取 {source}：{error}", "cannot read {source}: {error}"),
    # store unavailable
    "store.title": ("案例库无法打开", "The case store cannot be opened"),
    "store.url": ("数据库：{url}", "Database: {url}"),
    "store.what": ("可以这样处理：", "What to do:"),
    "store.todo": (
        "• 检查 --db 参数或环境变量 AFTERSALES_DB 是否指向正确的数据库\n"
        "• 新数据库先执行：aftersales db upgrade --db URL\n"
        "• PostgreSQL：确认服务器已启动、网络可达、用户名和密码正确\n"
        "• 不带 --db 运行时使用本机默认的 SQLite 文件，首次使用会自动创建\n"
        "• 处理后按 R 重试；按 Esc 继续受理（可判定，不能保存）",
        "• check that --db or the AFTERSALES_DB variable names the right database\n"
        "• a new database needs: aftersales db upgrade --db URL\n"
        "• PostgreSQL: make sure the server is up, reachable, and the user and password are right\n"
        "• without --db the default SQLite file on this machine is used and created on first use\n"
        "• then press R to retry; Esc goes on with intake (decisions work, saving does not)",
    ),
    "store.opening": ("正在打开案例库…", "Opening the case store…"),
    "store.unavailable_short": ("案例库不可用", "case store unavailable"),
    "banner.quarantined": ("⚠ 插件已隔离：{plugins}（其品牌暂不能判定）", "⚠ quarantined: {plugins} (their brands cannot be decided)"),
    "banner.not_legal": ("⚠ 未加载三包规定：非法定判定", "⚠ statutory policy left out: not legal decisions"),
    "banner.bundle": ("政策包 {id}（{sha}）", "policy bundle {id} ({sha})"),
    "banner.bundle_switched": ("已启用政策包 {id}（{sha}）", "Policy bundle {id} ({sha}) in force"),
    "lang.switched": ("界面语言：中文", "Language: English"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
}

# the keys that jump to each section of the intake form ("sec.device" -> "key.jump_device")
TEXT.update({f"key.jump_{k[4:]}": (f"跳到{zh}", f"Go to {en}") for k, (zh, en) in list(TEXT.items())
             if k.startswith("sec.")})


def t(key: str, lang: str = "zh", **fmt: object) -> str:
    """The label for ``key`` in ``lang`` (the key itself when the table has none)."""
    entry = TEXT.get(key)
    text = key if entry is None else (entry[0] if lang == "zh" else entry[1])
    return text.format(**fmt) if fmt else text


def colon(lang: str) -> str:
    """What follows a label: a full-width colon in Chinese text (权益：), ``: `` in English."""
    return "：" if lang == "zh" else ": "


def bracketed(text: str, lang: str) -> str:
    """``text`` in brackets: full-width in Chinese text (（第 5 天）), `` (day 5)`` in English."""
    return f"（{text}）" if lang == "zh" else f" ({text})"


def error_line(exc: BaseException, lang: str = "zh") -> str:
    """The one line the UI shows for ``exc`` in ``lang``: the project's own error in that
    language (with its field), a file system error by what went wrong and where, anything else
    by its type."""
    from aftersales.core.errors import AftersalesError, os_reason

    if isinstance(exc, AftersalesError):
        return exc.line(lang)
    if isinstance(exc, OSError) and exc.errno is not None:
        reason = os_reason(exc, lang)
        return t("error.file", lang) + reason + (bracketed(exc.filename, lang) if exc.filename else "")
    return f"{type(exc).__name__}: {exc}"


def vocab(kind: str, id_: str, lang: str = "zh") -> str:
    """A vocabulary id's label (``vocab("document", "invoice")`` → 购机发票)."""
    return _vocab_label(kind, id_, lang)


#: the names a counter in mainland China says where CLDR's differ: CLDR calls CN 中国 beside
#: 中国香港特别行政区 and 中国澳门特别行政区, which leaves "中国" reading as if it took them in;
#: here the four are named apart, shortly, as the brands' own policies and customers say them
_PLACES = {"CN": ("中国大陆", "mainland China"), "HK": ("香港", "Hong Kong"),
           "MO": ("澳门", "Macao"), "TW": ("台湾", "Taiwan")}
_territories: dict[str, dict[str, str]] = {}


def country(code: str, lang: str = "zh") -> str:
    """A country or region of purchase by its name (``US`` → 美国), from the Unicode CLDR names
    Babel ships; a code it does not know is shown as it is. Babel is read at the first name asked
    for (a few hundredths of a second), never as the counter starts."""
    code = code.strip().upper()
    if code in _PLACES:
        return _PLACES[code][0 if lang == "zh" else 1]
    names = _territories.get(lang)
    if names is None:
        from babel import Locale

        names = _territories[lang] = dict(Locale.parse("zh" if lang == "zh" else "en").territories)
    return names.get(code) or code


def value_text(path: str, value: Any, lang: str = "zh", empty: str = "—", brands: Any = None) -> str:
    """A case field's value as the clerk reads it: ``empty`` when none, yes / no, an amount in
    yuan, a country by its name, ids by their labels (购机发票、三包凭证), a brand as its plugin
    names it (``brands``: the registry's; its id without them)."""
    from aftersales.core.casefields import field_of

    if value is None or value == "" or value == []:
        return empty
    if isinstance(value, bool):
        return t("yes" if value else "no", lang)
    if path == "purchase.country" and isinstance(value, str):
        return country(value, lang)
    spec = field_of(path)
    if spec is not None and spec.kind == "amount" and isinstance(value, (int, float)):
        return f"{value:,.2f}".rstrip("0").rstrip(".") + (" 元" if lang == "zh" else " yuan")
    if spec is not None and spec.vocab == "brand" and isinstance(value, str):
        from aftersales.core.plugininfo import brand_name

        return brand_name(brands, value, lang)
    kind = spec.vocab if spec is not None and spec.vocab not in (None, "brand") else None
    items = value if isinstance(value, list) else [value]
    return listed((vocab(kind, str(v), lang) if kind else str(v) for v in items), lang)


def field_label(path: str, lang: str = "zh") -> str:
    """The label of a case field path (``device.imei``) or of an indexed id (``documents[0]``)."""
    from aftersales.core.casefields import field_of

    base = path.split("[", 1)[0]
    if base in TEXT:
        return t(base, lang)
    if base.startswith("history.plan_claims."):
        plan = vocab("coverage_plan", base.rsplit(".", 1)[1], lang)
        return f"{plan} 已用次数" if lang == "zh" else f"{plan} claims used"
    spec = field_of(base)
    return spec.label(lang) if spec is not None else path


# --- outcomes, printing and the manager's report -------------------------------------------------
TEXT.update({
    "key.outcome": ("处理结果", "Outcome"),
    "key.print_html": ("打印（HTML）", "Print (HTML)"),
    "key.report": ("店长日报", "Report"),
    # the report's chart of the week (a sparkline): what it shows, the days, its top
    "report.spark": ("每日受理件数", "Cases a day"),
    "report.spark_days": ("{start} 至 {end}", "{start} to {end}"),
    "report.spark_top": ("最多 {n} 件", "at most {n}"),
    "key.pickup_notice": ("取机短信", "Pickup SMS"),
    "key.inspect": ("附件与外观", "Accessories & appearance"),
    "inspect.passcode_none": ("（未登记，请选择）", "(not recorded: choose)"),
    "key.mail_in": ("寄修与维修类别", "Mail-in & repair kind"),
    "mail_in.set": ("已记录：{what}（Ctrl+S 保存案例时一并保存）", "Noted: {what} (stored with the case on Ctrl+S)"),
    "mail_in.mail": ("寄修协议", "mail-in agreement"),
    "mail_in.counter": ("到店送修", "brought to the counter"),
    "queue.sla_answer": ("超时未答复", "answer late"),
    "queue.sla_solution": ("超时无方案", "solution late"),
    "outcome.below_invoice": ("退款少于发票金额：判定给出的退货应按发票金额全额退款。如经店长同意少退，请在「店长特批原因」写明原因",
                              "the refund is less than the invoice price: the return the decision offers refunds it in "
                              "full. With a manager's consent, write the reason under “Manager's reason”"),
    "outcome.needs_override": ("判定未给出这种处理；可办理：{offered}。如经店长同意，请在「店长特批原因」写明原因",
                               "the decision does not offer this; offered: {offered}. With a manager's consent, "
                               "write the reason under “Manager's reason”"),
    "outcome.closed": ("此案例已结束，不能再登记处理结果", "the case is finished; no outcome can be recorded"),
    "outcome.refund_instead": ("退款（不换机）", "Refund (no exchange)"),
    "outcome.missing": ("请填写：{fields}", "fill in: {fields}"),
    "outcome.no_invoice_price": ("案例没有记录发票金额：请填写「{field}」", "the case has no invoice price: fill in “{field}”"),
})
