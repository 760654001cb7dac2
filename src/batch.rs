//! Batch: one appeal to many recipients. Letters are composed and rendered
//! in parallel (rayon) and handed, one file at a time, to a [`Sink`] that
//! stores them. With a [`Mailing`], each letter's context is resolved when
//! its turn comes, a few hundred at a time, and [`run_each`] hands each
//! manifest line on as it is made (the manifests are written as they go,
//! [`CsvManifest`], [`JsonManifest`]): memory stays flat however many
//! letters there are. A letter that fails is reported with its recipient
//! and the others go on.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasherDefault, DefaultHasher, Hasher};
use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::appeal::Logo;
use crate::bundle::{Placed, PrintOptions, Printed};
use crate::compose::compose;
use crate::error::{Diagnostic, Diagnostics, Error};
use crate::render::{DocxOptions, PdfOptions, Subset, TextOptions, docx, draft, pdf, text};
use crate::resolve::{Context, Mailing};
use crate::table;
use crate::templates::Templates;

/// An output format of a batch.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain text.
    Txt,
    /// Typeset PDF.
    Pdf,
    /// Mail draft with the PDF attached.
    Eml,
    /// Editable Word document.
    Docx,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 4] = [Format::Txt, Format::Pdf, Format::Eml, Format::Docx];

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Txt => "txt",
            Format::Pdf => "pdf",
            Format::Eml => "eml",
            Format::Docx => "docx",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Format, String> {
        Format::ALL
            .into_iter()
            .find(|format| format.extension() == text)
            .ok_or_else(|| format!("unknown format \"{text}\"; formats: txt, pdf, eml, docx"))
    }
}

/// How to run a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchOptions {
    /// The files to make for each letter.
    pub formats: Vec<Format>,
    /// Text rendering.
    pub text: TextOptions,
    /// PDF rendering (also for the attachment of mail drafts); by default
    /// with [`Subset::Shared`] fonts, made once for the whole batch.
    pub pdf: PdfOptions,
    /// Worker threads; 0 uses one per core.
    pub jobs: usize,
    /// The print bundle of a postal mailing (with PDF letters): each
    /// letter's pages, envelope and label go to [`Sink::print`].
    pub print: Option<PrintOptions>,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            formats: vec![Format::Pdf],
            text: TextOptions::default(),
            pdf: PdfOptions {
                subset: Subset::Shared,
                ..PdfOptions::default()
            },
            jobs: 0,
            print: None,
        }
    }
}

/// One rendered file, on its way to the sink.
#[derive(Debug)]
pub struct Artifact<'a> {
    /// Whose letter it is.
    pub recipient_id: &'a str,
    /// Its format.
    pub format: Format,
    /// The file name to use: safe, unique within the batch.
    pub file_name: &'a str,
    /// The content.
    pub bytes: &'a [u8],
}

/// Where a batch puts its files: a directory, an archive, a test's memory.
pub trait Sink: Sync {
    /// Stores one file. It may be called from several threads at once.
    fn write(&self, artifact: &Artifact<'_>) -> Result<(), Error>;

    /// Called once a letter is done, stored or failed (for progress, and for
    /// a journal that lets an interrupted batch resume).
    fn done(&self, _entry: &Entry) {}

    /// The files of a letter stored whole by an earlier, interrupted run of
    /// the same batch: the letter is not rendered again.
    fn stored(&self, _recipient_id: &str) -> Option<Vec<FileRecord>> {
        None
    }

    /// True once storing cannot go on (a full disk, a read-only or
    /// forbidden directory): the letters not yet rendered are skipped, each
    /// reported as not written.
    fn stopped(&self) -> bool {
        false
    }

    /// Takes a letter's part of the print bundle (with
    /// [`BatchOptions::print`]), one letter at a time in the order of the
    /// letters, and records in `entry` where it went.
    fn print(&self, _entry: &mut Entry, _printed: Printed) {}
}

/// A file in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct FileRecord {
    /// Format.
    pub format: Format,
    /// File name in the output directory.
    pub file: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

impl FileRecord {
    /// True if `bytes` are the file this record describes (size and SHA-256).
    pub fn describes(&self, bytes: &[u8]) -> bool {
        bytes.len() as u64 == self.bytes && hex(&Sha256::digest(bytes)) == self.sha256
    }
}

/// One recipient's line in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Entry {
    /// Recipient id.
    pub id: String,
    /// The person addressed, if named.
    pub name: Option<String>,
    /// The organisation addressed.
    pub organisation: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Postal address lines, country last.
    pub address: Vec<String>,
    /// Language of the letter.
    pub language: String,
    /// The files written.
    pub files: Vec<FileRecord>,
    /// True where protected people are named by initials (a letter to an authority).
    pub redacted: bool,
    /// Why the letter failed, if it did.
    pub error: Option<Diagnostics>,
    /// Where the letter is in the print bundle, if there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub print: Option<Placed>,
}

impl Entry {
    /// Why the letter failed, on one line: messages and hints joined by "; ".
    pub fn error_line(&self) -> Option<String> {
        let diagnostics = self.error.as_ref()?;
        let parts = diagnostics.iter().flat_map(|d| {
            std::iter::once(d.message.clone())
                .chain(d.hints.iter().map(|hint| format!("hint: {hint}")))
        });
        Some(parts.collect::<Vec<_>>().join("; "))
    }
}

/// What a batch did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// One entry per recipient, in the order of the appeal.
    pub letters: Vec<Entry>,
}

impl Report {
    /// Letters that failed.
    pub fn failed(&self) -> impl Iterator<Item = &Entry> {
        self.letters.iter().filter(|entry| entry.error.is_some())
    }

    /// Files written and their total size in bytes.
    pub fn totals(&self) -> (usize, u64) {
        let files = self.letters.iter().flat_map(|e| &e.files);
        files.fold((0, 0), |(count, bytes), file| {
            (count + 1, bytes + file.bytes)
        })
    }

    /// What the report comes to: letters, files, bytes, the letters that failed.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for entry in &self.letters {
            summary.add(entry.clone());
        }
        summary
    }

    /// The manifest as JSON.
    pub fn to_json(&self) -> Vec<u8> {
        let mut json = Vec::new();
        self.write_json(&mut json).expect("writing to memory");
        json
    }

    /// Writes the manifest as JSON to `out`, as it goes.
    pub fn write_json(&self, out: impl Write) -> io::Result<()> {
        let mut manifest = JsonManifest::new(io::BufWriter::new(out));
        for entry in &self.letters {
            manifest.push(entry)?;
        }
        manifest.finish()?.flush()
    }

    /// The manifest as CSV: one row per file (failed letters have one row
    /// without a file); address lines joined with " / ".
    pub fn to_csv(&self) -> Vec<u8> {
        let mut csv = Vec::new();
        self.write_csv(&mut csv).expect("writing to memory");
        csv
    }

    /// Writes the manifest as CSV to `out`, as it goes.
    pub fn write_csv(&self, out: impl Write) -> io::Result<()> {
        let mut manifest = CsvManifest::new(out)?;
        for entry in &self.letters {
            manifest.push(entry)?;
        }
        manifest.finish().map(drop)
    }
}

/// What a batch came to, kept as its letters are done: counts, and the
/// letters that failed (the others are in the manifests).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// Letters tried.
    pub letters: usize,
    /// Files written.
    pub files: usize,
    /// Their total size in bytes.
    pub bytes: u64,
    /// The letters that failed, in order.
    pub failed: Vec<Entry>,
}

impl Summary {
    /// Counts `entry`, keeping it if its letter failed.
    pub fn add(&mut self, entry: Entry) {
        self.letters += 1;
        self.files += entry.files.len();
        self.bytes += entry.files.iter().map(|file| file.bytes).sum::<u64>();
        if entry.error.is_some() {
            self.failed.push(entry);
        }
    }
}

/// The CSV manifest of a batch, written a letter at a time: one row per
/// file (failed letters have one row without a file); address lines joined
/// with " / ".
pub struct CsvManifest<W: Write> {
    writer: csv::Writer<W>,
}

impl<W: Write> CsvManifest<W> {
    /// A manifest into `out`, its header written.
    pub fn new(out: W) -> io::Result<Self> {
        let mut writer = csv::Writer::from_writer(out);
        let header = [
            "id",
            "name",
            "organisation",
            "email",
            "address",
            "language",
            "format",
            "file",
            "bytes",
            "sha256",
            "redacted",
            "error",
        ];
        writer.write_record(header)?;
        Ok(CsvManifest { writer })
    }

    /// Writes the rows of `entry`.
    pub fn push(&mut self, entry: &Entry) -> io::Result<()> {
        let writer = &mut self.writer;
        let fixed = [
            entry.id.clone(),
            entry.name.clone().unwrap_or_default(),
            entry.organisation.clone().unwrap_or_default(),
            entry.email.clone().unwrap_or_default(),
            entry.address.join(" / "),
            entry.language.clone(),
        ]
        .map(|cell| table::inert(&cell));
        let error = table::inert(&entry.error_line().unwrap_or_default());
        let redacted = if entry.redacted { "yes" } else { "no" }.to_owned();
        if entry.files.is_empty() {
            let row = fixed.iter().cloned().chain([
                "".into(),
                "".into(),
                "".into(),
                "".into(),
                redacted.clone(),
                error.clone(),
            ]);
            writer.write_record(row.collect::<Vec<_>>())?;
        }
        for file in &entry.files {
            let own = [
                file.format.to_string(),
                file.file.clone(),
                file.bytes.to_string(),
                file.sha256.clone(),
                redacted.clone(),
                error.clone(),
            ];
            writer.write_record(fixed.iter().chain(&own))?;
        }
        Ok(())
    }

    /// Flushes the manifest and gives back its writer.
    pub fn finish(self) -> io::Result<W> {
        self.writer.into_inner().map_err(|e| e.into_error())
    }
}

/// The JSON manifest of a batch (`{"letters": [...]}`, as [`Report`]
/// serialises), written a letter at a time.
pub struct JsonManifest<W: Write> {
    out: W,
    letters: usize,
}

impl<W: Write> JsonManifest<W> {
    /// A manifest into `out`.
    pub fn new(out: W) -> Self {
        JsonManifest { out, letters: 0 }
    }

    /// Writes `entry`.
    pub fn push(&mut self, entry: &Entry) -> io::Result<()> {
        let start: &[u8] = match self.letters {
            0 => b"{\n  \"letters\": [\n",
            _ => b",\n",
        };
        self.out.write_all(start)?;
        let json = serde_json::to_string_pretty(entry).map_err(io::Error::other)?;
        // Lines of JSON text: a string's line breaks are escaped.
        for (i, line) in json.lines().enumerate() {
            if i > 0 {
                self.out.write_all(b"\n")?;
            }
            self.out.write_all(b"    ")?;
            self.out.write_all(line.as_bytes())?;
        }
        self.letters += 1;
        Ok(())
    }

    /// Ends the manifest and gives back its writer.
    pub fn finish(self) -> io::Result<W> {
        self.finish_with(&[])
    }

    /// Ends the manifest with the files of the print bundle (under
    /// `"bundle"`, after the letters) and gives back its writer.
    pub fn finish_with(mut self, bundle: &[FileRecord]) -> io::Result<W> {
        let end: &[u8] = match self.letters {
            0 => b"{\n  \"letters\": []",
            _ => b"\n  ]",
        };
        self.out.write_all(end)?;
        if !bundle.is_empty() {
            let json = serde_json::to_string_pretty(bundle).map_err(io::Error::other)?;
            self.out.write_all(b",\n  \"bundle\": ")?;
            self.out.write_all(json.replace('\n', "\n  ").as_bytes())?;
        }
        self.out.write_all(b"\n}\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// The letters of a batch: contexts resolved already (a slice), or a
/// [`Mailing`] that resolves each when it is needed.
pub trait Contexts: Sync {
    /// How many letters.
    fn count(&self) -> usize;
    /// The recipient id of letter `i`.
    fn id(&self, i: usize) -> &str;
    /// The context of letter `i`.
    fn context(&self, i: usize) -> Cow<'_, Context>;
}

impl Contexts for [Context] {
    fn count(&self) -> usize {
        self.len()
    }
    fn id(&self, i: usize) -> &str {
        &self[i].recipient.id
    }
    fn context(&self, i: usize) -> Cow<'_, Context> {
        Cow::Borrowed(&self[i])
    }
}

impl Contexts for Vec<Context> {
    fn count(&self) -> usize {
        self.len()
    }
    fn id(&self, i: usize) -> &str {
        &self[i].recipient.id
    }
    fn context(&self, i: usize) -> Cow<'_, Context> {
        Cow::Borrowed(&self[i])
    }
}

impl Contexts for Mailing<'_> {
    fn count(&self) -> usize {
        self.len()
    }
    fn id(&self, i: usize) -> &str {
        Mailing::id(self, i)
    }
    fn context(&self, i: usize) -> Cow<'_, Context> {
        Cow::Owned(Mailing::context(self, i))
    }
}

/// How many letters a batch has in hand at once (resolved, rendered or
/// waiting to be reported in order): enough to keep every core busy, few
/// enough that memory does not grow with the mailing.
pub const CHUNK: usize = 256;

/// The file names of a batch's letters, as [`crate::file_stems`] makes
/// them (unique ignoring case), without a name kept per letter: only the
/// few that a suffix makes unique are kept.
#[derive(Debug, Clone)]
pub struct FileNames {
    renamed: HashMap<usize, String>,
    extensions: Vec<&'static str>,
}

impl FileNames {
    /// The names of the letters of `contexts` in `options.formats`.
    pub fn new<C: Contexts + ?Sized>(contexts: &C, options: &BatchOptions) -> FileNames {
        // The names taken, by a hash of their lower case: two names alike
        // have one hash, so names stay unique; two different names whose
        // hashes are equal (not to be expected below billions of letters)
        // would give one of them a suffix it did not need.
        type Fixed = BuildHasherDefault<DefaultHasher>;
        let mut taken: HashSet<u64, Fixed> = HashSet::default();
        taken.reserve(contexts.count());
        let hash = |name: &str| {
            let mut hasher = DefaultHasher::new();
            for c in name.chars().flat_map(char::to_lowercase) {
                hasher.write_u32(c as u32);
            }
            hasher.finish()
        };
        let mut renamed = HashMap::new();
        for i in 0..contexts.count() {
            let stem = crate::names::stem(contexts.id(i));
            let mut unique = stem.clone();
            let mut n = 2;
            while !taken.insert(hash(&unique)) {
                unique = format!("{stem}-{n}");
                n += 1;
            }
            if unique != stem {
                renamed.insert(i, unique);
            }
        }
        FileNames {
            renamed,
            extensions: options.formats.iter().map(|f| f.extension()).collect(),
        }
    }

    /// The names of letter `i` of `contexts` (the contexts these names
    /// were made for), one per format.
    pub fn get<C: Contexts + ?Sized>(&self, contexts: &C, i: usize) -> Vec<String> {
        let stem = match self.renamed.get(&i) {
            Some(stem) => stem.clone(),
            None => crate::names::stem(contexts.id(i)),
        };
        self.extensions
            .iter()
            .map(|extension| format!("{stem}.{extension}"))
            .collect()
    }
}

/// The file names a batch gives each recipient's letters, by format:
/// `names[i][j]` for context `i` and `options.formats[j]`.
pub fn file_names<C: Contexts + ?Sized>(contexts: &C, options: &BatchOptions) -> Vec<Vec<String>> {
    let names = FileNames::new(contexts, options);
    (0..contexts.count())
        .map(|i| names.get(contexts, i))
        .collect()
}

/// Composes and renders every context's letter in every format, in
/// parallel, handing each file to `sink`.
///
/// Failures are per letter: the report says which and why. The report
/// holds a line per letter; [`run_each`] keeps none.
pub fn run<C: Contexts + ?Sized>(
    contexts: &C,
    templates: &Templates,
    options: &BatchOptions,
    sink: &dyn Sink,
) -> Report {
    let mut letters = Vec::with_capacity(contexts.count());
    run_each(contexts, templates, options, sink, &mut |entry| {
        letters.push(entry)
    });
    Report { letters }
}

/// Composes and renders every context's letter in every format, in
/// parallel, handing each file to `sink` and each letter's manifest line
/// to `each`, in the order of the contexts.
///
/// The letters are made [`CHUNK`] at a time: a [`Mailing`]'s contexts are
/// resolved as their turn comes and dropped once their files are stored.
pub fn run_each<C: Contexts + ?Sized>(
    contexts: &C,
    templates: &Templates,
    options: &BatchOptions,
    sink: &dyn Sink,
    each: &mut dyn FnMut(Entry),
) {
    let names = FileNames::new(contexts, options);
    let one = |i: usize| {
        let context = contexts.context(i);
        let mut entry = entry(&context);
        if let Some(files) = sink.stored(&entry.id) {
            entry.files = files;
            // A resumed batch makes its whole bundle again.
            let printed = options.print.as_ref().and_then(|print| {
                let printed = compose(&context, templates)
                    .and_then(|letter| Printed::new(&letter, print, &options.pdf));
                printed
                    .map_err(|e| entry.error = Some(e.into_diagnostics()))
                    .ok()
            });
            return (entry, printed);
        }
        if sink.stopped() {
            entry.error = Some(
                Diagnostic::new(
                    "not-written",
                    "not written: the batch stopped when storing a file failed",
                )
                .into(),
            );
            return (entry, None);
        }
        let names = names.get(contexts, i);
        let printed = letter(&mut entry, &context, templates, options, &names, sink);
        sink.done(&entry);
        (entry, printed)
    };
    let pool = match options.jobs {
        0 => None,
        jobs => rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build()
            .ok(),
    };
    let count = contexts.count();
    for start in (0..count).step_by(CHUNK) {
        let chunk = start..(start + CHUNK).min(count);
        let work = || chunk.into_par_iter().map(one).collect::<Vec<_>>();
        let entries = match &pool {
            Some(pool) => pool.install(work),
            None => work(),
        };
        for (mut entry, printed) in entries {
            if let Some(printed) = printed {
                sink.print(&mut entry, printed);
            }
            each(entry);
        }
    }
}

/// The manifest line of a context, before its letter is made.
fn entry(context: &Context) -> Entry {
    let recipient = &context.recipient;
    let mut address = recipient.address.clone();
    address.extend(recipient.country.clone());
    Entry {
        id: recipient.id.clone(),
        name: recipient.name.clone(),
        organisation: recipient.organisation.clone(),
        email: recipient.email.clone(),
        address,
        language: context.language.code().to_owned(),
        files: Vec::new(),
        redacted: context.redact,
        error: None,
        print: None,
    }
}

/// Makes and stores one letter's files, recording them (or why not) in
/// `entry`; gives its part of the print bundle, if one is made.
fn letter(
    entry: &mut Entry,
    context: &Context,
    templates: &Templates,
    options: &BatchOptions,
    names: &[String],
    sink: &dyn Sink,
) -> Option<Printed> {
    let recipient = &context.recipient;
    // Render every format before storing any, so that a letter that fails
    // leaves no files behind.
    // Text and PDF are rendered once each, also when a mail draft holds them.
    let mut printed = None;
    let rendered = compose(context, templates).and_then(|letter| {
        let mut body: Option<String> = None;
        let mut attachment: Option<Vec<u8>> = None;
        let mut outputs = Vec::with_capacity(options.formats.len());
        for format in &options.formats {
            if matches!(format, Format::Txt | Format::Eml) && body.is_none() {
                body = Some(text(&letter, &options.text));
            }
            if matches!(format, Format::Pdf | Format::Eml) && attachment.is_none() {
                attachment = Some(pdf(&letter, &options.pdf)?);
            }
            let (body, attachment) = (
                body.as_deref().unwrap_or_default(),
                attachment.as_deref().unwrap_or_default(),
            );
            outputs.push(match format {
                Format::Txt => body.as_bytes().to_vec(),
                Format::Pdf => attachment.to_vec(),
                Format::Eml => draft(&letter, body, attachment)?,
                Format::Docx => {
                    let paper = options.pdf.paper;
                    docx(&letter, &DocxOptions { paper })?
                }
            });
        }
        if let Some(print) = &options.print {
            printed = Some(Printed::new(&letter, print, &options.pdf)?);
        }
        Ok(outputs)
    });
    let stored = rendered.and_then(|outputs| {
        for ((format, name), bytes) in options.formats.iter().zip(names).zip(outputs) {
            sink.write(&Artifact {
                recipient_id: &recipient.id,
                format: *format,
                file_name: name,
                bytes: &bytes,
            })?;
            let sha256 = hex(&Sha256::digest(&bytes));
            entry.files.push(FileRecord {
                format: *format,
                file: name.clone(),
                bytes: bytes.len() as u64,
                sha256,
            });
        }
        Ok(())
    });
    match stored {
        Ok(()) => printed,
        Err(error) => {
            entry.error = Some(error.into_diagnostics());
            None
        }
    }
}

/// A fingerprint of everything a batch's files are made from: the resolved
/// letters (with the appeal's body and signature), the templates, the
/// options and this version of the crate. An interrupted batch resumes only
/// when it is unchanged.
pub fn fingerprint<C: Contexts + ?Sized>(
    contexts: &C,
    templates: &Templates,
    options: &BatchOptions,
) -> String {
    let mut hasher = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    field(env!("CARGO_PKG_VERSION").as_bytes());
    let settings = (
        &options.formats,
        &options.text,
        options.pdf.paper,
        options.pdf.subset,
        options.pdf.standard,
        options.print,
    );
    field(format!("{settings:?}").as_bytes());
    for (key, text) in templates.texts() {
        field(key.as_bytes());
        field(text.as_bytes());
    }
    // Contexts are resolved and serialised in parallel, a chunk at a time,
    // and hashed in order.
    let count = contexts.count();
    for start in (0..count).step_by(CHUNK) {
        let made: Vec<_> = (start..(start + CHUNK).min(count))
            .into_par_iter()
            .map(|i| {
                let context = contexts.context(i);
                let json = serde_json::to_vec(&*context).expect("contexts serialise");
                let images: Vec<_> = context
                    .signatories
                    .iter()
                    .map(|s| s.image.clone())
                    .collect();
                // The logo's bytes are not in the JSON (only its file name).
                let logo = context.sender.logo_image.clone();
                (json, context.body.clone(), images, logo)
            })
            .collect();
        for (json, body, images, logo) in &made {
            field(json);
            field(body.as_ref().map_or(&[][..], |body| body.text.as_bytes()));
            for image in images {
                field(image.as_deref().map_or(&[][..], Vec::as_slice));
            }
            match logo {
                None => field(b"no logo"),
                Some(Logo::Png(bytes)) => {
                    field(b"png");
                    field(bytes);
                }
                Some(Logo::Svg(bytes)) => {
                    field(b"svg");
                    field(bytes);
                }
            }
        }
    }
    hex(&hasher.finalize())
}

/// Bytes as lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Problems that would fail every letter of a batch, found before any is
/// rendered: mail drafts need the sender's e-mail address; a print bundle
/// needs PDF letters.
pub fn preflight<C: Contexts + ?Sized>(contexts: &C, options: &BatchOptions) -> Result<(), Error> {
    if options.print.is_some() && !options.formats.contains(&Format::Pdf) {
        return Err(Diagnostic::new(
            "usage",
            "a print bundle (--print) is made of the PDF letters, and pdf is not among the formats",
        )
        .hint("add pdf to --format, e.g. -f pdf --print")
        .into());
    }
    let needs_sender = options.formats.contains(&Format::Eml);
    match (contexts.count() > 0).then(|| contexts.context(0)) {
        Some(context) if needs_sender && context.sender.email.is_none() => Err(Diagnostic::new(
            "no-email",
            "mail drafts (eml) need the sender's e-mail address",
        )
        .hint("add email = \"…\" under [sender], or leave eml out of --format")
        .into()),
        _ => Ok(()),
    }
}

/// A sink that stores nothing: for dry runs and benchmarks.
#[derive(Debug, Default)]
pub struct Discard {
    /// Files offered.
    pub files: AtomicUsize,
}

impl Sink for Discard {
    fn write(&self, _: &Artifact<'_>) -> Result<(), Error> {
        self.files.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::{Appeal, Engine, ResolveOptions, Source};

    fn appeal(n: usize) -> Appeal {
        let recipients: String = (0..n)
            .map(|i| format!("[[recipient]]\nid = \"r{i:03}\"\norganisation = \"Union {i}\"\ntags = [\"all\"]\n"))
            .collect();
        let text = format!(
            "template = \"solidarity-appeal\"\nlanguage = \"en\"\ndate = 2021-04-19\nrecipients = [\"tag:all\"]\n\
             demands = [\"speak up\"]\n[sender]\norganisation = \"U\"\n[signatory]\nname = \"S\"\n{recipients}"
        );
        Appeal::parse(Source::new("a.toml", text)).unwrap()
    }

    fn contexts(n: usize) -> (Engine, Vec<Context>) {
        let engine = Engine::builtin();
        let contexts = engine
            .resolve(&appeal(n), &ResolveOptions::default())
            .unwrap();
        (engine, contexts)
    }

    // See: #14 (memory in proportion to one letter, not the mailing).
    #[test]
    fn a_mailing_makes_each_context_when_its_letter_is_made() {
        let engine = Engine::builtin();
        let appeal = appeal(3 * CHUNK + 5);
        let options = ResolveOptions::default();
        let mailing = engine.mailing(&appeal, &options).unwrap();
        assert_eq!(mailing.made(), 0);
        let mut each = mailing.contexts();
        assert_eq!(each.next().unwrap().recipient.id, "r000");
        assert_eq!(mailing.made(), 1);
        assert_eq!(each.next().unwrap().recipient.id, "r001");
        assert_eq!(mailing.made(), 2);
        drop(each);

        /// Counts the files written, and checks that no more letters
        /// were resolved than are in hand.
        struct Watch<'m> {
            mailing: &'m Mailing<'m>,
            written: AtomicUsize,
        }
        impl Sink for Watch<'_> {
            fn write(&self, _: &Artifact<'_>) -> Result<(), Error> {
                let written = self.written.fetch_add(1, Ordering::SeqCst) + 1;
                let made = self.mailing.made();
                assert!(
                    made <= written + CHUNK + 2,
                    "{made} made, {written} written"
                );
                Ok(())
            }
        }
        let mailing = engine.mailing(&appeal, &options).unwrap();
        let sink = Watch {
            mailing: &mailing,
            written: AtomicUsize::new(0),
        };
        let batch = BatchOptions {
            formats: vec![Format::Txt],
            ..BatchOptions::default()
        };
        let mut ids = Vec::new();
        run_each(&mailing, engine.templates(), &batch, &sink, &mut |entry| {
            ids.push(entry.id)
        });
        assert_eq!(sink.written.load(Ordering::SeqCst), 3 * CHUNK + 5);
        assert_eq!(mailing.made(), 3 * CHUNK + 5);
        // In the order of the appeal, whatever thread made them.
        assert!(
            ids.iter().map(|id| &id[1..]).eq((0..3 * CHUNK + 5)
                .map(|i| format!("{i:03}"))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str))
        );
    }

    #[test]
    fn a_mailing_resolves_as_resolve_does() {
        let engine = Engine::builtin();
        let appeal = appeal(7);
        let options = ResolveOptions::default();
        let mailing = engine.mailing(&appeal, &options).unwrap();
        let contexts = engine.resolve(&appeal, &options).unwrap();
        let batch = BatchOptions::default();
        assert_eq!(
            fingerprint(&mailing, engine.templates(), &batch),
            fingerprint(&contexts, engine.templates(), &batch)
        );
        assert_eq!(file_names(&mailing, &batch), file_names(&contexts, &batch));
    }

    #[test]
    fn file_names_are_those_of_file_stems() {
        let ids = ["ilo-dg", "A", "a", "a-2", "x..y", "x_y", "x_y-2", "B.b"];
        let mut contexts = contexts(1).1;
        let first = contexts.remove(0);
        let contexts: Vec<Context> = ids
            .iter()
            .map(|id| {
                let mut context = first.clone();
                context.recipient.id = (*id).to_owned();
                context
            })
            .collect();
        let options = BatchOptions {
            formats: vec![Format::Txt],
            ..BatchOptions::default()
        };
        let expected: Vec<Vec<String>> = crate::file_names(ids, "txt")
            .into_iter()
            .map(|name| vec![name])
            .collect();
        assert_eq!(file_names(&contexts, &options), expected);
    }

    #[test]
    fn manifests_written_as_they_go_are_the_report_serialised() {
        let (engine, contexts) = contexts(3);
        let options = BatchOptions {
            formats: vec![Format::Txt, Format::Pdf],
            ..BatchOptions::default()
        };
        let mut report = run(&contexts, engine.templates(), &options, &Discard::default());
        report.letters[1].error = Some(Diagnostic::new("x", "failed\non two lines").into());
        let mut whole = serde_json::to_vec_pretty(&report).unwrap();
        whole.push(b'\n');
        assert_eq!(
            String::from_utf8(report.to_json()).unwrap(),
            String::from_utf8(whole).unwrap()
        );
        let empty = Report {
            letters: Vec::new(),
        };
        let mut whole = serde_json::to_vec_pretty(&empty).unwrap();
        whole.push(b'\n');
        assert_eq!(empty.to_json(), whole);
        let summary = report.summary();
        assert_eq!((summary.letters, summary.failed.len()), (3, 1));
        assert_eq!((summary.files, summary.bytes), report.totals());
    }

    /// A disk that fills after `room` files.
    struct FullDisk {
        room: AtomicUsize,
        full: AtomicBool,
        written: AtomicUsize,
    }

    impl Sink for FullDisk {
        fn write(&self, _: &Artifact<'_>) -> Result<(), Error> {
            if self.room.fetch_sub(1, Ordering::SeqCst) == 0 {
                self.full.store(true, Ordering::SeqCst);
                let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
                return Err(Error::io("out/x.txt", full));
            }
            self.written.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }

        fn stopped(&self) -> bool {
            self.full.load(Ordering::SeqCst)
        }
    }

    #[test]
    fn a_full_disk_stops_the_batch_and_every_letter_is_accounted_for() {
        let (engine, contexts) = contexts(20);
        let options = BatchOptions {
            formats: vec![Format::Txt],
            jobs: 1,
            ..BatchOptions::default()
        };
        let sink = FullDisk {
            room: AtomicUsize::new(5),
            full: AtomicBool::new(false),
            written: AtomicUsize::new(0),
        };
        let report = run(&contexts, engine.templates(), &options, &sink);
        assert_eq!(report.letters.len(), 20);
        let written: Vec<&Entry> = report
            .letters
            .iter()
            .filter(|e| e.error.is_none())
            .collect();
        assert_eq!(written.len(), 5);
        assert_eq!(sink.written.load(Ordering::SeqCst), 5);
        let codes: Vec<&str> = report
            .failed()
            .map(|e| e.error.as_ref().unwrap()[0].code)
            .collect();
        // The write that failed, then every letter after it skipped unrendered.
        assert_eq!(codes[0], "io");
        assert!(
            codes[1..].iter().all(|code| *code == "not-written"),
            "{codes:?}"
        );
        assert_eq!(codes.len(), 15);
    }

    #[test]
    fn letters_stored_before_are_not_made_again() {
        struct Resumed(AtomicUsize);
        impl Sink for Resumed {
            fn write(&self, _: &Artifact<'_>) -> Result<(), Error> {
                self.0.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
            fn stored(&self, id: &str) -> Option<Vec<FileRecord>> {
                (id < "r002").then(|| {
                    vec![FileRecord {
                        format: Format::Txt,
                        file: format!("{id}.txt"),
                        bytes: 1,
                        sha256: "00".into(),
                    }]
                })
            }
        }
        let (engine, contexts) = contexts(4);
        let options = BatchOptions {
            formats: vec![Format::Txt],
            ..BatchOptions::default()
        };
        let sink = Resumed(AtomicUsize::new(0));
        let report = run(&contexts, engine.templates(), &options, &sink);
        assert_eq!(sink.0.load(Ordering::SeqCst), 2);
        assert_eq!(report.letters[0].files[0].sha256, "00");
        assert_eq!(report.letters[3].files[0].file, "r003.txt");
    }

    #[test]
    fn the_fingerprint_follows_every_input() {
        let (engine, contexts) = contexts(2);
        let options = BatchOptions::default();
        let base = fingerprint(&contexts, engine.templates(), &options);
        assert_eq!(base, fingerprint(&contexts, engine.templates(), &options));
        let mut other = contexts.clone();
        other[1].demands = vec!["speak louder".into()];
        assert_ne!(base, fingerprint(&other, engine.templates(), &options));
        let pdf_and_text = BatchOptions {
            formats: vec![Format::Pdf, Format::Txt],
            ..BatchOptions::default()
        };
        assert_ne!(
            base,
            fingerprint(&contexts, engine.templates(), &pdf_and_text)
        );
        // The logo's bytes (not only its file name) and the PDF standard.
        let mut red = contexts.clone();
        let mut blue = contexts.clone();
        for (context, fill) in red
            .iter_mut()
            .map(|c| (c, "red"))
            .chain(blue.iter_mut().map(|c| (c, "blue")))
        {
            let svg = format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 1"><rect width="2" height="1" fill="{fill}"/></svg>"#
            );
            context.sender.logo = Some("logo.svg".into());
            context.sender.logo_image = Some(Logo::Svg(std::sync::Arc::new(svg.into_bytes())));
        }
        assert_ne!(
            fingerprint(&red, engine.templates(), &options),
            fingerprint(&blue, engine.templates(), &options)
        );
        let mut untagged = BatchOptions::default();
        untagged.pdf.standard = crate::render::PdfStandard::None;
        assert_ne!(base, fingerprint(&contexts, engine.templates(), &untagged));
    }
}
