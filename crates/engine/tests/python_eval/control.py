# control flow, functions, closures, scopes
for i in range(10):
    if i == 2:
        continue
    if i == 5:
        break
    print("i", i)
else:
    print("no break")
for i in []:
    pass
else:
    print("empty else")
n = 0
while n < 3:
    n += 1
else:
    print("while else", n)

def f(a, b=2, *args, c, d=4, **kw):
    return (a, b, args, c, d, kw)

print(f(1, c=3))
print(f(1, 5, 6, 7, c=3, e=9))
print(f(*[1, 2], **{"c": 3}))

def counter():
    count = 0
    def inc():
        nonlocal count
        count += 1
        return count
    return inc

c = counter()
c()
print(c(), c())

G = 1
def setg():
    global G
    G = 2
setg()
print(G)

def deco(fn):
    def wrapper(*a, **k):
        return "wrapped:" + str(fn(*a, **k))
    return wrapper

@deco
def hello(name):
    return "hi " + name

print(hello("bob"))

def with_param(p):
    def d(fn):
        fn.tag = p
        return fn
    return d

@with_param("T")
def tagged():
    return 1
print(tagged.tag, tagged.__name__)

adders = [lambda x, i=i: x + i for i in range(3)]
print([a(10) for a in adders])

def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)
print(fact(20))

def kwonly(*, a, b=1):
    return a + b
print(kwonly(a=1))

x = 10
def shadow():
    x = 5
    return x
print(shadow(), x)
print((y := 7) + 1, y)
