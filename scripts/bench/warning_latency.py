#!/usr/bin/env python3
"""From an import that turns a warning on to the generic webhook receiver's request
(docs/RULES.md §11: target <= 5 s). Standard library only; loopback only.

    warning_latency.py URL BIN DB RECEIVER_PORT WORKDIR ORG_ID RUNS

A receiver on 127.0.0.1:RECEIVER_PORT records every request; it is up before the server
starts (the webhook was added before, so the first raise of the district is pushed to it too). Once the outbox
is idle, each run imports one new member of ORG_ID who joined years ago, owes dues and never
paid (§5: dues arrears >= 3, red), with `vanguard import`, and measures, from the moment the
import command starts:
  - until /api/v1/version shows a new data version (the hub's refresh: the baseline), and
  - until the receiver gets the generic message about that member.
Prints each run and the medians, and the ratio of the delivery time to the 5 s target.
"""
import http.client
import http.server
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import urlparse

URL, BIN, DB, PORT, WORK, ORG, RUNS = sys.argv[1:8]
PORT, RUNS = int(PORT), int(RUNS)
U = urlparse(URL)
seen = {}  # subject_id -> first arrival time
count = {"n": 0, "last": time.time()}
lock = threading.Lock()


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        now = time.time()
        try:
            v = json.loads(body)
        except ValueError:
            v = {}
        with lock:
            count["n"] += 1
            count["last"] = now
            sid = v.get("subject_id")
            if sid and sid not in seen:
                seen[sid] = now
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()


def version():
    try:
        c = http.client.HTTPConnection(U.hostname, U.port, timeout=10)
        c.request("GET", "/readyz")
        text = c.getresponse().read().decode()
    except OSError:
        return -1
    return int(text.split()[-1]) if text.startswith("ready") else -1


# The receiver is up before the server starts (the caller starts it after this script).
while version() < 1:
    time.sleep(0.5)
# The first raise of the district goes to the receiver too: wait until it has been quiet 5 s.
t = time.time()
while True:
    with lock:
        quiet = time.time() - count["last"]
    if quiet > 5 and time.time() - t > 10:
        break
    time.sleep(0.5)
print(f"first raise of the district delivered: {count['n']} messages in {time.time() - t - 5:.1f} s", flush=True)

delivered, published = [], []
for run in range(RUNS):
    member = f"BENCHW{int(time.time() * 1000)}{run}"
    d = os.path.join(WORK, f"warning-run-{run}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "members.csv"), "w") as f:
        f.write("member_id,org_id,name,gender,birth_date,joined_on,status,category,monthly_dues\n")
        f.write(f"{member},{ORG},压测党员{run},M,1980-01-01,2000-01-01,full,employed,50\n")
    v0 = version()
    t0 = time.time()
    subprocess.run([BIN, "import", "--db", DB, d], check=True, stdout=subprocess.DEVNULL)
    t_pub = None
    while time.time() - t0 < 60:
        if t_pub is None and version() > v0:
            t_pub = time.time() - t0
        with lock:
            got = seen.get(member)
        if got is not None:
            break
        time.sleep(0.02)
    else:
        raise SystemExit(f"run {run}: no message about {member} within 60 s")
    if t_pub is None:
        t_pub = got - t0
    delivered.append(got - t0)
    published.append(t_pub)
    print(f"run {run}: import -> new version {t_pub:.2f} s, import -> receiver {got - t0:.2f} s", flush=True)
    time.sleep(1)

d, p = statistics.median(delivered), statistics.median(published)
print(f"median: import -> new version {p:.2f} s (baseline), import -> receiver {d:.2f} s "
      f"(x{d / p:.2f} of the baseline; {d / 5:.2f} of the 5 s target)")
print("RESULT:", "met" if max(delivered) <= 5 else "NOT met")
