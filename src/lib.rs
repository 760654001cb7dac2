//! `appeal` drafts formal appeal letters for trade unions: one TOML file
//! (sender, recipients, the incidents to cite, the demands) and a template
//! give one letter per recipient, as plain text, a typeset PDF or a mail draft.
//!
//! The pipeline has one module per stage and data flows one way:
//!
//! | stage | in | out |
//! |---|---|---|
//! | load ([`Appeal::open`], [`Registry::builtin`]) | TOML files | [`Appeal`], [`Registry`] |
//! | [`resolve()`] | appeal, registry, [`Templates`] | one [`Context`] per recipient |
//! | [`compose()`] | context, templates | [`Letter`] |
//! | [`render`] | letter | bytes |
//!
//! Only loading reads files; the date of a letter is an input
//! ([`ResolveOptions::today`]), never read from the clock.
//!
//! ```
//! use appeal::{Appeal, Registry, ResolveOptions, Source, Templates, render};
//!
//! let appeal = Appeal::parse(Source::new("appeal.toml", r#"
//!     template = "ilo-intervention"
//!     date = 2021-03-01
//!     place = "Geneva"
//!     subject = "Stop repression against independent trade unions in Belarus"
//!     recipients = ["ilo-dg"]
//!     demands = ["stop the interference in trade union affairs", "end repression"]
//!     [sender]
//!     organisation = "IndustriALL Global Union"
//!     [signatory]
//!     name = "Valter Sanchez"
//!     title = "General Secretary"
//! "#))?;
//! let templates = Templates::builtin();
//! let letters = appeal::letters(&appeal, &Registry::builtin(), &templates, &ResolveOptions::default())?;
//! let text = render::text(&letters[0], &render::TextOptions::default());
//! assert!(text.contains("Geneva, 01 March 2021"));
//! assert!(text.contains("Dear Mr. Houngbo,"));
//! let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
//! assert!(words.contains("to stop the interference in trade union affairs, and end repression."));
//! # Ok::<(), appeal::Error>(())
//! ```

mod appeal;
pub mod batch;
mod compose;
mod error;
mod helpers;
mod lang;
mod letter;
mod load;
mod markdown;
mod names;
pub mod render;
mod resolve;
mod templates;

pub use appeal::{Appeal, Incident, Localized, Officer, Recipient, Registry, Sender, Signatory};
pub use compose::compose;
pub use error::{Diagnostic, Error, ErrorKind, Location, Source};
pub use lang::{Date, Labels, Language};
pub use letter::{Block, Letter, Letterhead, Mailbox, Run, Signature};
pub use names::{file_names, file_stems};
pub use resolve::{Addressee, Cited, Context, ResolveOptions, Signer, resolve};
pub use templates::{TemplateInfo, Templates};

/// Resolves an appeal and composes every letter it asks for.
///
/// Problems from every stage and every recipient are reported together,
/// each once.
pub fn letters(
    appeal: &Appeal,
    registry: &Registry,
    templates: &Templates,
    options: &ResolveOptions,
) -> Result<Vec<Letter>, Error> {
    let contexts = resolve(appeal, registry, templates, options)?;
    let mut letters = Vec::with_capacity(contexts.len());
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for context in &contexts {
        match compose(context, templates) {
            Ok(letter) => letters.push(letter),
            Err(error) => {
                for diagnostic in error.diagnostics() {
                    if !diagnostics.contains(diagnostic) {
                        diagnostics.push(diagnostic.clone());
                    }
                }
            }
        }
    }
    if diagnostics.is_empty() {
        Ok(letters)
    } else {
        Err(Error::invalid(diagnostics))
    }
}
