"""Help desk tickets: a new, longer priority member and a channel enum."""
import enum
from typing import Optional

from sqlalchemy import Enum, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Priority(enum.Enum):
    low = 1
    high = 2
    critical_now = 3


class Channel(enum.Enum):
    email = "email"
    phone = "phone"


class Ticket(Base):
    __tablename__ = "ticket"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    priority: Mapped[Priority] = mapped_column(Enum(Priority))
    status: Mapped[str] = mapped_column(
        Enum("open", "closed", name="ticket_status", native_enum=False, create_constraint=True),
        server_default="open")
    channel: Mapped[Optional[Channel]] = mapped_column(Enum(Channel))
