//! Whether a secret shows in text: the check of every test that says the key never shows.

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

/// Keys with what breaks naive redaction: quotes, backslashes, `%`, `+`, `&`, spaces and
/// characters beyond ASCII.
pub fn nasty_key() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::strategy::Strategy;
    let alphabet = vec![
        'a', 'Z', '0', '9', '_', '-', '"', '\\', '%', '+', '&', '<', '\'', '/', ' ', 'é', 'ü', '日', '🙂',
    ];
    proptest::collection::vec(proptest::sample::select(alphabet), 6..40)
        .prop_map(|chars| format!("pk_{}", chars.into_iter().collect::<String>()))
}

/// How many forms [`encoded`] knows.
pub const FORMS: usize = 5;

/// `key` as a server might write it back: raw, JSON-escaped, percent-encoded, as Rust's `Debug`
/// writes it, or as HTML character references.
pub fn encoded(key: &str, form: usize) -> String {
    match form {
        0 => key.to_string(),
        1 => json_escaped(key),
        2 => key
            .bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02x}") })
            .collect(),
        3 => debug_escaped(key),
        _ => key
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_string() } else { format!("&#{};", c as u32) })
            .collect(),
    }
}
