"""Hospital staff: joined-table inheritance (2.0 style)."""
from datetime import date

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Employee(Base):
    __tablename__ = "employee"

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    hired_on: Mapped[date]

    __mapper_args__ = {"polymorphic_on": "type", "polymorphic_identity": "employee"}


class Doctor(Employee):
    __tablename__ = "doctor"

    id: Mapped[int] = mapped_column(ForeignKey("employee.id"), primary_key=True)
    specialty: Mapped[str] = mapped_column(String(50))

    __mapper_args__ = {"polymorphic_identity": "doctor"}
