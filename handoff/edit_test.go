package handoff

import (
	"strings"
	"testing"
)

func TestEditDistance(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want int
	}{
		{"identical", "Your refund is on its way.", "Your refund is on its way.", 0},
		{"both empty", "", "", 0},
		{"empty draft", "", "hello", 5},
		{"empty final", "hello", "", 5},
		{"kitten", "kitten", "sitting", 3},
		{"flaw", "flaw", "lawn", 2},
		{"one insertion", "Thanks", "Thanks!", 1},
		{"case counts", "hello", "Hello", 1},
		{"chinese substitution is one edit", "您好", "你好", 1},
		{"chinese insertion", "退款已处理", "退款已经处理", 1},
		{"chinese identical", "请稍等", "请稍等", 0},
		{"chinese vs empty counts characters", "谢谢您", "", 3},
		{"mixed scripts", "订单 123", "订单 124", 1},
		{"emoji is one rune", "ok 👍", "ok 👎", 1},
		{"completely different", "abc", "xyz", 3},
		{"invalid utf-8 byte is one rune", "a\xffb", "ab", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EditDistance(tt.a, tt.b); got != tt.want {
				t.Errorf("EditDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := EditDistance(tt.b, tt.a); got != tt.want {
				t.Errorf("EditDistance(%q, %q) = %d, want %d (symmetry)", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

func TestEditDistanceCap(t *testing.T) {
	long := strings.Repeat("好", MaxEditRunes)
	tests := []struct {
		name string
		a, b string
		want int
	}{
		{"difference beyond the cap is ignored", long + "x", long + "y", 0},
		{"long against empty", long + strings.Repeat("a", 50), "", MaxEditRunes},
		{"within the cap counts", long[:len(long)-len("好")] + "x", long, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EditDistance(tt.a, tt.b); got != tt.want {
				t.Errorf("EditDistance = %d, want %d", got, tt.want)
			}
		})
	}
}

// levenshtein is a plain full-matrix reference implementation over runes.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range rb {
		d[0][j+1] = j + 1
	}
	for i := range ra {
		for j := range rb {
			cost := 1
			if ra[i] == rb[j] {
				cost = 0
			}
			d[i+1][j+1] = min(d[i][j+1]+1, d[i+1][j]+1, d[i][j]+cost)
		}
	}
	return d[len(ra)][len(rb)]
}

func FuzzEditDistance(f *testing.F) {
	f.Add("kitten", "sitting")
	f.Add("您好世界", "你好，世界")
	f.Add("", "a\xff")
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 200 || len(b) > 200 {
			return
		}
		if got, want := EditDistance(a, b), levenshtein(a, b); got != want {
			t.Fatalf("EditDistance(%q, %q) = %d, want %d", a, b, got, want)
		}
	})
}

func BenchmarkEditDistanceMax(b *testing.B) {
	x := strings.Repeat("退款已处理", MaxEditRunes/5)
	y := strings.Repeat("退款已经处理", MaxEditRunes/6)
	for b.Loop() {
		EditDistance(x, y)
	}
}

func BenchmarkEditDistanceLightEdit(b *testing.B) {
	x := strings.Repeat("退款已处理", MaxEditRunes/10)
	y := x[:len(x)/2] + "，请查收" + x[len(x)/2:]
	for b.Loop() {
		EditDistance(x, y)
	}
}
