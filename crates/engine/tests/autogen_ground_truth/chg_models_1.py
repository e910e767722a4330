import sqlalchemy as sa
from sqlalchemy import Column, Integer, BigInteger, String, Text, ForeignKey, UniqueConstraint, Index
from sqlalchemy.orm import declarative_base
Base = declarative_base()
class TDrop1(Base):
    __tablename__ = "t_drop1"
    id = Column(Integer, primary_key=True)
    name = Column(String(10), index=True)
    code = Column(String(5), unique=True)
class TDrop2(Base):
    __tablename__ = "t_drop2"
    id = Column(Integer, primary_key=True)
    d1 = Column(Integer, ForeignKey("t_drop1.id"))
class B(Base):
    __tablename__ = "b"
    __table_args__ = (Index("uqx_b", "name2"),)
    id = Column(Integer, primary_key=True)
    name = Column(String(20))
    name2 = Column(String(20))
    gone1 = Column(Integer)
    gone2 = Column(Integer)
    gone3 = Column(Integer)
class A(Base):
    __tablename__ = "a"
    __table_args__ = (UniqueConstraint("q", name="uq_a_q"),)
    id = Column(Integer, primary_key=True)
    x = Column(String(10))
    y = Column(Integer, nullable=False, server_default="1")
    z = Column(Integer)
    w = Column(String(5), unique=True)
    v = Column(Integer, index=True)
    q = Column(Integer)
    r = Column(Integer)
    ref = Column(Integer, ForeignKey("b.id"))
