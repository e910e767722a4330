"""Fleet of vans."""
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Van(Base):
    __tablename__ = "van"

    id = Column(Integer, primary_key=True)
    plate = Column(String(12), nullable=False)
