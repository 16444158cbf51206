//! The operator's command line: `chat admin grant NAME` makes an account an administrator,
//! `chat admin revoke NAME` a member again. It opens the store the environment names (the
//! same settings as the server), changes the role, writes the audit log and exits; nodes
//! that are running see the new role within a second (sessions are read again).
//! `chat backup PATH` is in `backup.rs`; `help.rs` holds what `chat --help` prints.

use super::{open_store, StartupError};
use crate::domain::{AccountName, AuditEntry, Role};
use crate::server::access::accounts::name_key;
use crate::server::node::config::Settings;

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Serve,
    Help,
    Version,
    SetRole {
        name: String,
        role: Role,
    },
    /// `chat backup PATH`: a copy of the SQLite store at `PATH` (`backup.rs`).
    Backup {
        path: std::path::PathBuf,
    },
}

impl Command {
    /// Reads the arguments after the program's name; `Err` is the line to show.
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        match args.as_slice() {
            [] => Ok(Command::Serve),
            ["--help" | "-h" | "help"] | ["admin", "--help" | "-h"] => Ok(Command::Help),
            ["--version" | "-V" | "version"] => Ok(Command::Version),
            ["backup", path] if !path.starts_with('-') => Ok(Command::Backup { path: path.into() }),
            ["admin", verb, name] => {
                let role = match *verb {
                    "grant" => Role::Admin,
                    "revoke" => Role::Member,
                    other => return Err(format!("unknown admin command {other:?}")),
                };
                Ok(Command::SetRole {
                    name: (*name).to_owned(),
                    role,
                })
            }
            _ => Err(format!("unknown arguments: {}", args.join(" "))),
        }
    }
}

/// Why an admin command failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Startup(#[from] StartupError),
    #[error("{0:?} is not an account's name")]
    NoSuchAccount(String),
    #[error(transparent)]
    Store(#[from] crate::server::store::StoreError),
}

/// Gives the account called `name` `role`; the line to print when it worked.
pub async fn set_role(settings: &Settings, name: &str, role: Role) -> Result<String, AdminError> {
    let store = open_store(settings).await?.into_store();
    let parsed = AccountName::parse(name).map_err(|_| AdminError::NoSuchAccount(name.into()))?;
    let account = store
        .account_by_name(&name_key(&parsed))
        .await?
        .ok_or_else(|| AdminError::NoSuchAccount(name.into()))?;
    if !store.set_role(&account.user_id, role).await? {
        return Err(AdminError::NoSuchAccount(name.into()));
    }
    let action = match role {
        Role::Admin => "grant_admin",
        Role::Member => "revoke_admin",
    };
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default();
    store
        .record_audit(&AuditEntry {
            at,
            actor: "operator".into(),
            actor_name: "the command line".into(),
            action: action.into(),
            subject: account.user_id.to_string(),
            detail: account.name.clone(),
        })
        .await?;
    Ok(format!("{} is {} now", account.name, role.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        Command::parse(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn the_command_line_reads_serve_help_grant_and_revoke() {
        assert_eq!(parse(&[]), Ok(Command::Serve));
        assert_eq!(parse(&["--help"]), Ok(Command::Help));
        assert_eq!(parse(&["admin", "--help"]), Ok(Command::Help));
        assert_eq!(parse(&["--version"]), Ok(Command::Version));
        assert_eq!(
            parse(&["admin", "grant", "Ann"]),
            Ok(Command::SetRole {
                name: "Ann".into(),
                role: Role::Admin
            })
        );
        assert_eq!(
            parse(&["admin", "revoke", "Ann"]),
            Ok(Command::SetRole {
                name: "Ann".into(),
                role: Role::Member
            })
        );
        assert_eq!(
            parse(&["backup", "/backup/chat.db"]),
            Ok(Command::Backup {
                path: "/backup/chat.db".into()
            })
        );
        assert!(parse(&["backup"]).is_err());
        assert!(parse(&["backup", "--help"]).is_err());
        assert!(parse(&["admin", "promote", "Ann"]).is_err());
        assert!(parse(&["serve", "now"]).is_err());
    }
}
