-- One set of migrations for H2 2.x and PostgreSQL: plain types only.

CREATE TABLE learner (
    id          VARCHAR(32)  PRIMARY KEY,
    created_at  TIMESTAMP    NOT NULL
);

-- Everything a learner did in a lesson, in order; rows are only ever added.
-- kind: statement | undo | redo | reset | goto | config
--   statement: statement = what was run, ok/output = what it printed
--   goto:      target = number of effective statements to keep
--   config:    statement = the sandbox machine configuration (starts a fresh timeline)
CREATE TABLE journal (
    learner_id  VARCHAR(32)    NOT NULL REFERENCES learner (id),
    lesson_id   VARCHAR(64)    NOT NULL,
    seq         INTEGER        NOT NULL,
    kind        VARCHAR(16)    NOT NULL,
    statement   VARCHAR(4000),
    target      INTEGER,
    ok          BOOLEAN        NOT NULL,
    output_text VARCHAR(32000),
    created_at  TIMESTAMP      NOT NULL,
    PRIMARY KEY (learner_id, lesson_id, seq)
);

CREATE TABLE progress (
    learner_id        VARCHAR(32)  NOT NULL REFERENCES learner (id),
    lesson_id         VARCHAR(64)  NOT NULL,
    step_id           VARCHAR(64)  NOT NULL,
    completed_at      TIMESTAMP,
    hints_revealed    INTEGER      NOT NULL,
    solution_revealed BOOLEAN      NOT NULL,
    attempts          INTEGER      NOT NULL,
    PRIMARY KEY (learner_id, lesson_id, step_id)
);
