//! The query string of a request: parsing and percent-decoding it, and reading `watch`, `limit`
//! and `continue`, and field selectors from it.

use std::collections::HashMap;
use std::ops::Range;

/// Whether a request under a group version asks to watch: a `/watch/` path (the old form) or
/// `watch=true`. The value is read as Go's `strconv.ParseBool` reads it, as a real API server does.
pub(super) fn wants_watch(rest: &[&str], query: &HashMap<String, String>) -> Result<bool, String> {
    if rest.first() == Some(&"watch") {
        return Ok(true);
    }
    match query.get("watch").map(String::as_str) {
        None | Some("") => Ok(false),
        Some("1" | "t" | "T" | "true" | "TRUE" | "True") => Ok(true),
        Some("0" | "f" | "F" | "false" | "FALSE" | "False") => Ok(false),
        Some(other) => Err(format!("invalid value for watch: {other:?}")),
    }
}

/// The part of a list of `len` items that `limit` and `continue` ask for.
///
/// `limit` is read as the API server reads it (an int64; zero or less means no limit).
/// `continue` must be a token this server gave: `o` and an offset no further than the end.
/// Anything else is an error message for a `400`, never a panic or an overflow.
pub(super) fn page_range(
    query: &HashMap<String, String>,
    len: usize,
) -> Result<Range<usize>, String> {
    let limit = match query.get("limit").map(String::as_str) {
        None | Some("") => None,
        Some(text) => match text.parse::<i64>() {
            Ok(limit) if limit > 0 => Some(usize::try_from(limit).unwrap_or(usize::MAX)),
            Ok(_) => None,
            Err(_) => return Err(format!("invalid limit: {text:?}")),
        },
    };
    let offset = match query.get("continue").map(String::as_str) {
        None | Some("") => 0,
        Some(token) => match parse_continue(token) {
            Some(offset) if offset <= len => offset,
            _ => return Err(format!("invalid continue token: {token:?}")),
        },
    };
    let end = limit.map_or(len, |limit| offset.saturating_add(limit).min(len));
    Ok(offset..end)
}

pub(super) fn parse_continue(token: &str) -> Option<usize> {
    let digits = token.strip_prefix('o')?;
    // `parse` would also take a sign: "o+1" is not a token we give.
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `metadata.name=x,metadata.namespace!=y` as `(field, value, equal)`.
pub(super) fn field_selector(text: &str) -> Result<Vec<(String, String, bool)>, String> {
    let mut fields = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (field, value, equal) = if let Some((f, v)) = part.split_once("!=") {
            (f, v, false)
        } else if let Some((f, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
            (f, v, true)
        } else {
            return Err(format!("invalid field selector: {part:?}"));
        };
        let field = field.trim();
        if field != "metadata.name" && field != "metadata.namespace" {
            return Err(format!("field label not supported: {field}"));
        }
        fields.push((field.to_string(), value.trim().to_string(), equal));
    }
    Ok(fields)
}

/// The query string as a map, percent-decoded. A repeated key keeps its first value, as Go's
/// `url.Values.Get` does.
pub(super) fn parse_query(query: &str) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        map.entry(decode(key)).or_insert_with(|| decode(value));
    }
    map
}

/// Percent-decodes a query component (`+` is a space); a `%` not followed by two hex digits is
/// kept as it is.
pub(super) fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], hex_pair(bytes.get(i + 1..i + 3))) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 2;
            }
            (other, _) => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The byte two hex digits spell (`u8::from_str_radix` alone would also take "+1").
pub(super) fn hex_pair(pair: Option<&[u8]>) -> Option<u8> {
    let digit = |b: u8| char::from(b).to_digit(16);
    match pair? {
        [high, low] => u8::try_from(digit(*high)? * 16 + digit(*low)?).ok(),
        _ => None,
    }
}
