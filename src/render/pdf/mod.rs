//! PDF backend: the letter typeset on A4 or US Letter, fonts embedded.
//!
//! Three stages, each its own module: [`breaking`] turns runs into justified,
//! hyphenated lines; [`layout`] places the letter frame and flows the body
//! over pages, each line with its element of the letter's structure;
//! [`write`] writes the PDF with subset fonts, [`tag`] its structure tree
//! and archival metadata (tagged, PDF/A-2b, PDF/UA-1, unless
//! [`PdfStandard::None`]), [`pack`] packs its small objects, and [`logo`] draws the
//! letterhead's logo.

mod breaking;
mod bundle;
mod cache;
mod dehint;
mod envelope;
mod font;
mod font_check;
mod layout;
mod logo;
mod memo;
mod pack;
mod tag;
mod visual;
mod write;

pub use crate::postal::Paper;
pub use bundle::{PdfStream, Sheets, envelope_sheets, label_sheets, letter_sheets};
pub use cache::PdfCache;
pub use envelope::{Envelope, LabelSheet};
pub use font::{FontMetrics, Style};
pub(crate) use font_check::check_font;

use super::Backend;
use crate::error::Error;
use crate::letter::Letter;

/// The envelope window measured with the PDF's font, for
/// [`crate::window`]'s check.
pub(crate) mod window {
    use super::font::{FontMetrics, Fonts, Style};
    use super::layout::{ADDRESS_SIZE, MM, address_lines};
    use crate::postal::PostalLayout;

    /// How wide `word` is set in the window, mm.
    pub fn width_mm(word: &str) -> f32 {
        Fonts::embedded().width(Style::Regular, word) * ADDRESS_SIZE / MM
    }

    /// How many lines of the window of `layout` `text` takes.
    pub fn lines(text: &str, layout: PostalLayout) -> usize {
        address_lines(Fonts::embedded(), text, layout.geometry().text_width).len()
    }
}

/// The faces `letter` is set in: its union's own, then the embedded ones.
fn fonts(letter: &Letter) -> &'static font::Fonts {
    let own: Vec<&[u8]> = letter.fonts.iter().map(|font| &*font.data).collect();
    font::Fonts::with(&own)
}

/// The characters of `text` that no face of a letter set in the union's
/// `own` faces and the embedded ones shows, each once, in order.
pub(crate) fn uncovered(own: &[&[u8]], text: &str) -> Vec<char> {
    let fonts = font::Fonts::with(own);
    let mut missing = Vec::new();
    for c in text.chars() {
        if !font::is_invisible(c) && !missing.contains(&c) && !fonts.covers(c) {
            missing.push(c);
        }
    }
    missing
}

/// Why the letterhead and recipient block of `letter` cannot be laid out
/// on the first page of `paper`, if they cannot: the same for every letter
/// of an appeal, so that `check` lays out one.
pub(crate) fn frame_problems(letter: &Letter, paper: Paper) -> Vec<crate::error::Diagnostic> {
    match layout::layout(letter, paper, fonts(letter), None) {
        Ok(_) => Vec::new(),
        Err(error) => error.diagnostics().to_vec(),
    }
}

/// Options of the PDF backend.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PdfOptions {
    /// Paper size.
    pub paper: Paper,
    /// Which glyphs of each font to embed.
    pub subset: Subset,
    /// Work shared with other PDFs rendered with the same cache; by default
    /// the process's shared one.
    pub cache: PdfCache,
    /// The standards the file meets: by default tagged, PDF/A-2b and PDF/UA-1.
    pub standard: PdfStandard,
}

/// The standards a PDF meets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum PdfStandard {
    /// Tagged for screen readers, archival: PDF/UA-1 and PDF/A-2b (a
    /// structure tree in reading order, XMP metadata, an sRGB output
    /// intent, link descriptions, running heads as artifacts).
    #[default]
    Archival,
    /// Untagged: no structure tree, no metadata beyond the document
    /// information; a little smaller.
    None,
}

/// Which glyphs of a font a PDF embeds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Subset {
    /// Only the glyphs the letter shows: the smallest file.
    #[default]
    Exact,
    /// The glyphs shown plus all of printable ASCII (and the Cyrillic
    /// alphabets where Cyrillic is shown): letters that differ only in names
    /// then share one subset, made once per process. Faster for batches,
    /// larger files.
    Shared,
}

impl Backend for PdfOptions {
    fn extension(&self) -> &'static str {
        "pdf"
    }

    fn render(&self, letter: &Letter) -> Result<Vec<u8>, Error> {
        pdf(letter, self)
    }
}

/// Renders a letter as a PDF file.
///
/// Letters rendered with one [`PdfCache`] share work: fonts subset for the
/// same characters, paragraphs broken into lines, page content deflated and
/// signature images are remembered (within its budget) and reused, so that
/// the letters of a batch cost little more than what differs between them.
/// The bytes are the same either way.
///
/// ```
/// use appeal::render::{PdfOptions, pdf};
///
/// let appeal = appeal::Appeal::open(concat!(
///     env!("CARGO_MANIFEST_DIR"),
///     "/examples/ilo-belarus-2021/appeal.toml"
/// ))?;
/// let letters = appeal::Engine::builtin().letters(&appeal)?;
/// let bytes = pdf(&letters[0], &PdfOptions::default())?;
/// assert!(bytes.starts_with(b"%PDF-"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn pdf(letter: &Letter, options: &PdfOptions) -> Result<Vec<u8>, Error> {
    let fonts = fonts(letter);
    let layout = layout::layout(letter, options.paper, fonts, Some(&options.cache))?;
    write::write(letter, &layout, fonts, options)
}

/// The laid-out lines of a letter as text, positions rounded to points:
/// one line per row, `y x size words`, bold `*`, italic `_`, added hyphens `-`,
/// note references `^`; rules as `y x [rule to right]` or `[rule down to bottom]`;
/// a line of a right-to-left paragraph ends `[right to left, to EDGE]`, the
/// right edge it is drawn against (its words are listed in logical order).
///
/// Meant for snapshot tests of the layout.
pub fn layout_dump(letter: &Letter, options: &PdfOptions) -> Result<String, Error> {
    let fonts = fonts(letter);
    let layout = layout::layout(letter, options.paper, fonts, Some(&options.cache))?;
    Ok(layout::dump(&layout))
}
