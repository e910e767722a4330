"""Shipping tracker: a carrier with a longer name, a new state, speed loses its CHECK."""
import enum

from sqlalchemy import Column, Enum, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Carrier(enum.Enum):
    ups = "ups"
    dhl = "dhl"
    royal_mail = "royal_mail"


class Shipment(Base):
    __tablename__ = "shipment"

    id = Column(Integer, primary_key=True)
    tracking = Column(String(30), nullable=False)
    carrier = Column(Enum(Carrier), nullable=False)
    state = Column(Enum("new", "sent", "delivered", name="shipment_state", native_enum=False,
                        create_constraint=True),
                   nullable=False, server_default="new")
    speed = Column(Enum("slow", "fast", name="speed", native_enum=False, length=12))
