"""Shipping tracker: states shrink back, carrier stored as plain string."""
import enum

from sqlalchemy import Column, Enum, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Shipment(Base):
    __tablename__ = "shipment"

    id = Column(Integer, primary_key=True)
    tracking = Column(String(30), nullable=False)
    carrier = Column(String(20), nullable=False)
    state = Column(Enum("new", "sent", name="shipment_state", native_enum=False, create_constraint=True),
                   nullable=False, server_default="new")
    speed = Column(Enum("slow", "fast", name="speed", native_enum=False, length=12))
