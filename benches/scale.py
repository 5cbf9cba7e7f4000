"""The scale-out benchmark of issue 14, the `scale` part of `benches/run`.

Two `gate serve` processes (no embedded browsers: `workers = 0`) on one PostgreSQL database, and
1, 2 or 4 `gate agent`s with the same number of workers each, half of them on each server. The
agents' browsers are local (each worker launches its Chromium) or behind `--backend cdp` (one
Chromium per agent, started here with `--remote-debugging-port=0`, `sessions=` the agent's
workers). Runs of a suite are submitted at once, alternately to the two servers, and the part
measures jobs finished per second of wall time until every run is final, as the commit status
endpoint of the *other* server tells it (so the status cache must be right across servers: a
stale "pending" would never end). Every run must have passed on both servers' views.

Two suites: light scenarios (one request each, like tests/scenarios/chaos/health.toml: the queue
path, lease → result → verdict, is what is measured) and page scenarios (a `goto` and an `expect`
on the shop's catalogue: the browsers' share).

Where the limit is: CPU time (utime + stime from /proc, children reaped inside each process
tree included) of each component over the measurement — the two servers, the PostgreSQL
processes of the cluster (this database's backends and the cluster's own processes), the
agents, the browsers (Chromium process trees), the demo shop, this driver — and of everything
else on the machine (from /proc/stat), each as a share of all the cores.

What it must not do: touch the repository (everything lives under the run's temporary
directory), leave processes behind (each measurement's processes are owned by a `Stack`, and
anything still running under the measurement's directory is killed when it closes), or leave
its databases (each measurement gets a fresh one, dropped after).
"""

import hashlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOKENS = {
    "admin": "bench-scale-admin-token-0123456789abcdef",
    "submit": "bench-scale-submit-token-0123456789abcdef",
    "agent": "bench-scale-agent-token-0123456789abcdef",
    "read": "bench-scale-read-token-0123456789abcdef",
}
# Workers per agent (each is one browser session at a time).
WORKERS = 2
AGENTS = (1, 2, 4)
BACKENDS = ("local", "cdp")
# Suites: (scenarios per run, runs) for a full pass and for --smoke.
SUITES = {
    "light": {"full": (8, 10), "smoke": (4, 3)},
    "pages": {"full": (4, 10), "smoke": (2, 2)},
}
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # The same omnibox popups turned off as in gate's own launches (runner/src/browser.rs):
    # local and remote browsers then do the same work per context.
    "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,"
    "AutofillServerCommunication,WebUIOmniboxPopup,WebUIOmniboxAimPopup",
]
FINAL = {"passed", "failed", "error", "cancelled"}
# How long anything may take to get ready, or a measurement to finish, before the part gives up.
DEADLINE = 60
RUN_DEADLINE = 600
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"bench: scale: {msg}", file=sys.stderr, flush=True)


def wait_until(what, check, limit=DEADLINE, every=0.02):
    """Polls `check` until it returns something true; that value. Running out of time is an error."""
    deadline = time.monotonic() + limit
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SystemExit(f"scale bench: {what} did not happen within {limit} s")
        time.sleep(every)


def psql(url, *args):
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qtAX", *args], text=True,
                          capture_output=True, check=True).stdout.strip()


def postgres_admin_url():
    url = os.environ.get("GATE_TEST_POSTGRES_URL")
    if url:
        return url
    return subprocess.run([str(REPO / "scripts" / "postgres")], capture_output=True, text=True, check=True).stdout.strip()


def suite(dir, kind, count):
    """`count` scenarios of `kind` in `dir` (the servers' scenario directory)."""
    dir.mkdir(parents=True, exist_ok=True)
    for k in range(count):
        if kind == "light":
            text = (f'name = "health-{k}"\n\n[[step]]\nrequest = {{ url = "/api/health" }}\n'
                    'expect = { status = 200, json = { "$.status" = "ok" } }\n')
        else:
            text = (f'name = "catalogue-{k}"\n\n[[step]]\ngoto = "/products"\n\n'
                    '[[step]]\nexpect = { selector = "h1", text = "Products" }\n')
        (dir / f"{kind}-{k}.toml").write_text(text)
    return dir


# ---------------------------------------------------------------- processes

def proc_table():
    """{pid: (ppid, own ticks, reaped children's ticks, process title)} of every process now."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                title = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        table[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]),
                             int(fields[13]) + int(fields[14]), title)
    return table


def descendants(table, roots):
    children = {}
    for pid, (ppid, *_rest) in table.items():
        children.setdefault(ppid, []).append(pid)
    out, stack = set(), list(roots)
    while stack:
        pid = stack.pop()
        if pid in table and pid not in out:
            out.add(pid)
            stack.extend(children.get(pid, []))
    return out


def busy_ticks():
    """All the machine's non-idle CPU ticks since boot (/proc/stat's first line)."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal (guest is inside user)
    return sum(values[:8]) - values[3] - values[4]


class CpuMeter:
    """CPU time of each component over a measurement.

    A process tree's time is the sum over its live processes of their own and their reaped
    children's ticks, at the start and at the end: exact for processes that start and end inside
    the tree (Chromium's renderers come and go with browser contexts). PostgreSQL's backends are
    reaped by the postmaster, which serves every database of the cluster, so they are followed
    one by one instead (sampled every 0.2 s; a backend that exits loses its last 0.2 s at most:
    the servers' pools keep theirs open)."""

    def __init__(self, components, postgres):
        # components: {name: callable(table) -> set of pids of the tree}; postgres: callable(table) -> pids
        self.components, self.postgres = components, postgres
        self.done = threading.Event()

    def _trees(self, table):
        return {name: sum(table[p][1] + table[p][2] for p in pids(table))
                for name, pids in self.components.items()}

    def start(self):
        table = proc_table()
        self.t0, self.busy0, self.cpu0 = time.perf_counter(), busy_ticks(), os.times()
        self.trees0 = self._trees(table)
        self.pg = {p: [table[p][1], table[p][1]] for p in self.postgres(table)}
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample_postgres(self, table):
        for p in self.postgres(table):
            own = table[p][1]
            # Born during the measurement: all of its time counts.
            self.pg.setdefault(p, [0, own])[1] = own

    def _sample(self):
        while not self.done.wait(0.2):
            self._sample_postgres(proc_table())

    def stop(self):
        self.done.set()
        self.thread.join()
        table = proc_table()
        self._sample_postgres(table)
        wall = time.perf_counter() - self.t0
        cpu1 = os.times()
        ticks = {name: value - self.trees0[name] for name, value in self._trees(table).items()}
        ticks["postgres"] = sum(last - first for first, last in self.pg.values())
        driver = (cpu1.user - self.cpu0.user) + (cpu1.system - self.cpu0.system)
        seconds = {name: t / CLK_TCK for name, t in ticks.items()}
        seconds["driver"] = driver
        seconds["other"] = max(0.0, (busy_ticks() - self.busy0) / CLK_TCK - sum(seconds.values()))
        cores = os.cpu_count()
        return {"wall": wall, "seconds": seconds,
                "share": {name: s / (wall * cores) for name, s in seconds.items()}}


class Stack:
    """The processes of one measurement, in a directory of their own: all ended at close, and
    anything else still running with that directory in its command line (browsers an agent
    launched under its TMPDIR) killed."""

    def __init__(self, gate, dir):
        self.gate, self.dir = gate, dir
        dir.mkdir(parents=True, exist_ok=True)
        self.procs = []
        self.logs = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        # Killed, not stopped: nothing here needs to survive the measurement (its database is
        # dropped), a stopping agent waits for its long poll for work to come back (up to 30 s)
        # and a stopping server for those polls to drain.
        for proc in self.procs:
            proc.kill()
            proc.wait()
        mine = str(self.dir)
        for pid, (_ppid, _own, _children, title) in proc_table().items():
            if mine in title and pid != os.getpid():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
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
                raise SystemExit(f"scale bench: {name} exited before it was ready; see {self.dir / name}.log")
        threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
        return proc, match

    def server(self, name, database_url, scenarios):
        config = self.dir / f"{name}.toml"
        text = (f'listen = "127.0.0.1:0"\ndatabase-url = "{database_url}"\nscenarios = ["{scenarios}"]\n'
                'workers = 0\n\n')
        for scope, token in TOKENS.items():
            digest = hashlib.sha256(token.encode()).hexdigest()
            text += f'[[tokens]]\nname = "{scope}"\nhash = "sha256:{digest}"\nscopes = ["{scope}"]\n\n'
        config.write_text(text)
        proc, m = self.spawn(name, [self.gate, "serve", "--config", config], r"gate server listening on (\S+)",
                             env={"GATE_LOG": "error"})
        return proc, Api(m.group(1))

    def chromium(self, name):
        """A Chromium with DevTools on a free port; its http:// endpoint."""
        profile = self.dir / name
        profile.mkdir()
        self.spawn(name, ["chromium", "--remote-debugging-port=0", f"--user-data-dir={profile}", *CHROMIUM_FLAGS])
        port_file = profile / "DevToolsActivePort"
        port = wait_until(f"{name}'s DevToolsActivePort",
                          lambda: port_file.exists() and port_file.read_text().split("\n", 1)[0].strip())
        return f"http://127.0.0.1:{port}"

    def agent(self, name, server, extra):
        tmp = self.dir / name
        tmp.mkdir(exist_ok=True)
        proc, _ = self.spawn(name, [self.gate, "agent", "--server", server.url, "--token", TOKENS["agent"],
                                    "--name", name, "--workers", WORKERS, *extra],
                             env={"GATE_LOG": "error", "TMPDIR": str(tmp)})
        return proc


class Api:
    """One server's JSON API on a kept-alive connection."""

    def __init__(self, url):
        self.url = url
        self.host = url.removeprefix("http://")
        self.conn = None

    def call(self, method, path, token, body=None):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, timeout=30)
            headers = {"Authorization": f"Bearer {TOKENS[token]}"}
            if body is not None:
                headers["Content-Type"] = "application/json"
            try:
                self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
                answer = self.conn.getresponse()
                text = answer.read().decode()
                break
            except (http.client.HTTPException, OSError):
                # The server closed a kept-alive connection: once more on a new one.
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        if answer.status >= 300:
            raise SystemExit(f"scale bench: {method} {self.url}{path}: {answer.status} {text}")
        return json.loads(text)


# ---------------------------------------------------------------- one measurement

def tree_of(proc):
    return lambda table: descendants(table, [proc.pid])


def measure(gate, shop, tmp, label, kind, scenarios, runs, agents, backend):
    """One measurement on fresh servers, agents and database: jobs/s and the CPU shares."""
    admin = postgres_admin_url()
    database = f"gate_scale_{uuid.uuid4().hex[:12]}"
    psql(admin, "-c", f"CREATE DATABASE {database}")
    database_url = urllib.parse.urlsplit(admin)._replace(path=f"/{database}").geturl()
    dir = tmp / label
    try:
        with Stack(gate, dir) as stack:
            suite_dir = suite(dir / "suite", kind, scenarios)
            servers = [stack.server(name, database_url, suite_dir) for name in ("server-a", "server-b")]
            agent_procs, browsers = [], []
            for i in range(agents):
                extra = []
                if backend == "cdp":
                    endpoint = stack.chromium(f"chromium-{i}")
                    extra = ["--backend", "cdp", "--cdp-endpoint", f"{endpoint},sessions={WORKERS}"]
                    browsers.append(stack.procs[-1])
                agent_procs.append(stack.agent(f"agent-{i}", servers[i % 2][1], extra))
            apis = [api for _, api in servers]
            ready = time.perf_counter()
            # A warm-up run (every worker's browser launched, the pools connected), not measured.
            warm = [apis[i % 2].call("POST", "/api/v1/runs", "submit",
                                     {"commit": uuid.uuid4().hex + uuid.uuid4().hex[:8], "base_url": shop.url})
                    for i in range(max(2, agents))]
            for i, run in enumerate(warm):
                wait_until("the warm-up run", lambda: apis[i % 2].call("GET", f"/api/v1/runs/{run['id']}", "read")["state"]
                           in FINAL, limit=RUN_DEADLINE, every=0.1)

            log(f"{label}: warm-up {time.perf_counter() - ready:.1f}s")

            def agent_pids(table):
                return {a.pid for a in agent_procs}

            def agent_browsers(table):
                return descendants(table, [a.pid for a in agent_procs]) - agent_pids(table)

            def cdp_browsers(table):
                return descendants(table, [b.pid for b in browsers])

            def postgres(table):
                return postgres_pids(table, database)

            meter = CpuMeter({"server-a": tree_of(servers[0][0]), "server-b": tree_of(servers[1][0]),
                              "agents": agent_pids,
                              "browsers": (lambda t: agent_browsers(t) | cdp_browsers(t)),
                              "shop": tree_of(shop.proc)}, postgres)
            commits = [uuid.uuid4().hex + uuid.uuid4().hex[:8] for _ in range(runs)]
            meter.start()
            submitted = []
            for i, commit in enumerate(commits):
                run = apis[i % 2].call("POST", "/api/v1/runs", "submit", {"commit": commit, "base_url": shop.url})
                submitted.append((i % 2, commit, run["id"]))
            # The verdict, from the other server than the one the run was submitted to, run by run
            # in submission order (runs finish roughly in that order).
            deadline = time.monotonic() + RUN_DEADLINE
            for side, commit, _id in submitted:
                while apis[1 - side].call("GET", f"/api/v1/commits/{commit}/status", "read")["state"] == "pending":
                    if time.monotonic() > deadline:
                        raise SystemExit(f"scale bench: {label}: runs not final after {RUN_DEADLINE} s")
                    time.sleep(0.02)
            cpu = meter.stop()
            # Every run passed, as both servers show it, and its jobs; who ran them.
            by_runner, failed = {}, []
            for side, commit, id in submitted:
                for api in apis:
                    status = api.call("GET", f"/api/v1/commits/{commit}/status", "read")
                    if status["state"] != "success":
                        failed.append(f"{commit} on {api.url}: {status['state']}, {status.get('description')}")
                run = apis[side].call("GET", f"/api/v1/runs/{id}", "read")
                if run["state"] != "passed" or len(run["jobs"]) != scenarios:
                    failed.append(f"run {id}: {run['state']}, {len(run['jobs'])} jobs")
                for job in run["jobs"]:
                    by_runner[job["runner"]] = by_runner.get(job["runner"], 0) + 1
            if failed:
                raise SystemExit(f"scale bench: {label}: runs did not pass: {'; '.join(failed[:5])} "
                                 f"(logs under {dir})")
            jobs = runs * scenarios
            log(f"{label}: {jobs} jobs in {cpu['wall']:.1f}s, {jobs / cpu['wall']:.1f} jobs/s; "
                + ", ".join(f"{k} {v * 100:.0f}%" for k, v in cpu["share"].items()))
            return {"jobs": jobs, "wall": cpu["wall"], "rate": jobs / cpu["wall"], "cpu": cpu, "runners": by_runner}
    finally:
        # Connections still open (a server that died) would keep DROP waiting: end them first.
        psql(admin, "-c", f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'",
             "-c", f"DROP DATABASE IF EXISTS {database}")


def postgres_pids(table, database):
    """The cluster's processes that work for `database`: its backends, and the cluster's own
    processes (writer, checkpointer, WAL writer, autovacuum launcher), which every database shares.
    Other databases' backends (the test suite uses the same cluster) are left out."""
    master = postmaster_pid()
    pids = set()
    for pid, (ppid, _own, _children, title) in table.items():
        if ppid != master:
            continue
        backend = re.match(r"postgres: (\S+) (\S+) \S+\(\d+\)", title)
        if backend and backend.group(2) != database:
            continue
        pids.add(pid)
    if master in table:
        pids.add(master)
    return pids


def postmaster_pid():
    data = os.environ.get("GATE_POSTGRES_DIR", "/var/tmp/gate-postgres")
    try:
        return int(Path(data, "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return -1


# ---------------------------------------------------------------- the part

def bench(gate, shop, tmp, smoke, runs):
    """The `scale` part: jobs/s at each agent count, each backend and each suite."""
    load = open("/proc/loadavg").read().split()[0]
    reps = 1 if smoke else runs
    agent_counts = (1,) if smoke else AGENTS
    backends = ("local",) if smoke else BACKENDS
    kinds = ("light",) if smoke else tuple(SUITES)
    rows = []
    for kind in kinds:
        scenarios, count = SUITES[kind]["smoke" if smoke else "full"]
        for backend in backends:
            for agents in agent_counts:
                samples = [measure(gate, shop, tmp / "scale", f"{kind}-{backend}-{agents}-{r}", kind, scenarios,
                                   count, agents, backend) for r in range(reps)]
                rows.append({"suite": kind, "backend": backend, "agents": agents, "scenarios": scenarios,
                             "runs": count, "samples": samples})
    return {"rows": rows, "load": load, "workers": WORKERS, "reps": reps}


COMPONENTS = ("server-a", "server-b", "postgres", "agents", "browsers", "shop", "driver", "other")
# What gate's own set-up costs per job, against a budget of all the cores.
OWN = ("server-a", "server-b", "postgres", "agents", "browsers", "shop")


def render(result, spread, fmt):
    """The part's section of RESULTS.md."""
    cores = os.cpu_count()
    out = ["", "### Scale-out: two servers on one PostgreSQL (issue 14)", "",
           f"Two `gate serve` (`workers = 0`) on one PostgreSQL database (fresh per measurement), 1, 2 or 4 "
           f"`gate agent --workers {result['workers']}` (half on each server), browsers local (one Chromium per "
           f"worker) or behind `--backend cdp` (one Chromium per agent, `sessions={result['workers']}`). Runs submitted "
           "at once, alternately to both servers; jobs/s = jobs / wall time until every run's commit status, read "
           "from the other server, is final; every run passed. CPU: each component's share of all "
           f"{cores} cores over the measurement (median); \"other\" is the rest of the machine (other work "
           f"shares it), \"idle\" what no one used. {result['reps']} runs per configuration, median (min–max). "
           f"Machine load (1-minute average) at the start of the part: {result['load']}.", "",
           "| suite | browsers | agents | jobs | jobs/s | wall | " + " | ".join(COMPONENTS) + " | idle |",
           "|---|---|---|---|---|---|" + "---|" * (len(COMPONENTS) + 1)]
    label = lambda r: (f"light ({r['scenarios']} request-only scenarios × {r['runs']} runs)" if r["suite"] == "light"
                       else f"pages ({r['scenarios']} goto + expect × {r['runs']} runs)")
    for r in result["rows"]:
        s = r["samples"]
        share = lambda c: spread([m["cpu"]["share"][c] * 100 for m in s])["median"]
        idle = spread([max(0.0, 100 - sum(m["cpu"]["share"].values()) * 100) for m in s])["median"]
        out.append(f"| {label(r)} | {r['backend']} | {r['agents']} | {s[0]['jobs']} | "
                   f"{fmt(spread([m['rate'] for m in s]), '', 1)} | {fmt(spread([m['wall'] for m in s]), ' s', 1)} | "
                   + " | ".join(f"{share(c):.0f}%" for c in COMPONENTS) + f" | {idle:.0f}% |")
    out += ["", "CPU time per job (ms, median over the runs), by component, and the jobs/s the machine's "
                f"{cores} cores would allow if only these components ran (no other work, no idle time):", "",
            "| suite | browsers | agents | " + " | ".join(OWN) + " | all of these | jobs/s bound |",
            "|---|---|---|" + "---|" * (len(OWN) + 2)]
    for r in result["rows"]:
        s = r["samples"]
        per_job = lambda c: spread([m["cpu"]["seconds"][c] * 1000 / m["jobs"] for m in s])["median"]
        total = spread([sum(m["cpu"]["seconds"][c] for c in OWN) * 1000 / m["jobs"] for m in s])["median"]
        out.append(f"| {r['suite']} | {r['backend']} | {r['agents']} | "
                   + " | ".join(f"{per_job(c):.0f}" for c in OWN) + f" | {total:.0f} | {cores * 1000 / total:.1f} |")
    out += ["", limit(result["rows"], cores), ""]
    return out


def limit(rows, cores):
    """The sentence naming the limit, from the figures: how idle the machine was, and which
    component's CPU per job dominates."""
    samples = [m for r in rows for m in r["samples"]]
    idle = max(max(0.0, 1 - sum(m["cpu"]["share"].values())) * 100 for m in samples)
    per_job = lambda m, cs: sum(m["cpu"]["seconds"][c] for c in cs) * 1000 / m["jobs"]
    top = max(OWN, key=lambda c: sum(per_job(m, [c]) for m in samples))
    part = [per_job(m, [top]) / per_job(m, OWN) * 100 for m in samples]
    gate = [per_job(m, ["server-a", "server-b", "postgres"]) for m in samples]
    where = (f"the CPU, and on it the {top}" if idle <= 10 else
             f"not the CPU alone (idle up to {idle:.0f}% of a measurement): look at the waits; the largest CPU user is the {top}")
    return (f"**Where the limit is:** {where}. The {cores} cores were idle at most {idle:.0f}% of the time in any "
            f"measurement; of the CPU time this set-up spent per job, the {top} took {min(part):.0f}–{max(part):.0f}%, "
            f"the two servers and PostgreSQL together {min(gate):.0f}–{max(gate):.0f} ms per job.")
