package console

import (
	"fmt"
	"strings"
)

// Languages of the console: Simplified Chinese first (the officials and the notice speak
// it), English on request (?lang=en, remembered in a cookie).
const (
	langZH = "zh"
	langEN = "en"
)

var languages = []string{langZH, langEN}

// missingMark frames a key that has no text, so a gap is visible on the page and the
// tests (which fail on it) rather than silently falling back.
const missingMark = "⟦"

// lookup finds a key's text in a language.
func lookup(lang, key string) (string, bool) {
	m, ok := messages[key]
	if !ok {
		return "", false
	}
	if lang == langEN {
		return m[1], true
	}
	return m[0], true
}

func translate(lang, key string) string {
	if s, ok := lookup(lang, key); ok {
		return s
	}
	return missingMark + key + "⟧"
}

func translatef(lang, key string, args ...any) string {
	s := translate(lang, key)
	if len(args) == 0 || strings.HasPrefix(s, missingMark) {
		return s
	}
	return fmt.Sprintf(s, args...)
}

func flashText(lang string, f flash) string {
	args := make([]any, len(f.Args))
	for i, a := range f.Args {
		args[i] = a
	}
	if f.Key == "flash.resolved" && len(args) == 2 {
		args[1] = translate(lang, "ob."+f.Args[1])
	}
	return translatef(lang, f.Key, args...)
}

// messages is every user-visible sentence of the console: {Chinese, English}. Names of
// states, codes and rules are keyed by prefix ("state.", "code.", "rule."), so the API's
// machine words (over_cap, R3) read as sentences in either language.
var messages = map[string][2]string{
	"app.name":    {"电子商务进农村综合示范县评选", "Rural e-commerce demonstration county selection"},
	"app.tagline": {"省商务厅 · 评选工作平台", "Provincial Department of Commerce · selection console"},
	"app.footer":  {"所有操作均经由系统 API 办理，并记入各申报的时间线（R11）。", "Every action goes through the system's API and is recorded on the case's timeline (R11)."},
	"lang.switch": {"切换语言", "Switch language"},
	"sep.colon":   {"：", ": "},
	"sep.list":    {"、", ", "},
	"live.error":  {"自动刷新暂时失败，将继续重试", "Live refresh failed for now; retrying"},

	"nav.label":          {"评选导航", "Campaign navigation"},
	"nav.campaign":       {"%d 年度评选", "Campaign %d"},
	"nav.signin":         {"登录", "Sign in"},
	"nav.signout":        {"退出", "Sign out"},
	"nav.board":          {"全省概览", "Province board"},
	"nav.my_application": {"本县申报", "My application"},
	"nav.my_prefecture":  {"本市（州）推荐", "My prefecture"},
	"nav.review":         {"评审打分", "Review"},
	"nav.admin":          {"评选管理", "Administration"},
	"nav.notice":         {"公示", "Public notice"},

	"countdown.passed": {"已截止", "deadline passed"},
	"countdown.days":   {"天", "d"},

	"deadline.recommendation": {"推荐截止", "Recommendation deadline"},
	"deadline.notice":         {"公示发布截止", "Notice deadline"},
	"deadline.publicity_end":  {"公示期结束", "Publicity ends"},

	"error.title":  {"无法完成操作", "The request could not be completed"},
	"error.detail": {"详情：", "Details: "},
	"error.home":   {"返回首页", "Back to the home page"},

	"code.bad_request":          {"请求有误", "Bad request"},
	"code.unauthenticated":      {"需要登录", "Sign-in required"},
	"code.forbidden":            {"无权办理", "Not permitted"},
	"code.not_found":            {"未找到", "Not found"},
	"code.conflict":             {"与当前状态冲突", "Conflict"},
	"code.deadline_passed":      {"已过截止时间", "Deadline passed"},
	"code.ineligible":           {"不符合参评条件", "Ineligible"},
	"code.over_cap":             {"超出推荐名额", "Over the prefecture's cap"},
	"code.materials_incomplete": {"申报材料不齐", "Materials incomplete"},
	"code.invalid_state":        {"当前状态不允许此操作", "Not allowed in the current state"},
	"code.method_not_allowed":   {"不支持的操作", "Method not allowed"},
	"code.payload_too_large":    {"提交内容过大", "Request too large"},
	"code.rate_limited":         {"操作过于频繁，请稍后再试", "Too many requests; try again shortly"},
	"code.internal":             {"系统内部错误", "Internal error"},
	"code.unavailable":          {"服务暂不可用，请稍后重试", "Service temporarily unavailable"},
	"code.timeout":              {"处理超时，请稍后重试", "The request timed out"},
	"code.csrf":                 {"表单已失效或来源不明，请刷新页面后重试", "The form expired or came from elsewhere; reload the page and try again"},
	"code.dev_disabled":         {"未启用开发登录", "Development sign-in is disabled"},

	"rule.R1":  {"评选参数：名额、上限、截止时间、公示期等由评选配置决定", "Campaign configuration: quota, cap, deadlines, publicity period"},
	"rule.R2":  {"参评范围：本省县级行政区，已获国家或省级示范的县除外", "Eligibility: counties of the province, past demonstration counties excluded"},
	"rule.R3":  {"各市（州）按顺序推荐不超过上限个县，超额推荐视为放弃", "A prefecture recommends an ordered list within its cap; over the cap forfeits"},
	"rule.R4":  {"省直管县自行申报，不占市（州）名额", "Directly administered counties apply on their own, outside any prefecture's quota"},
	"rule.R5":  {"逾期未推荐的申报视为自动放弃", "At the deadline, applications not recommended expire"},
	"rule.R6":  {"申报材料一式三份；第 2–7、9 项为必备", "Materials in three copies; items 2–7 and 9 are required"},
	"rule.R7":  {"按评审得分、国家评审得分与推荐顺序排序", "Ranking by review score, national score and recommendation order"},
	"rule.R8":  {"评审专家按六项标准打分，取平均", "Reviewers score six criteria; the mean counts"},
	"rule.R9":  {"须在公示截止日前发布入围名单", "The shortlist must be published by the notice deadline"},
	"rule.R10": {"公示期内可提出异议；期满无异议者确定为示范县", "Objections during publicity; counties without upheld objections are designated"},
	"rule.R11": {"每项决定均记录办理人、时间、理由与规则", "Every decision is recorded with actor, time, reason and rule"},
	"rule.R12": {"各级用户只能在本辖区内办理", "Officials act only within their jurisdiction"},

	"state.registered":   {"已登记", "registered"},
	"state.submitted":    {"已提交", "submitted"},
	"state.recommended":  {"已推荐", "recommended"},
	"state.under_review": {"评审中", "under review"},
	"state.shortlisted":  {"入围公示", "shortlisted"},
	"state.reserve":      {"候补", "reserve"},
	"state.designated":   {"确定为示范县", "designated"},
	"state.not_selected": {"未入选", "not selected"},
	"state.expired":      {"逾期放弃", "expired"},
	"state.forfeited":    {"超额取消", "forfeited"},
	"state.withdrawn":    {"已撤回", "withdrawn"},
	"state.removed":      {"异议成立除名", "removed"},

	"ps.open":      {"待推荐", "open"},
	"ps.filed":     {"已推荐", "filed"},
	"ps.forfeited": {"超额取消", "forfeited"},
	"ps.gave_up":   {"视为放弃", "gave up"},

	"phase.open":      {"推荐阶段", "open for recommendations"},
	"phase.reviewing": {"评审阶段", "reviewing"},
	"phase.ranked":    {"已排序", "ranked"},
	"phase.publicity": {"公示期", "publicity"},
	"phase.closed":    {"已结束", "closed"},

	"role.county":     {"县级", "county"},
	"role.prefecture": {"市（州）级", "prefecture"},
	"role.reviewer":   {"评审专家", "reviewer"},
	"role.admin":      {"省级管理员", "administrator"},

	"ob.open":      {"待处理", "open"},
	"ob.upheld":    {"异议成立", "upheld"},
	"ob.dismissed": {"异议不成立", "dismissed"},
	"ob.moot":      {"已失效", "moot"},

	"crit.organization":   {"组织领导", "Organization"},
	"crit.infrastructure": {"基础条件", "Infrastructure"},
	"crit.logistics":      {"物流配送", "Logistics"},
	"crit.online_sales":   {"网络销售", "Online sales"},
	"crit.implementers":   {"实施主体", "Implementers"},
	"crit.other":          {"其他", "Other"},

	"action.register":                {"登记申报", "registered"},
	"action.materials":               {"报送材料", "materials delivered"},
	"action.submit":                  {"提交申报", "submitted"},
	"action.self_apply":              {"自行申报", "self-applied"},
	"action.withdraw":                {"撤回", "withdrawn"},
	"action.recommend":               {"市（州）推荐", "recommended"},
	"action.recommendation_replaced": {"推荐名单更新", "recommendation replaced"},
	"action.forfeit":                 {"超额取消", "forfeited"},
	"action.deadline":                {"截止处理", "deadline"},
	"action.scorecard":               {"评审打分", "scorecard"},
	"action.scorecard_replaced":      {"更新打分", "scorecard replaced"},
	"action.ranking_invalidated":     {"排序作废", "ranking invalidated"},
	"action.ranked":                  {"排序", "ranked"},
	"action.notice_published":        {"发布公示", "notice published"},
	"action.objection_filed":         {"收到异议", "objection filed"},
	"action.objection_upheld":        {"异议成立", "objection upheld"},
	"action.objection_dismissed":     {"异议不成立", "objection dismissed"},
	"action.promoted":                {"候补递补", "promoted from reserve"},
	"action.designated":              {"确定为示范县", "designated"},
	"action.removed":                 {"除名", "removed"},
	"action.designation_waiting":     {"待异议处理", "designation waiting"},
	"action.campaign_closed":         {"评选结束", "campaign closed"},
	"action.phase":                   {"阶段变更", "phase"},
	"action.prefecture_filed":        {"市（州）报送名单", "prefecture filed"},
	"action.prefecture_refiled":      {"市（州）更新名单", "prefecture refiled"},
	"action.gave_up":                 {"视为放弃", "gave up"},
	"action.campaign_opened":         {"创建评选", "campaign opened"},
	"action.prefecture_gave_up":      {"市（州）视为放弃", "prefecture gave up"},
	"action.prefecture_forfeited":    {"市（州）超额取消", "prefecture forfeited"},
	"action.overdue":                 {"公示逾期", "notice overdue"},
	"action.overdue_cleared":         {"逾期解除", "overdue cleared"},
	"action.reranked":                {"重新排序", "re-ranked"},

	"item.1":  {"各市（州）商务主管部门推荐文件", "Prefecture's recommendation document"},
	"item.2":  {"县级人民政府参选请示", "County government's application letter"},
	"item.3":  {"电子商务进农村示范工作基础条件", "Basic conditions for the demonstration work"},
	"item.4":  {"电子商务进农村实施方案", "Implementation plan"},
	"item.5":  {"农村物流解决方案", "Rural logistics plan"},
	"item.6":  {"农村产品网络营销方案", "Online marketing plan for rural products"},
	"item.7":  {"人员培训方案", "Training plan"},
	"item.8":  {"其他认为有必要、符合县域实际的工作方案", "Other work plans fitting the county"},
	"item.9":  {"县级行政主管部门作为推进电子商务进农村综合示范责任主体的承诺书", "Commitment letter of the responsible county department"},
	"item.10": {"各地认为有必要的其他补充材料", "Other supplementary materials"},

	"tl.at":     {"时间", "Time"},
	"tl.actor":  {"办理人", "Actor"},
	"tl.action": {"事项", "Action"},
	"tl.move":   {"状态变化", "From → to"},
	"tl.rule":   {"规则", "Rule"},
	"tl.detail": {"说明", "Detail"},
	"tl.empty":  {"暂无记录。", "Nothing recorded yet."},

	"list.pages": {"翻页", "Pages"},
	"list.more":  {"下一页", "Next page"},
	"list.first": {"回到第一页", "Back to the first page"},

	"home.title":        {"首页", "Home"},
	"home.intro":        {"本平台供县、市（州）、评审专家和省级管理员办理电子商务进农村综合示范县评选，公众可查阅公示并提出异议。", "County, prefecture, reviewer and provincial officials run the selection of e-commerce demonstration counties here; the public reads the notice and may object."},
	"home.campaigns":    {"评选年度", "Campaigns"},
	"home.year":         {"年度", "Year"},
	"home.next":         {"下一个截止时间", "Next deadline"},
	"home.go":           {"进入", "Go to"},
	"home.no_campaigns": {"暂无评选。", "No campaign yet."},
	"home.notices":      {"入围名单公示", "Public notices"},
	"home.notice_of":    {"%d 年度入围名单公示", "Shortlist notice %d"},
	"home.no_notices":   {"暂无已发布的公示。", "No notice has been published."},

	"signin.title":           {"登录", "Sign in"},
	"signin.token_title":     {"使用令牌登录", "Sign in with a token"},
	"signin.token_help":      {"粘贴系统签发的访问令牌（JWT）。令牌仅保存在本浏览器的 HttpOnly Cookie 中。", "Paste the access token (JWT) you were issued. It is kept only in an HttpOnly cookie of this browser."},
	"signin.token":           {"访问令牌", "Access token"},
	"signin.submit":          {"登录", "Sign in"},
	"signin.dev_title":       {"开发环境：选择角色登录", "Development: sign in as a role"},
	"signin.dev_help":        {"仅用于开发环境：选择角色与辖区，系统即签发令牌。评审专家和管理员的辖区为全省。", "Development only: pick a role and region and the console mints a token. Reviewers and administrators act for the province."},
	"signin.role":            {"角色", "Role"},
	"signin.region":          {"辖区", "Region"},
	"signin.sub":             {"姓名（可选）", "Name (optional)"},
	"signin.sub_placeholder": {"如：zhang-san", "e.g. zhang-san"},
	"signin.dev_submit":      {"以此身份登录", "Sign in as this role"},

	"flash.signed_in":        {"已登录：%s", "Signed in as %s"},
	"flash.signed_out":       {"已退出登录。", "Signed out."},
	"flash.session_expired":  {"登录已失效，请重新登录。", "Your session expired; sign in again."},
	"flash.campaign_created": {"%s 年度评选已创建。", "Campaign %s created."},
	"flash.registered":       {"申报已登记。", "Application registered."},
	"flash.materials_saved":  {"材料清单已保存。", "Materials checklist saved."},
	"flash.submitted":        {"申报已提交。", "Application submitted."},
	"flash.self_applied":     {"已自行申报（省直管县）。", "Self-application filed (directly administered county)."},
	"flash.withdrawn":        {"申报已撤回。", "Application withdrawn."},
	"flash.scored":           {"已提交对%s的评分。", "Scorecard for %s saved."},
	"flash.filed":            {"推荐名单已正式报送：%s", "Recommendation filed: %s"},
	"flash.forfeited":        {"报送名单超过上限，本市（州）全部候选县已被取消资格（R3）。", "The list was over the cap: every candidate of this prefecture is forfeited (R3)."},
	"flash.ranked":           {"已完成排序。", "Ranking done."},
	"flash.published":        {"入围名单已公示。", "Notice published; publicity has started."},
	"flash.promoted":         {"已从候补名单递补。", "The best reserve candidate was promoted."},
	"flash.declined":         {"空缺不予递补，已记录理由。", "The vacancies stay unfilled; the reason is recorded."},
	"flash.designation_ref":  {"已登记确定文件文号。", "The document reference is recorded."},
	"flash.resolved":         {"异议 %s：%s。", "Objection %s: %s."},
	"flash.objection_filed":  {"异议已受理，编号 %s（%s）。", "Objection %s received (%s)."},

	"board.title":                   {"%d 年度全省概览", "Province board %d"},
	"board.phase":                   {"阶段", "Phase"},
	"board.quota":                   {"全省名额", "Provincial quota"},
	"board.cap":                     {"每个市（州）最多推荐 %d 个", "at most %d per prefecture"},
	"board.deadlines":               {"时间安排（北京时间）", "Calendar (Beijing time)"},
	"board.recommendation_deadline": {"推荐截止", "Recommendation deadline"},
	"board.notice_deadline":         {"公示发布截止", "Notice deadline"},
	"board.publicity_period":        {"公示期", "Publicity period"},
	"board.counts":                  {"各状态数量", "Applications by state"},
	"board.no_applications":         {"尚无申报。", "No application yet."},
	"board.map":                     {"各市（州）情况", "Prefectures and their counties"},
	"board.recommended":             {"推荐", "Recommended"},
	"board.direct":                  {"直管", "direct"},
	"board.excluded":                {"不参评", "excluded"},
	"board.not_registered":          {"未申报", "not registered"},
	"board.legend":                  {"图例：", "Legend:"},
	"board.overdue":                 {"公示逾期", "Notice overdue"},
	"board.overdue_short":           {"逾期", "overdue"},
	"board.overdue_detail":          {"入围名单未在 %s 前发布，评选处于逾期状态，直至发布为止。", "The shortlist was not published by %s; the campaign stays overdue until it is."},

	"app.title":           {"%s · %d 年度申报", "%s · application %d"},
	"app.county":          {"县（市、区）", "County"},
	"app.direct":          {"省直管县", "directly administered"},
	"app.exempt":          {"免报材料", "materials exempt"},
	"app.exempt_help":     {"本县参加了国家竞争性评审，已有国家评审得分，免报材料（R6）。", "This county took part in the national selection and has its score: no materials are needed (R6)."},
	"app.not_registered":  {"本县在本年度尚未登记申报。", "This county has no application in this campaign."},
	"app.register":        {"登记申报", "Register an application"},
	"app.status":          {"状态与时间线", "State and timeline"},
	"app.state":           {"状态", "State"},
	"app.updated":         {"更新于", "updated"},
	"app.timeline":        {"时间线", "Timeline"},
	"app.materials":       {"申报材料清单", "Materials checklist"},
	"app.item":            {"材料", "Item"},
	"app.required":        {"要求", "Requirement"},
	"app.required_yes":    {"必备", "required"},
	"app.optional":        {"可选", "optional"},
	"app.copies":          {"份数", "Copies"},
	"app.complete":        {"齐全", "Complete"},
	"app.copies_help":     {"纸质材料一式三份，不足三份视为不齐。", "Paper materials come in three copies; fewer counts as incomplete."},
	"app.item1_help":      {"由市（州）推荐时记录，县无需报送", "Recorded from the prefecture's filing; not delivered by the county"},
	"app.save_materials":  {"保存材料清单", "Save checklist"},
	"app.missing":         {"尚缺必备材料", "Required items still missing"},
	"app.actions":         {"办理", "Actions"},
	"app.submit":          {"提交申报", "Submit application"},
	"app.submit_help":     {"必备材料齐全后方可提交。", "Submit once every required item is complete."},
	"app.self_apply":      {"自行申报", "Apply on our own"},
	"app.self_apply_help": {"省直管县不经市（州）推荐，自行申报。", "A directly administered county applies without a prefecture."},
	"app.document_ref":    {"申报文号", "Document reference"},
	"app.withdraw":        {"撤回申报", "Withdraw"},
	"app.withdraw_reason": {"撤回理由", "Reason"},
	"app.no_actions":      {"当前无可办理事项。", "Nothing to do here right now."},
	"app.recommendation":  {"推荐情况", "Recommendation"},
	"app.not_recommended": {"尚未被推荐", "not recommended"},
	"app.scores":          {"评审与排序", "Scores and rank"},
	"app.national":        {"国家评审得分", "National score"},
	"app.review":          {"省级评审得分", "Review score"},
	"app.rank":            {"排名", "Rank"},
	"app.reviewer":        {"评审专家", "Reviewer"},
	"app.comment":         {"评语", "Comment"},
	"app.mean":            {"平均", "Mean"},
	"app.no_scorecards":   {"尚无评分。", "No scorecard yet."},

	"bd.national":     {"国家评审", "National"},
	"bd.review":       {"省级评审", "Review"},
	"bd.cards":        {"%d 份评分", "%d scorecard(s)"},
	"bd.order":        {"推荐顺序加分", "Order bonus"},
	"bd.self_applied": {"自行申报", "self-applied"},
	"bd.pick":         {"第 %d 顺位", "pick %d"},
	"bd.focus":        {"物流与网销均分", "Logistics + online sales mean"},
	"bd.total":        {"综合得分", "Total"},

	"pref.title":                    {"%s · %d 年度推荐", "%s · recommendation %d"},
	"pref.status":                   {"推荐状态", "Status"},
	"pref.filed_list":               {"已报送名单", "Filed list"},
	"pref.filed_at":                 {"报送时间", "Filed at"},
	"pref.cap":                      {"推荐上限", "Cap"},
	"pref.cap_help":                 {"超过上限将导致全部候选县被取消（R3）", "Over the cap forfeits every candidate (R3)"},
	"pref.forfeited":                {"本市（州）因超额推荐已被取消资格", "This prefecture forfeited by filing over the cap"},
	"pref.forfeiting":               {"超额报送的名单", "The over-cap filing"},
	"pref.gave_up":                  {"本市（州）在截止前未推荐，视为放弃", "This prefecture filed nothing by the deadline and gave up"},
	"pref.preview_ok":               {"校验通过：此名单可以正式报送", "Valid: this list can be filed"},
	"pref.overcap_title":            {"警告：此名单超过推荐上限", "Warning: this list is over the cap"},
	"pref.overcap_detail":           {"每个市（州）最多推荐 %d 个县。若正式报送此名单，本市（州）全部候选县将被取消资格，且不可恢复。", "A prefecture may recommend at most %d counties. Filing this list would forfeit every candidate of the prefecture, for good."},
	"pref.counties":                 {"所辖县及推荐顺序", "Counties and recommendation order"},
	"pref.order":                    {"推荐顺序", "Order"},
	"pref.missing":                  {"项未齐", "item(s) missing"},
	"pref.direct_no":                {"省直管，自行申报", "directly administered: applies on its own"},
	"pref.document_ref":             {"推荐文号", "Document reference"},
	"pref.document_ref_placeholder": {"如：遵商发〔2016〕12号", "e.g. 遵商发〔2016〕12号"},
	"pref.form_help":                {"为要推荐的县选择顺序（1 为首选）。可先“仅校验”，确认无误后再正式报送；截止前可重新报送替换名单。", "Choose an order for each county to recommend (1 is the first pick). Validate first; a filed list may be replaced before the deadline."},
	"pref.validate":                 {"仅校验（不报送）", "Validate only"},
	"pref.file":                     {"正式报送", "File recommendation"},
	"pref.cannot_file":              {"当前不能报送推荐名单。", "No recommendation can be filed now."},
	"prefecture.confirm_forfeit":    {"此名单超过推荐上限，正式报送将导致本市（州）全部候选县被取消资格。确定报送吗？", "This list is over the cap: filing it forfeits every candidate of the prefecture. File anyway?"},

	"review.title":      {"%d 年度评审打分", "Review %d"},
	"review.candidates": {"评审对象", "Candidates"},
	"review.help":       {"按六项标准打分（0–100），每项括号内为权重。重新打分将替换您之前的评分。", "Score the six criteria (0–100); weights in brackets. Scoring again replaces your earlier card."},
	"review.closed":     {"当前阶段不接受评分（推荐截止后至公示发布前可评分）。", "Scorecards are accepted between the recommendation deadline and the notice."},
	"review.readonly":   {"仅评审专家和管理员可以打分。", "Only reviewers and administrators score."},
	"review.none":       {"暂无评审对象。", "No candidate in review."},
	"review.scored":     {"已评分", "scored"},
	"review.score":      {"提交评分", "Submit scorecard"},
	"review.rescore":    {"更新评分", "Replace my scorecard"},

	"admin.title":            {"%d 年度评选管理", "Administration %d"},
	"admin.no_campaign":      {"%d 年度评选尚未创建。", "There is no campaign for %d yet."},
	"admin.config":           {"评选配置", "Configuration"},
	"admin.excluded":         {"不参评县", "Excluded"},
	"admin.national":         {"国家评审得分", "National scores"},
	"admin.actions":          {"管理操作", "Actions"},
	"admin.rank":             {"运行排序", "Run ranking"},
	"admin.rank_help":        {"评审阶段可运行，发布公示前可重新运行。", "Available while reviewing; may be re-run until the notice."},
	"admin.publish":          {"发布公示", "Publish notice"},
	"admin.publish_help":     {"排序后发布入围名单，公示期随即开始。", "Publishes the shortlist; publicity starts."},
	"admin.promote":          {"候补递补", "Promote reserve"},
	"admin.promote_help":     {"公示期内，出现空缺时由最优候补递补。", "During publicity, fills a vacancy with the best reserve."},
	"admin.decline_label":    {"空缺 %d 个，不予递补的理由", "%d vacant place(s); reason for leaving them unfilled"},
	"admin.decline":          {"不予递补", "Leave unfilled"},
	"admin.decline_help":     {"空缺不再递补，公示结束后即可结束评选。", "The vacancies stay unfilled; the campaign may then close."},
	"admin.document_ref":     {"省厅确定文件文号", "Document reference of the decision"},
	"admin.record_ref":       {"登记文号", "Record reference"},
	"admin.designation_help": {"登记在公开的示范县名单上。", "Recorded on the public final list."},
	"admin.unscored":         {"以下评审对象尚无评分，暂不能排序", "These candidates have no scorecard yet; ranking will be refused"},
	"admin.ranking":          {"排序结果", "Ranking"},
	"admin.no_ranking":       {"尚未排序。", "Not ranked yet."},
	"admin.breakdown":        {"得分构成", "Breakdown"},
	"admin.group_shortlist":  {"入围", "Shortlist"},
	"admin.group_reserve":    {"候补", "Reserve"},
	"admin.group_others":     {"其他", "Others"},
	"admin.upheld_tag":       {"异议成立，公示期满后除名", "objection upheld: removed when publicity ends"},
	"admin.promoted":         {"递补", "promoted"},
	"admin.objections":       {"异议处理", "Objections"},
	"admin.no_objections":    {"暂无异议。", "No objection."},
	"admin.filed_at":         {"提出时间", "Filed"},
	"admin.objection_status": {"处理结果", "Status"},
	"admin.note":             {"处理说明", "Note"},
	"admin.uphold":           {"异议成立", "Uphold"},
	"admin.dismiss":          {"异议不成立", "Dismiss"},
	"admin.timeline":         {"评选时间线", "Campaign timeline"},

	"create.title":                   {"创建评选", "Create a campaign"},
	"create.help":                    {"时间均为北京时间；公示期为时长，如 168h（7 天）。", "Times are Beijing time; the publicity period is a duration such as 168h (7 days)."},
	"create.year":                    {"年度", "Year"},
	"create.quota":                   {"全省名额", "Provincial quota"},
	"create.cap":                     {"每个市（州）推荐上限", "Cap per prefecture"},
	"create.recommendation_deadline": {"推荐截止时间", "Recommendation deadline"},
	"create.notice_deadline":         {"公示发布截止时间", "Notice deadline"},
	"create.publicity":               {"公示期", "Publicity period"},
	"create.excluded":                {"不参评县（代码，空格分隔）", "Excluded counties (codes, space-separated)"},
	"create.national":                {"国家评审得分（每行 代码=得分）", "National scores (one code=score per line)"},
	"create.submit":                  {"创建评选", "Create campaign"},

	"notice.title":               {"%d 年度入围名单公示", "Shortlist notice %d"},
	"notice.not_published":       {"%d 年度入围名单尚未发布。", "The %d shortlist has not been published yet."},
	"notice.published_at":        {"发布时间", "Published"},
	"notice.late":                {"逾期发布", "published late"},
	"notice.publicity_ends":      {"公示截止", "Publicity ends"},
	"notice.count":               {"入围数量", "Shortlisted"},
	"notice.version":             {"公示版本", "Notice version"},
	"notice.previous_version":    {"上一版本", "previous version"},
	"notice.removed":             {"异议成立，取消入围", "removed"},
	"notice.withdrawn":           {"已退出", "withdrawn"},
	"notice.designated":          {"已确定", "designated"},
	"notice.shortlist":           {"入围名单及得分说明", "Shortlist and how each score was reached"},
	"notice.prefecture":          {"所属市（州）", "Prefecture"},
	"notice.text":                {"公示原文", "Notice text"},
	"notice.object_title":        {"提出异议", "File an objection"},
	"notice.object_help":         {"公示期内，任何单位和个人均可对入围县提出异议，由省商务厅核实处理。", "During publicity anyone may object to a shortlisted county; the Department examines every objection."},
	"notice.reason":              {"异议理由", "Reason"},
	"notice.contact":             {"联系方式（可选）", "Contact (optional)"},
	"notice.contact_placeholder": {"电话或电子邮箱", "phone or e-mail"},
	"notice.object_submit":       {"提交异议", "Submit objection"},
	"notice.publicity_over":      {"公示期已结束，不再受理异议。", "Publicity is over; no more objections are taken."},
}
