package care_test

import (
	"testing"
	"time"

	"tandem/care"
	"tandem/chat"
)

// TestApplies: 65 on the birthday, not the day before; a stated age; the care flag either way;
// the age rule off; and bad rules refused.
func TestApplies(t *testing.T) {
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	r, err := care.ParseRules("")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		attrs map[string]string
		want  bool
	}{
		{map[string]string{"birth_date": "1961-12-04"}, true},
		{map[string]string{"birth_date": "1961-12-05"}, false},
		{map[string]string{"birth_date": "not a date", "age": "70"}, true},
		{map[string]string{"age": "64"}, false},
		{map[string]string{"care": "true", "age": "30"}, true},
		{map[string]string{"care": "false", "age": "80"}, false},
		{map[string]string{"birth_date": "2030-01-01"}, false},
		{nil, false},
	}
	for _, c := range cases {
		if got := r.Applies(chat.Customer{Attrs: c.attrs}, now); got != c.want {
			t.Errorf("Applies(%v) = %v, want %v", c.attrs, got, c.want)
		}
	}
	off, _ := care.ParseRules(`{"age":-1}`)
	if off.Applies(chat.Customer{Attrs: map[string]string{"age": "90"}}, now) || !off.Applies(chat.Customer{Attrs: map[string]string{"care": "1"}}, now) {
		t.Error("with the age rule off only the care flag should count")
	}
	for _, bad := range []string{`{"mode":"sometimes"}`, `{"route":"elsewhere"}`, `{`} {
		if _, err := care.ParseRules(bad); err == nil {
			t.Errorf("ParseRules(%s) accepted", bad)
		}
	}
}
