"""Glossary: collations spelled in lower case, upper case and with a space; SQLAlchemy quotes a
collation only when it must (`COLLATE nocase`, `COLLATE "NOCASE"`)."""
from typing import Optional

from sqlalchemy import String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Term(Base):
    __tablename__ = "term"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(80, collation="nocase"))
    label: Mapped[str] = mapped_column(String(40, collation="NOCASE"))
    note: Mapped[Optional[str]] = mapped_column(Text(collation="rtrim"))
