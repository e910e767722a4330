"""The harness's own sample rows (conformance README, "Sample rows").

After each upgrade, two rows go into every table, parents before children:

* row 1 fills every column with a value made up from its declared type; it
  respects `CHECK (col IN (...))` lists and takes foreign-key values from the
  newest existing parent row (row 2 from the second newest, if there is one);
* row 2 has NULL in every nullable column that is not part of a key (primary
  or foreign); the other columns are filled like row 1.

An `INTEGER PRIMARY KEY` column (SQLite's rowid alias) is left to SQLite.
Both rows of a table go in one transaction; if it fails the table is skipped.
Values depend only on the schema, the step number and the parent rows, so two
implementations holding equal databases receive equal rows.
"""
from __future__ import annotations

import re
import sqlite3
from typing import Any

from snapshot import check_in_lists, quote, user_tables


def _length(decl: str) -> int | None:
    m = re.search(r"\(\s*(\d+)", decl)
    return int(m.group(1)) if m and re.search(r"CHAR|TEXT|CLOB|STRING", decl) else None


def made_up(decl: str, col: str, step: int, row: int, in_list: list[Any] | None) -> Any:
    decl = (decl or "").upper()
    if in_list:
        return in_list[(row - 1) % len(in_list)]
    if "BOOL" in decl:
        return row % 2
    if "INT" in decl:
        return step * 10 + row
    if "DATETIME" in decl or "TIMESTAMP" in decl:
        return f"2024-01-{min(28, step * 2 + row):02d} 10:{step:02d}:{row:02d}.000000"
    if "DATE" in decl:
        return f"2024-01-{min(28, step * 2 + row):02d}"
    if "TIME" in decl:
        return f"10:{step:02d}:{row:02d}.000000"
    if any(k in decl for k in ("REAL", "FLOA", "DOUB", "NUMERIC", "DECIMAL")):
        return step + row / 4
    if "BLOB" in decl or "BINARY" in decl:
        return bytes([step % 256, row])
    if "JSON" in decl:
        return '{"step": %d, "row": %d}' % (step, row)
    text = f"s{step}r{row}_{col}"
    length = _length(decl)
    return text[:length] if length else text


def _order(tables: dict[str, dict[str, Any]]) -> list[str]:
    """Parents before children (self references ignored), ties by name."""
    done: list[str] = []
    pending = sorted(tables)
    while pending:
        ready = [t for t in pending
                 if all(p == t or p not in tables or p in done for p in tables[t]["parents"])]
        nxt = ready[0] if ready else pending[0]  # a cycle: take the first by name
        done.append(nxt)
        pending.remove(nxt)
    return done


def insert_sample_rows(db_path: str, step: int) -> dict[str, str]:
    """Inserts the two sample rows into every table; returns {table: "ok" | "skipped: why"}."""
    con = sqlite3.connect(db_path, isolation_level=None)
    result: dict[str, str] = {}
    try:
        tables: dict[str, dict[str, Any]] = {}
        for name, sql in user_tables(con):
            if name == "alembic_version" or name.startswith("_alembic_tmp_"):
                continue
            cols = list(con.execute(f"PRAGMA table_info({quote(name)})"))
            fks = {r[3]: (r[2], r[4]) for r in con.execute(f"PRAGMA foreign_key_list({quote(name)})")}
            tables[name] = {"cols": cols, "fks": fks, "in": check_in_lists(sql),
                            "parents": {p for p, _ in fks.values()}}
        for name in _order(tables):
            t = tables[name]
            pk_cols = [c for c in t["cols"] if c[5]]
            rowid_alias = len(pk_cols) == 1 and pk_cols[0][2].upper() == "INTEGER"
            rows = []
            for row in (1, 2):
                values: dict[str, Any] = {}
                for _cid, col, decl, notnull, _dflt, pk in t["cols"]:
                    if pk and rowid_alias:
                        continue
                    if col in t["fks"]:
                        parent, pcol = t["fks"][col]
                        pcol = pcol or "rowid"
                        r = None
                        try:  # row n: the n-th newest parent row, else the newest
                            for offset in (row - 1, 0):
                                r = con.execute(f"SELECT {quote(pcol)} FROM {quote(parent)} "
                                                f"ORDER BY rowid DESC LIMIT 1 OFFSET {offset}").fetchone()
                                if r is not None:
                                    break
                        except sqlite3.Error:
                            r = None
                        if r is not None:
                            values[col] = r[0]
                            continue
                        if not notnull:
                            values[col] = None
                            continue
                    elif row == 2 and not notnull and not pk:
                        values[col] = None
                        continue
                    values[col] = made_up(decl, col, step, row, t["in"].get(col))
                rows.append(values)
            try:
                con.execute("BEGIN")
                for values in rows:
                    if values:
                        names = ", ".join(quote(c) for c in values)
                        marks = ", ".join("?" for _ in values)
                        con.execute(f"INSERT INTO {quote(name)} ({names}) VALUES ({marks})", list(values.values()))
                    else:
                        con.execute(f"INSERT INTO {quote(name)} DEFAULT VALUES")
                con.execute("COMMIT")
                result[name] = "ok"
            except sqlite3.Error as e:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                result[name] = f"skipped: {e}"
    finally:
        con.close()
    return result
