"""Lending library (SQLModel): authors and books."""
from typing import Optional

from sqlmodel import Field, SQLModel


class Author(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, index=True)
    born: Optional[int] = None


class Book(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)
    isbn: str = Field(max_length=13, unique=True)
    author_id: Optional[int] = Field(default=None, foreign_key="author.id")
