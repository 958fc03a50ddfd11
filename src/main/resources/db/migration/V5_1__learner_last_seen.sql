-- When a learner last made a lab request, written at most once per 30 seconds per learner by each
-- instance, so the instructor dashboard's "online" holds across instances sharing one database.
ALTER TABLE learner ADD COLUMN last_seen TIMESTAMP;
