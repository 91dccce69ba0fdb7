package retrieval

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"

	"tandem/chat"
	"tandem/outbound"
)

// FetchOptions bound a URL import.
type FetchOptions struct {
	MaxBytes    int64         // per page (MaxFileBytes when 0)
	Concurrency int           // pages fetched at once (4 when 0)
	Timeout     time.Duration // per page (20 s when 0)
}

// FetchResult is one fetched and parsed page.
type FetchResult struct {
	URL  string
	Docs []chat.Document
	Err  error
}

// MaxImportPages is how many pages one URL import fetches, the pages its sitemap lists included.
const MaxImportPages = 1000

// Fetch defaults and limits.
const (
	fetchConcurrency = 4                // pages fetched at once
	fetchTimeout     = 20 * time.Second // per page, body included
	maxSitemapFiles  = 50               // sitemaps read for one import, the index included
	maxIDSlug        = 120              // bytes of a URL's slug kept in a document id
	userAgent        = "Tandem/1 (+knowledge import)"
)

// Fetch downloads and parses pages (HTML, Markdown, plain text or PDF, by Content-Type or else by
// the URL's extension) and returns one result per URL, in input order. Each document's id comes
// from the URL's host and path and its URL is the page's; a bad URL, an HTTP error, a page over
// o.MaxBytes or an unparsable page is that URL's error, and the others go on.
func Fetch(ctx context.Context, client *http.Client, urls []string, o FetchOptions) []FetchResult {
	out := make([]FetchResult, len(urls))
	FetchEach(ctx, client, urls, o, func(i int, r FetchResult) { out[i] = r })
	return out
}

// FetchEach is Fetch handing each page to fn as soon as it is parsed (urls[i] as i, one call at a
// time, in completion order) instead of keeping them all: at most o.Concurrency pages are in
// memory at once, whatever the number of URLs.
func FetchEach(ctx context.Context, client *http.Client, urls []string, o FetchOptions, fn func(i int, r FetchResult)) {
	if client == nil {
		client = outbound.Policy{}.Client(0)
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = MaxFileBytes
	}
	if o.Concurrency <= 0 {
		o.Concurrency = fetchConcurrency
	}
	if o.Timeout <= 0 {
		o.Timeout = fetchTimeout
	}
	sem := make(chan struct{}, o.Concurrency)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, u := range urls {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			docs, err := fetchPage(ctx, client, u, o)
			mu.Lock()
			defer mu.Unlock()
			fn(i, FetchResult{URL: u, Docs: docs, Err: err})
		}()
	}
	wg.Wait()
}

func fetchPage(ctx context.Context, client *http.Client, raw string, o FetchOptions) ([]chat.Document, error) {
	data, ctype, err := get(ctx, client, raw, o)
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(raw) // get checked it
	ext := pageType(ctype, u.Path, data)
	if ext == "" {
		return nil, fmt.Errorf("%s: unsupported content type %q (want HTML, Markdown, text or PDF)", raw, ctype)
	}
	docs, err := parse(raw, ext, data, time.Now().UTC())
	if err != nil {
		return nil, err
	}
	id := urlID(u)
	for i := range docs {
		docs[i].ID, docs[i].URL = id, raw
		docs[i] = finish(docs[i])
	}
	return docs, nil
}

// pageTypes map the media types Fetch parses to the file type that reads them.
var pageTypes = map[string]string{
	"text/html": ".html", "application/xhtml+xml": ".html", "text/markdown": ".md", "text/x-markdown": ".md",
	"text/plain": ".txt", "application/pdf": ".pdf", "application/x-pdf": ".pdf",
}

// pageType picks how to parse a page: by its Content-Type, else (for a missing or generic type)
// by the URL path's extension, else by sniffing the body. "" means unsupported.
func pageType(ctype, urlPath string, data []byte) string {
	mt, _, _ := mime.ParseMediaType(ctype)
	if ext := pageTypes[mt]; ext != "" {
		return ext
	}
	if mt != "" && mt != "application/octet-stream" && mt != "binary/octet-stream" {
		return ""
	}
	switch ext := strings.ToLower(path.Ext(urlPath)); ext {
	case ".html", ".htm", ".md", ".markdown", ".txt", ".pdf":
		return ext
	}
	mt, _, _ = mime.ParseMediaType(http.DetectContentType(data))
	return pageTypes[mt]
}

// get downloads one http(s) URL, refusing bodies over o.MaxBytes.
func get(ctx context.Context, client *http.Client, raw string, o FetchOptions) ([]byte, string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "", fmt.Errorf("%s: not an http(s) URL", raw)
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %v", raw, err)
	}
	req.Header.Set("User-Agent", userAgent)
	res, err := client.Do(req)
	if err != nil {
		return nil, "", &fetchError{url: raw, err: err}
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("%s: HTTP %d", raw, res.StatusCode)
	}
	tooBig := fmt.Errorf("%s: over the limit of %d bytes", raw, o.MaxBytes)
	if res.ContentLength > o.MaxBytes {
		return nil, "", tooBig
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, o.MaxBytes+1))
	if err != nil {
		return nil, "", &fetchError{url: raw, err: err}
	}
	if int64(len(data)) > o.MaxBytes {
		return nil, "", tooBig
	}
	return data, res.Header.Get("Content-Type"), nil
}

// fetchError is a failed request. Its text (shown to whoever asked for the import) says only
// whether the outbound policy refused the address or the fetch failed, never the address, port
// or network error behind it, so imports cannot map the server's network; the cause is kept for
// errors.Is.
type fetchError struct {
	url string
	err error
}

func (e *fetchError) Error() string { return e.url + ": " + outbound.Message(e.err) }
func (e *fetchError) Unwrap() error { return e.err }

var unsafeID = regexp.MustCompile(`[^A-Za-z0-9._]+`) // runs of these, and of hyphens, become one hyphen

// urlID makes a document id of a URL's host and path, such as "help.example.com-claims-how-to".
// When that slug loses information (other characters, a query, truncation) a short hash of the
// URL is appended, so that distinct pages never share an id.
func urlID(u *url.URL) string {
	plain := strings.Trim(strings.NewReplacer("/", "-", ":", "-").Replace(strings.ToLower(u.Host)+u.Path), "-")
	slug := strings.Trim(unsafeID.ReplaceAllString(plain, "-"), "-")
	if slug == plain && u.RawQuery == "" && len(slug) <= maxIDSlug {
		return slug
	}
	sum := sha256.Sum256([]byte(strings.ToLower(u.Host) + u.EscapedPath() + "?" + u.RawQuery))
	return strings.Trim(slug[:min(len(slug), maxIDSlug)], "-") + "-" + hex.EncodeToString(sum[:4])
}

// Sitemap returns the page URLs a sitemap lists (<urlset>), without duplicates; a sitemap index
// (<sitemapindex>) is followed one level down, reading at most maxSitemapFiles sitemaps. More
// than max pages, counted across every sitemap, is an error: the files are read as streams and
// reading stops there. Gzipped sitemaps are not read.
func Sitemap(ctx context.Context, client *http.Client, raw string, max int) ([]string, error) {
	if client == nil {
		client = outbound.Policy{}.Client(0)
	}
	w := &sitemapWalk{ctx: ctx, client: client, max: max, seen: map[string]bool{}, read: map[string]bool{}}
	if err := w.file(raw, 1); err != nil {
		return nil, err
	}
	if len(w.pages) == 0 {
		return nil, fmt.Errorf("%s: the sitemap lists no pages", raw)
	}
	return w.pages, nil
}

// sitemapWalk is one Sitemap call's state: the pages found so far and the files read.
type sitemapWalk struct {
	ctx    context.Context
	client *http.Client
	max    int
	seen   map[string]bool // pages
	read   map[string]bool // sitemap files
	pages  []string
	files  int
}

// file reads one sitemap file, adding its pages and (depth permitting) reading the sitemaps an
// index lists.
func (w *sitemapWalk) file(raw string, depth int) error {
	if w.files++; w.files > maxSitemapFiles {
		return fmt.Errorf("%s: over %d sitemap files; import a smaller sitemap", raw, maxSitemapFiles)
	}
	data, _, err := get(w.ctx, w.client, raw, FetchOptions{MaxBytes: MaxFileBytes, Timeout: fetchTimeout})
	if err != nil {
		return err
	}
	var nested []string
	root, err := sitemapLocs(data, func(root, loc string) bool {
		if root == "sitemapindex" {
			nested = append(nested, loc)
			return len(nested) < maxSitemapFiles
		}
		if !w.seen[loc] {
			w.seen[loc] = true
			w.pages = append(w.pages, loc)
		}
		return len(w.pages) <= w.max
	})
	if err != nil {
		return fmt.Errorf("%s: %v", raw, err)
	}
	if root == "sitemapindex" && depth > 0 {
		for _, loc := range nested {
			if w.read[loc] {
				continue // listed twice
			}
			w.read[loc] = true
			if err := w.file(loc, depth-1); err != nil {
				return err
			}
		}
	}
	if len(w.pages) > w.max {
		return fmt.Errorf("%s: the sitemap lists over %d pages, the most one import fetches; import a smaller sitemap", raw, w.max)
	}
	return nil
}

// sitemapLocs streams a sitemap's XML, returns its root element's name and hands each entry's
// <loc> (a <urlset>'s pages or a <sitemapindex>'s sitemaps) to add, stopping when add says so.
func sitemapLocs(data []byte, add func(root, loc string) bool) (root string, err error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	inLoc, more := false, true
	var loc strings.Builder
	for more {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("not a sitemap: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = t.Name.Local
				if root != "urlset" && root != "sitemapindex" {
					return "", fmt.Errorf("not a sitemap (the root element is <%s>, want <urlset> or <sitemapindex>)", root)
				}
			}
			inLoc = t.Name.Local == "loc"
			loc.Reset()
		case xml.CharData:
			if inLoc && loc.Len() < maxLocBytes {
				loc.Write(t)
			}
		case xml.EndElement:
			if t.Name.Local == "loc" {
				if l := strings.TrimSpace(loc.String()); l != "" {
					more = add(root, l)
				}
			}
			inLoc = false
		}
	}
	if root == "" {
		return "", errors.New("not a sitemap: no XML root element")
	}
	return root, nil
}

// maxLocBytes is the longest URL kept from a sitemap (the protocol's limit is 2,048 characters).
const maxLocBytes = 4096
