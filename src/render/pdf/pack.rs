//! Packing: a finished PDF made smaller without changing what it says. Its
//! objects that are not streams (dictionaries of pages, fonts, annotations,
//! the structure tree) go, deflated together, into one object stream, and
//! a deflated cross-reference stream replaces the table (PDF 1.5; PDF/A-2
//! allows both). A tagged letter's hundred small objects then cost a
//! fraction of their size.
//!
//! The input is what pdf-writer writes with compact settings: objects as
//! `N 0 obj\n…\nendobj\n`, a cross-reference table of 20-byte entries, and
//! a trailer. A stream is told from other objects by how it ends
//! (`\nendstream`), which no dictionary, array or string can.

use std::fmt::Write as _;

use pdf_writer::Ref;

use super::cache::ContentMemo;
use super::write::compress_once;

/// `classic`, a PDF with a cross-reference table, with its small objects in
/// an object stream and a cross-reference stream; `root`, `info` and `id`
/// as its trailer names them. The object stream is deflated once for equal
/// objects with `memo` (letters of a batch mostly have the same). Gives
/// `classic` unchanged where it is not as pdf-writer writes it.
pub fn pack(classic: Vec<u8>, root: Ref, info: Ref, id: &[u8], memo: &ContentMemo) -> Vec<u8> {
    match objects(&classic) {
        Some((header, objects)) => repack(&classic[..header], &objects, [root, info], id, memo),
        None => classic,
    }
}

/// An object of the classic file: its number, its bytes from `N 0 obj` to
/// `endobj`, and its value between them.
struct Object<'a> {
    number: usize,
    span: &'a [u8],
    value: &'a [u8],
}

impl Object<'_> {
    fn is_stream(&self) -> bool {
        self.value.ends_with(b"\nendstream")
    }
}

/// Where the objects start (after the header), and the objects in file
/// order; `None` where the file is not as expected.
fn objects(pdf: &[u8]) -> Option<(usize, Vec<Object<'_>>)> {
    let tail = pdf.strip_suffix(b"\n%%EOF")?;
    let at = tail.iter().rposition(|&b| b == b'\n')?;
    let xref: usize = std::str::from_utf8(&tail[at + 1..]).ok()?.parse().ok()?;
    let table = pdf.get(xref..)?.strip_prefix(b"xref\n0 ")?;
    let line = table.iter().position(|&b| b == b'\n')?;
    let count: usize = std::str::from_utf8(&table[..line]).ok()?.parse().ok()?;
    let entries = table.get(line + 1..line + 1 + count * 20)?;
    let mut starts: Vec<(usize, usize)> = Vec::new();
    for (number, entry) in entries.chunks_exact(20).enumerate() {
        if entry[17] == b'n' {
            let offset = std::str::from_utf8(&entry[..10]).ok()?.parse().ok()?;
            starts.push((offset, number));
        }
    }
    starts.sort_unstable();
    let header = starts.first()?.0;
    let ends = starts
        .iter()
        .skip(1)
        .map(|&(offset, _)| offset)
        .chain([xref]);
    let mut objects = Vec::with_capacity(starts.len());
    for (&(start, number), end) in starts.iter().zip(ends) {
        let span = pdf.get(start..end)?;
        let digits = span.iter().take_while(|b| b.is_ascii_digit()).count();
        let value = (span[digits..].strip_prefix(b" 0 obj\n"))
            .and_then(|rest| rest.strip_suffix(b"\nendobj\n"))
            .filter(|_| span[..digits] == *number.to_string().as_bytes())?;
        objects.push(Object {
            number,
            span,
            value,
        });
    }
    Some((header, objects))
}

/// The packed file: `header`, the streams as they were, one object stream
/// holding every other object, and a cross-reference stream.
fn repack(
    header: &[u8],
    objects: &[Object],
    [root, info]: [Ref; 2],
    id: &[u8],
    memo: &ContentMemo,
) -> Vec<u8> {
    let size = objects.iter().map(|o| o.number).max().unwrap_or(0) + 3;
    let (packed_number, xref_number) = (size - 2, size - 1);
    // Each object's entry: in the file at an offset, or in the object stream at an index.
    let mut entries = vec![(0u8, 0usize, 0usize); size];
    entries[0] = (0, 0, 65535);
    let mut out =
        Vec::with_capacity(header.len() + objects.iter().map(|o| o.span.len()).sum::<usize>());
    out.extend_from_slice(header);
    let (mut index, mut values) = (String::new(), Vec::new());
    let mut packed = 0;
    for object in objects {
        if object.is_stream() {
            entries[object.number] = (1, out.len(), 0);
            out.extend_from_slice(object.span);
        } else {
            entries[object.number] = (2, packed_number, packed);
            packed += 1;
            let _ = write!(index, "{} {} ", object.number, values.len());
            values.extend_from_slice(object.value);
            values.push(b'\n');
        }
    }
    let first = index.len();
    let mut data = index.into_bytes();
    data.extend_from_slice(&values);
    let data = compress_once(memo, &data);
    entries[packed_number] = (1, out.len(), 0);
    let _ = write!(
        Text(&mut out),
        "{packed_number} 0 obj\n<</Type/ObjStm/N {packed}/First {first}/Filter/FlateDecode/Length {}>>\nstream\n",
        data.len()
    );
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\nendstream\nendobj\n");

    let start = out.len();
    entries[xref_number] = (1, start, 0);
    // Fields as wide as their largest value: the table is left undeflated,
    // too small to be worth a compressor's time.
    let width = |field: fn(&(u8, usize, usize)) -> usize| {
        let largest = entries.iter().map(field).max().unwrap_or(0);
        (usize::BITS - largest.leading_zeros()).div_ceil(8).max(1) as usize
    };
    let (first, second) = (width(|e| e.1), width(|e| e.2));
    let mut table = Vec::with_capacity(entries.len() * (1 + first + second));
    for (kind, one, two) in entries {
        table.push(kind);
        table.extend_from_slice(&one.to_be_bytes()[size_of::<usize>() - first..]);
        table.extend_from_slice(&two.to_be_bytes()[size_of::<usize>() - second..]);
    }
    let hex: String = id.iter().map(|b| format!("{b:02X}")).collect();
    let _ = write!(
        Text(&mut out),
        "{xref_number} 0 obj\n<</Type/XRef/Size {size}/W[1 {first} {second}]/Root {} 0 R/Info {} 0 R/ID[<{hex}><{hex}>]/Length {}>>\nstream\n",
        root.get(),
        info.get(),
        table.len()
    );
    out.extend_from_slice(&table);
    let _ = write!(
        Text(&mut out),
        "\nendstream\nendobj\nstartxref\n{start}\n%%EOF"
    );
    out
}

/// Bytes written to as text.
struct Text<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Text<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use pdf_writer::{Finish, Pdf, Rect, Ref, Settings, TextStr};

    use super::pack;
    use crate::render::PdfCache;

    /// A one-page file whose title holds what a naive reader could take for
    /// the end of an object or a stream.
    fn classic() -> Vec<u8> {
        let mut pdf = Pdf::with_settings(Settings { pretty: false });
        let [catalog, pages, page, content, info] = [1, 2, 3, 4, 5].map(Ref::new);
        pdf.catalog(catalog).pages(pages);
        pdf.pages(pages).kids([page]).count(1);
        pdf.page(page)
            .parent(pages)
            .media_box(Rect::new(0.0, 0.0, 100.0, 100.0))
            .contents(content);
        pdf.stream(content, b"0 0 m 10 10 l S").finish();
        pdf.document_info(info)
            .title(TextStr("endstream\nendobj\n6 0 obj"));
        pdf.set_file_id((b"ab".to_vec(), b"ab".to_vec()));
        pdf.finish()
    }

    #[test]
    fn packed_file_reads_the_same() {
        let classic = classic();
        let cache = PdfCache::default();
        let memo = &cache.memos().contents;
        let packed = pack(classic.clone(), Ref::new(1), Ref::new(5), b"ab", memo);
        let before = lopdf::Document::load_mem(&classic).unwrap();
        let after = lopdf::Document::load_mem(&packed).unwrap();
        assert_eq!(after.get_pages().len(), 1);
        for number in 1..=5 {
            let id = (number, 0);
            let (a, b) = (
                before.get_object(id).unwrap(),
                after.get_object(id).unwrap(),
            );
            match (a.as_stream(), b.as_stream()) {
                (Ok(a), Ok(b)) => assert_eq!(a.content, b.content),
                _ => assert_eq!(a, b, "object {number}"),
            }
        }
        let info = after.trailer.get(b"Info").unwrap().as_reference().unwrap();
        let title = after.get_dictionary(info).unwrap().get(b"Title").unwrap();
        assert_eq!(
            lopdf::decode_text_string(title).unwrap(),
            "endstream\nendobj\n6 0 obj"
        );
        // Packed once, the same bytes again.
        assert_eq!(pack(classic, Ref::new(1), Ref::new(5), b"ab", memo), packed);
    }

    #[test]
    fn a_file_not_as_pdf_writer_writes_it_stays_as_it_is() {
        let odd = b"%PDF-1.7\nnot a file\n%%EOF".to_vec();
        let cache = PdfCache::default();
        let memo = &cache.memos().contents;
        assert_eq!(pack(odd.clone(), Ref::new(1), Ref::new(2), b"", memo), odd);
    }
}
