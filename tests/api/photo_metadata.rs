//! A JPEG photo is kept without its metadata: its EXIF position and comments never reach
//! anyone who downloads it, while its orientation stays, so it still shows upright.

use crate::helpers::{settings, spawn_app_with};
use crate::uploads::uploaded;
use image::{ImageDecoder, ImageReader};
use std::io::Cursor;

/// A 60 × 40 JPEG whose EXIF says "turn 90° clockwise" (6) and where it was taken.
fn phone_photo() -> Vec<u8> {
    photo_of(60, 40)
}

/// A `width` × `height` JPEG with that EXIF and a comment.
fn photo_of(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 64) as u8 * 4, (y % 40) as u8 * 6, 90])
    });
    let mut plain = Cursor::new(Vec::new());
    picture
        .write_to(&mut plain, image::ImageFormat::Jpeg)
        .expect("jpeg");
    let plain = plain.into_inner();
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
    exif.extend_from_slice(&[0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
    exif.extend_from_slice(b"GPS 48.8584 N 2.2945 E");
    let mut photo = plain[..2].to_vec();
    photo.extend_from_slice(&[0xFF, 0xE1]);
    photo.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    photo.extend_from_slice(&exif);
    photo.extend_from_slice(&[0xFF, 0xFE, 0, 14]);
    photo.extend_from_slice(b"Home, sweet");
    photo.push(b'!');
    photo.extend_from_slice(&plain[2..]);
    photo
}

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[tokio::test]
async fn a_photo_is_kept_upright_without_its_position() {
    let app = spawn_app_with(settings()).await;
    let alice = app.browser();
    let photo = phone_photo();
    assert!(holds(&photo, b"GPS 48.8584"));
    let file = uploaded(&alice, "lobby", "IMG_0001.jpg", "image/jpeg", photo.clone()).await;
    assert_eq!(
        (file.width, file.height),
        (Some(40), Some(60)),
        "as shown: turned"
    );

    let served = alice.get_raw(&file.url).await;
    assert_eq!(served.status(), 200);
    let bytes = served.bytes().await.expect("bytes");
    assert_eq!(
        bytes.len() as u64,
        file.size,
        "the size given is the size kept"
    );
    assert!(bytes.len() < photo.len());
    assert!(!holds(&bytes, b"GPS"), "the position is gone");
    assert!(!holds(&bytes, b"Home, sweet"), "the comment is gone");
    let mut decoder = ImageReader::new(Cursor::new(bytes.to_vec()))
        .with_guessed_format()
        .expect("format")
        .into_decoder()
        .expect("a JPEG still");
    assert_eq!(decoder.orientation().expect("orientation").to_exif(), 6);
    assert_eq!(
        decoder.dimensions(),
        (60, 40),
        "the picture itself, not re-encoded"
    );
}

#[tokio::test]
async fn a_panorama_too_wide_to_thumbnail_loses_its_position_too() {
    let app = spawn_app_with(settings()).await;
    let alice = app.browser();
    // Wider than the thumbnailer decodes (16,384 px): kept as a plain file, still stripped.
    let panorama = photo_of(16_500, 2);
    let file = uploaded(&alice, "lobby", "pano.jpg", "image/jpeg", panorama).await;
    assert!(file.thumb_url.is_none());
    let bytes = alice.get_raw(&file.url).await.bytes().await.expect("bytes");
    assert!(!holds(&bytes, b"GPS"), "the position is gone");
    assert!(!holds(&bytes, b"Home, sweet"));
    assert_eq!(bytes.len() as u64, file.size);
}
