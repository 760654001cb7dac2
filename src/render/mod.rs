//! Rendering: a [`Letter`] into the bytes of one output format.
//!
//! Backends return bytes and never write files; the caller decides where
//! they go.

#[cfg(feature = "docx")]
mod docx;
#[cfg(feature = "eml")]
mod eml;
#[cfg(feature = "pdf")]
mod pdf;
mod text;

#[cfg(feature = "docx")]
pub use docx::{DocxOptions, docx};
#[cfg(feature = "eml")]
pub use eml::{EmlOptions, draft, eml};
#[cfg(feature = "pdf")]
pub use pdf::{
    Envelope, FontMetrics, LabelSheet, Paper, PdfCache, PdfOptions, PdfStandard, PdfStream, Sheets,
    Style, Subset, envelope_sheets, label_sheets, layout_dump, letter_sheets, pdf,
};
#[cfg(feature = "pdf")]
pub(crate) use pdf::{check_font, frame_problems, uncovered, window};
pub use text::{TextOptions, text};

use crate::error::Error;
use crate::letter::Letter;

/// An output format: turns a letter into the bytes of a file.
pub trait Backend {
    /// The file name extension of the output, without the dot.
    fn extension(&self) -> &'static str;

    /// Renders one letter.
    fn render(&self, letter: &Letter) -> Result<Vec<u8>, Error>;
}
