package domain

import (
	"sort"
	"strconv"
	"strings"
)

// RequiredCopies is "一式三份": every paper item comes in three copies (R6).
const RequiredCopies = 3

// MaterialItem describes one entry of the §三 checklist.
type MaterialItem struct {
	Number   string `json:"number"`
	Title    string `json:"title"`
	Required bool   `json:"required"`
	// FromPrefecture marks item 1, recorded from the prefecture's filing and never asked
	// of the county.
	FromPrefecture bool `json:"from_prefecture"`
}

// Checklist is the materials list of §三 (R6): items 2–7 and 9 are required, 8 and 10
// optional, 1 comes from the prefecture.
var Checklist = []MaterialItem{
	{"1", "各市（州）商务主管部门推荐文件", false, true},
	{"2", "县级人民政府参选请示", true, false},
	{"3", "电子商务进农村示范工作基础条件", true, false},
	{"4", "电子商务进农村实施方案", true, false},
	{"5", "农村物流解决方案", true, false},
	{"6", "农村产品网络营销方案", true, false},
	{"7", "人员培训方案", true, false},
	{"8", "其他认为有必要、符合县域实际的工作方案", false, false},
	{"9", "县级行政主管部门作为推进电子商务进农村综合示范责任主体的承诺书", true, false},
	{"10", "各地认为有必要的其他补充材料", false, false},
}

func checklistItem(n string) (MaterialItem, bool) {
	for _, it := range Checklist {
		if it.Number == n {
			return it, true
		}
	}
	return MaterialItem{}, false
}

// Delivery is what the county has delivered of one item: the number of paper copies.
type Delivery struct {
	Copies int `json:"copies"`
}

// Materials maps checklist item numbers to deliveries.
type Materials map[string]Delivery

// ValidateDelivery refuses items the county cannot deliver: unknown numbers, item 1
// (the prefecture's document, R6) and negative copy counts.
func ValidateDelivery(items Materials) error {
	if len(items) == 0 {
		return refuse(CodeBadRequest, "R6", "items must name at least one checklist item (2–10)")
	}
	for _, n := range SortedCodes(items) {
		it, ok := checklistItem(n)
		if !ok {
			return refuse(CodeBadRequest, "R6", "item %q is not on the checklist of §三 (items 2–10)", Excerpt(n))
		}
		if it.FromPrefecture {
			return refuse(CodeBadRequest, "R6", "item 1 (the prefecture's recommendation document) is recorded from the prefecture's filing, not delivered by the county")
		}
		if items[n].Copies < 0 {
			return refuse(CodeBadRequest, "R6", "item %s: copies must be 0 or more", n)
		}
	}
	return nil
}

// Merge returns the checklist with the new deliveries applied over the old ones.
func (m Materials) Merge(items Materials) Materials {
	out := Materials{}
	for k, v := range m {
		out[k] = v
	}
	for k, v := range items {
		out[k] = v
	}
	return out
}

// Missing lists the required items delivered in fewer than three copies (R6), in
// checklist order.
func (m Materials) Missing() []string {
	var out []string
	for _, it := range Checklist {
		if it.Required && m[it.Number].Copies < RequiredCopies {
			out = append(out, it.Number)
		}
	}
	return out
}

// CheckSubmittable refuses submission while a required item is incomplete, unless the
// county is exempt (R6).
func CheckSubmittable(exempt bool, m Materials) error {
	if exempt {
		return nil
	}
	if missing := m.Missing(); len(missing) > 0 {
		return refuse(CodeMaterialsIncomplete, "R6", "required items incomplete (each needs %d copies): %s", RequiredCopies, strings.Join(missing, ", "))
	}
	return nil
}

// SortedItemNumbers lists the items of a delivery numerically ("2" before "10"), the
// order of the checklist.
func SortedItemNumbers(m Materials) []string {
	ns := SortedCodes(m)
	sort.Slice(ns, func(i, j int) bool {
		a, _ := strconv.Atoi(ns[i])
		b, _ := strconv.Atoi(ns[j])
		return a < b
	})
	return ns
}
