//! Whether a secret shows in text: the check of every test that says the key never shows.

#![allow(dead_code)] // Each test binary uses a different part.

/// Where `key`, or a piece of it of 8 characters or more, shows in `text`: raw, as Rust's
/// `Debug` escapes it, or as JSON escapes it.
pub fn leak(text: &str, key: &str) -> Option<String> {
    let chars: Vec<char> = key.chars().collect();
    let width = chars.len().min(8);
    for window in chars.windows(width) {
        let piece: String = window.iter().collect();
        for form in [debug_escaped(&piece), json_escaped(&piece), piece] {
            if text.contains(&form) {
                return Some(form);
            }
        }
    }
    None
}

/// `text` as JSON writes it inside a string.
pub fn json_escaped(text: &str) -> String {
    unquoted(serde_json::to_string(text).unwrap())
}

/// `text` as Rust's `Debug` writes it inside a string.
pub fn debug_escaped(text: &str) -> String {
    unquoted(format!("{text:?}"))
}

fn unquoted(quoted: String) -> String {
    quoted[1..quoted.len() - 1].to_string()
}
