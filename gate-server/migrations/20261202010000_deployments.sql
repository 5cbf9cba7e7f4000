-- Deployments: services and the version serving each, which version served when, deployments
-- with their persisted state machine, each deployment's log, and the audit log.

-- The version serving each service now.
CREATE TABLE services (
    name TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    url TEXT NOT NULL,
    commit_sha TEXT,
    since BIGINT NOT NULL
);

-- Which version served when: one row per period; `until_ms` is NULL for the current one.
CREATE TABLE stable_history (
    service TEXT NOT NULL,
    version TEXT NOT NULL,
    url TEXT NOT NULL,
    commit_sha TEXT,
    deployment TEXT,
    since_ms BIGINT NOT NULL,
    until_ms BIGINT
);
CREATE INDEX stable_history_service ON stable_history (service, since_ms);

CREATE TABLE deployments (
    id TEXT PRIMARY KEY,
    service TEXT NOT NULL,
    version TEXT NOT NULL,
    commit_sha TEXT NOT NULL,
    url TEXT,
    from_version TEXT,
    from_url TEXT,
    from_commit TEXT,
    phase TEXT NOT NULL,
    step BIGINT,
    machine TEXT NOT NULL,
    policy TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT,
    forced BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT,
    -- Bumped by every change: a writer changes the row only at the revision it read.
    revision BIGINT NOT NULL,
    -- The server driving the deployment, until its claim expires.
    controller TEXT,
    controller_expires_at BIGINT
);
CREATE INDEX deployments_service ON deployments (service, created_at);
-- At most one deployment in progress per service.
CREATE UNIQUE INDEX deployments_active ON deployments (service) WHERE finished_at IS NULL;

-- What happened during a deployment, in order: transitions, hook output, decisions.
CREATE TABLE deployment_log (
    deployment TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    data TEXT,
    PRIMARY KEY (deployment, seq)
);

-- Append-only, hash-chained (gate-audit); triggers refusing UPDATE and DELETE are created for
-- each database in store/connect.rs (the syntax differs).
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    service TEXT,
    from_version TEXT,
    to_version TEXT,
    commit_sha TEXT,
    deployment TEXT,
    reason TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
