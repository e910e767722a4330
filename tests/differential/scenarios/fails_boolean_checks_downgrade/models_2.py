"""Feature flags: a rollout toggle, descriptions dropped, an index on the key prefix."""
from sqlalchemy import Boolean, Column, Integer, MetaData, String
from sqlalchemy.orm import declarative_base

Base = declarative_base(metadata=MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}))


class Flag(Base):
    __tablename__ = "flag"

    id = Column(Integer, primary_key=True)
    key = Column(String(64), nullable=False, unique=True)
    enabled = Column(Boolean(create_constraint=True, name="enabled_bool"), nullable=False,
                     server_default="0")
    gradual = Column(Boolean(create_constraint=True, name="gradual_bool"), nullable=False,
                     server_default="0")
    owner = Column(String(40), index=True)
