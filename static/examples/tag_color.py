"""Tags get a colour: NOT NULL, on a table that already has rows."""
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Tag(Base):
    __tablename__ = "tag"

    id = Column(Integer, primary_key=True)
    name = Column(String(50), nullable=False, index=True)
    color = Column(String(7), nullable=False)
