-- The platform's ids of what an outbox item sent (WhatsApp's wamids), so a failure the platform reports later finds the item.
CREATE TABLE outbox_refs (
	channel   text NOT NULL,
	ref       text NOT NULL,
	outbox_id bigint NOT NULL REFERENCES outbox(id),
	PRIMARY KEY (channel, ref)
);
