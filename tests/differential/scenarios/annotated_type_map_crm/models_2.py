"""CRM contacts: the str50 alias becomes 80 characters, datetimes become real DATETIMEs."""
import datetime
import decimal
from typing import Annotated, Optional

from sqlalchemy import BigInteger, DateTime, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

intpk = Annotated[int, mapped_column(primary_key=True)]
str50 = Annotated[str, 50]
money = Annotated[decimal.Decimal, mapped_column(Numeric(14, 2))]
company_fk = Annotated[int, mapped_column(ForeignKey("company.id", ondelete="CASCADE"))]


class Base(DeclarativeBase):
    type_annotation_map = {
        str50: String(80),
        int: BigInteger,
        datetime.datetime: DateTime(timezone=True),
    }


class Company(Base):
    __tablename__ = "company"

    id: Mapped[intpk]
    name: Mapped[str50]
    website: Mapped[str | None] = mapped_column(String(200))
    annual_revenue: Mapped[money | None]
    employees: Mapped[Optional[int]]


class Contact(Base):
    __tablename__ = "contact"

    id: Mapped[intpk]
    company_id: Mapped[company_fk]
    first_name: Mapped[str50]
    last_name: Mapped[str50]
    email: Mapped[str] = mapped_column(String(120), unique=True)
    notes: Mapped[str | None] = mapped_column(Text)
    last_seen: Mapped[datetime.datetime | None]
