"""Help desk tickets: a native Enum (Python enum) and a non-native Enum with a CHECK."""
import enum

from sqlalchemy import Enum, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Priority(enum.Enum):
    low = 1
    high = 2


class Ticket(Base):
    __tablename__ = "ticket"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    priority: Mapped[Priority] = mapped_column(Enum(Priority))
    status: Mapped[str] = mapped_column(
        Enum("open", "closed", name="ticket_status", native_enum=False, create_constraint=True),
        server_default="open")
