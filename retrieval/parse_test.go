package retrieval

import (
	"bytes"

	"github.com/go-pdf/fpdf"
	"strconv"

	"strings"
	"tandem/chat"
	"testing"
	"time"
)

func TestParseFAQ(t *testing.T) {
	csv := "Question,Variants,Answer,Tags\n" +
		"How do I reset my password?,Forgot password|Can't log in,\"Tap Forgot password, then follow the e-mail.\",account|login\n" +
		"如何报案？,怎么理赔,在应用中选择“报案”。,claims\n"
	docs, err := ParseFile("faq.csv", []byte(csv), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || docs[0].Kind != "faq" || len(docs[0].Questions) != 3 || docs[0].Title != "How do I reset my password?" ||
		docs[0].Body != "Tap Forgot password, then follow the e-mail." || len(docs[0].Tags) != 2 || docs[1].Lang != "zh" {
		t.Fatalf("parsed %+v", docs)
	}
	jsonl := `{"questions":["Is my dog covered?","dog insurance"],"answer":"Yes, up to 10 years old.","tags":["pets"]}` + "\n" +
		`{"id":"p1","title":"Passage","text":"A passage."}`
	docs, err = ParseFile("mixed.jsonl", []byte(jsonl), time.Now())
	if err != nil || len(docs) != 2 || docs[0].Kind != "faq" || docs[0].ID == "" || docs[1].Kind != "" {
		t.Fatalf("jsonl: %v %+v", err, docs)
	}
	// The FAQ's variants are searchable: a variant finds it.
	ix := NewIndex(docs)
	if hits := ix.Search("dog insurance", 1, Filter{}); len(hits) == 0 || hits[0].Doc.Kind != "faq" {
		t.Fatalf("variant search = %+v", hits)
	}
}

func TestParseBadFiles(t *testing.T) {
	for _, tt := range []struct{ name, data, want string }{
		{"nohead.csv", "question,reply\nq,a\n", `missing the "answer" column`},
		{"empty-answer.csv", "question,answer\nq,\n", "line 2: a question and an answer are required"},
		{"ragged.csv", "question,answer\nq,a,extra\n", "wrong number of fields"},
		{"mixed.md", "# Title\n\nUTF-8 café and Latin-1 caf\xe9", "invalid byte at offset 36"},
		{"bin.txt", "\x00\x01\x02", "binary file"},
		{"empty.md", "", "empty file"},
		{"faq.jsonl", `{"questions":["q"],"answer":""}`, "line 1: a question and an answer are required"},
		{"blank.html", "<html><head><title>T</title></head><body><script>x()</script></body></html>", "no text in the page"},
	} {
		_, err := ParseFile(tt.name, []byte(tt.data), time.Now())
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), tt.name) {
			t.Errorf("%s: error %v, want one starting with the file name and containing %q", tt.name, err, tt.want)
		}
	}
}

func TestParseHTML(t *testing.T) {
	page := `<!doctype html><html lang="zh-CN"><head><title>退保说明</title><style>p{}</style></head><body>
<header>导航</header><h1>退保</h1><p>犹豫期内退保全额退款。</p><h2>如何退保</h2><ul><li>打开应用</li><li>选择保单</li></ul>
<footer>版权</footer></body></html>`
	docs, err := ParseFile("surrender.html", []byte(page), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	d := docs[0]
	if d.Title != "退保说明" || d.Lang != "zh" || strings.Contains(d.Body, "导航") || strings.Contains(d.Body, "版权") ||
		!strings.Contains(d.Body, "## 如何退保") || !strings.Contains(d.Body, "- 打开应用") {
		t.Fatalf("parsed %+v", d)
	}
	cs := Chunks(d, DefaultChunkOptions)
	if len(cs) != 1 || cs[0].Lang != "zh" {
		t.Fatalf("chunks %+v", cs)
	}
}

func FuzzParseHTML(f *testing.F) {
	f.Add("<html><body><h2>x</h2><p>y</p></body></html>")
	f.Add("<p><li><h1>")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseHTML("f.html", "f", []byte(s), time.Now())
		if err == nil && (d.Body == "" || d.Title == "") {
			t.Fatalf("accepted a page without text or title: %+v", d)
		}
	})
}

func FuzzParseCSV(f *testing.F) {
	f.Add("question,answer\nq,a\n")
	f.Add("question,answer,variants\n\"q\n\",a,b|c\n")
	f.Fuzz(func(t *testing.T, s string) {
		docs, err := ParseFile("f.csv", []byte(s), time.Now())
		for _, d := range docs {
			if err == nil && (d.Body == "" || len(d.Questions) == 0 || d.ID == "") {
				t.Fatalf("accepted an incomplete FAQ entry %+v", d)
			}
		}
	})
}

func TestChunks(t *testing.T) {
	long := strings.Repeat("This sentence is about claims. ", 100)
	d := finish(chatDoc("a", "Title", "Intro line.\n\n## Small\n\nShort part.\n\n## Long\n\n"+long))
	cs := Chunks(d, ChunkOptions{MaxRunes: 600, Overlap: 100})
	if len(cs) < 5 || cs[0].Heading != "" || !strings.Contains(cs[0].Text, "## Small\nShort part.") || cs[1].Heading != "Long" {
		t.Fatalf("chunks: %d, first %+v, second %+v", len(cs), cs[0], cs[1])
	}
	for i, c := range cs {
		if n := len([]rune(c.Text)); n > 600 || c.ID != d.ID+"#"+itoa(i) || c.Hash == "" {
			t.Fatalf("chunk %d: %d runes, id %s", i, n, c.ID)
		}
	}
	// Overlap: the next piece starts with the end of the previous one.
	if !strings.HasPrefix(cs[2].Text, "This sentence is about claims.") {
		t.Fatalf("no overlap: %q", cs[2].Text[:40])
	}
	// Unchanged text keeps its hash, so re-import skips re-embedding it.
	if again := Chunks(d, ChunkOptions{MaxRunes: 600, Overlap: 100}); again[3].Hash != cs[3].Hash {
		t.Fatal("hash not stable")
	}
}

func chatDoc(id, title, body string) chat.Document {
	return chat.Document{ID: id, Title: title, Body: body}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestParsePDF(t *testing.T) {
	doc := fpdf.New("P", "mm", "A4", "")
	doc.AddPage()
	doc.SetFont("Helvetica", "", 12)
	doc.MultiCell(0, 6, "Roadside assistance\nCall 400-800-1234 and press 1 for a tow truck, day and night.", "", "", false)
	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		t.Fatal(err)
	}
	docs, err := ParseFile("roadside.pdf", buf.Bytes(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d := docs[0]; d.ID != "roadside" || !strings.Contains(d.Body, "tow truck") {
		t.Fatalf("parsed %+v", d)
	}
	for name, data := range map[string][]byte{
		"corrupt.pdf":   []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer garbage"),
		"truncated.pdf": buf.Bytes()[:buf.Len()/2],
		"notpdf.pdf":    []byte("hello"),
	} {
		if _, err := ParseFile(name, data, time.Now()); err == nil || !strings.HasPrefix(err.Error(), name) {
			t.Errorf("%s: %v, want an error naming the file", name, err)
		}
	}
}

func FuzzParsePDF(f *testing.F) {
	doc := fpdf.New("P", "mm", "A4", "")
	doc.AddPage()
	doc.SetFont("Helvetica", "", 12)
	doc.Cell(0, 6, "Claims")
	var buf bytes.Buffer
	doc.Output(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte("%PDF-1.4\ntrailer <<>>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ParsePDF("f.pdf", data, time.Now()) // must not panic or hang
	})
}
