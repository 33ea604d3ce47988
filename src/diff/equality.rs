//! Structural equality and hashing of JSON values, insensitive to map key order and to the
//! spelling of a number (`1` and `1.0` are the same number).

use serde_json::{Number, Value};
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

/// Whether two values are the same: maps by key regardless of order, lists by position, numbers by
/// value.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => same_number(x, y),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, value)| y.get(key).is_some_and(|other| same(value, other)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        _ => a == b,
    }
}

fn same_number(x: &Number, y: &Number) -> bool {
    match (amount(x), amount(y)) {
        (Amount::Integer(a), Amount::Integer(b)) => a == b,
        (Amount::Huge(a), Amount::Huge(b)) => a == b,
        (Amount::Fraction(a), Amount::Fraction(b)) => a == b,
        _ => false,
    }
}

/// A number as it compares: an exact integer (`1.0` included), an integer too large for 128
/// bits (by its digits: serde_json keeps them, `arbitrary_precision`), or anything else as a
/// binary float.
#[derive(Debug, PartialEq)]
enum Amount {
    Integer(i128),
    Huge(String),
    Fraction(f64),
}

fn amount(n: &Number) -> Amount {
    if let Some(i) = n.as_i64() {
        return Amount::Integer(i128::from(i));
    }
    if let Some(u) = n.as_u64() {
        return Amount::Integer(i128::from(u));
    }
    let text = n.to_string();
    let digits = text.strip_prefix('-').unwrap_or(&text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<i128>() {
            Ok(i) => Amount::Integer(i),
            Err(_) => Amount::Huge(text),
        };
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    // A whole float within 128 bits is that integer exactly (`1e18` is 1000000000000000000);
    // beyond, `as` would saturate and make different numbers equal.
    if f.fract() == 0.0 && f.abs() < I128_BOUND {
        Amount::Integer(f as i128)
    } else {
        Amount::Fraction(f)
    }
}

/// 2^127: the first magnitude an `i128` cannot hold.
const I128_BOUND: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;

const TAG_NULL: u64 = 0x6e75_6c6c;
const TAG_ARRAY: u64 = 0x0061_7272_6179;
const TAG_OBJECT: u64 = 0x6f62_6a65_6374;

/// A 64-bit hash consistent with [`same`]: equal values hash equally.
pub fn hash(value: &Value) -> u64 {
    match value {
        Value::Null => TAG_NULL,
        Value::Bool(b) => xxh3_64_with_seed(&[u8::from(*b)], 5),
        Value::Number(n) => match amount(n) {
            Amount::Integer(i) => xxh3_64_with_seed(&i.to_le_bytes(), 1),
            Amount::Fraction(f) => xxh3_64_with_seed(&f.to_bits().to_le_bytes(), 2),
            Amount::Huge(digits) => xxh3_64_with_seed(digits.as_bytes(), 4),
        },
        Value::String(s) => xxh3_64_with_seed(s.as_bytes(), 3),
        Value::Array(items) => items.iter().fold(TAG_ARRAY, |acc, item| {
            xxh3_64_with_seed(&hash(item).to_le_bytes(), acc)
        }),
        // Entries are combined with a commutative sum, so key order does not matter.
        Value::Object(map) => map.iter().fold(TAG_OBJECT, |acc, (key, item)| {
            acc.wrapping_add(xxh3_64_with_seed(
                &hash(item).to_le_bytes(),
                xxh3_64(key.as_bytes()),
            ))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A JSON text as serde_json reads it (numbers keep their digits).
    fn parse(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn key_order_and_number_spelling_do_not_matter() {
        let a: Value = serde_json::from_str(r#"{"a": 1, "b": [1.0, "x"]}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"b": [1, "x"], "a": 1.0}"#).unwrap();
        assert!(same(&a, &b));
        assert_eq!(hash(&a), hash(&b));
    }

    #[test]
    fn types_and_positions_matter() {
        assert!(!same(&json!("8080"), &json!(8080)));
        assert!(!same(&json!([1, 2]), &json!([2, 1])));
        assert_ne!(hash(&json!([1, 2])), hash(&json!([2, 1])));
        assert_ne!(
            hash(&json!({"a": 1, "b": 2})),
            hash(&json!({"a": 2, "b": 1}))
        );
        assert!(!same(
            &json!(9007199254740993u64),
            &json!(9007199254740992u64)
        ));
    }

    #[test]
    fn integers_beyond_64_bits_compare_by_value() {
        let a = parse("123456789012345678901234567890");
        let b = parse("123456789012345678901234567891");
        assert!(!same(&a, &b));
        assert_ne!(hash(&a), hash(&b));
        assert!(same(&a, &parse("123456789012345678901234567890")));
        // Within 128 bits, and beyond it.
        let c = parse("18446744073709551617");
        assert!(!same(&c, &parse("18446744073709551616")));
        assert!(same(&c, &parse("18446744073709551617")));
        assert_eq!(hash(&parse("1.0")), hash(&parse("1")));
        assert!(same(&parse("1.0"), &parse("1")));
        assert!(!same(&parse("0.1"), &parse("0.2")));
        assert!(same(&parse("0.5"), &parse("0.50")));
        assert!(same(&parse("-2.5e-1"), &parse("-0.25")));
        assert!(same(&parse("1e2"), &parse("100")));
    }

    #[test]
    fn integers_beyond_128_bits_compare_by_their_digits() {
        let googol = format!("1{}", "0".repeat(100));
        assert!(same(&parse(&googol), &parse(&googol)));
        assert_eq!(hash(&parse(&googol)), hash(&parse(&googol)));
        assert!(!same(&parse(&googol), &parse(&format!("{googol}1"))));
    }

    #[test]
    fn whole_floats_are_the_integers_they_spell() {
        assert!(same(&parse("1e18"), &parse("1000000000000000000")));
        assert!(same(&parse("1e20"), &parse("100000000000000000000")));
        assert_eq!(hash(&parse("1e20")), hash(&parse("100000000000000000000")));
        // 2^127 as a float is one more than the largest i128: not saturated into it.
        let max = i128::MAX.to_string();
        assert!(!same(&parse("1.7014118346046923e38"), &parse(&max)));
    }

    #[test]
    fn booleans_hash_apart_from_each_other_and_from_null() {
        let hashes = [
            json!(true),
            json!(false),
            Value::Null,
            json!(0),
            json!(1),
            json!(""),
        ]
        .map(|v| hash(&v));
        for (i, a) in hashes.iter().enumerate() {
            for b in &hashes[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
