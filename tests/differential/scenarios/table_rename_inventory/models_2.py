"""Inventory: item renamed to product; supplier gets a country."""
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Supplier(Base):
    __tablename__ = "supplier"

    id = Column(Integer, primary_key=True)
    name = Column(String(80), nullable=False)
    country = Column(String(2))


class Product(Base):
    __tablename__ = "product"

    id = Column(Integer, primary_key=True)
    supplier_id = Column(Integer, ForeignKey("supplier.id"))
    name = Column(String(80), nullable=False, index=True)
    qty = Column(Integer, nullable=False, server_default="0")
