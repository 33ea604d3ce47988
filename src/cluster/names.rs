//! Kubernetes' own rules for the names a server sends: namespaces, resource names, groups,
//! versions and kinds. driftlab puts them into URL paths and archive entry names, so a server that
//! sends `..` or `/abs` as a namespace must not be able to steer where anything is read or written.

/// A DNS-1123 label: 1 to 63 lower-case letters, digits and `-`, starting and ending with a letter
/// or digit. Namespaces, resource plurals and versions follow it.
pub fn is_dns1123_label(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

/// A DNS-1123 subdomain: DNS-1123 labels joined by dots, 253 characters at most. API groups
/// follow it (`apps.openshift.io`).
pub fn is_dns1123_subdomain(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(is_dns1123_label)
}

/// A kind: a letter followed by letters and digits (`DeploymentConfig`), 63 characters at most.
pub fn is_kind(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes[0].is_ascii_alphabetic()
        && bytes.iter().all(u8::is_ascii_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_are_labels() {
        for good in ["myproject", "a", "kube-system", "x1", &"a".repeat(63)] {
            assert!(is_dns1123_label(good), "{good}");
        }
        for bad in [
            "",
            "..",
            ".",
            "../../../tmp/evil",
            "/abs",
            "My",
            "-a",
            "a-",
            "a.b",
            "a b",
            "a\0",
            &"a".repeat(64),
        ] {
            assert!(!is_dns1123_label(bad), "{bad:?}");
        }
    }

    #[test]
    fn groups_are_subdomains() {
        assert!(is_dns1123_subdomain("apps.openshift.io"));
        assert!(is_dns1123_subdomain("rbac.authorization.k8s.io"));
        for bad in ["", "..", "a..b", ".a", "a/b", "../x", "A.io"] {
            assert!(!is_dns1123_subdomain(bad), "{bad:?}");
        }
    }

    #[test]
    fn kinds() {
        assert!(is_kind("DeploymentConfig"));
        assert!(is_kind("V1Thing"));
        for bad in ["", "1Pod", "Pod/x", "Pod.x", "../Pod"] {
            assert!(!is_kind(bad), "{bad:?}");
        }
    }
}
