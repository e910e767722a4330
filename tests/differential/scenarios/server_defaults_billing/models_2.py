"""Billing: NOT NULL columns added to a populated table, some with server defaults."""
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
    suspended: Mapped[bool] = mapped_column(server_default=sa.false())
    balance: Mapped[float] = mapped_column(sa.Numeric(10, 2), server_default="0.00")
    reviewed_at: Mapped[datetime] = mapped_column(sa.DateTime, server_default=sa.text("CURRENT_TIMESTAMP"))
