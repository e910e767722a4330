"""Notes app (SQLModel): notebooks get an icon, notes a word count, tags become required-free text."""
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, Text
from sqlmodel import Field, SQLModel


class Notebook(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    title: str = Field(max_length=90, unique=True)
    color: str = Field(default="blue", sa_column_kwargs={"server_default": "blue"})
    icon: Optional[str] = Field(default=None, max_length=16)


class Note(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    notebook_id: Optional[int] = Field(default=None, foreign_key="notebook.id", ondelete="SET NULL")
    body: str = Field(sa_type=Text)
    tags: Optional[str] = Field(default=None, sa_type=Text)
    pinned: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    edited_at: Optional[datetime] = None
    words: int = Field(default=0, sa_column_kwargs={"server_default": "0"}, index=True)
