//! The `decimal` module's `Decimal`, as SQLAlchemy hands `Numeric` values to
//! Python on SQLite (`Decimal("%.<scale>f" % value)`) and as data
//! migrations use them: construction from `str`, `int`, `float` and
//! `Decimal`, `str`/`repr`/`format(".Nf")`, comparisons and hashing with
//! `int`, `float` and `Decimal`, `+ - *` and unary operators, `float()`,
//! `int()`, `quantize()`, in CPython's default context (28 digits,
//! ROUND_HALF_EVEN).
//!
//! Invariants:
//! - A value is an instance of the module's `Decimal` class whose native
//!   state is a finite [`Dec`] (sign, coefficient digits, exponent); it is
//!   immutable. Infinities and NaNs, division, other contexts and rounding
//!   modes, and the rest of the module raise `NotImplementedError` naming
//!   what is missing; nothing is approximated.

use std::cmp::Ordering;
use std::rc::Rc;

use super::builtins::native_fn;
use super::eval::{Args, Interp, R};
use super::value::*;

/// The default context's precision.
const PREC: usize = 28;

/// A finite decimal: `(-1)^neg * coef * 10^exp`; `coef` is decimal digits,
/// most significant first, without leading zeros (zero is `[0]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Dec {
    pub neg: bool,
    pub coef: Vec<u8>,
    pub exp: i64,
}

fn trim(mut d: Vec<u8>) -> Vec<u8> {
    let nz = d.iter().position(|&x| x != 0).unwrap_or(d.len().saturating_sub(1));
    d.drain(..nz);
    if d.is_empty() {
        d.push(0);
    }
    d
}

fn is_zero(c: &[u8]) -> bool {
    c.iter().all(|&x| x == 0)
}

fn cmp_mag(a: &[u8], b: &[u8]) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn add_mag(a: &[u8], b: &[u8]) -> Vec<u8> {
    let (mut out, mut carry) = (Vec::with_capacity(a.len().max(b.len()) + 1), 0u8);
    let (mut i, mut j) = (a.len(), b.len());
    while i > 0 || j > 0 || carry > 0 {
        let x = if i > 0 { i -= 1; a[i] } else { 0 };
        let y = if j > 0 { j -= 1; b[j] } else { 0 };
        let s = x + y + carry;
        out.push(s % 10);
        carry = s / 10;
    }
    out.reverse();
    trim(out)
}

/// `a - b` for `a >= b`.
fn sub_mag(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len());
    let (mut borrow, mut j) = (0i8, b.len());
    for i in (0..a.len()).rev() {
        let y = if j > 0 { j -= 1; b[j] as i8 } else { 0 };
        let mut d = a[i] as i8 - y - borrow;
        borrow = if d < 0 { d += 10; 1 } else { 0 };
        out.push(d as u8);
    }
    out.reverse();
    trim(out)
}

fn mul_mag(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut acc = vec![0u32; a.len() + b.len()];
    for (i, &x) in a.iter().enumerate().rev() {
        for (j, &y) in b.iter().enumerate().rev() {
            acc[i + j + 1] += x as u32 * y as u32;
        }
    }
    for k in (1..acc.len()).rev() {
        let c = acc[k] / 10;
        acc[k] %= 10;
        acc[k - 1] += c;
    }
    trim(acc.into_iter().map(|d| d as u8).collect())
}

fn shifted(c: &[u8], zeros: i64) -> Vec<u8> {
    let mut v = c.to_vec();
    v.extend(std::iter::repeat_n(0, zeros as usize));
    trim(v)
}

impl Dec {
    fn zero() -> Dec {
        Dec { neg: false, coef: vec![0], exp: 0 }
    }

    pub fn from_i64(i: i64) -> Dec {
        Dec { neg: i < 0, coef: i.unsigned_abs().to_string().bytes().map(|b| b - b'0').collect(), exp: 0 }
    }

    /// `Decimal(float)`: the float's exact binary value.
    fn from_f64(f: f64) -> Option<Dec> {
        if !f.is_finite() {
            return None;
        }
        if f == 0.0 {
            return Some(Dec { neg: f.is_sign_negative(), ..Dec::zero() });
        }
        let bits = f.to_bits();
        let exp_bits = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1u64 << 52) - 1);
        let (mut m, mut e) = if exp_bits == 0 { (frac, -1074) } else { (frac | (1u64 << 52), exp_bits - 1075) };
        while m % 2 == 0 {
            m /= 2;
            e += 1;
        }
        let mut coef = Dec::from_i64(m as i64).coef;
        if e >= 0 {
            for _ in 0..e {
                coef = mul_mag(&coef, &[2]);
            }
            Some(Dec { neg: f < 0.0, coef, exp: 0 })
        } else {
            for _ in 0..-e {
                coef = mul_mag(&coef, &[5]);
            }
            Some(Dec { neg: f < 0.0, coef, exp: e })
        }
    }

    /// The decimal string syntax (`[sign] digits [. digits] [e exp]`,
    /// underscores between digits, surrounding whitespace).
    fn parse(s: &str) -> Option<Dec> {
        let t = s.trim().replace('_', "");
        let (neg, body) = match t.as_bytes().first() {
            Some(b'-') => (true, &t[1..]),
            Some(b'+') => (false, &t[1..]),
            _ => (false, &t[..]),
        };
        let (mant, exp) = match body.find(['e', 'E']) {
            Some(k) => (&body[..k], body[k + 1..].parse::<i64>().ok()?),
            None => (body, 0),
        };
        let (int, frac) = match mant.split_once('.') {
            Some((a, b)) => (a, b),
            None => (mant, ""),
        };
        if int.is_empty() && frac.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let coef = trim(int.bytes().chain(frac.bytes()).map(|b| b - b'0').collect());
        Some(Dec { neg, coef, exp: exp - frac.len() as i64 })
    }

    /// CPython's `__str__` (`to_sci_string`).
    pub fn to_sci(&self) -> String {
        let coef: String = self.coef.iter().map(|d| (b'0' + d) as char).collect();
        let left = self.exp + coef.len() as i64;
        let dot = if self.exp <= 0 && left > -6 { left } else { 1 };
        let (int, frac) = if dot <= 0 {
            ("0".to_string(), format!(".{}{coef}", "0".repeat((-dot) as usize)))
        } else if dot >= coef.len() as i64 {
            (format!("{coef}{}", "0".repeat((dot - coef.len() as i64) as usize)), String::new())
        } else {
            (coef[..dot as usize].to_string(), format!(".{}", &coef[dot as usize..]))
        };
        let exp = if left == dot { String::new() } else { format!("E{:+}", left - dot) };
        format!("{}{int}{frac}{exp}", if self.neg { "-" } else { "" })
    }

    /// Rounded to `digits` significant digits, half to even (the context's rounding).
    fn round_to(&self, digits: usize) -> Dec {
        if self.coef.len() <= digits {
            return self.clone();
        }
        let drop = self.coef.len() - digits;
        self.rescale(self.exp + drop as i64)
    }

    /// The value with exponent `exp` (`quantize`), rounding half to even.
    fn rescale(&self, exp: i64) -> Dec {
        if exp <= self.exp {
            return Dec { neg: self.neg, coef: shifted(&self.coef, self.exp - exp), exp };
        }
        let drop = (exp - self.exp) as usize;
        let (keep, gone): (Vec<u8>, Vec<u8>) = if drop >= self.coef.len() {
            (vec![0], std::iter::repeat_n(0, drop - self.coef.len()).chain(self.coef.iter().copied()).collect())
        } else {
            (self.coef[..self.coef.len() - drop].to_vec(), self.coef[self.coef.len() - drop..].to_vec())
        };
        let half = match gone.first().copied().unwrap_or(0).cmp(&5) {
            Ordering::Less => Ordering::Less,
            Ordering::Greater => Ordering::Greater,
            Ordering::Equal if gone[1..].iter().any(|&d| d != 0) => Ordering::Greater,
            Ordering::Equal => Ordering::Equal,
        };
        let up = match half {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => keep.last().copied().unwrap_or(0) % 2 == 1,
        };
        let coef = if up { add_mag(&trim(keep), &[1]) } else { trim(keep) };
        Dec { neg: self.neg, coef, exp }
    }

    fn finish(self) -> Dec {
        let d = self.round_to(PREC);
        // a carry out of the last digit (9.99 -> 10.0) keeps the precision
        if d.coef.len() > PREC { d.rescale(d.exp + 1) } else { d }
    }

    fn add(&self, o: &Dec) -> Dec {
        let e = self.exp.min(o.exp);
        let (a, b) = (shifted(&self.coef, self.exp - e), shifted(&o.coef, o.exp - e));
        let (neg, coef) = if self.neg == o.neg {
            (self.neg, add_mag(&a, &b))
        } else {
            match cmp_mag(&a, &b) {
                Ordering::Equal => (self.neg && o.neg, vec![0]),
                Ordering::Greater => (self.neg, sub_mag(&a, &b)),
                Ordering::Less => (o.neg, sub_mag(&b, &a)),
            }
        };
        Dec { neg, coef, exp: e }.finish()
    }

    fn negated(&self) -> Dec {
        Dec { neg: !self.neg, ..self.clone() }
    }

    fn mul(&self, o: &Dec) -> Dec {
        Dec { neg: self.neg != o.neg, coef: mul_mag(&self.coef, &o.coef), exp: self.exp + o.exp }.finish()
    }

    fn cmp(&self, o: &Dec) -> Ordering {
        // exact: compare without the context's rounding
        let e = self.exp.min(o.exp);
        let (a, b) = (shifted(&self.coef, self.exp - e), shifted(&o.coef, o.exp - e));
        let (za, zb) = (is_zero(&a), is_zero(&b));
        let sa = if za { 0 } else if self.neg { -1 } else { 1 };
        let sb = if zb { 0 } else if o.neg { -1 } else { 1 };
        if sa != sb {
            return sa.cmp(&sb);
        }
        match sa {
            0 => Ordering::Equal,
            1 => cmp_mag(&a, &b),
            _ => cmp_mag(&b, &a),
        }
    }

    fn to_f64(&self) -> f64 {
        let coef: String = self.coef.iter().map(|d| (b'0' + d) as char).collect();
        let f: f64 = format!("{coef}e{}", self.exp).parse().unwrap_or(f64::NAN);
        if self.neg { -f } else { f }
    }

    /// `int()`: truncated toward zero; `None` past 64 bits.
    fn to_i64(&self) -> Option<i64> {
        let digits: Vec<u8> = if self.exp >= 0 {
            shifted(&self.coef, self.exp)
        } else if (-self.exp) as usize >= self.coef.len() {
            vec![0]
        } else {
            self.coef[..self.coef.len() - (-self.exp) as usize].to_vec()
        };
        let s: String = digits.iter().map(|d| (b'0' + d) as char).collect();
        let m: i128 = s.parse().ok()?;
        i64::try_from(if self.neg { -m } else { m }).ok()
    }

    /// The integer value, when the decimal is one that fits 64 bits.
    fn integral(&self) -> Option<i64> {
        let whole = self.exp >= 0 || self.coef[self.coef.len().saturating_sub((-self.exp) as usize)..].iter().all(|&d| d == 0);
        whole.then(|| self.to_i64()).flatten()
    }
}

/// The `Decimal` value `v` holds, if it is one.
pub fn dec_of(v: &Value) -> Option<Dec> {
    let Value::Instance(i) = v else { return None };
    let n = i.native.borrow();
    n.as_ref()?.downcast_ref::<Dec>().cloned()
}

/// A key that hashes a Decimal as the int or float it equals (CPython's
/// numeric hash agrees across the types), else by its normalized value.
pub fn hash_key(v: &Value) -> Option<HashKey> {
    let d = dec_of(v)?;
    if let Some(i) = d.integral() {
        return Some(HashKey::Int(i));
    }
    let f = d.to_f64();
    if Dec::from_f64(f).is_some_and(|x| x.cmp(&d) == Ordering::Equal) {
        return Some(HashKey::Float(f.to_bits()));
    }
    let n = d.rescale(d.exp);
    let norm: Vec<u8> = {
        let mut c = n.coef.clone();
        while c.len() > 1 && c.last() == Some(&0) {
            c.pop();
        }
        c
    };
    let exp = n.exp + (n.coef.len() - norm.len()) as i64;
    Some(HashKey::Str(Rc::from(format!("Decimal:{}{:?}e{exp}", if n.neg { "-" } else { "" }, norm).as_str())))
}

fn make(cls: &Rc<Class>, d: Dec) -> Value {
    let i = Instance::new(cls.clone());
    *i.native.borrow_mut() = Some(Rc::new(d));
    Value::Instance(Rc::new(i))
}

fn not_supported(it: &Interp, what: &str) -> Box<super::eval::Exc> {
    it.exc("NotImplementedError", format!("{what} is not supported by the playground"))
}

/// `decimal.InvalidOperation`, raised with CPython's message.
fn invalid(inval: &Rc<Class>, msg: &str) -> Box<super::eval::Exc> {
    let inst = Instance::new(inval.clone());
    inst.set("args", Value::tuple(vec![Value::str(msg)]));
    Box::new(super::eval::Exc { value: Value::Instance(Rc::new(inst)), loc: None, frames: Vec::new(), fatal: false })
}

/// `Decimal(v)`.
fn convert(it: &Interp, inval: &Rc<Class>, v: &Value) -> R<Dec> {
    match v {
        Value::Int(i) => Ok(Dec::from_i64(*i)),
        Value::Bool(b) => Ok(Dec::from_i64(*b as i64)),
        Value::Float(f) => Dec::from_f64(*f).ok_or_else(|| not_supported(it, "Decimal of an infinity or a NaN")),
        Value::Str(s) => match Dec::parse(s) {
            Some(d) => Ok(d),
            None => {
                let t = s.trim().to_lowercase();
                if matches!(t.trim_start_matches(['+', '-']), "inf" | "infinity" | "nan" | "snan") {
                    Err(not_supported(it, "Decimal of an infinity or a NaN"))
                } else {
                    Err(invalid(inval, "[<class 'decimal.ConversionSyntax'>]"))
                }
            }
        },
        other => match dec_of(other) {
            Some(d) => Ok(d),
            None => Err(it.type_error(format!("conversion from {} to Decimal is not supported", it.type_name(other)))),
        },
    }
}

/// The other operand of an arithmetic or comparison as a Decimal (`int`,
/// `Decimal`; `float` too for comparisons, exactly); `None`: not one.
fn operand(v: &Value, with_float: bool) -> Option<Dec> {
    match v {
        Value::Int(i) => Some(Dec::from_i64(*i)),
        Value::Bool(b) => Some(Dec::from_i64(*b as i64)),
        Value::Float(f) if with_float => Dec::from_f64(*f),
        other => dec_of(other),
    }
}

/// `format(d, spec)`: the empty spec and `.Nf`.
fn format(it: &Interp, d: &Dec, spec: &str) -> R<String> {
    if spec.is_empty() {
        return Ok(d.to_sci());
    }
    let places = spec.strip_prefix('.').and_then(|r| r.strip_suffix('f')).and_then(|n| n.parse::<i64>().ok());
    match places {
        Some(n) => {
            let q = d.rescale(-n);
            let coef: String = q.coef.iter().map(|x| (b'0' + x) as char).collect();
            let n = n as usize;
            let padded = format!("{coef:0>width$}", width = n + 1);
            let (int, frac) = padded.split_at(padded.len() - n);
            let sign = if q.neg { "-" } else { "" };
            Ok(if n == 0 { format!("{sign}{int}") } else { format!("{sign}{int}.{frac}") })
        }
        None => Err(not_supported(it, &format!("the format spec {spec:?} for Decimal"))),
    }
}

pub fn module(it: &mut Interp) -> R<Rc<Module>> {
    let m = it.new_native_module("decimal");
    let cls = Class::new("Decimal", "decimal", vec![it.types.object.clone()], BuiltinType::Object, None);
    let inval = Class::new("InvalidOperation", "decimal", vec![it.types.exceptions["ArithmeticError"].clone()], BuiltinType::Exception, None);
    let set = |name: &str, v: Value| cls.dict.borrow_mut().set_str(name, v);
    let method = |name: &str, f: Rc<dyn Fn(&mut Interp, &Rc<Class>, Dec, Args) -> R<Value>>| {
        let n = name.to_string();
        let c = cls.clone();
        native_fn(name, move |it, a| {
            let me = a.pos.first().and_then(dec_of).ok_or_else(|| it.type_error(format!("descriptor '{n}' needs a Decimal object")))?;
            f(it, &c, me, Args { pos: a.pos[1..].to_vec(), kw: a.kw.clone() })
        })
    };
    {
        let c = cls.clone();
        let inval = inval.clone();
        set("__call_native__", native_fn("Decimal", move |it, a| {
            if a.pos.len() > 1 || !a.kw.is_empty() {
                return Err(not_supported(it, "Decimal(value, context)"));
            }
            let d = match a.pos.first() {
                None => Dec::zero(),
                Some(v) => convert(it, &inval, v)?,
            };
            Ok(make(&c, d))
        }));
    }
    set("__init__", native_fn("__init__", |it, _| Err(not_supported(it, "a subclass of decimal.Decimal"))));
    set("__repr__", method("__repr__", Rc::new(|_, _, me, _| Ok(Value::str(&format!("Decimal('{}')", me.to_sci()))))));
    set("__str__", method("__str__", Rc::new(|_, _, me, _| Ok(Value::str(&me.to_sci())))));
    set("__format__", method("__format__", Rc::new(|it, _, me, a| {
        let spec = a.pos.first().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        Ok(Value::str(&format(it, &me, &spec)?))
    })));
    set("__float__", method("__float__", Rc::new(|_, _, me, _| Ok(Value::Float(me.to_f64())))));
    set("__int__", method("__int__", Rc::new(|it, _, me, _| {
        me.to_i64().map(Value::Int).ok_or_else(|| it.exc("OverflowError", "integer does not fit in 64 bits (the playground's int)"))
    })));
    set("__bool__", method("__bool__", Rc::new(|_, _, me, _| Ok(Value::Bool(!is_zero(&me.coef))))));
    set("__hash__", native_fn("__hash__", |_, _| Ok(Value::None)));
    set("__neg__", method("__neg__", Rc::new(|_, c, me, _| Ok(make(c, if is_zero(&me.coef) { me } else { me.negated() })))));
    set("__pos__", method("__pos__", Rc::new(|_, c, me, _| Ok(make(c, Dec { neg: me.neg && !is_zero(&me.coef), ..me }.finish())))));
    set("__abs__", method("__abs__", Rc::new(|_, c, me, _| Ok(make(c, Dec { neg: false, ..me }.finish())))));
    for (name, holds) in super::builtins::RICH_COMPARISONS {
        set(name, method(name, Rc::new(move |_, _, me, a| {
            let Some(o) = a.pos.first().and_then(|v| operand(v, true)) else { return Ok(Value::NotImplemented) };
            Ok(Value::Bool(holds(me.cmp(&o))))
        })));
    }
    for (name, op, refl) in [("__add__", '+', false), ("__radd__", '+', true), ("__sub__", '-', false), ("__rsub__", '-', true), ("__mul__", '*', false), ("__rmul__", '*', true)] {
        set(name, method(name, Rc::new(move |it, c, me, a| {
            let other = a.pos.first().cloned().unwrap_or(Value::None);
            if matches!(other, Value::Float(_)) {
                let (l, r) = if refl { ("float", "decimal.Decimal") } else { ("decimal.Decimal", "float") };
                return Err(it.type_error(format!("unsupported operand type(s) for {op}: '{l}' and '{r}'")));
            }
            let Some(o) = operand(&other, false) else { return Ok(Value::NotImplemented) };
            let (l, r) = if refl { (o, me) } else { (me, o) };
            Ok(make(c, match op {
                '+' => l.add(&r),
                '-' => l.add(&r.negated()),
                _ => l.mul(&r),
            }))
        })));
    }
    for name in ["__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__pow__", "__rpow__", "__divmod__"] {
        set(name, native_fn(name, move |it, _| Err(not_supported(it, &format!("Decimal.{name}")))));
    }
    let inval2 = inval.clone();
    set("quantize", method("quantize", Rc::new(move |it, c, me, a| {
        if a.pos.len() != 1 || !a.kw.is_empty() {
            return Err(not_supported(it, "Decimal.quantize() with a rounding mode or a context"));
        }
        let Some(q) = a.pos.first().and_then(|v| operand(v, false)) else {
            return Err(it.type_error("conversion to Decimal is not supported"));
        };
        let r = me.rescale(q.exp);
        if r.coef.len() > PREC {
            return Err(invalid(&inval2, "[<class 'decimal.InvalidOperation'>]"));
        }
        Ok(make(c, r))
    })));
    for name in ["normalize", "sqrt", "exp", "ln", "log10", "to_integral_value", "to_integral", "as_tuple", "as_integer_ratio", "scaleb", "max", "min", "copy_sign", "fma", "is_nan", "is_infinite", "is_finite"] {
        set(name, native_fn(name, move |it, _| Err(not_supported(it, &format!("Decimal.{name}()")))));
    }
    m.globals.set("Decimal", Value::Class(cls.clone()));
    m.globals.set("InvalidOperation", Value::Class(inval));
    for name in ["getcontext", "setcontext", "localcontext", "Context"] {
        m.globals.set(name, native_fn(name, move |it, _| Err(not_supported(it, &format!("decimal.{name}")))));
    }
    for name in ["ROUND_HALF_EVEN", "ROUND_HALF_UP", "ROUND_HALF_DOWN", "ROUND_UP", "ROUND_DOWN", "ROUND_CEILING", "ROUND_FLOOR", "ROUND_05UP"] {
        m.globals.set(name, Value::str(name));
    }
    Ok(m)
}

/// `Decimal(text)` in `it`: SQLAlchemy's Numeric result processor.
pub fn new_decimal(it: &mut Interp, text: &str) -> R<Value> {
    let m = it.import_module("decimal")?;
    let cls = it.getattr(&Value::Module(m), "Decimal")?;
    it.call(&cls, Args::new(vec![Value::str(text)]))
}
