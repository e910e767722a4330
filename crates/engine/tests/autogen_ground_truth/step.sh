#!/bin/bash
# step.sh DIR N : cp models_N, autogenerate rN, upgrade, print log + script
REPO="$(cd "$(dirname "$0")/../../../.." && pwd)"
cd $1; export PATH=$REPO/.venv/bin:$PATH
cp models_$2.py models.py
alembic revision --autogenerate -m s$2 --rev-id r000$2 2>&1 | grep -v 'runtime\|Generating' > log_$2.txt; cat log_$2.txt
sed -n '/^def upgrade/,$p' migrations/versions/r000$2_*.py | grep -v '^\s*$\|"""\|###'
alembic upgrade head > up_$2.txt 2>&1 || tail -3 up_$2.txt
