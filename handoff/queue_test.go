package handoff

import (
	"math"
	"slices"
	"testing"
	"time"

	"tandem/chat"
)

// t0 is an arbitrary moment queue tests count from.
var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// queued returns a waiting conversation queued minutes after t0.
func queued(id, priority string, minutes int) chat.Conversation {
	return chat.Conversation{ID: id, Owner: chat.OwnerWaiting, Priority: priority,
		QueuedAt: t0.Add(time.Duration(minutes) * time.Minute)}
}

func TestRank(t *testing.T) {
	tests := []struct {
		priority string
		want     time.Time
	}{
		{"high", t0.Add(-10 * time.Minute)},
		{"normal", t0},
		{"", t0},
		{"low", t0.Add(10 * time.Minute)},
		{"urgent", t0}, // unknown: normal
	}
	for _, tt := range tests {
		if got := Rank(queued("c", tt.priority, 0)); !got.Equal(tt.want) {
			t.Errorf("Rank(priority %q) = %v, want %v", tt.priority, got, tt.want)
		}
	}
}

func TestOrder(t *testing.T) {
	tests := []struct {
		name  string
		convs []chat.Conversation
		want  []string
	}{
		{
			"vip queued later beats earlier normal ones",
			[]chat.Conversation{queued("a", "", 0), queued("b", "normal", 5), queued("vip", "high", 8)},
			[]string{"vip", "a", "b"},
		},
		{
			"vip does not jump someone waiting much longer",
			[]chat.Conversation{queued("vip", "high", 15), queued("a", "", 0)},
			[]string{"a", "vip"},
		},
		{
			"low goes behind normal ones queued a little later",
			[]chat.Conversation{queued("low", "low", 0), queued("a", "", 5), queued("b", "", 9)},
			[]string{"a", "b", "low"},
		},
		{
			"low waiting long enough is served",
			[]chat.Conversation{queued("a", "", 20), queued("low", "low", 0)},
			[]string{"low", "a"},
		},
		{
			"equal rank: by id",
			[]chat.Conversation{queued("z", "", 10), queued("m", "low", 0), queued("b", "high", 20)},
			[]string{"b", "m", "z"},
		},
		{"empty", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			Order(tt.convs)
			if got := ids(tt.convs); !slices.Equal(got, tt.want) {
				t.Errorf("Order = %v, want %v", got, tt.want)
			}
		})
	}
}

// ids returns the conversations' IDs in order.
func ids(convs []chat.Conversation) []string {
	var out []string
	for _, c := range convs {
		out = append(out, c.ID)
	}
	return out
}

// agent returns an agent with the given routing state.
func agent(name, status string, load, capacity int, teams ...string) chat.Agent {
	return chat.Agent{Username: name, Status: status, Load: load, Capacity: capacity, Teams: teams}
}

func TestPick(t *testing.T) {
	on, away, off := chat.PresenceOnline, chat.PresenceAway, chat.PresenceOffline
	tests := []struct {
		name   string
		team   string
		agents []chat.Agent
		want   string // "" for nobody
	}{
		{"nobody", "", nil, ""},
		{"capacity full", "", []chat.Agent{agent("ann", on, 3, 3)}, ""},
		{"over capacity", "", []chat.Agent{agent("ann", on, 4, 3)}, ""},
		{"zero capacity", "", []chat.Agent{agent("ann", on, 0, 0)}, ""},
		{"offline", "", []chat.Agent{agent("ann", off, 0, 3)}, ""},
		{"away", "", []chat.Agent{agent("ann", away, 0, 3)}, ""},
		{"unknown status", "", []chat.Agent{agent("ann", "busy", 0, 3)}, ""},
		{"team mismatch", "billing", []chat.Agent{agent("ann", on, 0, 3, "sales")}, ""},
		{"team match", "billing", []chat.Agent{agent("ann", on, 0, 3, "sales", "billing")}, "ann"},
		{"agent with no teams serves all", "billing", []chat.Agent{agent("ann", on, 0, 3)}, "ann"},
		{"conversation without team goes to specialists too", "", []chat.Agent{agent("ann", on, 0, 3, "sales")}, "ann"},
		{
			"least loaded",
			"",
			[]chat.Agent{agent("ann", on, 2, 5), agent("bob", on, 1, 2), agent("cat", on, 3, 10)},
			"bob",
		},
		{
			"least loaded among eligible",
			"billing",
			[]chat.Agent{agent("ann", on, 0, 3, "sales"), agent("bob", off, 0, 3), agent("cat", on, 2, 3), agent("dan", on, 1, 1)},
			"cat",
		},
		{
			"equal load: smaller share of capacity",
			"",
			[]chat.Agent{agent("ann", on, 2, 4), agent("bob", on, 2, 8), agent("cat", on, 2, 3)},
			"bob",
		},
		{
			"equal load and share: username",
			"",
			[]chat.Agent{agent("cat", on, 1, 4), agent("ann", on, 1, 4), agent("bob", on, 1, 4)},
			"ann",
		},
		{
			"idle agents: username, whatever capacity",
			"",
			[]chat.Agent{agent("bob", on, 0, 10), agent("ann", on, 0, 1)},
			"ann",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Pick(chat.Conversation{ID: "c", Team: tt.team}, tt.agents)
			if ok != (tt.want != "") || got.Username != tt.want {
				t.Errorf("Pick = %q, %v; want %q", got.Username, ok, tt.want)
			}
		})
	}
}

func TestPositions(t *testing.T) {
	queue := []chat.Conversation{queued("vip", "high", 8), queued("a", "", 0), queued("b", "", 5)}
	got := Positions(queue)
	want := map[string]int{"vip": 1, "a": 2, "b": 3}
	if len(got) != len(want) {
		t.Fatalf("Positions = %v, want %v", got, want)
	}
	for id, p := range want {
		if got[id] != p {
			t.Errorf("Positions[%q] = %d, want %d", id, got[id], p)
		}
	}
	if got := Positions(nil); len(got) != 0 {
		t.Errorf("Positions(nil) = %v, want empty", got)
	}
}

func TestEstimateWait(t *testing.T) {
	tests := []struct {
		name      string
		position  int
		online    int
		avgHandle time.Duration
		want      time.Duration
	}{
		{"next with one agent", 1, 1, 3 * time.Minute, 3 * time.Minute},
		{"shared among agents, rounded up", 5, 2, 3 * time.Minute, 8 * time.Minute},
		{"just over a minute rounds up", 1, 1, 61 * time.Second, 2 * time.Minute},
		{"exact minutes stay", 2, 1, 90 * time.Second, 3 * time.Minute},
		{"nobody online counts as one", 3, 0, 2 * time.Minute, 6 * time.Minute},
		{"negative agents counts as one", 3, -2, 2 * time.Minute, 6 * time.Minute},
		{"at least a minute", 1, 10, time.Minute, time.Minute},
		{"no handle time", 4, 1, 0, time.Minute},
		{"no position", 0, 1, 5 * time.Minute, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EstimateWait(tt.position, tt.online, tt.avgHandle); got != tt.want {
				t.Errorf("EstimateWait(%d, %d, %v) = %v, want %v", tt.position, tt.online, tt.avgHandle, got, tt.want)
			}
		})
	}
	if got := EstimateWait(math.MaxInt, 1, time.Hour); got < time.Hour || got%time.Minute != 0 {
		t.Errorf("EstimateWait(huge) = %v, want a large whole number of minutes", got)
	}
}

func TestEstimateFromWaits(t *testing.T) {
	sec := func(n ...int) []time.Duration {
		var out []time.Duration
		for _, v := range n {
			out = append(out, time.Duration(v)*time.Second)
		}
		return out
	}
	tests := []struct {
		name     string
		position int
		recent   []time.Duration
		want     time.Duration
	}{
		{"no measured waits: no estimate", 1, nil, 0},
		{"waits of seconds: the floor of a minute, not 5 or 10", 2, sec(8, 12, 20), time.Minute},
		{"median, not mean: one long wait does not dominate", 1, sec(30, 40, 3600), time.Minute},
		{"position scales the median", 3, sec(100, 120, 140), 6 * time.Minute},
		{"even count: mean of the middle two", 1, sec(60, 120, 180, 240), 3 * time.Minute},
		{"bad position", 0, sec(60), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EstimateFromWaits(tt.position, tt.recent); got != tt.want {
				t.Errorf("EstimateFromWaits(%d, %v) = %v, want %v", tt.position, tt.recent, got, tt.want)
			}
		})
	}
	if got := EstimateFromWaits(math.MaxInt, sec(3600)); got < time.Hour || got%time.Minute != 0 {
		t.Errorf("EstimateFromWaits(huge) = %v, want a large whole number of minutes", got)
	}
}
