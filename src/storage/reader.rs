//! Reading an object in place: `Read + Seek` over ranged GETs, a block at a time, so that a zip's
//! directory and one entry (an archive's manifest) cost a few small requests, not a download.

use std::io::{self, Read, Seek, SeekFrom};

use super::Bucket;

/// Bytes fetched per request at first, and after a seek.
const BLOCK: u64 = 256 << 10;

/// The most bytes fetched per request: reading straight through (verifying a whole archive)
/// doubles the block at each request up to this, so a large archive costs tens of requests, not
/// thousands, and memory stays bounded.
const MAX_BLOCK: u64 = 16 << 20;

/// An object of a bucket as a seekable reader.
pub struct RangeReader<'a> {
    bucket: &'a Bucket,
    key: String,
    size: u64,
    position: u64,
    /// The last block fetched and where it starts.
    block: Option<(u64, bytes::Bytes)>,
    /// The size of the next fetch.
    next_block: u64,
}

impl<'a> RangeReader<'a> {
    /// Reads the object `key` of `bucket`, `size` bytes long (from its listing).
    pub fn new(bucket: &'a Bucket, key: String, size: u64) -> RangeReader<'a> {
        RangeReader {
            bucket,
            key,
            size,
            position: 0,
            block: None,
            next_block: BLOCK,
        }
    }
}

impl Read for RangeReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.position >= self.size || buf.is_empty() {
            return Ok(0);
        }
        let covered = |(start, bytes): &(u64, bytes::Bytes)| {
            (*start..*start + bytes.len() as u64).contains(&self.position)
        };
        if !self.block.as_ref().is_some_and(covered) {
            let start = self.position;
            let straight_on = self
                .block
                .as_ref()
                .is_some_and(|(at, bytes)| at + bytes.len() as u64 == start);
            self.next_block = if straight_on {
                (self.next_block * 2).min(MAX_BLOCK)
            } else {
                BLOCK
            };
            let end = (start + self.next_block.max(buf.len() as u64)).min(self.size);
            let bytes = self
                .bucket
                .read_range(&self.key, start, end)
                .map_err(|e| io::Error::other(e.to_string()))?;
            self.block = Some((start, bytes));
        }
        let (start, bytes) = self.block.as_ref().expect("fetched above");
        let offset = (self.position - start) as usize;
        let count = buf.len().min(bytes.len() - offset);
        buf[..count].copy_from_slice(&bytes[offset..offset + count]);
        self.position += count as u64;
        Ok(count)
    }
}

impl Seek for RangeReader<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(at) => Some(at),
            SeekFrom::Current(by) => self.position.checked_add_signed(by),
            SeekFrom::End(by) => self.size.checked_add_signed(by),
        };
        let target = target
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        self.position = target;
        Ok(target)
    }
}
