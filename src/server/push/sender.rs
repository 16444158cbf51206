//! Sending one push: the payload encrypted for the browser (RFC 8291, `aes128gcm`), signed
//! for the push service (VAPID, RFC 8292), POSTed to the endpoint with a `TTL` and an
//! `Urgency`. A 404 or 410 means the browser is gone: its subscription is forgotten. A 429
//! or 5xx is tried again after the `Retry-After` it gives (at most a minute) or a growing
//! pause, three times in all; each try has 10 s, and at most 64 tries are under way at once
//! (a push waiting to try again holds none). Redirects are never followed, no proxy is
//! used, and the client resolves names to public addresses only (`endpoint.rs`).

use super::endpoint::{is_public, EndpointError, Endpoints};
use super::keys::VapidKeys;
use crate::domain::UserId;
use crate::server::metrics::{self, PushOutcome};
use crate::server::store::{PushSubscription, Store};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::StatusCode;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use web_push_native::{p256, Auth, WebPushBuilder};

/// How long a push service keeps a push for a browser that is offline.
const TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// Tries of one push in all.
const TRIES: u32 = 3;
/// The longest wait a `Retry-After` is honoured for.
const LONGEST_WAIT: Duration = Duration::from_secs(60);
/// The longest one try may take, connecting included.
const ATTEMPT: Duration = Duration::from_secs(10);
/// Tries on their way at once, over all pushes: a slow push service holds one for at most
/// [`ATTEMPT`], and none while a push waits to try again.
const TRIES_AT_ONCE: usize = 64;

/// How soon the browser should get it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Normal,
    High,
}

/// What sends pushes: one HTTP client for all of them.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    keys: Arc<VapidKeys>,
    subject: Arc<str>,
    endpoints: Endpoints,
    store: Arc<dyn Store>,
    trying: Arc<tokio::sync::Semaphore>,
    /// The first pause before a try again (tests shorten it).
    pub backoff: Duration,
}

impl Sender {
    pub fn new(
        keys: Arc<VapidKeys>,
        subject: &str,
        endpoints: Endpoints,
        store: Arc<dyn Store>,
    ) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve names itself, past the resolver below.
            .no_proxy()
            .dns_resolver(Arc::new(PublicOnly {
                allowed_hosts: endpoints.allowed_hosts(),
            }))
            .connect_timeout(Duration::from_secs(5))
            .timeout(ATTEMPT)
            .build()?;
        Ok(Self {
            client,
            keys,
            subject: subject.into(),
            endpoints,
            store,
            trying: Arc::new(tokio::sync::Semaphore::new(TRIES_AT_ONCE)),
            backoff: Duration::from_secs(1),
        })
    }

    /// Sends `payload` to `user`'s browser at `subscription`, trying again as the push
    /// service asks; counts the outcome.
    pub async fn send(
        &self,
        user: &UserId,
        subscription: &PushSubscription,
        payload: &[u8],
        urgency: Urgency,
    ) {
        let outcome = self.try_to_send(user, subscription, payload, urgency).await;
        metrics::push(outcome);
    }

    async fn try_to_send(
        &self,
        user: &UserId,
        subscription: &PushSubscription,
        payload: &[u8],
        urgency: Urgency,
    ) -> PushOutcome {
        let request = match self.request(subscription, payload, urgency).await {
            Ok(request) => request,
            // Its name does not resolve now: perhaps a passing fault of DNS.
            Err(Unusable::ForNow(reason)) => {
                tracing::info!(%reason, "a push endpoint cannot be reached now");
                return PushOutcome::Failed;
            }
            Err(Unusable::ForGood(reason)) => {
                tracing::info!(%reason, "a push subscription cannot be used: forgotten");
                self.forget(user, subscription).await;
                return PushOutcome::Gone;
            }
        };
        let mut pause = self.backoff;
        for attempt in 1..=TRIES {
            let Some(sent) = request.try_clone() else {
                return PushOutcome::Failed;
            };
            let Ok(slot) = self.trying.acquire().await else {
                return PushOutcome::Failed;
            };
            let answer = self.client.execute(sent).await;
            drop(slot);
            match answer {
                Ok(answer) if answer.status().is_success() => return PushOutcome::Sent,
                Ok(answer)
                    if matches!(answer.status(), StatusCode::NOT_FOUND | StatusCode::GONE) =>
                {
                    self.forget(user, subscription).await;
                    return PushOutcome::Gone;
                }
                Ok(answer) if retried(answer.status()) && attempt < TRIES => {
                    let wait = retry_after(&answer).unwrap_or(pause);
                    tracing::debug!(status = %answer.status(), ?wait, "a push to try again");
                    tokio::time::sleep(wait).await;
                    pause *= 2;
                }
                Ok(answer) => {
                    tracing::info!(status = %answer.status(), "a push service refused a push");
                    return PushOutcome::Failed;
                }
                Err(error) if attempt < TRIES => {
                    tracing::debug!(%error, "a push did not go: trying again");
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                }
                Err(error) => {
                    tracing::info!(%error, "a push did not go");
                    return PushOutcome::Failed;
                }
            }
        }
        PushOutcome::Failed
    }

    /// The encrypted, signed request, or why the subscription cannot take one.
    async fn request(
        &self,
        subscription: &PushSubscription,
        payload: &[u8],
        urgency: Urgency,
    ) -> Result<reqwest::Request, Unusable> {
        let url = match self.endpoints.check(&subscription.endpoint).await {
            Ok(url) => url,
            Err(EndpointError::Unresolved) => {
                return Err(Unusable::ForNow(EndpointError::Unresolved.to_string()))
            }
            Err(refused) => return Err(Unusable::ForGood(refused.to_string())),
        };
        let for_good = |reason: &str| Unusable::ForGood(reason.to_owned());
        let endpoint: axum::http::Uri = url
            .as_str()
            .parse()
            .map_err(|_| for_good("a bad endpoint"))?;
        let public = URL_SAFE_NO_PAD
            .decode(subscription.keys.p256dh.trim_end_matches('='))
            .ok()
            .and_then(|bytes| p256::PublicKey::from_sec1_bytes(&bytes).ok())
            .ok_or_else(|| for_good("a bad p256dh key"))?;
        let auth = URL_SAFE_NO_PAD
            .decode(subscription.keys.auth.trim_end_matches('='))
            .ok()
            .filter(|bytes| bytes.len() == 16)
            .ok_or_else(|| for_good("a bad auth secret"))?;
        let built = WebPushBuilder::new(endpoint, public, Auth::clone_from_slice(&auth))
            .with_valid_duration(TTL)
            .with_vapid(&self.keys.pair, &self.subject)
            .build(payload.to_vec())
            .map_err(|e| Unusable::ForGood(e.to_string()))?;
        let (head, body) = built.into_parts();
        let mut request = self.client.post(url).body(body);
        for (name, value) in &head.headers {
            request = request.header(name.as_str(), value.as_bytes());
        }
        let urgency = match urgency {
            Urgency::Normal => "normal",
            Urgency::High => "high",
        };
        request
            .header("Urgency", urgency)
            .build()
            .map_err(|e| Unusable::ForGood(e.to_string()))
    }

    async fn forget(&self, user: &UserId, subscription: &PushSubscription) {
        let removed = self
            .store
            .remove_push_subscription(user, &subscription.endpoint)
            .await;
        if let Err(error) = removed {
            tracing::warn!(%error, "a gone push subscription could not be forgotten");
        }
    }
}

/// Why no request could be made for a subscription.
enum Unusable {
    /// Its endpoint's name does not resolve now.
    ForNow(String),
    /// It never will be usable (a bad key, an endpoint pushes may not go to).
    ForGood(String),
}

/// Too many requests, or the push service failed: worth another try.
fn retried(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// The wait a `Retry-After` of whole seconds asks for, at most [`LONGEST_WAIT`].
fn retry_after(answer: &reqwest::Response) -> Option<Duration> {
    let secs: u64 = answer
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs).min(LONGEST_WAIT))
}

/// A resolver that answers public addresses only (any, for the hosts of the allowed
/// origins): a push endpoint's name cannot lead the server to itself or its network,
/// however its DNS answers change.
struct PublicOnly {
    allowed_hosts: Vec<String>,
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        let any = self
            .allowed_hosts
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(&host));
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|address| any || is_public(address.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}
