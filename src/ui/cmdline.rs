//! Splitting a typed command line into argv, the way Python's `shlex.split`
//! (POSIX mode) does: what a shell would hand to the `alembic` script.
//!
//! Invariants:
//! - Pure and total: every input gives argv or an error, never a panic.
//! - Errors use `shlex`'s wording (`No closing quotation`, `No escaped character`).
//! - A leading word `alembic` is not part of argv: [`command_argv`] drops it.
//!
//! To move to `engine::command::split_command_line` (the lead's call).

/// Splits `line` like `shlex.split(line)`.
///
/// - blanks separate words; `'…'` keeps everything literally;
/// - `"…"` keeps everything except `\"` and `\\`, which lose their backslash;
/// - outside quotes `\x` is a literal `x`;
/// - `""` is an empty word; quotes may join text into one word (`-m"a b"`).
pub fn split_command_line(line: &str) -> Result<Vec<String>, String> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Between,
        Word,
        Single,
        Double,
    }
    let mut words = Vec::new();
    let mut word = String::new();
    let mut mode = Mode::Between;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match mode {
            Mode::Between | Mode::Word => match c {
                c if c.is_whitespace() => {
                    if mode == Mode::Word {
                        words.push(std::mem::take(&mut word));
                        mode = Mode::Between;
                    }
                }
                '\'' => mode = Mode::Single,
                '"' => mode = Mode::Double,
                '\\' => match chars.next() {
                    Some(next) => {
                        word.push(next);
                        mode = Mode::Word;
                    }
                    None => return Err("No escaped character".into()),
                },
                c => {
                    word.push(c);
                    mode = Mode::Word;
                }
            },
            Mode::Single => match c {
                '\'' => mode = Mode::Word,
                c => word.push(c),
            },
            Mode::Double => match c {
                '"' => mode = Mode::Word,
                '\\' => match chars.next() {
                    Some(next @ ('"' | '\\')) => word.push(next),
                    Some(next) => {
                        word.push('\\');
                        word.push(next);
                    }
                    None => return Err("No escaped character".into()),
                },
                c => word.push(c),
            },
        }
    }
    match mode {
        Mode::Single | Mode::Double => Err("No closing quotation".into()),
        Mode::Word => {
            words.push(word);
            Ok(words)
        }
        Mode::Between => Ok(words),
    }
}

/// argv for `engine::command::run`: the split line without a leading `alembic`.
pub fn command_argv(line: &str) -> Result<Vec<String>, String> {
    let mut argv = split_command_line(line)?;
    if argv.first().map(String::as_str) == Some("alembic") {
        argv.remove(0);
    }
    Ok(argv)
}

/// Quotes `word` so that [`split_command_line`] gives it back unchanged
/// (`shlex.quote`): used to build `revision --autogenerate -m '…'`.
pub fn quote(word: &str) -> String {
    let safe = !word.is_empty()
        && word.chars().all(|c| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c));
    if safe {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r#"'"'"'"#))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(line: &str) -> Vec<String> {
        match split_command_line(line) {
            Ok(words) => words,
            Err(e) => panic!("{line:?} did not split: {e}"),
        }
    }

    #[test]
    fn words_are_separated_by_any_blanks() {
        assert_eq!(split("  upgrade \t head \n"), ["upgrade", "head"]);
        assert_eq!(split(""), Vec::<String>::new());
        assert_eq!(split("   "), Vec::<String>::new());
    }

    #[test]
    fn quotes_group_words() {
        assert_eq!(split(r#"revision --autogenerate -m "create tag""#), ["revision", "--autogenerate", "-m", "create tag"]);
        assert_eq!(split("revision -m 'add color'"), ["revision", "-m", "add color"]);
        assert_eq!(split(r#"-m"a b"c"#), ["-ma bc"]);
        assert_eq!(split(r#"x "" ''"#), ["x", "", ""]);
    }

    #[test]
    fn backslashes_follow_shlex() {
        // Matches Python: shlex.split(r'a\ b "c\"d" "e\f" \'g')
        assert_eq!(split(r#"a\ b "c\"d" "e\f" \'g"#), ["a b", "c\"d", "e\\f", "'g"]);
        assert_eq!(split(r#"'it\s'"#), [r"it\s"]);
        assert_eq!(split(r#""a\\b""#), [r"a\b"]);
    }

    #[test]
    fn unbalanced_input_is_an_error_with_shlex_wording() {
        assert_eq!(split_command_line(r#"revision -m "create tag"#), Err("No closing quotation".to_string()));
        assert_eq!(split_command_line("revision -m 'x"), Err("No closing quotation".to_string()));
        assert_eq!(split_command_line(r"upgrade \"), Err("No escaped character".to_string()));
        assert_eq!(split_command_line(r#"-m "x\"#), Err("No escaped character".to_string()));
    }

    #[test]
    fn a_leading_alembic_is_dropped() {
        assert_eq!(command_argv("alembic upgrade head"), Ok(vec!["upgrade".to_string(), "head".to_string()]));
        assert_eq!(command_argv("upgrade head"), Ok(vec!["upgrade".to_string(), "head".to_string()]));
        assert_eq!(command_argv("alembic"), Ok(vec![]));
    }

    #[test]
    fn quote_round_trips_through_split() {
        for word in ["create tag", "it's", "plain", "", "a\"b", "$HOME", "x\\y", "naïve"] {
            assert_eq!(split(&format!("-m {}", quote(word))), ["-m", word], "{word:?}");
        }
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("create tag"), "'create tag'");
    }
}
