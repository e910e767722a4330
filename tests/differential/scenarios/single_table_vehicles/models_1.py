"""Fleet management: single-table inheritance (2.0 style)."""
from typing import Optional

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Vehicle(Base):
    __tablename__ = "vehicle"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    plate: Mapped[str] = mapped_column(String(12), unique=True)

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "vehicle"}


class Truck(Vehicle):
    payload_kg: Mapped[Optional[int]]

    __mapper_args__ = {"polymorphic_identity": "truck"}


class Bus(Vehicle):
    seats: Mapped[Optional[int]]

    __mapper_args__ = {"polymorphic_identity": "bus"}
