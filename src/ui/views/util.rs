//! Small text helpers shared by the views (pure; tested natively).

/// `text` cut to `max` characters with an ellipsis; one line (newlines become spaces).
pub fn clip(text: &str, max: usize) -> String {
    let one_line: String = text.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect();
    if one_line.chars().count() <= max {
        one_line
    } else {
        let mut s: String = one_line.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// Estimated rendered width of `text` at `char_w` pixels per character
/// (the views use monospace for names and types, so this is close).
pub fn text_width(text: &str, char_w: f64) -> f64 {
    text.chars().count() as f64 * char_w
}

/// A piece of SQL text for highlighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlToken {
    Keyword,
    /// `'...'` literal.
    String,
    /// `"..."` quoted identifier, or a bare word that is not a keyword.
    Ident,
    /// Alembic's batch temp table (`_alembic_tmp_tag`): the move-and-copy.
    TempTable,
    Number,
    Other,
}

const KEYWORDS: &[&str] = &[
    "ADD", "ALTER", "AND", "AS", "BEGIN", "BY", "CASCADE", "CAST", "CHECK", "COLUMN", "COMMIT", "CONSTRAINT",
    "CREATE", "DEFAULT", "DELETE", "DROP", "EXISTS", "FOREIGN", "FROM", "IF", "IN", "INDEX", "INSERT", "INTO",
    "IS", "KEY", "NOT", "NULL", "ON", "OR", "PRAGMA", "PRIMARY", "REFERENCES", "RENAME", "SELECT", "SET",
    "TABLE", "TO", "UNIQUE", "UPDATE", "VALUES", "WHERE",
];

/// Splits SQL into highlightable pieces; concatenated they give `sql` back.
pub fn sql_tokens(sql: &str) -> Vec<(SqlToken, &str)> {
    // (kind, start, end) byte ranges; adjacent `Other`s are joined.
    let mut out: Vec<(SqlToken, usize, usize)> = Vec::new();
    let b = sql.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let c = b[i];
        let kind = if c == b'\'' || c == b'"' {
            i += 1;
            while i < b.len() {
                if b[i] == c {
                    if i + 1 < b.len() && b[i + 1] == c {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            if c == b'\'' { SqlToken::String } else { SqlToken::Ident }
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let w = &sql[start..i];
            if w.starts_with("_alembic_tmp_") {
                SqlToken::TempTable
            } else if KEYWORDS.contains(&w.to_ascii_uppercase().as_str()) {
                SqlToken::Keyword
            } else {
                SqlToken::Ident
            }
        } else if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            SqlToken::Number
        } else {
            // one char (UTF-8 aware)
            i += sql[i..].chars().next().map(char::len_utf8).unwrap_or(1);
            SqlToken::Other
        };
        match out.last_mut() {
            Some((k, _, end)) if *k == kind && kind == SqlToken::Other => *end = i,
            _ => out.push((kind, start, i)),
        }
    }
    out.into_iter().map(|(k, s, e)| (k, &sql[s..e])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_counts_characters_not_bytes() {
        assert_eq!(clip("naïve", 5), "naïve");
        assert_eq!(clip("naïve text", 5), "naïv…");
        assert_eq!(clip("a\nb", 5), "a b");
        assert_eq!(text_width("ab", 7.0), 14.0);
    }

    #[test]
    fn sql_tokens_cover_the_text() {
        let sql = "INSERT INTO _alembic_tmp_tag (id, \"na\"\"me\") SELECT tag.id, 'o''k' — 12 FROM tag";
        let toks = sql_tokens(sql);
        assert_eq!(toks.iter().map(|(_, s)| *s).collect::<String>(), sql);
        assert_eq!(toks[0], (SqlToken::Keyword, "INSERT"));
        assert!(toks.contains(&(SqlToken::TempTable, "_alembic_tmp_tag")));
        assert!(toks.contains(&(SqlToken::Ident, "\"na\"\"me\"")));
        assert!(toks.contains(&(SqlToken::String, "'o''k'")));
        assert!(toks.contains(&(SqlToken::Number, "12")));
    }
}
