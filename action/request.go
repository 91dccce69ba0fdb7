package action

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"tandem/chat"
)

// Identity is what Tandem knows for sure about a verified customer, as the back-end sees them.
type Identity struct {
	CustomerID string
	Phone      string
	Policies   []string
}

// Request is a call about to be made: what an agent approving it sees is what will be sent.
type Request struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	Body   string `json:"body,omitempty"`
}

// CheckArgs validates arguments (from patterns, an agent's edit or a model) against the
// definition: unknown names and values breaking a rule are refused; missing lists the required
// parameters without a value.
func CheckArgs(d Definition, args map[string]string) (missing []string, err error) {
	for name := range args {
		if _, ok := d.Param(name); !ok {
			return nil, chat.Errorf(chat.EINVALID, "action %s has no parameter %q", d.Name, name)
		}
	}
	for _, p := range d.Params {
		v, ok := args[p.Name]
		if !ok || v == "" {
			if p.Required {
				missing = append(missing, p.Name)
			}
			continue
		}
		if err := checkValue(p, v); err != nil {
			return nil, chat.Errorf(chat.EINVALID, "action %s: parameter %s: %v", d.Name, p.Name, err)
		}
	}
	return missing, nil
}

// checkValue applies one parameter's rules to a value.
func checkValue(p Param, v string) error {
	n := utf8.RuneCountInString(v)
	max := cmpOr(p.MaxLen, MaxParamRunes)
	switch {
	case !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return r < ' ' && r != '\t' }):
		return chat.Errorf(chat.EINVALID, "not plain text")
	case n < p.MinLen || n > max:
		return chat.Errorf(chat.EINVALID, "length must be %d to %d", p.MinLen, max)
	case len(p.Enum) > 0 && !slices.Contains(p.Enum, v):
		return chat.Errorf(chat.EINVALID, "must be one of %s", strings.Join(p.Enum, ", "))
	case p.Pattern != "" && !regexp.MustCompile(`^(?:`+p.Pattern+`)$`).MatchString(v):
		return chat.Errorf(chat.EINVALID, "does not match %s", p.Pattern)
	}
	switch p.Type {
	case "integer":
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return chat.Errorf(chat.EINVALID, "must be a whole number")
		}
	case "number":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return chat.Errorf(chat.EINVALID, "must be a number")
		}
	}
	return nil
}

func cmpOr(a, b int) int {
	if a > 0 {
		return a
	}
	return b
}

// Build makes the request for checked arguments and the verified customer: placeholders are
// escaped for where they stand (path segment or query value); other values go in the query of a
// GET and in the JSON body of any other method.
func Build(d Definition, args map[string]string, id Identity) (Request, error) {
	if missing, err := CheckArgs(d, args); err != nil {
		return Request{}, err
	} else if len(missing) > 0 {
		return Request{}, chat.Errorf(chat.EINVALID, "action %s: missing %s", d.Name, strings.Join(missing, ", "))
	}
	values := map[string]any{}
	for k, v := range args {
		values[k] = typed(d, k, v)
	}
	for _, f := range d.Customer {
		switch f {
		case FieldCustomerID:
			values[f] = id.CustomerID
		case FieldPhone:
			values[f] = id.Phone
		case FieldPolicies:
			values[f] = append([]string{}, id.Policies...)
		}
	}
	used := map[string]bool{}
	path, query, _ := strings.Cut(d.URL, "?")
	fill := func(s string, escape func(string) string) string {
		return placeholder.ReplaceAllStringFunc(s, func(m string) string {
			name := m[1 : len(m)-1]
			used[name] = true
			return escape(text(values[name]))
		})
	}
	u := fill(path, url.PathEscape)
	if query != "" {
		u += "?" + fill(query, url.QueryEscape)
	}
	rest := map[string]any{}
	for k, v := range values {
		if !used[k] {
			rest[k] = v
		}
	}
	r := Request{Method: d.Method, URL: u}
	if d.Method == "GET" || d.Method == "DELETE" {
		r.URL = appendQuery(u, rest)
		return r, nil
	}
	body, _ := json.Marshal(rest)
	r.Body = string(body)
	return r, nil
}

// typed returns a value as its JSON type.
func typed(d Definition, name, v string) any {
	p, _ := d.Param(name)
	switch p.Type {
	case "integer", "number":
		return json.Number(v)
	}
	return v
}

// text is a value as it stands in a URL: a list joined by commas.
func text(v any) string {
	switch v := v.(type) {
	case []string:
		return strings.Join(v, ",")
	case json.Number:
		return v.String()
	case string:
		return v
	}
	return ""
}

func appendQuery(u string, rest map[string]any) string {
	if len(rest) == 0 {
		return u
	}
	q := url.Values{}
	for k, v := range rest {
		q.Set(k, text(v))
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + q.Encode()
}

// Mask hides argument values for the call log: only the last four characters of each remain.
func Mask(args map[string]string) map[string]string {
	out := make(map[string]string, len(args))
	for k, v := range args {
		r := []rune(v)
		if len(r) <= 4 {
			out[k] = masked
			continue
		}
		out[k] = masked + string(r[len(r)-4:])
	}
	return out
}
