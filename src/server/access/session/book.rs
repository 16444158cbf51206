//! Account sessions, as requests and streams see them. A cookie names a session by id; the
//! book reads whose it is from the store, keeps the answer for at most [`FRESH_FOR`] (so a
//! burst of sends costs one read, and an ended session stops working on every node within
//! that time), and ends the open streams of a session when it ends.
//!
//! Ending goes through the node's `Fanout` (`session_ended`), which reaches every node's
//! book: locally on one node, announced through Redis on several.

use super::SignedIn;
use crate::domain::{Nickname, UserId};
use crate::server::access::tokens;
pub use crate::server::clock::now_millis;
use crate::server::store::{Store, StoreError, StoredToken, TokenKind};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// How long a session read from the store is believed.
pub const FRESH_FOR: Duration = Duration::from_secs(1);
/// A session's `last_seen` is written at most this often.
const TOUCH_EVERY: Duration = Duration::from_secs(60 * 60);
/// An API token's `last_used` is written at most this often.
const TOKEN_TOUCH_EVERY: Duration = Duration::from_secs(60);
/// Past this many sessions remembered, the cache starts over.
const REMEMBERED: usize = 50_000;
/// How long an ending is remembered: a stream that opens just after it (on a node whose
/// other knowledge is a moment old) ends at once.
const ENDING_REMEMBERED: Duration = Duration::from_secs(10);

/// A signed-in session as a request needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub user_id: UserId,
    pub name: Nickname,
    pub signed_in: SignedIn,
}

/// An API token as read, with the session it stands for.
type TokenOwner = (StoredToken, Resolved);

/// Reads and ends account sessions.
pub struct SessionBook {
    store: Arc<dyn Store>,
    /// Sessions unused this long are over.
    idle: Duration,
    cache: Mutex<HashMap<String, (Option<Resolved>, Instant)>>,
    /// API tokens read, by id, with whose they are.
    tokens: Mutex<HashMap<String, (Option<TokenOwner>, Instant)>>,
    /// Per session with open streams: cancelled when it ends, and alive while one of the
    /// streams is.
    streams: Mutex<HashMap<String, (CancellationToken, Weak<()>)>>,
    /// What ended lately, and when.
    endings: Mutex<HashMap<String, Instant>>,
    /// Guests' user ids that became accounts (their old guest cookies open nothing), and
    /// those read not to be, with when.
    accounts: Mutex<HashMap<UserId, (bool, Instant)>>,
}

/// Held by an open stream of a signed-in session: `ended` resolves when the session ends.
pub struct SessionWatch {
    token: CancellationToken,
    _alive: Arc<()>,
}

impl SessionWatch {
    /// Resolves when the session ends (on any node).
    pub async fn ended(self) {
        self.token.cancelled().await;
    }
}

impl fmt::Debug for SessionBook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionBook").finish_non_exhaustive()
    }
}

impl SessionBook {
    pub fn new(store: Arc<dyn Store>, idle: Duration) -> Self {
        Self {
            store,
            idle,
            cache: Mutex::default(),
            tokens: Mutex::default(),
            streams: Mutex::default(),
            endings: Mutex::default(),
            accounts: Mutex::default(),
        }
    }

    /// Whether `user`, named by a guest's cookie, is an account's id now: that cookie is
    /// then worth nothing (the account signs in with its own sessions). A "yes" is kept,
    /// a "no" believed for [`FRESH_FOR`].
    pub async fn is_account(&self, user: &UserId) -> Result<bool, StoreError> {
        if let Some((is, at)) = lock(&self.accounts).get(user) {
            if *is || at.elapsed() < FRESH_FOR {
                return Ok(*is);
            }
        }
        let is = self.store.account(user).await?.is_some();
        let mut accounts = lock(&self.accounts);
        if accounts.len() >= REMEMBERED {
            accounts.clear();
        }
        accounts.insert(user.clone(), (is, Instant::now()));
        Ok(is)
    }

    /// Whose session `id` is, or `None` when it ended (or never was).
    pub async fn resolve(&self, id: &str) -> Result<Option<Resolved>, StoreError> {
        if let Some((resolved, at)) = lock(&self.cache).get(id) {
            if at.elapsed() < FRESH_FOR {
                return Ok(resolved.clone());
            }
        }
        let resolved = self.read(id).await?;
        let mut cache = lock(&self.cache);
        if cache.len() >= REMEMBERED {
            cache.clear();
        }
        cache.insert(id.to_owned(), (resolved.clone(), Instant::now()));
        Ok(resolved)
    }

    async fn read(&self, id: &str) -> Result<Option<Resolved>, StoreError> {
        let Some(session) = self.store.session(id).await? else {
            return Ok(None);
        };
        let now = now_millis();
        let unused = Duration::from_millis(u64::try_from(now - session.last_seen).unwrap_or(0));
        if unused > self.idle {
            return Ok(None);
        }
        let Some(account) = self.store.account(&session.user_id).await? else {
            return Ok(None);
        };
        if unused > TOUCH_EVERY {
            self.store.touch_session(id, now).await?;
        }
        Ok(Some(Resolved {
            name: Nickname::parse(&account.name)
                .map_err(|e| StoreError::Failed(format!("account name: {e}").into()))?,
            user_id: account.user_id,
            signed_in: SignedIn {
                session_id: id.to_owned(),
                role: account.role,
            },
        }))
    }

    /// Whose API token `token` (`{id}.{secret}`) is, or `None` when it is not one (revoked,
    /// made up, or its account is gone). Read from the store at most once per
    /// [`FRESH_FOR`]; the secret is checked every time.
    pub async fn resolve_token(&self, token: &str) -> Result<Option<Resolved>, StoreError> {
        let Some((id, secret)) = tokens::split(token) else {
            return Ok(None);
        };
        let cached = lock(&self.tokens)
            .get(id)
            .filter(|(_, at)| at.elapsed() < FRESH_FOR)
            .map(|(found, _)| found.clone());
        let found = match cached {
            Some(found) => found,
            None => {
                let found = self.read_token(id).await?;
                let mut tokens = lock(&self.tokens);
                if tokens.len() >= REMEMBERED {
                    tokens.clear();
                }
                tokens.insert(id.to_owned(), (found.clone(), Instant::now()));
                found
            }
        };
        Ok(found
            .filter(|(stored, _)| tokens::opens(stored, TokenKind::ApiToken, secret, now_millis()))
            .map(|(_, resolved)| resolved))
    }

    async fn read_token(&self, id: &str) -> Result<Option<(StoredToken, Resolved)>, StoreError> {
        let Some(stored) = self.store.token(id).await? else {
            return Ok(None);
        };
        let Some(account) = self.store.account(&stored.user_id).await? else {
            return Ok(None);
        };
        let now = now_millis();
        let last_used = stored.last_used.unwrap_or(0);
        if Duration::from_millis(u64::try_from(now - last_used).unwrap_or(0)) > TOKEN_TOUCH_EVERY {
            self.store.touch_token(id, now).await?;
        }
        let resolved = Resolved {
            name: Nickname::parse(&account.name)
                .map_err(|e| StoreError::Failed(format!("account name: {e}").into()))?,
            user_id: account.user_id,
            signed_in: SignedIn {
                session_id: id.to_owned(),
                role: account.role,
            },
        };
        Ok(Some((stored, resolved)))
    }

    /// `user`, a guest until now, is an account: their guest cookies open nothing from now
    /// on (on this node at once, on the others within [`FRESH_FOR`]).
    pub fn now_an_account(&self, user: &UserId) {
        lock(&self.accounts).insert(user.clone(), (true, Instant::now()));
    }

    /// What an open stream of session `id` holds: it learns when the session ends (at
    /// once, if it ended moments ago).
    pub fn watch(&self, id: &str) -> SessionWatch {
        let ended_lately = lock(&self.endings)
            .get(id)
            .is_some_and(|at| at.elapsed() < ENDING_REMEMBERED);
        if ended_lately {
            let token = CancellationToken::new();
            token.cancel();
            return SessionWatch {
                token,
                _alive: Arc::new(()),
            };
        }
        let mut streams = lock(&self.streams);
        if streams.len() >= REMEMBERED {
            // Sessions whose streams have all ended.
            streams.retain(|_, (_, alive)| alive.strong_count() > 0);
        }
        let (token, alive) = streams
            .entry(id.to_owned())
            .or_insert_with(|| (CancellationToken::new(), Weak::new()));
        let alive = alive.upgrade().unwrap_or_else(|| {
            let fresh = Arc::new(());
            *alive = Arc::downgrade(&fresh);
            fresh
        });
        SessionWatch {
            token: token.child_token(),
            _alive: alive,
        }
    }

    /// Session `id` ended (on this node or another): forget it and end its open streams.
    pub fn ended(&self, id: &str) {
        lock(&self.cache).remove(id);
        lock(&self.tokens).remove(id);
        {
            let mut endings = lock(&self.endings);
            endings.retain(|_, at| at.elapsed() < ENDING_REMEMBERED);
            endings.insert(id.to_owned(), Instant::now());
        }
        if let Some((streams, _)) = lock(&self.streams).remove(id) {
            streams.cancel();
        }
    }

    /// Reads session (or token) `id` again at its next use (its account changed).
    pub fn forget(&self, id: &str) {
        lock(&self.cache).remove(id);
        lock(&self.tokens).remove(id);
    }

    /// Forgets every session read: after this node may have missed an ending (its link to
    /// the other nodes was lost), every session is read again.
    pub fn forget_all(&self) {
        lock(&self.cache).clear();
        lock(&self.tokens).clear();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
