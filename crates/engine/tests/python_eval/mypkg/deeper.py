def twice(x):
    return x * 2
print("deeper imported once")
