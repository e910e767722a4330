//! Python source → AST + diagnostics, through ruff's parser (`ruff_python_parser`).
//!
//! Invariants:
//! - Parsing never fails as a whole: it returns the (possibly partial) module
//!   and every syntax error as a `Diagnostic` with a 1-based line:column, so
//!   editors keep working on broken input.
//! - Offsets are byte offsets into the source; `LineIndex` turns them into
//!   line:column (column counted in characters, 1-based, as editors show).

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

/// Line start offsets of a source, for offset → line:column.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(source: &str) -> Self {
        let mut starts = vec![0];
        for (i, b) in source.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
            }
        }
        LineIndex { starts }
    }

    /// 1-based (line, column) of a byte offset; column counts characters.
    pub fn line_col(&self, source: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(source.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line];
        let col = source.get(start..offset).map(|s| s.chars().count()).unwrap_or(offset - start);
        (line as u32 + 1, col as u32 + 1)
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

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }
}

/// Parses a Python module. Never fails: syntax errors become diagnostics and
/// the returned module holds whatever the parser could recover.
pub fn parse_module(source: &str) -> ParsedModule<'_> {
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    let index = LineIndex::new(source);
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
    fn line_col_counts_characters() {
        let src = "é = 1\nab";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_col(src, src.find('=').unwrap()), (1, 3));
        assert_eq!(idx.line_col(src, src.find('b').unwrap()), (2, 2));
    }
}
