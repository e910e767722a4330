# the match statement: value, singleton, capture, wildcard, sequence (with a star), mapping
# (with **rest), class (positional through __match_args__, keywords), or-patterns, as, guards
import dataclasses
import collections


@dataclasses.dataclass
class Col:
    name: str
    kind: str = "int"


Pair = collections.namedtuple("Pair", "a b")


def describe(x):
    match x:
        case None:
            return "none"
        case True:
            return "true"
        case 0 | 1:
            return f"small {x}"
        case int(n) if n < 0:
            return f"negative {n}"
        case int() | float() as num:
            return f"number {num}"
        case "add" | "drop" as verb:
            return f"verb {verb}"
        case str(s):
            return f"str {s!r}"
        case []:
            return "empty list"
        case [single]:
            return f"one {single}"
        case [first, *middle, last]:
            return f"seq {first} {middle} {last}"
        case {"op": "add_column", "name": name, **rest}:
            return f"add {name} {rest}"
        case {"op": op}:
            return f"op {op}"
        case Col(name, kind="text"):
            return f"text column {name}"
        case Col(name=n):
            return f"column {n}"
        case Pair(a, b) if a == b:
            return f"same pair {a}"
        case _:
            return f"other {type(x).__name__}"


for value in [None, True, False, 0, 1, -5, 7, 2.5, "add", "x", [], [9], (1, 2, 3, 4), "ab",
              {"op": "add_column", "name": "c", "type": "int"}, {"op": "drop"}, {},
              Col("a", "text"), Col("b"), Pair(1, 1), Pair(1, 2), range(2)]:
    print(repr(value), "->", describe(value))


def scoped(cmd):
    match cmd.split():
        case ["go", direction]:
            pass
        case _:
            direction = None
    return direction


print(scoped("go north"), scoped("stop"))
try:
    match 5:
        case Col(1, 2, 3):
            pass
except TypeError as e:
    print("TypeError", e)
