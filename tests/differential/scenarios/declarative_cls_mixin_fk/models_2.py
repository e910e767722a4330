"""School timetable (1.x): exams reuse the room mixin; lessons get an end time."""
from sqlalchemy import Column, ForeignKey, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import declarative_base, declared_attr


class CommonBase:
    id = Column(Integer, primary_key=True)

    @declared_attr
    def __tablename__(cls):
        return cls.__name__.lower()


Base = declarative_base(cls=CommonBase)


class RoomMixin:
    @declared_attr
    def room_id(cls):
        return Column(Integer, ForeignKey("room.id", ondelete="SET NULL"))


class Room(Base):
    number = Column(String(10), nullable=False, unique=True)
    seats = Column(Integer)


class Lesson(RoomMixin, Base):
    __table_args__ = (UniqueConstraint("weekday", "starts", "room_id", name="uq_lesson_slot"),)

    subject = Column(String(60), nullable=False)
    weekday = Column(Integer, nullable=False)
    starts = Column(Time, nullable=False)
    ends = Column(Time)


class Exam(RoomMixin, Base):
    subject = Column(String(60), nullable=False)
    held_on = Column(String(10), nullable=False, index=True)
