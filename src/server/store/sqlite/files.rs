//! The database file a `sqlite:` URL names: made private before SQLite opens it, and the
//! files kept beside it.

/// Creates the database file readable by its owner only (0600), as the session key file
/// is, unless it exists; SQLite gives its `-wal` and `-shm` files the same mode.
pub(super) fn create_private_file(file: &std::path::Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(file) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

/// A file named `name` in the folder of a `sqlite:` URL's database (`None` in memory).
pub fn file_beside(url: &str, name: &str) -> Option<std::path::PathBuf> {
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    (!in_memory).then(|| {
        database_dir(url)
            .unwrap_or_else(|| std::path::Path::new(""))
            .join(name)
    })
}

/// The folder a `sqlite:` URL's file lives in, so a fresh checkout needs no set-up.
fn database_dir(url: &str) -> Option<&std::path::Path> {
    database_file(url)?
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
}

/// The database file of a `sqlite:` URL (`None` in memory).
pub fn database_file(url: &str) -> Option<&std::path::Path> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    if path.is_empty() || path.starts_with(":memory:") || url.contains("mode=memory") {
        return None;
    }
    Some(std::path::Path::new(path))
}

#[cfg(test)]
mod tests {
    use super::database_dir;
    use std::path::Path;

    #[test]
    fn the_database_folder_is_found_in_both_url_forms() {
        assert_eq!(
            database_dir("sqlite://data/chat.db"),
            Some(Path::new("data"))
        );
        assert_eq!(
            database_dir("sqlite:/tmp/x/chat.db?mode=rwc"),
            Some(Path::new("/tmp/x"))
        );
        assert_eq!(database_dir("sqlite::memory:"), None);
        assert_eq!(database_dir("sqlite:chat.db"), None);
    }
}
