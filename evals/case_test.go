package evals

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestReadCasesFormats(t *testing.T) {
	tests := []struct {
		name, line string
		want       Case
	}{
		{"intent", `{"text": "My card has not arrived yet.", "intent": "card_arrival"}`,
			Case{ID: "case-1", Text: "My card has not arrived yet.", ExpectedIntent: "card_arrival", ExpectedDecision: DecisionAnswer}},
		{"out of scope", `{"text": "how do i fix my bike chain", "intent": "oos"}`,
			Case{ID: "case-1", Text: "how do i fix my bike chain", ExpectedIntent: OOS, ExpectedDecision: DecisionHandoff}},
		{"qa question", `{"question": "这款手机支持哪些支付方式？", "answer_ids": ["DEV_3", "DEV_4"], "split": "dev", "qid": "DEV_3_QUERY_0", "answer_texts": ["微信和支付宝", "支付宝"]}`,
			Case{ID: "DEV_3_QUERY_0", Text: "这款手机支持哪些支付方式？", ExpectedDecision: DecisionAnswer, ExpectedAnswer: "微信和支付宝",
				ExpectedSources: []string{"DEV_3", "DEV_4"}, Tags: []string{"split:dev"}}},
		{"qa question without qid", `{"question": "Where is my parcel?", "answer_ids": ["kb-1"], "split": "train"}`,
			Case{ID: "case-1", Text: "Where is my parcel?", ExpectedDecision: DecisionAnswer, ExpectedSources: []string{"kb-1"}, Tags: []string{"split:train"}}},
		{"case", `{"id": "h-17", "context": [{"author": "customer", "text": "hi"}, {"author": "bot", "text": "Hello!"}], "text": "refund please", "lang": "en", "expected_intent": "refund", "expected_decision": "handoff", "expected_answer": "I have passed you to a colleague.", "source": "handoff", "tags": ["vip"]}`,
			Case{ID: "h-17", Context: []Turn{{"customer", "hi"}, {"bot", "Hello!"}}, Text: "refund please", Lang: "en", ExpectedIntent: "refund",
				ExpectedDecision: DecisionHandoff, ExpectedAnswer: "I have passed you to a colleague.", Source: "handoff", Tags: []string{"vip"}}},
		{"case, nothing judged", `{"text": "hello"}`, Case{ID: "case-1", Text: "hello"}},
		{"byte order mark", "\ufeff{\"text\": \"hello\"}", Case{ID: "case-1", Text: "hello"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadCases(strings.NewReader(tt.line+"\n"), 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || !reflect.DeepEqual(got[0], tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestReadCasesErrors(t *testing.T) {
	long := `{"text": "` + strings.Repeat("a", maxCaseLine) + `"}`
	tests := []struct {
		name, input string
		limit       int
		want        string // in the error
	}{
		{"bad json", "{\"text\": \"ok\"}\n{\"text\": \n", 0, "line 2:"},
		{"empty text", "{\"text\": \"ok\"}\n\n{\"text\": \"  \"}\n", 0, "line 3: empty text"},
		{"empty question", `{"question": "", "answer_ids": ["a"]}`, 0, "line 1: empty text"},
		{"no text at all", `{"intent": "card_arrival"}`, 0, "line 1: empty text"},
		{"empty intent", `{"text": "hi", "intent": ""}`, 0, "line 1: empty \"intent\""},
		{"invalid utf-8", "{\"text\": \"ok\"}\n{\"text\": \"caf\xe9\"}\n", 0, "line 2: invalid UTF-8"},
		{"too long", "{\"text\": \"ok\"}\n" + long + "\n", 0, "line 2: longer than 64 KiB"},
		{"far too long", "{\"text\": \"ok\"}\n" + strings.Repeat(long, 3) + "\n", 0, "line 2: longer than 64 KiB"},
		{"over the limit", "{\"text\": \"a\"}\n{\"text\": \"b\"}\n\n{\"text\": \"c\"}\n", 2, "line 4: more than 2 cases"},
		{"duplicate id", "{\"id\": \"x\", \"text\": \"a\"}\n{\"id\": \"x\", \"text\": \"b\"}\n", 0, `line 2: id "x" already used on line 1`},
		{"bad decision", `{"text": "a", "expected_decision": "escalate"}`, 0, `line 1: expected_decision "escalate"`},
		{"ambiguous", `{"text": "a", "question": "b"}`, 0, "line 1: both"},
		{"not an object", `["text"]`, 0, "line 1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadCases(strings.NewReader(tt.input), tt.limit)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestReadCasesLimits(t *testing.T) {
	// A line of exactly the maximum length is accepted.
	pad := maxCaseLine - len(`{"text": ""}`)
	line := `{"text": "` + strings.Repeat("x", pad) + `"}`
	if got, err := ReadCases(strings.NewReader(line), 1); err != nil || len(got) != 1 {
		t.Fatalf("line of %d bytes: %d cases, %v", len(line), len(got), err)
	}
	var b strings.Builder
	for i := range 3 {
		fmt.Fprintf(&b, "{\"text\": \"q%d\"}\n", i)
	}
	if got, err := ReadCases(strings.NewReader(b.String()), 3); err != nil || len(got) != 3 {
		t.Fatalf("3 cases at limit 3: %d, %v", len(got), err)
	}
}

func TestWriteCasesRoundTrip(t *testing.T) {
	cases := []Case{
		{ID: "a", Text: "<b>退款</b> & more", ExpectedIntent: "refund", ExpectedDecision: DecisionAnswer, Tags: []string{"split:dev"}},
		{ID: "b", Context: []Turn{{"customer", "hi"}}, Text: "x", ExpectedSources: []string{"k1"}, Source: "manual"},
	}
	var buf bytes.Buffer
	if err := WriteCases(&buf, cases); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "<b>退款</b> & more") {
		t.Errorf("text escaped: %s", buf.String())
	}
	got, err := ReadCases(&buf, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, cases) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, cases)
	}
}

func FuzzReadCases(f *testing.F) {
	for _, s := range []string{
		`{"text": "My card has not arrived yet.", "intent": "card_arrival"}`,
		`{"question": "锣鼓经是什么？", "answer_ids": ["DEV_1"], "split": "dev", "qid": "DEV_1_QUERY_0", "answer_texts": ["打击乐记谱方法"]}`,
		`{"id": "x", "text": "hi", "context": [{"author": "a", "text": "b"}], "expected_decision": "handoff"}` + "\n" + `{"text": "again"}`,
		"\ufeff{\"text\":\"a\"}\r\n\r\n{\"text\":\"b\",\"intent\":\"oos\"}",
		`{"text": null, "intent": null}`,
		"\xff\xfe",
	} {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, input string, limit int) {
		cases, err := ReadCases(strings.NewReader(input), limit)
		if err != nil {
			return
		}
		if limit > 0 && len(cases) > limit {
			t.Fatalf("%d cases over limit %d", len(cases), limit)
		}
		for _, c := range cases {
			if strings.TrimSpace(c.Text) == "" || c.ID == "" {
				t.Fatalf("accepted case without text or id: %+v", c)
			}
		}
	})
}
