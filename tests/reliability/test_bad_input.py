"""Bad input of every kind gets one clear line and exit 2 (1 for a failing migration file),
never a traceback; in text and in --json."""

from __future__ import annotations

import json
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import SESSION_SECRETS
from tests.reliability.helpers import record, spawn
from toolkit.local import LocalStack
from toolkit.local.jwt import sign

DB_COMMANDS = ["check", "plan", "apply", "rollback"]
REST_COMMANDS = ["check", "verify"]


@dataclass
class Case:
    name: str
    command: str
    args: list[str]
    env: dict[str, str]
    code: int
    needle: str
    extra: list[str] = field(default_factory=list)  # more words the message must hold


def _cases(stack: LocalStack, tmp: Path) -> list[Case]:
    wrong_pw = f"wrong-{secrets.token_hex(8)}"
    bad_pw = f"bad-{secrets.token_hex(8)}"
    SESSION_SECRETS.update({wrong_pw, bad_pw})
    port = stack.db_port
    good = stack.db_url()
    foreign_jwt = sign({"role": "service_role", "iss": "supabase"}, secrets.token_hex(20))
    other_ref = sign({"role": "service_role", "iss": "supabase", "ref": "zyxwvutsrqponmlkjihg"},
                     secrets.token_hex(20))
    SESSION_SECRETS.update({foreign_jwt, other_ref})
    rest = {"SUPABASE_URL": stack.api_url, "SUPABASE_SERVICE_ROLE_KEY": stack.service_role_key}

    # Migration folders that are wrong in every way we could think of.
    empty = tmp / "empty"
    empty.mkdir()
    a_file = tmp / "a-file"
    a_file.write_text("not a folder\n")
    broken_link = tmp / "broken-link"
    broken_link.symlink_to(tmp / "nowhere")
    syntax = tmp / "syntax"
    syntax.mkdir()
    (syntax / "20990101000000_bad.sql").write_text(
        "create table t (id uuid);\n\ncreate tabel x ();\n")
    dangling = tmp / "dangling"
    dangling.mkdir()
    (dangling / "20990101000000_gone.sql").symlink_to(tmp / "nowhere.sql")
    dir_named = tmp / "dir-named"
    (dir_named / "20990101000000_dir.sql").mkdir(parents=True)
    binary = tmp / "binary"
    binary.mkdir()
    (binary / "20990101000000_bin.sql").write_bytes(b"\xff\xfe\x00create")
    refused = "postgresql://postgres:x@127.0.0.1:1/postgres"

    out: list[Case] = []
    for cmd in DB_COMMANDS:
        db_cases = [
            ("empty SUPABASE_DB_URL", {"SUPABASE_DB_URL": ""}, 2,
             "SUPABASE_DB_URL is set but empty"),
            ("not a URL", {"SUPABASE_DB_URL": "not a url"}, 2, "must look like postgresql://"),
            ("no host", {"SUPABASE_DB_URL": "postgresql://"}, 2, "has no host"),
            ("port out of range",
             {"SUPABASE_DB_URL": f"postgresql://postgres:{bad_pw}@127.0.0.1:99999/postgres"}, 2,
             "port out of range"),
            ("port not a number",
             {"SUPABASE_DB_URL": f"postgresql://postgres:{bad_pw}@127.0.0.1:abc/postgres"}, 2,
             "malformed"),
            ("unknown host",
             {"SUPABASE_DB_URL": f"postgresql://postgres:{bad_pw}@db.nowhere.invalid:5432/postgres"},
             2, "unknown host"),
            ("wrong password",
             {"SUPABASE_DB_URL": f"postgresql://postgres:{wrong_pw}@127.0.0.1:{port}/postgres"}, 2,
             "wrong password"),
            ("missing database",
             {"SUPABASE_DB_URL": good.rsplit("/", 1)[0] + "/no_such_db"}, 2,
             "database does not exist"),
            ("API URL as database URL", {"SUPABASE_DB_URL": stack.api_url}, 2,
             "not postgresql://"),
            ("garbage conninfo", {"SUPABASE_DB_URL": f"password={bad_pw} garbage==="}, 2,
             "key=value connection string libpq cannot read"),
        ]
        if cmd == "plan":  # plan works from the files alone: it warns and lists everything
            db_cases[0] = ("empty SUPABASE_DB_URL", {"SUPABASE_DB_URL": ""}, 0,
                           "SUPABASE_DB_URL is set but empty")
        for name, env, code, needle in db_cases:
            args = ["--yes"] if cmd == "rollback" else []
            out.append(Case(name, cmd, args, env, code, needle))
        for name, folder, code, needle in [
            ("empty migrations folder", empty, 2, "no migration files"),
            ("migrations path is a file", a_file, 2, "is not a folder"),
            ("migrations path is a broken symlink", broken_link, 2, "does not exist"),
            ("syntax error", syntax, 1, "20990101000000_bad.sql:3:8: syntax error"),
            ("migration is a broken symlink", dangling, 1, "cannot read"),
            ("only a folder named like a migration", dir_named, 2, "no migration files"),
            ("migration is not UTF-8", binary, 1, "not UTF-8"),
        ]:
            args = ["--migrations-dir", str(folder)] + (["--yes"] if cmd == "rollback" else [])
            out.append(Case(name, cmd, args, {"SUPABASE_DB_URL": refused}, code, needle))
    for cmd in REST_COMMANDS:
        for name, env, needle in [
            ("empty service key", {**rest, "SUPABASE_SERVICE_ROLE_KEY": ""},
             "SUPABASE_SERVICE_ROLE_KEY is empty"),
            ("empty SUPABASE_URL", {**rest, "SUPABASE_URL": ""}, "SUPABASE_URL is empty"),
            ("both empty", {"SUPABASE_URL": "", "SUPABASE_SERVICE_ROLE_KEY": ""},
             "SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY are set but empty"),
            ("ftp:// URL", {**rest, "SUPABASE_URL": "ftp://127.0.0.1/"}, "not an http(s) URL"),
            ("postgresql:// as SUPABASE_URL", {**rest, "SUPABASE_URL": good},
             "not an http(s) URL"),
            ("SUPABASE_URL port out of range", {**rest, "SUPABASE_URL": "http://127.0.0.1:70000"},
             "port out of range"),
            ("garbage key", {**rest, "SUPABASE_SERVICE_ROLE_KEY": "garbage"}, "neither a JWT"),
            ("bare sb_secret_ prefix", {**rest, "SUPABASE_SERVICE_ROLE_KEY": "sb_secret_"},
             "neither a JWT"),
            ("JWT of another project (signature)",
             {**rest, "SUPABASE_SERVICE_ROLE_KEY": foreign_jwt}, "SUPABASE_SERVICE_ROLE_KEY"),
            ("JWT whose ref is another project",
             {"SUPABASE_URL": "https://abcdefghijklmnopqrst.supabase.co",
              "SUPABASE_SERVICE_ROLE_KEY": other_ref}, "belongs to project"),
            ("nothing listens on SUPABASE_URL", {**rest, "SUPABASE_URL": "http://127.0.0.1:1"},
             "cannot reach SUPABASE_URL"),
        ]:
            out.append(Case(name, cmd, [], env, 2, needle))
    for name, args, needle in [
        ("lock timeout not a duration", ["--lock-timeout", "soon"], "not a duration"),
        ("zero connect timeout", ["--connect-timeout", "0"], "under 1 ms"),
        ("negative statement timeout", ["--statement-timeout", "-5s"], "not a duration"),
        # PostgreSQL would round these to 0, which is no timeout at all.
        ("lock timeout under 1 ms", ["--lock-timeout", "0.4ms"], "under 1 ms"),
        ("statement timeout over a day", ["--statement-timeout", "25h"], "maximum of 24h"),
        ("lock timeout with a made-up unit", ["--lock-timeout", "4sec"], "not a duration"),
        ("lock timeout in exponent form", ["--lock-timeout", "1e3"], "not a duration"),
    ]:
        out.append(Case(name, "apply", args, {"SUPABASE_DB_URL": refused}, 2, needle))
    return out


def _run(case: Case, as_json: bool) -> str | None:
    """None when the case behaves, else what is wrong."""
    args = [case.command, *case.args] + (["--json"] if as_json else [])
    code, out, err, _ = spawn(*args, env=case.env).finish(timeout=60)
    where = f"{case.command} [{case.name}]{' --json' if as_json else ''}"
    text = out + err
    if "Traceback" in text:
        return f"{where}: traceback:\n{text}"
    if code != case.code:
        return f"{where}: exit {code}, expected {case.code}:\n{text}"
    if case.needle not in text:
        return f"{where}: {case.needle!r} not in:\n{text}"
    errors = [line for line in err.splitlines() if line.strip()]
    if code == 2 and (len(errors) != 1 or not errors[0].startswith("toolkit: error: ")):
        return f"{where}: not one error line:\n{err}"
    if as_json:
        try:
            doc = json.loads(out)
        except ValueError:
            return f"{where}: stdout is not one JSON object:\n{out}"
        if code == 2 and doc.get("exit_code") != 2:
            return f"{where}: JSON without exit_code 2: {doc}"
    return None


def test_bad_input(stack: LocalStack, tmp_path: Path) -> None:
    cases = _cases(stack, tmp_path)
    # Each case once in text and once in --json would double the time; alternate instead.
    jobs = [(case, i % 2 == 1) for i, case in enumerate(cases)]
    with ThreadPoolExecutor(max(2, (os.cpu_count() or 2))) as pool:
        problems = [p for p in pool.map(lambda job: _run(*job), jobs) if p]
    assert not problems, "\n\n".join(problems)
    record("bad input", inputs_tried=len(cases), distinct_inputs=len({c.name for c in cases}),
           commands=sorted({c.command for c in cases}), tracebacks=0,
           all_one_line_and_exit_2_or_1=True)


def test_badly_named_file_is_skipped_with_a_warning(stack: LocalStack, db: str,
                                                    migrations_copy: Path) -> None:
    (migrations_copy / "add_more_tables.sql").write_text("create table nope (id int);\n")
    (migrations_copy / "README.md").write_text("notes\n")
    code, out, err, _ = spawn("apply", "--no-verify", "--migrations-dir", str(migrations_copy),
                              env={"SUPABASE_DB_URL": db}).finish()
    assert code == 0, out + err
    assert "skipping add_more_tables.sql" in out and "skipping README.md" in out, out
