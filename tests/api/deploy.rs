//! The recipes in `deploy/` run as written. The release binary, its `hash.txt` and the site
//! are placed where the systemd unit and the Dockerfile put them (under a temporary root),
//! started from the working directory each names with the environment each sets: the page
//! must come with its hashed, precompressed, long-cached assets, a send must be stored in
//! the state directory the recipe keeps, and SIGTERM must end it cleanly.
//!
//! Needs the release build (`make test` sets `CHAT_TEST_BINARY`; `hash.txt` beside the
//! binary, `target/site` beside it): with cargo's own test binary these tests say so and
//! return.

use crate::binary::Binary;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// A recipe laid out under `root`: where the program is, where it runs, its environment.
struct Installed {
    root: tempfile::TempDir,
    program: PathBuf,
    working_dir: PathBuf,
    env: Vec<(String, String)>,
}

impl Installed {
    /// `path` of the recipe (absolute, as on the real machine) under the temporary root.
    fn at(&self, path: &str) -> PathBuf {
        self.root.path().join(path.trim_start_matches('/'))
    }

    async fn start(&self) -> Binary {
        let env: Vec<(&str, String)> = self
            .env
            .iter()
            // The harness picks a free loopback port.
            .filter(|(name, _)| name != "CHAT_ADDR")
            .map(|(name, value)| (name.as_str(), value.clone()))
            .collect();
        Binary::start_installed(&self.program, &self.working_dir, &env).await
    }

    /// A recipe's path inside a setting's value (`sqlite:///var/lib/chat/chat.db`) moved
    /// under the root.
    fn rebase(&self, value: &str, dirs: &[&str]) -> String {
        dirs.iter().fold(value.to_owned(), |value, dir| {
            value.replace(dir, &self.at(dir).display().to_string())
        })
    }
}

/// The release build's three parts, or `None` (with a note) when there is none.
struct Build {
    binary: PathBuf,
    hash_txt: PathBuf,
    site: PathBuf,
}

fn release_build() -> Option<Build> {
    let binary = Binary::path();
    let hash_txt = binary.with_file_name("hash.txt");
    let site = Path::new(REPO).join("target/site");
    if !hash_txt.exists() || !site.exists() {
        eprintln!(
            "skipped: no release build beside {} (run `make test`, or `make build` and set \
             CHAT_TEST_BINARY=target/release/chat)",
            binary.display()
        );
        return None;
    }
    Some(Build {
        binary,
        hash_txt,
        site,
    })
}

fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read dir") {
            let entry = entry.expect("entry");
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(from, to).expect("copy");
    }
}

/// What an operator checks first: the page, its hashed wasm (brotli, cached a year), a
/// send stored in `state`, a clean stop.
async fn serves_and_keeps_state(installed: &Installed, state: &Path) {
    let server = installed.start().await;

    let live = server.client.get(server.url("/livez")).send().await;
    assert_eq!(live.expect("livez").status(), 200);

    let page = server
        .client
        .get(server.url("/"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    let wasm = html
        .split(['"', '\''])
        .find(|part| part.starts_with("/pkg/chat.") && part.ends_with(".wasm"))
        .unwrap_or_else(|| panic!("no wasm in the page: {html}"));
    assert_ne!(wasm, "/pkg/chat.wasm", "the asset names carry no hash");
    let asset = server
        .client
        .get(server.url(wasm))
        .header("accept-encoding", "br")
        .send()
        .await
        .expect("wasm");
    assert_eq!(asset.status(), 200, "{wasm}");
    assert_eq!(asset.headers()["content-encoding"], "br");
    assert_eq!(
        asset.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );

    server.send("deployed", "hello from the recipe").await;
    assert!(state.join("chat.db").exists(), "no database in {state:?}");
    assert!(state.join("session.key").exists(), "no key in {state:?}");
    server.terminate().await;
}

// ----- systemd --------------------------------------------------------------------------

/// `deploy/chat.service`'s `Key=value` lines (a key given twice keeps its last value,
/// `Environment=` lines gathered apart).
fn unit_settings(unit: &str) -> (HashMap<String, String>, Vec<(String, String)>) {
    let mut settings = HashMap::new();
    let mut env = Vec::new();
    for line in unit.lines().map(str::trim) {
        if line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if key == "Environment" {
            let (name, value) = value.split_once('=').expect("NAME=value");
            env.push((name.to_owned(), value.to_owned()));
        } else {
            settings.insert(key.to_owned(), value.to_owned());
        }
    }
    (settings, env)
}

fn install_systemd_unit(build: &Build) -> (Installed, PathBuf, String) {
    let unit = std::fs::read_to_string(Path::new(REPO).join("deploy/chat.service")).expect("unit");
    let (settings, env) = unit_settings(&unit);
    let exec = &settings["ExecStart"];
    let state_dir = format!("/var/lib/{}", settings["StateDirectory"]);
    let mut installed = Installed {
        root: tempfile::tempdir().expect("temp dir"),
        program: PathBuf::new(),
        working_dir: PathBuf::new(),
        env: Vec::new(),
    };
    let program_dir = Path::new(exec)
        .parent()
        .expect("dir")
        .to_str()
        .expect("utf-8");
    let dirs = [program_dir, state_dir.as_str()];
    installed.program = installed.at(exec);
    installed.working_dir = installed.at(&settings["WorkingDirectory"]);
    installed.env = env
        .iter()
        .map(|(name, value)| (name.clone(), installed.rebase(value, &dirs)))
        .collect();

    // What the unit's install lines do; systemd makes the state directory.
    copy(&build.binary, &installed.program);
    copy(
        &build.hash_txt,
        &installed.program.with_file_name("hash.txt"),
    );
    let site = env
        .iter()
        .find(|(name, _)| name == "LEPTOS_SITE_ROOT")
        .map(|(_, value)| value.clone())
        .expect("the unit names the site folder");
    copy(&build.site, &installed.at(&site));
    std::fs::create_dir_all(installed.at(&state_dir)).expect("state dir");

    let rewritten = unit.replace(exec.as_str(), &installed.program.display().to_string());
    let state = installed.at(&state_dir);
    (installed, state, rewritten)
}

#[tokio::test]
async fn the_systemd_unit_runs_as_written() {
    let Some(build) = release_build() else { return };
    let (installed, state, unit) = install_systemd_unit(&build);

    let (settings, _) = unit_settings(&unit);
    for hardening in ["DynamicUser", "ProtectSystem", "NoNewPrivileges"] {
        assert!(settings.contains_key(hardening), "{hardening} missing");
    }
    assert_eq!(settings["ProtectSystem"], "strict");
    verify_with_systemd(&installed, &unit);

    serves_and_keeps_state(&installed, &state).await;
}

/// `systemd-analyze verify`: every directive known, the program executable.
fn verify_with_systemd(installed: &Installed, unit: &str) {
    let path = installed.at("chat.service");
    std::fs::write(&path, unit).expect("unit");
    match std::process::Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
    {
        Ok(output) => assert!(
            output.status.success() && output.stderr.is_empty(),
            "systemd-analyze verify: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(_) => eprintln!("systemd-analyze not installed: the unit's syntax is not checked"),
    }
}

// ----- Dockerfile -----------------------------------------------------------------------

/// The last stage of `deploy/Dockerfile` as instructions, continuation lines joined.
fn final_stage(dockerfile: &str) -> Vec<(String, String)> {
    let joined = dockerfile.replace("\\\n", " ");
    let instructions: Vec<(String, String)> = joined
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let (op, rest) = line.split_once(' ')?;
            Some((op.to_uppercase(), rest.trim().to_owned()))
        })
        .collect();
    let last_from = instructions
        .iter()
        .rposition(|(op, _)| op == "FROM")
        .expect("FROM");
    instructions[last_from..].to_vec()
}

fn words(arguments: &str) -> Vec<String> {
    arguments
        .split_whitespace()
        .map(|word| word.trim_matches(['[', ']', ',', '"']).to_owned())
        .filter(|word| !word.is_empty())
        .collect()
}

#[tokio::test]
async fn the_docker_image_layout_runs_as_written() {
    let Some(build) = release_build() else { return };
    let dockerfile =
        std::fs::read_to_string(Path::new(REPO).join("deploy/Dockerfile")).expect("Dockerfile");
    let stage = final_stage(&dockerfile);
    let mut installed = Installed {
        root: tempfile::tempdir().expect("temp dir"),
        program: PathBuf::new(),
        working_dir: PathBuf::new(),
        env: Vec::new(),
    };
    // Where the build stage's files come from here.
    let built: HashMap<&str, &Path> = HashMap::from([
        ("/src/target/release/chat", build.binary.as_path()),
        ("/src/target/release/hash.txt", build.hash_txt.as_path()),
        ("/src/target/site", build.site.as_path()),
    ]);
    let mut state = None;
    let mut exposed = None;
    let mut health = None;
    for (op, arguments) in &stage {
        match op.as_str() {
            "COPY" => {
                let mut parts = words(arguments);
                parts.retain(|part| !part.starts_with("--"));
                let destination = parts.pop().expect("destination");
                for source in &parts {
                    let from = built.get(source.as_str()).unwrap_or_else(|| {
                        panic!("the image copies {source}, which the build does not make")
                    });
                    let to = if destination.ends_with('/') {
                        installed
                            .at(&destination)
                            .join(from.file_name().expect("name"))
                    } else {
                        installed.at(&destination)
                    };
                    copy(from, &to);
                }
            }
            "ENV" => {
                for pair in arguments.split_whitespace() {
                    let (name, value) = pair.split_once('=').expect("NAME=value");
                    installed.env.push((name.to_owned(), value.to_owned()));
                }
            }
            "WORKDIR" => installed.working_dir = installed.at(arguments),
            "VOLUME" => state = Some(arguments.clone()),
            "EXPOSE" => exposed = Some(arguments.clone()),
            "HEALTHCHECK" => health = Some(arguments.clone()),
            "ENTRYPOINT" => installed.program = installed.at(&words(arguments)[0]),
            _ => {}
        }
    }
    let state = state.expect("a VOLUME for the data");
    std::fs::create_dir_all(installed.at(&state)).expect("volume");
    let dirs = ["/app", state.as_str()];
    installed.env = installed
        .env
        .iter()
        .map(|(name, value)| (name.clone(), installed.rebase(value, &dirs)))
        .collect();

    // The port the process listens on is the one exposed and the one the health check asks.
    let addr = &installed
        .env
        .iter()
        .find(|(name, _)| name == "CHAT_ADDR")
        .expect("CHAT_ADDR")
        .1;
    let port = addr.rsplit(':').next().expect("port");
    assert_eq!(exposed.as_deref(), Some(port));
    let health = health.expect("a HEALTHCHECK");
    assert!(
        health.contains(&format!("127.0.0.1:{port}/livez")),
        "{health}"
    );

    serves_and_keeps_state(&installed, &installed.at(&state)).await;
}
