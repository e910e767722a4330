#!/usr/bin/env bash
# scripts/mkref.sh DIR [sqlmodel] — makes a reference Alembic 1.20.1 project in DIR, set up as
# ../shared/conformance/README.md describes: alembic.ini with sqlalchemy.url = sqlite:///DIR/app.db,
# migrations/env.py with render_as_batch=True in both configure() calls and target_metadata taken
# from DIR/models.py (SQLModel.metadata with `sqlmodel`, whose script template also imports sqlmodel).
# Then: cp models.py DIR/; cd DIR; ../.venv/bin/alembic revision --autogenerate -m msg --rev-id r0001
# Uses the repo's .venv (scripts/setup.sh python); ALEMBIC overrides the alembic executable.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
alembic="${ALEMBIC:-$root/.venv/bin/alembic}"
python="$(dirname "$alembic")/python"
dir="$1"; mode="${2:-}"
mkdir -p "$dir"; cd "$dir"
"$alembic" init -t generic migrations >/dev/null
abs="$(pwd)"
sed -i "s#^sqlalchemy.url = .*#sqlalchemy.url = sqlite:///$abs/app.db#" alembic.ini
meta="models.Base.metadata"; [ "$mode" = sqlmodel ] && meta="SQLModel.metadata"
"$python" - "$meta" "$mode" <<'PY'
import sys
meta, mode = sys.argv[1], sys.argv[2]
p = 'migrations/env.py'
s = open(p).read()
imp = "import sys, os\nsys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))\nimport models\n"
if mode == "sqlmodel":
    imp += "from sqlmodel import SQLModel\n"
s = s.replace("target_metadata = None", imp + "target_metadata = " + meta)
s = s.replace('dialect_opts={"paramstyle": "named"},', 'dialect_opts={"paramstyle": "named"},\n        render_as_batch=True,')
s = s.replace("target_metadata=target_metadata\n", "target_metadata=target_metadata,\n            render_as_batch=True,\n")
assert s.count("render_as_batch=True") == 2, "env.py template changed: render_as_batch not set twice"
open(p, 'w').write(s)
if mode == "sqlmodel":
    t = 'migrations/script.py.mako'
    s = open(t).read().replace("import sqlalchemy as sa\n", "import sqlalchemy as sa\nimport sqlmodel\n")
    open(t, 'w').write(s)
PY
