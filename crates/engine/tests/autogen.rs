//! m1 → m2 autogenerate fixtures. Each one mirrors a run of real Alembic
//! 1.20.1 / SQLAlchemy 2.1.9 (`scripts/mkref.sh`, `alembic revision
//! --autogenerate` after `upgrade head` of m1): the model side is built as
//! models.py declares it, the reflected side as `sqlalchemy.inspect(engine)`
//! returned it for the database Alembic made from m1, and the expected
//! script bodies and log lines are the ones Alembic wrote.

mod autogen_support;

use alembic_engine::autogen::{compare, sorted_tables, Comparison, PY_WARNINGS};
use alembic_engine::schema::{Name, ServerDefault, Table, TypeClass as T};
use autogen_support::*;

/// The log lines (Python warnings among them are checked where they occur).
fn check(cmp: &Comparison, upgrade: &str, downgrade: &str, log: &str) {
    assert_eq!(script(&cmp.upgrade.ops), lines(upgrade), "upgrade()");
    assert_eq!(script(&cmp.upgrade.reverse().ops), lines(downgrade), "downgrade()");
    let logged: Vec<(String, String)> = cmp.log.iter().filter(|(l, _)| l != PY_WARNINGS).cloned().collect();
    assert_eq!(logged, log_lines(log), "log");
}

fn id() -> alembic_engine::schema::Column {
    col("id", ty(T::Integer)).pk()
}
fn id_r() -> alembic_engine::schema::Column {
    col("id", ty(T::IntegerUpper)).pk()
}

// ------------------------------------------------------------ gym_workout_log

fn gym_athlete(email: bool, weight: bool) -> Table {
    let mut cols = vec![id(), col("nickname", ty_len(T::String, 40)).not_null()];
    if email {
        cols.push(col("email", ty_len(T::String, 255)));
    }
    if weight {
        cols.push(col("body_weight_kg", numeric(T::Numeric, 5, 1)));
    }
    let mut t = table("athlete", cols);
    t.unique_constraints.push(uq(None, &["nickname"]));
    t
}

fn gym_workout(notes: alembic_engine::schema::SqlType) -> Table {
    let mut t = table(
        "workout",
        vec![
            id(),
            col("athlete_id", ty(T::Integer)).not_null(),
            col("started_at", ty(T::DateTime)).not_null().default_text("(CURRENT_TIMESTAMP)"),
            col("notes", notes),
        ],
    );
    let mut f = fk(&["athlete_id"], "athlete", &["id"]);
    f.ondelete = Some("CASCADE".into());
    t.foreign_keys.push(f);
    t
}

fn gym_exercise_set() -> Table {
    let mut t = table(
        "exercise_set",
        vec![
            id(),
            col("workout_id", ty(T::Integer)).not_null(),
            col("exercise", ty_len(T::String, 60)).not_null(),
            col("reps", ty(T::SmallInteger)).not_null(),
            col("weight_kg", numeric(T::Numeric, 6, 2)).not_null(),
        ],
    );
    let mut f = fk(&["workout_id"], "workout", &["id"]);
    f.ondelete = Some("CASCADE".into());
    t.foreign_keys.push(f);
    t.indexes.push(ix(Name::conv("ix_exercise_set_workout_id"), "exercise_set", &["workout_id"], false));
    t
}

/// The inspector's answer for gym_workout_log after step 1, written out.
fn gym_reflected_1() -> alembic_engine::schema::MetaData {
    let mut athlete = table(
        "athlete",
        vec![
            id_r(),
            col("nickname", ty_len(T::VarcharUpper, 40)).not_null(),
            col("email", ty_len(T::VarcharUpper, 255)),
        ],
    );
    athlete.unique_constraints.push(uq(None, &["nickname"]));
    let mut workout = table(
        "workout",
        vec![
            id_r(),
            col("athlete_id", ty(T::IntegerUpper)).not_null(),
            col("started_at", ty(T::DateTimeUpper)).not_null().default_text("CURRENT_TIMESTAMP"),
            col("notes", ty_len(T::VarcharUpper, 200)),
        ],
    );
    let mut f = fk(&["athlete_id"], "athlete", &["id"]);
    f.ondelete = Some("CASCADE".into());
    workout.foreign_keys.push(f);
    let mut version = table("alembic_version", vec![col("version_num", ty_len(T::VarcharUpper, 32)).pk()]);
    if let Some(pk) = &mut version.primary_key {
        pk.name = Some(Name::plain("alembic_version_pkc"));
    }
    metadata(vec![version, athlete, workout])
}

#[test]
fn reflect_equivalent_matches_the_inspector_for_gym_step_1() {
    let m1 = metadata(vec![gym_athlete(true, false), gym_workout(ty_len(T::String, 200))]);
    let mut hand = gym_reflected_1();
    hand.remove_table("alembic_version");
    assert_eq!(reflect_metadata(&m1).tables, hand.tables);
}

#[test]
fn gym_step_1_creates_tables_in_dependency_order() {
    let m1 = metadata(vec![gym_athlete(true, false), gym_workout(ty_len(T::String, 200))]);
    let cmp = compare(&m1, &metadata(vec![]));
    check(
        &cmp,
        r#"
    op.create_table('athlete',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nickname', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('nickname')
    )
    op.create_table('workout',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('athlete_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('notes', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['athlete_id'], ['athlete.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
"#,
        r#"
    op.drop_table('workout')
    op.drop_table('athlete')
"#,
        r#"
INFO  [alembic.autogenerate.compare.tables] Detected added table 'athlete'
INFO  [alembic.autogenerate.compare.tables] Detected added table 'workout'
"#,
    );
}

#[test]
fn gym_step_2_new_table_with_index_added_column_string_to_text() {
    let m2 = metadata(vec![gym_athlete(true, true), gym_workout(ty(T::Text)), gym_exercise_set()]);
    let cmp = compare(&m2, &gym_reflected_1());
    check(
        &cmp,
        r#"
    op.create_table('exercise_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workout_id', sa.Integer(), nullable=False),
    sa.Column('exercise', sa.String(length=60), nullable=False),
    sa.Column('reps', sa.SmallInteger(), nullable=False),
    sa.Column('weight_kg', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['workout_id'], ['workout.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('exercise_set', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exercise_set_workout_id'), ['workout_id'], unique=False)

    with op.batch_alter_table('athlete', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_weight_kg', sa.Numeric(precision=5, scale=1), nullable=True))

    with op.batch_alter_table('workout', schema=None) as batch_op:
        batch_op.alter_column('notes',
               existing_type=sa.VARCHAR(length=200),
               type_=sa.Text(),
               existing_nullable=True)
"#,
        r#"
    with op.batch_alter_table('workout', schema=None) as batch_op:
        batch_op.alter_column('notes',
               existing_type=sa.Text(),
               type_=sa.VARCHAR(length=200),
               existing_nullable=True)

    with op.batch_alter_table('athlete', schema=None) as batch_op:
        batch_op.drop_column('body_weight_kg')

    with op.batch_alter_table('exercise_set', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exercise_set_workout_id'))

    op.drop_table('exercise_set')
"#,
        r#"
INFO  [alembic.autogenerate.compare.tables] Detected added table 'exercise_set'
INFO  [alembic.autogenerate.compare.constraints] Detected added index 'ix_exercise_set_workout_id' on '('workout_id',)'
INFO  [alembic.autogenerate.compare.tables] Detected added column 'athlete.body_weight_kg'
INFO  [alembic.autogenerate.compare.types] Detected type change from VARCHAR(length=200) to Text() on 'workout.notes'
"#,
    );
    // The created table carries no index: it follows as create_index.
    match cmp.upgrade.ops.first() {
        Some(alembic_engine::ops::Op::CreateTable { table, .. }) => assert!(table.indexes.is_empty()),
        other => panic!("expected CreateTable, got {other:?}"),
    }
}

#[test]
fn gym_step_3_drop_column_carries_the_reflected_column() {
    let m2 = metadata(vec![gym_athlete(true, true), gym_workout(ty(T::Text)), gym_exercise_set()]);
    let reflected_2 = reflect_metadata(&m2);
    let mut personal = table(
        "personal_record",
        vec![
            id(),
            col("athlete_id", ty(T::Integer)).not_null(),
            col("exercise", ty_len(T::String, 60)).not_null(),
            col("weight_kg", numeric(T::Numeric, 6, 2)).not_null(),
            col("achieved_on", ty(T::Date)).not_null(),
        ],
    );
    let mut f = fk(&["athlete_id"], "athlete", &["id"]);
    f.ondelete = Some("CASCADE".into());
    personal.foreign_keys.push(f);
    let m3 = metadata(vec![gym_athlete(false, true), gym_workout(ty(T::Text)), gym_exercise_set(), personal]);
    let cmp = compare(&m3, &reflected_2);
    check(
        &cmp,
        r#"
    op.create_table('personal_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('athlete_id', sa.Integer(), nullable=False),
    sa.Column('exercise', sa.String(length=60), nullable=False),
    sa.Column('weight_kg', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('achieved_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['athlete_id'], ['athlete.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('athlete', schema=None) as batch_op:
        batch_op.drop_column('email')
"#,
        r#"
    with op.batch_alter_table('athlete', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.VARCHAR(length=255), nullable=True))

    op.drop_table('personal_record')
"#,
        r#"
INFO  [alembic.autogenerate.compare.tables] Detected added table 'personal_record'
INFO  [alembic.autogenerate.compare.tables] Detected removed column 'athlete.email'
"#,
    );
}

// ------------------------------------------------------------ parking_garage_1x

fn parking_spots(code_len: u32) -> Table {
    let mut size = enum_ty(&["compact", "regular", "large"], Some("spot_size"));
    if let Some(e) = &mut size.enum_ {
        e.native_enum = false;
    }
    let mut t = table(
        "spots",
        vec![
            id(),
            col("garage_id", ty(T::Integer)).not_null(),
            col("code", ty_len(T::String, code_len)).not_null(),
            col("size", size).not_null().default_lit("regular"),
            col("has_charger", ty(T::Boolean)).not_null(),
        ],
    );
    t.foreign_keys.push(fk(&["garage_id"], "garages", &["id"]));
    t
}

fn parking_garages() -> Table {
    table(
        "garages",
        vec![
            id(),
            col("name", ty_len(T::String, 80)).not_null(),
            col("levels", ty(T::Integer)).not_null().default_lit("1"),
        ],
    )
}

#[test]
fn parking_step_2_string_length_change_and_new_table_with_index() {
    let m1 = metadata(vec![parking_garages(), parking_spots(10)]);
    let mut tickets = table(
        "tickets",
        vec![
            id(),
            col("spot_id", ty(T::Integer)).not_null(),
            col("plate", ty_len(T::String, 12)).not_null(),
            col("entered_at", ty(T::DateTime)).not_null().default_text("(CURRENT_TIMESTAMP)"),
            col("left_at", ty(T::DateTime)),
            col("paid", ty(T::Boolean)).not_null().default_lit("0"),
        ],
    );
    tickets.foreign_keys.push(fk(&["spot_id"], "spots", &["id"]));
    tickets.indexes.push(ix(Name::conv("ix_tickets_plate"), "tickets", &["plate"], false));
    let m2 = metadata(vec![parking_garages(), parking_spots(16), tickets]);
    let cmp = compare(&m2, &reflect_metadata(&m1));
    check(
        &cmp,
        r#"
    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('spot_id', sa.Integer(), nullable=False),
    sa.Column('plate', sa.String(length=12), nullable=False),
    sa.Column('entered_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('left_at', sa.DateTime(), nullable=True),
    sa.Column('paid', sa.Boolean(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['spot_id'], ['spots.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tickets_plate'), ['plate'], unique=False)
    with op.batch_alter_table('spots', schema=None) as batch_op:
        batch_op.alter_column('code',
               existing_type=sa.VARCHAR(length=10),
               type_=sa.String(length=16),
               existing_nullable=False)
"#,
        r#"
    with op.batch_alter_table('spots', schema=None) as batch_op:
        batch_op.alter_column('code',
               existing_type=sa.String(length=16),
               type_=sa.VARCHAR(length=10),
               existing_nullable=False)
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_plate'))
    op.drop_table('tickets')
"#,
        r#"
INFO  [alembic.autogenerate.compare.tables] Detected added table 'tickets'
INFO  [alembic.autogenerate.compare.constraints] Detected added index 'ix_tickets_plate' on '('plate',)'
INFO  [alembic.autogenerate.compare.types] Detected type change from VARCHAR(length=10) to String(length=16) on 'spots.code'
"#,
    );
}

// ------------------------------------------------------------ podcast_catalog_m2m

fn podcast_show() -> Table {
    let mut t = table(
        "show",
        vec![id(), col("title", ty_len(T::String, 150)).not_null(), col("feed_url", ty_len(T::String, 500)).not_null()],
    );
    t.unique_constraints.push(uq(None, &["feed_url"]));
    t
}

fn podcast_episode(number: bool) -> Table {
    let mut cols = vec![id(), col("show_id", ty(T::Integer)).not_null()];
    if number {
        cols.push(col("number", ty(T::Integer)));
    }
    cols.extend([
        col("title", ty_len(T::String, 200)).not_null(),
        col("summary", ty(T::Text)),
        col("aired_on", ty(T::Date)),
        col("duration_seconds", ty(T::Integer)),
    ]);
    let mut t = table("episode", cols);
    let mut f = fk(&["show_id"], "show", &["id"]);
    f.ondelete = Some("CASCADE".into());
    t.foreign_keys.push(f);
    if number {
        t.unique_constraints.push(uq(Some(Name::plain("uq_episode_show_number")), &["show_id", "number"]));
    }
    t
}

fn podcast_episode_guest() -> Table {
    let mut t =
        table("episode_guest", vec![col("episode_id", ty(T::Integer)).pk(), col("guest_id", ty(T::Integer)).pk()]);
    for (c, target) in [("episode_id", "episode"), ("guest_id", "guest")] {
        let mut f = fk(&[c], target, &["id"]);
        f.ondelete = Some("CASCADE".into());
        t.foreign_keys.push(f);
    }
    t
}

fn podcast_guest(homepage: bool) -> Table {
    let mut cols = vec![id(), col("name", ty_len(T::String, 120)).not_null()];
    if homepage {
        cols.push(col("homepage", ty_len(T::String, 300)));
    }
    table("guest", cols)
}

#[test]
fn podcast_step_2_association_table_sorts_after_its_referents() {
    let mut old_episode = podcast_episode(false);
    if let Some(c) = old_episode.column_mut("summary") {
        c.type_ = ty_len(T::String, 1000);
    }
    let m1 = metadata(vec![podcast_show(), old_episode]);
    // Declared order: association table first, as models.py does.
    let m2 = metadata(vec![podcast_episode_guest(), podcast_show(), podcast_guest(true), podcast_episode(false)]);
    let cmp = compare(&m2, &reflect_metadata(&m1));
    check(
        &cmp,
        r#"
    op.create_table('guest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('homepage', sa.String(length=300), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('episode_guest',
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('guest_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['episode_id'], ['episode.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['guest_id'], ['guest.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('episode_id', 'guest_id')
    )
    with op.batch_alter_table('episode', schema=None) as batch_op:
        batch_op.alter_column('summary',
               existing_type=sa.VARCHAR(length=1000),
               type_=sa.Text(),
               existing_nullable=True)
"#,
        r#"
    with op.batch_alter_table('episode', schema=None) as batch_op:
        batch_op.alter_column('summary',
               existing_type=sa.Text(),
               type_=sa.VARCHAR(length=1000),
               existing_nullable=True)
    op.drop_table('episode_guest')
    op.drop_table('guest')
"#,
        r#"
INFO  [alembic.autogenerate.compare.tables] Detected added table 'guest'
INFO  [alembic.autogenerate.compare.tables] Detected added table 'episode_guest'
INFO  [alembic.autogenerate.compare.types] Detected type change from VARCHAR(length=1000) to Text() on 'episode.summary'
"#,
    );
}

#[test]
fn podcast_step_3_named_unique_added_to_existing_table() {
    let m2 = metadata(vec![podcast_episode_guest(), podcast_show(), podcast_guest(true), podcast_episode(false)]);
    let m3 = metadata(vec![podcast_episode_guest(), podcast_show(), podcast_guest(false), podcast_episode(true)]);
    let cmp = compare(&m3, &reflect_metadata(&m2));
    check(
        &cmp,
        r#"
    with op.batch_alter_table('episode', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint('uq_episode_show_number', ['show_id', 'number'])
    with op.batch_alter_table('guest', schema=None) as batch_op:
        batch_op.drop_column('homepage')
"#,
        r#"
    with op.batch_alter_table('guest', schema=None) as batch_op:
        batch_op.add_column(sa.Column('homepage', sa.VARCHAR(length=300), nullable=True))
    with op.batch_alter_table('episode', schema=None) as batch_op:
        batch_op.drop_constraint('uq_episode_show_number', type_='unique')
        batch_op.drop_column('number')
"#,
        r#"
INFO  [alembic.autogenerate.compare.tables] Detected added column 'episode.number'
INFO  [alembic.autogenerate.compare.constraints] Detected added unique constraint 'uq_episode_show_number' on '('show_id', 'number')'
INFO  [alembic.autogenerate.compare.tables] Detected removed column 'guest.homepage'
"#,
    );
}

// ------------------------------------------------------------ clinic_appointments

fn clinic_vets(visits: Option<T>) -> Table {
    let mut cols =
        vec![id(), col("name", ty_len(T::String, 100)).not_null(), col("license_no", ty_len(T::String, 20)).not_null()];
    if let Some(class) = visits {
        cols.push(col("visits_total", ty(class)).not_null().default_lit("0"));
    }
    let mut t = table("vets", cols);
    t.unique_constraints.push(uq(None, &["license_no"]));
    t
}

fn clinic_appointments(species: &[&str], notes: bool) -> Table {
    let mut cols = vec![
        id(),
        col("vet_id", ty(T::Integer)).not_null(),
        col("pet_name", ty_len(T::String, 60)).not_null(),
        col("species", enum_ty(species, Some("species"))).not_null(),
        col("day", ty(T::Date)).not_null(),
        col("slot", ty(T::Time)).not_null(),
        col("booked_at", ty(T::DateTime)).not_null().default_text("(CURRENT_TIMESTAMP)"),
        col("owner_phone", ty_len(T::String, 30)).not_null(),
    ];
    if notes {
        cols.push(col("notes", ty(T::Text)));
    }
    let mut t = table("appointments", cols);
    t.foreign_keys.push(fk(&["vet_id"], "vets", &["id"]));
    t
}

#[test]
fn clinic_step_2_unchanged_enum_is_equal_and_tables_come_by_name() {
    let m1 = metadata(vec![clinic_vets(None), clinic_appointments(&["dog", "cat", "other"], false)]);
    let m2 = metadata(vec![clinic_vets(Some(T::BigInteger)), clinic_appointments(&["dog", "cat", "other"], true)]);
    let cmp = compare(&m2, &reflect_metadata(&m1));
    check(
        &cmp,
        r#"
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notes', sa.Text(), nullable=True))
    with op.batch_alter_table('vets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visits_total', sa.BigInteger(), server_default='0', nullable=False))
"#,
        r#"
    with op.batch_alter_table('vets', schema=None) as batch_op:
        batch_op.drop_column('visits_total')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_column('notes')
"#,
        r#"
INFO  [alembic.autogenerate.compare.tables] Detected added column 'appointments.notes'
INFO  [alembic.autogenerate.compare.tables] Detected added column 'vets.visits_total'
"#,
    );
}

#[test]
fn clinic_step_3_enum_longer_member_and_bigint_to_integer_keep_existing_default() {
    let m2 = metadata(vec![clinic_vets(Some(T::BigInteger)), clinic_appointments(&["dog", "cat", "other"], true)]);
    let m3 = metadata(vec![
        clinic_vets(Some(T::Integer)),
        clinic_appointments(&["dog", "cat", "bird", "reptile", "other"], true),
    ]);
    let cmp = compare(&m3, &reflect_metadata(&m2));
    check(
        &cmp,
        r#"
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.alter_column('species',
               existing_type=sa.VARCHAR(length=5),
               type_=sa.Enum('dog', 'cat', 'bird', 'reptile', 'other', name='species'),
               existing_nullable=False)
    with op.batch_alter_table('vets', schema=None) as batch_op:
        batch_op.alter_column('visits_total',
               existing_type=sa.BIGINT(),
               type_=sa.Integer(),
               existing_nullable=False,
               existing_server_default=sa.text("'0'"))
"#,
        r#"
    with op.batch_alter_table('vets', schema=None) as batch_op:
        batch_op.alter_column('visits_total',
               existing_type=sa.Integer(),
               type_=sa.BIGINT(),
               existing_nullable=False,
               existing_server_default=sa.text("'0'"))
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.alter_column('species',
               existing_type=sa.Enum('dog', 'cat', 'bird', 'reptile', 'other', name='species'),
               type_=sa.VARCHAR(length=5),
               existing_nullable=False)
"#,
        r#"
INFO  [alembic.autogenerate.compare.types] Detected type change from VARCHAR(length=5) to Enum('dog', 'cat', 'bird', 'reptile', 'other', name='species') on 'appointments.species'
INFO  [alembic.autogenerate.compare.types] Detected type change from BIGINT() to Integer() on 'vets.visits_total'
"#,
    );
}

// ------------------------------------------------------------ kanban_board_indexes

fn kanban(step: u8) -> alembic_engine::schema::MetaData {
    let boards = table("boards", vec![id(), col("name", ty_len(T::String, 80)).not_null()]);
    let mut lane_cols = vec![
        id(),
        col("board_id", ty(T::Integer)).not_null(),
        col("title", ty_len(T::String, 40)).not_null(),
        col("position", ty(T::Integer)).not_null(),
    ];
    if step == 2 {
        lane_cols.push(col("wip_limit", ty(T::Integer)));
    }
    let mut lanes = table("lanes", lane_cols);
    let mut f = fk(&["board_id"], "boards", &["id"]);
    f.ondelete = Some("CASCADE".into());
    lanes.foreign_keys.push(f);
    lanes.unique_constraints.push(uq(Some(Name::plain("uq_lane_board_position")), &["board_id", "position"]));
    let mut card_cols = vec![
        id(),
        col("lane_id", ty(T::Integer)).not_null(),
        col("parent_id", ty(T::Integer)),
        col("title", ty_len(T::String, 200)).not_null(),
        col("rank", ty(T::Integer)).not_null(),
    ];
    if step >= 2 {
        card_cols.push(col("assignee", ty_len(T::String, 60)));
        card_cols.push(col("external_ref", ty_len(T::String, 40)));
        card_cols.push(col("checklist", ty(T::Json)));
    }
    let mut cards = table("cards", card_cols);
    let mut f = fk(&["lane_id"], "lanes", &["id"]);
    f.ondelete = Some("CASCADE".into());
    cards.foreign_keys.push(f);
    cards.foreign_keys.push(fk(&["parent_id"], "cards", &["id"]));
    if step == 3 {
        cards.indexes.push(ix(
            Name::plain("ix_cards_lane_parent_rank"),
            "cards",
            &["lane_id", "parent_id", "rank"],
            false,
        ));
    } else {
        cards.indexes.push(ix(Name::plain("ix_cards_lane_rank"), "cards", &["lane_id", "rank"], false));
    }
    if step >= 2 {
        cards.indexes.push(ix(Name::plain("ix_cards_external_ref"), "cards", &["external_ref"], true));
        cards.indexes.push(ix(Name::conv("ix_cards_assignee"), "cards", &["assignee"], false));
    }
    metadata(vec![boards, lanes, cards])
}

#[test]
fn kanban_step_1_self_referencing_table_and_explicit_index_name() {
    let cmp = compare(&kanban(1), &metadata(vec![]));
    let ups = script(&cmp.upgrade.ops);
    assert!(ups.contains(&"    sa.ForeignKeyConstraint(['parent_id'], ['cards.id'], ),".to_string()));
    assert_eq!(
        ups.iter().filter(|l| l.contains("create_table") || l.contains("create_index")).cloned().collect::<Vec<_>>(),
        lines(
            r#"
    op.create_table('boards',
    op.create_table('lanes',
    op.create_table('cards',
        batch_op.create_index('ix_cards_lane_rank', ['lane_id', 'rank'], unique=False)
"#
        )
    );
    assert_eq!(
        cmp.log,
        log_lines(
            r#"
INFO  [alembic.autogenerate.compare.tables] Detected added table 'boards'
INFO  [alembic.autogenerate.compare.tables] Detected added table 'lanes'
INFO  [alembic.autogenerate.compare.tables] Detected added table 'cards'
INFO  [alembic.autogenerate.compare.constraints] Detected added index 'ix_cards_lane_rank' on '('lane_id', 'rank')'
"#
        )
    );
}

#[test]
fn kanban_step_2_added_columns_then_indexes_by_name() {
    let cmp = compare(&kanban(2), &reflect_metadata(&kanban(1)));
    check(
        &cmp,
        r#"
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('external_ref', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('checklist', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cards_assignee'), ['assignee'], unique=False)
        batch_op.create_index('ix_cards_external_ref', ['external_ref'], unique=True)
    with op.batch_alter_table('lanes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wip_limit', sa.Integer(), nullable=True))
"#,
        r#"
    with op.batch_alter_table('lanes', schema=None) as batch_op:
        batch_op.drop_column('wip_limit')
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_index('ix_cards_external_ref')
        batch_op.drop_index(batch_op.f('ix_cards_assignee'))
        batch_op.drop_column('checklist')
        batch_op.drop_column('external_ref')
        batch_op.drop_column('assignee')
"#,
        r#"
INFO  [alembic.autogenerate.compare.tables] Detected added column 'cards.assignee'
INFO  [alembic.autogenerate.compare.tables] Detected added column 'cards.external_ref'
INFO  [alembic.autogenerate.compare.tables] Detected added column 'cards.checklist'
INFO  [alembic.autogenerate.compare.constraints] Detected added index 'ix_cards_assignee' on '('assignee',)'
INFO  [alembic.autogenerate.compare.constraints] Detected added index 'ix_cards_external_ref' on '('external_ref',)'
INFO  [alembic.autogenerate.compare.tables] Detected added column 'lanes.wip_limit'
"#,
    );
}

#[test]
fn kanban_step_3_index_swapped_and_reflected_names_are_conv() {
    let cmp = compare(&kanban(3), &reflect_metadata(&kanban(2)));
    check(
        &cmp,
        r#"
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cards_lane_rank'))
        batch_op.create_index('ix_cards_lane_parent_rank', ['lane_id', 'parent_id', 'rank'], unique=False)
    with op.batch_alter_table('lanes', schema=None) as batch_op:
        batch_op.drop_column('wip_limit')
"#,
        r#"
    with op.batch_alter_table('lanes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wip_limit', sa.INTEGER(), nullable=True))
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_index('ix_cards_lane_parent_rank')
        batch_op.create_index(batch_op.f('ix_cards_lane_rank'), ['lane_id', 'rank'], unique=False)
"#,
        r#"
INFO  [alembic.autogenerate.compare.constraints] Detected removed index 'ix_cards_lane_rank' on 'cards'
INFO  [alembic.autogenerate.compare.constraints] Detected added index 'ix_cards_lane_parent_rank' on '('lane_id', 'parent_id', 'rank')'
INFO  [alembic.autogenerate.compare.tables] Detected removed column 'lanes.wip_limit'
"#,
    );
}

// ------------------------------------------------------------ sqlmodel_pet_adoption

fn pets(step: u8) -> alembic_engine::schema::MetaData {
    let mut shelter_cols =
        vec![id(), col("name", ty_len(T::AutoString, 100)).not_null(), col("city", ty(T::AutoString)).not_null()];
    if step == 2 {
        shelter_cols.push(col("phone", ty_len(T::AutoString, 30)));
    }
    let shelter = table("shelter", shelter_cols);
    let mut pet = table(
        "pet",
        vec![
            id(),
            col("name", ty(T::AutoString)).not_null(),
            col("species", ty_len(T::AutoString, if step == 2 { 40 } else { 20 })).not_null(),
            col("born_on", ty(T::Date)),
            col("adopted", ty(T::Boolean)).not_null(),
            col("shelter_id", ty(T::Integer)),
        ],
    );
    pet.foreign_keys.push(fk(&["shelter_id"], "shelter", &["id"]));
    pet.indexes.push(ix(Name::conv("ix_pet_name"), "pet", &["name"], false));
    let mut tables = vec![shelter, pet];
    if step == 2 {
        let mut app = table(
            "application",
            vec![
                id(),
                col("pet_id", ty(T::Integer)).not_null(),
                col("applicant_email", ty_len(T::AutoString, 255)).not_null(),
                // sqlmodel 0.0.50 maps datetime to its UTCDateTime, a DateTime decorator.
                col("submitted_at", ty(T::DateTime)).not_null(),
                col("approved", ty(T::Boolean)),
            ],
        );
        let mut f = fk(&["pet_id"], "pet", &["id"]);
        f.ondelete = Some("CASCADE".into());
        app.foreign_keys.push(f);
        app.indexes.push(ix(Name::conv("ix_application_applicant_email"), "application", &["applicant_email"], false));
        tables.push(app);
    }
    metadata(tables)
}

#[test]
fn sqlmodel_step_2_autostring_length_change() {
    let cmp = compare(&pets(2), &reflect_metadata(&pets(1)));
    let ups = script(&cmp.upgrade.ops);
    let expected_tail = lines(
        r#"
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_applicant_email'), ['applicant_email'], unique=False)
    with op.batch_alter_table('pet', schema=None) as batch_op:
        batch_op.alter_column('species',
               existing_type=sa.VARCHAR(length=20),
               type_=sqlmodel.sql.sqltypes.AutoString(length=40),
               existing_nullable=False)
    with op.batch_alter_table('shelter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True))
"#,
    );
    assert_eq!(ups[ups.len() - expected_tail.len()..], expected_tail[..]);
    assert_eq!(
        cmp.log,
        log_lines(
            r#"
INFO  [alembic.autogenerate.compare.tables] Detected added table 'application'
INFO  [alembic.autogenerate.compare.constraints] Detected added index 'ix_application_applicant_email' on '('applicant_email',)'
INFO  [alembic.autogenerate.compare.types] Detected type change from VARCHAR(length=20) to AutoString(length=40) on 'pet.species'
INFO  [alembic.autogenerate.compare.tables] Detected added column 'shelter.phone'
"#
        )
    );
}

// ------------------------------------------------------------ weather_stations_naming

fn weather(step: u8) -> alembic_engine::schema::MetaData {
    let named_pk = |t: &mut Table, n: &str| {
        if let Some(pk) = &mut t.primary_key {
            pk.name = Some(Name::conv(n));
        }
    };
    let mut station = table(
        "station",
        vec![
            id(),
            col("callsign", ty_len(T::String, 8)).not_null(),
            col("latitude", ty(T::Float)).not_null(),
            col("longitude", ty(T::Float)).not_null(),
            col("elevation_m", ty(T::Integer)).not_null(),
        ],
    );
    named_pk(&mut station, "pk_station");
    station.check_constraints.push(alembic_engine::schema::CheckConstraint {
        name: Some(Name::conv("ck_station_sane_elevation")),
        sqltext: "elevation_m > -500".into(),
    });
    station.unique_constraints.push(uq(Some(Name::conv("uq_station_callsign")), &["callsign"]));
    let mut cols = vec![id()];
    if step == 2 {
        cols.push(col("station_id", ty(T::Integer)));
    }
    cols.extend([col("taken_at", ty(T::DateTime)).not_null(), col("temperature_c", ty(T::Float))]);
    if step == 2 {
        cols.push(col("humidity_pct", ty(T::Float)));
    }
    cols.push(col("raw_packet", ty(T::LargeBinary)));
    let mut reading = table("reading", cols);
    named_pk(&mut reading, "pk_reading");
    reading.indexes.push(ix(Name::conv("ix_reading_taken_at"), "reading", &["taken_at"], false));
    if step == 2 {
        let mut f = fk(&["station_id"], "station", &["id"]);
        f.name = Some(Name::conv("fk_reading_station_id_station"));
        f.ondelete = Some("CASCADE".into());
        reading.foreign_keys.push(f);
    }
    let mut m = metadata(vec![station, reading]);
    for (k, v) in [
        ("ix", "ix_%(column_0_label)s"),
        ("uq", "uq_%(table_name)s_%(column_0_name)s"),
        ("ck", "ck_%(table_name)s_%(constraint_name)s"),
        ("fk", "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"),
        ("pk", "pk_%(table_name)s"),
    ] {
        m.naming_convention.insert(k.into(), v.into());
    }
    m
}

#[test]
fn weather_step_1_independent_tables_come_by_name_each_with_its_indexes() {
    let cmp = compare(&weather(1), &metadata(vec![]));
    check(
        &cmp,
        r#"
    op.create_table('reading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=False),
    sa.Column('temperature_c', sa.Float(), nullable=True),
    sa.Column('raw_packet', sa.LargeBinary(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reading'))
    )
    with op.batch_alter_table('reading', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reading_taken_at'), ['taken_at'], unique=False)
    op.create_table('station',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('callsign', sa.String(length=8), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('elevation_m', sa.Integer(), nullable=False),
    sa.CheckConstraint('elevation_m > -500', name=op.f('ck_station_sane_elevation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station')),
    sa.UniqueConstraint('callsign', name=op.f('uq_station_callsign'))
    )
"#,
        r#"
    op.drop_table('station')
    with op.batch_alter_table('reading', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reading_taken_at'))
    op.drop_table('reading')
"#,
        r#"
INFO  [alembic.autogenerate.compare.tables] Detected added table 'reading'
INFO  [alembic.autogenerate.compare.constraints] Detected added index 'ix_reading_taken_at' on '('taken_at',)'
INFO  [alembic.autogenerate.compare.tables] Detected added table 'station'
"#,
    );
}

#[test]
fn weather_step_2_named_fk_added_to_existing_table() {
    let cmp = compare(&weather(2), &reflect_metadata(&weather(1)));
    check(
        &cmp,
        r#"
    with op.batch_alter_table('reading', schema=None) as batch_op:
        batch_op.add_column(sa.Column('station_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('humidity_pct', sa.Float(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_reading_station_id_station'), 'station', ['station_id'], ['id'], ondelete='CASCADE')
"#,
        r#"
    with op.batch_alter_table('reading', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reading_station_id_station'), type_='foreignkey')
        batch_op.drop_column('humidity_pct')
        batch_op.drop_column('station_id')
"#,
        r#"
INFO  [alembic.autogenerate.compare.tables] Detected added column 'reading.station_id'
INFO  [alembic.autogenerate.compare.tables] Detected added column 'reading.humidity_pct'
INFO  [alembic.autogenerate.compare.constraints] Detected added foreign key (station_id)(id) on table reading
"#,
    );
}

// ------------------------------------------------------------ tool_rental_tighten_fails

#[test]
fn tool_rental_step_2_not_null_keeps_existing_type() {
    let tool = |serial_nullable: bool| {
        let mut serial = col("serial_no", ty_len(T::String, 40));
        serial.nullable = serial_nullable;
        table("tool", vec![id(), col("name", ty_len(T::String, 80)).not_null(), serial])
    };
    let mut rental = table(
        "rental",
        vec![
            id(),
            col("tool_id", ty(T::Integer)).not_null(),
            col("customer_name", ty_len(T::String, 120)).not_null(),
            col("due_back", ty(T::Date)),
        ],
    );
    rental.foreign_keys.push(fk(&["tool_id"], "tool", &["id"]));
    let m1 = metadata(vec![tool(true), rental.clone()]);
    let m2 = metadata(vec![tool(false), rental]);
    let cmp = compare(&m2, &reflect_metadata(&m1));
    check(
        &cmp,
        r#"
    with op.batch_alter_table('tool', schema=None) as batch_op:
        batch_op.alter_column('serial_no',
               existing_type=sa.VARCHAR(length=40),
               nullable=False)
"#,
        r#"
    with op.batch_alter_table('tool', schema=None) as batch_op:
        batch_op.alter_column('serial_no',
               existing_type=sa.VARCHAR(length=40),
               nullable=True)
"#,
        "INFO  [alembic.autogenerate.compare.constraints] Detected NOT NULL on column 'tool.serial_no'",
    );
}

// ------------------------------------------------------------ many changes at once

/// /tmp scenario "chg" (models below), run through real Alembic.
fn chg_m1() -> alembic_engine::schema::MetaData {
    let mut d1 = table("t_drop1", vec![id(), col("name", ty_len(T::String, 10)), col("code", ty_len(T::String, 5))]);
    d1.indexes.push(ix(Name::conv("ix_t_drop1_name"), "t_drop1", &["name"], false));
    d1.unique_constraints.push(uq(None, &["code"]));
    let mut d2 = table("t_drop2", vec![id(), col("d1", ty(T::Integer))]);
    d2.foreign_keys.push(fk(&["d1"], "t_drop1", &["id"]));
    let mut b = table(
        "b",
        vec![
            id(),
            col("name", ty_len(T::String, 20)),
            col("name2", ty_len(T::String, 20)),
            col("gone1", ty(T::Integer)),
            col("gone2", ty(T::Integer)),
            col("gone3", ty(T::Integer)),
        ],
    );
    b.indexes.push(ix(Name::plain("uqx_b"), "b", &["name2"], false));
    let mut a = table(
        "a",
        vec![
            id(),
            col("x", ty_len(T::String, 10)),
            col("y", ty(T::Integer)).not_null().default_lit("1"),
            col("z", ty(T::Integer)),
            col("w", ty_len(T::String, 5)),
            col("v", ty(T::Integer)),
            col("q", ty(T::Integer)),
            col("r", ty(T::Integer)),
            col("ref", ty(T::Integer)),
        ],
    );
    a.unique_constraints.push(uq(Some(Name::plain("uq_a_q")), &["q"]));
    a.unique_constraints.push(uq(None, &["w"]));
    a.indexes.push(ix(Name::conv("ix_a_v"), "a", &["v"], false));
    a.foreign_keys.push(fk(&["ref"], "b", &["id"]));
    metadata(vec![d1, d2, b, a])
}

fn chg_m2() -> alembic_engine::schema::MetaData {
    let mut b = table("b", vec![id(), col("name2", ty_len(T::String, 20))]);
    b.unique_constraints.push(uq(Some(Name::plain("uqx_b")), &["name2"]));
    let mut a = table(
        "a",
        vec![
            col("id", ty(T::BigInteger)).pk(),
            col("x", ty(T::Text)).not_null(),
            col("y", ty(T::BigInteger)).not_null().default_lit("1"),
            col("z", ty(T::Integer)).not_null().default_lit("3"),
            col("w", ty_len(T::String, 5)),
            col("v", ty(T::Integer)),
            col("q", ty(T::Integer)),
            col("r", ty(T::Integer)),
            col("ref", ty(T::Integer)),
            col("s", ty(T::Integer)),
        ],
    );
    a.unique_constraints.push(uq(Some(Name::plain("uq_a_r2")), &["r", "z"]));
    a.unique_constraints.push(uq(None, &["r"]));
    a.indexes.push(ix(Name::plain("ix_custom"), "a", &["x"], false));
    a.indexes.push(ix(Name::conv("ix_a_v"), "a", &["v"], true));
    a.foreign_keys.push(fk(&["s"], "b", &["id"]));
    metadata(vec![b, a])
}

#[test]
fn many_changes_follow_alembics_order() {
    let cmp = compare(&chg_m2(), &reflect_metadata(&chg_m1()));
    // Alembic iterates Python sets for removed tables and dropped columns, so
    // their order differs between runs; ours is children first / reflected.
    check(
        &cmp,
        r#"
    op.drop_table('t_drop2')
    with op.batch_alter_table('t_drop1', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_t_drop1_name'))
    op.drop_table('t_drop1')
    with op.batch_alter_table('a', schema=None) as batch_op:
        batch_op.add_column(sa.Column('s', sa.Integer(), nullable=True))
        batch_op.alter_column('id',
               existing_type=sa.INTEGER(),
               type_=sa.BigInteger(),
               existing_nullable=False,
               autoincrement=True)
        batch_op.alter_column('x',
               existing_type=sa.VARCHAR(length=10),
               type_=sa.Text(),
               nullable=False)
        batch_op.alter_column('y',
               existing_type=sa.INTEGER(),
               type_=sa.BigInteger(),
               existing_nullable=False,
               existing_server_default=sa.text("'1'"))
        batch_op.alter_column('z',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_a_q'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_a_v'))
        batch_op.create_index(batch_op.f('ix_a_v'), ['v'], unique=True)
        batch_op.create_index('ix_custom', ['x'], unique=False)
        batch_op.create_unique_constraint('uq_a_r2', ['r', 'z'])
        batch_op.create_unique_constraint(None, ['r'])
        batch_op.drop_constraint(None, type_='foreignkey')
        batch_op.create_foreign_key(None, 'b', ['s'], ['id'])
    with op.batch_alter_table('b', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('uqx_b'))
        batch_op.create_unique_constraint('uqx_b', ['name2'])
        batch_op.drop_column('name')
        batch_op.drop_column('gone1')
        batch_op.drop_column('gone2')
        batch_op.drop_column('gone3')
"#,
        r#"
    with op.batch_alter_table('b', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gone3', sa.INTEGER(), nullable=True))
        batch_op.add_column(sa.Column('gone2', sa.INTEGER(), nullable=True))
        batch_op.add_column(sa.Column('gone1', sa.INTEGER(), nullable=True))
        batch_op.add_column(sa.Column('name', sa.VARCHAR(length=20), nullable=True))
        batch_op.drop_constraint('uqx_b', type_='unique')
        batch_op.create_index(batch_op.f('uqx_b'), ['name2'], unique=False)
    with op.batch_alter_table('a', schema=None) as batch_op:
        batch_op.drop_constraint(None, type_='foreignkey')
        batch_op.create_foreign_key(None, 'b', ['ref'], ['id'])
        batch_op.drop_constraint(None, type_='unique')
        batch_op.drop_constraint('uq_a_r2', type_='unique')
        batch_op.drop_index('ix_custom')
        batch_op.drop_index(batch_op.f('ix_a_v'))
        batch_op.create_index(batch_op.f('ix_a_v'), ['v'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_a_q'), ['q'])
        batch_op.alter_column('z',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.alter_column('y',
               existing_type=sa.BigInteger(),
               type_=sa.INTEGER(),
               existing_nullable=False,
               existing_server_default=sa.text("'1'"))
        batch_op.alter_column('x',
               existing_type=sa.Text(),
               type_=sa.VARCHAR(length=10),
               nullable=True)
        batch_op.alter_column('id',
               existing_type=sa.BigInteger(),
               type_=sa.INTEGER(),
               existing_nullable=False,
               autoincrement=True)
        batch_op.drop_column('s')
    op.create_table('t_drop1',
    sa.Column('id', sa.INTEGER(), nullable=False),
    sa.Column('name', sa.VARCHAR(length=10), nullable=True),
    sa.Column('code', sa.VARCHAR(length=5), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    with op.batch_alter_table('t_drop1', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_t_drop1_name'), ['name'], unique=False)
    op.create_table('t_drop2',
    sa.Column('id', sa.INTEGER(), nullable=False),
    sa.Column('d1', sa.INTEGER(), nullable=True),
    sa.ForeignKeyConstraint(['d1'], ['t_drop1.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
"#,
        r#"
INFO  [alembic.autogenerate.compare.tables] Detected removed table 't_drop2'
INFO  [alembic.autogenerate.compare.constraints] Detected removed index 'ix_t_drop1_name' on 't_drop1'
INFO  [alembic.autogenerate.compare.tables] Detected removed table 't_drop1'
INFO  [alembic.autogenerate.compare.tables] Detected added column 'a.s'
INFO  [alembic.autogenerate.compare.types] Detected type change from INTEGER() to BigInteger() on 'a.id'
INFO  [alembic.autogenerate.compare.constraints] Detected NOT NULL on column 'a.x'
INFO  [alembic.autogenerate.compare.types] Detected type change from VARCHAR(length=10) to Text() on 'a.x'
INFO  [alembic.autogenerate.compare.types] Detected type change from INTEGER() to BigInteger() on 'a.y'
INFO  [alembic.autogenerate.compare.constraints] Detected NOT NULL on column 'a.z'
INFO  [alembic.autogenerate.compare.constraints] Detected removed unique constraint 'uq_a_q' on 'a'
INFO  [alembic.autogenerate.compare.constraints] Detected changed index 'ix_a_v' on 'a': unique=False to unique=True
INFO  [alembic.autogenerate.compare.constraints] Detected added index 'ix_custom' on '('x',)'
INFO  [alembic.autogenerate.compare.constraints] Detected added unique constraint 'uq_a_r2' on '('r', 'z')'
INFO  [alembic.autogenerate.compare.constraints] Detected added unique constraint None on '('r',)'
INFO  [alembic.autogenerate.compare.constraints] Detected removed foreign key (ref)(id) on table a
INFO  [alembic.autogenerate.compare.constraints] Detected added foreign key (s)(id) on table a
INFO  [alembic.autogenerate.compare.constraints] Detected removed index 'uqx_b' on 'b'
INFO  [alembic.autogenerate.compare.constraints] Detected added unique constraint 'uqx_b' on '('name2',)'
INFO  [alembic.autogenerate.compare.tables] Detected removed column 'b.name'
INFO  [alembic.autogenerate.compare.tables] Detected removed column 'b.gone1'
INFO  [alembic.autogenerate.compare.tables] Detected removed column 'b.gone2'
INFO  [alembic.autogenerate.compare.tables] Detected removed column 'b.gone3'
"#,
    );
}

#[test]
fn removing_an_unnamed_unique_is_not_detected() {
    // `w` lost unique=True in chg_m2: conn uniques without a name never count
    // as removed (Alembic only removes what it can name).
    let cmp = compare(&chg_m2(), &reflect_metadata(&chg_m1()));
    assert!(!cmp.log.iter().any(|(_, m)| m.contains("'w'") || m.contains("('w',)")));
}

#[test]
fn alembic_version_and_sqlite_internal_tables_are_skipped() {
    let mut m = metadata(vec![table("alembic_version", vec![col("version_num", ty_len(T::String, 32)).pk()])]);
    m.add_table(table("x", vec![id()]));
    let mut r = reflect_metadata(&m);
    r.remove_table("alembic_version");
    let cmp = compare(&m, &r);
    assert!(cmp.upgrade.ops.is_empty(), "{:?}", cmp.upgrade.ops);
    let mut r = gym_reflected_1();
    r.add_table(table("sqlite_sequence", vec![col("name", ty(T::Null)), col("seq", ty(T::Null))]));
    let cmp = compare(&metadata(vec![table("x", vec![id()])]), &r);
    assert!(cmp.log.iter().all(|(_, m)| !m.contains("sqlite_sequence")));
    assert!(cmp.log.iter().all(|(_, m)| !m.contains("alembic_version")));
}

#[test]
fn sorted_tables_breaks_ties_by_name_in_layers() {
    let mut c = table("c", vec![id(), col("a_id", ty(T::Integer))]);
    c.foreign_keys.push(fk(&["a_id"], "a", &["id"]));
    let mut a = table("a", vec![id(), col("z_id", ty(T::Integer))]);
    a.foreign_keys.push(fk(&["z_id"], "z", &["id"]));
    let m = metadata(vec![c, a, table("z", vec![id()]), table("b", vec![id()])]);
    let names: Vec<&str> = sorted_tables(&m).iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["b", "z", "a", "c"]);
}

#[test]
fn sorted_tables_ignores_fks_of_tables_in_a_cycle() {
    let mut a = table("a", vec![id(), col("b_id", ty(T::Integer))]);
    a.foreign_keys.push(fk(&["b_id"], "b", &["id"]));
    let mut b = table("b", vec![id(), col("a_id", ty(T::Integer))]);
    b.foreign_keys.push(fk(&["a_id"], "a", &["id"]));
    let mut c = table("c", vec![id(), col("b_id", ty(T::Integer))]);
    c.foreign_keys.push(fk(&["b_id"], "b", &["id"]));
    let m = metadata(vec![c, b, a]);
    let names: Vec<&str> = sorted_tables(&m).iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);
}

/// The definition, run literally: cut the FKs of tables that reach
/// themselves, then emit layer after layer (in name order) every table
/// whose referred tables are all emitted. `sorted_tables` must agree on any
/// graph (it gets there in linear time).
fn sorted_by_definition(m: &alembic_engine::schema::MetaData) -> Vec<String> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for t in m.tables.values() {
        let ps = t.foreign_keys.iter().map(|f| f.referred_table.clone()).filter(|p| *p != t.name && m.tables.contains_key(p));
        parents.insert(t.name.clone(), ps.collect());
    }
    let reaches_itself = |start: &String| {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<String> = parents[start].iter().cloned().collect();
        while let Some(n) = stack.pop() {
            if n == *start {
                return true;
            }
            if seen.insert(n.clone()) {
                stack.extend(parents[&n].iter().cloned());
            }
        }
        false
    };
    let cyclic: Vec<String> = parents.keys().filter(|n| reaches_itself(n)).cloned().collect();
    for n in cyclic {
        parents.insert(n, BTreeSet::new());
    }
    let mut out: Vec<String> = Vec::new();
    while out.len() < parents.len() {
        let done: BTreeSet<String> = out.iter().cloned().collect();
        let layer: Vec<String> =
            parents.iter().filter(|(n, ps)| !done.contains(*n) && ps.iter().all(|p| done.contains(p))).map(|(n, _)| n.clone()).collect();
        out.extend(layer);
    }
    out
}

#[test]
fn sorted_tables_agrees_with_its_definition_on_many_graphs() {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |bound: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % bound
    };
    for round in 0..200 {
        let n = 1 + next(14) as usize;
        let mut tables = Vec::new();
        for i in 0..n {
            let mut t = table(&format!("t{:02}", (i * 7 + round) % 97), vec![id()]);
            for _ in 0..next(3) {
                let target = format!("t{:02}", (next(n as u64) as usize * 7 + round) % 97);
                t.columns.push(col(&format!("{target}_id"), ty(T::Integer)));
                t.foreign_keys.push(fk(&[&format!("{target}_id")], &target, &["id"]));
            }
            tables.push(t);
        }
        let m = metadata(tables);
        let got: Vec<String> = sorted_tables(&m).iter().map(|t| t.name.clone()).collect();
        assert_eq!(got, sorted_by_definition(&m), "round {round}");
    }
    // A long chain of FKs (each table refers to the previous one).
    let chain: Vec<_> = (0..3000)
        .map(|i| {
            let mut t = table(&format!("c{i:04}"), vec![id()]);
            if i > 0 {
                t.foreign_keys.push(fk(&["id"], &format!("c{:04}", i - 1), &["id"]));
            }
            t
        })
        .collect();
    let m = metadata(chain);
    let names: Vec<String> = sorted_tables(&m).iter().map(|t| t.name.clone()).collect();
    assert_eq!(names, (0..3000).map(|i| format!("c{i:04}")).collect::<Vec<_>>());
}

#[test]
fn reflected_expression_default_gets_parentheses_in_dropped_column() {
    let m1 = metadata(vec![table(
        "w",
        vec![id(), col("at", ty(T::DateTime)).not_null().default_text("(CURRENT_TIMESTAMP)")],
    )]);
    let m2 = metadata(vec![table("w", vec![id()])]);
    let cmp = compare(&m2, &reflect_metadata(&m1));
    assert_eq!(
        script(&cmp.upgrade.reverse().ops),
        lines(
            r#"
    with op.batch_alter_table('w', schema=None) as batch_op:
        batch_op.add_column(sa.Column('at', sa.DATETIME(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False))
"#
        )
    );
    match &cmp.upgrade.ops[..] {
        [alembic_engine::ops::Op::BatchAlterTable(b)] => match &b.ops[..] {
            [alembic_engine::ops::Op::DropColumn { column, .. }] => {
                assert_eq!(column.server_default, Some(ServerDefault::Text("(CURRENT_TIMESTAMP)".into())))
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

// ------------------------------------------------------------ more changes

/// /tmp scenario "chg2" through real Alembic: changed index and unique
/// columns, FK option change, PK that is also an FK (no autoincrement=),
/// NOT NULL with an existing server default, expression index skipped, a
/// hand-made table with an untyped column and a nullable INTEGER PRIMARY KEY.
#[test]
fn changed_index_unique_fk_options_and_untyped_column() {
    let o = |step: u8| {
        let mut o = table(
            "o",
            vec![
                col("id", ty(if step == 1 { T::Integer } else { T::BigInteger })).pk(),
                col("a", ty(T::Integer)),
                col("b", ty(T::Integer)),
                col("c", ty(T::Integer)),
                col("pid", ty(T::Integer)),
                {
                    let mut d = col("d", ty_len(T::String, 10)).default_lit("x");
                    d.nullable = step == 1;
                    d
                },
                if step == 1 { col("e", ty(T::Integer)) } else { col("e", ty(T::BigInteger)).default_lit("7") },
            ],
        );
        let cols: &[&str] = if step == 1 { &["a"] } else { &["a", "c"] };
        o.unique_constraints.push(uq(Some(Name::plain("uq_o_a")), cols));
        let cols: &[&str] = if step == 1 { &["b"] } else { &["b", "c"] };
        o.indexes.push(ix(Name::plain("ix_o_b"), "o", cols, false));
        o.foreign_keys.push(fk(&["id"], "p", &["id"]));
        let mut f = fk(&["pid"], "p", &["id"]);
        f.ondelete = Some(if step == 1 { "CASCADE" } else { "SET NULL" }.into());
        o.foreign_keys.push(f);
        o
    };
    let p = table("p", vec![id()]);
    let mut n = table("n", vec![id(), col("name", ty_len(T::String, 10))]);
    n.indexes.push(alembic_engine::schema::Index {
        name: Some(Name::plain("ix_n_lower")),
        table: "n".into(),
        columns: vec![alembic_engine::schema::IndexColumn::Expression("lower(name)".into())],
        unique: false,
        sqlite_where: None,
        unique_int: false,
    });
    let untyped_model = table("untyped", vec![id(), col("x", ty(T::Integer))]);
    let mut reflected = reflect_metadata(&metadata(vec![p.clone(), o(1)]));
    // CREATE TABLE untyped (id integer primary key, x): no NOT NULL, no type.
    let mut untyped = table("untyped", vec![col("id", ty(T::IntegerUpper)).pk(), col("x", ty(T::Null))]);
    if let Some(c) = untyped.column_mut("id") {
        c.nullable = true;
    }
    reflected.add_table(untyped);
    let cmp = compare(&metadata(vec![p, o(2), n, untyped_model]), &reflected);
    // Alembic: `UserWarning: autogenerate skipping metadata-specified expression-based index ...`
    assert_eq!(
        cmp.log.iter().filter(|(l, _)| l == PY_WARNINGS).map(|(_, m)| m.as_str()).collect::<Vec<_>>(),
        ["UserWarning: autogenerate skipping metadata-specified expression-based index 'ix_n_lower'; dialect 'sqlite' under SQLAlchemy 2.1.9 can't reflect these indexes so they can't be compared"]
    );
    check(
        &cmp,
        r#"
    op.create_table('n',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=10), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('o', schema=None) as batch_op:
        batch_op.alter_column('id',
               existing_type=sa.INTEGER(),
               type_=sa.BigInteger(),
               existing_nullable=False)
        batch_op.alter_column('d',
               existing_type=sa.VARCHAR(length=10),
               nullable=False,
               existing_server_default=sa.text("'x'"))
        batch_op.alter_column('e',
               existing_type=sa.INTEGER(),
               type_=sa.BigInteger(),
               existing_nullable=True)
        batch_op.drop_index(batch_op.f('ix_o_b'))
        batch_op.create_index('ix_o_b', ['b', 'c'], unique=False)
        batch_op.drop_constraint(batch_op.f('uq_o_a'), type_='unique')
        batch_op.create_unique_constraint('uq_o_a', ['a', 'c'])
        batch_op.drop_constraint(None, type_='foreignkey')
        batch_op.create_foreign_key(None, 'p', ['pid'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('untyped', schema=None) as batch_op:
        batch_op.alter_column('id',
               existing_type=sa.INTEGER(),
               nullable=False,
               autoincrement=True)
"#,
        r#"
    with op.batch_alter_table('untyped', schema=None) as batch_op:
        batch_op.alter_column('id',
               existing_type=sa.INTEGER(),
               nullable=True,
               autoincrement=True)
    with op.batch_alter_table('o', schema=None) as batch_op:
        batch_op.drop_constraint(None, type_='foreignkey')
        batch_op.create_foreign_key(None, 'p', ['pid'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint('uq_o_a', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_o_a'), ['a'])
        batch_op.drop_index('ix_o_b')
        batch_op.create_index(batch_op.f('ix_o_b'), ['b'], unique=False)
        batch_op.alter_column('e',
               existing_type=sa.BigInteger(),
               type_=sa.INTEGER(),
               existing_nullable=True)
        batch_op.alter_column('d',
               existing_type=sa.VARCHAR(length=10),
               nullable=True,
               existing_server_default=sa.text("'x'"))
        batch_op.alter_column('id',
               existing_type=sa.BigInteger(),
               type_=sa.INTEGER(),
               existing_nullable=False)
    op.drop_table('n')
"#,
        r#"
INFO  [alembic.autogenerate.compare.tables] Detected added table 'n'
INFO  [alembic.autogenerate.compare.types] Detected type change from INTEGER() to BigInteger() on 'o.id'
INFO  [alembic.autogenerate.compare.constraints] Detected NOT NULL on column 'o.d'
INFO  [alembic.autogenerate.compare.types] Detected type change from INTEGER() to BigInteger() on 'o.e'
INFO  [alembic.autogenerate.compare.constraints] Detected changed index 'ix_o_b' on 'o': expression ('b',) to ('b', 'c')
INFO  [alembic.autogenerate.compare.constraints] Detected changed unique constraint 'uq_o_a' on 'o': expression ('a',) to ('a', 'c')
INFO  [alembic.autogenerate.compare.constraints] Detected removed foreign key (pid)(id) on table o
INFO  [alembic.autogenerate.compare.constraints] Detected added foreign key (pid)(id) on table o
INFO  [alembic.autogenerate.compare.constraints] Detected NOT NULL on column 'untyped.id'
INFO  [alembic.autogenerate.compare.types] Couldn't determine database type for column 'untyped.x'
INFO  [alembic.autogenerate.compare.types] Couldn't determine database type for column 'untyped.x'
"#,
    );
}
