package httpapi

import (
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"tandem/chat"
	"tandem/retrieval"
)

// DefaultMaxUploadBytes limits one knowledge upload request (all its files together).
const DefaultMaxUploadBytes = 64 << 20

// Limits of the knowledge API.
const (
	maxImportURLs    = retrieval.MaxImportPages
	maxSearchQuery   = 1000
	maxDocumentsList = 5000
)

// KnowledgeStore is what the knowledge API reads and deletes.
type KnowledgeStore interface {
	Documents(ctx context.Context) ([]chat.Document, error)
	Chunks(ctx context.Context, docID string) ([]chat.Chunk, error)
	DeleteDocument(ctx context.Context, id string) error
}

// KnowledgeBase is what the trainer's knowledge API works on.
type KnowledgeBase struct {
	Store    KnowledgeStore
	Index    *retrieval.Index
	Search   *retrieval.Searcher
	Importer *retrieval.Importer
	Embed    *retrieval.EmbedJob
	// ImportURLs fetches pages (and a sitemap's pages) and imports them, one report per page.
	ImportURLs func(ctx context.Context, urls []string, sitemap, collection string) []retrieval.Report
	// Refresh reloads this replica's index after a change, so the change is searchable at once
	// (other replicas pick it up on their next sync).
	Refresh func(ctx context.Context) error
}

// refreshed reloads the index after a change; a failure is logged, the sync retries.
func (s *Server) refreshed(ctx context.Context) {
	if s.Knowledge.Refresh == nil {
		return
	}
	if err := s.Knowledge.Refresh(ctx); err != nil {
		s.Log.Warn("knowledge refresh after a change failed; the next sync retries", "err", err)
	}
}

type kbStatus struct {
	Documents   int                `json:"documents"`
	Chunks      int                `json:"chunks"`
	Embedder    retrieval.Progress `json:"embedder"`
	Embedded    int                `json:"embedded"`
	Reembedding bool               `json:"reembedding"`
	// Calibration is the answer calibrator fitted on the knowledge base: state, progress and, per
	// language, held-out ECE and coverage at the target precision.
	Calibration any `json:"calibration,omitempty"`
}

// kbStatus handles GET /api/v1/kb/status.
func (s *Server) kbStatus(c echo.Context) error {
	ctx := c.Request().Context()
	docs, err := s.Knowledge.Store.Documents(ctx)
	if err != nil {
		return err
	}
	p, err := s.Knowledge.Embed.Status(ctx)
	if err != nil {
		return err
	}
	st := kbStatus{Documents: len(docs), Chunks: p.Chunks, Embedder: p, Embedded: p.Embedded, Reembedding: p.Embedded < p.Chunks}
	if s.KBCalibration != nil {
		st.Calibration = s.KBCalibration()
	}
	return c.JSON(http.StatusOK, st)
}

type documentSummary struct {
	ID         string    `json:"id"`
	Title      string    `json:"title"`
	Collection string    `json:"collection"`
	Lang       string    `json:"lang"`
	Kind       string    `json:"kind"`
	Tags       []string  `json:"tags"`
	URL        string    `json:"url"`
	Chunks     int       `json:"chunks"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// kbDocuments handles GET /api/v1/kb/documents?collection=&q=&limit=.
func (s *Server) kbDocuments(c echo.Context) error {
	docs, err := s.Knowledge.Store.Documents(c.Request().Context())
	if err != nil {
		return err
	}
	limit := maxDocumentsList
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxDocumentsList {
			return chat.Errorf(chat.EINVALID, "limit must be 1–%d", maxDocumentsList)
		}
		limit = n
	}
	coll, q := c.QueryParam("collection"), strings.ToLower(strings.TrimSpace(c.QueryParam("q")))
	counts := s.Knowledge.Index.ChunkCounts()
	out := []documentSummary{}
	collections := map[string]bool{}
	for _, d := range docs {
		collections[d.Collection] = true
		if (coll != "" && d.Collection != coll) || (q != "" && !strings.Contains(strings.ToLower(d.ID+" "+d.Title), q)) || len(out) == limit {
			continue
		}
		out = append(out, summarize(d, counts[d.ID]))
	}
	names := make([]string, 0, len(collections))
	for n := range collections {
		names = append(names, n)
	}
	sort.Strings(names)
	return c.JSON(http.StatusOK, map[string]any{"documents": out, "collections": names})
}

func summarize(d chat.Document, chunks int) documentSummary {
	kind := d.Kind
	if kind == "" {
		kind = "article"
	}
	tags := d.Tags
	if tags == nil {
		tags = []string{}
	}
	return documentSummary{ID: d.ID, Title: d.Title, Collection: d.Collection, Lang: d.Lang, Kind: kind, Tags: tags, URL: d.URL, Chunks: chunks, UpdatedAt: d.UpdatedAt}
}

// kbChunks handles GET /api/v1/kb/documents/:id/chunks.
func (s *Server) kbChunks(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	d, ok := s.Knowledge.Index.Doc(id)
	if !ok {
		return chat.Errorf(chat.ENOTFOUND, "document %s not found", id)
	}
	chunks, err := s.Knowledge.Store.Chunks(ctx, id)
	if err != nil {
		return err
	}
	if chunks == nil {
		chunks = []chat.Chunk{}
	}
	return c.JSON(http.StatusOK, map[string]any{"document": d, "chunks": chunks})
}

// kbDelete handles DELETE /api/v1/kb/documents/:id.
func (s *Server) kbDelete(c echo.Context) error {
	if err := s.Knowledge.Store.DeleteDocument(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	s.refreshed(c.Request().Context())
	return c.NoContent(http.StatusNoContent)
}

type importResponse struct {
	Files     []retrieval.Report `json:"files"`
	Documents int                `json:"documents"`
	Chunks    int                `json:"chunks"`
	Changed   int                `json:"changed"`
	Failed    int                `json:"failed"`
}

func newImportResponse(reports []retrieval.Report) importResponse {
	r := importResponse{Files: reports}
	for _, f := range reports {
		if f.Error != "" {
			r.Failed++
		}
		r.Documents, r.Chunks, r.Changed = r.Documents+f.Documents, r.Chunks+f.Chunks, r.Changed+f.Changed
	}
	if r.Files == nil {
		r.Files = []retrieval.Report{}
	}
	return r
}

type urlImportRequest struct {
	URLs       []string `json:"urls"`
	Sitemap    string   `json:"sitemap"`
	Collection string   `json:"collection"`
}

// kbImport handles POST /api/v1/kb/import: multipart files, or JSON {"urls","sitemap"}. Every file
// gets its own report line; a bad file does not stop the others.
func (s *Server) kbImport(c echo.Context) error {
	ctx := c.Request().Context()
	if strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEApplicationJSON) {
		var req urlImportRequest
		if err := s.bind(c, &req); err != nil {
			return err
		}
		if len(req.URLs) == 0 && req.Sitemap == "" {
			return chat.Errorf(chat.EINVALID, "give urls or a sitemap")
		}
		if len(req.URLs) > maxImportURLs {
			return chat.Errorf(chat.EINVALID, "at most %d urls per request", maxImportURLs)
		}
		reports := s.Knowledge.ImportURLs(ctx, req.URLs, req.Sitemap, collectionOr(req.Collection))
		s.refreshed(ctx)
		return c.JSON(http.StatusOK, newImportResponse(reports))
	}
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, s.maxUpload())
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return chat.Errorf(chat.ETOOLARGE, "upload is over the limit of %d bytes", s.maxUpload())
		}
		return chat.Errorf(chat.EINVALID, "want multipart/form-data with file parts (or JSON with urls): %v", err)
	}
	defer r.MultipartForm.RemoveAll()
	files := r.MultipartForm.File["file"]
	if len(files) == 0 {
		return chat.Errorf(chat.EINVALID, "no file parts named \"file\" in the upload")
	}
	collection := collectionOr(r.FormValue("collection"))
	reports := make([]retrieval.Report, 0, len(files))
	for _, fh := range files {
		reports = append(reports, s.importPart(ctx, fh, collection))
	}
	s.refreshed(ctx)
	return c.JSON(http.StatusOK, newImportResponse(reports))
}

func collectionOr(c string) string {
	if c = strings.TrimSpace(c); c != "" {
		return c
	}
	return "default"
}

func (s *Server) maxUpload() int64 {
	if s.MaxUploadBytes > 0 {
		return s.MaxUploadBytes
	}
	return DefaultMaxUploadBytes
}

// importPart imports one uploaded file, refusing one over the per-file limit before reading it.
func (s *Server) importPart(ctx context.Context, fh *multipart.FileHeader, collection string) retrieval.Report {
	if fh.Size > retrieval.MaxFileBytes {
		return retrieval.Report{Name: fh.Filename, Error: fh.Filename + ": " + strconv.FormatInt(fh.Size, 10) + " bytes; the limit is " + strconv.Itoa(retrieval.MaxFileBytes)}
	}
	f, err := fh.Open()
	if err != nil {
		return retrieval.Report{Name: fh.Filename, Error: err.Error()}
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return retrieval.Report{Name: fh.Filename, Error: err.Error()}
	}
	return s.Knowledge.Importer.File(ctx, fh.Filename, data, collection)
}

// kbSearch handles GET /api/v1/kb/search?q=&k=&collection=&lang=: the bot's hybrid search with
// each leg's scores, for the trainer's playground; read_as is the question as the bot reads it
// when that differs (a typo, shorthand).
func (s *Server) kbSearch(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	if q == "" || len(q) > maxSearchQuery {
		return chat.Errorf(chat.EINVALID, "q is required and at most %d bytes", maxSearchQuery)
	}
	k := 10
	if v := c.QueryParam("k"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return chat.Errorf(chat.EINVALID, "k must be 1–100")
		}
		k = n
	}
	start := time.Now()
	read := s.Knowledge.Search.Correct(q) // as the bot reads it: typos and shorthand
	rs := s.Knowledge.Search.Search(c.Request().Context(), retrieval.Query{Text: read, K: k,
		Filter: retrieval.Filter{Collection: c.QueryParam("collection"), Lang: c.QueryParam("lang")}})
	took := float64(time.Since(start).Microseconds()) / 1000
	out := map[string]any{"took_ms": took, "hits": retrieval.Show(rs)}
	if read != q {
		out["read_as"] = read
	}
	return c.JSON(http.StatusOK, out)
}
