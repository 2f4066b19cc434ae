-- The roll of a check-in page (/checkin/ACTIVITY_ID, docs/RULES.md §10): who checked in at an
-- activity. Only check-in events are indexed (source 4 = `checkin`), so file imports of
-- millions of events pay nothing for it.
CREATE INDEX events_checkin ON events(activity) WHERE source = 4;
