//! Opening a session of an account on a device: what signing in by password, by passkey
//! or by a device link all end with.

use super::new_session_id;
use crate::domain::{Nickname, Role, UserId};
use crate::error::ChatError;
use crate::server::access::session::{Session, Sessions, SignedIn};
use crate::server::store::{Store, StoredSession};
use axum::http::{header, HeaderMap, HeaderValue};

/// The longest user agent kept.
const USER_AGENT_CHARS: usize = 256;

/// The most sessions an account keeps: a new one past it ends the least lately seen.
pub const MAX_SESSIONS: usize = 50;

/// A session opened: the cookie that names it, and the sessions of the account it ended
/// (unused past the idle limit, or the least lately seen beyond [`MAX_SESSIONS`]), which
/// the caller announces as ended on every node.
pub struct Opened {
    pub cookie: HeaderValue,
    pub ended: Vec<String>,
}

/// Who signs in.
pub struct SigningIn<'a> {
    pub user_id: &'a UserId,
    pub name: &'a str,
    pub role: Role,
    /// The request's headers (its user agent names the device on the sessions page).
    pub headers: Option<&'a HeaderMap>,
    pub now: i64,
}

/// Stores a new session of the account and answers the cookie that names it, tidying the
/// account's old sessions away.
pub async fn open_session(
    store: &dyn Store,
    sessions: &Sessions,
    who: SigningIn<'_>,
) -> Result<Opened, ChatError> {
    let user_agent: String = who
        .headers
        .and_then(|headers| headers.get(header::USER_AGENT))
        .and_then(|agent| agent.to_str().ok())
        .unwrap_or_default()
        .chars()
        .take(USER_AGENT_CHARS)
        .collect();
    let stored = StoredSession {
        id: new_session_id(),
        user_id: who.user_id.clone(),
        created_at: who.now,
        last_seen: who.now,
        user_agent,
    };
    store.create_session(&stored).await?;
    let mut ended = Vec::new();
    let idle_ms = i64::try_from(sessions.idle().as_millis()).unwrap_or(i64::MAX);
    for old in past_keeping(store.sessions_of(who.user_id).await?, who.now, idle_ms) {
        if old != stored.id && store.end_session(who.user_id, &old).await? {
            ended.push(old);
        }
    }
    let session = Session {
        user_id: who.user_id.clone(),
        name: Nickname::parse(who.name)?,
        signed_in: Some(SignedIn {
            session_id: stored.id,
            role: who.role,
        }),
    };
    let cookie = sessions.cookie(&session).ok_or(ChatError::Internal)?;
    Ok(Opened { cookie, ended })
}

/// The ids of the sessions an account no longer keeps, as of `now`: those unused for
/// `idle_ms`, and the least lately seen beyond [`MAX_SESSIONS`].
fn past_keeping(mut all: Vec<StoredSession>, now: i64, idle_ms: i64) -> Vec<String> {
    all.sort_by_key(|session| std::cmp::Reverse(session.last_seen));
    all.into_iter()
        .enumerate()
        .filter(|(rank, session)| {
            *rank >= MAX_SESSIONS || now.saturating_sub(session.last_seen) > idle_ms
        })
        .map(|(_, session)| session.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(id: usize, last_seen: i64) -> StoredSession {
        StoredSession {
            id: id.to_string(),
            user_id: UserId::parse(&"a".repeat(32)).expect("id"),
            created_at: 0,
            last_seen,
            user_agent: String::new(),
        }
    }

    #[test]
    fn an_account_keeps_its_most_lately_seen_sessions_and_none_gone_idle() {
        let idle = 1_000;
        let now = 10_000;
        let many: Vec<StoredSession> = (0..MAX_SESSIONS + 2)
            .map(|n| seen(n, now - i64::try_from(n).expect("small")))
            .collect();
        assert_eq!(
            past_keeping(many, now, idle),
            [MAX_SESSIONS.to_string(), (MAX_SESSIONS + 1).to_string()],
            "the two least lately seen"
        );
        let few = vec![seen(1, now), seen(2, now - idle - 1), seen(3, now - idle)];
        assert_eq!(past_keeping(few, now, idle), ["2"]);
    }
}
