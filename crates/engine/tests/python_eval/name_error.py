from typing import Optional
print("before")
Column = lambda *a: a
col = Column(Strin(50))
