-- =====================================================================================
-- member_lights.sql — member lights as of the end of month M = getvariable('month')
-- (a month index, year * 12 + month - 1)                         (docs/RULES.md §5, §9)
--
-- Creates the table `member_lights`; branch_lights.sql builds on it.
-- "occurred_at <= the end of M" = before the first instant of M+1 = ts_month <= M.
-- =====================================================================================
CREATE TABLE member_lights AS
WITH
params AS (
    SELECT CAST(getvariable('month') AS BIGINT) AS m
),

-- Population: members with joined_on <= the last day of M.
-- floor_month: no run reaches back before the data start nor before the month of
-- joined_on. (greatest() ignores a NULL data start, i.e. data without any activity or
-- event at all.)
lit_members AS (
    SELECT mb.member_id, mb.org_id, mb.joined_date, mb.dues_micro,
           greatest(ds.start_month, mb.joined_month) AS floor_month
    FROM members mb CROSS JOIN params p CROSS JOIN data_start ds
    WHERE mb.joined_month <= p.m
),

-- Only events with occurred_at before the first instant of M+1 count.
visible_events AS (
    SELECT e.*
    FROM events e CROSS JOIN params p
    WHERE e.ts_month <= p.m
),

-- Rule dues arrears, step 1: period P in [floor, M] is paid iff the member's visible
-- dues quantities for P add up to at least monthly_dues.
dues_paid AS (
    SELECT lm.member_id, e.period_month
    FROM lit_members lm
    JOIN visible_events e USING (member_id)
    CROSS JOIN params p
    WHERE e.kind = 'dues'
      AND e.period_month BETWEEN lm.floor_month AND p.m
    GROUP BY lm.member_id, e.period_month, lm.dues_micro
    HAVING sum(e.qty_micro) >= lm.dues_micro
),
-- Rule dues arrears, step 2: consecutive unpaid periods ending at M
--   = M - (latest paid period in [floor, M]), or M - floor + 1 when none is paid;
--   0 when floor > M; 0 for monthly_dues = 0 (never in arrears).
dues_arrears AS (
    SELECT lm.member_id,
           CASE WHEN lm.dues_micro = 0     THEN 0
                WHEN lm.floor_month > p.m  THEN 0
                ELSE p.m - coalesce(max(dp.period_month), lm.floor_month - 1)
           END AS dues_arrears
    FROM lit_members lm
    CROSS JOIN params p
    LEFT JOIN dues_paid dp USING (member_id)
    GROUP BY lm.member_id, lm.dues_micro, lm.floor_month, p.m
),

-- Rule absence, step 1: qualifying activities = held by the member's own organisation
-- (not its subtree), of an all-member organisation-life kind, held_at on or after
-- joined_on 00:00:00, held in a month <= M. (They are never before the data start,
-- since the data start is at most the month of any activity.)
qualifying AS (
    SELECT lm.member_id, a.activity_id, a.held_month
    FROM lit_members lm
    JOIN activities a ON a.org_id = lm.org_id
    CROSS JOIN params p
    WHERE a.kind IN ('party_congress', 'party_lesson', 'theme_day', 'org_life_meeting')
      AND a.held_date >= lm.joined_date
      AND a.held_month <= p.m
),
-- Rule absence, step 2: a visible attend or leave row answers an activity.
responses AS (
    SELECT DISTINCT member_id, activity_id
    FROM visible_events
    WHERE kind IN ('attend', 'leave')
),
-- Rule absence, step 3: a month with qualifying activities is "responded" when the
-- member answered any of them, else "absent". Months without any are not listed, so
-- they neither break nor extend a run.
month_status AS (
    SELECT q.member_id, q.held_month,
           bool_or(r.activity_id IS NOT NULL) AS responded
    FROM qualifying q
    LEFT JOIN responses r ON r.member_id = q.member_id AND r.activity_id = q.activity_id
    GROUP BY q.member_id, q.held_month
),
-- Rule absence, step 4: the run going back from M stops at the latest responded month,
-- so absence = number of absent months after the latest responded month (all of them
-- when there is none).
last_responded AS (
    SELECT member_id, max(held_month) FILTER (WHERE responded) AS last_month
    FROM month_status
    GROUP BY member_id
),
absence AS (
    SELECT ms.member_id, count(*) AS absence
    FROM month_status ms
    JOIN last_responded lr USING (member_id)
    WHERE NOT ms.responded
      AND (lr.last_month IS NULL OR ms.held_month > lr.last_month)
    GROUP BY ms.member_id
),

-- Lights as severities 0 green / 1 yellow / 2 red.
--   dues arrears: 0 green, 1–2 yellow, >= 3 red;  absence: 0–1 green, 2 yellow, >= 3 red.
severities AS (
    SELECT lm.member_id, lm.org_id,
           da.dues_arrears,
           coalesce(ab.absence, 0) AS absence,
           CASE WHEN da.dues_arrears >= 3 THEN 2
                WHEN da.dues_arrears >= 1 THEN 1
                ELSE 0 END AS dues_sev,
           CASE WHEN coalesce(ab.absence, 0) >= 3 THEN 2
                WHEN coalesce(ab.absence, 0) =  2 THEN 1
                ELSE 0 END AS absence_sev
    FROM lit_members lm
    JOIN dues_arrears da USING (member_id)
    LEFT JOIN absence ab USING (member_id)
)

-- The member light is the worst of the two.
SELECT member_id, org_id, dues_arrears, absence,
       ['green', 'yellow', 'red'][dues_sev + 1]                         AS dues_light,
       ['green', 'yellow', 'red'][absence_sev + 1]                      AS absence_light,
       ['green', 'yellow', 'red'][greatest(dues_sev, absence_sev) + 1]  AS light
FROM severities;
