"""Accounts keyed by a UUID, whose column type comes from the project's own module."""
from sqlalchemy import Column, String
from sqlalchemy.orm import declarative_base

from myapp.types import GUID

Base = declarative_base()


class Account(Base):
    __tablename__ = "account"

    id = Column(GUID(), primary_key=True)
    email = Column(String(120), nullable=False, unique=True)
