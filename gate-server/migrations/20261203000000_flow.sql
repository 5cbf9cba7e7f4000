-- The release flow: who performed a manual stage for which release (`gate flow done`). The
-- stage is its name in [release]; the release is a version label, as deployments name them.
CREATE TABLE flow_performances (
    id TEXT PRIMARY KEY,
    stage TEXT NOT NULL,
    release_version TEXT NOT NULL,
    performed_by TEXT NOT NULL,
    -- The token that recorded it.
    recorded_by TEXT NOT NULL,
    note TEXT,
    duration_ms BIGINT,
    at_ms BIGINT NOT NULL
);
CREATE INDEX flow_performances_stage ON flow_performances (stage, at_ms);
CREATE INDEX flow_performances_release ON flow_performances (release_version);
