-- What the DORA metrics read (gate-dora): for gate's own deployments, when users first saw the
-- new version, when a failure was detected and when traffic was fully back on a good version,
-- who ended it, whether it was a hotfix and which commits it carried beyond its head; and the
-- history a team recorded from outside gate (deployments and incidents), so its metrics start
-- with its real past.

ALTER TABLE deployments ADD COLUMN exposed_at BIGINT;
ALTER TABLE deployments ADD COLUMN detected_at BIGINT;
ALTER TABLE deployments ADD COLUMN recovered_at BIGINT;
ALTER TABLE deployments ADD COLUMN ended_by TEXT;
ALTER TABLE deployments ADD COLUMN hotfix BIGINT NOT NULL DEFAULT 0;
-- JSON array of full SHAs the deployment carries besides its head commit (as CI said).
ALTER TABLE deployments ADD COLUMN carries TEXT NOT NULL DEFAULT '[]';
CREATE INDEX deployments_finished ON deployments (finished_at);
CREATE INDEX runs_finished ON runs (finished_at);

CREATE TABLE external_deployments (
    id TEXT PRIMARY KEY,
    service TEXT NOT NULL,
    version TEXT,
    -- JSON array of {"sha": …, "committed_at": unix ms or null}, head first.
    commits TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    -- success | rolled_back | auto_rolled_back | failed
    outcome TEXT NOT NULL,
    hotfix BIGINT NOT NULL,
    rollback BIGINT NOT NULL,
    detected_at BIGINT,
    recovered_at BIGINT,
    recorded_at BIGINT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX external_deployments_finished ON external_deployments (finished_at);

CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    service TEXT NOT NULL,
    title TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    resolved_at BIGINT,
    -- The deployment (gate's or external) that caused it, if known.
    caused_by TEXT,
    recorded_at BIGINT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX incidents_started ON incidents (started_at);
