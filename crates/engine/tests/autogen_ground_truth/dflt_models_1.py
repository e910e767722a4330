from sqlalchemy import Column, Integer, DateTime, func
from sqlalchemy.orm import declarative_base
Base = declarative_base()
class W(Base):
    __tablename__ = "w"
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, server_default=func.now())
