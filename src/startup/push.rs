//! Turning Web Push on at start-up: its key pair from `CHAT_VAPID_PRIVATE_KEY`, or from the
//! key file (`CHAT_VAPID_KEY_FILE`, else `vapid.key` beside the database, made on first
//! start). Nodes sharing Redis must share one key, so with Redis the file is read only when
//! named; with neither, pushes are off and the log says why.

use crate::server::access::restrictions::Restrictions;
use crate::server::node::config::Settings;
use crate::server::presence::Presences;
use crate::server::push::endpoint::Endpoints;
use crate::server::push::keys::{KeyError, VapidKeys};
use crate::server::push::Push;
use crate::server::store::{file_beside, Store};
use std::sync::Arc;

/// Why pushes could not start.
#[derive(Debug, thiserror::Error)]
pub enum PushStartError {
    #[error("Web Push keys: {0}")]
    Keys(#[from] KeyError),
    #[error("Web Push client: {0}")]
    Client(#[from] reqwest::Error),
}

pub fn start(
    settings: &Settings,
    store: Arc<dyn Store>,
    presence: Presences,
    restrictions: Arc<Restrictions>,
) -> Result<Push, PushStartError> {
    let config = &settings.push;
    let shared_by_nodes = settings.redis_url.is_some();
    let file = match (&config.key_file, shared_by_nodes) {
        (Some(file), _) => Some(file.clone()),
        (None, false) => file_beside(&settings.database_url, "vapid.key"),
        (None, true) => None,
    };
    let keys = match (&config.private_key, file) {
        (Some(_), _) => VapidKeys::load(config, std::path::Path::new(""))?,
        (None, Some(file)) => VapidKeys::load(config, &file)?,
        (None, None) => {
            tracing::warn!(
                "Web Push is off: set CHAT_VAPID_PRIVATE_KEY (or a CHAT_VAPID_KEY_FILE every node \
                 shares) to turn it on"
            );
            return Ok(Push::default());
        }
    };
    let endpoints = Endpoints::new(config.allow_origins.clone());
    Ok(Push::start(
        keys,
        config.subject(),
        endpoints,
        store,
        presence,
        restrictions,
    )?)
}
