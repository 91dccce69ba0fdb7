-- Live sockets per holder (visitor or conversation) and replica, so a cap holds across
-- replicas (httpapi.Conns.Share). Each replica refreshes seen for its rows; rows of a replica
-- that stopped refreshing (it died) no longer count.
CREATE TABLE conn_counts (
	key bytea NOT NULL,
	replica text NOT NULL,
	n integer NOT NULL,
	seen timestamptz NOT NULL,
	PRIMARY KEY (key, replica)
);
