//! The print bundle of a postal batch: `print.pdf` (every letter in the
//! manifest's order, each starting on a right-hand page, for duplex
//! printers), `envelopes.pdf` (one envelope per letter) and `labels.pdf`
//! (address labels, a sheet at a time), each written as the letters come.
//!
//! A letter of an odd number of pages is followed by a blank verso, the
//! last letter too: the file then has an even number of pages and the
//! next print job starts on a fresh sheet.

use std::io::{self, Write};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::batch::{FileRecord, Format, hex};
use crate::error::Error;
use crate::letter::Letter;
use crate::render::{
    Envelope, LabelSheet, PdfOptions, PdfStream, Sheets, envelope_sheets, label_sheets,
    letter_sheets,
};

/// What the print bundle is made of.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PrintOptions {
    /// The envelope size.
    pub envelope: Envelope,
    /// The label sheet.
    pub labels: LabelSheet,
}

/// The bundle's files, in the order [`Bundle::finish`] gives their writers.
pub const FILES: [&str; 3] = ["print.pdf", "envelopes.pdf", "labels.pdf"];

/// A letter's part of the bundle, made with the letter (in parallel).
pub struct Printed {
    letter: Sheets,
    envelope: Sheets,
    address: Vec<String>,
}

impl Printed {
    /// The letter's pages, envelope and label address.
    pub fn new(letter: &Letter, print: &PrintOptions, pdf: &PdfOptions) -> Result<Printed, Error> {
        Ok(Printed {
            letter: letter_sheets(letter, pdf)?,
            envelope: envelope_sheets(letter, print.envelope, pdf)?,
            address: letter.recipient.clone(),
        })
    }
}

/// Where a letter is in the bundle (pages and sheets counted from 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Placed {
    /// Its first page in print.pdf: always odd.
    pub first_page: usize,
    /// Its pages (without the blank verso after it).
    pub pages: usize,
    /// Its envelope's page in envelopes.pdf.
    pub envelope: usize,
    /// Its label.
    pub label: Label,
}

/// Where a label is: the sheet (page of labels.pdf), and the row and
/// column on it, all from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Label {
    /// The sheet.
    pub sheet: usize,
    /// The row, from the top.
    pub row: usize,
    /// The column, from the left.
    pub column: usize,
}

/// The bundle, written into three writers as letters are pushed.
pub struct Bundle<W: Write> {
    print: PdfStream<Hashed<W>>,
    envelopes: PdfStream<Hashed<W>>,
    labels: PdfStream<Hashed<W>>,
    /// Labels waiting for their sheet to fill: recipient id and address.
    pending: Vec<(String, Vec<String>)>,
    options: PrintOptions,
    pdf: PdfOptions,
    letters: usize,
}

impl<W: Write> Bundle<W> {
    /// A bundle into writers for print.pdf, envelopes.pdf and labels.pdf.
    pub fn new(
        [print, envelopes, labels]: [W; 3],
        options: PrintOptions,
        pdf: &PdfOptions,
    ) -> io::Result<Self> {
        Ok(Bundle {
            print: PdfStream::new(Hashed::new(print), "Letters")?,
            envelopes: PdfStream::new(Hashed::new(envelopes), "Envelopes")?,
            labels: PdfStream::new(Hashed::new(labels), "Address labels")?,
            pending: Vec::new(),
            options,
            pdf: pdf.clone(),
            letters: 0,
        })
    }

    /// Appends the next letter (in the manifest's order); gives where it went.
    pub fn push(&mut self, id: &str, printed: Printed) -> Result<Placed, Error> {
        let io = |e: io::Error| Error::io(FILES[0], e);
        let pages = printed.letter.len();
        let size = self.pdf.paper.size();
        let first_page = self.print.push(printed.letter).map_err(io)?;
        if pages % 2 == 1 {
            self.print.blank(size).map_err(io)?;
        }
        let envelope = self
            .envelopes
            .push(printed.envelope)
            .map_err(|e| Error::io(FILES[1], e))?;
        let per_sheet = self.options.labels.per_sheet();
        let index = self.letters % per_sheet;
        let (column, row) = self.options.labels.place(index);
        let label = Label {
            sheet: self.letters / per_sheet + 1,
            row: row + 1,
            column: column + 1,
        };
        self.pending.push((id.to_owned(), printed.address));
        if self.pending.len() == per_sheet {
            self.sheet_of_labels()?;
        }
        self.letters += 1;
        Ok(Placed {
            first_page,
            pages,
            envelope,
            label,
        })
    }

    fn sheet_of_labels(&mut self) -> Result<(), Error> {
        let addresses: Vec<(&str, &[String])> = (self.pending.iter())
            .map(|(id, lines)| (id.as_str(), lines.as_slice()))
            .collect();
        let sheet = label_sheets(&addresses, self.options.labels, &self.pdf)?;
        self.labels
            .push(sheet)
            .map_err(|e| Error::io(FILES[2], e))?;
        self.pending.clear();
        Ok(())
    }

    /// Ends the three files; gives each one's record and writer.
    pub fn finish(mut self) -> Result<Vec<(FileRecord, W)>, Error> {
        if !self.pending.is_empty() {
            self.sheet_of_labels()?;
        }
        let streams = [self.print, self.envelopes, self.labels];
        let mut files = Vec::with_capacity(3);
        for (stream, name) in streams.into_iter().zip(FILES) {
            let hashed = stream.finish().map_err(|e| Error::io(name, e))?;
            let record = FileRecord {
                format: Format::Pdf,
                file: name.to_owned(),
                bytes: hashed.bytes,
                sha256: hex(&hashed.hasher.finalize()),
            };
            files.push((record, hashed.out));
        }
        Ok(files)
    }
}

/// A writer that counts and hashes what goes through it.
struct Hashed<W> {
    out: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W> Hashed<W> {
    fn new(out: W) -> Self {
        Hashed {
            out,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }
}

impl<W: Write> Write for Hashed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.out.write(buf)?;
        self.hasher.update(&buf[..written]);
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use lopdf::Document;

    use super::*;
    use crate::{Appeal, Engine};

    #[test]
    fn each_letter_starts_on_a_right_hand_page_and_labels_fill_sheets() {
        let appeal = Appeal::open(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/cosigned-2021/appeal.toml"
        ))
        .unwrap();
        let letters = Engine::builtin().letters(&appeal).unwrap();
        let print = PrintOptions {
            labels: LabelSheet::Avery5160,
            ..PrintOptions::default()
        };
        let pdf = PdfOptions::default();
        let mut bundle = Bundle::new([Vec::new(), Vec::new(), Vec::new()], print, &pdf).unwrap();
        let mut placed = Vec::new();
        for letter in letters.iter().cycle().take(32) {
            let printed = Printed::new(letter, &print, &pdf).unwrap();
            placed.push(bundle.push(&letter.recipient_id, printed).unwrap());
        }
        // Each letter from a right-hand page: a blank verso after an odd count.
        let mut first = 1;
        for p in &placed {
            assert_eq!(p.first_page, first);
            assert_eq!(first % 2, 1);
            first += p.pages + p.pages % 2;
        }
        assert!(placed.iter().any(|p| p.pages % 2 == 1));
        let last = &placed[31];
        assert_eq!(
            (last.envelope, last.label),
            (
                32,
                Label {
                    sheet: 2,
                    row: 1,
                    column: 2
                }
            )
        );
        let files = bundle.finish().unwrap();
        let count = |bytes: &[u8]| Document::load_mem(bytes).unwrap().get_pages().len();
        assert_eq!(count(&files[0].1), 64);
        assert_eq!(count(&files[1].1), 32);
        assert_eq!(count(&files[2].1), 2);
        let (record, bytes) = &files[2];
        assert_eq!(record.file, "labels.pdf");
        assert_eq!(record.bytes, bytes.len() as u64);
        assert_eq!(record.sha256, hex(&Sha256::digest(bytes)));
    }
}
