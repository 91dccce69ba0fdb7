package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"tandem/chat"
	"tandem/retrieval"
)

// maxSynonymImportBytes bounds a synonym import body.
const maxSynonymImportBytes = 4 << 20

// PhrasingStore is what the phrasing and synonym APIs change.
type PhrasingStore interface {
	PutDocument(ctx context.Context, d chat.Document, chunks []chat.Chunk) (bool, error)
	Synonyms(ctx context.Context) ([]chat.SynonymGroup, error)
	PutSynonyms(ctx context.Context, byLang map[string][]chat.SynonymGroup, at time.Time) error
}

type phrasingsBody struct {
	Phrasings []string `json:"phrasings"`
	Text      string   `json:"text"`
}

// phrasingsView is a document's similar questions as the API shows them.
type phrasingsView struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Lang      string   `json:"lang"`
	Phrasings []string `json:"phrasings"`
}

func viewPhrasings(d chat.Document) phrasingsView {
	qs := retrieval.Phrasings(d)
	if qs == nil {
		qs = []string{}
	}
	return phrasingsView{ID: d.ID, Title: d.Title, Lang: d.Lang, Phrasings: qs}
}

// storedDocument returns the stored document with id.
func (s *Server) storedDocument(ctx context.Context, id string) (chat.Document, error) {
	docs, err := s.Knowledge.Store.Documents(ctx)
	if err != nil {
		return chat.Document{}, err
	}
	for _, d := range docs {
		if d.ID == id {
			return d, nil
		}
	}
	return chat.Document{}, chat.Errorf(chat.ENOTFOUND, "document %s not found", id)
}

// kbPhrasings handles GET /api/v1/kb/documents/:id/phrasings.
func (s *Server) kbPhrasings(c echo.Context) error {
	d, err := s.storedDocument(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewPhrasings(d))
}

// kbPhrasingsPut handles PUT /api/v1/kb/documents/:id/phrasings {"phrasings":[…]}: the document's
// similar questions become exactly these (adding, editing and removing in one change).
func (s *Server) kbPhrasingsPut(c echo.Context) error {
	var b phrasingsBody
	if err := c.Bind(&b); err != nil {
		return chat.Errorf(chat.EINVALID, "want JSON {\"phrasings\":[…]}")
	}
	return s.savePhrasings(c, func(cur []string) []string { return b.Phrasings }, http.StatusOK)
}

// kbPhrasingAdd handles POST /api/v1/kb/documents/:id/phrasings {"text":…}: one more similar question.
func (s *Server) kbPhrasingAdd(c echo.Context) error {
	var b phrasingsBody
	if err := c.Bind(&b); err != nil {
		return chat.Errorf(chat.EINVALID, "want JSON {\"text\":…}")
	}
	return s.savePhrasings(c, func(cur []string) []string { return append(cur, b.Text) }, http.StatusCreated)
}

// kbPhrasingDelete handles DELETE /api/v1/kb/documents/:id/phrasings/:n (1-based).
func (s *Server) kbPhrasingDelete(c echo.Context) error {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		return chat.Errorf(chat.EINVALID, "phrasing number must be 1 or more")
	}
	var missing bool
	err = s.savePhrasings(c, func(cur []string) []string {
		if n > len(cur) {
			missing = true
			return cur
		}
		return append(cur[:n-1:n-1], cur[n:]...)
	}, http.StatusOK)
	if missing {
		return chat.Errorf(chat.ENOTFOUND, "document %s has no phrasing %d", c.Param("id"), n)
	}
	return err
}

// savePhrasings applies change to the document's phrasings, validates the result and stores the
// document in one transaction (its chunks and their vectors unchanged); a bad phrasing stores
// nothing.
func (s *Server) savePhrasings(c echo.Context, change func([]string) []string, status int) error {
	ctx := c.Request().Context()
	ps, ok := s.Knowledge.Store.(PhrasingStore)
	if !ok {
		return chat.Errorf(chat.EUNAVAILABLE, "this store cannot change phrasings")
	}
	d, err := s.storedDocument(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	next := change(append([]string(nil), retrieval.Phrasings(d)...))
	if c.Response().Committed {
		return nil
	}
	updated, err := retrieval.WithPhrasings(d, next)
	if err != nil {
		return err
	}
	chunks, err := s.Knowledge.Store.Chunks(ctx, d.ID)
	if err != nil {
		return err
	}
	updated.UpdatedAt = time.Now().UTC()
	if _, err := ps.PutDocument(ctx, updated, chunks); err != nil {
		return err
	}
	s.refreshed(ctx)
	return c.JSON(status, viewPhrasings(updated))
}

// kbSynonyms handles GET /api/v1/kb/synonyms: every group, by language.
func (s *Server) kbSynonyms(c echo.Context) error {
	ps, ok := s.Knowledge.Store.(PhrasingStore)
	if !ok {
		return chat.Errorf(chat.EUNAVAILABLE, "this store has no synonyms")
	}
	gs, err := ps.Synonyms(c.Request().Context())
	if err != nil {
		return err
	}
	out := map[string][][]string{}
	for _, g := range gs {
		out[g.Lang] = append(out[g.Lang], g.Words)
	}
	return c.JSON(http.StatusOK, map[string]any{"languages": out})
}

// kbSynonymsPut handles PUT /api/v1/kb/synonyms/:lang {"groups":[["excess","deductible"],…]}: the
// language's groups become exactly these.
func (s *Server) kbSynonymsPut(c echo.Context) error {
	var b struct {
		Groups [][]string `json:"groups"`
	}
	if err := c.Bind(&b); err != nil {
		return chat.Errorf(chat.EINVALID, "want JSON {\"groups\":[[word, word, …], …]}")
	}
	lang := c.Param("lang")
	gs, err := retrieval.CleanSynonyms(lang, b.Groups)
	if err != nil {
		return err
	}
	if err := s.putSynonyms(c.Request().Context(), map[string][]chat.SynonymGroup{lang: gs}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"lang": lang, "groups": len(gs)})
}

// kbSynonymsImport handles POST /api/v1/kb/synonyms/import (JSONL {"lang","words"} lines): each
// language named in the file gets exactly its groups; a bad line stores nothing.
func (s *Server) kbSynonymsImport(c echo.Context) error {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxSynonymImportBytes+1))
	if err != nil {
		return err
	}
	if len(body) > maxSynonymImportBytes {
		return chat.Errorf(chat.ETOOLARGE, "synonym file is over %d bytes", maxSynonymImportBytes)
	}
	byLang, _, err := retrieval.ParseSynonyms(body)
	if err != nil {
		return err
	}
	if err := s.putSynonyms(c.Request().Context(), byLang); err != nil {
		return err
	}
	counts := map[string]int{}
	for l, gs := range byLang {
		counts[l] = len(gs)
	}
	return c.JSON(http.StatusOK, map[string]any{"imported": counts})
}

// kbSynonymsExport handles GET /api/v1/kb/synonyms/export: JSONL, what import takes.
func (s *Server) kbSynonymsExport(c echo.Context) error {
	ps, ok := s.Knowledge.Store.(PhrasingStore)
	if !ok {
		return chat.Errorf(chat.EUNAVAILABLE, "this store has no synonyms")
	}
	gs, err := ps.Synonyms(c.Request().Context())
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, g := range gs {
		line, _ := json.Marshal(g)
		b.Write(line)
		b.WriteByte('\n')
	}
	return c.Blob(http.StatusOK, "application/x-ndjson", []byte(b.String()))
}

// putSynonyms stores the languages' groups in one transaction and reloads this replica's index.
func (s *Server) putSynonyms(ctx context.Context, byLang map[string][]chat.SynonymGroup) error {
	ps, ok := s.Knowledge.Store.(PhrasingStore)
	if !ok {
		return chat.Errorf(chat.EUNAVAILABLE, "this store has no synonyms")
	}
	if err := ps.PutSynonyms(ctx, byLang, time.Now().UTC()); err != nil {
		return err
	}
	s.refreshed(ctx)
	return nil
}
