"""Coupons: a discount column (the partial index must survive the batch)."""
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Coupon(Base):
    __tablename__ = "coupon"
    __table_args__ = (
        sa.Index("ix_coupon_active_code", "code", unique=True, sqlite_where=sa.text("active = 1")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    active: Mapped[bool] = mapped_column(server_default=sa.true())
    percent: Mapped[int] = mapped_column(server_default=sa.text("10"))
