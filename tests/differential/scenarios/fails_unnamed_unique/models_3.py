"""Domain registry: gives up on uniqueness, adds an expiry date instead."""
from sqlalchemy import Column, Date, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Domain(Base):
    __tablename__ = "domain"

    id = Column(Integer, primary_key=True)
    fqdn = Column(String(253), nullable=False)
    registrar = Column(String(60))
    expires_on = Column(Date)
