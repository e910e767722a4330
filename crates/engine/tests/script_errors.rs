//! What the playground refuses to guess: each case is a script fragment and
//! the diagnostic (line:column, message) it yields. A broken header is a
//! `ScriptError`; a body that cannot be interpreted makes only that
//! function's result an error.

use alembic_engine::script::parse_script;

const HEAD: &str = "\"\"\"msg\n\nRevision ID: r1\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = 'r1'\ndown_revision = None\n\n\n";

/// Parses HEAD + `body` and describes the outcome.
fn outcome(body: &str) -> String {
    let source = format!("{HEAD}{body}");
    let mut out = String::new();
    for (i, line) in source.lines().enumerate() {
        out.push_str(&format!("{:>3} | {line}\n", i + 1));
    }
    out.push_str("---\n");
    match parse_script("r1_msg.py", &source) {
        Err(e) => out.push_str(&format!("ScriptError: {e}\n")),
        Ok(s) => {
            match s.upgrade() {
                Ok(ops) => out.push_str(&format!("upgrade: ok, {} ops\n", ops.ops.len())),
                Err(d) => out.push_str(&format!("upgrade: {d}\n")),
            }
            match s.downgrade() {
                Ok(ops) => out.push_str(&format!("downgrade: ok, {} ops\n", ops.ops.len())),
                Err(d) => out.push_str(&format!("downgrade: {d}\n")),
            }
        }
    }
    out
}

const DOWN_PASS: &str = "\n\ndef downgrade():\n    pass\n";

#[test]
fn syntax_error_is_a_script_error() {
    insta::assert_snapshot!(outcome("def upgrade(:\n    pass\n"));
}

#[test]
fn missing_revision_is_a_script_error() {
    let source = "\"\"\"doc\"\"\"\ndown_revision = None\n\ndef upgrade():\n    pass\n";
    let err = parse_script("r9_doc.py", source).expect_err("no revision");
    insta::assert_snapshot!(err.to_string());
}

#[test]
fn computed_revision_is_a_script_error() {
    let source = "import uuid\nrevision = uuid.uuid4().hex\ndown_revision = None\n";
    let err = parse_script("r9_doc.py", source).expect_err("computed revision");
    insta::assert_snapshot!(err.to_string());
}

#[test]
fn loop_in_upgrade() {
    insta::assert_snapshot!(outcome(&format!(
        "def upgrade():\n    for name in ['a', 'b']:\n        op.drop_table(name)\n{DOWN_PASS}"
    )));
}

#[test]
fn condition_in_downgrade() {
    insta::assert_snapshot!(outcome(
        "def upgrade():\n    op.drop_table('a')\n\n\ndef downgrade():\n    if True:\n        pass\n"
    ));
}

#[test]
fn helper_function_call() {
    insta::assert_snapshot!(outcome(&format!(
        "def _make(name):\n    op.create_table(name, sa.Column('id', sa.Integer()))\n\n\ndef upgrade():\n    _make('a')\n{DOWN_PASS}"
    )));
}

#[test]
fn unsupported_op() {
    insta::assert_snapshot!(outcome(&format!(
        "def upgrade():\n    op.create_table_comment('a', 'rows of a')\n{DOWN_PASS}"
    )));
}

#[test]
fn unknown_op() {
    insta::assert_snapshot!(outcome(&format!("def upgrade():\n    op.frobnicate('a')\n{DOWN_PASS}")));
}

#[test]
fn unsupported_type() {
    insta::assert_snapshot!(outcome(&format!(
        "def upgrade():\n    op.add_column('a', sa.Column('x', sa.TupleType(sa.Integer())))\n{DOWN_PASS}"
    )));
}

#[test]
fn dialect_not_imported() {
    insta::assert_snapshot!(outcome(&format!(
        "def upgrade():\n    op.add_column('a', sa.Column('x', postgresql.JSONB()))\n{DOWN_PASS}"
    )));
}

#[test]
fn assignment_that_is_not_a_table_clause() {
    insta::assert_snapshot!(outcome(&format!(
        "def upgrade():\n    name = 'a'\n    op.drop_table(name)\n{DOWN_PASS}"
    )));
}

#[test]
fn schema_argument() {
    insta::assert_snapshot!(outcome(&format!(
        "def upgrade():\n    op.drop_column('a', 'x', schema='other')\n{DOWN_PASS}"
    )));
}

#[test]
fn batch_op_outside_its_block() {
    insta::assert_snapshot!(outcome(&format!(
        "def upgrade():\n    with op.batch_alter_table('a') as batch_op:\n        pass\n    batch_op.drop_column('x')\n{DOWN_PASS}"
    )));
}

#[test]
fn execute_of_a_variable() {
    insta::assert_snapshot!(outcome(&format!("def upgrade():\n    op.execute(SQL)\n{DOWN_PASS}")));
}

#[test]
fn foreign_key_inside_add_column() {
    insta::assert_snapshot!(outcome(&format!(
        "def upgrade():\n    op.add_column('a', sa.Column('b_id', sa.Integer(), sa.ForeignKey('b.id')))\n{DOWN_PASS}"
    )));
}

#[test]
fn unexpected_keyword() {
    insta::assert_snapshot!(outcome(&format!(
        "def upgrade():\n    op.create_index('ix', 'a', ['x'], colour='red')\n{DOWN_PASS}"
    )));
}

#[test]
fn enum_from_a_python_class() {
    insta::assert_snapshot!(outcome(&format!(
        "import enum\n\nclass Mood(enum.Enum):\n    happy = 1\n\n\ndef upgrade():\n    op.add_column('a', sa.Column('m', sa.Enum(Mood)))\n{DOWN_PASS}"
    )));
}

#[test]
fn missing_downgrade() {
    insta::assert_snapshot!(outcome("def upgrade():\n    pass\n"));
}

#[test]
fn nested_with() {
    insta::assert_snapshot!(outcome(&format!(
        "def upgrade():\n    with op.batch_alter_table('a') as b:\n        with op.batch_alter_table('c') as d:\n            pass\n{DOWN_PASS}"
    )));
}

#[test]
fn bulk_insert_with_a_computed_value() {
    insta::assert_snapshot!(outcome(&format!(
        "import datetime\n\n\ndef upgrade():\n    op.bulk_insert(sa.table('a', sa.column('d')), [{{'d': datetime.date(2020, 1, 1)}}])\n{DOWN_PASS}"
    )));
}

/// Never panic: every line prefix of the reference and hand-written scripts,
/// cuts inside lines, and each hand-written script with any one line removed.
#[test]
fn no_panic_on_truncated_or_mangled_scripts() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "py")
                && (p.to_string_lossy().contains("/alembic_scripts/") || p.to_string_lossy().contains("/hand_scripts/"))
            {
                files.push(p);
            }
        }
    }
    assert!(files.len() > 30);
    for f in files {
        let source = std::fs::read_to_string(&f).expect("read");
        let lines: Vec<&str> = source.lines().collect();
        for n in 0..lines.len() {
            let prefix = lines[..n].join("\n");
            let _ = parse_script("x.py", &prefix);
            if f.to_string_lossy().contains("/hand_scripts/") {
                let mut without = lines.clone();
                without.remove(n);
                let _ = parse_script("x.py", &without.join("\n"));
            }
        }
        // cut inside lines too
        for (i, _) in source.char_indices().step_by(61) {
            let _ = parse_script("x.py", &source[..i]);
        }
    }
}

/// Alembic renders `table.info` and dialect kwargs from `__table_args__`
/// (`info={...}`, `sqlite_autoincrement=False`): they leave SQLite's DDL alone.
#[test]
fn create_table_info_and_default_dialect_kwargs_are_accepted() {
    insta::assert_snapshot!(outcome(
        "def upgrade():\n    op.create_table('speaker',\n    sa.Column('id', sa.Integer(), nullable=False),\n    sa.PrimaryKeyConstraint('id'),\n    info={'owner': 'program-committee'},\n    mysql_engine='InnoDB',\n    sqlite_autoincrement=False\n    )\n" 
    ));
}

#[test]
fn create_table_ddl_changing_or_unprefixed_kwargs_are_refused() {
    insta::assert_snapshot!(outcome(
        "def upgrade():\n    op.create_table('t', sa.Column('id', sa.Integer()), schema='other')\n\n\ndef downgrade():\n    op.create_table('t', sa.Column('id', sa.Integer()), colour='red')\n"
    ));
}

#[test]
fn one_call_making_several_arguments_of_different_types() {
    // `t` is a type class per item: the reader cannot tell the items' types apart by source position
    insta::assert_snapshot!(outcome(&format!(
        "def upgrade():\n    types = [sa.Integer, sa.Text]\n    op.create_table('pair', sa.Column('id', sa.Integer(), primary_key=True), *[sa.Column(f'c{{i}}', t) for i, t in enumerate(types)])\n{DOWN_PASS}"
    )));
}

#[test]
fn arguments_built_elsewhere_in_the_script() {
    // what the readers restate from the values: spreads, helpers, **kwargs, comprehensions;
    // two spreads that cannot be evaluated again (`cols()`, a comprehension) do not line up
    insta::assert_snapshot!(outcome(&format!(
        "def cols():\n    return [sa.Column('id', sa.Integer(), primary_key=True)]\n\n\ndef named(n, **kw):\n    return sa.Column('name', sa.String(n), **kw)\n\n\ndef upgrade():\n    extra = [named(30, nullable=False)]\n    op.create_table('a', *cols(), *extra)\n    op.create_table('b', *cols(), *[sa.Column(c, sa.String(5)) for c in ['x', 'y']])\n    op.create_table('c', *cols(), *extra, *[sa.Column('z', sa.Text())])\n{DOWN_PASS}"
    )));
}

/// A standard library module the evaluator does not implement is named as
/// such: Python has it, so "No module named 'socket'" would be wrong.
#[test]
fn unimplemented_stdlib_module_is_not_a_missing_module() {
    insta::assert_snapshot!(outcome(&format!("def upgrade():\n    import socket\n    op.execute(socket.gethostname())\n{DOWN_PASS}")));
}

/// `Table.create(bind)` and `MetaData.create_all(bind)` run DDL in
/// SQLAlchemy: refused at the call, never a construct that does nothing.
#[test]
fn ddl_methods_of_core_objects_are_refused() {
    insta::assert_snapshot!(outcome(&format!(
        "def upgrade():\n    meta = sa.MetaData()\n    t = sa.Table('x', meta, sa.Column('id', sa.Integer, primary_key=True))\n    meta.create_all(op.get_bind())\n{DOWN_PASS}"
    )));
    insta::assert_snapshot!(outcome(&format!(
        "def upgrade():\n    t = sa.table('x', sa.column('id'))\n    sa.Index('ix_x_id', t.c.id).create(op.get_bind())\n{DOWN_PASS}"
    )));
}
