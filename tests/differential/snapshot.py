"""PRAGMA-based snapshots of a SQLite database file, as the conformance README describes.

A snapshot is plain JSON data (dicts, lists, strings, ints), so two snapshots
compare with ``==`` and differences are reported path by path.

* ``strict``: ordered columns and every index / constraint name.
* Every table's rows (``data``): each value with its SQLite storage class, so
  NULL and ``'null'``, ``1`` and ``'1'`` differ; a value read from the clock
  while the command ran (a timestamp within two days of now) is compared by
  its shape only (digits masked), since the two runs read different instants.
* ``loose``: columns keyed by name (order ignored), indexes and constraints
  without their names.

The database is opened read-only (``mode=ro``): taking a snapshot never creates
or changes the file.
"""
from __future__ import annotations

import datetime
import os
import re
import sqlite3
import time
from typing import Any

# `2026-12-07`, `2026-12-07 18:20:40.715268`, `2026-12-07T18:20:40+00:00`
_DATETIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?(?:Z|[+-]\d\d:?\d\d)?")
_NEAR = 2 * 86400


def _clock_read(v: Any) -> bool:
    """A value that is an instant within two days of now (as text or seconds)."""
    if isinstance(v, str):
        m = _DATETIME.fullmatch(v)
        if not m:
            return False
        try:
            day = datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return False
        return abs((day - datetime.date.today()).days) <= 2
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return abs(v - time.time()) < _NEAR
    return False


def cell(v: Any) -> list[Any]:
    """[storage class, value] of one stored value, as plain JSON data."""
    kind = {type(None): "null", int: "integer", float: "real", str: "text", bytes: "blob"}[type(v)]
    if _clock_read(v):
        return [kind, "<clock> " + re.sub(r"\d", "9", str(v) if not isinstance(v, float) else str(int(v)))]
    if isinstance(v, bytes):
        return [kind, v.hex()]
    if isinstance(v, float):
        return [kind, repr(v)]
    return [kind, v]


def connect_ro(path: str) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and (name[0], name[-1]) in (('"', '"'), ("`", "`"), ("[", "]"), ("'", "'")):
        return name[1:-1]
    return name


def squash(text: str) -> str:
    """Whitespace normalized: runs collapse to one space, none next to brackets or commas."""
    text = re.sub(r"\s+", " ", text.strip())
    return re.sub(r"\s*([(),])\s*", r"\1", text)


def norm_type(declared: str) -> str:
    return re.sub(r"\s+", "", declared or "").upper()


# --- CREATE TABLE text -------------------------------------------------------

def split_top(text: str, sep: str = ",") -> list[str]:
    """Splits at `sep` outside brackets and quotes."""
    parts, depth, cur, i, quote_ch = [], 0, [], 0, None
    closing = {'"': '"', "'": "'", "`": "`", "[": "]"}
    while i < len(text):
        ch = text[i]
        if quote_ch:
            cur.append(ch)
            if ch == quote_ch:
                if quote_ch in "'\"" and i + 1 < len(text) and text[i + 1] == quote_ch:
                    cur.append(text[i + 1])
                    i += 1
                else:
                    quote_ch = None
        elif ch in closing:
            quote_ch = closing[ch]
            cur.append(ch)
        elif ch == "(":
            depth += 1
            cur.append(ch)
        elif ch == ")":
            depth -= 1
            cur.append(ch)
        elif ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    if "".join(cur).strip():
        parts.append("".join(cur))
    return parts


def table_body(sql: str) -> str:
    start = sql.find("(")
    end = sql.rfind(")")
    return sql[start + 1:end] if 0 <= start < end else ""


_NAME = r'(?:"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|[\w$]+)'
_CONSTRAINT = re.compile(r"^\s*CONSTRAINT\s+(" + _NAME + r")\s+(.*)$", re.I | re.S)
_KIND = re.compile(r"^\s*(PRIMARY\s+KEY|UNIQUE|FOREIGN\s+KEY|CHECK)\b\s*(.*)$", re.I | re.S)


def _paren_group(text: str) -> str:
    """The first balanced (...) group of `text`, without the outer brackets."""
    start = text.find("(")
    if start < 0:
        return ""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return text[start + 1:i]
    return text[start + 1:]


def _columns(text: str) -> list[str]:
    return [unquote(c).lower() for c in split_top(_paren_group(text))]


def _table_constraint(kind: str, name: str | None, rest: str) -> dict[str, Any]:
    kind = re.sub(r"\s+", " ", kind.upper())
    item: dict[str, Any] = {"kind": kind, "name": unquote(name) if name else None}
    if kind == "CHECK":
        item["sqltext"] = squash(_paren_group(rest))
    elif kind == "FOREIGN KEY":
        item["columns"] = _columns(rest)
        m = re.search(r"REFERENCES\s+(" + _NAME + r")", rest, re.I)
        item["referred_table"] = unquote(m.group(1)).lower() if m else None
    else:
        item["columns"] = _columns(rest)
    return item


def parse_constraints(sql: str) -> list[dict[str, Any]]:
    """PK / UNIQUE / FK / CHECK constraints declared in a CREATE TABLE statement,
    table-level and inline (`col INTEGER CONSTRAINT x CHECK (...)`, `col ... UNIQUE`)."""
    out = []
    for part in split_top(table_body(sql)):
        part = part.strip()
        m = _CONSTRAINT.match(part)
        if m:
            k = _KIND.match(m.group(2))
            if k:
                out.append(_table_constraint(k.group(1), m.group(1), k.group(2)))
            continue
        k = _KIND.match(part)
        if k:
            out.append(_table_constraint(k.group(1), None, k.group(2)))
            continue
        # column definition: name, type, then column constraints
        words = split_top(part, " ")
        if not words:
            continue
        col = unquote(words[0]).lower()
        rest = part[len(words[0]):]
        for cm in re.finditer(r"(?:CONSTRAINT\s+(" + _NAME + r")\s+)?(PRIMARY\s+KEY|UNIQUE|CHECK|REFERENCES)\b",
                              rest, re.I):
            kind = re.sub(r"\s+", " ", cm.group(2).upper())
            name = unquote(cm.group(1)) if cm.group(1) else None
            after = rest[cm.end():]
            if kind == "CHECK":
                out.append({"kind": "CHECK", "name": name, "sqltext": squash(_paren_group(after))})
            elif kind == "REFERENCES":
                m2 = re.match(r"\s*(" + _NAME + ")", after)
                out.append({"kind": "FOREIGN KEY", "name": name, "columns": [col],
                            "referred_table": unquote(m2.group(1)).lower() if m2 else None})
            else:
                out.append({"kind": kind, "name": name, "columns": [col]})
    return out


_IN_LIST = re.compile(r"CHECK\s*\(\s*(" + _NAME + r")\s+IN\s*\(([^()]*)\)\s*\)", re.I)


def check_in_lists(sql: str) -> dict[str, list[Any]]:
    """`CHECK (col IN ('a', 'b'))` → {"col": ["a", "b"]} (used by the sample rows)."""
    out: dict[str, list[Any]] = {}
    for m in _IN_LIST.finditer(sql or ""):
        values = []
        for raw in split_top(m.group(2)):
            raw = raw.strip()
            if raw.startswith("'") and raw.endswith("'"):
                values.append(raw[1:-1].replace("''", "'"))
            else:
                try:
                    values.append(int(raw))
                except ValueError:
                    try:
                        values.append(float(raw))
                    except ValueError:
                        values.append(raw)
        out[unquote(m.group(1))] = values
    return out


# --- snapshot ----------------------------------------------------------------

def user_tables(con: sqlite3.Connection) -> list[tuple[str, str]]:
    return list(con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"))


_COLLATE = re.compile(r"\bCOLLATE\s+(" + _NAME + r")", re.I)
_TABLE_OPTIONS = re.compile(r"\)((?:\s*,?\s*(?:WITHOUT\s+ROWID|STRICT))+)\s*$", re.I)
_PARTIAL = re.compile(r"\)\s+WHERE\s+(.+)$", re.I | re.S)


def _column_collations(sql: str) -> dict[str, str]:
    """{column: collation} for columns declared with `COLLATE x` (lower-cased names)."""
    out = {}
    for part in split_top(table_body(sql)):
        words = split_top(part.strip(), " ")
        if not words or _KIND.match(part) or _CONSTRAINT.match(part):
            continue
        m = _COLLATE.search(part[len(words[0]):])
        if m:
            out[unquote(words[0]).lower()] = unquote(m.group(1)).upper()
    return out


def _table(con: sqlite3.Connection, name: str, sql: str) -> dict[str, Any]:
    q = quote(name)
    collations = _column_collations(sql or "")
    columns = []
    for r in con.execute(f"PRAGMA table_info({q})"):
        col = {"name": r[1], "type": norm_type(r[2]), "notnull": r[3], "default": r[4], "pk": r[5]}
        if r[1].lower() in collations:  # only where declared, so older snapshots keep their shape
            col["collation"] = collations[r[1].lower()]
        columns.append(col)
    indexes, uniques = [], []
    for _seq, iname, unique, origin, partial in con.execute(f"PRAGMA index_list({q})"):
        cols = [r[2] if r[2] is not None else "<expr>"
                for r in con.execute(f"PRAGMA index_xinfo({quote(iname)})") if r[5]]
        if origin == "c":
            index = {"name": iname, "unique": unique, "columns": cols, "partial": partial}
            if partial:
                row = con.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
                                  (iname,)).fetchone()
                m = _PARTIAL.search(row[0] or "") if row else None
                index["where"] = squash(m.group(1)) if m else None
            if "<expr>" in cols:
                row = con.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
                                  (iname,)).fetchone()
                index["sql"] = squash(row[0] or "") if row else None
            indexes.append(index)
        elif origin == "u":
            uniques.append(cols)
    fks: dict[int, dict[str, Any]] = {}
    for fid, _seq, ref, frm, to, on_update, on_delete, _match in con.execute(f"PRAGMA foreign_key_list({q})"):
        fk = fks.setdefault(fid, {"columns": [], "referred_table": ref, "referred_columns": [],
                                  "on_delete": on_delete, "on_update": on_update})
        fk["columns"].append(frm)
        fk["referred_columns"].append(to)
    constraints = sorted(parse_constraints(sql or ""), key=lambda c: repr(sorted(c.items())))
    count = con.execute(f"SELECT count(*) FROM {q}").fetchone()[0]
    out = {
        "columns": columns,
        "indexes": sorted(indexes, key=lambda i: i["name"]),
        "unique_constraints": sorted(uniques),
        "foreign_keys": sorted(fks.values(), key=repr),
        "constraints": constraints,
        "rows": count,
        "data": sorted(([cell(v) for v in r] for r in con.execute(f"SELECT * FROM {q}")), key=repr),
    }
    # unusual objects, present only where the table has them
    generated = [{"name": r[1], "type": norm_type(r[2]), "stored": r[6] == 3}
                 for r in con.execute(f"PRAGMA table_xinfo({q})") if r[6] in (2, 3)]
    if generated:
        out["generated"] = generated
    if re.search(r"\bAUTOINCREMENT\b", sql or "", re.I):
        out["autoincrement"] = True
    m = _TABLE_OPTIONS.search((sql or "").strip())
    if m:
        out["options"] = sorted(re.sub(r"\s+", " ", o.strip().upper())
                                for o in re.split(r"\s*,\s*|\s+(?=STRICT)", m.group(1).strip(" ,\t\n")) if o)
    return out


def snapshot(path: str) -> dict[str, Any]:
    """The strict snapshot of the database file at `path` ({"missing": True} if absent)."""
    if not os.path.exists(path):
        return {"missing": True}
    con = connect_ro(path)
    try:
        tables = {name: _table(con, name, sql) for name, sql in user_tables(con)}
        version = []
        if "alembic_version" in tables:
            version = sorted(r[0] for r in con.execute("SELECT version_num FROM alembic_version"))
        snap: dict[str, Any] = {"tables": tables, "alembic_version": version}
        # views and triggers, present only where the database has them
        for kind in ("view", "trigger"):
            objs = {n: {"table": t, "sql": squash(s or "")} for n, t, s in con.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = ? ORDER BY name", (kind,))}
            if objs:
                snap[kind + "s"] = objs
        return snap
    except sqlite3.Error as e:
        return {"error": str(e)}
    finally:
        con.close()


def loosen(snap: dict[str, Any]) -> dict[str, Any]:
    """The loose view of a strict snapshot: column order, index and constraint names dropped."""
    if "tables" not in snap:
        return snap
    tables = {}
    for name, t in snap["tables"].items():
        tables[name] = {
            "columns": {c["name"]: {k: v for k, v in c.items() if k != "name"} for c in t["columns"]},
            "indexes": sorted(({k: v for k, v in i.items() if k != "name"} for i in t["indexes"]), key=repr),
            "unique_constraints": t["unique_constraints"],
            "foreign_keys": t["foreign_keys"],
            "constraints": sorted(({k: v for k, v in c.items() if k != "name"} for c in t["constraints"]), key=repr),
            "rows": t["rows"],
            "data": t["data"],
        }
    for name, t in snap["tables"].items():
        for extra in ("generated", "options", "autoincrement"):
            if extra in t:
                tables[name][extra] = t[extra]
    loose = {"tables": tables, "alembic_version": snap["alembic_version"]}
    for kind in ("views", "triggers"):
        if kind in snap:
            loose[kind] = sorted(v["sql"] for v in snap[kind].values())
    return loose
