//! The formats every floor shares, below both the readers ([`crate::source`]) and the writers
//! ([`crate::archive`]): where objects sit inside an archive ([`layout`]), the archive's manifest
//! ([`manifest`]) and the checksums it records of each entry ([`integrity`]), how a file's bytes become documents ([`documents`]; JSON one object at a time
//! in `json`), and whether an archive's bytes are a backup one could restore from ([`verify`]).
//!
//! Nothing here opens a file, a bucket or a connection: bytes and names in, values out. So the
//! engine (`diff`, `analyze`) may parse an embedded document without importing a reader, and an
//! archive is written and read by the same definition of its layout.

pub(crate) mod compact;
pub mod documents;
pub mod integrity;
pub(crate) mod json;
pub mod layout;
pub mod manifest;
pub mod verify;

#[cfg(test)]
mod unparsed_tests;

pub use json::{MAX_NESTING, MAX_OBJECT_VALUES};
pub use manifest::Manifest;

/// The default cap on the bytes decompressed from one source: 4 GiB.
pub const DEFAULT_MAX_BYTES: u64 = 4 << 30;
