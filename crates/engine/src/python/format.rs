//! String formatting: `format(value, spec)` (f-strings, `str.format`) and
//! printf-style `%`.
//!
//! Invariants: the format-spec mini-language is parsed as CPython parses it;
//! a spec or conversion this module does not implement raises `ValueError`
//! naming it, never a guess.

use super::eval::{Args, Interp, R};
use super::repr::py_repr_float;
use super::value::Value;

struct Spec {
    fill: char,
    align: Option<char>,
    sign: char,
    zero: bool,
    width: usize,
    grouping: Option<char>,
    precision: Option<usize>,
    ty: Option<char>,
}

fn parse_spec(it: &Interp, spec: &str) -> R<Spec> {
    let cs: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let mut s = Spec { fill: ' ', align: None, sign: '-', zero: false, width: 0, grouping: None, precision: None, ty: None };
    if cs.len() >= 2 && matches!(cs[1], '<' | '>' | '^' | '=') {
        s.fill = cs[0];
        s.align = Some(cs[1]);
        i = 2;
    } else if !cs.is_empty() && matches!(cs[0], '<' | '>' | '^' | '=') {
        s.align = Some(cs[0]);
        i = 1;
    }
    if i < cs.len() && matches!(cs[i], '+' | '-' | ' ') {
        s.sign = cs[i];
        i += 1;
    }
    if i < cs.len() && cs[i] == '#' {
        return Err(it.exc("ValueError", "the '#' format option is not supported by the playground's evaluator"));
    }
    if i < cs.len() && cs[i] == '0' {
        s.zero = true;
        i += 1;
    }
    let start = i;
    while i < cs.len() && cs[i].is_ascii_digit() {
        i += 1;
    }
    if i > start {
        s.width = cs[start..i].iter().collect::<String>().parse().unwrap_or(0).min(100_000);
    }
    if i < cs.len() && matches!(cs[i], ',' | '_') {
        s.grouping = Some(cs[i]);
        i += 1;
    }
    if i < cs.len() && cs[i] == '.' {
        i += 1;
        let start = i;
        while i < cs.len() && cs[i].is_ascii_digit() {
            i += 1;
        }
        s.precision = Some(cs[start..i].iter().collect::<String>().parse().unwrap_or(0).min(1000));
    }
    if i < cs.len() {
        s.ty = Some(cs[i]);
        i += 1;
    }
    if i != cs.len() {
        return Err(it.exc("ValueError", "Invalid format specifier"));
    }
    Ok(s)
}

fn group(digits: &str, sep: char) -> String {
    let mut out = String::new();
    let n = digits.len();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

fn pad(s: &Spec, body: String, default_align: char, sign_prefix: &str) -> String {
    let total = body.chars().count() + sign_prefix.chars().count();
    if total >= s.width {
        return format!("{sign_prefix}{body}");
    }
    let n = s.width - total;
    let (fill, align) = if s.zero && s.align.is_none() { ('0', '=') } else { (s.fill, s.align.unwrap_or(default_align)) };
    let f = |k: usize| fill.to_string().repeat(k);
    match align {
        '<' => format!("{sign_prefix}{body}{}", f(n)),
        '>' => format!("{}{sign_prefix}{body}", f(n)),
        '=' => format!("{sign_prefix}{}{body}", f(n)),
        _ => format!("{}{sign_prefix}{body}{}", f(n / 2), f(n - n / 2)),
    }
}

/// `format(v, spec)`.
pub fn format_value(it: &mut Interp, v: &Value, spec: &str) -> R<String> {
    if let Value::Instance(_) = v {
        if let Some(f) = it.getattr_opt(v, "__format__")? {
            if let Value::Str(s) = it.call(&f, Args::new(vec![Value::str(spec)]))? {
                return Ok(s.to_string());
            }
        }
        if spec.is_empty() {
            return it.str_of(v);
        }
    }
    if spec.is_empty() {
        return it.str_of(v);
    }
    let s = parse_spec(it, spec)?;
    match v {
        Value::Str(text) => {
            if !matches!(s.ty, None | Some('s')) {
                return Err(it.exc("ValueError", format!("Unknown format code '{}' for object of type 'str'", s.ty.unwrap_or(' '))));
            }
            let body: String = match s.precision {
                Some(p) => text.chars().take(p).collect(),
                None => text.to_string(),
            };
            Ok(pad(&s, body, '<', ""))
        }
        Value::Int(_) | Value::Bool(_) if !matches!(s.ty, Some('f' | 'F' | 'e' | 'E' | 'g' | 'G' | '%')) => {
            let i = match v {
                Value::Int(i) => *i,
                Value::Bool(b) => *b as i64,
                _ => 0,
            };
            let digits = match s.ty {
                None | Some('d') | Some('n') => i.unsigned_abs().to_string(),
                Some('x') => format!("{:x}", i.unsigned_abs()),
                Some('X') => format!("{:X}", i.unsigned_abs()),
                Some('o') => format!("{:o}", i.unsigned_abs()),
                Some('b') => format!("{:b}", i.unsigned_abs()),
                Some(c) => return Err(it.exc("ValueError", format!("Unknown format code '{c}' for object of type 'int'"))),
            };
            let digits = match s.grouping {
                Some(g) => group(&digits, g),
                None => digits,
            };
            let sign = if i < 0 { "-" } else if s.sign == '+' { "+" } else if s.sign == ' ' { " " } else { "" };
            Ok(pad(&s, digits, '>', sign))
        }
        Value::Int(_) | Value::Bool(_) | Value::Float(_) => {
            let f = match v {
                Value::Int(i) => *i as f64,
                Value::Bool(b) => *b as i64 as f64,
                Value::Float(f) => *f,
                _ => 0.0,
            };
            let body = match s.ty {
                Some('f') | Some('F') => format!("{:.*}", s.precision.unwrap_or(6), f.abs()),
                Some('%') => format!("{:.*}%", s.precision.unwrap_or(6), f.abs() * 100.0),
                Some('e') | Some('E') => {
                    let t = format!("{:.*e}", s.precision.unwrap_or(6), f.abs());
                    let (m, e) = t.split_once('e').unwrap_or((&t, "0"));
                    let (es, ed) = match e.strip_prefix('-') {
                        Some(d) => ('-', d),
                        None => ('+', e),
                    };
                    let out = format!("{m}e{es}{ed:0>2}");
                    if s.ty == Some('E') {
                        out.to_uppercase()
                    } else {
                        out
                    }
                }
                None if s.precision.is_none() => py_repr_float(f.abs()),
                Some(c) => return Err(it.exc("ValueError", format!("the format code '{c}' for floats is not supported by the playground's evaluator"))),
                None => return Err(it.exc("ValueError", "a float precision without a format code is not supported by the playground's evaluator")),
            };
            let body = match s.grouping {
                Some(g) => {
                    let (int_part, rest) = match body.find(|c: char| !c.is_ascii_digit()) {
                        Some(i) => body.split_at(i),
                        None => (body.as_str(), ""),
                    };
                    format!("{}{rest}", group(int_part, g))
                }
                None => body,
            };
            let neg = f.is_sign_negative() && !(f == 0.0 && s.ty.is_none());
            let sign = if neg { "-" } else if s.sign == '+' { "+" } else if s.sign == ' ' { " " } else { "" };
            Ok(pad(&s, body, '>', sign))
        }
        other => {
            let text = it.str_of(other)?;
            if s.ty.is_some() || s.precision.is_some() {
                return Err(it.type_error(format!("unsupported format string passed to {}.__format__", it.type_name(other))));
            }
            Ok(pad(&s, text, '<', ""))
        }
    }
}

/// `fmt.format(*args, **kwargs)`.
pub fn str_format(it: &mut Interp, fmt: &str, a: &Args) -> R<String> {
    let cs: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut auto = 0usize;
    while i < cs.len() {
        let c = cs[i];
        if c == '{' {
            if cs.get(i + 1) == Some(&'{') {
                out.push('{');
                i += 2;
                continue;
            }
            let mut depth = 1;
            let mut j = i + 1;
            while j < cs.len() && depth > 0 {
                match cs[j] {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                j += 1;
            }
            if depth != 0 {
                return Err(it.exc("ValueError", "Single '{' encountered in format string"));
            }
            let field: String = cs[i + 1..j - 1].iter().collect();
            let (name_conv, spec) = match field.find(':') {
                Some(k) => (field[..k].to_string(), field[k + 1..].to_string()),
                None => (field.clone(), String::new()),
            };
            let (name, conv) = match name_conv.find('!') {
                Some(k) => (name_conv[..k].to_string(), Some(name_conv[k + 1..].to_string())),
                None => (name_conv, None),
            };
            // Nested replacement fields in the spec.
            let spec = if spec.contains('{') { str_format(it, &spec, a)? } else { spec };
            let (head, rest) = match name.find(['.', '[']) {
                Some(k) => (name[..k].to_string(), name[k..].to_string()),
                None => (name.clone(), String::new()),
            };
            let mut v = if head.is_empty() {
                let v = a.pos.get(auto).cloned().ok_or_else(|| it.exc("IndexError", format!("Replacement index {auto} out of range for positional args tuple")))?;
                auto += 1;
                v
            } else if let Ok(n) = head.parse::<usize>() {
                a.pos.get(n).cloned().ok_or_else(|| it.exc("IndexError", format!("Replacement index {n} out of range for positional args tuple")))?
            } else {
                a.kwarg(&head).cloned().ok_or_else(|| it.exc("KeyError", format!("'{head}'")))?
            };
            let mut r = rest.as_str();
            while !r.is_empty() {
                if let Some(x) = r.strip_prefix('.') {
                    let end = x.find(['.', '[']).unwrap_or(x.len());
                    v = it.getattr(&v, &x[..end])?;
                    r = &x[end..];
                } else if let Some(x) = r.strip_prefix('[') {
                    let end = x.find(']').ok_or_else(|| it.exc("ValueError", "Missing ']' in format string"))?;
                    let key = &x[..end];
                    let k = match key.parse::<i64>() {
                        Ok(n) => Value::Int(n),
                        Err(_) => Value::str(key),
                    };
                    v = it.getitem(&v, k)?;
                    r = &x[end + 1..];
                } else {
                    return Err(it.exc("ValueError", "Only '.' or '[' may follow ']' in format field specifier"));
                }
            }
            let v = match conv.as_deref() {
                None => v,
                Some("r") => Value::str(&it.repr(&v)?),
                Some("s") => Value::str(&it.str_of(&v)?),
                Some("a") => Value::str(&super::builtins::ascii_of(&it.repr(&v)?)),
                Some(c) => return Err(it.exc("ValueError", format!("Unknown conversion specifier {c}"))),
            };
            out.push_str(&format_value(it, &v, &spec)?);
            i = j;
        } else if c == '}' {
            if cs.get(i + 1) == Some(&'}') {
                out.push('}');
                i += 2;
                continue;
            }
            return Err(it.exc("ValueError", "Single '}' encountered in format string"));
        } else {
            out.push(c);
            i += 1;
        }
    }
    Ok(out)
}

/// `fmt % args`.
pub fn percent_format(it: &mut Interp, fmt: &str, args: &Value) -> R<String> {
    let items: Vec<Value> = match args {
        Value::Tuple(t) => t.to_vec(),
        other => vec![other.clone()],
    };
    let mapping = matches!(args, Value::Dict(_));
    let cs: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut next = 0;
    while i < cs.len() {
        if cs[i] != '%' {
            out.push(cs[i]);
            i += 1;
            continue;
        }
        i += 1;
        let mut key = None;
        if cs.get(i) == Some(&'(') {
            let end = cs[i..].iter().position(|c| *c == ')').map(|p| p + i).ok_or_else(|| it.exc("ValueError", "incomplete format key"))?;
            key = Some(cs[i + 1..end].iter().collect::<String>());
            i = end + 1;
        }
        let start = i;
        while i < cs.len() && matches!(cs[i], '-' | '+' | ' ' | '0' | '#' | '.' | '0'..='9') {
            i += 1;
        }
        let flags: String = cs[start..i].iter().collect();
        let Some(&conv) = cs.get(i) else {
            return Err(it.exc("ValueError", "incomplete format"));
        };
        i += 1;
        if conv == '%' {
            out.push('%');
            continue;
        }
        let v = match &key {
            Some(k) => {
                if !mapping {
                    return Err(it.type_error("format requires a mapping"));
                }
                it.getitem(args, Value::str(k))?
            }
            None => {
                let v = if mapping && items.len() == 1 { items[0].clone() } else {
                    items.get(next).cloned().ok_or_else(|| it.type_error("not enough arguments for format string"))?
                };
                next += 1;
                v
            }
        };
        // `%-10s` → spec `<10`, `%05d` → `05`, `%.2f` → `.2f`.
        let (left, rest) = match flags.strip_prefix('-') {
            Some(r) => (true, r.to_string()),
            None => (false, flags.clone()),
        };
        let spec_prefix = if left { "<" } else { "" };
        let text = match conv {
            's' | 'r' => {
                let text = if conv == 's' { it.str_of(&v)? } else { it.repr(&v)? };
                let spec = if rest.is_empty() { String::new() } else if left { format!("<{rest}") } else { format!(">{rest}") };
                format_value(it, &Value::str(&text), &spec)?
            }
            'd' | 'i' | 'u' => {
                let n = match &v {
                    Value::Float(f) => Value::Int(f.trunc() as i64),
                    other => other.clone(),
                };
                if !matches!(n, Value::Int(_) | Value::Bool(_)) {
                    return Err(it.type_error(format!("%{conv} format: a real number is required, not {}", it.type_name(&n))));
                }
                format_value(it, &n, &format!("{spec_prefix}{rest}d"))?
            }
            'f' | 'F' | 'e' | 'E' | 'x' | 'X' | 'o' => {
                let spec = if rest.contains('.') || !matches!(conv, 'f' | 'F' | 'e' | 'E') { format!("{spec_prefix}{rest}{conv}") } else { format!("{spec_prefix}{rest}.6{conv}") };
                format_value(it, &v, &spec)?
            }
            c => return Err(it.exc("ValueError", format!("unsupported format character '{c}'"))),
        };
        out.push_str(&text);
    }
    if !mapping && next < items.len() && matches!(args, Value::Tuple(_)) {
        return Err(it.type_error("not all arguments converted during string formatting"));
    }
    if !mapping && !matches!(args, Value::Tuple(_)) && next == 0 {
        return Err(it.type_error("not all arguments converted during string formatting"));
    }
    Ok(out)
}
