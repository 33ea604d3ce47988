//! Shell-style wildcards for names and path segments: `*` matches any run of characters, `?` one.

/// Whether `text` matches `pattern`, where `*` stands for any run of characters and `?` for one.
pub fn matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matcher with single backtracking point: linear for patterns with few stars.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((star_p, star_t)) = star {
            pi = star_p + 1;
            ti = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn wildcards() {
        assert!(matches("web-*", "web-3"));
        assert!(matches("*", ""));
        assert!(matches("openshift.io/*", "openshift.io/generated-by"));
        assert!(!matches("openshift.io/*", "app.openshift.io/vcs-uri"));
        assert!(matches("*-config", "web-config"));
        assert!(matches("w?b", "web"));
        assert!(!matches("w?b", "weeb"));
        assert!(matches("a*b*c", "aXXbYYc"));
        assert!(!matches("a*b*c", "aXXbYY"));
        assert!(matches("exact", "exact"));
    }
}
