# itertools over finite iterables, functools.reduce / lru_cache, collections.namedtuple,
# Enum lookup by value, json.dumps(indent=, default=), qualified names of local classes
import collections
import enum
import functools
import itertools
import json

print(list(itertools.chain([1, 2], (3,), "ab")), list(itertools.chain.from_iterable([[1], [2, 3]])))
print(list(itertools.islice(range(10), 3)), list(itertools.islice("abcdefg", 1, 6, 2)), list(itertools.islice([1, 2], 0, None)))
rows = [("a", 1), ("a", 2), ("b", 3), ("a", 4)]
print([(k, [v for _, v in g]) for k, g in itertools.groupby(rows, key=lambda r: r[0])])
print([k for k, _ in itertools.groupby("aabbbc")])
print(list(itertools.product("ab", [1, 2])), len(list(itertools.product(range(3), repeat=3))))
print(list(itertools.permutations("abc", 2)), list(itertools.permutations([1, 2, 3]))[:3])
print(list(itertools.combinations("abcd", 2)), list(itertools.combinations_with_replacement("ab", 2)))
print(list(itertools.combinations([1, 2], 3)), list(itertools.permutations([1], 2)))
print(list(itertools.zip_longest("abc", [1], fillvalue="-")), list(itertools.accumulate([1, 2, 3, 4])))
print(list(itertools.accumulate([1, 2, 3], lambda a, b: a * b, initial=10)), list(itertools.starmap(pow, [(2, 3), (3, 2)])))
print(list(itertools.takewhile(lambda x: x < 3, [1, 2, 5, 1])), list(itertools.dropwhile(lambda x: x < 3, [1, 2, 5, 1])))
print(list(itertools.filterfalse(lambda x: x % 2, range(6))), list(itertools.compress("abcdef", [1, 0, 1, 0, 1, 1])))
print(list(itertools.pairwise([1, 2, 3, 4])), [list(t) for t in itertools.tee([1, 2], 3)], list(itertools.repeat("x", 3)))
for i, (a, b) in enumerate(itertools.zip_longest([1, 2], [3])):
    print(i, a, b)

print(functools.reduce(lambda a, b: a + b, [1, 2, 3]), functools.reduce(lambda a, b: a * b, [], 7))
try:
    functools.reduce(lambda a, b: a, [])
except TypeError as e:
    print("TypeError:", e)

calls = []


@functools.lru_cache(maxsize=None)
def square(n):
    calls.append(n)
    return n * n


@functools.lru_cache(maxsize=2)
def double(n):
    calls.append(("d", n))
    return 2 * n


@functools.cache
def third(n, k=1):
    calls.append(("t", n, k))
    return n / 3


print(square(3), square(3), square(4), double(1), double(2), double(1), double(3), double(2), double(1))
print(third(3), third(3), third(3, k=2), third(3, k=2))
print(calls)

Point = collections.namedtuple("Point", "x, y")
Row = collections.namedtuple("Row", ["id", "name", "flag"], defaults=[False])
p = Point(1, y=2)
r = Row(5, "bob")
print(p, r, p.x + p.y, p[0], p[-1], p[:1], len(p), tuple(p), list(r))
x, y = p
print(x, y, p == (1, 2), p == Point(1, 2), p != Point(2, 1), Point._fields, Row._field_defaults)
print(r._asdict(), r._replace(name="al"), Point._make([7, 8]), {p: "here"}[(1, 2)])
for bad in [lambda: Point(1), lambda: Point(1, 2, 3), lambda: Point(1, 2, z=3), lambda: collections.namedtuple("P", "a a"), lambda: collections.namedtuple("P", "_a"), lambda: collections.namedtuple("P", "class")]:
    try:
        bad()
    except (TypeError, ValueError) as e:
        print(type(e).__name__, e)


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


print(Color("red"), Color(Color.BLUE), Level(2), Level(2) is Level.HIGH)
try:
    Color("green")
except ValueError as e:
    print("ValueError:", e)

print(json.dumps({"a": [1, {"b": None}], "c": [], "d": {}}, indent=2))
print(json.dumps([1, [2, 3]], indent="\t", sort_keys=True))
print(json.dumps({"when": Color.RED}, default=lambda o: o.value), json.dumps([1, 2], indent=0))


def outer():
    class Local:
        pass

    def inner():
        pass

    return Local, inner


L, f = outer()
print(L.__qualname__, f.__qualname__, outer.__qualname__)
