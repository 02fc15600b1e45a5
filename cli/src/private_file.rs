//! Reading and writing a file that holds a secret, as OpenSSH treats its own: nobody else may
//! be able to change it or the directory it is in, it must be a plain file of a sane size, and
//! it is replaced whole, never written through a name someone else could have planted.
//!
//! - Reading opens the file without blocking (a FIFO would otherwise hang the tool), then
//!   checks what was opened: a regular file, at most [`MAX_SIZE`], owned by the user (or root),
//!   writable by nobody else, in a directory nobody else can write, below directories nobody
//!   else can change (up to the home directory, or the root for a file outside it; a sticky
//!   directory such as `/tmp` is fine there). Anything else is refused, naming the path; a file
//!   others can read gives a warning. (Unix only: elsewhere only the kind and size are checked.)
//! - Writing creates the directory 0700 if needed, writes a temporary file with a random name,
//!   created exclusively (`O_EXCL`, `O_NOFOLLOW`: a planted symlink is never followed) with mode
//!   0600, syncs it, renames it over the file, and syncs the directory.

use std::io::{Read, Write};
use std::path::Path;

/// The largest config file read: 1 MiB. One this tool writes is a few hundred bytes.
pub const MAX_SIZE: u64 = 1024 * 1024;

/// Why a private file cannot be read or written: the line to print.
pub type Refusal = String;

/// A private file's contents.
#[derive(Debug, PartialEq, Eq)]
pub struct Contents {
    pub text: String,
    /// The file's mode when users other than its owner can read it.
    pub readable_by_others: Option<u32>,
}

/// The file's contents, or `None` when it does not exist.
pub fn read(path: &Path) -> Result<Option<Contents>, Refusal> {
    let file = match open_for_reading(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    // What was opened, not what the name pointed at a moment before.
    let meta = file.metadata().map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!(
            "{} is not a regular file (it is {}); it cannot be the config file: remove it, then run `pinarkive login`",
            path.display(),
            kind(&meta)
        ));
    }
    let readable_by_others = check_permissions(path, &meta)?;
    if let Some(dir) = path.parent() {
        let dir_meta = std::fs::metadata(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        check_directory(dir, &dir_meta)?;
        check_ancestors(dir)?;
    }
    let too_large = || {
        format!(
            "{} is larger than {} MiB, so it is no config file of this tool's: check it, or remove it and run `pinarkive login`",
            path.display(),
            MAX_SIZE / (1024 * 1024)
        )
    };
    if meta.len() > MAX_SIZE {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    file.take(MAX_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_SIZE {
        return Err(too_large());
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        format!("{} is not UTF-8 text; fix it or run `pinarkive login` after deleting it", path.display())
    })?;
    Ok(Some(Contents { text, readable_by_others }))
}

/// Replaces the file at `path` with `bytes`, readable by its owner only; see the module
/// documentation.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), Refusal> {
    let dir = path.parent().ok_or_else(|| format!("{} has no directory", path.display()))?;
    check_ancestors(dir)?;
    create_private_dir(dir)?;
    let temporary = dir.join(format!(".{}.{:016x}.tmp", file_name(path), rand::random::<u64>()));
    let written = (|| {
        let mut file = create_exclusive(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, path)?;
        sync_directory(dir)
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        format!("cannot write {}: {e}", path.display())
    })
}

/// Checks the directories above `dir` (those that exist), up to the home directory when `dir`
/// is in it, else up to the root: someone who can change one of them can replace everything
/// below it.
fn check_ancestors(dir: &Path) -> Result<(), Refusal> {
    let home = std::env::home_dir();
    for ancestor in dir.ancestors().skip(1).filter(|a| !a.as_os_str().is_empty()) {
        match std::fs::metadata(ancestor) {
            Ok(meta) => check_ancestor(ancestor, &meta)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot read {}: {e}", ancestor.display())),
        }
        if home.as_deref() == Some(ancestor) {
            break;
        }
    }
    Ok(())
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default()
}

#[cfg(unix)]
mod platform {
    use std::fs::{File, Metadata, OpenOptions};
    use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, OpenOptionsExt};
    use std::path::Path;

    use super::Refusal;

    /// Opens without blocking, so that a FIFO cannot hang the tool; a regular file reads as
    /// usual.
    pub fn open_for_reading(path: &Path) -> std::io::Result<File> {
        OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC).open(path)
    }

    /// A new file, 0600, that fails if anything, a symlink included, has the name already.
    pub fn create_exclusive(path: &Path) -> std::io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(path)
    }

    /// Makes the rename durable.
    pub fn sync_directory(dir: &Path) -> std::io::Result<()> {
        File::open(dir)?.sync_all()
    }

    pub fn create_private_dir(dir: &Path) -> Result<(), Refusal> {
        match std::fs::metadata(dir) {
            Ok(meta) => check_directory(dir, &meta),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display())),
            Err(e) => Err(format!("cannot read {}: {e}", dir.display())),
        }
    }

    pub fn kind(meta: &Metadata) -> &'static str {
        let kind = meta.file_type();
        if kind.is_dir() {
            "a directory"
        } else if kind.is_fifo() {
            "a FIFO"
        } else if kind.is_socket() {
            "a socket"
        } else if kind.is_char_device() || kind.is_block_device() {
            "a device"
        } else {
            "not a plain file"
        }
    }

    /// Whether someone other than the user (and root) owns it.
    fn foreign_owner(meta: &Metadata) -> Option<u32> {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        Some(meta.uid()).filter(|owner| *owner != me && *owner != 0)
    }

    /// Refuses a file others own or can change; gives its mode when others can read it.
    pub fn check_permissions(path: &Path, meta: &Metadata) -> Result<Option<u32>, Refusal> {
        let mode = meta.mode() & 0o777;
        if let Some(owner) = foreign_owner(meta) {
            return Err(format!(
                "{} belongs to another user (uid {owner}), who could change its base URL and collect the key; refusing to use it",
                path.display()
            ));
        }
        if mode & 0o022 != 0 {
            return Err(format!(
                "{} can be changed by other users (mode {mode:04o}), who could point its base URL elsewhere and collect the key; check it, then run `chmod 600 {}`",
                path.display(),
                path.display()
            ));
        }
        Ok(Some(mode).filter(|mode| mode & 0o044 != 0))
    }

    /// Refuses a directory above the config file's that another user owns, or that others can
    /// write without the sticky bit (which lets them rename what is in it).
    pub fn check_ancestor(dir: &Path, meta: &Metadata) -> Result<(), Refusal> {
        let mode = meta.mode() & 0o7777;
        if let Some(owner) = foreign_owner(meta) {
            return Err(format!(
                "{} belongs to another user (uid {owner}), who could replace the config file's directory in it; refusing to use it",
                dir.display()
            ));
        }
        if mode & 0o022 != 0 && mode & 0o1000 == 0 {
            return Err(format!(
                "{} can be changed by other users (mode {mode:04o}), who could replace the config file's directory in it; check it, then run `chmod go-w {}`",
                dir.display(),
                dir.display()
            ));
        }
        Ok(())
    }

    pub fn check_directory(dir: &Path, meta: &Metadata) -> Result<(), Refusal> {
        if !meta.is_dir() {
            return Err(format!("{} is not a directory", dir.display()));
        }
        let mode = meta.mode() & 0o777;
        if let Some(owner) = foreign_owner(meta) {
            return Err(format!(
                "{} belongs to another user (uid {owner}), who could replace the config file in it; refusing to use it",
                dir.display()
            ));
        }
        // Sticky directories (/tmp) still let others create names in them.
        if mode & 0o022 != 0 {
            return Err(format!(
                "{} can be changed by other users (mode {mode:04o}), who could replace the config file in it; check it, then run `chmod 700 {}`",
                dir.display(),
                dir.display()
            ));
        }
        Ok(())
    }
}

#[cfg(not(unix))]
mod platform {
    use std::fs::{File, Metadata, OpenOptions};
    use std::path::Path;

    use super::Refusal;

    pub fn open_for_reading(path: &Path) -> std::io::Result<File> {
        File::open(path)
    }

    pub fn create_exclusive(path: &Path) -> std::io::Result<File> {
        OpenOptions::new().write(true).create_new(true).open(path)
    }

    pub fn sync_directory(_dir: &Path) -> std::io::Result<()> {
        Ok(())
    }

    pub fn create_private_dir(dir: &Path) -> Result<(), Refusal> {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
    }

    pub fn kind(meta: &Metadata) -> &'static str {
        if meta.is_dir() {
            "a directory"
        } else {
            "not a plain file"
        }
    }

    pub fn check_permissions(_path: &Path, _meta: &Metadata) -> Result<Option<u32>, Refusal> {
        Ok(None)
    }

    pub fn check_ancestor(_dir: &Path, _meta: &Metadata) -> Result<(), Refusal> {
        Ok(())
    }

    pub fn check_directory(dir: &Path, meta: &Metadata) -> Result<(), Refusal> {
        match meta.is_dir() {
            true => Ok(()),
            false => Err(format!("{} is not a directory", dir.display())),
        }
    }
}

use platform::{
    check_ancestor, check_directory, check_permissions, create_exclusive, create_private_dir, kind,
    open_for_reading, sync_directory,
};

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    fn private_dir() -> (tempfile::TempDir, std::path::PathBuf) {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join(".pinarkive");
        std::fs::create_dir(&dir).unwrap();
        chmod(&dir, 0o700);
        (home, dir)
    }

    #[test]
    fn a_written_file_is_private_and_read_back() {
        let (_home, dir) = private_dir();
        let path = dir.join("config.json");
        write(&path, b"{}").unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(read(&path).unwrap(), Some(Contents { text: "{}".into(), readable_by_others: None }));
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temporary file is left");
    }

    #[test]
    fn a_missing_file_is_none() {
        let (_home, dir) = private_dir();
        assert_eq!(read(&dir.join("config.json")).unwrap(), None);
    }

    #[test]
    fn writable_by_others_is_refused_and_readable_warned() {
        let (_home, dir) = private_dir();
        let path = dir.join("config.json");
        write(&path, b"{}").unwrap();
        chmod(&path, 0o644);
        assert_eq!(read(&path).unwrap().unwrap().readable_by_others, Some(0o644));
        chmod(&path, 0o620);
        assert!(read(&path).unwrap_err().contains("can be changed by other users (mode 0620)"));
        chmod(&path, 0o600);
        chmod(&dir, 0o777);
        let refused = read(&path).unwrap_err();
        assert!(refused.contains("chmod 700"), "{refused}");
        assert!(write(&path, b"{}").unwrap_err().contains("can be changed by other users"));
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let (_home, dir) = private_dir();
        let path = dir.join("config.json");
        let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        let refused = read(&path).unwrap_err();
        assert!(refused.contains("is not a regular file (it is a FIFO)"), "{refused}");
    }
}
