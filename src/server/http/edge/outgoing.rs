//! What a stream answered on its socket (`direct_stream.rs`) writes: the answer's head,
//! how its body's end is told (`Framing`), and the queue of what is still to be written, in
//! order: the head (first only), a chunk's size line, the piece, and what follows it. Each
//! buffer is let go as soon as it is written: an idle stream keeps none.

use axum::body::Bytes;
use axum::http::{header, response::Parts, StatusCode, Version};
use bytes::BytesMut;
use std::io::IoSlice;
use std::time::SystemTime;

/// How the body's end is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Framing {
    /// There is none (204, 304).
    None,
    /// By `Content-Length`, which the response has.
    Length,
    /// By chunks (HTTP/1.1).
    Chunked,
    /// By closing (HTTP/1.0).
    Close,
}

impl Framing {
    pub(super) fn of(version: Version, parts: &Parts) -> Self {
        if parts.status.is_informational()
            || parts.status == StatusCode::NO_CONTENT
            || parts.status == StatusCode::NOT_MODIFIED
        {
            Self::None
        } else if parts.headers.contains_key(header::CONTENT_LENGTH) {
            Self::Length
        } else if version == Version::HTTP_10 {
            Self::Close
        } else {
            Self::Chunked
        }
    }
}

/// The response's head: its status and headers, a date, the framing, and `Connection: close`.
pub(super) fn head(version: Version, parts: &Parts, framing: Framing) -> Bytes {
    let mut head = BytesMut::with_capacity(512);
    head.extend_from_slice(match version {
        Version::HTTP_10 => b"HTTP/1.0 ",
        _ => b"HTTP/1.1 ",
    });
    head.extend_from_slice(parts.status.as_str().as_bytes());
    head.extend_from_slice(b" ");
    head.extend_from_slice(parts.status.canonical_reason().unwrap_or("").as_bytes());
    head.extend_from_slice(b"\r\n");
    for (name, value) in &parts.headers {
        if name == header::CONNECTION || name == header::TRANSFER_ENCODING {
            continue;
        }
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    if !parts.headers.contains_key(header::DATE) {
        head.extend_from_slice(b"date: ");
        head.extend_from_slice(httpdate::fmt_http_date(SystemTime::now()).as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    if framing == Framing::Chunked {
        head.extend_from_slice(b"transfer-encoding: chunked\r\n");
    }
    head.extend_from_slice(b"connection: close\r\n\r\n");
    head.freeze()
}

/// What is to be written, in order: the head (first only), a chunk's size line, the piece,
/// and what follows it (the chunk's line end, or the last chunk).
pub(super) struct Out {
    head: Bytes,
    size_line: [u8; 18],
    size_from: usize,
    piece: Bytes,
    tail: &'static [u8],
}

impl Out {
    pub(super) fn head(head: Bytes) -> Self {
        Self {
            head,
            size_line: [0; 18],
            size_from: 18,
            piece: Bytes::new(),
            tail: b"",
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.head.is_empty()
            && self.size_from == self.size_line.len()
            && self.piece.is_empty()
            && self.tail.is_empty()
    }

    /// Queues `piece` (the queue is empty); an empty one would end a chunked body.
    pub(super) fn piece(&mut self, piece: Bytes, framing: Framing) {
        if piece.is_empty() || framing == Framing::None {
            return;
        }
        if framing == Framing::Chunked {
            // "{len:x}\r\n", right-aligned in `size_line`.
            let mut len = piece.len();
            let mut from = self.size_line.len() - 2;
            self.size_line[from..].copy_from_slice(b"\r\n");
            loop {
                from -= 1;
                self.size_line[from] = b"0123456789abcdef"[len % 16];
                len /= 16;
                if len == 0 {
                    break;
                }
            }
            self.size_from = from;
            self.tail = b"\r\n";
        }
        self.piece = piece;
    }

    /// Queues the body's end.
    pub(super) fn end(&mut self, framing: Framing) {
        if framing == Framing::Chunked {
            self.tail = b"0\r\n\r\n";
        }
    }

    pub(super) fn slices(&self) -> [IoSlice<'_>; 4] {
        [
            IoSlice::new(&self.head),
            IoSlice::new(&self.size_line[self.size_from..]),
            IoSlice::new(&self.piece),
            IoSlice::new(self.tail),
        ]
    }

    /// Forgets the first `written` bytes, and lets go of each buffer once it is written.
    pub(super) fn advance(&mut self, mut written: usize) {
        written = forget(&mut self.head, written);
        let size = written.min(self.size_line.len() - self.size_from);
        self.size_from += size;
        written -= size;
        written = forget(&mut self.piece, written);
        self.tail = &self.tail[written.min(self.tail.len())..];
    }
}

/// Forgets up to `written` bytes of `bytes` (all of its memory once it is all written);
/// what is left of `written`.
fn forget(bytes: &mut Bytes, written: usize) -> usize {
    if written >= bytes.len() {
        let left = written - bytes.len();
        *bytes = Bytes::new();
        return left;
    }
    bytes::Buf::advance(bytes, written);
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unwritten(out: &Out) -> Vec<u8> {
        out.slices()
            .iter()
            .flat_map(|slice| slice.to_vec())
            .collect()
    }

    #[test]
    fn a_chunk_is_its_size_in_hex_the_piece_and_a_line_end_however_it_is_cut() {
        let mut out = Out::head(Bytes::from_static(b"HEAD"));
        out.piece(Bytes::from(vec![b'x'; 300]), Framing::Chunked);
        let whole = unwritten(&out);
        assert!(whole.starts_with(b"HEAD12c\r\nxxx"));
        assert!(whole.ends_with(b"xx\r\n"));
        for cut in [1, 4, 5, 9, 308, whole.len() - 1] {
            let mut out = Out::head(Bytes::from_static(b"HEAD"));
            out.piece(Bytes::from(vec![b'x'; 300]), Framing::Chunked);
            out.advance(cut);
            assert_eq!(unwritten(&out), whole[cut..], "cut at {cut}");
        }
        out.advance(whole.len());
        assert!(out.is_empty());
        out.end(Framing::Chunked);
        assert_eq!(unwritten(&out), b"0\r\n\r\n");
    }

    #[test]
    fn a_written_piece_is_let_go() {
        let mut out = Out::head(Bytes::new());
        let piece = Bytes::from(vec![b'x'; 1000]);
        out.piece(piece.clone(), Framing::Length);
        out.advance(1000);
        assert!(out.is_empty());
        assert!(piece.is_unique(), "the queue still holds the piece");
    }
}
