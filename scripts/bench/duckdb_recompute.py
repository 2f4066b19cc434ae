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

each fully materialised (CREATE TABLE ... AS) and counted.

Steps 1-3 run the rule files of the independent reference as they are:
scripts/crosscheck/sql/index.sql, member_lights.sql and branch_lights.sql. Those read the
typed tables that the reference's parse.sql makes from CSV text; here the same names and
columns are made from the Parquet files (ADAPTER below), inside the timed region:

  orgs        org_id, parent_id ('' for none), kind (name), est_month
  members     member_id, org_id, joined_date, joined_month, dues_micro
  activities  activity_id, org_id, kind (name), held_date, held_month
  events      member_id, activity_id, kind (name), ts, ts_month, qty_micro, period_month,
              event_id  (a view: every rule's scan reads the event segments again)
  data_start  start_month = min over activities.held_month and events.ts_month
  ts_month(ts), the month of an instant (a macro)

Differences the rules do not depend on: an instant (ts) is microseconds since the epoch,
not a canonical string (same order; ts_month() gives its month); activity_id is the
surrogate id (the Parquet files hold no activity ids, and the rules only match on it);
member_id and the kinds are ENUMs of the ids and names (joined and grouped as integers,
read and encode()d as the strings). Months are year*12+month-1 and quantities millionths,
as in parse.sql. Only the subtree counts, which the reference does not compute, are SQL
of this script.

DIR holds orgs.parquet, members.parquet, activities.parquet and the event segments,
events/*.parquet (or, as in the engine's own copy directory, DIR/events-*.parquet), in
the layout of csv_to_engine_parquet.py (vocabulary codes: its *_KINDS lists, 1-based).

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

HERE = Path(__file__).resolve().parent
RULES = HERE.parent / "crosscheck" / "sql"
sys.dont_write_bytecode = True  # leave no __pycache__ in scripts/bench or scripts/crosscheck
sys.path.insert(0, str(HERE.parent / "crosscheck"))
import reference  # noqa: E402  (scripts/crosscheck/reference.py: sql_str, write_export)
from csv_to_engine_parquet import ACTIVITY_KINDS, EVENT_KINDS, ORG_KINDS  # noqa: E402

sql_str = reference.sql_str


def sources(d: Path) -> dict[str, str]:
    """read_parquet() of each Parquet source: every use reads the files again."""
    out = {}
    for t in ("orgs", "members", "activities"):
        p = d / f"{t}.parquet"
        if not p.is_file():
            raise SystemExit(f"error: {p}: missing")
        out[t] = f"read_parquet({sql_str(str(p))})"
    if (d / "events").is_dir():
        pattern = d / "events" / "*.parquet"
        files = list((d / "events").glob("*.parquet"))
    else:
        pattern = d / "events-*.parquet"
        files = list(d.glob("events-*.parquet"))
    if not files:
        raise SystemExit(f"error: no event segments ({pattern})")
    out["events"] = f"read_parquet({sql_str(str(pattern))})"
    return out


def vocabulary(table: str, names: list[str]) -> str:
    """A table (code, name) of a vocabulary, codes 1-based in list order; name is an ENUM
    of the names (one byte a row where a rule keeps the kinds of many events)."""
    labels = ", ".join(sql_str(name) for name in names)
    rows = ", ".join(f"({code}, {sql_str(name)})" for code, name in enumerate(names, 1))
    return (f"CREATE TYPE {table}_name AS ENUM ({labels});\n"
            f"CREATE TABLE {table} AS SELECT CAST(code AS SMALLINT) AS code, "
            f"CAST(name AS {table}_name) AS name FROM (VALUES {rows}) v(code, name);\n")


# ---- 0. the tables of parse.sql, from the Parquet files ---------------------------------
# Kind names come by a join with the vocabulary, so that DuckDB turns a rule's
# kind = 'study' into a filter on the code in the scan of the event segments.
ADAPTER = (vocabulary("org_kinds", ORG_KINDS) + vocabulary("activity_kinds", ACTIVITY_KINDS)
           + vocabulary("event_kinds", EVENT_KINDS) + """
CREATE MACRO ts_month(ts) AS year(make_timestamp(ts)) * 12 + month(make_timestamp(ts)) - 1;

CREATE TABLE orgs AS
SELECT o.id, o.org_id, coalesce(p.org_id, '') AS parent_id, k.name AS kind, o.em AS est_month
FROM {orgs} o
JOIN org_kinds k ON k.code = o.kind
LEFT JOIN {orgs} p ON p.id = o.parent;

CREATE TYPE member_id_t AS ENUM (SELECT member_id FROM {members} ORDER BY id);

CREATE TABLE members AS
SELECT m.id, CAST(m.member_id AS member_id_t) AS member_id, o.org_id,
       DATE '1970-01-01' + m.joined_on AS joined_date, m.jm AS joined_month,
       m.monthly_dues AS dues_micro
FROM {members} m
JOIN orgs o ON o.id = m.org;

CREATE TABLE activities AS
SELECT a.id AS activity_id, o.org_id, k.name AS kind,
       CAST(make_timestamp(a.held_at) AS DATE) AS held_date, a.hm AS held_month
FROM {activities} a
JOIN activity_kinds k ON k.code = a.kind
JOIN orgs o ON o.id = a.org;

CREATE VIEW events AS
SELECT m.member_id, e.activity AS activity_id, k.name AS kind, e.occurred_at AS ts,
       e.om AS ts_month, e.quantity AS qty_micro, e.period AS period_month, e.event_id
FROM {events} e
JOIN event_kinds k ON k.code = e.kind
JOIN members m ON m.id = e.member;

CREATE TABLE data_start AS
SELECT min(mo) AS start_month
FROM (SELECT min(held_month) AS mo FROM activities
      UNION ALL
      SELECT min(om) AS mo FROM {events});
""")

# ---- 4. subtree counts (the reference has none) ----------------------------------------
SUBTREE = """
CREATE TABLE subtree_counts AS
WITH RECURSIVE
-- Every (org, ancestor-or-self) pair; UNION (not ALL) so that a corrupt cycle still ends.
closure(org_id, ancestor) AS (
    SELECT org_id, org_id FROM orgs
    UNION
    SELECT c.org_id, o.parent_id
    FROM closure c
    JOIN orgs o ON o.org_id = c.ancestor
    WHERE o.parent_id <> ''
),
-- Member and branch lights at M, each at its own organisation.
lights AS (
    SELECT org_id, 'member' AS what, light FROM member_lights
    UNION ALL
    SELECT org_id, 'branch' AS what, light FROM branch_lights
)
SELECT c.ancestor AS org_id,
       count(*) FILTER (WHERE l.what = 'member' AND l.light = 'red')    AS red_members,
       count(*) FILTER (WHERE l.what = 'member' AND l.light = 'yellow') AS yellow_members,
       count(*) FILTER (WHERE l.what = 'member' AND l.light = 'green')  AS green_members,
       count(*) FILTER (WHERE l.what = 'branch' AND l.light = 'red')    AS red_branches,
       count(*) FILTER (WHERE l.what = 'branch' AND l.light = 'yellow') AS yellow_branches,
       count(*) FILTER (WHERE l.what = 'branch' AND l.light = 'green')  AS green_branches
FROM closure c
LEFT JOIN lights l ON l.org_id = c.org_id
GROUP BY c.ancestor
"""

TABLES = [("index_rows", "vanguard_index"), ("member_light_rows", "member_lights"),
          ("branch_light_rows", "branch_lights"), ("subtree_rows", "subtree_counts")]


def rule(name: str) -> str:
    """A rule file of the reference as one statement (without its final ';')."""
    return (RULES / name).read_text(encoding="utf-8").strip().rstrip(";")


def steps(year: int, month: int) -> list[str]:
    """The statements of one run after the adapter, in order."""
    return [
        f"SET VARIABLE year = {year}",
        f"SET VARIABLE month = {month}",
        "CREATE TABLE vanguard_index AS\n" + rule("index.sql"),
        rule("member_lights.sql"),  # creates the table member_lights
        "CREATE TABLE branch_lights AS\n" + rule("branch_lights.sql"),
        SUBTREE,
    ]


def run_once(d: Path, statements: list[str], threads: int
             ) -> tuple[float, dict, duckdb.DuckDBPyConnection]:
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {threads}")
    t0 = time.perf_counter()
    con.execute(ADAPTER.format(**sources(d)))
    for sql in statements:
        con.execute(sql)
    counts = {key: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
              for key, table in TABLES}
    elapsed = time.perf_counter() - t0
    return elapsed, counts, con


# ---- --dump: the §9 export files (written by the reference's own writer) ----------------

def dump(con: duckdb.DuckDBPyConnection, out: Path, year: int, month_text: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    byte_key = lambda r: r[0].encode("utf-8")  # noqa: E731

    rows = con.execute("SELECT * FROM vanguard_index").fetchall()
    rows.sort(key=lambda r: r[0])
    if [r[0] for r in rows] != list(range(1, len(rows) + 1)):
        raise SystemExit("error: district_rank is not 1..n")
    reference.write_export(out / f"index-{year}.csv", "index", rows)
    for kind, table in (("member-lights", "member_lights"), ("branch-lights", "branch_lights")):
        rows = con.execute(f"SELECT * FROM {table}").fetchall()
        rows.sort(key=byte_key)
        reference.write_export(out / f"{kind}-{month_text}.csv", kind, rows)

    cur = con.execute("SELECT * FROM subtree_counts")
    header = [c[0] for c in cur.description]
    rows = sorted(cur.fetchall(), key=byte_key)
    with (out / f"subtree-counts-{month_text}.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
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
    statements = steps(year, month)

    best, counts, con = None, None, None
    for _ in range(max(1, args.repeat)):
        if con is not None:
            con.close()
        elapsed, got, con = run_once(args.dir, statements, max(1, args.threads))
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
