-- The update signing state a cluster shares (issue 15 item 6). A SQLite node keeps its LMS state and
-- TUF repository in files under its data directory; the tables exist so both providers have one schema.
CREATE TABLE lms_state (
    key_id    TEXT    NOT NULL PRIMARY KEY,
    next_leaf INTEGER NOT NULL CHECK (next_leaf >= 0)
) STRICT;

CREATE TABLE tuf_files (
    path    TEXT NOT NULL PRIMARY KEY,
    sha256  TEXT NOT NULL,
    content BLOB NOT NULL
) STRICT;
