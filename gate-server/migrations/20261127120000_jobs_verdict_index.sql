-- A commit's verdict counts its runs' jobs by state and names the ones with notable outcomes
-- (store/verdict.rs): this index answers the count alone and finds those few jobs without
-- reading every job's stored result.
CREATE INDEX jobs_verdict ON jobs (run_id, state, outcome);
