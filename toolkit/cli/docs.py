"""docs/commands.md, rendered from the CLI itself: every command's --help, in the order
`toolkit --help` lists them, so the page cannot say what the code does not.

`python -m toolkit.cli.docs` prints it; `python -m toolkit.cli.docs --write` rewrites the file.
tests/unit/test_docs.py fails when the committed page differs from what this renders.
"""

from __future__ import annotations

import sys
from pathlib import Path

from typer import _click as click
from typer.core import TyperGroup

# A fixed width, so the page does not depend on the terminal of whoever regenerates it.
WIDTH = 100
PAGE = Path(__file__).resolve().parents[2] / "docs" / "commands.md"

HEADER = """# Commands

Generated from the CLI by `python -m toolkit.cli.docs --write`; a test fails when this page and
`toolkit COMMAND --help` differ. Settings and their environment variables:
[settings.md](settings.md). Exit codes: [the README](../README.md#exit-codes).
"""


def _walk(command: click.Command, path: list[str], parent: click.Context | None,
          out: list[str]) -> None:
    # make_context, not Context(): it applies the command's context_settings (-h, --help).
    ctx = command.make_context(path[-1], [], parent=parent, resilient_parsing=True,
                               terminal_width=WIDTH, max_content_width=WIDTH)
    out += ["", f"## `{' '.join(path)}`", "", "```text", command.get_help(ctx).rstrip(), "```"]
    if isinstance(command, TyperGroup):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                _walk(sub, [*path, name], ctx, out)


def render() -> str:
    from typer.main import get_command

    from toolkit.cli.app import app

    out = [HEADER.rstrip()]
    _walk(get_command(app), ["toolkit"], None, out)
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--write" in argv:
        PAGE.write_text(text, encoding="utf-8")
        print(f"wrote {PAGE}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
