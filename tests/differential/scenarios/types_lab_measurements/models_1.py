"""Lab measurements: one column of nearly every generic type."""
import datetime
import uuid
from typing import Any, Optional

from sqlalchemy import (JSON, BigInteger, Date, DateTime, Double, Float, Interval, LargeBinary, Numeric,
                        SmallInteger, String, Time, Uuid)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Sample(Base):
    __tablename__ = "sample"

    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    label: Mapped[str] = mapped_column(String(40))
    taken_on: Mapped[datetime.date] = mapped_column(Date)
    taken_at: Mapped[datetime.time] = mapped_column(Time)
    logged_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))
    incubation: Mapped[Optional[datetime.timedelta]] = mapped_column(Interval)
    ph: Mapped[float] = mapped_column(Float)
    mass_mg: Mapped[Optional[float]] = mapped_column(Double)
    concentration: Mapped[Optional[float]] = mapped_column(Numeric(10, 4))
    replicate: Mapped[int] = mapped_column(SmallInteger)
    counter: Mapped[int] = mapped_column(BigInteger)
    spectrum: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
    meta: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
