-- A draft says why the bot would not have sent it itself (reason: low_confidence, ambiguous,
-- out_of_scope, …) and whether it is unsure: written for an agent where the bot would hand off.
ALTER TABLE drafts ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE drafts ADD COLUMN unsure INTEGER NOT NULL DEFAULT 0;
