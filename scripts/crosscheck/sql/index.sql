-- =====================================================================================
-- index.sql — Vanguard Index for year Y = getvariable('year')   (docs/RULES.md §4, §9)
--
-- Points are HUGEINT in units of 1e-7 point (one point = 10,000,000): a volunteer
-- quantity has up to 6 decimals and earns 0.5 per hour, so 7 decimals are exact.
-- reference.py prints them as the shortest exact decimal.
-- Instants are canonical strings (see parse.sql): ORDER BY / min() on them is
-- chronological, and ts_month(x) <= P  <=>  x is before the first instant of P+1.
-- Y is read with getvariable('year') where it is used, not joined in from a CTE: DuckDB
-- folds it into a constant, so that "a month of Y" (BETWEEN Y * 12 AND Y * 12 + 11) filters
-- the scans of events themselves (scripts/bench/duckdb_recompute.py runs this file on
-- 78 million events).
-- =====================================================================================
WITH
params AS (
    SELECT CAST(10000000 AS HUGEINT) AS point
),

-- Population: every member with joined_on <= Y-12-31, with or without events.
-- org_id is the member's current organisation (no membership history, §3).
population AS (
    SELECT m.member_id, m.org_id, m.dues_micro
    FROM members m
    WHERE year(m.joined_date) <= getvariable('year')
),

-- Rule attend (party_life, 1 point): several attend rows of one member for one
-- activity count once, dated by the earliest of them (whose month is the least month) ...
attend_first AS (
    SELECT member_id, activity_id, min(ts_month) AS first_month
    FROM events
    WHERE kind = 'attend'
    GROUP BY member_id, activity_id
),
-- ... and count in the year of that earliest occurred_at, when the activity's kind is an
-- organisation-life kind, theory_study, democratic_consultation or democratic_evaluation
-- (volunteer_activity and condolence_visit earn 0).
attend_points AS (
    SELECT f.member_id, count(*) * p.point AS pts
    FROM attend_first f
    JOIN activities a USING (activity_id)
    CROSS JOIN params p
    WHERE a.kind IN ('party_congress', 'committee_meeting', 'group_meeting', 'party_lesson',
                     'theme_day', 'org_life_meeting', 'theory_study',
                     'democratic_consultation', 'democratic_evaluation')
      AND f.first_month BETWEEN getvariable('year') * 12 AND getvariable('year') * 12 + 11
    GROUP BY f.member_id, p.point
),

-- Rule dues (party_life, 1 point per period P of year Y paid in full on time).
-- Step 1: the member's dues rows for P with the same timestamp are summed together.
--         Dues rows without a period are not for any P and are ignored.
dues_by_instant AS (
    SELECT e.member_id, e.period_month, e.ts, sum(e.qty_micro) AS paid
    FROM events e
    WHERE e.kind = 'dues'
      AND e.period_month IS NOT NULL
      AND e.period_month BETWEEN getvariable('year') * 12 AND getvariable('year') * 12 + 11
    GROUP BY e.member_id, e.period_month, e.ts
),
-- Step 2: running total in occurred_at order.
dues_running AS (
    SELECT member_id, period_month, ts,
           sum(paid) OVER (PARTITION BY member_id, period_month ORDER BY ts
                           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
    FROM dues_by_instant
),
-- Step 3: the completing payment = first instant at which the running total reaches
--         monthly_dues. monthly_dues = 0 never earns dues points.
dues_completed AS (
    SELECT r.member_id, r.period_month, min(r.ts) AS completing_ts
    FROM dues_running r
    JOIN population m USING (member_id)
    WHERE m.dues_micro > 0
      AND r.running >= m.dues_micro
    GROUP BY r.member_id, r.period_month
),
-- Step 4: one point when the completing payment is no later than the last day of P,
--         i.e. before the first instant of P+1.
dues_points AS (
    SELECT c.member_id, count(*) * p.point AS pts
    FROM dues_completed c CROSS JOIN params p
    WHERE ts_month(c.completing_ts) <= c.period_month
    GROUP BY c.member_id, p.point
),

-- Rules model_post (duty): 2 points each; study (duty): 0.5 point each; volunteer
-- (contribution): 0.5 point per hour (quantity); all in the year of occurred_at. One
-- column per rule, from one pass over these events. quantity is in millionths:
-- q * 1e-6 h * 0.5 * 1e7 units = q * 5 units.
occurrence_points AS (
    SELECT e.member_id,
           count(*) FILTER (WHERE e.kind = 'model_post') * 2 * p.point AS model_post_pts,
           count(*) FILTER (WHERE e.kind = 'study') * (p.point // 2)   AS study_pts,
           sum(e.qty_micro) FILTER (WHERE e.kind = 'volunteer') * 5    AS volunteer_pts
    FROM events e CROSS JOIN params p
    WHERE e.kind IN ('model_post', 'study', 'volunteer')
      AND e.ts_month BETWEEN getvariable('year') * 12 AND getvariable('year') * 12 + 11
    GROUP BY e.member_id, p.point
),

-- Rule evaluation (morality): rows with period = Y-12; the last one by occurred_at,
-- then event_id (byte order) stands ...
evaluation_ranked AS (
    SELECT e.member_id, e.qty_micro,
           row_number() OVER (PARTITION BY e.member_id
                              ORDER BY e.ts DESC, encode(e.event_id) DESC) AS nth_from_last
    FROM events e
    WHERE e.kind = 'evaluation' AND e.period_month = getvariable('year') * 12 + 11
),
-- ... and grade 1 / 2 / 3 / 4 gives +5 / 0 / -5 / -10.
evaluation_points AS (
    SELECT r.member_id,
           CASE r.qty_micro WHEN 1000000 THEN 5
                            WHEN 2000000 THEN 0
                            WHEN 3000000 THEN -5
                            WHEN 4000000 THEN -10 END * p.point AS pts
    FROM evaluation_ranked r CROSS JOIN params p
    WHERE r.nth_from_last = 1
),

-- The four dimensions of every member of the population (0 without events).
dimensions AS (
    SELECT m.member_id, m.org_id,
           CAST(coalesce(ap.pts, 0) + coalesce(dp.pts, 0) AS HUGEINT)                 AS party_life,
           CAST(coalesce(op.model_post_pts, 0) + coalesce(op.study_pts, 0) AS HUGEINT) AS duty,
           CAST(coalesce(op.volunteer_pts, 0) AS HUGEINT)                              AS contribution,
           CAST(coalesce(ep.pts, 0) AS HUGEINT)                                        AS morality
    FROM population m
    LEFT JOIN attend_points     ap USING (member_id)
    LEFT JOIN dues_points       dp USING (member_id)
    LEFT JOIN occurrence_points op USING (member_id)
    LEFT JOIN evaluation_points ep USING (member_id)
),

-- Index = sum of the four dimensions.
scored AS (
    SELECT *, party_life + duty + contribution + morality AS idx
    FROM dimensions
)

-- Ranks: index descending, ties by member_id ascending in byte order; 1-based and
-- distinct, over the whole district and within the member's own organisation.
SELECT row_number() OVER (ORDER BY idx DESC, encode(member_id))                   AS district_rank,
       member_id,
       org_id,
       row_number() OVER (PARTITION BY org_id ORDER BY idx DESC, encode(member_id)) AS org_rank,
       idx AS "index",
       party_life,
       duty,
       contribution,
       morality
FROM scored
ORDER BY district_rank;
