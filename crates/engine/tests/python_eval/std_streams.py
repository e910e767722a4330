# sys.stdout is print()'s stream; what goes to sys.stderr is not in it
import sys

print("one", file=sys.stdout)
print("two", file=sys.stderr)
print(sys.stdout.write("three\n"), sys.stderr.write("four\n"))
print(sys.stdout.isatty(), sys.stderr.name, sys.stdout.name)
print("five", end="!\n", file=None)
try:
    sys.stderr.write(5)
except TypeError as e:
    print("TypeError:", e)
