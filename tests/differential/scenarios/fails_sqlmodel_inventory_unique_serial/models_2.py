"""Asset inventory (SQLModel): assets may be unassigned, get a serial, lose the price."""
from datetime import date, datetime
from typing import Optional

from sqlmodel import Field, SQLModel


class Location(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=10)
    name: str = Field(max_length=80)
    opened: Optional[date] = None


class Asset(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    tag: str = Field(max_length=16, unique=True, index=True)
    location_code: Optional[str] = Field(default=None, foreign_key="location.code")
    serial: Optional[str] = Field(default=None, max_length=40, unique=True)
    bought_at: datetime
