"""The conformance procedure, run identically against either implementation.

```
for i in 1..N:
    cp models_i.py models.py
    revision --autogenerate -m step_i --rev-id r000i
    upgrade head; snapshot "up_i"; check; insert sample rows
current; heads; history
repeat N times: downgrade -1; snapshot "down_i"
upgrade head --sql
stamp head; stamp base
```
The run keeps going after a failing command. The result is a JSON-able record.
`cross_run` runs given version files on a fresh database (`upgrade head`, then
`downgrade base`) for the two cross checks.
"""
from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
from typing import Any

from sample_rows import insert_sample_rows
from snapshot import snapshot


def models_files(scen_dir: str) -> list[str]:
    files = glob.glob(os.path.join(scen_dir, "models_*.py"))
    num = lambda p: int(re.search(r"models_(\d+)\.py$", p).group(1))  # noqa: E731
    files = [f for f in files if re.search(r"models_(\d+)\.py$", f)]
    return sorted(files, key=num)


def version_files(versions_dir: str) -> list[str]:
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(versions_dir, "*.py")))


def norm_stdout(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def split_sql(text: str) -> list[str]:
    """Offline SQL → statements (Alembic prints `FAILED: ...` on stdout too; the
    caller takes those lines out first): comment lines dropped, split at `;` outside
    quotes, whitespace runs collapsed to one space."""
    body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("--"))
    out, cur, quote_ch = [], [], None
    for ch in body:
        if quote_ch:
            cur.append(ch)
            if ch == quote_ch:
                quote_ch = None
        elif ch in "'\"`":
            quote_ch = ch
            cur.append(ch)
        elif ch == ";":
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [s for s in (re.sub(r"\s+", " ", x).strip() for x in out) if s]


def normalize_drop_order(statements: list[str]) -> list[str]:
    """Alembic emits the tables an autogenerate step removes in set order, which
    varies between runs: sort each run of consecutive `[DROP INDEX ...;]* DROP TABLE x`
    groups by table."""
    out: list[str] = []
    run: list[list[str]] = []
    pending: list[str] = []
    for stmt in statements + [""]:
        upper = stmt.upper()
        if upper.startswith("DROP INDEX"):
            pending.append(stmt)
            continue
        if upper.startswith("DROP TABLE"):
            run.append(pending + [stmt])
            pending = []
            continue
        for group in sorted(run, key=lambda g: g[-1]):
            out += group
        run = []
        out += pending
        pending = []
        if stmt:
            out.append(stmt)
    return out


def alembic_version(db: str) -> Any:
    if not os.path.exists(db):
        return None
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return sorted(r[0] for r in con.execute("SELECT version_num FROM alembic_version"))
        finally:
            con.close()
    except sqlite3.Error as e:
        return f"error: {e}"


class Runner:
    def __init__(self, impl, workdir: str):
        self.impl, self.workdir, self.log = impl, workdir, []

    def __call__(self, *args: str):
        r = self.impl.run(self.workdir, list(args))
        self.log.append({"cmd": " ".join(args), "code": r.code, "error": r.error,
                         "stdout": r.stdout[-2000:], "stderr": r.stderr[-2000:]})
        return r


def procedure(impl, scen_dir: str, workdir: str) -> dict[str, Any]:
    models = models_files(scen_dir)
    first_src = open(models[0]).read()
    from impls import is_sqlmodel
    impl.prepare(workdir, is_sqlmodel(first_src) or any(is_sqlmodel(open(m).read()) for m in models))
    run = Runner(impl, workdir)
    db, versions = impl.db(workdir), impl.versions(workdir)
    rec: dict[str, Any] = {"impl": impl.name, "up": [], "down": []}
    for i, path in enumerate(models, start=1):
        shutil.copyfile(path, impl.models(workdir))
        before = set(version_files(versions))
        r = run("revision", "--autogenerate", "-m", f"step_{i}", "--rev-id", f"r{i:04d}")
        step: dict[str, Any] = {
            "revision": {"ok": r.ok, "error": r.error, "files": sorted(set(version_files(versions)) - before)}}
        r = run("upgrade", "head")
        step["upgrade"] = {"ok": r.ok, "error": r.error}
        step["snapshot"] = snapshot(db)
        r = run("check")
        step["check"] = {"ok": r.ok, "error": r.error}
        step["rows"] = insert_sample_rows(db, i) if os.path.exists(db) else {}
        rec["up"].append(step)
    for verb in ("current", "heads", "history"):
        r = run(verb)
        rec[verb] = {"ok": r.ok, "error": r.error, "stdout": norm_stdout(r.stdout)}
    for _ in models:
        r = run("downgrade", "-1")
        rec["down"].append({"ok": r.ok, "error": r.error, "snapshot": snapshot(db)})
    r = run("upgrade", "head", "--sql")
    sql = "\n".join(line for line in r.stdout.splitlines() if not line.startswith("FAILED:"))
    rec["sql"] = {"ok": r.ok, "error": r.error, "statements": normalize_drop_order(split_sql(sql))}
    for target in ("head", "base"):
        r = run("stamp", target)
        rec[f"stamp_{target}"] = {"ok": r.ok, "error": r.error, "alembic_version": alembic_version(db)}
    rec["versions_dir"] = versions
    rec["log"] = run.log
    return rec


def cross_run(impl, models_path: str, version_paths: list[str], workdir: str, sqlmodel: bool) -> dict[str, Any]:
    """Fresh project holding the given version files: upgrade head, downgrade base."""
    impl.prepare(workdir, sqlmodel)
    shutil.copyfile(models_path, impl.models(workdir))
    for p in version_paths:
        shutil.copyfile(p, os.path.join(impl.versions(workdir), os.path.basename(p)))
    run = Runner(impl, workdir)
    db = impl.db(workdir)
    rec: dict[str, Any] = {"files": [os.path.basename(p) for p in version_paths]}
    r = run("upgrade", "head")
    rec["upgrade"] = {"ok": r.ok, "error": r.error, "snapshot": snapshot(db)}
    r = run("downgrade", "base")
    rec["downgrade"] = {"ok": r.ok, "error": r.error, "snapshot": snapshot(db)}
    rec["log"] = run.log
    return rec
