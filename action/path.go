package action

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Lookup finds a dotted JSON path ("claim.status", "items.0.due") in a decoded document (numbers
// as json.Number) and returns the value as text: strings as they are, numbers and booleans
// written out, objects and arrays as JSON. ok is false when the path is absent or null.
func Lookup(doc any, path string) (string, bool) {
	v := doc
	for _, key := range strings.Split(path, ".") {
		switch node := v.(type) {
		case map[string]any:
			next, ok := node[key]
			if !ok {
				return "", false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(node) {
				return "", false
			}
			v = node[i]
		default:
			return "", false
		}
	}
	switch v := v.(type) {
	case nil:
		return "", false
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}
	b, _ := json.Marshal(v)
	return string(b), true
}
