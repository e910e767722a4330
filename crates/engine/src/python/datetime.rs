//! The `datetime` module: `date`, `datetime`, `time`, `timedelta`,
//! `tzinfo`, `timezone` (fixed offsets) as CPython 3.11's C implementation
//! behaves, and how SQLAlchemy's SQLite types write them.
//!
//! Invariants:
//! - A value is an instance of one of the module's classes whose native
//!   state is a [`Dt`]; it is immutable, so instances are never shared
//!   mutably and equal values hash alike ([`hash_key`]).
//! - Constructor checks, operator results and error messages are
//!   CPython's. What needs the clock (`now()`, `today()`...) or the local
//!   time zone (`astimezone()` of a naive value, `timestamp()` of a naive
//!   value) raises `NotImplementedError`, as do tzinfo classes other than
//!   `timezone`, subclasses of the module's classes, and `strftime` or
//!   `strptime` directives outside the supported set.
//! - `strftime` follows glibc (the platform Alembic runs on): `%Y` is not
//!   zero-padded below year 1000.

use std::rc::Rc;

use super::builtins::native_fn;
use super::eval::{Args, Exc, Interp, R};
use super::value::*;

/// The module's name, which qualifies its types in error messages.
pub const MODULE: &str = "datetime";
pub const MINYEAR: i64 = 1;
pub const MAXYEAR: i64 = 9999;
const US_PER_DAY: i64 = 86_400_000_000;
const MAX_DELTA_DAYS: i64 = 999_999_999;

/// A fixed UTC offset, as `datetime.timezone` holds it.
#[derive(Clone, Debug)]
pub struct Zone {
    /// Microseconds east of UTC, strictly within ±24 hours.
    pub offset: i64,
    pub name: Option<Rc<str>>,
}

/// A time of day, with its zone when aware.
#[derive(Clone, Debug)]
pub struct Clock {
    pub hour: i64,
    pub minute: i64,
    pub second: i64,
    pub micro: i64,
    pub tz: Option<Zone>,
    pub fold: i64,
}

impl Clock {
    fn us(&self) -> i64 {
        ((self.hour * 60 + self.minute) * 60 + self.second) * 1_000_000 + self.micro
    }
    fn midnight() -> Clock {
        Clock { hour: 0, minute: 0, second: 0, micro: 0, tz: None, fold: 0 }
    }
}

/// The native state of a `datetime` module value.
#[derive(Clone, Debug)]
pub enum Dt {
    /// Days since 0001-01-01 counted from 1 (the proleptic ordinal).
    Date(i64),
    DateTime(i64, Clock),
    Time(Clock),
    /// Total microseconds (the range needs more than 64 bits).
    Delta(i128),
    Zone(Zone),
}

/// The module's classes, for making results.
pub struct Classes {
    pub date: Rc<Class>,
    pub datetime: Rc<Class>,
    pub time: Rc<Class>,
    pub timedelta: Rc<Class>,
    pub tzinfo: Rc<Class>,
    pub timezone: Rc<Class>,
}

impl Classes {
    fn make(&self, d: Dt) -> Value {
        let cls = match &d {
            Dt::Date(_) => &self.date,
            Dt::DateTime(..) => &self.datetime,
            Dt::Time(_) => &self.time,
            Dt::Delta(_) => &self.timedelta,
            Dt::Zone(_) => &self.timezone,
        };
        let i = Instance::new(cls.clone());
        *i.native.borrow_mut() = Some(Rc::new(d));
        Value::Instance(Rc::new(i))
    }
}

/// The `datetime` value `v` holds, if it is one.
pub fn dt_of(v: &Value) -> Option<Dt> {
    let Value::Instance(i) = v else { return None };
    let n = i.native.borrow();
    n.as_ref()?.downcast_ref::<Dt>().cloned()
}

// ----- calendar ---------------------------------------------------------------------

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}
fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}
fn days_before_month(y: i64, m: i64) -> i64 {
    (1..m).map(|k| days_in_month(y, k)).sum()
}
fn days_before_year(y: i64) -> i64 {
    let y = y - 1;
    y * 365 + y / 4 - y / 100 + y / 400
}
/// What `strftime` formats: a date at midnight, a datetime, or a time on
/// 1900-01-01 (as CPython's `time.strftime` does).
fn formatted_parts(it: &Interp, me: &Dt) -> R<(i64, Clock)> {
    match me {
        Dt::Date(o) => Ok((*o, Clock::midnight())),
        Dt::DateTime(o, c) => Ok((*o, c.clone())),
        Dt::Time(c) => Ok((ymd_to_ord(1900, 1, 1), c.clone())),
        Dt::Delta(_) | Dt::Zone(_) => Err(it.type_error("strftime() of a timedelta or timezone")),
    }
}

pub fn ymd_to_ord(y: i64, m: i64, d: i64) -> i64 {
    days_before_year(y) + days_before_month(y, m) + d
}
pub fn ord_to_ymd(n: i64) -> (i64, i64, i64) {
    let n = n - 1;
    let (n400, n) = (n.div_euclid(146_097), n.rem_euclid(146_097));
    let (n100, n) = (n / 36_524, n % 36_524);
    let (n4, n) = (n / 1_461, n % 1_461);
    let (n1, n) = (n / 365, n % 365);
    let year = n400 * 400 + 1 + n100 * 100 + n4 * 4 + n1;
    if n1 == 4 || n100 == 4 {
        return (year - 1, 12, 31);
    }
    let mut m = 1;
    let mut n = n;
    while n >= days_in_month(year, m) {
        n -= days_in_month(year, m);
        m += 1;
    }
    (year, m, n + 1)
}
const MAX_ORD: i64 = 3_652_059;

const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS: [&str; 12] = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

// ----- arguments --------------------------------------------------------------------

fn int_arg(it: &Interp, v: &Value) -> R<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(*b as i64),
        Value::Instance(i) => match i.base_value.borrow().clone() {
            Some(Value::Int(n)) => Ok(n),
            _ => Err(it.type_error(format!("'{}' object cannot be interpreted as an integer", it.type_name(v)))),
        },
        other => Err(it.type_error(format!("'{}' object cannot be interpreted as an integer", it.type_name(other)))),
    }
}

/// Arguments by name as `PyArg_ParseTupleAndKeywords` reads them: `names`
/// in order, the first `required` needed, those from `kw_only` on by
/// keyword only.
fn parse(it: &Interp, a: &Args, names: &[&str], required: usize, kw_only: usize) -> R<Vec<Option<Value>>> {
    let mut out: Vec<Option<Value>> = vec![None; names.len()];
    let given = a.pos.len() + a.kw.len();
    if given > names.len() {
        return Err(it.type_error(format!("function takes at most {} arguments ({given} given)", names.len())));
    }
    if a.pos.len() > kw_only {
        return Err(it.type_error(format!("function takes at most {kw_only} positional arguments ({} given)", a.pos.len())));
    }
    for (i, v) in a.pos.iter().enumerate() {
        out[i] = Some(v.clone());
    }
    for (k, v) in &a.kw {
        match names.iter().position(|n| n == k) {
            Some(i) if out[i].is_some() => {
                return Err(it.type_error(format!("argument for function given by name ('{k}') and position ({})", i + 1)));
            }
            Some(i) => out[i] = Some(v.clone()),
            None => return Err(it.type_error(format!("'{k}' is an invalid keyword argument for this function"))),
        }
    }
    for (i, n) in names.iter().enumerate().take(required) {
        if out[i].is_none() {
            return Err(it.type_error(format!("function missing required argument '{n}' (pos {})", i + 1)));
        }
    }
    Ok(out)
}

fn check_date(it: &Interp, y: i64, m: i64, d: i64) -> R<i64> {
    if !(MINYEAR..=MAXYEAR).contains(&y) {
        return Err(it.exc("ValueError", format!("year {y} is out of range")));
    }
    if !(1..=12).contains(&m) {
        return Err(it.exc("ValueError", "month must be in 1..12"));
    }
    if d < 1 || d > days_in_month(y, m) {
        return Err(it.exc("ValueError", "day is out of range for month"));
    }
    Ok(ymd_to_ord(y, m, d))
}

fn check_clock(it: &Interp, h: i64, mi: i64, s: i64, us: i64, fold: i64) -> R<()> {
    let bad = |what: &str, range: &str| it.exc("ValueError", format!("{what} must be in {range}"));
    if !(0..=23).contains(&h) {
        return Err(bad("hour", "0..23"));
    }
    if !(0..=59).contains(&mi) {
        return Err(bad("minute", "0..59"));
    }
    if !(0..=59).contains(&s) {
        return Err(bad("second", "0..59"));
    }
    if !(0..=999_999).contains(&us) {
        return Err(bad("microsecond", "0..999999"));
    }
    if fold != 0 && fold != 1 {
        return Err(it.exc("ValueError", "fold must be either 0 or 1"));
    }
    Ok(())
}

fn tz_arg(it: &Interp, v: Option<&Value>) -> R<Option<Zone>> {
    match v {
        None | Some(Value::None) => Ok(None),
        Some(v) => match dt_of(v) {
            Some(Dt::Zone(z)) => Ok(Some(z)),
            _ => match v {
                Value::Instance(i) if i.class.is_subclass_named("tzinfo") => {
                    Err(it.exc("NotImplementedError", format!("tzinfo class {} is not supported by the playground (only datetime.timezone)", i.class.name)))
                }
                _ => Err(it.type_error(format!("tzinfo argument must be None or of a tzinfo subclass, not type '{}'", it.type_name(v)))),
            },
        },
    }
}

fn opt_int(it: &Interp, v: &Option<Value>, default: i64) -> R<i64> {
    match v {
        None => Ok(default),
        Some(v) => int_arg(it, v),
    }
}

// ----- formatting -------------------------------------------------------------------

fn tz_repr(z: &Zone) -> String {
    if z.offset == 0 && z.name.is_none() {
        return "datetime.timezone.utc".into();
    }
    let td = delta_repr(z.offset as i128);
    match &z.name {
        Some(n) => format!("datetime.timezone({td}, {})", super::repr::py_repr_str(n)),
        None => format!("datetime.timezone({td})"),
    }
}

fn delta_parts(us: i128) -> (i64, i64, i64) {
    let days = us.div_euclid(US_PER_DAY as i128) as i64;
    let rest = us.rem_euclid(US_PER_DAY as i128) as i64;
    (days, rest / 1_000_000, rest % 1_000_000)
}

fn delta_repr(us: i128) -> String {
    let (d, s, u) = delta_parts(us);
    let mut parts = Vec::new();
    if d != 0 {
        parts.push(format!("days={d}"));
    }
    if s != 0 {
        parts.push(format!("seconds={s}"));
    }
    if u != 0 {
        parts.push(format!("microseconds={u}"));
    }
    if parts.is_empty() {
        parts.push("0".into());
    }
    format!("datetime.timedelta({})", parts.join(", "))
}

fn delta_str(us: i128) -> String {
    let (d, s, u) = delta_parts(us);
    let mut out = String::new();
    if d != 0 {
        out.push_str(&format!("{d} day{}, ", if d.abs() != 1 { "s" } else { "" }));
    }
    out.push_str(&format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60));
    if u != 0 {
        out.push_str(&format!(".{u:06}"));
    }
    out
}

/// `+HH:MM[:SS[.ffffff]]` (`sep` ":") or `+HHMM[SS[.ffffff]]` (`sep` "").
fn offset_str(off: i64, sep: &str) -> String {
    let sign = if off < 0 { '-' } else { '+' };
    let a = off.abs();
    let (secs, us) = (a / 1_000_000, a % 1_000_000);
    let mut s = format!("{sign}{:02}{sep}{:02}", secs / 3600, secs / 60 % 60);
    if secs % 60 != 0 || us != 0 {
        s.push_str(&format!("{sep}{:02}", secs % 60));
        if us != 0 {
            s.push_str(&format!(".{us:06}"));
        }
    }
    s
}

fn tzname(z: &Zone) -> String {
    match &z.name {
        Some(n) => n.to_string(),
        None if z.offset == 0 => "UTC".into(),
        None => format!("UTC{}", offset_str(z.offset, ":")),
    }
}

fn date_iso(ord: i64) -> String {
    let (y, m, d) = ord_to_ymd(ord);
    format!("{y:04}-{m:02}-{d:02}")
}

fn clock_iso(it: &Interp, c: &Clock, timespec: &str) -> R<String> {
    let (h, mi, s, us) = (c.hour, c.minute, c.second, c.micro);
    let mut out = match timespec {
        "auto" if us != 0 => format!("{h:02}:{mi:02}:{s:02}.{us:06}"),
        "auto" | "seconds" => format!("{h:02}:{mi:02}:{s:02}"),
        "hours" => format!("{h:02}"),
        "minutes" => format!("{h:02}:{mi:02}"),
        "milliseconds" => format!("{h:02}:{mi:02}:{s:02}.{:03}", us / 1000),
        "microseconds" => format!("{h:02}:{mi:02}:{s:02}.{us:06}"),
        _ => return Err(it.exc("ValueError", "Unknown timespec value")),
    };
    if let Some(z) = &c.tz {
        out.push_str(&offset_str(z.offset, ":"));
    }
    Ok(out)
}

fn clock_repr_args(c: &Clock) -> String {
    let mut s = format!("{}, {}", c.hour, c.minute);
    if c.micro != 0 {
        s.push_str(&format!(", {}, {}", c.second, c.micro));
    } else if c.second != 0 {
        s.push_str(&format!(", {}", c.second));
    }
    s
}

fn clock_repr_tail(c: &Clock) -> String {
    let mut s = String::new();
    if c.fold != 0 {
        s.push_str(", fold=1");
    }
    if let Some(z) = &c.tz {
        s.push_str(&format!(", tzinfo={}", tz_repr(z)));
    }
    s
}

fn dt_repr(d: &Dt) -> String {
    match d {
        Dt::Date(o) => {
            let (y, m, d) = ord_to_ymd(*o);
            format!("datetime.date({y}, {m}, {d})")
        }
        Dt::DateTime(o, c) => {
            let (y, m, d) = ord_to_ymd(*o);
            format!("datetime.datetime({y}, {m}, {d}, {}{})", clock_repr_args(c), clock_repr_tail(c))
        }
        Dt::Time(c) => format!("datetime.time({}{})", clock_repr_args(c), clock_repr_tail(c)),
        Dt::Delta(us) => delta_repr(*us),
        Dt::Zone(z) => tz_repr(z),
    }
}

fn dt_str(it: &Interp, d: &Dt) -> R<String> {
    Ok(match d {
        Dt::Date(o) => date_iso(*o),
        Dt::DateTime(o, c) => format!("{} {}", date_iso(*o), clock_iso(it, c, "auto")?),
        Dt::Time(c) => clock_iso(it, c, "auto")?,
        Dt::Delta(us) => delta_str(*us),
        Dt::Zone(z) => tzname(z),
    })
}

/// `strftime` over the supported directives; `ord` and `clock` are the
/// value's date (1900-01-01 for a time) and time of day (midnight for a date).
fn strftime(it: &Interp, fmt: &str, ord: i64, clock: &Clock) -> R<String> {
    let (y, m, d) = ord_to_ymd(ord);
    let wd = ((ord + 6) % 7) as usize;
    let mut out = String::new();
    let mut chars = fmt.chars();
    while let Some(ch) = chars.next() {
        if ch != '%' {
            out.push(ch);
            continue;
        }
        let Some(dir) = chars.next() else {
            return Err(it.exc("NotImplementedError", "strftime: a format ending in a lone '%' is not supported by the playground"));
        };
        match dir {
            'Y' => out.push_str(&y.to_string()),
            'y' => out.push_str(&format!("{:02}", y % 100)),
            'm' => out.push_str(&format!("{m:02}")),
            'd' => out.push_str(&format!("{d:02}")),
            'H' => out.push_str(&format!("{:02}", clock.hour)),
            'I' => out.push_str(&format!("{:02}", if clock.hour % 12 == 0 { 12 } else { clock.hour % 12 })),
            'p' => out.push_str(if clock.hour < 12 { "AM" } else { "PM" }),
            'M' => out.push_str(&format!("{:02}", clock.minute)),
            'S' => out.push_str(&format!("{:02}", clock.second)),
            'f' => out.push_str(&format!("{:06}", clock.micro)),
            'j' => out.push_str(&format!("{:03}", ord - ymd_to_ord(y, 1, 1) + 1)),
            'a' => out.push_str(&DAYS[wd][..3]),
            'A' => out.push_str(DAYS[wd]),
            'b' => out.push_str(&MONTHS[m as usize - 1][..3]),
            'B' => out.push_str(MONTHS[m as usize - 1]),
            'z' => {
                if let Some(z) = &clock.tz {
                    out.push_str(&offset_str(z.offset, ""))
                }
            }
            'Z' => {
                if let Some(z) = &clock.tz {
                    out.push_str(&tzname(z))
                }
            }
            '%' => out.push('%'),
            other => return Err(it.exc("NotImplementedError", format!("strftime directive '%{other}' is not supported by the playground"))),
        }
    }
    Ok(out)
}

// ----- parsing ----------------------------------------------------------------------

const DIGITS: &str = "0123456789";

/// The lengths a directive's regular expression (CPython's `_strptime`)
/// can match at the start of `s`, in the order the regex tries them.
fn directive_matches(dir: char, s: &str) -> Vec<usize> {
    let b = s.as_bytes();
    // alternatives as one allowed-character set per position
    let alts: &[&[&str]] = match dir {
        'Y' => &[&[DIGITS, DIGITS, DIGITS, DIGITS]],
        'y' => &[&[DIGITS, DIGITS]],
        'm' | 'I' => &[&["1", "012"], &["0", "123456789"], &["123456789"]],
        'd' => &[&["3", "01"], &["12", DIGITS], &["0", "123456789"], &["123456789"], &[" ", "123456789"]],
        'H' => &[&["2", "0123"], &["01", DIGITS], &[DIGITS]],
        'M' => &[&["012345", DIGITS], &[DIGITS]],
        'S' => &[&["6", "01"], &["012345", DIGITS], &[DIGITS]],
        'f' => &[
            &[DIGITS, DIGITS, DIGITS, DIGITS, DIGITS, DIGITS],
            &[DIGITS, DIGITS, DIGITS, DIGITS, DIGITS],
            &[DIGITS, DIGITS, DIGITS, DIGITS],
            &[DIGITS, DIGITS, DIGITS],
            &[DIGITS, DIGITS],
            &[DIGITS],
        ],
        'j' => &[
            &["3", "6", "0123456"],
            &["3", "012345", DIGITS],
            &["12", DIGITS, DIGITS],
            &["0", "123456789", DIGITS],
            &["0", "0", "123456789"],
            &["123456789", DIGITS],
            &["0", "123456789"],
            &["123456789"],
        ],
        _ => &[],
    };
    if !alts.is_empty() {
        return alts
            .iter()
            .filter(|alt| alt.len() <= b.len() && alt.iter().enumerate().all(|(i, set)| set.as_bytes().contains(&b[i])))
            .map(|alt| alt.len())
            .collect();
    }
    let words = |names: Vec<String>| -> Vec<usize> {
        let mut names = names;
        crate::sort::sort_by_key(&mut names, |n| std::cmp::Reverse(n.len()));
        names.iter().filter(|n| s.len() >= n.len() && s.is_char_boundary(n.len()) && s[..n.len()].eq_ignore_ascii_case(n)).map(|n| n.len()).collect()
    };
    match dir {
        'a' => words(DAYS.iter().map(|d| d[..3].to_string()).collect()),
        'A' => words(DAYS.iter().map(|d| d.to_string()).collect()),
        'b' => words(MONTHS.iter().map(|d| d[..3].to_string()).collect()),
        'B' => words(MONTHS.iter().map(|d| d.to_string()).collect()),
        'p' => words(vec!["AM".into(), "PM".into()]),
        'Z' => words(vec!["UTC".into(), "GMT".into()]),
        'z' => z_matches(b),
        _ => vec![],
    }
}

/// `%z`: `[+-]\d\d:?[0-5]\d(:?[0-5]\d(\.\d{1,6})?)?|Z`: the ends of its
/// matches in the order the regex tries them (optional parts greedy).
fn z_matches(b: &[u8]) -> Vec<usize> {
    let digit = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_digit());
    let pair = |i: usize| b.get(i).is_some_and(|c| (b'0'..=b'5').contains(c)) && digit(i + 1);
    // `:?` at `i`: with the colon first when there is one
    let colon = |i: usize| if b.get(i) == Some(&b':') { vec![i + 1, i] } else { vec![i] };
    if b.first() == Some(&b'Z') {
        return vec![1];
    }
    if !matches!(b.first(), Some(b'+' | b'-')) || !digit(1) || !digit(2) {
        return vec![];
    }
    let mut out = Vec::new();
    for m in colon(3).into_iter().filter(|&m| pair(m)) {
        let after_minutes = m + 2;
        for sec in colon(after_minutes).into_iter().filter(|&x| pair(x)) {
            let k = sec + 2;
            if b.get(k) == Some(&b'.') {
                let n = b[k + 1..].iter().take(6).take_while(|c| c.is_ascii_digit()).count();
                out.extend((1..=n).rev().map(|l| k + 1 + l));
            }
            out.push(k);
        }
        out.push(after_minutes);
    }
    out
}

#[derive(Default, Clone)]
struct Parsed {
    year: Option<i64>,
    short_year: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    hour: Option<i64>,
    hour12: Option<i64>,
    pm: Option<bool>,
    minute: i64,
    second: i64,
    micro: i64,
    yday: Option<i64>,
    tz: Option<i64>,
}

fn apply(p: &mut Parsed, dir: char, t: &str) -> bool {
    let num = || t.trim().parse::<i64>().unwrap_or(0);
    match dir {
        'Y' => p.year = Some(num()),
        'y' => p.short_year = Some(num()),
        'm' => p.month = Some(num()),
        'd' => p.day = Some(num()),
        'H' => p.hour = Some(num()),
        'I' => p.hour12 = Some(num()),
        'p' => p.pm = Some(t.eq_ignore_ascii_case("PM")),
        'M' => p.minute = num(),
        'S' => p.second = num(),
        'f' => p.micro = format!("{t:0<6}").parse().unwrap_or(0),
        'j' => p.yday = Some(num()),
        'b' | 'B' => p.month = MONTHS.iter().position(|m| if dir == 'b' { m[..3].eq_ignore_ascii_case(t) } else { m.eq_ignore_ascii_case(t) }).map(|i| i as i64 + 1),
        'z' => {
            if t == "Z" {
                p.tz = Some(0);
            } else {
                let digits: String = t[1..].chars().filter(|c| *c != ':').collect();
                let (hh, rest) = digits.split_at(2);
                let (mm, rest) = rest.split_at(2);
                let (ss, frac) = if rest.len() >= 2 { rest.split_at(2) } else { ("0", "") };
                let frac = frac.trim_start_matches('.');
                let us = if frac.is_empty() { 0 } else { format!("{frac:0<6}").parse::<i64>().unwrap_or(0) };
                let v = ((hh.parse::<i64>().unwrap_or(0) * 60 + mm.parse::<i64>().unwrap_or(0)) * 60 + ss.parse::<i64>().unwrap_or(0)) * 1_000_000 + us;
                p.tz = Some(if t.starts_with('-') { -v } else { v });
            }
        }
        _ => {}
    }
    true
}

enum Tok {
    Lit(char),
    Space,
    Dir(char),
}

fn match_from(toks: &[Tok], s: &str, p: &Parsed) -> Option<(Parsed, usize)> {
    let Some((tok, rest)) = toks.split_first() else { return Some((p.clone(), 0)) };
    match tok {
        Tok::Lit(c) => {
            let ch = s.chars().next()?;
            if ch == *c || (ch.is_ascii() && c.is_ascii() && ch.eq_ignore_ascii_case(c)) {
                match_from(rest, &s[ch.len_utf8()..], p).map(|(q, n)| (q, n + ch.len_utf8()))
            } else {
                None
            }
        }
        Tok::Space => {
            let n = s.len() - s.trim_start().len();
            (1..=n).rev().filter(|k| s.is_char_boundary(*k)).find_map(|k| match_from(rest, &s[k..], p).map(|(q, m)| (q, m + k)))
        }
        Tok::Dir(d) => {
            for len in directive_matches(*d, s) {
                let mut q = p.clone();
                apply(&mut q, *d, &s[..len]);
                if let Some((q, m)) = match_from(rest, &s[len..], &q) {
                    return Some((q, m + len));
                }
            }
            None
        }
    }
}

fn strptime(it: &Interp, classes: &Classes, s: &str, fmt: &str) -> R<Value> {
    let mut toks = Vec::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '%' => match chars.next() {
                Some('%') => toks.push(Tok::Lit('%')),
                Some(d) if "YymdHIpMSfjaAbBzZ".contains(d) => toks.push(Tok::Dir(d)),
                Some(d) => return Err(it.exc("NotImplementedError", format!("strptime directive '%{d}' is not supported by the playground"))),
                None => return Err(it.exc("ValueError", format!("stray % in format '{fmt}'"))),
            },
            c if c.is_whitespace() => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                toks.push(Tok::Space);
            }
            c => toks.push(Tok::Lit(c)),
        }
    }
    // `re.match` anchors at the start only: the longest overall match is
    // not sought, the first one found wins, and what remains is reported.
    let Some((p, n)) = match_from(&toks, s, &Parsed::default()) else {
        return Err(it.exc("ValueError", format!("time data {} does not match format {}", super::repr::py_repr_str(s), super::repr::py_repr_str(fmt))));
    };
    if n < s.len() {
        return Err(it.exc("ValueError", format!("unconverted data remains: {}", &s[n..])));
    }
    let year = match (p.year, p.short_year) {
        (Some(y), _) => y,
        (None, Some(y)) if y <= 68 => 2000 + y,
        (None, Some(y)) => 1900 + y,
        (None, None) => 1900,
    };
    let hour = match (p.hour12, p.pm, p.hour) {
        (Some(h), Some(pm), _) => h % 12 + if pm { 12 } else { 0 },
        (Some(h), None, _) => h,
        (None, _, Some(h)) => h,
        (None, _, None) => 0,
    };
    // `%j` wins over a month and day, and may run into the next year
    let ord = match (p.yday, p.month, p.day) {
        (Some(j), _, _) => ymd_to_ord(year, 1, 1) + j - 1,
        (None, m, d) => {
            let (m, d) = (m.unwrap_or(1), d.unwrap_or(1));
            if d > days_in_month(year, m) {
                return Err(it.exc("ValueError", "day is out of range for month"));
            }
            ymd_to_ord(year, m, d)
        }
    };
    if p.second > 59 {
        return Err(it.exc("ValueError", "second must be in 0..59"));
    }
    let tz = p.tz.map(|off| Zone { offset: off, name: None });
    if let Some(z) = &tz {
        if z.offset.abs() >= US_PER_DAY {
            return Err(it.exc("ValueError", format!("offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24), not {}.", delta_repr(z.offset as i128))));
        }
    }
    Ok(classes.make(Dt::DateTime(ord, Clock { hour, minute: p.minute, second: p.second, micro: p.micro, tz, fold: 0 })))
}

fn digits_at(s: &[u8], i: usize, n: usize) -> Option<i64> {
    let part = s.get(i..i + n)?;
    if !part.iter().all(|c| c.is_ascii_digit()) {
        return None;
    }
    std::str::from_utf8(part).ok()?.parse().ok()
}

/// `YYYY-MM-DD` or `YYYYMMDD`: (year, month, day, length).
fn iso_date(s: &[u8]) -> Option<(i64, i64, i64, usize)> {
    let y = digits_at(s, 0, 4)?;
    if s.get(4) == Some(&b'-') {
        if s.get(7) != Some(&b'-') {
            return None;
        }
        Some((y, digits_at(s, 5, 2)?, digits_at(s, 8, 2)?, 10))
    } else {
        Some((y, digits_at(s, 4, 2)?, digits_at(s, 6, 2)?, 8))
    }
}

/// `HH[:MM[:SS[.f+]]]` or `HH[MM[SS[.f+]]]` then an optional offset
/// (`Z`, `+HH[:MM[:SS[.f+]]]`), as 3.11's `fromisoformat` accepts them.
fn iso_time(s: &[u8]) -> Option<(i64, i64, i64, i64, Option<i64>)> {
    let end = s.iter().position(|c| matches!(c, b'+' | b'-' | b'Z')).unwrap_or(s.len());
    let (t, tz) = s.split_at(end);
    let (h, mi, sec, us) = iso_clock(t)?;
    let off = match tz.first() {
        None => None,
        Some(b'Z') if tz.len() == 1 => Some(0),
        Some(b'Z') => return None,
        Some(sign) => {
            let (oh, om, os, ous) = iso_clock(&tz[1..])?;
            let v = ((oh * 60 + om) * 60 + os) * 1_000_000 + ous;
            Some(if *sign == b'-' { -v } else { v })
        }
    };
    Some((h, mi, sec, us, off))
}

fn iso_clock(t: &[u8]) -> Option<(i64, i64, i64, i64)> {
    let h = digits_at(t, 0, 2)?;
    if t.len() == 2 {
        return Some((h, 0, 0, 0));
    }
    let colon = t.get(2) == Some(&b':');
    let mut i = if colon { 3 } else { 2 };
    let mi = digits_at(t, i, 2)?;
    i += 2;
    if i == t.len() {
        return Some((h, mi, 0, 0));
    }
    if colon {
        if t.get(i) != Some(&b':') {
            return None;
        }
        i += 1;
    }
    let sec = digits_at(t, i, 2)?;
    i += 2;
    if i == t.len() {
        return Some((h, mi, sec, 0));
    }
    if !matches!(t.get(i), Some(b'.' | b',')) {
        return None;
    }
    let frac = &t[i + 1..];
    if frac.is_empty() || !frac.iter().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let six: String = frac.iter().take(6).map(|c| *c as char).collect();
    Some((h, mi, sec, format!("{six:0<6}").parse().ok()?))
}

fn invalid_iso(it: &Interp, s: &str) -> Box<Exc> {
    it.exc("ValueError", format!("Invalid isoformat string: {}", super::repr::py_repr_str(s)))
}

fn from_iso(it: &Interp, classes: &Classes, kind: &str, s: &str) -> R<Value> {
    let b = s.as_bytes();
    if s.contains('W') && kind != "time" && b.get(4..6).is_some_and(|p| p == b"-W" || p[0] == b'W') {
        return Err(it.exc("NotImplementedError", format!("{kind}.fromisoformat() of an ISO week date is not supported by the playground")));
    }
    let zone = |it: &Interp, off: Option<i64>| -> R<Option<Zone>> {
        match off {
            Some(o) if o.abs() >= US_PER_DAY => Err(invalid_iso(it, s)),
            o => Ok(o.map(|offset| Zone { offset, name: None })),
        }
    };
    match kind {
        "date" => {
            let (y, m, d, _) = iso_date(b).filter(|x| x.3 == b.len()).ok_or_else(|| invalid_iso(it, s))?;
            Ok(classes.make(Dt::Date(check_date(it, y, m, d)?)))
        }
        "time" => {
            let (h, mi, sec, us, off) = iso_time(b).ok_or_else(|| invalid_iso(it, s))?;
            check_clock(it, h, mi, sec, us, 0)?;
            Ok(classes.make(Dt::Time(Clock { hour: h, minute: mi, second: sec, micro: us, tz: zone(it, off)?, fold: 0 })))
        }
        _ => {
            let (y, m, d, n) = iso_date(b).ok_or_else(|| invalid_iso(it, s))?;
            let ord = check_date(it, y, m, d)?;
            let clock = if n == b.len() {
                Clock::midnight()
            } else {
                let sep_len = s[n..].chars().next().map(char::len_utf8).unwrap_or(1);
                let (h, mi, sec, us, off) = iso_time(&b[n + sep_len..]).ok_or_else(|| invalid_iso(it, s))?;
                check_clock(it, h, mi, sec, us, 0)?;
                Clock { hour: h, minute: mi, second: sec, micro: us, tz: zone(it, off)?, fold: 0 }
            };
            Ok(classes.make(Dt::DateTime(ord, clock)))
        }
    }
}

// ----- arithmetic and comparison ----------------------------------------------------

fn overflow(it: &Interp, what: &str) -> Box<Exc> {
    it.exc("OverflowError", format!("{what} value out of range"))
}

fn check_delta(it: &Interp, us: i128) -> R<i128> {
    let days = us.div_euclid(US_PER_DAY as i128);
    if days.abs() > MAX_DELTA_DAYS as i128 {
        return Err(it.exc("OverflowError", format!("days={days}; must have magnitude <= {MAX_DELTA_DAYS}")));
    }
    Ok(us)
}

fn dt_us(ord: i64, c: &Clock) -> i64 {
    (ord - 1) * US_PER_DAY + c.us()
}

/// The datetime `us` microseconds after 0001-01-01 00:00 (an arithmetic
/// result, so `fold` is 0 as in CPython).
fn from_dt_us(it: &Interp, us: i64, tz: Option<Zone>) -> R<Dt> {
    let ord = us.div_euclid(US_PER_DAY) + 1;
    if !(1..=MAX_ORD).contains(&ord) {
        return Err(overflow(it, "date"));
    }
    let t = us.rem_euclid(US_PER_DAY);
    Ok(Dt::DateTime(
        ord,
        Clock { hour: t / 3_600_000_000, minute: t / 60_000_000 % 60, second: t / 1_000_000 % 60, micro: t % 1_000_000, tz, fold: 0 },
    ))
}

/// Banker's rounding of `x`, as CPython rounds timedelta results.
fn round_half_even(x: f64) -> f64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 && r % 2.0 != 0.0 {
        r - x.signum()
    } else {
        r
    }
}

fn type_err_op(it: &Interp, op: &str, l: &Value, r: &Value) -> Box<Exc> {
    it.type_error(format!("unsupported operand type(s) for {op}: '{}' and '{}'", full_name(it, l), full_name(it, r)))
}

/// The type name CPython prints (a C type of this module is qualified).
fn full_name(it: &Interp, v: &Value) -> String {
    it.type_name(v)
}

/// `l op r` where `l` is a value of this module; `reflected` when Python
/// called `r.__rop__(l)` (then `l` is still the module's value).
fn arith(it: &mut Interp, cl: &Classes, op: &str, me: &Dt, other: &Value, reflected: bool) -> R<Value> {
    let o = dt_of(other);
    use Dt::*;
    const DAY: i128 = US_PER_DAY as i128;
    let shift = |it: &Interp, d: i64, b: i128| -> R<Dt> {
        let n = d as i128 + b.div_euclid(DAY);
        if (1..=MAX_ORD as i128).contains(&n) {
            Ok(Date(n as i64))
        } else {
            Err(overflow(it, "date"))
        }
    };
    let moved = |it: &Interp, d: i64, c: &Clock, b: i128| -> R<Dt> {
        let us = dt_us(d, c) as i128 + b;
        if us < 0 || us >= MAX_ORD as i128 * DAY {
            return Err(overflow(it, "date"));
        }
        from_dt_us(it, us as i64, c.tz.clone())
    };
    let r: Option<R<Dt>> = match (op, me, &o, reflected) {
        ("+", Delta(a), Some(Delta(b)), _) => Some(check_delta(it, a + b).map(Delta)),
        ("-", Delta(a), Some(Delta(b)), false) => Some(check_delta(it, a - b).map(Delta)),
        // a date moves by whole days: the delta's `days` (negated to subtract)
        ("+", Date(d), Some(Delta(b)), _) | ("+", Delta(b), Some(Date(d)), _) => Some(shift(it, *d, *b)),
        ("-", Date(d), Some(Delta(b)), false) => Some(shift(it, *d, -(b.div_euclid(DAY) * DAY))),
        ("-", Date(a), Some(Date(b)), false) => Some(Ok(Delta((a - b) as i128 * DAY))),
        ("+", DateTime(d, c), Some(Delta(b)), _) | ("+", Delta(b), Some(DateTime(d, c)), _) => Some(moved(it, *d, c, *b)),
        ("-", DateTime(d, c), Some(Delta(b)), false) => Some(moved(it, *d, c, -b)),
        ("-", DateTime(d1, c1), Some(DateTime(d2, c2)), false) => Some(match (&c1.tz, &c2.tz) {
            (None, None) => Ok(Delta((dt_us(*d1, c1) - dt_us(*d2, c2)) as i128)),
            (Some(z1), Some(z2)) => Ok(Delta((dt_us(*d1, c1) - z1.offset - (dt_us(*d2, c2) - z2.offset)) as i128)),
            _ => Err(it.type_error("can't subtract offset-naive and offset-aware datetimes")),
        }),
        ("*", Delta(a), _, _) => match other {
            Value::Int(_) | Value::Bool(_) => {
                let n = int_arg(it, other)? as i128;
                Some(a.checked_mul(n).ok_or_else(|| it.exc("OverflowError", "Python int too large to convert to C int")).and_then(|v| check_delta(it, v)).map(Delta))
            }
            Value::Float(f) => Some(check_float(it, round_half_even(*a as f64 * f)).map(Delta)),
            _ => None,
        },
        ("/", Delta(a), _, false) => match (other, &o) {
            (_, Some(Delta(b))) => {
                if *b == 0 {
                    return Err(it.exc("ZeroDivisionError", "division by zero"));
                }
                return Ok(Value::Float(*a as f64 / *b as f64));
            }
            (Value::Int(n), _) => {
                if *n == 0 {
                    return Err(it.exc("ZeroDivisionError", "division by zero"));
                }
                Some(Ok(Delta(round_half_even(*a as f64 / *n as f64) as i128)))
            }
            (Value::Float(f), _) => {
                if *f == 0.0 {
                    return Err(it.exc("ZeroDivisionError", "division by zero"));
                }
                Some(check_float(it, round_half_even(*a as f64 / f)).map(Delta))
            }
            _ => None,
        },
        ("//", Delta(a), _, false) => match (other, &o) {
            (_, Some(Delta(b))) => {
                if *b == 0 {
                    return Err(it.exc("ZeroDivisionError", "integer division or modulo by zero"));
                }
                let q = floor_div(*a, *b);
                return i64::try_from(q).map(Value::Int).map_err(|_| it.exc("OverflowError", "integer result does not fit in 64 bits (the playground's int)"));
            }
            (Value::Int(n), _) => {
                if *n == 0 {
                    return Err(it.exc("ZeroDivisionError", "integer division or modulo by zero"));
                }
                Some(Ok(Delta(floor_div(*a, *n as i128))))
            }
            _ => None,
        },
        ("%", Delta(a), Some(Delta(b)), false) => {
            if *b == 0 {
                return Err(it.exc("ZeroDivisionError", "integer division or modulo by zero"));
            }
            Some(Ok(Delta(a - floor_div(*a, *b) * b)))
        }
        _ => None,
    };
    match r {
        Some(d) => d.map(|d| cl.make(d)),
        None => match other {
            Value::Instance(_) if o.is_none() => Ok(Value::NotImplemented),
            _ => {
                let lhs = cl.make(me.clone());
                Err(if reflected { type_err_op(it, op, other, &lhs) } else { type_err_op(it, op, &lhs, other) })
            }
        },
    }
}

fn floor_div(a: i128, b: i128) -> i128 {
    let q = a / b;
    if (a % b != 0) && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

fn check_float(it: &Interp, us: f64) -> R<i128> {
    if !us.is_finite() || us.abs() > 1.0e23 {
        return Err(it.exc("OverflowError", "cannot convert float to integer"));
    }
    check_delta(it, us as i128)
}

/// The key equal values share: what `==` compares.
enum Key {
    Naive(i64),
    Aware(i64),
    Delta(i128),
}

fn order_key(d: &Dt) -> (u8, Key) {
    match d {
        Dt::Date(o) => (0, Key::Naive(*o)),
        Dt::DateTime(o, c) => (1, match &c.tz {
            None => Key::Naive(dt_us(*o, c)),
            Some(z) => Key::Aware(dt_us(*o, c) - z.offset),
        }),
        Dt::Time(c) => (2, match &c.tz {
            None => Key::Naive(c.us()),
            Some(z) => Key::Aware(c.us() - z.offset),
        }),
        Dt::Delta(us) => (3, Key::Delta(*us)),
        Dt::Zone(z) => (4, Key::Naive(z.offset)),
    }
}

/// `hash()` of a value of this module: equal values share a key.
pub fn hash_key(v: &Value) -> Option<HashKey> {
    let d = dt_of(v)?;
    let (kind, key) = order_key(&d);
    let (tag, hi, lo) = match key {
        Key::Naive(n) => ("n", 0, n),
        Key::Aware(n) => ("a", 0, n),
        Key::Delta(n) => ("d", (n >> 62) as i64, (n & ((1 << 62) - 1)) as i64),
    };
    Some(HashKey::Tuple(vec![HashKey::Str(Rc::from("datetime")), HashKey::Int(kind as i64), HashKey::Str(Rc::from(tag)), HashKey::Int(hi), HashKey::Int(lo)]))
}

fn richcmp(it: &mut Interp, me: &Dt, other: &Value, op: &str) -> R<Value> {
    let eq = matches!(op, "==" | "!=");
    // what this module does not compare is left to Python's fallback
    // (identity for ==, a TypeError naming both types otherwise)
    let Some(o) = dt_of(other) else { return Ok(Value::NotImplemented) };
    let (k1, a) = order_key(me);
    let (k2, b) = order_key(&o);
    if k1 != k2 || matches!(me, Dt::Zone(_)) && !eq {
        // a datetime is a date: CPython's datetime comparison answers (and
        // names itself first) whichever side it is on
        if matches!((me, &o), (Dt::DateTime(..), Dt::Date(_)) | (Dt::Date(_), Dt::DateTime(..))) {
            if eq {
                return Ok(Value::Bool(op == "!="));
            }
            return Err(it.type_error("can't compare datetime.datetime to datetime.date"));
        }
        return Ok(Value::NotImplemented);
    }
    let ord = match (a, b) {
        (Key::Naive(x), Key::Naive(y)) | (Key::Aware(x), Key::Aware(y)) => x.cmp(&y),
        (Key::Delta(x), Key::Delta(y)) => x.cmp(&y),
        _ => {
            if eq {
                return Ok(Value::Bool(op == "!="));
            }
            let what = if matches!(me, Dt::Time(_)) { "times" } else { "datetimes" };
            return Err(it.type_error(format!("can't compare offset-naive and offset-aware {what}")));
        }
    };
    Ok(Value::Bool(match op {
        "==" => ord.is_eq(),
        "!=" => ord.is_ne(),
        "<" => ord.is_lt(),
        "<=" => ord.is_le(),
        ">" => ord.is_gt(),
        _ => ord.is_ge(),
    }))
}

// ----- the module -------------------------------------------------------------------

fn timedelta_new(it: &Interp, a: &Args) -> R<i128> {
    let names = ["days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks"];
    let units: [i64; 7] = [US_PER_DAY, 1_000_000, 1, 1_000, 60_000_000, 3_600_000_000, 7 * US_PER_DAY];
    let args = parse(it, a, &names, 0, 7)?;
    let mut whole: i128 = 0;
    let mut frac = 0f64;
    for ((v, unit), name) in args.iter().zip(units).zip(names) {
        match v {
            None => {}
            Some(Value::Int(n)) => whole += *n as i128 * unit as i128,
            Some(Value::Bool(b)) => whole += *b as i128 * unit as i128,
            Some(Value::Float(f)) => {
                if !f.is_finite() {
                    return Err(it.exc(if f.is_nan() { "ValueError" } else { "OverflowError" }, "cannot convert float NaN to integer"));
                }
                let t = f.trunc();
                whole += t as i128 * unit as i128;
                frac += (f - t) * unit as f64;
            }
            Some(other) => return Err(it.type_error(format!("unsupported type for timedelta {name} component: {}", it.type_name(other)))),
        }
    }
    // the fractional parts round with the whole, half to even
    let (floor, rest) = (frac.floor(), frac - frac.floor());
    let base = whole + floor as i128;
    let total = if rest > 0.5 || (rest == 0.5 && base % 2 != 0) { base + 1 } else { base };
    let days = total.div_euclid(US_PER_DAY as i128);
    if days.abs() > MAX_DELTA_DAYS as i128 {
        return Err(it.exc("OverflowError", format!("days={days}; must have magnitude <= {MAX_DELTA_DAYS}")));
    }
    Ok(total)
}

fn new_datetime(it: &Interp, a: &Args, with_date: bool, with_time: bool) -> R<Dt> {
    let names: &[&str] = match (with_date, with_time) {
        (true, true) => &["year", "month", "day", "hour", "minute", "second", "microsecond", "tzinfo", "fold"],
        (true, false) => &["year", "month", "day"],
        _ => &["hour", "minute", "second", "microsecond", "tzinfo", "fold"],
    };
    let required = if with_date { 3 } else { 0 };
    let kw_only = if with_time { names.len() - 1 } else { names.len() };
    let v = parse(it, a, names, required, kw_only)?;
    let off = if with_date { 3 } else { 0 };
    let ord = if with_date {
        let y = int_arg(it, v[0].as_ref().unwrap_or(&Value::None))?;
        let m = int_arg(it, v[1].as_ref().unwrap_or(&Value::None))?;
        let d = int_arg(it, v[2].as_ref().unwrap_or(&Value::None))?;
        Some(check_date(it, y, m, d)?)
    } else {
        None
    };
    if !with_time {
        return Ok(Dt::Date(ord.unwrap_or(1)));
    }
    let h = opt_int(it, &v[off], 0)?;
    let mi = opt_int(it, &v[off + 1], 0)?;
    let s = opt_int(it, &v[off + 2], 0)?;
    let us = opt_int(it, &v[off + 3], 0)?;
    let fold = opt_int(it, &v[off + 5], 0)?;
    check_clock(it, h, mi, s, us, fold)?;
    let tz = tz_arg(it, v[off + 4].as_ref())?;
    let c = Clock { hour: h, minute: mi, second: s, micro: us, tz, fold };
    Ok(match ord {
        Some(o) => Dt::DateTime(o, c),
        None => Dt::Time(c),
    })
}

fn clock_refused(it: &Interp, cname: &str, what: &str) -> Box<Exc> {
    match (cname, what) {
        ("date", "today") | ("datetime", "today" | "now" | "utcnow") => {
            it.exc("NotImplementedError", format!("datetime.{cname}.{what}() reads the clock, which this host does not give the playground"))
        }
        _ => it.exc("NotImplementedError", format!("datetime.{cname}.{what}() is not supported by the playground")),
    }
}

fn no_args(it: &Interp, a: &Args, name: &str) -> R<()> {
    match a.pos.len() + a.kw.len() {
        0 => Ok(()),
        n => Err(it.type_error(format!("{name}() takes no arguments ({n} given)"))),
    }
}

/// The host's clock as a date and a time of day: local and naive (`zone`
/// `None`), or in the given fixed zone (`Some(None)`: local, naive).
fn local_now(it: &Interp, cname: &str, what: &str, zone: Option<Option<Zone>>) -> R<(i64, Clock)> {
    let Some(reading) = it.clock() else { return Err(clock_refused(it, cname, what)) };
    let epoch = (ymd_to_ord(1970, 1, 1) - 1) * US_PER_DAY;
    let (offset, tz) = match zone.flatten() {
        Some(z) => (z.offset, Some(z)),
        None => (reading.utc_offset_seconds * 1_000_000, None),
    };
    match from_dt_us(it, epoch + reading.unix_micros + offset, tz)? {
        Dt::DateTime(ord, c) => Ok((ord, c)),
        _ => Err(overflow(it, "date")),
    }
}

/// Seconds since the epoch by the host's clock (`time.time()`).
pub fn unix_seconds(it: &Interp, what: &str) -> R<f64> {
    match it.clock() {
        Some(r) => Ok(r.unix_micros as f64 / 1e6),
        None => Err(it.exc("NotImplementedError", format!("time.{what}() reads the clock, which this host does not give the playground"))),
    }
}

/// A method over the receiver's value (the other arguments follow).
type MethodFn = dyn Fn(&mut Interp, &Classes, Dt, Args) -> R<Value>;
/// An alternate constructor (the class argument dropped).
type ClassMethodFn = dyn Fn(&mut Interp, &Classes, Args) -> R<Value>;

pub fn module(it: &mut Interp) -> R<Rc<Module>> {
    let m = it.new_native_module("datetime");
    let object = it.types.object.clone();
    let plain = |name: &str, bases: Vec<Rc<Class>>| Class::new(name, "datetime", bases, BuiltinType::Object, None);
    let date = plain("date", vec![object.clone()]);
    let datetime = plain("datetime", vec![date.clone()]);
    let time = plain("time", vec![object.clone()]);
    let timedelta = plain("timedelta", vec![object.clone()]);
    let tzinfo = plain("tzinfo", vec![object.clone()]);
    let timezone = plain("timezone", vec![tzinfo.clone()]);
    let cl = Rc::new(Classes { date, datetime, time, timedelta, tzinfo, timezone });

    let set = |c: &Rc<Class>, name: &str, v: Value| c.dict.borrow_mut().set_str(name, v);
    let method = |name: &str, f: Rc<MethodFn>| {
        let cl = cl.clone();
        let n = name.to_string();
        native_fn(name, move |it, a| {
            let me = a.pos.first().and_then(dt_of).ok_or_else(|| it.type_error(format!("descriptor '{n}' needs a datetime object")))?;
            let rest = Args { pos: a.pos[1..].to_vec(), kw: a.kw.clone() };
            f(it, &cl, me, rest)
        })
    };
    let classmethod = |name: &str, f: Rc<ClassMethodFn>| {
        let cl = cl.clone();
        let inner = native_fn(name, move |it, a| f(it, &cl, Args { pos: a.pos.get(1..).unwrap_or(&[]).to_vec(), kw: a.kw.clone() }));
        Value::Descriptor(Rc::new(Descriptor::ClassMethod(inner)))
    };

    // constructors; the module's classes cannot be subclassed here
    for (c, kind) in [(&cl.date, "date"), (&cl.datetime, "datetime"), (&cl.time, "time"), (&cl.timedelta, "timedelta"), (&cl.timezone, "timezone")] {
        let cl2 = cl.clone();
        let ctor = native_fn(kind, move |it, a| {
            let d = match kind {
                "date" => new_datetime(it, &a, true, false)?,
                "datetime" => new_datetime(it, &a, true, true)?,
                "time" => new_datetime(it, &a, false, true)?,
                "timedelta" => Dt::Delta(timedelta_new(it, &a)?),
                _ => {
                    let v = parse(it, &a, &["offset", "name"], 1, 2)?;
                    let off = v[0].clone().unwrap_or(Value::None);
                    let Some(Dt::Delta(us)) = dt_of(&off) else {
                        return Err(it.type_error(format!("timezone() argument 1 must be datetime.timedelta, not {}", full_name(it, &off))));
                    };
                    let name = match &v[1] {
                        None => None,
                        Some(Value::Str(s)) => Some(s.clone()),
                        Some(other) => return Err(it.type_error(format!("timezone() argument 2 must be str, not {}", it.type_name(other)))),
                    };
                    if us.abs() >= US_PER_DAY as i128 {
                        return Err(it.exc("ValueError", format!("offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24), not {}.", delta_repr(us))));
                    }
                    Dt::Zone(Zone { offset: us as i64, name })
                }
            };
            Ok(cl2.make(d))
        });
        set(c, "__call_native__", ctor);
        let k = kind.to_string();
        set(c, "__init__", native_fn("__init__", move |it, a| {
            let cls = a.pos.first().map(|v| it.type_name(v)).unwrap_or_default();
            Err(it.exc("NotImplementedError", format!("class {cls}: subclasses of datetime.{k} are not supported by the playground")))
        }));
    }
    set(&cl.tzinfo, "__init__", native_fn("__init__", |it, a| {
        let cls = a.pos.first().map(|v| it.type_name(v)).unwrap_or_default();
        Err(it.exc("NotImplementedError", format!("class {cls}: tzinfo classes other than datetime.timezone are not supported by the playground")))
    }));

    // protocols shared by every class
    for c in [&cl.date, &cl.datetime, &cl.time, &cl.timedelta, &cl.timezone] {
        set(c, "__repr__", method("__repr__", Rc::new(|_, _, me, _| Ok(Value::str(&dt_repr(&me))))));
        set(c, "__str__", method("__str__", Rc::new(|it, _, me, _| Ok(Value::str(&dt_str(it, &me)?)))));
        for (name, op) in [("__eq__", "=="), ("__ne__", "!="), ("__lt__", "<"), ("__le__", "<="), ("__gt__", ">"), ("__ge__", ">=")] {
            set(c, name, method(name, Rc::new(move |it, _, me, a| richcmp(it, &me, a.pos.first().unwrap_or(&Value::None), op))));
        }
        set(c, "__hash__", native_fn("__hash__", |_, _| Ok(Value::None)));
        for (name, op, refl) in [("__add__", "+", false), ("__radd__", "+", true), ("__sub__", "-", false), ("__rsub__", "-", true), ("__mul__", "*", false), ("__rmul__", "*", true), ("__truediv__", "/", false), ("__floordiv__", "//", false), ("__mod__", "%", false)] {
            set(c, name, method(name, Rc::new(move |it, cl, me, a| {
                let other = a.pos.first().cloned().unwrap_or(Value::None);
                // `x - date` reflected: only this module's own values subtract
                if refl && op == "-" {
                    return match dt_of(&other) {
                        Some(o) => arith(it, cl, op, &o, &cl.make(me), false),
                        None => {
                            let rhs = cl.make(me);
                            match other {
                                Value::Instance(_) => Ok(Value::NotImplemented),
                                _ => Err(type_err_op(it, op, &other, &rhs)),
                            }
                        }
                    };
                }
                arith(it, cl, op, &me, &other, refl)
            })));
        }
        set(c, "__setattr__", method("__setattr__", Rc::new(|it, cl, me, a| {
            let name = a.pos.first().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            let shown = full_name(it, &cl.make(me.clone()));
            if attr(&me, &name).is_some() {
                Err(it.exc("AttributeError", format!("attribute '{name}' of '{shown}' objects is not writable")))
            } else {
                Err(it.exc("AttributeError", format!("'{shown}' object has no attribute '{name}'")))
            }
        })));
        set(c, "__getattr__", method("__getattr__", Rc::new(|it, cl, me, a| {
            let name = a.pos.first().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            match attr(&me, &name) {
                Some(v) => Ok(v.into_value(cl)),
                None => {
                    let shown = full_name(it, &cl.make(me));
                    Err(it.exc("AttributeError", format!("'{shown}' object has no attribute '{name}'")))
                }
            }
        })));
    }

    // timedelta
    let td = &cl.timedelta;
    set(td, "total_seconds", method("total_seconds", Rc::new(|_, _, me, _| match me {
        Dt::Delta(us) => Ok(Value::Float(us as f64 / 1e6)),
        _ => Ok(Value::None),
    })));
    set(td, "__neg__", method("__neg__", Rc::new(|it, cl, me, _| match me {
        Dt::Delta(us) => Ok(cl.make(Dt::Delta(check_delta(it, -us)?))),
        _ => Ok(Value::NotImplemented),
    })));
    set(td, "__pos__", method("__pos__", Rc::new(|_, cl, me, _| Ok(cl.make(me)))));
    set(td, "__abs__", method("__abs__", Rc::new(|_, cl, me, _| match me {
        Dt::Delta(us) => Ok(cl.make(Dt::Delta(us.abs()))),
        _ => Ok(Value::NotImplemented),
    })));
    set(td, "__bool__", method("__bool__", Rc::new(|_, _, me, _| Ok(Value::Bool(!matches!(me, Dt::Delta(0)))))));
    set(td, "min", cl.make(Dt::Delta(-(MAX_DELTA_DAYS as i128) * US_PER_DAY as i128)));
    set(td, "max", cl.make(Dt::Delta((MAX_DELTA_DAYS as i128 + 1) * US_PER_DAY as i128 - 1)));
    set(td, "resolution", cl.make(Dt::Delta(1)));

    // timezone
    let tz = &cl.timezone;
    set(tz, "utc", cl.make(Dt::Zone(Zone { offset: 0, name: None })));
    set(tz, "min", cl.make(Dt::Zone(Zone { offset: -(US_PER_DAY - 60_000_000), name: None })));
    set(tz, "max", cl.make(Dt::Zone(Zone { offset: US_PER_DAY - 60_000_000, name: None })));
    set(tz, "utcoffset", method("utcoffset", Rc::new(|_, cl, me, _| match me {
        Dt::Zone(z) => Ok(cl.make(Dt::Delta(z.offset as i128))),
        _ => Ok(Value::None),
    })));
    set(tz, "tzname", method("tzname", Rc::new(|_, _, me, _| match me {
        Dt::Zone(z) => Ok(Value::str(&tzname(&z))),
        _ => Ok(Value::None),
    })));
    set(tz, "dst", method("dst", Rc::new(|_, _, _, _| Ok(Value::None))));

    // date, datetime, time
    for c in [&cl.date, &cl.datetime, &cl.time] {
        set(c, "isoformat", method("isoformat", Rc::new(|it, _, me, a| {
            Ok(Value::str(&match me {
                Dt::Date(o) => {
                    parse(it, &a, &[], 0, 0)?;
                    date_iso(o)
                }
                Dt::DateTime(o, c) => {
                    let v = parse(it, &a, &["sep", "timespec"], 0, 2)?;
                    let sep = match &v[0] {
                        None => "T".to_string(),
                        Some(Value::Str(s)) if s.chars().count() == 1 => s.to_string(),
                        Some(other) => return Err(it.type_error(format!("isoformat() argument 1 must be a unicode character, not {}", it.type_name(other)))),
                    };
                    let spec = match &v[1] {
                        None => "auto".to_string(),
                        Some(Value::Str(s)) => s.to_string(),
                        Some(other) => return Err(it.type_error(format!("isoformat() argument 2 must be str, not {}", it.type_name(other)))),
                    };
                    format!("{}{sep}{}", date_iso(o), clock_iso(it, &c, &spec)?)
                }
                Dt::Time(c) => {
                    let v = parse(it, &a, &["timespec"], 0, 1)?;
                    let spec = match &v[0] {
                        None => "auto".to_string(),
                        Some(Value::Str(s)) => s.to_string(),
                        Some(other) => return Err(it.type_error(format!("isoformat() argument 1 must be str, not {}", it.type_name(other)))),
                    };
                    clock_iso(it, &c, &spec)?
                }
                _ => String::new(),
            }))
        })));
        set(c, "strftime", method("strftime", Rc::new(|it, _, me, a| {
            let v = parse(it, &a, &["format"], 1, 1)?;
            let fmt = match &v[0] {
                Some(Value::Str(s)) => s.to_string(),
                Some(other) => return Err(it.type_error(format!("strftime() argument 1 must be str, not {}", it.type_name(other)))),
                None => String::new(),
            };
            let (ord, clock) = formatted_parts(it, &me)?;
            Ok(Value::str(&strftime(it, &fmt, ord, &clock)?))
        })));
        set(c, "__format__", method("__format__", Rc::new(|it, _, me, a| {
            let fmt = a.pos.first().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            if fmt.is_empty() {
                return Ok(Value::str(&dt_str(it, &me)?));
            }
            let (ord, clock) = formatted_parts(it, &me)?;
            Ok(Value::str(&strftime(it, &fmt, ord, &clock)?))
        })));
        set(c, "replace", method("replace", Rc::new(|it, cl, me, a| {
            let (names, required): (&[&str], usize) = match me {
                Dt::Date(_) => (&["year", "month", "day"], 3),
                Dt::DateTime(..) => (&["year", "month", "day", "hour", "minute", "second", "microsecond", "tzinfo", "fold"], 8),
                _ => (&["hour", "minute", "second", "microsecond", "tzinfo", "fold"], 5),
            };
            let v = parse(it, &a, names, 0, required)?;
            let cur: Vec<Value> = names.iter().map(|n| attr(&me, n).map(|x| x.into_value(cl)).unwrap_or(Value::None)).collect();
            let mut args = Args::default();
            for (i, n) in names.iter().enumerate() {
                args.kw.push((n.to_string(), v[i].clone().unwrap_or_else(|| cur[i].clone())));
            }
            let d = match me {
                Dt::Date(_) => new_datetime(it, &args, true, false)?,
                Dt::DateTime(..) => new_datetime(it, &args, true, true)?,
                _ => new_datetime(it, &args, false, true)?,
            };
            Ok(cl.make(d))
        })));
        set(c, "utcoffset", method("utcoffset", Rc::new(|_, cl, me, _| Ok(match me {
            Dt::DateTime(_, c) | Dt::Time(c) => c.tz.map(|z| cl.make(Dt::Delta(z.offset as i128))).unwrap_or(Value::None),
            _ => Value::None,
        }))));
        set(c, "tzname", method("tzname", Rc::new(|_, _, me, _| Ok(match me {
            Dt::DateTime(_, c) | Dt::Time(c) => c.tz.map(|z| Value::str(&tzname(&z))).unwrap_or(Value::None),
            _ => Value::None,
        }))));
        set(c, "dst", method("dst", Rc::new(|_, _, _, _| Ok(Value::None))));
    }
    for c in [&cl.date, &cl.datetime] {
        set(c, "toordinal", method("toordinal", Rc::new(|_, _, me, _| Ok(match me {
            Dt::Date(o) | Dt::DateTime(o, _) => Value::Int(o),
            _ => Value::None,
        }))));
        set(c, "weekday", method("weekday", Rc::new(|_, _, me, _| Ok(match me {
            Dt::Date(o) | Dt::DateTime(o, _) => Value::Int((o + 6) % 7),
            _ => Value::None,
        }))));
        set(c, "isoweekday", method("isoweekday", Rc::new(|_, _, me, _| Ok(match me {
            Dt::Date(o) | Dt::DateTime(o, _) => Value::Int((o + 6) % 7 + 1),
            _ => Value::None,
        }))));
        for clock in ["today", "now", "utcnow", "fromtimestamp", "utcfromtimestamp"] {
            let cname = if Rc::ptr_eq(c, &cl.date) { "date" } else { "datetime" };
            set(c, clock, classmethod(clock, Rc::new(move |it, cl, a| match (cname, clock) {
                ("date", "today") => {
                    no_args(it, &a, "today")?;
                    let (ord, _) = local_now(it, cname, clock, None)?;
                    Ok(cl.make(Dt::Date(ord)))
                }
                ("datetime", "today") => {
                    no_args(it, &a, "today")?;
                    let (ord, c) = local_now(it, cname, clock, None)?;
                    Ok(cl.make(Dt::DateTime(ord, c)))
                }
                ("datetime", "now") => {
                    if a.pos.len() + a.kw.len() > 1 || a.kw.iter().any(|(k, _)| &**k != "tz") {
                        return Err(it.type_error("now() takes at most 1 argument (tz)"));
                    }
                    let tz = tz_arg(it, a.pos.first().or_else(|| a.kwarg("tz")))?;
                    let (ord, c) = local_now(it, cname, clock, Some(tz))?;
                    Ok(cl.make(Dt::DateTime(ord, c)))
                }
                ("datetime", "utcnow") => {
                    no_args(it, &a, "utcnow")?;
                    let utc = Zone { offset: 0, name: None };
                    let (ord, mut c) = local_now(it, cname, clock, Some(Some(utc)))?;
                    c.tz = None;
                    Ok(cl.make(Dt::DateTime(ord, c)))
                }
                _ => Err(clock_refused(it, cname, clock)),
            })));
        }
    }
    // CPython methods the playground does not implement: an error naming them
    // rather than an AttributeError that would deny they exist
    for (c, cname) in [(&cl.date, "date"), (&cl.datetime, "datetime"), (&cl.time, "time")] {
        let names: &[&str] = match cname {
            "time" => &["__reduce__"],
            _ => &["isocalendar", "ctime", "timetuple", "utctimetuple", "__reduce__"],
        };
        for name in names {
            let what = format!("datetime.{cname}.{name}()");
            set(c, name, native_fn(name, move |it, _| Err(it.exc("NotImplementedError", format!("{what} is not supported by the playground")))));
        }
    }
    for (c, cname) in [(&cl.date, "date"), (&cl.datetime, "datetime")] {
        let what = format!("datetime.{cname}.fromisocalendar()");
        set(c, "fromisocalendar", classmethod("fromisocalendar", Rc::new(move |it, _, _| Err(it.exc("NotImplementedError", format!("{what} is not supported by the playground"))))));
    }
    set(&cl.date, "fromordinal", classmethod("fromordinal", Rc::new(|it, cl, a| {
        let v = parse(it, &a, &["ordinal"], 1, 1)?;
        let n = int_arg(it, v[0].as_ref().unwrap_or(&Value::None))?;
        if !(1..=MAX_ORD).contains(&n) {
            return Err(it.exc("ValueError", "ordinal must be >= 1"));
        }
        Ok(cl.make(Dt::Date(n)))
    })));
    set(&cl.date, "fromisoformat", classmethod("fromisoformat", Rc::new(|it, cl, a| iso_arg(it, cl, a, "date"))));
    set(&cl.datetime, "fromisoformat", classmethod("fromisoformat", Rc::new(|it, cl, a| iso_arg(it, cl, a, "datetime"))));
    set(&cl.time, "fromisoformat", classmethod("fromisoformat", Rc::new(|it, cl, a| iso_arg(it, cl, a, "time"))));
    set(&cl.datetime, "strptime", classmethod("strptime", Rc::new(|it, cl, a| {
        if !a.kw.is_empty() {
            return Err(it.type_error("strptime() takes no keyword arguments"));
        }
        match &a.pos[..] {
            [Value::Str(s), Value::Str(f)] => strptime(it, cl, s, f),
            [x, y] => Err(it.type_error(format!("strptime() argument {} must be str, not {}", if x.as_str().is_some() { 2 } else { 1 }, it.type_name(if x.as_str().is_some() { y } else { x })))),
            other => Err(it.type_error(format!("strptime expected 2 arguments, got {}", other.len()))),
        }
    })));
    set(&cl.datetime, "combine", classmethod("combine", Rc::new(|it, cl, a| {
        let v = parse(it, &a, &["date", "time", "tzinfo"], 2, 3)?;
        let (d, t) = (v[0].clone().unwrap_or(Value::None), v[1].clone().unwrap_or(Value::None));
        let ord = match dt_of(&d) {
            Some(Dt::Date(o) | Dt::DateTime(o, _)) => o,
            _ => return Err(it.type_error(format!("combine() argument 1 must be datetime.date, not {}", full_name(it, &d)))),
        };
        let Some(Dt::Time(mut c)) = dt_of(&t) else {
            return Err(it.type_error(format!("combine() argument 2 must be datetime.time, not {}", full_name(it, &t))));
        };
        if v[2].is_some() {
            c.tz = tz_arg(it, v[2].as_ref())?;
        }
        Ok(cl.make(Dt::DateTime(ord, c)))
    })));
    set(&cl.datetime, "date", method("date", Rc::new(|_, cl, me, _| Ok(match me {
        Dt::DateTime(o, _) => cl.make(Dt::Date(o)),
        _ => Value::None,
    }))));
    set(&cl.datetime, "time", method("time", Rc::new(|_, cl, me, _| Ok(match me {
        Dt::DateTime(_, c) => cl.make(Dt::Time(Clock { tz: None, ..c })),
        _ => Value::None,
    }))));
    set(&cl.datetime, "timetz", method("timetz", Rc::new(|_, cl, me, _| Ok(match me {
        Dt::DateTime(_, c) => cl.make(Dt::Time(c)),
        _ => Value::None,
    }))));
    set(&cl.datetime, "timestamp", method("timestamp", Rc::new(|it, _, me, _| match me {
        Dt::DateTime(o, c) => match &c.tz {
            Some(z) => Ok(Value::Float((dt_us(o, &c) - z.offset - dt_us(ymd_to_ord(1970, 1, 1), &Clock::midnight())) as f64 / 1e6)),
            None => Err(it.exc("NotImplementedError", "timestamp() of a naive datetime needs the local time zone, which code the playground evaluates cannot reach")),
        },
        _ => Ok(Value::None),
    })));
    set(&cl.datetime, "astimezone", method("astimezone", Rc::new(|it, cl, me, a| {
        let v = parse(it, &a, &["tz"], 0, 1)?;
        let target = tz_arg(it, v[0].as_ref())?;
        match (me, target) {
            (Dt::DateTime(o, c), Some(z)) if c.tz.is_some() => {
                let utc = dt_us(o, &c) - c.tz.as_ref().map(|t| t.offset).unwrap_or(0);
                Ok(cl.make(from_dt_us(it, utc + z.offset, Some(z))?))
            }
            _ => Err(it.exc("NotImplementedError", "astimezone() of a naive datetime or to the local time zone needs the local time zone, which code the playground evaluates cannot reach")),
        }
    })));
    // class attributes: the extremes and resolutions
    set(&cl.date, "min", cl.make(Dt::Date(1)));
    set(&cl.date, "max", cl.make(Dt::Date(MAX_ORD)));
    set(&cl.date, "resolution", cl.make(Dt::Delta(US_PER_DAY as i128)));
    set(&cl.datetime, "min", cl.make(Dt::DateTime(1, Clock::midnight())));
    set(&cl.datetime, "max", cl.make(Dt::DateTime(MAX_ORD, Clock { hour: 23, minute: 59, second: 59, micro: 999_999, tz: None, fold: 0 })));
    set(&cl.datetime, "resolution", cl.make(Dt::Delta(1)));
    set(&cl.time, "min", cl.make(Dt::Time(Clock::midnight())));
    set(&cl.time, "max", cl.make(Dt::Time(Clock { hour: 23, minute: 59, second: 59, micro: 999_999, tz: None, fold: 0 })));
    set(&cl.time, "resolution", cl.make(Dt::Delta(1)));

    for (name, c) in [("date", &cl.date), ("datetime", &cl.datetime), ("time", &cl.time), ("timedelta", &cl.timedelta), ("tzinfo", &cl.tzinfo), ("timezone", &cl.timezone)] {
        m.globals.set(name, Value::Class(c.clone()));
    }
    m.globals.set("MINYEAR", Value::Int(MINYEAR));
    m.globals.set("MAXYEAR", Value::Int(MAXYEAR));
    m.globals.set("UTC", cl.make(Dt::Zone(Zone { offset: 0, name: None })));
    Ok(m)
}

fn iso_arg(it: &mut Interp, cl: &Classes, a: Args, kind: &str) -> R<Value> {
    if !a.kw.is_empty() || a.pos.len() != 1 {
        return Err(it.type_error(format!("fromisoformat() takes exactly one argument ({} given)", a.pos.len() + a.kw.len())));
    }
    match &a.pos[0] {
        Value::Str(s) => from_iso(it, cl, kind, s),
        _ => Err(it.type_error("fromisoformat: argument must be str")),
    }
}

/// An attribute of a value, by name.
enum Attr {
    Int(i64),
    Zone(Option<Zone>),
}

impl Attr {
    fn into_value(self, cl: &Classes) -> Value {
        match self {
            Attr::Int(i) => Value::Int(i),
            Attr::Zone(Some(z)) => cl.make(Dt::Zone(z)),
            Attr::Zone(None) => Value::None,
        }
    }
}

fn attr(d: &Dt, name: &str) -> Option<Attr> {
    let clock = |c: &Clock| -> Option<Attr> {
        Some(match name {
            "hour" => Attr::Int(c.hour),
            "minute" => Attr::Int(c.minute),
            "second" => Attr::Int(c.second),
            "microsecond" => Attr::Int(c.micro),
            "fold" => Attr::Int(c.fold),
            "tzinfo" => Attr::Zone(c.tz.clone()),
            _ => return None,
        })
    };
    let date = |o: i64| -> Option<Attr> {
        let (y, m, d) = ord_to_ymd(o);
        Some(match name {
            "year" => Attr::Int(y),
            "month" => Attr::Int(m),
            "day" => Attr::Int(d),
            _ => return None,
        })
    };
    match d {
        Dt::Date(o) => date(*o),
        Dt::DateTime(o, c) => date(*o).or_else(|| clock(c)),
        Dt::Time(c) => clock(c),
        Dt::Delta(us) => {
            let (d, s, u) = delta_parts(*us);
            Some(Attr::Int(match name {
                "days" => d,
                "seconds" => s,
                "microseconds" => u,
                _ => return None,
            }))
        }
        Dt::Zone(_) => None,
    }
}

/// What a bound parameter does with a value of this module on SQLite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding {
    /// Through SQLAlchemy's SQLite `DateTime`, `Date` or `Time` type (a
    /// column of that type, or `bindparam(value=...)`, whose type SQLAlchemy
    /// resolves from the value).
    Processor(TemporalType),
    /// Straight to `sqlite3`, with no SQLAlchemy type converting it (an
    /// untyped `sa.column('x')`, a `String` column, execution parameters
    /// of `text()`): the driver's default adapters. `datatype` is the
    /// column type's DDL name offline's error names (`NULL` when untyped).
    Driver { datatype: &'static str },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemporalType {
    DateTime,
    Date,
    Time,
}

impl TemporalType {
    fn ddl(self) -> &'static str {
        match self {
            TemporalType::DateTime => "DATETIME",
            TemporalType::Date => "DATE",
            TemporalType::Time => "TIME",
        }
    }
}

/// The type SQLAlchemy resolves from a value bound without one
/// (`text().bindparams(x=value)`): `None` when it is no value of this
/// module; `Err` for a timedelta (SQLAlchemy's `Interval`, whose SQLite
/// storage the playground does not model).
pub fn resolved_type(it: &Interp, v: &Value) -> Option<R<TemporalType>> {
    Some(match dt_of(v)? {
        Dt::DateTime(..) => Ok(TemporalType::DateTime),
        Dt::Date(_) => Ok(TemporalType::Date),
        Dt::Time(_) => Ok(TemporalType::Time),
        Dt::Delta(_) | Dt::Zone(_) => Err(it.exc("NotImplementedError", format!("binding a {} parameter is not supported by the playground", it.type_name(v)))),
    })
}

/// The string SQLite receives for `v` bound as `binding` (`position`: the
/// parameter's 1-based place in the statement, which sqlite3's error
/// names, 0 when unknown); `None` when `v` is no value of this module. `offline`: rendered
/// as a literal for `--sql`, where an untyped value has no renderer.
pub fn bound_string(it: &Interp, v: &Value, binding: Binding, position: usize, offline: bool) -> Option<R<String>> {
    let d = dt_of(v)?;
    let named = |class: &str, msg: String| super::alembic::raise_named(it, class, "sqlalchemy.exc", &msg);
    Some(match binding {
        Binding::Processor(t) => match sqlite_storage(&d, t) {
            Ok(s) => Ok(s),
            Err(_) if offline => Err(named(
                "CompileError",
                format!("Could not render literal value \"{}\" with datatype {}; see parent stack trace for more detail.", dt_repr(&d), t.ddl()),
            )),
            Err(msg) => Err(named("StatementError", format!("(builtins.TypeError) {msg}"))),
        },
        Binding::Driver { datatype } if offline => Err(named(
            "CompileError",
            match datatype {
                "NULL" => format!("No literal value renderer is available for literal value \"{}\" with datatype NULL", dt_repr(&d)),
                other => format!("Could not render literal value \"{}\" with datatype {other}; see parent stack trace for more detail.", dt_repr(&d)),
            },
        )),
        Binding::Driver { .. } => sqlite3_adapted(&d).map_err(|msg| match position {
            // a caller that cannot tell the parameter's place names none
            0 => named("ProgrammingError", format!("(sqlite3.ProgrammingError) Error binding parameter: {msg}")),
            n => named("ProgrammingError", format!("(sqlite3.ProgrammingError) Error binding parameter {n}: {msg}")),
        }),
    })
}

/// The message of the `TypeError` SQLAlchemy's SQLite type `t` raises for
/// a value that is not one it stores.
pub fn processor_refusal(t: TemporalType) -> &'static str {
    match t {
        TemporalType::DateTime => "SQLite DateTime type only accepts Python datetime and date objects as input.",
        TemporalType::Date => "SQLite Date type only accepts Python date objects as input.",
        TemporalType::Time => "SQLite Time type only accepts Python time objects as input.",
    }
}

/// How SQLAlchemy's SQLite `DateTime`, `Date` and `Time` types store a
/// value (their bind processors), or the message of the `TypeError` they
/// raise for a value they do not take.
fn sqlite_storage(d: &Dt, t: TemporalType) -> Result<String, String> {
    let full = |ord: i64, c: &Clock| {
        let (y, m, dd) = ord_to_ymd(ord);
        format!("{y:04}-{m:02}-{dd:02} {:02}:{:02}:{:02}.{:06}", c.hour, c.minute, c.second, c.micro)
    };
    match (t, d) {
        (TemporalType::DateTime, Dt::DateTime(o, c)) => Ok(full(*o, c)),
        (TemporalType::DateTime, Dt::Date(o)) => Ok(full(*o, &Clock::midnight())),
        (TemporalType::DateTime, _) => Err(processor_refusal(t).into()),
        (TemporalType::Date, Dt::Date(o) | Dt::DateTime(o, _)) => Ok(date_iso(*o)),
        (TemporalType::Date, _) => Err(processor_refusal(t).into()),
        (TemporalType::Time, Dt::Time(c)) => Ok(format!("{:02}:{:02}:{:02}.{:06}", c.hour, c.minute, c.second, c.micro)),
        (TemporalType::Time, _) => Err(processor_refusal(t).into()),
    }
}

/// How Python 3.11's `sqlite3` adapts a value (its default adapters): a
/// datetime as `isoformat(" ")`, a date as `isoformat()`; the message of
/// its error for what it refuses (a time, a timedelta, a timezone).
fn sqlite3_adapted(d: &Dt) -> Result<String, String> {
    match d {
        Dt::Date(o) => Ok(date_iso(*o)),
        Dt::DateTime(o, c) => {
            let mut s = match c.micro {
                0 => format!("{} {:02}:{:02}:{:02}", date_iso(*o), c.hour, c.minute, c.second),
                us => format!("{} {:02}:{:02}:{:02}.{us:06}", date_iso(*o), c.hour, c.minute, c.second),
            };
            if let Some(z) = &c.tz {
                s.push_str(&offset_str(z.offset, ":"));
            }
            Ok(s)
        }
        Dt::Time(_) => Err("type 'datetime.time' is not supported".into()),
        Dt::Delta(_) => Err("type 'datetime.timedelta' is not supported".into()),
        Dt::Zone(_) => Err("type 'datetime.timezone' is not supported".into()),
    }
}
