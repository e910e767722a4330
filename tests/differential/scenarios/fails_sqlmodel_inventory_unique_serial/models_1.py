"""Asset inventory (SQLModel): string PKs, Field(nullable=False) on Optional, UTC datetimes."""
from datetime import date, datetime
from typing import Optional

from sqlmodel import Field, SQLModel


class Location(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=10)
    name: str
    opened: Optional[date] = None


class Asset(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    tag: str = Field(max_length=16, unique=True, index=True)
    location_code: Optional[str] = Field(default=None, foreign_key="location.code", nullable=False)
    bought_at: datetime
    price: float = 0.0
