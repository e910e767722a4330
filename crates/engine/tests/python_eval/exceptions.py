class MyError(ValueError):
    pass

class WithInit(Exception):
    def __init__(self, code):
        super().__init__(f"code {code}")
        self.code = code

def risky(n):
    if n == 0:
        raise MyError("zero")
    if n == 1:
        raise WithInit(7)
    if n == 2:
        return {}["missing"]
    if n == 3:
        return undefined_name
    if n == 4:
        return [][1]
    if n == 5:
        return 1 / 0
    if n == 6:
        return int("x")
    if n == 7:
        return None.attr
    if n == 8:
        return len(5)
    return "ok"

for n in range(10):
    try:
        r = risky(n)
    except ValueError as e:
        print("ValueError family", type(e).__name__, e)
    except (KeyError, IndexError) as e:
        print("lookup", type(e).__name__, repr(e), str(e))
    except WithInit as e:
        print("withinit", e.code, e, e.args)
    except Exception as e:
        print("other", type(e).__name__, e)
    else:
        print("else", r)
    finally:
        print("finally", n)

def fin():
    try:
        return "try"
    finally:
        print("cleanup")
print(fin())

try:
    try:
        raise KeyError("k")
    except KeyError:
        raise
except LookupError as e:
    print("reraised", repr(e))

try:
    assert 1 == 2, "math"
except AssertionError as e:
    print("assert", e)

try:
    raise RuntimeError
except RuntimeError as e:
    print("bare class", repr(e), e.args)

print(issubclass(ModuleNotFoundError, ImportError), issubclass(KeyError, LookupError), issubclass(NotImplementedError, RuntimeError))

class Ctx:
    def __enter__(self):
        print("enter")
        return self
    def __exit__(self, t, v, tb):
        print("exit", t.__name__ if t else None, v)
        return t is KeyError

with Ctx() as c:
    print("body", type(c).__name__)
with Ctx():
    raise KeyError("swallowed")
print("after")

try:
    import no_such_module_here
except ImportError as e:
    print(type(e).__name__, e)

try:
    from os import no_such_name
except ImportError as e:
    print(type(e).__name__, "cannot import name" in str(e))

def f(a, b):
    return a
for call in [lambda: f(1), lambda: f(1, 2, 3), lambda: f(1, c=2), lambda: f(1, a=2)]:
    try:
        call()
    except TypeError as e:
        print("TypeError", e)

raise MyError("the end")
