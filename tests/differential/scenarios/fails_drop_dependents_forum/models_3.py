"""Forum: categories dropped while threads still point at them (FK removed too)."""
from sqlalchemy import Column, DateTime, Integer, String, Text, func
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Thread(Base):
    __tablename__ = "thread"

    id = Column(Integer, primary_key=True)
    subject = Column(String(150), nullable=False)
    opened_at = Column(DateTime, server_default=func.now())
    body = Column(Text)
