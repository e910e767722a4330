#!/usr/bin/env python3
"""Fault injection: the k-th SQL statement of a migration fails, in Alembic and
in the playground; both must leave the same database.

For every scenario (../shared/conformance/* and tests/differential/scenarios/*):
1. Real Alembic builds the chain as the conformance procedure does
   (`revision --autogenerate --rev-id r000i`, `upgrade head`, sample rows), and
   the database is saved before and after each migration. These files are the
   start states, so both sides start from the same bytes and run the same
   (Alembic's own) scripts.
2. Each migration runs once per side without a fault, counting the statements
   that change the database (first keyword CREATE, DROP, ALTER, INSERT, UPDATE,
   DELETE or REPLACE; the playground's src/platform/fault.rs counts the same way).
3. For k = 1..n it runs again with statement k failing: in Alembic a
   SQLAlchemy `before_cursor_execute` listener raises
   `sqlite3.OperationalError("injected fault at statement k")` (SQLAlchemy wraps
   it as it wraps a real SQLite error); in the playground the native CLI's
   ALEMBIC_PLAYGROUND_FAIL_STATEMENT=k does the same through the `Database` seam.
4. Compared per k: exit status, error message, the PRAGMA snapshot (snapshot.py:
   tables with `_alembic_tmp_*` leftovers, columns, indexes, constraints,
   alembic_version) and every row of every table.

Migrations run in both directions: `upgrade r000i` from the state before it,
and `downgrade -1` from the state after it (when that upgrade succeeded).

    .venv/bin/python tests/differential/faults.py              # everything
    .venv/bin/python tests/differential/faults.py -k gym -v    # one scenario, every difference
    .venv/bin/python tests/differential/faults.py --sample 5   # every 5th statement (CI)
    .venv/bin/python tests/differential/faults.py --conformance-only

Exit status 1 when any case differs. Report: target/differential/faults/report.json.
Environment: CONFORMANCE_DIR, PLAYGROUND_BIN as for run.py.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import traceback
import zlib
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from impls import Alembic, Result, _run_forked, is_sqlmodel  # noqa: E402
from procedure import models_files  # noqa: E402
from sample_rows import insert_sample_rows  # noqa: E402
from snapshot import connect_ro, quote, snapshot, user_tables  # noqa: E402
import run as differential  # noqa: E402

WORK = os.path.join(ROOT, "target", "differential", "faults")

# The statements counted: the same rule as src/platform/fault.rs `counts`.
_WRITE = re.compile(r"\A(?:\s|--[^\n]*(?:\n|\Z)|/\*.*?(?:\*/|\Z))*(CREATE|DROP|ALTER|INSERT|UPDATE|DELETE|REPLACE)(?![\w])",
                    re.I | re.S)


def counts(sql: str) -> bool:
    return _WRITE.match(sql) is not None


_DML = re.compile(r"\A(?:\s|--[^\n]*(?:\n|\Z)|/\*.*?(?:\*/|\Z))*(INSERT|UPDATE|DELETE|REPLACE)(?![\w])", re.I | re.S)


def _fault_listener(fail_at: int | None, log: str | None):
    """What the forked Alembic child installs before `alembic.config.main`.

    The fault is SQLite raising while it runs statement k, after Python's
    sqlite3 module has done what it does before running a statement: for
    INSERT/UPDATE/DELETE/REPLACE outside a transaction, its implicit `BEGIN`
    (CPython 3.11 `_pysqlite_query_execute`). That BEGIN matters: Alembic's
    batch copy drops `_alembic_tmp_x` when the INSERT ... SELECT fails, and the
    rollback then undoes the DROP, so the temporary table stays, as it does
    when a real constraint fails there."""
    def setup() -> None:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
        seen = [0]

        @event.listens_for(Engine, "before_cursor_execute")
        def _fault(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
            if not counts(statement):
                return
            seen[0] += 1
            if log:
                with open(log, "a") as f:
                    f.write(" ".join(statement.split()) + "\n")
            if seen[0] == fail_at:
                dbapi = cursor.connection
                if _DML.match(statement) and dbapi.isolation_level is not None and not dbapi.in_transaction:
                    dbapi.execute("BEGIN ")
                raise sqlite3.OperationalError(f"injected fault at statement {fail_at}")
    return setup


def signature(statement: str) -> str:
    """What must agree between the two sides' statement lists: the first three
    words (`CREATE TABLE _alembic_tmp_x`, `INSERT INTO alembic_version`); the
    rest of the text may be spelled differently (`RETURNING`, quoting)."""
    return " ".join(re.sub(r"[(),]", " ", statement).split()[:3]).upper()


# --- the two sides -----------------------------------------------------------

class Side:
    """One implementation in its own project folder, started from a saved database each time."""

    def __init__(self, name: str, folder: str, db: str):
        self.name, self.folder, self.db = name, folder, db

    def run(self, args: list[str], start_db: str, fail_at: int | None, log: str | None) -> Result:
        shutil.copyfile(start_db, self.db)
        if log and os.path.exists(log):
            os.remove(log)
        return self._run(args, fail_at, log)

    def _run(self, args: list[str], fail_at: int | None, log: str | None) -> Result:
        raise NotImplementedError


class AlembicSide(Side):
    def _run(self, args, fail_at, log):
        return _run_forked(args, self.folder, child_setup=_fault_listener(fail_at, log))


class PlaygroundSide(Side):
    def __init__(self, name: str, folder: str, db: str, binary: str):
        super().__init__(name, folder, db)
        self.binary = binary

    def _run(self, args, fail_at, log):
        env = {k: v for k, v in os.environ.items() if not k.startswith("ALEMBIC_PLAYGROUND_")}
        if fail_at is not None:
            env["ALEMBIC_PLAYGROUND_FAIL_STATEMENT"] = str(fail_at)
        if log:
            env["ALEMBIC_PLAYGROUND_STATEMENT_LOG"] = log
        f = self.folder
        cmd = [self.binary, "--models", os.path.join(f, "models.py"), "--versions", os.path.join(f, "versions"),
               "--db", self.db, *args]
        try:
            p = subprocess.run(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
        except subprocess.TimeoutExpired:
            return Result(124, "", "timed out")
        return Result(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))


def rows(db: str) -> dict[str, list[str]]:
    """Every row of every table (`_alembic_tmp_*` and alembic_version included), sorted."""
    con = connect_ro(db)
    try:
        return {name: sorted(repr(r) for r in con.execute(f"SELECT * FROM {quote(name)}"))
                for name, _sql in user_tables(con)}
    finally:
        con.close()


def outcome(r: Result, db: str) -> dict[str, Any]:
    return {"ok": r.ok, "error": r.error, "snapshot": snapshot(db), "rows": rows(db)}


def statements(log: str) -> list[str]:
    if not os.path.exists(log):
        return []
    with open(log) as f:
        return f.read().splitlines()


# --- one scenario ------------------------------------------------------------

def build_reference(alembic: Alembic, folder: str, work: str) -> tuple[str, list[dict[str, Any]]]:
    """Real Alembic runs the chain; returns (project dir, migrations with their saved databases)."""
    models = models_files(folder)
    sqlmodel = any(is_sqlmodel(open(m).read()) for m in models)
    project = os.path.join(work, "alembic")
    alembic.prepare(project, sqlmodel)
    db = alembic.db(project)
    states = os.path.join(work, "states")
    os.makedirs(states)
    # an empty database with nothing in it still has a file, as after `alembic current`
    sqlite3.connect(db).close()
    migrations = []
    for i, path in enumerate(models, start=1):
        rev = f"r{i:04d}"
        shutil.copyfile(path, alembic.models(project))
        r = alembic.run(project, ["revision", "--autogenerate", "-m", f"step_{i}", "--rev-id", rev])
        if not r.ok:
            break  # e.g. "Target database is not up to date" after a failing step
        before = os.path.join(states, f"before_{rev}.db")
        shutil.copyfile(db, before)
        up = alembic.run(project, ["upgrade", rev])
        after = os.path.join(states, f"after_{rev}.db")
        if up.ok:
            insert_sample_rows(db, i)
            shutil.copyfile(db, after)
        migrations.append({"rev": rev, "models": path, "before": before, "after": after if up.ok else None})
    return project, migrations


def run_scenario(task: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    sid, folder, opts = task
    started = time.time()
    work = os.path.join(WORK, sid.replace("/", "__"))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    report: dict[str, Any] = {"id": sid, "cases": [], "error": None}
    try:
        alembic = Alembic(os.path.join(WORK, "_templates"))
        project, migrations = build_reference(alembic, folder, work)
        pg_dir = os.path.join(work, "playground")
        os.makedirs(os.path.join(pg_dir, "versions"))
        for p in sorted(os.listdir(alembic.versions(project))):
            if p.endswith(".py"):
                shutil.copyfile(os.path.join(alembic.versions(project), p), os.path.join(pg_dir, "versions", p))
        sides = [AlembicSide("alembic", project, alembic.db(project)),
                 PlaygroundSide("playground", pg_dir, os.path.join(pg_dir, "app.db"), opts["bin"])]
        for m in migrations:
            runs = [("upgrade", ["upgrade", m["rev"]], m["before"])]
            if m["after"]:
                runs.append(("downgrade", ["downgrade", "-1"], m["after"]))
            for direction, args, start in runs:
                shutil.copyfile(m["models"], os.path.join(project, "models.py"))
                shutil.copyfile(m["models"], os.path.join(pg_dir, "models.py"))
                report["cases"].append(run_migration(sid, m["rev"], direction, args, start, sides, work, opts))
    except Exception:
        report["error"] = traceback.format_exc()
    report["seconds"] = time.time() - started
    return report


def run_migration(sid: str, rev: str, direction: str, args: list[str], start: str, sides: list[Side],
                  work: str, opts: dict[str, Any]) -> dict[str, Any]:
    """Counts the statements of one migration, then fails each in turn."""
    logs = [os.path.join(work, f"{s.name}.log") for s in sides]
    clean = [s.run(args, start, None, log) for s, log in zip(sides, logs)]
    listed = [statements(log) for log in logs]
    n = max(len(x) for x in listed)
    case: dict[str, Any] = {
        "migration": f"{rev} {direction}", "statements": [len(x) for x in listed],
        "clean_ok": [r.ok for r in clean],
        "same_statements": [signature(x) for x in listed[0]] == [signature(x) for x in listed[1]],
        "faults": 0, "sampled": 0, "differences": [],
    }
    if listed[0] != listed[1]:
        case["statement_diff"] = differential.differences(listed[0], listed[1])[:20]
    for k in range(1, n + 1):
        case["faults"] += 1
        if opts["sample"] > 1 and zlib.crc32(f"{sid} {rev} {direction} {k}".encode()) % opts["sample"]:
            continue
        case["sampled"] += 1
        results = [outcome(s.run(args, start, k, None), s.db) for s in sides]
        if results[0] != results[1]:
            diffs = differential.differences(results[0], results[1])
            case["differences"].append({"k": k, "statement": listed[0][k - 1] if k <= len(listed[0]) else None,
                                        "diffs": diffs[:40]})
    return case


# --- main --------------------------------------------------------------------

def _init() -> None:
    import alembic.config  # noqa: F401  (forked per command)
    import sqlalchemy  # noqa: F401
    try:
        import sqlmodel  # noqa: F401
    except ImportError:
        pass


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-k", dest="only", action="append", default=[], help="only scenarios whose id contains this")
    ap.add_argument("-j", dest="jobs", type=int, default=2, help="scenarios run in parallel (default 2)")
    ap.add_argument("-v", dest="verbose", action="store_true", help="print every difference")
    ap.add_argument("--sample", type=int, default=1,
                    help="inject only about one fault in N (chosen by a hash of scenario, migration and k)")
    ap.add_argument("--conformance-only", action="store_true", help="only ../shared/conformance")
    args = ap.parse_args()

    binary = os.environ.get("PLAYGROUND_BIN", os.path.join(ROOT, "target", "release", "alembic-playground"))
    if not os.path.isabs(binary):
        binary = os.path.join(ROOT, binary)
    if not os.access(binary, os.X_OK):
        print(f"faults: {binary} is missing; build it with `cargo build --release --bin alembic-playground`",
              file=sys.stderr)
        return 2
    scenarios = differential.discover()
    if not any(s.startswith("conformance/") for s in scenarios):
        print(f"faults: no conformance scenarios in {differential.conformance_dir()} (set CONFORMANCE_DIR)",
              file=sys.stderr)
        return 2
    if args.conformance_only:
        scenarios = {k: v for k, v in scenarios.items() if k.startswith("conformance/")}
    if args.only:
        scenarios = {k: v for k, v in scenarios.items() if any(o in k for o in args.only)}
    os.makedirs(WORK, exist_ok=True)
    shutil.rmtree(os.path.join(WORK, "_templates"), ignore_errors=True)
    ref = Alembic(os.path.join(WORK, "_templates"))
    ref.template(False)
    ref.template(True)
    opts = {"bin": binary, "sample": max(1, args.sample)}
    tasks = [(sid, folder, opts) for sid, folder in sorted(scenarios.items())]
    print(f"faults: {len(tasks)} scenarios, {args.jobs} workers"
          + (f", one fault in ~{args.sample}" if args.sample > 1 else ", every statement"), flush=True)
    started = time.time()
    if args.jobs > 1 and len(tasks) > 1:
        with multiprocessing.get_context("fork").Pool(args.jobs, initializer=_init) as pool:
            reports = list(pool.imap(run_scenario, tasks))
    else:
        _init()
        reports = [run_scenario(t) for t in tasks]

    migrations = faults = sampled = differing = harness_errors = 0
    statement_mismatch = []
    for rep in reports:
        if rep["error"]:
            harness_errors += 1
            print(f"\n== {rep['id']}: HARNESS ERROR\n{rep['error']}")
            continue
        n_faults = sum(c["faults"] for c in rep["cases"])
        n_diff = sum(len(c["differences"]) for c in rep["cases"])
        migrations += len(rep["cases"])
        faults += n_faults
        sampled += sum(c["sampled"] for c in rep["cases"])
        differing += n_diff
        print(f"== {rep['id']}: {len(rep['cases'])} migrations, {n_faults} statements, "
              f"{n_diff} differ ({rep['seconds']:.1f}s)")
        for c in rep["cases"]:
            if not c["same_statements"]:
                statement_mismatch.append(f"{rep['id']} {c['migration']}")
            if not c["same_statements"] or (args.verbose and c.get("statement_diff")):
                print(f"   statements {'differ' if not c['same_statements'] else 'spelled differently'} in {c['migration']} (alembic {c['statements'][0]}, "
                      f"playground {c['statements'][1]}): {c['statement_diff'][:1 if not args.verbose else None]}")
            for d in c["differences"]:
                print(f"   DIFF {c['migration']} fault at {d['k']}: {d['statement']}")
                for line in d["diffs"][: None if args.verbose else 4]:
                    print(f"        {line}")
    with open(os.path.join(WORK, "report.json"), "w") as f:
        json.dump(reports, f, indent=1)
    print(f"\ntook {time.time() - started:.1f}s; work files in {os.path.relpath(WORK, os.getcwd())}")
    print(f"faults: {len(reports)} scenarios, {migrations} migrations, {faults} statements, "
          f"{sampled} faults injected, {differing} differ, {len(statement_mismatch)} migrations with "
          f"different statements, {harness_errors} harness errors")
    return 1 if differing or harness_errors or statement_mismatch else 0


if __name__ == "__main__":
    sys.exit(main())
