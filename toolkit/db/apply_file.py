"""How apply runs each migration file: a plan per file, and its transaction in one round trip.

A file in one transaction goes out as one pipeline (psycopg's pipeline mode): the COMMIT of
the file before, BEGIN, the session reset and toolkit's settings, the check that no other run
recorded the version, each of the file's statements as its own message, a check with the
server that the transaction is still the one opened for the file, the history row; then the
reply. Its own COMMIT leads the next file's pipeline (the last one's goes alone): a file
commits only after toolkit has read that it ran, so N files cost N + 1 round trips. The server stops
at the first error and skips the rest, so a failure leaves nothing of the file, and the
statement that failed is known from which reply it was (its position too, when the server
gives one). Each statement as its own message also means the server refuses any text that it
reads as more than one statement (the parser and the server disagreeing) before running it.

The history is judged under the lock on the server too (apply_file_open.sql): when it is not
what this run expects, the file does not run and apply decides from what the server found.

Modes: "transaction" (the default), "statements" (the no-transaction directive: each statement
on its own, then the history row in a transaction of its own) and "record" (the history row
only, no statement of the file runs: a file adopted as applied by hand).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from toolkit.db.catalog import SEARCH_PATH, Catalog
from toolkit.db.history import LOCK_KEY
from toolkit.db.sqlfiles import load_sql, load_statements
from toolkit.project.migrations import MigrationFile
from toolkit.project.model import FileAnalysis, Statement
from toolkit.settings import Settings

if TYPE_CHECKING:
    import psycopg

Mode = Literal["transaction", "statements", "record"]
MOVED = "TK003"  # apply_file_open.sql: the history changed while this run waited for the lock
_ENDING_TAGS = ("COMMIT", "ROLLBACK", "PREPARE TRANSACTION", "BEGIN", "START TRANSACTION")


@dataclass(frozen=True)
class FilePlan:
    """What apply does with one pending file."""

    file: MigrationFile
    analysis: FileAnalysis
    mode: Mode = "transaction"
    create_extensions: bool = False  # --enable-extensions, in the first file's transaction
    ensure_history: bool = False  # the run's first transaction creates the history table
    notify: bool = False  # the run's last file: PostgREST reloads its schema cache

    @property
    def statements(self) -> list[Statement]:
        """The file's statements as they run in our transaction (a file wrapped whole in its
        own BEGIN ... COMMIT runs as its body)."""
        if self.mode == "record":
            return []
        if self.mode == "statements" and self.analysis.own_transaction:
            return list(self.analysis.statements)  # its own BEGIN ... COMMIT, as written
        return [s for s in self.analysis.statements if s.kind != "TransactionStmt"]

    def text(self, stmt: Statement) -> str:
        """The statement as the file has it, from where the parser says it starts, so the
        server's error position counts from `stmt.offset`."""
        end = stmt.end if stmt.end > stmt.offset else len(self.file.sql)
        return self.file.sql[stmt.offset:end]

    def start(self, stmt: Statement) -> tuple[int, int]:
        """(line, column) of the statement's first word, past blank lines and comments."""
        return self.file.position(self.file.first_word(stmt.offset))


def plan_files(pairs: list[tuple[MigrationFile, FileAnalysis]], *, enable_extensions: bool,
               target: Catalog) -> list[FilePlan]:
    """One plan per pending file, in order, in the mode its own shape gives (files adopted as
    applied by hand get theirs from apply's adoption)."""
    plans: list[FilePlan] = []
    for i, (f, a) in enumerate(pairs):
        mode: Mode = "statements" if a.by_statement else "transaction"
        plans.append(FilePlan(
            f, a, mode,
            create_extensions=(enable_extensions and i == 0 and mode == "transaction"
                               and "uuid-ossp" not in target.extensions),
            ensure_history=i == 0, notify=i == len(pairs) - 1))
    return plans


@dataclass
class Outcome:
    state: Literal["ready", "applied", "already", "failed", "ended", "moved"]
    error: Exception | None = None
    statement: Statement | None = None  # the file's statement that failed, or ended our transaction
    recorded: list[str] = field(default_factory=list)  # moved: the history under the lock
    statements: list[str] | None = None  # moved: this version's statements, if recorded
    of: FilePlan | None = None  # an earlier file this outcome is about (its COMMIT failed)


def search_path(catalog: Catalog) -> str:
    """Make uuid_generate_v4() resolve wherever uuid-ossp lives (extensions or public)."""
    schemas = SEARCH_PATH.split(", ")
    where = catalog.extensions.get("uuid-ossp")
    if where and where not in schemas:
        schemas.append(where)
    return ", ".join(schemas)


class Session:
    """toolkit's statements around each file, rendered once per run."""

    def __init__(self, conn: psycopg.Connection[Any], settings: Settings,
                 catalog: Catalog) -> None:
        from psycopg import sql

        self.conn = conn
        values = {
            "statement_timeout": sql.Literal(f"{settings.statement_timeout_ms}ms"),
            "lock_key": sql.Literal(LOCK_KEY),
            "lock_timeout": sql.Literal(f"{settings.lock_timeout_ms}ms"),
            "search_path": sql.Literal(search_path(catalog)),
        }
        self.reset = [s.encode() for s in load_statements("apply_session_reset.sql")]
        self.prelude = [sql.SQL(s).format(**values).as_bytes(conn)
                        for s in load_statements("apply_prelude.sql")]
        self.history_table = load_sql("apply_history_table.sql").encode()
        self.extensions = [s.encode() for s in load_statements("enable_extensions.sql")]
        self.check = sql.SQL(load_sql("apply_file_check.sql")).format(
            lock_key=values["lock_key"]).as_bytes(conn)
        self.restore = [s.encode() for s in load_statements("apply_file_restore.sql")]
        self._open = load_sql("apply_file_open.sql")
        self.pending: FilePlan | None = None  # ran, its COMMIT not yet sent
        self.committed: list[FilePlan] = []

    def open(self, version: str, expected: set[str]) -> bytes:
        from psycopg import sql

        return sql.SQL(self._open).format(
            version=sql.Literal(version),
            expected=sql.Literal(sorted(expected))).as_bytes(self.conn)

    def transaction(self, plan: FilePlan, expected: set[str]) -> Outcome:
        """The file (or, in the other modes, only its history row) in one transaction, sent in
        one round trip, left open: its COMMIT goes out at the head of the next file's round
        trip (or in finish()), so it commits only once toolkit has read that the file ran, and
        a toolkit that dies or loses the network meanwhile leaves it to be rolled back.
        "ready": it ran and awaits its COMMIT; a failure is rolled back and described, a
        failed COMMIT of the file before as Outcome.of that file; a lost connection raises."""
        import psycopg

        conn = self.conn
        sent: list[tuple[Any, Statement | None]] = []
        opened = check = commit = None
        previous, self.pending = self.pending, None

        def send(query: bytes | str, params: dict[str, Any] | None = None,
                 stmt: Statement | None = None) -> Any:
            cur = conn.cursor()
            cur.execute(query.encode() if isinstance(query, str) else query, params)
            sent.append((cur, stmt))
            return cur

        try:
            with conn.pipeline():
                if previous is not None:
                    commit = send(load_sql("apply_file_commit.sql"))
                send(load_sql("apply_file_begin.sql"))
                for q in (*self.reset, *self.prelude):
                    send(q)
                if plan.ensure_history:
                    send(self.history_table)
                opened = send(self.open(plan.file.version, expected))
                if plan.create_extensions:
                    for q in self.extensions:
                        send(q)
                for stmt in plan.statements:
                    send(plan.text(stmt), stmt=stmt)
                check = send(self.check)
                for q in self.restore:
                    send(q)
                send(load_sql("history_insert.sql"), {
                    "version": plan.file.version, "name": plan.file.name,
                    "statements": plan.analysis.recorded})
                if plan.notify:
                    send(load_sql("apply_notify.sql"))
        except psycopg.Error as exc:
            if isinstance(exc, psycopg.OperationalError) and not exc.sqlstate:
                raise
            failed = next(((c, s) for c, s in sent if c.pgresult is None), (None, None))
            self.recover(notify=False)
            if previous is not None and failed[0] is commit:  # e.g. a deferred constraint
                return Outcome("failed", exc, of=previous)
            if previous is not None:
                self.committed.append(previous)
            if failed[0] is opened and exc.sqlstate == MOVED:
                found = json.loads(exc.diag.message_detail or "{}")
                return Outcome("moved", recorded=list(found.get("recorded") or ()),
                               statements=found.get("statements"))
            if failed[0] is check:
                ended = next((s for c, s in sent if s is not None and c.statusmessage
                              and c.statusmessage.upper().startswith(_ENDING_TAGS)), None)
                return Outcome("ended", exc, ended)
            return Outcome("failed", exc, failed[1])
        if previous is not None:
            self.committed.append(previous)
        self.pending = plan
        return Outcome("ready")

    def finish(self) -> Outcome | None:
        """COMMIT the file left open, with the session reset, in one round trip. None: no file
        was open; else its outcome ("applied", or "failed" with Outcome.of the file)."""
        import psycopg

        plan, self.pending = self.pending, None
        if plan is None:
            return None
        try:
            with self.conn.pipeline():
                commit = self.conn.cursor()
                commit.execute(load_sql("apply_file_commit.sql").encode())
                for q in self.reset:
                    self.conn.execute(q)
        except psycopg.Error as exc:
            if isinstance(exc, psycopg.OperationalError) and not exc.sqlstate:
                raise
            if commit.statusmessage != "COMMIT":
                self.recover(notify=False)
                return Outcome("failed", exc, of=plan)
        self.committed.append(plan)
        return Outcome("applied", of=plan)

    def take_committed(self) -> list[FilePlan]:
        """The files committed since the last call, in order."""
        done, self.committed = self.committed, []
        return done

    def recover(self, *, notify: bool) -> None:
        """After a failure: end what is left of the transaction, leave the session clean, and
        (when files were committed earlier in the run) have PostgREST reload its cache."""
        import psycopg

        conn = self.conn
        self.pending = None
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.rollback()
        with conn.pipeline():
            for q in self.reset:
                conn.execute(q)
            if notify:
                conn.execute(load_sql("apply_notify.sql").encode())
