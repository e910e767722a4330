"""Link shortener: a naming convention without an "ix" key, and index=True."""
from sqlalchemy import Column, DateTime, Integer, MetaData, String, func
from sqlalchemy.orm import declarative_base

Base = declarative_base(metadata=MetaData(naming_convention={"pk": "pk_%(table_name)s"}))


class Link(Base):
    __tablename__ = "link"

    id = Column(Integer, primary_key=True)
    slug = Column(String(20), index=True, nullable=False)
    target = Column(String(500), nullable=False)
    created_at = Column(DateTime, server_default=func.now())
