"""Photo gallery: index=True toggled, unique index flipped, backref() helper (1.x)."""
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import backref, declarative_base, relationship

Base = declarative_base()


class Album(Base):
    __tablename__ = "album"

    id = Column(Integer, primary_key=True)
    title = Column(String(100), nullable=False, index=True)
    owner = Column(String(40), nullable=False)


class Photo(Base):
    __tablename__ = "photo"
    __table_args__ = (Index("ix_photo_checksum", "checksum", unique=True),)

    id = Column(Integer, primary_key=True)
    album_id = Column(Integer, ForeignKey("album.id", ondelete="CASCADE", onupdate="CASCADE"), nullable=False)
    filename = Column(String(255), nullable=False)
    checksum = Column(String(64), nullable=False)
    taken_at = Column(DateTime)

    album = relationship("Album", backref=backref("photos", cascade="all, delete-orphan"))
