//! Kubernetes resource quantities compared as numbers: `500m` equals `0.5`, `1Gi` equals `1024Mi`.
//!
//! A quantity is parsed into an exact decimal `mantissa × 10^exponent`; binary suffixes are
//! multiplied out. Values too large for exact arithmetic fall back to a floating-point comparison.

use serde_json::Value;

/// An exact quantity: `mantissa × 10^exponent`, with `negative` for the sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Exact {
    negative: bool,
    mantissa: u128,
    exponent: i32,
}

impl Exact {
    /// Strips trailing zeros from the mantissa, so equal values have equal representations.
    fn canonical(mut self) -> Exact {
        if self.mantissa == 0 {
            return Exact {
                negative: false,
                mantissa: 0,
                exponent: 0,
            };
        }
        while self.mantissa.is_multiple_of(10) {
            self.mantissa /= 10;
            self.exponent += 1;
        }
        self
    }
}

/// A parsed quantity.
#[derive(Debug, Clone, Copy)]
pub struct Quantity {
    exact: Option<Exact>,
    approx: f64,
}

impl Quantity {
    /// Parses a quantity string: `100m`, `1.5Gi`, `2e3`, `0.5`, `-1k`.
    pub fn parse(text: &str) -> Option<Quantity> {
        let text = text.trim();
        let (negative, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let number_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        let (number, suffix) = rest.split_at(number_len);
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return None;
        }
        let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
        let (decimal_exp, binary_exp): (i32, u32) = match suffix {
            "" => (0, 0),
            "n" => (-9, 0),
            "u" => (-6, 0),
            "m" => (-3, 0),
            "k" => (3, 0),
            "M" => (6, 0),
            "G" => (9, 0),
            "T" => (12, 0),
            "P" => (15, 0),
            "E" => (18, 0),
            "Ki" => (0, 10),
            "Mi" => (0, 20),
            "Gi" => (0, 30),
            "Ti" => (0, 40),
            "Pi" => (0, 50),
            "Ei" => (0, 60),
            s if s.starts_with(['e', 'E']) => (s[1..].parse::<i32>().ok()?, 0),
            _ => return None,
        };
        let digits = format!("{int_part}{frac_part}");
        let approx_base: f64 = format!("{int_part}.{frac_part}0").parse().ok()?;
        let approx = approx_base * 10f64.powi(decimal_exp) * 2f64.powi(binary_exp as i32);
        let approx = if negative { -approx } else { approx };
        let exact = digits
            .trim_start_matches('0')
            .parse::<u128>()
            .ok()
            .or_else(|| digits.bytes().all(|b| b == b'0').then_some(0))
            .and_then(|mantissa| mantissa.checked_mul(1u128.checked_shl(binary_exp)?))
            .map(|mantissa| {
                Exact {
                    negative,
                    mantissa,
                    exponent: decimal_exp - frac_part.len() as i32,
                }
                .canonical()
            });
        Some(Quantity { exact, approx })
    }

    /// Parses a JSON value holding a quantity (a string, or a number in hand-written YAML).
    pub fn from_value(value: &Value) -> Option<Quantity> {
        match value {
            Value::String(s) => Quantity::parse(s),
            Value::Number(n) => Quantity::parse(&n.to_string()),
            _ => None,
        }
    }

    /// Whether two quantities are the same amount.
    pub fn same_amount(&self, other: &Quantity) -> bool {
        match (self.exact, other.exact) {
            (Some(a), Some(b)) => a == b,
            _ => {
                let scale = self
                    .approx
                    .abs()
                    .max(other.approx.abs())
                    .max(f64::MIN_POSITIVE);
                (self.approx - other.approx).abs() / scale < 1e-12
            }
        }
    }
}

/// Whether the value at a path whose map keys are `fields` is a quantity: resource requests and
/// limits, ResourceQuota `hard`, LimitRange bounds, PVC and PV storage, emptyDir size limits.
pub fn is_quantity_path(fields: &[&str]) -> bool {
    const QUANTITY_MAPS: &[&str] = &[
        "requests",
        "limits",
        "hard",
        "used",
        "capacity",
        "allocatable",
        "max",
        "min",
        "default",
        "defaultRequest",
        "maxLimitRequestRatio",
        "overhead",
    ];
    match fields {
        [.., "sizeLimit"] => true,
        [.., parent, _leaf] => QUANTITY_MAPS.contains(parent),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) -> bool {
        Quantity::parse(a)
            .unwrap()
            .same_amount(&Quantity::parse(b).unwrap())
    }

    #[test]
    fn equal_amounts_in_different_notation() {
        assert!(same("500m", "0.5"));
        assert!(same("1Gi", "1024Mi"));
        assert!(same("1", "1000m"));
        assert!(same("1k", "1000"));
        assert!(same("1e3", "1k"));
        assert!(same("0.1", "100m"));
        assert!(same("0", "0Gi"));
        assert!(same("1.5Gi", "1536Mi"));
        assert!(!same("128974848", "129e6"));
        assert!(same("129M", "129e6"));
        assert!(same("8Ei", "8192Pi"));
        assert!(same("1P", "1000T"));
        assert!(same("+1", "1"));
        assert!(same(" 1Gi ", "1Gi"));
        assert!(same("2E", "2000P"));
        assert!(same("3u", "3000n"));
    }

    /// Beyond 128 bits of mantissa the exact form gives up and the amounts are compared as
    /// floats, relative to their size.
    #[test]
    fn amounts_too_large_to_be_exact_compare_approximately() {
        let too_large = "400000000000000000000000000000000000000";
        assert!(Quantity::parse(too_large).unwrap().exact.is_none());
        // One side exact, one approximate: decimal and binary suffixes scale the approximation.
        assert!(same("4e38", too_large));
        assert!(same("4e38", "390625000000000000000000000000000000Ki"));
        assert!(!same("5e38", too_large));
        // Both approximate: a difference far below the size of the amounts is none.
        assert!(same(too_large, "400000000000010000000000000000000000000"));
        assert!(!same(too_large, "410000000000000000000000000000000000000"));
    }

    #[test]
    fn different_amounts() {
        assert!(!same("500m", "0.6"));
        assert!(!same("1Gi", "1G"));
        assert!(!same("-1", "1"));
        // Exact amounts differ however close they are: a float would call these equal.
        assert!(!same("1000000000000001", "1000000000000000"));
        assert!(!same("1Ei", "1152921504606846977"));
        assert!(same("1Ei", "1152921504606846976"));
    }

    /// Zero in any spelling is exactly zero, not an approximation of it.
    #[test]
    fn zero_is_exact() {
        for text in ["0", "000", "0.0", "0Gi", "-0"] {
            let exact = Quantity::parse(text).unwrap().exact;
            assert_eq!(
                exact,
                Some(Exact {
                    negative: false,
                    mantissa: 0,
                    exponent: 0
                }),
                "{text}"
            );
        }
    }

    #[test]
    fn not_quantities() {
        for text in ["", "abc", "1.2.3", "1Xi", ".", "Gi", "1x5", "2ee3"] {
            assert!(Quantity::parse(text).is_none(), "{text}");
        }
    }

    #[test]
    fn quantity_paths() {
        assert!(is_quantity_path(&[
            "spec",
            "containers",
            "resources",
            "limits",
            "cpu"
        ]));
        assert!(is_quantity_path(&["spec", "hard", "pods"]));
        assert!(is_quantity_path(&[
            "spec",
            "volumes",
            "emptyDir",
            "sizeLimit"
        ]));
        assert!(!is_quantity_path(&["spec", "replicas"]));
    }
}
