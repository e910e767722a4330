"""Help center: the FK moves to an editor column; the writer FK is dropped."""
from sqlalchemy import ForeignKey, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


class Writer(Base):
    __tablename__ = "writer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))


class Article(Base):
    __tablename__ = "article"

    id: Mapped[int] = mapped_column(primary_key=True)
    writer_id: Mapped[int | None] = mapped_column(Integer)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("writer.id"))
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str | None] = mapped_column(String(200), unique=True)
