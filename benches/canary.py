"""The canary benchmarks of issue 11, the `canary` part of `benches/run`.

Three measurements, every process real and on loopback:

- **Rollback latency.** The demo shop's stable version (v1) behind a router (`gate proxy`, or
  HAProxy with the config `gate haproxy-config` writes), a `gate serve` whose `[[services]]`
  entry drives that router, and a canary of the shop at 50% brought up by the service's deploy
  hook. Visitors (sign up, add to the cart, order; sticky cookies kept) go through the router at
  a steady rate. Then `gate rollback --service shop` runs, the user's command path: the CLI, the
  server's API, the stored transition, the router's weight change. Measured: from the
  command's start to the sending of the last request the canary served (told by the shop's
  `X-Shop-Version`), i.e. the last moment the router still sent users to it; and to the end of
  that request's answer (the shop takes 150 ms to add to a cart, so a request in flight at the
  switch finishes up to that much later).
- **Detection time.** The service's default canary policy (5% of traffic, a look every 5 s,
  0.5 points allowed, 99% confidence) against a canary failing 5% of its requests, at 100
  requests/s through `gate proxy`: from the deployment's `→ canary` to its `→ rolled back`
  transition, as the server's log stores them.
- **Proxy overhead.** wrk (2 threads, 32 connections) against the same loopback backend (the
  axum peer) directly, through `gate proxy` and through HAProxy.

What it must not do: touch the repository (everything lives under the run's temporary
directory) or leave processes behind (each measurement's processes are owned by a `Stack` and
killed when it closes).
"""

import datetime
import hashlib
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOKEN = "bench-canary-admin-token-4f1c9a27"
PROXY_TOKEN = "bench-canary-proxy-token-8d2e"
# Deploys skip the gate verdict (`force`, an audited override): the verdict is not what is
# measured, and a run of the suite would need a browser.
COMMIT = "c0ffee" + "0" * 34
ROUTERS = ("proxy", "haproxy")
# The service's default policy (README, "Canary deploys"), spelled out.
DEFAULT_POLICY = '{ steps = [{ weight = 5, for = "10m" }, { weight = 100 }] }'
# A canary that holds until it is rolled back.
HOLD_POLICY = '{ steps = [{ weight = 50, for = "10m" }, { weight = 100 }], interval = "1s" }'
# Smoke: a canary failing a quarter of its requests, half the traffic, a 5-point margin.
SMOKE_POLICY = ('{ steps = [{ weight = 50, for = "30s" }, { weight = 100 }], interval = "250ms", '
                'min-requests = 20, max-error-increase = 5.0 }')
# Orders a visit places after its sign-up: a visit is 1 + 2 × ROUNDS requests, ROUNDS of them
# orders (the only requests the shop's --fail-rate fails).
ROUNDS = 5
# How long anything may take to get ready or to happen before the benchmark gives up.
DEADLINE = 120


def log(msg):
    print(f"bench: canary: {msg}", file=sys.stderr, flush=True)


def wait_until(what, check, limit=DEADLINE, every=0.02):
    """Polls `check` until it returns something true; that value. Running out of time is an error."""
    deadline = time.monotonic() + limit
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SystemExit(f"canary bench: {what} did not happen within {limit} s")
        time.sleep(every)


def free_port():
    """A loopback port nobody listens on now, for HAProxy (which cannot bind port 0 and say so)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- processes

class Stack:
    """The processes of one measurement, in a directory of their own; all killed at close."""

    def __init__(self, gate, dir):
        self.gate, self.dir = gate, dir
        dir.mkdir(parents=True, exist_ok=True)
        self.procs = []
        self.logs = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        # Versions the up hook started and no down hook stopped.
        for pid_file in self.dir.glob("*.pid"):
            try:
                os.kill(int(pid_file.read_text().strip()), 9)
            except (OSError, ValueError):
                pass
        for proc in reversed(self.procs):
            proc.kill()
            proc.wait()
        for f in self.logs:
            f.close()

    def spawn(self, name, cmd, ready=None, env=None):
        """Starts `cmd` (stderr to `name.log`); with `ready`, waits for the stdout line matching it
        and returns the match. Stdout keeps being drained so the process never blocks on it."""
        err = open(self.dir / f"{name}.log", "w")
        self.logs.append(err)
        proc = subprocess.Popen([str(c) for c in cmd], cwd=self.dir, stdout=subprocess.PIPE, stderr=err,
                                text=True, env={**os.environ, "NO_COLOR": "1", **(env or {})})
        self.procs.append(proc)
        match = None
        if ready:
            for line in proc.stdout:
                match = re.search(ready, line)
                if match:
                    break
            if not match:
                raise SystemExit(f"canary bench: {name} exited before it was ready; see {self.dir / name}.log")
        threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
        return match

    def shop(self, version):
        return self.spawn(f"shop-{version}", [self.gate, "demo-shop", "--port", "0", "--version", version],
                          r"listening on (\S+)").group(1)

    def router(self, kind, stable_url):
        """`kind` in front of `stable_url` as v1: (where users connect, the service's `router` line)."""
        if kind == "proxy":
            m = self.spawn("proxy", [self.gate, "proxy", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0",
                                     "--version", f"v1={stable_url}", "--state", self.dir / "proxy-state.json"],
                           r"gate proxy listening on (\S+) \(admin (\S+)\)", env={"GATE_PROXY_TOKEN": PROXY_TOKEN})
            return m.group(1), (f'router = {{ kind = "proxy", admin-url = "{m.group(2)}", '
                                'token-env = "GATE_PROXY_TOKEN" }')
        port = free_port()
        config = self.dir / "haproxy"
        out = subprocess.run([str(self.gate), "haproxy-config", "--service", "shop", "--listen", f"127.0.0.1:{port}",
                              "--stable", f"v1={stable_url}", "--dir", str(config)],
                             capture_output=True, text=True, check=True).stdout
        line = next(l for l in out.splitlines() if l.startswith("router = "))
        socket_path = Path(re.search(r'socket = "([^"]+)"', line).group(1))
        self.spawn("haproxy", ["haproxy", "-db", "-f", config / "haproxy.cfg"])

        def up():
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return socket_path.exists()
            except OSError:
                return False

        wait_until("HAProxy's start", up)
        return f"http://127.0.0.1:{port}", line

    def server(self, router_line, stable_url, policy, fail_rate=0.0):
        """`gate serve` with the shop as a service: its up hook starts a canary version of the demo
        shop failing `fail_rate` of its orders."""
        (self.dir / "up.sh").write_text(r'''set -e
"$GATE_BIN" demo-shop --port 0 --version "$1" --fail-rate "$FAIL_RATE" > "$1.out" 2>&1 &
echo $! > "$1.pid"
i=0
until grep -q "listening on" "$1.out"; do
  i=$((i+1)); [ $i -lt 600 ] || { echo "the shop did not start" >&2; exit 1; }
  sleep 0.05
done
sed -n 's/^demo shop listening on //p' "$1.out"
''')
        (self.dir / "down.sh").write_text('[ -f "$1.pid" ] && kill "$(cat "$1.pid")" && rm "$1.pid"\necho "stopped $1"\n')
        digest = hashlib.sha256(TOKEN.encode()).hexdigest()
        (self.dir / "gate.toml").write_text(f'''listen = "127.0.0.1:0"
database-url = "sqlite://{self.dir / 'gate.db'}"
scenarios = ["{REPO / 'scenarios' / 'examples'}"]
workers = 0

[[tokens]]
name = "bench"
hash = "sha256:{digest}"
scopes = ["admin"]

[[services]]
name = "shop"
{router_line}
stable = {{ version = "v1", url = "{stable_url}" }}
watchdog = "10s"
hooks = {{ up = "sh up.sh {{version}}", down = "sh down.sh {{version}}", timeout = "30s" }}
canary = {policy}
''')
        url = self.spawn("server", [self.gate, "serve", "--config", self.dir / "gate.toml"],
                         r"gate server listening on (\S+)",
                         env={"GATE_LOG": "error", "GATE_BIN": str(self.gate), "FAIL_RATE": str(fail_rate),
                              "GATE_PROXY_TOKEN": PROXY_TOKEN}).group(1)
        return Server(self.gate, url)


class Server:
    """The gate server's API and CLI, with the admin token."""

    def __init__(self, gate, url):
        self.gate, self.url = gate, url

    def call(self, method, path, body=None):
        host = self.url.removeprefix("http://")
        conn = http.client.HTTPConnection(host, timeout=30)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        answer = conn.getresponse()
        text = answer.read().decode()
        conn.close()
        if answer.status >= 300:
            raise SystemExit(f"canary bench: {method} {path}: {answer.status} {text}")
        return json.loads(text)

    def deploy(self, version):
        return self.call("POST", "/api/v1/deployments", {
            "service": "shop", "version": version, "commit": COMMIT, "force": True,
            "reason": "benchmark: the gate verdict is not what is measured"})["id"]

    def deployment(self, id):
        return self.call("GET", f"/api/v1/deployments/{id}")

    def wait_for(self, id, what, done, limit=DEADLINE):
        return wait_until(what, lambda: d if done(d := self.deployment(id)) else None, limit, every=0.05)

    def stopped(self, id, version):
        """Waits for the down hook to have stopped `version`."""
        self.wait_for(id, f"the down hook of {version}",
                      lambda d: any(f"stopped {version}" in l["text"] for l in d.get("log", [])))

    def rollback(self):
        """`gate rollback`, as a person types it: (seconds the command took, its output)."""
        start = time.perf_counter()
        out = subprocess.run([str(self.gate), "rollback", "--service", "shop", "--reason", "benchmark",
                              "--server", self.url, "--token", TOKEN], capture_output=True, text=True)
        took = time.perf_counter() - start
        if out.returncode != 0:
            raise SystemExit(f"canary bench: gate rollback failed: {out.stdout}{out.stderr}")
        return start, took, out.stdout


def log_ms(d, needle):
    """When the deployment's log first says `needle`, in ms since the epoch."""
    for line in d.get("log", []):
        if needle in line["text"]:
            return datetime.datetime.fromisoformat(line["at"].replace("Z", "+00:00")).timestamp() * 1000
    return None


# ---------------------------------------------------------------- the visitors

class Load:
    """Visitors through the router at `rate` requests/s in all, on `threads` threads: each visit
    is a new session (no cookies, a new connection) that signs up, then adds to the cart and
    orders ROUNDS times, keeping the cookies it is given (the router's sticky one too), like the
    demo's shoppers. Every answer is recorded: (start, end, version, status), perf_counter
    seconds."""

    def __init__(self, url, rate, threads, label):
        self.host = url.removeprefix("http://").rstrip("/")
        self.rate, self.label = rate, label
        self.records = []
        self.lock = threading.Lock()
        self.next_slot = 0
        self.start = time.perf_counter()
        self.stop_event = threading.Event()
        self.threads = [threading.Thread(target=self._visitor, args=(n,), daemon=True) for n in range(threads)]
        for t in self.threads:
            t.start()

    def _slot(self):
        """Waits for this thread's next turn: requests start at a steady rate whoever sends them."""
        with self.lock:
            at = self.start + self.next_slot / self.rate
            self.next_slot += 1
        delay = at - time.perf_counter()
        if delay > 0:
            self.stop_event.wait(delay)
        return not self.stop_event.is_set()

    def _visitor(self, n):
        visit = 0
        while not self.stop_event.is_set():
            visit += 1
            conn = http.client.HTTPConnection(self.host, timeout=10)
            cookies = {}
            signed_up, rounds, signups = False, 0, 0
            while rounds < ROUNDS and self._slot():
                if not signed_up:
                    signups += 1
                    body = {"email": f"{self.label}-{n}-{visit}-{signups}@example.com", "password": "Bench-Password-1"}
                    status = self._send(conn, cookies, "/api/accounts", body)
                    signed_up = status == 201
                    if status == 0:
                        conn = http.client.HTTPConnection(self.host, timeout=10)
                    continue
                status = self._send(conn, cookies, "/api/cart/items", {"product_id": 1 + rounds % 4, "quantity": 1})
                if status == 401:
                    # A version that does not know this session (after a rollback): sign up there.
                    signed_up = False
                    continue
                if status == 0:
                    conn = http.client.HTTPConnection(self.host, timeout=10)
                    continue
                if not self._slot():
                    break
                status = self._send(conn, cookies, "/api/orders", {
                    "name": "Ada Shopper", "address": "12 Analytical Row", "city": "Paris", "country": "FR",
                    "card": "4242424242424242"})
                if status == 401:
                    signed_up = False
                rounds += 1
            conn.close()

    def _send(self, conn, cookies, path, body):
        headers = {"Content-Type": "application/json"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        start = time.perf_counter()
        try:
            conn.request("POST", path, body=json.dumps(body), headers=headers)
            answer = conn.getresponse()
            answer.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            self.records.append((start, time.perf_counter(), None, 0))
            return 0
        end = time.perf_counter()
        for value in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                cookies[name] = morsel.value
        version = answer.headers.get("X-Shop-Version") or answer.headers.get("X-Gate-Version")
        self.records.append((start, end, version, answer.status))
        return answer.status

    def achieved(self):
        """Requests per second sent so far (a thread waits 150 ms for each cart add: the rate holds
        only with enough threads)."""
        records = self.snapshot()
        return len(records) / (max(r[1] for r in records) - self.start) if records else 0.0

    def snapshot(self):
        return list(self.records)

    def served(self, version):
        return sum(1 for r in self.snapshot() if r[2] == version)

    def stop(self):
        self.stop_event.set()
        for t in self.threads:
            t.join()


# ---------------------------------------------------------------- rollback latency

def bench_rollback(gate, tmp, kind, runs, rate):
    """`gate rollback` against a canary at 50%: per run, the command's start → the end of the
    canary's last answer, the command's own time, and answers from the canary that started
    after the command had returned (there must be none)."""
    with Stack(gate, tmp / f"rollback-{kind}") as stack:
        stable = stack.shop("v1")
        url, router_line = stack.router(kind, stable)
        server = stack.server(router_line, stable, HOLD_POLICY)
        load = Load(url, rate, 48, f"rollback-{kind}")
        samples = []
        try:
            for r in range(runs):
                version = f"v{r + 2}"
                id = server.deploy(version)
                server.wait_for(id, f"{version}'s canary", lambda d: d["phase"] == "canary")
                # Steady traffic on the canary first.
                seen = load.served(version)
                wait_until(f"traffic to {version}", lambda: load.served(version) >= seen + 50)
                start, took, out = server.rollback()
                returned = start + took
                # Traffic goes on: wait for 100 more answers sent after the command returned.
                wait_until("traffic after the rollback",
                           lambda: sum(1 for rec in load.snapshot() if rec[0] > returned) >= 100)
                records = load.snapshot()
                canary = [rec for rec in records if rec[2] == version]
                last = max(canary, key=lambda rec: rec[0])
                late = sum(1 for rec in canary if rec[0] > returned)
                call = re.search(r"the call took (\d+) ms", out)
                call_ms = float(call.group(1)) if call else float("nan")
                samples.append({"latency": (last[0] - start) * 1000, "answered": (max(rec[1] for rec in canary) - start) * 1000,
                                "command": took * 1000, "call": call_ms,
                                # The API call began about when the command ended less the call's time.
                                "from_call": (last[0] - returned) * 1000 + call_ms, "late": late})
                log(f"rollback {kind} run {r + 1}: the canary's last request was sent {samples[-1]['latency']:.0f} ms "
                    f"after the command started (answered by {samples[-1]['answered']:.0f} ms); the command took "
                    f"{took * 1000:.0f} ms, its API call {call_ms:.0f} ms; {late} canary answers to requests sent after it returned")
                server.stopped(id, version)
        finally:
            load.stop()
        errors = sum(1 for rec in load.snapshot() if rec[3] == 0 or rec[3] >= 500)
    return {"router": kind, "runs": runs, "rate": rate, "errors": errors, "requests": len(load.snapshot()),
            "achieved": load.achieved(),
            **{k: [s[k] for s in samples] for k in ("latency", "answered", "command", "call", "from_call", "late")}}


# ---------------------------------------------------------------- detection time

def bench_detection(gate, tmp, runs, smoke):
    """A canary failing 5% of its requests (11% of orders, 5 orders in 11 requests) under the
    default policy, 100 requests/s through `gate proxy`: the canary's start → the automatic
    rollback, from the deployment's stored transitions. Smoke: a quarter of its requests, half
    the traffic, a 5-point margin, 50 requests/s."""
    share = 0.25 if smoke else 0.05
    requests_per_visit = 1 + 2 * ROUNDS
    fail_rate = min(1.0, share * requests_per_visit / ROUNDS)
    rate = 50 if smoke else 100
    policy = SMOKE_POLICY if smoke else DEFAULT_POLICY
    with Stack(gate, tmp / "detection") as stack:
        stable = stack.shop("v1")
        url, router_line = stack.router("proxy", stable)
        server = stack.server(router_line, stable, policy, fail_rate)
        load = Load(url, rate, 32, "detection")
        samples = []
        try:
            for r in range(runs):
                version = f"v{r + 2}"
                id = server.deploy(version)
                d = server.wait_for(id, f"{version}'s decision", lambda d: d["phase"] not in ("pending", "canary"),
                                    limit=900)
                started, ended = log_ms(d, "→ canary"), log_ms(d, "→ rolled back")
                if d["phase"] != "rolled_back" or started is None or ended is None:
                    raise SystemExit(f"canary bench: the bad canary {version} ended {d['phase']}: {d.get('decision')}")
                canary = [rec for rec in load.snapshot() if rec[2] == version]
                failed = sum(1 for rec in canary if rec[3] >= 500)
                samples.append({"detect": (ended - started) / 1000, "requests": len(canary), "failed": failed,
                                "summary": (d.get("decision") or {}).get("summary", "")})
                log(f"detection run {r + 1}: rolled back {samples[-1]['detect']:.1f} s after the canary started "
                    f"({failed} of {len(canary)} canary answers failed): {samples[-1]['summary']}")
                server.stopped(id, version)
        finally:
            load.stop()
    requests = sum(s["requests"] for s in samples)
    middle = sorted(samples, key=lambda s: s["detect"])[len(samples) // 2]
    return {"runs": runs, "rate": rate, "share": share, "fail_rate": fail_rate, "policy": policy,
            "detect": [s["detect"] for s in samples],
            "observed": sum(s["failed"] for s in samples) / requests if requests else float("nan"),
            "canary_requests": requests, "median_summary": middle["summary"], "achieved": load.achieved()}


# ---------------------------------------------------------------- proxy overhead

def bench_overhead(gate, peer, tmp, runs, seconds, wrk):
    """wrk against the axum peer directly, through `gate proxy` and through HAProxy (each with the
    peer as its only version), in rotating order."""
    path = "/api/v1/commits/" + "0" * 40 + "/status"
    with Stack(gate, tmp / "overhead") as stack:
        backend = stack.spawn("peer", [peer], r"listening on (\S+)").group(1)
        urls = {"direct": backend}
        for kind in ROUTERS:
            urls[kind], _ = stack.router(kind, backend)
        sides = list(urls)
        results = {side: [] for side in sides}
        for r in range(runs):
            for side in sides[r % len(sides):] + sides[:r % len(sides)]:
                results[side].append(wrk(urls[side] + path, seconds))
        for side, rows in results.items():
            if any(row["errors"] for row in rows):
                raise SystemExit(f"canary bench: {side} answered errors under wrk: {rows}")
    return results


# ---------------------------------------------------------------- the part

def bench(gate, peer, tmp, smoke, runs, wrk):
    """The `canary` part: rollback latency on both routers, detection time, proxy overhead."""
    if not shutil.which("haproxy"):
        log("installing haproxy from Debian's packages")
        subprocess.run(["apt-get", "install", "-y", "-qq", "haproxy"], check=True, stdout=subprocess.DEVNULL)
    load = open("/proc/loadavg").read().split()[0]
    rollback_runs = 1 if smoke else max(runs, 5)
    rollback = [bench_rollback(gate, tmp, kind, rollback_runs, 100 if smoke else 200) for kind in ROUTERS]
    detection = bench_detection(gate, tmp, 1 if smoke else max(runs, 5), smoke)
    overhead = bench_overhead(gate, peer, tmp, runs, 1 if smoke else 10, wrk)
    return {"rollback": rollback, "detection": detection, "overhead": overhead, "load": load}


def render(result, spread, fmt):
    """The part's section of RESULTS.md."""
    out = ["### Canary deploys (issue 11)", "",
           "Rollback: `gate rollback --service shop` (CLI → `gate serve` → stored transition → router) against a "
           "canary at 50%, visitors at a steady rate; from the command's start to the sending of the last request "
           "the canary served, and to the end of its answer (a cart add takes the shop 150 ms); the last request to the "
           "canary relative to the start of the CLI's API call (estimated as the command's end less the call's time "
           "the CLI prints). Machine load (1-minute average) at the start of the part: " + result["load"] + ".", "",
           "| router | load | runs | command start → last request to the canary | → its answer | `gate rollback` wall | API call (CLI's figure) | API call start → last request to the canary | canary answers to requests sent after the command returned | failed answers / all |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in result["rollback"]:
        name = "`gate proxy`" if r["router"] == "proxy" else "HAProxy"
        out.append(f"| {name} | {r['achieved']:.0f} req/s | {r['runs']} | {fmt(spread(r['latency']), ' ms', 0)} | "
                   f"{fmt(spread(r['answered']), ' ms', 0)} | {fmt(spread(r['command']), ' ms', 0)} | "
                   f"{fmt(spread(r['call']), ' ms', 0)} | {fmt(spread(r['from_call']), ' ms', 0)} | {sum(r['late'])} | "
                   f"{r['errors']} / {r['requests']} |")
    d = result["detection"]
    out += ["", f"Detection: a canary failing {d['share'] * 100:.0f}% of its requests (observed {d['observed'] * 100:.1f}% "
                f"of {d['canary_requests']}; the shop fails {d['fail_rate'] * 100:.0f}% of orders, {ROUNDS} orders in "
                f"{1 + 2 * ROUNDS} requests a visit) at {d['achieved']:.0f} requests/s through `gate proxy`, policy "
                f"`{d['policy']}`: from `→ canary` to `→ rolled back` {fmt(spread(d['detect']), ' s', 1)} over {d['runs']} "
                f"runs. The median run's decision: {d['median_summary']}", "",
            "Proxy overhead: wrk, 2 threads, 32 connections, against the axum peer (one constant JSON route) on loopback.", "",
            "| path | requests/s | p50 | p99 | requests/s vs direct | p50 added |", "|---|---|---|---|---|---|"]
    o = result["overhead"]
    direct = o["direct"]
    for side, rows in o.items():
        name = {"direct": "direct", "proxy": "through `gate proxy`", "haproxy": "through HAProxy"}[side]
        ratio = spread([row["rps"] / base["rps"] for row, base in zip(rows, direct)])
        added = spread([row["p50"] - base["p50"] for row, base in zip(rows, direct)])
        pick = lambda k: spread([row[k] for row in rows])
        out.append(f"| {name} | {fmt(pick('rps'), '', 0)} | {fmt(pick('p50'), ' ms')} | {fmt(pick('p99'), ' ms')} | "
                   f"{fmt(ratio, '×')} | {fmt(added, ' ms')} |")
    return out + [""]
