# literals, arithmetic, strings, containers
print(1 + 2 * 3, 7 // 2, -7 // 2, 7 % 3, -7 % 3, 2 ** 10, 7 / 2)
print(1.5 + 2, 0.1 + 0.2, 1e20, 1.5e-7, 3.0, -0.0)
print(True + 1, 10 > 3 > 1, 1 < 2 == 2, not 0, None is None)
print("a" + "b", "ab" * 3, "x" in "xyz", "q" not in "xyz")
print(repr("it's"), repr('say "hi"'), repr("a\nb\\"), repr(""))
print([1, 2, 3][1:], (1, 2, 3)[::-1], "hello"[1:4], [1, 2, 3][-1])
print({"a": 1, "b": [1, 2]}, {1, 2, 3} & {2, 3, 4}, (1,), ())
d = {"x": 1}
d["y"] = 2
d.update(z=3)
print(d, len(d), list(d.keys()), list(d.items()), d.get("q", "none"))
print(sorted([3, 1, 2]), sorted(["b", "a"], reverse=True), min(3, 1, 2), max([1, 5, 2]))
print(sum([1, 2, 3]), any([0, 1]), all([1, 0]), list(range(5)), list(range(10, 0, -3)))
print(list(enumerate("ab")), list(zip([1, 2], "ab")), abs(-4), round(2.5), round(3.5))
print(int("42"), float("1.5"), str(12), bool([]), tuple([1, 2]), list("ab"), set())
print("a,b,,c".split(","), " x  y ".split(), "-".join(["a", "b"]), "Hello".upper(), "  s ".strip())
print("abc".startswith("a"), "abc".endswith(("x", "c")), "a_b".replace("_", "-"), "abc".find("c"))
print(isinstance(1, int), isinstance(True, int), isinstance("s", (int, str)), type(1) is int, type("s").__name__)
print(1 == 1.0, {1: "a"}[1.0], hash(3), divmod(7, 2), 3 if 0 else 4)
x = [1, 2]
y = x
y += [3]
print(x, x is y, [i * i for i in range(5) if i % 2], {k: v for k, v in [("a", 1)]}, {c for c in "aab"} == {"a", "b"})
a, *b, c = [1, 2, 3, 4, 5]
print(a, b, c)
(p, q), r = (1, 2), 3
print(p, q, r)
print(chr(65), ord("A"), "%s is %d years" % ("Bob", 42), "%.2f" % 3.14159, "%r" % "x", "%5s|%-5s|" % ("a", "b"))
print("{} {}".format(1, 2), "{0}{1}{0}".format("a", "b"), "{name}!".format(name="x"), "{:>5}|{:<5}|{:^5}|".format("a", "b", "c"))
print(f"{1 + 1}", f"{'x'!r}", f"{3.14159:.2f}", f"{42:05d}", f"{1000000:,}", f"{'a':*^7}")
val = 5
print(f"{val=}", f"{val!r:>4}")
print(bytes([104, 105]), b"ab" + b"c", "é".encode(), b"hi".decode())
print(divmod(-7, 2), 2 ** -1, 10 ** 18, -(2 ** 62) * 2)
print([1, 2] < [1, 3], (1, 2) == (1, 2), "b" > "a", [] == [], {"a": 1} == {"a": 1})
del d["x"]
print(d, d.pop("y"), d)
s = "abc"
print(s.title(), s.capitalize(), s.center(7, "*"), s.zfill(5), s.count("b"), s.partition("b"))
print(list(reversed([1, 2, 3])), list(map(str, [1, 2])), list(filter(None, [0, 1, 2])))
print(" ".join(f"{i}" for i in range(3)), max("abc", key=lambda c: -ord(c)))
