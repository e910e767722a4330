"""Users, their samples, and the materials a sample is made of."""
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class User(Base):
    __tablename__ = "user"

    id = Column(Integer, primary_key=True)
    email = Column(String(120), nullable=False, unique=True)


class Material(Base):
    __tablename__ = "material"

    id = Column(Integer, primary_key=True)
    name = Column(String(80), nullable=False, unique=True)


class Sample(Base):
    __tablename__ = "sample"

    id = Column(Integer, primary_key=True)
    label = Column(String(80), nullable=False)
    owner_id = Column(Integer, ForeignKey("user.id"), nullable=False, index=True)
    material_id = Column(Integer, ForeignKey("material.id"))
