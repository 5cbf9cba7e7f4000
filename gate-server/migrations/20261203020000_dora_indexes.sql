-- What the DORA report reads of runs and jobs (store/history.rs), answered from indexes alone:
-- over a million stored events the rows themselves (scenario sources, job results) are large,
-- and looking each one up made the 12-week figures read most of the runs and jobs tables.
-- The runs submitted in a period, with what the metrics need of each.
CREATE INDEX runs_facts ON runs (created_at, id, commit_sha, state, started_at, finished_at);
-- The commit times CI reported, by commit.
CREATE INDEX runs_commit_times ON runs (commit_sha, committed_at, created_at);
-- The jobs of a run that did not pass: few, and all the metrics read of jobs.
CREATE INDEX jobs_not_passed ON jobs (run_id, outcome, scenario)
    WHERE outcome IS NOT NULL AND outcome <> 'passed';
