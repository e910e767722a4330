"""Domain registry: handles are not unique yet."""
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Domain(Base):
    __tablename__ = "domain"

    id = Column(Integer, primary_key=True)
    fqdn = Column(String(253), nullable=False)
    registrar = Column(String(60))
