-- =====================================================================================
-- parse.sql — typed tables from the raw interchange files (docs/RULES.md §3).
--
-- Input (made by reference.py): raw_orgs, raw_members, raw_activities, raw_events.
-- Every column is VARCHAR exactly as read from the CSV ('' for an empty field), plus
-- src_file. Nothing is guessed: every value is parsed here, by hand, and every value
-- that does not parse ends up in the table `violations`, which reference.py reports
-- and then stops (exit 2). No row is ever dropped silently.
--
-- Representations (all exact, no floating point anywhere):
--   * month   : BIGINT month index = year * 12 + (month - 1); consecutive months differ by 1
--   * date    : DATE (validated: 'YYYY-MM-DD' and a real calendar day)
--   * instant : canonical VARCHAR 'YYYY-MM-DDTHH:MM:SS.fffffffff' (local naive time; a
--               space instead of 'T' and 0–9 fractional digits are accepted on input).
--               Fixed width, so byte order = chronological order, and equal instants
--               written differently ('…T10:00:00' vs '… 10:00:00.000') compare equal.
--   * decimal : HUGEINT in millionths ("micro"), e.g. '12.5' -> 12500000
--               (§3: at most 6 decimal places; more is a parse error, not a rounding)
-- =====================================================================================

-- ---- helpers ------------------------------------------------------------------------

CREATE MACRO month_idx(y, m) AS CAST(y AS BIGINT) * 12 + CAST(m AS BIGINT) - 1;

CREATE MACRO date_month(d) AS month_idx(year(d), month(d));

-- Ids: at most 64 chars of [A-Za-z0-9_.-] (§3).
CREATE MACRO is_id(s) AS regexp_full_match(s, '[A-Za-z0-9_.-]{1,64}');

-- 'YYYY-MM-DD' -> DATE, NULL when malformed or not a calendar day.
CREATE MACRO parse_date(s) AS
    CASE WHEN regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
         THEN try_cast(s AS DATE) END;

-- 'YYYY-MM-DD[T ]HH:MM:SS[.f{1,9}]' -> canonical instant, NULL when malformed.
-- (DuckDB's own cast is not used on purpose: it accepts e.g. '24:00:00' and rolls over.)
CREATE MACRO parse_ts(s) AS
    CASE WHEN regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?')
              AND parse_date(substr(s, 1, 10)) IS NOT NULL
         THEN substr(s, 1, 10) || 'T' || substr(s, 12, 8) || '.'
              || rpad(regexp_extract(s, '\.([0-9]+)$', 1), 9, '0') END;

-- Month index and date of a canonical instant.
CREATE MACRO ts_month(ts) AS month_idx(CAST(substr(ts, 1, 4) AS BIGINT), CAST(substr(ts, 6, 2) AS BIGINT));
CREATE MACRO ts_date(ts) AS CAST(substr(ts, 1, 10) AS DATE);

-- 'YYYY-MM' -> month index, NULL when malformed.
CREATE MACRO parse_period(s) AS
    CASE WHEN regexp_full_match(s, '[0-9]{4}-(0[1-9]|1[0-2])')
         THEN month_idx(CAST(substr(s, 1, 4) AS BIGINT), CAST(substr(s, 6, 2) AS BIGINT)) END;

-- Unsigned decimal with at most 6 places -> HUGEINT millionths, NULL when malformed.
CREATE MACRO parse_micro(s) AS
    CASE WHEN regexp_full_match(s, '[0-9]+(\.[0-9]{1,6})?')
         THEN try_cast(split_part(s, '.', 1) AS HUGEINT) * 1000000
              + CAST(rpad(split_part(s, '.', 2), 6, '0') AS HUGEINT) END;

-- ---- typed tables -------------------------------------------------------------------
-- Rows that are identical in every column are one row (re-importing a stored row is a
-- no-op, §3; the same row may be in two parts of a file). Two different rows with the
-- same id are a conflict and reported below.

CREATE TABLE orgs AS
WITH dedup AS (
    SELECT org_id, parent_id, name, kind, established_on, min(src_file) AS src_file
    FROM raw_orgs
    GROUP BY org_id, parent_id, name, kind, established_on
)
SELECT *,
       parse_date(established_on)             AS est_date,
       date_month(parse_date(established_on)) AS est_month
FROM dedup;

CREATE TABLE members AS
WITH dedup AS (
    SELECT member_id, org_id, name, gender, birth_date, joined_on, status, category,
           monthly_dues, min(src_file) AS src_file
    FROM raw_members
    GROUP BY member_id, org_id, name, gender, birth_date, joined_on, status, category, monthly_dues
)
SELECT *,
       parse_date(joined_on)             AS joined_date,
       date_month(parse_date(joined_on)) AS joined_month,
       parse_micro(monthly_dues)         AS dues_micro
FROM dedup;

CREATE TABLE activities AS
WITH dedup AS (
    SELECT activity_id, org_id, kind, held_at, title, min(src_file) AS src_file
    FROM raw_activities
    GROUP BY activity_id, org_id, kind, held_at, title
),
parsed AS (SELECT *, parse_ts(held_at) AS held_ts FROM dedup)
SELECT *,
       ts_date(held_ts)  AS held_date,
       ts_month(held_ts) AS held_month
FROM parsed;

CREATE TABLE events AS
WITH dedup AS (
    SELECT event_id, member_id, kind, occurred_at, activity_id, quantity, period, source,
           min(src_file) AS src_file
    FROM raw_events
    GROUP BY event_id, member_id, kind, occurred_at, activity_id, quantity, period, source
),
parsed AS (
    SELECT *,
           parse_ts(occurred_at)                                      AS ts,
           CASE WHEN quantity <> '' THEN parse_micro(quantity) END    AS qty_micro,
           CASE WHEN period   <> '' THEN parse_period(period)   END   AS period_month
    FROM dedup
)
SELECT *, ts_month(ts) AS ts_month
FROM parsed;

-- The data start (§5): earliest month of any activity's held_at or any event's
-- occurred_at in the whole data (NULL only when there is neither).
CREATE TABLE data_start AS
SELECT min(month) AS start_month
FROM (SELECT held_month AS month FROM activities
      UNION ALL
      SELECT ts_month AS month FROM events);

-- ---- violations ---------------------------------------------------------------------
-- One row per problem: (src_file, row_id, problem). reference.py fails when not empty.

CREATE TABLE violations AS
-- orgs.csv
SELECT src_file, org_id AS row_id, 'bad org_id' AS problem FROM orgs WHERE NOT is_id(org_id)
UNION ALL
SELECT src_file, org_id, 'conflicting rows for one org_id' FROM orgs
    WHERE org_id IN (SELECT org_id FROM orgs GROUP BY org_id HAVING count(*) > 1)
UNION ALL
SELECT src_file, org_id, 'unknown parent_id ' || parent_id FROM orgs
    WHERE parent_id <> '' AND parent_id NOT IN (SELECT org_id FROM orgs)
UNION ALL
SELECT src_file, org_id, 'unknown org kind ' || kind FROM orgs
    WHERE kind NOT IN ('district', 'street', 'town', 'township', 'community', 'village',
                       'unit', 'committee', 'general_branch', 'branch')
UNION ALL
SELECT src_file, org_id, 'bad established_on ' || established_on FROM orgs WHERE est_date IS NULL
-- members.csv
UNION ALL
SELECT src_file, member_id, 'bad member_id' FROM members WHERE NOT is_id(member_id)
UNION ALL
SELECT src_file, member_id, 'conflicting rows for one member_id' FROM members
    WHERE member_id IN (SELECT member_id FROM members GROUP BY member_id HAVING count(*) > 1)
UNION ALL
SELECT src_file, member_id, 'unknown org_id ' || org_id FROM members
    WHERE org_id NOT IN (SELECT org_id FROM orgs)
UNION ALL
SELECT src_file, member_id, 'bad joined_on ' || joined_on FROM members WHERE joined_date IS NULL
UNION ALL
SELECT src_file, member_id, 'bad monthly_dues ' || monthly_dues FROM members WHERE dues_micro IS NULL
-- activities.csv
UNION ALL
SELECT src_file, activity_id, 'bad activity_id' FROM activities WHERE NOT is_id(activity_id)
UNION ALL
SELECT src_file, activity_id, 'conflicting rows for one activity_id' FROM activities
    WHERE activity_id IN (SELECT activity_id FROM activities GROUP BY activity_id HAVING count(*) > 1)
UNION ALL
SELECT src_file, activity_id, 'unknown org_id ' || org_id FROM activities
    WHERE org_id NOT IN (SELECT org_id FROM orgs)
UNION ALL
SELECT src_file, activity_id, 'unknown activity kind ' || kind FROM activities
    WHERE kind NOT IN ('party_congress', 'committee_meeting', 'group_meeting', 'party_lesson',
                       'theme_day', 'org_life_meeting', 'theory_study', 'democratic_consultation',
                       'democratic_evaluation', 'volunteer_activity', 'condolence_visit')
UNION ALL
SELECT src_file, activity_id, 'bad held_at ' || held_at FROM activities WHERE held_ts IS NULL
-- events*.csv
UNION ALL
SELECT src_file, event_id, 'bad event_id' FROM events WHERE NOT is_id(event_id)
UNION ALL
SELECT src_file, event_id, 'conflicting rows for one event_id' FROM events
    WHERE event_id IN (SELECT event_id FROM events GROUP BY event_id HAVING count(*) > 1)
UNION ALL
SELECT src_file, event_id, 'unknown member_id ' || member_id FROM events
    WHERE member_id NOT IN (SELECT member_id FROM members)
UNION ALL
SELECT src_file, event_id, 'unknown event kind ' || kind FROM events
    WHERE kind NOT IN ('attend', 'leave', 'dues', 'model_post', 'volunteer', 'study', 'evaluation')
UNION ALL
SELECT src_file, event_id, 'bad occurred_at ' || occurred_at FROM events WHERE ts IS NULL
UNION ALL
SELECT src_file, event_id, kind || ' without activity_id' FROM events
    WHERE kind IN ('attend', 'leave') AND activity_id = ''
UNION ALL
SELECT src_file, event_id, 'unknown activity_id ' || activity_id FROM events
    WHERE activity_id <> '' AND activity_id NOT IN (SELECT activity_id FROM activities)
UNION ALL
SELECT src_file, event_id, 'bad quantity ' || quantity FROM events
    WHERE quantity <> '' AND qty_micro IS NULL
UNION ALL
SELECT src_file, event_id, kind || ' needs a quantity > 0, got ''' || quantity || '''' FROM events
    WHERE kind IN ('dues', 'volunteer') AND coalesce(qty_micro, 0) <= 0
UNION ALL
SELECT src_file, event_id, 'evaluation grade must be 1, 2, 3 or 4, got ''' || quantity || '''' FROM events
    WHERE kind = 'evaluation' AND coalesce(qty_micro, 0) NOT IN (1000000, 2000000, 3000000, 4000000)
UNION ALL
SELECT src_file, event_id, 'bad period ' || period FROM events
    WHERE period <> '' AND period_month IS NULL;
