"""The DORA benchmark (benches/README.md, "DORA metrics over a million events"): a generated
two-year history of about one million stored events in a real gate store, on SQLite and on
PostgreSQL, and the time the server takes to answer the reports over it.

An event is one row in a table the DORA report reads: `runs` and `jobs` (gate runs and their
scenario results: the gate figures), `deployments` (gate's own), `external_deployments` and
`incidents` (history recorded from outside gate). Each gate deployment also gets its log
(`deployment_log`: request, transitions, decision), which the report does not read and which
is not counted.

How the store is made, for each database: `gate serve` starts on an empty database (its
migrations make the schema) and stops; gate's own rows (runs, jobs, deployments and their logs)
go in with SQL, matching the migrations (Python's sqlite3; `psql` COPY for PostgreSQL); `gate
serve` starts again and the external deployments and incidents are recorded the way a team
would import them, through `POST /api/v1/history` in batches under the default 1 MiB body
limit. The same generated history (fixed seed) goes into both databases.

Timed, each against a `gate serve` started for it (the first request after the start is
reported apart from the others): `GET /api/v1/report` (the last full week),
`GET /api/v1/report?since=…&until=…` over the last 12 full weeks, `GET /api/v1/digests/preview`
(last week's report with the 12-week series, from the same read of the history that
`Service::weekly` makes for the dashboard), and `GET /dashboard` where the build has it.
"""

import bisect
import csv
import datetime
import hashlib
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOKEN = "bench-dora-token-0123456789abcdef"
SEED = 12
MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WEEK = 7 * DAY
SPAN_DAYS = 730
# Rows per million events, by table.
MIX = {
    "runs": 110_000,
    "jobs": 660_000,
    "deployments": 70_000,
    "external_deployments": 140_000,
    "incidents": 20_000,
}
SCENARIOS_PER_RUN = MIX["jobs"] // MIX["runs"]
GATE_SERVICES = ["shop", "checkout", "search", "accounts", "payments", "catalog", "cart", "orders",
                 "shipping", "reviews", "recommendations", "notifications"]
EXTERNAL_SERVICES = ["billing", "ledger", "warehouse", "crm", "mobile-api", "auth", "reports", "legacy-web"]
PEOPLE = ["alice", "bob", "chen", "dana", "emil", "farah"]
SCENARIOS = ["login", "logout", "signup", "checkout", "checkout-guest", "search", "search-filters",
             "cart-add", "cart-remove", "api-cart", "api-orders", "api-products", "profile", "password-reset",
             "wishlist", "reviews", "coupons", "shipping-options", "payment-card", "order-history"]
# The default canary policy as gate stores it (JSON of gate_deploy::CanaryPolicy).
POLICY = json.dumps({
    "steps": [{"weight": 5, "hold": {"secs": 600, "nanos": 0}}, {"weight": 100, "hold": None}],
    "max_increase": 0.005, "broken_increase": 0.015, "false_rollback_rate": 0.01,
    "missed_failure_rate": 0.05, "min_requests": 100, "interval": {"secs": 5, "nanos": 0},
    "latency": None, "synthetic_failures": 0, "inconclusive": {"wait": None, "then": "rollback"}},
    separators=(",", ":"))
# Requests to POST /api/v1/history stay well under gate's default body limit (1 MiB): about 700
# rows each. Batches near the limit (2,500 rows) took longer than the default 30 s request
# timeout on PostgreSQL on this machine (every row is a check and an insert in one transaction).
BATCH_BYTES = 250_000


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def rfc3339(ms):
    at = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ---------------------------------------------------------------- the history

class History:
    """The generated history: rows for gate's own tables (tuples in column order) and the
    external deployments and incidents as `POST /api/v1/history` takes them."""

    RUN_COLUMNS = ("id", "commit_sha", "branch", "pr", "committed_at", "base_url", "tags", "suite", "sources",
                   "generation", "state", "reason", "created_at", "started_at", "finished_at")
    JOB_COLUMNS = ("id", "run_id", "scenario", "path", "position", "state", "leases", "outcome", "result",
                   "created_at", "finished_at")
    DEPLOYMENT_COLUMNS = ("id", "service", "version", "commit_sha", "url", "from_version", "from_url", "from_commit",
                          "phase", "step", "machine", "policy", "actor", "reason", "forced", "created_at", "updated_at",
                          "finished_at", "revision", "exposed_at", "detected_at", "recovered_at", "ended_by", "hotfix",
                          "carries")
    LOG_COLUMNS = ("deployment", "seq", "at", "kind", "text", "data")

    def __init__(self, events, now_ms):
        self.rng = random.Random(SEED)
        self.now = now_ms
        self.start = now_ms - SPAN_DAYS * DAY
        scale = events / 1_000_000
        self.counts = {table: max(1, round(n * scale)) for table, n in MIX.items()}
        self.runs, self.jobs, self.deployments, self.log_lines = [], [], [], []
        self.external, self.incidents = [], []
        self.failed = []  # (deployment id, service, detected at) of failed changes, for incidents
        self._runs()
        self._deployments()
        self._external()
        self._incidents()

    def _uuid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _sha(self):
        return f"{self.rng.getrandbits(160):040x}"

    def _runs(self):
        rng = self.rng
        # The suite changes now and then: each version has its own scenarios, sources and hash.
        suites = []
        for k in range(8):
            names = rng.sample(SCENARIOS, SCENARIOS_PER_RUN)
            sources = [{"path": f"scenarios/{n}.toml",
                        "text": f'name = "{n}"\ntags = ["critical"]\n\n[[step]]\ngoto = "/{n}"\n\n'
                                f'[[step]]\nexpect = {{ test_id = "{n}-ready", visible = true }}\n' * 2}
                       for n in names]
            text = json.dumps(sources, separators=(",", ":"))
            suites.append((names, text, hashlib.sha256(f"{k}{text}".encode()).hexdigest()))
        # Some scenarios fail or flake more than others: the top lists have something to rank.
        weight = {n: 1 + 4 * (i % 5 == 0) + 2 * (i % 7 == 0) for i, n in enumerate(SCENARIOS)}
        n = self.counts["runs"]
        times = sorted(rng.randrange(self.start, self.now - HOUR) for _ in range(n))
        generation = {}
        recent_failed = []
        self.passed = []  # (finished at, commit) of passed runs, by finish
        for i, t in enumerate(times):
            if recent_failed and rng.random() < 0.04:
                sha, committed = recent_failed.pop(rng.randrange(len(recent_failed)))
            else:
                sha, committed = self._sha(), rfc3339(t - rng.randrange(2 * MINUTE, 2 * DAY))
            gen = generation.get(sha, -1) + 1
            generation[sha] = gen
            names, sources, suite = suites[min(7, (t - self.start) * 8 // (self.now - self.start))]
            r = rng.random()
            state = "passed" if r < 0.84 else "failed" if r < 0.95 else "error" if r < 0.97 else "cancelled"
            started = t + rng.randrange(200, 30_000)
            finished = started + rng.randrange(40_000, 8 * MINUTE)
            reason = {"error": "a runner lost the lease of `checkout` 3 times",
                      "cancelled": f"cancelled by {rng.choice(PEOPLE)}"}.get(state)
            main = rng.random() < 0.6
            run_id = self._uuid()
            self.runs.append((run_id, sha, "main" if main else f"feature-{rng.randrange(400)}",
                              None if main else rng.randrange(1, 5000), committed, "https://staging.example.com",
                              "[]", suite, sources, gen, state, reason, t,
                              None if state == "cancelled" and rng.random() < 0.5 else started, finished))
            outcomes = self._job_outcomes(state, names, weight)
            for pos, (name, outcome) in enumerate(zip(names, outcomes)):
                result = None if outcome is None else json.dumps({
                    "name": name, "outcome": outcome, "duration_ms": rng.randrange(800, 20_000),
                    "attempts": [{"outcome": outcome, "steps": [{"name": f"goto /{name}", "outcome": "passed",
                                                                 "duration_ms": rng.randrange(50, 900)},
                                                                {"name": f"expect {name}-ready",
                                                                 "outcome": "passed" if outcome == "passed" else "failed",
                                                                 "duration_ms": rng.randrange(5, 5000)}]}]},
                    separators=(",", ":"))
                self.jobs.append((self._uuid(), run_id, name, f"scenarios/{name}.toml", pos, "done", 1, outcome, result,
                                  t, None if outcome is None else finished))
            if state in ("failed", "error"):
                recent_failed.append((sha, committed))
                del recent_failed[:-50]
            elif state == "passed":
                self.passed.append((finished, sha))
        self.passed.sort()
        self.passed_at = [f for f, _ in self.passed]

    def _job_outcomes(self, state, names, weight):
        rng = self.rng
        out = ["flaky" if rng.random() < 0.03 else "passed" for _ in names]
        if state == "failed":
            for _ in range(rng.choice((1, 1, 1, 2))):
                out[rng.choices(range(len(names)), [weight[n] for n in names])[0]] = "failed"
        elif state == "error":
            out[rng.randrange(len(names))] = "error"
        elif state == "cancelled":
            cut = rng.randrange(len(names))
            out[cut:] = [None if rng.random() < 0.5 else "cancelled" for _ in out[cut:]]
        return out

    def _commit_before(self, t):
        """A commit whose run passed shortly before `t`, and a few earlier ones it may carry."""
        i = bisect.bisect_left(self.passed_at, t) - 1 - self.rng.randrange(0, 20)
        if i < 0:
            return self._sha(), []
        carries = [self.passed[j][1] for j in range(max(0, i - self.rng.choice((0, 0, 0, 1, 2, 4))), i)]
        return self.passed[i][1], carries

    def _spread(self, table, services):
        """The table's rows shared out among `services`: (index, service, sorted times)."""
        per_service, extra = divmod(self.counts[table], len(services))
        for k, service in enumerate(services):
            n = per_service + (k < extra)
            yield k, service, sorted(self.rng.randrange(self.start, self.now - HOUR) for _ in range(n))

    def _deployments(self):
        rng = self.rng
        for k, service, times in self._spread("deployments", GATE_SERVICES):
            version, serving, failed_at = 0, None, None
            for t in times:
                version += 1
                sha, carries = self._commit_before(t)
                r = rng.random()
                kind = ("promoted" if r < 0.885 else "auto" if r < 0.935 else "canary-by-hand" if r < 0.945
                        else "reverted" if r < 0.96 else "aborted" if r < 0.975 else "failed")
                exposed = None if kind == "failed" else t + rng.randrange(20_000, 2 * MINUTE)
                detected = recovered = None
                ended_by = "gate"
                if kind in ("promoted", "reverted"):
                    phase, finished = "promoted", exposed + 10 * MINUTE + rng.randrange(0, 30_000)
                    if kind == "reverted":
                        detected = finished + rng.randrange(10 * MINUTE, 2 * DAY)
                        recovered = detected + rng.randrange(5_000, 10 * MINUTE)
                        ended_by = rng.choice(PEOPLE)
                elif kind in ("auto", "canary-by-hand"):
                    phase = "rolled_back"
                    detected = exposed + rng.randrange(30_000, 8 * MINUTE)
                    recovered = detected + rng.randrange(200, 20_000)
                    finished = recovered
                    if kind == "canary-by-hand":
                        ended_by = rng.choice(PEOPLE)
                elif kind == "aborted":
                    phase, finished, ended_by = "aborted", exposed + rng.randrange(MINUTE, 5 * MINUTE), rng.choice(PEOPLE)
                else:
                    phase, finished = "failed", t + rng.randrange(30_000, 90_000)
                hotfix = (failed_at is not None and t - failed_at < DAY and rng.random() < 0.4) or rng.random() < 0.01
                dep_id = self._uuid()
                new = (f"v{version}", f"http://10.0.{k}.{version % 250}:8080", sha)
                weight = 100 if phase == "promoted" else 5 if exposed else 0
                machine = json.dumps({
                    "machine": {"phase": {"phase": phase}, "since": finished}, "baseline": None,
                    "synthetic": {"active": False, "run": None, "tally": {"passed": 0, "failed": 0}, "disabled": None},
                    "pending": [], "weight": weight,
                    "decision": None if exposed is None else {
                        "at": detected or finished,
                        "judgement": {"verdict": "rollback" if phase == "rolled_back" else "continue",
                                      "canary_error_rate": round(rng.random() * 0.02, 5),
                                      "stable_error_rate": round(rng.random() * 0.005, 5)},
                        "window": {"since": exposed, "canary_requests": rng.randrange(100, 5000),
                                   "stable_requests": rng.randrange(2000, 90000)}}},
                    separators=(",", ":"))
                actor = rng.choice(PEOPLE + ["ci", "ci", "ci"])
                self.deployments.append((
                    dep_id, service, new[0], sha, new[1],
                    serving[0] if serving else None, serving[1] if serving else None, serving[2] if serving else None,
                    phase, None if phase == "failed" else 1, machine, POLICY, actor, None, 0, t, recovered or finished,
                    finished, rng.randrange(4, 12), exposed, detected, recovered,
                    ended_by, int(hotfix), json.dumps(carries)))
                lines = [(t, "note", f"{actor} asked to deploy {new[0]} ({sha[:12]}) of {service}, replacing "
                                     f"{serving[0] if serving else 'v0'}", None)]
                if exposed:
                    lines.append((exposed, "transition", "pending → canary step 1 (5%)",
                                  '{"from":"pending","to":"canary","step":0,"weight":5}'))
                    lines.append((detected or finished, "decision",
                                  "roll back: canary errors above stable's" if phase == "rolled_back" else "step passed",
                                  None))
                lines.append((finished, "transition", f"→ {phase}", json.dumps({"to": phase})))
                for seq, (at, kind_, text, data) in enumerate(lines, 1):
                    self.log_lines.append((dep_id, seq, at, kind_, text, data))
                if phase == "promoted" and kind != "reverted":
                    serving = new
                failing = phase in ("rolled_back", "failed") or kind == "reverted"
                if failing and exposed:
                    self.failed.append((dep_id, service, detected or finished))
                    failed_at = detected or finished
                elif phase == "failed":
                    failed_at = finished

    def _external(self):
        rng = self.rng
        for _, service, times in self._spread("external_deployments", EXTERNAL_SERVICES):
            n = len(times)
            failed_at = None
            i = 0
            while i < n:
                finished = times[i]
                r = rng.random()
                outcome = ("success" if r < 0.90 else "rolled_back" if r < 0.94 else "auto_rolled_back" if r < 0.96
                           else "failed")
                d = {"id": f"ext-{service}-{i}", "service": service, "version": f"{2 + i // 1000}.{i % 1000}.0",
                     "commits": [{"sha": self._sha(),
                                  **({"committed_at": rfc3339(finished - rng.randrange(10 * MINUTE, 5 * DAY))}
                                     if rng.random() < 0.9 else {})}
                                 for _ in range(rng.choice((1, 1, 2, 3, 4)))],
                     "started_at": rfc3339(finished - rng.randrange(2 * MINUTE, 15 * MINUTE)),
                     "finished_at": rfc3339(finished), "outcome": outcome,
                     "hotfix": (failed_at is not None and finished - failed_at < DAY and rng.random() < 0.4)}
                if outcome != "success" and rng.random() < 0.85:
                    detected = finished + rng.randrange(MINUTE, 3 * HOUR)
                    d["detected_at"], d["recovered_at"] = rfc3339(detected), rfc3339(detected + rng.randrange(2 * MINUTE, 2 * HOUR))
                    self.failed.append((d["id"], service, detected))
                    failed_at = detected
                elif outcome != "success":
                    self.failed.append((d["id"], service, finished))
                    failed_at = finished
                self.external.append(d)
                i += 1
                if outcome == "rolled_back" and i < n:
                    # The redeploy of the version before: not a new change.
                    self.external.append({"id": f"ext-{service}-{i}", "service": service,
                                          "version": f"{2 + (i - 2) // 1000}.{(i - 2) % 1000}.0", "commits": [],
                                          "finished_at": rfc3339(max(times[i], finished + MINUTE)),
                                          "outcome": "success", "rollback": True})
                    i += 1

    def _incidents(self):
        rng = self.rng
        n = self.counts["incidents"]
        caused = rng.sample(self.failed, min(len(self.failed), n * 6 // 10))
        for i, (dep, service, at) in enumerate(caused):
            start = at + rng.randrange(0, 10 * MINUTE)
            self.incidents.append({"id": f"inc-{i}", "service": service, "title": f"{service}: error rate above 2%",
                                   "started_at": rfc3339(start), "caused_by": dep,
                                   **({"resolved_at": rfc3339(start + rng.randrange(10 * MINUTE, 6 * HOUR))}
                                      if rng.random() < 0.98 else {})})
        for i in range(len(caused), n):
            service = rng.choice(GATE_SERVICES + EXTERNAL_SERVICES)
            start = rng.randrange(self.start, self.now - HOUR)
            self.incidents.append({"id": f"inc-{i}", "service": service, "title": f"{service}: slow responses",
                                   "started_at": rfc3339(start),
                                   "resolved_at": rfc3339(start + rng.randrange(10 * MINUTE, 6 * HOUR))})

    def tables(self):
        """gate's own rows, in the order foreign keys need."""
        return [("runs", self.RUN_COLUMNS, self.runs), ("jobs", self.JOB_COLUMNS, self.jobs),
                ("deployments", self.DEPLOYMENT_COLUMNS, self.deployments),
                ("deployment_log", self.LOG_COLUMNS, self.log_lines)]

    def batches(self):
        """`POST /api/v1/history` bodies, each under BATCH_BYTES: the deployments first, so
        every incident's cause is stored before it."""
        batch, size = {"deployments": [], "incidents": []}, 0
        for key, rows in (("deployments", self.external), ("incidents", self.incidents)):
            for row in rows:
                text = json.dumps(row, separators=(",", ":"))
                if size + len(text) > BATCH_BYTES:
                    yield batch
                    batch, size = {"deployments": [], "incidents": []}, 0
                batch[key].append(row)
                size += len(text) + 1
        if batch["deployments"] or batch["incidents"]:
            yield batch


# ---------------------------------------------------------------- the stores

def fill_sqlite(path, history):
    import sqlite3
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous = OFF")
    with db:
        for table, columns, rows in history.tables():
            db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)
    db.close()


def psql(url, *args, stdin=None):
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qtAX", *args], input=stdin, text=True,
                          capture_output=True, check=True).stdout.strip()


def fill_postgres(url, history):
    for table, columns, rows in history.tables():
        copy = subprocess.Popen(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c",
                                 f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"],
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # csv writes None as an empty unquoted field: NULL to COPY … csv.
        csv.writer(copy.stdin, lineterminator="\n").writerows(rows)
        copy.stdin.close()
        if copy.wait() != 0:
            raise SystemExit(f"COPY {table}: {copy.stderr.read()[-800:]}")
    # What autovacuum would do soon after a bulk load: the planner's statistics.
    psql(url, "-c", "ANALYZE")


def postgres_admin_url():
    url = os.environ.get("GATE_TEST_POSTGRES_URL")
    if url:
        return url
    return subprocess.run([str(REPO / "scripts" / "postgres")], capture_output=True, text=True, check=True).stdout.strip()


class Server:
    """A `gate serve` on `database_url` (no workers: nothing runs scenarios), stopped with SIGTERM."""

    def __init__(self, gate, tmp, name, database_url):
        digest = hashlib.sha256(TOKEN.encode()).hexdigest()
        config = tmp / f"{name}.toml"
        config.write_text(f'''listen = "127.0.0.1:0"
database-url = "{database_url}"
scenarios = ["{REPO / 'scenarios' / 'examples'}"]
workers = 0
request-timeout = "120s"

[[tokens]]
name = "bench"
hash = "sha256:{digest}"
scopes = ["admin"]
''')
        env = dict(os.environ, GATE_LOG="error", NO_COLOR="1")
        self.log = tmp / f"{name}.log"
        with open(self.log, "a") as err:
            self.proc = subprocess.Popen([str(gate), "serve", "--config", str(config)], stdout=subprocess.PIPE,
                                         stderr=err, text=True, env=env)
        for line in self.proc.stdout:
            if "gate server listening on " in line:
                url = urllib.parse.urlsplit(line.split("gate server listening on ", 1)[1].strip())
                self.host, self.port = url.hostname, url.port
                break
        else:
            raise SystemExit(f"gate serve ({name}) did not start: {self.log.read_text()[-800:]}")
        # Keep reading its output, so the server never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()

    def request(self, method, path, body=None):
        """Sends one request on a new connection; returns seconds to the whole answer, the
        status and the body."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        if body is not None:
            body = json.dumps(body, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - start
        conn.close()
        return elapsed, response.status, data

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


# ---------------------------------------------------------------- the benchmark

def endpoints(now_ms):
    """What is timed: (name, path). The 12 full UTC weeks before the current one (the server's
    metrics time zone is UTC: no [digest] time-zone is set)."""
    today = datetime.datetime.fromtimestamp(now_ms / 1000, datetime.timezone.utc).date()
    monday = datetime.datetime.combine(today - datetime.timedelta(days=today.weekday()), datetime.time(),
                                       datetime.timezone.utc)
    since = (monday - datetime.timedelta(weeks=12)).strftime("%Y-%m-%dT%H:%M:%SZ")
    until = monday.strftime("%Y-%m-%dT%H:%M:%SZ")
    return [("report, last week", "/api/v1/report"),
            ("report, 12 weeks", f"/api/v1/report?since={since}&until={until}"),
            ("digest preview (week + 12-week series)", "/api/v1/digests/preview"),
            ("dashboard", "/dashboard")]


def counted(count_sql):
    return {table: int(count_sql(f"SELECT COUNT(*) FROM {table}"))
            for table in ("runs", "jobs", "deployments", "external_deployments", "incidents", "deployment_log")}


def one_database(gate, tmp, kind, history, reps):
    admin = None
    if kind == "sqlite":
        path = tmp / "dora.db"
        database_url = f"sqlite://{path}"
    else:
        admin = postgres_admin_url()
        database = f"gate_bench_dora_{os.getpid()}"
        psql(admin, "-c", f"DROP DATABASE IF EXISTS {database}", "-c", f"CREATE DATABASE {database}")
        database_url = urllib.parse.urlsplit(admin)._replace(path=f"/{database}").geturl()
    try:
        # The schema: gate's migrations, applied by `gate serve` at its start.
        Server(gate, tmp, f"{kind}-migrate", database_url).stop()
        start = time.perf_counter()
        if kind == "sqlite":
            fill_sqlite(path, history)
        else:
            fill_postgres(database_url, history)
        fill_sql = time.perf_counter() - start
        server = Server(gate, tmp, f"{kind}-import", database_url)
        try:
            start = time.perf_counter()
            requests, slowest = 0, 0.0
            for batch in history.batches():
                elapsed, status, body = server.request("POST", "/api/v1/history", batch)
                slowest = max(slowest, elapsed)
                if status != 201:
                    raise SystemExit(f"POST /api/v1/history ({kind}) answered {status}: {body[:800]!r}")
                requests += 1
            fill_http = time.perf_counter() - start
        finally:
            server.stop()
        if kind == "sqlite":
            import sqlite3
            db = sqlite3.connect(path)
            rows = counted(lambda q: db.execute(q).fetchone()[0])
            db.close()
            size = sum(f.stat().st_size for f in tmp.glob("dora.db*"))
        else:
            rows = counted(lambda q: psql(database_url, "-c", q))
            size = int(psql(database_url, "-c", "SELECT pg_database_size(current_database())"))
        imported = len(history.external) + len(history.incidents)
        log(f"dora {kind}: {sum(v for k, v in rows.items() if k != 'deployment_log')} events stored "
            f"(SQL {fill_sql:.1f}s; POST /api/v1/history {imported} rows in {requests} requests, {fill_http:.1f}s, "
            f"the slowest {slowest:.1f}s)")
        timings, answers = {}, {}
        for name, path_ in endpoints(history.now):
            # A server of its own for each endpoint: its first request is the cold one.
            server = Server(gate, tmp, f"{kind}-time", database_url)
            try:
                samples = []
                for _ in range(reps + 1):
                    elapsed, status, body = server.request("GET", path_)
                    if status == 404 and name == "dashboard":
                        break
                    if status != 200:
                        raise SystemExit(f"GET {path_} ({kind}) answered {status}: {body[:800]!r}")
                    samples.append(elapsed)
                answers[name] = body
            finally:
                server.stop()
            if not samples:
                log(f"dora {kind}: this build has no GET /dashboard; not timed")
                continue
            timings[name] = {"first": samples[0], "warm": samples[1:] or samples}
            log(f"dora {kind}: {name}: first {samples[0] * 1000:.0f} ms, median "
                f"{statistics.median(timings[name]['warm']) * 1000:.0f} ms")
        return {"rows": rows, "size_mb": size / 1e6, "fill_sql": fill_sql, "fill_http": fill_http,
                "http_rows": imported, "http_requests": requests, "http_slowest": slowest, "timings": timings,
                "report_12w": json.loads(answers["report, 12 weeks"])["report"]}
    finally:
        if admin:
            psql(admin, "-c", f"DROP DATABASE IF EXISTS {database}")


def bench(gate, tmp, smoke, runs):
    events = 10_000 if smoke else 1_000_000
    reps = 1 if smoke else max(runs, 3) * 3
    start = time.perf_counter()
    history = History(events, int(time.time() * 1000))
    log(f"dora: generated {sum(history.counts.values())} events in {time.perf_counter() - start:.1f}s")
    results = {kind: one_database(gate, tmp, kind, history, reps) for kind in ("sqlite", "postgres")}
    same = results["sqlite"]["report_12w"] == results["postgres"]["report_12w"]
    if not same:
        log("dora: the 12-week reports of SQLite and PostgreSQL differ (the same history is in both)")
    report = results["sqlite"]["report_12w"]
    return {"events": events, "reps": reps, "results": results, "same": same,
            "window": {"deploys": report["deploys"]["finished"], "runs": report["gate"]["runs"]}}


def render(dora):
    if not dora:
        return ""
    sq, pg = dora["results"]["sqlite"], dora["results"]["postgres"]
    ms = lambda v: f"{v * 1000:.0f} ms"
    spread = lambda vs: f"{ms(statistics.median(vs))} ({ms(min(vs))}–{ms(max(vs))})"
    rows = sq["rows"]
    events = sum(v for k, v in rows.items() if k != "deployment_log")
    out = ["", "### DORA metrics over stored events", "",
           f"{events} events ({', '.join(f'{v} {k}' for k, v in rows.items() if k != 'deployment_log')}; "
           f"{rows['deployment_log']} deployment log lines beside) over {SPAN_DAYS} days; the 12-week report "
           f"counts {dora['window']['deploys']} deploys and {dora['window']['runs']} runs. SQLite file "
           f"{sq['size_mb']:.0f} MB, PostgreSQL database {pg['size_mb']:.0f} MB. 12-week reports identical on "
           f"both: {'yes' if dora['same'] else '**no**'}. Warm: median (min–max) of {dora['reps']} requests, each "
           f"endpoint on a freshly started `gate serve`, whose first request is the cold one.", "",
           "| endpoint | SQLite first | SQLite warm | PostgreSQL first | PostgreSQL warm |", "|---|---|---|---|---|"]
    for name in sq["timings"]:
        s, p = sq["timings"][name], pg["timings"].get(name)
        out.append(f"| {name} | {ms(s['first'])} | {spread(s['warm'])} | "
                   f"{ms(p['first']) if p else '—'} | {spread(p['warm']) if p else '—'} |")
    if "dashboard" not in sq["timings"]:
        out.append("| dashboard | not in this build | | | |")
    out += ["", "Filling: " + "; ".join(
        f"{label} gate's rows by SQL {r['fill_sql']:.1f}s, {r['http_rows']} external rows through "
        f"`POST /api/v1/history` in {r['http_requests']} requests {r['fill_http']:.1f}s "
        f"({r['http_rows'] / max(r['fill_http'], 1e-9):.0f} rows/s, the slowest request {r['http_slowest']:.1f}s)"
        for label, r in (("SQLite:", sq), ("PostgreSQL:", pg))) + ".", ""]
    return "\n".join(out) + "\n"
