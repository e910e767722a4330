"""Hospital staff: nurses get their own table; doctors a license number."""
from datetime import date
from typing import Optional

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
    license_no: Mapped[Optional[str]] = mapped_column(String(20), unique=True)

    __mapper_args__ = {"polymorphic_identity": "doctor"}


class Nurse(Employee):
    __tablename__ = "nurse"

    id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="CASCADE"), primary_key=True)
    ward: Mapped[str] = mapped_column(String(20), index=True)
    night_shift: Mapped[bool] = mapped_column(default=False)

    __mapper_args__ = {"polymorphic_identity": "nurse"}
