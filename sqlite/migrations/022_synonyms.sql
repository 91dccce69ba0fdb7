-- Trainer-defined synonym groups per language (excess ~ deductible), applied to queries.
CREATE TABLE synonyms (
	lang       TEXT NOT NULL,
	ord        INTEGER NOT NULL,
	words      TEXT NOT NULL, -- JSON array of the group's words
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (lang, ord)
);
