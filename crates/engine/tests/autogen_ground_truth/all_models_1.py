import enum
import sqlalchemy as sa
from sqlalchemy import Column, Integer, BigInteger, SmallInteger, String, Text, Unicode, UnicodeText, Boolean, Enum, Numeric, Float, Double, Date, DateTime, Time, Interval, JSON, LargeBinary, Uuid, ForeignKey, UniqueConstraint, Index, CheckConstraint, func, text
from sqlalchemy.orm import declarative_base
Base = declarative_base()
class St(enum.Enum):
    on = "on"
    off_long = "off"
class Everything(Base):
    __tablename__ = "everything"
    __table_args__ = (UniqueConstraint("s40", "i"), UniqueConstraint("txt", name="uq_named"), Index("ix_multi", "i", "bi"), Index("ix_uniq", "si", unique=True), CheckConstraint("i > 0", name="ck_pos"))
    id = Column(Integer, primary_key=True)
    i = Column(Integer, nullable=False, server_default="5")
    bi = Column(BigInteger)
    si = Column(SmallInteger)
    s = Column(String)
    s40 = Column(String(40), unique=True)
    sc = Column(String(40, collation="NOCASE"))
    txt = Column(Text)
    u = Column(Unicode(30))
    ut = Column(UnicodeText)
    b = Column(Boolean)
    bc = Column(Boolean(create_constraint=True, name="ck_bc"))
    e = Column(Enum("a", "bb", name="e"))
    enn = Column(Enum("a", "bb", name="enn", native_enum=False, create_constraint=True))
    epy = Column(Enum(St))
    n = Column(Numeric)
    n10 = Column(Numeric(10))
    n102 = Column(Numeric(10, 2))
    f = Column(Float)
    f53 = Column(Float(53))
    d = Column(Double)
    dt = Column(Date)
    dtm = Column(DateTime(timezone=True), server_default=func.now())
    tm = Column(Time)
    iv = Column(Interval)
    js = Column(JSON)
    lb = Column(LargeBinary)
    lb10 = Column(LargeBinary(10))
    uu = Column(Uuid)
    uus = Column(Uuid(as_uuid=False))
    up = Column(sa.VARCHAR(20))
    upc = Column(sa.CHAR(3))
    upn = Column(sa.NVARCHAR(5))
    upts = Column(sa.TIMESTAMP, server_default=text("CURRENT_TIMESTAMP"))
    upr = Column(sa.REAL)
    updp = Column(sa.DOUBLE_PRECISION)
    updec = Column(sa.DECIMAL(8, 3))
    upclob = Column(sa.CLOB)
    upvb = Column(sa.VARBINARY(8))
    upuuid = Column(sa.UUID)
    lit = Column(String(5), server_default="x'y")
    ix1 = Column(Integer, index=True)
    ixu = Column(Integer, index=True, unique=True)
class Child(Base):
    __tablename__ = "child"
    id = Column(Integer, primary_key=True)
    a = Column(Integer, ForeignKey("everything.id", ondelete="SET NULL", onupdate="CASCADE"))
    b = Column(Integer, ForeignKey("everything.id", deferrable=True, initially="DEFERRED"))
    c = Column(Integer)
    d = Column(Integer)
    __table_args__ = (sa.ForeignKeyConstraint(["c", "d"], ["comp.x", "comp.y"], name="fk_comp"),)
class Comp(Base):
    __tablename__ = "comp"
    x = Column(Integer, primary_key=True)
    y = Column(String(3), primary_key=True)
