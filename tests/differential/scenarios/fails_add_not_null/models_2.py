"""Fleet of vans: a NOT NULL column without a server default (Python-side
default only). Expected to FAIL in real Alembic: the table holds rows, so
ALTER TABLE ADD COLUMN ... NOT NULL is refused ("Cannot add a NOT NULL column
with default value NULL"); alembic_version stays at r0001."""
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Van(Base):
    __tablename__ = "van"

    id = Column(Integer, primary_key=True)
    plate = Column(String(12), nullable=False)
    seats = Column(Integer, nullable=False, default=3)
