"""Warehouse stock: composite primary keys and a composite foreign key (1.x)."""
from sqlalchemy import (Column, ForeignKeyConstraint, Integer, Numeric, PrimaryKeyConstraint, String,
                        UniqueConstraint)
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Warehouse(Base):
    __tablename__ = "warehouse"

    code = Column(String(8), primary_key=True)
    city = Column(String(60), nullable=False)


class Bin(Base):
    __tablename__ = "bin"
    __table_args__ = (
        PrimaryKeyConstraint("warehouse_code", "aisle", "slot"),
        ForeignKeyConstraint(["warehouse_code"], ["warehouse.code"], ondelete="CASCADE", onupdate="CASCADE"),
    )

    warehouse_code = Column(String(8), nullable=False)
    aisle = Column(Integer, nullable=False)
    slot = Column(Integer, nullable=False)
    capacity = Column(Integer)


class Stock(Base):
    __tablename__ = "stock"
    __table_args__ = (
        ForeignKeyConstraint(["warehouse_code", "aisle", "slot"],
                             ["bin.warehouse_code", "bin.aisle", "bin.slot"],
                             name="fk_stock_bin", ondelete="RESTRICT"),
        UniqueConstraint("sku", "warehouse_code", "aisle", "slot", name="uq_stock_sku_bin"),
    )

    id = Column(Integer, primary_key=True)
    sku = Column(String(20), nullable=False)
    warehouse_code = Column(String(8), nullable=False)
    aisle = Column(Integer, nullable=False)
    slot = Column(Integer, nullable=False)
    quantity = Column(Numeric(12, 3), nullable=False, server_default="0")
