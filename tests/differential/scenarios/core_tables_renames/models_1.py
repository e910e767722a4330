"""Library branches: Core Table() objects on declarative_base().metadata."""
from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import declarative_base

Base = declarative_base()
metadata = Base.metadata

branch = Table(
    "branch",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(6), nullable=False),
    Column("city", String(60)),
    UniqueConstraint("code", name="uq_branch_code"),
)

shelf = Table(
    "shelf",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("branch_id", Integer, ForeignKey("branch.id", ondelete="CASCADE"), nullable=False),
    Column("label", String(20), nullable=False),
    Column("floor", Integer),
    Index("ix_shelf_branch_label", "branch_id", "label", unique=True),
)
