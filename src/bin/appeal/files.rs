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

/// Writes a file's contents into the writer it is given.
pub type Contents<'a> = &'a dyn Fn(&mut dyn Write) -> io::Result<()>;

/// A file of `write`'s bytes, temporary beside `path`; dropped on an error,
/// it is removed.
fn written(path: &Path, write: Contents<'_>, sync: bool) -> Result<tempfile::NamedTempFile, Error> {
    let io_error = |e: io::Error| Error::io(path, e);
    let mut file = temp_beside(path)?;
    write(&mut file).map_err(io_error)?;
    if sync {
        file.as_file().sync_data().map_err(io_error)?;
    }
    Ok(file)
}

/// An empty temporary file beside `path`, to be named `path` by
/// [`persist_written`] once it is whole; dropped before, it is removed.
pub fn temp_beside(path: &Path) -> Result<tempfile::NamedTempFile, Error> {
    let io_error = |e: io::Error| Error::io(path, e);
    let dir = parent(path);
    std::fs::create_dir_all(dir).map_err(io_error)?;
    // Readable by others as a file made by any other program (umask applies), not 0600.
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    builder.tempfile_in(dir).map_err(io_error)
}

/// Names each file of [`temp_beside`] its path, once all are flushed (and
/// with `sync` on the disk): a full disk leaves none of them rather than some.
pub fn persist_written(
    files: Vec<(&Path, io::BufWriter<tempfile::NamedTempFile>)>,
    sync: bool,
) -> Result<(), Error> {
    let mut temps = Vec::with_capacity(files.len());
    for (path, file) in files {
        let io_error = |e: io::Error| Error::io(path, e);
        let file = file.into_inner().map_err(|e| io_error(e.into_error()))?;
        if sync {
            file.as_file().sync_data().map_err(io_error)?;
        }
        temps.push((path, file));
    }
    for (path, temp) in temps {
        persist(path, temp, true)?;
    }
    Ok(())
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
