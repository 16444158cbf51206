//! A real S3-compatible server (SeaweedFS, `scripts/setup.sh test` installs it into
//! `.tools/venv`) on free loopback ports, started for a test and killed after it.

use chat::server::files::settings::S3Settings;
use chat::server::node::config::Secret;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const ACCESS_KEY: &str = "chat-tests";
const SECRET_KEY: &str = "chat-tests-secret";
const BUCKET: &str = "uploads";

pub struct S3Server {
    child: Child,
    /// The S3 endpoint.
    pub url: String,
    /// Where its data lives (removed with it).
    _dir: tempfile::TempDir,
}

impl S3Server {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("s3.json");
        let identities = serde_json::json!({"identities": [{
            "name": "chat",
            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }]});
        std::fs::write(&config, identities.to_string()).expect("s3 config");
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).expect("data dir");
        let base = free_ports();
        let port = |offset: u16| (base + offset).to_string();
        let child = Command::new(weed())
            .arg("server")
            .args([
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                "-master.telemetry=false",
            ])
            .arg(format!("-dir={}", data.display()))
            .args([
                "-master.volumeSizeLimitMB=64",
                "-volume.max=0",
                "-volume.preStopSeconds=0",
            ])
            .args(["-master.port", &port(0), "-master.port.grpc", &port(10)])
            .args(["-volume.port", &port(1), "-volume.port.grpc", &port(11)])
            .args([
                "-filer",
                "-filer.port",
                &port(2),
                "-filer.port.grpc",
                &port(12),
            ])
            .args(["-s3", "-s3.port", &port(3), "-s3.port.grpc", &port(13)])
            .args(["-s3.port.iceberg=0", "-s3.port.lance=0"])
            .arg(format!("-s3.config={}", config.display()))
            .env("GOMEMLIMIT", "256MiB")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("SeaweedFS is installed (scripts/setup.sh test installs it)");
        let server = Self {
            child,
            url: format!("http://127.0.0.1:{}", port(3)),
            _dir: dir,
        };
        server.wait_until_writable().await;
        server
    }

    /// What the chat's settings say to keep files in its bucket.
    pub fn settings(&self) -> S3Settings {
        S3Settings {
            url: self.url.clone(),
            bucket: BUCKET.to_owned(),
            region: "us-east-1".to_owned(),
            access_key_id: ACCESS_KEY.to_owned(),
            secret_access_key: Secret::new(SECRET_KEY.to_owned()),
        }
    }

    /// Ready once an object can be written: the S3 port answers a few seconds before its
    /// volumes take writes.
    async fn wait_until_writable(&self) {
        use object_store::{ObjectStoreExt, PutPayload};
        let store = self.client();
        let probe = object_store::path::Path::from("probe");
        for _ in 0..300 {
            let put = store.put(&probe, PutPayload::from_static(b"ok")).await;
            if put.is_ok() {
                let _ = store.delete(&probe).await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("SeaweedFS did not take writes at {}", self.url);
    }

    /// The objects kept under `prefix` (`files/`, `thumbs/`).
    pub async fn objects(&self, prefix: &str) -> Vec<String> {
        use futures::StreamExt;
        use object_store::ObjectStore;
        let store = self.client();
        let prefix = object_store::path::Path::from(prefix);
        store
            .list(Some(&prefix))
            .filter_map(|meta| async move { meta.ok().map(|m| m.location.to_string()) })
            .collect()
            .await
    }

    fn client(&self) -> object_store::aws::AmazonS3 {
        object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&self.url)
            .with_allow_http(true)
            .with_region("us-east-1")
            .with_bucket_name(BUCKET)
            .with_access_key_id(ACCESS_KEY)
            .with_secret_access_key(SECRET_KEY)
            .build()
            .expect("s3 client")
    }
}

impl S3Server {
    /// Freezes the server (SIGSTOP): its ports still accept connections, nothing answers,
    /// as an S3 service that hangs.
    pub fn freeze(&self) {
        let stopped = Command::new("kill")
            .arg("-STOP")
            .arg(self.child.id().to_string())
            .status()
            .expect("kill");
        assert!(stopped.success(), "SIGSTOP to the S3 server");
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        // SIGTERM takes SeaweedFS 15 s or more; its data is thrown away anyway. SIGKILL
        // ends a frozen one too.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `weed`: `CHAT_TEST_WEED`, else the project's `.tools/venv`, else the PATH.
fn weed() -> PathBuf {
    if let Some(path) = std::env::var_os("CHAT_TEST_WEED") {
        return PathBuf::from(path);
    }
    let local = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".tools/venv/bin/weed");
    if local.exists() {
        local
    } else {
        PathBuf::from("weed")
    }
}

/// A base port with its three neighbours and those ten above them free (SeaweedFS' HTTP and
/// gRPC ports).
fn free_ports() -> u16 {
    for _ in 0..100 {
        let Ok(base) = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
        else {
            continue;
        };
        if base > 60_000 {
            continue;
        }
        let all_free = [0u16, 1, 2, 3, 10, 11, 12, 13]
            .iter()
            .all(|offset| std::net::TcpListener::bind(("127.0.0.1", base + offset)).is_ok());
        if all_free {
            return base;
        }
    }
    panic!("no free ports for SeaweedFS");
}
