"""Forum: replies and reactions are gone (dropped together), threads keep a body."""
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Category(Base):
    __tablename__ = "category"

    id = Column(Integer, primary_key=True)
    title = Column(String(60), nullable=False)


class Thread(Base):
    __tablename__ = "thread"

    id = Column(Integer, primary_key=True)
    category_id = Column(Integer, ForeignKey("category.id", ondelete="SET NULL"))
    subject = Column(String(150), nullable=False)
    opened_at = Column(DateTime, server_default=func.now())
    body = Column(Text)

    category = relationship("Category", backref="threads")
