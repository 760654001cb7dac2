//! One PDF of many letters (or envelopes, or sheets of labels), written as
//! it is made: each letter's pages are written apart (in parallel, with
//! ids of their own), then renumbered into the file's ids and appended, and
//! only the objects' offsets and the pages' ids are kept until the
//! cross-reference table ends the file. Memory does not grow with the
//! letters but by those few bytes each.
//!
//! Fonts and images are written once per file: letters that show the same
//! subset of a face (as the letters of a batch do, with
//! [`Subset::Shared`](crate::render::Subset::Shared)) or the same signature
//! share one copy.
//!
//! A printer's file: not tagged, no structure tree, no document language.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::Arc;

use pdf_writer::{Chunk, Finish, Name, Rect, Ref, TextStr};

use super::envelope::{self, Envelope, LabelSheet};
use super::font::Fonts;
use super::layout::{self, Layout};
use super::write::{
    EmbeddedFont, Emblem, Ids, Picture, Resources, write_emblem, write_font, write_image,
    write_pages,
};
use crate::appeal::Logo;
use crate::error::Error;
use crate::letter::{Letter, Signature};
use crate::render::PdfOptions;

/// Pages ready to be appended to a [`PdfStream`], in ids of their own.
pub struct Sheets {
    chunk: Chunk,
    pages: Vec<Ref>,
    resources: Resources,
    /// The faces the resources' fonts are numbered in.
    fonts: &'static Fonts,
}

impl Sheets {
    /// How many pages.
    pub fn len(&self) -> usize {
        self.pages.len()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }
}

/// The id that stands for the file's page tree in [`Sheets`].
const TREE: Ref = Ref::new(1);

/// The pages of `letter`, as [`super::pdf`] writes them.
pub fn letter_sheets(letter: &Letter, options: &PdfOptions) -> Result<Sheets, Error> {
    let fonts = super::fonts(letter);
    let layout = layout::layout(letter, options.paper, fonts, Some(&options.cache))?;
    let logo = letter.letterhead.logo.as_ref();
    sheets((&letter.signatories, logo), &layout, fonts, options)
}

/// The envelope of `letter`.
pub fn envelope_sheets(
    letter: &Letter,
    size: Envelope,
    options: &PdfOptions,
) -> Result<Sheets, Error> {
    let fonts = super::fonts(letter);
    let layout = envelope::envelope(letter, size, fonts)?;
    sheets((&[], None), &layout, fonts, options)
}

/// A sheet of labels for the recipient blocks `addresses` (recipient id
/// and lines), at most a sheet's worth.
pub fn label_sheets(
    addresses: &[(&str, &[String])],
    sheet: LabelSheet,
    options: &PdfOptions,
) -> Result<Sheets, Error> {
    let fonts = Fonts::embedded();
    let layout = envelope::labels(addresses, sheet, fonts)?;
    sheets((&[], None), &layout, fonts, options)
}

/// The pages of `layout` set in `fonts`, drawing `pictures` (signatures
/// and the logo).
fn sheets(
    pictures: (&[Signature], Option<&Logo>),
    layout: &Layout,
    fonts: &'static Fonts,
    options: &PdfOptions,
) -> Result<Sheets, Error> {
    let mut chunk = Chunk::new();
    let mut ids = Ids(TREE.get());
    let (pages, mut resources) = write_pages(
        pictures,
        layout,
        fonts,
        options,
        (&mut chunk, &mut ids),
        TREE,
        // A printer's file: not tagged.
        None,
    )?;
    // A PNG logo is an image, written once for the file as signatures are;
    // an SVG one goes with its letter's pages.
    match resources.logo.take() {
        Some(Emblem::Png(image, mask, picture)) => resources.images.push((image, mask, picture)),
        Some(emblem) => write_emblem(&mut chunk, &mut ids, &emblem),
        None => {}
    }
    Ok(Sheets {
        chunk,
        pages,
        resources,
        fonts,
    })
}

/// A PDF written to `W` as pages are appended.
pub struct PdfStream<W: Write> {
    out: W,
    /// Bytes written so far.
    at: u64,
    /// The offset of each object, by id less one.
    offsets: Vec<u64>,
    pages: Vec<Ref>,
    /// Fonts and images written: a few, each made once per process (or
    /// twice, where two threads made it at once: equal, it is written once).
    fonts: Vec<(Arc<EmbeddedFont>, Ref)>,
    images: Vec<(Arc<Picture>, Ref, Ref)>,
    title: String,
}

/// The ids of the page tree, catalog and document information.
const CATALOG: Ref = Ref::new(2);
const INFO: Ref = Ref::new(3);

impl<W: Write> PdfStream<W> {
    /// A PDF into `out`, its header written; `title` goes in its document
    /// information.
    pub fn new(mut out: W, title: &str) -> io::Result<Self> {
        let header = b"%PDF-1.7\n%\x80\x80\x80\x80\n\n";
        out.write_all(header)?;
        Ok(PdfStream {
            out,
            at: header.len() as u64,
            offsets: vec![0; INFO.get() as usize],
            pages: Vec::new(),
            fonts: Vec::new(),
            images: Vec::new(),
            title: title.to_owned(),
        })
    }

    /// Pages so far.
    pub fn pages(&self) -> usize {
        self.pages.len()
    }

    /// Appends `sheets`; gives the number of its first page, from 1.
    pub fn push(&mut self, sheets: Sheets) -> io::Result<usize> {
        let first = self.pages.len() + 1;
        let fonts = sheets.fonts;
        let mut map: HashMap<Ref, Ref> = HashMap::from([(TREE, TREE)]);
        let mut shared = Chunk::new();
        let mut ids = Ids(self.offsets.len() as i32);
        for (local, face, font) in &sheets.resources.fonts {
            let global = match self.fonts.iter().find(|(known, _)| same(known, font)) {
                Some((_, global)) => *global,
                None => {
                    let global = ids.next();
                    write_font(&mut shared, &mut ids, global, &fonts.faces()[*face], font);
                    self.fonts.push((font.clone(), global));
                    global
                }
            };
            map.insert(*local, global);
        }
        for (image, mask, picture) in &sheets.resources.images {
            let known = self.images.iter().find(|(known, ..)| same(known, picture));
            let (global, global_mask) = match known {
                Some((_, image, mask)) => (*image, *mask),
                None => {
                    let (image, mask) = (ids.next(), ids.next());
                    write_image(&mut shared, image, mask, picture);
                    self.images.push((picture.clone(), image, mask));
                    (image, mask)
                }
            };
            map.insert(*image, global);
            map.insert(*mask, global_mask);
        }
        let mut renumbered = Chunk::new();
        sheets.chunk.renumber_into(&mut renumbered, |local| {
            *map.entry(local).or_insert_with(|| ids.next())
        });
        self.pages.extend(sheets.pages.iter().map(|page| map[page]));
        self.offsets.resize(ids.0 as usize, 0);
        self.emit(&shared)?;
        self.emit(&renumbered)?;
        Ok(first)
    }

    /// Appends an empty page of `size` (points).
    pub fn blank(&mut self, (width, height): (f32, f32)) -> io::Result<()> {
        let page = Ref::new(self.offsets.len() as i32 + 1);
        self.offsets.push(0);
        let mut chunk = Chunk::new();
        chunk
            .page(page)
            .media_box(Rect::new(0.0, 0.0, width, height))
            .parent(TREE);
        self.pages.push(page);
        self.emit(&chunk)
    }

    /// Ends the file: page tree, catalog, document information, the
    /// cross-reference table and trailer. Gives back the writer, flushed.
    pub fn finish(mut self) -> io::Result<W> {
        let mut chunk = Chunk::new();
        chunk
            .pages(TREE)
            .kids(self.pages.iter().copied())
            .count(self.pages.len() as i32);
        let mut catalog = chunk.indirect(CATALOG).dict();
        catalog.pair(Name(b"Type"), Name(b"Catalog"));
        catalog.pair(Name(b"Pages"), TREE);
        catalog.finish();
        let mut info = chunk.indirect(INFO).dict();
        info.pair(Name(b"Title"), TextStr(&self.title));
        info.pair(Name(b"Creator"), TextStr("appeal"));
        info.finish();
        self.emit(&chunk)?;
        let mut xref = format!("xref\n0 {}\n0000000000 65535 f\r\n", self.offsets.len() + 1);
        for offset in &self.offsets {
            xref.push_str(&format!("{offset:010} 00000 n\r\n"));
        }
        xref.push_str(&format!(
            "trailer\n<<\n  /Size {}\n  /Root {} 0 R\n  /Info {} 0 R\n>>\nstartxref\n{}\n%%EOF",
            self.offsets.len() + 1,
            CATALOG.get(),
            INFO.get(),
            self.at
        ));
        self.out.write_all(xref.as_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }

    /// Writes the objects of `chunk` (in the file's ids), recording where
    /// each starts.
    fn emit(&mut self, chunk: &Chunk) -> io::Result<()> {
        let bytes = chunk.as_bytes();
        let mut from = 0;
        for id in chunk.refs() {
            let start = object_start(bytes, from, id);
            self.offsets[id.get() as usize - 1] = self.at + start as u64;
            from = start + 1;
        }
        self.out.write_all(bytes)?;
        self.at += bytes.len() as u64;
        Ok(())
    }
}

/// True if `a` and `b` are one font or picture, or equal.
fn same<T: PartialEq>(a: &Arc<T>, b: &Arc<T>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

/// Where object `id` starts in `bytes`, at or after `from`: the first
/// object at the start, any other right after the `endobj` of the one
/// before. (pdf-writer keeps the offsets it records to itself; the objects
/// follow each other in the order of their ids, and stream data, all
/// deflated, would have to hold the very end of an object and the next
/// one's header to mislead this.)
fn object_start(bytes: &[u8], from: usize, id: Ref) -> usize {
    let header = format!("{} 0 obj\n", id.get());
    let header = header.as_bytes();
    if from == 0 && bytes.starts_with(header) {
        return 0;
    }
    let end = b"\nendobj\n";
    let mut at = from;
    while let Some(found) = find(&bytes[at..], end) {
        let mut next = at + found + end.len();
        if bytes.get(next) == Some(&b'\n') {
            next += 1;
        }
        if bytes[next..].starts_with(header) {
            return next;
        }
        at += found + 1;
    }
    unreachable!("pdf-writer writes every object it lists")
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use lopdf::Document;

    use super::*;
    use crate::letter::Block;
    use crate::render::pdf::layout::tests::{letter, run};

    #[test]
    fn letters_appended_make_one_file_sharing_their_fonts() {
        let options = PdfOptions {
            subset: crate::render::Subset::Shared,
            ..PdfOptions::default()
        };
        let mut stream = PdfStream::new(Vec::new(), "print").unwrap();
        for text in ["One letter.", "Another letter."] {
            let letter = letter(vec![Block::Paragraph(vec![run(text)])]);
            let sheets = letter_sheets(&letter, &options).unwrap();
            let first = stream.pages() + 1;
            assert_eq!(stream.push(sheets).unwrap(), first);
        }
        stream.blank((100.0, 100.0)).unwrap();
        let bytes = stream.finish().unwrap();
        // Every offset in the table is where its object starts.
        let text = String::from_utf8_lossy(&bytes);
        let table = &text[text.rfind("\nxref\n").unwrap() + 1..];
        let entries = table
            .lines()
            .skip(3)
            .take_while(|line| line.ends_with(" n"));
        let mut count = 0;
        for (i, entry) in entries.enumerate() {
            let offset: usize = entry[..10].parse().unwrap();
            let header = format!("{} 0 obj\n", i + 1);
            assert!(bytes[offset..].starts_with(header.as_bytes()), "{header}");
            count += 1;
        }
        let document = Document::load_mem(&bytes).unwrap();
        assert_eq!(count, document.objects.len());
        assert_eq!(document.get_pages().len(), 3);
        let fonts = |document: &Document| {
            (document.objects.values())
                .filter(|o| {
                    o.as_dict().is_ok_and(|d| {
                        d.get(b"Subtype")
                            .is_ok_and(|s| s.as_name().is_ok_and(|n| n == b"Type0"))
                    })
                })
                .count()
        };
        // As many fonts as one letter has: the second letter shares them.
        let one = letter(vec![Block::Paragraph(vec![run("One letter.")])]);
        let single = Document::load_mem(&crate::render::pdf::pdf(&one, &options).unwrap()).unwrap();
        assert_eq!(fonts(&document), fonts(&single));
        let text = document.extract_text(&[2]).unwrap();
        assert!(text.contains("Another letter."), "{text}");
    }

    #[test]
    fn a_png_logo_is_written_once_for_all_the_letters() {
        let png = include_bytes!("../../../tests/fixtures/logo/logo.png");
        let mut stream = PdfStream::new(Vec::new(), "print").unwrap();
        for text in ["One letter.", "Another letter.", "A third."] {
            let mut letter = letter(vec![Block::Paragraph(vec![run(text)])]);
            letter.letterhead.logo = Some(Logo::Png(Arc::new(png.to_vec())));
            stream
                .push(letter_sheets(&letter, &PdfOptions::default()).unwrap())
                .unwrap();
        }
        let document = Document::load_mem(&stream.finish().unwrap()).unwrap();
        let images = (document.objects.values())
            .filter(|o| {
                o.as_stream().is_ok_and(|s| {
                    s.dict
                        .get(b"Subtype")
                        .is_ok_and(|n| n.as_name().is_ok_and(|n| n == b"Image"))
                })
            })
            .count();
        // The logo and its mask.
        assert_eq!(images, 2);
        assert_eq!(document.get_pages().len(), 3);
    }
}
