"""Legacy payroll: CHAR widened, REAL becomes FLOAT, a SMALLINT grade, BIGINT ids elsewhere."""
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
    badge = sa.Column(sa.CHAR(8), nullable=False, comment="printed on the card")
    name = sa.Column(sa.VARCHAR(80), nullable=False)
    dept = sa.Column(sa.NVARCHAR(20))
    salary = sa.Column(sa.DECIMAL(10, 2), nullable=False)
    bonus_rate = sa.Column(sa.FLOAT)
    hired = sa.Column(sa.TIMESTAMP, server_default=sa.func.current_timestamp())
    photo = sa.Column(sa.BLOB)
    resume = sa.Column(sa.CLOB)
    active = sa.Column(sa.BOOLEAN, nullable=False, server_default=sa.text("1"))
    yearly = sa.Column(sa.Numeric(12, 2), sa.Computed("salary * 12"))
    grade = sa.Column(sa.SMALLINT, comment="pay grade")


class Payslip(Base):
    __tablename__ = "payslip"

    id = sa.Column(sa.BIGINT, primary_key=True)
    employee_id = sa.Column(sa.INTEGER, sa.ForeignKey("employee.id"), nullable=False)
    period = sa.Column(sa.DATE, nullable=False)
    gross = sa.Column(sa.NUMERIC(10, 2), nullable=False)
    paid_at = sa.Column(sa.DATETIME)
    note = sa.Column(sa.TEXT)
