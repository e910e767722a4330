"""Forum: categories, threads, replies and reactions."""
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

    category = relationship("Category", backref="threads")


class Reply(Base):
    __tablename__ = "reply"

    id = Column(Integer, primary_key=True)
    thread_id = Column(Integer, ForeignKey("thread.id", ondelete="CASCADE"), nullable=False)
    body = Column(Text, nullable=False)


class Reaction(Base):
    __tablename__ = "reaction"

    id = Column(Integer, primary_key=True)
    reply_id = Column(Integer, ForeignKey("reply.id", ondelete="CASCADE"), nullable=False)
    emoji = Column(String(8), nullable=False)
