-- Trainer-defined synonym groups per language (excess ~ deductible), applied to queries.
CREATE TABLE synonyms (
	lang       text NOT NULL,
	ord        integer NOT NULL,
	words      jsonb NOT NULL, -- the group's words
	updated_at timestamptz NOT NULL,
	PRIMARY KEY (lang, ord)
);
