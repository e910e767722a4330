//! The examples: a project to start from plus short guided steps, taken from
//! how teams document their Alembic workflow.
//!
//! Invariants:
//! - Pure data; compiles and is tested natively (every example's models.py
//!   loads without errors and its scripts form a chain).
//! - A step is one thing the person can do with one click (run a command,
//!   run SQL, change models.py, undo); `expect_ok` says whether it is meant
//!   to succeed, so the page can say "this failure is the point".

/// What one step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepAction {
    /// An alembic command line (without `alembic`).
    Command(&'static str),
    /// SQL on the live database.
    Sql(&'static str),
    /// Replace models.py with this text.
    Models(&'static str),
    /// Undo the newest change.
    Undo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// What to look at, in a sentence or two.
    pub text: &'static str,
    pub action: StepAction,
    pub expect_ok: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Example {
    /// Stable id (`data-example`, `loadExample(id)`).
    pub id: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    pub models: &'static str,
    /// `versions/<file>` scripts it starts with.
    pub scripts: &'static [(&'static str, &'static str)],
    pub steps: &'static [Step],
}

const fn cmd(text: &'static str, line: &'static str) -> Step {
    Step { text, action: StepAction::Command(line), expect_ok: true }
}
const fn fails(text: &'static str, line: &'static str) -> Step {
    Step { text, action: StepAction::Command(line), expect_ok: false }
}
const fn sql(text: &'static str, query: &'static str) -> Step {
    Step { text, action: StepAction::Sql(query), expect_ok: true }
}
const fn models(text: &'static str, source: &'static str) -> Step {
    Step { text, action: StepAction::Models(source), expect_ok: true }
}
const fn undo(text: &'static str) -> Step {
    Step { text, action: StepAction::Undo, expect_ok: true }
}

const BLOG: &str = include_str!("../../static/examples/blog.py");
const TAG: &str = include_str!("../../static/examples/tag.py");
const TAG_COLOR: &str = include_str!("../../static/examples/tag_color.py");
const TAG_COLOR_DEFAULT: &str = include_str!("../../static/examples/tag_color_default.py");
const TAG_RENAMED: &str = include_str!("../../static/examples/tag_renamed.py");
const USER: &str = include_str!("../../static/examples/user.py");
const USER_SAMPLE_MATERIAL: &str = include_str!("../../static/examples/user_sample_material.py");
const MAPPED: &str = include_str!("../../static/examples/mapped.py");
const SQLMODEL: &str = include_str!("../../static/examples/sqlmodel_heroes.py");
/// Scripts the examples start with, under the names they get in `versions/`.
const NAV_1: &str = include_str!("../../static/examples/versions/1a0c7e5b9d21_create_user.py");
const NAV_2: &str = include_str!("../../static/examples/versions/2b9f4d6a8c13_create_material.py");
const NAV_3: &str = include_str!("../../static/examples/versions/3c8e2f7b1a45_create_sample.py");
const BRANCH_A: &str = include_str!("../../static/examples/versions/4d1b8a2c6e70_create_material.py");
const BRANCH_B: &str = include_str!("../../static/examples/versions/5e2c9b3d7f81_create_sample.py");

/// The example the page starts with.
pub const DEFAULT: &str = "blog";

pub const EXAMPLES: &[Example] = &[
    Example {
        id: "blog",
        title: "A small blog",
        summary: "Posts and tags with a many-to-many table: autogenerate the first revision and apply it.",
        models: BLOG,
        scripts: &[],
        steps: &[
            cmd("Autogenerate the first revision: compare models.py with the empty database.", "revision --autogenerate -m 'create blog'"),
            cmd("Apply it: the three tables appear in the database.", "upgrade head"),
            cmd("Where are we?", "current"),
        ],
    },
    Example {
        id: "tag",
        title: "First table: tag, with an index",
        summary: "One model, one revision: see create_table and create_index in the script.",
        models: TAG,
        scripts: &[],
        steps: &[
            cmd("Autogenerate: the script creates the table and, in a batch block, its index ix_tag_name.", "revision --autogenerate -m 'create tag'"),
            cmd("Apply the revision.", "upgrade head"),
            sql("Put two rows in.", "INSERT INTO tag (name) VALUES ('python'), ('sqlite')"),
            cmd("alembic_version now holds the revision id.", "current"),
        ],
    },
    Example {
        id: "user-sample-material",
        title: "user, then sample and material",
        summary: "A project grows: a second revision adds two tables with foreign keys.",
        models: USER,
        scripts: &[],
        steps: &[
            cmd("Autogenerate the user table.", "revision --autogenerate -m 'create user'"),
            cmd("Apply it.", "upgrade head"),
            models("Add the Material and Sample models (Sample refers to user and material).", USER_SAMPLE_MATERIAL),
            cmd("Autogenerate again: only the new tables are in the new script.", "revision --autogenerate -m 'add sample and material'"),
            cmd("Apply it.", "upgrade head"),
            cmd("The chain now has two revisions.", "history"),
        ],
    },
    Example {
        id: "navigate",
        title: "Moving along the chain",
        summary: "upgrade +1, downgrade -1, base, current, history, stamp and ensure_version on a three-revision chain.",
        models: USER_SAMPLE_MATERIAL,
        scripts: &[
            ("versions/1a0c7e5b9d21_create_user.py", NAV_1),
            ("versions/2b9f4d6a8c13_create_material.py", NAV_2),
            ("versions/3c8e2f7b1a45_create_sample.py", NAV_3),
        ],
        steps: &[
            cmd("One step up from an empty database.", "upgrade +1"),
            cmd("current shows the revision the database is at.", "current"),
            cmd("All the way up.", "upgrade head"),
            cmd("One step down.", "downgrade -1"),
            cmd("history marks the current revision.", "history --indicate-current"),
            cmd("Back to an empty schema (alembic_version stays, empty).", "downgrade base"),
            cmd("stamp writes alembic_version without running any migration: the tables are not created.", "stamp head"),
            cmd("The database claims to be at head.", "current"),
            cmd("Stamp back to base.", "stamp base"),
            cmd("ensure_version creates the version table if it is missing, nothing else.", "ensure_version"),
        ],
    },
    Example {
        id: "not-null",
        title: "NOT NULL on a table with rows",
        summary: "Adding a NOT NULL column fails when rows exist; a server_default fixes it.",
        models: TAG,
        scripts: &[],
        steps: &[
            cmd("Create the tag table.", "revision --autogenerate -m 'create tag'"),
            cmd("Apply it.", "upgrade head"),
            sql("Add rows.", "INSERT INTO tag (name) VALUES ('python'), ('sqlite')"),
            models("Add a NOT NULL column `color`, without a default.", TAG_COLOR),
            cmd("Autogenerate the change.", "revision --autogenerate -m 'add color'"),
            fails("Upgrade fails: SQLite cannot add a NOT NULL column without a default to a table with rows.", "upgrade head"),
            undo("Undo the failed upgrade."),
            undo("Undo the revision too: its script is removed."),
            models("Give color a server_default.", TAG_COLOR_DEFAULT),
            cmd("Autogenerate again: the script now carries server_default.", "revision --autogenerate -m 'add color'"),
            cmd("Upgrade works, and the existing rows get '#cccccc'.", "upgrade head"),
            sql("See the rows.", "SELECT * FROM tag"),
        ],
    },
    Example {
        id: "rename",
        title: "A column \"rename\"",
        summary: "Autogenerate cannot see a rename: it drops the column and adds a new one, and the data goes.",
        models: TAG,
        scripts: &[],
        steps: &[
            cmd("Create the tag table.", "revision --autogenerate -m 'create tag'"),
            cmd("Apply it.", "upgrade head"),
            sql("Add rows.", "INSERT INTO tag (name) VALUES ('python'), ('sqlite')"),
            models("Rename `name` to `title` in the model.", TAG_RENAMED),
            cmd("Autogenerate: look at the script, it drops `name` and adds `title`.", "revision --autogenerate -m 'rename name to title'"),
            fails("Upgrade fails: the new NOT NULL column has no value for the existing rows.", "upgrade head"),
            undo("Undo it. In the script, write batch_op.alter_column('name', new_column_name='title') instead to keep the data."),
        ],
    },
    Example {
        id: "branches",
        title: "Two branches and a merge",
        summary: "Two revisions with the same parent: multiple heads, the error, and merge heads.",
        models: USER_SAMPLE_MATERIAL,
        scripts: &[
            ("versions/1a0c7e5b9d21_create_user.py", NAV_1),
            ("versions/4d1b8a2c6e70_create_material.py", BRANCH_A),
            ("versions/5e2c9b3d7f81_create_sample.py", BRANCH_B),
        ],
        steps: &[
            cmd("Two heads: both revisions revise the same parent.", "heads"),
            fails("upgrade head fails: which head?", "upgrade head"),
            cmd("upgrade heads applies both branches.", "upgrade heads"),
            cmd("Merge the heads with an empty merge revision.", "merge heads -m 'merge branches'"),
            cmd("Now there is one head again.", "upgrade head"),
            cmd("history shows the merge point.", "history"),
        ],
    },
    Example {
        id: "mapped",
        title: "SQLAlchemy 2.0: Mapped[]",
        summary: "DeclarativeBase, Mapped[] annotations and mapped_column(): Optional means nullable.",
        models: MAPPED,
        scripts: &[],
        steps: &[
            cmd("Autogenerate: Mapped[Optional[str]] becomes nullable=True, Mapped[int] NOT NULL.", "revision --autogenerate -m 'authors and books'"),
            cmd("Apply it.", "upgrade head"),
            cmd("Nothing left to do: models and database agree.", "check"),
        ],
    },
    Example {
        id: "sqlmodel",
        title: "SQLModel",
        summary: "SQLModel tables: the script imports sqlmodel for AutoString.",
        models: SQLMODEL,
        scripts: &[],
        steps: &[
            cmd("Autogenerate: str fields become sqlmodel.sql.sqltypes.AutoString().", "revision --autogenerate -m 'teams and heroes'"),
            cmd("Apply it.", "upgrade head"),
            sql("Add a team and a hero.", "INSERT INTO team (name, headquarters) VALUES ('Preventers', 'Sharp Tower'); INSERT INTO hero (name, secret_name, team_id) VALUES ('Deadpond', 'Dive Wilson', 1)"),
        ],
    },
];

/// The example with this id.
pub fn find(id: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::command::project;

    #[test]
    fn every_example_loads() {
        assert!(find(DEFAULT).is_some());
        let mut ids = std::collections::BTreeSet::new();
        for e in EXAMPLES {
            assert!(ids.insert(e.id), "duplicate id {}", e.id);
            let errors: Vec<_> = project::models_problems(e.models).into_iter().filter(|p| p.error).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", e.id);
            for step in e.steps {
                if let StepAction::Models(source) = step.action {
                    let errors: Vec<_> = project::models_problems(source).into_iter().filter(|p| p.error).collect();
                    assert!(errors.is_empty(), "{}: {errors:?}", e.id);
                }
            }
            let files: Vec<(String, String)> = e
                .scripts
                .iter()
                .map(|(path, text)| (path.strip_prefix("versions/").unwrap().to_string(), text.to_string()))
                .collect();
            for (name, text) in &files {
                assert!(project::script_problems(name, text).is_empty(), "{}: {name}", e.id);
            }
            let chain = project::load_chain(&files);
            assert!(chain.problems.is_empty(), "{}: {:?}", e.id, chain.problems);
            assert_eq!(chain.revisions.len(), files.len());
        }
    }
}
