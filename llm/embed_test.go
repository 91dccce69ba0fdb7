package llm_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"tandem/llm"
	"tandem/llm/llmtest"
)

func TestEmbedderBatchesAndRetries(t *testing.T) {
	srv := llmtest.New()
	defer srv.Close()
	e := llm.NewEmbedder(llm.EmbedConfig{BaseURL: srv.BaseURL(), APIKey: "k", Model: "m", Dim: 32, Batch: 10})
	srv.FailNext(http.StatusTooManyRequests, http.StatusBadGateway)
	texts := make([]string, 25)
	for i := range texts {
		texts[i] = fmt.Sprintf("text number %d", i)
	}
	vs, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 25 || len(vs[24]) != 32 {
		t.Fatalf("got %d vectors of %d", len(vs), len(vs[0]))
	}
	want := llmtest.Vector(texts[24], 32)
	for i := range want {
		if vs[24][i] != want[i] {
			t.Fatal("vectors out of order")
		}
	}
	if req, in := srv.Requests(); req != 5 || in != 25 {
		t.Fatalf("requests %d inputs %d, want 5 (3 batches + 2 retries) and 25", req, in)
	}
	if e.Model() != "openai:m:32" {
		t.Fatal(e.Model())
	}
}

func TestEmbedderDoesNotRetryBadRequests(t *testing.T) {
	srv := llmtest.New()
	defer srv.Close()
	e := llm.NewEmbedder(llm.EmbedConfig{BaseURL: srv.BaseURL(), APIKey: "k", Model: "m", Dim: 8})
	srv.FailNext(http.StatusBadRequest)
	if _, err := e.Embed(context.Background(), []string{"a"}); err == nil {
		t.Fatal("want an error")
	}
	if req, _ := srv.Requests(); req != 1 {
		t.Fatalf("%d requests, want 1", req)
	}
}

func TestEmbedderChecksDimensions(t *testing.T) {
	srv := llmtest.New()
	defer srv.Close()
	e := llm.NewEmbedder(llm.EmbedConfig{BaseURL: srv.URL + "/v1", APIKey: "k", Model: "m", Dim: 8})
	vs, err := e.Embed(context.Background(), []string{"hello world"})
	if err != nil || len(vs[0]) != 8 {
		t.Fatal(err)
	}
}

func TestEmbedderCircuitBreaker(t *testing.T) {
	srv := llmtest.New()
	e := llm.NewEmbedder(llm.EmbedConfig{BaseURL: srv.BaseURL(), APIKey: "k", Model: "m", Dim: 8, Retries: 1})
	srv.Close()
	for range 3 {
		if _, err := e.Embed(context.Background(), []string{"a"}); err == nil || errors.Is(err, llm.ErrOpen) {
			t.Fatalf("want a connection error, got %v", err)
		}
	}
	start := time.Now()
	if _, err := e.Embed(context.Background(), []string{"a"}); !errors.Is(err, llm.ErrOpen) || time.Since(start) > 10*time.Millisecond {
		t.Fatalf("after 3 failures: %v in %s, want ErrOpen at once", err, time.Since(start))
	}
}
