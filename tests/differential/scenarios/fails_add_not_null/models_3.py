"""Fleet of vans: a new table still needs the database at head, so this
revision is refused ("Target database is not up to date.")."""
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Van(Base):
    __tablename__ = "van"

    id = Column(Integer, primary_key=True)
    plate = Column(String(12), nullable=False)
    seats = Column(Integer, nullable=False, default=3)


class Driver(Base):
    __tablename__ = "driver"

    id = Column(Integer, primary_key=True)
    van_id = Column(Integer, ForeignKey("van.id"))
