-- Bumped by every transaction that changes a run or its jobs (each takes the run's row first):
-- a commit's verdict is unchanged while its runs' ids and revisions are, so servers can keep
-- verdicts in memory and check them with one indexed read, correctly across servers.
ALTER TABLE runs ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
