"""Recipes and cooks: an unnamed FK and an unnamed UNIQUE on existing tables.
Expected to FAIL in real Alembic: autogenerate renders
batch_op.create_foreign_key(None, ...) and create_unique_constraint(None, ...),
which raise "Constraint must have a name"."""
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Cook(Base):
    __tablename__ = "cook"

    id = Column(Integer, primary_key=True)
    name = Column(String(50), nullable=False, unique=True)


class Recipe(Base):
    __tablename__ = "recipe"

    id = Column(Integer, primary_key=True)
    title = Column(String(100), nullable=False)
    cook_id = Column(Integer, ForeignKey("cook.id"))
