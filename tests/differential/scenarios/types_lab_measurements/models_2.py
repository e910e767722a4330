"""Lab measurements: types change both ways."""
import datetime
import uuid
from typing import Any, Optional

from sqlalchemy import (JSON, BigInteger, Date, DateTime, Double, Float, Integer, Interval, LargeBinary,
                        Numeric, SmallInteger, String, Text, Time, Uuid)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Sample(Base):
    __tablename__ = "sample"

    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    label: Mapped[str] = mapped_column(Text)
    taken_on: Mapped[datetime.datetime] = mapped_column(DateTime)
    taken_at: Mapped[datetime.time] = mapped_column(Time)
    logged_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=False))
    incubation: Mapped[Optional[datetime.timedelta]] = mapped_column(Interval)
    ph: Mapped[float] = mapped_column(Numeric(4, 2))
    mass_mg: Mapped[Optional[float]] = mapped_column(Float)
    concentration: Mapped[Optional[float]] = mapped_column(Numeric(12, 6))
    replicate: Mapped[int] = mapped_column(Integer)
    counter: Mapped[int] = mapped_column(Integer)
    spectrum: Mapped[Optional[bytes]] = mapped_column(LargeBinary(2048))
    meta: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
