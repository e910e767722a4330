"""Recipes and cooks, not yet linked."""
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Cook(Base):
    __tablename__ = "cook"

    id = Column(Integer, primary_key=True)
    name = Column(String(50), nullable=False)


class Recipe(Base):
    __tablename__ = "recipe"

    id = Column(Integer, primary_key=True)
    title = Column(String(100), nullable=False)
    cook_id = Column(Integer)
