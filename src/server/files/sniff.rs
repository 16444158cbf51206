//! What a file is, from its first bytes: the images the server reads are recognised by
//! their signatures; for anything else the uploader's claimed type is kept if it is a
//! well-formed one, and never lets a browser show the file inline.

/// The image types recognised by their signatures.
pub fn image_type(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// The type a file is kept under: a recognised image's, else the uploader's claim when it
/// is a plain `type/subtype` (lowercased, parameters dropped) that does not pretend to be
/// one of the images (a claimed image that is not one is just bytes), else
/// `application/octet-stream`.
pub fn content_type(head: &[u8], claimed: Option<&str>) -> String {
    if let Some(image) = image_type(head) {
        return image.to_owned();
    }
    let claimed = claimed
        .and_then(|c| c.split(';').next())
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| well_formed(c) && !crate::domain::shown_inline(c));
    match claimed {
        // A script or a style sheet the site would load as its own (`<script src>`): kept
        // as the text it is, which nothing runs.
        Some(c) if runs_as_subresource(&c) => "text/plain".to_owned(),
        Some(c) => c,
        None => "application/octet-stream".to_owned(),
    }
}

fn runs_as_subresource(content_type: &str) -> bool {
    content_type == "text/css"
        || content_type.contains("javascript")
        || content_type.contains("ecmascript")
        || content_type == "application/wasm"
}

fn well_formed(content_type: &str) -> bool {
    let token = |part: &str| {
        !part.is_empty()
            && part.len() <= 64
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    match content_type.split_once('/') {
        Some((kind, subtype)) => token(kind) && token(subtype),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_known_by_their_bytes_not_their_claim() {
        assert_eq!(
            content_type(b"\x89PNG\r\n\x1a\n....", Some("text/html")),
            "image/png"
        );
        assert_eq!(content_type(&[0xFF, 0xD8, 0xFF, 0xE0], None), "image/jpeg");
        assert_eq!(content_type(b"GIF89a..", None), "image/gif");
        assert_eq!(content_type(b"RIFF\0\0\0\0WEBPVP8 ", None), "image/webp");
        assert_eq!(
            content_type(b"RIFF\0\0\0\0WAVEfmt ", Some("audio/wav")),
            "audio/wav"
        );
        assert_eq!(
            content_type(b"<html><script>", Some("image/png")),
            "application/octet-stream",
            "a claimed image that is not one"
        );
    }

    #[test]
    fn a_claimed_type_is_kept_only_when_well_formed() {
        assert_eq!(
            content_type(b"%PDF", Some("application/pdf")),
            "application/pdf"
        );
        assert_eq!(
            content_type(b"x", Some("Text/Plain; charset=utf-8")),
            "text/plain"
        );
        assert_eq!(
            content_type(b"<svg", Some("image/svg+xml")),
            "image/svg+xml"
        );
        for bad in ["", "text", "text/", "a/b c", "text/html\r\nX-Evil: 1"] {
            assert_eq!(
                content_type(b"x", Some(bad)),
                "application/octet-stream",
                "{bad:?}"
            );
        }
    }
}
