//! Attachments: files a person uploads to a room (`POST /api/upload`) and then sends with a
//! message. The server sniffs what a file is from its first bytes; only the images it can
//! read (PNG, JPEG, GIF, WebP) show inline, with a thumbnail it made; everything else,
//! SVG and HTML included, downloads.

use super::DomainError;
use serde::{Deserialize, Serialize};

/// The most attachments one message carries.
pub const MAX_ATTACHMENTS: usize = 10;

/// Where files are uploaded (`POST`, `multipart/form-data`).
pub const UPLOAD_PATH: &str = "/api/upload";
/// The longest file name kept (longer ones are cut, keeping the extension).
pub const MAX_FILE_NAME_CHARS: usize = 200;

super::hex_id::hex_id!(
    /// An upload's identity: 32 hex digits from 128 random bits. It names the bytes in
    /// storage and in the file's address; knowing it grants nothing in a private room.
    UploadId,
    "an upload id"
);

impl UploadId {
    /// Where its bytes are served.
    pub fn url(&self) -> String {
        format!("/api/files/{}", self.0)
    }

    /// Where its thumbnail is served (images only).
    pub fn thumb_url(&self) -> String {
        format!("/api/files/{}/thumb", self.0)
    }
}

/// A file as a message carries it: the answer of `POST /api/upload`, and an entry of a
/// message's `attachments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: UploadId,
    pub url: String,
    /// The file's name as uploaded (cleaned: one line, no path).
    pub name: String,
    /// In bytes.
    pub size: u64,
    /// What the server found the file to be (an image type it read, or the uploader's
    /// claim, which never makes it show inline).
    pub content_type: String,
    /// An image's size in pixels, as shown (its orientation applied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumb_url: Option<String>,
}

impl Attachment {
    /// Whether it shows as an image (a thumbnail that opens full size).
    pub fn is_image(&self) -> bool {
        self.thumb_url.is_some() && shown_inline(&self.content_type)
    }
}

/// The image types a browser is let show inline: those the server can read and makes
/// thumbnails of. SVG (which can run script) and everything else download.
pub fn shown_inline(content_type: &str) -> bool {
    matches!(
        content_type,
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    )
}

/// The `attachments` field of a send: comma-separated upload ids, at most
/// [`MAX_ATTACHMENTS`], each once (a repeat is dropped).
pub fn parse_attachment_ids(raw: &str) -> Result<Vec<UploadId>, DomainError> {
    let mut ids: Vec<UploadId> = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let id = UploadId::parse(part).ok_or(DomainError::BadAttachments {
            max: MAX_ATTACHMENTS,
        })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.len() > MAX_ATTACHMENTS {
        return Err(DomainError::BadAttachments {
            max: MAX_ATTACHMENTS,
        });
    }
    Ok(ids)
}

/// A file name as it is kept and shown: its last path part, on one line, without control
/// or direction characters, at most [`MAX_FILE_NAME_CHARS`] (cut before the extension);
/// "file" when nothing is left.
pub fn clean_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !super::domain_error::is_direction_control(*c))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        return "file".to_owned();
    }
    if cleaned.chars().count() <= MAX_FILE_NAME_CHARS {
        return cleaned.to_owned();
    }
    let (stem, extension) = match cleaned.rsplit_once('.') {
        Some((stem, ext)) if ext.chars().count() <= 10 => (stem, format!(".{ext}")),
        _ => (cleaned, String::new()),
    };
    let keep = MAX_FILE_NAME_CHARS - extension.chars().count();
    let stem: String = stem.chars().take(keep).collect();
    format!("{}{extension}", stem.trim_end())
}

/// "2.4 MB", "512 KB", "37 bytes": a size as the chat shows it. (Whole numbers only: the
/// browser's code then carries no float formatting, which costs kilobytes of wasm.)
pub fn human_size(bytes: u64) -> String {
    let tenths = |unit: u64| (bytes.saturating_add(unit / 20)) / (unit / 10);
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{} KB", (bytes + 500) / 1_000),
        1_000_000..1_000_000_000 => {
            let t = tenths(1_000_000);
            format!("{}.{} MB", t / 10, t % 10)
        }
        _ => {
            let t = tenths(1_000_000_000);
            format!("{}.{} GB", t / 10, t % 10)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_a_comma_separated_list_of_at_most_ten_each_once() {
        let a = "0".repeat(31) + "a";
        let b = "0".repeat(31) + "b";
        let ids = parse_attachment_ids(&format!("{a}, {b},{a},")).expect("ids");
        assert_eq!(ids.len(), 2);
        assert_eq!(parse_attachment_ids(""), Ok(Vec::new()));
        assert!(parse_attachment_ids("../etc/passwd").is_err());
        assert!(
            parse_attachment_ids(&"A".repeat(32)).is_err(),
            "lowercase only"
        );
        let eleven: Vec<String> = (0..11u128).map(|n| UploadId::from_random(n).0).collect();
        assert!(parse_attachment_ids(&eleven.join(",")).is_err());
        assert!(parse_attachment_ids(&eleven[..10].join(",")).is_ok());
    }

    #[test]
    fn a_file_name_keeps_its_last_part_on_one_line_and_its_extension() {
        assert_eq!(clean_file_name("C:\\Users\\ann\\report.pdf"), "report.pdf");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\nb\u{202E}fdp.exe"), "abfdp.exe");
        assert_eq!(clean_file_name("  "), "file");
        assert_eq!(clean_file_name(".."), "file");
        let long = format!("{}.tar", "x".repeat(500));
        let kept = clean_file_name(&long);
        assert_eq!(kept.chars().count(), MAX_FILE_NAME_CHARS);
        assert!(kept.ends_with("x.tar"));
    }

    #[test]
    fn only_images_the_server_reads_show_inline() {
        for inline in ["image/png", "image/jpeg", "image/gif", "image/webp"] {
            assert!(shown_inline(inline));
        }
        for download in ["image/svg+xml", "text/html", "application/pdf", "image/PNG"] {
            assert!(!shown_inline(download), "{download}");
        }
        assert_eq!(human_size(37), "37 bytes");
        assert_eq!(human_size(512_000), "512 KB");
        assert_eq!(human_size(2_400_000), "2.4 MB");
        assert_eq!(human_size(999_999), "1000 KB");
        assert_eq!(human_size(104_857_600), "104.9 MB");
        assert_eq!(human_size(3_000_000_000), "3.0 GB");
    }
}
