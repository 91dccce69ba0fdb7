-- An item the platform can never take (e.g. outside WhatsApp's 24-hour window) is set aside, not retried.
ALTER TABLE outbox ADD COLUMN dead_at timestamptz;
