//! Tagged PDF, PDF/A-2b and PDF/UA-1: the letter's structure tree, the
//! marked content that ties each drawn line to it, and the catalog's
//! metadata that claims the standards.
//!
//! Every line or image the layout gives an element ([`Node`]) becomes a
//! marked-content sequence with its own MCID, marked with the element's
//! structure type; everything else (running heads, rules) is marked as an
//! artifact. A line with a label (a list marker, a note's number), a link
//! or words in another language than the letter's is marked piece by piece
//! inside its text object: the label's content is its Lbl element's; a
//! link's words and its annotations are one Link element in the line's
//! element, over lines too (ISO 32000-1 14.8.4.4.2: a Link may hold several
//! annotations where its text needs them); another language's words are a
//! Span with that /Lang (14.9.2). Nothing here reads a clock: dates come
//! from the letter, so equal letters give equal bytes.

use std::sync::LazyLock;

use pdf_writer::types::{ArtifactType, OutputIntentSubtype, StructRole, TableHeaderScope};
use pdf_writer::writers::{Catalog, StructElement, StructTreeRoot};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Ref, Str, TextStr};
use xmp_writer::{DateTime, XmpWriter};

use super::breaking::Placed;
use super::layout::{Item, Node, Role};
use super::write::{SHARED, compress};
use crate::letter::Letter;

/// The sRGB colour profile of the output intent (ICC v4, 480 bytes; see
/// assets/icc/README.md for where it comes from and its licence).
const SRGB: &[u8] = include_bytes!("../../../assets/icc/sRGB-v4.icc");

/// The profile deflated, once per process.
static SRGB_DEFLATED: LazyLock<Vec<u8>> = LazyLock::new(|| compress(SRGB, SHARED));

/// What the content of a marked-content sequence is part of.
#[derive(Clone, Copy, PartialEq)]
enum Owner {
    /// The element of the layout with this number.
    Node(u32),
    /// The inline element with this number: a link, or a span in another
    /// language.
    Inline(usize),
}

/// What a marked-content sequence is.
#[derive(Clone, Copy, PartialEq)]
enum Marked {
    /// Part of an element.
    Element(Owner),
    /// An artifact.
    Artifact(ArtifactType),
}

/// What a structure element holds, in order.
#[derive(Clone, Copy)]
enum Kid {
    /// Marked content on a page.
    Content { page: usize, mcid: i32 },
    /// An inline element.
    Inline(usize),
    /// A link annotation, by its number in the document.
    Annotation(usize),
}

/// What an inline element is: a link to an address, or text in a language.
enum Inlined {
    Link(String),
    Span(String),
}

/// An element made while a line is drawn, inside the line's element: a
/// link (its words and its annotations), or a span of text in a language
/// other than the letter's.
struct Inline {
    what: Inlined,
    /// The element it is in; none for a link outside any.
    parent: Option<u32>,
    kids: Vec<Kid>,
}

/// What the pieces of a line are part of, as the tagger sees them: the
/// element of the layout a label is, a link, text in another language.
#[derive(Clone, Copy, PartialEq)]
enum Mark<'p> {
    Node(u32),
    Link(&'p str),
    Span(&'p str),
}

/// Collects, while pages are drawn, which marked content and which links
/// belong to which element; then writes the structure tree.
pub(super) struct Tagger<'a> {
    nodes: &'a [Node],
    /// The letter's language: text in another is a span.
    language: &'a str,
    /// What each element holds, in drawing order.
    kids: Vec<Vec<Kid>>,
    /// The links and spans.
    inlines: Vec<Inline>,
    /// For each page, what each of its MCIDs is part of.
    mcids: Vec<Vec<Owner>>,
    /// For each link annotation: its page, its link, and the annotation
    /// once written.
    links: Vec<(usize, usize, Option<Ref>)>,
    /// The element of the item being drawn.
    current: Option<u32>,
    /// The page being drawn.
    page: usize,
    /// The item being drawn is a line whose pieces are marked one by one,
    /// inside its text object.
    split: bool,
    /// The links marked on the line being drawn, in order.
    line_links: Vec<usize>,
    /// The marked content open: an element's, or an artifact of a kind.
    open: Option<Marked>,
    /// How many links have their annotation.
    annotated: usize,
}

impl<'a> Tagger<'a> {
    /// A tagger for a layout's elements over `pages` pages of a letter in
    /// `language`.
    pub fn new(nodes: &'a [Node], pages: usize, language: &'a str) -> Self {
        Tagger {
            nodes,
            language,
            kids: nodes.iter().map(|_| Vec::new()).collect(),
            inlines: Vec::new(),
            mcids: vec![Vec::new(); pages],
            links: Vec::new(),
            current: None,
            page: 0,
            split: false,
            line_links: Vec::new(),
            open: None,
            annotated: 0,
        }
    }

    /// Opens the marked content of `item` on page `page`: its element's
    /// next MCID, or an artifact; or goes on with the marked content open
    /// where it is the same element's or the same kind of artifact's. A
    /// line with a label, a link or another language's words is marked
    /// piece by piece instead ([`Tagger::piece`]).
    pub fn begin(&mut self, content: &mut Content, page: usize, item: &Item) {
        let tag = match item {
            Item::Text(line) => line.tag,
            Item::Signature(signatory, _) => (self.nodes.iter())
                .position(|node| node.image == Some(*signatory))
                .map(|i| i as u32),
            Item::Logo { tag, .. } => Some(*tag),
            Item::Rule(_) | Item::VRule(_) => None,
        };
        (self.current, self.page) = (tag, page);
        if let (Item::Text(line), Some(tag)) = (item, tag) {
            let pieces = line.line.pieces.iter();
            self.split = pieces
                .map(|piece| self.mark(piece))
                .any(|mark| mark != Mark::Node(tag));
            if self.split {
                self.close(content);
                return;
            }
        }
        let marked = match (tag, item) {
            (Some(tag), _) => Marked::Element(Owner::Node(tag)),
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
            Marked::Element(owner) => self.identify(content, owner),
        }
    }

    /// What `piece`, on a line of the current element, is part of.
    fn mark<'p>(&self, piece: &'p Placed) -> Mark<'p> {
        match (piece.tag, &piece.link, &piece.language) {
            (Some(tag), _, _) => Mark::Node(tag),
            (None, Some(link), _) => Mark::Link(link),
            (None, None, Some(language)) if !same_language(language, self.language) => {
                Mark::Span(language)
            }
            _ => Mark::Node(self.current.unwrap_or_default()),
        }
    }

    /// Whether `piece` needs marked content other than what is open: on a
    /// line marked piece by piece, where it is part of something else than
    /// the piece before it. The caller ends its glyph strings before
    /// [`Tagger::piece`] marks it.
    pub fn is_new(&self, piece: &Placed) -> bool {
        if !self.split {
            return false;
        }
        let open = match self.open {
            Some(Marked::Element(owner)) => owner,
            _ => return true,
        };
        match (self.mark(piece), open) {
            (Mark::Node(tag), Owner::Node(node)) => tag != node,
            (mark, Owner::Inline(i)) => !self.inlines[i].what.is(mark),
            _ => true,
        }
    }

    /// Opens the marked content of `piece`, for which [`Tagger::is_new`]
    /// holds: a new MCID of its label, link or span, or of the line's own
    /// element. A link or span goes on where the element's content before
    /// was the same link's or span's, on the line before too.
    pub fn piece(&mut self, content: &mut Content, piece: &Placed) {
        self.close(content);
        let parent = self.current;
        let mark = self.mark(piece);
        let what = match mark {
            Mark::Node(tag) => {
                self.open = Some(Marked::Element(Owner::Node(tag)));
                return self.identify(content, Owner::Node(tag));
            }
            Mark::Link(link) => Inlined::Link(link.to_owned()),
            Mark::Span(language) => Inlined::Span(language.to_owned()),
        };
        let kids = &mut self.kids[parent.unwrap_or_default() as usize];
        let i = match kids.last() {
            Some(Kid::Inline(i)) if self.inlines[*i].what.is(mark) => *i,
            _ => {
                kids.push(Kid::Inline(self.inlines.len()));
                self.inlines.push(Inline {
                    what,
                    parent,
                    kids: Vec::new(),
                });
                self.inlines.len() - 1
            }
        };
        if matches!(self.inlines[i].what, Inlined::Link(_)) {
            self.line_links.push(i);
        }
        self.open = Some(Marked::Element(Owner::Inline(i)));
        self.identify(content, Owner::Inline(i));
    }

    /// Begins marked content with the next MCID of the page, part of `owner`.
    fn identify(&mut self, content: &mut Content, owner: Owner) {
        let (page, mcids) = (self.page, &mut self.mcids[self.page]);
        let mcid = mcids.len() as i32;
        mcids.push(owner);
        let (kids, role) = match owner {
            Owner::Node(tag) => (
                &mut self.kids[tag as usize],
                role(self.nodes[tag as usize].role),
            ),
            Owner::Inline(i) => {
                let inline = &mut self.inlines[i];
                (&mut inline.kids, inline.what.role())
            }
        };
        kids.push(Kid::Content { page, mcid });
        (content.begin_marked_content_with_properties(role.to_name()))
            .properties()
            .identify(mcid);
    }

    /// Ends the line being drawn: closes its pieces' marked content, if it
    /// was marked piece by piece, before its text object ends.
    pub fn end_line(&mut self, content: &mut Content) {
        if self.split {
            self.close(content);
        }
    }

    /// Closes the marked content open, if any: at the end of a content
    /// stream, or before other marked content.
    pub fn close(&mut self, content: &mut Content) {
        if self.open.take().is_some() {
            content.end_marked_content();
        }
    }

    /// Records the links the item drawn made on page `page`: each the
    /// annotation of the link its words were marked as, in order.
    pub fn links(&mut self, page: usize, links: usize) {
        let mut marked = std::mem::take(&mut self.line_links).into_iter();
        for _ in 0..links {
            let link = marked.next().unwrap_or_else(|| {
                // A link on a line that is no element's: its own, at the top.
                self.inlines.push(Inline {
                    what: Inlined::Link(String::new()),
                    parent: None,
                    kids: Vec::new(),
                });
                self.inlines.len() - 1
            });
            self.inlines[link]
                .kids
                .push(Kid::Annotation(self.links.len()));
            self.links.push((page, link, None));
        }
        self.split = false;
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
        for (inline, id) in self.inlines.iter().zip(&numbers.inlines) {
            let mut element = pdf.struct_element(*id);
            element.kind(inline.what.role());
            element.parent(numbers.parent(inline.parent));
            if let Inlined::Span(language) = &inline.what {
                element.lang(TextStr(language));
            }
            let kids: Vec<Out> = (inline.kids.iter())
                .map(|kid| self.out(&numbers, *kid))
                .collect();
            self.write_kids(&mut element, pages, &kids);
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
    /// table row, empty ones too, so that its columns line up); and orders
    /// each element's children, a note after the element it follows.
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
        let inlines: Vec<Ref> = self.inlines.iter().map(|_| next()).collect();
        let follows = |node: &Node| node.follows.filter(|&f| used[f as usize]);
        let mut followers: Vec<Vec<u32>> = vec![Vec::new(); self.nodes.len()];
        for (i, node) in self.nodes.iter().enumerate() {
            if let (true, Some(f)) = (used[i], follows(node)) {
                followers[f as usize].push(i as u32);
            }
        }
        let mut children: Vec<Vec<u32>> = vec![Vec::new(); self.nodes.len()];
        let mut top = Vec::new();
        for (i, node) in self.nodes.iter().enumerate() {
            if !used[i] || follows(node).is_some() {
                continue;
            }
            for j in std::iter::once(i as u32).chain(followers[i].iter().copied()) {
                match self.nodes[j as usize].parent {
                    Some(parent) => children[parent as usize].push(j),
                    None => top.push(elements[j as usize].expect("used")),
                }
            }
        }
        // Links outside any element are the document's.
        for (inline, id) in self.inlines.iter().zip(&inlines) {
            if inline.parent.is_none() {
                top.push(*id);
            }
        }
        Numbers {
            root,
            document,
            elements,
            inlines,
            children,
            top,
        }
    }

    /// A kid as written.
    fn out(&self, numbers: &Numbers, kid: Kid) -> Out {
        match kid {
            Kid::Content { page, mcid } => Out::Content { page, mcid },
            Kid::Inline(i) => Out::Element(numbers.inlines[i]),
            Kid::Annotation(i) => {
                let (page, _, annotation) = self.links[i];
                Out::Annotation(page, annotation)
            }
        }
    }

    /// Writes element `i`, if it is written: its type, parent, alternative
    /// text, and what it holds in order (its label first).
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
        let child = |&j: &u32| Out::Element(numbers.elements[j as usize].expect("used"));
        let is_label = |j: &&u32| self.nodes[**j as usize].role == Role::Lbl;
        let children = &numbers.children[i];
        let kids: Vec<Out> = (children.iter().filter(is_label).map(child))
            .chain(self.kids[i].iter().map(|kid| self.out(numbers, *kid)))
            .chain(children.iter().filter(|j| !is_label(j)).map(child))
            .collect();
        self.write_kids(&mut element, pages, &kids);
    }

    /// Writes what an element holds, and the page of its first content.
    fn write_kids(&self, element: &mut StructElement, pages: &[Ref], kids: &[Out]) {
        let first = kids.iter().find_map(|kid| match kid {
            Out::Content { page, .. } => Some(*page),
            _ => None,
        });
        let first = first.or_else(|| {
            kids.iter().find_map(|kid| match kid {
                Out::Annotation(page, _) => Some(*page),
                _ => None,
            })
        });
        if let Some(page) = first {
            element.page(pages[page]);
        }
        // One kid stands alone: shorter, and what simple readers expect.
        match kids {
            [Out::Content { mcid, .. }] => {
                element.pair(Name(b"K"), *mcid);
                return;
            }
            [Out::Element(child)] => {
                element.child(*child);
                return;
            }
            _ => {}
        }
        let mut children = element.children();
        for kid in kids {
            match *kid {
                Out::Content { page, mcid } if Some(page) == first => {
                    children.marked_content_id(mcid);
                }
                Out::Content { page, mcid } => {
                    (children.marked_content_ref())
                        .marked_content_id(mcid)
                        .page(pages[page]);
                }
                Out::Element(id) => {
                    children.struct_element(id);
                }
                Out::Annotation(page, Some(annotation)) => {
                    (children.object_ref()).object(annotation).page(pages[page]);
                }
                Out::Annotation(_, None) => {}
            }
        }
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
        for (i, (_, link, _)) in self.links.iter().enumerate() {
            nums.insert((self.mcids.len() + i) as i32, numbers.inlines[*link]);
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
            let owners = mcids.iter().map(|owner| match *owner {
                Owner::Node(n) => numbers.elements[n as usize].expect("holds content"),
                Owner::Inline(i) => numbers.inlines[i],
            });
            (pdf.indirect(array).array()).items(owners);
        }
    }
}

impl Inlined {
    /// Whether a piece of `mark` is part of it.
    fn is(&self, mark: Mark) -> bool {
        match (self, mark) {
            (Inlined::Link(link), Mark::Link(other)) => link == other,
            (Inlined::Span(language), Mark::Span(other)) => language == other,
            _ => false,
        }
    }

    /// Its structure type.
    fn role(&self) -> StructRole {
        match self {
            Inlined::Link(_) => StructRole::Link,
            Inlined::Span(_) => StructRole::Span,
        }
    }
}

/// A kid of an element as written: marked content, an element, or a link
/// annotation on a page (once written).
enum Out {
    Content { page: usize, mcid: i32 },
    Element(Ref),
    Annotation(usize, Option<Ref>),
}

/// The object numbers of a structure tree.
struct Numbers {
    root: Ref,
    document: Ref,
    /// Each element's, where it is written.
    elements: Vec<Option<Ref>>,
    /// Each link's and span's.
    inlines: Vec<Ref>,
    /// The elements in each element, in reading order.
    children: Vec<Vec<u32>>,
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
        Role::Lbl => StructRole::Lbl,
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

/// True where two language tags name one language (`EN`, `en-GB` and `en`):
/// text in it needs no span of its own.
fn same_language(a: &str, b: &str) -> bool {
    let primary = |tag: &str| {
        tag.split('-')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    primary(a) == primary(b)
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

    // See: #12 (a source in "EN" in an English letter was a span)
    #[test]
    fn tells_one_language_in_other_spellings() {
        use super::same_language;
        assert!(same_language("EN", "en") && same_language("en-GB", "en"));
        assert!(!same_language("be", "en") && !same_language("sr-Latn", "ru"));
    }

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

    /// A list item's first line is marked piece by piece, its marker as the
    /// label's: inside its text object, which marked content never straddles.
    #[test]
    fn pieces_are_marked_inside_their_text_object() {
        let letter = long_letter();
        let bytes = pdf(&letter, &PdfOptions::default()).unwrap();
        let document = Document::load_mem(&bytes).unwrap();
        let mut labels = 0;
        for page in document.get_pages().into_values() {
            let content = Decoded::decode(&document.get_page_content(page)).unwrap();
            let mut open: Vec<&str> = Vec::new();
            for operation in &content.operations {
                match operation.operator.as_str() {
                    "BT" => open.push("BT"),
                    "BDC" | "BMC" => {
                        let tag = operation.operands[0].as_name().unwrap();
                        labels += usize::from(tag == b"Lbl");
                        open.push("BDC");
                    }
                    "ET" => assert_eq!(open.pop(), Some("BT")),
                    "EMC" => assert_eq!(open.pop(), Some("BDC")),
                    _ => {}
                }
            }
            assert!(open.is_empty());
        }
        assert_eq!(labels, 2);
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
