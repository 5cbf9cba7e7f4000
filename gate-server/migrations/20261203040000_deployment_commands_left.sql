-- Whether a deployment has router commands or hooks left to carry out (its stored machine's
-- `pending` list is not empty). A deployment that reached its final phase is still claimed by
-- a controller until they are done, so a server killed between the final transition and its
-- last commands (routing back to stable, the down hook) does not leave them undone.
ALTER TABLE deployments ADD COLUMN commands_left BIGINT NOT NULL DEFAULT 0;
