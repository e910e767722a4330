"""Warehouse inventory: suppliers and the price log are dropped in one step
(two drop_table ops, each with its index)."""
from sqlalchemy import Column, ForeignKey, Index, Integer, String
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
