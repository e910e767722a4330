import datetime as dtm
from datetime import date, datetime, time, timedelta, timezone, MINYEAR, MAXYEAR


def show(f):
    try:
        print(repr(f()))
    except Exception as e:
        print(type(e).__name__ + ":", e)


d = date(2020, 2, 29)
t = datetime(2020, 1, 2, 3, 4, 5)
u = datetime(2020, 1, 2, 3, 4, 5, 123, tzinfo=timezone.utc)
print(d, repr(d), t, repr(t), u, repr(u), MINYEAR, MAXYEAR)
print(d.year, d.month, d.day, t.hour, t.minute, t.second, t.microsecond, t.tzinfo, u.tzinfo)
print(repr(datetime(2020, 1, 2)), repr(datetime(2020, 1, 2, 3, 0, 0, 7)), repr(time(3, 4)), repr(time(3, 4, 5, 6)), time(3, 4))
print(d.isoformat(), t.isoformat(), u.isoformat(), t.isoformat(" "), t.isoformat(timespec="minutes"), u.isoformat(timespec="milliseconds"))
print(str(time(1, 2, 3, 40)), time(1, 2).isoformat(timespec="hours"))
print(t.strftime("%Y-%m-%d %H:%M:%S.%f %j %a %A %b %B %p %y %I %%"), u.strftime("%z %Z"), t.strftime("[%z][%Z]"))
print(date(5, 1, 1).strftime("%Y|%y"), datetime(2020, 1, 1, 0).strftime("%I %p"), datetime(2020, 1, 1, 12).strftime("%I %p"))
print(f"{t:%d/%m/%Y}", f"{d}", "{:%H}".format(t))
show(lambda: t.isoformat(timespec="weeks"))
for args in [(2020, 13, 1), (2020, 2, 30), (0, 1, 1), (10000, 1, 1), (2021, 2, 29), ("2020", 1, 1), (2020.0, 1, 1), (2020,)]:
    show(lambda: date(*args))
for kw in [dict(hour=24), dict(minute=60), dict(second=60), dict(microsecond=1000000), dict(fold=2), dict(tzinfo=1), dict(foo=1)]:
    show(lambda: datetime(2020, 1, 1, **kw))
show(lambda: datetime(2020, 1, 1, 1, 1, 1, 1, None, 0))
show(lambda: date(2020, 1, 1, year=3))
# timedelta
td = timedelta(days=1, hours=2, minutes=3, seconds=4, microseconds=5, milliseconds=6, weeks=1)
print(td, repr(td), td.days, td.seconds, td.microseconds, td.total_seconds())
print(repr(timedelta()), timedelta(), repr(-timedelta(seconds=1)), -timedelta(seconds=1), timedelta(days=-2, hours=1))
print(repr(timedelta(hours=1.5)), repr(timedelta(days=0.5, seconds=0.25)), repr(timedelta(microseconds=0.5)), repr(timedelta(microseconds=1.5)))
print(timedelta(hours=1) * 3, 2 * timedelta(minutes=5), timedelta(hours=1) / 4, timedelta(hours=1) / timedelta(minutes=7), timedelta(hours=1) // timedelta(minutes=7))
print(timedelta(hours=1) // 7, timedelta(hours=1) % timedelta(minutes=7), abs(timedelta(days=-1)), +timedelta(1), timedelta(hours=1) * 0.5)
print(bool(timedelta()), bool(timedelta(microseconds=1)), timedelta(1) > timedelta(hours=23), timedelta(1) == timedelta(hours=24))
print(repr(timedelta.max), repr(timedelta.min), repr(timedelta.resolution), str(timedelta(days=2, microseconds=1)))
show(lambda: timedelta(days=1000000000))
show(lambda: timedelta(days="1"))
show(lambda: timedelta.max + timedelta(1))
# arithmetic
print(repr(t + timedelta(hours=22)), repr(t - timedelta(days=3)), repr(timedelta(1) + t), repr(t - datetime(2019, 12, 31)))
print(repr(d + timedelta(days=1)), repr(d - timedelta(hours=1)), repr(d - timedelta(hours=25)), repr(d - date(2020, 1, 1)), repr(d + timedelta(hours=30)))
print(repr(u - datetime(2020, 1, 2, 4, 4, 5, tzinfo=timezone(timedelta(hours=1)))))
show(lambda: t - u)
show(lambda: t + 1)
show(lambda: 1 + t)
show(lambda: d - 1)
show(lambda: t + t)
show(lambda: date.max + timedelta(1))
show(lambda: datetime.max + timedelta(microseconds=1))
show(lambda: time(1) + timedelta(1))
# comparisons and hashing
print(t < datetime(2021, 1, 1), t == datetime(2020, 1, 2, 3, 4, 5), t != t, d >= date(2020, 2, 29), t == u, t == 5, d == t)
a1 = datetime(2020, 1, 1, 12, tzinfo=timezone.utc)
a2 = datetime(2020, 1, 1, 13, tzinfo=timezone(timedelta(hours=1)))
print(a1 == a2, a1 < a2, len({a1, a2}), {t: 1}[datetime(2020, 1, 2, 3, 4, 5)], {date(2020, 1, 1): "x"}.get(date(2020, 1, 1)), len({timedelta(1), timedelta(hours=24)}))
print(sorted([date(2020, 3, 1), date(2019, 1, 1), date(2020, 1, 1)]), max(timedelta(1), timedelta(2)), time(1) < time(2))
show(lambda: t < u)
show(lambda: t < d)
show(lambda: d < 5)
show(lambda: time(1) < time(1, tzinfo=timezone.utc))
print(isinstance(t, date), isinstance(d, datetime), type(t).__name__, type(d), datetime, dtm.date)
# timezone
print(repr(timezone.utc), timezone.utc, repr(timezone(timedelta(hours=-5))), timezone(timedelta(hours=5, minutes=30)), repr(timezone(timedelta(hours=1), "CET")), timezone(timedelta(0), "Z"))
print(u.utcoffset(), t.utcoffset(), u.tzname(), datetime(2020, 1, 1, tzinfo=timezone(timedelta(hours=-3))).isoformat(), timezone.utc == timezone(timedelta(0)))
print(repr(datetime(2020, 1, 1, tzinfo=timezone(timedelta(hours=-3, seconds=-30)))), datetime(2020, 1, 1, tzinfo=timezone(timedelta(seconds=-30))).strftime("%z"))
show(lambda: timezone(timedelta(hours=24)))
show(lambda: timezone(5))
print(repr(u.astimezone(timezone(timedelta(hours=-8)))), u.timestamp())
# replace, date(), time(), combine, ordinals
print(repr(t.replace(year=2021, microsecond=9)), repr(t.replace(tzinfo=timezone.utc)), repr(u.replace(tzinfo=None)), repr(d.replace(day=1)), repr(time(1).replace(minute=5)))
show(lambda: d.replace(year=2021))
print(repr(t.date()), repr(t.time()), repr(u.timetz()), repr(datetime.combine(d, time(5, 6))), d.toordinal(), repr(date.fromordinal(737425)), d.weekday(), d.isoweekday())
print(repr(date.min), repr(date.max), repr(datetime.min), repr(datetime.max), repr(time.max), repr(date.resolution))
# parsing
print(repr(datetime.strptime("2020-01-02 03:04:05", "%Y-%m-%d %H:%M:%S")), repr(datetime.strptime("2/3/21 4:05 PM", "%m/%d/%y %I:%M %p")))
print(repr(datetime.strptime("2020-01-02T03:04:05.123+0130", "%Y-%m-%dT%H:%M:%S.%f%z")), repr(datetime.strptime("20200102", "%Y%m%d")), repr(datetime.strptime("2020 032", "%Y %j")))
print(repr(datetime.strptime("Thu, 02 Jan 2020", "%a, %d %b %Y")), repr(datetime.strptime("march 5 1999", "%B %d %Y")), repr(datetime.strptime("2020-01-02Z", "%Y-%m-%d%z")))
show(lambda: datetime.strptime("2020-13-01", "%Y-%m-%d"))
show(lambda: datetime.strptime("2020-01-01 extra", "%Y-%m-%d"))
show(lambda: datetime.strptime("2020-02-30", "%Y-%m-%d"))
for s in ["2020-01-02", "2020-01-02T03:04", "2020-01-02 03:04:05.123", "2020-01-02T03:04:05+01:00", "2020-01-02T03:04:05Z", "20200102T030405", "2020-01-02T03", "2020-01-02T03:04:05.1234567", "2020-1-2", "nonsense", "2020-01-02T25:00"]:
    show(lambda: datetime.fromisoformat(s))
for s in ["2020-01-02", "20200102", "2020-01-02T00:00", "2020-02-30"]:
    show(lambda: date.fromisoformat(s))
for s in ["03:04:05", "03:04:05.5+02:00", "0304", "3:04"]:
    show(lambda: time.fromisoformat(s))
# immutability
def setyear():
    d.year = 2000
show(setyear)
show(lambda: d.hour)
show(lambda: date(2020, 1, 1) < datetime(2020, 1, 1))
show(lambda: timedelta(1) < 1)
show(lambda: 1 < timedelta(1))
show(lambda: timezone.utc < timezone.utc)
print(timedelta(1) == 1, date(2020, 1, 1) != datetime(2020, 1, 1), timezone.utc == timezone(timedelta(0), "x"), time(1) == 1)
print(repr(datetime.strptime("2021 366", "%Y %j")), repr(datetime.strptime("2020-03-05 001", "%Y-%m-%d %j")), repr(datetime.strptime(" 7 Mar  2021", "%d %b %Y")))
print(repr(datetime.strptime("2021-01-01T00:00:00+01:30:15.5", "%Y-%m-%dT%H:%M:%S%z")), repr(datetime.strptime("12 am", "%I %p")), repr(datetime.strptime("99", "%y")))
import json
show(lambda: json.dumps({"d": d}))
print(str(t), "%s|%r" % (d, td), "{}|{!r}".format(time(1), timezone.utc), type(t) is datetime, datetime.__name__, date.__module__ if hasattr(date, "__module__") else "")
