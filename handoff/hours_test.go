package handoff

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// officeJSON is a Shanghai office: weekdays with a lunch break, closed at weekends and on two
// holidays (Wednesday 4 March and Monday 16 March 2026).
const officeJSON = `{
	"tz": "Asia/Shanghai",
	"week": {
		"mon": [{"open": "09:00", "close": "12:00"}, {"open": "13:00", "close": "18:00"}],
		"tue": [{"open": "13:00", "close": "18:00"}, {"open": "09:00", "close": "12:00"}],
		"wed": [{"open": "09:00", "close": "12:00"}, {"open": "13:00", "close": "18:00"}],
		"thu": [{"open": "09:00", "close": "12:00"}, {"open": "13:00", "close": "18:00"}],
		"fri": [{"open": "09:00", "close": "12:00"}, {"open": "13:00", "close": "18:00"}]
	},
	"holidays": ["2026-03-04", "2026-03-16"]
}`

// nightJSON is a night shift in UTC running over midnight with "24:00".
const nightJSON = `{"week": {
	"mon": [{"open": "18:00", "close": "24:00"}],
	"tue": [{"open": "00:00", "close": "02:00"}]
}}`

// mustParseHours parses hours JSON or fails the test.
func mustParseHours(tb testing.TB, data string) Hours {
	tb.Helper()
	h, err := ParseHours([]byte(data))
	if err != nil {
		tb.Fatalf("ParseHours: %v", err)
	}
	return h
}

// at parses "2006-01-02 15:04:05" in zone tz.
func at(tb testing.TB, tz, s string) time.Time {
	tb.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		tb.Fatal(err)
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, loc)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func TestHoursOpen(t *testing.T) {
	office := mustParseHours(t, officeJSON)
	night := mustParseHours(t, nightJSON)
	officeUTC := office
	officeUTC.TZ = ""
	// 2026-03-02 is a Monday.
	tests := []struct {
		name string
		h    Hours
		at   time.Time
		want bool
	}{
		{"monday morning", office, at(t, "Asia/Shanghai", "2026-03-02 09:00:00"), true},
		{"before opening", office, at(t, "Asia/Shanghai", "2026-03-02 08:59:59"), false},
		{"lunch break", office, at(t, "Asia/Shanghai", "2026-03-02 12:00:00"), false},
		{"last second before lunch", office, at(t, "Asia/Shanghai", "2026-03-02 11:59:59"), true},
		{"afternoon", office, at(t, "Asia/Shanghai", "2026-03-02 13:00:00"), true},
		{"closing time", office, at(t, "Asia/Shanghai", "2026-03-02 18:00:00"), false},
		{"spans listed out of order", office, at(t, "Asia/Shanghai", "2026-03-03 10:00:00"), true},
		{"holiday", office, at(t, "Asia/Shanghai", "2026-03-04 10:00:00"), false},
		{"saturday", office, at(t, "Asia/Shanghai", "2026-03-07 10:00:00"), false},
		{"sunday", office, at(t, "Asia/Shanghai", "2026-03-08 10:00:00"), false},
		// 01:30 UTC is 09:30 in Shanghai.
		{"utc instant in shanghai hours", office, at(t, "UTC", "2026-03-02 01:30:00"), true},
		{"same instant in utc hours", officeUTC, at(t, "UTC", "2026-03-02 01:30:00"), false},
		{"same wall clock in utc hours", officeUTC, at(t, "UTC", "2026-03-02 09:30:00"), true},
		// Tuesday 3 March 17:00 UTC is Wednesday 01:00 in Shanghai: the holiday there.
		{"holiday date in hours zone", office, at(t, "UTC", "2026-03-03 17:00:00"), false},
		{"holiday is a date in tz, not utc", officeUTC, at(t, "UTC", "2026-03-03 17:00:00"), true},
		{"24:00 last second", night, at(t, "UTC", "2026-03-02 23:59:59"), true},
		{"after midnight", night, at(t, "UTC", "2026-03-03 00:00:00"), true},
		{"night shift over", night, at(t, "UTC", "2026-03-03 02:00:00"), false},
		{"night shift not yet", night, at(t, "UTC", "2026-03-02 17:59:00"), false},
		{"zero hours always open", Hours{}, at(t, "UTC", "2026-03-08 03:00:00"), true},
		{"zero hours on christmas", Hours{}, at(t, "UTC", "2026-12-25 12:00:00"), true},
		{"no week but a holiday", Hours{Holidays: []string{"2026-12-25"}}, at(t, "UTC", "2026-12-25 12:00:00"), false},
		{"no week day after holiday", Hours{Holidays: []string{"2026-12-25"}}, at(t, "UTC", "2026-12-26 00:00:00"), true},
		{"week with every day closed", Hours{Week: map[string][]Span{"mon": nil}}, at(t, "UTC", "2026-03-02 10:00:00"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.h.Open(tt.at); got != tt.want {
				t.Errorf("Open(%v) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}

func TestHoursNextOpen(t *testing.T) {
	office := mustParseHours(t, officeJSON)
	night := mustParseHours(t, nightJSON)
	sh := func(s string) time.Time { return at(t, "Asia/Shanghai", s) }
	tests := []struct {
		name string
		h    Hours
		from time.Time
		want time.Time
	}{
		{"open now is now", office, sh("2026-03-02 10:17:23"), sh("2026-03-02 10:17:23")},
		{"early morning", office, sh("2026-03-02 07:00:00"), sh("2026-03-02 09:00:00")},
		{"lunch break", office, sh("2026-03-02 12:30:00"), sh("2026-03-02 13:00:00")},
		{"evening", office, sh("2026-03-02 18:00:00"), sh("2026-03-03 09:00:00")},
		{"over a weekend", office, sh("2026-03-06 18:30:00"), sh("2026-03-09 09:00:00")},
		{"sunday", office, sh("2026-03-08 23:59:59"), sh("2026-03-09 09:00:00")},
		{"over a holiday", office, sh("2026-03-03 18:00:00"), sh("2026-03-05 09:00:00")},
		{"on a holiday", office, sh("2026-03-04 10:00:00"), sh("2026-03-05 09:00:00")},
		{"over a weekend and a holiday", office, sh("2026-03-13 19:00:00"), sh("2026-03-17 09:00:00")},
		{"from a utc instant", office, at(t, "UTC", "2026-03-06 10:30:00"), sh("2026-03-09 09:00:00")},
		{"until 24:00 shift", night, at(t, "UTC", "2026-03-02 12:00:00"), at(t, "UTC", "2026-03-02 18:00:00")},
		{"after night shift", night, at(t, "UTC", "2026-03-03 02:00:00"), at(t, "UTC", "2026-03-09 18:00:00")},
		{"zero hours", Hours{}, at(t, "UTC", "2026-03-08 03:00:00"), at(t, "UTC", "2026-03-08 03:00:00")},
		{"no week, holiday", Hours{Holidays: []string{"2026-12-25"}}, at(t, "UTC", "2026-12-25 08:00:00"), at(t, "UTC", "2026-12-26 00:00:00")},
		{"never open", Hours{Week: map[string][]Span{"mon": {}}}, at(t, "UTC", "2026-03-02 08:00:00"), time.Time{}},
		{"only invalid spans", Hours{Week: map[string][]Span{"mon": {{"18:00", "09:00"}}}}, at(t, "UTC", "2026-03-02 08:00:00"), time.Time{}},
		{"invalid span skipped", Hours{Week: map[string][]Span{"mon": {{"x", "y"}, {"10:00", "11:00"}}}}, at(t, "UTC", "2026-03-02 08:00:00"), at(t, "UTC", "2026-03-02 10:00:00")},
		{
			"open one day a year",
			Hours{Week: map[string][]Span{"fri": {{"09:00", "10:00"}}}, Holidays: fridaysOf2026Except("2026-12-25")},
			at(t, "UTC", "2026-01-01 00:00:00"), at(t, "UTC", "2026-12-25 09:00:00"),
		},
		{
			// 8 March 2026: clocks in New York jump from 02:00 to 03:00.
			"dst change day",
			Hours{TZ: "America/New_York", Week: map[string][]Span{"sun": {{"09:00", "17:00"}}}},
			at(t, "America/New_York", "2026-03-07 20:00:00"), at(t, "America/New_York", "2026-03-08 09:00:00"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.h.NextOpen(tt.from)
			if !got.Equal(tt.want) {
				t.Errorf("NextOpen(%v) = %v, want %v", tt.from, got, tt.want)
			}
			if !got.IsZero() && !tt.h.Open(got) {
				t.Errorf("NextOpen(%v) = %v, which is not open", tt.from, got)
			}
		})
	}
}

// fridaysOf2026Except returns the dates of every Friday of 2026 except keep.
func fridaysOf2026Except(keep string) []string {
	var days []string
	for d := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC); d.Year() == 2026; d = d.AddDate(0, 0, 7) {
		if s := d.Format("2006-01-02"); s != keep {
			days = append(days, s)
		}
	}
	return days
}

func TestParseHours(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		wantErr string // "" for valid
	}{
		{"office", officeJSON, ""},
		{"night", nightJSON, ""},
		{"empty object is 24/7", `{}`, ""},
		{"empty tz is utc", `{"tz": ""}`, ""},
		{"closed day", `{"week": {"sun": []}}`, ""},
		{"unknown zone", `{"tz": "Mars/Olympus"}`, `tz "Mars/Olympus"`},
		{"local zone", `{"tz": "Local"}`, `tz "Local"`},
		{"unknown day", `{"week": {"monday": []}}`, `unknown day "monday"`},
		{"capitalised day", `{"week": {"Mon": []}}`, `unknown day "Mon"`},
		{"one-digit hour", `{"week": {"mon": [{"open": "9:00", "close": "18:00"}]}}`, `week.mon[0]: open "9:00"`},
		{"open at 24:00", `{"week": {"mon": [{"open": "24:00", "close": "24:00"}]}}`, `week.mon[0]: open "24:00"`},
		{"bad minute", `{"week": {"tue": [{"open": "09:00", "close": "12:60"}]}}`, `week.tue[0]: close "12:60"`},
		{"hour 25", `{"week": {"tue": [{"open": "09:00", "close": "25:00"}]}}`, `close "25:00"`},
		{"missing close", `{"week": {"tue": [{"open": "09:00"}]}}`, `week.tue[0]: close ""`},
		{"close before open", `{"week": {"wed": [{"open": "09:00", "close": "12:00"}, {"open": "18:00", "close": "09:00"}]}}`, `week.wed[1]: close "09:00" is not after open "18:00"`},
		{"close equals open", `{"week": {"wed": [{"open": "09:00", "close": "09:00"}]}}`, `is not after`},
		{"bad holiday", `{"holidays": ["2026-12-25", "25/12/2026"]}`, `holidays[1] "25/12/2026"`},
		{"impossible holiday", `{"holidays": ["2026-02-30"]}`, `holidays[0] "2026-02-30"`},
		{"unknown field", `{"timezone": "UTC"}`, `unknown field "timezone"`},
		{"trailing data", `{} {}`, `after the JSON value`},
		{"not json", `tz: UTC`, `hours:`},
		{"wrong type", `{"week": []}`, `hours:`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseHours([]byte(tt.json))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("ParseHours: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("ParseHours: no error, want one containing %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("ParseHours: %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseSchedule(t *testing.T) {
	s, err := ParseSchedule([]byte(`{"": {"tz": "UTC", "week": {"mon": [{"open": "08:00", "close": "16:00"}]}},
		"billing": ` + officeJSON + `}`))
	if err != nil {
		t.Fatalf("ParseSchedule: %v", err)
	}
	mon10UTC := at(t, "UTC", "2026-03-02 10:00:00") // 18:00 in Shanghai
	tests := []struct {
		team string
		want bool
	}{
		{"billing", false},
		{"sales", true}, // the default
		{"", true},
	}
	for _, tt := range tests {
		if got := s.For(tt.team).Open(mon10UTC); got != tt.want {
			t.Errorf("For(%q).Open = %v, want %v", tt.team, got, tt.want)
		}
	}
	if got, want := s.For("billing").TZ, "Asia/Shanghai"; got != want {
		t.Errorf("For(billing).TZ = %q, want %q", got, want)
	}
	if !(Schedule{}).For("sales").Open(mon10UTC) {
		t.Error("a schedule without a default is closed, want always open")
	}
	if !Schedule(nil).For("sales").Open(mon10UTC) {
		t.Error("a nil schedule is closed, want always open")
	}
}

func TestParseScheduleErrors(t *testing.T) {
	tests := []struct{ name, json, wantErr string }{
		{"bad team hours", `{"": {}, "billing": {"tz": "Nowhere/City"}}`, `team "billing": hours: tz "Nowhere/City"`},
		{"bad default", `{"": {"week": {"xyz": []}}}`, `team "": hours: week: unknown day "xyz"`},
		{"not an object", `[]`, `schedule:`},
		{"trailing data", `{} 1`, `schedule:`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSchedule([]byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ParseSchedule: %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestFormatOpening(t *testing.T) {
	office := mustParseHours(t, officeJSON)
	mon9 := at(t, "Asia/Shanghai", "2026-03-09 09:00:00")
	tests := []struct {
		name string
		t    time.Time
		h    Hours
		lang string
		want string
	}{
		{"english", mon9, office, "en", "Monday 09:00 (Asia/Shanghai)"},
		{"chinese", mon9, office, "zh", "周一 09:00（Asia/Shanghai）"},
		{"chinese region", mon9, office, "zh-CN", "周一 09:00（Asia/Shanghai）"},
		{"chinese underscore", mon9, office, "ZH_tw", "周一 09:00（Asia/Shanghai）"},
		{"other language", mon9, office, "fr", "Monday 09:00 (Asia/Shanghai)"},
		{"no language", mon9, office, "", "Monday 09:00 (Asia/Shanghai)"},
		{"utc instant shown in hours zone", mon9.UTC(), office, "en", "Monday 09:00 (Asia/Shanghai)"},
		{"hours in utc", mon9, Hours{}, "en", "Monday 01:00 (UTC)"},
		{"sunday in chinese", at(t, "UTC", "2026-03-08 23:30:00"), Hours{}, "zh", "周日 23:30（UTC）"},
		{"never open", time.Time{}, office, "en", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatOpening(tt.t, tt.h, tt.lang); got != tt.want {
				t.Errorf("FormatOpening = %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzParseHours(f *testing.F) {
	for _, seed := range []string{officeJSON, nightJSON, `{}`, `null`, `{"tz":"Local"}`,
		`{"holidays":["2026-12-25"]}`, `{"week":{"sun":[{"open":"00:00","close":"24:00"}]}}`,
		`{"tz":"America/New_York","week":{"sun":[{"open":"02:00","close":"02:30"}]}}`} {
		f.Add([]byte(seed))
	}
	now := time.Date(2026, 3, 8, 6, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseHours(data)
		if err != nil {
			return
		}
		open := h.Open(now)
		next := h.NextOpen(now)
		if open && !next.Equal(now) {
			t.Fatalf("open now but NextOpen = %v", next)
		}
		if !next.IsZero() && (next.Before(now) || !h.Open(next)) {
			t.Fatalf("NextOpen = %v: before now or not open", next)
		}
		_ = FormatOpening(next, h, "zh")
		again, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseHours(again); err != nil {
			t.Fatalf("valid hours do not parse after a round trip: %v", err)
		}
	})
}
