-- An operator may disable an application (the console's remote disable):
-- its clients are refused, with disabled_message as the reason, until it
-- is enabled again. The state belongs to the application, not to a
-- revision: an apply keeps it, and so does a delete (a version created
-- again after a delete is still disabled until an operator enables it).
ALTER TABLE applications ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN disabled_message TEXT NOT NULL DEFAULT '';
