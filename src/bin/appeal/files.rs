//! Writing files whole: a temporary file beside the target, flushed to the
//! disk, then renamed; a crash or a full disk leaves the old file or none,
//! never half of one.

use std::io::{self, Write};
use std::path::Path;

use appeal::{Diagnostic, Error};

/// What the temporary files of this program start with, so that a later run
/// can remove those a killed one left, and only those.
pub const TEMP_PREFIX: &str = ".appeal-tmp-";

/// Writes `bytes` to `path` atomically; an existing file is an error unless
/// `force`. With `sync`, the data reaches the disk before the rename, so the
/// name never points at a file a power cut emptied.
pub fn write_file(path: &Path, bytes: &[u8], force: bool, sync: bool) -> Result<(), Error> {
    let write = |out: &mut dyn Write| out.write_all(bytes);
    persist(path, written(path, &write, sync)?, force)
}

/// Writes several files, each whole: all are written beside their targets
/// first, and named only when every one of them could be, so that a full
/// disk leaves none of them rather than some.
///
/// Each file's bytes are written by its function as they are made, so that
/// a large file (a manifest of a million letters) is never held whole.
pub fn write_files(files: &[(&Path, Contents<'_>)], sync: bool) -> Result<(), Error> {
    let mut temps = Vec::with_capacity(files.len());
    for (path, write) in files {
        temps.push(written(path, *write, sync)?);
    }
    for ((path, _), temp) in files.iter().zip(temps) {
        persist(path, temp, true)?;
    }
    Ok(())
}

/// Writes a file's contents into the writer it is given.
pub type Contents<'a> = &'a dyn Fn(&mut dyn Write) -> io::Result<()>;

/// A file of `write`'s bytes, temporary beside `path`; dropped on an error,
/// it is removed.
fn written(path: &Path, write: Contents<'_>, sync: bool) -> Result<tempfile::NamedTempFile, Error> {
    let io_error = |e: io::Error| Error::io(path, e);
    let dir = parent(path);
    std::fs::create_dir_all(dir).map_err(io_error)?;
    // Readable by others as a file made by any other program (umask applies), not 0600.
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut file = builder.tempfile_in(dir).map_err(io_error)?;
    write(&mut file).map_err(io_error)?;
    if sync {
        file.as_file().sync_data().map_err(io_error)?;
    }
    Ok(file)
}

/// Names a written temporary file `path`.
fn persist(path: &Path, file: tempfile::NamedTempFile, force: bool) -> Result<(), Error> {
    let io_error = |e: io::Error| Error::io(path, e);
    let persisted = if force {
        file.persist(path).map(drop)
    } else {
        file.persist_noclobber(path).map(drop)
    };
    persisted.map_err(|e| {
        if e.error.kind() == io::ErrorKind::AlreadyExists {
            Error::from(
                Diagnostic::new("exists", format!("{} exists", path.display()))
                    .hint("use --force to overwrite"),
            )
        } else {
            io_error(e.error)
        }
    })
}

/// Flushes a directory's entries (names made, renamed, removed) to the disk.
pub fn sync_dir(dir: &Path) -> Result<(), Error> {
    std::fs::File::open(dir)
        .and_then(|dir| dir.sync_all())
        .map_err(|e| Error::io(dir, e))
}

/// Removes the temporary files a killed run of this program left in `dir`.
pub fn remove_stale_temps(dir: &Path) -> Result<usize, Error> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let ours = path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.starts_with(TEMP_PREFIX));
        if ours && path.is_file() {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// The directory a file is in; `.` for a bare name.
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}
