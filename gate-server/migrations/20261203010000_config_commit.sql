-- The git commit of the configuration (gate.toml and scenarios) a server ran with when it
-- wrote a row: `<sha>`, `<sha>-dirty`, or NULL when the configuration is not in git.
ALTER TABLE runs ADD COLUMN config_commit TEXT;
ALTER TABLE deployments ADD COLUMN config_commit TEXT;
ALTER TABLE audit_log ADD COLUMN config_commit TEXT;
