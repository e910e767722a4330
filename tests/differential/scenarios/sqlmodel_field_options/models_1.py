"""Job board (SQLModel): Field(nullable=, unique=, index=, default=) and sa_column server defaults."""
from datetime import datetime
from typing import Optional

from sqlalchemy import Column, DateTime, Text, func
from sqlmodel import Field, SQLModel


class Company(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    website: Optional[str] = Field(default=None, nullable=True)


class Job(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    title: str = Field(max_length=120)
    description: str = Field(sa_column=Column(Text, nullable=False))
    remote: bool = Field(default=False)
    posted_at: Optional[datetime] = Field(
        default=None, sa_column=Column(DateTime(timezone=True), server_default=func.now()))
    salary_min: Optional[int] = Field(default=None)
