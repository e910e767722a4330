//! Ops → SQLite SQL, text for text as SQLAlchemy's SQLite dialect compiles it,
//! including Alembic's batch "move and copy" (`_alembic_tmp_<table>`).
//!
//! OWNER: sqlite helper.
