// Package action holds the admin-defined actions through which the bot looks things up and gets
// things done in a business's own systems: a definition (HTTP method, URL template, auth, typed
// parameters, response mapping, risk class), its validation, the executor that calls it, and the
// bot turn that triggers it for a verified customer.
package action

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"tandem/chat"
)

// Risk says what an action does to a customer's data, and so who must agree before it runs.
type Risk string

// The risk classes: a read runs at once; a write after the customer confirms it; a write that
// needs approval after an agent approves it in the console.
const (
	RiskRead     Risk = "read"
	RiskWrite    Risk = "write"
	RiskApproval Risk = "write_needs_approval"
)

// Limits of a definition.
const (
	// DefaultTimeout bounds one call when the definition sets none.
	DefaultTimeout = 4 * time.Second
	// MaxTimeout is the longest timeout a definition may set (a customer is waiting).
	MaxTimeout = 15 * time.Second
	// MaxRetries is the most extra attempts a read may make.
	MaxRetries = 2
	// MaxParams is the most parameters a definition may take.
	MaxParams = 20
	// MaxParamRunes is the longest value any parameter accepts.
	MaxParamRunes = 500
	// maxTextRunes bounds descriptions, prompts and reply templates.
	maxTextRunes = 2000
)

// Auth is how an action authenticates to its back-end. Secrets are never shown back: see Masked.
type Auth struct {
	// Type is none (or ""), bearer, basic, header or hmac.
	Type string `json:"type,omitempty"`
	// Token is the bearer token.
	Token string `json:"token,omitempty"`
	// Username and Password are basic auth's.
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	// Header names the header that carries Value (header), or the hex HMAC-SHA256 of the body
	// under Secret (hmac; default X-Signature).
	Header string `json:"header,omitempty"`
	Value  string `json:"value,omitempty"`
	Secret string `json:"secret,omitempty"`
}

// Param is one typed input of an action.
type Param struct {
	Name string `json:"name"`
	// Type is string (default), integer or number.
	Type        string `json:"type,omitempty"`
	Description string `json:"description,omitempty"`
	Required    bool   `json:"required,omitempty"`
	// Pattern is a regular expression the whole value must match; offline, it also finds the
	// value in the customer's messages.
	Pattern string   `json:"pattern,omitempty"`
	Enum    []string `json:"enum,omitempty"`
	MinLen  int      `json:"min_length,omitempty"`
	MaxLen  int      `json:"max_length,omitempty"`
	// Extract finds the value in a customer's message offline: a regular expression whose first
	// group (or whole match) is the value; Pattern when empty.
	Extract string `json:"extract,omitempty"`
	// Ask is the clarifying question per language when the value is missing.
	Ask map[string]string `json:"ask,omitempty"`
	// Owned marks a value that names the customer's own policy or claim: the call's response
	// must show it belongs to the verified customer (Response.Owner) before anything is said.
	Owned bool `json:"owned,omitempty"`
}

// Customer fields an action can be given from the verified identity.
const (
	FieldCustomerID = "customer_id"
	FieldPhone      = "phone"
	FieldPolicies   = "policies"
)

// Response maps a back-end's JSON answer into the customer's reply.
type Response struct {
	// Fields name values by dotted JSON paths ("claim.status", "items.0.due"); every one must
	// be present or the call fails.
	Fields map[string]string `json:"fields,omitempty"`
	// Owner is the JSON path of the customer id the answer belongs to; required when a
	// parameter is Owned.
	Owner string `json:"owner,omitempty"`
	// Reply is the reply template per language ("en", "zh"): {field} and {param} are replaced.
	Reply map[string]string `json:"reply"`
}

// Definition is an action as an admin defines it.
type Definition struct {
	Name        string            `json:"name"`
	Description map[string]string `json:"description"`
	Method      string            `json:"method"`
	// URL is the target with {param} placeholders (path segments and query values are escaped).
	URL    string  `json:"url"`
	Auth   Auth    `json:"auth,omitzero"`
	Params []Param `json:"params,omitempty"`
	// Customer lists the verified customer's fields passed along: customer_id, phone, policies.
	Customer []string `json:"customer,omitempty"`
	Response Response `json:"response"`
	// TimeoutMS bounds one attempt (DefaultTimeout when 0).
	TimeoutMS int `json:"timeout_ms,omitempty"`
	// Retries are extra attempts after a failure; reads only.
	Retries   int       `json:"retries,omitempty"`
	Risk      Risk      `json:"risk"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Timeout is how long one attempt may take.
func (d Definition) Timeout() time.Duration {
	if d.TimeoutMS <= 0 {
		return DefaultTimeout
	}
	return time.Duration(d.TimeoutMS) * time.Millisecond
}

// Param returns the named parameter.
func (d Definition) Param(name string) (Param, bool) {
	for _, p := range d.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

var (
	validName   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	placeholder = regexp.MustCompile(`\{([^{}]*)\}`)
	validHeader = regexp.MustCompile(`^[A-Za-z0-9-]{1,100}$`)
)

// methods an action may use.
var methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

// customerFields are the identity fields an action may ask for.
var customerFields = []string{FieldCustomerID, FieldPhone, FieldPolicies}

// Validate checks a definition an admin wrote, with an error naming the field to fix.
func Validate(d Definition) error {
	for _, check := range []func(Definition) error{validateHead, validateURL, validateAuth, validateParams, validateResponse} {
		if err := check(d); err != nil {
			return err
		}
	}
	return nil
}

func invalid(d Definition, field, format string, args ...any) error {
	return chat.Errorf(chat.EINVALID, "action %s: %s: "+format, append([]any{d.Name, field}, args...)...)
}

func validateHead(d Definition) error {
	switch {
	case !validName.MatchString(d.Name):
		return chat.Errorf(chat.EINVALID, "action name %q: use 1–63 lower-case letters, digits or _, starting with a letter", d.Name)
	case strings.TrimSpace(d.Description["en"]) == "" && strings.TrimSpace(d.Description["zh"]) == "":
		return invalid(d, "description", "give a description in en or zh (it tells agents and models what the action does)")
	case !slices.Contains(methods, d.Method):
		return invalid(d, "method", "must be one of %s", strings.Join(methods, ", "))
	case d.Risk != RiskRead && d.Risk != RiskWrite && d.Risk != RiskApproval:
		return invalid(d, "risk", "must be read, write or write_needs_approval")
	case d.Risk == RiskRead && d.Method != "GET":
		return invalid(d, "risk", "a %s call changes data: use write or write_needs_approval", d.Method)
	case d.TimeoutMS < 0 || time.Duration(d.TimeoutMS)*time.Millisecond > MaxTimeout:
		return invalid(d, "timeout_ms", "must be 0 (default %s) to %d", DefaultTimeout, MaxTimeout.Milliseconds())
	case d.Retries < 0 || d.Retries > MaxRetries:
		return invalid(d, "retries", "must be 0 to %d", MaxRetries)
	case d.Retries > 0 && d.Risk != RiskRead:
		return invalid(d, "retries", "only reads are retried: a repeated write could apply twice")
	}
	for lang, text := range d.Description {
		if err := checkText(d, "description."+lang, lang, text); err != nil {
			return err
		}
	}
	for _, f := range d.Customer {
		if !slices.Contains(customerFields, f) {
			return invalid(d, "customer", "%q is not a customer field (use %s)", f, strings.Join(customerFields, ", "))
		}
	}
	return nil
}

func checkText(d Definition, field, lang, text string) error {
	if lang != "en" && lang != "zh" {
		return invalid(d, field, "languages are en and zh")
	}
	if utf8.RuneCountInString(text) > maxTextRunes {
		return invalid(d, field, "at most %d characters", maxTextRunes)
	}
	return nil
}

func validateURL(d Definition) error {
	u, err := url.Parse(placeholder.ReplaceAllString(d.URL, "x"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid(d, "url", "must be an absolute http or https URL")
	}
	if u.User != nil {
		return invalid(d, "url", "put credentials in auth, not in the URL")
	}
	if i := strings.Index(d.URL, "://"); i >= 0 && strings.Contains(strings.SplitN(d.URL[i+3:], "/", 2)[0], "{") {
		return invalid(d, "url", "the host cannot be a placeholder: a parameter must never choose where a call goes")
	}
	if strings.Contains(d.URL, "#") {
		return invalid(d, "url", "no fragment")
	}
	for _, m := range placeholder.FindAllStringSubmatch(d.URL, -1) {
		if _, ok := d.Param(m[1]); !ok && !slices.Contains(d.Customer, m[1]) {
			return invalid(d, "url", "placeholder {%s} is neither a parameter nor a customer field in customer", m[1])
		}
	}
	return nil
}

func validateAuth(d Definition) error {
	a := d.Auth
	switch a.Type {
	case "", "none":
	case "bearer":
		if a.Token == "" {
			return invalid(d, "auth.token", "bearer auth needs a token")
		}
	case "basic":
		if a.Username == "" {
			return invalid(d, "auth.username", "basic auth needs a username")
		}
	case "header":
		if !validHeader.MatchString(a.Header) || a.Value == "" {
			return invalid(d, "auth.header", "header auth needs a header name (letters, digits, -) and a value")
		}
	case "hmac":
		if a.Secret == "" || (a.Header != "" && !validHeader.MatchString(a.Header)) {
			return invalid(d, "auth.secret", "hmac auth needs a secret (and, optionally, a header name)")
		}
	default:
		return invalid(d, "auth.type", "must be none, bearer, basic, header or hmac")
	}
	return nil
}

func validateParams(d Definition) error {
	if len(d.Params) > MaxParams {
		return invalid(d, "params", "at most %d", MaxParams)
	}
	seen := map[string]bool{}
	for _, p := range d.Params {
		field := "params." + p.Name
		switch {
		case !validName.MatchString(p.Name):
			return invalid(d, "params", "parameter name %q: use lower-case letters, digits or _", p.Name)
		case seen[p.Name] || slices.Contains(customerFields, p.Name):
			return invalid(d, field, "the name is taken (twice, or a customer field)")
		case p.Type != "" && p.Type != "string" && p.Type != "integer" && p.Type != "number":
			return invalid(d, field+".type", "must be string, integer or number")
		case p.MinLen < 0 || p.MaxLen < 0 || p.MaxLen > MaxParamRunes || (p.MaxLen > 0 && p.MinLen > p.MaxLen):
			return invalid(d, field+".max_length", "lengths are 0 to %d and min_length ≤ max_length", MaxParamRunes)
		case p.Owned && d.Response.Owner == "":
			return invalid(d, "response.owner", "parameter %s is owned: name the JSON path of the customer id it belongs to", p.Name)
		}
		seen[p.Name] = true
		if p.Pattern != "" {
			if _, err := regexp.Compile(p.Pattern); err != nil {
				return invalid(d, field+".pattern", "not a regular expression: %v", err)
			}
		}
		if p.Extract != "" {
			if _, err := regexp.Compile(p.Extract); err != nil {
				return invalid(d, field+".extract", "not a regular expression: %v", err)
			}
		}
		for lang, text := range p.Ask {
			if err := checkText(d, field+".ask."+lang, lang, text); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateResponse(d Definition) error {
	r := d.Response
	if strings.TrimSpace(r.Reply["en"]) == "" && strings.TrimSpace(r.Reply["zh"]) == "" {
		return invalid(d, "response.reply", "give a reply template in en or zh")
	}
	for name, path := range r.Fields {
		if !validName.MatchString(name) || strings.TrimSpace(path) == "" {
			return invalid(d, "response.fields", "field %q needs a lower-case name and a JSON path", name)
		}
	}
	for lang, text := range r.Reply {
		if err := checkText(d, "response.reply."+lang, lang, text); err != nil {
			return err
		}
		for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
			_, isParam := d.Param(m[1])
			if _, isField := r.Fields[m[1]]; !isField && !isParam {
				return invalid(d, "response.reply."+lang, "{%s} is neither a response field nor a parameter", m[1])
			}
		}
	}
	return nil
}

// masked is what a secret shows as.
const masked = "••••"

// Masked returns d with its secrets hidden, as admins and exports see it.
func (d Definition) Masked() Definition {
	for _, s := range []*string{&d.Auth.Token, &d.Auth.Password, &d.Auth.Value, &d.Auth.Secret} {
		if *s != "" {
			*s = masked
		}
	}
	return d
}

// KeepSecrets returns d with every secret left masked (or empty while the type is unchanged)
// taken from the stored definition old, so an edit need not re-enter them.
func (d Definition) KeepSecrets(old Definition) Definition {
	if d.Auth.Type != old.Auth.Type {
		return d
	}
	pairs := [][2]*string{{&d.Auth.Token, &old.Auth.Token}, {&d.Auth.Password, &old.Auth.Password},
		{&d.Auth.Value, &old.Auth.Value}, {&d.Auth.Secret, &old.Auth.Secret}}
	for _, p := range pairs {
		if *p[0] == masked || *p[0] == "" {
			*p[0] = *p[1]
		}
	}
	return d
}

// ParseFile reads an export: {"actions": [definition, …]}, or a bare array; every definition
// must be valid.
func ParseFile(data []byte) ([]Definition, error) {
	defs, err := ParseFileLoose(data)
	if err != nil {
		return nil, err
	}
	for _, d := range defs {
		if err := Validate(d); err != nil {
			return nil, err
		}
	}
	return defs, nil
}

// ParseFileLoose reads an export without validating it (its secrets may be masked).
func ParseFileLoose(data []byte) ([]Definition, error) {
	var file struct {
		Actions []Definition `json:"actions"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		var list []Definition
		if err2 := json.Unmarshal(data, &list); err2 != nil {
			return nil, chat.Errorf(chat.EINVALID, "actions file: %v", err)
		}
		file.Actions = list
	}
	return file.Actions, nil
}
