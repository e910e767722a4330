"""Fleet management: vans join the fleet, buses lose their seat count."""
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
    axles: Mapped[Optional[int]] = mapped_column(server_default="2")

    __mapper_args__ = {"polymorphic_identity": "truck"}


class Bus(Vehicle):
    __mapper_args__ = {"polymorphic_identity": "bus"}


class Van(Vehicle):
    cargo_m3: Mapped[Optional[float]]

    __mapper_args__ = {"polymorphic_identity": "van"}
