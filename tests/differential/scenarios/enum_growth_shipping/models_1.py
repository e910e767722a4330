"""Shipping tracker: enums of every flavour (1.x Column style)."""
import enum

from sqlalchemy import Column, Enum, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Carrier(enum.Enum):
    ups = "ups"
    dhl = "dhl"


class Shipment(Base):
    __tablename__ = "shipment"

    id = Column(Integer, primary_key=True)
    tracking = Column(String(30), nullable=False)
    carrier = Column(Enum(Carrier), nullable=False)
    state = Column(Enum("new", "sent", name="shipment_state", native_enum=False, create_constraint=True),
                   nullable=False, server_default="new")
    speed = Column(Enum("slow", "fast", name="speed"))
