//! Whether a secret shows in text: the check of every test that says the key never shows.

/// Where `key`, or a piece of it of 8 characters or more, shows in `text`: raw, as Rust's
/// `Debug` escapes it, or as JSON escapes it.
pub fn leak(text: &str, key: &str) -> Option<String> {
    let chars: Vec<char> = key.chars().collect();
    let width = chars.len().min(8);
    for window in chars.windows(width) {
        let piece: String = window.iter().collect();
        let debug = format!("{piece:?}");
        let json = serde_json::to_string(&piece).unwrap();
        for form in [piece.clone(), debug.trim_matches('"').to_string(), json.trim_matches('"').to_string()] {
            if text.contains(&form) {
                return Some(form);
            }
        }
    }
    None
}
