"""The CLI edge: output, exit codes, no secrets except from `env`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from toolkit.local import LocalStack, start, stop
from toolkit.local.cli import app

runner = CliRunner()


def test_status_json(stack: LocalStack) -> None:
    result = runner.invoke(app, ["status", "--json", "--state-dir", str(stack.state_dir)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["running"] is True
    assert data["api_url"] == stack.api_url
    assert stack.service_role_key not in result.output


def test_status_table_and_start_hide_secrets(stack: LocalStack) -> None:
    for args in (["status"], ["start"]):
        result = runner.invoke(app, [*args, "--state-dir", str(stack.state_dir)])
        assert result.exit_code == 0, result.output
        for secret in (stack.service_role_key, stack.secret_key, stack.db_password):
            assert secret not in result.output
    assert "gateway" in runner.invoke(app, ["status", "--state-dir", str(stack.state_dir)]).output


def test_env_formats(stack: LocalStack) -> None:
    shell = runner.invoke(app, ["env", "--state-dir", str(stack.state_dir)])
    assert shell.exit_code == 0
    assert f"export SUPABASE_URL={stack.api_url}\n" in shell.output
    assert f"export SUPABASE_SERVICE_ROLE_KEY={stack.service_role_key}\n" in shell.output
    dotenv = runner.invoke(
        app, ["env", "--format", "dotenv"], env={"TOOLKIT_LOCAL_DIR": str(stack.state_dir)}
    )
    lines = dotenv.output.splitlines()
    assert [line.split("=", 1)[0] for line in lines] == [
        "SUPABASE_URL",
        "SUPABASE_ANON_KEY",
        "SUPABASE_SERVICE_ROLE_KEY",
        "SUPABASE_DB_URL",
    ]


def test_start_writes_env_file(stack: LocalStack, tmp_path: Path) -> None:
    target = tmp_path / "app.env"
    target.write_text("KEEP=1\nSUPABASE_URL=stale\n")
    result = runner.invoke(
        app, ["start", "--state-dir", str(stack.state_dir), "--env-file", str(target)]
    )
    assert result.exit_code == 0, result.output
    text = target.read_text()
    assert text.startswith(f"KEEP=1\nSUPABASE_URL={stack.api_url}\n")
    assert f"SUPABASE_DB_URL={stack.db_url()}" in text


def test_user_errors_are_one_line_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here"
    result = runner.invoke(app, ["env", "--state-dir", str(missing)])
    assert result.exit_code == 3  # no stack: an unmet precondition, as a stopped one
    assert result.output.count("\n") == 1 and result.output.startswith("error: ")
    result = runner.invoke(app, ["start", "--state-dir", "/proc/forbidden/x"])
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and "Traceback" not in result.output


def test_status_of_missing_stack_exits_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["status", "--state-dir", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "no local stack" in result.output
    assert runner.invoke(app, ["stop", "--state-dir", str(tmp_path / "none")]).exit_code == 0


def test_env_and_reset_of_a_stopped_stack_say_so(other_state_dir: Path) -> None:
    """After `local stop`, printing the keys would point the shell at ports nobody serves."""
    start(other_state_dir)
    assert runner.invoke(app, ["env", "--state-dir", str(other_state_dir)]).exit_code == 0
    stop(other_state_dir)
    for command in ("env", "reset"):
        result = runner.invoke(app, [command, "--state-dir", str(other_state_dir)])
        assert result.exit_code == 3, (command, result.output)
        assert "is not running" in result.output and "toolkit local start" in result.output
        assert "SUPABASE_" not in result.output
