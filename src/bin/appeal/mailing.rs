//! A batch into a directory that survives faults: a lock against a second
//! batch, a journal of the letters stored (with their hashes) so that an
//! interrupted batch resumes where it stopped, a stop at the first failing
//! write, and the manifest written as the letters are done, beside its
//! place, and named last, whole, or not at all.
//!
//! While a batch runs, `DIR/.appeal-batch.journal` exists; a finished batch
//! removes it after writing `manifest.csv` and `manifest.json`. A manifest
//! that exists therefore describes a finished batch: a batch started with
//! `--force` removes the old manifest before it writes anything.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use appeal::batch::{
    Artifact, BatchOptions, Contexts, CsvManifest, Entry, FileNames, FileRecord, JsonManifest,
    Sink, Summary,
};
use appeal::bundle::{Bundle, Printed};
use appeal::{Diagnostic, Error, Templates};
use indicatif::ProgressBar;
use serde::{Deserialize, Serialize};

use crate::files::{persist_written, remove_stale_temps, sync_dir, temp_beside, write_file};

/// The journal of the batch under way in a directory.
const JOURNAL: &str = ".appeal-batch.journal";

/// The manifests, written when every letter is done.
pub const MANIFESTS: [&str; 2] = ["manifest.csv", "manifest.json"];

/// How a batch treats what the directory already holds.
#[derive(Clone, Copy)]
pub struct Mode {
    /// Overwrite existing files, and start over an interrupted batch.
    pub force: bool,
    /// Finish an interrupted batch with the same inputs.
    pub resume: bool,
    /// Flush files to the disk before naming them (off only for speed
    /// tests on memory file systems).
    pub sync: bool,
}

/// The journal's first line: which batch it is.
#[derive(Serialize, Deserialize)]
struct Header {
    /// Format version of the journal.
    journal: u32,
    /// [`appeal::batch::fingerprint`] of the batch's inputs.
    fingerprint: String,
    /// How many letters the batch makes.
    letters: usize,
}

/// A journal line: one letter stored whole.
#[derive(Serialize, Deserialize)]
struct Stored {
    id: String,
    files: Vec<FileRecord>,
}

/// What a batch into a directory ended with.
pub enum Outcome {
    /// Every letter was tried; the manifest is written.
    Finished(Summary),
    /// Storing failed (a full disk, a read-only or forbidden directory):
    /// the batch stopped, no manifest is written, `--resume` finishes it.
    Stopped {
        /// What failed, as the error reads.
        fault: String,
        /// The batch so far: the letters not written have an error.
        summary: Summary,
    },
}

/// Runs a batch of `contexts` into `dir`, as `mode` says.
pub fn run<C: Contexts + ?Sized>(
    dir: &Path,
    contexts: &C,
    templates: &Templates,
    options: &BatchOptions,
    mode: Mode,
    progress: ProgressBar,
) -> Result<Outcome, Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(Diagnostic::new(
            "usage",
            format!(
                "-o {} is a file; a batch writes into a directory",
                dir.display()
            ),
        )
        .hint("give a directory that does not exist yet, or an empty one")
        .into());
    }
    let journal_path = dir.join(JOURNAL);
    if mode.resume && !journal_path.exists() {
        return Err(Diagnostic::new(
            "nothing-to-resume",
            format!("no interrupted batch in {} to resume", dir.display()),
        )
        .hint("run it without --resume")
        .into());
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let _lock = lock(dir)?;
    remove_stale_temps(dir)?;

    let fingerprint = appeal::batch::fingerprint(contexts, templates, options);
    // Read under the lock: the batch that wrote it has ended.
    let earlier = read_journal(&journal_path)?;
    let stored = match (&earlier, mode.resume) {
        (None, true) => HashMap::new(),
        (Some((header, _)), true) if header.fingerprint != fingerprint => {
            return Err(Diagnostic::new(
                "inputs-changed",
                format!(
                    "the appeal or its inputs changed since the batch in {} was interrupted",
                    dir.display()
                ),
            )
            .hint("finish it with the same appeal, registry, templates and options, or start over with --force")
            .into());
        }
        (Some((_, stored)), true) => verified(dir, stored),
        (Some((header, stored)), false) if !mode.force => {
            return Err(Diagnostic::new(
                "interrupted",
                format!(
                    "an interrupted batch left {} unfinished: {} of {} letters written",
                    dir.display(),
                    stored.len(),
                    header.letters
                ),
            )
            .hint("--resume finishes it; --force starts over")
            .into());
        }
        (_, false) => {
            start(dir, contexts, options, mode.force)?;
            HashMap::new()
        }
    };
    let journal = if mode.resume {
        File::options().append(true).open(&journal_path)
    } else {
        let header = Header {
            journal: 1,
            fingerprint,
            letters: contexts.count(),
        };
        let mut line = serde_json::to_vec(&header).expect("headers serialise");
        line.push(b'\n');
        write_file(&journal_path, &line, true, mode.sync)?;
        File::options().append(true).open(&journal_path)
    }
    .map_err(|e| Error::io(&journal_path, e))?;

    // The print bundle, beside its places like the manifests.
    let bundle_paths = appeal::bundle::FILES.map(|name| dir.join(name));
    let bundle = match &options.print {
        None => None,
        Some(print) => {
            let temps = [0, 1, 2].map(|i| temp_beside(&bundle_paths[i]).map(io::BufWriter::new));
            let [a, b, c] = temps;
            let bundle = Bundle::new([a?, b?, c?], *print, &options.pdf)
                .map_err(|e| Error::io(&bundle_paths[0], e))?;
            Some(bundle)
        }
    };
    let sink = DirSink {
        dir,
        mode,
        bundle: Mutex::new(bundle),
        journal: Mutex::new(journal),
        stored,
        fault: Mutex::new(None),
        stopped: AtomicBool::new(false),
        progress,
    };
    // The manifests, a line per letter as it is done, beside their places.
    let [csv_path, json_path] = MANIFESTS.map(|name| dir.join(name));
    let csv_file = io::BufWriter::new(temp_beside(&csv_path)?);
    let mut csv = CsvManifest::new(csv_file).map_err(|e| Error::io(&csv_path, e))?;
    let mut json = JsonManifest::new(io::BufWriter::new(temp_beside(&json_path)?));
    let mut summary = Summary::default();
    let mut each = |entry: Entry| {
        let pushed = (csv.push(&entry).map_err(|e| Error::io(&csv_path, e)))
            .and_then(|()| json.push(&entry).map_err(|e| Error::io(&json_path, e)));
        if let Err(error) = pushed {
            sink.stop(error.to_string());
        }
        summary.add(entry);
    };
    appeal::batch::run_each(contexts, templates, options, &sink, &mut each);
    sink.progress.finish_and_clear();
    if let Some(fault) = sink.fault.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Ok(Outcome::Stopped { fault, summary });
    }
    let bundle = sink.bundle.into_inner().unwrap_or_else(|e| e.into_inner());
    let (records, bundle): (Vec<FileRecord>, Vec<_>) = match bundle {
        Some(bundle) => bundle.finish()?.into_iter().unzip(),
        None => Default::default(),
    };
    let csv = csv.finish().map_err(|e| Error::io(&csv_path, e))?;
    let json = json
        .finish_with(&records)
        .map_err(|e| Error::io(&json_path, e))?;
    let mut files = vec![(csv_path.as_path(), csv), (json_path.as_path(), json)];
    files.extend(bundle_paths.iter().map(PathBuf::as_path).zip(bundle));
    finish(dir, files, mode)?;
    Ok(Outcome::Finished(summary))
}

/// Refuses a batch into a directory another batch is writing into: the
/// directory itself is locked (no lock file to leave behind), and the lock
/// goes with the process, however it ends.
fn lock(dir: &Path) -> Result<File, Error> {
    let file = File::open(dir).map_err(|e| Error::io(dir, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::io(
            dir,
            io::Error::new(
                io::ErrorKind::WouldBlock,
                "another batch is writing into this directory; wait for it to end, or choose another -o",
            ),
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(dir, e)),
    }
}

/// A fresh start: no file of this batch may exist unless `force`, and with
/// `force` the old manifests go first, so that none outlives an interrupted run.
fn start<C: Contexts + ?Sized>(
    dir: &Path,
    contexts: &C,
    options: &BatchOptions,
    force: bool,
) -> Result<(), Error> {
    // The manifests and the print bundle: each written last, whole.
    let manifests: Vec<PathBuf> = MANIFESTS
        .iter()
        .chain(options.print.iter().flat_map(|_| &appeal::bundle::FILES))
        .map(|name| dir.join(name))
        .collect();
    if force {
        for manifest in &manifests {
            match std::fs::remove_file(manifest) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    return Err(Error::io(manifest, e));
                }
                _ => {}
            }
        }
        return sync_dir(dir);
    }
    let names = FileNames::new(contexts, options);
    let targets = (0..contexts.count())
        .flat_map(|i| names.get(contexts, i))
        .map(|name| dir.join(name))
        .chain(manifests);
    let existing: Vec<PathBuf> = targets.filter(|path| path.exists()).collect();
    match existing.first() {
        None => Ok(()),
        Some(first) => {
            let what = match existing.len() {
                1 => format!("{} exists", first.display()),
                count => format!("{count} files exist, {} and others", first.display()),
            };
            Err(Diagnostic::new("exists", what)
                .hint("use --force to overwrite, or another -o")
                .into())
        }
    }
}

/// The journal at `path`, if there is one: its header and the letters it
/// lists as stored. A line cut short by a kill is left out.
fn read_journal(path: &Path) -> Result<Option<(Header, Vec<Stored>)>, Error> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    let mut lines = io::BufReader::new(file).lines();
    let header = lines
        .next()
        .and_then(|line| line.ok())
        .and_then(|line| serde_json::from_str::<Header>(&line).ok());
    let Some(header) = header else {
        // A journal without a header is one a kill cut short at its start.
        return Ok(Some((
            Header {
                journal: 1,
                fingerprint: String::new(),
                letters: 0,
            },
            Vec::new(),
        )));
    };
    let stored = lines
        .map_while(Result::ok)
        .filter_map(|line| serde_json::from_str::<Stored>(&line).ok())
        .collect();
    Ok(Some((header, stored)))
}

/// The letters of `stored` whose files are all there with the bytes the
/// journal recorded; the others are made again.
fn verified(dir: &Path, stored: &[Stored]) -> HashMap<String, Vec<FileRecord>> {
    let whole = |file: &FileRecord| {
        std::fs::read(dir.join(&file.file)).is_ok_and(|bytes| file.describes(&bytes))
    };
    stored
        .iter()
        .filter(|letter| letter.files.iter().all(whole))
        .map(|letter| (letter.id.clone(), letter.files.clone()))
        .collect()
}

/// The end of a batch: every file and name on the disk, then both
/// manifests, each whole, then the journal removed.
fn finish(
    dir: &Path,
    manifests: Vec<(&Path, io::BufWriter<tempfile::NamedTempFile>)>,
    mode: Mode,
) -> Result<(), Error> {
    if mode.sync {
        sync_dir(dir)?;
    }
    persist_written(manifests, mode.sync)?;
    let journal = dir.join(JOURNAL);
    std::fs::remove_file(&journal).map_err(|e| Error::io(&journal, e))?;
    if mode.sync {
        sync_dir(dir)?;
    }
    Ok(())
}

/// Writes a batch's files into a directory as the batch renders them, and
/// journals each letter once its files are stored.
struct DirSink<'a> {
    dir: &'a Path,
    mode: Mode,
    journal: Mutex<File>,
    /// The print bundle, if one is made.
    bundle: Mutex<Option<Bundle<io::BufWriter<tempfile::NamedTempFile>>>>,
    /// Letters an interrupted run stored, checked against their hashes.
    stored: HashMap<String, Vec<FileRecord>>,
    /// The first failed write: the batch stops there.
    fault: Mutex<Option<String>>,
    stopped: AtomicBool,
    progress: ProgressBar,
}

impl Sink for DirSink<'_> {
    fn write(&self, artifact: &Artifact<'_>) -> Result<(), Error> {
        let path = self.dir.join(artifact.file_name);
        let force = self.mode.force || self.mode.resume;
        let written = write_file(&path, artifact.bytes, force, self.mode.sync);
        if let Err(error) = &written
            && error.is_io()
        {
            self.stop(error.to_string());
        }
        written
    }

    fn done(&self, entry: &Entry) {
        self.progress.inc(1);
        if entry.error.is_some() {
            return;
        }
        let stored = Stored {
            id: entry.id.clone(),
            files: entry.files.clone(),
        };
        let mut line = serde_json::to_vec(&stored).expect("journal lines serialise");
        line.push(b'\n');
        let mut journal = self.journal.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = journal.write_all(&line) {
            self.stop(Error::io(self.dir.join(JOURNAL), e).to_string());
        }
    }

    fn stored(&self, recipient_id: &str) -> Option<Vec<FileRecord>> {
        let files = self.stored.get(recipient_id).cloned();
        if files.is_some() {
            self.progress.inc(1);
        }
        files
    }

    fn stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    fn print(&self, entry: &mut Entry, printed: Printed) {
        let mut bundle = self.bundle.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bundle) = bundle.as_mut() {
            match bundle.push(&entry.id, printed) {
                Ok(placed) => entry.print = Some(placed),
                Err(error) => self.stop(error.to_string()),
            }
        }
    }
}

impl DirSink<'_> {
    /// Stops the batch at its first fault, keeping that fault.
    fn stop(&self, fault: String) {
        self.stopped.store(true, Ordering::Relaxed);
        let mut first = self.fault.lock().unwrap_or_else(|e| e.into_inner());
        first.get_or_insert(fault);
    }
}
