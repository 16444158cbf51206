//! What `chat --help` prints: the commands, then every environment variable the server reads
//! with its default. The variables come from `docs/configuration.md`'s table, compiled in, so
//! the help and the documentation cannot drift apart (a test below checks that every variable
//! the code reads is in that table).

/// The table of `docs/configuration.md`, as written.
const CONFIGURATION: &str = include_str!("../../docs/configuration.md");

const COMMANDS: &str = "\
Usage:
  chat                      serve (settings from the environment, below)
  chat admin grant NAME     make the account NAME an administrator
  chat admin revoke NAME    make the account NAME a member again
  chat backup PATH          copy the SQLite database to PATH while the node serves
  chat --help               this text
  chat --version            the version

The admin and backup commands use the same environment as the server (DATABASE_URL,
or REDIS_URL and CHAT_REDIS_PREFIX) and may run while it serves.";

/// The whole help text.
pub fn text() -> String {
    let rows = variables();
    let width = rows.iter().map(|(names, _)| names.len()).max().unwrap_or(0);
    let mut out = format!(
        "{COMMANDS}\n\nEnvironment (all optional; meanings in docs/configuration.md):\n\n  {:width$}  default\n",
        "variable"
    );
    for (names, default) in rows {
        out.push_str(&format!("  {names:width$}  {default}\n"));
    }
    out
}

/// The version line.
pub fn version() -> String {
    format!("chat {}", env!("CARGO_PKG_VERSION"))
}

/// Each row of the configuration table: its variables and its default, without Markdown.
fn variables() -> Vec<(String, String)> {
    CONFIGURATION
        .lines()
        .filter(|line| line.starts_with("| `"))
        .filter_map(|line| {
            let mut cells = line.trim_matches('|').split(" | ");
            let names = plain(cells.next()?);
            let default = plain(cells.next()?);
            Some((names, default))
        })
        .collect()
}

/// A table cell as plain text: no backticks, no links' addresses.
fn plain(cell: &str) -> String {
    let mut out = String::new();
    let mut rest = cell.trim();
    while let Some(open) = rest.find("](") {
        out.push_str(&rest[..open]);
        rest = rest[open + 2..]
            .split_once(')')
            .map(|(_, after)| after)
            .unwrap_or("");
    }
    out.push_str(rest);
    out.replace(['`', '['], "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    /// Every `"CHAT_…"`, `"REDIS_URL"`-like name written as a string in the server's code.
    fn names_read_in(dir: &Path, found: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("source folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                names_read_in(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).expect("source file");
                for piece in source.split('"').skip(1).step_by(2) {
                    let is_name = piece.starts_with("CHAT_")
                        || matches!(piece, "REDIS_URL" | "DATABASE_URL" | "RUST_LOG");
                    if is_name
                        && piece
                            .chars()
                            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                    {
                        found.insert(piece.to_owned());
                    }
                }
            }
        }
    }

    #[test]
    fn the_help_lists_every_variable_the_server_reads() {
        let mut read = BTreeSet::new();
        names_read_in(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut read,
        );
        assert!(read.len() > 40, "the scan found the settings: {read:?}");
        let help = text();
        let missing: Vec<_> = read
            .iter()
            .filter(|name| {
                !help
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .any(|word| word == name.as_str())
            })
            .collect();
        assert!(
            missing.is_empty(),
            "not in docs/configuration.md: {missing:?}"
        );
    }

    #[test]
    fn the_help_shows_names_and_defaults_as_plain_text() {
        let help = text();
        assert!(help.contains("chat --version"));
        let line = help
            .lines()
            .find(|line| line.trim_start().starts_with("CHAT_HEARTBEAT_SECS"))
            .expect("the heartbeat's line");
        assert!(line.trim_end().ends_with(" 15"), "{line}");
        assert!(!help.contains('`'), "no Markdown left");
        assert!(!help.contains("]("), "no link addresses left");
    }
}
