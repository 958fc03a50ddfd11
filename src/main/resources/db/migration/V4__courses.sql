-- Courses: several per server, each with its instructors, its lessons in order and a join code.
CREATE TABLE course (
    id          VARCHAR(32)   PRIMARY KEY,
    title       VARCHAR(200)  NOT NULL,
    join_code   VARCHAR(16)   NOT NULL UNIQUE,
    created_by  VARCHAR(64)   NOT NULL REFERENCES instructor (username),
    created_at  TIMESTAMP     NOT NULL
);

CREATE TABLE course_instructor (
    course_id  VARCHAR(32)  NOT NULL REFERENCES course (id),
    username   VARCHAR(64)  NOT NULL REFERENCES instructor (username),
    PRIMARY KEY (course_id, username)
);

CREATE TABLE course_lesson (
    course_id  VARCHAR(32)  NOT NULL REFERENCES course (id),
    position   INTEGER      NOT NULL,
    lesson_id  VARCHAR(64)  NOT NULL,
    PRIMARY KEY (course_id, lesson_id)
);

-- A learner in a course. member_no names the learner in instructor pages and URLs, so the learner's
-- id (their cookie, a credential) never leaves the server.
CREATE TABLE course_member (
    course_id     VARCHAR(32)   NOT NULL REFERENCES course (id),
    learner_id    VARCHAR(32)   NOT NULL REFERENCES learner (id),
    member_no     INTEGER       NOT NULL,
    display_name  VARCHAR(80)   NOT NULL,
    joined_at     TIMESTAMP     NOT NULL,
    PRIMARY KEY (course_id, learner_id),
    UNIQUE (course_id, member_no)
);

-- What instructors did to a course's learners (resets, follow-me pushes): a record, never changed.
CREATE TABLE course_event (
    course_id   VARCHAR(32)    NOT NULL REFERENCES course (id),
    seq         INTEGER        NOT NULL,
    username    VARCHAR(64)    NOT NULL,
    kind        VARCHAR(16)    NOT NULL,
    detail      VARCHAR(8000),
    created_at  TIMESTAMP      NOT NULL,
    PRIMARY KEY (course_id, seq)
);
