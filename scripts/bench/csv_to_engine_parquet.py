#!/usr/bin/env python3
"""Turn a directory of §3 interchange CSV files into the engine's columnar Parquet layout.

For testing scripts/bench/duckdb_recompute.py without the Rust engine: the CSV files are
read and validated exactly as the crosscheck reference does (scripts/crosscheck/reference.py
and sql/parse.sql, imported, not copied), then written with integer surrogate ids and
vocabulary codes, as the engine's columnar copy holds them:

    OUTDIR/orgs.parquet        id, org_id, parent, name, kind, established_on, em
    OUTDIR/members.parquet     id, member_id, org, joined_on, jm, monthly_dues, category
    OUTDIR/activities.parquet  id, org, kind, held_at, hm, scores, org_life, all_member
    OUTDIR/events/events-<from>-<to>.parquet   (--segments files, split by seq)
                               seq, member, kind, occurred_at, om, activity, quantity,
                               period, event_id (evaluation rows only)

Dates are days since 1970-01-01 (INT), instants microseconds since 1970-01-01T00:00 local
naive (BIGINT), months year*12+month-1 (INT), decimals millionths (BIGINT). Surrogate ids
are 1-based in id byte order; events get seq 1.. in (occurred_at, event_id) order.

Usage: csv_to_engine_parquet.py CSV_DIR OUTDIR [--segments 3]
Exit 0 written, 2 when the CSV data has a row the reference refuses (listed on stderr).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # leave no __pycache__ in scripts/crosscheck
sys.path.insert(0, str(HERE.parent / "crosscheck"))
import reference  # noqa: E402  (scripts/crosscheck/reference.py)

ORG_KINDS = ["district", "street", "town", "township", "community", "village", "unit",
             "committee", "general_branch", "branch"]
ACTIVITY_KINDS = ["party_congress", "committee_meeting", "group_meeting", "party_lesson",
                  "theme_day", "org_life_meeting", "theory_study", "democratic_consultation",
                  "democratic_evaluation", "volunteer_activity", "condolence_visit"]
EVENT_KINDS = ["attend", "leave", "dues", "model_post", "volunteer", "study", "evaluation"]


def code_case(column: str, names: list[str]) -> str:
    """CASE mapping a kind name to its 1-based code (SMALLINT)."""
    whens = " ".join(f"WHEN {reference.sql_str(n)} THEN {i}" for i, n in enumerate(names, 1))
    return f"CAST(CASE {column} {whens} END AS SMALLINT)"


# Canonical instant 'YYYY-MM-DDTHH:MM:SS.fffffffff' (parse.sql) -> microseconds since epoch.
def micros(ts: str) -> str:
    return f"epoch_us(CAST(replace(substr({ts}, 1, 26), 'T', ' ') AS TIMESTAMP))"


def days(d: str) -> str:
    return f"CAST(datediff('day', DATE '1970-01-01', {d}) AS INTEGER)"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv_dir", type=Path)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--segments", type=int, default=3, help="events segment files (default 3)")
    args = ap.parse_args(argv)

    con = duckdb.connect(":memory:")
    try:
        reference.load(con, args.csv_dir)
    except reference.DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    out = args.out_dir
    out.mkdir(parents=True, exist_ok=True)
    if (out / "events").exists():
        shutil.rmtree(out / "events")
    (out / "events").mkdir()

    con.execute(f"""
        CREATE TABLE o AS
        SELECT CAST(row_number() OVER (ORDER BY encode(org_id)) AS BIGINT) AS id, *
        FROM orgs;
        CREATE TABLE m AS
        SELECT CAST(row_number() OVER (ORDER BY encode(member_id)) AS BIGINT) AS id, *
        FROM members;
        CREATE TABLE a AS
        SELECT CAST(row_number() OVER (ORDER BY encode(activity_id)) AS BIGINT) AS id, *
        FROM activities;

        CREATE TABLE out_orgs AS
        SELECT o.id, o.org_id, p.id AS parent, o.name,
               {code_case('o.kind', ORG_KINDS)} AS kind,
               {days('o.est_date')} AS established_on,
               CAST(o.est_month AS INTEGER) AS em
        FROM o LEFT JOIN o p ON p.org_id = o.parent_id
        ORDER BY o.id;

        CREATE TABLE out_members AS
        SELECT m.id, m.member_id, o.id AS org,
               {days('m.joined_date')} AS joined_on,
               CAST(m.joined_month AS INTEGER) AS jm,
               CAST(m.dues_micro AS BIGINT) AS monthly_dues,
               m.category
        FROM m JOIN o USING (org_id)
        ORDER BY m.id;

        CREATE TABLE out_activities AS
        SELECT a.id, o.id AS org, k.kind, {micros('a.held_ts')} AS held_at,
               CAST(a.held_month AS INTEGER) AS hm,
               k.kind BETWEEN 1 AND 9 AS scores,
               k.kind BETWEEN 1 AND 6 AS org_life,
               k.kind IN (1, 4, 5, 6) AS all_member
        FROM a JOIN o USING (org_id)
        CROSS JOIN LATERAL (SELECT {code_case('a.kind', ACTIVITY_KINDS)} AS kind) k
        ORDER BY a.id;

        CREATE TABLE out_events AS
        SELECT CAST(row_number() OVER (ORDER BY e.ts, encode(e.event_id)) AS BIGINT) AS seq,
               m.id AS member,
               {code_case('e.kind', EVENT_KINDS)} AS kind,
               {micros('e.ts')} AS occurred_at,
               CAST(e.ts_month AS INTEGER) AS om,
               a.id AS activity,
               CAST(e.qty_micro AS BIGINT) AS quantity,
               CAST(e.period_month AS INTEGER) AS period,
               CASE WHEN e.kind = 'evaluation' THEN e.event_id END AS event_id
        FROM events e
        JOIN m USING (member_id)
        LEFT JOIN a ON a.activity_id = e.activity_id AND e.activity_id <> '';
    """)

    for table in ("orgs", "members", "activities"):
        con.execute(f"COPY out_{table} TO {reference.sql_str(str(out / (table + '.parquet')))} "
                    "(FORMAT parquet)")
    n = con.execute("SELECT count(*) FROM out_events").fetchone()[0]
    segs = max(1, args.segments)
    size = max(1, -(-n // segs))
    lo = 0
    while True:
        hi = min(n, lo + size)
        path = out / "events" / f"events-{lo:015}-{hi:015}.parquet"
        con.execute(f"COPY (SELECT * FROM out_events WHERE seq > {lo} AND seq <= {hi} ORDER BY seq) "
                    f"TO {reference.sql_str(str(path))} (FORMAT parquet)")
        lo = hi
        if lo >= n:
            break
    counts = {t: con.execute(f"SELECT count(*) FROM out_{t}").fetchone()[0]
              for t in ("orgs", "members", "activities", "events")}
    print(f"wrote {out}: " + ", ".join(f"{k} {v}" for k, v in counts.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
