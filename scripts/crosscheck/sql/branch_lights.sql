-- =====================================================================================
-- branch_lights.sql — branch lights as of the end of month M = getvariable('month')
-- (a month index, year * 12 + month - 1)                         (docs/RULES.md §5, §9)
--
-- Uses the table member_lights (member_lights.sql) for the same M.
-- =====================================================================================
WITH
params AS (
    SELECT CAST(getvariable('month') AS BIGINT) AS m
),

-- Grassroots organisations (committee, general_branch, branch) established on or
-- before the last day of M. floor_month: no run reaches back before the data start nor
-- before the month of established_on.
lit_orgs AS (
    SELECT o.org_id,
           greatest(ds.start_month, o.est_month) AS floor_month
    FROM orgs o CROSS JOIN params p CROSS JOIN data_start ds
    WHERE o.kind IN ('committee', 'general_branch', 'branch')
      AND o.est_month <= p.m
),

-- Rule members / red / yellow / green: the organisation's direct members at M
-- (joined_on <= last day of M, i.e. the population of member_lights) by member light.
member_counts AS (
    SELECT org_id,
           count(*)                                 AS members,
           count(*) FILTER (WHERE light = 'red')    AS red_members,
           count(*) FILTER (WHERE light = 'yellow') AS yellow_members,
           count(*) FILTER (WHERE light = 'green')  AS green_members
    FROM member_lights
    GROUP BY org_id
),

-- Population: lit grassroots organisations with at least one direct member at M.
branches AS (
    SELECT lo.org_id, lo.floor_month,
           mc.members, mc.red_members, mc.yellow_members, mc.green_members
    FROM lit_orgs lo
    JOIN member_counts mc USING (org_id)
),

-- Rule org-life gap, step 1: months in [floor, M] in which the organisation itself
-- held an activity of any of the six organisation-life kinds.
covered_months AS (
    SELECT DISTINCT a.org_id, a.held_month
    FROM activities a
    JOIN branches b USING (org_id)
    CROSS JOIN params p
    WHERE a.kind IN ('party_congress', 'committee_meeting', 'group_meeting',
                     'party_lesson', 'theme_day', 'org_life_meeting')
      AND a.held_month BETWEEN b.floor_month AND p.m
),
-- Rule org-life gap, step 2: consecutive uncovered months ending at M
--   = M - (latest covered month), or M - floor + 1 when none; 0 when floor > M.
org_life_gap AS (
    SELECT b.org_id,
           CASE WHEN b.floor_month > p.m THEN 0
                ELSE p.m - coalesce(max(c.held_month), b.floor_month - 1)
           END AS org_life_gap
    FROM branches b
    CROSS JOIN params p
    LEFT JOIN covered_months c USING (org_id)
    GROUP BY b.org_id, b.floor_month, p.m
),

-- Lights as severities 0 green / 1 yellow / 2 red.
--   gap: 0 green, 1 yellow, >= 2 red.
--   red-member share (integers only): red*100 >= 20*members red, >= 10*members yellow.
severities AS (
    SELECT b.*, g.org_life_gap,
           CASE WHEN g.org_life_gap >= 2 THEN 2
                WHEN g.org_life_gap =  1 THEN 1
                ELSE 0 END AS gap_sev,
           CASE WHEN b.red_members * 100 >= 20 * b.members THEN 2
                WHEN b.red_members * 100 >= 10 * b.members THEN 1
                ELSE 0 END AS share_sev
    FROM branches b
    JOIN org_life_gap g USING (org_id)
)

-- The branch light is the worst of the two.
SELECT org_id, members, red_members, yellow_members, green_members, org_life_gap,
       ['green', 'yellow', 'red'][gap_sev + 1]                       AS gap_light,
       ['green', 'yellow', 'red'][share_sev + 1]                     AS share_light,
       ['green', 'yellow', 'red'][greatest(gap_sev, share_sev) + 1]  AS light
FROM severities
ORDER BY encode(org_id);
