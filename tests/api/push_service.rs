//! A push service of the tests' own, on a free loopback port, standing where FCM or
//! Mozilla's would: it takes `POST /push/{browser}`, checks the VAPID signature
//! (`Authorization: vapid t=…, k=…`, an ES256 JWT for this origin, signed by the key the
//! chat hands out), decrypts the `aes128gcm` body with the browser's own private key, and
//! keeps what it got. It can be told to answer a browser 410 (gone) or 429 once.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use web_push_native::jwt_simple::prelude::{
    ECDSAP256PublicKeyLike, ES256PublicKey, NoCustomClaims,
};
use web_push_native::p256;

/// A browser, as the push service and the chat know it.
pub struct Browser {
    pub id: String,
    secret: p256::SecretKey,
    auth: [u8; 16],
}

impl Browser {
    /// Browser `n`: its keys made from `n`, so each test's are its own.
    pub fn new(n: u8) -> Self {
        let secret = p256::SecretKey::from_slice(&[n.max(1); 32]).expect("a key");
        Self {
            id: format!("browser-{n}"),
            secret,
            auth: [n; 16],
        }
    }

    /// A browser with the keys of browser `key` under another `id` (many browsers).
    pub fn numbered(key: u8, id: String) -> Self {
        Self {
            id,
            ..Self::new(key)
        }
    }

    /// Its `PushSubscription.toJSON()` on `service`.
    pub fn subscription(&self, service: &PushService) -> Value {
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let public = self.secret.public_key().to_encoded_point(false);
        serde_json::json!({
            "endpoint": format!("{}/push/{}", service.origin, self.id),
            "keys": {
                "p256dh": URL_SAFE_NO_PAD.encode(public.as_bytes()),
                "auth": URL_SAFE_NO_PAD.encode(self.auth),
            }
        })
    }
}

/// A push as the service received it: decrypted, with the headers that came with it.
#[derive(Debug, Clone)]
pub struct Received {
    pub browser: String,
    pub payload: Value,
    pub urgency: Option<String>,
    pub ttl: Option<u64>,
}

#[derive(Default)]
struct Shared {
    /// The browsers' keys, by id.
    keys: HashMap<String, (p256::SecretKey, [u8; 16])>,
    received: Vec<Received>,
    /// What to answer each browser instead, once each (410, 429).
    answers: HashMap<String, Vec<StatusCode>>,
    /// Requests that arrived, by browser, answered or not.
    tries: HashMap<String, usize>,
    /// The VAPID public key pushes must be signed with.
    vapid: Option<String>,
}

pub struct PushService {
    pub origin: String,
    shared: Arc<Mutex<Shared>>,
}

impl PushService {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        let shared = Arc::new(Mutex::new(Shared::default()));
        let app = Router::new()
            .route("/push/{browser}", post(take))
            .with_state((shared.clone(), format!("http://{addr}")));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            origin: format!("http://{addr}"),
            shared,
        }
    }

    /// The service knows `browser`, and takes pushes signed with `vapid` only.
    pub fn register(&self, browser: &Browser, vapid: &str) {
        let mut shared = self.shared.lock().expect("lock");
        shared
            .keys
            .insert(browser.id.clone(), (browser.secret.clone(), browser.auth));
        shared.vapid = Some(vapid.to_owned());
    }

    /// The next requests for `browser` are answered `statuses`, in order.
    pub fn answer(&self, browser: &Browser, statuses: &[StatusCode]) {
        let mut shared = self.shared.lock().expect("lock");
        shared.answers.insert(browser.id.clone(), statuses.to_vec());
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().expect("lock").received.clone()
    }

    /// Requests that reached the service for `browser`, answered however.
    pub fn tries(&self, browser: &Browser) -> usize {
        let shared = self.shared.lock().expect("lock");
        shared.tries.get(&browser.id).copied().unwrap_or(0)
    }
}

type Service = (Arc<Mutex<Shared>>, String);

async fn take(
    State((shared, origin)): State<Service>,
    Path(browser): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut shared = shared.lock().expect("lock");
    *shared.tries.entry(browser.clone()).or_default() += 1;
    if let Some(next) = shared
        .answers
        .get_mut(&browser)
        .and_then(|answers| (!answers.is_empty()).then(|| answers.remove(0)))
    {
        let mut response = next.into_response();
        if next == StatusCode::TOO_MANY_REQUESTS {
            response
                .headers_mut()
                .insert("retry-after", "1".parse().expect("header"));
        }
        return response;
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    if header("content-encoding").as_deref() != Some("aes128gcm") {
        return (StatusCode::BAD_REQUEST, "not aes128gcm").into_response();
    }
    let Some(vapid) = shared.vapid.clone() else {
        return (StatusCode::UNAUTHORIZED, "no key known").into_response();
    };
    if let Err(why) = check_vapid(header("authorization").as_deref(), &vapid, &origin) {
        return (StatusCode::UNAUTHORIZED, why).into_response();
    }
    let Some((secret, auth)) = shared.keys.get(&browser).cloned() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let auth = web_push_native::Auth::clone_from_slice(&auth);
    let Ok(plain) = web_push_native::decrypt(body.to_vec(), &secret, &auth) else {
        return (StatusCode::BAD_REQUEST, "does not decrypt").into_response();
    };
    let Ok(payload) = serde_json::from_slice(&plain) else {
        return (StatusCode::BAD_REQUEST, "not JSON").into_response();
    };
    shared.received.push(Received {
        browser,
        payload,
        urgency: header("urgency"),
        ttl: header("ttl").and_then(|ttl| ttl.parse().ok()),
    });
    StatusCode::CREATED.into_response()
}

/// `vapid t={jwt}, k={key}`: `k` is the chat's key, and the JWT is signed by it, for this
/// service's origin (scheme and host: what the sender names), with a contact, not expired.
fn check_vapid(header: Option<&str>, vapid: &str, origin: &str) -> Result<(), &'static str> {
    let header = header.ok_or("no Authorization")?;
    let rest = header.strip_prefix("vapid ").ok_or("not vapid")?;
    let mut token = None;
    let mut key = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(t) = part.strip_prefix("t=") {
            token = Some(t);
        } else if let Some(k) = part.strip_prefix("k=") {
            key = Some(k);
        }
    }
    let (token, key) = (token.ok_or("no t")?, key.ok_or("no k")?);
    if key != vapid {
        return Err("another key");
    }
    let public = URL_SAFE_NO_PAD
        .decode(key)
        .map_err(|_| "k is not base64url")?;
    let public = ES256PublicKey::from_bytes(&public).map_err(|_| "k is not a key")?;
    let claims = public
        .verify_token::<NoCustomClaims>(token, None)
        .map_err(|_| "the signature does not verify")?;
    let audience = origin
        .rsplit_once(':')
        .map_or(origin, |(scheme_host, _)| scheme_host);
    let audiences = claims.audiences.ok_or("no aud")?;
    if !audiences.contains(&std::collections::HashSet::from([audience.to_owned()])) {
        return Err("another audience");
    }
    if claims
        .subject
        .as_deref()
        .is_none_or(|s| !s.starts_with("mailto:"))
    {
        return Err("no contact");
    }
    Ok(())
}
