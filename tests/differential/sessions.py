#!/usr/bin/env python3
"""Command sessions: scripted alembic command lines, run through real Alembic
and through the playground CLI, compared command by command.

A session is a text file in sessions/ (`NAME.txt`), one step a line:

```
# a comment; blank lines are skipped
write models.py <<EOF          # a file, up to the line `EOF`: models.py,
...                            # versions/FILE (a hand-written migration), or
EOF                            # another .py path: a module of the project beside
                               # models.py (helpers.py, myapp/types.py), importable
                               # (alembic.ini's prepend_sys_path; the CLI's --path)
writeb versions/a\\nb.py <<EOF  # like `write`, but the name and the text are read as
...                            # Python bytes escapes (`\\n`, `\\xff`): odd names, bad UTF-8
EOF
sql INSERT INTO t VALUES (1)   # run on the database with sqlite3 (not compared)
random item.token              # that column's values come from a random source (such
                               # as randomblob()): compared by storage class only
revision -m "first" --rev-id a1   # anything else: an alembic command line
```

Without a `write models.py` step the project starts with an empty
declarative `Base`. Revision ids are random unless given: sessions pass
`--rev-id` so that both sides name their files alike.

Per command this compares (each its own key for run.py's ratchet):
`exit` (status), `stdout` (versions-dir path, database path and Create Date
normalized), `stderr` (the log lines `INFO  [..]`/`WARNI [..]`/`ERROR [..]` and the
other levels, logging's `NoneType: None` and `--- Logging error ---`,
`FAILED:`, argparse's `error:` line, warnings, and the final exception line
of a traceback), `files` (the versions directory's file names), `scripts` (the text of each
script the command wrote or changed, its Create Date normalized) and `db`
(alembic_version rows, user tables via PRAGMA, row counts). The lines of
`current` (one per head), lists of branch labels and a branch point's
next revisions (`branches`) are sorted: Alembic
prints them in set order, which changes from run to run.

Run alone: `.venv/bin/python tests/differential/sessions.py [-v] [-k NAME]`
(the same as `run.py --sessions-only`); run.py runs them after the scenarios.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import sqlite3
import sys
import time
import traceback
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
SESSIONS = os.path.join(HERE, "sessions")

from snapshot import snapshot  # noqa: E402

EMPTY_MODELS = (
    "from sqlalchemy.orm import declarative_base\n"
    "\n"
    "Base = declarative_base()\n"
)


def discover() -> dict[str, str]:
    """{`session/NAME`: file}."""
    if not os.path.isdir(SESSIONS):
        return {}
    return {f"session/{n[:-4]}": os.path.join(SESSIONS, n)
            for n in sorted(os.listdir(SESSIONS)) if n.endswith(".txt")}


# --- session files -----------------------------------------------------------

def read_steps(text: str, where: str = "session") -> list[tuple[str, Any]]:
    """[("write", (path, text | bytes)) | ("sql", statement) | ("random", "table.column") | ("cmd", line)] of a
    session file's text; the one reader of the format (fuzz/seeds.py uses it too)."""
    steps: list[tuple[str, Any]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"(writeb?)\s+(\S+)\s*<<\s*EOF", line)
        if m:
            body = []
            while i < len(lines) and lines[i] != "EOF":
                body.append(lines[i])
                i += 1
            if i >= len(lines):
                raise ValueError(f"{where}: `{m.group(1)} {m.group(2)}` has no closing EOF line")
            i += 1
            text = "\n".join(body) + "\n"
            if m.group(1) == "writeb":
                import codecs
                name = codecs.escape_decode(m.group(2).encode())[0].decode("utf-8", "surrogateescape")
                steps.append(("write", (name, codecs.escape_decode(text.encode())[0])))
            else:
                steps.append(("write", (m.group(2), text)))
        elif line.startswith("sql "):
            steps.append(("sql", line[4:]))
        elif re.fullmatch(r"random\s+[^.\s]+\.\S+", line):
            steps.append(("random", line.split()[1]))
        else:
            steps.append(("cmd", line))
    return steps


def parse(path: str) -> list[tuple[str, Any]]:
    """[("write", (path, text | bytes)) | ("sql", statement) | ("cmd", argv)]."""
    steps: list[tuple[str, Any]] = []
    with open(path) as f:
        text = f.read()
    for kind, value in read_steps(text, path):
        if kind == "cmd":
            argv = shlex.split(value)
            if argv and argv[0] == "alembic":
                argv = argv[1:]
            value = argv
        steps.append((kind, value))
    return steps


# --- normalizing -------------------------------------------------------------

_EXC = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b(: .*)?$")
_WARN = re.compile(r"^(?:.*?:\d+: )?(\w*Warning): (.*)$")


def _sorted_labels(m: re.Match) -> str:
    return ", ".join(sorted(m.group(2).split(", "))).join((m.group(1), m.group(3)))


def _sorted_lines(m: re.Match) -> str:
    block = m.group(0)
    end = "\n" if block.endswith("\n") else ""
    return "\n".join(sorted(block.rstrip("\n").split("\n"))) + end


def read_scripts(versions: str) -> dict[str, str]:
    """{file name: text} of the versions directory's .py files."""
    if not os.path.isdir(versions):
        return {}
    out = {}
    for n in sorted(os.listdir(versions)):
        if n.endswith(".py"):
            with open(os.path.join(versions, n), "rb") as f:
                out[n] = f.read().decode("utf-8", "surrogateescape")
    return out


def norm_script(text: str) -> str:
    """A script a command wrote, its one varying line (the date) normalized."""
    return re.sub(r"Create Date: .*", "Create Date: <date>", text)


def norm_stdout(text: str, versions: str, db: str) -> str:
    text = text.replace(os.path.abspath(versions), "<versions>").replace(os.path.abspath(db), "<db>")
    text = re.sub(r"Create Date: .*", "Create Date: <date>", text)
    # branch labels are a Python set: their order changes from run to run
    text = re.sub(r"(\()([\w-]+(?:, [\w-]+)+)(\))", _sorted_labels, text)
    text = re.sub(r"(?m)^(Branch names: )(.*)()$", _sorted_labels, text)
    # so are a branch point's next revisions (`branches`)
    text = re.sub(r"(?m)^(Branches into: )(.*)()$", _sorted_labels, text)
    text = re.sub(r"(?m)(?:^   -> .*(?:\n|$))+", _sorted_lines, text)
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines())


def norm_address(text: str) -> str:
    """An object's repr carries its id (`<...SQLiteTypeCompiler object at 0x7f...>`)."""
    return re.sub(r"( object at )0x[0-9a-f]+>", r"\g<1>0x...>", text)


def norm_stderr(text: str, versions: str, db: str) -> list[str]:
    """The lines of stderr both sides must agree on."""
    text = text.replace(os.path.abspath(versions), "<versions>").replace(os.path.abspath(db), "<db>")
    text = norm_address(text)
    out: list[str] = []
    in_tb = False
    last_exc = None
    for line in text.splitlines():
        line = line.rstrip()
        if line.startswith("Traceback (most recent call last):"):
            in_tb = True
            continue
        if line.startswith(("INFO  [", "WARNI [", "ERROR [", "CRITI [", "DEBUG [", "Level [", "FAILED:")):
            out.append(line)
            continue
        # what logging adds to a record's line (`exc_info` outside an except
        # block) and what a record that fails to format prints instead
        if line in ("NoneType: None", "--- Logging error ---"):
            out.append(line)
            continue
        m = re.match(r"^\S+: error: (.*)$", line)
        if m:
            out.append(f"error: {m.group(1)}")
            continue
        m = _WARN.match(line)
        if m:
            out.append(f"{m.group(1)}: {m.group(2)}")
            continue
        if in_tb and _EXC.match(line):
            last_exc = line
    if last_exc is not None:
        out.append(f"exception: {last_exc}")
    return out


def exception_line(text: str) -> str | None:
    """The playground's emulated exception line (its first line matching the shape)."""
    for line in text.splitlines():
        if _EXC.match(line.rstrip()):
            return line.rstrip()
    return None


# --- running -----------------------------------------------------------------

def run_session(impl: Any, steps: list[tuple[str, Any]], workdir: str) -> list[dict[str, Any]]:
    """Runs the steps; one record per command."""
    shutil.rmtree(workdir, ignore_errors=True)
    impl.prepare(workdir, sqlmodel=any(k == "write" and isinstance(v[1], str) and "sqlmodel" in v[1]
                                       for k, v in steps))
    models = impl.models(workdir)
    versions = impl.versions(workdir)
    db = impl.db(workdir)
    with open(models, "w") as f:
        f.write(EMPTY_MODELS)
    records = []
    random_columns = [arg.split(".", 1) for kind, arg in steps if kind == "random"]
    for kind, arg in steps:
        if kind == "random":
            continue
        if kind == "write":
            name, text = arg
            if name == "models.py":
                path = models
            elif name.startswith("versions/"):
                path = os.path.join(versions, name[len("versions/"):])
            elif name.endswith(".py") and not os.path.isabs(name) and ".." not in name.split("/"):
                path = os.path.join(os.path.dirname(models), name)
                os.makedirs(os.path.dirname(path), exist_ok=True)
            else:
                raise ValueError(f"write: only models.py, versions/FILE or a module's .py path, not {name}")
            with open(path, "wb" if isinstance(text, bytes) else "w") as f:
                f.write(text)
            for pyc in ("__pycache__",):
                shutil.rmtree(os.path.join(os.path.dirname(path), pyc), ignore_errors=True)
            continue
        if kind == "sql":
            con = sqlite3.connect(db)
            try:
                con.executescript(arg)
                con.commit()
            finally:
                con.close()
            continue
        before = read_scripts(versions)
        r = impl.run(workdir, arg)
        after = read_scripts(versions)
        stderr = norm_stderr(r.stderr, versions, db)
        if impl.name != "alembic" and not any(s.startswith("exception: ") for s in stderr) and r.code == 1:
            exc = exception_line(norm_address(r.stderr))
            if exc:
                stderr.append(f"exception: {exc}")
        files = sorted(f for f in os.listdir(versions) if f.endswith(".py")) if os.path.isdir(versions) else []
        stdout = norm_stdout(r.stdout, versions, db)
        if arg[:1] == ["current"] and not ({"-v", "--verbose"} & set(arg)):
            # one line per head, in the order of a Python set (varies per run)
            stdout = "\n".join(sorted(stdout.splitlines()))
        records.append({
            "cmd": " ".join(shlex.quote(a) for a in arg),
            "exit": r.code,
            "stdout": stdout,
            "stderr": stderr,
            "files": files,
            "scripts": {n: norm_script(t) for n, t in after.items() if before.get(n) != t},
            "db": mask_random(snapshot(db), random_columns),
            "raw_stderr": r.stderr,
        })
    return records


def mask_random(snap: dict[str, Any], columns: list[list[str]]) -> dict[str, Any]:
    """The snapshot with the values of the `random` columns replaced by `<random>`."""
    for table, column in columns:
        t = snap.get("tables", {}).get(table)
        names = [c["name"] for c in t["columns"]] if t else []
        if column not in names:
            continue
        i = names.index(column)
        for row in t["data"]:
            row[i] = [row[i][0], "<random>"]
        t["data"].sort(key=repr)
    return snap


def comparisons(ref: list[dict[str, Any]], other: list[dict[str, Any]]) -> list[tuple[str, Any, Any]]:
    out = []
    for i, r in enumerate(ref):
        o = other[i] if i < len(other) else {}
        for aspect in ("exit", "stdout", "stderr", "files", "scripts", "db"):
            out.append((f"{i + 1:02d} {r['cmd']} | {aspect}", r[aspect], o.get(aspect)))
    return out


def run_one(task: tuple[str, str], ref: Any, other: Any, work: str, differences: Any) -> dict[str, Any]:
    """A report in run.py's shape: {"id", "results": [(key, match, diffs)], ...}."""
    sid, path = task
    started = time.time()
    base = os.path.join(work, sid.replace("/", "__"))
    try:
        steps = parse(path)
        rec_ref = run_session(ref, steps, os.path.join(base, "alembic"))
        rec_other = run_session(other, steps, os.path.join(base, "other"))
        import json
        with open(os.path.join(base, "records.json"), "w") as f:
            json.dump({"alembic": rec_ref, "other": rec_other}, f, indent=1, default=str)
        results = []
        for key, a, b in comparisons(rec_ref, rec_other):
            diffs = differences(a, b)
            if isinstance(a, str) and isinstance(b, str) and a != b:
                diffs = _line_diff(a, b)
            results.append((key, a == b, diffs))
        first = next((f"{e['cmd']}: exit {e['exit']}" for e, r in zip(rec_other, rec_ref)
                      if e["exit"] != r["exit"]), None)
        return {"id": sid, "results": results, "error": None, "seconds": time.time() - started,
                "other_first_failure": first}
    except Exception:
        return {"id": sid, "results": [], "error": traceback.format_exc(), "seconds": time.time() - started}


def _line_diff(a: str, b: str) -> list[str]:
    import difflib
    return [d for d in difflib.unified_diff(a.splitlines(), b.splitlines(), "alembic", "other", n=0, lineterm="")
            if not d.startswith(("---", "+++"))]


if __name__ == "__main__":
    import run  # noqa: E402
    sys.argv = [sys.argv[0], "--sessions-only", *sys.argv[1:]]
    sys.exit(run.main())
