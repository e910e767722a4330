//! compare_type, type reprs, reflected defaults and the autogenerate fixpoint,
//! against answers taken from Alembic 1.20.1 / SQLAlchemy 2.1.9:
//! `SQLiteImpl.compare_type(Column(conn), Column(meta))` for every pair,
//! `repr(type_)`, and `alembic revision --autogenerate` right after
//! `upgrade head` of a model using every type (no changes detected).

mod autogen_support;

use alembic_engine::autogen::{compare, compare_type, type_repr};
use alembic_engine::ddl::parenthesize_reflected_default;
use alembic_engine::schema::{Autoincrement, EnumInfo, Name, ServerDefault, SqlType, TypeClass as T};
use autogen_support::*;

fn with_collation(mut t: SqlType, c: &str) -> SqlType {
    t.collation = Some(c.into());
    t
}

fn model_types() -> Vec<(&'static str, SqlType)> {
    let mut en40 = enum_ty(&["a", "bb"], Some("e"));
    if let Some(e) = &mut en40.enum_ {
        e.length = Some(40);
    }
    let n = |p: Option<u32>, s: Option<u32>, class: T| {
        let mut t = ty(class);
        t.precision = p;
        t.scale = s;
        t
    };
    vec![
        ("Integer()", ty(T::Integer)),
        ("BigInteger()", ty(T::BigInteger)),
        ("SmallInteger()", ty(T::SmallInteger)),
        ("String()", ty(T::String)),
        ("String(40)", ty_len(T::String, 40)),
        ("String(16)", ty_len(T::String, 16)),
        ("String(40,NOCASE)", with_collation(ty_len(T::String, 40), "NOCASE")),
        ("Text()", ty(T::Text)),
        ("Unicode(40)", ty_len(T::Unicode, 40)),
        ("UnicodeText()", ty(T::UnicodeText)),
        ("Boolean()", ty(T::Boolean)),
        ("Enum(a,bb)", enum_ty(&["a", "bb"], Some("e"))),
        ("Enum(a,bb,len=40)", en40),
        ("Numeric()", ty(T::Numeric)),
        ("Numeric(10)", n(Some(10), None, T::Numeric)),
        ("Numeric(10,2)", n(Some(10), Some(2), T::Numeric)),
        ("Numeric(5,1)", n(Some(5), Some(1), T::Numeric)),
        ("Float()", ty(T::Float)),
        ("Double()", ty(T::Double)),
        ("Date()", ty(T::Date)),
        ("DateTime()", ty(T::DateTime)),
        ("Time()", ty(T::Time)),
        ("Interval()", ty(T::Interval)),
        ("JSON()", ty(T::Json)),
        ("LargeBinary()", ty(T::LargeBinary)),
        ("Uuid()", ty(T::Uuid)),
        ("AutoString()", ty(T::AutoString)),
        ("AutoString(40)", ty_len(T::AutoString, 40)),
        ("DECIMAL(10,2)", n(Some(10), Some(2), T::DecimalUpper)),
        ("DOUBLE_PRECISION()", ty(T::DoublePrecisionUpper)),
    ]
}

fn reflected_types() -> Vec<(&'static str, SqlType)> {
    let n = |p: Option<u32>, s: Option<u32>, class: T| {
        let mut t = ty(class);
        t.precision = p;
        t.scale = s;
        t
    };
    vec![
        ("INTEGER", ty(T::IntegerUpper)),
        ("BIGINT", ty(T::BigIntUpper)),
        ("SMALLINT", ty(T::SmallIntUpper)),
        ("VARCHAR", ty(T::VarcharUpper)),
        ("VARCHAR(40)", ty_len(T::VarcharUpper, 40)),
        ("VARCHAR(10)", ty_len(T::VarcharUpper, 10)),
        ("VARCHAR(2)", ty_len(T::VarcharUpper, 2)),
        ("CHAR(32)", ty_len(T::CharUpper, 32)),
        ("NVARCHAR(40)", ty_len(T::NVarcharUpper, 40)),
        ("TEXT", ty(T::TextUpper)),
        ("BOOLEAN", ty(T::BooleanUpper)),
        ("NUMERIC", ty(T::NumericUpper)),
        ("NUMERIC(10)", n(Some(10), None, T::NumericUpper)),
        ("NUMERIC(10,2)", n(Some(10), Some(2), T::NumericUpper)),
        ("DECIMAL(10,2)", n(Some(10), Some(2), T::DecimalUpper)),
        ("FLOAT", ty(T::FloatUpper)),
        ("REAL", ty(T::RealUpper)),
        ("DOUBLE", ty(T::DoubleUpper)),
        ("DATE", ty(T::DateUpper)),
        ("DATETIME", ty(T::DateTimeUpper)),
        ("TIMESTAMP", ty(T::TimestampUpper)),
        ("TIME", ty(T::TimeUpper)),
        ("JSON", ty(T::JsonUpper)),
        ("BLOB", ty(T::BlobUpper)),
    ]
}

/// For each model type, the reflected types Alembic's compare_type calls
/// equal (all other pairs differ). Printed by running `impl.compare_type`.
const EQUAL: &[(&str, &[&str])] = &[
    ("Integer()", &["INTEGER"]),
    ("BigInteger()", &["BIGINT"]),
    ("SmallInteger()", &["SMALLINT"]),
    ("String()", &["VARCHAR", "VARCHAR(40)", "VARCHAR(10)", "VARCHAR(2)"]),
    ("String(40)", &["VARCHAR", "VARCHAR(40)"]),
    ("String(16)", &["VARCHAR"]),
    ("String(40,NOCASE)", &["VARCHAR", "VARCHAR(40)"]),
    ("Text()", &["TEXT"]),
    ("Unicode(40)", &["VARCHAR", "VARCHAR(40)"]),
    ("UnicodeText()", &["TEXT"]),
    ("Boolean()", &["BOOLEAN"]),
    ("Enum(a,bb)", &["VARCHAR", "VARCHAR(2)"]),
    ("Enum(a,bb,len=40)", &["VARCHAR", "VARCHAR(40)"]),
    ("Numeric()", &["NUMERIC", "NUMERIC(10)", "NUMERIC(10,2)", "DECIMAL(10,2)"]),
    ("Numeric(10)", &["NUMERIC", "NUMERIC(10)", "NUMERIC(10,2)", "DECIMAL(10,2)"]),
    ("Numeric(10,2)", &["NUMERIC", "NUMERIC(10)", "NUMERIC(10,2)", "DECIMAL(10,2)"]),
    ("Numeric(5,1)", &["NUMERIC", "NUMERIC(10)"]),
    ("Float()", &["FLOAT"]),
    ("Double()", &["DOUBLE"]),
    ("Date()", &["DATE"]),
    ("DateTime()", &["DATETIME"]),
    ("Time()", &["TIME"]),
    ("Interval()", &["DATETIME"]),
    ("JSON()", &["JSON"]),
    ("LargeBinary()", &["BLOB"]),
    ("Uuid()", &["CHAR(32)"]),
    ("AutoString()", &["VARCHAR", "VARCHAR(40)", "VARCHAR(10)", "VARCHAR(2)"]),
    ("AutoString(40)", &["VARCHAR", "VARCHAR(40)"]),
    ("DECIMAL(10,2)", &["NUMERIC", "NUMERIC(10)", "NUMERIC(10,2)", "DECIMAL(10,2)"]),
    ("DOUBLE_PRECISION()", &["DOUBLE"]),
];

#[test]
fn compare_type_agrees_with_alembic_on_every_pair() {
    let mut wrong = Vec::new();
    for (mk, mt) in model_types() {
        let equal = EQUAL.iter().find(|(k, _)| *k == mk).map(|(_, v)| *v).unwrap_or(&[]);
        for (ck, ct) in reflected_types() {
            let differs = compare_type(&ct, &mt);
            if differs == equal.contains(&ck) {
                wrong.push(format!("{mk} vs {ck}: ours says differs={differs}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn null_type_is_never_compared() {
    assert!(!compare_type(&ty(T::Null), &ty(T::Text)));
    assert!(!compare_type(&ty(T::Text), &ty(T::Null)));
}

#[test]
fn type_repr_matches_sqlalchemy() {
    let mut b = ty(T::Boolean);
    b.create_constraint = true;
    b.constraint_name = Some(Name::plain("ck_b"));
    let mut en = enum_ty(&["a", "bb"], Some("e"));
    if let Some(e) = &mut en.enum_ {
        e.native_enum = false;
        e.create_constraint = true;
        e.length = Some(9);
    }
    let mut unnamed_enum = ty(T::Enum);
    unnamed_enum.enum_ = Some(EnumInfo { values: vec!["it's".into()], native_enum: true, ..EnumInfo::default() });
    let mut num = numeric(T::Numeric, 10, 2);
    num.asdecimal = Some(false);
    let mut fl = ty(T::Float);
    fl.precision = Some(5);
    fl.asdecimal = Some(false);
    let mut fl2 = ty(T::Float);
    fl2.asdecimal = Some(true);
    let mut dt = ty(T::DateTime);
    dt.timezone = true;
    let mut uu = ty(T::Uuid);
    uu.as_uuid = Some(false);
    uu.native_uuid = Some(false);
    let mut js = ty(T::Json);
    js.none_as_null = true;
    let cases = [
        (ty(T::Integer), "Integer()"),
        (ty_len(T::VarcharUpper, 200), "VARCHAR(length=200)"),
        (with_collation(ty_len(T::String, 40), "NOCASE"), "String(length=40, collation='NOCASE')"),
        (ty(T::Text), "Text()"),
        (b, "Boolean(create_constraint=True, name='ck_b')"),
        (
            enum_ty(&["dog", "cat", "bird", "reptile", "other"], Some("species")),
            "Enum('dog', 'cat', 'bird', 'reptile', 'other', name='species')",
        ),
        (en, "Enum('a', 'bb', name='e', native_enum=False, create_constraint=True, length=9)"),
        (unnamed_enum, "Enum(\"it's\")"),
        (num, "Numeric(precision=10, scale=2, asdecimal=False)"),
        (numeric(T::NumericUpper, 5, 1), "NUMERIC(precision=5, scale=1)"),
        (fl, "Float(precision=5)"),
        (fl2, "Float(asdecimal=True)"),
        (dt, "DateTime(timezone=True)"),
        (uu, "Uuid(as_uuid=False, native_uuid=False)"),
        (js, "JSON(none_as_null=True)"),
        (ty_len(T::AutoString, 40), "AutoString(length=40)"),
        (ty(T::BigIntUpper), "BIGINT()"),
        (ty(T::DoublePrecisionUpper), "DOUBLE_PRECISION()"),
        (ty_len(T::LargeBinary, 100), "LargeBinary(length=100)"),
        (ty(T::Null), "NullType()"),
    ];
    for (t, expected) in cases {
        assert_eq!(type_repr(&t), expected);
    }
}

#[test]
fn reflected_defaults_get_parentheses_like_sqlite_impl() {
    let cases = [
        ("CURRENT_TIMESTAMP", "(CURRENT_TIMESTAMP)"),
        ("'0'", "'0'"),
        ("'x''y'", "'x''y'"),
        ("(datetime('now'))", "(datetime('now'))"),
        ("5", "5"),
        ("10", "(10)"),
        ("''", "('')"),
        ("1.5", "(1.5)"),
        ("1", "1"),
        ("(1 + 2)", "(1 + 2)"),
        // `.` stops at a newline; `$` also matches before a final one
        ("(1)\n+ (2)", "((1)\n+ (2))"),
        ("(1 + 2)\n", "(1 + 2)\n"),
        ("'é'", "'é'"),
    ];
    for (reflected, expected) in cases {
        assert_eq!(
            parenthesize_reflected_default(ServerDefault::Text(reflected.into())),
            ServerDefault::Text(expected.into()),
            "{reflected}"
        );
    }
    assert_eq!(
        parenthesize_reflected_default(ServerDefault::Literal("abc".into())),
        ServerDefault::Literal("abc".into())
    );
}

/// The `everything` model of /tmp/ag/all (every generic type, indexes,
/// named / unnamed uniques, FKs with options, composite PK and FK): real
/// Alembic detects nothing right after `upgrade head`.
fn everything() -> alembic_engine::schema::MetaData {
    let mut cols = vec![col("id", ty(T::Integer)).pk(), col("i", ty(T::Integer)).not_null().default_lit("5")];
    for (name, t) in model_types().into_iter().filter(|(n, _)| !n.starts_with("DOUBLE_PRECISION")) {
        let cname = name.to_lowercase().replace(['(', ')', ',', '='], "_");
        cols.push(col(&cname, t));
    }
    let mut dtm = ty(T::DateTime);
    dtm.timezone = true;
    cols.push(col("dtm", dtm).default_text("(CURRENT_TIMESTAMP)"));
    cols.push(col("ix1", ty(T::Integer)));
    cols.push(col("ixu", ty(T::Integer)));
    let mut e = table("everything", cols);
    e.unique_constraints.push(uq(None, &["string_40_", "i"]));
    e.unique_constraints.push(uq(Some(Name::plain("uq_named")), &["text__"]));
    e.unique_constraints.push(uq(None, &["string_40_"]));
    e.indexes.push(ix(Name::plain("ix_multi"), "everything", &["i", "biginteger__"], false));
    e.indexes.push(ix(Name::plain("ix_uniq"), "everything", &["smallinteger__"], true));
    e.indexes.push(ix(Name::conv("ix_everything_ix1"), "everything", &["ix1"], false));
    e.indexes.push(ix(Name::conv("ix_everything_ixu"), "everything", &["ixu"], true));
    e.indexes.push(alembic_engine::schema::Index {
        name: Some(Name::plain("ix_expr")),
        table: "everything".into(),
        columns: vec![alembic_engine::schema::IndexColumn::Expression("lower(text__)".into())],
        unique: false,
        sqlite_where: None,
        unique_int: false,
    });
    let mut child = table(
        "child",
        vec![
            col("id", ty(T::Integer)).pk(),
            col("a", ty(T::Integer)),
            col("b", ty(T::Integer)),
            col("c", ty(T::Integer)),
            col("d", ty_len(T::String, 3)),
        ],
    );
    let mut fa = fk(&["a"], "everything", &["id"]);
    fa.ondelete = Some("SET NULL".into());
    fa.onupdate = Some("CASCADE".into());
    let mut fb = fk(&["b"], "everything", &["id"]);
    fb.deferrable = Some(true);
    fb.initially = Some("DEFERRED".into());
    let mut fc = fk(&["c", "d"], "comp", &["x", "y"]);
    fc.name = Some(Name::plain("fk_comp"));
    child.foreign_keys.extend([fa, fb, fc]);
    let mut x = col("x", ty(T::Integer)).pk();
    x.autoincrement = Autoincrement::Auto;
    let comp = table("comp", vec![x, col("y", ty_len(T::String, 3)).pk()]);
    metadata(vec![e, child, comp])
}

#[test]
fn fixpoint_nothing_detected_right_after_upgrade() {
    let m = everything();
    let cmp = compare(&m, &reflect_metadata(&m));
    assert!(cmp.upgrade.ops.is_empty(), "{:#?}", cmp.upgrade.ops);
    // nothing logged; the expression index `ix_expr` is skipped with Alembic's UserWarning
    let (warnings, logged): (Vec<_>, Vec<_>) =
        cmp.log.iter().partition(|(l, _)| l == alembic_engine::autogen::PY_WARNINGS);
    assert!(logged.is_empty(), "{logged:#?}");
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(warnings[0].1.contains("expression-based index 'ix_expr'"), "{warnings:#?}");
}

#[test]
fn fixpoint_for_every_conformance_shape() {
    // Types Alembic creates but SQLite reflects as another class still compare
    // equal: String→VARCHAR, Enum→VARCHAR(n), Uuid→CHAR(32), Interval→DATETIME.
    for (name, t) in model_types().into_iter().filter(|(n, _)| !n.starts_with("DOUBLE_PRECISION")) {
        let m = metadata(vec![table("t", vec![col("id", ty(T::Integer)).pk(), col("c", t)])]);
        let cmp = compare(&m, &reflect_metadata(&m));
        assert!(cmp.upgrade.ops.is_empty(), "{name}: {:?}", cmp.log);
    }
}

#[test]
fn upper_types_sqlite_does_not_round_trip_are_detected_every_time() {
    // Real Alembic, second autogenerate of /tmp/ag/all: DOUBLE_PRECISION is
    // reflected as REAL, VARBINARY(8) as NUMERIC(precision=8).
    let m = metadata(vec![table(
        "t",
        vec![
            col("id", ty(T::Integer)).pk(),
            col("updp", ty(T::DoublePrecisionUpper)),
            col("upvb", ty_len(T::VarbinaryUpper, 8)),
        ],
    )]);
    let cmp = compare(&m, &reflect_metadata(&m));
    assert_eq!(
        cmp.log,
        log_lines(
            r#"
INFO  [alembic.autogenerate.compare.types] Detected type change from REAL() to DOUBLE_PRECISION() on 't.updp'
INFO  [alembic.autogenerate.compare.types] Detected type change from NUMERIC(precision=8) to VARBINARY(length=8) on 't.upvb'
"#
        )
    );
}
