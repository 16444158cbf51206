//! Sending one push: the payload encrypted for the browser (RFC 8291, `aes128gcm`), signed
//! for the push service (VAPID, RFC 8292), POSTed to the endpoint with a `TTL` and an
//! `Urgency`. A 404 or 410 means the browser is gone: its subscription is forgotten. A 429
//! or 5xx is tried again after the `Retry-After` it gives (at most a minute) or a growing
//! pause, three times in all. Redirects are never followed, and the client resolves names
//! to public addresses only (`endpoint.rs`).

use super::endpoint::{is_public, Endpoints};
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
            .dns_resolver(Arc::new(PublicOnly {
                allowed_hosts: endpoints.allowed_hosts(),
            }))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()?;
        Ok(Self {
            client,
            keys,
            subject: subject.into(),
            endpoints,
            store,
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
            Err(reason) => {
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
            match self.client.execute(sent).await {
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
    ) -> Result<reqwest::Request, String> {
        let url = self
            .endpoints
            .check(&subscription.endpoint)
            .await
            .map_err(|e| e.to_string())?;
        let endpoint: axum::http::Uri = url.as_str().parse().map_err(|_| "a bad endpoint")?;
        let public = URL_SAFE_NO_PAD
            .decode(subscription.keys.p256dh.trim_end_matches('='))
            .ok()
            .and_then(|bytes| p256::PublicKey::from_sec1_bytes(&bytes).ok())
            .ok_or("a bad p256dh key")?;
        let auth = URL_SAFE_NO_PAD
            .decode(subscription.keys.auth.trim_end_matches('='))
            .ok()
            .filter(|bytes| bytes.len() == 16)
            .ok_or("a bad auth secret")?;
        let built = WebPushBuilder::new(endpoint, public, Auth::clone_from_slice(&auth))
            .with_valid_duration(TTL)
            .with_vapid(&self.keys.pair, &self.subject)
            .build(payload.to_vec())
            .map_err(|e| e.to_string())?;
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
            .map_err(|e| e.to_string())
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
