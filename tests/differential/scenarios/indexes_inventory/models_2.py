"""Warehouse inventory: the compound index becomes unique on sku alone, the
category index goes, bins get an index on (aisle, shelf)."""
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Item(Base):
    __tablename__ = "item"
    __table_args__ = (Index("ix_item_sku", "sku", unique=True),)

    id = Column(Integer, primary_key=True)
    sku = Column(String(32), nullable=False)
    name = Column(String(120), nullable=False)
    category = Column(String(40))


class Bin(Base):
    __tablename__ = "bin"
    __table_args__ = (Index("ix_bin_location", "aisle", "shelf"),)

    id = Column(Integer, primary_key=True)
    aisle = Column(String(4), nullable=False)
    shelf = Column(Integer, nullable=False)


class Stock(Base):
    __tablename__ = "stock"
    __table_args__ = (Index("uq_stock_item_bin", "item_id", "bin_id", unique=True),)

    id = Column(Integer, primary_key=True)
    item_id = Column(Integer, ForeignKey("item.id"), nullable=False)
    bin_id = Column(Integer, ForeignKey("bin.id"), nullable=False)
    quantity = Column(Integer, nullable=False)


class Supplier(Base):
    __tablename__ = "supplier"

    id = Column(Integer, primary_key=True)
    name = Column(String(80), nullable=False, index=True)


class PriceLog(Base):
    __tablename__ = "price_log"

    id = Column(Integer, primary_key=True)
    item_id = Column(Integer, nullable=False, index=True)
    price = Column(Numeric(8, 2), nullable=False)
    noted_at = Column(DateTime, nullable=False)
