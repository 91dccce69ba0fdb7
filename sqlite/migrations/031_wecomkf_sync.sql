-- WeChat Customer Service (微信客服) pulls messages with kf/sync_msg from a cursor per customer
-- service account. The cursor is kept here so a restart goes on where the last committed page
-- ended, and the lease (holder, lease_until) lets one replica at a time sync an account; a callback
-- that finds the lease taken sets pending so the holder pulls once more before letting go.
CREATE TABLE wecomkf_sync (
    open_kfid   TEXT PRIMARY KEY,
    cursor      TEXT NOT NULL DEFAULT '',
    token       TEXT NOT NULL DEFAULT '',
    holder      TEXT NOT NULL DEFAULT '',
    lease_until INTEGER NOT NULL DEFAULT 0,
    pending     INTEGER NOT NULL DEFAULT 0
);
