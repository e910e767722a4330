#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, made from the repository's fixtures.

    python3 fuzz/seeds.py OUT_DIR        # writes OUT_DIR/<target>/<hash> files

Sources (each read if present):
* models:  ../shared/conformance/*/models_*.py, tests/differential/scenarios/*/models_*.py,
           crates/engine/tests/fixtures/{models,models_bad,alembic_models}/
* script:  crates/engine/tests/fixtures/{alembic_scripts,alembic_scripts_nobatch,
           alembic_scripts_rendered,hand_scripts}/, tests/differential/sessions (versions/ files)
* args:    the command lines of tests/differential/sessions/*.txt and
           crates/engine/tests/fixtures/revision/*.case, as one line and as NUL-separated argv
* revspec: the graphs of crates/engine/tests/fixtures/revision/*.case, each with the
           targets its commands name (format: see fuzz/src/lib.rs `revspec`)
* session: tests/differential/sessions/*.txt as they are, plus one session per scenario
           (models_1..N with autogenerate, upgrade, a row, downgrade, --sql)
Only the standard library: CI runs it with the system python3.
"""
from __future__ import annotations

import glob
import hashlib
import os
import re
import shlex
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIXTURES = os.path.join(ROOT, "crates", "engine", "tests", "fixtures")
SESSIONS = os.path.join(ROOT, "tests", "differential", "sessions")
sys.path.insert(0, os.path.join(ROOT, "tests", "differential"))
from sessions import read_steps  # noqa: E402  (the one reader of session files)


def conformance_dirs() -> list[str]:
    dirs = []
    for base in (os.path.join(ROOT, "..", "shared", "conformance"), os.path.join(ROOT, "tests", "differential", "scenarios")):
        dirs += sorted(d for d in glob.glob(os.path.join(base, "*")) if os.path.isfile(os.path.join(d, "models_1.py")))
    return dirs


def models_of(scen: str) -> list[str]:
    files = [f for f in glob.glob(os.path.join(scen, "models_*.py")) if re.search(r"models_\d+\.py$", f)]
    return sorted(files, key=lambda p: int(re.search(r"models_(\d+)\.py$", p).group(1)))


def py_under(*dirs: str) -> list[str]:
    out = []
    for d in dirs:
        out += sorted(glob.glob(os.path.join(d, "**", "*.py"), recursive=True))
    return out


def read(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def cases() -> list[tuple[list[str], list[str]]]:
    """[(graph lines in revspec format, command lines)] of the revision fixtures."""
    out = []
    for path in sorted(glob.glob(os.path.join(FIXTURES, "revision", "*.case"))):
        graph, cmds = [], []
        for line in read(path).splitlines():
            if line.startswith("rev "):
                words = line[4:].split(" doc=")[0].split()
                rid, fields = words[0], dict(w.split("=", 1) for w in words[1:] if "=" in w)
                graph.append(" ".join([rid, fields.get("down", "-"), fields.get("labels", "-"), fields.get("deps", "-")]))
            elif line.startswith("cmd "):
                cmds.append(line[4:])
        out.append((graph, cmds))
    return out


SPEC_VERBS = {"upgrade", "downgrade", "stamp", "show", "merge"}
EXTRA_SPECS = ["head", "heads", "base", "+1", "-1", "+2", "head-1", "heads+1", "base+1", "a@head", "a@base", "a@-1",
               "a:b", "base:head", ":head", "current", "+9223372036854775809", "-0", "head+0", "x@+1", "@head"]


def specs_of(cmd: str) -> list[str]:
    try:
        words = shlex.split(cmd)
    except ValueError:
        return []
    if not words or words[0] not in SPEC_VERBS:
        out = []
    else:
        out = [w for w in words[1:] if not w.startswith("--")]
    for flag in ("-r", "--head"):
        if flag in words and words.index(flag) + 1 < len(words):
            out.append(words[words.index(flag) + 1])
    return out


def scenario_session(scen: str) -> str:
    parts = []
    for n, path in enumerate(models_of(scen), start=1):
        parts.append(f"write models.py <<EOF\n{read(path).rstrip()}\nEOF")
        parts.append(f"revision --autogenerate -m step_{n} --rev-id r{n:04d}\nupgrade head\ncheck")
    parts.append("history -v\ncurrent\ndowngrade -1\nupgrade head --sql\ndowngrade base\nupgrade +1")
    return "\n".join(parts) + "\n"


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out_dir = sys.argv[1]
    seeds: dict[str, list[str | bytes]] = {t: [] for t in ("models", "script", "args", "revspec", "session")}
    scenarios = conformance_dirs()
    for scen in scenarios:
        seeds["models"] += [read(p) for p in models_of(scen)]
    seeds["models"] += [read(p) for p in py_under(*(os.path.join(FIXTURES, d) for d in ("models", "models_bad", "alembic_models")))]
    seeds["script"] += [read(p) for p in py_under(*(os.path.join(FIXTURES, d) for d in (
        "alembic_scripts", "alembic_scripts_nobatch", "alembic_scripts_rendered", "hand_scripts")))]
    session_files = sorted(glob.glob(os.path.join(SESSIONS, "*.txt")))
    for path in session_files:
        text = read(path)
        seeds["session"].append(text)
        for kind, value in read_steps(text, path):
            if kind == "cmd":
                seeds["args"].append(value)
            elif kind == "write":
                name, body = value
                seeds["script" if name.startswith("versions/") else "models"].append(body)
    seeds["session"] += [scenario_session(s) for s in scenarios]
    for graph, cmds in cases():
        specs = {s for c in cmds for s in specs_of(c)} | set(EXTRA_SPECS[:6])
        heads = [g.split()[0] for g in graph[-2:]]
        for n, spec in enumerate(sorted(specs)):
            current = " ".join(heads[: n % 3])
            seeds["revspec"].append("\n".join([spec, current, *graph]) + "\n")
        seeds["args"] += cmds
    linear = ["a1 - -", "a2 a1 -", "a3 a2 x", "b1 a1 y a3", "m a3,b1 -"]
    seeds["revspec"] += ["\n".join([s, "a2", *linear]) + "\n" for s in EXTRA_SPECS]
    for line in list(seeds["args"]):
        try:
            seeds["args"].append("\0".join(shlex.split(line)))
        except (ValueError, TypeError):
            pass
    total = 0
    for target, items in seeds.items():
        d = os.path.join(out_dir, target)
        os.makedirs(d, exist_ok=True)
        for text in dict.fromkeys(items):
            data = text if isinstance(text, bytes) else text.encode("utf-8")
            with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
                f.write(data)
        total += len(set(items))
        print(f"seeds: {target}: {len(set(items))}", file=sys.stderr)
    return 0 if total else 1


if __name__ == "__main__":
    sys.exit(main())
