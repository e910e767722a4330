"""Blog engine, SQLAlchemy 1.x style through the `sa` alias."""
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Author(Base):
    __tablename__ = "authors"

    id = sa.Column(sa.Integer, primary_key=True)
    handle = sa.Column(sa.String(40), nullable=False, unique=True)
    display_name = sa.Column(sa.Unicode(100))
    bio = sa.Column(sa.UnicodeText)
    joined_at = sa.Column(sa.DateTime, server_default=sa.func.now(), nullable=False)

    posts = relationship("Post", backref="author")


class Post(Base):
    __tablename__ = "posts"

    id = sa.Column(sa.Integer, primary_key=True)
    author_id = sa.Column(sa.Integer, sa.ForeignKey("authors.id", ondelete="CASCADE"), nullable=False)
    slug = sa.Column(sa.String(120), nullable=False, index=True)
    body = sa.Column(sa.Text, nullable=False)
    published = sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
