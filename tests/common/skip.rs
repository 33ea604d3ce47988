//! The one place where a test decides that it cannot run, and says so where people look.
//!
//! A test that needs something the repository does not hold (the third-party corpus in
//! `../shared/corpus`, Chromium, kubectl) asks for it here. When it is missing, [`skip`] writes
//! `SKIPPED: <test>: <what is missing>` straight to the test process's standard output: not through
//! `println!`, which the test harness captures and hides for a passing test, so the line shows in
//! the output of every `cargo test` (count them with `cargo test 2>&1 | grep '^SKIPPED:'`). Under CI
//! (the `CI` environment variable set, as `.ci/run` runs) a missing dependency that CI is supposed
//! to have fails the test instead: the corpus (laid beside every checkout, CI's included),
//! Chromium and the local S3 server (moto; both installed by `.ci/run`). kubectl is on the
//! machine image but `.ci/run` cannot install it (it is not a Debian package), so its absence is
//! a visible skip everywhere.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What a test may need that the repository does not hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// The third-party corpus, `../shared/corpus`.
    Corpus,
    /// Headless Chromium (`chromium` or `chromium-browser` on PATH).
    Chromium,
    /// The real kubectl (on PATH, else `/usr/bin/kubectl`).
    Kubectl,
    /// A local S3 server: Python's `moto[server]` (`python3 -m moto.server`).
    S3,
    /// A network address of this machine that is not loopback (an interface with a route).
    NetworkAddress,
    /// Prometheus's promtool and the Pushgateway (Debian's `prometheus` and
    /// `prometheus-pushgateway`, which `.ci/run` installs).
    Prometheus,
    /// The real minisign and age tools (`/usr/bin/minisign`, `/usr/bin/age`), which check that
    /// driftlab's signatures and encrypted archives are the real formats.
    TrustTools,
}

impl Need {
    /// Whether CI must have it: a skip for want of it fails under CI.
    pub fn required_in_ci(self) -> bool {
        match self {
            Need::Corpus | Need::Chromium | Need::S3 | Need::Prometheus | Need::TrustTools => true,
            // A sandbox may have loopback only; nothing CI installs can give it an interface.
            Need::Kubectl | Need::NetworkAddress => false,
        }
    }
}

/// Whether this run is CI's (`CI` set to anything but empty, `0` or `false`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// Reports that the calling test does not run for want of `need` (`why` says what is missing);
/// panics instead under CI when CI must have it.
pub fn skip(need: Need, why: &str) {
    let current = std::thread::current();
    let test = current.name().unwrap_or("a test");
    let line = format!("SKIPPED: {test}: {why}\n");
    if need.required_in_ci() && in_ci() {
        panic!("{why}: CI must have it (see tests/README.md)");
    }
    // Straight to the process's stdout: the harness captures only the print macros.
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(line.as_bytes());
    let _ = out.flush();
}

/// `../shared/corpus/<relative>` (`""`: the corpus folder), or `None` after [`skip`].
pub fn corpus(relative: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let dir = if relative.is_empty() {
        root
    } else {
        root.join(relative)
    };
    if dir.exists() {
        return Some(dir);
    }
    skip(
        Need::Corpus,
        &format!("the corpus is not at {}", dir.display()),
    );
    None
}

/// The first of `names` found on PATH.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// kubectl: on PATH, else `/usr/bin/kubectl`; `None` after [`skip`].
pub fn kubectl() -> Option<PathBuf> {
    let found = on_path(&["kubectl"]).or_else(|| {
        let fallback = PathBuf::from("/usr/bin/kubectl");
        fallback.is_file().then_some(fallback)
    });
    if found.is_none() {
        skip(
            Need::Kubectl,
            "kubectl is neither on PATH nor /usr/bin/kubectl",
        );
    }
    found
}

/// An IPv4 address of this machine other than loopback: the source address the kernel picks for
/// a route out (a UDP "connect" sends nothing); `None` after [`skip`] when there is no such route.
pub fn network_address() -> Option<std::net::IpAddr> {
    let found = std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|socket| {
            // TEST-NET-2 (RFC 5737): never a real peer, only a destination to route.
            socket.connect("198.51.100.1:9")?;
            socket.local_addr()
        })
        .ok()
        .map(|address| address.ip())
        .filter(|ip| !ip.is_loopback() && !ip.is_unspecified());
    if found.is_none() {
        skip(
            Need::NetworkAddress,
            "this machine has no route out, so no address but loopback",
        );
    }
    found
}

/// Chromium on PATH (`chromium`, `chromium-browser`); `None` after [`skip`].
pub fn chromium() -> Option<PathBuf> {
    let found = on_path(&["chromium", "chromium-browser"]);
    if found.is_none() {
        skip(
            Need::Chromium,
            "Chromium is not on PATH (.ci/run installs Debian's chromium)",
        );
    }
    found
}

/// `python3` when it can import moto's server (`pip install 'moto[server]'`, which `.ci/run`
/// does); `None` after [`skip`].
pub fn moto_python() -> Option<PathBuf> {
    let python = on_path(&["python3"])?;
    let importable = Command::new(&python)
        .args(["-c", "import moto.server, flask, boto3"])
        .output()
        .is_ok_and(|out| out.status.success());
    if importable {
        return Some(python);
    }
    skip(
        Need::S3,
        "python3 cannot import moto.server (.ci/run installs it: pip install 'moto[server]')",
    );
    None
}

/// `promtool` or `prometheus-pushgateway` (`tool`): on PATH, else in `/usr/bin`; `None` after
/// [`skip`].
pub fn prometheus_tool(tool: &str) -> Option<PathBuf> {
    let found = on_path(&[tool]).or_else(|| {
        let fallback = Path::new("/usr/bin").join(tool);
        fallback.is_file().then_some(fallback)
    });
    if found.is_none() {
        skip(
            Need::Prometheus,
            &format!("{tool} is not installed (.ci/run installs Debian's prometheus tools)"),
        );
    }
    found
}

/// The tool `name` (`minisign`, `age`, `age-keygen`) on PATH; `None` after [`skip`] (`.ci/run`
/// installs them from Debian).
pub fn trust_tool(name: &str) -> Option<PathBuf> {
    let found = on_path(&[name]);
    if found.is_none() {
        skip(
            Need::TrustTools,
            &format!("{name} is not on PATH (.ci/run installs Debian's minisign and age)"),
        );
    }
    found
}

/// kubectl with an empty kubeconfig and `home` as HOME, so the host's configuration is never
/// used and nothing is written outside `home`.
pub fn kubectl_command(kubectl: &Path, home: &Path) -> Command {
    let config = home.join("empty-kubeconfig");
    std::fs::write(&config, "apiVersion: v1\nkind: Config\n").unwrap();
    let mut command = Command::new(kubectl);
    command
        .env("KUBECONFIG", &config)
        .env("HOME", home)
        .env_remove("KUBECTL_EXTERNAL_DIFF");
    command
}
