use crate::domain::{human_size, Attachment};
use leptos::prelude::*;

/// A message's files: an image as its thumbnail (the server's, EXIF stripped and turned
/// upright), which opens full size; anything else as its name, type and size, which
/// downloads.
#[component]
pub fn AttachmentList(files: Vec<Attachment>) -> impl IntoView {
    let items: Vec<AnyView> = files.into_iter().map(attachment).collect();
    view! { <ul class="attachments" aria-label="Files">{items}</ul> }
}

fn attachment(file: Attachment) -> AnyView {
    let Attachment {
        url,
        name,
        size,
        content_type,
        width,
        height,
        thumb_url,
        ..
    } = file.clone();
    match thumb_url.filter(|_| file.is_image()) {
        Some(thumb) => {
            let (w, h) = shown_size(width.unwrap_or(1), height.unwrap_or(1));
            view! {
                <li class="attachment image">
                    <a href=url target="_blank" rel="noopener" title=name.clone()>
                        <img src=thumb alt=name.clone() width=w height=h loading="lazy" />
                    </a>
                </li>
            }
            .into_any()
        }
        None => view! {
            <li class="attachment file">
                <a href=url download=name.clone()>
                    <span class="file-icon" aria-hidden="true">"📄"</span>
                    <span class="file-name">{name.clone()}</span>
                    <span class="file-meta">{format!("{content_type} · {}", human_size(size))}</span>
                </a>
            </li>
        }
        .into_any(),
    }
}

/// The size a thumbnail shows at: within 240 × 240, never enlarged.
fn shown_size(width: u32, height: u32) -> (u32, u32) {
    const EDGE: u32 = 240;
    let longest = width.max(height).max(1);
    if longest <= EDGE {
        return (width.max(1), height.max(1));
    }
    let scale =
        |side: u32| ((u64::from(side) * u64::from(EDGE)) / u64::from(longest)).max(1) as u32;
    (scale(width), scale(height))
}

#[cfg(test)]
mod tests {
    use super::shown_size;

    #[test]
    fn thumbnails_fit_the_box_keeping_their_shape() {
        assert_eq!(shown_size(4000, 3000), (240, 180));
        assert_eq!(shown_size(200, 400), (120, 240));
        assert_eq!(shown_size(64, 32), (64, 32));
        assert_eq!(shown_size(10_000, 1), (240, 1));
    }
}
