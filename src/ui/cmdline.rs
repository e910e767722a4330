//! Quoting a word for an alembic command line (the Autogenerate button
//! builds `revision --autogenerate -m '…'` from the typed message).
//!
//! Invariant: `engine::command::split_command_line` gives the word back
//! unchanged (tested below).

/// Quotes `word` like `shlex.quote`: bare when it is made of safe
/// characters only, else in single quotes (a `'` becomes `'"'"'`).
pub fn quote(word: &str) -> String {
    let safe = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c));
    if safe {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r#"'"'"'"#))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::command::split_command_line;

    #[test]
    fn quote_round_trips_through_the_engine_splitter() {
        for word in ["create tag", "it's", "plain", "", "a\"b", "$HOME", "x\\y", "naïve", "tab\there"] {
            assert_eq!(
                split_command_line(&format!("revision -m {}", quote(word))),
                Ok(vec!["revision".to_string(), "-m".to_string(), word.to_string()]),
                "{word:?}"
            );
        }
    }

    #[test]
    fn safe_words_stay_bare() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("create tag"), "'create tag'");
        assert_eq!(quote("it's"), r#"'it'"'"'s'"#);
    }
}
