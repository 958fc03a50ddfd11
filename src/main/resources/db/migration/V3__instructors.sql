-- Instructor accounts. password_hash: pbkdf2-sha256$ITERATIONS$SALT$HASH (base64), see web/Passwords.
CREATE TABLE instructor (
    username      VARCHAR(64)   PRIMARY KEY,
    password_hash VARCHAR(200)  NOT NULL,
    is_admin      BOOLEAN       NOT NULL,
    created_at    TIMESTAMP     NOT NULL
);

-- Instructor sessions: only the SHA-256 of the cookie's token is stored, so a copy of the database
-- does not hold live session cookies.
CREATE TABLE instructor_session (
    token_hash  VARCHAR(64)  PRIMARY KEY,
    username    VARCHAR(64)  NOT NULL REFERENCES instructor (username),
    created_at  TIMESTAMP    NOT NULL,
    expires_at  TIMESTAMP    NOT NULL
);
