//! Envelopes and address labels for a postal mailing: where a letter's
//! recipient block goes on an envelope or a label, laid out as a page of
//! text lines that [`super::write`] writes as it writes a letter's pages.
//!
//! The address is the letter's own recipient block, line for line (what
//! its window shows), set anew at the size and width the envelope or label
//! gives it.
//!
//! Placement for machine reading, envelopes: Deutsche Post reads the
//! address at least 15 mm from the left, right and bottom edges and 40 mm
//! from the top, at 10 to 12 pt, no wider than 100 mm, with the sender one
//! smaller line above or top left (help.octoflex.de/geschaeftspartner/
//! richtig_adressieren; mailinglotsen.de, "Die Maschinenlesbarkeit";
//! intermed.de, "maschinenlesbare Briefe"). USPS: the OCR read area runs
//! from 5/8 in to 2 3/4 in above the bottom with 1/2 in margins at the
//! sides, and the barcode clear zone is the bottom 5/8 in (Publication 28,
//! appendix A1). So the address starts at the envelope's middle, its six
//! lines end the bottom margin above the foot, and the return address sits
//! top left, clear of the franking zone top right.

use super::breaking::Line;
use super::font::FontMetrics;
use super::layout::{ASCENT, DESCENT, Item, Layout, MM, RETURN_SIZE, TextLine, ragged_lines};
use crate::error::{Diagnostic, Error};
use crate::letter::Letter;
use crate::postal::Paper;

/// Envelope sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Envelope {
    /// DL, 220 × 110 mm (ISO 269): an A4 sheet folded in three.
    #[default]
    Dl,
    /// C5, 229 × 162 mm: an A4 sheet folded once.
    C5,
    /// C4, 324 × 229 mm: an A4 sheet flat.
    C4,
    /// US #10, 9.5 × 4.125 in: a US Letter sheet folded in three.
    Us10,
}

impl Envelope {
    /// Every envelope, with its name on the command line.
    pub const ALL: [(Envelope, &'static str); 4] = [
        (Envelope::Dl, "dl"),
        (Envelope::C5, "c5"),
        (Envelope::C4, "c4"),
        (Envelope::Us10, "us10"),
    ];

    /// Width and height, points.
    pub fn size(self) -> (f32, f32) {
        match self {
            Envelope::Dl => (220.0 * MM, 110.0 * MM),
            Envelope::C5 => (229.0 * MM, 162.0 * MM),
            Envelope::C4 => (324.0 * MM, 229.0 * MM),
            Envelope::Us10 => (9.5 * 72.0, 4.125 * 72.0),
        }
    }

    /// The margins the address keeps from the right edge and the foot:
    /// Deutsche Post's 15 mm; USPS's 1/2 in at the side, 5/8 in below.
    fn margins(self) -> (f32, f32) {
        match self {
            Envelope::Us10 => (0.5 * 72.0, 0.625 * 72.0),
            _ => (15.0 * MM, 15.0 * MM),
        }
    }
}

/// Sheets of address labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum LabelSheet {
    /// A4, 3 × 7 labels of 70 × 42.3 mm, edge to edge (Avery Zweckform 3652).
    #[default]
    A4x21,
    /// A4, 3 × 8 labels of 70 × 37 mm, edge to edge (Avery Zweckform 3474).
    A4x24,
    /// US Letter, 3 × 10 labels of 2 5/8 × 1 in (Avery 5160): 1/2 in top
    /// margin, 3/16 in left margin, 1/8 in between columns.
    Avery5160,
}

/// Where the labels of a sheet are, points.
struct Grid {
    page: (f32, f32),
    columns: usize,
    rows: usize,
    label: (f32, f32),
    /// Left and top margins.
    origin: (f32, f32),
    /// From one column's left edge to the next one's.
    pitch: f32,
    /// Text inset from a label's left edge (clear of the die cut).
    inset: f32,
}

impl LabelSheet {
    /// Every sheet, with its name on the command line.
    pub const ALL: [(LabelSheet, &'static str); 3] = [
        (LabelSheet::A4x21, "3x7"),
        (LabelSheet::A4x24, "3x8"),
        (LabelSheet::Avery5160, "avery5160"),
    ];

    /// Labels on a sheet.
    pub fn per_sheet(self) -> usize {
        let grid = self.grid();
        grid.columns * grid.rows
    }

    fn grid(self) -> Grid {
        let a4 = Paper::A4.size();
        match self {
            // 7 × 42.3 = 296.1 mm: the half-millimetre left is split above and below.
            LabelSheet::A4x21 => Grid {
                page: a4,
                columns: 3,
                rows: 7,
                label: (70.0 * MM, 42.3 * MM),
                origin: (0.0, 0.45 * MM),
                pitch: 70.0 * MM,
                inset: 6.0 * MM,
            },
            LabelSheet::A4x24 => Grid {
                page: a4,
                columns: 3,
                rows: 8,
                label: (70.0 * MM, 37.0 * MM),
                origin: (0.0, 0.5 * MM),
                pitch: 70.0 * MM,
                inset: 6.0 * MM,
            },
            LabelSheet::Avery5160 => Grid {
                page: Paper::Letter.size(),
                columns: 3,
                rows: 10,
                label: (2.625 * 72.0, 72.0),
                origin: (0.1875 * 72.0, 0.5 * 72.0),
                pitch: 2.75 * 72.0,
                inset: 0.125 * 72.0,
            },
        }
    }

    /// Label `index` of a sheet (row by row): its column and row, from 0.
    pub fn place(self, index: usize) -> (usize, usize) {
        let columns = self.grid().columns;
        (index % columns, index / columns)
    }
}

/// The size of the address on an envelope: Deutsche Post's 10 pt least.
const ENVELOPE_SIZE: f32 = 10.0;
/// The largest size of an address on a label.
const LABEL_SIZE: f32 = 10.0;
/// The smallest size a label shrinks an address to.
const SMALLEST: f32 = 6.0;
/// Line spacing as a multiple of the size: the window's 12.9 pt at 9.5 pt.
const LEADING: f32 = 1.36;
/// The most lines an address has: those of the tallest window (SN 010130's
/// 8), so that every letter that fits its window fits its envelope.
const LINES: usize = 8;
/// The lines of an envelope's address zone (a longer address reaches
/// higher): those of the DIN 5008 window.
const ZONE_LINES: usize = 6;
/// From the top and left edges to the return address.
const RETURN_MARGIN: f32 = 10.0 * MM;

/// The envelope of `letter`: the return address top left, the recipient in
/// the address zone.
pub fn envelope(
    letter: &Letter,
    envelope: Envelope,
    metrics: &dyn FontMetrics,
) -> Result<Layout, Error> {
    let (width, height) = envelope.size();
    let (right, bottom) = envelope.margins();
    let left = width / 2.0;
    let mut items = Vec::new();
    // The sender: the organisation, then its address on one line.
    let head = &letter.letterhead;
    let sender = [head.organisation.clone(), head.address.join(", ")];
    let mut y = RETURN_MARGIN + ASCENT * RETURN_SIZE;
    for text in sender.iter().filter(|text| !text.is_empty()) {
        for line in ragged_lines(metrics, text, RETURN_SIZE, left - 2.0 * RETURN_MARGIN) {
            items.push(text_line(RETURN_MARGIN, y, RETURN_SIZE, line));
            y += RETURN_SIZE * LEADING;
        }
    }
    // The address zone: six lines (more for a longer address, up to the
    // tallest window's) whose last ends the margin above the foot.
    let block = fit(
        metrics,
        &letter.recipient,
        ENVELOPE_SIZE,
        ENVELOPE_SIZE,
        (width - right - left, f32::INFINITY),
    )
    .ok_or_else(|| too_long(letter, "envelope"))?;
    let leading = ENVELOPE_SIZE * LEADING;
    let rows = block.lines.len().max(ZONE_LINES);
    let top = height - bottom - DESCENT * ENVELOPE_SIZE - (rows - 1) as f32 * leading;
    items.extend(block.place(left, top));
    Ok(page((width, height), items))
}

/// The labels of a sheet of `sheet` for the recipient blocks `addresses`
/// (at most a sheet's worth), each with its recipient id for errors.
pub fn labels(
    addresses: &[(&str, &[String])],
    sheet: LabelSheet,
    metrics: &dyn FontMetrics,
) -> Result<Layout, Error> {
    let grid = sheet.grid();
    let mut items = Vec::new();
    for (i, (id, address)) in addresses.iter().enumerate() {
        let (column, row) = sheet.place(i);
        let (w, h) = grid.label;
        let x = grid.origin.0 + column as f32 * grid.pitch + grid.inset;
        let room = (w - 2.0 * grid.inset, h - 2.0 * 2.0 * MM);
        let block = fit(metrics, address, LABEL_SIZE, SMALLEST, room).ok_or_else(|| {
            Error::from(Diagnostic::new(
                "address-too-long",
                format!("the address of the letter to \"{id}\" does not fit a label"),
            ))
        })?;
        // Centred from top to bottom.
        let label_top = grid.origin.1 + row as f32 * h;
        let top = label_top + (h - block.height()) / 2.0 + ASCENT * block.size;
        items.extend(block.place(x, top));
    }
    Ok(page(grid.page, items))
}

/// An address set at one size: lines broken to a width.
struct Block {
    size: f32,
    lines: Vec<Line>,
}

impl Block {
    /// From the top of the first line's ascent to the foot of the last's descent.
    fn height(&self) -> f32 {
        let gaps = self.lines.len().saturating_sub(1);
        (ASCENT + DESCENT) * self.size + gaps as f32 * LEADING * self.size
    }

    /// The lines, the first baseline at `y` (from the top), left edge `x`.
    fn place(self, x: f32, y: f32) -> impl Iterator<Item = Item> {
        let (size, leading) = (self.size, self.size * LEADING);
        (self.lines.into_iter().enumerate())
            .map(move |(i, line)| text_line(x, y + i as f32 * leading, size, line))
    }
}

/// The address `lines` set at the largest half point from `largest` down to
/// `smallest` at which it takes at most [`LINES`] lines, none wider than
/// `width`, all within `height`; `None` if none does.
fn fit(
    metrics: &dyn FontMetrics,
    address: &[String],
    largest: f32,
    smallest: f32,
    (width, height): (f32, f32),
) -> Option<Block> {
    let mut size = largest;
    while size >= smallest {
        let lines: Vec<Line> = (address.iter())
            .flat_map(|text| ragged_lines(metrics, text, size, width))
            .collect();
        let fits = lines.len() <= LINES && lines.iter().all(|line| line.width() <= width + 0.01);
        let block = Block { size, lines };
        if fits && block.height() <= height {
            return Some(block);
        }
        size -= 0.5;
    }
    None
}

fn too_long(letter: &Letter, what: &str) -> Error {
    Diagnostic::new(
        "address-too-long",
        format!(
            "the address of the letter to \"{}\" does not fit the {what}",
            letter.recipient_id
        ),
    )
    .hint(format!(
        "an address has at most {LINES} lines on an {what}, each as wide as fits at {ENVELOPE_SIZE} pt: shorten the recipient block"
    ))
    .into()
}

fn text_line(x: f32, y: f32, size: f32, line: Line) -> Item {
    Item::Text(TextLine {
        x,
        y,
        size,
        line,
        tag: None,
    })
}

/// One page of `size` showing `items`.
fn page(size: (f32, f32), items: Vec<Item>) -> Layout {
    Layout {
        size,
        pages: vec![items],
        heads: vec![0],
        nodes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::pdf::font::Fonts;
    use crate::render::pdf::layout::tests::letter;

    fn texts(layout: &Layout) -> Vec<(f32, f32, String)> {
        (layout.pages[0].iter())
            .filter_map(|item| match item {
                Item::Text(line) => Some((
                    line.x / MM,
                    line.y / MM,
                    line.line
                        .pieces
                        .iter()
                        .map(|p| p.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                )),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_dl_envelope_shows_the_address_in_the_lower_right_zone() {
        let mut letter = letter(Vec::new());
        letter.recipient = vec![
            "Mr Gilbert F. Houngbo".into(),
            "Director-General".into(),
            "International Labour Office".into(),
            "4, route des Morillons".into(),
            "CH-1211 Geneva 22".into(),
            "SWITZERLAND".into(),
        ];
        let layout = envelope(&letter, Envelope::Dl, Fonts::embedded()).unwrap();
        assert_eq!(layout.size, (220.0 * MM, 110.0 * MM));
        let texts = texts(&layout);
        let address: Vec<_> = texts.iter().filter(|(x, _, _)| *x > 100.0).collect();
        assert_eq!(address.len(), 6);
        assert_eq!(address[0].2, "Mr Gilbert F. Houngbo");
        assert_eq!(address[5].2, "SWITZERLAND");
        for (x, y, _) in &address {
            assert!((*x - 110.0).abs() < 0.01);
            // At least 40 mm below the top, and the last descender 15 mm above the foot.
            assert!(*y > 40.0 && *y + DESCENT * 10.0 / MM <= 95.0 + 0.01, "{y}");
        }
        // The return address top left, small.
        assert!(texts.iter().any(|(x, y, _)| *x == 10.0 && *y < 15.0));
    }

    #[test]
    fn an_address_of_eight_lines_as_the_swiss_window_takes_fits_every_envelope() {
        let mut letter = letter(Vec::new());
        letter.recipient = (1..=8).map(|i| format!("Line {i}")).collect();
        for size in [Envelope::Dl, Envelope::C5, Envelope::C4, Envelope::Us10] {
            let layout = envelope(&letter, size, Fonts::embedded()).unwrap();
            let texts = texts(&layout);
            let address: Vec<_> = texts
                .iter()
                .filter(|(_, _, t)| t.starts_with("Line"))
                .collect();
            assert_eq!(address.len(), 8);
            let foot = layout.size.1 / MM - size.margins().1 / MM;
            assert!(address[7].1 + DESCENT * 10.0 / MM <= foot + 0.01);
        }
        letter.recipient = (1..=9).map(|i| format!("Line {i}")).collect();
        let error = envelope(&letter, Envelope::Dl, Fonts::embedded()).unwrap_err();
        assert!(
            error.to_string().contains("at most 8 lines on an envelope"),
            "{error}"
        );
    }

    #[test]
    fn labels_fill_a_sheet_row_by_row_and_shrink_what_is_too_wide() {
        let long = [
            "Mr. Member Number1".to_owned(),
            "Member of the Executive".to_owned(),
            "Union 1".to_owned(),
            "Street 1".to_owned(),
            "City".to_owned(),
            "Internationalconfederationofworkers".to_owned(),
        ];
        let short = ["FNPR".to_owned(), "Moscow".to_owned()];
        let addresses: Vec<(&str, &[String])> = (0..5)
            .map(|i| ("r", if i == 4 { &long[..] } else { &short[..] }))
            .collect();
        let layout = labels(&addresses, LabelSheet::Avery5160, Fonts::embedded()).unwrap();
        let lines: Vec<&TextLine> = layout.pages[0]
            .iter()
            .filter_map(|item| match item {
                Item::Text(line) => Some(line),
                _ => None,
            })
            .collect();
        // Label 4 is in the second row, second column.
        let fourth: Vec<_> = lines.iter().filter(|l| l.size < LABEL_SIZE).collect();
        assert!(!fourth.is_empty());
        assert!((fourth[0].x - (0.1875 + 2.75 + 0.125) * 72.0).abs() < 0.01);
        assert!(fourth[0].y > 1.5 * 72.0 && fourth.last().unwrap().y < 2.5 * 72.0);
        assert_eq!(LabelSheet::A4x21.place(20), (2, 6));
    }

    #[test]
    fn a_letter_without_an_address_has_a_blank_envelope_and_label() {
        let mut letter = letter(Vec::new());
        letter.recipient = Vec::new();
        let layout = envelope(&letter, Envelope::C5, Fonts::embedded()).unwrap();
        assert!(texts(&layout).iter().all(|(x, _, _)| *x < 100.0));
        let layout = labels(&[("x", &[][..])], LabelSheet::A4x24, Fonts::embedded()).unwrap();
        assert!(layout.pages[0].is_empty());
    }

    #[test]
    fn an_address_that_cannot_fit_a_label_is_refused_naming_its_recipient() {
        let word = ["W".repeat(400)];
        let error = labels(
            &[("ilo-dg", &word[..])],
            LabelSheet::A4x21,
            Fonts::embedded(),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "error: the address of the letter to \"ilo-dg\" does not fit a label"
        );
    }
}
