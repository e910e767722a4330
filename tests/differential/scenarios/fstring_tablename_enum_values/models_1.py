"""Helpdesk SLAs: f-string __tablename__ on an abstract base, Enum(values_callable=...)."""
import enum
from typing import Optional

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column


class Base(DeclarativeBase):
    pass


class Severity(enum.Enum):
    LOW = "low"
    HIGH = "high"


class Named(Base):
    __abstract__ = True

    @declared_attr.directive
    def __tablename__(cls) -> str:
        return f"sla_{cls.__name__.lower()}"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


class Policy(Named):
    severity: Mapped[Severity] = mapped_column(
        Enum(Severity, values_callable=lambda e: [m.value for m in e], native_enum=False,
             create_constraint=True, name="severity"))
    hours: Mapped[int]


class Breach(Named):
    policy_id: Mapped[int] = mapped_column(ForeignKey("sla_policy.id", ondelete="CASCADE"), index=True)
    note: Mapped[Optional[str]] = mapped_column(String(200))
