"""Blog engine: post/tag association table; display name widened to text."""
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

post_tags = sa.Table(
    "post_tags",
    Base.metadata,
    sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.Integer, sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class Author(Base):
    __tablename__ = "authors"

    id = sa.Column(sa.Integer, primary_key=True)
    handle = sa.Column(sa.String(40), nullable=False, unique=True)
    display_name = sa.Column(sa.UnicodeText)
    joined_at = sa.Column(sa.DateTime, server_default=sa.func.now(), nullable=False)

    posts = relationship("Post", backref="author")


class Post(Base):
    __tablename__ = "posts"

    id = sa.Column(sa.Integer, primary_key=True)
    author_id = sa.Column(sa.Integer, sa.ForeignKey("authors.id", ondelete="CASCADE"), nullable=False)
    slug = sa.Column(sa.String(120), nullable=False, index=True, unique=True)
    body = sa.Column(sa.Text, nullable=False)
    published = sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    views = sa.Column(sa.Integer, nullable=False, server_default=sa.text("0"))

    tags = relationship("Tag", secondary=post_tags, backref="posts")


class Tag(Base):
    __tablename__ = "tags"

    id = sa.Column(sa.Integer, primary_key=True)
    label = sa.Column(sa.String(30), nullable=False, unique=True)
