//! Searching messages by their words, in one room or in every room, newest first, a page
//! at a time (`before` = the previous page's `older`).

use crate::domain::{ChatMessage, SearchPage};
use crate::error::ChatError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// Messages whose words match `q` (each word of `q` starts a word of the message, in any
/// case), in `room` or, without it, in every room; newest first, at most 20, below
/// `before`. Edits and deletes are reflected at once.
#[server(endpoint = "search", input = GetUrl)]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "search", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn search(
    q: String,
    room: Option<String>,
    before: Option<u64>,
) -> Result<SearchPage<ChatMessage>, ChatError> {
    use super::server_context::{app_state, open_room, session, within_limits};
    use crate::domain::{RoomName, SearchQuery, SEARCH_PAGE};
    use crate::server::limits::Action;

    let state = app_state()?;
    let session = session()?;
    let query = SearchQuery::parse(&q)?;
    let room = match room.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => Some(open_room(&state, &session, name).await?),
    };
    within_limits(&state, &session, Action::Search)?;
    let mut page = state
        .store
        .search(&query, room.as_ref(), before, SEARCH_PAGE)
        .await?;
    // Across rooms: private rooms' messages only for their members.
    let mut readable: Vec<(RoomName, bool)> = Vec::new();
    let mut kept = Vec::with_capacity(page.results.len());
    for message in page.results {
        let known = readable.iter().find(|(room, _)| room == &message.room);
        let may = match known {
            Some((_, may)) => *may,
            None => {
                let may = state
                    .access
                    .may_read(&session.user_id, &message.room)
                    .await?;
                readable.push((message.room.clone(), may));
                may
            }
        };
        if may {
            kept.push(message);
        }
    }
    page.results = kept;
    Ok(page)
}
