"""The two implementations the harness drives, behind one interface.

* `Alembic`: real Alembic in a reference project (alembic.ini + migrations/env.py
  with `render_as_batch=True` in both `context.configure` calls, `target_metadata`
  from models.py next to alembic.ini; SQLModel files use `SQLModel.metadata` and
  `import sqlmodel` in script.py.mako). Commands are run as `alembic COMMAND`
  from the project directory.
* `Playground`: `alembic-playground --models M --versions DIR --db DB COMMAND`,
  run from the checkout root.

Speed: instead of starting a Python interpreter per Alembic command (~0.5 s of
CPU to import SQLAlchemy), the harness imports Alembic once and forks a child
per command; the child changes directory, points fds 0/1/2 at /dev/null and
files, and calls `alembic.config.main` exactly as the `alembic` console script
does. `DIFF_NO_FORK=1` runs the `alembic` executable instead (same results).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass

VENV_BIN = os.path.dirname(sys.executable)


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.code == 0

    @property
    def error(self) -> str | None:
        """The failure message, compared between implementations: the text of the
        last `FAILED: ...` line (Alembic's own errors, on stdout), else the message
        of the exception a traceback ends with, driver prefix dropped
        (`sqlalchemy.exc.IntegrityError: (sqlite3.IntegrityError) NOT NULL constraint
        failed: t.c` → `NOT NULL constraint failed: t.c`). None when the command succeeded."""
        if self.ok:
            return None
        for text in (self.stdout, self.stderr):
            failed = [line[len("FAILED: "):].strip() for line in text.splitlines() if line.startswith("FAILED: ")]
            if failed:
                return failed[-1]
        raised = _EXCEPTION_LINE.findall(self.stderr)
        if raised:
            return re.sub(r"^\([\w.]+\) ", "", raised[-1].strip())
        lines = (self.stdout + self.stderr).strip().splitlines()
        return f"exit status {self.code}: {lines[-1] if lines else ''}"


_EXCEPTION_LINE = re.compile(r"^(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception|Exit): (.+)$", re.M)


def is_sqlmodel(models_src: str) -> bool:
    return re.search(r"^\s*(from\s+sqlmodel\b|import\s+sqlmodel\b)", models_src, re.M) is not None


# --- real Alembic ------------------------------------------------------------

_ENV_IMPORT = (
    "import sys, os\n"
    "sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))\n"
    "import models\n"
)


def _run_forked(args: list[str], cwd: str, child_setup=None) -> Result:
    """`child_setup()`, when given, runs in the child just before Alembic
    (faults.py installs its statement counter there)."""
    import alembic.config  # noqa: F401  (imported once in the parent, before forking)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # child
            code = 1
            try:
                os.chdir(cwd)
                devnull = os.open(os.devnull, os.O_RDONLY)
                os.dup2(devnull, 0)
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                import alembic.util.messaging
                alembic.util.messaging.TERMWIDTH = None  # stdin is not a terminal
                sys.argv = ["alembic", *args]
                try:
                    if child_setup is not None:
                        child_setup()
                    alembic.config.main(argv=args, prog="alembic")
                    code = 0
                except SystemExit as e:
                    code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
                except BaseException:
                    # the interpreter's own hook, as for an uncaught exception in the
                    # real `alembic` process (the C hook adds 3.11's "Did you mean"
                    # suggestion, which traceback.print_exc() leaves out)
                    sys.__excepthook__(*sys.exc_info())
                    code = 1
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                finally:
                    os._exit(code & 0xFF)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Result(code, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def _run_exec(cmd: list[str], cwd: str, timeout: int = 300) -> Result:
    try:
        p = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Result(124, "", f"timed out after {timeout}s: {' '.join(cmd)}")
    except OSError as e:
        return Result(127, "", f"cannot run {cmd[0]}: {e}")
    return Result(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))


class Alembic:
    name = "alembic"

    def __init__(self, template_root: str):
        self.template_root = template_root
        self.fork = os.environ.get("DIFF_NO_FORK", "") in ("", "0")

    def run_alembic(self, args: list[str], cwd: str) -> Result:
        if self.fork:
            return _run_forked(args, cwd)
        return _run_exec([os.path.join(VENV_BIN, "alembic"), *args], cwd)

    def template(self, sqlmodel: bool) -> str:
        """A reference project without a database URL, made once per run per flavour."""
        path = os.path.join(self.template_root, "sqlmodel" if sqlmodel else "plain")
        if os.path.isdir(path):
            return path
        tmp = path + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        r = self.run_alembic(["init", "-t", "generic", "migrations"], tmp)
        if not r.ok:
            raise RuntimeError(f"alembic init failed: {r.stdout}{r.stderr}")
        env_py = os.path.join(tmp, "migrations", "env.py")
        s = open(env_py).read()
        meta = "SQLModel.metadata" if sqlmodel else "models.Base.metadata"
        imp = _ENV_IMPORT + ("from sqlmodel import SQLModel\n" if sqlmodel else "")
        edits = [
            ("target_metadata = None", imp + "target_metadata = " + meta),
            ('dialect_opts={"paramstyle": "named"},', 'dialect_opts={"paramstyle": "named"},\n        render_as_batch=True,'),
            ("target_metadata=target_metadata\n", "target_metadata=target_metadata,\n            render_as_batch=True,\n"),
        ]
        for old, new in edits:
            if s.count(old) != 1:
                raise RuntimeError(f"env.py template changed: cannot find {old!r}")
            s = s.replace(old, new)
        open(env_py, "w").write(s)
        if sqlmodel:
            mako = os.path.join(tmp, "migrations", "script.py.mako")
            t = open(mako).read()
            t = t.replace("import sqlalchemy as sa\n", "import sqlalchemy as sa\nimport sqlmodel\n", 1)
            open(mako, "w").write(t)
        os.rename(tmp, path)
        return path

    def prepare(self, workdir: str, sqlmodel: bool) -> None:
        shutil.copytree(self.template(sqlmodel), workdir)
        ini = os.path.join(workdir, "alembic.ini")
        s = open(ini).read()
        url = f"sqlite:///{os.path.abspath(workdir)}/app.db"
        s, n = re.subn(r"(?m)^sqlalchemy\.url = .*$", lambda _m: f"sqlalchemy.url = {url}", s)
        if n != 1:
            raise RuntimeError("alembic.ini template has no sqlalchemy.url line")
        open(ini, "w").write(s)

    def models(self, workdir: str) -> str:
        return os.path.join(workdir, "models.py")

    def versions(self, workdir: str) -> str:
        return os.path.join(workdir, "migrations", "versions")

    def db(self, workdir: str) -> str:
        return os.path.join(workdir, "app.db")

    def run(self, workdir: str, args: list[str]) -> Result:
        return self.run_alembic(args, workdir)


# --- the playground CLI ------------------------------------------------------

class Playground:
    name = "playground"

    def __init__(self, binary: str, repo_root: str):
        self.binary = binary
        self.repo_root = repo_root

    def prepare(self, workdir: str, sqlmodel: bool) -> None:
        os.makedirs(self.versions(workdir))

    def models(self, workdir: str) -> str:
        return os.path.join(workdir, "models.py")

    def versions(self, workdir: str) -> str:
        return os.path.join(workdir, "versions")

    def db(self, workdir: str) -> str:
        return os.path.join(workdir, "app.db")

    def run(self, workdir: str, args: list[str]) -> Result:
        w = os.path.abspath(workdir)
        cmd = [self.binary, "--models", self.models(w), "--versions", self.versions(w), "--db", self.db(w), *args]
        return _run_exec(cmd, self.repo_root, timeout=120)
