"""Billing: server defaults of every kind on a new table."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan: Mapped[str] = mapped_column(sa.String(20), server_default="free")
    active: Mapped[bool] = mapped_column(server_default=sa.true())
    credits: Mapped[int] = mapped_column(server_default=sa.text("100"))
    opened_at: Mapped[datetime] = mapped_column(sa.DateTime, server_default=sa.func.now())
    country: Mapped[str] = mapped_column(sa.String(2), default="US")
