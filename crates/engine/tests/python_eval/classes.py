class Base:
    kind = "base"
    registry = []

    def __init__(self, name):
        self.name = name
        Base.registry.append(name)

    def describe(self):
        return f"{self.kind}:{self.name}"

    @property
    def upper(self):
        return self.name.upper()

    @staticmethod
    def helper(x):
        return x * 2

    @classmethod
    def make(cls, name):
        return cls(name)

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r})"

    def __eq__(self, other):
        return isinstance(other, Base) and other.name == self.name

    def __hash__(self):
        return hash(len(self.name))


class Child(Base):
    kind = "child"

    def describe(self):
        return "child+" + super().describe()


class Mixin:
    def mixed(self):
        return "mixed " + self.name


class Multi(Mixin, Child):
    pass


b = Base("a")
c = Child.make("b")
m = Multi("c")
print(b.describe(), c.describe(), m.describe(), m.mixed())
print(b.upper, Base.helper(3), b.helper(4), Base.registry)
print(repr(c), [b, c], b == Base("a"), b != c)
print(isinstance(m, Base), isinstance(m, Mixin), issubclass(Multi, Child), [k.__name__ for k in Multi.__mro__])
print(hasattr(b, "name"), hasattr(b, "nope"), getattr(b, "nope", "default"))
setattr(b, "extra", 1)
print(b.extra, type(b).kind)

class Vec:
    def __init__(self, x, y):
        self.x, self.y = x, y
    def __add__(self, o):
        return Vec(self.x + o.x, self.y + o.y)
    def __mul__(self, k):
        return Vec(self.x * k, self.y * k)
    def __rmul__(self, k):
        return self * k
    def __len__(self):
        return 2
    def __getitem__(self, i):
        return (self.x, self.y)[i]
    def __iter__(self):
        return iter([self.x, self.y])
    def __str__(self):
        return f"<{self.x},{self.y}>"
    def __lt__(self, o):
        return (self.x, self.y) < (o.x, o.y)

v = Vec(1, 2) + Vec(3, 4)
print(v, 2 * v, v * 3, len(v), v[0], list(v), str(v), sorted([Vec(2, 0), Vec(1, 5)])[0])

class Counter:
    count = 0
    def __init__(self):
        Counter.count += 1
        self.id = Counter.count

[Counter() for _ in range(3)]
print(Counter.count)

class WithSetter:
    def __init__(self):
        self._v = 0
    @property
    def v(self):
        return self._v
    @v.setter
    def v(self, value):
        self._v = value * 10

w = WithSetter()
w.v = 4
print(w.v)

class Dyn:
    def __getattr__(self, name):
        return "dyn_" + name
print(Dyn().anything)

class Meta:
    __table_args__ = ({"sqlite_autoincrement": True},)
    def __init_subclass__(cls, **kw):
        cls.seen = kw
class Sub(Meta, flag=1):
    pass
print(Sub.seen, Sub.__table_args__)
print(Sub.__name__, Sub.__qualname__, repr(Sub)[:8])
