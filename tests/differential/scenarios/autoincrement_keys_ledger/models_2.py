"""Ledger: amounts shrink to Integer, memo widens, periods gain a label."""
from sqlalchemy import BigInteger, Column, Integer, SmallInteger, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Journal(Base):
    __tablename__ = "journal"

    id = Column(Integer, primary_key=True, autoincrement=True)
    code = Column(String(10), nullable=False, unique=True)
    name = Column(String(60))


class Entry(Base):
    __tablename__ = "entry"

    journal_id = Column(Integer, primary_key=True, autoincrement=False)
    seq = Column(Integer, primary_key=True, autoincrement=False)
    amount_cents = Column(Integer, nullable=False)
    memo = Column(String(500))


class Period(Base):
    __tablename__ = "period"

    year = Column(SmallInteger, primary_key=True)
    month = Column(SmallInteger, primary_key=True)
    closed = Column(Integer, nullable=False, server_default="0")
    label = Column(String(20), nullable=False, server_default="open")
