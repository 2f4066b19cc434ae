"""Times report PDFs on a warm server (scripts/bench-reports.sh): one member's PDF and the PDF
of the members of the largest branch, each beside the HTML page of the same report.

    python3 report_pdfs.py URL COOKIE MONTH RUNS OUTDIR
"""
import json
import statistics
import sys
import time
import urllib.request

url, cookie, month, runs, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]


def get(path):
    req = urllib.request.Request(url + path, headers={"Cookie": cookie})
    t = time.monotonic()
    with urllib.request.urlopen(req, timeout=120) as r:
        body = r.read()
        kind = r.headers.get("Content-Type", "")
    return time.monotonic() - t, body, kind


def timed(path, n):
    times = []
    for _ in range(n):
        dt, body, kind = get(path)
        times.append(dt)
    return statistics.median(times), max(times), body, kind


_, listing, _ = get(f"/api/v1/reports?month={month}&kind=branch&limit=1000")
branches = json.loads(listing)["rows"]
if not branches:
    sys.exit(f"no branch reports of {month}")
# The largest branch: the one with the most member reports.
sizes = []
for b in branches[:200]:
    _, rows, _ = get(f"/api/v1/reports?org={b['org_id']}&month={month}&kind=member&limit=1")
    sizes.append((json.loads(rows)["total"], b["org_id"]))
members, org = max(sizes)
_, rows, _ = get(f"/api/v1/reports?org={org}&month={month}&kind=member&limit=1")
member = json.loads(rows)["rows"][0]

get(member["url"])  # warm: the first request of a page reads the store
html_med, _, _, _ = timed(member["url"], runs)
pdf_med, pdf_max, pdf, kind = timed(member["pdf"], runs)
assert kind.startswith("application/pdf") and pdf.startswith(b"%PDF"), kind
open(f"{out}/member.pdf", "wb").write(pdf)
book_html_med, _, _, _ = timed(f"/reports/branch/{org}/{month}/members", runs)
book_med, book_max, book, _ = timed(f"/reports/branch/{org}/{month}/members.pdf", runs)
open(f"{out}/members.pdf", "wb").write(book)

print(f"==> report PDFs on a warm server, {runs} runs each (median / max):")
print(f"    member {member['subject_id']}: page {html_med * 1000:.0f} ms; PDF {pdf_med:.2f} s / {pdf_max:.2f} s "
      f"({len(pdf) // 1024} KB; {pdf_med / max(html_med, 1e-6):.0f}x the page; target <= 2 s: {'met' if pdf_max <= 2 else 'NOT met'})")
print(f"    branch {org}, {members} members in one PDF: page {book_html_med * 1000:.0f} ms; PDF {book_med:.2f} s / {book_max:.2f} s "
      f"({len(book) // 1024} KB; target <= 10 s: {'met' if book_max <= 10 else 'NOT met'})")
