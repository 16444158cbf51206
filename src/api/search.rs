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
    before: Option<String>,
) -> Result<SearchPage<ChatMessage>, ChatError> {
    use super::server_context::{open_room, within_limits, Call};
    use crate::domain::{DomainError, SearchCursor, SearchQuery, SEARCH_PAGE};
    use crate::server::access::limits::Action;

    // Charged to the rate limits only once the query and cursor are good (below).
    let Call { state, session } = Call::reading()?;
    let query = SearchQuery::parse(&q)?;
    let room = match room.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => Some(open_room(&state, &session, name).await?),
    };
    // A cursor names a message of a room the person may read; any other is refused the
    // same way as a broken one, so it cannot be used to ask about a private room.
    let before = match before.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => {
            let cursor = SearchCursor::parse(raw)?;
            if !state
                .access
                .may_read(&session.user_id, &cursor.room)
                .await?
            {
                return Err(DomainError::BadSearchCursor.into());
            }
            Some(cursor)
        }
    };
    within_limits(&state, &session, Action::Search)?;
    let _slot = state.limits.search_slot().await?;
    Ok(state
        .store
        .search(
            &query,
            room.as_ref(),
            &session.user_id,
            before.as_ref(),
            SEARCH_PAGE,
        )
        .await?)
}
