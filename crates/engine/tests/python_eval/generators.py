import contextlib


def gen(n):
    print("start")
    try:
        for i in range(n):
            print("before", i)
            got = yield i * 10
            print("after", i, got)
        return "done"
    finally:
        print("finally")


for v in gen(3):
    print("body", v)
    if v == 10:
        break
else:
    print("no break")

for v in gen(2):
    print("body2", v)
else:
    print("else ran")

print(list(gen(2)), sum(gen(3)), [x + 1 for x in gen(2)])
print([(print("item", x), x)[1] for x in gen(2) if x > 0], {x: x for x in gen(1)})


def outer():
    r = yield from gen(2)
    print("inner returned", r)
    yield from [7, 8]


print(list(outer()))


def find():
    for v in gen(5):
        if v == 20:
            return v


print("found", find())

try:
    for v in gen(3):
        raise KeyError("boom")
except KeyError as e:
    print("caught", repr(e))



@contextlib.contextmanager
def note(msg):
    print("enter", msg)
    try:
        yield msg.upper()
    except ValueError as e:
        print("handled", e)
    finally:
        print("exit", msg)


with note("a") as m:
    print("inside", m)

with note("b"):
    raise ValueError("bad")
print("after suppressed")

try:
    with note("c"):
        raise KeyError("k")
except KeyError:
    print("propagated")


def loop():
    for x in range(10):
        with note(str(x)):
            if x == 1:
                return "returned in with"


print(loop())


@contextlib.contextmanager
def no_yield():
    if False:
        yield


try:
    with no_yield():
        pass
except RuntimeError as e:
    print("RuntimeError", e)


@contextlib.contextmanager
def twice():
    yield 1
    yield 2


try:
    with twice():
        print("twice body")
except RuntimeError as e:
    print("RuntimeError", e)

with contextlib.suppress(KeyError, ValueError):
    {}["x"]
print("suppressed")
with contextlib.nullcontext(5) as five:
    print(five)


class Res:
    def close(self):
        print("closed")


with contextlib.closing(Res()) as r:
    print(type(r).__name__)

g = gen(2)
print(iter(g) is g, list(g), list(g))
g2 = gen(1)
g2.close()
print(list(g2))


def counter():
    i = 0
    while True:
        yield i
        i += 1


for c in counter():
    if c > 3:
        break
print("counted", c)


def bad():
    yield 1
    raise StopIteration


try:
    list(bad())
except RuntimeError as e:
    print("RuntimeError", e)

lam = lambda: (yield 5)
print(list(lam()))
print(type(gen(1)).__name__)
