-- The eval loop: captured review candidates, eval sets with their cases, runs and per-case results.
CREATE TABLE review_items (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	dedupe          text NOT NULL UNIQUE,
	reason          text NOT NULL,
	conversation_id text NOT NULL,
	message_id      bigint NOT NULL DEFAULT 0,
	channel         text NOT NULL DEFAULT '',
	intent          text NOT NULL DEFAULT '',
	text            text NOT NULL,
	bot_answer      text NOT NULL DEFAULT '',
	answer          text NOT NULL DEFAULT '',
	confidence      double precision NOT NULL DEFAULT 0,
	sources         jsonb NOT NULL DEFAULT '[]',
	status          text NOT NULL DEFAULT 'open',
	created_at      timestamptz NOT NULL
);
CREATE INDEX review_items_status ON review_items (status, id);
CREATE INDEX review_items_conversation ON review_items (conversation_id);

CREATE TABLE eval_sets (
	name       text PRIMARY KEY,
	created_at timestamptz NOT NULL
);
CREATE TABLE eval_cases (
	set_name text NOT NULL REFERENCES eval_sets(name) ON DELETE CASCADE,
	id       text NOT NULL,
	ord      int NOT NULL,
	body     jsonb NOT NULL,
	PRIMARY KEY (set_name, id)
);
CREATE TABLE eval_runs (
	id         text PRIMARY KEY,
	set_name   text NOT NULL,
	baseline   text NOT NULL DEFAULT '',
	config     jsonb NOT NULL DEFAULT '{}',
	metrics    jsonb NOT NULL DEFAULT '{}',
	created_at timestamptz NOT NULL
);
CREATE INDEX eval_runs_set ON eval_runs (set_name, created_at);
CREATE TABLE eval_results (
	run_id  text NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
	case_id text NOT NULL,
	ord     int NOT NULL,
	body    jsonb NOT NULL,
	PRIMARY KEY (run_id, case_id)
);
