-- Commits whose combined verdict changed and has not been published yet. Written in the same
-- transaction as the run change (created, finished, cancelled), so a verdict is never lost to a
-- crash or a lagging event subscriber; the status publisher clears an entry once it has queued
-- the commit's status, unless the version moved on meanwhile.
CREATE TABLE commit_changes (
    sha TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    changed_at BIGINT NOT NULL
);
