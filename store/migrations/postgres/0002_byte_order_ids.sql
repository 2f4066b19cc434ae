-- Ids compare as bytes, as in SQLite and in the exports (§9 sorts by bytes). A C-collated
-- B-tree is also much cheaper to maintain than a locale-collated one on the hot insert
-- path (the unique index on events.event_id takes one comparison chain per imported row).
ALTER TABLE events ALTER COLUMN event_id TYPE TEXT COLLATE "C";
ALTER TABLE orgs ALTER COLUMN org_id TYPE TEXT COLLATE "C";
ALTER TABLE members ALTER COLUMN member_id TYPE TEXT COLLATE "C";
ALTER TABLE activities ALTER COLUMN activity_id TYPE TEXT COLLATE "C";
