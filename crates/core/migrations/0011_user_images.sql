-- A user's profile image and cover image (issue 4): each points at one of the user's
-- image attachments. id = UUIDv5(user, role), so two desktops choosing a profile
-- image for the same user write one row and the later choice wins. Synced.
--   role: avatar | cover
CREATE TABLE user_images (
    rid           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    user_id       TEXT,
    role          TEXT,
    attachment_id TEXT,
    _deleted      INTEGER NOT NULL DEFAULT 0,
    _hlc          INTEGER NOT NULL DEFAULT 0,
    _node         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX user_images_by_user ON user_images (user_id, role);
