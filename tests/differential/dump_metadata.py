"""Import a models.py with real SQLAlchemy / SQLModel and print its MetaData
as canonical JSON (the format of `alembic_engine::models::metadata_to_json`).

Usage: python dump_metadata.py path/to/models.py

The target metadata is `Base.metadata` when the module has a `Base`, else
`SQLModel.metadata`, else the first `MetaData` found in the module.
Constraints and indexes are sorted by (name, columns, text): SQLAlchemy keeps
them in sets, and Alembic sorts them by their rendered text anyway.
"""
import importlib.util
import json
import sys

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.sql import naming
from sqlalchemy.sql.base import _NONE_NAME
from sqlalchemy.sql.elements import conv

DIALECT = sqlite.dialect()
LITERAL = {"literal_binds": True, "include_table": False}


def ddl_expr(expr):
    """What Alembic's `impl.render_ddl_sql_expr` makes of a SQL expression."""
    return str(expr.compile(dialect=DIALECT, compile_kwargs=LITERAL))


def server_default_text(expr):
    """The text Alembic puts in `sa.text(...)` for a model's SQL server
    default: compiled, then parenthesized by `SQLiteImpl.render_ddl_sql_expr`
    when `_guess_if_default_is_unparenthesized_sql_expr` says so."""
    from alembic.ddl.sqlite import SQLiteImpl

    text = ddl_expr(expr)
    if SQLiteImpl._guess_if_default_is_unparenthesized_sql_expr(None, text):
        text = "(%s)" % text
    return text


def load(path):
    spec = importlib.util.spec_from_file_location("models", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["models"] = mod
    spec.loader.exec_module(mod)
    return mod


def target_metadata(mod):
    base = getattr(mod, "Base", None)
    if base is not None and isinstance(getattr(base, "metadata", None), sa.MetaData):
        return base.metadata
    if "sqlmodel" in sys.modules:
        return sys.modules["sqlmodel"].SQLModel.metadata
    for value in vars(mod).values():
        if isinstance(value, sa.MetaData):
            return value
    raise SystemExit("no MetaData found")


def name_of(const, table):
    name = const.name
    if name is _NONE_NAME:
        name = naming._constraint_name_for_table(const, table)
    if name is None or name is _NONE_NAME:
        return None
    return {"value": str(name), "conv": isinstance(name, conv)}


def type_of(t):
    if isinstance(t, sa.types.TypeDecorator) and not type(t).__module__.startswith(("sqlalchemy.", "sqlmodel.")):
        # a project's decorator: as written, its impl instance, what SQLite sees
        seen = t
        for _ in range(16):
            if not isinstance(seen, sa.types.TypeDecorator):
                break
            seen = seen.type_engine(DIALECT)
        return {
            "class": type(t).__name__,
            "module": type(t).__module__,
            "impl": type_of(t.impl_instance),
            "sqlite": type_of(seen),
        }
    out = {"class": type(t).__name__}
    if t._variant_mapping:
        out["variants"] = {d: type_of(v) for d, v in sorted(t._variant_mapping.items())}
    if isinstance(t, sa.Enum):
        out["enum"] = {
            "values": list(t.enums),
            "name": t.name,
            "native_enum": t.native_enum,
            "create_constraint": t.create_constraint,
            "length": t.length,
            "enum_class": t.enum_class.__name__ if t.enum_class is not None else None,
        }
        return out
    if isinstance(t, (sa.String, sa.types._Binary)) or type(t).__name__ == "AutoString":
        out["length"] = getattr(t, "length", None)
    if isinstance(t, sa.String):
        out["collation"] = t.collation
    if isinstance(t, (sa.Numeric, sa.Float)):
        out["precision"] = t.precision
        out["scale"] = getattr(t, "scale", None) if not isinstance(t, sa.Float) else None
        out["asdecimal"] = t.asdecimal
    if isinstance(t, (sa.DateTime, sa.Time)):
        out["timezone"] = t.timezone
    if isinstance(t, sa.Boolean):
        out["create_constraint"] = t.create_constraint
        out["constraint_name"] = None if t.name is None else {"value": str(t.name), "conv": isinstance(t.name, conv)}
    if isinstance(t, sa.Uuid):
        out["as_uuid"] = t.as_uuid
        out["native_uuid"] = t.native_uuid
    if isinstance(t, sa.JSON):
        out["none_as_null"] = t.none_as_null
    return out


def server_default_of(col):
    d = col.server_default
    if d is None or isinstance(d, sa.Computed):
        return None
    arg = d.arg
    if isinstance(arg, str):
        return {"literal": arg}
    return {"text": server_default_text(arg)}


def column_of(col):
    computed = None
    if isinstance(col.computed, sa.Computed):
        computed = {"sqltext": ddl_expr(col.computed.sqltext), "persisted": col.computed.persisted}
    auto = col.autoincrement
    return {
        "name": col.name,
        "type": type_of(col.type),
        "nullable": col.nullable,
        "primary_key": col.primary_key,
        "autoincrement": auto if auto in (True, False) else str(auto),
        "server_default": server_default_of(col),
        "computed": computed,
        "comment": col.comment,
    }


def table_of(table):
    consts = list(table.constraints)
    pk = table.primary_key
    fks, uqs, cks = [], [], []
    for c in consts:
        if isinstance(c, sa.ForeignKeyConstraint):
            fks.append({
                "name": name_of(c, table),
                "columns": [col.name for col in c.columns],
                "referred_table": c.elements[0].column.table.name,
                "referred_columns": [e.column.name for e in c.elements],
                "ondelete": c.ondelete,
                "onupdate": c.onupdate,
                "deferrable": c.deferrable,
                "initially": c.initially,
                "use_alter": c.use_alter,
            })
        elif isinstance(c, sa.UniqueConstraint):
            uqs.append({"name": name_of(c, table), "columns": [col.name for col in c.columns]})
        elif isinstance(c, sa.CheckConstraint):
            if c._type_bound:
                continue
            cks.append({"name": name_of(c, table), "sqltext": ddl_expr(c.sqltext)})
    indexes = []
    for ix in table.indexes:
        cols = []
        for e in ix.expressions:
            if isinstance(e, sa.Column):
                cols.append({"column": e.name})
            else:
                cols.append({"expression": ddl_expr(e)})
        indexes.append({"name": name_of(ix, table), "columns": cols, "unique": bool(ix.unique)})
    for group in (fks, uqs, cks, indexes):
        group.sort(key=lambda d: json.dumps(d, sort_keys=True))
    return {
        "name": table.name,
        "columns": [column_of(c) for c in table.columns],
        "primary_key": {"name": name_of(pk, table), "columns": [c.name for c in pk.columns]} if len(pk.columns) else None,
        "foreign_keys": fks,
        "unique_constraints": uqs,
        "check_constraints": cks,
        "indexes": indexes,
        "comment": table.comment,
    }


def main():
    mod = load(sys.argv[1])
    md = target_metadata(mod)
    out = {
        "naming_convention": {str(k if isinstance(k, str) else k.__name__): v for k, v in sorted(md.naming_convention.items(), key=lambda kv: str(kv[0])) if isinstance(v, str)},
        "tables": [table_of(t) for t in md.tables.values()],
    }
    print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
