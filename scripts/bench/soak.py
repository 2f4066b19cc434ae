#!/usr/bin/env python3
"""Soak of a running server (issue 11): CLIENTS simulated walls and IMPORTS imports of EVENTS
new events each over MINUTES minutes, on loopback only. Standard library only.

    soak.py URL BIN DB SERVER_PID WORKDIR CSV_DIR CLIENTS IMPORTS EVENTS MINUTES WALLS
                                                                     (env: COOKIE)

The walls are WALLS, the compiled client `server/examples/soak_walls.rs`: each holds the event
stream the pages open (`GET /api/v1/events?events=version`) and fetches `GET /api/v1/snapshot`
once per `version` it is told of (on connect, then after every data change), as the browser's
feed does, with the session cookie in COOKIE, and times its own fetches. This script reads what they observe (a line each)
and runs everything else. (The walls were asyncio tasks of this script until it was seen that
one Python process playing 200 walls spends ≈ 0.9 ms of CPU per wall and version: the last
fetches of each burst waited up to 180 ms inside the client, and the p99 was the client's.)
The walls' CPU and this script's loop lag are printed, to tell when the client, not the
server, is the limit.

The imports are written first (WORKDIR/imports/NN/events.csv): §3-valid `attend` (an activity
of the member's organisation), `study` and `volunteer` events of existing members, dated in
the newest month with data, with event ids unique to this run. Once every wall has its first
snapshot, import k starts at k × MINUTES × 60 / IMPORTS s; for each, the time from the
`vanguard import` command's end to each wall's `version` event above the version before it.
The server's RSS (VmRSS of SERVER_PID) is read every 2 s; the warm-up value is read 5 s after
every wall has the first import's snapshot, the end value when MINUTES are over.

Errors: any answer other than 2xx, a stream refused, ended or silent for 45 s (the server
sends a keep-alive every 15 s), a snapshot not answered within 10 s, an import that fails,
a wall that never sees an import. Prints a line per import and a summary with PASS/FAIL:
0 errors, p99 snapshot <= 20 ms, RSS growth <= 10 %, every import on every wall <= 2 s.
"""
import asyncio
import csv
import json
import os
import random
import re
import resource
import socket
import sys
import time
from collections import Counter, defaultdict
from urllib.parse import urlparse

URL, BIN, DB, SERVER_PID, WORK, CSV_DIR = sys.argv[1:7]
CLIENTS, IMPORTS, EVENTS = (int(a) for a in sys.argv[7:10])
MINUTES = float(sys.argv[10])
WALLS = sys.argv[11]
COOKIE = os.environ["COOKIE"]
U = urlparse(URL)
HOST, PORT = U.hostname, U.port
assert HOST in ("127.0.0.1", "localhost", "::1"), "loopback only"

SNAPSHOT_TIMEOUT = 10.0  # s: a snapshot not answered by then is an error
SILENCE = 45.0  # s: a stream that says nothing for this long (3 keep-alives) is dropped
SEE_TIMEOUT = 60.0  # s after an import's end, at most: a wall that has not seen it by then missed it
RSS_EVERY = 2.0
TARGET_P99_MS, TARGET_RSS_PCT, TARGET_SEE_S = 20.0, 10.0, 2.0

# UNIX seconds: the walls' process stamps what it observes with the same clock.
mono = time.time
errors = Counter()
error_first = {}


def error(kind, detail=""):
    errors[kind] += 1
    if kind not in error_first:
        error_first[kind] = detail
        print(f"    error: {kind} {detail}".rstrip(), flush=True)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")


def cpu_s(pid):
    """User + system CPU seconds of process `pid` so far (None when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def rss_kb():
    try:
        with open(f"/proc/{SERVER_PID}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


# ---- the import files ---------------------------------------------------------------------


def write_imports(latest_month):
    """IMPORTS directories of EVENTS events each; returns their paths."""
    rng = random.Random(42)
    members = [(r["member_id"], r["org_id"]) for r in csv.DictReader(open(os.path.join(CSV_DIR, "members.csv"), encoding="utf-8-sig"))]
    acts_by_org = defaultdict(list)
    for r in csv.DictReader(open(os.path.join(CSV_DIR, "activities.csv"), encoding="utf-8-sig")):
        acts_by_org[r["org_id"]].append((r["held_at"], r["activity_id"]))
    # An activity of the member's organisation, the newest month's first, else its latest.
    act_of = {}
    for org, acts in acts_by_org.items():
        acts.sort()
        recent = [a for a in acts if a[0].startswith(latest_month)]
        act_of[org] = recent or acts[-3:]
    y, m = (int(x) for x in latest_month.split("-"))
    days = (31, 29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[m - 1]
    run = time.strftime("%Y%m%d%H%M%S")
    dirs = []
    for k in range(IMPORTS):
        d = os.path.join(WORK, "imports", f"{k:03d}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "events.csv"), "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["event_id", "member_id", "kind", "occurred_at", "activity_id", "quantity", "period", "source"])
            for j in range(EVENTS):
                mid, org = rng.choice(members)
                roll = rng.random()
                at = f"{latest_month}-{rng.randint(1, days):02d}T{rng.randint(8, 21):02d}:{rng.randint(0, 59):02d}:00"
                eid = f"SOAK{run}-{k:03d}-{j:06d}"
                acts = act_of.get(org)
                if roll < 0.4 and acts:
                    held_at, aid = rng.choice(acts)
                    w.writerow([eid, mid, "attend", held_at, aid, "", "", "fengling_ejia"])
                elif roll < 0.75:
                    w.writerow([eid, mid, "study", at, "", "", "", "fenglinghui"])
                else:
                    w.writerow([eid, mid, "volunteer", at, "", str(rng.randint(1, 4)), "", "yongzhiyuan"])
        dirs.append(d)
    return dirs


# ---- a small HTTP/1.1 client ----------------------------------------------------------------

REQ = "GET {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nAccept: {accept}\r\n\r\n"


def request_bytes(path, accept="application/json"):
    return REQ.format(path=path, host=U.netloc, cookie=COOKIE, accept=accept).encode()


VERSION_REQ = request_bytes("/api/v1/version")


def parse_head(head):
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip().lower()
    return status, headers


async def read_chunk(r):
    """One chunk of a chunked body (b"" at its end)."""
    line = await r.readuntil(b"\r\n")
    size = int(line.split(b";")[0], 16)
    if size == 0:
        await r.readuntil(b"\r\n")  # no trailers are sent
        return b""
    data = await r.readexactly(size)
    await r.readexactly(2)
    return data


class Conn:
    """One keep-alive connection for plain requests (reopened when the server closed it)."""

    def __init__(self):
        self.r = self.w = None

    def close(self):
        if self.w is not None:
            self.w.close()
        self.r = self.w = None

    async def get(self, req):
        for attempt in (0, 1):
            reused = self.w is not None
            if reused and self.r.at_eof():
                self.close()
                reused = False
            if self.w is None:
                self.r, self.w = await asyncio.open_connection(HOST, PORT, limit=1 << 20)
                self.w.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                self.w.write(req)
                head = await self.r.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                # A kept connection the server closed meanwhile: once more on a new one (as a
                # browser retries an idempotent request).
                self.close()
                if reused and attempt == 0:
                    continue
                raise
            status, h = parse_head(head)
            if "content-length" in h:
                body = await self.r.readexactly(int(h["content-length"]))
            elif "chunked" in h.get("transfer-encoding", ""):
                parts = []
                while part := await read_chunk(self.r):
                    parts.append(part)
                body = b"".join(parts)
            else:
                body = await self.r.read()
                self.close()
            if h.get("connection") == "close":
                self.close()
            return status, body
        raise ConnectionError("unreachable")


# ---- the walls ------------------------------------------------------------------------------


class Wall:
    def __init__(self, i):
        self.i = i
        self.seen = []  # (version, time the event arrived), in arrival order
        self.newest = 0  # newest version announced
        self.fetched = 0  # newest version whose snapshot was fetched (or failed)
        self.connected = False


latencies = []  # (time, seconds) of every snapshot fetched
sizes = []  # body bytes of every snapshot fetched
by_version = defaultdict(list)  # version announced -> latencies of its fetches, ms
stale = Counter()  # snapshots older than the version announced
stopping = False


async def read_walls(proc, walls):
    """What the walls' process observes (`server/examples/soak_walls.rs` lists its lines)."""
    while line := await proc.stdout.readline():
        p = line.decode("utf-8", "replace").rstrip("\n").split(" ")
        if p[0] == "v":
            w, v, t = walls[int(p[1])], int(p[2]), float(p[3])
            w.seen.append((v, t))
            w.newest = max(w.newest, v)
        elif p[0] == "s":
            w, t, ms, status, got, asked = walls[int(p[1])], float(p[2]), float(p[3]), int(p[4]), int(p[5]), int(p[6])
            if 200 <= status < 300:
                latencies.append((t, ms / 1000))
                sizes.append(int(p[7]))
                by_version[asked].append(ms)
                if got and got < asked:
                    stale[asked] += 1
            else:
                error(f"snapshot HTTP {status}", f"(wall {w.i})")
            w.fetched = max(w.fetched, asked)
        elif p[0] == "up":
            walls[int(p[1])].connected = True
        elif p[0] == "e" and not stopping:
            kind, _, detail = line.decode("utf-8", "replace").rstrip("\n")[2:].partition("\t")
            error(kind, detail)
    if not stopping:
        error("walls' process ended", f"(exit {await proc.wait()})")

def server_side(offset):
    """Snapshot answer times the server logged (its access log, to the response's headers) from
    byte `offset` of SERVER_LOG on: a cross-check of what the walls measured."""
    path = os.environ.get("SERVER_LOG")
    if not path or offset is None:
        return []
    ansi = re.compile(r"\x1b\[[0-9;]*m")
    pat = re.compile(r"path=/api/v1/snapshot\b.*?status=(\d+).*?ms=([0-9.]+)")
    out = []
    with open(path, "rb") as f:
        f.seek(offset)
        for line in f:
            m = pat.search(ansi.sub("", line.decode("utf-8", "replace")))
            if m and m.group(1).startswith("2"):
                out.append(float(m.group(2)))
    return out


async def metrics_line(conn):
    """A few gauges of /metrics (the cookie is an admin's), or None."""
    try:
        status, body = await asyncio.wait_for(conn.get(request_bytes("/metrics", "*/*")), SNAPSHOT_TIMEOUT)
    except (OSError, asyncio.IncompleteReadError, ValueError):
        return None
    if status != 200:
        return None
    got = {}
    for line in body.decode("utf-8", "replace").splitlines():
        for name in ("sse_clients", "connections", "busy_answers", "hub_refresh_seconds", "events", "data_version"):
            if line.startswith(f"vanguard_{name} ") or line.startswith(f"vanguard_{name}{{"):
                got[name] = line.rsplit(" ", 1)[-1]
    return ", ".join(f"{k} {v}" for k, v in got.items())


async def current_version(conn):
    status, body = await asyncio.wait_for(conn.get(VERSION_REQ), SNAPSHOT_TIMEOUT)
    if status != 200:
        raise SystemExit(f"/api/v1/version: HTTP {status} {body[:200]!r}")
    return json.loads(body)


# ---- the run --------------------------------------------------------------------------------

rss = []  # (monotonic time, kB)
lag = []  # event loop lag samples, s


async def sampler():
    while True:
        kb = rss_kb()
        if kb is not None:
            rss.append((mono(), kb))
        await asyncio.sleep(RSS_EVERY)


async def lag_probe():
    while True:
        t = mono()
        await asyncio.sleep(0.1)
        lag.append(mono() - t - 0.1)


def first_after(wall, v_before):
    for v, t in wall.seen:
        if v > v_before:
            return v, t
    return None


async def main():
    global stopping
    ctl = Conn()
    ver = await current_version(ctl)
    t = mono()
    dirs = write_imports(ver["latest_month"])
    print(f"wrote {IMPORTS} imports of {EVENTS} events (newest month {ver['latest_month']}) in {mono() - t:.1f} s", flush=True)

    asyncio.create_task(sampler())
    asyncio.create_task(lag_probe())
    walls = [Wall(i) for i in range(CLIENTS)]
    t = mono()
    # The walls come up over a second or so (5 ms apart), not in one instant.
    walls_proc = await asyncio.create_subprocess_exec(WALLS, URL, str(CLIENTS), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=1 << 20)
    reader = asyncio.create_task(read_walls(walls_proc, walls))
    while not all(w.fetched >= ver["version"] for w in walls):
        if mono() - t > 120:
            raise SystemExit(f"only {sum(w.fetched >= ver['version'] for w in walls)}/{CLIENTS} walls had a snapshot after 120 s")
        await asyncio.sleep(0.05)
    print(f"{CLIENTS} walls connected, each with its first snapshot (version {ver['version']}), in {mono() - t:.1f} s", flush=True)

    interval = MINUTES * 60 / IMPORTS
    log_offset = os.path.getsize(os.environ["SERVER_LOG"]) if os.environ.get("SERVER_LOG") else None
    t0 = mono()
    end = t0 + MINUTES * 60
    cpu0 = os.times()
    walls_cpu0 = cpu_s(walls_proc.pid)
    per_import = []  # (k, import s, rc, [seconds from the import's end to each wall's event])
    rss_warm = None
    log = open(os.path.join(WORK, "imports.log"), "w")
    t_prev = t0

    def snapshots_since(k, t_from):
        """The snapshot latencies since import k (1-based) started."""
        if k:
            xs = [dt * 1000 for (t, dt) in latencies if t >= t_from]
            print(f"             snapshots since import {k}: {len(xs)}, p50 {pct(xs, 50):.1f} ms, p99 {pct(xs, 99):.1f} ms, max {max(xs, default=0):.1f} ms", flush=True)

    for k, d in enumerate(dirs):
        start = t0 + k * interval
        if mono() < start:
            await asyncio.sleep(start - mono())
        if mono() > end + 60:
            error("import skipped", f"(imports {k + 1}..{IMPORTS}: the schedule overran by more than 60 s)")
            break
        snapshots_since(k, t_prev)
        t_prev = mono()
        v_before = (await current_version(ctl))["version"]
        if k == 0:
            v_first = v_before
        ts = mono()
        log.write(f"--- import {k}\n")
        log.flush()
        proc = await asyncio.create_subprocess_exec(BIN, "import", "--db", DB, d, stdout=log, stderr=asyncio.subprocess.STDOUT)
        rc = await proc.wait()
        te = mono()
        if rc != 0:
            error("import failed", f"(import {k}: exit {rc}, see {log.name})")
        # Wait until every wall has an event above v_before: until the next import is due,
        # at least 10 s and at most SEE_TIMEOUT.
        see_until = te + min(SEE_TIMEOUT, max(10.0, t0 + (k + 1) * interval - te))
        while mono() < see_until and not all(w.newest > v_before for w in walls):
            await asyncio.sleep(0.02)
        seen = [first_after(w, v_before) for w in walls]
        lat = [max(0.0, s[1] - te) if s else float("inf") for s in seen]
        early = sum(1 for s in seen if s and s[1] < te)
        missed = sum(1 for s in seen if not s)
        if missed:
            error("import not seen", f"(import {k}: {missed} walls saw no new version within {see_until - te:.0f} s)")
        v_new = max((s[0] for s in seen if s), default=v_before)
        per_import.append((k, te - ts, rc, lat))
        fin = [x for x in lat if x != float("inf")]
        print(
            f"import {k + 1:>3}/{IMPORTS}: {EVENTS} events in {te - ts:5.2f} s (exit {rc}); version {v_before} -> {v_new}; "
            f"seen by {len(fin)}/{CLIENTS} walls, p50 {pct(fin, 50):.2f} s, max {max(lat):.2f} s after the import's end; "
            f"server RSS {(rss_kb() or 0) / 1024:.0f} MB"
            + (f"; {early} walls had a new version BEFORE the import ended" if early else ""),
            flush=True,
        )
        if k == 0:
            # Warm-up ends when every wall has the first import's snapshot, and 5 s more.
            t = mono()
            while mono() - t < SNAPSHOT_TIMEOUT and not all(w.fetched >= v_new for w in walls):
                await asyncio.sleep(0.02)
            await asyncio.sleep(max(0.0, min(5.0, t0 + interval - mono() - 0.5)))
            rss_warm = rss_kb()
            t_warm = mono()
            print(f"warm-up over: server RSS {rss_warm / 1024:.0f} MB", flush=True)
    if mono() < end:
        await asyncio.sleep(end - mono())
    snapshots_since(len(per_import), t_prev)
    rss_end = rss_kb()
    cpu1 = os.times()
    walls_cpu1 = cpu_s(walls_proc.pid)
    soak_s = mono() - t0
    gauges = await metrics_line(ctl)
    v_last = (await current_version(ctl))["version"]
    stopping = True
    walls_proc.stdin.close()
    try:
        await asyncio.wait_for(walls_proc.wait(), 10)
    except asyncio.TimeoutError:
        walls_proc.kill()
    reader.cancel()
    await asyncio.gather(reader, return_exceptions=True)
    ctl.close()

    # ---- summary
    lat_ms = [dt * 1000 for (t, dt) in latencies if t >= t0]
    worst = [max(x[3]) for x in per_import]
    all_seen = [v for x in per_import for v in x[3]]
    n_err = sum(errors.values())
    client_cpu_s = cpu1.user + cpu1.system - cpu0.user - cpu0.system
    client_cpu = client_cpu_s / soak_s * 100
    walls_cpu_s = walls_cpu1 - walls_cpu0 if walls_cpu0 is not None and walls_cpu1 is not None else float("nan")
    lag_ms = [x * 1000 for x in lag]
    rss_after = [kb for (t, kb) in rss if rss_warm is not None and t >= t_warm]
    growth = (rss_end - rss_warm) / rss_warm * 100 if rss_warm and rss_end else float("nan")

    def verdict(ok):
        return "PASS" if ok else "FAIL"

    p99 = pct(lat_ms, 99)
    ok_err = n_err == 0
    ok_p99 = bool(lat_ms) and p99 <= TARGET_P99_MS
    ok_rss = growth == growth and growth <= TARGET_RSS_PCT
    ok_see = bool(worst) and max(worst) <= TARGET_SEE_S
    print()
    print(f"==> soak: {CLIENTS} walls, {IMPORTS} imports x {EVENTS} events over {soak_s / 60:.1f} min (one every {interval:.0f} s), loopback")
    print(f"    errors                 {n_err:>8}   {dict(errors) if errors else ''}  (target 0)  {verdict(ok_err)}")
    print(
        f"    snapshot latency       p50 {pct(lat_ms, 50):.1f} ms  p99 {p99:.1f} ms  max {max(lat_ms, default=float('nan')):.1f} ms"
        f"  ({len(lat_ms)} fetches after the walls connected; target p99 <= {TARGET_P99_MS:.0f} ms)  {verdict(ok_p99)}"
    )
    size = [b for (t, _), b in zip(latencies, sizes) if t >= t0]
    if size:
        print(f"    (snapshot body as sent: {sum(size) / len(size) / 1024:.1f} KiB on average, Accept-Encoding: {os.environ.get('ACCEPT_ENCODING', 'gzip') or 'none'})")
    worst_versions = sorted(((pct(xs, 99), v) for v, xs in by_version.items() if v > v_first), reverse=True)[:5]
    if worst_versions:
        print("    (the versions with the highest p99: " + ", ".join(f"{v}: {p:.1f} ms" for p, v in worst_versions) + ")")
    srv = server_side(log_offset)
    if srv:
        print(f"    (server's access log, to the headers: p50 {pct(srv, 50):.1f} ms  p99 {pct(srv, 99):.1f} ms  max {max(srv):.1f} ms, {len(srv)} answers)")
    if stale:
        print(f"    snapshots older than the version announced: {sum(stale.values())}")
    print(
        f"    server RSS             warm-up {rss_warm / 1024 if rss_warm else float('nan'):.0f} MB -> end {rss_end / 1024 if rss_end else float('nan'):.0f} MB"
        f"  ({growth:+.1f} %; max after warm-up {max(rss_after, default=0) / 1024:.0f} MB; target <= +{TARGET_RSS_PCT:.0f} %)  {verdict(ok_rss)}"
    )
    print(
        f"    import -> every wall   per import (max over walls): p50 {pct(worst, 50):.2f} s  max {max(worst, default=float('nan')):.2f} s;"
        f" all walls x imports: p50 {pct(all_seen, 50):.2f} s  (target <= {TARGET_SEE_S:.0f} s)  {verdict(ok_see)}"
    )
    print(f"    versions published     {v_last - v_first} for {len(per_import)} imports (each one a snapshot fetch by every wall)")
    print(f"    import command         p50 {pct([x[1] for x in per_import], 50):.2f} s  max {max(x[1] for x in per_import):.2f} s  (log: {log.name})")
    print(
        f"    client                 walls' process CPU {walls_cpu_s:.1f} s in all ({walls_cpu_s / max(1, v_last - v_first) * 1000:.0f} ms per version);"
        f" this script {client_cpu_s:.1f} s, loop lag p99 {pct(lag_ms, 99):.1f} ms max {max(lag_ms, default=0):.1f} ms"
    )
    if gauges:
        print(f"    server at the end      {gauges}")
    ok = ok_err and ok_p99 and ok_rss and ok_see
    print("RESULT:", "met" if ok else "NOT met", flush=True)


if __name__ == "__main__":
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4 * CLIENTS + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4 * CLIENTS + 64), hard))
    deadline = MINUTES * 60 + 480 + CLIENTS * 0.01
    try:
        asyncio.run(asyncio.wait_for(main(), deadline))
    except asyncio.TimeoutError:
        raise SystemExit(f"soak: not finished within {deadline:.0f} s")
