package retrieval

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"tandem/chat"
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
		{"nohead.csv", "question,reply\nq,a\n", `missing the "answer" column (the header has: question, reply)`},
		{"dup.csv", "question,answer,Question\nq,a,b\n", `the "question" column appears twice`},
		{"quote.csv", "question,answer\nq,an \"odd\" answer\n", `bare " in non-quoted-field`},
		{"empty-question.csv", "question,answer\nq,a\n\"\n\",a\n", "line 3: a question and an answer are required"},
		{"empty-answer.csv", "question,answer\nq,\n", "line 2: a question and an answer are required"},
		{"ragged.csv", "question,answer\nq,a,extra\n", "wrong number of fields"},
		{"mixed.md", "# Title\n\nUTF-8 café and Latin-1 caf\xe9", "mixed encodings: UTF-8 text with an invalid byte at offset 36"},
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

func TestParseEncodings(t *testing.T) {
	faq := "question,answer,tags\n如何报案？,在应用中选择“报案”，填写事故经过。,理赔\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(faq)
	if err != nil {
		t.Fatal(err)
	}
	utf16 := func(e unicode.Endianness, s string) string {
		b, err := unicode.UTF16(e, unicode.UseBOM).NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tt := range []struct{ name, data, title string }{
		{"gb18030.csv", gb, "如何报案？"},
		{"bom.csv", "\xef\xbb\xbf" + faq, "如何报案？"},
		{"utf16le.md", utf16(unicode.LittleEndian, "# 退保\n\n犹豫期内全额退款。"), "退保"},
		{"utf16be.txt", utf16(unicode.BigEndian, "# Refunds\n\nWithin 15 days."), "Refunds"},
	} {
		docs, err := ParseFile(tt.name, []byte(tt.data), time.Now())
		if err != nil || len(docs) != 1 || docs[0].Title != tt.title {
			t.Errorf("%s: %v %+v, want the title %q", tt.name, err, docs, tt.title)
		}
	}
	// UTF-8 Chinese with one pasted GB18030 line: a GB18030 decode would garble the UTF-8 part.
	utf8Part := strings.Repeat("犹豫期内退保可以全额退款，", 3) + "\n"
	gbLine, _ := simplifiedchinese.GB18030.NewEncoder().String("如何报案")
	for _, tt := range []struct{ name, data, want string }{
		{"mixed-gb.md", utf8Part + gbLine, "mixed encodings: UTF-8 text with an invalid byte at offset " + strconv.Itoa(len(utf8Part))},
		{"latin1.txt", "Caf\xe9 cr\xe8me, br\xfbl\xe9e.", "not UTF-8 text: invalid byte at offset 3"},
		{"utf16-nul.md", utf16(unicode.LittleEndian, "a\x00b"), "binary file"},
		{"utf16-odd.md", "\xff\xfea\x00b", "odd number of bytes"},
		{"nul.html", "<p>text</p>\x00", "binary file (a NUL byte at offset 11)"},
	} {
		_, err := ParseFile(tt.name, []byte(tt.data), time.Now())
		if err == nil || !strings.HasPrefix(err.Error(), tt.name+": ") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestParseLimits(t *testing.T) {
	big := bytes.Repeat([]byte("a"), MaxFileBytes+1)
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"big.md", big, "the limit is " + strconv.Itoa(MaxFileBytes)},
		{"big.pdf", big, "the limit is"},
		{"empty.pdf", nil, "empty file"},
		{"slides.pptx", []byte("PK"), "unsupported file type"},
	} {
		_, err := ParseFile(tt.name, tt.data, time.Now())
		if err == nil || !strings.HasPrefix(err.Error(), tt.name+": ") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestParseFAQIDsAndHashes(t *testing.T) {
	line := `{"questions":["Is my dog covered?"],"answer":"Yes.","tags":["pets"],"collection":"pet"}`
	a, err1 := ParseFile("a.jsonl", []byte(line), time.Now())
	b, err2 := ParseFile("b.jsonl", []byte(line), time.Now())
	if err1 != nil || err2 != nil || a[0].ID != b[0].ID || !strings.HasPrefix(a[0].ID, "faq-") || a[0].Collection != "pet" {
		t.Fatalf("ids %+v %+v (%v %v): want one stable id", a, b, err1, err2)
	}
	// Tags, questions and kind are part of the content hash, so editing them re-imports the entry.
	base := a[0]
	for name, edit := range map[string]func(*chat.Document){
		"tags":      func(d *chat.Document) { d.Tags = []string{"dogs"} },
		"questions": func(d *chat.Document) { d.Questions = append(d.Questions, "dog cover") },
		"kind":      func(d *chat.Document) { d.Kind = "" },
	} {
		d := base
		edit(&d)
		if finish(d).Hash == base.Hash {
			t.Errorf("changing %s keeps the hash", name)
		}
	}
	csv := "ID,Question,Answer,Variants,Collection,Lang\nq1,How do I pay?,By card.,\"pay\nbilling\",billing,en\n"
	docs, err := ParseFile("faq.csv", []byte(csv), time.Now())
	if err != nil || docs[0].ID != "q1" || len(docs[0].Questions) != 3 || docs[0].Collection != "billing" {
		t.Fatalf("csv: %v %+v", err, docs)
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
	// No <title>: the first <h1>. Entities decoded, inline markup adds no spaces, hidden text dropped.
	page = `<html lang="en-GB"><body><div hidden>cookie banner</div><main><h1>Claims &amp; refunds</h1>
<p>Call <b>400</b>-800 or e-<i>mail</i> us&nbsp;today.</p><h3>Documents</h3><p>Your <a href="/id">ID</a>.</p></main></body></html>`
	docs, err = ParseFile("pages/claims.htm", []byte(page), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	d = docs[0]
	if want := "# Claims & refunds\n\nCall 400-800 or e-mail us today.\n\n### Documents\n\nYour ID."; d.Body != want ||
		d.Title != "Claims & refunds" || d.ID != "claims" || d.Lang != "en" {
		t.Fatalf("parsed %+v\nbody %q, want %q", d, d.Body, want)
	}
}

func FuzzParseHTML(f *testing.F) {
	f.Add("<html><body><h2>x</h2><p>y</p></body></html>")
	f.Add("<p><li><h1>")
	f.Add(`<html lang="zh-Hans"><title>t&amp;</title><nav>n</nav><h3 hidden>h</h3><p>a<b>b</b> c</p>`)
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
	f.Add("\xef\xbb\xbfQuestion,Answer,Tags\n\xc8\xe7\xba\xce\xb1\xa8\xb0\xb8,a,x|y\n") // BOM; GB18030 in a UTF-8 file
	f.Add("\xff\xfeq\x00,\x00a\x00\n\x00")                                              // UTF-16LE
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

// testPDF writes a one-page PDF with text (none when text is ""), protected by password unless
// it is "".
func testPDF(tb testing.TB, text, password string) []byte {
	tb.Helper()
	doc := fpdf.New("P", "mm", "A4", "")
	if password != "" {
		doc.SetProtection(fpdf.CnProtectPrint, password, "owner")
	}
	doc.AddPage()
	doc.SetFont("Helvetica", "", 12)
	if text != "" {
		doc.MultiCell(0, 6, text, "", "", false)
	}
	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestParsePDF(t *testing.T) {
	good := testPDF(t, "Roadside assistance\nCall 400-800-1234 and press 1 for a tow truck, day and night.", "")
	docs, err := ParseFile("manuals/roadside.pdf", good, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d := docs[0]; d.ID != "roadside" || d.Title != "Roadside assistance" || !strings.Contains(d.Body, "tow truck") || d.Lang != "en" {
		t.Fatalf("parsed %+v", d)
	}
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"corrupt.pdf", []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer garbage"), "not a readable PDF"},
		{"truncated.pdf", good[:len(good)/2], "not a readable PDF"},
		{"notpdf.pdf", []byte("hello"), "not a readable PDF"},
		{"locked.pdf", testPDF(t, "Secret terms", "s3cret"), "password-protected"},
		{"blank.pdf", testPDF(t, "", ""), "no text in the PDF"},
	} {
		if _, err := ParseFile(tt.name, tt.data, time.Now()); err == nil || !strings.HasPrefix(err.Error(), tt.name+": ") ||
			!strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error naming the file and containing %q", tt.name, err, tt.want)
		}
	}
}

func FuzzParsePDF(f *testing.F) {
	f.Add(testPDF(f, "Claims", ""))
	f.Add([]byte("%PDF-1.4\ntrailer <<>>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ParsePDF("f.pdf", data, time.Now()) // must not panic or hang
	})
}
