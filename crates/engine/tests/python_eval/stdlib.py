import enum
import json
import os
import typing
from enum import Enum, IntEnum
from typing import Optional, List


class Color(Enum):
    RED = "red"
    GREEN = "green"


class Status(str, enum.Enum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class Level(IntEnum):
    LOW = 1
    HIGH = 2


print(Color.RED, repr(Color.RED), Color.RED.value, Color.RED.name, [c.name for c in Color], len(Color))
print(Status.ACTIVE == "active", Status.ACTIVE.value, [s.value for s in Status], Color["GREEN"])
print(Level.HIGH > Level.LOW, Level.HIGH + 1, isinstance(Color.RED, Color), Color.RED is Color.RED)
print(json.dumps({"a": [1, 2.5, None, True], "b": "x\"y"}), json.dumps("é"))
print(os.environ.get("HOME"), os.getenv("X", "dflt"), "PATH" in os.environ, os.path.join("a", "b"))
print(typing.TYPE_CHECKING)


def f(x: Optional[int] = None, ys: List[str] = []) -> Optional[str]:
    return str(x)


print(f(3))


class Ann:
    a: int
    b: str = "s"


print(Ann.b, list(Ann.__annotations__))
