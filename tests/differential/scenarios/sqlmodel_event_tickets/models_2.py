"""Event ticketing (SQLModel): holder email optional, check-in timestamp, capacity optional."""
import uuid
from datetime import datetime
from typing import Optional

from sqlmodel import Field, Relationship, SQLModel


class Venue(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=100)
    capacity: Optional[int] = None


class Event(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    venue_id: uuid.UUID = Field(foreign_key="venue.id")
    title: str = Field(max_length=120, index=True)
    starts_at: datetime
    ends_at: Optional[datetime] = None
    sold_out: bool = False

    tickets: list["Ticket"] = Relationship(back_populates="event")


class Ticket(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    event_id: uuid.UUID = Field(foreign_key="event.id", ondelete="CASCADE")
    seat: Optional[str] = Field(default=None, max_length=8)
    holder_email: Optional[str] = Field(default=None, max_length=160)
    checked_in_at: Optional[datetime] = Field(default=None, index=True)

    event: Optional[Event] = Relationship(back_populates="tickets")
