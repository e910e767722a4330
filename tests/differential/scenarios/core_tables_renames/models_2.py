"""Library branches: shelf.floor renamed to level (drop + add), city dropped, a new table."""
from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import declarative_base

Base = declarative_base()
metadata = Base.metadata

branch = Table(
    "branch",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(6), nullable=False),
    UniqueConstraint("code", name="uq_branch_code"),
)

shelf = Table(
    "shelf",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("branch_id", Integer, ForeignKey("branch.id", ondelete="CASCADE"), nullable=False),
    Column("label", String(20), nullable=False),
    Column("level", Integer),
    Index("ix_shelf_branch_label", "branch_id", "label", unique=True),
)

copy = Table(
    "copy",
    metadata,
    Column("barcode", String(14), primary_key=True),
    Column("shelf_id", Integer, ForeignKey("shelf.id"), nullable=True),
    Column("condition", String(10), server_default="good"),
)
