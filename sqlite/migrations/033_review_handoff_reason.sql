-- Why the bot handed off (customer_request, intent_policy, low_confidence, …), so a review
-- candidate's defaults and the knowledge gaps can tell a right handoff from a missing answer.
ALTER TABLE review_items ADD COLUMN handoff_reason TEXT NOT NULL DEFAULT '';
