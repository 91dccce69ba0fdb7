-- Outbox items answered in the webhook's own response (WeChat's passive reply), which platforms' send quotas do not count.
ALTER TABLE outbox ADD COLUMN passive boolean NOT NULL DEFAULT false;
