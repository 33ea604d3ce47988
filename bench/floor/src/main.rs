//! The benchmark floor: read, decompress and parse every JSON entry of the given zip archives with
//! serde_json and nothing else, dropping each parsed file at once. `driftlab diff` cannot do less.
//!
//! It is a crate of its own (`bench/floor/`), with plain serde_json: the floor must not carry
//! driftlab's own feature choices (`arbitrary_precision` would slow it down and flatter the ratio).
//!
//! Usage: `target/floor/release/driftlab-floor A.zip B.zip` prints the uncompressed JSON bytes.

use std::io::Read;

fn main() {
    let mut total_bytes = 0u64;
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("readable archive");
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip archive");
        let mut buffer = Vec::new();
        for index in 0..archive.len() {
            let mut entry = archive.by_index(index).expect("entry");
            if !entry.name().is_ok_and(|name| name.ends_with(".json")) {
                continue;
            }
            buffer.clear();
            entry.read_to_end(&mut buffer).expect("entry data");
            total_bytes += buffer.len() as u64;
            let value: serde_json::Value = serde_json::from_slice(&buffer).expect("valid JSON");
            drop(value);
        }
    }
    println!("{total_bytes}");
}
