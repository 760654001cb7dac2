//! `appeal` drafts formal appeal letters for trade unions: one TOML file
//! (sender, recipients, the incidents to cite, the demands) and a template
//! give one letter per recipient, as plain text, a typeset PDF or a mail draft.
//!
//! The pipeline has one module per stage and data flows one way:
//!
//! | stage | in | out |
//! |---|---|---|
//! | load ([`Appeal::open`], [`Registry::builtin`]) | TOML files (or any serde format, or code) | [`Appeal`], [`Registry`] |
//! | [`resolve()`] | appeal, registry, [`Templates`] | one [`Context`] per recipient |
//! | [`compose()`] | context, templates | [`Letter`] |
//! | [`render`] | letter | bytes |
//!
//! An [`Engine`] holds the templates and the registry and runs resolve and
//! compose for each appeal. Only loading reads files; the date of a letter
//! is an input ([`ResolveOptions::today`]), never read from the clock.
//!
//! ```
//! use appeal::{Appeal, Engine, ResolveOptions, Source, render};
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
//! let letters = Engine::builtin().letters(&appeal)?;
//! let text = render::text(&letters[0], &render::TextOptions::default());
//! assert!(text.contains("Geneva, 01\u{a0}March 2021"));
//! assert!(text.contains("Dear Mr. Houngbo,"));
//! let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
//! assert!(words.contains("to stop the interference in trade union affairs, and end repression."));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod appeal;
#[cfg(feature = "batch")]
pub mod batch;
#[cfg(feature = "batch")]
pub mod bundle;
mod complaint;
mod compose;
#[cfg(feature = "pdf")]
mod coverage;
mod engine;
mod error;
mod evidence;
mod frame;
mod helpers;
mod incidents;
mod lang;
mod letter;
mod limits;
mod load;
mod markdown;
mod names;
mod origin;
pub mod postal;
mod redact;
pub mod render;
mod resolve;
#[cfg(feature = "schema")]
mod schema;
#[cfg(feature = "pdf")]
mod script;
mod table;
mod templates;
mod typography;
mod validate;
mod window;

pub use appeal::{
    Appeal, Complainant, Complaint, ConventionRef, Enclosure, Forms, Gender, InReplyTo, Incident,
    LetterStyle, Localized, Logo, MAX_SIGNATORIES, Officer, Person, Rank, Recipient, Reference,
    Registry, Sender, Signatory,
};
pub use complaint::{Charge, Convention};
pub use compose::compose;
pub use engine::{Checked, Engine};
pub use error::{Diagnostic, Diagnostics, Error, ErrorKind, Location, Severity, Source};
pub use incidents::Incidents;
pub use lang::{Date, Labels, Language};
pub use letter::{
    Annex, Block, FontFile, Letter, Letterhead, Listed, Mailbox, Note, Run, Signature,
    SignatureLayout,
};
pub use names::{file_names, file_stems};
pub use postal::PostalLayout;
pub use resolve::{Addressee, Cited, Concerned, Context, Mailing, ResolveOptions, Signer, resolve};
#[cfg(feature = "schema")]
pub use schema::{SchemaFile, schema};
pub use templates::{TemplateInfo, Templates};
pub use typography::typeset;
