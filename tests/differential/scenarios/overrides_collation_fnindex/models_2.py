"""Address book: display becomes required again, collation dropped, height as plain Float."""
from typing import Optional

from sqlalchemy import Float, Index, String, func, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (Index("ix_person_lower_email", func.lower("email")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(120))
    nickname: Mapped[Optional[str]] = mapped_column(String(30), nullable=False, server_default="")
    display: Mapped[str] = mapped_column(String(60), nullable=True)
    height_m: Mapped[Optional[float]] = mapped_column(Float)
    created: Mapped[str] = mapped_column(String(30), server_default=text("(datetime('now'))"))
    phone: Mapped[Optional[str]] = mapped_column(String(20), index=True)
