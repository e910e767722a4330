"""Lending library (SQLModel): longer titles, page counts, members and loans."""
from datetime import datetime
from typing import Optional

from sqlmodel import Field, SQLModel


class Author(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, index=True)
    born: Optional[int] = None


class Book(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    isbn: str = Field(max_length=13, unique=True)
    pages: Optional[int] = None
    author_id: Optional[int] = Field(default=None, foreign_key="author.id")


class Member(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=255, unique=True, index=True)


class Loan(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    book_id: int = Field(foreign_key="book.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    lent_at: datetime
    returned: bool = False
