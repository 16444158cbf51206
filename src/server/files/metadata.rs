//! Taking a JPEG photo's metadata out of the file the chat keeps: its EXIF (where it was
//! taken, when, with what camera), XMP, IPTC, comments and any picture appended after its
//! end (a phone's depth map or preview, which carries its own EXIF) are left behind. The
//! picture's data is copied as it is, never re-encoded, so nothing of its quality is lost;
//! its colour profile (ICC) and the JFIF and Adobe segments that say how to read its colours
//! stay. Its orientation is written back as the only EXIF tag, so it still shows upright.
//!
//! Only JPEG is done: it is what cameras and phones write their position into. PNG, GIF
//! and WebP are kept as they come (their thumbnails, like every thumbnail, carry nothing).

use std::io::{self, BufRead, Read, Write};

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const APP0: u8 = 0xE0;
const APP1: u8 = 0xE1;
const APP2: u8 = 0xE2;
const APP14: u8 = 0xEE;
const APP15: u8 = 0xEF;
const COM: u8 = 0xFE;

/// Why a JPEG could not be rewritten (it is then kept as it came).
#[derive(Debug, thiserror::Error)]
pub enum StripError {
    #[error("not a JPEG file as expected: {0}")]
    Malformed(&'static str),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Copies the JPEG `from` to `to` without its metadata, with `orientation` (EXIF's 1–8; 1
/// is upright and writes nothing) as its only EXIF tag. Answers how many bytes it wrote.
pub fn strip_jpeg(from: impl Read, to: impl Write, orientation: u8) -> Result<u64, StripError> {
    let mut from = io::BufReader::with_capacity(64 * 1024, from);
    let mut to = Counted::new(io::BufWriter::with_capacity(64 * 1024, to));
    if read_marker(&mut from)? != SOI {
        return Err(StripError::Malformed("it does not start as one"));
    }
    to.write_all(&[0xFF, SOI])?;
    let mut oriented = orientation <= 1 || orientation > 8;
    // The marker that ended a scan, read already.
    let mut after_scan = None;
    loop {
        let marker = match after_scan.take() {
            Some(marker) => marker,
            None => read_marker(&mut from)?,
        };
        if marker == EOI {
            to.write_all(&[0xFF, EOI])?;
            break;
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            // Markers without a length (restarts; TEM) outside a scan: kept as they are.
            to.write_all(&[0xFF, marker])?;
            continue;
        }
        let payload = read_segment(&mut from)?;
        if marker != APP0 && !oriented {
            to.write_all(&orientation_segment(orientation))?;
            oriented = true;
        }
        if marker == APP0 && kept(marker, &payload) {
            write_segment(&mut to, marker, &jfif_without_thumbnail(&payload))?;
        } else if kept(marker, &payload) {
            write_segment(&mut to, marker, &payload)?;
        }
        if marker == SOS {
            // The scan's data follows, up to the next marker that is not part of it.
            after_scan = Some(copy_scan(&mut from, &mut to)?);
        }
    }
    // What follows the end of the picture (another picture, a trailer) is not copied.
    to.flush()?;
    Ok(to.written)
}

/// Whether a segment stays: the picture's own (tables, frame, scan headers), JFIF (its
/// thumbnail left out: see [`jfif_without_thumbnail`]), the colour profile and Adobe's
/// colour transform. Other application segments (JFXX's thumbnails too) and comments go.
fn kept(marker: u8, payload: &[u8]) -> bool {
    match marker {
        APP0 => payload.starts_with(b"JFIF\0") && payload.len() >= 12,
        APP2 => payload.starts_with(b"ICC_PROFILE\0"),
        APP14 => payload.starts_with(b"Adobe"),
        APP1..=APP15 | COM => false,
        _ => true,
    }
}

/// A JFIF segment's identifier, version, units and densities, with no thumbnail: one may
/// be a picture of the uncropped original, or a JPEG with EXIF of its own.
fn jfif_without_thumbnail(payload: &[u8]) -> Vec<u8> {
    let mut kept = payload[..12].to_vec();
    kept.extend_from_slice(&[0, 0]);
    kept
}

/// An APP1 segment holding a TIFF header and one IFD with one entry: Orientation.
fn orientation_segment(orientation: u8) -> Vec<u8> {
    let mut segment = vec![0xFF, APP1, 0, 34];
    segment.extend_from_slice(b"Exif\0\0");
    // Big-endian TIFF; the first IFD at offset 8.
    segment.extend_from_slice(&[b'M', b'M', 0, 42, 0, 0, 0, 8]);
    // One entry: tag 0x0112 (Orientation), type 3 (SHORT), count 1, the value, padding.
    segment.extend_from_slice(&[0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0]);
    // No next IFD.
    segment.extend_from_slice(&[0, 0, 0, 0]);
    segment
}

/// The next marker's code, past any fill bytes (`0xFF` repeated) and, as decoders do, any
/// stray bytes before it.
fn read_marker(from: &mut impl BufRead) -> Result<u8, StripError> {
    let mut byte = [0u8; 1];
    from.read_exact(&mut byte)?;
    while byte[0] != 0xFF {
        from.read_exact(&mut byte)?;
    }
    loop {
        from.read_exact(&mut byte)?;
        if byte[0] != 0xFF {
            return Ok(byte[0]);
        }
    }
}

/// A segment's payload (after its two length bytes, which count themselves).
fn read_segment(from: &mut impl BufRead) -> Result<Vec<u8>, StripError> {
    let mut length = [0u8; 2];
    from.read_exact(&mut length)?;
    let length = usize::from(u16::from_be_bytes(length));
    if length < 2 {
        return Err(StripError::Malformed(
            "a segment is shorter than its length",
        ));
    }
    let mut payload = vec![0u8; length - 2];
    from.read_exact(&mut payload)?;
    Ok(payload)
}

fn write_segment(to: &mut impl Write, marker: u8, payload: &[u8]) -> io::Result<()> {
    let length = u16::try_from(payload.len() + 2).unwrap_or(u16::MAX);
    to.write_all(&[0xFF, marker])?;
    to.write_all(&length.to_be_bytes())?;
    to.write_all(payload)
}

/// Copies a scan's entropy-coded data, up to the first marker that is not part of it (an
/// `0xFF` followed by neither a stuffed `0x00` nor a restart marker): that marker's code,
/// read.
fn copy_scan(from: &mut impl BufRead, to: &mut impl Write) -> Result<u8, StripError> {
    loop {
        let buffer = from.fill_buf()?;
        if buffer.is_empty() {
            // The file ends inside the scan (no end marker), as some cameras write them:
            // the picture ends here.
            return Ok(EOI);
        }
        let Some(at) = buffer.iter().position(|&b| b == 0xFF) else {
            let length = buffer.len();
            to.write_all(buffer)?;
            from.consume(length);
            continue;
        };
        to.write_all(&buffer[..at])?;
        from.consume(at + 1);
        let mut next = [0xFFu8; 1];
        while next[0] == 0xFF {
            if from.read(&mut next)? == 0 {
                return Ok(EOI);
            }
        }
        if next[0] == 0x00 || (0xD0..=0xD7).contains(&next[0]) {
            to.write_all(&[0xFF, next[0]])?;
            continue;
        }
        return Ok(next[0]);
    }
}

/// A writer that counts what went through it.
struct Counted<W> {
    inner: W,
    written: u64,
}

impl<W> Counted<W> {
    fn new(inner: W) -> Self {
        Self { inner, written: 0 }
    }
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(bytes)?;
        self.written += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageDecoder, ImageReader};
    use std::io::Cursor;

    /// A noisy picture (so its scan holds stuffed `0xFF 0x00` bytes), as a plain JPEG.
    fn photo() -> Vec<u8> {
        let mut seed = 7u32;
        let picture = image::RgbImage::from_fn(96, 64, |_, _| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let [a, b, c, _] = seed.to_be_bytes();
            image::Rgb([a, b, c])
        });
        let mut bytes = Cursor::new(Vec::new());
        picture
            .write_to(&mut bytes, image::ImageFormat::Jpeg)
            .expect("jpeg");
        bytes.into_inner()
    }

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0xFF, marker];
        bytes.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        bytes.extend_from_slice(payload);
        bytes
    }

    /// `photo()` as a phone writes it: EXIF with a position, XMP, IPTC, a comment, a colour
    /// profile, and a second picture after its end.
    fn phone_photo() -> Vec<u8> {
        let plain = photo();
        let mut bytes = plain[..2].to_vec();
        bytes.extend(segment(APP1, b"Exif\0\0MM\0*GPS 48.8584 N 2.2945 E SECRET"));
        bytes.extend(segment(
            APP1,
            b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>SECRET",
        ));
        bytes.extend(segment(APP2, b"ICC_PROFILE\0\x01\x01colours"));
        bytes.extend(segment(0xED, b"Photoshop 3.0\0SECRET"));
        bytes.extend(segment(COM, b"SECRET comment"));
        bytes.extend_from_slice(&plain[2..]);
        bytes.extend_from_slice(b"\xFF\xD8 a depth map with its own EXIF SECRET \xFF\xD9");
        bytes
    }

    fn stripped(bytes: &[u8], orientation: u8) -> Vec<u8> {
        let mut out = Vec::new();
        let written = strip_jpeg(bytes, &mut out, orientation).expect("stripped");
        assert_eq!(written, out.len() as u64);
        out
    }

    fn decoded(bytes: &[u8]) -> (image::RgbImage, image::metadata::Orientation) {
        let reader = ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .expect("format");
        let mut decoder = reader.into_decoder().expect("decoder");
        let orientation = decoder.orientation().expect("orientation");
        let picture = image::DynamicImage::from_decoder(decoder).expect("decoded");
        (picture.into_rgb8(), orientation)
    }

    fn holds(haystack: &[u8], needle: &[u8]) -> bool {
        haystack
            .windows(needle.len())
            .any(|window| window == needle)
    }

    #[test]
    fn a_phone_photo_keeps_its_picture_profile_and_orientation_and_nothing_else() {
        let original = phone_photo();
        let out = stripped(&original, 6);
        assert!(!holds(&out, b"SECRET"), "no metadata is left");
        assert!(!holds(&out, b"GPS"));
        assert!(holds(&out, b"ICC_PROFILE\0"), "the colour profile stays");
        assert!(out.starts_with(&[0xFF, SOI]) && out.ends_with(&[0xFF, EOI]));
        let (picture, orientation) = decoded(&out);
        assert_eq!(
            picture,
            decoded(&photo()).0,
            "the same pixels, not re-encoded"
        );
        assert_eq!(orientation, image::metadata::Orientation::Rotate90);
        assert!(out.len() < original.len());
    }

    #[test]
    fn an_upright_photo_gets_no_exif_at_all() {
        let out = stripped(&phone_photo(), 1);
        assert!(!holds(&out, b"Exif"));
        assert_eq!(decoded(&out).1, image::metadata::Orientation::NoTransforms);
        // A plain JPEG comes out as it went in.
        assert_eq!(stripped(&photo(), 1), photo());
    }

    #[test]
    fn stray_bytes_a_missing_end_and_a_jfif_thumbnail_are_handled_as_decoders_do() {
        let plain = photo();
        // A JFIF segment with a 2 × 1 thumbnail whose pixels spell a secret.
        let mut jfif = b"JFIF\0\x01\x02\x00\x00\x01\x00\x01\x02\x01".to_vec();
        jfif.extend_from_slice(b"SECRET");
        let mut bytes = plain[..2].to_vec();
        bytes.extend(segment(APP0, &jfif));
        // Stray bytes between segments, and no end marker.
        bytes.extend_from_slice(b"\x00\x00");
        let rest = &plain[2..plain.len() - 2];
        bytes.extend_from_slice(rest);
        let out = stripped(&bytes, 1);
        assert!(!holds(&out, b"SECRET"), "the JFIF thumbnail is gone");
        assert!(out.ends_with(&[0xFF, EOI]), "the end marker is written");
        assert_eq!(decoded(&out).0, decoded(&plain).0);
    }

    #[test]
    fn what_is_not_a_whole_jpeg_is_refused() {
        let mut out = Vec::new();
        assert!(strip_jpeg(&b"GIF89a"[..], &mut out, 1).is_err());
        // Cut inside its headers: refused.
        let original = photo();
        assert!(
            strip_jpeg(&original[..40], &mut Vec::new(), 1).is_err(),
            "cut short"
        );
        let mut bad = photo();
        // The first segment's length says 1: less than its own two bytes.
        bad[4] = 0;
        bad[5] = 1;
        assert!(strip_jpeg(&bad[..], &mut Vec::new(), 1).is_err());
    }
}
