"""Online shop (SQLModel): unique SKUs, sa_column, Decimal prices."""
from decimal import Decimal
from typing import Optional

from sqlalchemy import Column, Numeric, String
from sqlmodel import Field, Relationship, SQLModel


class Customer(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=120, unique=True)
    name: str
    vip: bool = Field(default=False)

    orders: list["Order"] = Relationship(back_populates="customer")


class Product(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    sku: str = Field(sa_column=Column(String(24), nullable=False, unique=True))
    title: str = Field(max_length=80, index=True)
    price: Decimal = Field(default=0, max_digits=10, decimal_places=2)


class Order(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    total: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False, server_default="0"))
    note: Optional[str] = Field(default=None, max_length=200)

    customer: Optional[Customer] = Relationship(back_populates="orders")
