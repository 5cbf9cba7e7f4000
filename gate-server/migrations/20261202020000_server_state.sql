-- What the server last started with (a fingerprint of each configuration section, the
-- configured tokens), so a change is audited at the next start.
CREATE TABLE server_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
