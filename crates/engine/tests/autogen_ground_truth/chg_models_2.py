import sqlalchemy as sa
from sqlalchemy import Column, Integer, BigInteger, String, Text, ForeignKey, UniqueConstraint, Index
from sqlalchemy.orm import declarative_base
Base = declarative_base()
class B(Base):
    __tablename__ = "b"
    __table_args__ = (UniqueConstraint("name2", name="uqx_b"),)
    id = Column(Integer, primary_key=True)
    name2 = Column(String(20))
class A(Base):
    __tablename__ = "a"
    __table_args__ = (UniqueConstraint("r", "z", name="uq_a_r2"), UniqueConstraint("r"), Index("ix_custom", "x"))
    id = Column(BigInteger, primary_key=True)
    x = Column(Text, nullable=False)
    y = Column(BigInteger, nullable=False, server_default="1")
    z = Column(Integer, nullable=False, server_default="3")
    w = Column(String(5))
    v = Column(Integer, index=True, unique=True)
    q = Column(Integer)
    r = Column(Integer)
    ref = Column(Integer)
    s = Column(Integer, ForeignKey("b.id"))
