"""Legacy payroll: uppercase SQL types, comments, a computed column."""
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Employee(Base):
    __tablename__ = "employee"
    __table_args__ = (
        sa.Index("ix_employee_active_dept", "dept", "active"),
        {"comment": "people on the payroll"},
    )

    id = sa.Column(sa.INTEGER, primary_key=True)
    badge = sa.Column(sa.CHAR(6), nullable=False, comment="printed on the card")
    name = sa.Column(sa.VARCHAR(80), nullable=False)
    dept = sa.Column(sa.NVARCHAR(20))
    salary = sa.Column(sa.DECIMAL(10, 2), nullable=False)
    bonus_rate = sa.Column(sa.REAL)
    hired = sa.Column(sa.TIMESTAMP, server_default=sa.func.current_timestamp())
    photo = sa.Column(sa.BLOB)
    resume = sa.Column(sa.CLOB)
    active = sa.Column(sa.BOOLEAN, nullable=False, server_default=sa.text("1"))
    yearly = sa.Column(sa.Numeric(12, 2), sa.Computed("salary * 12"))
