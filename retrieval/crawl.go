package retrieval

import (
	"context"
	"encoding/xml"
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

// maxSitemapURLs is the most page URLs a sitemap may list (the sitemap protocol's own limit).
const maxSitemapURLs = 50000

const userAgent = "Tandem/1 (+knowledge import)"

// Fetch downloads and parses pages (HTML, Markdown, text), in input order, one result per URL.
func Fetch(ctx context.Context, client *http.Client, urls []string, o FetchOptions) []FetchResult {
	if o.MaxBytes <= 0 {
		o.MaxBytes = MaxFileBytes
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Timeout <= 0 {
		o.Timeout = 20 * time.Second
	}
	out := make([]FetchResult, len(urls))
	sem := make(chan struct{}, o.Concurrency)
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			docs, err := fetchPage(ctx, client, u, o)
			out[i] = FetchResult{URL: u, Docs: docs, Err: err}
		}()
	}
	wg.Wait()
	return out
}

func fetchPage(ctx context.Context, client *http.Client, raw string, o FetchOptions) ([]chat.Document, error) {
	data, ctype, err := get(ctx, client, raw, o)
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(raw)
	id := urlID(u)
	mt, _, _ := mime.ParseMediaType(ctype)
	now := time.Now().UTC()
	var docs []chat.Document
	switch {
	case mt == "text/html" || mt == "application/xhtml+xml":
		var d chat.Document
		d, err = ParseHTML(raw, id, data, now)
		docs = []chat.Document{d}
	case mt == "text/markdown" || mt == "text/plain" || path.Ext(u.Path) == ".md":
		docs, err = ParseFile(id+".md", data, now)
	default:
		return nil, fmt.Errorf("%s: unsupported content type %q (want HTML, Markdown or text)", raw, ctype)
	}
	if err != nil {
		return nil, err
	}
	for i := range docs {
		docs[i].ID, docs[i].URL = id, raw
		docs[i] = finish(docs[i])
	}
	return docs, nil
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
		return nil, "", fmt.Errorf("%s: %v", raw, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("%s: HTTP %d", raw, res.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, o.MaxBytes+1))
	if err != nil {
		return nil, "", fmt.Errorf("%s: %v", raw, err)
	}
	if int64(len(data)) > o.MaxBytes {
		return nil, "", fmt.Errorf("%s: over the limit of %d bytes", raw, o.MaxBytes)
	}
	return data, res.Header.Get("Content-Type"), nil
}

var unsafeID = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// urlID makes a document id of a URL's host and path.
func urlID(u *url.URL) string {
	id := strings.Trim(unsafeID.ReplaceAllString(u.Host+u.Path, "-"), "-")
	if u.RawQuery != "" {
		id += "-" + strings.Trim(unsafeID.ReplaceAllString(u.RawQuery, "-"), "-")
	}
	if len(id) > 200 {
		id = id[:200]
	}
	return id
}

type sitemapXML struct {
	XMLName xml.Name
	URLs    []struct {
		Loc string `xml:"loc"`
	} `xml:"url"`
	Sitemaps []struct {
		Loc string `xml:"loc"`
	} `xml:"sitemap"`
}

// Sitemap returns the page URLs a sitemap lists; a sitemap index is followed one level down.
func Sitemap(ctx context.Context, client *http.Client, raw string) ([]string, error) {
	return sitemap(ctx, client, raw, 1)
}

func sitemap(ctx context.Context, client *http.Client, raw string, depth int) ([]string, error) {
	data, _, err := get(ctx, client, raw, FetchOptions{MaxBytes: MaxFileBytes, Timeout: 20 * time.Second})
	if err != nil {
		return nil, err
	}
	var sm sitemapXML
	if err := xml.Unmarshal(data, &sm); err != nil {
		return nil, fmt.Errorf("%s: not a sitemap: %v", raw, err)
	}
	if n := sm.XMLName.Local; n != "urlset" && n != "sitemapindex" {
		return nil, fmt.Errorf("%s: not a sitemap (the root element is <%s>, want <urlset> or <sitemapindex>)", raw, n)
	}
	var out []string
	for _, u := range sm.URLs {
		out = append(out, strings.TrimSpace(u.Loc))
	}
	for _, s := range sm.Sitemaps {
		if depth == 0 {
			break
		}
		more, err := sitemap(ctx, client, strings.TrimSpace(s.Loc), depth-1)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	if len(out) > maxSitemapURLs {
		return nil, fmt.Errorf("%s: %d URLs; the limit is %d", raw, len(out), maxSitemapURLs)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: the sitemap lists no pages", raw)
	}
	return out, nil
}
