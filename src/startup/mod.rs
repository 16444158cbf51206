//! Builds the application from settings and runs it until shutdown. Tests use the same path
//! on port 0 with a temporary database. The routes and their middleware are in `router.rs`.

pub mod admin;
pub mod backup;
pub mod help;
mod push;
mod router;

use crate::server::access::limits::Limits;
use crate::server::access::restrictions::Restrictions;
use crate::server::access::rooms::RoomAccess;
use crate::server::access::session::{key_file, SessionBook, Sessions};
use crate::server::delivery::drain::Drain;
use crate::server::delivery::fanout::{Fanout, OneNode};
use crate::server::delivery::hub::{self, Hub};
use crate::server::delivery::relay::{self, Follows, RedisFanout};
use crate::server::files::{janitor, Files};
use crate::server::http::edge::serve::{serve, ConnectionLimits};
use crate::server::http::edge::static_assets;
use crate::server::http::edge::tls;
use crate::server::metrics;
use crate::server::node::config::Settings;
use crate::server::node::retention;
use crate::server::node::state::{AppState, NodeState};
use crate::server::presence::{self, ClusterPresence, Presences, RemoteRosters};
use crate::server::store::redis_client::RedisClient;
use crate::server::store::redis_connection::Connection;
use crate::server::store::redis_keys::Keyspace;
use crate::server::store::{file_beside, redis_client, RedisStore, SqliteStore, Store, StoreError};
use crate::server::streams::StreamSettings;
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("could not open the store: {0}")]
    Store(#[from] StoreError),
    #[error("could not listen: {0}")]
    Listen(#[from] std::io::Error),
    #[error("invalid Leptos configuration: {0}")]
    Leptos(#[from] leptos::config::errors::LeptosConfigError),
    #[error(
        "CHAT_SESSION_SECRET must be set with REDIS_URL: every node must sign sessions with \
         the same secret, and it must not be kept in Redis"
    )]
    SessionSecretRequired,
    #[error(transparent)]
    SessionKeyFile(#[from] key_file::KeyFileError),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("could not open the file storage: {0}")]
    Files(#[from] crate::server::files::FilesError),
    #[error(transparent)]
    Push(#[from] push::PushStartError),
}

/// The keys that sign session cookies: the configured secrets; else (one SQLite node) the
/// key file; never the store, so a copy of the data is not enough to sign in as anyone.
fn sessions(settings: &Settings, shared_by_nodes: bool) -> Result<Sessions, StartupError> {
    let config = &settings.sessions;
    let keys = if !config.secrets.is_empty() {
        config
            .secrets
            .iter()
            .map(|secret| secret.expose().as_bytes().to_vec())
            .collect()
    } else if shared_by_nodes {
        return Err(StartupError::SessionSecretRequired);
    } else if let Some(path) = config
        .key_file
        .clone()
        .or_else(|| file_beside(&settings.database_url, "session.key"))
    {
        key_file::load_or_create(&path)?
    } else {
        tracing::warn!("no session secret and no database file: sessions end with the process");
        Vec::new()
    };
    Ok(Sessions::new(keys, config))
}

/// What a Redis-backed node needs besides its store: how it announces events, where its
/// relay listens, and the other nodes' presence.
struct Cluster {
    /// Announcements go out on this connection.
    conn: Connection,
    client: RedisClient,
    keys: Keyspace,
    rosters: RemoteRosters,
}

/// The store the settings choose, opened.
pub enum OpenedStore {
    Sqlite(SqliteStore),
    /// With a client for the node's relay (boxed: it carries the TLS settings).
    Redis {
        store: RedisStore,
        client: Box<RedisClient>,
    },
}

impl OpenedStore {
    pub fn into_store(self) -> Arc<dyn Store> {
        match self {
            OpenedStore::Sqlite(store) => Arc::new(store),
            OpenedStore::Redis { store, .. } => Arc::new(store),
        }
    }
}

/// Opens the store the settings choose: Redis when `redis_url` is set, SQLite otherwise.
pub async fn open_store(settings: &Settings) -> Result<OpenedStore, StartupError> {
    match &settings.redis_url {
        Some(url) => {
            let client =
                redis_client::client(url.expose(), &settings.redis_tls, settings.redis_cluster)?;
            let store = RedisStore::with_client(
                &client,
                &settings.redis_keyspace(),
                settings.history_limit,
            )
            .await?;
            tracing::info!(
                prefix = %settings.redis_prefix,
                cluster = settings.redis_cluster,
                "Redis store open"
            );
            Ok(OpenedStore::Redis {
                store,
                client: Box::new(client),
            })
        }
        None => {
            let mut store =
                SqliteStore::connect_capped(&settings.database_url, settings.database_max_bytes)
                    .await?;
            store.set_search_timeout(settings.limits.search_timeout);
            tracing::info!(database = %settings.database_url, "store open");
            Ok(OpenedStore::Sqlite(store))
        }
    }
}

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    /// `/metrics` on an address of its own (`CHAT_METRICS_ADDR`), kept off the public one.
    metrics: Option<TcpListener>,
    router: Router,
    addr: SocketAddr,
    limits: ConnectionLimits,
    /// Set: HTTPS served directly.
    tls: Option<TlsAcceptor>,
    /// The certificate TLS presents, to read again on SIGHUP (`main.rs`).
    certificate: Option<Arc<tls::Certificate>>,
    shutdown: CancellationToken,
    /// Cancelled once every connection has finished (after `shutdown` and its grace):
    /// the restrictions then write the addresses noted last.
    served: CancellationToken,
    /// Work that finishes after the server stops (the presence flusher withdraws this
    /// node's rosters from Redis; the restrictions write the addresses seen last): `run`
    /// waits for it.
    finishing: Vec<JoinHandle<()>>,
}

impl Application {
    /// Opens the store chosen by the settings (Redis when `redis_url` is set, SQLite
    /// otherwise), binds the address (port 0 picks a free one) and builds the router.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        match open_store(&settings).await? {
            OpenedStore::Redis { store, client } => {
                let keys = settings.redis_keyspace();
                let cluster = Cluster {
                    conn: store.connection(),
                    rosters: RemoteRosters::new(
                        store.connection(),
                        &keys,
                        settings.redis_refresh * 3,
                    ),
                    client: *client,
                    keys,
                };
                Self::assemble(settings, Arc::new(store), Some(cluster)).await
            }
            OpenedStore::Sqlite(store) => Self::with_store(settings, Arc::new(store)).await,
        }
    }

    /// One node on a store opened by the caller (events go to this node's hub only).
    pub async fn with_store(
        settings: Settings,
        store: Arc<dyn Store>,
    ) -> Result<Self, StartupError> {
        Self::assemble(settings, store, None).await
    }

    async fn assemble(
        mut settings: Settings,
        store: Arc<dyn Store>,
        cluster: Option<Cluster>,
    ) -> Result<Self, StartupError> {
        // A certificate that cannot be used stops the start, before anything listens.
        let (tls, certificate) = match settings.tls.as_ref().map(tls::acceptor).transpose()? {
            Some((acceptor, certificate)) => (Some(acceptor), Some(certificate)),
            None => (None, None),
        };
        // Served over HTTPS: the session cookie must say so.
        settings.sessions.secure_cookies |= tls.is_some();
        // Recording starts now, not at the first scrape.
        metrics::handle();
        let listener = TcpListener::bind(settings.addr).await?;
        let addr = listener.local_addr()?;
        let metrics = match settings.metrics_addr {
            Some(metrics_addr) => {
                let metrics = TcpListener::bind(metrics_addr).await?;
                tracing::info!(addr = %metrics.local_addr()?, "metrics served here only");
                Some(metrics)
            }
            None => None,
        };

        let mut leptos_options = leptos::config::get_configuration(None)?.leptos_options;
        leptos_options.site_addr = addr;
        leptos_options.hash_files |= static_assets::hashed_build(&leptos_options);

        let book = Arc::new(SessionBook::new(store.clone(), settings.sessions.idle));
        let restrictions = Arc::new(Restrictions::new(store.clone()));
        // A store that does not answer yet does not stop the start: the refresher reads
        // again each second, and health says what is wrong meanwhile.
        if let Err(error) = restrictions.refresh().await {
            tracing::warn!(%error, "could not read the bans and locks yet");
        }
        let sessions = sessions(&settings, cluster.is_some())?.with_book(book.clone());
        let shutdown = CancellationToken::new();
        let served = CancellationToken::new();
        let noting = restrictions.spawn_refresher(served.clone());
        let hub = Arc::new(Hub::new(settings.broadcast_capacity));
        // The send path: a server function stores (`Store::append`), and the store hands
        // each committed event to the hub, in seq order (`CommittedEvents`).
        store.deliver_commits_to(hub.clone());
        let drain = Arc::new(Drain::default());
        hub::spawn_heartbeat(
            hub.clone(),
            settings.heartbeat,
            shutdown.clone(),
            (drain.clone(), settings.drain),
        );
        // The one place that picks one node or several.
        let (fanout, presence): (Arc<dyn Fanout>, Presences) = match cluster {
            Some(cluster) => {
                let people = Arc::new(ClusterPresence::new(cluster.rosters));
                let presence = Presences::new(people, hub.clone());
                let follows = Arc::new(Follows::new(&cluster.keys));
                let fanout = RedisFanout {
                    conn: cluster.conn,
                    keys: cluster.keys.clone(),
                    follows: follows.clone(),
                };
                relay::start(
                    relay::Source {
                        client: cluster.client,
                        keys: cluster.keys,
                        sweep_every: settings.redis_refresh,
                    },
                    relay::Targets {
                        hub: hub.clone(),
                        store: store.clone(),
                        presence: Arc::new(presence.clone()),
                        follows,
                        sessions: book.clone(),
                    },
                    shutdown.clone(),
                )
                .await
                .map_err(|e| StoreError::Unavailable(Box::new(e)))?;
                (Arc::new(fanout), presence)
            }
            None => (
                Arc::new(OneNode {
                    hub: hub.clone(),
                    sessions: book.clone(),
                }),
                Presences::new(Arc::new(presence::OneNode::default()), hub.clone()),
            ),
        };
        let files = Files::open(&settings.files)?;
        if settings.redis_url.is_some() && settings.files.s3.is_none() {
            tracing::warn!(
                dir = %settings.files.dir.display(),
                "files are kept in a local directory: every node must share it (or set CHAT_S3_URL)"
            );
        }
        let sweeping = janitor::spawn(
            store.clone(),
            files.clone(),
            settings.files.sweep_every,
            settings.files.unsent_lasts,
            shutdown.clone(),
        );
        let retaining = settings
            .retention
            .map(|keep| retention::spawn(store.clone(), hub.clone(), keep, shutdown.clone()));
        let push = push::start(
            &settings,
            store.clone(),
            presence.clone(),
            restrictions.clone(),
        )?;
        let withdrawing = presence::spawn_flusher(
            presence.clone(),
            settings.presence_interval,
            settings.redis_refresh,
            shutdown.clone(),
        );
        let state = AppState::new(NodeState {
            leptos_options,
            access: Arc::new(RoomAccess::new(store.clone())),
            store,
            hub,
            fanout,
            presence,
            sessions,
            streams: StreamSettings {
                retry: settings.retry,
                retry_spread: settings.retry_spread,
                heartbeat: settings.heartbeat,
                max_rooms: settings.stream_max_rooms,
                max_behind: settings.stream_max_behind,
            },
            limits: Limits::new(&settings.limits),
            addresses: crate::server::access::limits::AddressRule {
                header: settings.limits.client_ip_header.as_deref().map(Arc::from),
                ipv6_prefix: settings.limits.ipv6_prefix,
            },
            drain,
            sign_ins: Arc::default(),
            restrictions,
            files,
            push,
        });
        let router = router::router(
            state,
            settings.body_timeout,
            settings.tls.is_some(),
            metrics.is_none(),
        );
        tracing::info!(%addr, "listening");
        Ok(Self {
            listener,
            metrics,
            tls,
            certificate,
            router,
            addr,
            limits: ConnectionLimits {
                header_read_timeout: settings.header_timeout,
                shutdown_grace: settings.shutdown_grace,
                idle_timeout: settings.idle_timeout,
                write_stall: settings.write_stall,
                // Behind a trusted proxy every connection is the proxy's: no cap then.
                per_address: settings.limits.client_ip_header.is_none().then_some((
                    settings.limits.connection_cap(),
                    settings.limits.ipv6_prefix,
                )),
            },
            shutdown,
            served,
            finishing: [withdrawing, noting, sweeping]
                .into_iter()
                .chain(retaining)
                .collect(),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Cancelling this token shuts the server down gracefully: open SSE streams end, then
    /// in-flight requests finish, then this node leaves the others' presence, then `run`
    /// returns.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// The certificate served over TLS, if any: [`tls::Certificate::reload`] replaces it
    /// for the connections that follow.
    pub fn certificate(&self) -> Option<Arc<tls::Certificate>> {
        self.certificate.clone()
    }

    /// Where `/metrics` is served when it has an address of its own.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|l| l.local_addr().ok())
    }

    pub async fn run(self) -> std::io::Result<()> {
        if let Some(listener) = self.metrics {
            let stop = self.shutdown.clone();
            tokio::spawn(async move {
                let serving = axum::serve(listener, router::metrics_router::<()>())
                    .with_graceful_shutdown(stop.cancelled_owned());
                if let Err(error) = serving.await {
                    tracing::error!(%error, "the metrics address stopped serving");
                }
            });
        }
        // The accept loop runs on one of the runtime's workers, not on the thread that
        // called `run` (`main`'s): a connection's task spawned from a worker starts in that
        // worker's own queue, while one spawned from outside goes through the shared queue
        // and wakes a sleeping worker each time (about a tenth of the CPU that opening
        // 10,000 streams took, by perf samples).
        let serving = tokio::spawn(serve(
            self.listener,
            self.router,
            self.limits,
            self.tls,
            self.shutdown.clone(),
        ));
        let served = serving.await;
        // Whatever ended the serving (a shutdown, or a panic in the accept loop), the rest
        // winds down too, and a failure makes `run` fail (the process exits non-zero).
        self.shutdown.cancel();
        self.served.cancel();
        for task in self.finishing {
            if let Err(error) = task.await {
                tracing::warn!(%error, "work due at shutdown did not finish");
            }
        }
        served.map_err(|error| {
            tracing::error!(%error, "the server's accept loop failed");
            std::io::Error::other(error)
        })
    }
}
