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
}
