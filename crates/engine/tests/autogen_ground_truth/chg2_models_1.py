import sqlalchemy as sa
from sqlalchemy import Column, Integer, BigInteger, String, Text, ForeignKey, UniqueConstraint, Index, text, func
from sqlalchemy.orm import declarative_base
Base = declarative_base()
class P(Base):
    __tablename__ = "p"
    id = Column(Integer, primary_key=True)
class O(Base):
    __tablename__ = "o"
    __table_args__ = (UniqueConstraint("a", name="uq_o_a"), Index("ix_o_b", "b"))
    id = Column(Integer, ForeignKey("p.id"), primary_key=True)
    a = Column(Integer)
    b = Column(Integer)
    c = Column(Integer)
    pid = Column(Integer, ForeignKey("p.id", ondelete="CASCADE"))
    d = Column(String(10), server_default="x")
    e = Column(Integer)
