//! Python source → AST + diagnostics, through ruff's parser (`ruff_python_parser`).
//!
//! Invariants:
//! - Parsing never fails as a whole: it returns the (possibly partial) module
//!   and every syntax error as a `Diagnostic` with a 1-based line:column, so
//!   editors keep working on broken input.
//! - Offsets are byte offsets into the source; `LineIndex` turns them into
//!   line:column (column counted in characters, 1-based, as editors show).
//! - Nesting is bounded before parsing ([`nesting_error`]): more than 200
//!   open brackets, 100 indentation levels or 500 chained operators in one
//!   statement is a diagnostic and an empty module, never a stack overflow in
//!   the parser, the interpreters or the syntax tree's drop (wasm32 has a
//!   1 MB stack and no stack growth). CPython refuses such files too.

pub mod alembic;
pub mod builtins;
pub mod datetime;
pub mod decimal;
pub mod eval;
mod format;
mod generators;
mod itertools;
pub mod loader;
pub mod logging;
mod orm;
mod re;
pub mod repr;
mod result;
mod sql_compiler;
mod suggestions;
pub mod uuid;
pub mod value;

pub use eval::{Args, ClockReading, Interp, Loc, ModuleLoader, ModuleSource, NoModules, PyError};
pub use loader::{find_module, MemoryLoader, MemoryRoot, SearchRoot};
pub use ruff_python_ast as ast;
use ruff_python_ast::PySourceType;
use ruff_text_size::{Ranged, TextRange, TextSize};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The construct was skipped or the input is invalid.
    Error,
    /// The construct was understood only partly or ignored on purpose.
    Warning,
}

/// A message about a place in a source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}:{}: {}: {}", self.line, self.column, sev, self.message)
    }
}

/// Line start offsets of a source, for offset → line:column, found the first
/// time a position is asked for: most modules (every migration script of a
/// chain) run without ever needing one. Always asked with the source it was
/// made for.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: std::sync::OnceLock<Vec<usize>>,
}

impl LineIndex {
    pub fn new(_source: &str) -> Self {
        LineIndex::default()
    }

    /// 1-based (line, column) of a byte offset; column counts characters.
    pub fn line_col(&self, source: &str, offset: usize) -> (u32, u32) {
        let starts = self.starts.get_or_init(|| {
            let mut starts = vec![0];
            // `match_indices` of a char searches with memchr, not byte by byte.
            starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
            starts
        });
        let offset = offset.min(source.len());
        let line = match starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = starts[line];
        let col = source.get(start..offset).map(|s| s.chars().count()).unwrap_or(offset - start);
        (line as u32 + 1, col as u32 + 1)
    }
}

/// A source text and its line index: enough to quote nodes and place
/// diagnostics.
#[derive(Clone, Copy)]
pub struct SourceRef<'a> {
    pub source: &'a str,
    pub index: &'a LineIndex,
}

impl<'a> SourceRef<'a> {
    pub fn diagnostic(&self, node: &impl Ranged, severity: Severity, message: impl Into<String>) -> Diagnostic {
        let (line, column) = self.index.line_col(self.source, usize::from(node.range().start()));
        Diagnostic { severity, line, column, message: message.into() }
    }
    pub fn text(&self, node: &impl Ranged) -> &'a str {
        let r = node.range();
        self.source.get(usize::from(r.start())..usize::from(r.end())).unwrap_or("")
    }
}

/// A parsed Python module with its source and syntax diagnostics.
pub struct ParsedModule<'src> {
    pub source: &'src str,
    pub module: ast::ModModule,
    pub index: LineIndex,
    /// Syntax errors; empty when the source is valid Python.
    pub diagnostics: Vec<Diagnostic>,
}

impl<'src> ParsedModule<'src> {
    /// A diagnostic at the start of `node`.
    pub fn diagnostic(&self, node: &impl Ranged, severity: Severity, message: impl Into<String>) -> Diagnostic {
        self.diagnostic_at(node.range(), severity, message)
    }

    pub fn diagnostic_at(&self, range: TextRange, severity: Severity, message: impl Into<String>) -> Diagnostic {
        let (line, column) = self.index.line_col(self.source, usize::from(range.start()));
        Diagnostic { severity, line, column, message: message.into() }
    }

    /// The source text of a node, e.g. to quote it in a message.
    pub fn text(&self, node: &impl Ranged) -> &'src str {
        let r = node.range();
        self.source.get(usize::from(r.start())..usize::from(r.end())).unwrap_or("")
    }

    pub fn source_ref(&self) -> SourceRef<'_> {
        SourceRef { source: self.source, index: &self.index }
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }
}

/// Parses a Python module. Never fails: syntax errors become diagnostics and
/// the returned module holds whatever the parser could recover.
pub fn parse_module(source: &str) -> ParsedModule<'_> {
    let index = LineIndex::new(source);
    if let Some((offset, message)) = nesting_error(source) {
        let (line, column) = index.line_col(source, offset);
        let empty = ruff_python_parser::parse_unchecked_source("", PySourceType::Python);
        return ParsedModule {
            source,
            module: empty.into_syntax(),
            index,
            diagnostics: vec![Diagnostic { severity: Severity::Error, line, column, message }],
        };
    }
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    let diagnostics = parsed
        .errors()
        .iter()
        .map(|e| {
            let (line, column) = index.line_col(source, usize::from(e.location.start()));
            Diagnostic { severity: Severity::Error, line, column, message: format!("invalid syntax: {}", e.error) }
        })
        .collect();
    ParsedModule { source, module: parsed.into_syntax(), index, diagnostics }
}

/// Python 3.11's `keyword.kwlist`.
pub fn is_keyword(name: &str) -> bool {
    const KWLIST: [&str; 35] = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
        "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
        "return", "try", "while", "with", "yield",
    ];
    KWLIST.contains(&name)
}

/// CPython's tokenizer limit on open brackets (`MAXLEVEL`).
const MAX_BRACKET_DEPTH: usize = 200;
/// CPython's tokenizer limit on indentation levels (`MAXINDENT`).
const MAX_INDENT_LEVELS: usize = 100;
/// Chained operators / attribute accesses / open brackets in one statement.
/// CPython's compiler gives up near 3,000 (`RecursionError`); no real
/// models.py or migration comes near 500, and 500 fits wasm32's stack.
const MAX_EXPRESSION_DEPTH: usize = 500;

/// A cheap scan of the source, before parsing, for nesting deep enough to
/// overflow a recursive parser or tree walk: the byte offset and message of
/// the first excess. Strings and comments are skipped; the depth of an
/// expression is estimated from open brackets plus the binary/unary
/// operators, `.` accesses and nesting keywords (`not`, `if`/`else`,
/// `lambda`, ...) chained at each bracket level (commas, `=`,
/// `:` and `;` end a chain). Over-estimates are fine: the limits are far
/// above real code.
pub fn nesting_error(source: &str) -> Option<(usize, String)> {
    let bytes = source.as_bytes();
    // one chain counter per open bracket level, plus the statement level
    let mut chains: Vec<usize> = vec![0];
    let mut chained: usize = 0;
    let mut indents: Vec<usize> = vec![0];
    let mut at_line_start = true;
    let mut i = 0;
    while i < bytes.len() {
        if at_line_start {
            // indentation of a logical line (blank and comment lines do not count)
            let mut col = 0;
            let mut j = i;
            while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\x0c') {
                col = if bytes[j] == b'\t' { (col / 8 + 1) * 8 } else { col + 1 };
                j += 1;
            }
            if j < bytes.len() && !matches!(bytes[j], b'\n' | b'\r' | b'#') {
                if col > *indents.last().unwrap_or(&0) {
                    indents.push(col);
                    if indents.len() > MAX_INDENT_LEVELS + 1 {
                        return Some((j, format!("too many levels of indentation (more than {MAX_INDENT_LEVELS})")));
                    }
                } else {
                    while indents.len() > 1 && col < *indents.last().unwrap_or(&0) {
                        indents.pop();
                    }
                }
            }
            i = j;
            at_line_start = false;
            continue;
        }
        let b = bytes[i];
        match b {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'\'' | b'"' => {
                let triple = bytes.get(i..i + 3) == Some(&[b, b, b][..]);
                i += if triple { 3 } else { 1 };
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 2,
                        c if c == b && (!triple || bytes.get(i..i + 3) == Some(&[b, b, b][..])) => {
                            i += if triple { 3 } else { 1 };
                            break;
                        }
                        b'\n' if !triple => break,
                        _ => i += 1,
                    }
                }
                continue;
            }
            b'\\' => {
                // line continuation: the next line is the same logical line
                i += 1;
                if bytes.get(i) == Some(&b'\r') {
                    i += 1;
                }
                i += 1;
                continue;
            }
            b'\n' => {
                // a new logical line unless inside brackets
                at_line_start = chains.len() == 1;
                if chains.len() == 1 {
                    chained = 0;
                    chains[0] = 0;
                }
            }
            b'(' | b'[' | b'{' => {
                if chains.len() > MAX_BRACKET_DEPTH {
                    return Some((i, "too many nested parentheses".to_string()));
                }
                chains.push(0);
            }
            b')' | b']' | b'}' if chains.len() > 1 => {
                chained = chained.saturating_sub(chains.pop().unwrap_or(0));
            }
            b',' | b';' | b':' | b'=' => {
                if let Some(c) = chains.last_mut() {
                    chained = chained.saturating_sub(*c);
                    *c = 0;
                }
            }
            b'+' | b'-' | b'*' | b'/' | b'%' | b'@' | b'&' | b'|' | b'^' | b'~' | b'.' => {
                let in_number = b == b'.' && i > 0 && bytes[i - 1].is_ascii_digit();
                if !in_number {
                    if let Some(c) = chains.last_mut() {
                        *c += 1;
                        chained += 1;
                    }
                }
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                // keywords that nest: `not not x`, `a if b else c if d else e`, `lambda: lambda: x`
                if (2..=6).contains(&(i - start))
                    && matches!(&bytes[start..i], b"not" | b"if" | b"else" | b"lambda" | b"await" | b"yield")
                {
                    if let Some(c) = chains.last_mut() {
                        *c += 1;
                        chained += 1;
                    }
                }
                i -= 1;
            }
            _ => {}
        }
        if chains.len() + chained > MAX_EXPRESSION_DEPTH {
            return Some((
                i,
                format!(
                    "expression too deeply nested (more than {MAX_EXPRESSION_DEPTH} levels of brackets, operators and attribute accesses in one statement)"
                ),
            ));
        }
        i += 1;
    }
    None
}

/// Byte offset helper for callers holding a `TextSize`.
pub fn offset(size: TextSize) -> usize {
    usize::from(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_source_has_no_diagnostics() {
        let p = parse_module("x = 1\nclass A:\n    pass\n");
        assert!(p.diagnostics.is_empty());
        assert_eq!(p.module.body.len(), 2);
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let p = parse_module("x = 1\nclass A(:\n    pass\n");
        assert!(!p.diagnostics.is_empty());
        assert_eq!(p.diagnostics[0].line, 2);
        assert!(p.diagnostics[0].column >= 8, "{:?}", p.diagnostics[0]);
    }

    #[test]
    fn too_many_nested_brackets_is_cpythons_error() {
        // CPython's tokenizer: 200 levels are fine, the 201st is an error
        let ok = format!("x = {}{}\n", "[".repeat(200), "]".repeat(200));
        assert!(parse_module(&ok).diagnostics.is_empty());
        let deep = format!("x = {}{}\n", "[".repeat(20_000), "]".repeat(20_000));
        let p = parse_module(&deep);
        assert_eq!(p.diagnostics.len(), 1);
        assert_eq!(p.diagnostics[0].to_string(), "1:205: error: too many nested parentheses");
        assert!(p.module.body.is_empty());
    }

    #[test]
    fn long_operator_chains_are_refused_before_parsing() {
        for src in [
            format!("x = 1{}\n", " + 1".repeat(20_000)),
            format!("x = a{}\n", ".b".repeat(20_000)),
            format!("x = {}a\n", "not ".repeat(20_000)),
        ] {
            let p = parse_module(&src);
            assert_eq!(p.diagnostics.len(), 1, "{}", &src[..20]);
            assert_eq!(p.diagnostics[0].line, 1);
            assert!(p.diagnostics[0].message.starts_with("expression too deeply nested"), "{}", p.diagnostics[0]);
        }
    }

    #[test]
    fn deep_indentation_is_refused_before_parsing() {
        let mut src = String::new();
        for d in 0..150 {
            src.push_str(&format!("{}if x:\n", " ".repeat(d)));
        }
        src.push_str(&format!("{}pass\n", " ".repeat(150)));
        let p = parse_module(&src);
        assert_eq!(p.diagnostics.len(), 1);
        assert_eq!(p.diagnostics[0].to_string(), "102:102: error: too many levels of indentation (more than 100)");
    }

    #[test]
    fn bracketed_continuation_lines_are_not_indentation() {
        // 150 statements whose continuation lines are indented ever deeper
        let mut src = String::new();
        for d in 0..150 {
            let pad = " ".repeat(d + 1);
            src.push_str(&format!("x = (1,\n{pad}2){pad}+ 3\ny = 1 + \\\r\n{pad}2\n"));
        }
        assert_eq!(nesting_error(&src), None);
        assert!(parse_module(&src).diagnostics.is_empty());
    }

    #[test]
    fn long_flat_statements_are_fine() {
        // many values, strings with brackets, comments and floats: no chain
        let rows: Vec<String> = (0..5_000).map(|i| format!("{{'id': {i}, 'x': -1.5, 's': '(((['}}")).collect();
        let src = format!("op.bulk_insert(t, [{}])  # ((((\nx = 'a.b.c'\n", rows.join(", "));
        assert!(parse_module(&src).diagnostics.is_empty());
    }

    #[test]
    fn line_col_counts_characters() {
        let src = "é = 1\nab";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_col(src, src.find('=').unwrap()), (1, 3));
        assert_eq!(idx.line_col(src, src.find('b').unwrap()), (2, 2));
    }
}
