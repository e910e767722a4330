"""Task tracker: unnamed CHECKs in __table_args__ and a self-referential FK."""
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Task(Base):
    __tablename__ = "task"
    __table_args__ = (
        CheckConstraint("estimate_h >= 0"),
        CheckConstraint("priority BETWEEN 1 AND 5", name="ck_task_priority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    estimate_h: Mapped[Optional[float]]
    priority: Mapped[int] = mapped_column(server_default="3")
    notes: Mapped[Optional[str]] = mapped_column(String(500))
