//! Pushing to a Prometheus Pushgateway: `PUT /metrics/job/<job>/<label>/<value>…` replaces
//! the metrics of the export's group (job, cluster, namespaces), as batch jobs report; `GET
//! /api/v1/metrics` reads what the gateway holds, for the last success of a failed run.
//!
//! Label values that are empty or hold anything but letters, digits, `-`, `_` and `.` go in the
//! gateway's `@base64` form (URL-safe base64; `=` for the empty value), so that a `/` cannot
//! change the path. Every request has a deadline: a gateway that does not answer costs
//! [`Pushgateway::timeout`], never a hang.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE;

/// How long a request to the gateway may take, unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The most of an answer read: a gateway's `/api/v1/metrics` lists every group it holds, a few
/// MiB for a big one; a server that sends more is not a Pushgateway to trust.
pub const MAX_ANSWER: usize = 32 << 20;

/// A Pushgateway and the grouping key of this export's metrics.
#[derive(Clone, Debug)]
pub struct Pushgateway {
    /// The gateway's address as given, with any user and password left out: for messages.
    shown: String,
    /// The URL of the group: `<base>/metrics/job/<job>/<label>/<value>…`.
    group_url: reqwest::Url,
    /// The URL of the gateway's JSON API listing every group.
    api_url: reqwest::Url,
    /// The grouping key, job first.
    grouping: Vec<(String, String)>,
    /// How long one request may take.
    pub timeout: Duration,
}

impl Pushgateway {
    /// The gateway at `url` (http or https, with a host, without query or fragment), with the
    /// group `job` and `labels`; `Err` says what is wrong with the URL.
    pub fn new(url: &str, job: &str, labels: &[(String, String)]) -> Result<Pushgateway, String> {
        let base = reqwest::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(format!("{}: not http or https", base.scheme()));
        }
        if base.host_str().is_none_or(str::is_empty) {
            return Err("no host".into());
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err("a query or fragment has no place in it".into());
        }
        if job.is_empty() {
            return Err("--metrics-job must not be empty".into());
        }
        let mut shown = base.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        let root = base.as_str().trim_end_matches('/');
        let mut grouping = vec![("job".to_string(), job.to_string())];
        grouping.extend(labels.iter().cloned());
        let mut path = String::from("/metrics");
        for (name, value) in &grouping {
            path.push_str(&segment(name, value));
        }
        let parse = |tail: &str| {
            reqwest::Url::parse(&format!("{root}{tail}")).map_err(|e| format!("not a URL: {e}"))
        };
        Ok(Pushgateway {
            shown: shown.as_str().trim_end_matches('/').to_string(),
            group_url: parse(&path)?,
            api_url: parse("/api/v1/metrics")?,
            grouping,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// The gateway as shown in messages.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The URL metrics are pushed to.
    pub fn group_url(&self) -> &str {
        self.group_url.as_str()
    }

    /// Replaces the group's metrics with `text` (PUT).
    pub fn push(&self, text: &str) -> Result<(), String> {
        let request = self
            .client()?
            .put(self.group_url.clone())
            .header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            .body(text.to_string());
        self.send(request, "push").map(drop)
    }

    /// The last success the gateway holds for this group, if it holds one.
    pub fn last_success(&self) -> Result<Option<f64>, String> {
        let request = self.client()?.get(self.api_url.clone());
        let body = self.send(request, "read the last success from")?;
        let json: serde_json::Value = serde_json::from_str(&body).map_err(|e| {
            format!(
                "Pushgateway {}: /api/v1/metrics is not JSON ({e})",
                self.shown
            )
        })?;
        Ok(last_success_of(&json, &self.grouping))
    }

    fn client(&self) -> Result<reqwest::Client, String> {
        // reqwest is built without a TLS provider of its own: use ring, as kube does.
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .build()
            .map_err(|e| format!("Pushgateway {}: {e}", self.shown))
    }

    /// Sends `request`; the body of a 2xx answer, else one line saying what went wrong.
    fn send(&self, request: reqwest::RequestBuilder, what: &str) -> Result<String, String> {
        let fail = |why: String| format!("Pushgateway {}: cannot {what} it: {why}", self.shown);
        let answer = crate::runtime::block_on(async {
            let mut response = request.send().await.map_err(describe)?;
            let status = response.status();
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(describe)? {
                if body.len() + chunk.len() > MAX_ANSWER {
                    return Err(format!("it answered more than {} MiB", MAX_ANSWER >> 20));
                }
                body.extend_from_slice(&chunk);
            }
            Ok::<_, String>((status, String::from_utf8_lossy(&body).into_owned()))
        })
        .map_err(|e| fail(e.to_string()))?;
        let (status, body) = answer.map_err(fail)?;
        if !status.is_success() {
            let said: String = body
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(200)
                .collect();
            return Err(fail(format!("it answered {status}: {said}")));
        }
        Ok(body)
    }
}

/// The cause of a failed request in words: the innermost error says most (connection
/// refused, a timeout, a DNS failure).
fn describe(error: reqwest::Error) -> String {
    let timeout = error.is_timeout();
    let mut cause: &dyn std::error::Error = &error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    if timeout {
        format!("no answer in time ({cause})")
    } else {
        cause.to_string()
    }
}

/// One `/<name>/<value>` of a grouping path.
fn segment(name: &str, value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && value != "."
        && value != "..";
    if plain {
        format!("/{name}/{value}")
    } else if value.is_empty() {
        format!("/{name}@base64/=")
    } else {
        format!("/{name}@base64/{}", URL_SAFE.encode(value))
    }
}

/// The last success in the answer of `/api/v1/metrics`, in the group whose labels are exactly
/// `grouping`.
fn last_success_of(json: &serde_json::Value, grouping: &[(String, String)]) -> Option<f64> {
    let groups = json.get("data")?.as_array()?;
    let group = groups.iter().find(|group| {
        group
            .get("labels")
            .and_then(serde_json::Value::as_object)
            .is_some_and(|labels| {
                labels.len() == grouping.len()
                    && grouping
                        .iter()
                        .all(|(k, v)| labels.get(k).and_then(|l| l.as_str()) == Some(v.as_str()))
            })
    })?;
    let metrics = group.get(super::LAST_SUCCESS)?.get("metrics")?.as_array()?;
    let value = metrics.first()?.get("value")?;
    let number = match value {
        serde_json::Value::String(text) => text.parse::<f64>().ok()?,
        other => other.as_f64()?,
    };
    number.is_finite().then_some(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_grouping_path_encodes_what_a_path_cannot_hold() {
        let gateway = Pushgateway::new(
            "http://user:secret@gw:9091/",
            "driftlab",
            &labels(&[("cluster", "eu/prod"), ("namespaces", "a,b"), ("x", "")]),
        )
        .unwrap();
        assert_eq!(
            gateway.group_url(),
            "http://user:secret@gw:9091/metrics/job/driftlab/cluster@base64/ZXUvcHJvZA==/namespaces@base64/YSxi/x@base64/="
        );
        assert_eq!(gateway.shown(), "http://gw:9091", "no password in messages");
        let gateway = Pushgateway::new("https://gw/prefix", "j", &labels(&[("namespaces", "all")]));
        assert_eq!(
            gateway.unwrap().group_url(),
            "https://gw/prefix/metrics/job/j/namespaces/all"
        );
    }

    #[test]
    fn bad_urls_are_refused_with_a_reason() {
        for (url, why) in [
            ("gw:9091", "not http or https"),
            ("ftp://gw", "not http or https"),
            ("http://", "not a URL"),
            ("http://gw/?a=b", "query"),
            ("nonsense", "not a URL"),
        ] {
            let err = Pushgateway::new(url, "driftlab", &[]).unwrap_err();
            assert!(err.contains(why), "{url}: {err}");
        }
        assert!(Pushgateway::new("http://gw", "", &[]).is_err());
    }

    #[test]
    fn the_last_success_is_read_from_this_group_only() {
        let json = serde_json::json!({"status": "success", "data": [
            {"labels": {"job": "driftlab", "namespaces": "other"},
             "driftlab_export_last_success_timestamp_seconds": {"metrics": [{"value": "1"}]}},
            {"labels": {"job": "driftlab", "namespaces": "all"},
             "driftlab_export_last_success_timestamp_seconds": {"metrics": [{"value": "1.7e+09"}]}},
        ]});
        let grouping = labels(&[("job", "driftlab"), ("namespaces", "all")]);
        assert_eq!(last_success_of(&json, &grouping), Some(1.7e9));
        let grouping = labels(&[("job", "driftlab")]);
        assert_eq!(last_success_of(&json, &grouping), None);
    }
}
