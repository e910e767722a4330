#!/usr/bin/env python3
"""Differential tests: alembic-playground against real Alembic 1.20.1.

Runs the conformance procedure (../shared/conformance/README.md) for every
scenario with real Alembic and with the playground CLI, plus the two cross
checks, and compares step by step. A ratchet (expected.json) records which
comparisons matched: the run fails only if one of them stops matching.

    .venv/bin/python tests/differential/run.py              # playground vs alembic, ratchet
    .venv/bin/python tests/differential/run.py --update     # rewrite expected.json
    .venv/bin/python tests/differential/run.py --self-check # alembic vs alembic: must be 100%
    .venv/bin/python tests/differential/run.py -k gym -v    # one scenario, every difference
    .venv/bin/python tests/differential/run.py --sessions-only   # only the command sessions (sessions.py)

After the scenarios come the command sessions (sessions/*.txt, see sessions.py):
scripted command lines compared command by command.

Environment: CONFORMANCE_DIR (default ../shared/conformance from the repo root),
PLAYGROUND_BIN (default target/release/alembic-playground), DIFF_NO_FORK=1.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import sys
import time
import traceback
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from impls import Alembic, Playground, is_sqlmodel  # noqa: E402
from procedure import cross_run, models_files, procedure, version_files  # noqa: E402
from snapshot import loosen  # noqa: E402
import sessions  # noqa: E402

EXPECTED = os.path.join(HERE, "expected.json")
WORK = os.path.join(ROOT, "target", "differential")


# --- scenarios ---------------------------------------------------------------

def conformance_dir() -> str:
    d = os.environ.get("CONFORMANCE_DIR", os.path.join("..", "shared", "conformance"))
    return os.path.normpath(os.path.join(ROOT, d))


def discover() -> dict[str, str]:
    """{scenario id: folder}: `conformance/NAME` and `local/NAME`."""
    found = {}
    for prefix, base in (("conformance", conformance_dir()), ("local", os.path.join(HERE, "scenarios"))):
        if not os.path.isdir(base):
            continue
        for name in sorted(os.listdir(base)):
            if os.path.isfile(os.path.join(base, name, "models_1.py")):
                found[f"{prefix}/{name}"] = os.path.join(base, name)
    return found


# --- comparisons -------------------------------------------------------------

def comparisons(ref: dict[str, Any], other: dict[str, Any], cross: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """[(key, alembic's value, other's value)] in report order."""
    out = []
    get = lambda lst, i: lst[i] if i < len(lst) else {"missing": True}  # noqa: E731
    for i, r in enumerate(ref["up"]):
        o = get(other["up"], i)
        n = i + 1
        out.append((f"up_{n} revision", r["revision"], o.get("revision")))
        out.append((f"up_{n} upgrade", r["upgrade"], o.get("upgrade")))
        out.append((f"up_{n} schema strict", r["snapshot"], o.get("snapshot")))
        out.append((f"up_{n} schema loose", loosen(r["snapshot"]), loosen(o.get("snapshot", {}))))
        out.append((f"up_{n} check", r["check"], o.get("check")))
    for verb in ("current", "heads", "history"):
        out.append((verb, ref[verb], other.get(verb)))
    for i, r in enumerate(ref["down"]):
        o = get(other["down"], i)
        n = i + 1
        out.append((f"down_{n} downgrade", {"ok": r["ok"], "error": r["error"]},
                    {"ok": o.get("ok"), "error": o.get("error")}))
        out.append((f"down_{n} schema strict", r["snapshot"], o.get("snapshot")))
        out.append((f"down_{n} schema loose", loosen(r["snapshot"]), loosen(o.get("snapshot", {}))))
    out.append(("upgrade head --sql", ref["sql"], other.get("sql")))
    out.append(("stamp head", ref["stamp_head"], other.get("stamp_head")))
    out.append(("stamp base", ref["stamp_base"], other.get("stamp_base")))
    # A cross run is one trajectory: `downgrade base` matches only if the
    # `upgrade head` before it did too (else an empty chain would match it).
    base = cross["base"]
    for label, key in (("cross playground-scripts-by-alembic", "by_alembic"),
                       ("cross alembic-scripts-by-playground", "by_other")):
        c = cross[key]
        loose = lambda r: {**r, "snapshot": loosen(r["snapshot"])}  # noqa: E731
        out.append((f"{label} upgrade strict", base["upgrade"], c["upgrade"]))
        out.append((f"{label} upgrade loose", loose(base["upgrade"]), loose(c["upgrade"])))
        out.append((f"{label} downgrade strict", {"upgrade": base["upgrade"], "downgrade": base["downgrade"]},
                    {"upgrade": c["upgrade"], "downgrade": c["downgrade"]}))
        out.append((f"{label} downgrade loose",
                    {"upgrade": loose(base["upgrade"]), "downgrade": loose(base["downgrade"])},
                    {"upgrade": loose(c["upgrade"]), "downgrade": loose(c["downgrade"])}))
    return out


def _short(v: Any, width: int = 100) -> str:
    s = json.dumps(v, sort_keys=True, default=str) if not isinstance(v, str) else repr(v)
    return s if len(s) <= width else s[:width - 3] + "..."


def differences(a: Any, b: Any, path: str = "", names: tuple[str, str] = ("alembic", "playground")) -> list[str]:
    """Human-readable differences between two JSON values, one per line
    (exit status and error message first)."""
    if a == b:
        return []
    A, B = names
    for x, y, who in ((a, b, B), (b, a, A)):
        if x != {"missing": True} and y == {"missing": True}:
            return [f"{path or 'database'}: no database file on the {who} side"]
    if isinstance(a, dict) and isinstance(b, dict) and ("ok" in a or "ok" in b):
        first = [k for k in ("ok", "error") if k in a or k in b]
        rest = {k: v for k, v in a.items() if k not in first}, {k: v for k, v in b.items() if k not in first}
        head = [f"{path + '.' if path else ''}{k}: {A}={_short(a.get(k))} {B}={_short(b.get(k))}"
                for k in first if a.get(k) != b.get(k)]
        return head + differences(rest[0], rest[1], path, names)
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in list(a) + [k for k in b if k not in a]:
            p = f"{path}.{k}" if path else str(k)
            if k not in a:
                out.append(f"{p}: only in {B}: {_short(b[k])}")
            elif k not in b:
                out.append(f"{p}: only in {A}: {_short(a[k])}")
            else:
                out += differences(a[k], b[k], p, names)
        return out
    if isinstance(a, list) and isinstance(b, list):
        named = all(isinstance(x, dict) and "name" in x for x in a + b)
        if named and a and b:
            an, bn = [x["name"] for x in a], [x["name"] for x in b]
            out = []
            if an != bn and sorted(an, key=repr) == sorted(bn, key=repr):
                out.append(f"{path}: order {A}={an} {B}={bn}")
            out += differences({x["name"]: x for x in a}, {x["name"]: x for x in b}, path, names)
            return out
        out = []
        for i in range(max(len(a), len(b))):
            p = f"{path}[{i}]"
            if i >= len(a):
                out.append(f"{p}: only in {B}: {_short(b[i])}")
            elif i >= len(b):
                out.append(f"{p}: only in {A}: {_short(a[i])}")
            else:
                out += differences(a[i], b[i], p, names)
        return out
    if isinstance(a, str) and isinstance(b, str) and "\n" in a + b:
        # multi-line text (a script): the lines that differ
        import difflib
        lines = difflib.unified_diff(a.splitlines(), b.splitlines(), A, B, n=0, lineterm="")
        return [f"{path or 'value'}: " + " | ".join(list(lines)[2:])]
    return [f"{path or 'value'}: {A}={_short(a)} {B}={_short(b)}"]


# --- one scenario ------------------------------------------------------------

_ARGS: dict[str, Any] = {}


def _init(args: dict[str, Any]) -> None:
    _ARGS.update(args)
    import alembic.config  # noqa: F401  (forked per command)
    import sqlalchemy  # noqa: F401
    try:
        import sqlmodel  # noqa: F401
    except ImportError:
        pass


def run_scenario(task: tuple[str, str]) -> dict[str, Any]:
    sid, folder = task
    if sid.startswith("session/"):
        ref = Alembic(os.path.join(WORK, "_templates"))
        other = ref if _ARGS["self_check"] else Playground(_ARGS["bin"], ROOT)
        return sessions.run_one(task, ref, other, WORK, differences)
    started = time.time()
    work = os.path.join(WORK, sid.replace("/", "__"))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    ref = Alembic(os.path.join(WORK, "_templates"))
    other = ref if _ARGS["self_check"] else Playground(_ARGS["bin"], ROOT)
    try:
        models = models_files(folder)
        sqlmodel = any(is_sqlmodel(open(m).read()) for m in models)
        rec_ref = procedure(ref, folder, os.path.join(work, "alembic"))
        rec_other = procedure(other, folder, os.path.join(work, "other"))
        ref_files = [os.path.join(rec_ref["versions_dir"], f) for f in version_files(rec_ref["versions_dir"])]
        oth_files = [os.path.join(rec_other["versions_dir"], f) for f in version_files(rec_other["versions_dir"])]
        cross = {
            "base": cross_run(ref, models[-1], ref_files, os.path.join(work, "cross_base"), sqlmodel),
            "by_alembic": cross_run(ref, models[-1], oth_files, os.path.join(work, "cross_by_alembic"), sqlmodel),
            "by_other": cross_run(other, models[-1], ref_files, os.path.join(work, "cross_by_other"), sqlmodel),
        }
        with open(os.path.join(work, "records.json"), "w") as f:
            json.dump({"alembic": rec_ref, "other": rec_other, "cross": cross}, f, indent=1, default=str)
        names = ("alembic", "alembic#2" if _ARGS["self_check"] else "playground")
        results = [(k, a == b, differences(a, b, names=names))
                   for k, a, b in comparisons(ref=rec_ref, other=rec_other, cross=cross)]
        first_error = next((f"{e['cmd']}: {e['error']}" for e in rec_other["log"] if e["code"] != 0), None)
        return {"id": sid, "results": results, "error": None, "seconds": time.time() - started,
                "other_first_failure": first_error}
    except Exception:
        return {"id": sid, "results": [], "error": traceback.format_exc(), "seconds": time.time() - started}


# --- main --------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--update", action="store_true", help="rewrite expected.json with this run's results")
    ap.add_argument("--self-check", action="store_true", help="real Alembic against itself; every comparison must match")
    ap.add_argument("-k", dest="only", action="append", default=[], help="only scenarios whose id contains this")
    ap.add_argument("-j", dest="jobs", type=int, default=2, help="scenarios run in parallel (default 2)")
    ap.add_argument("-v", dest="verbose", action="store_true", help="print every difference and every passing step")
    ap.add_argument("--sessions-only", action="store_true", help="only the command sessions (sessions/*.txt)")
    ap.add_argument("--no-sessions", action="store_true", help="only the conformance scenarios")
    args = ap.parse_args()

    binary = os.environ.get("PLAYGROUND_BIN", os.path.join(ROOT, "target", "release", "alembic-playground"))
    if not os.path.isabs(binary):
        binary = os.path.join(ROOT, binary)
    other_name = "alembic" if args.self_check else "playground"
    scenarios = discover()
    if not args.sessions_only and not any(s.startswith("conformance/") for s in scenarios):
        print(f"differential: no conformance scenarios in {conformance_dir()} (set CONFORMANCE_DIR)", file=sys.stderr)
        return 2
    if args.sessions_only:
        scenarios = {}
    if not args.no_sessions:
        scenarios.update(sessions.discover())
    if args.only:
        scenarios = {k: v for k, v in scenarios.items() if any(o in k for o in args.only)}
    if not args.self_check and not os.access(binary, os.X_OK):
        print(f"differential: {binary} is missing; build it with "
              "`cargo build --release --bin alembic-playground`", file=sys.stderr)
        return 2

    global WORK
    if args.self_check:  # its own folder: a self-check may run beside a normal run
        WORK = WORK + "-self-check"
    os.makedirs(WORK, exist_ok=True)
    shutil.rmtree(os.path.join(WORK, "_templates"), ignore_errors=True)
    ref = Alembic(os.path.join(WORK, "_templates"))
    ref.template(False)
    ref.template(True)

    print(f"differential: {len(scenarios)} scenarios, alembic vs {other_name}"
          f" ({binary if not args.self_check else 'second run'}), {args.jobs} workers", flush=True)
    started = time.time()
    opts = {"self_check": args.self_check, "bin": binary}
    tasks = sorted(scenarios.items())
    if args.jobs > 1 and len(tasks) > 1:
        with multiprocessing.get_context("fork").Pool(args.jobs, initializer=_init, initargs=(opts,)) as pool:
            reports = list(pool.imap(run_scenario, tasks))
    else:
        _init(opts)
        reports = [run_scenario(t) for t in tasks]

    expected: dict[str, dict[str, bool]] = {}
    if os.path.exists(EXPECTED):
        expected = json.load(open(EXPECTED))
    passed = failed = 0
    regressions, newly = [], []
    for rep in reports:
        sid = rep["id"]
        exp = {} if args.self_check else expected.get(sid, {})
        if rep["error"]:
            print(f"\n== {sid}: HARNESS ERROR\n{rep['error']}")
            failed += 1
            regressions += [f"{sid}: {k}" for k, v in exp.items() if v]
            if args.self_check:
                regressions.append(f"{sid}: harness error")
            continue
        ok = sum(1 for _, m, _ in rep["results"] if m)
        print(f"\n== {sid}: {ok}/{len(rep['results'])} match ({rep['seconds']:.1f}s)")
        if rep.get("other_first_failure") and ok < len(rep["results"]):
            print(f"   first failing {other_name} command: {rep['other_first_failure']}")
        for key, match, diffs in rep["results"]:
            was = exp.get(key)
            if match:
                passed += 1
                if was is False or (was is None and not args.self_check and sid in expected):
                    newly.append(f"{sid}: {key}")
                    print(f"   NEW  {key}")
                elif args.verbose:
                    print(f"   ok   {key}")
                continue
            failed += 1
            tag = "FAIL"
            if was is True or args.self_check:
                regressions.append(f"{sid}: {key}")
                tag = "REGRESSION" if was else "FAIL"
            if args.verbose or tag == "REGRESSION":
                print(f"   {tag} {key}")
                for d in diffs[: None if args.verbose else 10]:
                    print(f"        {d}")
            else:
                more = f"  (+{len(diffs) - 1} more, -v shows all)" if len(diffs) > 1 else ""
                print(f"   {tag} {key}: {diffs[0] if diffs else ''}{more}")
        for key, v in exp.items():
            if v and key not in {k for k, _, _ in rep["results"]}:
                regressions.append(f"{sid}: {key} (no longer compared)")

    if not args.self_check and not args.only:
        for sid in sorted(set(expected) - {r["id"] for r in reports}):
            print(f"\nwarning: {sid} is recorded in expected.json but was not found (scenario removed?)")
    print(f"\ntook {time.time() - started:.1f}s; work files in {os.path.relpath(WORK, os.getcwd())}")
    if args.update and not args.self_check:
        for rep in reports:
            if not rep["error"]:
                expected[rep["id"]] = {k: m for k, m, _ in rep["results"]}
        with open(EXPECTED, "w") as f:
            json.dump(expected, f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"updated {os.path.relpath(EXPECTED, os.getcwd())}")
    elif newly:
        print(f"{len(newly)} comparisons match now that were not recorded as matching: "
              "run with --update to lock them in")
    if regressions and not args.update:
        what = "differences" if args.self_check else "regressions (recorded as matching in expected.json)"
        print(f"\n{len(regressions)} {what}:")
        for r in regressions:
            print(f"   {r}")
    print(f"{passed} passed, {failed} failed")
    return 1 if regressions and not args.update else 0


if __name__ == "__main__":
    sys.exit(main())
