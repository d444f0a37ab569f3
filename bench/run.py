"""toolkit's benchmark: start-up, `check`/`verify` through injected latency, `apply` vs psql.

    make bench                       # = .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --runs 7 --rtt-ms 100

Starts its own local Supabase-shaped stack (toolkit.local) in a fresh state dir, puts a
latency proxy (bench/latency_proxy.py) in front of both its Postgres port and its API gateway
port, runs every command as a child process (as a user runs it) several times, and prints a
Markdown table of medians; the same table goes to bench/results/latest.md. Not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from latency_proxy import LatencyProxy  # noqa: E402

from toolkit.local import (  # noqa: E402
    LocalStack,
    create_database,
    drop_database,
    serve_api,
    start,
    throwaway_state_dir,
)

PY = sys.executable
TOOLKIT = [PY, "-m", "toolkit"] if os.environ.get("BENCH_MODULE") else [
    str(Path(PY).with_name("toolkit"))]
MIGRATION = sorted((ROOT / "supabase" / "migrations").glob("*.sql"))
PSQL = next((p for p in ("/usr/lib/postgresql/15/bin/psql", shutil.which("psql")) if p
             and Path(p).exists()), "psql")


@dataclass
class Sample:
    seconds: float
    maxrss_kb: int
    code: int
    cpu: float = 0.0  # the child's user + system seconds
    connections: int = 0
    round_trips: int = 0
    out: str = ""
    per_proxy: dict[str, tuple[int, int]] = field(default_factory=dict)  # conns, round trips


@dataclass
class Row:
    section: str
    name: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def spread(self) -> str:
        xs = [s.seconds for s in self.samples]
        return f"{min(xs) * 1000:.0f}-{max(xs) * 1000:.0f}"

    @property
    def cpu_ms(self) -> float:
        return statistics.median(s.cpu for s in self.samples) * 1000

    @property
    def rss_mb(self) -> float:
        return statistics.median(s.maxrss_kb for s in self.samples) / 1024

    @property
    def conns(self) -> str:
        if not any(s.connections for s in self.samples):
            return ""
        return f"{statistics.median(s.connections for s in self.samples):g}"

    @property
    def rtts(self) -> str:
        if not any(s.connections for s in self.samples):
            return ""
        return f"{statistics.median(s.round_trips for s in self.samples):g}"


def run_child(argv: Sequence[str], env: dict[str, str] | None = None,
              cwd: Path = ROOT) -> Sample:
    """Wall time and peak RSS (os.wait4's ru_maxrss, KiB on Linux) of one child process."""
    start_t = time.perf_counter()
    proc = subprocess.Popen(list(argv), env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start_t
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Sample(elapsed, usage.ru_maxrss, proc.returncode, usage.ru_utime + usage.ru_stime,
                  out=out.decode(errors="replace"))


def clean_env(**extra: str) -> dict[str, str]:
    # Without PYTHONDONTWRITEBYTECODE (CI sets it): users run from bytecode pip compiled, and a
    # run that recompiles every module measures the size of the code, not what users wait for.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SUPABASE_", "TOOLKIT_", "GITHUB_"))
           and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra)
    return env


def repeat(row: Row, runs: int, once: Callable[[], Sample], *, expect: int = 0) -> Row:
    for _ in range(runs):
        sample = once()
        if sample.code != expect:
            raise SystemExit(f"{row.name}: exit {sample.code}, expected {expect}:\n{sample.out}")
        row.samples.append(sample)
    return row


def through(proxies: Sequence[LatencyProxy], once: Callable[[], Sample]) -> Callable[[], Sample]:
    """Run `once` with the proxies' counters reset, and keep what they counted."""
    def run() -> Sample:
        for p in proxies:
            p.reset()
        sample = once()
        time.sleep(0.05)  # let the proxies see the last bytes and the close
        for p in proxies:
            st = p.snapshot()
            sample.per_proxy[p.name] = (st.count, st.round_trips)
        sample.connections = sum(c for c, _ in sample.per_proxy.values())
        sample.round_trips = sum(t for _, t in sample.per_proxy.values())
        return sample
    return run


# --- sections ------------------------------------------------------------------------------

def startup(runs: int) -> list[Row]:
    env = clean_env()
    bare = [PY, str(ROOT / "bench" / "bare_typer.py")]
    rows = []
    for name, argv in (
        ("`python -c pass`", [PY, "-c", "pass"]),
        ("bare typer app `--help`", [*bare, "--help"]),
        ("`toolkit --help`", [*TOOLKIT, "--help"]),
        ("bare typer app `--version`", [*bare, "--version"]),
        ("`toolkit --version`", [*TOOLKIT, "--version"]),
    ):
        run_child(argv, env)  # warm the page cache and the bytecode
        rows.append(repeat(Row("start-up", name), runs, functools.partial(run_child, argv, env)))
    return rows


def network(stack: LocalStack, runs: int, rtt_ms: float) -> tuple[list[Row], dict[str, Row]]:
    dbname = f"bench_{uuid.uuid4().hex[:8]}"
    db_url = create_database(stack, dbname)
    rows: list[Row] = []
    detail: dict[str, Row] = {}
    try:
        direct = clean_env(SUPABASE_DB_URL=db_url)
        done = run_child([*TOOLKIT, "apply", "--no-verify", "--format", "text"], direct)
        if done.code != 0:
            raise SystemExit(f"could not apply the migration for the benchmark:\n{done.out}")
        with serve_api(stack, dbname) as api:
            api_port = int(api.api_url.rsplit(":", 1)[1])
            delay = rtt_ms / 2000
            pg = LatencyProxy("127.0.0.1", stack.db_port, delay).start()
            gw = LatencyProxy("127.0.0.1", api_port, delay).start()
            pg.name, gw.name = "database", "REST"
            key = api.service_role_key
            try:
                envs = {
                    "loopback": clean_env(SUPABASE_DB_URL=db_url, SUPABASE_URL=api.api_url,
                                          SUPABASE_SERVICE_ROLE_KEY=key),
                    f"{rtt_ms:g} ms RTT": clean_env(
                        SUPABASE_DB_URL=db_url.replace(f":{stack.db_port}/", f":{pg.port}/"),
                        SUPABASE_URL=f"http://127.0.0.1:{gw.port}",
                        SUPABASE_SERVICE_ROLE_KEY=key),
                }
                for where, env in envs.items():
                    proxies = [pg, gw] if "RTT" in where else []
                    url = env["SUPABASE_URL"]
                    cmds: list[tuple[str, list[str], dict[str, str], list[LatencyProxy]]] = [
                        ("baseline: 12 sequential supabase-py probes",
                         [PY, str(ROOT / "bench" / "baseline_check.py"), url, key], env, [gw]),
                        ("`toolkit check` (database + REST)",
                         [*TOOLKIT, "check", "--format", "text"], env, [pg, gw]),
                        ("`toolkit check` (database + REST), TOOLKIT_HTTP2=1",
                         [*TOOLKIT, "check", "--format", "text"],
                         {**env, "TOOLKIT_HTTP2": "1"}, [pg, gw]),
                        ("`toolkit check` (database only)",
                         [*TOOLKIT, "check", "--format", "text"],
                         {k: v for k, v in env.items()
                          if k not in ("SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY")}, [pg]),
                        ("`toolkit verify` (REST + functional test)",
                         [*TOOLKIT, "verify", "--format", "text"], env, [pg, gw]),
                    ]
                    clients = ROOT / "bench" / "clients.py"
                    cmds += [
                        (f"REST client: {label}, import + 12 probes at once",
                         [PY, str(clients), which, url, key], env, [gw])
                        for which, label in (
                            ("supabase", "supabase `acreate_client(httpx_client=…).table()`"
                             " (toolkit's)"),
                            ("postgrest", "plain postgrest `AsyncPostgrestClient`"))
                    ]
                    for name, argv, cmd_env, counted in cmds:
                        run_child(argv, cmd_env)  # warm-up
                        def direct_run(a: list[str] = argv, e: dict[str, str] = cmd_env
                                       ) -> Sample:
                            return run_child(a, e)

                        once = through(counted, direct_run) if proxies else direct_run
                        row = repeat(Row(f"network, {where}", name), runs, once)
                        if name.startswith("REST client"):
                            row.note = client_note(row)
                        rows.append(row)
                        if proxies:
                            detail[name] = row
            finally:
                pg.stop()
                gw.stop()
    finally:
        drop_database(stack, dbname)
    return rows, detail


def client_note(row: Row) -> str:
    """The in-process split that bench/clients.py prints: import, then the probe round."""
    figures = [json.loads(s.out.strip().splitlines()[-1]) for s in row.samples]
    imp = statistics.median(f["import_ms"] for f in figures)
    probe = statistics.median(f["probe_ms"] for f in figures)
    return f"import {imp:.0f} ms, probe round {probe:.0f} ms"


def install_rows(runs: int) -> list[Row]:
    """The Action's install step, run for real from the lock (see bench/install_time.py)."""
    from install_time import measure

    cold = Row("install (the Action's step, fresh venv)",
               "cache miss: download the lock's wheels, install them")
    warm = Row("install (the Action's step, fresh venv)",
               "cache hit: install the cached wheels with --no-index")
    before = Row("install (the Action's step, fresh venv)",
                 "before the lock: `pip install` of the action folder, pip cache warm")
    for _ in range(max(1, runs // 3)):  # each miss downloads ~30 wheels
        samples = measure(PY, lambda argv, env, cwd: run_child(argv, env, cwd))
        for row, sample in zip((cold, warm, before), samples, strict=True):
            if sample.code != 0:
                raise SystemExit(f"{row.name}: failed:\n{sample.out}")
            row.samples.append(sample)
    return [cold, warm, before]


def apply_rows(stack: LocalStack, runs: int) -> list[Row]:
    toolkit_row = Row("apply, loopback, fresh database each run",
                      "`toolkit apply --no-verify` (whole command)")
    psql_row = Row("apply, loopback, fresh database each run", "`psql -1 -f` the same file")
    inproc: list[float] = []
    for i in range(runs + 1):  # the first is a warm-up
        for row in (toolkit_row, psql_row) if i % 2 else (psql_row, toolkit_row):
            name = f"bench_apply_{uuid.uuid4().hex[:8]}"
            url = create_database(stack, name)
            try:
                if row is toolkit_row:
                    sample = run_child([*TOOLKIT, "apply", "--no-verify", "--json"],
                                       clean_env(SUPABASE_DB_URL=url))
                    if sample.code == 0 and i:
                        timings = json.loads(sample.out)["timings_ms"]
                        inproc.append(sum(v for k, v in timings.items()
                                          if k.startswith("apply ")))
                else:
                    argv = [PSQL, "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1"]
                    for f in MIGRATION:
                        argv += ["-f", str(f)]
                    sample = run_child([*argv, url], clean_env())
            finally:
                drop_database(stack, name)
            if sample.code != 0:
                raise SystemExit(f"{row.name}: exit {sample.code}\n{sample.out}")
            if i:
                row.samples.append(sample)
    toolkit_row.note = (f"in-process, the file's transaction: median "
                        f"{statistics.median(inproc):.0f} ms")
    return [toolkit_row, psql_row]


def shadow_rows(stack: LocalStack, runs: int) -> list[Row]:
    """What the oracle costs: `check` (database only, loopback) with the replay cached (the
    usual run), with the replay cache emptied but the shadow server's template kept (the first
    check after a migration changes: start + replay), and the first-ever run on a machine
    (template built too). The embedded shadow, as users get it by default."""
    dbname = f"bench_{uuid.uuid4().hex[:8]}"
    db_url = create_database(stack, dbname)
    section = "shadow, `toolkit check` (database only), loopback"
    warm = Row(section, "replay cached (the usual run)")
    cold = Row(section, "cold replay: shadow started, the agent migration replayed (template kept)")
    first = Row(section, "first run on a machine: shadow template built, then as cold")
    cache = Path(os.environ.get("TMPDIR", "/tmp")) / f"toolkit-bench-cache-{uuid.uuid4().hex[:6]}"
    env = clean_env(SUPABASE_DB_URL=db_url, TOOLKIT_CACHE_DIR=str(cache))
    argv = [*TOOLKIT, "check", "--format", "text"]
    try:
        for _ in range(max(1, runs // 3)):
            shutil.rmtree(cache, ignore_errors=True)
            sample = run_child(argv, env)
            if sample.code != 1:  # the migration is pending on this database
                raise SystemExit(f"first run: exit {sample.code}\n{sample.out}")
            first.samples.append(sample)
        for i in range(runs + 1):
            for part in ("shadow", "analysis"):
                shutil.rmtree(cache / part, ignore_errors=True)
            sample = run_child(argv, env)
            if i:
                cold.samples.append(sample)
        repeat(warm, runs, functools.partial(run_child, argv, env), expect=1)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        drop_database(stack, dbname)
    return [warm, cold, first]


PULL_HAND_CHANGES = """
alter table public.agent_tasks add column effort integer not null default 3;
create index agent_tasks_effort_idx on public.agent_tasks (effort);
create table public.notes (id bigint generated always as identity primary key,
    body text not null, created_at timestamptz not null default now());
alter table public.notes enable row level security;
revoke delete on public.agent_logs from service_role;
comment on table public.agent_tools is 'the tools an agent may call';
"""


def _pull_keeps(entry: Path) -> bool:
    """What a cold run keeps: the installed engine and the shadow server's template."""
    return entry.name == "pg-delta" or (entry.name.startswith("shadow-")
                                        and "-prefix-" not in entry.name)


def _empty_cache(cache: Path, *, everything: bool) -> None:
    for entry in cache.iterdir() if cache.exists() else ():
        if everything or not _pull_keeps(entry):
            shutil.rmtree(entry, ignore_errors=True)


def pull_rows(stack: LocalStack, runs: int) -> list[Row]:
    """`toolkit pull` on the agent project: a database with the agent migration applied, then
    changed by hand, pulled into a migration (diff, proof, file, history row). Cold: the
    replay's caches and snapshots emptied (the shadow template and the installed engine kept);
    warm: the same files pulled again on a fresh database, caches kept; first run on a
    machine: everything emptied, pg-delta installed by npm too."""
    section = "pull, agent project, loopback (fresh hand-changed database each run)"
    rows = {"first": Row(section, "first run on a machine: shadow template built, pg-delta "
                         "installed (npm), then as cold"),
            "cold": Row(section, "cold: replay caches and snapshots emptied"),
            "warm": Row(section, "warm: the same files pulled again")}
    cache = Path(tempfile.mkdtemp(prefix="toolkit-bench-pull-"))
    phases: dict[str, list[dict[str, float]]] = {k: [] for k in rows}
    order = ["first"] + ["cold", "warm"] * runs
    try:
        for kind in order:
            if kind != "warm":
                _empty_cache(cache, everything=kind == "first")
            name = f"bench_pull_{uuid.uuid4().hex[:8]}"
            url = create_database(stack, name)
            folder = Path(tempfile.mkdtemp(prefix="toolkit-bench-mig-"))
            try:
                for f in sorted((ROOT / "supabase" / "migrations").glob("*.sql")):
                    shutil.copy(f, folder / f.name)
                env = clean_env(SUPABASE_DB_URL=url, TOOLKIT_CACHE_DIR=str(cache))
                applied = run_child([*TOOLKIT, "apply", "--no-verify", "--migrations-dir",
                                     str(folder)], env)
                if applied.code != 0:
                    raise SystemExit(f"apply: exit {applied.code}\n{applied.out}")
                import psycopg

                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(PULL_HAND_CHANGES)
                sample = run_child([*TOOLKIT, "pull", "--yes", "--json", "--migrations-dir",
                                    str(folder)], env)
                if sample.code != 0:
                    raise SystemExit(f"pull ({kind}): exit {sample.code}\n{sample.out}")
                doc = json.loads(sample.out[sample.out.index("{"):])
                if not doc["changed"]:
                    raise SystemExit(f"pull ({kind}) found nothing to pull:\n{sample.out}")
                rows[kind].samples.append(sample)
                phases[kind].append(doc["seconds"])
            finally:
                shutil.rmtree(folder, ignore_errors=True)
                drop_database(stack, name)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    for kind, row in rows.items():
        keys = phases[kind][0].keys() if phases[kind] else []
        row.note = "in-process: " + ", ".join(
            f"{k} {statistics.median(p[k] for p in phases[kind]) * 1000:.0f} ms" for k in keys)
    return [rows["warm"], rows["cold"], rows["first"]]


DIFF_CHANGE = """create table public.agent_notes (
  id bigint generated always as identity primary key,
  agent_id uuid not null references public.agents (id) on delete cascade,
  body text not null
);
create index agent_notes_agent_id_idx on public.agent_notes (agent_id);
alter table public.agent_notes enable row level security;
create policy "notes are readable" on public.agent_notes for select to authenticated
  using (true);
revoke all on table public.agent_notes from anon;
alter table public.agent_tasks add column reviewed_at timestamptz;
"""


def diff_rows(runs: int) -> list[Row]:
    """`toolkit diff` on the agent project (no database): supabase/schemas holding the agent
    migration itself (no schema changes), and that plus a new table and a new column (the
    statements printed, after the proof). Cold: replay caches and shadow snapshots emptied, the
    shadow template and the installed pg-delta kept; warm: the second run of the same files;
    first run: pg-delta installed by npm too."""
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"toolkit-bench-diff-{uuid.uuid4().hex[:6]}"
    cache = work / "cache"
    env = clean_env(TOOLKIT_CACHE_DIR=str(cache))
    section = "diff, the agent project, no database"
    projects: dict[str, Path] = {}
    for variant, extra in (("same", ""), ("changed", DIFF_CHANGE)):
        project = work / variant
        shutil.copytree(ROOT / "supabase" / "migrations", project / "supabase" / "migrations")
        schemas = project / "supabase" / "schemas"
        schemas.mkdir(parents=True)
        for f in MIGRATION:
            shutil.copy(f, schemas / f"10_{f.name}")
        if extra:
            (schemas / "20_notes.sql").write_text(extra)
        projects[variant] = project

    def emptied(*, engine: bool = False, replays: bool = True) -> None:
        parts = ["diff", *(["shadow-state", "analysis"] if replays else []),
                 *(["pg-delta"] if engine else [])]
        for part in parts:
            shutil.rmtree(cache / part, ignore_errors=True)
        for snapshot in cache.glob("*-prefix-*") if replays else ():
            shutil.rmtree(snapshot, ignore_errors=True)

    def timed(row: Row) -> None:
        seconds = json.loads(row.samples[-1].out)["seconds"]
        row.note = "last run: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in seconds.items())

    rows: list[Row] = []
    try:
        first = Row(section, "first run: pg-delta installed by npm, then as cold (changed)")
        for _ in range(max(1, runs // 3)):
            emptied(engine=True)
            sample = run_child([*TOOLKIT, "diff"], env, cwd=projects["changed"])
            if sample.code != 1:
                raise SystemExit(f"diff, first run: exit {sample.code}\n{sample.out}")
            first.samples.append(sample)
        for variant, code, words in (("same", 0, "no schema changes"),
                                     ("changed", 1, "a new table and a new column")):
            cold = Row(section, f"cold: {words}")
            kept = Row(section, f"shadow snapshots kept, outcome not cached: {words}")
            warm = Row(section, f"warm (the same files again): {words}")
            argv = [*TOOLKIT, "diff", "--json"]
            for row, replays in ((cold, True), (kept, False)):
                for _ in range(runs):
                    emptied(replays=replays)
                    sample = run_child(argv, env, cwd=projects[variant])
                    if sample.code != code:
                        raise SystemExit(f"diff: exit {sample.code}\n{sample.out}")
                    row.samples.append(sample)
            repeat(warm, runs, functools.partial(run_child, argv, env, projects[variant]),
                   expect=code)
            for row in (cold, kept, warm):
                timed(row)
            rows += [cold, kept, warm]
        rows.append(first)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


# --- report --------------------------------------------------------------------------------

def table(rows: list[Row], detail: dict[str, Row], runs: int, rtt_ms: float) -> str:
    lines = [
        f"Medians of {runs} runs (min-max in ms alongside: the machine is shared, see the noise)."
        f" {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs. Round trips are counted by the proxy as changes of direction "
        "client→server→client (TCP handshakes not included); CPU (user + system) and peak RSS "
        "are the child's own (os.wait4).",
        "",
        "| section | command | median | min-max ms | ratio | CPU | peak RSS | conns "
        "| round trips |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        ratio = ""
        if r.section == "start-up" and r.name.startswith("`toolkit"):
            flag = r.name.split()[-1].strip("`")
            bare = next(x for x in rows if x.name == f"bare typer app `{flag}`")
            ratio = f"{r.median / bare.median:.2f}x bare"
        elif r.name.startswith("`toolkit check`") or r.name.startswith("`toolkit verify`"):
            base = next(x for x in rows if x.section == r.section and x.name.startswith("baseline"))
            ratio = f"{r.median / base.median:.2f}x baseline"
        elif r.name.startswith("REST client: supabase"):
            other = next(x for x in rows if x.section == r.section
                         and x.name.startswith("REST client: plain postgrest"))
            ratio = f"{r.median / other.median:.2f}x postgrest"
        elif r.name.startswith("cache hit"):
            old = next(x for x in rows if x.name.startswith("before the lock"))
            ratio = f"{r.median / old.median:.2f}x before"
        elif r.section.startswith("pull") and not r.name.startswith("warm"):
            hot = next(x for x in rows if x.section == r.section and x.name.startswith("warm"))
            ratio = f"+{(r.median - hot.median) * 1000:.0f} ms"
        elif r.section.startswith("shadow") and not r.name.startswith("replay cached"):
            hot = next(x for x in rows if x.name.startswith("replay cached"))
            ratio = f"+{(r.median - hot.median) * 1000:.0f} ms"
        elif r.name.startswith("`toolkit apply"):
            ps = next(x for x in rows if x.name.startswith("`psql"))
            ratio = f"{r.median / ps.median:.2f}x psql"
        name = r.name + (f" — {r.note}" if r.note else "")
        lines.append(f"| {r.section} | {name} | {r.median * 1000:.0f} ms | {r.spread} | {ratio} "
                     f"| {r.cpu_ms:.0f} ms | {r.rss_mb:.0f} MB | {r.conns} | {r.rtts} |")
    if detail:
        lines += ["", f"Round trips per connection at {rtt_ms:g} ms RTT (medians):", "",
                  "| command | side | connections | round trips | per connection |",
                  "|---|---|--:|--:|--:|"]
        for name, r in detail.items():
            for side in r.samples[0].per_proxy:
                c = statistics.median(s.per_proxy[side][0] for s in r.samples)
                t = statistics.median(s.per_proxy[side][1] for s in r.samples)
                lines.append(f"| {name} | {side} | {c:g} | {t:g} | {t / c if c else 0:.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per command (median of)")
    parser.add_argument("--rtt-ms", type=float, default=100.0, help="injected round trip")
    parser.add_argument("--only", choices=["startup", "network", "apply", "shadow", "pull",
                                           "diff", "install"], action="append")
    parser.add_argument("--state-dir", type=Path, help="reuse this local stack (left running)")
    args = parser.parse_args()
    only = set(args.only or ["startup", "network", "apply", "shadow", "pull", "diff",
                             "install"])

    rows: list[Row] = []
    detail: dict[str, Row] = {}
    if "startup" in only:
        rows += startup(args.runs)
    if only & {"network", "apply", "shadow", "pull"}:
        # A stack of its own, stopped and removed afterwards, unless --state-dir names one.
        with (contextlib.nullcontext(args.state_dir) if args.state_dir
              else throwaway_state_dir("toolkit-bench-")) as state_dir:
            stack = start(state_dir)
            if "network" in only:
                net, detail = network(stack, args.runs, args.rtt_ms)
                rows += net
            if "apply" in only:
                rows += apply_rows(stack, args.runs)
            if "shadow" in only:
                rows += shadow_rows(stack, args.runs)
            if "pull" in only:
                rows += pull_rows(stack, args.runs)
    if "diff" in only:
        rows += diff_rows(args.runs)
    if "install" in only:
        rows += install_rows(args.runs)
    md = table(rows, detail, args.runs, args.rtt_ms)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
