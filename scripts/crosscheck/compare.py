#!/usr/bin/env python3
"""Compare two §9 export files row by row, byte for byte.

Usage: compare.py A.csv B.csv

Rows are the LF-separated lines of each file (export files hold no quoted line breaks),
compared at the same position, bytes exactly (so a CR, a BOM, '12.50' vs '12.5' or a
different sort order all count as differences). Prints the first 20 differing rows side
by side, with the differing columns named, then the counts. Also says which keys (the
member_id column, else the first column) are only in one file, which helps when one
file has a row the other lacks and every row after it shifts.

Exit 0 when the files are identical, 1 on any difference, 2 when a file cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path

SHOW = 20


def rows_of(data: bytes) -> list[bytes]:
    """The LF-separated rows; a final LF ends the last row rather than adding one."""
    rows = data.split(b"\n")
    if rows and rows[-1] == b"":
        rows.pop()
    return rows


def show(b: bytes) -> str:
    """A row for display: UTF-8 where possible, CR and other oddities made visible."""
    return repr(b.decode("utf-8", errors="backslashreplace"))[1:-1]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        data_a, data_b = Path(argv[0]).read_bytes(), Path(argv[1]).read_bytes()
    except OSError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    name_a, name_b = argv
    a, b = rows_of(data_a), rows_of(data_b)

    problems: list[str] = []
    for name, data in ((name_a, data_a), (name_b, data_b)):
        if data and not data.endswith(b"\n"):
            problems.append(f"{name}: does not end with LF")

    header = a[0].split(b",") if a else []
    key_col = header.index(b"member_id") if b"member_id" in header else 0

    differing: list[int] = [i for i in range(min(len(a), len(b))) if a[i] != b[i]]
    extra = max(len(a), len(b)) - min(len(a), len(b))

    # First SHOW differing rows, side by side (rows present in only one file included).
    shown = 0
    positions = differing + list(range(min(len(a), len(b)), max(len(a), len(b))))
    for i in positions:
        if shown == SHOW:
            break
        shown += 1
        ra = a[i] if i < len(a) else None
        rb = b[i] if i < len(b) else None
        print(f"row {i} (line {i + 1}):")
        print(f"  A: {show(ra) if ra is not None else '<no row>'}")
        print(f"  B: {show(rb) if rb is not None else '<no row>'}")
        if ra is not None and rb is not None:
            fa, fb = ra.split(b","), rb.split(b",")
            cols = []
            for j in range(max(len(fa), len(fb))):
                va = fa[j] if j < len(fa) else b"<none>"
                vb = fb[j] if j < len(fb) else b"<none>"
                if va != vb:
                    name = header[j].decode("utf-8", "replace") if j < len(header) else f"#{j}"
                    cols.append(f"{name}: {show(va)} | {show(vb)}")
            print("     " + "; ".join(cols))

    # Keys present in only one file (data rows only).
    def keys(rows: list[bytes]) -> set[bytes]:
        out = set()
        for r in rows[1:]:
            f = r.split(b",")
            out.add(f[key_col] if key_col < len(f) else r)
        return out

    ka, kb = keys(a), keys(b)
    only_a, only_b = sorted(ka - kb), sorted(kb - ka)

    print(f"A: {name_a}: {len(a)} rows (with header)")
    print(f"B: {name_b}: {len(b)} rows (with header)")
    print(f"rows equal at the same position: {min(len(a), len(b)) - len(differing)}")
    print(f"rows differing at the same position: {len(differing)}")
    print(f"rows in one file only (length difference): {extra}")
    key_name = header[key_col].decode("utf-8", "replace") if header else "key"
    print(f"{key_name} only in A: {len(only_a)}"
          + (f" (e.g. {', '.join(show(k) for k in only_a[:5])})" if only_a else ""))
    print(f"{key_name} only in B: {len(only_b)}"
          + (f" (e.g. {', '.join(show(k) for k in only_b[:5])})" if only_b else ""))
    for p in problems:
        print(p)

    same = data_a == data_b
    print("IDENTICAL" if same else "DIFFERENT")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
