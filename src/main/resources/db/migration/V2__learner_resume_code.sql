-- A short code a learner types in another browser to continue as the same learner.
-- Given out lazily (NULL until the learner first sees their home page); NULLs do not collide.
ALTER TABLE learner ADD COLUMN resume_code VARCHAR(16);
CREATE UNIQUE INDEX learner_resume_code ON learner (resume_code);
