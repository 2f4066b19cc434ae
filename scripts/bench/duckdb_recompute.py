#!/usr/bin/env python3
"""DuckDB side of the full-recompute benchmark.

Does the work of the Rust engine's full recompute, from the Parquet files of the engine's
columnar copy, with DuckDB, and reports wall time and peak memory. One run, every time
reading the Parquet files afresh (inside the timed region), in a new DuckDB connection:

  1. the Vanguard Index for --year (§4): four dimensions, index, district_rank, org_rank,
     for every member with joined_on <= 31 Dec of the year;
  2. member lights for --month (§5): dues_arrears, absence, the three lights;
  3. branch lights for --month (§5);
  4. subtree counts: for every org, the red / yellow / green members and branches of its
     subtree, itself included (ancestor closure by a recursive CTE over parent);

each fully materialised (CREATE TEMP TABLE ... AS) and counted.

The rules and readings are those of scripts/crosscheck/sql (the independent reference),
ported to the engine's typed columns: surrogate ids, vocabulary codes, days since epoch,
instants in microseconds, months as year*12+month-1 (so "<= the end of M" is om <= M and
"no later than the last day of P" is om <= P), quantities in millionths, points in units
of 1e-7 point. Data start = min over activities.hm and events.om.

DIR holds orgs.parquet, members.parquet, activities.parquet and the event segments,
events/*.parquet (or, as in the engine's own copy directory, DIR/events-*.parquet).

Usage:
    duckdb_recompute.py DIR --year 2025 --month 2025-10 [--threads 2] [--repeat 3]
                            [--dump OUTDIR]

Prints `duckdb recompute: X.XXX s` per repeat, then one line
    DUCKDB_RESULT best_s=<float> peak_rss_mb=<int> index_rows=<n> member_light_rows=<n>
                  branch_light_rows=<n> subtree_rows=<n>
(on one line). Peak memory is ru_maxrss of this process. --dump writes, from the last
repeat and outside the timed region, index-<Y>.csv, member-lights-<M>.csv and
branch-lights-<M>.csv in the §9 format (plus subtree-counts-<M>.csv, sorted by org_id).
"""

from __future__ import annotations

import argparse
import csv
import re
import resource
import sys
import time
from pathlib import Path

import duckdb

POINT = 10_000_000  # one point in units of 1e-7 (index points are exact integers)
LIGHTS = ("green", "yellow", "red")

# Vocabulary codes of the engine (DOMAIN.md §2, §3).
#   org kinds:      8 committee, 9 general_branch, 10 branch = grassroots
#   activity kinds: 1 party_congress, 2 committee_meeting, 3 group_meeting, 4 party_lesson,
#                   5 theme_day, 6 org_life_meeting (1-6 organisation life; 1, 4, 5, 6 open
#                   to all members), 7 theory_study, 8 democratic_consultation,
#                   9 democratic_evaluation (1-9 score an attend), 10 volunteer_activity,
#                   11 condolence_visit
#   event kinds:    1 attend, 2 leave, 3 dues, 4 model_post, 5 volunteer, 6 study, 7 evaluation


def sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def source_views(con: duckdb.DuckDBPyConnection, d: Path) -> None:
    """Views over the Parquet files: every query below reads them again."""
    for t in ("orgs", "members", "activities"):
        p = d / f"{t}.parquet"
        if not p.is_file():
            raise SystemExit(f"error: {p}: missing")
        con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet({sql_str(str(p))})")
    if (d / "events").is_dir():
        pattern = d / "events" / "*.parquet"
        files = list((d / "events").glob("*.parquet"))
    else:
        pattern = d / "events-*.parquet"
        files = list(d.glob("events-*.parquet"))
    if not files:
        raise SystemExit(f"error: no event segments ({pattern})")
    con.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet({sql_str(str(pattern))})")


# ---- 0. data start --------------------------------------------------------------------
DATA_START = """
CREATE TEMP TABLE data_start AS
SELECT min(mo) AS start_month
FROM (SELECT min(hm) AS mo FROM activities
      UNION ALL
      SELECT min(om) AS mo FROM events)
"""

# ---- 1. Vanguard Index for year Y (crosscheck sql/index.sql) ---------------------------
INDEX = """
CREATE TEMP TABLE vanguard_index AS
WITH
-- Population: every member with joined_on <= Y-12-31 (month of joined_on <= Y-12).
population AS (
    SELECT id AS member, member_id, org, monthly_dues
    FROM members
    WHERE jm <= {dec}
),
-- attend (party_life, 1 point): once per (member, activity), dated by the earliest row,
-- when the activity's kind is organisation life, theory_study, democratic_consultation or
-- democratic_evaluation (codes 1-9); counts in the year of that earliest row.
attend_first AS (
    SELECT member, activity, min(om) AS first_om
    FROM events
    WHERE kind = 1
    GROUP BY member, activity
),
attend_points AS (
    SELECT f.member, count(*) * {point} AS pts
    FROM attend_first f
    JOIN activities a ON a.id = f.activity
    WHERE a.kind BETWEEN 1 AND 9
      AND f.first_om BETWEEN {jan} AND {dec}
    GROUP BY f.member
),
-- dues (party_life, 1 point per period P of Y paid in full on time):
-- same-instant rows summed together, running total in occurred_at order, the completing
-- payment is the first instant at which it reaches monthly_dues (never when 0), and it
-- scores when made no later than the last day of P (its month <= P).
dues_by_instant AS (
    SELECT member, "period", occurred_at, min(om) AS om, sum(quantity) AS paid
    FROM events
    WHERE kind = 3 AND "period" BETWEEN {jan} AND {dec}
    GROUP BY member, "period", occurred_at
),
dues_running AS (
    SELECT member, "period", occurred_at, om,
           sum(paid) OVER (PARTITION BY member, "period" ORDER BY occurred_at
                           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
    FROM dues_by_instant
),
dues_completed AS (
    SELECT r.member, r."period", arg_min(r.om, r.occurred_at) AS completing_om
    FROM dues_running r
    JOIN population p USING (member)
    WHERE p.monthly_dues > 0 AND r.running >= p.monthly_dues
    GROUP BY r.member, r."period"
),
dues_points AS (
    SELECT member, count(*) * {point} AS pts
    FROM dues_completed
    WHERE completing_om <= "period"
    GROUP BY member
),
-- model_post 2 points, study 0.5 (duty); volunteer 0.5 per hour (contribution):
-- quantity in millionths of an hour -> q * 5 units of 1e-7 point. Year of occurred_at.
duty_contribution AS (
    SELECT member,
           sum(CASE kind WHEN 4 THEN 2 * {point} WHEN 6 THEN {point} // 2 ELSE 0 END) AS duty,
           sum(CASE WHEN kind = 5 THEN quantity * 5 ELSE 0 END)                       AS contribution
    FROM events
    WHERE kind IN (4, 5, 6) AND om BETWEEN {jan} AND {dec}
    GROUP BY member
),
-- evaluation (morality): rows with period Y-12, the last by (occurred_at, event_id bytes)
-- stands; grade 1/2/3/4 -> +5/0/-5/-10.
evaluation_last AS (
    SELECT member, quantity
    FROM events
    WHERE kind = 7 AND "period" = {dec}
    QUALIFY row_number() OVER (PARTITION BY member
                               ORDER BY occurred_at DESC, encode(event_id) DESC) = 1
),
evaluation_points AS (
    SELECT member,
           CASE quantity WHEN 1000000 THEN 5 WHEN 2000000 THEN 0
                         WHEN 3000000 THEN -5 WHEN 4000000 THEN -10 END * {point} AS pts
    FROM evaluation_last
),
scored AS (
    SELECT p.member, p.member_id, p.org,
           CAST(coalesce(ap.pts, 0) + coalesce(dp.pts, 0) AS BIGINT) AS party_life,
           CAST(coalesce(dc.duty, 0) AS BIGINT)                      AS duty,
           CAST(coalesce(dc.contribution, 0) AS BIGINT)              AS contribution,
           CAST(coalesce(ep.pts, 0) AS BIGINT)                       AS morality
    FROM population p
    LEFT JOIN attend_points     ap USING (member)
    LEFT JOIN dues_points       dp USING (member)
    LEFT JOIN duty_contribution dc USING (member)
    LEFT JOIN evaluation_points ep USING (member)
),
totals AS (
    SELECT *, party_life + duty + contribution + morality AS idx FROM scored
)
-- Ranks: index descending, member_id ascending in byte order; distinct, 1-based.
SELECT row_number() OVER (ORDER BY t.idx DESC, encode(t.member_id))                     AS district_rank,
       t.member, t.member_id, t.org, o.org_id,
       row_number() OVER (PARTITION BY t.org ORDER BY t.idx DESC, encode(t.member_id)) AS org_rank,
       t.idx AS "index", t.party_life, t.duty, t.contribution, t.morality
FROM totals t
LEFT JOIN orgs o ON o.id = t.org
"""

# ---- 2. member lights at the end of M (crosscheck sql/member_lights.sql) ---------------
MEMBER_LIGHTS = """
CREATE TEMP TABLE member_lights AS
WITH
-- Members with joined_on <= the last day of M; no run reaches back before the data start
-- nor before the joined month (greatest() ignores a NULL data start).
lit_members AS (
    SELECT m.id AS member, m.member_id, m.org, m.joined_on, m.monthly_dues,
           greatest(ds.start_month, m.jm) AS floor_month
    FROM members m CROSS JOIN data_start ds
    WHERE m.jm <= {m}
),
-- Dues arrears: a period P in [floor, M] is paid when the dues rows for P visible at M
-- (om <= M) add up to monthly_dues; the run is M - latest paid period (or M - floor + 1
-- when none); 0 when floor > M or monthly_dues = 0.
dues_paid AS (
    SELECT l.member, e."period"
    FROM lit_members l
    JOIN events e ON e.member = l.member
    WHERE e.kind = 3 AND e.om <= {m}
      AND e."period" <= {m} AND e."period" >= l.floor_month
    GROUP BY l.member, e."period", l.monthly_dues
    HAVING sum(e.quantity) >= l.monthly_dues
),
dues_arrears AS (
    SELECT l.member,
           CASE WHEN l.monthly_dues = 0   THEN 0
                WHEN l.floor_month > {m}  THEN 0
                ELSE {m} - coalesce(max(dp."period"), l.floor_month - 1)
           END AS dues_arrears
    FROM lit_members l
    LEFT JOIN dues_paid dp USING (member)
    GROUP BY l.member, l.monthly_dues, l.floor_month
),
-- Absence: activities of the member's own organisation, of an all-member organisation-life
-- kind (1, 4, 5, 6), held on or after 00:00 of joined_on, in a month <= M ...
qualifying AS (
    SELECT l.member, a.id AS activity, a.hm
    FROM lit_members l
    JOIN activities a ON a.org = l.org
    WHERE a.kind IN (1, 4, 5, 6)
      AND a.held_at >= CAST(l.joined_on AS BIGINT) * 86400000000
      AND a.hm <= {m}
),
-- ... answered by an attend or leave row visible at M ...
responses AS (
    SELECT DISTINCT member, activity
    FROM events
    WHERE kind IN (1, 2) AND om <= {m}
),
-- ... a month with such activities is responded when any of them is answered; the run is
-- the absent months after the latest responded month (months without any are skipped).
month_status AS (
    SELECT q.member, q.hm, bool_or(r.activity IS NOT NULL) AS responded
    FROM qualifying q
    LEFT JOIN responses r ON r.member = q.member AND r.activity = q.activity
    GROUP BY q.member, q.hm
),
last_responded AS (
    SELECT member, max(hm) FILTER (WHERE responded) AS last_month
    FROM month_status
    GROUP BY member
),
absence AS (
    SELECT ms.member, count(*) AS absence
    FROM month_status ms
    JOIN last_responded lr USING (member)
    WHERE NOT ms.responded AND (lr.last_month IS NULL OR ms.hm > lr.last_month)
    GROUP BY ms.member
),
-- Severities 0 green / 1 yellow / 2 red: arrears 0 / 1-2 / >=3; absence 0-1 / 2 / >=3.
severities AS (
    SELECT l.member, l.member_id, l.org,
           CAST(da.dues_arrears AS BIGINT)           AS dues_arrears,
           CAST(coalesce(ab.absence, 0) AS BIGINT)   AS absence,
           CASE WHEN da.dues_arrears >= 3 THEN 2
                WHEN da.dues_arrears >= 1 THEN 1 ELSE 0 END AS dues_light,
           CASE WHEN coalesce(ab.absence, 0) >= 3 THEN 2
                WHEN coalesce(ab.absence, 0) = 2 THEN 1 ELSE 0 END AS absence_light
    FROM lit_members l
    JOIN dues_arrears da USING (member)
    LEFT JOIN absence ab USING (member)
)
SELECT s.member, s.member_id, s.org, o.org_id, s.dues_arrears, s.absence,
       s.dues_light, s.absence_light, greatest(s.dues_light, s.absence_light) AS light
FROM severities s
LEFT JOIN orgs o ON o.id = s.org
"""

# ---- 3. branch lights at the end of M (crosscheck sql/branch_lights.sql) ---------------
BRANCH_LIGHTS = """
CREATE TEMP TABLE branch_lights AS
WITH
-- Grassroots organisations (committee, general_branch, branch) established by the end of
-- M; runs start no earlier than max(data start, month established).
lit_orgs AS (
    SELECT o.id AS org, o.org_id, greatest(ds.start_month, o.em) AS floor_month
    FROM orgs o CROSS JOIN data_start ds
    WHERE o.kind IN (8, 9, 10) AND o.em <= {m}
),
-- Direct members at M by member light.
member_counts AS (
    SELECT org,
           count(*)                            AS members,
           count(*) FILTER (WHERE light = 2)   AS red_members,
           count(*) FILTER (WHERE light = 1)   AS yellow_members,
           count(*) FILTER (WHERE light = 0)   AS green_members
    FROM member_lights
    GROUP BY org
),
branches AS (
    SELECT lo.org, lo.org_id, lo.floor_month,
           mc.members, mc.red_members, mc.yellow_members, mc.green_members
    FROM lit_orgs lo
    JOIN member_counts mc USING (org)
),
-- Org-life gap: months in [floor, M] in which the organisation itself held any of the six
-- organisation-life kinds; the run is M - latest such month (M - floor + 1 when none).
covered AS (
    SELECT a.org, max(a.hm) AS last_month
    FROM activities a
    JOIN branches b USING (org)
    WHERE a.kind BETWEEN 1 AND 6 AND a.hm >= b.floor_month AND a.hm <= {m}
    GROUP BY a.org
),
gaps AS (
    SELECT b.*,
           CAST(CASE WHEN b.floor_month > {m} THEN 0
                     ELSE {m} - coalesce(c.last_month, b.floor_month - 1) END AS BIGINT) AS org_life_gap
    FROM branches b
    LEFT JOIN covered c USING (org)
),
-- Severities: gap 0 / 1 / >=2; share red*100 >= 20*members red, >= 10*members yellow.
severities AS (
    SELECT *,
           CASE WHEN org_life_gap >= 2 THEN 2 WHEN org_life_gap = 1 THEN 1 ELSE 0 END AS gap_light,
           CASE WHEN red_members * 100 >= 20 * members THEN 2
                WHEN red_members * 100 >= 10 * members THEN 1 ELSE 0 END           AS share_light
    FROM gaps
)
SELECT org, org_id, members, red_members, yellow_members, green_members, org_life_gap,
       gap_light, share_light, greatest(gap_light, share_light) AS light
FROM severities
"""

# ---- 4. subtree counts --------------------------------------------------------------
SUBTREE = """
CREATE TEMP TABLE subtree_counts AS
WITH RECURSIVE
-- Every (org, ancestor-or-self) pair; UNION (not ALL) so that a corrupt cycle still ends.
closure(org, ancestor) AS (
    SELECT id, id FROM orgs
    UNION
    SELECT c.org, o.parent
    FROM closure c
    JOIN orgs o ON o.id = c.ancestor
    WHERE o.parent IS NOT NULL
),
member_counts AS (
    SELECT c.ancestor AS org,
           count(*) FILTER (WHERE ml.light = 2) AS red_members,
           count(*) FILTER (WHERE ml.light = 1) AS yellow_members,
           count(*) FILTER (WHERE ml.light = 0) AS green_members
    FROM member_lights ml
    JOIN closure c ON c.org = ml.org
    GROUP BY c.ancestor
),
branch_counts AS (
    SELECT c.ancestor AS org,
           count(*) FILTER (WHERE bl.light = 2) AS red_branches,
           count(*) FILTER (WHERE bl.light = 1) AS yellow_branches,
           count(*) FILTER (WHERE bl.light = 0) AS green_branches
    FROM branch_lights bl
    JOIN closure c ON c.org = bl.org
    GROUP BY c.ancestor
)
SELECT o.id AS org, o.org_id,
       coalesce(mc.red_members, 0)     AS red_members,
       coalesce(mc.yellow_members, 0)  AS yellow_members,
       coalesce(mc.green_members, 0)   AS green_members,
       coalesce(bc.red_branches, 0)    AS red_branches,
       coalesce(bc.yellow_branches, 0) AS yellow_branches,
       coalesce(bc.green_branches, 0)  AS green_branches
FROM orgs o
LEFT JOIN member_counts mc ON mc.org = o.id
LEFT JOIN branch_counts bc ON bc.org = o.id
"""

TABLES = [("index_rows", "vanguard_index"), ("member_light_rows", "member_lights"),
          ("branch_light_rows", "branch_lights"), ("subtree_rows", "subtree_counts")]


def run_once(d: Path, year: int, month: int, threads: int) -> tuple[float, dict, duckdb.DuckDBPyConnection]:
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {threads}")
    t0 = time.perf_counter()
    source_views(con, d)
    params = {"jan": year * 12, "dec": year * 12 + 11, "m": month, "point": POINT}
    for sql in (DATA_START, INDEX, MEMBER_LIGHTS, BRANCH_LIGHTS, SUBTREE):
        con.execute(sql.format(**params))
    counts = {key: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
              for key, table in TABLES}
    elapsed = time.perf_counter() - t0
    return elapsed, counts, con


# ---- --dump: the §9 export files ------------------------------------------------------

def fmt_scaled(value: int, scale: int) -> str:
    """Integer value * 10**-scale as the shortest exact decimal: 187.5, -5, 0, 0.165."""
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(int(value)), 10 ** scale)
    if frac == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}." + str(frac).rjust(scale, "0").rstrip("0")


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def dump(con: duckdb.DuckDBPyConnection, out: Path, year: int, month_text: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    pts = lambda v: fmt_scaled(v, 7)  # noqa: E731
    byte_key = lambda r: r[0].encode("utf-8")  # noqa: E731

    rows = con.execute("SELECT district_rank, member_id, org_id, org_rank, \"index\", party_life, "
                       "duty, contribution, morality FROM vanguard_index").fetchall()
    rows.sort(key=lambda r: r[0])
    if [r[0] for r in rows] != list(range(1, len(rows) + 1)):
        raise SystemExit("error: district_rank is not 1..n")
    write_csv(out / f"index-{year}.csv",
              ["district_rank", "member_id", "org_id", "org_rank", "index", "party_life", "duty",
               "contribution", "morality"],
              [[r[0], r[1], r[2], r[3], *map(pts, r[4:])] for r in rows])

    rows = con.execute("SELECT member_id, org_id, dues_arrears, absence, dues_light, "
                       "absence_light, light FROM member_lights").fetchall()
    rows.sort(key=byte_key)
    write_csv(out / f"member-lights-{month_text}.csv",
              ["member_id", "org_id", "dues_arrears", "absence", "dues_light", "absence_light",
               "light"],
              [[r[0], r[1], r[2], r[3], LIGHTS[r[4]], LIGHTS[r[5]], LIGHTS[r[6]]] for r in rows])

    rows = con.execute("SELECT org_id, members, red_members, yellow_members, green_members, "
                       "org_life_gap, gap_light, share_light, light FROM branch_lights").fetchall()
    rows.sort(key=byte_key)
    write_csv(out / f"branch-lights-{month_text}.csv",
              ["org_id", "members", "red_members", "yellow_members", "green_members",
               "org_life_gap", "gap_light", "share_light", "light"],
              [[*r[:6], LIGHTS[r[6]], LIGHTS[r[7]], LIGHTS[r[8]]] for r in rows])

    rows = con.execute("SELECT org_id, red_members, yellow_members, green_members, red_branches, "
                       "yellow_branches, green_branches FROM subtree_counts").fetchall()
    rows.sort(key=byte_key)
    write_csv(out / f"subtree-counts-{month_text}.csv",
              ["org_id", "red_members", "yellow_members", "green_members", "red_branches",
               "yellow_branches", "green_branches"],
              [list(r) for r in rows])
    print(f"dumped to {out}", file=sys.stderr)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path, help="directory with the engine's Parquet files")
    ap.add_argument("--year", required=True, help="YYYY (index)")
    ap.add_argument("--month", required=True, help="YYYY-MM (lights, subtree counts)")
    ap.add_argument("--threads", type=int, default=2, help="DuckDB threads (default 2)")
    ap.add_argument("--repeat", type=int, default=3, help="runs (default 3)")
    ap.add_argument("--dump", type=Path, metavar="OUTDIR", help="write the §9 export files")
    args = ap.parse_args(argv)
    if not re.fullmatch(r"[0-9]{4}", args.year):
        ap.error("--year must be YYYY")
    if not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", args.month):
        ap.error("--month must be YYYY-MM")
    year = int(args.year)
    y, mo = args.month.split("-")
    month = int(y) * 12 + int(mo) - 1

    best, counts, con = None, None, None
    for _ in range(max(1, args.repeat)):
        if con is not None:
            con.close()
        elapsed, got, con = run_once(args.dir, year, month, max(1, args.threads))
        print(f"duckdb recompute: {elapsed:.3f} s", flush=True)
        if counts is not None and got != counts:
            raise SystemExit(f"error: row counts differ between repeats: {counts} vs {got}")
        counts = got
        best = elapsed if best is None else min(best, elapsed)
    peak_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # KiB on Linux
    if args.dump is not None:
        dump(con, args.dump, year, args.month)
    con.close()
    print(f"DUCKDB_RESULT best_s={best:.3f} peak_rss_mb={peak_mb} "
          + " ".join(f"{k}={counts[k]}" for k, _ in TABLES), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
