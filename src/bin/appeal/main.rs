//! The `appeal` command: turns arguments into options, calls the library and
//! writes what it returns. Exit codes: 0 done, 2 bad input or usage, 1 other
//! failures; a closed pipe is not a failure.
#![allow(clippy::disallowed_methods)]

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod files;
mod mailing;
mod watch;

use appeal::batch::{BatchOptions, Discard, Format, Summary};
use appeal::bundle::PrintOptions;
use appeal::render::{
    Backend, DocxOptions, EmlOptions, Envelope, LabelSheet, Paper, PdfOptions, PdfStandard, Subset,
    TextOptions,
};
use appeal::{
    Appeal, Date, Diagnostic, Engine, Error, Letter, PostalLayout, Registry, ResolveOptions,
    SchemaFile, Templates,
};
use clap::builder::TypedValueParser;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use files::write_file;
use mailing::{Mode, Outcome};

// A batch allocates many small strings on two threads; mimalloc halves the
// time the system allocator took there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The schema `appeal init` writes beside the appeal file.
const SCHEMA_FILE: &str = "appeal.schema.json";

/// The starter appeal `appeal init` writes.
const STARTER: &str = include_str!("../../../examples/starter/appeal.toml");

/// Draft formal trade-union appeal letters from one TOML file.
#[derive(Parser)]
#[command(version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// A directory of templates (NAME/LANG.toml) that adds to or overrides the built-in ones.
    #[arg(long, global = true, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// A registry file whose entries add to or override the built-in ones:
    /// TOML ([[recipient]] entries), or CSV or JSON (by the extension, as
    /// `appeal recipients --format csv|json` writes them).
    #[arg(long, global = true, value_name = "FILE")]
    recipients: Option<PathBuf>,
    /// An incident database (TOML [[incident]] entries, or CSV) that appeals
    /// cite from with incidents = ["id", "tag:NAME"]; repeatable.
    #[arg(long, global = true, value_name = "FILE")]
    incidents: Vec<PathBuf>,
    /// How to print problems: human (file:line:col: error: message) or json (one
    /// array of diagnostics with code, severity, path and place).
    #[arg(long, global = true, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    /// Aligned columns.
    Table,
    /// Comma-separated values with a header row.
    Csv,
    /// A JSON array.
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MessageFormat {
    /// Lines for people.
    Human,
    /// JSON for programs.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Render the letters of an appeal.
    Render {
        /// The appeal file.
        appeal: PathBuf,
        #[command(flatten)]
        select: Select,
        /// Output format: txt, pdf, eml (a mail draft with the PDF attached) or
        /// docx (an editable Word document).
        #[arg(long, short, default_value = "txt")]
        format: Format,
        /// Where to write: a file, a directory (one file per letter), or - for
        /// standard output. Default: standard output for text, ID.pdf for PDF.
        #[arg(long, short, value_name = "PATH")]
        output: Option<PathBuf>,
        /// Overwrite existing files.
        #[arg(long)]
        force: bool,
        /// Wrap text at this column.
        #[arg(long, default_value_t = 72, value_name = "N")]
        width: usize,
        /// Standards PDF letters meet: archival (tagged, PDF/A-2b, PDF/UA-1)
        /// or none (untagged).
        #[arg(long, value_enum, default_value_t = StandardArg::Archival)]
        pdf_standard: StandardArg,
    },
    /// Render the letters again whenever the appeal, its signature or logo, the
    /// registry, the incident databases or the templates change.
    ///
    /// Problems are printed and watching goes on; Ctrl-C stops.
    Watch {
        /// The appeal file.
        appeal: PathBuf,
        #[command(flatten)]
        select: Select,
        /// Output format: txt, pdf, eml or docx.
        #[arg(long, short, default_value = "pdf")]
        format: Format,
        /// The directory the letters are written into (one file per letter,
        /// replaced at each change).
        #[arg(long, short, value_name = "DIR", default_value = ".")]
        output: PathBuf,
        /// Wrap text at this column.
        #[arg(long, default_value_t = 72, value_name = "N")]
        width: usize,
        /// Standards PDF letters meet: archival (tagged, PDF/A-2b, PDF/UA-1)
        /// or none (untagged).
        #[arg(long, value_enum, default_value_t = StandardArg::Archival)]
        pdf_standard: StandardArg,
    },
    /// Prepare a mailing: every letter, in parallel, with a manifest.
    ///
    /// One file per recipient and format in DIR, named from the recipient id,
    /// and manifest.csv and manifest.json listing them with sizes and SHA-256.
    Batch {
        /// The appeal file.
        appeal: PathBuf,
        #[command(flatten)]
        select: Select,
        /// The output directory.
        #[arg(long, short, value_name = "DIR")]
        output: PathBuf,
        /// Formats, comma-separated: txt, pdf, eml, docx.
        #[arg(long, short, value_delimiter = ',', default_value = "pdf")]
        format: Vec<Format>,
        /// Print what would be written and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Overwrite existing files, and start over a batch that was interrupted.
        #[arg(long, conflicts_with = "resume")]
        force: bool,
        /// Finish a batch that was interrupted (killed, disk full) with the
        /// same appeal and inputs: only the letters missing are made.
        #[arg(long)]
        resume: bool,
        /// Do not flush each file to the disk before naming it: several
        /// times faster on a real disk; after a power cut, --resume still
        /// finds (by their hashes) and remakes the files it emptied.
        #[arg(long)]
        no_sync: bool,
        /// Worker threads; default one per core.
        #[arg(long, short, default_value_t = 0, value_name = "N")]
        jobs: usize,
        /// Also write the print bundle of a postal mailing (with -f pdf):
        /// print.pdf (every letter, each from a right-hand page, for duplex
        /// printing), envelopes.pdf and labels.pdf.
        #[arg(long)]
        print: bool,
        /// The envelopes of --print: dl (220 × 110 mm), c5, c4 or us10.
        #[arg(long, value_parser = parse_envelope, default_value = "dl", requires = "print")]
        envelope: Envelope,
        /// The label sheet of --print: 3x7 (A4, 70 × 42.3 mm), 3x8 (A4,
        /// 70 × 37 mm) or avery5160 (US Letter, 3 × 10).
        #[arg(long, value_parser = parse_labels, default_value = "3x7", requires = "print")]
        labels: LabelSheet,
        /// Standards PDF letters meet: archival (tagged, PDF/A-2b, PDF/UA-1)
        /// or none (untagged).
        #[arg(long, value_enum, default_value_t = StandardArg::Archival)]
        pdf_standard: StandardArg,
    },
    /// Check an appeal: load, resolve and compose every letter, write nothing.
    Check {
        /// The appeal file.
        appeal: PathBuf,
        #[command(flatten)]
        select: Select,
        /// How to print the result: human, or json (same as --message-format json).
        #[arg(long, value_enum)]
        format: Option<MessageFormat>,
    },
    /// List the incidents of the databases given with --incidents.
    Incidents {
        /// Only incidents with this tag.
        #[arg(long)]
        tag: Option<String>,
        /// Only incidents on or after this date (YYYY-MM-DD).
        #[arg(long, value_parser = parse_date)]
        from: Option<Date>,
        /// Only incidents on or before this date (YYYY-MM-DD).
        #[arg(long, value_parser = parse_date)]
        to: Option<Date>,
        /// Output: a table for people, csv or json for programs.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// List the recipient registry.
    ///
    /// As csv or json it is a registry file again: edit it in a spreadsheet
    /// and give it back with --recipients FILE.csv.
    Recipients {
        /// Only entries with this tag.
        #[arg(long)]
        tag: Option<String>,
        /// Output: a table for people; csv (every key a column, title.ru for
        /// a value per language) or json for spreadsheets and programs.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// List the letter templates.
    Templates,
    /// Print the JSON Schema (draft 2020-12) of a data file, for editors:
    /// taplo and Even Better TOML check and complete a file whose first line
    /// is `#:schema PATH` (`appeal init` writes one).
    Schema {
        /// Which file: appeal, registry or incidents.
        #[arg(value_enum, default_value_t = SchemaArg::Appeal)]
        file: SchemaArg,
    },
    /// Print a shell completion script: `appeal completions bash > /etc/bash_completion.d/appeal`.
    Completions {
        /// The shell: bash, zsh, fish, powershell or elvish.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `appeal man > appeal.1; man ./appeal.1`.
    Man,
    /// Write a commented starter appeal file.
    Init {
        /// Where to write it.
        #[arg(default_value = "appeal.toml")]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

/// Which letters, dated when.
#[derive(clap::Args)]
struct Select {
    /// Write only to these recipients (ids or tag:NAME) instead of the appeal's list.
    #[arg(long, value_name = "ID")]
    to: Vec<String>,
    /// Date of letters whose appeal gives none (YYYY-MM-DD); default today.
    #[arg(long, value_parser = parse_date)]
    date: Option<Date>,
    /// Write every letter in this language (en, ru, be, fr, es) instead of the appeal's.
    #[arg(long, value_name = "CODE")]
    language: Option<String>,
    /// Lay out every letter's first page for this window envelope instead of
    /// the appeal's layout: din5008b (the default on A4), din5008a, sn010130
    /// (Swiss, the window on the right) or us10 (the default on Letter).
    #[arg(long, value_parser = layout_names(), value_name = "LAYOUT")]
    layout: Option<PostalLayout>,
    /// Paper size of PDF letters: a4 or letter. It gives the window layout
    /// where none is chosen.
    #[arg(long, value_enum, default_value_t = PaperArg::A4)]
    paper: PaperArg,
}

/// The names of the window-envelope layouts, for clap.
fn layout_names() -> impl TypedValueParser<Value = PostalLayout> {
    let names = PostalLayout::ALL.map(PostalLayout::name);
    clap::builder::PossibleValuesParser::new(names)
        .map(|name| name.parse().expect("one of the names"))
}

#[derive(Clone, Copy, ValueEnum)]
enum SchemaArg {
    /// An appeal file.
    Appeal,
    /// A recipient registry (--recipients).
    Registry,
    /// An incident database (--incidents).
    Incidents,
}

#[derive(Clone, Copy, ValueEnum)]
enum PaperArg {
    /// ISO A4.
    A4,
    /// US Letter.
    Letter,
}

#[derive(Clone, Copy, ValueEnum)]
enum StandardArg {
    /// Tagged for screen readers, PDF/A-2b and PDF/UA-1.
    Archival,
    /// Untagged.
    None,
}

impl From<StandardArg> for PdfStandard {
    fn from(standard: StandardArg) -> PdfStandard {
        match standard {
            StandardArg::Archival => PdfStandard::Archival,
            StandardArg::None => PdfStandard::None,
        }
    }
}

impl From<&PaperArg> for Paper {
    fn from(paper: &PaperArg) -> Paper {
        match paper {
            PaperArg::A4 => Paper::A4,
            PaperArg::Letter => Paper::Letter,
        }
    }
}

fn parse_envelope(text: &str) -> Result<Envelope, String> {
    named(&Envelope::ALL, text)
}

fn parse_labels(text: &str) -> Result<LabelSheet, String> {
    named(&LabelSheet::ALL, text)
}

/// The value named `text` among `named`, or what the names are.
fn named<T: Copy>(named: &[(T, &str)], text: &str) -> Result<T, String> {
    let found = named
        .iter()
        .find(|(_, name)| name.eq_ignore_ascii_case(text));
    found.map(|(value, _)| *value).ok_or_else(|| {
        let names: Vec<&str> = named.iter().map(|(_, name)| *name).collect();
        format!("choose one of {}", names.join(", "))
    })
}

fn parse_date(text: &str) -> Result<Date, String> {
    text.parse()
}

fn main() -> ExitCode {
    let mut cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(error),
    };
    if let Command::Check {
        format: Some(format),
        ..
    } = cli.command
    {
        cli.message_format = format;
    }
    let json = cli.message_format == MessageFormat::Json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            let code = if error.is_invalid() { 2 } else { 1 };
            if json {
                let diagnostics = error.into_diagnostics();
                let json = serde_json::json!({ "ok": false, "diagnostics": diagnostics });
                println!("{json:#}");
            } else {
                eprintln!("{error}");
            }
            ExitCode::from(code)
        }
    }
}

/// A command line clap refused: its own message for people; with
/// `--message-format json` anywhere in it, a JSON diagnostic for programs.
fn usage_error(error: clap::Error) -> ExitCode {
    let wants_json = {
        let args: Vec<String> = std::env::args().collect();
        args.windows(2)
            .any(|pair| pair[0] == "--message-format" && pair[1] == "json")
            || args.iter().any(|arg| arg == "--message-format=json")
    };
    if !wants_json || !error.use_stderr() {
        error.exit();
    }
    let detail = error.to_string();
    let detail = detail
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ");
    let diagnostic = Diagnostic::new("usage", detail.to_owned())
        .hint("`appeal --help` lists the commands and their options");
    let json = serde_json::json!({ "ok": false, "diagnostics": [diagnostic] });
    println!("{json:#}");
    ExitCode::from(2)
}

fn is_broken_pipe(error: &Error) -> bool {
    match error.kind() {
        appeal::ErrorKind::Io { source, .. } => source.kind() == io::ErrorKind::BrokenPipe,
        _ => false,
    }
}

fn run(cli: Cli) -> Result<(), Error> {
    match &cli.command {
        Command::Render {
            appeal,
            select,
            format,
            output,
            force,
            width,
            pdf_standard,
        } => {
            let letters = letters(&cli, appeal, select)?;
            let backend = backend(*format, *width, &select.paper, *pdf_standard);
            write_letters(
                &letters,
                *format,
                backend.as_ref(),
                output.as_deref(),
                *force,
            )
        }
        Command::Watch {
            appeal,
            select,
            format,
            output,
            width,
            pdf_standard,
        } => {
            let backend = backend(*format, *width, &select.paper, *pdf_standard);
            let render = || {
                let letters = letters(&cli, appeal, select)?;
                std::fs::create_dir_all(output).map_err(|e| Error::io(output, e))?;
                write_letters(&letters, *format, backend.as_ref(), Some(output), true)?;
                Ok(letters.len())
            };
            let inputs = || watch::Inputs {
                files: [appeal.clone()]
                    .into_iter()
                    .chain(signature_files(appeal))
                    .chain(cli.recipients.clone())
                    .chain(cli.incidents.iter().cloned())
                    .collect(),
                trees: cli.templates.iter().cloned().collect(),
            };
            watch::run(&inputs, &render)
        }
        Command::Batch {
            appeal,
            select,
            output,
            format,
            dry_run,
            force,
            resume,
            no_sync,
            jobs,
            print,
            envelope,
            labels,
            pdf_standard,
        } => {
            let print = print.then_some(PrintOptions {
                envelope: *envelope,
                labels: *labels,
            });
            let options = BatchOptions {
                print,
                formats: format.clone(),
                pdf: PdfOptions {
                    paper: (&select.paper).into(),
                    subset: Subset::Shared,
                    standard: (*pdf_standard).into(),
                    ..PdfOptions::default()
                },
                jobs: *jobs,
                ..BatchOptions::default()
            };
            let mode = Mode {
                force: *force,
                resume: *resume,
                sync: !*no_sync,
            };
            batch(&cli, appeal, select, output, &options, *dry_run, mode)
        }
        Command::Check { appeal, select, .. } => {
            let (loaded, options) = load(appeal, select)?;
            let checked = engine(&cli)?.check(&loaded, &options)?;
            if cli.message_format == MessageFormat::Json {
                let json = serde_json::json!({
                    "ok": true,
                    "letters": checked.letters,
                    "diagnostics": checked.notes,
                });
                return stdout(format!("{json:#}\n"));
            }
            if !checked.notes.is_empty() {
                eprintln!("{}", checked.notes);
            }
            let ids = checked.letters;
            let noun = if ids.len() == 1 { "letter" } else { "letters" };
            stdout(format!(
                "{}: ok, {} {noun}: {}\n",
                appeal.display(),
                ids.len(),
                ids.join(", ")
            ))
        }
        Command::Incidents {
            tag,
            from,
            to,
            format,
        } => {
            let databases = incidents(&cli)?;
            let listed: Vec<&appeal::Incident> = databases
                .iter()
                .filter(|i| tag.as_ref().is_none_or(|tag| i.tags.contains(tag)))
                .filter(|i| from.is_none_or(|from| i.date.is_some_and(|d| d >= from)))
                .filter(|i| to.is_none_or(|to| i.date.is_some_and(|d| d <= to)))
                .collect();
            stdout(list_incidents(&listed, *format))
        }
        Command::Recipients { tag, format } => {
            let registry = registry(&cli)?;
            let mut recipients: Vec<&appeal::Recipient> = registry
                .iter()
                .filter(|r| tag.as_ref().is_none_or(|tag| r.tags.contains(tag)))
                .collect();
            match format {
                // Registry order, so that a file read back overrides alike.
                ListFormat::Csv => return stdout(Registry::to_csv(recipients)?),
                ListFormat::Json => {
                    let json =
                        serde_json::to_string_pretty(&recipients).expect("recipients serialise");
                    return stdout(json + "\n");
                }
                ListFormat::Table => {}
            }
            let mut out = String::new();
            recipients.sort_unstable_by(|a, b| a.id.cmp(&b.id));
            for recipient in recipients {
                let id = &recipient.id;
                let language = recipient.language.as_deref().unwrap_or_default();
                let own: Vec<appeal::Language> =
                    appeal::Language::from_code(language).into_iter().collect();
                let who = [
                    &recipient.title,
                    &recipient.organisation,
                    &recipient.country,
                ]
                .map(|text| text.as_ref().and_then(|t| t.best(&own)).map(String::as_str));
                let who: Vec<&str> = who.into_iter().flatten().collect();
                out.push_str(&format!(
                    "{id:<16} {language:<3} {:<28} {}\n",
                    recipient.tags.join(","),
                    who.join(", ")
                ));
            }
            stdout(out)
        }
        Command::Templates => {
            let templates = templates(&cli)?;
            let mut out = String::new();
            for info in templates.iter() {
                let languages: Vec<&str> = info.languages.iter().map(|l| l.code()).collect();
                out.push_str(&format!(
                    "{:<18} {:<14} {}\n",
                    info.name,
                    languages.join(","),
                    info.description
                ));
            }
            stdout(out)
        }
        Command::Schema { file } => {
            let file = match file {
                SchemaArg::Appeal => SchemaFile::Appeal,
                SchemaArg::Registry => SchemaFile::Registry,
                SchemaArg::Incidents => SchemaFile::Incidents,
            };
            let schema = appeal::schema(file, &templates(&cli)?);
            stdout(format!("{schema:#}\n"))
        }
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "appeal", &mut out);
            stdout(out)
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .map_err(|e| Error::io("<stdout>", e))?;
            stdout(out)
        }
        Command::Init { path, force } => {
            // The schema beside the appeal, named on its first line for
            // taplo (Even Better TOML): checks and completion as one types.
            let schema_path = path.with_file_name(SCHEMA_FILE);
            let schema = appeal::schema(SchemaFile::Appeal, &templates(&cli)?);
            let starter = format!("#:schema ./{SCHEMA_FILE}\n{STARTER}");
            // Neither file is overwritten without --force, and neither is
            // written where the other would be refused.
            if let Some(existing) = [path.as_path(), schema_path.as_path()]
                .into_iter()
                .find(|file| !force && file.exists())
            {
                let exists = Diagnostic::new("exists", format!("{} exists", existing.display()));
                return Err(exists.hint("use --force to overwrite").into());
            }
            write_file(&schema_path, format!("{schema:#}\n").as_bytes(), true, true)?;
            write_file(path, starter.as_bytes(), *force, true)?;
            eprintln!(
                "wrote {} and {}; edit it, then run: appeal check {}",
                path.display(),
                schema_path.display(),
                path.display()
            );
            Ok(())
        }
    }
}

/// The backend of `format`, text wrapped at `width`, PDFs on `paper`
/// meeting `standard`.
fn backend(
    format: Format,
    width: usize,
    paper: &PaperArg,
    standard: StandardArg,
) -> Box<dyn Backend> {
    let pdf = PdfOptions {
        paper: paper.into(),
        standard: standard.into(),
        ..PdfOptions::default()
    };
    match format {
        Format::Txt => Box::new(TextOptions { width }),
        Format::Pdf => Box::new(pdf),
        Format::Eml => Box::new(EmlOptions {
            text: TextOptions { width },
            pdf,
        }),
        Format::Docx => Box::new(DocxOptions {
            paper: paper.into(),
        }),
    }
}

/// The signature images and the logo the appeal at `path` names, if it can be read.
fn signature_files(path: &Path) -> Vec<PathBuf> {
    let Ok(source) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let Ok(appeal) = Appeal::parse(appeal::Source::new(path.display().to_string(), source)) else {
        return Vec::new();
    };
    let dir = path.parent().unwrap_or(Path::new(""));
    appeal
        .signatory
        .iter()
        .filter_map(|signatory| signatory.signature.as_ref())
        .chain(&appeal.sender.logo)
        .map(|file| dir.join(file))
        .collect()
}

fn templates(cli: &Cli) -> Result<Templates, Error> {
    match &cli.templates {
        Some(dir) => Templates::from_dir(dir),
        None => Ok(Templates::builtin()),
    }
}

fn registry(cli: &Cli) -> Result<Registry, Error> {
    let mut registry = Registry::builtin();
    if let Some(path) = &cli.recipients {
        registry.extend(Registry::open(path)?);
    }
    Ok(registry)
}

/// The appeal at `path` and the options to resolve it with.
fn load(path: &Path, select: &Select) -> Result<(Appeal, ResolveOptions), Error> {
    let appeal = Appeal::open(path)?;
    let today = select.date.unwrap_or_else(|| {
        let today = jiff::Zoned::now().date();
        Date::new(today.year(), today.month() as u8, today.day() as u8)
            .expect("jiff gives real dates")
    });
    Ok((
        appeal,
        ResolveOptions {
            today: Some(today),
            to: select.to.clone(),
            language: select.language.clone(),
            layout: select.layout,
            paper: Some((&select.paper).into()),
        },
    ))
}

fn engine(cli: &Cli) -> Result<Engine, Error> {
    Ok(Engine::new(templates(cli)?, registry(cli)?).with_incidents(incidents(cli)?))
}

/// The incident databases given with --incidents; every problem of every file.
fn incidents(cli: &Cli) -> Result<appeal::Incidents, Error> {
    let mut all = appeal::Incidents::default();
    let mut diagnostics = Vec::new();
    for path in &cli.incidents {
        let added = appeal::Incidents::open(path).and_then(|database| all.extend(database));
        match added {
            Ok(()) => {}
            Err(error) if error.is_invalid() => diagnostics.extend(error.into_diagnostics()),
            Err(error) => return Err(error),
        }
    }
    match diagnostics.is_empty() {
        true => Ok(all),
        false => Err(Error::invalid(diagnostics)),
    }
}

/// Incidents as `appeal incidents` lists them: id, date, place, kind, tags
/// and the summary's first line.
fn list_incidents(incidents: &[&appeal::Incident], format: ListFormat) -> String {
    // A value given per language is listed in its first language.
    let text = |value: &appeal::Localized<String>| match value {
        appeal::Localized::Same(text) => text.clone(),
        appeal::Localized::PerLanguage(texts) => texts.values().next().cloned().unwrap_or_default(),
    };
    let rows: Vec<[String; 6]> = incidents
        .iter()
        .map(|i| {
            let summary = text(&i.summary);
            let summary = summary.lines().next().unwrap_or_default().to_owned();
            [
                i.id.clone(),
                i.date.map(|d| d.to_string()).unwrap_or_default(),
                i.place.as_ref().map(text).unwrap_or_default(),
                i.kind.clone().unwrap_or_default(),
                i.tags.join(";"),
                summary,
            ]
        })
        .collect();
    const HEADER: [&str; 6] = ["id", "date", "place", "kind", "tags", "summary"];
    match format {
        ListFormat::Json => {
            let rows: Vec<serde_json::Value> = rows
                .iter()
                .map(|row| {
                    serde_json::Value::Object(
                        HEADER
                            .iter()
                            .map(|h| h.to_string())
                            .zip(row.iter().map(|c| c.clone().into()))
                            .collect(),
                    )
                })
                .collect();
            format!("{:#}\n", serde_json::Value::Array(rows))
        }
        ListFormat::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record(HEADER).expect("writing to memory");
            for row in rows {
                writer.write_record(row).expect("writing to memory");
            }
            String::from_utf8(writer.into_inner().expect("writing to memory"))
                .expect("UTF-8 in, UTF-8 out")
        }
        ListFormat::Table => {
            let mut out = String::new();
            for row in rows {
                let summary: String = row[5].chars().take(60).collect();
                out.push_str(&format!(
                    "{:<24} {:<10} {:<14} {:<22} {:<22} {summary}\n",
                    row[0], row[1], row[2], row[3], row[4]
                ));
            }
            out
        }
    }
}

fn letters(cli: &Cli, path: &Path, select: &Select) -> Result<Vec<Letter>, Error> {
    let (appeal, options) = load(path, select)?;
    Ok(engine(cli)?.letters_with(&appeal, &options)?)
}

fn batch(
    cli: &Cli,
    path: &Path,
    select: &Select,
    dir: &Path,
    options: &BatchOptions,
    dry_run: bool,
    mode: Mode,
) -> Result<(), Error> {
    let started = std::time::Instant::now();
    let json = cli.message_format == MessageFormat::Json;
    let (appeal, resolve_options) = load(path, select)?;
    let engine = engine(cli)?;
    let templates = engine.templates();
    let mailing = engine.mailing(&appeal, &resolve_options)?;
    appeal::batch::preflight(&mailing, options)?;
    let manifests = mailing::MANIFESTS.map(|name| dir.join(name));
    if dry_run {
        // Each letter's line as it is done: a large mailing's listing is not held whole.
        let names = appeal::batch::FileNames::new(&mailing, options);
        let mut out = io::BufWriter::new(io::stdout().lock());
        let mut written = Ok(());
        let mut summary = Summary::default();
        let mut i = 0;
        let mut each = |entry: appeal::batch::Entry| {
            let files: Vec<String> = names
                .get(&mailing, i)
                .iter()
                .map(|name| dir.join(name).display().to_string())
                .collect();
            i += 1;
            let line = match entry.error_line() {
                None => format!("{} ({}): {}\n", entry.id, entry.language, files.join(", ")),
                Some(error) => format!("{}: would fail: {error}\n", entry.id),
            };
            if written.is_ok() {
                written = out.write_all(line.as_bytes());
            }
            summary.add(entry);
        };
        appeal::batch::run_each(&mailing, templates, options, &Discard::default(), &mut each);
        let bundle = options.print.iter().flat_map(|_| appeal::bundle::FILES);
        for manifest in manifests
            .iter()
            .cloned()
            .chain(bundle.map(|name| dir.join(name)))
        {
            if written.is_ok() {
                written = writeln!(out, "{}", manifest.display());
            }
        }
        written
            .and_then(|()| out.flush())
            .map_err(|e| Error::io("<stdout>", e))?;
        return finish(&summary, started, true, json);
    }
    let progress = if io::stderr().is_terminal() {
        let style =
            ProgressStyle::with_template("{bar:40} {pos}/{len} letters, {elapsed} ({eta} left)")
                .expect("valid progress template");
        ProgressBar::new(mailing.len() as u64).with_style(style)
    } else {
        ProgressBar::hidden()
    };
    match mailing::run(dir, &mailing, templates, options, mode, progress)? {
        Outcome::Finished(summary) => finish(&summary, started, false, json),
        Outcome::Stopped { fault, summary } => {
            let unwritten: Vec<&str> = summary
                .failed
                .iter()
                .map(|entry| entry.id.as_str())
                .collect();
            eprintln!("{fault}");
            // The first few: a long mailing would fill the screen.
            const SHOWN: usize = 20;
            let more = match unwritten.len().saturating_sub(SHOWN) {
                0 => String::new(),
                more => format!(" and {more} more"),
            };
            eprintln!(
                "not written: {}{more}",
                unwritten[..unwritten.len().min(SHOWN)].join(", ")
            );
            Err(Error::io(
                dir,
                io::Error::other(format!(
                    "the batch stopped: {} of {} letters not written; fix the fault, then run the same command with --resume",
                    unwritten.len(),
                    summary.letters
                )),
            ))
        }
    }
}

/// Reports failed letters and the totals; an error if any letter failed.
fn finish(
    summary: &Summary,
    started: std::time::Instant,
    dry_run: bool,
    json: bool,
) -> Result<(), Error> {
    let failed = &summary.failed;
    // Each failed letter's problems: one line each for people, whole
    // diagnostics (prefixed with the letter) for programs.
    let mut diagnostics = Vec::new();
    for entry in failed {
        if json {
            for mut diagnostic in entry.error.clone().unwrap_or_default() {
                diagnostic.message = format!("letter to {}: {}", entry.id, diagnostic.message);
                diagnostics.push(diagnostic);
            }
        } else {
            eprintln!(
                "error: letter to {}: {}",
                entry.id,
                entry.error_line().unwrap_or_default()
            );
        }
    }
    let (files, bytes) = (summary.files, summary.bytes);
    let drafted = summary.letters - failed.len();
    let verb = if dry_run { "would draft" } else { "drafted" };
    let noun = if drafted == 1 { "letter" } else { "letters" };
    eprintln!(
        "{verb} {drafted} {noun}: {files} files, {} KB, in {:.2} s; {} skipped",
        bytes.div_ceil(1024),
        started.elapsed().as_secs_f64(),
        failed.len()
    );
    if failed.is_empty() {
        return Ok(());
    }
    diagnostics.push(Diagnostic::new(
        "letters-failed",
        format!("{} of {} letters failed", failed.len(), summary.letters),
    ));
    Err(Error::invalid(diagnostics))
}

/// Writes every letter where `output` says; checks every target before writing any.
fn write_letters(
    letters: &[Letter],
    format: Format,
    backend: &dyn Backend,
    output: Option<&Path>,
    force: bool,
) -> Result<(), Error> {
    // Text goes to the terminal by default; PDFs and mail drafts to files.
    let binary = format != Format::Txt;
    let to_stdout = match output {
        Some(path) => path == Path::new("-"),
        None => !binary,
    };
    if to_stdout {
        if binary && letters.len() > 1 {
            return Err(Diagnostic::new(
                "usage",
                format!(
                    "{} letters cannot go to standard output as one file",
                    letters.len()
                ),
            )
            .hint("give a directory: -o letters/, or one recipient: --to ID")
            .into());
        }
        let mut out = Vec::new();
        for (i, letter) in letters.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(b"\n\x0c\n");
            }
            out.extend(backend.render(letter)?);
        }
        return stdout(out);
    }
    let ids = letters.iter().map(|l| l.recipient_id.as_str());
    let names = appeal::file_names(ids, backend.extension());
    let targets: Vec<PathBuf> = match output {
        Some(path) if path.is_dir() || path.to_string_lossy().ends_with('/') => {
            names.iter().map(|name| path.join(name)).collect()
        }
        Some(path) if letters.len() == 1 => vec![path.to_owned()],
        Some(path) => {
            return Err(Diagnostic::new(
                "usage",
                format!(
                    "{} letters to write but -o names one file, {}",
                    letters.len(),
                    path.display()
                ),
            )
            .hint("give a directory (-o letters/) or one recipient (--to ID)")
            .into());
        }
        None => names.into_iter().map(PathBuf::from).collect(),
    };
    if !force && let Some(existing) = targets.iter().find(|path| path.exists()) {
        return Err(
            Diagnostic::new("exists", format!("{} exists", existing.display()))
                .hint("use --force to overwrite")
                .into(),
        );
    }
    for (letter, target) in letters.iter().zip(&targets) {
        write_file(target, &backend.render(letter)?, force, true)?;
        eprintln!("wrote {}", target.display());
    }
    Ok(())
}

fn stdout(bytes: impl AsRef<[u8]>) -> Result<(), Error> {
    let mut out = io::stdout().lock();
    out.write_all(bytes.as_ref())
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("<stdout>", e))
}
