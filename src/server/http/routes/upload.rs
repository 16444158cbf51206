//! `POST /api/upload`: `multipart/form-data` with `room` and one `file` part. The file is
//! spooled as it arrives (never whole in memory), refused past `CHAT_MAX_UPLOAD_MB` (413,
//! nothing kept); an image the server can read gets its size and a thumbnail. The store
//! then records the upload, unsent, for its uploader and room, unless the chat's files
//! would pass `CHAT_UPLOADS_MAX_GB` (507) or the uploader's unsent ones
//! `CHAT_UPLOADS_UNSENT_MB` (422); then its bytes go to the file storage. Answers
//! the attachment: `{"id","url","name","size","content_type"}` and, for an image,
//! `"width"`, `"height"`, `"thumb_url"`.

use crate::domain::{
    clean_file_name, Attachment, RoomName, UploadId, MAX_ATTACHMENTS, UPLOAD_PATH,
};
use crate::error::ChatError;
use crate::server::access::limits::Action;
use crate::server::access::session::{now_millis, NewVisitor, Session};
use crate::server::files::receive::{self, Spooled};
use crate::server::files::{metadata, thumbnail};
use crate::server::http::api_error::ApiError;
use crate::server::http::routes::room_stream::not_banned;
use crate::server::node::state::AppState;
use crate::server::store::{StoredUpload, UploadRefusal};
use axum::extract::{ConnectInfo, Extension, Multipart, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Deserialize;
use std::net::SocketAddr;
use std::time::Duration;

/// How much a multipart body may add to its file (boundaries, headers, the room).
pub const MULTIPART_OVERHEAD: u64 = 64 * 1024;

/// A page without JavaScript posts its upload form to `?then=page&room={room}&attach={ids}`
/// (the files its composer holds already): it is sent back to the room, holding the new file
/// too (`?attach=`), or told why not (`&__path=/api/upload&__err={kind}`).
#[derive(Debug, Default, Deserialize)]
pub struct FromPage {
    then: Option<String>,
    room: Option<String>,
    attach: Option<String>,
}

#[tracing::instrument(name = "upload", skip_all, fields(user = %session.user_id))]
pub async fn upload(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    minted: Option<Extension<NewVisitor>>,
    Query(page): Query<FromPage>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    let peer = peer.map(|Extension(ConnectInfo(addr))| addr);
    let answer = receive(state, session, peer, minted.is_some(), headers, multipart).await;
    let back_to = page
        .room
        .as_deref()
        .filter(|_| page.then.as_deref() == Some("page"))
        .and_then(|room| RoomName::parse(room).ok());
    let Some(room) = back_to else {
        return answer.map(|file| Json(file).into_response());
    };
    let mut attach: Vec<UploadId> = (page.attach.as_deref().unwrap_or_default())
        .split(',')
        .filter_map(|id| UploadId::parse(id.trim()))
        .take(MAX_ATTACHMENTS)
        .collect();
    let mut to = format!("/r/{room}?");
    match answer {
        Ok(file) => attach.push(file.id),
        Err(error) => {
            let error = error.into_chat_error();
            // As server functions answer a form (`__path`, `__err`): the next one that
            // succeeds takes it out of the address again.
            to.push_str(&format!("__path={UPLOAD_PATH}&__err={}&", error.kind()));
        }
    }
    let ids: Vec<&str> = attach.iter().map(UploadId::as_str).collect();
    to.push_str(&format!("attach={}", ids.join(",")));
    Ok(Redirect::to(&to).into_response())
}

async fn receive(
    state: AppState,
    session: Session,
    peer: Option<SocketAddr>,
    minted: bool,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Result<Attachment, ApiError> {
    not_banned(&state, &session)?;
    if session.is_guest() && !state.sessions.guests_may_write() {
        return Err(ChatError::Unauthorized("Sign in (or sign up) to write here.".into()).into());
    }
    let files = &state.files;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > files.max_file_bytes + MULTIPART_OVERHEAD) {
        return Err(receive::too_large(files.max_file_bytes).into());
    }
    let address = state.addresses.of(&headers, peer);
    // An upload by a session minted for this request (no cookie came) also costs its
    // address a new session's share, as a write does: dropping the cookie gives no fresh
    // allowance.
    if minted {
        state
            .limits
            .check(Action::NewSession, &session.user_id, address)?;
    }
    state
        .limits
        .check(Action::Upload, &session.user_id, address)?;

    // However slowly it comes, the whole body has a deadline: twice the stall (a minute),
    // and a second more for every 64 KiB of the largest file (a part that sends nothing for
    // the stall, 30 s, ends sooner).
    let deadline = files.stall * 2 + Duration::from_secs(files.max_file_bytes / (64 * 1024));
    let read = tokio::time::timeout(deadline, read_parts(&state, &session, &mut multipart));
    let (room, mut spooled) = read.await.map_err(|_| ChatError::TimedOut)??;
    // Asked again if the room came after the file: it may have changed meanwhile.
    may_write(&state, &session, &room).await?;
    let (file, thumbnail) = inspect(&state, &mut spooled).await?;
    // Recorded (within the bounds, counted at once), kept and, if keeping fails, forgotten
    // again on a task of its own: a client that hangs up now cannot leave a record without
    // its bytes, nor bytes without the record the janitor works from.
    let owner = session.user_id.clone();
    let keeping = tokio::spawn(async move {
        let upload = StoredUpload {
            room,
            owner,
            file,
            created_at: now_millis(),
            message: None,
            removed: false,
        };
        let recorded = state
            .store
            .record_upload(&upload, state.files.bounds())
            .await?;
        recorded.map_err(|refusal| refused(refusal, &state))?;
        let id = &upload.file.id;
        if let Err(error) = state.files.keep(id, spooled.file.path(), thumbnail).await {
            tracing::error!(%error, "an upload could not be kept");
            if let Err(left) = state.store.forget_upload(id).await {
                // Its record stays, unsent: the janitor removes it within the hour.
                tracing::warn!(%left, %id, "an upload not kept is still recorded");
            }
            return Err(ChatError::Unavailable.into());
        }
        crate::server::metrics::upload_kept(upload.file.size);
        Ok::<_, ApiError>(upload.file)
    });
    let file = keeping.await.map_err(|error| {
        tracing::error!(%error, "keeping an upload failed");
        ChatError::Internal
    })??;
    Ok(file)
}

/// The words of a bound an upload did not fit in.
fn refused(refusal: UploadRefusal, state: &AppState) -> ChatError {
    match refusal {
        UploadRefusal::StorageFull => {
            tracing::warn!("an upload refused: the files' bound is reached");
            ChatError::StorageFull
        }
        UploadRefusal::TooManyUnsent => ChatError::Invalid(format!(
            "You can have up to {} of files waiting to be sent: send them, or take some out, \
             first.",
            crate::domain::human_size(state.files.max_unsent_bytes)
        )),
    }
}

/// The form's parts: the room (which the person must be able to write) and the file,
/// spooled. A part that sends nothing for 30 s is given up (408).
async fn read_parts(
    state: &AppState,
    session: &Session,
    multipart: &mut Multipart,
) -> Result<(RoomName, Spooled), ApiError> {
    let files = &state.files;
    let mut room = None;
    let mut spooled = None;
    let unreadable = |error| receive::refused(error, files.max_file_bytes);
    loop {
        let next = tokio::time::timeout(files.stall, multipart.next_field())
            .await
            .map_err(|_| ChatError::TimedOut)?;
        let Some(field) = next.map_err(unreadable)? else {
            break;
        };
        match field.name() {
            Some("room") => {
                let name = receive::short_text(field, 256, files.stall).await?;
                let parsed = RoomName::parse(name.trim())?;
                may_write(state, session, &parsed).await?;
                room = Some(parsed);
            }
            Some("file") if spooled.is_none() => {
                spooled = Some(
                    receive::spool(field, files.spool_dir(), files.max_file_bytes, files.stall)
                        .await?,
                );
            }
            _ => {}
        }
    }
    match (room, spooled) {
        (Some(room), Some(spooled)) => Ok((room, spooled)),
        _ => Err(ChatError::Malformed("send a room and one file".into()).into()),
    }
}

/// Reads what the spooled file is, makes an image's thumbnail, and takes a JPEG photo's
/// metadata out: the attachment it makes, and the thumbnail's bytes.
async fn inspect(
    state: &AppState,
    spooled: &mut Spooled,
) -> Result<(Attachment, Option<Vec<u8>>), ChatError> {
    let id = UploadId::from_random(rand::random());
    let mut content_type =
        crate::server::files::sniff::content_type(&spooled.head, spooled.claimed_type.as_deref());
    let jpeg = content_type == "image/jpeg";
    let mut image = None;
    if crate::domain::shown_inline(&content_type) {
        let path = spooled.file.path().to_owned();
        // Only so many pictures are decoded at once (each may take hundreds of MB).
        let slot = state.files.thumbnail_slot().await;
        let made = tokio::task::spawn_blocking(move || {
            let made = thumbnail::make(&path);
            drop(slot);
            made
        });
        match made.await {
            Ok(Ok(thumb)) => image = Some(thumb),
            // What looked like an image and is not one is kept as plain bytes.
            Ok(Err(error)) => {
                tracing::info!(%error, "no thumbnail: kept as a plain file");
                content_type = "application/octet-stream".to_owned();
            }
            Err(error) => {
                tracing::error!(%error, "the thumbnail task failed");
                return Err(ChatError::Internal);
            }
        }
    }
    if jpeg {
        // Even one too large to thumbnail, or kept as plain bytes: its EXIF still goes.
        let orientation = image
            .as_ref()
            .map(|thumb: &thumbnail::Thumbnail| thumb.orientation);
        without_metadata(state, spooled, orientation).await?;
    }
    let thumb_bytes = image.as_mut().map(|thumb| std::mem::take(&mut thumb.bytes));
    let file = Attachment {
        url: id.url(),
        thumb_url: image.as_ref().map(|_| id.thumb_url()),
        width: image.as_ref().map(|thumb| thumb.width),
        height: image.as_ref().map(|thumb| thumb.height),
        id,
        name: clean_file_name(spooled.name.as_deref().unwrap_or_default()),
        size: spooled.size,
        content_type,
    };
    Ok((file, thumb_bytes))
}

/// Rewrites the spooled JPEG without its EXIF (position, time, camera) and other metadata,
/// turned as `orientation` says (read from its header when no thumbnail was made). One the
/// rewriting cannot read is refused (422): never kept with its metadata.
async fn without_metadata(
    state: &AppState,
    spooled: &mut Spooled,
    orientation: Option<u8>,
) -> Result<(), ChatError> {
    let from = spooled.file.path().to_owned();
    let spool = state.files.spool_dir().to_owned();
    let rewritten = tokio::task::spawn_blocking(move || {
        let orientation = orientation.unwrap_or_else(|| thumbnail::orientation(&from));
        let to = tempfile::NamedTempFile::new_in(spool)?;
        let source = std::fs::File::open(from)?;
        let size = metadata::strip_jpeg(source, to.as_file(), orientation)?;
        Ok::<_, metadata::StripError>((to, size))
    })
    .await;
    match rewritten {
        Ok(Ok((file, size))) => {
            spooled.file = file;
            spooled.size = size;
            Ok(())
        }
        Ok(Err(error)) => {
            tracing::info!(%error, "a JPEG refused: its metadata could not be taken out");
            Err(ChatError::Invalid(
                "This JPEG picture could not be read. Save it again and retry.".into(),
            ))
        }
        Err(error) => {
            tracing::error!(%error, "the metadata task failed");
            Err(ChatError::Internal)
        }
    }
}

/// Whether `session`'s person may write `room` now: 403 for a private room they are not a
/// member of, or a locked one they do not moderate.
async fn may_write(state: &AppState, session: &Session, room: &RoomName) -> Result<(), ChatError> {
    state.access.check(&session.user_id, room).await?;
    if state.restrictions.is_locked(room) {
        let role = session.signed_in.as_ref().map(|s| s.role);
        if !state.access.moderates(&session.user_id, role, room).await? {
            return Err(ChatError::Forbidden(
                "This room is locked: only its moderators can write in it.".into(),
            ));
        }
    }
    Ok(())
}
