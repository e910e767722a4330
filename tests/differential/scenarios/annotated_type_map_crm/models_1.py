"""CRM contacts: Annotated aliases, type_annotation_map and `X | None` (2.0)."""
import datetime
import decimal
from typing import Annotated

from sqlalchemy import BigInteger, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

intpk = Annotated[int, mapped_column(primary_key=True)]
str50 = Annotated[str, 50]
money = Annotated[decimal.Decimal, mapped_column(Numeric(14, 2))]
company_fk = Annotated[int, mapped_column(ForeignKey("company.id", ondelete="CASCADE"))]


class Base(DeclarativeBase):
    type_annotation_map = {
        str50: String(50),
        int: BigInteger,
        datetime.datetime: String(32),
    }


class Company(Base):
    __tablename__ = "company"

    id: Mapped[intpk]
    name: Mapped[str50]
    website: Mapped[str | None] = mapped_column(String(200))
    annual_revenue: Mapped[money | None]


class Contact(Base):
    __tablename__ = "contact"

    id: Mapped[intpk]
    company_id: Mapped[company_fk]
    first_name: Mapped[str50]
    last_name: Mapped[str50]
    email: Mapped[str] = mapped_column(String(120), unique=True)
    notes: Mapped[str | None] = mapped_column(Text)
    last_seen: Mapped[datetime.datetime | None]
