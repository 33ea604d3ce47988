//! `driftlab history --output html`: one self-contained page (no scripts, nothing fetched), the
//! culprit's first night marked in its row, every change readable, text escaped; and the page
//! rendered by headless Chromium (a visible `SKIPPED:` line when Chromium is not installed, a
//! failure under CI, whose `.ci/run` installs it).

mod common;

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The week of fixtures: seven nightly archives, the culprit on 2018-09-13.
const WEEK: &str = "fixtures/week";

/// The path the culprit changed, `/healthz` → `/ready`.
const CULPRIT_PATH: &str = "spec.template.spec.containers[web].readinessProbe.httpGet.path";

fn driftlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftlab"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .args(args)
        .output()
        .expect("run driftlab")
}

/// The page for `args` (after `history`), checking the exit status.
fn page(args: &[&str]) -> String {
    let mut all = vec!["history"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--output", "html"]);
    let output = driftlab(&all);
    assert_eq!(
        output.status.code(),
        Some(0),
        "driftlab {all:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("the page is UTF-8")
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// The page is one self-contained document: nothing runs and nothing is fetched.
fn assert_self_contained(html: &str) {
    assert!(
        html.get(..15)
            .is_some_and(|start| start.eq_ignore_ascii_case("<!doctype html>")),
        "starts with the doctype: {:?}",
        html.get(..40)
    );
    let lower = html.to_ascii_lowercase();
    for forbidden in [
        "<script",
        "<link",
        "<img",
        "<iframe",
        "<object",
        "<embed",
        "<base",
        "<video",
        "<audio",
        "<source",
        "http-equiv=\"refresh\"",
    ] {
        assert!(
            !lower.contains(forbidden),
            "no {forbidden} in the page: …{}…",
            around(&lower, forbidden)
        );
    }
    // Inline CSS only, and it fetches nothing.
    assert_eq!(count(&lower, "<style>"), 1, "one inline style sheet");
    let css = &lower
        [lower.find("<style>").unwrap()..lower.find("</style>").expect("the style sheet ends")];
    for forbidden in ["@import", "url(", "@font-face", "http:", "https:"] {
        assert!(
            !css.contains(forbidden),
            "no {forbidden} in the CSS: …{}…",
            around(css, forbidden)
        );
    }
    // No style attributes to hide anything in.
    assert!(!lower.contains(" style="), "no style attributes");
    for attribute in ["href=\"", "src=\"", "action=\""] {
        for (at, _) in lower.match_indices(attribute) {
            let value = &lower[at + attribute.len()..];
            assert!(
                value.starts_with('#'),
                "only links within the page: …{}…",
                &lower[at..(at + 80).min(lower.len())]
            );
        }
    }
    assert!(
        html.trim_end().ends_with("</html>"),
        "the document is complete"
    );
}

/// The tags open as often as they close.
fn assert_balanced(html: &str) {
    for tag in [
        "html", "head", "body", "table", "thead", "tbody", "tr", "td", "details", "summary",
        "section", "ul", "ol", "li", "pre",
    ] {
        let open = count(html, &format!("<{tag}>")) + count(html, &format!("<{tag} "));
        let close = count(html, &format!("</{tag}>"));
        assert_eq!(
            open, close,
            "<{tag}> opened {open} times, closed {close} times"
        );
    }
}

/// The text around the first `needle`, for messages.
fn around(text: &str, needle: &str) -> String {
    let at = text.find(needle).unwrap_or(0);
    text.char_indices()
        .skip_while(|(i, _)| *i + 60 < at)
        .take_while(|(i, _)| *i < at + 60)
        .map(|(_, c)| c)
        .collect()
}

/// The `<tr …>…</tr>` of the grid row of `object` (`DeploymentConfig myproject/web`).
fn grid_row<'a>(html: &'a str, object: &str) -> &'a str {
    let start = html
        .find(&format!("<tr data-object=\"{object}\""))
        .unwrap_or_else(|| panic!("a grid row for {object}"));
    let end = start + html[start..].find("</tr>").expect("the row ends");
    &html[start..end]
}

/// The opening `<td …>` tags of a row.
fn cells(row: &str) -> Vec<&str> {
    row.match_indices("<td ")
        .map(|(at, _)| &row[at..at + row[at..].find('>').expect("tag ends")])
        .collect()
}

#[test]
fn the_week_as_one_page() {
    let html = page(&[WEEK]);
    assert_self_contained(&html);
    assert_balanced(&html);
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no URLs at all"
    );

    // The title gives the range of dates and the number of archives.
    let title = &html[html.find("<title>").unwrap()..html.find("</title>").unwrap()];
    assert!(
        title.contains("2018-09-10 00:15") && title.contains("2018-09-16 00:15"),
        "{title}"
    );
    assert!(title.contains("7 archives"), "{title}");

    // One column per night: the six comparisons, each headed by its new archive's date.
    assert_eq!(count(&html, "<th scope=\"col\" class=\"night"), 6);
    for (n, day) in (11..=16).enumerate() {
        let header = format!("data-night=\"{}\" data-date=\"2018-09-{day}\"", n + 1);
        assert!(
            html.contains(&header),
            "a column for 2018-09-{day}: {header}"
        );
        assert!(
            html.contains(&format!("id=\"night-{}\"", n + 1)),
            "a section for night {}",
            n + 1
        );
    }
    assert_eq!(
        count(&html, "<details class=\"night"),
        6,
        "one section per night"
    );

    // The culprit: its path and values are written out.
    assert!(html.contains(CULPRIT_PATH), "the culprit's path");
    assert!(
        html.contains("&quot;/healthz&quot;") && html.contains("&quot;/ready&quot;"),
        "its old and new values"
    );
    assert!(html.contains("/ready"));

    // Its first night is marked in its row, in the column of 2018-09-13, and only there.
    let row = grid_row(&html, "DeploymentConfig myproject/web");
    let marked: Vec<&str> = cells(row)
        .into_iter()
        .filter(|c| c.contains("data-first-seen=\"true\""))
        .collect();
    assert_eq!(marked.len(), 1, "one first-seen cell in the row: {row}");
    assert!(
        marked[0].contains("data-date=\"2018-09-13\""),
        "{}",
        marked[0]
    );
    assert!(
        marked[0].contains("data-category=\"rollout-trigger\""),
        "{}",
        marked[0]
    );
    assert_eq!(
        count(&html, "data-first-seen=\"true\""),
        1,
        "one culprit first seen in the week"
    );
    assert!(row.contains("★ first seen"), "the mark says so in words");

    // The row has a mark on each night the DC changed (image on 11, 12, 15; probe on 13), and
    // none on the quiet nights.
    let dates_marked: Vec<&str> = cells(row)
        .into_iter()
        .filter(|c| c.contains("class=\"hit"))
        .map(|c| {
            let at = c.find("data-date=\"").unwrap() + "data-date=\"".len();
            &c[at..at + 10]
        })
        .collect();
    assert_eq!(
        dates_marked,
        ["2018-09-11", "2018-09-12", "2018-09-13", "2018-09-15"]
    );

    // The mark links to the culprit in its night's section, which holds the change.
    let culprit = html
        .find("id=\"night-3-culprit-1\"")
        .expect("the culprit's anchor");
    let item = &html[culprit..culprit + html[culprit..].find("</li>\n</ol>").unwrap()];
    assert!(row.contains("href=\"#night-3-culprit-1\""), "{row}");
    assert!(
        item.contains(CULPRIT_PATH) && item.contains("&quot;/ready&quot;"),
        "{item}"
    );
    assert!(item.contains("triggers a rollout"), "{item}");

    // Every night ends with its summary line, as the text report does.
    assert_eq!(count(&html, "<p class=\"summary\">"), 6);
    assert!(html.contains("0 changed, 0 added, 0 removed, 41 unchanged"));
    // No timelines without --object or --path.
    assert!(!html.contains("id=\"timelines\""));
}

#[test]
fn timelines_of_one_object() {
    let html = page(&[WEEK, "--object", "dc/web"]);
    assert_self_contained(&html);
    assert_balanced(&html);
    let at = html.find("id=\"timelines\"").expect("a timelines section");
    let timelines = &html[at..];
    assert!(timelines.contains("DeploymentConfig myproject/web"));
    assert!(
        timelines.contains(&format!(
            "{CULPRIT_PATH}: &quot;/healthz&quot; (2018-09-12 00:15) → &quot;/ready&quot; (2018-09-13 00:15), first seen in openshift-backup201809130015.zip"
        )),
        "{timelines}"
    );
}

/// A zip of an openshift-backup night: `proj/cms.json` holding one ConfigMap.
fn night_archive(dir: &Path, stamp: &str, name: &str, key: &str, value: &str) {
    let list = |items: serde_json::Value| {
        serde_json::to_vec_pretty(&serde_json::json!({"apiVersion": "v1", "kind": "List", "metadata": {}, "items": items}))
            .unwrap()
    };
    let cms = list(serde_json::json!([{
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {key: value}
    }]));
    let ns = list(
        serde_json::json!([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "proj"}}]),
    );
    let file = File::create(dir.join(format!("openshift-backup{stamp}.zip"))).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default();
    for (path, bytes) in [("proj/cms.json", cms), ("proj/ns.json", ns)] {
        zip.start_file(path, options).unwrap();
        zip.write_all(&bytes).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn text_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let (name, key) = ("evil<b>&\"'", "k<i>&\"'");
    night_archive(
        dir.path(),
        "201809100015",
        name,
        key,
        "</td><script>alert(1)</script> & \"a\"",
    );
    night_archive(
        dir.path(),
        "201809110015",
        name,
        key,
        "<img src=https://example.com/x.png onerror=x> & 'b'",
    );
    let html = page(&[dir.path().to_str().unwrap()]);
    assert_self_contained(&html);
    assert_balanced(&html);
    assert!(
        !html.contains("evil<b>") && !html.contains("k<i>"),
        "names and keys escaped"
    );
    assert!(
        html.contains("evil&lt;b&gt;&amp;&quot;&#39;"),
        "the name, escaped"
    );
    assert!(
        html.contains("&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp;"),
        "the old value, escaped"
    );
    assert!(
        html.contains("&lt;img src=https://example.com/x.png onerror=x&gt; &amp; &#39;b&#39;"),
        "the new value, escaped"
    );
}

/// A zip of an openshift-backup night: `proj/dcs.json` holding DeploymentConfigs `names`, each
/// running `image`.
fn deployments_archive(dir: &Path, stamp: &str, names: &[&str], image: &str) {
    let dc = |name: &str| {
        serde_json::json!({
            "apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig",
            "metadata": {"name": name, "namespace": "proj"},
            "spec": {"replicas": 1, "selector": {"app": name}, "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": image}]}}}
        })
    };
    let list = |items: Vec<serde_json::Value>| {
        serde_json::to_vec_pretty(&serde_json::json!({"apiVersion": "v1", "kind": "List", "metadata": {}, "items": items}))
            .unwrap()
    };
    let dcs = list(names.iter().map(|n| dc(n)).collect());
    let ns = list(vec![
        serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "proj"}}),
    ]);
    let file = File::create(dir.join(format!("openshift-backup{stamp}.zip"))).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default();
    for (path, bytes) in [("proj/dcs.json", dcs), ("proj/ns.json", ns)] {
        zip.start_file(path, options).unwrap();
        zip.write_all(&bytes).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn a_culprit_on_many_objects_is_first_seen_once() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["a", "b", "c"];
    deployments_archive(dir.path(), "201809100015", &names, "registry/web:1");
    deployments_archive(dir.path(), "201809110015", &names, "registry/web:2");
    let html = page(&[dir.path().to_str().unwrap()]);
    assert_self_contained(&html);
    assert_balanced(&html);
    // The same image change on three DeploymentConfigs: one culprit, first seen in each row…
    for name in names {
        let row = grid_row(&html, &format!("DeploymentConfig proj/{name}"));
        assert!(row.contains("data-first-seen=\"true\""), "{row}");
        assert!(row.contains("href=\"#night-1-culprit-1\""), "{row}");
    }
    // …and listed once at the top.
    let glance = &html[html.find("class=\"glance\"").unwrap()..html.find("</header>").unwrap()];
    assert!(
        glance.contains("First seen: what changed what runs <span class=\"count\">(1)</span>"),
        "{glance}"
    );
    assert_eq!(count(glance, "<li><a class=\"when\""), 1, "{glance}");
}

// ---------------------------------------------------------------------------------------------
// Rendered by a browser.

/// Runs headless Chromium on `page` with `mode` (`--screenshot=…` or `--dump-dom`), killed after
/// 60 s; returns what it wrote to standard output.
fn run_chromium(chromium: &Path, work: &Path, mode: &str, page: &Path) -> String {
    let profile = tempfile::tempdir_in(work).unwrap();
    let (stdout, stderr) = (work.join("chromium.out"), work.join("chromium.err"));
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.path().display()),
            "--window-size=1400,1000",
            mode,
            &format!("file://{}", page.display()),
        ])
        .env("HOME", work)
        .env("XDG_CONFIG_HOME", work)
        .env("XDG_CACHE_HOME", work)
        .stdin(Stdio::null())
        .stdout(File::create(&stdout).unwrap())
        .stderr(File::create(&stderr).unwrap())
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium {mode} took over 60 s: {}",
                fs::read_to_string(&stderr).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        status.success(),
        "chromium {mode}: {status}: {}",
        fs::read_to_string(&stderr).unwrap_or_default()
    );
    fs::read_to_string(&stdout).unwrap_or_default()
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.len() > 24, "a PNG of {} bytes", png.len());
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "the PNG signature");
    assert_eq!(&png[12..16], b"IHDR", "the header chunk first");
    let word = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

fn screenshot(chromium: &Path, work: &Path, page: &Path, png: &Path) -> Vec<u8> {
    run_chromium(
        chromium,
        work,
        &format!("--screenshot={}", png.display()),
        page,
    );
    let bytes = fs::read(png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
    assert_eq!(png_size(&bytes), (1400, 1000), "{}", png.display());
    bytes
}

#[test]
fn chromium_renders_the_page() {
    let Some(chromium) = common::skip::chromium() else {
        return;
    };
    let html = page(&[WEEK]);
    let work = tempfile::tempdir().unwrap();
    let page = work.path().join("history.html");
    fs::write(&page, &html).unwrap();
    let blank = work.path().join("blank.html");
    fs::write(
        &blank,
        "<!doctype html><html><head><title>blank</title></head><body></body></html>\n",
    )
    .unwrap();

    // The browser parsed the page: the culprit's path and its first-seen cell are in the DOM.
    let dom = run_chromium(&chromium, work.path(), "--dump-dom", &page);
    assert!(
        dom.contains(CULPRIT_PATH),
        "the DOM holds the culprit's path: {}",
        &dom[..dom.len().min(400)]
    );
    assert!(
        dom.contains("data-first-seen=\"true\""),
        "the DOM holds the first-seen mark"
    );
    assert!(
        !dom.to_ascii_lowercase().contains("<script"),
        "nothing was added"
    );

    // A screenshot of the page, much busier than one of a blank page.
    let shot = screenshot(
        &chromium,
        work.path(),
        &page,
        &work.path().join("history.png"),
    );
    let empty = screenshot(
        &chromium,
        work.path(),
        &blank,
        &work.path().join("blank.png"),
    );
    assert!(
        shot.len() >= 2 * empty.len(),
        "the page's screenshot ({} bytes) is not much more than a blank one ({} bytes)",
        shot.len(),
        empty.len()
    );

    // Kept for a person to look at.
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR"));
    fs::create_dir_all(keep).unwrap();
    fs::write(keep.join("history.png"), &shot).unwrap();
    fs::write(keep.join("history.html"), &html).unwrap();
    eprintln!(
        "screenshot: {} ({} bytes; blank page {} bytes); page: {}",
        keep.join("history.png").display(),
        shot.len(),
        empty.len(),
        keep.join("history.html").display()
    );
}
