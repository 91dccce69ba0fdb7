# Tandem — every task CI and people run is a target here.
GO        ?= go
BIN       := bin/tandem
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
TEST_DB   ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: demo build test lint bench evals fmt clean

## demo: build, load the demo knowledge base, serve widget + API, print URLs
demo: build
	@echo "== starting the demo (knowledge base, vectors, intents, calibration)"
	./$(BIN) demo

build:
	@echo "== downloading Go modules (first run only)"
	@$(GO) mod download
	@echo "== building $(BIN) (a first build compiles everything: 1–3 minutes on 2 cores)"
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/tandem
	@echo "== built $(BIN)"

## test: every test, against a real SQLite file, Postgres with pgvector and Chromium, then every
## fuzz target for FUZZTIME (30,000 inputs) each
# -parallel 4: the channel conformance runs (the only parallel tests) wait on their servers, not the CPU.
test:
	TANDEM_TEST_DATABASE_URL="$${TANDEM_TEST_DATABASE_URL:-$(TEST_DB)}" $(GO) test -count=1 -parallel 4 -timeout 30m ./...
	FUZZTIME="$${FUZZTIME:-30000x}" scripts/fuzz

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) run $(STATICCHECK) ./...

## bench: load and handoff-notification (2 replicas, 200 agents) with references, retrieval, crash-safety (20 SIGKILLs
## under load) and 10-minute soak benchmarks on Postgres, results in bench/results.txt (one alone: go run ./cmd/bench -only crash)
bench: build
	$(GO) run ./cmd/bench -db "$${TANDEM_TEST_DATABASE_URL:-$(TEST_DB)}" -out bench/results.txt

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin data

EVALSETS ?= ../shared/evalsets

## evals: retrieval and answer confidence (cmrc2018-zh dev, SQLite and Postgres), intents (BANKING77 as the closed-set
## benchmark it is, CLINC150 val trained with and without its out-of-scope lines) and answers (the demo's
## natural-question set through a real demo server; report with every miss in bin/answers-report.html)
evals: build
	./$(BIN) eval answers --report bin/answers-report.html
	./$(BIN) eval retrieval --knowledge $(EVALSETS)/cmrc2018-zh/knowledge.jsonl --questions $(EVALSETS)/cmrc2018-zh/questions.jsonl --split dev
	DATABASE_URL="$${TANDEM_TEST_DATABASE_URL:-$(TEST_DB)}" ./$(BIN) eval retrieval --knowledge $(EVALSETS)/cmrc2018-zh/knowledge.jsonl --questions $(EVALSETS)/cmrc2018-zh/questions.jsonl --split dev
	./$(BIN) eval confidence --knowledge $(EVALSETS)/cmrc2018-zh/knowledge.jsonl --questions $(EVALSETS)/cmrc2018-zh/questions.jsonl --split dev
	./$(BIN) eval intents --train $(EVALSETS)/banking77/train.jsonl --test $(EVALSETS)/banking77/test.jsonl --closed-set
	./$(BIN) eval intents --train $(EVALSETS)/clinc150/train.jsonl --val $(EVALSETS)/clinc150/val.jsonl --test $(EVALSETS)/clinc150/val.jsonl
	grep -v '"intent": "oos"' $(EVALSETS)/clinc150/train.jsonl > bin/clinc150-train-no-oos.jsonl
	./$(BIN) eval intents --train bin/clinc150-train-no-oos.jsonl --test $(EVALSETS)/clinc150/val.jsonl
