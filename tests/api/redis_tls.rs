//! Redis over TLS (`rediss://`) with an ACL user: a real `redis-server` listening only on
//! its TLS port, asking clients for a certificate, with the default user switched off.
//! Nodes trust its authority (`CHAT_REDIS_CA_FILE`), present their own certificate
//! (`CHAT_REDIS_CLIENT_CERT`/`_KEY`) and log in with the user and password in the URL.
//! Anything less is refused at start, promptly, with a reason.

use crate::helpers::spawn_app_with;
use crate::nodes::node_settings;
use crate::redis_server::{cluster_keys, free_port, fresh_prefix, RedisServer};
use chat::server::node::config::{Secret, Settings};
use chat::server::store::redis_client::{self, RedisClient, RedisTls};
use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const USER: &str = "chat";
const PASSWORD: &str = "s3cret-pw";
/// The test harness's own user, to set up a one-node cluster (`CHAT_TEST_REDIS_CLUSTER`).
const HARNESS: &str = "harness";

/// An authority, and the certificates it signed for the server and for a client.
struct Authority {
    ca: PathBuf,
    server: (PathBuf, PathBuf),
    client: (PathBuf, PathBuf),
}

impl Authority {
    fn new(dir: &Path) -> Self {
        let ca_key = KeyPair::generate().expect("key");
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "test authority");
        let ca = ca.self_signed(&ca_key).expect("authority");
        let issue = |name: &str, purpose: ExtendedKeyUsagePurpose| {
            let key = KeyPair::generate().expect("key");
            let mut params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("params");
            params.extended_key_usages = vec![purpose];
            let cert = params.signed_by(&key, &ca, &ca_key).expect("signed");
            let paths = (
                dir.join(format!("{name}.crt")),
                dir.join(format!("{name}.key")),
            );
            std::fs::write(&paths.0, cert.pem()).expect("write cert");
            std::fs::write(&paths.1, key.serialize_pem()).expect("write key");
            paths
        };
        let server = issue("server", ExtendedKeyUsagePurpose::ServerAuth);
        let client = issue("client", ExtendedKeyUsagePurpose::ClientAuth);
        let path = dir.join("ca.crt");
        std::fs::write(&path, ca.pem()).expect("write authority");
        Self {
            ca: path,
            server,
            client,
        }
    }

    /// What a node is given to trust Redis and to be trusted by it.
    fn node_tls(&self) -> RedisTls {
        RedisTls {
            ca_file: Some(self.ca.clone()),
            identity: Some(self.client.clone()),
        }
    }
}

/// A Redis on TLS only, with clients' certificates required and only `USER` allowed in.
async fn tls_redis() -> (RedisServer, Authority) {
    let dir = tempfile::tempdir().expect("temp dir");
    let authority = Authority::new(dir.path());
    let port = free_port();
    let path = |p: &Path| p.display().to_string();
    let args: Vec<String> = [
        "--port",
        "0",
        "--tls-port",
        &port.to_string(),
        "--tls-cert-file",
        &path(&authority.server.0),
        "--tls-key-file",
        &path(&authority.server.1),
        "--tls-ca-cert-file",
        &path(&authority.ca),
        "--tls-auth-clients",
        "yes",
        "--user",
        USER,
        "on",
        &format!(">{PASSWORD}"),
        // Only the keys and channels of test prefixes (in either layout: a cluster's
        // global keys are `{P}:…`), and no administration.
        "~test-*",
        "~{test-*",
        "&test-*",
        "&{test-*",
        "+@all",
        "-@admin",
        "-@dangerous",
        "--user",
        "default",
        "off",
    ]
    .map(str::to_owned)
    .to_vec();
    let mut args = args;
    if cluster_keys() {
        // A one-node cluster: the cluster's own port and its answers about where slots are
        // (CLUSTER SLOTS names the TLS port), and a user of the harness's own to hand it
        // every slot (the nodes' user may not administer).
        args.extend(
            [
                "--tls-cluster",
                "yes",
                "--user",
                HARNESS,
                "on",
                &format!(">{PASSWORD}"),
                "~*",
                "&*",
                "+@all",
            ]
            .map(str::to_owned),
        );
    }
    let url = format!("rediss://{USER}:{PASSWORD}@127.0.0.1:{port}");
    let harness = format!(
        "rediss://{}:{PASSWORD}@127.0.0.1:{port}",
        if cluster_keys() { HARNESS } else { USER }
    );
    let RedisClient::Single(client) =
        redis_client::client(&harness, &authority.node_tls(), false).expect("client")
    else {
        panic!("one server's client");
    };
    let redis = RedisServer::launch(&args, url, &client, port, dir).await;
    (redis, authority)
}

fn tls_node_settings(redis: &RedisServer, prefix: &str, tls: RedisTls) -> Settings {
    let mut settings = node_settings(redis, prefix);
    settings.redis_tls = tls;
    settings
}

#[tokio::test]
async fn two_nodes_over_tls_with_an_acl_user_deliver_each_others_messages() {
    let (redis, authority) = tls_redis().await;
    let prefix = fresh_prefix();
    let a = spawn_app_with(tls_node_settings(&redis, &prefix, authority.node_tls())).await;
    let b = spawn_app_with(tls_node_settings(&redis, &prefix, authority.node_tls())).await;
    let mut on_b = b.events("lobby", "", None).await;

    // Stored through A's TLS connection, announced on Redis, relayed to B by its own
    // TLS subscription.
    let sent = a.send("lobby", "over TLS").await;
    assert_eq!(on_b.next_message().await, sent);
    let reply = b.send("lobby", "and back").await;
    assert_eq!(reply.seq.get(), 2, "one sequence per room across the nodes");
    // A stream resumed on A from the start reads both from the store.
    let mut resumed = a.events("lobby", "", Some(0)).await;
    assert_eq!(resumed.messages_through(2).await, vec![sent, reply]);
}

/// Opens the store as a starting node would, and says how long the refusal took.
async fn refused(settings: &Settings) -> (String, Duration) {
    let started = Instant::now();
    let opened = chat::startup::open_store(settings).await;
    let error = match opened {
        Ok(_) => panic!("the store opened, but it should have been refused"),
        Err(e) => format!("{e:?}"),
    };
    (error, started.elapsed())
}

#[tokio::test]
async fn a_node_that_does_not_trust_redis_or_cannot_log_in_is_refused_promptly() {
    let (redis, authority) = tls_redis().await;
    let prefix = fresh_prefix();
    let with_url = |url: String, tls: RedisTls| {
        let mut settings = tls_node_settings(&redis, &prefix, tls);
        settings.redis_url = Some(Secret::new(url));
        settings
    };
    let port = redis.url.rsplit(':').next().expect("a port").to_owned();
    let good_url = redis.url.clone();

    let cases = [
        (
            "the system's roots do not include the test authority",
            with_url(
                good_url.clone(),
                RedisTls {
                    ca_file: None,
                    identity: Some(authority.client.clone()),
                },
            ),
            &["certificate"][..],
        ),
        (
            "a wrong password",
            with_url(
                format!("rediss://{USER}:wrong@127.0.0.1:{port}"),
                authority.node_tls(),
            ),
            // The cluster client passes Redis' own word on.
            &["authentication failed", "wrongpass"][..],
        ),
        (
            "no user: the default user is off",
            with_url(format!("rediss://127.0.0.1:{port}"), authority.node_tls()),
            &["authentication required", "noauth"][..],
        ),
    ];
    for (what, settings, reasons) in cases {
        let (error, took) = refused(&settings).await;
        let error_lower = error.to_lowercase();
        assert!(
            reasons.iter().any(|reason| error_lower.contains(reason)),
            "{what}: {error}"
        );
        assert!(
            took < Duration::from_secs(10),
            "{what}: refused after {took:?}"
        );
    }

    // Redis asks for a client certificate: without one the handshake fails, promptly.
    let (error, took) = refused(&with_url(
        good_url.clone(),
        RedisTls {
            ca_file: Some(authority.ca.clone()),
            identity: None,
        },
    ))
    .await;
    assert!(error.contains("CertificateRequired"), "{error}");
    assert!(
        took < Duration::from_secs(10),
        "refused after {took:?}: {error}"
    );

    // The clear-text scheme to a TLS port gets no answer it can read: refused, not hung.
    let (error, took) = refused(&with_url(
        format!("redis://{USER}:{PASSWORD}@127.0.0.1:{port}"),
        RedisTls::default(),
    ))
    .await;
    assert!(
        took < Duration::from_secs(10),
        "refused after {took:?}: {error}"
    );

    // And with everything right, the same node opens its store.
    let settings = with_url(good_url, authority.node_tls());
    assert!(chat::startup::open_store(&settings).await.is_ok());
}
