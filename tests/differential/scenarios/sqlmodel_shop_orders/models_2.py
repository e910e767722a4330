"""Online shop (SQLModel): order lines, longer titles, notes become required-free text."""
from decimal import Decimal
from typing import Optional

from sqlalchemy import Column, Numeric, String
from sqlmodel import Field, Relationship, SQLModel


class Customer(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=120, unique=True)
    name: str
    vip: bool = Field(default=False)
    phone: Optional[str] = Field(default=None, max_length=30)

    orders: list["Order"] = Relationship(back_populates="customer")


class Product(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    sku: str = Field(sa_column=Column(String(24), nullable=False, unique=True))
    title: str = Field(max_length=160, index=True)
    price: Decimal = Field(default=0, max_digits=10, decimal_places=2)


class Order(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    total: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False, server_default="0"))
    note: Optional[str] = None

    customer: Optional[Customer] = Relationship(back_populates="orders")
    lines: list["OrderLine"] = Relationship(back_populates="order")


class OrderLine(SQLModel, table=True):
    order_id: int = Field(foreign_key="order.id", primary_key=True, ondelete="CASCADE")
    product_id: int = Field(foreign_key="product.id", primary_key=True)
    quantity: int = Field(default=1)

    order: Optional[Order] = Relationship(back_populates="lines")
