//! The signing keys of a single SQLite node with no configured secret: random keys kept in a
//! file of their own, beside the database but not in it, so that a copy or backup of the
//! database is not enough to sign in as anyone. One key per line in hex, newest first (add a
//! new first line to rotate); the file is created, readable by its owner only, on first start.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A key file that cannot be read or created.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("key file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("key file {path}, line {line}: not a key of 64 hexadecimal digits")]
    Invalid { path: PathBuf, line: usize },
}

/// The keys in `path`, newest first; a file with one new random key if there is none.
pub fn load_or_create(path: &Path) -> Result<Vec<Vec<u8>>, KeyFileError> {
    let io = |source| KeyFileError::Io {
        path: path.to_owned(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => parse(path, &text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let key: [u8; 32] = rand::random();
            match create(path, &hex(&key)) {
                Ok(()) => {
                    tracing::info!(path = %path.display(), "created a key file");
                    Ok(vec![key.to_vec()])
                }
                // Another process created it first: use theirs.
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                    parse(path, &std::fs::read_to_string(path).map_err(io)?)
                }
                Err(error) => Err(io(error)),
            }
        }
        Err(error) => Err(io(error)),
    }
}

fn create(path: &Path, line: &str) -> std::io::Result<()> {
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    writeln!(file, "{line}")?;
    file.sync_all()
}

fn parse(path: &Path, text: &str) -> Result<Vec<Vec<u8>>, KeyFileError> {
    let keys = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            unhex(line.trim()).ok_or_else(|| KeyFileError::Invalid {
                path: path.to_owned(),
                line: index + 1,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err(KeyFileError::Invalid {
            path: path.to_owned(),
            line: 1,
        });
    }
    Ok(keys)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_created_once_and_read_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("data").join("session.key");
        let created = load_or_create(&path).expect("created");
        assert_eq!(created.len(), 1);
        assert_eq!(created[0].len(), 32);
        assert_eq!(load_or_create(&path).expect("read"), created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .expect("metadata")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
        }
    }

    #[test]
    fn several_keys_are_read_newest_first_and_garbage_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("session.key");
        std::fs::write(
            &path,
            format!("{}\n\n{}\n", "ab".repeat(32), "01".repeat(32)),
        )
        .expect("write");
        let keys = load_or_create(&path).expect("read");
        assert_eq!(keys, vec![vec![0xab; 32], vec![0x01; 32]]);
        std::fs::write(&path, "not a key\n").expect("write");
        assert!(matches!(
            load_or_create(&path),
            Err(KeyFileError::Invalid { line: 1, .. })
        ));
    }
}
