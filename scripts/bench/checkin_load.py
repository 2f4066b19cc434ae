#!/usr/bin/env python3
"""QR check-in load (docs/RULES.md §10): RATE check-ins a second for SECONDS seconds, each from a
distinct member, against a running server on 127.0.0.1 (nothing else is contacted).

    checkin_load.py URL ACCOUNTS.csv ADMIN_LOGIN ADMIN_PASSWORD ACTIVITY_ID TITLE RATE SECONDS

1. Logs every member account of ACCOUNTS.csv in (login,role,org_id,member_id,password).
2. The admin asks for a check-in code at once and every 30 s (as the secretary's page does).
3. Check-ins are sent on a fixed schedule (i / RATE seconds after the start), each by its own
   member, from a pool of worker threads; the answer's latency is measured from the send.
4. Every 10th check-in is followed, by threads of its own (a follower never delays a check-in):
   its member's own profile is read every 200 ms until it shows the activity (its trace), which
   gives the time from the answer to the wall.
Prints counts by status, latency p50/p95/p99/max, and the time to the wall (p50/p99/max).
Standard library only.
"""
import csv
import http.client
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

URL, ACCOUNTS, ADMIN, ADMIN_PW, ACTIVITY, TITLE, RATE, SECONDS = sys.argv[1:9]
RATE, SECONDS = int(RATE), int(SECONDS)
U = urlparse(URL)
ORIGIN = f"{U.scheme}://{U.netloc}"
local = threading.local()


def conn():
    c = getattr(local, "c", None)
    if c is None:
        c = local.c = http.client.HTTPConnection(U.hostname, U.port, timeout=30)
    return c


def request(method, path, body=None, cookie=None):
    headers = {"Host": U.netloc, "Accept": "application/json"}
    if method != "GET":
        # The server refuses a write carried by a cookie without a same-origin Origin (§10).
        headers["Origin"] = ORIGIN
    if body is not None:
        headers["Content-Type"] = "application/json"
    if cookie:
        headers["Cookie"] = cookie
    for attempt in range(2):
        try:
            c = conn()
            c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            r = c.getresponse()
            data = r.read()
            return r.status, r.getheader("Set-Cookie"), data
        except (http.client.HTTPException, OSError):
            local.c = None
            if attempt:
                raise


def log_in(login, password):
    status, set_cookie, data = request("POST", "/api/v1/session", {"login": login, "password": password})
    if status != 200:
        raise SystemExit(f"logging in {login} failed: {status} {data[:200]!r}")
    return set_cookie.split(";")[0]


members = [r for r in csv.DictReader(open(ACCOUNTS)) if r["role"] == "member"]
need = RATE * SECONDS
if len(members) < need:
    raise SystemExit(f"{need} distinct members needed, {len(members)} in {ACCOUNTS}")
members = members[:need]
t = time.time()
with ThreadPoolExecutor(4) as pool:
    cookies = list(pool.map(lambda m: log_in(m["login"], m["password"]), members))
print(f"logged {len(cookies)} members in ({time.time() - t:.0f} s)", flush=True)

admin = log_in(ADMIN, ADMIN_PW)
token = {"value": None}
stop = threading.Event()


def renew():
    while not stop.is_set():
        status, _, data = request("POST", f"/api/v1/activities/{ACTIVITY}/checkin-code", None, admin)
        if status != 200:
            token["error"] = f"check-in code: {status} {data[:200]!r}"
            return
        token["value"] = json.loads(data)["token"]
        stop.wait(30)


threading.Thread(target=renew, daemon=True).start()
while token["value"] is None:
    if "error" in token:
        raise SystemExit(token["error"])
    time.sleep(0.05)

results = [None] * need  # (status, latency s, answered at)
visible = {}  # i -> seconds from the answer to the member's profile showing it
follow_lock = threading.Lock()


def follow(i, answered):
    cookie = cookies[i]
    member = members[i]["member_id"]
    deadline = answered + 10
    while time.time() < deadline:
        status, _, data = request("GET", f"/api/v1/members/{member}", None, cookie)
        if status == 200 and TITLE in data.decode("utf-8", "replace"):
            with follow_lock:
                visible[i] = time.time() - answered
            return
        time.sleep(0.2)
    with follow_lock:
        visible[i] = float("inf")


# Followers have their own threads, so that waiting for a profile never delays a check-in.
followers = ThreadPoolExecutor(16)


def check_in(i, at):
    delay = at - time.time()
    if delay > 0:
        time.sleep(delay)
    sent = time.time()
    status, _, _ = request("POST", "/api/v1/checkin", {"token": token["value"]}, cookies[i])
    answered = time.time()
    results[i] = (status, answered - sent, answered, sent - at)
    if i % 10 == 0 and status == 201:
        followers.submit(follow, i, answered)


start = time.time() + 0.5
with ThreadPoolExecutor(48) as pool:
    for i in range(need):
        pool.submit(check_in, i, start + i / RATE)
followers.shutdown(wait=True)
stop.set()
elapsed = max(r[2] for r in results) - start

by_status = {}
for r in results:
    by_status[r[0]] = by_status.get(r[0], 0) + 1
lat = sorted(r[1] * 1000 for r in results)
late = sorted(r[3] * 1000 for r in results)


def pct(xs, p):
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


vis = sorted(visible.values())
print(f"check-ins: {need} from {need} distinct members at {RATE}/s over {elapsed:.1f} s; answers by status: {by_status}")
print(f"answer latency ms: p50 {pct(lat, 50):.1f}  p95 {pct(lat, 95):.1f}  p99 {pct(lat, 99):.1f}  max {lat[-1]:.1f}  (target p99 <= 100)")
print(f"send lag behind schedule ms: p99 {pct(late, 99):.1f}  max {late[-1]:.1f}")
print(
    f"answer -> on the member's profile (every 10th, {len(vis)} followed): p50 {pct(vis, 50):.2f} s  p99 {pct(vis, 99):.2f} s  max {vis[-1]:.2f} s  "
    f"within 2 s: {sum(v <= 2 for v in vis)}/{len(vis)}"
)
ok = by_status.get(201, 0) == need and pct(lat, 99) <= 100 and vis and vis[-1] <= 2
print("RESULT:", "met" if ok else "NOT met")
