//! Thumbnails of the images people upload, made on a blocking thread from the upload's
//! temporary file: decoded within limits (a small file that unpacks to a huge picture is
//! refused), turned as the photo's EXIF orientation says, scaled to fit
//! [`THUMB_EDGE`] pixels, and written anew — as PNG when it has transparency, else JPEG —
//! so nothing of the original's metadata (EXIF, GPS, ICC) comes along.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use std::io::{BufReader, Cursor};
use std::path::Path;

/// The longest side of a thumbnail, in pixels.
pub const THUMB_EDGE: u32 = 480;
/// The widest and tallest image decoded.
const MAX_EDGE: u32 = 16_384;
/// The most memory one decoded image may take: 40 megapixels of RGBA (turning it upright
/// takes as much again).
const MAX_DECODED_BYTES: u64 = 40_000_000 * 4;

/// An image, read: its size as shown, and its thumbnail.
#[derive(Debug)]
pub struct Thumbnail {
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    /// How the original is to be turned to show upright (EXIF's 1–8; 1: as it is).
    pub orientation: u8,
}

/// Why no thumbnail was made (the file is then kept as plain bytes).
#[derive(Debug, thiserror::Error)]
pub enum ThumbnailError {
    #[error("the image cannot be read: {0}")]
    Unreadable(#[from] image::ImageError),
    #[error("the image is too large to decode ({0} bytes)")]
    TooLarge(u64),
    #[error("the file cannot be opened: {0}")]
    Io(#[from] std::io::Error),
}

/// How the picture in `file` is to be turned (EXIF's 1–8), read from its header alone; 1
/// when that cannot be read.
pub fn orientation(file: &Path) -> u8 {
    let read = || -> Result<u8, ThumbnailError> {
        let reader =
            ImageReader::new(BufReader::new(std::fs::File::open(file)?)).with_guessed_format()?;
        Ok(reader.into_decoder()?.orientation()?.to_exif())
    };
    read().unwrap_or(1)
}

/// Reads the image in `file` and makes its thumbnail. Blocking: call it from
/// `spawn_blocking`.
pub fn make(file: &Path) -> Result<Thumbnail, ThumbnailError> {
    let mut reader =
        ImageReader::new(BufReader::new(std::fs::File::open(file)?)).with_guessed_format()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_EDGE);
    limits.max_image_height = Some(MAX_EDGE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder()?;
    // Decoding through the decoder does not check `max_alloc` against the picture itself.
    let decoded = decoder.total_bytes();
    if decoded > MAX_DECODED_BYTES {
        return Err(ThumbnailError::TooLarge(decoded));
    }
    let orientation = decoder.orientation()?;
    let mut image = DynamicImage::from_decoder(decoder)?;
    image.apply_orientation(orientation);
    let (width, height) = (image.width(), image.height());
    // `thumbnail` also enlarges: a small picture stays as it is.
    let small = if width.max(height) > THUMB_EDGE {
        image.thumbnail(THUMB_EDGE, THUMB_EDGE)
    } else {
        image
    };
    let mut bytes = Cursor::new(Vec::new());
    let content_type = if small.color().has_alpha() {
        small.write_with_encoder(PngEncoder::new(&mut bytes))?;
        "image/png"
    } else {
        small
            .into_rgb8()
            .write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, 80))?;
        "image/jpeg"
    };
    Ok(Thumbnail {
        width,
        height,
        bytes: bytes.into_inner(),
        content_type,
        orientation: orientation.to_exif(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

    fn written(image: &DynamicImage, format: ImageFormat) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().expect("temp file");
        image.save_with_format(file.path(), format).expect("save");
        file
    }

    #[test]
    fn a_photo_becomes_a_small_jpeg_and_a_transparent_picture_a_png() {
        let photo = DynamicImage::ImageRgb8(RgbImage::from_pixel(1200, 900, Rgb([200, 30, 30])));
        let thumb = make(written(&photo, ImageFormat::Jpeg).path()).expect("thumbnail");
        assert_eq!((thumb.width, thumb.height), (1200, 900));
        assert_eq!(thumb.content_type, "image/jpeg");
        let small = image::load_from_memory(&thumb.bytes).expect("decodes");
        assert_eq!((small.width(), small.height()), (THUMB_EDGE, 360));

        let icon = DynamicImage::ImageRgba8(RgbaImage::from_pixel(64, 32, Rgba([0, 0, 0, 0])));
        let thumb = make(written(&icon, ImageFormat::Png).path()).expect("thumbnail");
        assert_eq!(thumb.content_type, "image/png");
        let small = image::load_from_memory(&thumb.bytes).expect("decodes");
        assert_eq!((small.width(), small.height()), (64, 32), "never enlarged");
    }

    /// `jpeg` with an EXIF block saying "turn 90° clockwise to show" (orientation 6) and a
    /// description naming a place, inserted after its start marker.
    fn with_exif(jpeg: &[u8]) -> Vec<u8> {
        let place = b"Secret Street 1\0";
        let mut tiff: Vec<u8> = b"II*\0\x08\0\0\0\x02\0".to_vec();
        // Orientation (0x0112), SHORT, 1, 6.
        tiff.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]);
        // ImageDescription (0x010E), ASCII, its length, at offset 38 (after this IFD).
        tiff.extend_from_slice(&[0x0E, 0x01, 2, 0, place.len() as u8, 0, 0, 0, 38, 0, 0, 0]);
        tiff.extend_from_slice(&[0, 0, 0, 0]);
        tiff.extend_from_slice(place);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let length = u16::try_from(app1.len() + 2).expect("short").to_be_bytes();
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1, length[0], length[1]]);
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn a_turned_photo_is_shown_upright_and_its_metadata_stays_behind() {
        let wide = DynamicImage::ImageRgb8(RgbImage::from_pixel(400, 200, Rgb([10, 120, 10])));
        let plain = written(&wide, ImageFormat::Jpeg);
        let file = tempfile::NamedTempFile::new().expect("temp file");
        let original = with_exif(&std::fs::read(plain.path()).expect("read"));
        assert!(original.windows(6).any(|w| w == b"Secret"));
        std::fs::write(file.path(), &original).expect("write");
        let thumb = make(file.path()).expect("thumbnail");
        assert_eq!((thumb.width, thumb.height), (200, 400), "turned upright");
        let small = image::load_from_memory(&thumb.bytes).expect("decodes");
        assert_eq!(
            (small.width(), small.height()),
            (200, 400),
            "upright, not enlarged"
        );
        assert!(!thumb.bytes.windows(4).any(|w| w == b"Exif"), "no EXIF");
        assert!(!thumb.bytes.windows(6).any(|w| w == b"Secret"));
    }

    #[test]
    fn what_is_not_an_image_is_refused() {
        let file = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(file.path(), [0xFF, 0xD8, 0xFF, 0x00, 1, 2, 3]).expect("write");
        assert!(make(file.path()).is_err());
    }
}
