"""Ledger: autoincrement flavours and composite natural keys."""
from sqlalchemy import BigInteger, Column, Integer, SmallInteger, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Journal(Base):
    __tablename__ = "journal"

    id = Column(Integer, primary_key=True, autoincrement=True)
    code = Column(String(10), nullable=False, unique=True)


class Entry(Base):
    __tablename__ = "entry"

    journal_id = Column(Integer, primary_key=True, autoincrement=False)
    seq = Column(Integer, primary_key=True, autoincrement=False)
    amount_cents = Column(BigInteger, nullable=False)
    memo = Column(String(140))


class Period(Base):
    __tablename__ = "period"

    year = Column(SmallInteger, primary_key=True)
    month = Column(SmallInteger, primary_key=True)
    closed = Column(Integer, nullable=False, server_default="0")
