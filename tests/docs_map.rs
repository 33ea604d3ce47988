//! The docs against the tree they describe: the module map in `docs/developing.md` names every
//! folder and top-level file of `src/` (and of `examples/`) and nothing that does not exist; every
//! relative link of the README, `docs/` and the other Markdown files leads to a file and, with an
//! anchor, to a heading of it; the README's two commands and its three uses run as written (on
//! the fixture pair) and `.ci/run` runs the README's test command; the guide's example outputs are
//! what the insta snapshots of the fixtures pin; every test tests/README.md names exists.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{NIGHT1, NIGHT2, driftlab, repo};

/// Where the module map lives, and the heading its code block follows.
const MAP_FILE: &str = "docs/developing.md";
const MAP_HEADING: &str = "## The module map";

/// The Markdown files whose links are checked.
const LINKED_FILES: &[&str] = &[
    "README.md",
    "docs/guide.md",
    "docs/ci.md",
    "docs/service.md",
    "docs/promises.md",
    "docs/developing.md",
    "tests/README.md",
    "fixtures/README.md",
    "BENCHMARKS.md",
];

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// One line of the module map: the names in its first column and its description (continuation
/// lines included).
#[derive(Debug)]
struct MapEntry {
    names: Vec<String>,
    description: String,
}

/// The module map: for each root folder (`src/`, `examples/`) its entries, in order.
fn module_map() -> BTreeMap<String, Vec<MapEntry>> {
    let text = read(MAP_FILE);
    let after = text
        .split_once(&format!("\n{MAP_HEADING}\n"))
        .unwrap_or_else(|| panic!("{MAP_FILE} has no heading {MAP_HEADING:?}"))
        .1;
    let block = after
        .split_once("\n```\n")
        .and_then(|(_, rest)| rest.split_once("\n```"))
        .unwrap_or_else(|| panic!("{MAP_FILE}: no code block after {MAP_HEADING:?}"))
        .0;
    let mut map: BTreeMap<String, Vec<MapEntry>> = BTreeMap::new();
    let mut root: Option<String> = None;
    for line in block.lines() {
        let indent = line.len() - line.trim_start().len();
        if line.trim().is_empty() {
            continue;
        }
        if indent == 0 {
            assert!(
                line.ends_with('/'),
                "{MAP_FILE}: a root folder ends in /: {line:?}"
            );
            root = Some(line.to_string());
            map.entry(line.to_string()).or_default();
            continue;
        }
        let root = root
            .as_ref()
            .unwrap_or_else(|| panic!("{MAP_FILE}: {line:?} before src/"));
        let entries = map.get_mut(root).expect("root entered");
        if indent == 2 {
            let rest = &line[2..];
            let (names, description) = match rest.find("  ") {
                Some(gap) => (&rest[..gap], rest[gap..].trim()),
                None => (rest, ""),
            };
            entries.push(MapEntry {
                names: names.split(", ").map(|n| n.trim().to_string()).collect(),
                description: description.to_string(),
            });
        } else {
            let entry = entries
                .last_mut()
                .unwrap_or_else(|| panic!("{MAP_FILE}: continuation {line:?} of no entry"));
            entry.description.push(' ');
            entry.description.push_str(line.trim());
        }
    }
    map
}

/// The names of what `folder` holds: `name/` for a folder, `name` for a file; hidden ones left
/// out.
fn children(folder: &Path) -> BTreeSet<String> {
    std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|entry| entry.expect("directory entry"))
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                None
            } else if entry.file_type().expect("file type").is_dir() {
                Some(format!("{name}/"))
            } else {
                Some(name)
            }
        })
        .collect()
}

#[test]
fn the_module_map_names_every_folder_and_top_level_file_and_nothing_else() {
    let map = module_map();
    assert!(map.contains_key("src/"), "{MAP_FILE}: the map has no src/");
    let mut problems = Vec::new();
    for (root, entries) in &map {
        let named: Vec<&String> = entries.iter().flat_map(|e| &e.names).collect();
        let named_set: BTreeSet<&String> = named.iter().copied().collect();
        if named_set.len() != named.len() {
            problems.push(format!(
                "{root}: a name appears twice in the map: {named:?}"
            ));
        }
        let actual = children(&repo(root));
        for missing in actual.iter().filter(|name| !named_set.contains(name)) {
            problems.push(format!(
                "{root}{missing} is not in the module map: add a line for it to {MAP_FILE}"
            ));
        }
        for stale in named_set.iter().filter(|name| !actual.contains(**name)) {
            problems.push(format!(
                "the module map names {root}{stale}, which does not exist: remove or rename it in {MAP_FILE}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The words of `description` that name a file (`keys.rs`, `history.css`) or a folder (`grid/`,
/// `history/html/`).
fn path_words(description: &str) -> Vec<String> {
    description
        .split(|c: char| c.is_whitespace() || "(),;:'`\"".contains(c))
        .filter(|word| word.ends_with(".rs") || word.ends_with(".css") || word.ends_with('/'))
        .filter(|word| {
            let segments: Vec<&str> = word.trim_end_matches('/').split('/').collect();
            segments.iter().all(|s| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
            })
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn every_file_the_module_map_describes_exists() {
    // Not every file of every folder is in the map (folders change too often for that), but every
    // one it names must exist: inside the entry's folder, or else from the root.
    let map = module_map();
    let mut problems = Vec::new();
    for (root, entries) in &map {
        let root_path = repo(root);
        for entry in entries {
            let folder = match entry.names.as_slice() {
                [one] if one.ends_with('/') => root_path.join(one),
                _ => root_path.clone(),
            };
            for word in path_words(&entry.description) {
                let word_path = word.trim_end_matches('/');
                if !folder.join(word_path).exists() && !root_path.join(word_path).exists() {
                    problems.push(format!(
                        "the module map's entry {:?} names {word}, which is neither {} nor {}",
                        entry.names.join(", "),
                        folder.join(word_path).display(),
                        root_path.join(word_path).display()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn path_words_are_the_file_and_folder_names_of_a_description() {
    assert_eq!(
        path_words(
            "the writer (atomic), verify.rs (is it a backup), s3:// URLs, history/html/ and grid/; `keys.rs`"
        ),
        ["verify.rs", "history/html/", "grid/", "keys.rs"]
    );
}

/// The anchors GitHub gives the headings of a Markdown file (code blocks left out): lower case,
/// punctuation dropped, spaces as hyphens, a repeated anchor numbered.
fn anchors(markdown: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut anchors = BTreeSet::new();
    for line in outside_code_blocks(markdown) {
        let Some(heading) = line.strip_prefix('#') else {
            continue;
        };
        let title = heading.trim_start_matches('#');
        if !title.starts_with(' ') {
            continue;
        }
        let slug: String = title
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let count = seen.entry(slug.clone()).or_default();
        anchors.insert(if *count == 0 {
            slug.clone()
        } else {
            format!("{slug}-{count}")
        });
        *count += 1;
    }
    anchors
}

/// The lines of `markdown` outside fenced code blocks.
fn outside_code_blocks(markdown: &str) -> Vec<&str> {
    let mut inside = false;
    let mut lines = Vec::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            inside = !inside;
        } else if !inside {
            lines.push(line);
        }
    }
    lines
}

/// The targets of the Markdown links of `markdown` (`[text](target)`), outside code blocks.
fn link_targets(markdown: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for line in outside_code_blocks(markdown) {
        let mut rest = line;
        while let Some(start) = rest.find("](") {
            rest = &rest[start + 2..];
            if let Some(end) = rest.find(')') {
                targets.push(rest[..end].to_string());
                rest = &rest[end..];
            }
        }
    }
    targets
}

#[test]
fn anchors_are_the_ones_github_makes() {
    let anchors = anchors(
        "# T\n## What \"semantic\" means here\n```sh\n# a comment\n```\n## A week of nights: `driftlab history`\n## Mutation testing (by hand, not in CI)\n### Output\n## Output\n",
    );
    let expected: BTreeSet<String> = [
        "t",
        "what-semantic-means-here",
        "a-week-of-nights-driftlab-history",
        "mutation-testing-by-hand-not-in-ci",
        "output",
        "output-1",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(anchors, expected);
}

#[test]
fn every_relative_link_of_the_docs_leads_somewhere() {
    let mut problems = Vec::new();
    for file in LINKED_FILES {
        let text = read(file);
        let dir: PathBuf = repo(file).parent().expect("a folder").to_path_buf();
        for target in link_targets(&text) {
            if target.starts_with("http://") || target.starts_with("https://") {
                continue;
            }
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target.as_str(), None),
            };
            let linked = if path.is_empty() {
                repo(file)
            } else {
                dir.join(path)
            };
            if !linked.exists() {
                problems.push(format!("{file}: link to {target}: no such file"));
                continue;
            }
            if let Some(anchor) = anchor {
                let is_markdown = linked.extension().is_some_and(|e| e == "md");
                let known = is_markdown
                    && anchors(&std::fs::read_to_string(&linked).expect("linked file"))
                        .contains(anchor);
                if !known {
                    problems.push(format!(
                        "{file}: link to {target}: {} has no heading #{anchor}",
                        linked.display()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The body of the section of `markdown` under `heading` (to the next heading of its level or
/// higher).
fn section<'a>(markdown: &'a str, heading: &str) -> &'a str {
    let level = heading.chars().take_while(|c| *c == '#').count();
    let start = markdown
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("no section {heading:?}"))
        + heading.len()
        + 2;
    let body = &markdown[start..];
    let mut offset = 0;
    let mut inside = false;
    for line in body.split_inclusive('\n') {
        if line.trim_start().starts_with("```") {
            inside = !inside;
        }
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if !inside && hashes > 0 && hashes <= level && line[hashes..].starts_with(' ') {
            return &body[..offset];
        }
        offset += line.len();
    }
    body
}

/// The lines of the ```sh blocks of `markdown`.
fn shell_lines(markdown: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut inside = false;
    for line in markdown.lines() {
        if inside && line.trim_start().starts_with("```") {
            inside = false;
        } else if inside {
            lines.push(line.to_string());
        } else if line.trim() == "```sh" {
            inside = true;
        }
    }
    lines
}

/// `line` split into words as a shell would, for the plain quoting the README uses.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

#[test]
fn the_readme_two_commands_work_as_written_and_ci_runs_the_test_command() {
    let readme = read("README.md");
    let commands = shell_lines(section(&readme, "## Two commands"));
    assert_eq!(
        commands.len(),
        2,
        "two commands, one line each: {commands:?}"
    );

    // The main job on the shipped fixtures, as `cargo run --release --` would run it.
    let words = shell_words(&commands[0]);
    assert_eq!(
        words[..3],
        ["cargo", "run", "--release"],
        "the first command runs driftlab through cargo: {words:?}"
    );
    assert_eq!(words[3], "--");
    let args = &words[4..];
    assert_eq!(args, ["diff", "--exit-zero", NIGHT1, NIGHT2]);
    let output = driftlab().args(args).output().expect("driftlab runs");
    assert_eq!(output.status.code(), Some(0), "--exit-zero: {output:?}");
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    let stderr = String::from_utf8(output.stderr).expect("utf-8");
    // "The note and the warning printed before the report are about the fixture's deliberate
    // quirks (a derived file of the old tool, a 0-byte file from a failed run)."
    assert!(
        stderr.contains("driftlab: note: ") && stderr.contains("_patched.json"),
        "{stderr}"
    );
    assert!(
        stderr.contains("driftlab: warning: ") && stderr.contains("0 bytes"),
        "{stderr}"
    );
    // "the hand-edited readinessProbe of DeploymentConfig web comes first among the likely
    // culprits"
    let culprits = stdout
        .split_once("\nLikely culprits\n")
        .expect("a culprits list")
        .1;
    let mut lines = culprits.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .contains("DeploymentConfig myproject/web"),
        "{stdout}"
    );
    assert!(
        lines
            .next()
            .unwrap()
            .contains("readinessProbe.httpGet.path"),
        "{stdout}"
    );
    // "the housekeeping noise is counted, not shown"
    assert!(stdout.contains("noise changes hidden"), "{stdout}");

    // The tests: exactly `cargo test`, and `.ci/run` runs it.
    assert_eq!(commands[1].trim(), "cargo test");
    let ci = read(".ci/run");
    assert!(
        ci.lines().any(|line| line.trim() == commands[1].trim()),
        ".ci/run must run the README's test command {:?}",
        commands[1]
    );
}

#[test]
fn the_readme_three_uses_run_on_the_fixture_pair() {
    // Each use's example with its two snapshots replaced by the fixture pair (and its redirection
    // left out): the options it shows are accepted, and the drift between the nights (the
    // readiness probe) is found and fails the command.
    let readme = read("README.md");
    let examples: Vec<String> = shell_lines(section(&readme, "## Three uses"))
        .into_iter()
        .filter(|line| line.starts_with("driftlab "))
        .collect();
    assert_eq!(examples.len(), 3, "one example per use: {examples:?}");
    for example in &examples {
        let mut words = shell_words(example);
        if let Some(redirect) = words.iter().position(|w| w.starts_with('>')) {
            words.truncate(redirect);
        }
        assert_eq!(words[1], "diff", "{example}");
        assert!(
            !words[2].starts_with('-') && !words[3].starts_with('-'),
            "the snapshots come first: {example}"
        );
        words[2] = NIGHT1.to_string();
        words[3] = NIGHT2.to_string();
        let output = driftlab()
            .args(&words[1..])
            .output()
            .expect("driftlab runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{example}\n{stdout}{output:?}"
        );
        assert!(
            stdout.contains("readinessProbe.httpGet.path"),
            "{example}\n{stdout}"
        );
    }
}

/// The first code block of `markdown` without a language (a program's output).
fn first_output_block(markdown: &str) -> Vec<&str> {
    let mut inside: Option<bool> = None; // Some(true) in an output block, Some(false) in another
    let mut block = Vec::new();
    for line in markdown.lines() {
        match inside {
            None if line.trim_end() == "```" => inside = Some(true),
            None if line.starts_with("```") => inside = Some(false),
            Some(true) if line.starts_with("```") => return block,
            Some(false) if line.starts_with("```") => inside = None,
            Some(true) => block.push(line),
            _ => {}
        }
    }
    block
}

/// Whether `shown`, a line of output as the docs show it, is `actual` or a shortening of it: a
/// trailing `…` (or `…)`) may stand for the rest of a list.
fn shows(shown: &str, actual: &str) -> bool {
    if shown == actual {
        return true;
    }
    let prefix = shown
        .strip_suffix("…)")
        .or_else(|| shown.strip_suffix('…'))
        .filter(|prefix| prefix.ends_with(", "));
    prefix.is_some_and(|prefix| actual.starts_with(prefix))
}

#[test]
fn the_guide_shows_the_output_the_snapshot_tests_pin() {
    // Each example output of the guide is a run of lines of an insta snapshot of the fixtures
    // (tests/snapshots.rs), so the guide shows what the command prints.
    let guide = read("docs/guide.md");
    for (heading, snapshot) in [
        (
            "## Output",
            "tests/snapshots/snapshots__diff_text_of_the_culprits_pair.snap",
        ),
        (
            "## A week of nights: `driftlab history`",
            "tests/snapshots/snapshots__history_timeline_of_the_probe.snap",
        ),
    ] {
        let shown = first_output_block(section(&guide, heading));
        assert!(!shown.is_empty(), "{heading}: no output block");
        let text = read(snapshot);
        let actual: Vec<&str> = text
            .splitn(3, "---\n")
            .nth(2)
            .expect("an insta snapshot")
            .lines()
            .collect();
        let start = actual
            .iter()
            .position(|line| *line == shown[0])
            .unwrap_or_else(|| panic!("{heading}: {:?} is not in {snapshot}", shown[0]));
        let run = &actual[start..(start + shown.len()).min(actual.len())];
        let differences: Vec<String> = shown
            .iter()
            .zip(run.iter().chain(std::iter::repeat(&"<end of the output>")))
            .filter(|(shown, actual)| !shows(shown, actual))
            .map(|(shown, actual)| format!("  guide:  {shown}\n  output: {actual}"))
            .collect();
        assert!(
            differences.is_empty(),
            "docs/guide.md, {heading}: the example is not what {snapshot} pins:\n{}",
            differences.join("\n")
        );
    }
}

#[test]
fn a_shortened_line_shows_the_start_of_the_actual_one() {
    assert!(shows("on 3 objects: a, b, …", "on 3 objects: a, b, c"));
    assert!(shows("19 objects (Build, …)", "19 objects (Build, Route)"));
    assert!(!shows("19 objects (Build, …)", "19 objects (Route, Build)"));
    assert!(!shows("\"…/web:1\"", "\"…/web:2\""));
}

/// Every `.rs` file under `folder`, recursively.
fn rust_files(folder: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).expect("a folder") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The test names a row of tests/README.md's map gives in its last column: identifiers in
/// backticks with an underscore, left out those in parentheses (JSON fields, comments).
fn named_tests(row: &str) -> Vec<String> {
    let Some((_, tests)) = row.rsplit_once(" | ") else {
        return Vec::new();
    };
    let mut outside = String::new();
    let mut depth = 0usize;
    for c in tests.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 => outside.push(c),
            _ => {}
        }
    }
    outside
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|word| {
            word.contains('_')
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '*')
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn every_test_the_map_of_tests_names_exists() {
    // tests/README.md is how the docs are checked against behaviour: a test it names that is not
    // there proves nothing. Names ending in `*` stand for every test that starts so.
    let mut files = Vec::new();
    rust_files(&repo("tests"), &mut files);
    rust_files(&repo("src"), &mut files);
    let mut functions = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a source file");
        for after in text.split("fn ").skip(1) {
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            functions.insert(name);
        }
    }
    let map = read("tests/README.md");
    let named: Vec<String> = map
        .lines()
        .filter(|line| line.starts_with("| ") && !line.starts_with("|---"))
        .flat_map(named_tests)
        .collect();
    assert!(named.len() > 100, "the map names its tests: {named:?}");
    let missing: Vec<&String> = named
        .iter()
        .filter(|name| match name.strip_suffix('*') {
            Some(prefix) => !functions.iter().any(|f| f.starts_with(prefix)),
            None => !functions.contains(name.as_str()),
        })
        .collect();
    assert!(
        missing.is_empty(),
        "tests/README.md names tests that do not exist: {missing:?}"
    );
}

#[test]
fn the_tests_of_a_row_are_its_backticked_names_outside_parentheses() {
    assert_eq!(
        named_tests(
            "| **Output** `--stat` | cli_diff: `stat_and_name_only` (`ignored_by_rule`); corpus: `jd_*` |"
        ),
        ["stat_and_name_only", "jd_*"]
    );
}
