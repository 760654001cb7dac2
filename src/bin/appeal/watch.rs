//! `appeal watch`: the letters rendered again whenever an input changes (the
//! appeal, its signature images, the registry, the incident databases, the
//! templates), so that an officer sees the PDF follow the text as they edit.
//!
//! Directories are watched rather than files: editors save by writing a new
//! file and renaming it over the old one, which a watch on the file itself
//! would lose. Events are collected until the inputs have been quiet for
//! 200 ms (an editor's save is several events; a `git checkout` many).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use appeal::{Diagnostic, Error};
use notify::{RecursiveMode, Watcher};

/// How long the inputs must be quiet before the letters are made again.
const QUIET: Duration = Duration::from_millis(200);

/// The longest a render waits for quiet, so that a file written without end
/// still shows.
const MOST: Duration = Duration::from_secs(2);

/// What `appeal watch` watches.
pub struct Inputs {
    /// Files, each watched through its directory.
    pub files: Vec<PathBuf>,
    /// Directories watched with everything under them (templates).
    pub trees: Vec<PathBuf>,
}

/// Renders with `render` now and after every change of the inputs that
/// `inputs` names (asked again before each render, since the appeal may name
/// another signature); a failed render is printed, and watching goes on.
/// Returns only if watching itself fails.
pub fn run(
    inputs: &dyn Fn() -> Inputs,
    render: &dyn Fn() -> Result<usize, Error>,
) -> Result<(), Error> {
    let (sender, events) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(sender).map_err(watch_error)?;
    let mut watched = BTreeSet::new();
    loop {
        let inputs = inputs();
        let files: BTreeSet<PathBuf> = inputs.files.iter().map(|f| absolute(f)).collect();
        let trees: Vec<PathBuf> = inputs.trees.iter().map(|t| absolute(t)).collect();
        for (dir, mode) in files
            .iter()
            .filter_map(|file| file.parent())
            .map(|dir| (dir.to_owned(), RecursiveMode::NonRecursive))
            .chain(trees.iter().map(|t| (t.clone(), RecursiveMode::Recursive)))
        {
            if dir.is_dir() && watched.insert((dir.clone(), mode == RecursiveMode::Recursive)) {
                watcher.watch(&dir, mode).map_err(watch_error)?;
            }
        }
        // Watched before rendering: a change saved while the letters are
        // made waits in the channel and makes them again.
        let started = Instant::now();
        match render() {
            Ok(letters) => eprintln!(
                "rendered {letters} {} in {} ms; watching for changes (Ctrl-C stops)",
                if letters == 1 { "letter" } else { "letters" },
                started.elapsed().as_millis()
            ),
            Err(error) => {
                eprintln!("{error}");
                eprintln!("watching for changes (Ctrl-C stops)");
            }
        }
        // Reading a file (this program's own reads too) is no change.
        let concerns =
            |event: &notify::Event| {
                !event.kind.is_access()
                    && event.paths.iter().map(|path| absolute(path)).any(|path| {
                        files.contains(&path) || trees.iter().any(|t| path.starts_with(t))
                    })
            };
        wait_for_change(&events, &concerns)?;
    }
}

/// Blocks until an event `concerns` the inputs, then until they are quiet.
fn wait_for_change(
    events: &mpsc::Receiver<notify::Result<notify::Event>>,
    concerns: &dyn Fn(&notify::Event) -> bool,
) -> Result<(), Error> {
    let closed = || watch_error(notify::Error::generic("the watcher stopped"));
    loop {
        let event = events.recv().map_err(|_| closed())?;
        if event.as_ref().is_ok_and(|e| !concerns(e)) {
            continue;
        }
        let started = Instant::now();
        loop {
            let left = MOST.saturating_sub(started.elapsed());
            match events.recv_timeout(QUIET.min(left)) {
                Ok(_) if !left.is_zero() => continue,
                Ok(_) | Err(mpsc::RecvTimeoutError::Timeout) => return Ok(()),
                Err(mpsc::RecvTimeoutError::Disconnected) => return Err(closed()),
            }
        }
    }
}

/// `path` as the watcher reports it: absolute, its directory's links resolved.
fn absolute(path: &Path) -> PathBuf {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => dir.canonicalize().map(|dir| dir.join(name)).unwrap_or(path),
        _ => path,
    }
}

fn watch_error(error: notify::Error) -> Error {
    Error::from(
        Diagnostic::new("watch", format!("cannot watch the inputs: {error}"))
            .hint("on Linux, raise fs.inotify.max_user_watches; or render by hand"),
    )
}
