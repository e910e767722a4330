//! The `re` module for str patterns, as Python 3.11's `sre` matches them:
//! the pattern syntax (classes, groups named and numbered, backreferences,
//! lookahead and fixed-width lookbehind, greedy and lazy repeats, inline
//! and scoped flags, VERBOSE), the module functions, `Pattern` and `Match`.
//!
//! Invariants:
//! - Positions are code-point indexes, as Python's are; the subject is
//!   matched as a `Vec<char>`.
//! - Matching is a backtracking machine over a compiled program, like
//!   `sre`: the leftmost match, alternatives in order, repeats greedy or
//!   lazy as written. A match that `sre` would reject (empty at the start
//!   of a search that must advance, not reaching the end of a `fullmatch`)
//!   is rejected at the `Match` instruction, so backtracking goes on.
//! - `\d` is Unicode's Nd (the table below, from Python 3.11's Unicode
//!   14.0); `\w` is `_` or `str.isalnum()`; `\s` is `str.isspace()`; the
//!   `ASCII` flag narrows all three and `\b`.
//! - What `sre` has and this does not (bytes patterns, atomic groups,
//!   possessive repeats, conditional groups, `\N{...}`, the LOCALE flag) is
//!   `NotImplementedError`; syntax errors are `re.error` with `sre`'s
//!   message and position.
//! - Matching costs evaluation steps (one per 64 instructions), so a
//!   catastrophic pattern stops at the evaluator's step limit.
//! - Known differences in what prints: `Pattern.groupindex` is a dict
//!   (Python's a mappingproxy) and the flags are ints (Python's
//!   `RegexFlag` prints as `re.IGNORECASE`).

use std::rc::Rc;

use super::builtins::{native_fn, new_plain_class};
use super::eval::{Args, Interp, R};
use super::value::*;

const I: i64 = 2;
const L: i64 = 4;
const M: i64 = 8;
const S: i64 = 16;
const U: i64 = 32;
const X: i64 = 64;
const A: i64 = 256;

/// The first code point of each run of ten Nd digits (0-9).
const ND_STARTS: &[u32] = &[
    0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xde6, 0xe50, 0xed0, 0xf20, 0x1040,
    0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0,
    0xaa50, 0xabf0, 0xff10, 0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0,
    0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0, 0x16a60, 0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6,
    0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
];

fn is_digit(c: char, ascii: bool) -> bool {
    if c.is_ascii() || ascii {
        return c.is_ascii_digit();
    }
    let n = c as u32;
    let i = ND_STARTS.partition_point(|&s| s <= n);
    i > 0 && n - ND_STARTS[i - 1] < 10
}

fn is_word(c: char, ascii: bool) -> bool {
    if c.is_ascii() || ascii {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    c.is_alphanumeric()
}

fn is_space(c: char, ascii: bool) -> bool {
    if c.is_ascii() || ascii {
        return matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c') || (!ascii && ('\x1c'..='\x1f').contains(&c));
    }
    c.is_whitespace()
}

/// Simple case folding, as `sre` compares under IGNORECASE.
fn fold(c: char) -> char {
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(f), None) => f,
        _ => c,
    }
}

// ----- syntax ------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Builtin {
    Digit,
    Word,
    Space,
}

#[derive(Clone, Debug)]
enum Item {
    Range(char, char),
    Class(Builtin, bool),
}

#[derive(Clone, Debug)]
struct Set {
    items: Vec<Item>,
    negate: bool,
    icase: bool,
    ascii: bool,
}

impl Set {
    fn contains(&self, c: char) -> bool {
        let test = |c: char| {
            self.items.iter().any(|i| match *i {
                Item::Range(a, b) => a <= c && c <= b,
                Item::Class(k, neg) => {
                    let hit = match k {
                        Builtin::Digit => is_digit(c, self.ascii),
                        Builtin::Word => is_word(c, self.ascii),
                        Builtin::Space => is_space(c, self.ascii),
                    };
                    hit != neg
                }
            })
        };
        let hit = test(c) || (self.icase && (test(fold(c)) || c.to_uppercase().any(test)));
        hit != self.negate
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Anchor {
    /// `^` (after any newline with MULTILINE).
    LineStart { multiline: bool },
    /// `$`: the end, or before a final newline (before any, MULTILINE).
    LineEnd { multiline: bool },
    /// `\A`
    Start,
    /// `\Z`
    End,
    Boundary { ascii: bool, negate: bool },
}

#[derive(Clone, Debug)]
enum Node {
    Empty,
    Char(char, bool),
    Any { dotall: bool },
    Set(Rc<Set>),
    Anchor(Anchor),
    Group(Option<usize>, Box<Node>),
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat { node: Box<Node>, min: u32, max: Option<u32>, greedy: bool },
    Backref(usize, bool),
    Look { node: Box<Node>, ahead: bool, negate: bool },
}

impl Node {
    /// The number of characters every match takes, if fixed.
    fn width(&self) -> Option<usize> {
        match self {
            Node::Empty | Node::Anchor(_) | Node::Look { .. } => Some(0),
            Node::Char(..) | Node::Any { .. } | Node::Set(_) => Some(1),
            Node::Group(_, n) => n.width(),
            Node::Concat(v) => v.iter().map(Node::width).sum(),
            Node::Alt(v) => {
                let w = v.first()?.width()?;
                v.iter().all(|n| n.width() == Some(w)).then_some(w)
            }
            Node::Repeat { node, min, max, .. } => (Some(*min) == *max).then(|| node.width().map(|w| w * *min as usize)).flatten(),
            Node::Backref(..) => None,
        }
    }
}

/// A syntax error: `sre`'s message and the position it names.
struct SyntaxError {
    message: String,
    position: Option<usize>,
}

enum ParseError {
    Syntax(SyntaxError),
    Unsupported(String),
}

type P<T> = Result<T, ParseError>;

struct Parser<'a> {
    s: &'a [char],
    i: usize,
    flags: i64,
    groups: usize,
    names: Vec<(String, usize)>,
    /// Groups whose `)` has been read (a backreference must name one).
    closed: Vec<usize>,
    /// Open parentheses around the cursor.
    depth: usize,
}

/// Parentheses nested deeper than this are refused (the parser, the
/// compiler and lookaround matching recurse on them).
const MAX_DEPTH: usize = 200;

fn syntax<T>(message: impl Into<String>, position: usize) -> P<T> {
    Err(ParseError::Syntax(SyntaxError { message: message.into(), position: Some(position) }))
}

fn unsupported<T>(what: impl Into<String>) -> P<T> {
    Err(ParseError::Unsupported(what.into()))
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }
    fn at(&self, text: &str) -> bool {
        let t: Vec<char> = text.chars().collect();
        self.s[self.i..].starts_with(&t)
    }
    fn verbose(&self) -> bool {
        self.flags & X != 0
    }
    fn skip_verbose(&mut self) {
        if !self.verbose() {
            return;
        }
        while let Some(c) = self.peek() {
            if c.is_whitespace() {
                self.i += 1;
            } else if c == '#' {
                while self.peek().is_some_and(|c| c != '\n') {
                    self.i += 1;
                }
            } else {
                break;
            }
        }
    }

    fn alternation(&mut self, flags: i64) -> P<Node> {
        let mut branches = vec![self.sequence(flags)?];
        while self.peek() == Some('|') {
            self.i += 1;
            branches.push(self.sequence(flags)?);
        }
        Ok(if branches.len() == 1 { branches.pop().unwrap_or(Node::Empty) } else { Node::Alt(branches) })
    }

    fn sequence(&mut self, flags: i64) -> P<Node> {
        let mut items: Vec<Node> = Vec::new();
        loop {
            self.skip_verbose();
            let start = self.i;
            let Some(c) = self.peek() else { break };
            if c == '|' || c == ')' {
                break;
            }
            if matches!(c, '*' | '+' | '?') || (c == '{' && self.quantifier_braces().is_some()) {
                return syntax("nothing to repeat", start);
            }
            let atom = self.atom(flags)?;
            let atom = self.repeats(atom, start)?;
            items.push(atom);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(items),
        })
    }

    /// `{m}`, `{m,}`, `{,n}`, `{m,n}` at the cursor: (min, max, length).
    fn quantifier_braces(&self) -> Option<(u32, Option<u32>, usize)> {
        let rest = &self.s[self.i..];
        let close = rest.iter().position(|&c| c == '}')?;
        let body: String = rest[1..close].iter().collect();
        let (lo, hi) = match body.split_once(',') {
            Some((lo, hi)) => (lo, Some(hi)),
            None => (body.as_str(), None),
        };
        let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
        if !digits(lo) || !hi.is_none_or(digits) || (lo.is_empty() && hi.is_none()) {
            return None;
        }
        let min = if lo.is_empty() { 0 } else { lo.parse().ok()? };
        let max = match hi {
            None => Some(min),
            Some("") => None,
            Some(h) => Some(h.parse().ok()?),
        };
        Some((min, max, close + 1))
    }

    fn repeats(&mut self, mut atom: Node, start: usize) -> P<Node> {
        let mut repeated = false;
        loop {
            self.skip_verbose();
            let at = self.i;
            let (min, max) = match self.peek() {
                Some('*') => {
                    self.i += 1;
                    (0, None)
                }
                Some('+') => {
                    self.i += 1;
                    (1, None)
                }
                Some('?') => {
                    self.i += 1;
                    (0, Some(1))
                }
                Some('{') => match self.quantifier_braces() {
                    Some((min, max, len)) => {
                        if max.is_some_and(|m| m < min) {
                            return syntax("min repeat greater than max repeat", at + 1);
                        }
                        self.i += len;
                        (min, max)
                    }
                    None => return Ok(atom),
                },
                _ => return Ok(atom),
            };
            if repeated {
                return syntax("multiple repeat", at);
            }
            if matches!(atom, Node::Anchor(_)) || matches!(&atom, Node::Empty) {
                return syntax("nothing to repeat", start);
            }
            let greedy = if self.peek() == Some('?') {
                self.i += 1;
                false
            } else if self.peek() == Some('+') {
                return unsupported("a possessive repeat (*+, ++, ?+)");
            } else {
                true
            };
            atom = Node::Repeat { node: Box::new(atom), min, max, greedy };
            repeated = true;
        }
    }

    fn atom(&mut self, flags: i64) -> P<Node> {
        let start = self.i;
        let icase = flags & I != 0;
        let c = self.peek().unwrap_or('\0');
        self.i += 1;
        Ok(match c {
            '.' => Node::Any { dotall: flags & S != 0 },
            '^' => Node::Anchor(Anchor::LineStart { multiline: flags & M != 0 }),
            '$' => Node::Anchor(Anchor::LineEnd { multiline: flags & M != 0 }),
            '[' => Node::Set(Rc::new(self.set(flags, start)?)),
            '(' => return self.group(flags, start),
            '\\' => self.escape(flags, start)?,
            c => Node::Char(c, icase),
        })
    }

    fn group(&mut self, flags: i64, start: usize) -> P<Node> {
        if self.depth >= MAX_DEPTH {
            return unsupported(format!("parentheses nested more than {MAX_DEPTH} deep"));
        }
        self.depth += 1;
        let node = self.group_body(flags, start);
        self.depth -= 1;
        node
    }

    fn group_body(&mut self, flags: i64, start: usize) -> P<Node> {
        if self.peek() != Some('?') {
            self.groups += 1;
            let n = self.groups;
            let body = self.alternation(flags)?;
            self.close(start)?;
            self.closed.push(n);
            return Ok(Node::Group(Some(n), Box::new(body)));
        }
        self.i += 1;
        if self.at("P<") {
            self.i += 2;
            let name_at = self.i;
            let name = self.name_until('>', name_at)?;
            if self.names.iter().any(|(n, _)| *n == name) {
                return syntax(format!("redefinition of group name '{name}' as group {}; was group {}", self.groups + 1, self.names.iter().find(|(n, _)| *n == name).map(|x| x.1).unwrap_or(0)), name_at);
            }
            self.groups += 1;
            let n = self.groups;
            self.names.push((name, n));
            let body = self.alternation(flags)?;
            self.close(start)?;
            self.closed.push(n);
            return Ok(Node::Group(Some(n), Box::new(body)));
        }
        if self.at("P=") {
            self.i += 2;
            let name_at = self.i;
            let name = self.name_until(')', name_at)?;
            let Some(&(_, n)) = self.names.iter().find(|(x, _)| *x == name) else {
                return syntax(format!("unknown group name '{name}'"), name_at);
            };
            if !self.closed.contains(&n) {
                return syntax("cannot refer to an open group", name_at - 3);
            }
            return Ok(Node::Backref(n, flags & I != 0));
        }
        let look = |p: &Self| -> Option<(bool, bool, usize)> {
            [("=", true, false), ("!", true, true), ("<=", false, false), ("<!", false, true)]
                .into_iter()
                .find(|(t, _, _)| p.at(t))
                .map(|(t, ahead, negate)| (ahead, negate, t.len()))
        };
        if let Some((ahead, negate, len)) = look(self) {
            self.i += len;
            let body = self.alternation(flags)?;
            self.close(start)?;
            if !ahead && body.width().is_none() {
                return Err(ParseError::Syntax(SyntaxError { message: "look-behind requires fixed-width pattern".into(), position: None }));
            }
            return Ok(Node::Look { node: Box::new(body), ahead, negate });
        }
        match self.peek() {
            Some(':') => {
                self.i += 1;
                let body = self.alternation(flags)?;
                self.close(start)?;
                Ok(Node::Group(None, Box::new(body)))
            }
            Some('#') => {
                while self.peek().is_some_and(|c| c != ')') {
                    self.i += 1;
                }
                if self.peek().is_none() {
                    return syntax("missing ), unterminated comment", start);
                }
                self.i += 1;
                Ok(Node::Empty)
            }
            Some('>') => unsupported("an atomic group (?>...)"),
            Some('(') => unsupported("a conditional group (?(id)yes|no)"),
            Some(c) if c == '-' || "aiLmsux".contains(c) => self.inline_flags(flags, start),
            Some('P') => syntax(format!("unknown extension ?P{}", self.s.get(self.i + 1).map(|c| c.to_string()).unwrap_or_default()), start + 1),
            Some(c) => syntax(format!("unknown extension ?{c}"), start + 1),
            None => syntax("unexpected end of pattern", self.i),
        }
    }

    fn inline_flags(&mut self, flags: i64, start: usize) -> P<Node> {
        let letter = |c: char| match c {
            'a' => Some(A),
            'i' => Some(I),
            'L' => Some(L),
            'm' => Some(M),
            's' => Some(S),
            'u' => Some(U),
            'x' => Some(X),
            _ => None,
        };
        let (mut on, mut off) = (0, 0);
        while let Some(f) = self.peek().and_then(letter) {
            on |= f;
            self.i += 1;
        }
        if self.peek() == Some('-') {
            self.i += 1;
            while let Some(f) = self.peek().and_then(letter) {
                off |= f;
                self.i += 1;
            }
        }
        if (on | off) & L != 0 {
            return unsupported("the LOCALE flag");
        }
        match self.peek() {
            Some(')') if off == 0 => {
                // global flags: Python 3.11 takes them only at the start
                if start != 0 {
                    return syntax("global flags not at the start of the expression", start);
                }
                self.i += 1;
                self.flags |= on;
                Ok(Node::Empty)
            }
            Some(':') => {
                self.i += 1;
                let body = self.alternation((flags | on) & !off)?;
                self.close(start)?;
                Ok(Node::Group(None, Box::new(body)))
            }
            Some(')') => syntax("missing :", self.i),
            Some(c) if c.is_alphabetic() => syntax("unknown flag", self.i),
            _ => syntax("missing -, : or )", self.i),
        }
    }

    fn name_until(&mut self, end: char, at: usize) -> P<String> {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            self.i += 1;
            if c == end {
                let ok = name.chars().next().is_some_and(|c| c == '_' || c.is_alphabetic()) && name.chars().all(|c| c == '_' || c.is_alphanumeric());
                if name.is_empty() {
                    return syntax("missing group name", at);
                }
                if !ok {
                    return syntax(format!("bad character in group name '{name}'"), at);
                }
                return Ok(name);
            }
            name.push(c);
        }
        syntax(format!("missing {end}, unterminated name"), at)
    }

    fn close(&mut self, start: usize) -> P<()> {
        if self.peek() != Some(')') {
            return syntax("missing ), unterminated subpattern", start);
        }
        self.i += 1;
        Ok(())
    }

    /// `\x` outside a class (`start` is the backslash).
    fn escape(&mut self, flags: i64, start: usize) -> P<Node> {
        let ascii = flags & A != 0;
        let Some(c) = self.peek() else { return syntax("bad escape (end of pattern)", start) };
        self.i += 1;
        let set = |b: Builtin, neg: bool| Node::Set(Rc::new(Set { items: vec![Item::Class(b, false)], negate: neg, icase: false, ascii }));
        Ok(match c {
            'd' => set(Builtin::Digit, false),
            'D' => set(Builtin::Digit, true),
            'w' => set(Builtin::Word, false),
            'W' => set(Builtin::Word, true),
            's' => set(Builtin::Space, false),
            'S' => set(Builtin::Space, true),
            'A' => Node::Anchor(Anchor::Start),
            'Z' => Node::Anchor(Anchor::End),
            'b' => Node::Anchor(Anchor::Boundary { ascii, negate: false }),
            'B' => Node::Anchor(Anchor::Boundary { ascii, negate: true }),
            '1'..='9' => {
                // up to two digits name a group; three octal digits are a character
                let mut digits = c.to_string();
                if let Some(d) = self.peek().filter(char::is_ascii_digit) {
                    digits.push(d);
                    self.i += 1;
                    if let Some(e) = self.peek().filter(|e| ('0'..='7').contains(e)) {
                        if digits.chars().all(|d| ('0'..='7').contains(&d)) {
                            digits.push(e);
                            self.i += 1;
                            let v = u32::from_str_radix(&digits, 8).unwrap_or(0);
                            if v > 0o377 {
                                return syntax(format!("octal escape value \\{digits} outside of range 0-0o377"), start);
                            }
                            return Ok(Node::Char(char::from_u32(v).unwrap_or('\0'), flags & I != 0));
                        }
                    }
                }
                let n: usize = digits.parse().unwrap_or(0);
                if !self.closed.contains(&n) {
                    if n <= self.groups {
                        return syntax("cannot refer to an open group", start);
                    }
                    return syntax(format!("invalid group reference {n}"), start + 1);
                }
                Node::Backref(n, flags & I != 0)
            }
            _ => Node::Char(self.char_escape(c, start)?, flags & I != 0),
        })
    }

    /// An escape that stands for one character (`c` follows the backslash).
    fn char_escape(&mut self, c: char, start: usize) -> P<char> {
        let hex = |p: &mut Self, n: usize| -> P<char> {
            let digits: String = p.s[p.i..].iter().take(n).collect();
            if digits.chars().count() < n || !digits.chars().all(|d| d.is_ascii_hexdigit()) {
                return syntax(format!("incomplete escape \\{c}{digits}"), start);
            }
            p.i += n;
            let v = u32::from_str_radix(&digits, 16).unwrap_or(0);
            match char::from_u32(v) {
                Some(ch) => Ok(ch),
                None => syntax(format!("bad escape \\{c}{digits}"), start),
            }
        };
        Ok(match c {
            'a' => '\x07',
            'f' => '\x0c',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\x0b',
            'x' => hex(self, 2)?,
            'u' => hex(self, 4)?,
            'U' => hex(self, 8)?,
            'N' => return unsupported("\\N{...} in a pattern"),
            '0' => {
                let mut v = 0u32;
                for _ in 0..2 {
                    match self.peek().filter(|d| ('0'..='7').contains(d)) {
                        Some(d) => {
                            v = v * 8 + d.to_digit(8).unwrap_or(0);
                            self.i += 1;
                        }
                        None => break,
                    }
                }
                char::from_u32(v).unwrap_or('\0')
            }
            c if c.is_ascii_alphanumeric() => return syntax(format!("bad escape \\{c}"), start),
            c => c,
        })
    }

    fn set(&mut self, flags: i64, start: usize) -> P<Set> {
        let ascii = flags & A != 0;
        let mut set = Set { items: Vec::new(), negate: false, icase: flags & I != 0, ascii };
        if self.peek() == Some('^') {
            set.negate = true;
            self.i += 1;
        }
        let mut first = true;
        loop {
            let at = self.i;
            let Some(c) = self.peek() else { return syntax("unterminated character set", start) };
            self.i += 1;
            if c == ']' && !first {
                return Ok(set);
            }
            first = false;
            let lo = if c == '\\' {
                let Some(e) = self.peek() else { return syntax("unterminated character set", start) };
                self.i += 1;
                let class = match e {
                    'd' => Some((Builtin::Digit, false)),
                    'D' => Some((Builtin::Digit, true)),
                    'w' => Some((Builtin::Word, false)),
                    'W' => Some((Builtin::Word, true)),
                    's' => Some((Builtin::Space, false)),
                    'S' => Some((Builtin::Space, true)),
                    _ => None,
                };
                if let Some((b, neg)) = class {
                    // a class cannot start a range
                    if self.peek() == Some('-') && self.s.get(self.i + 1).is_some_and(|&n| n != ']') {
                        let to = self.i + 1 + if self.s.get(self.i + 1) == Some(&'\\') { 2 } else { 1 };
                        let shown: String = self.s[at..to.min(self.s.len())].iter().collect();
                        return syntax(format!("bad character range {shown}"), at);
                    }
                    set.items.push(Item::Class(b, neg));
                    continue;
                }
                match e {
                    'b' => '\x08',
                    '1'..='7' => {
                        // an octal escape of up to three digits (a group reference has no meaning here)
                        let mut v = e.to_digit(8).unwrap_or(0);
                        let mut n = 1;
                        while n < 3 && self.peek().is_some_and(|d| ('0'..='7').contains(&d)) {
                            v = v * 8 + self.peek().and_then(|d| d.to_digit(8)).unwrap_or(0);
                            self.i += 1;
                            n += 1;
                        }
                        if v > 0o377 {
                            return syntax(format!("octal escape value \\{} outside of range 0-0o377", &self.s[at + 1..self.i].iter().collect::<String>()), at);
                        }
                        char::from_u32(v).unwrap_or('\0')
                    }
                    '8' | '9' => return syntax(format!("bad escape \\{e}"), at),
                    _ => self.char_escape(e, at)?,
                }
            } else {
                c
            };
            if self.peek() == Some('-') && self.s.get(self.i + 1).is_some_and(|&n| n != ']') {
                self.i += 1;
                let hi_at = self.i;
                let h = self.peek().unwrap_or('\0');
                self.i += 1;
                let hi = if h == '\\' {
                    let Some(e) = self.peek() else { return syntax("unterminated character set", start) };
                    self.i += 1;
                    if "dDwWsS".contains(e) {
                        return syntax(format!("bad character range {lo}-\\{e}"), at);
                    }
                    if e == 'b' { '\x08' } else { self.char_escape(e, hi_at)? }
                } else {
                    h
                };
                if hi < lo {
                    let shown: String = self.s[at..self.i].iter().collect();
                    return syntax(format!("bad character range {shown}"), at);
                }
                set.items.push(Item::Range(lo, hi));
            } else {
                set.items.push(Item::Range(lo, lo));
            }
        }
    }
}

// ----- program -----------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Inst {
    Char(char),
    CharFold(char),
    Any { dotall: bool },
    Set(Rc<Set>),
    Anchor(Anchor),
    /// Try the next instruction, then `alt`.
    Split(usize),
    /// Try `alt`, then the next instruction (a lazy repeat).
    SplitLazy(usize),
    Jmp(usize),
    Save(usize),
    /// Store the position in register `r` (an iteration's start)...
    Mark(usize),
    /// ...and, if the iteration consumed nothing, leave the loop for
    /// `exit` (as `sre` does: the empty iteration counts, no other follows).
    Progress { reg: usize, exit: usize },
    Backref(usize, bool),
    /// A lookaround whose body is `start..end` (ending in `Match`).
    Look { ahead: bool, negate: bool, width: usize, start: usize },
    Match,
}

struct Compiler {
    prog: Vec<Inst>,
    registers: usize,
}

/// A compiled program larger than this is refused (a `{1000}` of a large
/// group, say).
const MAX_PROGRAM: usize = 200_000;

impl Compiler {
    fn emit(&mut self, i: Inst) -> usize {
        self.prog.push(i);
        self.prog.len() - 1
    }

    fn node(&mut self, n: &Node) -> Result<(), String> {
        if self.prog.len() > MAX_PROGRAM {
            return Err("a pattern this large".into());
        }
        match n {
            Node::Empty => {}
            Node::Char(c, icase) => {
                self.emit(if *icase { Inst::CharFold(fold(*c)) } else { Inst::Char(*c) });
            }
            Node::Any { dotall } => {
                self.emit(Inst::Any { dotall: *dotall });
            }
            Node::Set(s) => {
                self.emit(Inst::Set(s.clone()));
            }
            Node::Anchor(a) => {
                self.emit(Inst::Anchor(*a));
            }
            Node::Group(index, body) => {
                if let Some(g) = index {
                    self.emit(Inst::Save(2 * g));
                }
                self.node(body)?;
                if let Some(g) = index {
                    self.emit(Inst::Save(2 * g + 1));
                }
            }
            Node::Concat(v) => {
                for x in v {
                    self.node(x)?;
                }
            }
            Node::Alt(v) => {
                let mut jumps = Vec::new();
                for (k, x) in v.iter().enumerate() {
                    if k + 1 < v.len() {
                        let split = self.emit(Inst::Split(0));
                        self.node(x)?;
                        jumps.push(self.emit(Inst::Jmp(0)));
                        let next = self.prog.len();
                        self.prog[split] = Inst::Split(next);
                    } else {
                        self.node(x)?;
                    }
                }
                let end = self.prog.len();
                for j in jumps {
                    self.prog[j] = Inst::Jmp(end);
                }
            }
            Node::Repeat { node, min, max, greedy } => {
                for _ in 0..*min {
                    self.node(node)?;
                }
                match max {
                    None => {
                        // loop: split body (progress) jmp loop
                        let r = self.registers;
                        self.registers += 1;
                        let top = self.emit(Inst::Split(0));
                        self.emit(Inst::Mark(r));
                        self.node(node)?;
                        // an iteration that consumed nothing ends the loop
                        let progress = self.emit(Inst::Progress { reg: r, exit: 0 });
                        self.emit(Inst::Jmp(top));
                        let end = self.prog.len();
                        self.prog[top] = if *greedy { Inst::Split(end) } else { Inst::SplitLazy(end) };
                        self.prog[progress] = Inst::Progress { reg: r, exit: end };
                    }
                    Some(max) => {
                        let mut splits = Vec::new();
                        for _ in *min..*max {
                            splits.push(self.emit(Inst::Split(0)));
                            self.node(node)?;
                            if self.prog.len() > MAX_PROGRAM {
                                return Err("a pattern this large".into());
                            }
                        }
                        let end = self.prog.len();
                        for s in splits {
                            self.prog[s] = if *greedy { Inst::Split(end) } else { Inst::SplitLazy(end) };
                        }
                    }
                }
            }
            Node::Backref(g, icase) => {
                self.emit(Inst::Backref(*g, *icase));
            }
            Node::Look { node, ahead, negate } => {
                // the body is compiled after a jump over it
                let jmp = self.emit(Inst::Jmp(0));
                let start = self.prog.len();
                self.node(node)?;
                self.emit(Inst::Match);
                let end = self.prog.len();
                self.prog[jmp] = Inst::Jmp(end);
                let width = node.width().unwrap_or(0);
                self.emit(Inst::Look { ahead: *ahead, negate: *negate, width, start });
            }
        }
        Ok(())
    }
}

/// A compiled pattern.
pub struct Regex {
    pattern: String,
    flags: i64,
    prog: Vec<Inst>,
    groups: usize,
    names: Vec<(String, usize)>,
    registers: usize,
}

enum CompileError {
    Syntax(SyntaxError),
    Unsupported(String),
}

fn compile(pattern: &str, flags: i64) -> Result<Regex, CompileError> {
    let chars: Vec<char> = pattern.chars().collect();
    // a global VERBOSE flag changes how the whole pattern reads
    let verbose = flags & X != 0 || pattern.starts_with("(?") && chars.iter().skip(2).take_while(|c| c.is_ascii_alphabetic()).any(|&c| c == 'x');
    let mut p = Parser { s: &chars, i: 0, flags: flags | if verbose { X } else { 0 }, groups: 0, names: Vec::new(), closed: Vec::new(), depth: 0 };
    let first = p.alternation(p.flags);
    let node = match first {
        Ok(n) => n,
        Err(ParseError::Syntax(e)) => return Err(CompileError::Syntax(e)),
        Err(ParseError::Unsupported(w)) => return Err(CompileError::Unsupported(w)),
    };
    // inline global flags (`(?i)` at the start) apply to the whole pattern
    let node = if p.flags != (flags | if verbose { X } else { 0 }) {
        let mut again = Parser { s: &chars, i: 0, flags: p.flags, groups: 0, names: Vec::new(), closed: Vec::new(), depth: 0 };
        let n = again.alternation(again.flags);
        p = again;
        match n {
            Ok(n) => n,
            Err(ParseError::Syntax(e)) => return Err(CompileError::Syntax(e)),
            Err(ParseError::Unsupported(w)) => return Err(CompileError::Unsupported(w)),
        }
    } else {
        node
    };
    if p.i < chars.len() {
        let message = if chars[p.i] == ')' { "unbalanced parenthesis" } else { "unexpected end of pattern" };
        return Err(CompileError::Syntax(SyntaxError { message: message.into(), position: Some(p.i) }));
    }
    let mut c = Compiler { prog: Vec::new(), registers: 0 };
    c.emit(Inst::Save(0));
    c.node(&node).map_err(CompileError::Unsupported)?;
    c.emit(Inst::Save(1));
    c.emit(Inst::Match);
    // a str pattern has the UNICODE flag unless ASCII is given
    let all = p.flags | if p.flags & A == 0 { U } else { 0 };
    Ok(Regex { pattern: pattern.to_string(), flags: all, prog: c.prog, groups: p.groups, names: p.names, registers: c.registers })
}

// ----- matching ----------------------------------------------------------------------

/// What a search must reject, as `sre`'s state flags do.
#[derive(Clone, Copy)]
struct Rules {
    /// The match must end at `end` (`fullmatch`).
    full: bool,
    /// An empty match at the search's start is refused (after an empty match).
    must_advance: bool,
}

enum Backtrack {
    Branch { pc: usize, pos: usize },
    Restore { slot: usize, value: Option<usize> },
    RestoreReg { reg: usize, value: usize },
}

struct Exhausted;

struct Machine<'a> {
    re: &'a Regex,
    text: &'a [char],
    /// `endpos`: the subject ends here for the match.
    end: usize,
    budget: u64,
    used: u64,
}

impl Machine<'_> {
    fn anchor(&self, a: Anchor, pos: usize) -> bool {
        let t = self.text;
        let end = self.end;
        match a {
            Anchor::Start => pos == 0,
            Anchor::End => pos == end,
            Anchor::LineStart { multiline } => pos == 0 || (multiline && t[pos - 1] == '\n'),
            Anchor::LineEnd { multiline } => pos == end || (t[pos] == '\n' && (multiline || pos + 1 == end)),
            Anchor::Boundary { ascii, negate } => {
                let before = pos > 0 && is_word(t[pos - 1], ascii);
                let after = pos < end && is_word(t[pos], ascii);
                // sre: no boundary in an empty string
                let hit = end > 0 && before != after;
                hit != negate
            }
        }
    }

    /// Runs the program from `pc` at `start`; the slots of a match.
    fn run(&mut self, pc: usize, start: usize, slots: &mut Vec<Option<usize>>, regs: &mut Vec<usize>, rules: Option<(Rules, usize)>) -> Result<bool, Exhausted> {
        let mut stack: Vec<Backtrack> = vec![];
        let (mut pc, mut pos) = (pc, start);
        loop {
            self.used += 1;
            if self.used > self.budget {
                return Err(Exhausted);
            }
            let ok = match &self.re.prog[pc] {
                Inst::Char(c) => {
                    let hit = pos < self.end && self.text[pos] == *c;
                    pos += 1;
                    hit
                }
                Inst::CharFold(c) => {
                    let hit = pos < self.end && fold(self.text[pos]) == *c;
                    pos += 1;
                    hit
                }
                Inst::Any { dotall } => {
                    let hit = pos < self.end && (*dotall || self.text[pos] != '\n');
                    pos += 1;
                    hit
                }
                Inst::Set(s) => {
                    let hit = pos < self.end && s.contains(self.text[pos]);
                    pos += 1;
                    hit
                }
                Inst::Anchor(a) => {
                    pc += 1;
                    if self.anchor(*a, pos) {
                        continue;
                    }
                    false
                }
                Inst::Split(alt) => {
                    stack.push(Backtrack::Branch { pc: *alt, pos });
                    pc += 1;
                    continue;
                }
                Inst::SplitLazy(alt) => {
                    stack.push(Backtrack::Branch { pc: pc + 1, pos });
                    pc = *alt;
                    continue;
                }
                Inst::Jmp(to) => {
                    pc = *to;
                    continue;
                }
                Inst::Save(slot) => {
                    stack.push(Backtrack::Restore { slot: *slot, value: slots[*slot] });
                    slots[*slot] = Some(pos);
                    pc += 1;
                    continue;
                }
                Inst::Mark(r) => {
                    stack.push(Backtrack::RestoreReg { reg: *r, value: regs[*r] });
                    regs[*r] = pos;
                    pc += 1;
                    continue;
                }
                Inst::Progress { reg, exit } => {
                    pc = if pos == regs[*reg] { *exit } else { pc + 1 };
                    continue;
                }
                Inst::Backref(g, icase) => match (slots.get(2 * g).copied().flatten(), slots.get(2 * g + 1).copied().flatten()) {
                    (Some(a), Some(b)) => {
                        let n = b - a;
                        let hit = pos + n <= self.end
                            && (0..n).all(|k| {
                                let (x, y) = (self.text[a + k], self.text[pos + k]);
                                x == y || (*icase && fold(x) == fold(y))
                            });
                        pos += n;
                        pc += 1;
                        if hit {
                            continue;
                        }
                        false
                    }
                    _ => false,
                },
                Inst::Look { ahead, negate, width, start } => {
                    let (ahead, negate, width, body) = (*ahead, *negate, *width, *start);
                    let at = if ahead { Some(pos) } else { pos.checked_sub(width) };
                    let mut inner = slots.clone();
                    let hit = match at {
                        Some(at) => self.run(body, at, &mut inner, regs, None)?,
                        None => false,
                    };
                    pc += 1;
                    if hit != negate {
                        if hit {
                            // a positive lookaround keeps the groups it set
                            for (k, v) in inner.into_iter().enumerate() {
                                if slots[k] != v {
                                    stack.push(Backtrack::Restore { slot: k, value: slots[k] });
                                    slots[k] = v;
                                }
                            }
                        }
                        continue;
                    }
                    false
                }
                Inst::Match => {
                    let refused = match rules {
                        Some((r, search_start)) => (r.full && pos != self.end) || (r.must_advance && pos == search_start && slots[0] == Some(search_start)),
                        None => false,
                    };
                    if !refused {
                        return Ok(true);
                    }
                    false
                }
            };
            if ok {
                pc += 1;
                continue;
            }
            // backtrack
            loop {
                match stack.pop() {
                    None => return Ok(false),
                    Some(Backtrack::Restore { slot, value }) => slots[slot] = value,
                    Some(Backtrack::RestoreReg { reg, value }) => regs[reg] = value,
                    Some(Backtrack::Branch { pc: p, pos: q }) => {
                        pc = p;
                        pos = q;
                        break;
                    }
                }
            }
        }
    }
}

/// Group spans of one match (code-point indexes).
#[derive(Clone)]
pub struct Found {
    slots: Vec<Option<usize>>,
}

impl Found {
    fn span(&self, g: usize) -> Option<(usize, usize)> {
        Some((self.slots[2 * g]?, self.slots[2 * g + 1]?))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Search,
    Match,
    Full,
}

impl Regex {
    /// The first match at or after `pos` (at `pos` for `Match` / `Full`).
    fn find(&self, it: &mut Interp, text: &[char], pos: usize, end: usize, mode: Mode, must_advance: bool) -> R<Option<Found>> {
        let (result, used) = self.search(text, pos, end, mode, must_advance, it.steps_left().saturating_mul(64));
        it.charge_steps(used / 64)?;
        match result {
            Ok(found) => Ok(found),
            Err(Exhausted) => {
                let left = it.steps_left();
                it.charge_steps(left + 1)?;
                Ok(None)
            }
        }
    }

    /// [`Regex::find`] within `budget` instructions: the result and the
    /// instructions used.
    fn search(&self, text: &[char], pos: usize, end: usize, mode: Mode, must_advance: bool, budget: u64) -> (Result<Option<Found>, Exhausted>, u64) {
        let mut m = Machine { re: self, text, end, budget, used: 0 };
        let rules = Rules { full: mode == Mode::Full, must_advance };
        let mut start = pos;
        while start <= end {
            let mut slots = vec![None; 2 * (self.groups + 1)];
            let mut regs = vec![usize::MAX; self.registers];
            match m.run(0, start, &mut slots, &mut regs, Some((rules, pos))) {
                Ok(true) => return (Ok(Some(Found { slots })), m.used),
                Ok(false) => {}
                Err(e) => return (Err(e), m.used),
            }
            if mode != Mode::Search {
                break;
            }
            start += 1;
        }
        (Ok(None), m.used)
    }
}

// ----- the module --------------------------------------------------------------------

fn regex_of(v: &Value) -> Option<Rc<Regex>> {
    let Value::Instance(i) = v else { return None };
    let n = i.native.borrow();
    n.as_ref()?.clone().downcast::<Regex>().ok()
}

/// A match's state: the subject, the search's bounds and the spans.
struct MatchState {
    regex: Rc<Regex>,
    pattern: Value,
    text: Rc<Vec<char>>,
    string: Value,
    pos: usize,
    endpos: usize,
    found: Found,
}

fn match_of(v: &Value) -> Option<Rc<MatchState>> {
    let Value::Instance(i) = v else { return None };
    let n = i.native.borrow();
    n.as_ref()?.clone().downcast::<MatchState>().ok()
}

fn error_class(it: &Interp) -> Rc<Class> {
    if let Some(Value::Class(c)) = it.builtins.get("__re_error__") {
        return c;
    }
    let cls = Class::new("error", "re", vec![it.types.exceptions["Exception"].clone()], BuiltinType::Exception, None);
    it.builtins.set("__re_error__", Value::Class(cls.clone()));
    cls
}

fn re_error(it: &Interp, e: &SyntaxError) -> Box<super::eval::Exc> {
    let msg = match e.position {
        Some(p) => format!("{} at position {p}", e.message),
        None => e.message.clone(),
    };
    let inst = Instance::new(error_class(it));
    inst.set("args", Value::tuple(vec![Value::str(&msg)]));
    inst.set("msg", Value::str(&e.message));
    inst.set("pos", e.position.map(|p| Value::Int(p as i64)).unwrap_or(Value::None));
    Box::new(super::eval::Exc { value: Value::Instance(Rc::new(inst)), loc: None, frames: Vec::new(), fatal: false })
}

fn not_supported(it: &Interp, what: &str) -> Box<super::eval::Exc> {
    it.exc("NotImplementedError", format!("{what} is not supported by the playground's re module"))
}

/// Positional-or-keyword parameters `names` of `fname` (the first
/// `required` of them required).
fn params(it: &Interp, fname: &str, a: &Args, names: &[&str], required: usize) -> R<Vec<Option<Value>>> {
    if a.pos.len() > names.len() {
        return Err(it.type_error(format!("{fname}() takes at most {} arguments ({} given)", names.len(), a.pos.len())));
    }
    let mut out: Vec<Option<Value>> = names.iter().enumerate().map(|(i, _)| a.pos.get(i).cloned()).collect();
    for (k, v) in &a.kw {
        let Some(i) = names.iter().position(|n| n == k) else {
            return Err(it.type_error(format!("{fname}() got an unexpected keyword argument '{k}'")));
        };
        if out[i].is_some() {
            return Err(it.type_error(format!("{fname}() got multiple values for argument '{k}'")));
        }
        out[i] = Some(v.clone());
    }
    if let Some(i) = (0..required).find(|&i| out[i].is_none()) {
        return Err(it.type_error(format!("{fname}() missing required argument '{}' (pos {})", names[i], i + 1)));
    }
    Ok(out)
}

fn int_arg(it: &Interp, v: Option<&Value>, default: i64) -> R<i64> {
    match v {
        None => Ok(default),
        Some(Value::Int(i)) => Ok(*i),
        Some(Value::Bool(b)) => Ok(*b as i64),
        Some(other) => Err(it.type_error(format!("'{}' object cannot be interpreted as an integer", it.type_name(other)))),
    }
}

fn str_arg(it: &Interp, v: &Value, what: &str) -> R<Rc<str>> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        Value::Bytes(_) => Err(not_supported(it, "a bytes pattern or subject")),
        other => Err(it.type_error(format!("{what} expected string or bytes-like object, got '{}'", it.type_name(other)))),
    }
}

/// Python's slice bounds for `pos` / `endpos`.
fn bounds(it: &Interp, len: usize, pos: Option<&Value>, endpos: Option<&Value>) -> R<(usize, usize)> {
    let clamp = |v: i64| v.clamp(0, len as i64) as usize;
    let pos = clamp(int_arg(it, pos, 0)?);
    let end = clamp(int_arg(it, endpos, len as i64)?);
    Ok((pos, end.max(pos)))
}

struct ReClasses {
    pattern_class: Rc<Class>,
    match_class: Rc<Class>,
}

fn compiled(it: &mut Interp, md: &ReClasses, pattern: &Value, flags: Option<&Value>) -> R<Value> {
    if let Some(re) = regex_of(pattern) {
        if int_arg(it, flags, 0)? != 0 {
            return Err(it.exc("ValueError", "cannot process flags argument with a compiled pattern"));
        }
        let _ = re;
        return Ok(pattern.clone());
    }
    let text = str_arg(it, pattern, "first argument")?;
    let flags = int_arg(it, flags, 0)?;
    if flags & L != 0 {
        return Err(it.exc("ValueError", "cannot use LOCALE flag with a str pattern"));
    }
    if flags & A != 0 && flags & U != 0 {
        return Err(it.exc("ValueError", "ASCII and UNICODE flags are incompatible"));
    }
    let re = match compile(&text, flags) {
        Ok(r) => r,
        Err(CompileError::Syntax(e)) => return Err(re_error(it, &e)),
        Err(CompileError::Unsupported(w)) => return Err(not_supported(it, &w)),
    };
    let inst = Instance::new(md.pattern_class.clone());
    *inst.native.borrow_mut() = Some(Rc::new(re));
    Ok(Value::Instance(Rc::new(inst)))
}

fn make_match(md: &ReClasses, regex: &Rc<Regex>, pattern: &Value, text: &Rc<Vec<char>>, string: &Value, pos: usize, endpos: usize, found: Found) -> Value {
    let inst = Instance::new(md.match_class.clone());
    let state = MatchState { regex: regex.clone(), pattern: pattern.clone(), text: text.clone(), string: string.clone(), pos, endpos, found };
    *inst.native.borrow_mut() = Some(Rc::new(state));
    Value::Instance(Rc::new(inst))
}

/// Every match left to right, as `finditer` / `sub` / `split` see them.
fn all_matches(it: &mut Interp, re: &Regex, text: &[char], pos: usize, end: usize, limit: usize) -> R<Vec<Found>> {
    let mut out = Vec::new();
    let mut at = pos;
    let mut must_advance = false;
    while at <= end && (limit == 0 || out.len() < limit) {
        let Some(f) = re.find(it, text, at, end, Mode::Search, must_advance)? else { break };
        let (s, e) = f.span(0).unwrap_or((at, at));
        must_advance = s == e;
        at = e;
        out.push(f);
    }
    Ok(out)
}

fn slice(text: &[char], s: usize, e: usize) -> String {
    text[s..e].iter().collect()
}

fn group_value(st: &MatchState, g: usize, default: &Value) -> Value {
    match st.found.span(g) {
        Some((s, e)) => Value::str(&slice(&st.text, s, e)),
        None => default.clone(),
    }
}

/// The group a `group()` argument names.
fn group_index(it: &Interp, st: &MatchState, v: &Value) -> R<usize> {
    match v {
        Value::Int(i) if *i >= 0 && (*i as usize) <= st.regex.groups => Ok(*i as usize),
        Value::Bool(b) => Ok(*b as usize),
        Value::Str(s) => st.regex.names.iter().find(|(n, _)| **n == **s).map(|(_, g)| *g).ok_or_else(|| it.exc("IndexError", "no such group")),
        _ => Err(it.exc("IndexError", "no such group")),
    }
}

/// A `sub()` template, parsed: literal text and group references.
enum Piece {
    Text(String),
    Group(usize),
}

fn template(it: &Interp, re: &Regex, repl: &str) -> R<Vec<Piece>> {
    let chars: Vec<char> = repl.chars().collect();
    let mut out = Vec::new();
    let mut lit = String::new();
    let mut i = 0;
    let err = |msg: String, p: usize| re_error(it, &SyntaxError { message: msg, position: Some(p) });
    let group = |n: usize, p: usize| -> R<usize> {
        if n > re.groups {
            return Err(err(format!("invalid group reference {n}"), p));
        }
        Ok(n)
    };
    while i < chars.len() {
        let c = chars[i];
        if c != '\\' {
            lit.push(c);
            i += 1;
            continue;
        }
        let at = i;
        i += 1;
        let Some(&e) = chars.get(i) else { return Err(err("bad escape (end of pattern)".into(), at)) };
        i += 1;
        let push_group = |out: &mut Vec<Piece>, lit: &mut String, g: usize| {
            if !lit.is_empty() {
                out.push(Piece::Text(std::mem::take(lit)));
            }
            out.push(Piece::Group(g));
        };
        match e {
            'g' => {
                if chars.get(i) != Some(&'<') {
                    return Err(err("missing <".into(), i));
                }
                let close = chars[i..].iter().position(|&c| c == '>').map(|k| i + k);
                let Some(close) = close else { return Err(err("missing >, unterminated name".into(), i + 1)) };
                let name: String = chars[i + 1..close].iter().collect();
                let g = if !name.is_empty() && name.chars().all(|c| c.is_ascii_digit()) {
                    group(name.parse().unwrap_or(usize::MAX), i + 1)?
                } else if let Some((_, g)) = re.names.iter().find(|(n, _)| *n == name) {
                    *g
                } else if name.is_empty() {
                    return Err(err("missing group name".into(), i + 1));
                } else if name.chars().next().is_some_and(|c| c == '_' || c.is_alphabetic()) && name.chars().all(|c| c == '_' || c.is_alphanumeric()) {
                    return Err(it.exc("IndexError", format!("unknown group name '{name}'")));
                } else {
                    return Err(err(format!("bad character in group name '{name}'"), i + 1));
                };
                i = close + 1;
                push_group(&mut out, &mut lit, g);
            }
            '0' => {
                let mut v = 0;
                for _ in 0..2 {
                    match chars.get(i).and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            i += 1;
                        }
                        None => break,
                    }
                }
                lit.push(char::from_u32(v).unwrap_or('\0'));
            }
            '1'..='9' => {
                let mut digits = e.to_string();
                if let Some(&d) = chars.get(i).filter(|d| d.is_ascii_digit()) {
                    digits.push(d);
                    i += 1;
                    if let Some(&o) = chars.get(i).filter(|o| ('0'..='7').contains(o)) {
                        if digits.chars().all(|d| ('0'..='7').contains(&d)) {
                            digits.push(o);
                            i += 1;
                            let v = u32::from_str_radix(&digits, 8).unwrap_or(0);
                            if v > 0o377 {
                                return Err(err(format!("octal escape value \\{digits} outside of range 0-0o377"), at));
                            }
                            lit.push(char::from_u32(v).unwrap_or('\0'));
                            continue;
                        }
                    }
                }
                let g = group(digits.parse().unwrap_or(usize::MAX), at + 1)?;
                push_group(&mut out, &mut lit, g);
            }
            'a' => lit.push('\x07'),
            'b' => lit.push('\x08'),
            'f' => lit.push('\x0c'),
            'n' => lit.push('\n'),
            'r' => lit.push('\r'),
            't' => lit.push('\t'),
            'v' => lit.push('\x0b'),
            '\\' => lit.push('\\'),
            c if c.is_ascii_alphanumeric() => return Err(err(format!("bad escape \\{c}"), at)),
            c => {
                lit.push('\\');
                lit.push(c);
            }
        }
    }
    if !lit.is_empty() {
        out.push(Piece::Text(lit));
    }
    Ok(out)
}

fn expand(pieces: &[Piece], text: &[char], f: &Found) -> String {
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Group(g) => {
                if let Some((s, e)) = f.span(*g) {
                    out.extend(&text[s..e]);
                }
            }
        }
    }
    out
}

/// `sub` / `subn`: the new string and the number of replacements.
fn substitute(it: &mut Interp, md: &ReClasses, pattern: &Value, repl: &Value, string: &Value, count: i64) -> R<(String, i64)> {
    let re = regex_of(pattern).ok_or_else(|| it.type_error("not a compiled pattern"))?;
    let s = str_arg(it, string, "expected")?;
    let text: Rc<Vec<char>> = Rc::new(s.chars().collect());
    let limit = count.max(0) as usize;
    let found = all_matches(it, &re, &text, 0, text.len(), limit)?;
    let pieces = match repl {
        Value::Str(r) => Some(template(it, &re, r)?),
        Value::Bytes(_) => return Err(not_supported(it, "a bytes replacement")),
        _ => None,
    };
    let mut out = String::new();
    let mut last = 0;
    for f in &found {
        let (ms, me) = f.span(0).unwrap_or((last, last));
        out.push_str(&slice(&text, last, ms));
        match &pieces {
            Some(p) => out.push_str(&expand(p, &text, f)),
            None => {
                let m = make_match(md, &re, pattern, &text, string, 0, text.len(), f.clone());
                match it.call(repl, Args::new(vec![m]))? {
                    Value::Str(r) => out.push_str(&r),
                    other => return Err(it.type_error(format!("expected str instance, {} found", it.type_name(&other)))),
                }
            }
        }
        last = me;
    }
    out.push_str(&slice(&text, last, text.len()));
    Ok((out, found.len() as i64))
}

fn split(it: &mut Interp, pattern: &Value, string: &Value, maxsplit: i64) -> R<Value> {
    let re = regex_of(pattern).ok_or_else(|| it.type_error("not a compiled pattern"))?;
    let s = str_arg(it, string, "expected")?;
    let text: Vec<char> = s.chars().collect();
    if maxsplit < 0 {
        return Ok(Value::list(vec![Value::str(&s)]));
    }
    let found = all_matches(it, &re, &text, 0, text.len(), maxsplit as usize)?;
    let mut out = Vec::new();
    let mut last = 0;
    for f in &found {
        let (ms, me) = f.span(0).unwrap_or((last, last));
        out.push(Value::str(&slice(&text, last, ms)));
        for g in 1..=re.groups {
            out.push(f.span(g).map(|(a, b)| Value::str(&slice(&text, a, b))).unwrap_or(Value::None));
        }
        last = me;
    }
    out.push(Value::str(&slice(&text, last, text.len())));
    Ok(Value::list(out))
}

fn findall(it: &mut Interp, pattern: &Value, string: &Value, pos: Option<&Value>, endpos: Option<&Value>) -> R<Value> {
    let re = regex_of(pattern).ok_or_else(|| it.type_error("not a compiled pattern"))?;
    let s = str_arg(it, string, "expected")?;
    let text: Vec<char> = s.chars().collect();
    let (pos, end) = bounds(it, text.len(), pos, endpos)?;
    let found = all_matches(it, &re, &text, pos, end, 0)?;
    let group = |f: &Found, g: usize| f.span(g).map(|(a, b)| Value::str(&slice(&text, a, b))).unwrap_or_else(|| Value::str(""));
    let out = found
        .iter()
        .map(|f| match re.groups {
            0 => group(f, 0),
            1 => group(f, 1),
            n => Value::tuple((1..=n).map(|g| group(f, g)).collect()),
        })
        .collect();
    Ok(Value::list(out))
}

/// `re.escape`: every character but ASCII letters, digits and `_` that
/// is special in a pattern gets a backslash (Python 3.7+'s set).
fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "()[]{}?*+-|^$\\.&~# \t\n\r\x0b\x0c".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub fn module(it: &mut Interp) -> R<Rc<super::value::Module>> {
    let m = it.new_native_module("re");
    let pattern_class = new_plain_class(it, "Pattern", "re");
    let match_class = new_plain_class(it, "Match", "re");
    let md = Rc::new(ReClasses { pattern_class: pattern_class.clone(), match_class: match_class.clone() });
    for (name, v) in [("I", I), ("IGNORECASE", I), ("L", L), ("LOCALE", L), ("M", M), ("MULTILINE", M), ("S", S), ("DOTALL", S), ("U", U), ("UNICODE", U), ("X", X), ("VERBOSE", X), ("A", A), ("ASCII", A), ("NOFLAG", 0)] {
        m.globals.set(name, Value::Int(v));
    }
    m.globals.set("error", Value::Class(error_class(it)));
    m.globals.set("Pattern", Value::Class(pattern_class.clone()));
    m.globals.set("Match", Value::Class(match_class.clone()));
    m.globals.set("escape", native_fn("escape", |it, a| {
        let p = params(it, "escape", &a, &["pattern"], 1)?;
        let s = str_arg(it, p[0].as_ref().unwrap_or(&Value::None), "escape()")?;
        Ok(Value::str(&escape(&s)))
    }));
    m.globals.set("purge", native_fn("purge", |_, _| Ok(Value::None)));
    {
        let md = md.clone();
        m.globals.set("compile", native_fn("compile", move |it, a| {
            let p = params(it, "compile", &a, &["pattern", "flags"], 1)?;
            compiled(it, &md, p[0].as_ref().unwrap_or(&Value::None), p[1].as_ref())
        }));
    }
    // the module functions compile, then call the Pattern method
    for (name, names, method) in [
        ("search", &["pattern", "string", "flags"][..], "search"),
        ("match", &["pattern", "string", "flags"][..], "match"),
        ("fullmatch", &["pattern", "string", "flags"][..], "fullmatch"),
        ("findall", &["pattern", "string", "flags"][..], "findall"),
        ("finditer", &["pattern", "string", "flags"][..], "finditer"),
        ("split", &["pattern", "string", "maxsplit", "flags"][..], "split"),
        ("sub", &["pattern", "repl", "string", "count", "flags"][..], "sub"),
        ("subn", &["pattern", "repl", "string", "count", "flags"][..], "subn"),
    ] {
        let md = md.clone();
        m.globals.set(name, native_fn(name, move |it, a| {
            let required = if matches!(method, "sub" | "subn") { 3 } else { 2 };
            let p = params(it, name, &a, names, required)?;
            let flags = p.last().cloned().flatten();
            let pat = compiled(it, &md, p[0].as_ref().unwrap_or(&Value::None), flags.as_ref())?;
            let f = it.getattr(&pat, method)?;
            let rest: Vec<Value> = p[1..p.len() - 1].iter().map_while(|v| v.clone()).collect();
            it.call(&f, Args::new(rest))
        }));
    }
    install_pattern(&pattern_class, md.clone());
    install_match(&match_class);
    Ok(m)
}

fn install_pattern(cls: &Rc<Class>, md: Rc<ReClasses>) {
    let set = |name: &str, v: Value| cls.dict.borrow_mut().set_str(name, v);
    let me = |it: &Interp, a: &Args| -> R<(Value, Rc<Regex>)> {
        let v = a.pos.first().cloned().unwrap_or(Value::None);
        let re = regex_of(&v).ok_or_else(|| it.type_error("descriptor needs a re.Pattern object"))?;
        Ok((v, re))
    };
    for (name, mode) in [("search", Mode::Search), ("match", Mode::Match), ("fullmatch", Mode::Full)] {
        let md = md.clone();
        set(name, native_fn(name, move |it, a| {
            let (pv, re) = me(it, &a)?;
            let rest = Args { pos: a.pos[1..].to_vec(), kw: a.kw.clone() };
            let p = params(it, name, &rest, &["string", "pos", "endpos"], 1)?;
            let string = p[0].clone().unwrap_or(Value::None);
            let s = str_arg(it, &string, "expected")?;
            let text: Rc<Vec<char>> = Rc::new(s.chars().collect());
            let (pos, end) = bounds(it, text.len(), p[1].as_ref(), p[2].as_ref())?;
            Ok(match re.find(it, &text, pos, end, mode, false)? {
                Some(f) => make_match(&md, &re, &pv, &text, &string, pos, end, f),
                None => Value::None,
            })
        }));
    }
    set("findall", native_fn("findall", move |it, a| {
        let (pv, _) = me(it, &a)?;
        let rest = Args { pos: a.pos[1..].to_vec(), kw: a.kw.clone() };
        let p = params(it, "findall", &rest, &["string", "pos", "endpos"], 1)?;
        findall(it, &pv, p[0].as_ref().unwrap_or(&Value::None), p[1].as_ref(), p[2].as_ref())
    }));
    {
        let md = md.clone();
        set("finditer", native_fn("finditer", move |it, a| {
            let (pv, re) = me(it, &a)?;
            let rest = Args { pos: a.pos[1..].to_vec(), kw: a.kw.clone() };
            let p = params(it, "finditer", &rest, &["string", "pos", "endpos"], 1)?;
            let string = p[0].clone().unwrap_or(Value::None);
            let s = str_arg(it, &string, "expected")?;
            let text: Rc<Vec<char>> = Rc::new(s.chars().collect());
            let (pos, end) = bounds(it, text.len(), p[1].as_ref(), p[2].as_ref())?;
            let found = all_matches(it, &re, &text, pos, end, 0)?;
            let items = found.into_iter().map(|f| make_match(&md, &re, &pv, &text, &string, pos, end, f)).collect();
            Ok(super::builtins::iter_of(items))
        }));
    }
    set("split", native_fn("split", move |it, a| {
        let (pv, _) = me(it, &a)?;
        let rest = Args { pos: a.pos[1..].to_vec(), kw: a.kw.clone() };
        let p = params(it, "split", &rest, &["string", "maxsplit"], 1)?;
        let maxsplit = int_arg(it, p[1].as_ref(), 0)?;
        split(it, &pv, p[0].as_ref().unwrap_or(&Value::None), maxsplit)
    }));
    for (name, with_count) in [("sub", false), ("subn", true)] {
        let md = md.clone();
        set(name, native_fn(name, move |it, a| {
            let (pv, _) = me(it, &a)?;
            let rest = Args { pos: a.pos[1..].to_vec(), kw: a.kw.clone() };
            let p = params(it, name, &rest, &["repl", "string", "count"], 2)?;
            let count = int_arg(it, p[2].as_ref(), 0)?;
            let (s, n) = substitute(it, &md, &pv, p[0].as_ref().unwrap_or(&Value::None), p[1].as_ref().unwrap_or(&Value::None), count)?;
            Ok(if with_count { Value::tuple(vec![Value::str(&s), Value::Int(n)]) } else { Value::str(&s) })
        }));
    }
    set("__getattr__", native_fn("__getattr__", move |it, a| {
        let (_, re) = me(it, &a)?;
        let name = a.pos.get(1).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        match name.as_str() {
            "pattern" => Ok(Value::str(&re.pattern)),
            "flags" => Ok(Value::Int(re.flags)),
            "groups" => Ok(Value::Int(re.groups as i64)),
            "groupindex" => {
                let mut d = Dict::new();
                for (n, g) in &re.names {
                    d.set_str(n, Value::Int(*g as i64));
                }
                Ok(Value::dict(d))
            }
            _ => Err(it.exc("AttributeError", format!("'re.Pattern' object has no attribute '{name}'"))),
        }
    }));
    set("__repr__", native_fn("__repr__", move |it, a| {
        let (_, re) = me(it, &a)?;
        let shown = super::repr::py_repr_str(&re.pattern);
        let names: Vec<&str> = [(I, "re.IGNORECASE"), (L, "re.LOCALE"), (M, "re.MULTILINE"), (S, "re.DOTALL"), (X, "re.VERBOSE"), (A, "re.ASCII")]
            .iter()
            .filter(|(f, _)| re.flags & f != 0)
            .map(|(_, n)| *n)
            .collect();
        Ok(Value::str(&if names.is_empty() { format!("re.compile({shown})") } else { format!("re.compile({shown}, {})", names.join("|")) }))
    }));
    set("__eq__", native_fn("__eq__", |_, a| {
        let same = match (a.pos.first().and_then(regex_of), a.pos.get(1).and_then(regex_of)) {
            (Some(x), Some(y)) => x.pattern == y.pattern && x.flags == y.flags,
            _ => return Ok(Value::NotImplemented),
        };
        Ok(Value::Bool(same))
    }));
    set("__hash__", native_fn("__hash__", |_, _| Ok(Value::None)));
}

fn install_match(cls: &Rc<Class>) {
    let set = |name: &str, v: Value| cls.dict.borrow_mut().set_str(name, v);
    let me = |it: &Interp, a: &Args| -> R<Rc<MatchState>> { a.pos.first().and_then(match_of).ok_or_else(|| it.type_error("descriptor needs a re.Match object")) };
    set("group", native_fn("group", move |it, a| {
        let st = me(it, &a)?;
        let args = &a.pos[1..];
        if args.is_empty() {
            return Ok(group_value(&st, 0, &Value::None));
        }
        let mut out = Vec::new();
        for v in args {
            let g = group_index(it, &st, v)?;
            out.push(group_value(&st, g, &Value::None));
        }
        Ok(if out.len() == 1 { out.pop().unwrap_or(Value::None) } else { Value::tuple(out) })
    }));
    set("__getitem__", native_fn("__getitem__", move |it, a| {
        let st = me(it, &a)?;
        let g = group_index(it, &st, a.pos.get(1).unwrap_or(&Value::None))?;
        Ok(group_value(&st, g, &Value::None))
    }));
    set("groups", native_fn("groups", move |it, a| {
        let st = me(it, &a)?;
        let rest = Args { pos: a.pos[1..].to_vec(), kw: a.kw.clone() };
        let p = params(it, "groups", &rest, &["default"], 0)?;
        let default = p[0].clone().unwrap_or(Value::None);
        Ok(Value::tuple((1..=st.regex.groups).map(|g| group_value(&st, g, &default)).collect()))
    }));
    set("groupdict", native_fn("groupdict", move |it, a| {
        let st = me(it, &a)?;
        let rest = Args { pos: a.pos[1..].to_vec(), kw: a.kw.clone() };
        let p = params(it, "groupdict", &rest, &["default"], 0)?;
        let default = p[0].clone().unwrap_or(Value::None);
        let mut d = Dict::new();
        for (n, g) in &st.regex.names {
            d.set_str(n, group_value(&st, *g, &default));
        }
        Ok(Value::dict(d))
    }));
    for name in ["start", "end", "span"] {
        set(name, native_fn(name, move |it, a| {
            let st = me(it, &a)?;
            let g = match a.pos.get(1) {
                Some(v) => group_index(it, &st, v)?,
                None => 0,
            };
            let (s, e) = st.found.span(g).map(|(s, e)| (s as i64, e as i64)).unwrap_or((-1, -1));
            Ok(match name {
                "start" => Value::Int(s),
                "end" => Value::Int(e),
                _ => Value::tuple(vec![Value::Int(s), Value::Int(e)]),
            })
        }));
    }
    set("expand", native_fn("expand", move |it, a| {
        let st = me(it, &a)?;
        let Some(Value::Str(t)) = a.pos.get(1) else { return Err(it.type_error("expand() takes a str template")) };
        let pieces = template(it, &st.regex, t)?;
        Ok(Value::str(&expand(&pieces, &st.text, &st.found)))
    }));
    set("__bool__", native_fn("__bool__", |_, _| Ok(Value::Bool(true))));
    set("__getattr__", native_fn("__getattr__", move |it, a| {
        let st = me(it, &a)?;
        let name = a.pos.get(1).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        // the group closed last: the latest end, the outermost of groups ending there
        let last = || (1..=st.regex.groups).filter(|&g| st.found.span(g).is_some()).max_by_key(|&g| (st.found.slots[2 * g + 1], std::cmp::Reverse(g)));
        match name.as_str() {
            "string" => Ok(st.string.clone()),
            "re" => Ok(st.pattern.clone()),
            "pos" => Ok(Value::Int(st.pos as i64)),
            "endpos" => Ok(Value::Int(st.endpos as i64)),
            "lastindex" => Ok(last().map(|g| Value::Int(g as i64)).unwrap_or(Value::None)),
            "lastgroup" => Ok(last().and_then(|g| st.regex.names.iter().find(|(_, x)| *x == g)).map(|(n, _)| Value::str(n)).unwrap_or(Value::None)),
            _ => Err(it.exc("AttributeError", format!("'re.Match' object has no attribute '{name}'"))),
        }
    }));
    set("__repr__", native_fn("__repr__", move |it, a| {
        let st = me(it, &a)?;
        let (s, e) = st.found.span(0).unwrap_or((0, 0));
        let shown = super::repr::py_repr_str(&slice(&st.text, s, e));
        Ok(Value::str(&format!("<re.Match object; span=({s}, {e}), match={shown}>")))
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Patterns of up to 12 characters drawn from the syntax's own
    /// characters compile or fail cleanly, and match any subject within
    /// their budget without panicking.
    #[test]
    fn generated_patterns_never_panic() {
        let alphabet: Vec<char> = "ab()[]{}*+?|^$\\.-,0123dswbBAZP<>=!:#ix ".chars().collect();
        let subjects: Vec<Vec<char>> = ["", "ab", "a\nb1 _", "aaaa(b)", "]{}", "é٣"].iter().map(|s| s.chars().collect()).collect();
        let mut seed: u64 = 0x2545F4914F6CDD1D;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut compiled = 0;
        for _ in 0..30_000 {
            let len = (next() % 12) as usize + 1;
            let pattern: String = (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
            let flags = [0, I, M | S, X, A][(next() % 5) as usize];
            let Ok(re) = compile(&pattern, flags) else { continue };
            compiled += 1;
            for text in &subjects {
                for mode in [Mode::Search, Mode::Match, Mode::Full] {
                    let _ = re.search(text, 0, text.len(), mode, false, 100_000);
                    let _ = re.search(text, text.len().min(1), text.len(), mode, true, 100_000);
                }
            }
        }
        assert!(compiled > 5_000, "{compiled}");
    }

    #[test]
    fn catastrophic_backtracking_stops_at_the_budget() {
        let Ok(re) = compile("(a*)*b", 0) else { panic!("compiles") };
        let text: Vec<char> = "a".repeat(40).chars().collect();
        let (result, used) = re.search(&text, 0, text.len(), Mode::Search, false, 1_000_000);
        assert!(result.is_err());
        assert!(used > 1_000_000);
    }
}
