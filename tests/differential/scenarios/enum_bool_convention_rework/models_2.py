"""Subscriptions: an enterprise plan, trial becomes a plain integer, seats added."""
import enum

from sqlalchemy import Boolean, Column, Enum, Integer, MetaData, String
from sqlalchemy.orm import declarative_base

metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})
Base = declarative_base(metadata=metadata)


class Plan(enum.Enum):
    basic = "basic"
    pro = "pro"
    enterprise = "enterprise"


class Subscription(Base):
    __tablename__ = "subscription"

    id = Column(Integer, primary_key=True)
    email = Column(String(120), nullable=False, unique=True)
    plan = Column(Enum(Plan, native_enum=False, create_constraint=True), nullable=False)
    auto_renew = Column(Boolean(create_constraint=True), nullable=False, server_default="1")
    trial = Column(Integer)
    seats = Column(Integer, nullable=False, server_default="1")
