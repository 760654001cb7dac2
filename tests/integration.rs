//! Integration tests, compiled into one binary.
#![allow(clippy::disallowed_methods)] // tests set up and inspect files

mod bad_inputs;
mod batch;
mod bundle;
mod cli;
mod docx;
mod engine;
mod evidence;
mod faults;
mod fonts;
mod fuzz;
mod golden;
mod pdf;
mod postal;
mod properties;
mod schema;
mod scripts;
mod shipped;
mod spreadsheets;
mod tagged;
mod watch;

use std::path::{Path, PathBuf};

/// A path under the package root.
pub fn root(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The `appeal` binary, run from `dir`, with a fixed date.
pub fn appeal_in(dir: &Path) -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("appeal").expect("binary built");
    command.current_dir(dir);
    command
}

/// The letters of an appeal given as text, with the built-in registry and templates.
pub fn letters_of(name: &str, text: String) -> Vec<appeal::Letter> {
    let appeal = appeal::Appeal::parse(appeal::Source::new(name, text)).unwrap();
    appeal::Engine::builtin()
        .letters(&appeal)
        .unwrap_or_else(|error| panic!("{name}: {error}"))
}

/// Whitespace folded to single spaces.
pub fn fold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text with its typography undone, to compare output with sources typed
/// plainly: every quote and apostrophe `"`, a run of dashes or hyphens one
/// `-`, whitespace (no-break spaces too) folded to single spaces.
pub fn plainly(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in fold(text).chars() {
        match c {
            '\'' | '“' | '”' | '„' | '«' | '»' | '‘' | '’' => out.push('"'),
            '-' | '–' | '—' if out.ends_with('-') => {}
            '–' | '—' => out.push('-'),
            c => out.push(c),
        }
    }
    out
}
