"""Domain registry: fqdn becomes unique=True -- an unnamed constraint in batch mode fails."""
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Domain(Base):
    __tablename__ = "domain"

    id = Column(Integer, primary_key=True)
    fqdn = Column(String(253), nullable=False, unique=True)
    registrar = Column(String(60))
