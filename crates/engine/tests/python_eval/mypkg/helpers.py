from . import PKG_CONST
from .deeper import twice

def name_col(n):
    return ("col", n, PKG_CONST, twice(n))
