//! Python's `repr` of strings and floats: the one copy of that knowledge,
//! used by the evaluator and by the script renderer.
//!
//! Invariants: output is byte-identical to CPython 3's `repr` for `str`
//! (quote choice, escapes) and `float` (shortest round-trip digits).

use super::value::Value;

/// Python's `repr(float)`: shortest round-trip digits, `.0` for integral
/// values, exponent form outside `1e-4 <= |x| < 1e16`.
pub fn py_repr_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".to_string() } else { "-inf".to_string() };
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e16).contains(&abs) {
        // Rust: "1e20" / "1.5e-7"; Python: "1e+20" / "1.5e-07"
        let s = format!("{f:e}");
        if let Some((mant, exp)) = s.split_once('e') {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ("-", d),
                None => ("+", exp),
            };
            let digits = if digits.len() < 2 { format!("0{digits}") } else { digits.to_string() };
            return format!("{mant}e{sign}{digits}");
        }
        return s;
    }
    let s = format!("{f}");
    if s.contains('.') {
        s
    } else {
        format!("{s}.0")
    }
}

/// Python's `repr(str)`: single quotes unless the text has `'` and no `"`;
/// `\\`, the quote, `\n`, `\r`, `\t` escaped; other non-printable characters
/// as `\xNN`, `\uNNNN` or `\UNNNNNNNN`.
pub fn py_repr_str(s: &str) -> String {
    // Printable ASCII without a quote or a backslash is written as it is.
    if s.bytes().all(|b| (b' '..=b'~').contains(&b) && b != b'\'' && b != b'\\') {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('\'');
        out.push_str(s);
        out.push('\'');
        return out;
    }
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !is_printable(c) => {
                let n = c as u32;
                if n <= 0xff {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `repr()` of a tuple of strings: `('a',)`, `('a', 'b')`, `()`.
pub fn py_repr_str_tuple<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [one] => format!("({},)", py_repr_str(one.as_ref())),
        _ => format!("({})", items.iter().map(|s| py_repr_str(s.as_ref())).collect::<Vec<_>>().join(", ")),
    }
}

/// An approximation of Python's `str.isprintable()` for one character:
/// control characters, separators other than the ASCII space, format
/// characters and private-use code points are not printable.
fn is_printable(c: char) -> bool {
    let n = c as u32;
    if c == ' ' {
        return true;
    }
    if c.is_control() {
        return false;
    }
    let not_printable = matches!(n,
        0xa0 | 0xad | 0x34f | 0x61c | 0x115f | 0x1160 | 0x1680 | 0x180e
        | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x206f | 0x3000 | 0x3164
        | 0xd800..=0xf8ff | 0xfe00..=0xfe0f | 0xfeff | 0xffa0 | 0xfff0..=0xfffb
        | 0xe0000..=0xe0fff | 0xf0000..=0x10ffff);
    !not_printable
}


/// Python's last traceback line: `Class: message`, or `Class` alone for an
/// exception raised without a message.
pub fn exception_line(class: &str, message: &str) -> String {
    if message.is_empty() {
        class.to_string()
    } else {
        format!("{class}: {message}")
    }
}

/// A context-free repr for debugging (no user `__repr__` is called).
pub fn repr_shallow(v: &Value) -> String {
    match v {
        Value::None => "None".into(),
        Value::Bool(b) => if *b { "True".into() } else { "False".into() },
        Value::Int(i) => i.to_string(),
        Value::Float(f) => py_repr_float(*f),
        Value::Str(s) => py_repr_str(s),
        Value::Class(c) => format!("<class '{}'>", c.name),
        Value::Instance(i) => format!("<{} object>", i.class.name),
        Value::Module(m) => format!("<module '{}'>", m.name),
        Value::Function(f) => format!("<function {}>", f.qualname),
        Value::Builtin(b) => format!("<built-in function {}>", b.name),
        Value::Tuple(t) => format!("({})", t.iter().map(repr_shallow).collect::<Vec<_>>().join(", ")),
        Value::List(l) => format!("[{}]", l.borrow().iter().map(repr_shallow).collect::<Vec<_>>().join(", ")),
        _ => "<value>".into(),
    }
}

/// `json.dumps(s)` with its defaults (`ensure_ascii=True`): `"`, `\\` and the
/// short escapes, everything else outside printable ASCII as `\\uXXXX`
/// UTF-16 units.
pub fn write_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{:04x}", unit));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::py_repr_float;

    #[test]
    fn floats_render_as_python_repr() {
        assert_eq!(py_repr_float(2.5), "2.5");
        assert_eq!(py_repr_float(1e-5), "1e-05");
        assert_eq!(py_repr_float(2.5e20), "2.5e+20");
        assert_eq!(py_repr_float(3.0), "3.0");
        assert_eq!(py_repr_float(-0.001), "-0.001");
        assert_eq!(py_repr_float(1e15), "1000000000000000.0");
        assert_eq!(py_repr_float(1e16), "1e+16");
    }
}
