"""toolkit at the size real histories reach, beside its peers (benchmark only, not a test).

    make bench-scale                 # = .venv/bin/python bench/scale.py
    .venv/bin/python bench/scale.py --sizes 1,10,100 --runs 3 --once 300 --rtt-ms 100

Generated histories of N files (three tables a file, each with foreign keys, indexes, a CHECK,
RLS and a policy; from the second file on, each file also alters a table of the one before),
applied to a fresh database (cloned from the local stack's template) through the benchmark's
latency proxy by: `toolkit apply --no-verify` (this checkout, and another checkout's code as
"before" with --before PATH), `supabase db push --remote=<url>` (the Supabase CLI from
tools/supabase-cli) and a psql loop (`psql -X -1 -f` file by file). Runs are interleaved
(every tool once per run, in turns); the table shows medians of wall time, CPU (the child's
user + system) and peak RSS, and the round trips the proxy counted on the database side.
toolkit's shadow keeps its template between runs but replays from nothing each run.

Then, on the 100-file history, warm: `toolkit check` with the REST API (its tables probed
through the gateway, the proxy in front of the gateway too) and without, against the floor (psql
connecting and running one query) at the RTT, and on loopback against supabase-py probing the
same tables one after another. On a --history file history (300), loopback: a warm check, a
check after adding one file (the replay resumes from the cached prefix), a cold replay with and
without the shadow's catalog ANALYZE, and the same files through one psql session on a copy of
the shadow's template. Last, the CPU of the REST probes alone at --probes table counts.

The table goes to docs/benchmarks-scale.md with the date and the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from latency_proxy import LatencyProxy
from run import PSQL, PY, ROOT, Row, Sample, clean_env, run_child, through

from toolkit.local import (
    LocalStack,
    create_database,
    drop_database,
    serve_api,
    start,
    throwaway_state_dir,
)

SECTIONS = ("check", "probes", "history", "apply")
CLI = ROOT / "tools" / "supabase-cli" / "node_modules" / ".bin" / "supabase"
TABLES_PER_FILE = 3


def migration(i: int) -> str:
    """File i of a generated history: three tables, the last two referring to the first."""
    out = []
    for j, kind in enumerate(("item", "event", "note")):
        name = f"s{i:04d}_{kind}"
        parent = (f",\n    item_id uuid not null references public.s{i:04d}_item (id) "
                  "on delete cascade" if j else "")
        out.append(
            f"create table if not exists public.{name} (\n"
            "    id uuid primary key default extensions.uuid_generate_v4(),\n"
            "    agent_id uuid not null references public.agents (id) on delete cascade"
            f"{parent},\n"
            "    title text not null check (char_length(title) between 1 and 200),\n"
            "    status text not null default 'new' check (status in ('new', 'done')),\n"
            "    created_at timestamptz not null default now()\n);\n"
            f"create index if not exists {name}_agent_id_idx on public.{name} (agent_id);\n"
            + (f"create index if not exists {name}_item_id_idx on public.{name} (item_id);\n"
               if j else "")
            + f"alter table public.{name} enable row level security;\n"
            f"create policy {name}_read on public.{name} for select to authenticated "
            "using (true);\n")
    if i > 1:
        prev = f"s{i - 1:04d}_item"
        out.append(f"alter table public.{prev} add column if not exists priority integer "
                   "not null default 0;\n"
                   f"alter table public.{prev} add constraint {prev}_priority_check "
                   "check (priority >= 0);\n")
    return "".join(out)


def project(base: Path, files: int) -> Path:
    root = base / f"p{files}"
    folder = root / "supabase" / "migrations"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(1, files + 1):
        (folder / f"2030{i:010d}_s{i:04d}.sql").write_text(migration(i), encoding="utf-8")
    return root


def forget(cache: Path) -> None:
    """Nothing cached but the shadow's template: no replayed states, no snapshot of a replayed
    prefix, no parsed files."""
    for part in cache.glob("*"):
        if part.name.startswith("shadow-pg") and "-prefix-" not in part.name:
            continue
        if part.is_dir():
            shutil.rmtree(part, ignore_errors=True)
        else:
            part.unlink(missing_ok=True)


# The sequential peer: what a user of supabase-py writes to see that each table answers.
SEQUENTIAL_PEER = """
import sys
from supabase import create_client
url, key, names = sys.argv[1], sys.argv[2], open(sys.argv[3]).read().split()
client = create_client(url, key)
for name in names:
    client.table(name).select("*").limit(0).execute()
"""

# toolkit with the shadow's catalog read planned without fresh statistics (shadow_analyze.sql
# not run): the same code otherwise, for the row that shows what the ANALYZE buys.
WITHOUT_ANALYZE = """
import runpy
from toolkit.oracle import replay as shadow
shadow._read_catalog = lambda conn, *, files_run: shadow.inspect(conn)
runpy.run_module("toolkit", run_name="__main__", alter_sys=True)
"""


class Tools:
    """Each peer as a function of (project folder, database URL through the proxy)."""

    def __init__(self, cache: Path, before: Path | None) -> None:
        self.cache = cache
        self.before = before

    def toolkit(self, code: Path, tag: str) -> Callable[[Path, str], Sample]:
        def run(root: Path, url: str) -> Sample:
            forget(self.cache / tag)
            env = clean_env(SUPABASE_DB_URL=url, TOOLKIT_CACHE_DIR=str(self.cache / tag),
                            PYTHONPATH=str(code),
                            PYTHONPYCACHEPREFIX=str(self.cache / f"pyc-{tag}"))
            return run_child([PY, "-m", "toolkit", "apply", "--no-verify", "--format", "text"],
                             env, cwd=root)
        return run

    @staticmethod
    def db_push(root: Path, url: str) -> Sample:
        env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "SUPABASE_TELEMETRY_DISABLED": "1",
               "DO_NOT_TRACK": "1"}
        return run_child([str(CLI), "db", "push", f"--remote={url}", "--include-all", "--yes",
                          "--agent", "no"], env, cwd=root)

    @staticmethod
    def psql_loop(root: Path, url: str) -> Sample:
        """psql file by file, each in one transaction: the shell loop people write."""
        files = sorted((root / "supabase" / "migrations").glob("*.sql"))
        script = "set -e\nfor f in \"$@\"; do \"$PSQL\" -X -q -1 -v ON_ERROR_STOP=1 -d \"$URL\" " \
                 "-f \"$f\"; done\n"
        return run_child(["bash", "-c", script, "loop", *map(str, files)],
                         clean_env(PSQL=PSQL, URL=url), cwd=root)


def via(proxy: LatencyProxy, url: str, port: int) -> str:
    return url.replace(f":{port}/", f":{proxy.port}/")


def apply_rows(stack: LocalStack, base: Path, sizes: list[int], runs: int,
               tools: dict[str, Callable[[Path, str], Sample]], proxy: LatencyProxy,
               skip: Callable[[str, int], bool]) -> list[Row]:
    rows: list[Row] = []
    for files in sizes:
        root = project(base, files)
        section = f"apply, {files} files ({files * TABLES_PER_FILE} tables)"
        mine = {name: Row(section, name) for name in tools if not skip(name, files)}
        warm = 1 if runs > 1 and files == sizes[0] else 0  # once: the shadow's template, bytecode
        for i in range(runs + warm):
            order = list(mine)
            order = order[i % len(order):] + order[:i % len(order)]
            for name in order:
                dbname = f"scale_{uuid.uuid4().hex[:8]}"
                url = create_database(stack, dbname)
                def once(n: str = name, u: str = url, r: Path = root) -> Sample:
                    return tools[n](r, via(proxy, u, stack.db_port))

                try:
                    sample = through([proxy], once)()
                finally:
                    drop_database(stack, dbname)
                if sample.code != 0:
                    raise SystemExit(f"{section}: {name}: exit {sample.code}\n{sample.out}")
                if i >= warm:
                    mine[name].samples.append(sample)
                print(f"  {section}: {name}: {sample.seconds:.1f}s", flush=True)
        rows += list(mine.values())
    return rows


def public_tables(url: str, out: Path) -> Path:
    names = run_child([PSQL, "-X", "-q", "-At", "-d", url, "-c",
                       "select tablename from pg_tables where schemaname = 'public'"],
                      clean_env())
    out.write_text(names.out, encoding="utf-8")
    return out


def check_rows(stack: LocalStack, base: Path, files: int, runs: int, rtt_ms: float,
               toolkit: Path, cache: Path) -> list[Row]:
    """check with REST on the largest history, warm: over the RTT proxy against psql's floor,
    and on loopback against supabase-py probing the same tables one after another."""
    root = project(base, files)
    dbname = f"scale_{uuid.uuid4().hex[:8]}"
    url = create_database(stack, dbname)
    tables = files * TABLES_PER_FILE
    far_section = f"check, {files} files ({tables} tables), warm, {rtt_ms:g} ms RTT"
    near_section = f"check, {files} files ({tables} tables), warm, loopback"
    rest_name = "`toolkit check` (database + REST)"
    rows = [Row(far_section, rest_name),
            Row(far_section, "`toolkit check` (database only)"),
            Row(far_section, "floor: `psql -c 'select 1'`"),
            Row(near_section, rest_name),
            Row(near_section, "`toolkit check` (database only)"),
            Row(near_section, "supabase-py, one table after another"),
            Row(near_section, "floor: `psql -c 'select 1'`")]
    try:
        env = clean_env(SUPABASE_DB_URL=url, TOOLKIT_CACHE_DIR=str(cache / "check"),
                        PYTHONPATH=str(toolkit))
        done = run_child([PY, "-m", "toolkit", "apply", "--no-verify"], env, cwd=root)
        if done.code != 0:
            raise SystemExit(f"apply for the check rows failed:\n{done.out}")
        names = public_tables(url, base / "tables.txt")
        with serve_api(stack, dbname) as api:
            delay = rtt_ms / 2000
            pg = LatencyProxy("127.0.0.1", stack.db_port, delay).start()
            pg.name = "database"
            gw = LatencyProxy("127.0.0.1", int(api.api_url.rsplit(":", 1)[1]), delay).start()
            gw.name = "REST"
            try:
                far = via(pg, url, stack.db_port)
                key = api.service_role_key
                argv = [PY, "-m", "toolkit", "check", "--format", "text"]
                psql = [PSQL, "-X", "-q", "-d", far, "-c", "select 1"]
                near_psql = [PSQL, "-X", "-q", "-d", url, "-c", "select 1"]
                commands = [
                    (rows[0], argv, {**env, "SUPABASE_DB_URL": far, "SUPABASE_URL": "http://"
                                     f"127.0.0.1:{gw.port}", "SUPABASE_SERVICE_ROLE_KEY": key}),
                    (rows[1], argv, {**env, "SUPABASE_DB_URL": far}),
                    (rows[2], psql, clean_env()),
                    (rows[3], argv, {**env, "SUPABASE_URL": api.api_url,
                                     "SUPABASE_SERVICE_ROLE_KEY": key}),
                    (rows[4], argv, env),
                    (rows[5], [PY, "-c", SEQUENTIAL_PEER, api.api_url, key, str(names)],
                     clean_env()),
                    (rows[6], near_psql, clean_env())]
                for _row, a, e in commands:
                    run_child(a, e, cwd=root)  # warm: the replay cached, PostgREST's cache too
                for _ in range(runs):
                    for row, a, e in commands:
                        def once(a: list[str] = a, e: dict[str, str] = e) -> Sample:
                            return run_child(a, e, cwd=root)

                        sample = through([pg, gw], once)()
                        if sample.code != 0:
                            raise SystemExit(f"{row.name}: exit {sample.code}\n{sample.out}")
                        row.samples.append(sample)
            finally:
                pg.stop()
                gw.stop()
    finally:
        drop_database(stack, dbname)
    return rows


REPLAY_S: dict[str, list[float]] = {}  # the replay's own seconds, as check --json reports them


def psql_on_shadow(root: Path, cache: Path) -> Sample:
    """The history's files through one psql session on toolkit's embedded shadow (a copy of
    its template, as a replay gets), after what the files need of the target (untimed)."""
    os.environ["TOOLKIT_CACHE_DIR"] = str(cache)
    from toolkit.oracle.embedded import embedded_shadow

    files = sorted((root / "supabase" / "migrations").glob("*.sql"))
    with embedded_shadow() as shadow:
        need = run_child([PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", shadow.conninfo, "-c",
                          'create extension if not exists "uuid-ossp" with schema extensions; '
                          "create table if not exists public.agents (id uuid primary key)"],
                         clean_env())
        if need.code != 0:
            raise SystemExit(f"psql on the shadow: {need.out}")
        argv = [PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", shadow.conninfo]
        for f in files:
            argv += ["-f", str(f)]
        return run_child(argv, clean_env())


def history_rows(stack: LocalStack, base: Path, files: int, runs: int, toolkit: Path,
                 cache: Path) -> list[Row]:
    """A history of `files` files, applied, on loopback: a warm check; a check after one more
    file is added (the replay resumes from the cached prefix); a cold replay, with and without
    the shadow's catalog ANALYZE; and the same files through one psql session on the shadow."""
    root = project(base / "history", files)
    folder = root / "supabase" / "migrations"
    dbname = f"scale_{uuid.uuid4().hex[:8]}"
    url = create_database(stack, dbname)
    section = f"history of {files} files ({files * TABLES_PER_FILE} tables), loopback"
    warm = Row(section, "`toolkit check`, warm (all applied, replay cached)")
    added = Row(section, "`toolkit check` after adding one file (replay resumes)")
    cold = Row(section, "`toolkit check`, cold replay (template kept)")
    bare = Row(section, "`toolkit check`, cold replay, no catalog ANALYZE")
    psql = Row(section, "psql: the same files in one session on the shadow")
    tag = cache / "history"
    env = clean_env(SUPABASE_DB_URL=url, TOOLKIT_CACHE_DIR=str(tag), PYTHONPATH=str(toolkit))
    check = [PY, "-m", "toolkit", "check", "--format", "text"]

    def ok(row: Row, sample: Sample, codes: tuple[int, ...] = (0,)) -> None:
        if sample.code not in codes:
            raise SystemExit(f"{row.name}: exit {sample.code}\n{sample.out}")
        row.samples.append(sample)
        print(f"  {section}: {row.name}: {sample.seconds:.1f}s", flush=True)

    try:
        done = run_child([PY, "-m", "toolkit", "apply", "--no-verify"], env, cwd=root)
        if done.code != 0:
            raise SystemExit(f"apply for the history rows failed:\n{done.out}")
        run_child(check, env, cwd=root)
        for i in range(runs):
            ok(warm, run_child(check, env, cwd=root))
            n = files + i + 1
            (folder / f"2030{n:010d}_s{n:04d}.sql").write_text(migration(n), encoding="utf-8")
            ok(added, run_child(check, env, cwd=root), (0, 1))  # 1: a file pending
            applied = run_child([PY, "-m", "toolkit", "apply", "--no-verify"], env, cwd=root)
            if applied.code != 0:
                raise SystemExit(f"apply of file {n} failed:\n{applied.out}")
            run_child(check, env, cwd=root)  # the new file's state cached, as after any apply
        as_json = [PY, "-m", "toolkit", "check", "--json"]
        for _ in range(runs):
            for row, argv in ((cold, as_json), (bare, [PY, "-c", WITHOUT_ANALYZE, *as_json[3:]])):
                forget(tag)
                sample = run_child(argv, env, cwd=root)
                ok(row, sample)
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    doc = json.loads(sample.out[sample.out.index("{"):])
                    REPLAY_S.setdefault(row.name, []).append(doc["shadow"]["replay_seconds"])
            ok(psql, psql_on_shadow(root, tag))
    finally:
        drop_database(stack, dbname)
    return [warm, added, cold, bare, psql]


PROBE_CPU = """
import json, resource, sys, time
from toolkit.rest.client import probe
url, key, n, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
names = [f"many_{i}" for i in range(n)]
probe(url, key, names[:1], timeout)  # the client's import and first connection: not counted
before, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
found = probe(url, key, names, timeout)
after = resource.getrusage(resource.RUSAGE_SELF)
cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
print(json.dumps({"cpu_s": cpu, "wall_s": time.perf_counter() - start,
                  "present": sum(p.state == "present" for p in found)}))
"""


def probe_rows(stack: LocalStack, counts: list[int], rtt_ms: float, toolkit: Path
               ) -> list[str]:
    """CPU per REST probe at growing table counts, over the RTT proxy with a 3 s timeout."""
    dbname = f"scale_{uuid.uuid4().hex[:8]}"
    url = create_database(stack, dbname)
    lines = []
    try:
        ddl = Path(tempfile.mkstemp(prefix="toolkit-scale-", suffix=".sql")[1])
        ddl.write_text("".join(f"create table public.many_{i} (id bigint primary key);\n"
                               for i in range(max(counts))), encoding="utf-8")
        made = run_child([PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", str(ddl)],
                         clean_env())
        ddl.unlink()
        if made.code != 0:
            raise SystemExit(f"probe rows: {made.out}")
        with serve_api(stack, dbname) as api:
            gw = LatencyProxy("127.0.0.1", int(api.api_url.rsplit(":", 1)[1]),
                              rtt_ms / 2000).start()
            try:
                env = clean_env(PYTHONPATH=str(toolkit))
                for n in counts:
                    for _ in range(60):  # PostgREST's schema cache loads the tables
                        got = run_child([PY, "-c", PROBE_CPU, api.api_url, api.service_role_key,
                                         str(n), "10"], env)
                        if got.code == 0 and json.loads(got.out)["present"] == n:
                            break
                        time.sleep(1)
                    got = run_child([PY, "-c", PROBE_CPU, f"http://127.0.0.1:{gw.port}",
                                     api.service_role_key, str(n), "3"], env)
                    if got.code != 0:
                        raise SystemExit(f"probe rows, {n} tables: {got.out}")
                    fig = json.loads(got.out)
                    lines.append(f"| {n} | {fig['present']} | {fig['wall_s']:.2f} s | "
                                 f"{fig['cpu_s'] * 1000:.0f} ms | "
                                 f"{fig['cpu_s'] * 1000 / n:.2f} ms |")
                    print(f"  probes: {lines[-1]}", flush=True)
            finally:
                gw.stop()
    finally:
        drop_database(stack, dbname)
    return lines


def machine() -> str:
    model = ""
    with_info = Path("/proc/cpuinfo")
    if with_info.exists():
        for line in with_info.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({model}), "
            f"{platform.python_implementation()} {platform.python_version()}, load average "
            f"at the end {load}")


def render(rows: list[Row], args: argparse.Namespace, probes: list[str]) -> str:
    def ms(x: float) -> str:
        return f"{x:.2f} s" if x >= 1 else f"{x * 1000:.0f} ms"

    lines = [
        "# Benchmarks at scale",
        "",
        f"Measured {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} on {machine()}, with "
        f"`bench/scale.py --sizes {args.sizes} --runs {args.runs}"
        + (f" --once {args.once}" if args.once else "") + f" --rtt-ms {args.rtt_ms:g}"
        f" --history {args.history} --probes {args.probes}"
        + ("" if args.sections == ",".join(SECTIONS) else f" --sections {args.sections}")
        + "`. "
        f"The apply rows and the '{args.rtt_ms:g} ms RTT' rows connect through the "
        f"benchmark's latency proxy ({args.rtt_ms:g} ms round trip, one more for each new "
        "connection's handshake), which sits in front of the database and, for REST, in front "
        "of the API gateway too (toolkit -> proxy -> gateway -> PostgREST, all on this "
        "machine): so a REST row pays the round trip for each request it waits on, and the "
        "gateway's and PostgREST's own time on top. 'loopback' rows connect directly. "
        "Medians of interleaved runs (n = runs counted); CPU is the child's user + system "
        "time, peak RSS its own (os.wait4); round trips are the proxies' counts (changes of "
        "direction client→server→client; database + REST where both were used).",
        "",
        "| work | command | n | wall | min-max | vs `supabase db push` | CPU | peak RSS "
        "| round trips |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in sorted(rows, key=lambda r: not r.section.startswith("apply")):
        peer = next((x for x in rows if x.section == r.section and "db push" in x.name), None)
        ratio = f"{r.median / peer.median:.2f}x" if peer and peer is not r else ""
        xs = [s.seconds for s in r.samples]
        rtts = f"{statistics.median(s.round_trips for s in r.samples):g}"
        rest = [s.per_proxy.get("REST", (0, 0))[1] for s in r.samples]
        if any(rest):
            db = statistics.median(s.per_proxy.get("database", (0, 0))[1] for s in r.samples)
            rtts = f"{db:g} + {statistics.median(rest):g} REST"
        name = r.name
        if r.name in REPLAY_S:
            name += f" (replay itself {ms(statistics.median(REPLAY_S[r.name]))})"
        lines.append(f"| {r.section} | {name} | {len(xs)} | {ms(r.median)} | "
                     f"{ms(min(xs))}-{ms(max(xs))} | {ratio} | {ms(r.cpu_ms / 1000)} | "
                     f"{r.rss_mb:.0f} MB | {rtts} |")
    if probes:
        lines += ["", f"REST probes alone (toolkit.rest.client.probe in a child, after its "
                  f"import and first connection), over the {args.rtt_ms:g} ms RTT proxy with "
                  "a 3 s timeout:", "",
                  "| tables | present | wall | CPU | CPU per probe |", "|--:|--:|--:|--:|--:|",
                  *probes]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,100", help="file counts, run --runs times")
    parser.add_argument("--once", type=int, default=0, help="a larger size, run once")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rtt-ms", type=float, default=100.0)
    parser.add_argument("--probes", default="100,1000,5000",
                        help="table counts for the CPU-per-probe figures ('': none)")
    parser.add_argument("--history", type=int, default=300,
                        help="the history rows' size (0: none)")
    parser.add_argument("--before", type=Path, help="another checkout's root, as 'before'")
    parser.add_argument("--psql-up-to", type=int, default=10,
                        help="the psql loop only up to this many files (it costs minutes)")
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help=f"which sections to run, a comma list of {', '.join(SECTIONS)} "
                        "(default all): one reruns alone")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks-scale.md")
    args = parser.parse_args()
    chosen = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown or not chosen:
        parser.error(f"--sections: {', '.join(unknown) or 'none given'}; choose from "
                     f"{', '.join(SECTIONS)}")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    cache = Path(tempfile.mkdtemp(prefix="toolkit-scale-cache-"))
    base = Path(tempfile.mkdtemp(prefix="toolkit-scale-projects-"))
    tools_ = Tools(cache, args.before)
    tools: dict[str, Callable[[Path, str], Sample]] = {
        "`toolkit apply --no-verify`": tools_.toolkit(ROOT, "after")}
    if args.before:
        tools["`toolkit apply --no-verify`, before (" + args.before.name + ")"] = \
            tools_.toolkit(args.before, "before")
    tools["`supabase db push`"] = tools_.db_push
    tools["psql loop (`psql -1 -f` file by file)"] = tools_.psql_loop

    def skip(name: str, files: int) -> bool:
        return (name.startswith("psql") and files > args.psql_up_to) or (
            "before" in name and files > max(sizes))

    started = time.monotonic()
    probes: list[str] = []
    failed: list[str] = []
    try:
        with throwaway_state_dir("toolkit-scale-") as state_dir:
            stack = start(state_dir)
            proxy = LatencyProxy("127.0.0.1", stack.db_port, args.rtt_ms / 2000).start()
            proxy.name = "database"
            try:
                rows = []
                # In SECTIONS' order; "apply" is the sizes' rows and the --once row.
                sections: list[tuple[str, Callable[[], None]]] = [
                    ("check", lambda: rows.extend(check_rows(stack, base, 100 if 100 in sizes
                                                   else max(sizes), args.runs, args.rtt_ms,
                                                   ROOT, cache))),
                    ("probes", lambda: probes.extend(probe_rows(
                        stack, [int(n) for n in args.probes.split(",") if n], args.rtt_ms,
                        ROOT))),
                    ("history", lambda: rows.extend(history_rows(
                        stack, base, args.history, args.runs, ROOT, cache)
                        if args.history else [])),
                    ("apply", lambda: rows.extend(apply_rows(stack, base, sizes, args.runs,
                                                             tools, proxy, skip))),
                    ("apply", lambda: rows.extend(apply_rows(
                        stack, base, [args.once], 1, tools, proxy,
                        lambda n, f: skip(n, f) or "before" in n) if args.once else [])),
                ]
                for name, section in sections:  # one that fails leaves the others' rows
                    if name not in chosen:
                        continue
                    try:
                        section()
                    except (Exception, SystemExit) as exc:
                        failed.append(f"{type(exc).__name__}: {exc}"[:2000])
                        print(f"section failed: {failed[-1]}", flush=True)
            finally:
                proxy.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
    text = render(rows, args, probes)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    print(f"({time.monotonic() - started:.0f} s)")
    if failed:
        raise SystemExit("failed sections:\n" + "\n".join(failed))


if __name__ == "__main__":
    main()
