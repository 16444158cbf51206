//! The files the composer holds for the next message: each uploading (with its progress),
//! uploaded (its attachment, ready to send), or failed (with the reason); any can be taken
//! out before sending. The browser side (`client/uploads.rs`) does the uploading.

use crate::domain::{Attachment, MAX_ATTACHMENTS};
use leptos::prelude::*;

/// One file in the composer.
#[derive(Debug, Clone, PartialEq)]
pub struct Attaching {
    /// This page's number for it.
    pub key: u32,
    pub name: String,
    pub size: u64,
    /// How much has gone, in percent.
    pub percent: u8,
    /// Uploaded: what the server made of it.
    pub done: Option<Attachment>,
    pub failed: Option<String>,
}

/// Why the composer's files cannot go yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotReady {
    Uploading,
    Failed,
}

impl NotReady {
    pub fn reason(self) -> &'static str {
        match self {
            NotReady::Uploading => "Wait until your files have finished uploading.",
            NotReady::Failed => "Take out the files that could not be uploaded first.",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Attachments {
    files: RwSignal<Vec<Attaching>>,
    next_key: StoredValue<u32>,
}

impl Default for Attachments {
    fn default() -> Self {
        Self::holding(Vec::new())
    }
}

impl Attachments {
    /// Holding `uploaded` files, ready to send (the page was opened with them).
    pub fn holding(uploaded: Vec<Attachment>) -> Self {
        let files: Vec<Attaching> = uploaded
            .into_iter()
            .zip(1..)
            .map(|(attachment, key)| Attaching {
                key,
                name: attachment.name.clone(),
                size: attachment.size,
                percent: 100,
                done: Some(attachment),
                failed: None,
            })
            .collect();
        Self {
            next_key: StoredValue::new(files.len() as u32 + 1),
            files: RwSignal::new(files),
        }
    }

    /// The ids of the uploaded files, as `send_message` takes them (a form without
    /// JavaScript carries them; tracked).
    pub fn uploaded_ids(self) -> String {
        self.files.with(|files| {
            let done: Vec<Attachment> = files.iter().filter_map(|f| f.done.clone()).collect();
            attachment_ids(&done).unwrap_or_default()
        })
    }

    /// The files, in the order they were added (tracked).
    pub fn list(self) -> Vec<Attaching> {
        self.files.get()
    }

    /// Whether the composer holds any file (tracked).
    pub fn any(self) -> bool {
        self.files.with(|files| !files.is_empty())
    }

    /// A file starts uploading: its key, or `None` when the message has its most files.
    pub fn add(self, name: String, size: u64) -> Option<u32> {
        if self.files.with_untracked(Vec::len) >= MAX_ATTACHMENTS {
            return None;
        }
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        self.files.update(|files| {
            files.push(Attaching {
                key,
                name,
                size,
                percent: 0,
                done: None,
                failed: None,
            })
        });
        Some(key)
    }

    /// `sent` of `total` bytes have gone.
    pub fn progress(self, key: u32, sent: f64, total: f64) {
        if total > 0.0 {
            let percent = (sent / total * 100.0).clamp(0.0, 100.0) as u8;
            self.change(key, |file| file.percent = percent);
        }
    }

    pub fn done(self, key: u32, attachment: Attachment) {
        self.change(key, |file| {
            file.percent = 100;
            file.done = Some(attachment);
        });
    }

    pub fn failed(self, key: u32, reason: String) {
        self.change(key, |file| file.failed = Some(reason));
    }

    /// Taken out of the composer (an upload under way is the browser side's to abort):
    /// what it had uploaded, if it was done.
    pub fn remove(self, key: u32) -> Option<Attachment> {
        let mut uploaded = None;
        self.files.update(|files| {
            if let Some(at) = files.iter().position(|file| file.key == key) {
                uploaded = files.remove(at).done;
            }
        });
        uploaded
    }

    /// Whether the file is still in the composer (an upload that ends after its file was
    /// taken out changes nothing).
    pub fn holds(self, key: u32) -> bool {
        self.files
            .with_untracked(|files| files.iter().any(|file| file.key == key))
    }

    /// The uploaded files, ready to go with the message, or why they cannot go yet.
    pub fn ready(self) -> Result<Vec<Attachment>, NotReady> {
        self.files.with_untracked(|files| {
            if files.iter().any(|file| file.failed.is_some()) {
                return Err(NotReady::Failed);
            }
            files
                .iter()
                .map(|file| file.done.clone().ok_or(NotReady::Uploading))
                .collect()
        })
    }

    /// The message went: the composer is empty again.
    pub fn clear(self) {
        self.files.set(Vec::new());
    }

    fn change(self, key: u32, change: impl FnOnce(&mut Attaching)) {
        self.files.update(|files| {
            if let Some(file) = files.iter_mut().find(|file| file.key == key) {
                change(file);
            }
        });
    }
}

/// The `attachments` field of a send.
pub fn attachment_ids(files: &[Attachment]) -> Option<String> {
    (!files.is_empty()).then(|| {
        files
            .iter()
            .map(|file| file.id.as_str())
            .collect::<Vec<_>>()
            .join(",")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::UploadId;

    /// `id`s in the composer's order.
    fn ids(files: &[Attachment]) -> Vec<UploadId> {
        files.iter().map(|file| file.id.clone()).collect()
    }

    fn uploaded(n: u128) -> Attachment {
        let id = UploadId::from_random(n);
        Attachment {
            url: id.url(),
            id,
            name: format!("f{n}.txt"),
            size: 3,
            content_type: "text/plain".into(),
            width: None,
            height: None,
            thumb_url: None,
        }
    }

    #[test]
    fn files_go_only_once_all_are_uploaded_and_none_failed() {
        Owner::new().with(|| {
            let files = Attachments::default();
            let a = files.add("a.txt".into(), 3).expect("room");
            let b = files.add("b.txt".into(), 3).expect("room");
            files.progress(a, 5.0, 10.0);
            assert_eq!(files.list()[0].percent, 50);
            assert_eq!(files.ready(), Err(NotReady::Uploading));
            files.done(a, uploaded(1));
            files.failed(b, "too large".into());
            assert_eq!(files.ready(), Err(NotReady::Failed));
            files.remove(b);
            assert!(!files.holds(b));
            let ready = files.ready().expect("ready");
            assert_eq!(ids(&ready), [UploadId::from_random(1)]);
            assert_eq!(
                attachment_ids(&ready),
                Some(UploadId::from_random(1).as_str().to_owned())
            );
            files.clear();
            assert_eq!(files.ready(), Ok(Vec::new()));
            assert_eq!(attachment_ids(&[]), None);
        });
    }

    #[test]
    fn a_message_takes_at_most_ten_files() {
        Owner::new().with(|| {
            let files = Attachments::default();
            for n in 0..MAX_ATTACHMENTS {
                assert!(files.add(format!("{n}"), 1).is_some());
            }
            assert_eq!(files.add("one more".into(), 1), None);
        });
    }
}
