# The re module: matching semantics where sre is particular (empty matches,
# repeats of groups, lookbehind, backreferences, case folding), template
# escapes, error messages, and hostile patterns that must fail cleanly.
import re


def show(*values):
    print(*[repr(v) for v in values])


show(re.findall(r"", "ab"), re.sub(r"", "-", "ab"), re.split(r"", "ab"), re.findall(r"a?", "baa"))
show(re.sub(r"a*", "-", "baac"), re.sub(r"(?:)", "|", "xy", count=1), re.subn(r"b*", "x", "abc"))
show(re.match(r"(a)+", "aaa").span(1), re.match(r"(a|b)*?c", "abc").groups(), re.match(r"((a)|b)+", "ab").groups())
show(re.match(r"(?:a|(b))+", "ba").groups(), re.match(r"(a)?b", "b").group(1), re.match(r"(a)?b", "b").span(1))
show(re.search(r"(?<=ab)c", "abc"), re.search(r"(?<=a|b)c", "bc"), re.search(r"(?<!x)y", "xy zy"))
show(re.match(r"(\w+) \1", "hey hey"), re.match(r"(?i)(\w+) \1", "Hey HEY"), re.match(r"(a)(b)?\2", "a"))
show(re.match(r"\x41\u00e9\U0001F600\101\0", "Aé😀A\x00"), re.match(r"[\u00e0-\u00ff]+", "àéÿz").group())
show(re.sub(r"(.)", r"\g<1>\g<1>", "ab"), re.sub(r"x", r"\\", "axb"), re.sub(r"x", "\\t", "axb"), re.sub("x", r"\%", "x"))
show(re.match(r"(?s).+", "a\nb").group(), re.match(r"(?m)^b", "a\nb"), re.search(r"(?m)^b$", "a\nb\nc").span())
show(re.fullmatch(r"(?:ab)*", "abab"), re.fullmatch(r"a*?", "aaa").group(), re.compile(r"\d+").fullmatch("x123y", 1, 4))
show(re.compile(r"^a").search("ba", 1), re.compile(r"a$").search("ab", 0, 1), re.compile(r"\ba").search("ba", 1))
show(re.escape(""), re.escape("ü\u00a0"), re.findall(r"[^\W\d]+", "ab12_c3"), re.findall(r"[\s\S]", "a\n"))
show(re.split(r"(a)|(b)", "xaybz"), re.split(r"\d", "a1b2c3", 2), re.split(r"x", "", 0), re.split(r"$", "ab"))
show(re.match(r"a{2}", "aaa").group(), re.match(r"a{2,}", "aaaa").group(), re.match(r"a{1,2}b", "aaab"), re.match(r"a{0}b", "b"))
show(re.match(r"(?i)[a-c]+", "ABCd").group(), re.match(r"(?i)[^a]", "A"), re.match(r"(?i)ǅ", "ǆ"), re.match("(?i)k", "\u212a"))
m = re.match(r"(?P<a>x)(?P<b>y)?", "x")
show(m.groupdict(), m.groupdict("-"), m.groups("-"), m.group("b"), m.start("b"), m.span(2), m.expand(r"[\g<a>]"))
for f in (lambda: m.group(3), lambda: m.group("zz"), lambda: re.sub("(x)", r"\2", "x"), lambda: re.sub("(x)", r"\g<q>", "x")):
    try:
        f()
    except (IndexError, re.error) as e:
        print(type(e).__name__, e)
for bad in ["a)", "[b-a]", "(?P<a>x)(?P<a>y)", "(?P=zz)", "(?i", "x{2,1}", "(?z)", r"[\d-z]", "a(?i)b", "(?#x"]:
    try:
        re.compile(bad)
        print("ok", bad)
    except re.error as e:
        print("error", repr(bad), e, e.pos)
print(type(re.compile("a")).__name__, type(re.match("a", "a")).__name__, re.error.__name__)
for depth in (150, 1000):
    try:
        re.compile("(" * depth + "a" + ")" * depth)
        print(depth, "compiled")
    except (RecursionError, NotImplementedError):
        print(depth, "refused")
print(bool(re.match(r"(a|b|ab)*c", "ab" * 10 + "c")), len(re.findall(r"\w", "x" * 5000)))
