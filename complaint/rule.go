package complaint

import (
	"encoding/json"
	"fmt"
	"time"
)

// Rule is the decision clock of a category of complaints, in calendar days from receipt.
type Rule struct {
	// DecisionDays is the period for a decision (default 15).
	DecisionDays int `json:"decision_days"`
	// ComplexDays is the period a complex case may be extended to (default 30).
	ComplexDays int `json:"complex_days"`
	// ApprovedDays is the further period an approved extension adds, the customer told (default 30).
	ApprovedDays int `json:"approved_days"`
	// RemindDays is how long before the due date the owner is reminded (default 3).
	RemindDays int `json:"remind_days"`
	// Pausable lets an agent stop the clock (e.g. while an appraisal the rules exclude runs);
	// off by default: the default rules count every day.
	Pausable bool `json:"pausable"`
}

// Default rule values: China's rules for banking and insurance consumer complaints (a decision
// within 15 days of receipt, extendable to 30 for complex cases, and a further 30 with
// approval and notice to the customer).
const (
	DefaultDecisionDays = 15
	DefaultComplexDays  = 30
	DefaultApprovedDays = 30
	DefaultRemindDays   = 3
	// DefaultReopenDays is how long after closing a new complaint reopens the same case.
	DefaultReopenDays = 30
)

// DefaultRule is the rule of every category without its own.
var DefaultRule = Rule{DecisionDays: DefaultDecisionDays, ComplexDays: DefaultComplexDays, ApprovedDays: DefaultApprovedDays, RemindDays: DefaultRemindDays}

// Due is when a decision on a case received at t is due at extension level ext.
func (r Rule) Due(received time.Time, ext int) time.Time {
	switch ext {
	case ExtendComplex:
		return received.AddDate(0, 0, r.ComplexDays)
	case ExtendApproved:
		return received.AddDate(0, 0, r.ComplexDays+r.ApprovedDays)
	}
	return received.AddDate(0, 0, r.DecisionDays)
}

// Remind is when the owner of a case due at due is reminded.
func (r Rule) Remind(due time.Time) time.Time { return due.AddDate(0, 0, -r.RemindDays) }

// Config is the complaints configuration (TANDEM_COMPLAINTS, JSON).
type Config struct {
	// Rules by category; "default" (or a missing category) uses DefaultRule unless given.
	Rules map[string]Rule `json:"rules"`
	// ReopenDays: a complaint from a customer whose case closed this recently reopens it.
	ReopenDays int `json:"reopen_days"`
	// Escalation is what the customer is told they can do when they disagree with the
	// decision, by language ("en", "zh").
	Escalation map[string]string `json:"escalation"`
	// Intent is the intent that opens a case (default "complaint"); Team the complaints team
	// whose agents own cases (default "complaints").
	Intent string `json:"intent"`
	Team   string `json:"team"`
	// Prefix starts every case number (default "TS-").
	Prefix string `json:"prefix"`
}

// DefaultEscalation tells the customer where to go when they disagree (the NFRA consumer
// hotline 12378 in China).
var DefaultEscalation = map[string]string{
	"en": "If you disagree with this decision, reply here to ask for a review by a senior complaints officer, or contact the National Financial Regulatory Administration's consumer hotline 12378.",
	"zh": "如您对处理结果有异议，可直接回复申请复核，也可拨打国家金融监督管理总局消费者投诉热线 12378。",
}

// ParseConfig reads a Config from JSON ("" is the defaults) and fills the defaults in.
func ParseConfig(s string) (Config, error) {
	var c Config
	if s != "" {
		if err := json.Unmarshal([]byte(s), &c); err != nil {
			return c, fmt.Errorf("complaints config: %w", err)
		}
	}
	return c.withDefaults()
}

func (c Config) withDefaults() (Config, error) {
	rules := map[string]Rule{}
	for cat, r := range c.Rules {
		if r.DecisionDays < 0 || r.ComplexDays < 0 || r.ApprovedDays < 0 || r.RemindDays < 0 {
			return c, fmt.Errorf("complaints config: rule %q has a negative period", cat)
		}
		r.DecisionDays = or(r.DecisionDays, DefaultDecisionDays)
		r.ComplexDays = max(or(r.ComplexDays, DefaultComplexDays), r.DecisionDays)
		r.ApprovedDays = or(r.ApprovedDays, DefaultApprovedDays)
		r.RemindDays = min(or(r.RemindDays, DefaultRemindDays), r.DecisionDays)
		rules[cat] = r
	}
	c.Rules = rules
	c.ReopenDays = or(c.ReopenDays, DefaultReopenDays)
	esc := map[string]string{}
	for k, v := range DefaultEscalation {
		esc[k] = v
	}
	for k, v := range c.Escalation {
		esc[k] = v
	}
	c.Escalation = esc
	if c.Intent == "" {
		c.Intent = "complaint"
	}
	if c.Team == "" {
		c.Team = "complaints"
	}
	if c.Prefix == "" {
		c.Prefix = "TS-"
	}
	return c, nil
}

// Rule is the rule of a category.
func (c Config) Rule(category string) Rule {
	if r, ok := c.Rules[category]; ok {
		return r
	}
	if r, ok := c.Rules["default"]; ok {
		return r
	}
	return DefaultRule
}

func or(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}
