//! The one conditional default that needs a parser: a container's `imagePullPolicy` depends on its
//! image reference's tag.
//!
//! Upstream (`SetDefaults_Container` in `pkg/apis/core/v1/defaults.go`) parses the image with
//! `parsers.ParseImageName` (docker's `reference.ParseNormalizedNamed`): no tag and no digest means
//! tag `latest`; the policy is `Always` for tag `latest`, else `IfNotPresent`. A reference that does
//! not parse gets tag `""`, hence `IfNotPresent`.

/// The `imagePullPolicy` the API server gives a container whose image is `image`: `Always` when
/// the tag is `latest` or there is neither tag nor digest, `IfNotPresent` otherwise (also for a
/// reference that does not parse, as upstream ignores the parse error).
///
/// A registry port is not a tag: `registry:5000/app` has no tag, so `Always`.
pub fn pull_policy(image: &str) -> &'static str {
    match parse(image) {
        Some(reference) if reference.tag == Some("latest") => "Always",
        Some(reference) if reference.tag.is_none() && !reference.digest => "Always",
        _ => "IfNotPresent",
    }
}

/// The parts of a reference that the pull policy needs.
struct Reference<'a> {
    tag: Option<&'a str>,
    digest: bool,
}

/// Parses `[domain/]path[:tag][@algorithm:hex]`, or `None` where docker's parser would refuse it.
fn parse(image: &str) -> Option<Reference<'_>> {
    let (name_tag, digest) = match image.split_once('@') {
        Some((name_tag, digest)) => (name_tag, Some(digest)),
        None => (image, None),
    };
    if let Some(digest) = digest {
        let (algorithm, hex) = digest.split_once(':')?;
        if algorithm.is_empty() || hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
    }
    // The tag is after a colon in the last path component; a colon before the last slash is a
    // registry port.
    let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_tag[last_slash..].rfind(':') {
        Some(i) => (
            &name_tag[..last_slash + i],
            Some(&name_tag[last_slash + i + 1..]),
        ),
        None => (name_tag, None),
    };
    if !valid_name(name) || !tag.is_none_or(valid_tag) {
        return None;
    }
    Some(Reference {
        tag,
        digest: digest.is_some(),
    })
}

/// A repository name: an optional domain (it has a `.` or `:`, is `localhost`, or has capitals),
/// then lowercase path components.
fn valid_name(name: &str) -> bool {
    let (domain, path) = match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.bytes().any(|b| b.is_ascii_uppercase()) =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    };
    // docker refuses a bare 64-hex name: it would read as an image ID.
    let image_id =
        domain.is_none() && path.len() == 64 && path.bytes().all(|b| b.is_ascii_hexdigit());
    domain.is_none_or(valid_domain) && !image_id && path.split('/').all(valid_component)
}

fn valid_domain(domain: &str) -> bool {
    let (host, port) = match domain.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (domain, None),
    };
    !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn valid_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    bytes.first().is_some_and(alnum)
        && bytes.last().is_some_and(alnum)
        && bytes
            .iter()
            .all(|b| alnum(b) || matches!(b, b'.' | b'_' | b'-'))
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
fn valid_tag(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    bytes.len() <= 128
        && bytes.first().is_some_and(word)
        && bytes.iter().all(|b| word(b) || matches!(b, b'.' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::pull_policy;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn latest_or_untagged_pulls_always() {
        for image in [
            "nginx",
            "nginx:latest",
            "library/nginx",
            "docker.io/library/nginx",
            "registry:5000/app",
            "registry.example.com:5000/team/app",
            "localhost/app",
            "localhost:5000/app:latest",
        ] {
            assert_eq!(pull_policy(image), "Always", "{image}");
        }
    }

    #[test]
    fn a_tag_or_a_digest_pulls_if_not_present() {
        let digested = format!("registry:5000/app@{DIGEST}");
        let tagged_digest = format!("app:1.2@{DIGEST}");
        for image in [
            "nginx:1.25",
            "registry:5000/app:v2",
            "registry.example.com:5000/team/app:2024-01-01_rc.1",
            digested.as_str(),
            tagged_digest.as_str(),
        ] {
            assert_eq!(pull_policy(image), "IfNotPresent", "{image}");
        }
    }

    #[test]
    fn latest_with_a_digest_still_pulls_always() {
        // Upstream looks at the tag alone once there is one.
        assert_eq!(pull_policy(&format!("app:latest@{DIGEST}")), "Always");
    }

    #[test]
    fn unparsable_references_get_if_not_present_like_upstream() {
        for image in [
            "",
            "Nginx",
            "team/App:1",
            "app:",
            "app@sha256:xyz",
            "app:-bad",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(pull_policy(image), "IfNotPresent", "{image:?}");
        }
    }

    #[test]
    fn a_capitalised_first_component_is_a_domain() {
        assert_eq!(pull_policy("MyRegistry/app"), "Always");
        assert_eq!(pull_policy("MyRegistry/app:1"), "IfNotPresent");
    }
}
