//! A small deterministic mutation engine for the no-panic sweeps: a seeded
//! PRNG (splitmix64) and text mutations aimed at parsers of Python source and
//! command lines: truncations, deletions, insertions and duplications of
//! tokens, swapped lines, unbalanced brackets, odd unicode, huge numbers,
//! deep nesting. Same seed, same inputs: a failure names its case number.

/// splitmix64 (Steele, Lea, Flood 2014): tiny and good enough to pick mutations.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`0` when `n == 0`).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// Fragments that stress a Python front end: brackets, quotes, indentation,
/// keywords, odd unicode, huge numbers and the names the interpreters look for.
pub const TOKENS: &[&str] = &[
    "(", ")", "[", "]", "{", "}", ":", ",", ".", "=", "==", "->", "*", "**", "@", "\\", "#", ";",
    "\"", "'", "\"\"\"", "'''", "f\"", "b'", "r\"", "\n", "\r\n", "\r", "\t", "    ", "        ", " ",
    "\0", "\u{feff}", "\u{200b}", "é", "ß", "İ", "💥", "\u{202e}", "\u{fffd}", "日本", "\u{10ffff}", "ǅ",
    "0", "-1", "1e400", "0x", "0b2", "1_000", "99999999999999999999999999999999999999",
    "18446744073709551616", "-9223372036854775809", "4294967296", "1.5", "1j", "...",
    "None", "True", "False", "lambda", "not", "and", "or", "if", "else", "yield", "await", "async",
    "class ", "def ", "with ", "as ", "import ", "from ", "return ", "pass", "del ", "global ",
    "Base", "Base.metadata", "__tablename__", "__table_args__", "__abstract__", "metadata",
    "Column(", "mapped_column(", "Mapped[", "Optional[", "Annotated[", "list[", "relationship(",
    "ForeignKey(", "ForeignKeyConstraint(", "UniqueConstraint(", "CheckConstraint(", "Index(",
    "PrimaryKeyConstraint(", "Table(", "MetaData(", "Field(", "SQLModel", "table=True",
    "String(", "String(length=", "Integer", "Numeric(", "Enum(", "DateTime(timezone=True)", "text(",
    "func.now()", "primary_key=True", "nullable=False", "nullable=", "server_default=", "default=",
    "unique=True", "index=True", "name=", "naming_convention=", "sort_order=", "sa.", "sqlite.",
    "op.", "batch_op.", "op.batch_alter_table(", "op.create_table(", "op.add_column(",
    "op.drop_column(", "op.alter_column(", "op.execute(", "op.bulk_insert(", "op.f(",
    "sa.Column(", "sa.String(length=", "existing_type=", "type_=", "recreate=", "table_kwargs=",
    "revision", "down_revision", "branch_labels", "depends_on", "upgrade", "downgrade",
    "'r0001'", "('a', 'b')", "[]", "()", "{}", "%", "%%", "%(table_name)s", "{}{}{}",
];

/// A random token, sometimes a run of brackets (deep nesting / unbalanced).
fn token(rng: &mut Rng) -> String {
    match rng.below(12) {
        0 => {
            let open = *rng.pick(&["(", "[", "{"]);
            open.repeat(1 + rng.below(40))
        }
        1 => {
            let close = *rng.pick(&[")", "]", "}"]);
            close.repeat(1 + rng.below(40))
        }
        2 => "9".repeat(1 + rng.below(400)),
        3 => char::from_u32(rng.below(0x11_0000) as u32).map(String::from).unwrap_or_default(),
        _ => rng.pick(TOKENS).to_string(),
    }
}

/// Char boundary at a random place of `s` (0..=len).
fn boundary(rng: &mut Rng, s: &str) -> usize {
    let n = s.chars().count();
    let k = rng.below(n + 1);
    s.char_indices().nth(k).map(|(i, _)| i).unwrap_or(s.len())
}

/// A random span `(start, end)` of whole chars, at most `max` chars long.
fn span(rng: &mut Rng, s: &str, max: usize) -> (usize, usize) {
    let a = boundary(rng, s);
    let len = 1 + rng.below(max);
    let b = s[a..].char_indices().nth(len).map(|(i, _)| a + i).unwrap_or(s.len());
    (a, b)
}

/// Words (identifier/number runs) and single other chars, with their byte spans.
fn words(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in s.char_indices() {
        let w = c.is_alphanumeric() || c == '_';
        match (w, start) {
            (true, None) => start = Some(i),
            (false, Some(st)) => {
                out.push((st, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(st) = start {
        out.push((st, s.len()));
    }
    out
}

/// One mutation of `s`; `other` is another seed input to splice from.
pub fn mutate_once(rng: &mut Rng, s: &str, other: &str) -> String {
    let mut s = s.to_string();
    match rng.below(16) {
        // truncation
        0 => {
            let at = boundary(rng, &s);
            s.truncate(at);
        }
        // char / span deletion
        1 => {
            let (a, b) = span(rng, &s, 1);
            s.replace_range(a..b, "");
        }
        2 => {
            let (a, b) = span(rng, &s, 24);
            s.replace_range(a..b, "");
        }
        // token insertion
        3 | 4 => {
            let at = boundary(rng, &s);
            let t = token(rng);
            s.insert_str(at, &t);
        }
        // duplication of a span
        5 => {
            let (a, b) = span(rng, &s, 40);
            let dup = s[a..b].to_string();
            let at = boundary(rng, &s);
            s.insert_str(at, &dup);
        }
        // line operations: swap, duplicate, delete, re-indent
        6 | 7 | 8 | 9 => {
            let mut lines: Vec<String> = s.split('\n').map(str::to_string).collect();
            let n = lines.len();
            let i = rng.below(n);
            let j = rng.below(n);
            match rng.below(4) {
                0 => lines.swap(i, j),
                1 => {
                    let l = lines[i].clone();
                    lines.insert(j, l);
                }
                2 => {
                    lines.remove(i);
                }
                _ => {
                    let l = lines[i].trim_start().to_string();
                    lines[i] = format!("{}{l}", " ".repeat(rng.below(13)));
                }
            }
            s = lines.join("\n");
        }
        // replace a word: by a huge number, odd unicode, another word, a token
        10 | 11 => {
            let ws = words(&s);
            if !ws.is_empty() {
                let (a, b) = *rng.pick(&ws);
                let replacement = match rng.below(5) {
                    0 => "9".repeat(20 + rng.below(300)),
                    1 => rng.pick(&["é", "İstanbul", "日本語", "💥💥", "\u{200b}x", "ǅ", "x\u{0301}"]).to_string(),
                    2 => {
                        let (c, d) = *rng.pick(&ws);
                        s[c..d].to_string()
                    }
                    3 => String::new(),
                    _ => token(rng),
                };
                s.replace_range(a..b, &replacement);
            }
        }
        // deep nesting around a span
        12 => {
            let (a, b) = span(rng, &s, 30);
            let depth = 1 + rng.below(60);
            let (open, close) = *rng.pick(&[("(", ")"), ("[", "]"), ("{", "}"), ("f(", ")"), ("-", ""), ("not ", "")]);
            let inner = s[a..b].to_string();
            s.replace_range(a..b, &format!("{}{inner}{}", open.repeat(depth), close.repeat(depth)));
        }
        // unbalance: delete or add one bracket
        13 => {
            let positions: Vec<usize> = s.char_indices().filter(|(_, c)| "()[]{}\"'".contains(*c)).map(|(i, _)| i).collect();
            if !positions.is_empty() {
                let at = *rng.pick(&positions);
                s.remove(at);
            }
        }
        // splice lines from another input
        14 => {
            let lines: Vec<&str> = other.split('\n').collect();
            let i = rng.below(lines.len());
            let k = (1 + rng.below(8)).min(lines.len() - i);
            let chunk = lines[i..i + k].join("\n");
            let at = boundary(rng, &s);
            s.insert_str(at, &chunk);
        }
        // change a quote or a digit
        _ => {
            let positions: Vec<usize> = s.char_indices().filter(|(_, c)| c.is_ascii_digit() || *c == '\'' || *c == '"').map(|(i, _)| i).collect();
            if !positions.is_empty() {
                let at = *rng.pick(&positions);
                let c = *rng.pick(&['0', '9', '\'', '"', '-', '.', 'e']);
                s.replace_range(at..at + 1, &c.to_string());
            }
        }
    }
    s
}

/// 1 to 4 stacked mutations.
pub fn mutate(rng: &mut Rng, s: &str, other: &str) -> String {
    let mut out = s.to_string();
    for _ in 0..1 + rng.below(4) {
        out = mutate_once(rng, &out, other);
    }
    out
}

/// Mutations that mostly keep the syntax valid, to reach the interpreters
/// behind the parser: words and string contents replaced by other words of
/// the file, empty strings, huge or negative numbers, odd unicode, keywords.
pub fn mutate_semantic(rng: &mut Rng, s: &str) -> String {
    let mut s = s.to_string();
    for _ in 0..1 + rng.below(3) {
        let ws = words(&s);
        if ws.is_empty() {
            break;
        }
        let (a, b) = *rng.pick(&ws);
        let replacement = match rng.below(8) {
            0 => "9".repeat(19 + rng.below(30)),
            1 => format!("-{}", 1 + rng.below(3)),
            2 => "0".to_string(),
            3 => rng.pick(&["None", "True", "False", "x", "sa", "op", "batch_op", "Base", "é"]).to_string(),
            4 => String::from(if s[..a].ends_with(['\'', '"']) { "" } else { "_" }),
            _ => {
                let (c, d) = *rng.pick(&ws);
                s[c..d].to_string()
            }
        };
        s.replace_range(a..b, &replacement);
    }
    s
}
