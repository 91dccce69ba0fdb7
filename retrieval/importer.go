package retrieval

import (
	"context"
	"time"

	"tandem/chat"
)

// DocumentStore stores documents with their chunks, all or nothing per call.
type DocumentStore interface {
	PutDocuments(ctx context.Context, docs []chat.Document, chunks [][]chat.Chunk) (changed int, err error)
}

// Report is the outcome of importing one file or URL.
type Report struct {
	Name      string `json:"name"`
	Documents int    `json:"documents"`
	Chunks    int    `json:"chunks"`
	Changed   int    `json:"changed"`
	Error     string `json:"error,omitempty"`
}

// Importer parses, chunks and stores knowledge. Each file is stored in one transaction, so a file
// that fails leaves nothing behind, and the other files go on.
type Importer struct {
	Store    DocumentStore
	Chunking ChunkOptions
}

// File imports one file's bytes; collection applies to documents that do not name their own.
func (im *Importer) File(ctx context.Context, name string, data []byte, collection string) Report {
	docs, err := ParseFile(name, data, time.Now().UTC())
	if err != nil {
		return Report{Name: name, Error: err.Error()}
	}
	return im.Documents(ctx, name, docs, collection)
}

// Documents stores already parsed documents under one report.
func (im *Importer) Documents(ctx context.Context, name string, docs []chat.Document, collection string) Report {
	r := Report{Name: name, Documents: len(docs)}
	chunks := make([][]chat.Chunk, len(docs))
	for i := range docs {
		if docs[i].Collection == "" {
			docs[i].Collection = collection
			docs[i] = finish(docs[i]) // the hash covers the collection
		}
		chunks[i] = Chunks(docs[i], im.Chunking)
		r.Chunks += len(chunks[i])
	}
	n, err := im.Store.PutDocuments(ctx, docs, chunks)
	if err != nil {
		return Report{Name: name, Error: err.Error()}
	}
	r.Changed = n
	return r
}
