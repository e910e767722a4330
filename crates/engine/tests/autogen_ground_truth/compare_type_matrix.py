import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from alembic.ddl.sqlite import SQLiteImpl
from sqlmodel.sql.sqltypes import AutoString
impl = SQLiteImpl(sqlite.dialect(), None, False, None, None, {})
meta = {
 "Integer()": sa.Integer(), "BigInteger()": sa.BigInteger(), "SmallInteger()": sa.SmallInteger(),
 "String()": sa.String(), "String(40)": sa.String(40), "String(16)": sa.String(16), "String(40,NOCASE)": sa.String(40, collation="NOCASE"),
 "Text()": sa.Text(), "Unicode(40)": sa.Unicode(40), "UnicodeText()": sa.UnicodeText(),
 "Boolean()": sa.Boolean(), "Enum(a,bb)": sa.Enum("a","bb",name="e"), "Enum(a,bb,len=40)": sa.Enum("a","bb",name="e",length=40),
 "Numeric()": sa.Numeric(), "Numeric(10)": sa.Numeric(10), "Numeric(10,2)": sa.Numeric(10,2), "Numeric(5,1)": sa.Numeric(5,1),
 "Float()": sa.Float(), "Double()": sa.Double(), "Date()": sa.Date(), "DateTime()": sa.DateTime(), "Time()": sa.Time(),
 "Interval()": sa.Interval(), "JSON()": sa.JSON(), "LargeBinary()": sa.LargeBinary(), "Uuid()": sa.Uuid(),
 "AutoString()": AutoString(), "AutoString(40)": AutoString(40), "DECIMAL(10,2)": sa.DECIMAL(10,2), "DOUBLE_PRECISION()": sa.DOUBLE_PRECISION(),
}
conn = {
 "INTEGER": sa.INTEGER(), "BIGINT": sa.BIGINT(), "SMALLINT": sa.SMALLINT(), "VARCHAR": sa.VARCHAR(), "VARCHAR(40)": sa.VARCHAR(40),
 "VARCHAR(10)": sa.VARCHAR(10), "VARCHAR(2)": sa.VARCHAR(2), "CHAR(32)": sa.CHAR(32), "NVARCHAR(40)": sa.NVARCHAR(40), "TEXT": sa.TEXT(), "BOOLEAN": sa.BOOLEAN(),
 "NUMERIC": sa.NUMERIC(), "NUMERIC(10)": sa.NUMERIC(10), "NUMERIC(10,2)": sa.NUMERIC(10,2), "DECIMAL(10,2)": sa.DECIMAL(10,2), "FLOAT": sa.FLOAT(),
 "REAL": sa.REAL(), "DOUBLE": sa.DOUBLE(), "DATE": sa.DATE(), "DATETIME": sa.DATETIME(), "TIMESTAMP": sa.TIMESTAMP(), "TIME": sa.TIME(), "JSON": sqlite.JSON(), "BLOB": sa.BLOB(),
}
for mk, mt in meta.items():
    diffs = [ck for ck, ct in conn.items() if not impl.compare_type(sa.Column("x", ct), sa.Column("x", mt))]
    print('("%s", &[%s]),' % (mk, ", ".join('"%s"' % d for d in diffs)))
