"""Unusual SQLite objects, step 2: doc and tag are rebuilt by batch "move and copy"
(the partial index, CHECK, collation, STRICT and WITHOUT ROWID stay; the expression index is lost,
as in Alembic). A generated column through a batch is tests/differential/sessions/unusual_generated_batch.txt."""
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Doc(Base):
    __tablename__ = "doc"
    __table_args__ = (
        sa.CheckConstraint("status IN ('draft', 'live')", name="ck_doc_status"),
        sa.Index("ix_doc_live_title", "title", unique=True, sqlite_where=sa.text("status = 'live'")),
        sa.Index("ix_doc_lower_body", sa.func.lower(sa.text("body"))),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(120, collation="NOCASE"))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), server_default="draft")


class Tag(Base):
    __tablename__ = "tag"
    __table_args__ = (
        sa.UniqueConstraint("weight", name="uq_tag_weight"),
        {"sqlite_with_rowid": False, "sqlite_strict": True},
    )

    name: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    weight: Mapped[int | None] = mapped_column(sa.Integer)


class Metric(Base):
    __tablename__ = "metric"

    id: Mapped[int] = mapped_column(primary_key=True)
    a: Mapped[int] = mapped_column(sa.Integer)
    doubled: Mapped[int] = mapped_column(sa.Integer, sa.Computed("a * 2"))
