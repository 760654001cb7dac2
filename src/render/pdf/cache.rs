//! The work PDFs share: broken paragraphs, deflated page content, embedded
//! font subsets and decoded signature images, kept in a [`PdfCache`] that
//! the caller owns, can clear, and that stays within a budget of bytes.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use super::breaking::{Line, Paragraph};
use super::memo::Memo;
use super::write::{Decoded, EmbeddedFont, FontKey};

/// Work remembered between PDFs rendered with the same cache: the letters
/// of a batch differ in little but their first page, so that most of what
/// one letter needs was made for the one before. The bytes of a PDF are the
/// same with or without it.
///
/// It is a handle: clones share one cache, and it can be used from many
/// threads at once. [`PdfOptions::default`](super::PdfOptions) holds the
/// process's shared cache ([`PdfCache::shared`]); a service that wants its
/// own budget, or to free the memory on demand, makes one:
///
/// ```
/// use appeal::render::{PdfCache, PdfOptions, pdf};
///
/// let options = PdfOptions {
///     cache: PdfCache::new(4 * 1024 * 1024),
///     ..PdfOptions::default()
/// };
/// let letters = appeal::Engine::builtin().letters(&appeal::Appeal::open(
///     concat!(env!("CARGO_MANIFEST_DIR"), "/examples/ilo-belarus-2021/appeal.toml"),
/// )?)?;
/// let bytes = pdf(&letters[0], &options)?;
/// assert!(bytes.starts_with(b"%PDF-"));
/// assert!(options.cache.bytes() > 0 && options.cache.bytes() <= 4 * 1024 * 1024);
/// options.cache.clear();
/// assert_eq!(options.cache.bytes(), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct PdfCache(Arc<Memos>);

/// Broken paragraphs by setting and runs.
pub(super) type ParagraphMemo = Mutex<Memo<Paragraph, Arc<Vec<Line>>>>;
/// Deflated page content by content.
pub(super) type ContentMemo = Mutex<Memo<Vec<u8>, Arc<Vec<u8>>>>;
/// Embedded font subsets by face and characters.
pub(super) type FontMemo = Mutex<Memo<FontKey, Arc<EmbeddedFont>>>;
/// Decoded signature images by file.
pub(super) type PictureMemo = Mutex<Memo<Vec<u8>, Decoded>>;

/// One memo per kind of work, each with its share of the budget.
pub(super) struct Memos {
    budget: usize,
    pub paragraphs: ParagraphMemo,
    pub contents: ContentMemo,
    pub fonts: FontMemo,
    pub pictures: PictureMemo,
}

impl PdfCache {
    /// The budget of [`PdfCache::shared`].
    pub const SHARED_BUDGET: usize = 32 * 1024 * 1024;

    /// An empty cache that holds at most `budget` bytes.
    pub fn new(budget: usize) -> PdfCache {
        let eighths = |part: usize| budget / 8 * part;
        PdfCache(Arc::new(Memos {
            budget,
            paragraphs: Mutex::new(Memo::new(eighths(4))),
            contents: Mutex::new(Memo::new(eighths(2))),
            fonts: Mutex::new(Memo::new(eighths(1))),
            pictures: Mutex::new(Memo::new(eighths(1))),
        }))
    }

    /// The process's shared cache, of [`PdfCache::SHARED_BUDGET`] bytes.
    pub fn shared() -> PdfCache {
        static SHARED: OnceLock<PdfCache> = OnceLock::new();
        SHARED
            .get_or_init(|| PdfCache::new(Self::SHARED_BUDGET))
            .clone()
    }

    /// Forgets everything, freeing its memory.
    pub fn clear(&self) {
        lock(&self.0.paragraphs).clear();
        lock(&self.0.contents).clear();
        lock(&self.0.fonts).clear();
        lock(&self.0.pictures).clear();
    }

    /// About how many bytes it holds now.
    pub fn bytes(&self) -> usize {
        lock(&self.0.paragraphs).bytes()
            + lock(&self.0.contents).bytes()
            + lock(&self.0.fonts).bytes()
            + lock(&self.0.pictures).bytes()
    }

    /// The most bytes it holds.
    pub fn budget(&self) -> usize {
        self.0.budget
    }

    pub(super) fn memos(&self) -> &Memos {
        &self.0
    }
}

/// A memo's lock; a panic while it was held leaves nothing half-made in it
/// (values are made outside the lock), so a poisoned lock is used as is.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Default for PdfCache {
    /// The process's shared cache.
    fn default() -> Self {
        PdfCache::shared()
    }
}

impl PartialEq for PdfCache {
    /// The same cache, not equal contents.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for PdfCache {}

impl fmt::Debug for PdfCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PdfCache")
            .field("bytes", &self.bytes())
            .field("budget", &self.0.budget)
            .finish()
    }
}
