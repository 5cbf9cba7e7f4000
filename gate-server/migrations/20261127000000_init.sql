-- gate's schema. Portable SQL: the same file runs on SQLite and PostgreSQL (through sqlx Any):
-- text ids, BIGINT unix-millisecond times, JSON and base64 as TEXT.

CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    commit_sha TEXT NOT NULL,
    branch TEXT,
    pr BIGINT,
    committed_at TEXT,
    base_url TEXT NOT NULL,
    tags TEXT NOT NULL,
    suite TEXT NOT NULL,
    sources TEXT NOT NULL,
    generation BIGINT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT
);
CREATE UNIQUE INDEX runs_commit_suite_generation ON runs (commit_sha, suite, generation);
CREATE INDEX runs_created ON runs (created_at, id);
CREATE INDEX runs_state ON runs (state, created_at);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs (id),
    scenario TEXT NOT NULL,
    path TEXT NOT NULL,
    position BIGINT NOT NULL,
    state TEXT NOT NULL,
    leases BIGINT NOT NULL,
    lease_owner TEXT,
    lease_token TEXT,
    lease_expires_at BIGINT,
    outcome TEXT,
    result TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT,
    UNIQUE (run_id, scenario)
);
CREATE INDEX jobs_queue ON jobs (state, created_at, position);
CREATE INDEX jobs_run ON jobs (run_id, position);

CREATE TABLE artifacts (
    run_id TEXT NOT NULL,
    path TEXT NOT NULL,
    content_base64 TEXT NOT NULL,
    PRIMARY KEY (run_id, path)
);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    received_at BIGINT NOT NULL
);

CREATE TABLE status_outbox (
    id TEXT PRIMARY KEY,
    sha TEXT NOT NULL,
    state TEXT NOT NULL,
    description TEXT NOT NULL,
    target_url TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    delivered_at BIGINT,
    last_error TEXT
);
CREATE INDEX status_outbox_due ON status_outbox (delivered_at, next_attempt_at);
