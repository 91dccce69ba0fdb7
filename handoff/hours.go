package handoff

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// Clock and date layouts of business-hours configuration.
const (
	clockLayout = "15:04"      // a span's Open and Close, e.g. "09:00"
	dateLayout  = "2006-01-02" // a holiday, e.g. "2026-12-25"
	endOfDay    = "24:00"      // the only Close beyond 23:59: open until midnight
	// nextOpenDays bounds NextOpen's search, so a schedule that never opens ends it.
	nextOpenDays = 366
)

// dayKeys are Hours.Week's keys, three letters each, in time.Weekday order.
const dayKeys = "sunmontuewedthufrisat"

// dayKey returns Hours.Week's key for a weekday, e.g. "mon".
func dayKey(d time.Weekday) string { return dayKeys[3*d : 3*d+3] }

// validDay reports whether key is one of Hours.Week's keys.
func validDay(key string) bool {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if dayKey(d) == key {
			return true
		}
	}
	return false
}

// Span is one opening interval of a day in the Hours' zone, from Open up to (not including)
// Close, both "HH:MM". Close may be "24:00" (until midnight) and must be after Open; a span
// never crosses midnight, so split a night shift into two days' spans.
type Span struct {
	Open  string `json:"open"`
	Close string `json:"close"`
}

// Hours are a team's business hours. Week maps "mon".."sun" to that day's spans; a day missing
// from a non-empty Week is closed. Holidays ("2026-12-25", dates in TZ) are closed all day.
//
// A zero Hours is always open. An Hours with no Week is open around the clock except on its
// Holidays. TZ is an IANA zone name ("" is UTC); Open and NextOpen treat an unknown TZ as UTC,
// and ParseHours rejects it.
type Hours struct {
	TZ       string            `json:"tz"`
	Week     map[string][]Span `json:"week"`
	Holidays []string          `json:"holidays"`
}

// ParseHours decodes and validates business hours from JSON, e.g.
// {"tz":"Asia/Shanghai","week":{"mon":[{"open":"09:00","close":"12:00"}]},"holidays":["2026-12-25"]}.
// Unknown fields are errors, so a misspelt key is not silently ignored.
func ParseHours(data []byte) (Hours, error) {
	var h Hours
	if err := decodeStrict(data, &h); err != nil {
		return Hours{}, fmt.Errorf("hours: %w", err)
	}
	if err := h.validate(); err != nil {
		return Hours{}, fmt.Errorf("hours: %w", err)
	}
	return h, nil
}

// decodeStrict decodes one JSON value into v, rejecting unknown fields and trailing data.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// validate checks the zone, day keys, spans and holidays, naming the bad field.
func (h Hours) validate() error {
	if h.TZ == "Local" {
		return errors.New(`tz "Local": name a zone, e.g. "Asia/Shanghai"`)
	}
	if _, err := time.LoadLocation(h.TZ); err != nil {
		return fmt.Errorf("tz %q: unknown time zone", h.TZ)
	}
	for _, day := range slices.Sorted(maps.Keys(h.Week)) { // sorted: the same error every time
		if !validDay(day) {
			return fmt.Errorf("week: unknown day %q (want mon, tue, wed, thu, fri, sat or sun)", day)
		}
		for i, s := range h.Week[day] {
			if err := s.validate(); err != nil {
				return fmt.Errorf("week.%s[%d]: %w", day, i, err)
			}
		}
	}
	for i, d := range h.Holidays {
		if _, err := time.Parse(dateLayout, d); err != nil {
			return fmt.Errorf("holidays[%d] %q: want a date YYYY-MM-DD", i, d)
		}
	}
	return nil
}

// validate checks a span's clock format and that it closes after it opens.
func (s Span) validate() error {
	open, err := parseClock(s.Open)
	if err != nil || open == 24*time.Hour {
		return fmt.Errorf("open %q: want HH:MM from 00:00 to 23:59", s.Open)
	}
	closing, err := parseClock(s.Close)
	if err != nil {
		return fmt.Errorf("close %q: want HH:MM from 00:01 to 24:00", s.Close)
	}
	if closing <= open {
		return fmt.Errorf("close %q is not after open %q", s.Close, s.Open)
	}
	return nil
}

// parseClock returns the time of day "HH:MM" (or "24:00") as an offset from midnight.
func parseClock(s string) (time.Duration, error) {
	if s == endOfDay {
		return 24 * time.Hour, nil
	}
	t, err := time.Parse(clockLayout, s)
	if err != nil || len(s) != len(clockLayout) {
		return 0, fmt.Errorf("bad clock %q", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// location returns the Hours' zone, UTC when TZ is empty or unknown.
func (h Hours) location() *time.Location {
	loc, err := time.LoadLocation(h.TZ)
	if err != nil || h.TZ == "Local" {
		return time.UTC
	}
	return loc
}

// Open reports whether the hours are open at t.
func (h Hours) Open(t time.Time) bool {
	return h.openAt(t.In(h.location()))
}

// openAt reports whether the hours are open at lt, a time already in the Hours' zone.
func (h Hours) openAt(lt time.Time) bool {
	if h.holiday(lt) {
		return false
	}
	now := sinceMidnight(lt)
	for _, s := range h.spans(lt.Weekday()) {
		if s.open <= now && now < s.close {
			return true
		}
	}
	return false
}

// NextOpen returns the first moment at or after t when the hours are open: t itself when open
// now. It looks at most 366 days ahead and returns the zero time if the hours never open.
// The result is in the Hours' zone.
func (h Hours) NextOpen(t time.Time) time.Time {
	lt := t.In(h.location())
	if h.openAt(lt) {
		return lt
	}
	y, m, d := lt.Date()
	for i := 0; i <= nextOpenDays; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, lt.Location())
		if h.holiday(day) {
			continue
		}
		for _, s := range h.spans(day.Weekday()) {
			// Wall-clock time, so a day with a DST change still opens at its stated hour.
			at := time.Date(y, m, d+i, 0, 0, 0, int(s.open), lt.Location())
			if !at.Before(lt) && h.openAt(at) {
				return at
			}
		}
	}
	return time.Time{}
}

// holiday reports whether lt's date (in the Hours' zone) is one of the Holidays.
func (h Hours) holiday(lt time.Time) bool {
	return slices.Contains(h.Holidays, lt.Format(dateLayout))
}

// clockSpan is a parsed Span: offsets from midnight.
type clockSpan struct{ open, close time.Duration }

// spans returns a weekday's valid spans in opening order; all day when Week is empty.
// Invalid spans (possible only in Hours not built by ParseHours) are skipped.
func (h Hours) spans(day time.Weekday) []clockSpan {
	if len(h.Week) == 0 {
		return []clockSpan{{0, 24 * time.Hour}}
	}
	var out []clockSpan
	for _, s := range h.Week[dayKey(day)] {
		if s.validate() != nil {
			continue
		}
		open, _ := parseClock(s.Open)
		closing, _ := parseClock(s.Close)
		out = append(out, clockSpan{open, closing})
	}
	slices.SortFunc(out, func(a, b clockSpan) int { return cmp.Compare(a.open, b.open) })
	return out
}

// sinceMidnight returns lt's wall-clock time of day as an offset from midnight.
func sinceMidnight(lt time.Time) time.Duration {
	h, m, s := lt.Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(lt.Nanosecond())
}

// Schedule is business hours per team; the "" entry is the default for teams without their
// own. A Schedule without a default is open around the clock for such teams.
type Schedule map[string]Hours

// ParseSchedule decodes and validates a schedule from JSON, e.g.
// {"": {"tz": "UTC", "week": {...}}, "billing": {"tz": "Asia/Shanghai", "week": {...}}}.
func ParseSchedule(data []byte) (Schedule, error) {
	var raw map[string]json.RawMessage
	if err := decodeStrict(data, &raw); err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	s := make(Schedule, len(raw))
	for _, team := range slices.Sorted(maps.Keys(raw)) {
		h, err := ParseHours(raw[team])
		if err != nil {
			return nil, fmt.Errorf("schedule: team %q: %w", team, err)
		}
		s[team] = h
	}
	return s, nil
}

// For returns team's hours, or the default ("") hours when the team has none of its own.
func (s Schedule) For(team string) Hours {
	if h, ok := s[team]; ok {
		return h
	}
	return s[""]
}

// FormatOpening describes an opening time t for a customer: the weekday and time in the hours'
// zone, and the zone's name, e.g. "Monday 09:00 (Asia/Shanghai)" or, for lang "zh" (and
// "zh-CN" and the like), "周一 09:00（Asia/Shanghai）". Other languages get English. The zero time
// (NextOpen found no opening) gives "".
func FormatOpening(t time.Time, h Hours, lang string) string {
	if t.IsZero() {
		return ""
	}
	loc := h.location()
	lt := t.In(loc)
	zone := h.TZ
	if loc == time.UTC {
		zone = "UTC"
	}
	if baseLang(lang) == "zh" {
		return fmt.Sprintf("%s %s（%s）", zhWeekday(lt.Weekday()), lt.Format(clockLayout), zone)
	}
	return fmt.Sprintf("%s %s (%s)", lt.Weekday(), lt.Format(clockLayout), zone)
}

// zhWeekday returns a weekday's Chinese name, e.g. "周一".
func zhWeekday(d time.Weekday) string {
	return "周" + string([]rune("日一二三四五六")[d])
}

// baseLang returns a language tag's primary subtag in lower case: "zh-CN" → "zh".
func baseLang(lang string) string {
	lang = strings.ToLower(lang)
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	return lang
}
