"""Glossary: a lower-case collated column is added, another widened (batch copy keeps its collation)."""
from typing import Optional

from sqlalchemy import String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Term(Base):
    __tablename__ = "term"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(120, collation="nocase"))
    label: Mapped[str] = mapped_column(String(40, collation="NOCASE"))
    note: Mapped[Optional[str]] = mapped_column(Text(collation="rtrim"))
    plural: Mapped[Optional[str]] = mapped_column(String(80, collation="binary"))
