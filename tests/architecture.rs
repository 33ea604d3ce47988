//! The house rules of `src/`, checked on the source text so that they hold after the next
//! feature too (issue "one store, one runtime, one-way floors"):
//!
//! - values flow down the pipeline: the engine (`diff`, `analyze`, `normalize`, `snapshot`,
//!   `format`, `revert`) imports no reader, writer, cluster or storage code, and readers and writers do not
//!   import each other (both stand on `format/`);
//! - where an archive lives is known to `storage/` alone (and to `cli/`, which settles the
//!   argument, and `install/`, which writes a bucket URL into a CronJob);
//! - diagnostics leave through `messages.rs`;
//! - rooms stay livable: no file over 700 lines, no function over 100, no `allow(dead_code)`.
//!
//! Test modules (`mod tests { … }` at the end of a file, and `tests.rs` files) are exempt from the
//! import rules: a test may read a fixture through a reader.

use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, with its path relative to the repository root.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    walk(&root.join("src"), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path).expect("a source file is UTF-8");
            let relative = path.strip_prefix(root).unwrap().display().to_string();
            (relative, text)
        })
        .collect()
}

/// The text of a file without its test module: everything before `#[cfg(test)]` followed by a
/// `mod` line. `tests.rs` files have no production part.
fn production_part(path: &str, text: &str) -> String {
    if path.ends_with("/tests.rs") {
        return String::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .windows(2)
        .position(|pair| {
            pair[0].trim() == "#[cfg(test)]" && pair[1].trim_start().starts_with("mod ")
        })
        .unwrap_or(lines.len());
    lines[..end].join("\n")
}

/// The lines of code of `text`: line comments, doc comments and `/* … */` blocks (the crate's
/// `/*! … */` overview) left out.
fn code_lines(text: &str) -> Vec<&str> {
    let mut in_block = false;
    let mut code = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if in_block || trimmed.starts_with("/*") {
            in_block = !line.contains("*/");
        } else if !trimmed.starts_with("//") {
            code.push(line);
        }
    }
    code
}

/// Lines of code (comments left out) that mention `needle`.
fn code_mentions<'a>(text: &'a str, needle: &str) -> Vec<&'a str> {
    code_lines(text)
        .into_iter()
        .filter(|line| line.contains(needle))
        .collect()
}

fn in_folder(path: &str, folders: &[&str]) -> bool {
    folders.iter().any(|folder| {
        path.starts_with(&format!("src/{folder}/")) || path == format!("src/{folder}.rs")
    })
}

#[test]
fn the_engine_imports_no_reader_writer_cluster_or_storage_code() {
    let engine = [
        "diff",
        "analyze",
        "normalize",
        "snapshot",
        "format",
        "apiserver",
        "schema",
        "secret",
        "revert",
    ];
    let above = [
        "crate::source",
        "crate::archive",
        "crate::cluster",
        "crate::storage",
        "crate::serve",
    ];
    let mut climbs = Vec::new();
    for (path, text) in sources() {
        if !in_folder(&path, &engine) {
            continue;
        }
        let code = production_part(&path, &text);
        for floor in above {
            for line in code_mentions(&code, floor) {
                climbs.push(format!("{path}: {}", line.trim()));
            }
        }
    }
    assert!(
        climbs.is_empty(),
        "the engine climbs back up:\n{}",
        climbs.join("\n")
    );
}

#[test]
fn readers_and_writers_do_not_import_each_other() {
    let mut crossings = Vec::new();
    for (path, text) in sources() {
        let code = production_part(&path, &text);
        let forbidden = if in_folder(&path, &["source"]) {
            "crate::archive"
        } else if in_folder(&path, &["archive"]) {
            "crate::source"
        } else {
            continue;
        };
        for line in code_mentions(&code, forbidden) {
            crossings.push(format!("{path}: {}", line.trim()));
        }
    }
    assert!(
        crossings.is_empty(),
        "readers and writers cross:\n{}",
        crossings.join("\n")
    );
}

#[test]
fn only_storage_knows_where_an_archive_lives() {
    // cli/ turns an argument into a location; install/ writes a bucket URL into a CronJob.
    let allowed = ["storage", "cli", "install"];
    let bucket_words = ["Bucket", "BucketUrl", "RangeReader", "s3://"];
    let mut leaks = Vec::new();
    for (path, text) in sources() {
        if in_folder(&path, &allowed) {
            continue;
        }
        let code = production_part(&path, &text);
        for line in code_lines(&code) {
            if bucket_words.iter().any(|word| line.contains(word)) {
                leaks.push(format!("{path}: {}", line.trim()));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "storage details outside storage/:\n{}",
        leaks.join("\n")
    );
}

#[test]
fn diagnostics_leave_through_the_messages_module() {
    let mut prints = Vec::new();
    for (path, text) in sources() {
        if path == "src/messages.rs" {
            continue;
        }
        let code = production_part(&path, &text);
        for line in code_mentions(&code, "eprint") {
            prints.push(format!("{path}: {}", line.trim()));
        }
    }
    assert!(
        prints.is_empty(),
        "printed around messages.rs:\n{}",
        prints.join("\n")
    );
}

#[test]
fn no_file_is_over_700_lines() {
    let long: Vec<String> = sources()
        .into_iter()
        .filter(|(_, text)| text.lines().count() > 700)
        .map(|(path, text)| format!("{path}: {} lines", text.lines().count()))
        .collect();
    assert!(
        long.is_empty(),
        "files over 700 lines:\n{}",
        long.join("\n")
    );
}

/// The functions of a file longer than `limit` lines: from an `fn` line to the closing brace at
/// the same indentation (rustfmt's layout makes that exact).
fn long_functions(path: &str, text: &str, limit: usize) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let signature = trimmed
            .trim_start_matches("pub ")
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub(super) ")
            .trim_start_matches("const ")
            .trim_start_matches("async ")
            .trim_start_matches("unsafe ");
        if !signature.starts_with("fn ") || trimmed.ends_with(';') {
            continue;
        }
        let indent = &line[..line.len() - trimmed.len()];
        let close = format!("{indent}}}");
        if let Some(length) = lines[start + 1..].iter().position(|l| *l == close)
            && length + 2 > limit
        {
            let name = signature[3..].split(['(', '<']).next().unwrap_or("?");
            found.push(format!(
                "{path}:{}: fn {name} is {} lines",
                start + 1,
                length + 2
            ));
        }
    }
    found
}

#[test]
fn no_function_is_over_100_lines() {
    let long: Vec<String> = sources()
        .iter()
        .flat_map(|(path, text)| long_functions(path, text, 100))
        .collect();
    assert!(
        long.is_empty(),
        "functions over 100 lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_function_length_check_finds_a_long_function() {
    // The rule above must be able to fail: a 101-line function is found, a 100-line one is not.
    let body = |n: usize| "    let _ = 1;\n".repeat(n);
    let long = format!("fn long() {{\n{}}}\n", body(99));
    let fits = format!("fn fits() {{\n{}}}\n", body(98));
    assert_eq!(long_functions("x.rs", &long, 100).len(), 1);
    assert!(long_functions("x.rs", &fits, 100).is_empty());
}

#[test]
fn no_dead_code_is_kept_alive_by_an_allow() {
    let allows: Vec<String> = sources()
        .into_iter()
        .filter(|(_, text)| !code_mentions(text, "allow(dead_code)").is_empty())
        .map(|(path, _)| path)
        .collect();
    assert!(
        allows.is_empty(),
        "allow(dead_code) in:\n{}",
        allows.join("\n")
    );
}
