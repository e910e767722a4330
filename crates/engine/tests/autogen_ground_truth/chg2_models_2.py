import sqlalchemy as sa
from sqlalchemy import Column, Integer, BigInteger, String, Text, ForeignKey, UniqueConstraint, Index, text, func
from sqlalchemy.orm import declarative_base
Base = declarative_base()
class P(Base):
    __tablename__ = "p"
    id = Column(Integer, primary_key=True)
class O(Base):
    __tablename__ = "o"
    __table_args__ = (UniqueConstraint("a", "c", name="uq_o_a"), Index("ix_o_b", "b", "c"))
    id = Column(BigInteger, ForeignKey("p.id"), primary_key=True)
    a = Column(Integer)
    b = Column(Integer)
    c = Column(Integer)
    pid = Column(Integer, ForeignKey("p.id", ondelete="SET NULL"))
    d = Column(String(10), server_default="x", nullable=False)
    e = Column(BigInteger, server_default="7")
class N(Base):
    __tablename__ = "n"
    __table_args__ = (Index("ix_n_lower", func.lower(text("name"))),)
    id = Column(Integer, primary_key=True)
    name = Column(String(10))
class U(Base):
    __tablename__ = "untyped"
    id = Column(Integer, primary_key=True)
    x = Column(Integer)
