//! The chat server: telemetry, configuration, then `startup::Application`.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    use chat::server::node::{config::Settings, telemetry};
    use chat::startup::admin::{self, Command};
    use chat::startup::backup;
    use chat::startup::help;
    use chat::startup::Application;

    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match Command::parse(&args) {
        Ok(command) => command,
        Err(line) => {
            eprintln!("{line}\n\n{}", help::text());
            return std::process::ExitCode::from(2);
        }
    };
    match command {
        Command::Help => {
            print!("{}", help::text());
            return std::process::ExitCode::SUCCESS;
        }
        Command::Version => {
            println!("{}", help::version());
            return std::process::ExitCode::SUCCESS;
        }
        _ => {}
    }
    telemetry::init("info");
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            tracing::error!(%error, "bad configuration");
            return std::process::ExitCode::FAILURE;
        }
    };
    let done = match command {
        Command::SetRole { name, role } => Some(
            admin::set_role(&settings, &name, role)
                .await
                .map_err(|e| e.to_string()),
        ),
        Command::Backup { path } => Some(
            backup::backup(&settings, &path)
                .await
                .map_err(|e| e.to_string()),
        ),
        Command::Serve | Command::Help | Command::Version => None,
    };
    if let Some(done) = done {
        return match done {
            Ok(done) => {
                println!("{done}");
                std::process::ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("{error}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    let app = match Application::build(settings).await {
        Ok(app) => app,
        Err(error) => {
            tracing::error!(%error, "could not start");
            return std::process::ExitCode::FAILURE;
        }
    };
    // Listened for before serving, TLS or not: SIGHUP's default action would end the process
    // (`systemctl reload` sends it).
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(hangups) => {
            tokio::spawn(reload_on_hangup(hangups, app.certificate()));
        }
        Err(error) => tracing::warn!(%error, "cannot listen for SIGHUP"),
    }
    let shutdown = app.shutdown_token();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: closing open streams");
        shutdown.cancel();
    });
    match app.run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "server failed");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Reads the TLS certificate and key again on every SIGHUP (a renewed certificate: `systemctl
/// reload chat`); connections already open keep theirs. Without TLS there is nothing to read.
#[cfg(feature = "ssr")]
async fn reload_on_hangup(
    mut hangups: tokio::signal::unix::Signal,
    certificate: Option<std::sync::Arc<chat::server::http::edge::tls::Certificate>>,
) {
    while hangups.recv().await.is_some() {
        match certificate.as_ref().map(|certificate| certificate.reload()) {
            Some(Ok(())) => tracing::info!("TLS certificate read again"),
            Some(Err(error)) => {
                tracing::error!(%error, "TLS certificate not replaced; the current one stays")
            }
            None => tracing::info!("SIGHUP: no TLS certificate to read again"),
        }
    }
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM.
#[cfg(feature = "ssr")]
async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let ctrl_c = tokio::signal::ctrl_c();
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = ctrl_c.await;
        }
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser bundle is built from lib.rs; this binary needs the `ssr` feature.
}
