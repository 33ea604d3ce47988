//! The checksums of an archive's entries: each entry hashed (SHA-256) as it is decompressed, and
//! the result held against what the manifest recorded when the archive was written. They tell an
//! entry that was altered, even one that still parses and holds the same number of objects (a
//! disk, a copy or a hand that changed a field), from the entry that was written.
//!
//! The checksums sit in the manifest, inside the archive: they prove the content is what the
//! manifest lists, not who wrote it. That is what a signature (`export --sign-key`) is for.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};

use crate::format::manifest::{Digesting, EntryDigest};

/// A reader that hashes what passes through it.
pub struct Hashing<R> {
    inner: R,
    digest: Digesting,
}

impl<R> Hashing<R> {
    /// Hashes what is read from `inner`.
    pub fn new(inner: R) -> Hashing<R> {
        Hashing {
            inner,
            digest: Digesting::default(),
        }
    }

    /// The inner reader and the digest of what was read, for the entry `name`.
    pub fn finish(self, name: &str) -> (R, EntryDigest) {
        (self.inner, self.digest.finish(name))
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.digest.update(&buf[..read]);
        Ok(read)
    }
}

/// What differs between the entries `recorded` in a manifest and those `found` (hashed while
/// read), one phrase each naming the entry: altered, missing, extra. The entries in `corrupt`
/// were reported already (they do not decompress or parse) and are not named again.
pub fn compare(recorded: &[EntryDigest], found: &[EntryDigest], corrupt: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    let listed: BTreeMap<&str, &EntryDigest> =
        recorded.iter().map(|e| (e.name.as_str(), e)).collect();
    let seen: BTreeSet<&str> = found
        .iter()
        .map(|e| e.name.as_str())
        .chain(corrupt.iter().map(String::as_str))
        .collect();
    for entry in found {
        match listed.get(entry.name.as_str()) {
            None => problems.push(format!(
                "entry {} is extra: its manifest does not list it",
                entry.name
            )),
            Some(r) if r.size != entry.size => problems.push(format!(
                "entry {} is altered: {} bytes, its manifest says {}",
                entry.name, entry.size, r.size
            )),
            Some(r) if !r.sha256.eq_ignore_ascii_case(&entry.sha256) => problems.push(format!(
                "entry {} is altered: its SHA-256 is not the one its manifest records",
                entry.name
            )),
            Some(_) => {}
        }
    }
    for name in listed.keys().filter(|name| !seen.contains(*name)) {
        problems.push(format!(
            "entry {name} is missing: its manifest lists it, the archive does not hold it"
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(name: &str, bytes: &[u8]) -> EntryDigest {
        let mut d = Digesting::default();
        d.update(bytes);
        d.finish(name)
    }

    #[test]
    fn sha256_is_the_standard_one() {
        assert_eq!(
            digest("a", b"abc").sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let mut reader = Hashing::new(&b"abc"[..]);
        std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
        assert_eq!(reader.finish("a").1, digest("a", b"abc"));
    }

    #[test]
    fn altered_missing_and_extra_entries_are_each_named() {
        let recorded = [
            digest("a/pods.json", b"one"),
            digest("a/svc.json", b"two"),
            digest("a/gone.json", b"three"),
            digest("a/bad.json", b"four"),
        ];
        let found = [
            digest("a/pods.json", b"one"),
            digest("a/svc.json", b"twO"),
            digest("a/new.json", b"five"),
        ];
        let problems = compare(&recorded, &found, &["a/bad.json".into()]);
        assert_eq!(
            problems,
            [
                "entry a/svc.json is altered: its SHA-256 is not the one its manifest records",
                "entry a/new.json is extra: its manifest does not list it",
                "entry a/gone.json is missing: its manifest lists it, the archive does not hold it",
            ]
        );
        let longer = [digest("a/pods.json", b"one!")];
        assert_eq!(
            compare(&recorded[..1], &longer, &[]),
            ["entry a/pods.json is altered: 4 bytes, its manifest says 3"]
        );
        assert!(compare(&recorded[..2], &recorded[..2], &[]).is_empty());
    }
}
