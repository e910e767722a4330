"""Link shortener: clicks counted per link."""
from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, String, func
from sqlalchemy.orm import declarative_base

Base = declarative_base(metadata=MetaData(naming_convention={"pk": "pk_%(table_name)s"}))


class Link(Base):
    __tablename__ = "link"

    id = Column(Integer, primary_key=True)
    slug = Column(String(20), index=True, nullable=False)
    target = Column(String(500), nullable=False)
    created_at = Column(DateTime, server_default=func.now())


class Click(Base):
    __tablename__ = "click"

    id = Column(Integer, primary_key=True)
    link_id = Column(Integer, ForeignKey("link.id"), index=True, nullable=False)
    at = Column(DateTime, server_default=func.now())
