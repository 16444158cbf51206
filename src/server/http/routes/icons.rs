//! `GET /icons/192.png` and `GET /icons/512.png`: the installed app's icons, drawn here
//! rather than kept as files: the favicon's white speech bubble on the accent colour, full
//! bleed so a launcher may crop it to any shape (the bubble stays inside the middle 80 %,
//! a maskable icon's safe zone). Drawn once per size, then served from memory.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use image::{ImageFormat, Rgba, RgbaImage};
use std::io::Cursor;
use std::sync::OnceLock;

/// The accent colour (`--accent` in style/main.css).
const ACCENT: [u8; 3] = [0x3b, 0x5b, 0xdb];

pub async fn icon(Path(file): Path<String>) -> Response {
    static SMALL: OnceLock<Vec<u8>> = OnceLock::new();
    static LARGE: OnceLock<Vec<u8>> = OnceLock::new();
    let bytes = match file.as_str() {
        "192.png" => SMALL.get_or_init(|| drawn(192)),
        "512.png" => LARGE.get_or_init(|| drawn(512)),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        bytes.clone(),
    )
        .into_response()
}

/// The icon, `size` pixels square, as PNG.
fn drawn(size: u32) -> Vec<u8> {
    // Four by four samples a pixel smooth the bubble's edges.
    const SAMPLES: u32 = 4;
    let picture = RgbaImage::from_fn(size, size, |x, y| {
        let mut inside = 0;
        for sx in 0..SAMPLES {
            for sy in 0..SAMPLES {
                let unit = 32.0 / (size * SAMPLES) as f32;
                let u = ((x * SAMPLES + sx) as f32 + 0.5) * unit;
                let v = ((y * SAMPLES + sy) as f32 + 0.5) * unit;
                inside += u32::from(in_bubble(u, v));
            }
        }
        let white = inside as f32 / (SAMPLES * SAMPLES) as f32;
        let mix = |accent: u8| (f32::from(accent) * (1.0 - white) + 255.0 * white).round() as u8;
        Rgba([mix(ACCENT[0]), mix(ACCENT[1]), mix(ACCENT[2]), 255])
    });
    let mut png = Cursor::new(Vec::new());
    match picture.write_to(&mut png, ImageFormat::Png) {
        Ok(()) => png.into_inner(),
        Err(error) => {
            tracing::error!(%error, "an icon could not be drawn");
            Vec::new()
        }
    }
}

/// Whether (u, v), in the favicon's 32 units, is in its bubble: a box from (8, 10) to
/// (24, 20) and a tail down to (10, 24).
fn in_bubble(u: f32, v: f32) -> bool {
    let body = (8.0..24.0).contains(&u) && (10.0..20.0).contains(&v);
    let tail = (20.0..24.0).contains(&v) && u >= 10.0 && u <= 14.0 - (v - 20.0);
    body || tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icons_are_square_pngs_of_their_size_with_the_bubble_in_the_safe_zone() {
        for size in [192, 512] {
            let png = drawn(size);
            let picture = image::load_from_memory(&png).expect("a PNG").to_rgba8();
            assert_eq!(picture.dimensions(), (size, size));
            // Full bleed: every corner is the accent colour.
            assert_eq!(
                picture.get_pixel(0, 0).0,
                [ACCENT[0], ACCENT[1], ACCENT[2], 255]
            );
            // The bubble's middle is white.
            let middle = picture.get_pixel(size / 2, size * 15 / 32);
            assert_eq!(middle.0, [255, 255, 255, 255]);
            // Nothing white outside the safe zone: a circle of 40 % of the size.
            let centre = size as f32 / 2.0;
            for (x, y, pixel) in picture.enumerate_pixels() {
                let dx = x as f32 + 0.5 - centre;
                let dy = y as f32 + 0.5 - centre;
                if (dx * dx + dy * dy).sqrt() > size as f32 * 0.4 {
                    assert_eq!(pixel.0[0], ACCENT[0], "({x}, {y}) is outside the safe zone");
                }
            }
        }
    }
}
