-- The weekly digest's outbox: one row per week and channel (email, slack), holding the
-- content composed when the week's digest came due, so a retry sends the same bytes. A row is
-- kept after delivery for the /digests page.
CREATE TABLE digest_outbox (
    id TEXT PRIMARY KEY,
    -- The local week the digest covers: [period_since, period_until), unix milliseconds.
    period_since BIGINT NOT NULL,
    period_until BIGINT NOT NULL,
    channel TEXT NOT NULL,
    -- 'scheduled' (once per week and channel) or 'manual' (`gate digest --send-now`).
    kind TEXT NOT NULL,
    -- The composed digest: {subject, text, html, slack}.
    content TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    delivered_at BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL
);
-- A week's scheduled digest is queued once per channel, however many servers or restarts
-- try (INSERT … ON CONFLICT DO NOTHING); manual sends are extra rows.
CREATE UNIQUE INDEX digest_outbox_once ON digest_outbox (period_since, channel)
    WHERE kind = 'scheduled';
CREATE INDEX digest_outbox_due ON digest_outbox (delivered_at, next_attempt_at);
