#!/usr/bin/env python3
"""Independent reference implementation of the three exports of docs/RULES.md §9.

Reads the §3 interchange CSV files of a directory directly (orgs.csv, members.csv,
activities.csv and every events*.csv) with DuckDB, every column as VARCHAR, parses
every value itself (sql/parse.sql), computes the export with the SQL in sql/ and writes
it exactly as §9 prescribes. Integer arithmetic only; it never rounds.

Usage:
    reference.py DATA_DIR index         --year 2025     --out FILE
    reference.py DATA_DIR member-lights --month 2025-06 --out FILE
    reference.py DATA_DIR branch-lights --month 2025-06 --out FILE

Exit codes: 0 written; 2 the data holds a row that cannot be parsed (or a dangling
reference, an unknown kind, a conflicting duplicate id): every problem is listed on
stderr and nothing is written; 1 any other failure.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
SQL_DIR = HERE / "sql"

# The columns of each §3 file that this checker reads (all of them, so that a
# conflicting duplicate row is noticed even when it differs in an unused column).
COLUMNS = {
    "orgs": ["org_id", "parent_id", "name", "kind", "established_on"],
    "members": ["member_id", "org_id", "name", "gender", "birth_date", "joined_on",
                "status", "category", "monthly_dues"],
    "activities": ["activity_id", "org_id", "kind", "held_at", "title"],
    "events": ["event_id", "member_id", "kind", "occurred_at", "activity_id", "quantity",
               "period", "source"],
}

# Export columns and the scale of each numeric column (§9). Index points are computed
# in units of 1e-7 point (see sql/index.sql); counts are plain integers (scale 0).
EXPORTS = {
    "index": [("district_rank", 0), ("member_id", None), ("org_id", None), ("org_rank", 0),
              ("index", 7), ("party_life", 7), ("duty", 7), ("contribution", 7),
              ("morality", 7)],
    "member-lights": [("member_id", None), ("org_id", None), ("dues_arrears", 0),
                      ("absence", 0), ("dues_light", None), ("absence_light", None),
                      ("light", None)],
    "branch-lights": [("org_id", None), ("members", 0), ("red_members", 0),
                      ("yellow_members", 0), ("green_members", 0), ("org_life_gap", 0),
                      ("gap_light", None), ("share_light", None), ("light", None)],
}


class DataError(Exception):
    """The input cannot be used as it is; the message lists why."""


# ---- reading ------------------------------------------------------------------------

def read_header(path: Path) -> list[str]:
    """The header record of a CSV file, read with Python's own csv module (BOM removed)."""
    with path.open("r", encoding="utf-8-sig", newline="") as f:
        try:
            return next(csv.reader(f))
        except StopIteration:
            raise DataError(f"{path}: empty file, no header row") from None


def load_table(con: duckdb.DuckDBPyConnection, table: str, files: list[Path]) -> None:
    """Create raw_<table>: the §3 columns as VARCHAR ('' for empty) plus src_file."""
    wanted = COLUMNS[table]
    selects = []
    for path in files:
        header = read_header(path)
        missing = [c for c in wanted if c not in header]
        if missing:
            raise DataError(f"{path}: header lacks column(s) {', '.join(missing)}; "
                            f"header is {header}")
        if len(set(header)) != len(header):
            raise DataError(f"{path}: duplicate column names in header {header}")
        extra = [c for c in header if c not in wanted]
        if extra:
            print(f"note: {path.name}: ignoring column(s) {', '.join(extra)}", file=sys.stderr)
        # Nothing is sniffed (auto_detect = false): DuckDB's sniffer may pick '#' as a
        # comment character and then silently drop rows and cut fields. The dialect is
        # RFC 4180 (LF or CRLF), the columns are the header Python read, all VARCHAR;
        # strict_mode makes a record with a wrong field count an error, never a skip.
        columns = "{" + ", ".join(f"{sql_str(c)}: 'VARCHAR'" for c in header) + "}"
        source = (f"read_csv({sql_str(str(path))}, auto_detect = false, header = true, "
                  f"columns = {columns}, delim = ',', quote = '\"', escape = '\"', "
                  f"comment = '', skip = 0, strict_mode = true, ignore_errors = false, "
                  f"null_padding = false, encoding = 'utf-8')")
        # The column names DuckDB read must be the ones Python read.
        got = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
        if got != header:
            raise DataError(f"{path}: DuckDB read header {got}, Python read {header}")
        cols = ", ".join(f"coalesce({qi(c)}, '') AS {qi(c)}" for c in wanted)
        selects.append(f"SELECT {cols}, {sql_str(path.name)} AS src_file FROM {source}")
    if not selects:  # no file at all: an empty table of the right shape
        cols = ", ".join(f"CAST(NULL AS VARCHAR) AS {qi(c)}" for c in wanted)
        selects.append(f"SELECT {cols}, CAST(NULL AS VARCHAR) AS src_file WHERE false")
    con.execute(f"CREATE TABLE raw_{table} AS " + "\nUNION ALL\n".join(selects))


def load(con: duckdb.DuckDBPyConnection, data_dir: Path) -> None:
    """Read and parse the data directory; raise DataError listing every bad row."""
    for table in ("orgs", "members", "activities"):
        path = data_dir / f"{table}.csv"
        if not path.is_file():
            raise DataError(f"{path}: missing")
        load_table(con, table, [path])
    event_files = sorted(data_dir.glob("events*.csv"))
    if not event_files:
        print(f"note: no events*.csv in {data_dir}", file=sys.stderr)
    load_table(con, "events", event_files)

    con.execute((SQL_DIR / "parse.sql").read_text(encoding="utf-8"))

    bad = con.execute("SELECT count(*) FROM violations").fetchone()[0]
    if bad:
        rows = con.execute("SELECT src_file, row_id, problem FROM violations "
                           "ORDER BY src_file, row_id, problem LIMIT 50").fetchall()
        lines = [f"{bad} row problem(s) in {data_dir}; the first {len(rows)}:"]
        lines += [f"  {f}: id {i!r}: {p}" for f, i, p in rows]
        raise DataError("\n".join(lines))

    # Rows that the project's readings make count for nothing: said, not skipped silently.
    for what, query in [
        ("dues rows without a period (ignored)",
         "SELECT count(*) FROM events WHERE kind = 'dues' AND period_month IS NULL"),
        ("evaluation rows whose period is not YYYY-12 (count in no year)",
         "SELECT count(*) FROM events WHERE kind = 'evaluation' "
         "AND (period_month IS NULL OR period_month % 12 <> 11)"),
    ]:
        n = con.execute(query).fetchone()[0]
        if n:
            print(f"note: {n} {what}", file=sys.stderr)


# ---- writing ------------------------------------------------------------------------

def fmt_scaled(value: int, scale: int) -> str:
    """Integer `value` * 10**-scale as the shortest exact decimal: 187.5, -5, 0, 0.165."""
    if not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r}")
    sign = "-" if value < 0 else ""  # 0 is never negative: no '-0'
    whole, frac = divmod(abs(value), 10 ** scale)
    if frac == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}." + str(frac).rjust(scale, "0").rstrip("0")


def write_export(path: Path, kind: str, rows: list[tuple]) -> None:
    columns = EXPORTS[kind]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow([name for name, _ in columns])
        for row in rows:
            if len(row) != len(columns):
                raise RuntimeError(f"{kind}: row has {len(row)} fields: {row!r}")
            w.writerow([v if scale is None else fmt_scaled(v, scale)
                        for v, (_, scale) in zip(row, columns)])


# ---- commands -----------------------------------------------------------------------

def compute(con: duckdb.DuckDBPyConnection, kind: str, year: int | None,
            month: int | None) -> list[tuple]:
    if kind == "index":
        con.execute(f"SET VARIABLE year = {int(year)}")
        rows = con.execute((SQL_DIR / "index.sql").read_text(encoding="utf-8")).fetchall()
        # Sorted by district_rank, which must be 1..n.
        rows.sort(key=lambda r: r[0])
        assert [r[0] for r in rows] == list(range(1, len(rows) + 1)), "district_rank not 1..n"
        return rows
    con.execute(f"SET VARIABLE month = {int(month)}")
    con.execute((SQL_DIR / "member_lights.sql").read_text(encoding="utf-8"))
    if kind == "member-lights":
        rows = con.execute("SELECT * FROM member_lights").fetchall()
    else:
        rows = con.execute((SQL_DIR / "branch_lights.sql").read_text(encoding="utf-8")).fetchall()
    # Sorted by the id (first column) in byte order.
    rows.sort(key=lambda r: r[0].encode("utf-8"))
    return rows


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data_dir", type=Path, help="directory with the §3 CSV files")
    ap.add_argument("export", choices=sorted(EXPORTS), help="which §9 export")
    ap.add_argument("--year", help="YYYY (index)")
    ap.add_argument("--month", help="YYYY-MM (member-lights, branch-lights)")
    ap.add_argument("--out", type=Path, required=True, help="output CSV file")
    ap.add_argument("--threads", type=int, default=2, help="DuckDB threads (default 2)")
    args = ap.parse_args(argv)
    if args.export == "index":
        if args.year is None or not re.fullmatch(r"[0-9]{4}", args.year):
            ap.error("index needs --year YYYY")
        args.year_n, args.month_n = int(args.year), None
    else:
        if args.month is None or not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", args.month):
            ap.error(f"{args.export} needs --month YYYY-MM")
        y, m = args.month.split("-")
        args.year_n, args.month_n = None, int(y) * 12 + int(m) - 1  # month index
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {max(1, args.threads)}")
    try:
        load(con, args.data_dir)
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except duckdb.Error as e:  # e.g. a CSV record with too few or too many fields
        print(f"error: cannot read {args.data_dir}: {e}", file=sys.stderr)
        return 2
    rows = compute(con, args.export, args.year_n, args.month_n)
    write_export(args.out, args.export, rows)
    print(f"{args.export}: {len(rows)} rows -> {args.out}", file=sys.stderr)
    return 0


def sql_str(s: str) -> str:
    """A SQL string literal."""
    return "'" + s.replace("'", "''") + "'"


def qi(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
