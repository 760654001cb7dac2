//! Tagged PDF, PDF/A-2b and PDF/UA-1: the letter's structure tree, the
//! marked content that ties each drawn line to it, and the catalog's
//! metadata that claims the standards.
//!
//! Every line or image the layout gives an element ([`Node`]) becomes a
//! marked-content sequence with its own MCID, marked with the element's
//! structure type; everything else (running heads, rules) is marked as an
//! artifact. Link annotations become Link elements of the element their
//! text is in. Nothing here reads a clock: dates come from the letter, so
//! equal letters give equal bytes.

use std::sync::LazyLock;

use pdf_writer::types::{ArtifactType, OutputIntentSubtype, StructRole, TableHeaderScope};
use pdf_writer::writers::{Catalog, StructTreeRoot};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Ref, Str, TextStr};
use xmp_writer::{DateTime, XmpWriter};

use super::layout::{Item, Node, Role};
use super::write::{SHARED, compress};
use crate::letter::Letter;

/// The sRGB colour profile of the output intent (ICC v4, 480 bytes; see
/// assets/icc/README.md for where it comes from and its licence).
const SRGB: &[u8] = include_bytes!("../../../assets/icc/sRGB-v4.icc");

/// The profile deflated, once per process.
static SRGB_DEFLATED: LazyLock<Vec<u8>> = LazyLock::new(|| compress(SRGB, SHARED));

/// What a marked-content sequence is.
#[derive(Clone, Copy, PartialEq)]
enum Marked {
    /// Part of the element with this number.
    Element(u32),
    /// An artifact.
    Artifact(ArtifactType),
}

/// What the structure element of an MCID, or of a link, holds.
enum Kid {
    /// Marked content on a page.
    Content { page: usize, mcid: i32 },
    /// A link annotation, by its number in the document.
    Link(usize),
}

/// Collects, while pages are drawn, which marked content and which links
/// belong to which element; then writes the structure tree.
pub(super) struct Tagger<'a> {
    nodes: &'a [Node],
    /// What each element holds, in drawing order.
    kids: Vec<Vec<Kid>>,
    /// For each page, the element of each of its MCIDs.
    mcids: Vec<Vec<u32>>,
    /// For each link: its page, its element, and its annotation once written.
    links: Vec<(usize, Option<u32>, Option<Ref>)>,
    /// The element of the item being drawn.
    current: Option<u32>,
    /// The marked content open: an element's, or an artifact of a kind.
    open: Option<Marked>,
    /// How many links have their annotation.
    annotated: usize,
}

impl<'a> Tagger<'a> {
    /// A tagger for a layout's elements over `pages` pages.
    pub fn new(nodes: &'a [Node], pages: usize) -> Self {
        Tagger {
            nodes,
            kids: nodes.iter().map(|_| Vec::new()).collect(),
            mcids: vec![Vec::new(); pages],
            links: Vec::new(),
            current: None,
            open: None,
            annotated: 0,
        }
    }

    /// Opens the marked content of `item` on page `page`: its element's
    /// next MCID, or an artifact; or goes on with the marked content open
    /// where it is the same element's or the same kind of artifact's.
    pub fn begin(&mut self, content: &mut Content, page: usize, item: &Item) {
        let tag = match item {
            Item::Text(line) => line.tag,
            Item::Signature(signatory, _) => (self.nodes.iter())
                .position(|node| node.image == Some(*signatory))
                .map(|i| i as u32),
            Item::Logo { tag, .. } => Some(*tag),
            Item::Rule(_) | Item::VRule(_) => None,
        };
        self.current = tag;
        let marked = match (tag, item) {
            (Some(tag), _) => Marked::Element(tag),
            (None, Item::Text(_)) => Marked::Artifact(ArtifactType::Pagination),
            (None, _) => Marked::Artifact(ArtifactType::Layout),
        };
        if self.open == Some(marked) {
            return;
        }
        self.close(content);
        self.open = Some(marked);
        match marked {
            Marked::Artifact(kind) => {
                (content.begin_marked_content_with_properties(Name(b"Artifact")))
                    .properties()
                    .artifact()
                    .kind(kind);
            }
            Marked::Element(tag) => {
                let mcids = &mut self.mcids[page];
                let mcid = mcids.len() as i32;
                mcids.push(tag);
                self.kids[tag as usize].push(Kid::Content { page, mcid });
                let role = role(self.nodes[tag as usize].role);
                (content.begin_marked_content_with_properties(role.to_name()))
                    .properties()
                    .identify(mcid);
            }
        }
    }

    /// Closes the marked content open, if any: at the end of a content
    /// stream, or before other marked content.
    pub fn close(&mut self, content: &mut Content) {
        if self.open.take().is_some() {
            content.end_marked_content();
        }
    }

    /// Records the links the item drawn made on page `page`.
    pub fn links(&mut self, page: usize, links: usize) {
        for _ in 0..links {
            if let Some(tag) = self.current {
                self.kids[tag as usize].push(Kid::Link(self.links.len()));
            }
            self.links.push((page, self.current, None));
        }
    }

    /// Records the annotation of the next link without one, in drawing
    /// order; gives its key in the parent tree.
    pub fn annotation(&mut self, annotation: Ref) -> i32 {
        let i = self.annotated;
        self.links[i].2 = Some(annotation);
        self.annotated += 1;
        (self.mcids.len() + i) as i32
    }

    /// Writes the structure tree and the metadata of an archival file, its
    /// objects numbered by `next`, for pages `pages`.
    pub fn write(
        self,
        pdf: &mut Pdf,
        letter: &Letter,
        pages: &[Ref],
        mut next: impl FnMut() -> Ref,
    ) -> Archival {
        let numbers = self.number(&mut next);
        let mut document = pdf.struct_element(numbers.document);
        document.kind(StructRole::Document).parent(numbers.root);
        document.children().items(numbers.top.iter().copied());
        document.finish();
        for i in 0..self.nodes.len() {
            self.write_element(pdf, &numbers, pages, i);
        }
        for (link, id) in self.links.iter().zip(&numbers.links) {
            let (page, node, annotation) = *link;
            let mut element = pdf.struct_element(*id);
            element.kind(StructRole::Link);
            element.parent(numbers.parent(node));
            element.page(pages[page]);
            if let Some(annotation) = annotation {
                (element.children().object_ref())
                    .object(annotation)
                    .page(pages[page]);
            }
        }
        self.write_root(pdf, &numbers, &mut next);
        let (metadata, profile) = (next(), next());
        pdf.metadata(metadata, &xmp(letter));
        let mut icc = pdf.icc_profile(profile, &SRGB_DEFLATED);
        icc.n(3).range([0.0, 1.0, 0.0, 1.0, 0.0, 1.0]);
        icc.filter(Filter::FlateDecode);
        icc.finish();
        Archival {
            tree: numbers.root,
            metadata,
            profile,
        }
    }

    /// Numbers the objects of the tree: each element written, which is one
    /// that holds content or an element that does (and every cell of a
    /// table row, empty ones too, so that its columns line up).
    fn number(&self, mut next: impl FnMut() -> Ref) -> Numbers {
        let mut used: Vec<bool> = self.kids.iter().map(|kids| !kids.is_empty()).collect();
        for (i, node) in self.nodes.iter().enumerate().rev() {
            if let (true, Some(parent)) = (used[i], node.parent) {
                used[parent as usize] = true;
            }
        }
        for (i, node) in self.nodes.iter().enumerate() {
            if let (Role::TH | Role::TD, Some(row)) = (node.role, node.parent) {
                used[i] |= used[row as usize];
            }
        }
        let root = next();
        let elements: Vec<Option<Ref>> = used.iter().map(|&u| u.then(&mut next)).collect();
        let document = next();
        let links: Vec<Ref> = self.links.iter().map(|_| next()).collect();
        let mut children: Vec<Vec<Ref>> = vec![Vec::new(); self.nodes.len()];
        let mut top = Vec::new();
        for (node, id) in self.nodes.iter().zip(&elements) {
            if let Some(id) = *id {
                match node.parent {
                    Some(parent) => children[parent as usize].push(id),
                    None => top.push(id),
                }
            }
        }
        // Links outside any element are the document's.
        for (link, id) in self.links.iter().zip(&links) {
            if link.1.is_none() {
                top.push(*id);
            }
        }
        Numbers {
            root,
            document,
            elements,
            links,
            children,
            top,
        }
    }

    /// Writes element `i`, if it is written: its type, parent, alternative
    /// text, and what it holds in order.
    fn write_element(&self, pdf: &mut Pdf, numbers: &Numbers, pages: &[Ref], i: usize) {
        let Some(id) = numbers.elements[i] else {
            return;
        };
        let node = &self.nodes[i];
        let mut element = pdf.struct_element(id);
        element.kind(role(node.role));
        element.parent(numbers.parent(node.parent));
        if let Some(alt) = &node.alt {
            element.alt(TextStr(alt));
        }
        if node.role == Role::Note {
            element.id(Str(note_id(i).as_bytes()));
        }
        if node.role == Role::TH {
            // The header row heads the columns under it.
            (element.attributes().push().table()).scope(TableHeaderScope::Column);
        }
        let first = self.kids[i].iter().find_map(|kid| match kid {
            Kid::Content { page, .. } => Some(*page),
            Kid::Link(_) => None,
        });
        if let Some(page) = first {
            element.page(pages[page]);
        }
        // One kid stands alone: shorter, and what simple readers expect.
        match (&self.kids[i][..], &numbers.children[i][..]) {
            ([Kid::Content { mcid, .. }], []) => {
                element.pair(Name(b"K"), *mcid);
                return;
            }
            ([Kid::Link(link)], []) => {
                element.child(numbers.links[*link]);
                return;
            }
            ([], [child]) => {
                element.child(*child);
                return;
            }
            _ => {}
        }
        let mut kids = element.children();
        for kid in &self.kids[i] {
            match *kid {
                Kid::Content { page, mcid } if Some(page) == first => {
                    kids.marked_content_id(mcid);
                }
                Kid::Content { page, mcid } => {
                    (kids.marked_content_ref())
                        .marked_content_id(mcid)
                        .page(pages[page]);
                }
                Kid::Link(link) => {
                    kids.struct_element(numbers.links[link]);
                }
            }
        }
        kids.items(numbers.children[i].iter().copied());
    }

    /// Writes the structure tree's root: the parent tree (each page's
    /// MCIDs, then each link annotation, to their elements) and the notes'
    /// IDs.
    fn write_root(&self, pdf: &mut Pdf, numbers: &Numbers, mut next: impl FnMut() -> Ref) {
        let mut tree = pdf.indirect(numbers.root).start::<StructTreeRoot>();
        tree.child(numbers.document);
        let mut parents = tree.parent_tree();
        let mut nums = parents.nums();
        let mut arrays = Vec::new();
        for (page, mcids) in self.mcids.iter().enumerate() {
            if !mcids.is_empty() {
                let array = next();
                nums.insert(page as i32, array);
                arrays.push((array, mcids));
            }
        }
        for (i, id) in numbers.links.iter().enumerate() {
            nums.insert((self.mcids.len() + i) as i32, *id);
        }
        nums.finish();
        parents.finish();
        let mut notes: Vec<(String, Ref)> = (self.nodes.iter().zip(&numbers.elements))
            .enumerate()
            .filter_map(|(i, (node, id))| {
                Some((note_id(i), (*id)?)).filter(|_| node.role == Role::Note)
            })
            .collect();
        if !notes.is_empty() {
            // A name tree's keys go in byte order.
            notes.sort();
            let mut ids = tree.id_tree();
            let mut names = ids.names();
            for (name, id) in &notes {
                names.insert(Str(name.as_bytes()), *id);
            }
        }
        tree.parent_tree_next_key((self.mcids.len() + self.links.len()) as i32);
        tree.finish();
        for (array, mcids) in arrays {
            let elements = mcids.iter().map(|&n| numbers.elements[n as usize]);
            (pdf.indirect(array).array()).items(elements.map(|id| id.expect("holds content")));
        }
    }
}

/// The object numbers of a structure tree.
struct Numbers {
    root: Ref,
    document: Ref,
    /// Each element's, where it is written.
    elements: Vec<Option<Ref>>,
    /// Each link's element.
    links: Vec<Ref>,
    /// The elements in each element, in order.
    children: Vec<Vec<Ref>>,
    /// The elements at the top, in the document.
    top: Vec<Ref>,
}

impl Numbers {
    /// The element of the element `node` is in: the document at the top.
    fn parent(&self, node: Option<u32>) -> Ref {
        (node.and_then(|n| self.elements[n as usize])).unwrap_or(self.document)
    }
}

/// The ID of the note that is element `i`.
fn note_id(i: usize) -> String {
    format!("note-{i}")
}

/// The objects of an archival file that its catalog refers to.
pub(super) struct Archival {
    tree: Ref,
    metadata: Ref,
    profile: Ref,
}

impl Archival {
    /// Writes what the catalog of a tagged PDF/A-2b, PDF/UA-1 file holds
    /// beyond an untagged one's: the structure tree, the XMP metadata, the
    /// sRGB output intent, and the flags that ask viewers to show the title.
    pub fn catalog(&self, catalog: &mut Catalog) {
        catalog.pair(Name(b"StructTreeRoot"), self.tree);
        catalog.metadata(self.metadata);
        catalog.mark_info().marked(true);
        catalog.viewer_preferences().display_doc_title(true);
        catalog
            .output_intents()
            .push()
            .subtype(OutputIntentSubtype::PDFA)
            .output_condition_identifier(TextStr("sRGB"))
            .info(TextStr("sRGB IEC61966-2.1"))
            .dest_output_profile(self.profile);
    }
}

/// The standard structure type of a role.
fn role(role: Role) -> StructRole {
    match role {
        Role::H1 => StructRole::H1,
        Role::H2 => StructRole::H2,
        Role::P => StructRole::P,
        Role::L => StructRole::L,
        Role::LI => StructRole::LI,
        Role::LBody => StructRole::LBody,
        Role::BlockQuote => StructRole::BlockQuote,
        Role::Note => StructRole::Note,
        Role::Table => StructRole::Table,
        Role::TR => StructRole::TR,
        Role::TH => StructRole::TH,
        Role::TD => StructRole::TD,
        Role::Figure => StructRole::Figure,
    }
}

/// The XMP metadata of a PDF/A-2b, PDF/UA-1 file: the same title, author,
/// tool and date as the document information dictionary.
pub(super) fn xmp(letter: &Letter) -> Vec<u8> {
    let date = letter.date;
    let mut xmp = XmpWriter::new();
    xmp.title([(None, letter.title())])
        .creator([letter.author()])
        .format("application/pdf")
        .creator_tool("appeal")
        .create_date(DateTime::date(date.year() as u16, date.month(), date.day()))
        .pdfa_part(2)
        .pdfa_conformance("B")
        .pdfua_part(1);
    let mut schemas = xmp.extension_schemas();
    schemas.pdfua_id().properties().describe_part();
    schemas.finish();
    xmp.finish(None).into_bytes()
}

#[cfg(test)]
mod tests {
    use lopdf::content::Content as Decoded;
    use lopdf::{Document, Object};

    use crate::letter::Block;
    use crate::render::PdfOptions;
    use crate::render::pdf::font::Fonts;
    use crate::render::pdf::layout::tests::{letter, run};
    use crate::render::pdf::layout::{Item, Role, layout};
    use crate::render::pdf::{Paper, pdf};

    /// A letter of three pages: a quote, a list, and long paragraphs.
    fn long_letter() -> crate::letter::Letter {
        let words = "The authorities raided the union's office and detained its leaders. ";
        let paragraph = || Block::Paragraph(vec![run(&words.repeat(12))]);
        let mut body = vec![Block::Quote(vec![paragraph()])];
        body.push(Block::List {
            start: Some(1),
            items: vec![vec![paragraph()], vec![paragraph()]],
        });
        body.extend((0..8).map(|_| paragraph()));
        letter(body)
    }

    #[test]
    fn every_line_has_an_element_but_the_running_heads() {
        let letter = long_letter();
        let layout = layout(&letter, Paper::A4, Fonts::embedded(), None).unwrap();
        assert!(layout.pages.len() >= 3);
        for (page, &head) in layout.pages.iter().zip(&layout.heads) {
            for (i, item) in page.iter().enumerate() {
                if let Item::Text(line) = item {
                    assert_eq!(line.tag.is_none(), i < head, "{line:?}");
                }
            }
        }
        // Lists and quotes nest: a paragraph in an item's body, in the list.
        let nodes = &layout.nodes;
        let parent = |i: u32| nodes[i as usize].parent;
        let p_in_list = (0..nodes.len() as u32)
            .filter(|&i| nodes[i as usize].role == Role::P)
            .filter_map(&parent)
            .filter(|&body| nodes[body as usize].role == Role::LBody)
            .filter_map(&parent)
            .filter(|&item| nodes[item as usize].role == Role::LI)
            .filter_map(parent)
            .all(|list| nodes[list as usize].role == Role::L);
        assert!(p_in_list);
        assert!(nodes.iter().any(|n| n.role == Role::BlockQuote));
    }

    /// The lines of one element drawn one after another are one
    /// marked-content sequence; running heads and rules are artifacts.
    #[test]
    fn one_marked_content_sequence_per_element_and_page() {
        let letter = long_letter();
        let bytes = pdf(&letter, &PdfOptions::default()).unwrap();
        let document = Document::load_mem(&bytes).unwrap();
        let page = document.get_pages()[&2];
        let content = Decoded::decode(&document.get_page_content(page)).unwrap();
        let (mut mcids, mut artifacts) = (Vec::new(), 0);
        for operation in &content.operations {
            if operation.operator != "BDC" {
                continue;
            }
            match operation.operands[0].as_name().unwrap() {
                b"Artifact" => artifacts += 1,
                _ => {
                    let properties = operation.operands[1].as_dict().unwrap();
                    mcids.push(properties.get(b"MCID").unwrap().as_i64().unwrap());
                }
            }
        }
        // Numbered from 0 on each page, one for each element there.
        let layout = layout(&letter, Paper::A4, Fonts::embedded(), None).unwrap();
        let mut tags: Vec<u32> = (layout.pages[1].iter())
            .filter_map(|item| match item {
                Item::Text(line) => line.tag,
                _ => None,
            })
            .collect();
        tags.dedup();
        assert_eq!(mcids, (0..tags.len() as i64).collect::<Vec<_>>());
        // The running head's two lines, its rule.
        assert_eq!(artifacts, 2, "{:?}", content.operations);
        let page = document.get_dictionary(page).unwrap();
        assert_eq!(page.get(b"StructParents").unwrap(), &Object::Integer(1));
    }
}
