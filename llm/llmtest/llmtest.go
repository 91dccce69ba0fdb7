// Package llmtest is a fake OpenAI-compatible server for tests: it speaks the documented wire
// format of /v1/embeddings and /v1/chat/completions (with server-sent-event streaming) so the real
// client code runs, and tests script its replies, delays and failures.
package llmtest

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Server is a fake OpenAI-compatible API. Its zero value is not usable; call New.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	fails    []int // status codes for the next requests, in order
	requests int
	inputs   int
	chats    int
	chat     func(ChatRequest) Script
	last     ChatRequest
}

// New starts a fake server; its base URL for clients is URL + "/v1".
func New() *Server {
	s := &Server{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/embeddings", s.embeddings)
	mux.HandleFunc("POST /v1/chat/completions", s.chatCompletions)
	s.Server = httptest.NewServer(mux)
	return s
}

// BaseURL is what a client's base URL setting should be.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// FailNext makes the next requests fail with these HTTP status codes, one each.
func (s *Server) FailNext(codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails = append(s.fails, codes...)
}

// Requests returns how many requests arrived and how many texts were embedded.
func (s *Server) Requests() (requests, inputs int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, s.inputs
}

func (s *Server) fail(w http.ResponseWriter) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if len(s.fails) == 0 {
		return false
	}
	code := s.fails[0]
	s.fails = s.fails[1:]
	writeError(w, code, "scripted failure")
	return true
}

func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "code": nil}})
}

type embeddingRequest struct {
	Input      []string `json:"input"`
	Model      string   `json:"model"`
	Dimensions int      `json:"dimensions"`
}

type embedding struct {
	Object    string    `json:"object"`
	Index     int       `json:"index"`
	Embedding []float32 `json:"embedding"`
}

func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) {
	if s.fail(w) {
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		writeError(w, http.StatusUnauthorized, "missing API key")
		return
	}
	var req embeddingRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Input) == 0 || req.Model == "" {
		writeError(w, http.StatusBadRequest, "input (array of strings) and model are required")
		return
	}
	dim := req.Dimensions
	if dim <= 0 {
		dim = 64
	}
	s.mu.Lock()
	s.inputs += len(req.Input)
	s.mu.Unlock()
	data := make([]embedding, len(req.Input))
	for i, text := range req.Input {
		data[i] = embedding{Object: "embedding", Index: i, Embedding: Vector(text, dim)}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model,
		"usage": map[string]int{"prompt_tokens": len(req.Input), "total_tokens": len(req.Input)}})
}

// Vector is the fake model's deterministic unit vector for text: words hashed into dim buckets.
func Vector(text string, dim int) []float32 {
	v := make([]float32, dim)
	for _, w := range strings.Fields(strings.ToLower(text)) {
		h := fnv.New32a()
		h.Write([]byte(w))
		v[h.Sum32()%uint32(dim)]++
	}
	var n float64
	for _, x := range v {
		n += float64(x * x)
	}
	if n > 0 {
		for i := range v {
			v[i] /= float32(math.Sqrt(n))
		}
	}
	return v
}
