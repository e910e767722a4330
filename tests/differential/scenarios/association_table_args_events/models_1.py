"""Conference planner: an association Table plus tuple and dict __table_args__ (1.x)."""
from sqlalchemy import (CheckConstraint, Column, Date, ForeignKey, Index, Integer, String, Table,
                        UniqueConstraint)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

session_speakers = Table(
    "session_speakers",
    Base.metadata,
    Column("session_id", ForeignKey("session.id", ondelete="CASCADE"), primary_key=True),
    Column("speaker_id", ForeignKey("speaker.id", ondelete="CASCADE"), primary_key=True),
)


class Conference(Base):
    __tablename__ = "conference"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ck_conference_dates"),
        UniqueConstraint("name", "starts_on", name="uq_conference_edition"),
        {"sqlite_autoincrement": False},
    )

    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False)
    starts_on = Column(Date, nullable=False)
    ends_on = Column(Date, nullable=False)


class Session(Base):
    __tablename__ = "session"
    __table_args__ = (Index("ix_session_conf_room", "conference_id", "room"),)

    id = Column(Integer, primary_key=True)
    conference_id = Column(Integer, ForeignKey("conference.id", ondelete="CASCADE"), nullable=False)
    room = Column(String(20))
    title = Column(String(200), nullable=False)

    speakers = relationship("Speaker", secondary=session_speakers, back_populates="sessions")


class Speaker(Base):
    __tablename__ = "speaker"
    __table_args__ = {"info": {"owner": "program-committee"}}

    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False)

    sessions = relationship("Session", secondary=session_speakers, back_populates="speakers")
