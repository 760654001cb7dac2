//! Typography: the conventions of each language applied to the words of a
//! composed letter, so that text, PDF and mail draft print the same.
//!
//! | rule | en | ru, be | fr | es |
//! |---|---|---|---|---|
//! | quotes | “outer ‘inner’” | «outer „inner“» | « outer “inner” » | «outer “inner”» |
//! | apostrophe | don’t, Workers’ | O’Brien; be: аб’ява, сям’я | l’Organisation, aujourd’hui | O’Donnell |
//! | dash (` - `, ` -- `, a spaced dash) | spaced en dash: `word – word` | em dash: `слово — слово` | en dash: `mot – mot` | em dash (raya): `palabra — palabra` |
//! | range of numbers | 2019–2021, pp. 3–5 | 2019–2021 гг. | 2019–2021 | 2019–2021 |
//! | thousands | 6,500 (as written) | 6,500 and 6 500 → 6 500 | 6 500 → 6 500 (narrow); 6,5 is a decimal | as written: 6500, 6.500; 6 500 tied |
//! | before `; ! ?` | – | – | narrow no-break space (U+202F) | – (¡ ¿ as written) |
//! | before `:` | – | – | no-break space (U+00A0) | – |
//!
//! French follows the Imprimerie nationale's *Lexique des règles
//! typographiques*: a narrow no-break space (U+202F, which the embedded
//! fonts have) before `;`, `!` and `?` and inside « guillemets », a word
//! space that does not break (U+00A0) before the colon; it is added where
//! the text has none ("Attention!" → "Attention !"), but never before the
//! colon of a time or ratio (10:30) nor inside an address. Spanish quotes
//! are angular with English double quotes inside, as the RAE's
//! *Ortografía* (2010) prefers for formal text, with no space inside; the
//! spaced dash becomes a raya with a no-break space before it (pairing
//! rayas around an aside, "—así—", is left to the writer).
//!
//! No-break spaces (U+00A0) replace the space wherever a line must not
//! break: before a dash (no line starts with one), between initials and
//! surname (M. Ryder, А. Ф. Бухвостов, Бухвостов А. Ф.), after a number
//! sign or reference abbreviation and its number (№ 87, No. 87, Art. 3,
//! p. 5, ст. 342), between day and month (1 March, March 1, 1 марта),
//! between a number and `г.`, `гг.`, `тыс.`, `млн`, `млрд`, `%`, within a
//! grouped number, and in ru and be after a one-letter preposition or
//! conjunction (в, к, с, у, о, и, а, ў, і, з).
//!
//! English follows one house style, British: the letters are written in
//! British English, so dashes are spaced en dashes (` – `), never em dashes.
//!
//! What is never touched: web and e-mail addresses and domain names, link
//! targets, a link's text where it is its address, inline code, note
//! references; and among numbers, years, dates (01.03.2021), decimals,
//! phone, case and reference numbers (12/345-2021) and postal codes (a
//! number of digits alone is never grouped: 119119 Москва). Only spaces
//! become no-break spaces: none is added where there was no space (№87),
//! except the spaces French puts before high punctuation and inside
//! guillemets.
//! Characters already typographic are kept as they are, so that typesetting
//! twice gives what typesetting once does.
//!
//! Quotes pair across the runs of a paragraph (a quote opened in bold and
//! closed in plain text): a paragraph's runs are typeset together. The
//! citation tokens of [`evidence`](crate::evidence) are resolved into note
//! runs before this stage runs.

use std::cell::RefCell;
use std::ops::Range;

use crate::lang::Language;
use crate::letter::{Letter, Run};

const NBSP: char = '\u{a0}';

/// The narrow no-break space of French typography.
const NNBSP: char = '\u{202f}';

/// Brackets and quotes that may come before a word.
const OPENING: &[char] = &['(', '[', '{', '"', '\'', '«', '„', '“', '‘', '¿', '¡'];

/// Brackets, quotes and punctuation that may come after a word.
const CLOSING: &[char] = &[
    ')', ']', '}', '"', '\'', '»', '“', '”', '’', '.', ',', ';', ':', '!', '?', '…',
];

/// Applies the typographic conventions of `language` to `text`: quotes,
/// apostrophes, dashes, ranges, thousands and no-break spaces (see the
/// module's table). Typesetting twice gives what typesetting once does.
///
/// ```
/// use appeal::{Language, typeset};
///
/// assert_eq!(
///     typeset("\"Don't\" - said M. Ryder", Language::En),
///     "“Don’t”\u{a0}– said M.\u{a0}Ryder"
/// );
/// assert_eq!(
///     typeset("более 6,500 подписей под \"Конвенцией МОТ № 87\" - 1 марта 2021 г.", Language::Ru),
///     "более 6\u{a0}500 подписей под «Конвенцией МОТ №\u{a0}87»\u{a0}— 1\u{a0}марта 2021\u{a0}г."
/// );
/// assert_eq!(typeset("аб'ява", Language::Be), "аб’ява");
/// // Addresses are left as they are.
/// assert_eq!(typeset("see www.ilo.org/a-b - or", Language::En), "see www.ilo.org/a-b\u{a0}– or");
/// ```
pub fn typeset(text: &str, language: Language) -> String {
    typeset_text(text, language, Text::Prose)
}

/// What a text is: prose, or a postal address, whose numbers are codes
/// ("02-952 Warszawa"), not ranges.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Text {
    Prose,
    Address,
}

fn typeset_text(text: &str, language: Language, kind: Text) -> String {
    let mut cells: Vec<Cell> = text
        .chars()
        .map(|c| Cell {
            c,
            run: 0,
            fixed: false,
        })
        .collect();
    apply(&mut cells, language, kind);
    cells.iter().map(|cell| cell.c).collect()
}

/// Typesets the runs of one paragraph together: quotes pair across runs.
/// Link targets are never changed, nor the text of note references,
/// inline code, hard breaks and links whose text is their address.
pub(crate) fn typeset_runs(runs: &mut [Run], language: Language) {
    let key: Vec<(&str, bool)> = (runs.iter())
        .map(|run| (run.text.as_str(), is_fixed(run)))
        .collect();
    let texts = TYPESET.with_borrow_mut(|memo| memo.get(language, &key));
    let texts = texts.unwrap_or_else(|| {
        let mut cells = Vec::new();
        for (i, &(text, fixed)) in key.iter().enumerate() {
            cells.extend(text.chars().map(|c| Cell { c, run: i, fixed }));
        }
        apply(&mut cells, language, Text::Prose);
        let mut texts = vec![String::new(); runs.len()];
        for cell in &cells {
            texts[cell.run].push(cell.c);
        }
        TYPESET.with_borrow_mut(|memo| memo.insert(language, &key, &texts));
        texts
    });
    for (run, text) in runs.iter_mut().zip(texts) {
        if run.text != text {
            run.text = text;
        }
    }
}

/// A paragraph as typeset: its language, each run's text and whether it is
/// fixed, and the texts typeset.
type Typeset = (Language, Vec<(String, bool)>, Vec<String>);

/// Paragraphs typeset so far, per thread: the letters of a mailing share
/// most of theirs. Direct-mapped by the paragraph's hash; a collision only
/// costs typesetting again, and a paragraph over 16 KiB is not kept.
struct TypesetMemo {
    slots: Vec<Option<Typeset>>,
}

impl TypesetMemo {
    const SLOTS: usize = 1 << 10;
    const LONGEST: usize = 16 * 1024;

    fn slot(language: Language, key: &[(&str, bool)]) -> usize {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        (language, key).hash(&mut hasher);
        hasher.finish() as usize & (Self::SLOTS - 1)
    }

    fn get(&self, language: Language, key: &[(&str, bool)]) -> Option<Vec<String>> {
        let (known, runs, texts) = self.slots[Self::slot(language, key)].as_ref()?;
        let same = *known == language
            && runs.len() == key.len()
            && (runs.iter().zip(key))
                .all(|((text, fixed), (other, f))| text == other && fixed == f);
        same.then(|| texts.clone())
    }

    fn insert(&mut self, language: Language, key: &[(&str, bool)], texts: &[String]) {
        if key.iter().map(|(text, _)| text.len()).sum::<usize>() > Self::LONGEST {
            return;
        }
        let runs = (key.iter()).map(|&(text, fixed)| (text.to_owned(), fixed));
        self.slots[Self::slot(language, key)] = Some((language, runs.collect(), texts.to_vec()));
    }
}

thread_local! {
    static TYPESET: RefCell<TypesetMemo> = RefCell::new(TypesetMemo {
        slots: vec![None; TypesetMemo::SLOTS],
    });
}

/// Typesets every printed text of `letter` in its language: body and
/// notes a paragraph at a time, each text of the frame and annex alone.
/// Mailbox names are header values of a mail draft and are left as given.
pub(crate) fn typeset_letter(letter: &mut Letter) {
    let language = letter.language;
    letter.paragraphs_mut(&mut |runs| typeset_runs(runs, language));
    // Postal addresses apart: their numbers are no ranges.
    let recipient = std::mem::take(&mut letter.recipient);
    let sender = std::mem::take(&mut letter.letterhead.address);
    letter.printed_frame_texts_mut(&mut |text| {
        let typeset = typeset(text, language);
        if *text != typeset {
            *text = typeset;
        }
    });
    let address = |lines: Vec<String>| {
        (lines.iter())
            .map(|line| typeset_text(line, language, Text::Address))
            .collect()
    };
    letter.recipient = address(recipient);
    letter.letterhead.address = address(sender);
}

fn is_fixed(run: &Run) -> bool {
    let is_address = |link: &str| link.trim_start_matches("mailto:") == run.text;
    run.code || run.note.is_some() || run.is_break() || run.link.as_deref().is_some_and(is_address)
}

/// One character, with the run it belongs to and whether it may change.
#[derive(Debug, Clone, Copy)]
struct Cell {
    c: char,
    run: usize,
    fixed: bool,
}

fn apply(cells: &mut Vec<Cell>, language: Language, kind: Text) {
    protect_addresses(cells);
    dashes(cells, language);
    if kind == Text::Prose {
        ranges(cells);
    }
    quotes(cells, language);
    match language {
        Language::En => {}
        Language::Ru | Language::Be => thousands(cells, true, NBSP),
        // A comma in a French or Spanish number is its decimal point.
        Language::Fr => thousands(cells, false, NNBSP),
        Language::Es => thousands(cells, false, NBSP),
    }
    if language == Language::Fr {
        french_spaces(cells);
    }
    spaces(cells, language);
}

/// The ranges of the words: what is between whitespace (no-break spaces
/// and line breaks included).
fn tokens(cells: &[Cell]) -> Vec<Range<usize>> {
    let mut tokens = Vec::new();
    let mut start = None;
    for (i, cell) in cells.iter().enumerate() {
        match (cell.c.is_whitespace(), start) {
            (true, Some(from)) => {
                tokens.push(from..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(from) = start {
        tokens.push(from..cells.len());
    }
    tokens
}

fn string(cells: &[Cell], range: Range<usize>) -> String {
    cells[range].iter().map(|cell| cell.c).collect()
}

/// A word without the brackets and quotes before it and the punctuation
/// after it.
fn core(cells: &[Cell], token: Range<usize>) -> Range<usize> {
    let (mut start, mut end) = (token.start, token.end);
    while start < end && OPENING.contains(&cells[start].c) {
        start += 1;
    }
    while end > start && CLOSING.contains(&cells[end - 1].c) {
        end -= 1;
    }
    start..end
}

fn any_fixed(cells: &[Cell], range: Range<usize>) -> bool {
    cells[range].iter().any(|cell| cell.fixed)
}

/// Marks web and e-mail addresses, which no rule may change.
fn protect_addresses(cells: &mut [Cell]) {
    for token in tokens(cells) {
        let core = core(cells, token);
        if is_address(&string(cells, core.clone())) {
            cells[core].iter_mut().for_each(|cell| cell.fixed = true);
        }
    }
}

fn is_address(word: &str) -> bool {
    word.contains("://")
        || word.contains('@')
        || word.starts_with("www.")
        || word.starts_with("mailto:")
        || is_domain(word)
}

/// "ilo.org", "salidarnast.info/en": labels of ASCII letters, digits and
/// hyphens, the last of two letters or more.
fn is_domain(word: &str) -> bool {
    let host = word.split(['/', '?', '#']).next().unwrap_or_default();
    let labels: Vec<&str> = host.split('.').collect();
    let label =
        |l: &&str| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    labels.len() >= 2
        && labels.iter().all(label)
        && labels
            .last()
            .is_some_and(|l| l.len() >= 2 && l.chars().all(|c| c.is_ascii_alphabetic()))
}

/// A hyphen or dash standing alone between words becomes the language's
/// dash, with a no-break space before it.
fn dashes(cells: &mut Vec<Cell>, language: Language) {
    let dash = match language {
        Language::En | Language::Fr => '–',
        Language::Ru | Language::Be | Language::Es => '—',
    };
    let mut found = Vec::new();
    for token in tokens(cells) {
        if !matches!(
            string(cells, token.clone()).as_str(),
            "-" | "--" | "---" | "–" | "—"
        ) || token.start < 2
        {
            continue;
        }
        let before = token.start - 1;
        let spaced = matches!(cells[before].c, ' ' | NBSP)
            && !cells[before - 1].c.is_whitespace()
            && cells.get(token.end).is_some_and(|cell| cell.c == ' ');
        let one_run = cells[token.clone()]
            .iter()
            .all(|cell| cell.run == cells[token.start].run);
        if spaced && one_run && !any_fixed(cells, before..token.end) {
            found.push(token);
        }
    }
    if found.is_empty() {
        return;
    }
    // One pass, however many dashes: a splice each would cost the length
    // of the text each time.
    let mut out = Vec::with_capacity(cells.len());
    let mut from = 0;
    for token in found {
        out.extend_from_slice(&cells[from..token.start - 1]);
        out.push(Cell {
            c: NBSP,
            ..cells[token.start - 1]
        });
        out.push(Cell {
            c: dash,
            ..cells[token.start]
        });
        from = token.end;
    }
    out.extend_from_slice(&cells[from..]);
    *cells = out;
}

/// A range of numbers, "2019-2021", "3-5", takes an en dash. Years pair
/// with years only, and the first number is the smaller: "555-1234" (a
/// phone number) and "12/345-2021" (a reference) stay as they are, and so
/// does whatever follows a number sign.
fn ranges(cells: &mut [Cell]) {
    let tokens = tokens(cells);
    for (k, token) in tokens.iter().enumerate() {
        let core = core(cells, token.clone());
        if any_fixed(cells, core.clone()) {
            continue;
        }
        let word = string(cells, core.clone());
        let Some((from, to)) = word.split_once('-') else {
            continue;
        };
        let numbered = k
            .checked_sub(1)
            .map(|p| string(cells, tokens[p].clone()).to_lowercase())
            .is_some_and(|p| matches!(p.as_str(), "№" | "no." | "#"));
        if is_range(from, to) && !numbered {
            let at = core.start + from.chars().count();
            cells[at].c = '–';
        }
    }
}

fn is_range(from: &str, to: &str) -> bool {
    let number = |s: &str| (1..=4).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    number(from)
        && number(to)
        && (from.len() == 4) == (to.len() == 4)
        && from.parse::<u32>().ok() < to.parse::<u32>().ok()
}

/// An open quote: inner or outer, opened by a single quote or a double.
#[derive(Clone, Copy)]
struct Open {
    inner: bool,
    single: bool,
}

/// Straight quotes become the language's, nested by level; an apostrophe
/// becomes ’. Quotes already typographic keep their form and count for
/// the nesting.
fn quotes(cells: &mut [Cell], language: Language) {
    let (outer, inner) = match language {
        Language::En => (('“', '”'), ('‘', '’')),
        Language::Ru | Language::Be => (('«', '»'), ('„', '“')),
        Language::Fr | Language::Es => (('«', '»'), ('“', '”')),
    };
    let pair = |is_inner: bool| if is_inner { inner } else { outer };
    let mut stack: Vec<Open> = Vec::new();
    for i in 0..cells.len() {
        let previous = i.checked_sub(1).map(|j| cells[j].c);
        let next = cells.get(i + 1).map(|cell| cell.c);
        let letter = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let within_word = letter(previous) && letter(next);
        // A new quote inside an outer one is inner, and the other way round.
        let nested = |stack: &[Open]| stack.last().is_some_and(|open| !open.inner);
        let c = cells[i].c;
        match c {
            '"' | '\'' if !cells[i].fixed => {
                let single = c == '\'';
                // '90s: an apostrophe for the century's digits.
                let decade = || {
                    let digits = |k: usize| cells.get(k).is_some_and(|c| c.c.is_ascii_digit());
                    digits(i + 1) && digits(i + 2) && !digits(i + 3)
                };
                cells[i].c = if single && (within_word || opens(previous) && decade()) {
                    '’'
                } else if opens(previous) && next.is_some_and(|n| !n.is_whitespace()) {
                    let is_inner = (single && language == Language::En) || nested(&stack);
                    stack.push(Open {
                        inner: is_inner,
                        single,
                    });
                    pair(is_inner).0
                } else if single {
                    match stack.last() {
                        Some(open) if open.single => {
                            let open = *open;
                            stack.pop();
                            pair(open.inner).1
                        }
                        _ => '’',
                    }
                } else {
                    match stack.pop() {
                        Some(open) => pair(open.inner).1,
                        None => outer.1,
                    }
                };
            }
            '«' | '„' => stack.push(Open {
                inner: c == '„',
                single: false,
            }),
            '‘' => stack.push(Open {
                inner: true,
                single: true,
            }),
            '»' | '”' => {
                stack.pop();
            }
            // “ opens in English and closes „ in Russian and Belarusian.
            '“' => {
                let closes = language.is_cyrillic()
                    && stack.last().is_some_and(|open| open.inner && !open.single);
                if closes {
                    stack.pop();
                } else {
                    stack.push(Open {
                        inner: nested(&stack),
                        single: false,
                    });
                }
            }
            '’' if !within_word && stack.last().is_some_and(|open| open.single) => {
                stack.pop();
            }
            _ => {}
        }
    }
}

/// Whether a quote after `previous` opens: at the start, after a space, a
/// bracket, a dash or another opening quote.
fn opens(previous: Option<char>) -> bool {
    previous.is_none_or(|c| c.is_whitespace() || "([{«„“‘—–-/¿¡".contains(c))
}

/// Russian and Belarusian group thousands with a no-break space: "6,500"
/// and "6 500" become "6 500" (`commas`); French ties the groups of "6 500"
/// with a narrow one, Spanish with a no-break space, and neither reads a
/// comma as a separator of thousands. `space` is the space that ties. Digits
/// alone are not grouped: they may be a year, a postal code or a case number.
fn thousands(cells: &mut [Cell], commas: bool, space: char) {
    for token in tokens(cells).into_iter().filter(|_| commas) {
        let core = core(cells, token);
        if !any_fixed(cells, core.clone()) && is_comma_grouped(&string(cells, core.clone())) {
            for cell in &mut cells[core] {
                if cell.c == ',' {
                    cell.c = space;
                }
            }
        }
    }
    let tokens = tokens(cells);
    // (leading brackets, digits, trailing punctuation) of a word of digits.
    let digits = |token: &Range<usize>| {
        let core = core(cells, token.clone());
        let all_digits =
            !core.is_empty() && cells[core.clone()].iter().all(|c| c.c.is_ascii_digit());
        (all_digits && !any_fixed(cells, token.clone()))
            .then(|| (core.start - token.start, core.len(), token.end - core.end))
    };
    let spaced = |a: &Range<usize>, b: &Range<usize>| {
        b.start == a.end + 1 && matches!(cells[a.end].c, ' ' | NBSP | NNBSP) && !cells[a.end].fixed
    };
    let mut gaps = Vec::new();
    let mut k = 0;
    while k < tokens.len() {
        let Some((_, first, mut trailing)) = digits(&tokens[k]) else {
            k += 1;
            continue;
        };
        let mut groups = vec![first];
        let mut end = k;
        while trailing == 0 && end + 1 < tokens.len() && spaced(&tokens[end], &tokens[end + 1]) {
            match digits(&tokens[end + 1]) {
                Some((0, length, after)) => {
                    groups.push(length);
                    trailing = after;
                    end += 1;
                }
                _ => break,
            }
        }
        // "+7 495 …", "(0)22 308 …": part of a phone number.
        let after_number = k > 0
            && spaced(&tokens[k - 1], &tokens[k])
            && matches!(cells[tokens[k - 1].end - 1].c, '0'..='9' | ')' | '+');
        if groups.len() > 1
            && (1..=3).contains(&groups[0])
            && groups[1..].iter().all(|&g| g == 3)
            && !after_number
        {
            gaps.extend((k..end).map(|j| tokens[j].end));
        }
        k = end + 1;
    }
    for gap in gaps {
        cells[gap].c = space;
    }
}

/// French spaces before the high punctuation and inside guillemets: a
/// narrow no-break space before `;`, `!`, `?` and after « and before », a
/// no-break space before `:`; a space there is replaced, and one is added
/// where there is none, but not before the colon of "10:30" nor anywhere
/// in an address.
fn french_spaces(cells: &mut Vec<Cell>) {
    let space = |c: char| matches!(c, ' ' | NBSP | NNBSP);
    let mut inserts: Vec<(usize, Cell)> = Vec::new();
    for i in 0..cells.len() {
        if cells[i].fixed {
            continue;
        }
        let c = cells[i].c;
        let previous = i.checked_sub(1).map(|j| cells[j]);
        let next = cells.get(i + 1).copied();
        let wanted = match c {
            ';' | '!' | '?' | '»' => NNBSP,
            ':' => NBSP,
            '«' => {
                match next {
                    Some(n) if space(n.c) && !n.fixed => cells[i + 1].c = NNBSP,
                    // "«:" takes its space before the colon, not after «.
                    Some(n) if !n.c.is_whitespace() && !";:!?»".contains(n.c) => inserts.push((
                        i + 1,
                        Cell {
                            c: NNBSP,
                            ..cells[i]
                        },
                    )),
                    _ => {}
                }
                continue;
            }
            _ => continue,
        };
        let Some(before) = previous else { continue };
        if space(before.c) {
            // "mot ;", but not a mark that starts the text after a line's space.
            let word_before = i >= 2 && !cells[i - 2].c.is_whitespace();
            if word_before && !before.fixed {
                cells[i - 1].c = wanted;
            }
            continue;
        }
        let ends = next.is_none_or(|n| n.c.is_whitespace() || ")]»”’.,…!?\"'".contains(n.c));
        let after_word = before.c.is_alphabetic()
            || ")]»”’…".contains(before.c)
            || (before.c.is_ascii_digit() && c != ':');
        let after_word = after_word || (c == '»' && !before.c.is_whitespace());
        // An address ends before the mark: adding a space changes no address.
        if (ends || c == '»') && after_word {
            inserts.push((
                i,
                Cell {
                    c: wanted,
                    ..cells[i]
                },
            ));
        }
    }
    if inserts.is_empty() {
        return;
    }
    let mut out = Vec::with_capacity(cells.len() + inserts.len());
    let mut from = 0;
    for (at, cell) in inserts {
        out.extend_from_slice(&cells[from..at]);
        out.push(cell);
        from = at;
    }
    out.extend_from_slice(&cells[from..]);
    *cells = out;
}

/// "6,500", "1,234,567": groups of three after commas.
fn is_comma_grouped(word: &str) -> bool {
    let mut groups = word.split(',');
    let first = groups.next().unwrap_or_default();
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    (1..=3).contains(&first.len())
        && digits(first)
        && word.contains(',')
        && groups.all(|g| g.len() == 3 && digits(g))
}

/// Spaces where a line must not break become no-break spaces.
fn spaces(cells: &mut [Cell], language: Language) {
    let tokens = tokens(cells);
    let words: Vec<String> = tokens.iter().map(|t| string(cells, t.clone())).collect();
    let adjacent = |k: usize| tokens[k + 1].start == tokens[k].end + 1;
    for k in 0..tokens.len().saturating_sub(1) {
        let gap = tokens[k].end;
        if !adjacent(k) || cells[gap].c != ' ' || cells[gap].fixed {
            continue;
        }
        let after = (k + 2 < tokens.len() && adjacent(k + 1)).then(|| words[k + 2].as_str());
        if binds(&words[k], &words[k + 1], after, language) {
            cells[gap].c = NBSP;
        }
    }
}

/// Whether the space between `before` and `word` (followed by `after`)
/// must not break a line.
fn binds(before: &str, word: &str, after: Option<&str>, language: Language) -> bool {
    let before = before.trim_start_matches(OPENING);
    let word = word.trim_start_matches(OPENING);
    let core = |w: &str| w.trim_end_matches(CLOSING).to_owned();
    let cyrillic = language.is_cyrillic();
    let starts_upper = word.starts_with(char::is_uppercase);
    let starts_digit = word.starts_with(|c: char| c.is_ascii_digit());
    let number_before = before.ends_with(|c: char| c.is_ascii_digit());
    // M. Ryder, А. Ф. Бухвостов; Бухвостов А. Ф.
    (is_initial(before) && starts_upper)
        || (is_name(before)
            && is_initial(word)
            && after.is_some_and(|a| is_initial(a.trim_end_matches([',', ';', ':', ')']))))
        // № 87, No. 87, Art. 3, ст. 342
        || (starts_digit && is_number_sign(before, language))
        // 1 March, 1 марта, 1er mars; March 1; 1 de marzo
        || ((is_day(before) || (language == Language::Fr && before == "1er"))
            && is_month(&core(word), language))
        || (language == Language::Es
            && is_day(before)
            && word == "de"
            && after.is_some_and(|a| is_month(&core(a), language)))
        // M. Houngbo, Mme Dupont; Sr. Pérez, Dña. Ana
        || (starts_upper && is_courtesy_title(before, language))
        || (language == Language::En
            && is_month(before.trim_end_matches('.'), language)
            && is_day(&core(word)))
        // 2021 г., 6 тыс., 25 %
        || (number_before && word == "%")
        || (cyrillic
            && number_before
            && matches!(core(word).as_str(), "г" | "гг" | "тыс" | "млн" | "млрд"))
        // в Минске, і ў Мінску
        || (cyrillic && is_short_word(before))
}

/// "F.", "Ф.": one capital letter and a full stop.
fn is_initial(word: &str) -> bool {
    let mut chars = word.chars();
    matches!(
        (chars.next(), chars.next(), chars.next()),
        (Some(c), Some('.'), None) if c.is_uppercase()
    )
}

/// A capitalised word of letters (and hyphens): a surname.
fn is_name(word: &str) -> bool {
    word.chars().nth(1).is_some()
        && word.starts_with(char::is_uppercase)
        && word.chars().all(|c| c.is_alphabetic() || c == '-')
}

/// The abbreviated courtesy titles of French and Spanish.
fn is_courtesy_title(word: &str, language: Language) -> bool {
    let titles: &[&str] = match language {
        Language::Fr => &[
            "M.", "MM.", "Mme", "Mmes", "Mlle", "Mlles", "Me", "Dr", "Pr",
        ],
        Language::Es => &[
            "Sr.", "Sra.", "Sres.", "Srta.", "D.", "Dña.", "Dr.", "Dra.", "Excmo.", "Excma.",
        ],
        _ => &[],
    };
    titles.contains(&word)
}

fn is_number_sign(word: &str, language: Language) -> bool {
    let word = word.to_lowercase();
    let signs: &[&str] = match language {
        Language::En => &[
            "no.", "nos.", "art.", "arts.", "p.", "pp.", "para.", "paras.", "vol.", "ch.", "№",
            "§", "§§",
        ],
        Language::Ru => &[
            "№", "№№", "ст.", "п.", "пп.", "ч.", "гл.", "т.", "с.", "стр.", "§", "§§",
        ],
        Language::Be => &[
            "№",
            "№№",
            "арт.",
            "п.",
            "пп.",
            "ч.",
            "гл.",
            "т.",
            "с.",
            "стар.",
            "§",
            "§§",
        ],
        Language::Fr => &[
            "n°", "nos", "n°s", "no", "№", "art.", "p.", "pp.", "al.", "chap.", "vol.", "§", "§§",
        ],
        Language::Es => &[
            "n.º", "n.o", "nº", "№", "núm.", "art.", "arts.", "pág.", "págs.", "p.", "pp.", "cap.",
            "vol.", "§", "§§",
        ],
    };
    signs.contains(&word.as_str())
}

fn is_day(word: &str) -> bool {
    (1..=2).contains(&word.len())
        && word.bytes().all(|b| b.is_ascii_digit())
        && word.parse::<u8>().is_ok_and(|day| (1..=31).contains(&day))
}

fn is_month(word: &str, language: Language) -> bool {
    let months = language.months();
    months.contains(&word)
        || (language == Language::En
            && (word == "Sept" || months.iter().any(|month| month.get(..3) == Some(word))))
}

/// The one-letter prepositions and conjunctions of Russian and Belarusian.
fn is_short_word(word: &str) -> bool {
    let mut chars = word.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => "вксуоиаўізВКСУОИАЎІЗ".contains(c),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // See: #12 (the 100,000-letter check typeset each letter's paragraphs
    // again: 42 % of its time)
    #[test]
    fn remembers_paragraphs_typeset_without_mixing_them() {
        let paragraph = |text: &str, code: bool| {
            vec![Run {
                text: text.into(),
                code,
                ..Run::default()
            }]
        };
        let cases = [
            (
                paragraph("the \"Metal\" Union", false),
                En,
                "the “Metal” Union",
            ),
            (
                paragraph("the \"Metal\" Union", true),
                En,
                "the \"Metal\" Union",
            ),
            (
                paragraph("the \"Metal\" Union", false),
                Ru,
                "the «Metal» Union",
            ),
            (paragraph("2020-2021", false), En, "2020–2021"),
        ];
        for _ in 0..3 {
            for (runs, language, expected) in &cases {
                let mut runs = runs.clone();
                typeset_runs(&mut runs, *language);
                assert_eq!(runs[0].text, *expected, "{language:?}");
            }
        }
    }

    #[test]
    fn addresses_keep_the_hyphens_of_their_postcodes() {
        let mut letter = crate::letter::tests::letter(Vec::new());
        letter.recipient = vec!["al. Wyzwolenia 16".into(), "02-952 Warszawa".into()];
        letter.letterhead.address = vec!["03-225 Vilnius".into()];
        letter.subject = "Arrests in 2020-2021".into();
        typeset_letter(&mut letter);
        assert_eq!(letter.recipient[1], "02-952 Warszawa");
        assert_eq!(letter.letterhead.address[0], "03-225 Vilnius");
        assert_eq!(letter.subject, "Arrests in 2020–2021");
    }
    use Language::{Be, En, Es, Fr, Ru};

    /// `\u{a0}` written as `~`, as TeX does, for legible expectations.
    fn tilde(text: &str) -> String {
        text.replace('~', "\u{a0}")
    }

    fn ru(text: &str) -> String {
        typeset(text, Ru)
    }

    /// Typesets `text` and checks that typesetting again changes nothing.
    fn check(text: &str, language: Language, expected: &str) {
        let once = typeset(text, language);
        assert_eq!(once, tilde(expected), "{language}: {text:?}");
        assert_eq!(
            typeset(&once, language),
            once,
            "{language}: not idempotent: {text:?}"
        );
    }

    #[test]
    fn quotes_nest_per_language() {
        check(
            r#"the "Free "Metal" Union""#,
            En,
            "the “Free ‘Metal’ Union”",
        );
        check(r#"the 'Metal' union"#, En, "the ‘Metal’ union");
        check(r#"ОАО "Завод "Гранит"""#, Ru, "ОАО «Завод „Гранит“»");
        check(
            r#"петыцыя "Прафсаюз "Салідарнасць"""#,
            Be,
            "петыцыя «Прафсаюз „Салідарнасць“»",
        );
        // Straight quotes inside typographic ones are inner.
        check(r#"«Завод "Гранит"»"#, Ru, "«Завод „Гранит“»");
        check(r#"“the "Metal" Union”"#, En, "“the ‘Metal’ Union”");
        // After brackets and dashes, a quote opens.
        check(r#"("quoted")"#, En, "(“quoted”)");
        check(r#"ОАО ("МАЗ")"#, Ru, "ОАО («МАЗ»)");
    }

    #[test]
    fn apostrophes_in_words() {
        check(
            "don't, Workers' Union, O'Brien",
            En,
            "don’t, Workers’ Union, O’Brien",
        );
        check("the '90s plan 'A'", En, "the ’90s plan ‘A’");
        check("аб'ява, сям'я, п'еса", Be, "аб’ява, сям’я, п’еса");
        check("Д'Артаньян", Ru, "Д’Артаньян");
        // An apostrophe ending a word inside single quotes.
        check("'the Workers' Union' said", En, "‘the Workers’ Union’ said");
    }

    #[test]
    fn quotes_pair_across_runs() {
        let run = |text: &str, bold: bool| Run {
            text: text.into(),
            bold,
            ..Run::default()
        };
        let mut runs = vec![run("the \"Free ", true), run("Union\" said", false)];
        typeset_runs(&mut runs, Ru);
        assert_eq!(runs[0].text, "the «Free ");
        assert_eq!(runs[1].text, "Union» said");
        assert!(runs[0].bold && !runs[1].bold);
    }

    #[test]
    fn dashes_per_language() {
        check("words - words", En, "words~– words");
        check("words -- words — more", En, "words~– words~– more");
        check("слово - слово", Ru, "слово~— слово");
        check("слово – слово -- слова", Be, "слово~— слово~— слова");
        // Hyphens in words, and a dash starting a line, stay.
        check(
            "Komlik-Yamatin, trade-union",
            En,
            "Komlik-Yamatin, trade-union",
        );
        check("- a list item", En, "- a list item");
    }

    #[test]
    fn ranges_take_an_en_dash() {
        check("in 2019-2021, pp. 3-5", En, "in 2019–2021, pp.~3–5");
        check("в 2019-2021 гг.", Ru, "в~2019–2021~гг.");
        // Not references, phone numbers, ISO dates or numbers after a sign.
        for text in [
            "12/345-2021",
            "555-1234",
            "2021-03-01",
            "978-3-16-148410-0",
            "5-3",
        ] {
            check(text, En, text);
        }
        check("№ 12-345", Ru, "№~12-345");
    }

    #[test]
    fn no_break_spaces_in_names_and_numbers() {
        check(
            "M. Ryder and Gilbert F. Houngbo",
            En,
            "M.~Ryder and Gilbert F.~Houngbo",
        );
        check("А. Ф. Бухвостов", Ru, "А.~Ф.~Бухвостов");
        check(
            "Бухвостов А. Ф., председатель",
            Ru,
            "Бухвостов~А.~Ф., председатель",
        );
        check(
            "Convention No. 87, Art. 3, p. 5",
            En,
            "Convention No.~87, Art.~3, p.~5",
        );
        check(
            "Конвенции МОТ № 87, ст. 342",
            Ru,
            "Конвенции МОТ №~87, ст.~342",
        );
        check("Канвенцыі МАП № 87", Be, "Канвенцыі МАП №~87");
        check(
            "on 1 March 2021 and March 16, 2021",
            En,
            "on 1~March 2021 and March~16, 2021",
        );
        check("16 Feb 2021", En, "16~Feb 2021");
        check("1 марта 2021 г.", Ru, "1~марта 2021~г.");
        check("1 сакавіка 2021 г.", Be, "1~сакавіка 2021~г.");
        check(
            "в 2019–2021 гг. 6 тыс. человек, 25 %",
            Ru,
            "в~2019–2021~гг. 6~тыс. человек, 25~%",
        );
        // Not a date: the number is no day, or the word no month.
        check("32 марта, 1 марш", Ru, "32 марта, 1 марш");
        // A sign without a space gets none.
        check("№87", Ru, "№87");
    }

    #[test]
    fn short_words_bind_to_the_next_in_ru_and_be() {
        check(
            "в Минске и Гомеле, а также к ФНПР",
            Ru,
            "в~Минске и~Гомеле, а~также к~ФНПР",
        );
        check("з Мінска ў Гомель і Брэст", Be, "з~Мінска ў~Гомель і~Брэст");
        check("(с 17 ноября)", Ru, "(с~17~ноября)");
        // Not in English.
        check("a plan I made", En, "a plan I made");
    }

    #[test]
    fn thousands_per_language() {
        check("более 6,500 активистов", Ru, "более 6~500 активистов");
        check("больш за 6 500 подпісаў", Be, "больш за 6~500 подпісаў");
        check("1,234,567 и 12 345 678", Ru, "1~234~567 и~12~345~678");
        check(
            "more than 6,500 trade unionists",
            En,
            "more than 6,500 trade unionists",
        );
    }

    #[test]
    fn leaves_numbers_that_are_not_counts() {
        for text in [
            "2021",
            "01.03.2021",
            "3,14",
            "3.5",
            "119119 Москва",
            "12435 Berlin",
            "181 34 Lidingö",
            "Tel: +41 (0)22 308 50 50",
            "+7 495 123 456",
            "№ 3030",
            "12/345-2021",
            "ISBN 978-5-699-12014-7",
            "10000 рублей",
        ] {
            for language in Language::ALL {
                let once = typeset(text, language);
                let expected = match text {
                    "№ 3030" => tilde("№~3030"),
                    // French spaces the colon of a label.
                    "Tel: +41 (0)22 308 50 50" if language == Fr => {
                        tilde("Tel~: +41 (0)22 308 50 50")
                    }
                    _ => text.to_owned(),
                };
                assert_eq!(once, expected, "{language}: {text:?}");
            }
        }
    }

    #[test]
    fn leaves_addresses_alone() {
        for text in [
            "https://www.ilo.org/dyn/normlex/en/f?p=1000:12100:0::NO::P12100_ILO_CODE:C087",
            "info@industrial-all-union.org",
            "www.industrial-all-union.org",
            "salidarnast.info/2021/11/25/spm-calls-for-solidarity",
            "mailto:o'brien@example.org",
            "http://x.org/a--b/'c'-2019-2021/",
        ] {
            for language in Language::ALL {
                assert_eq!(typeset(text, language), text, "{language}");
                let quoted = typeset(&format!("see \"{text}\" - now"), language);
                assert!(quoted.contains(text), "{language}: {quoted}");
                assert!(!quoted.contains('"'), "{language}: {quoted}");
            }
        }
    }

    #[test]
    fn leaves_code_links_and_notes_alone() {
        let mut runs = vec![
            Run {
                text: "see \"".into(),
                ..Run::default()
            },
            Run {
                text: "a \"b\" - 1,000".into(),
                code: true,
                ..Run::default()
            },
            Run {
                text: "\" и ".into(),
                ..Run::default()
            },
            Run {
                text: "http://x.org/'a'".into(),
                link: Some("http://x.org/'a'".into()),
                ..Run::default()
            },
            Run {
                text: "our \"site\"".into(),
                link: Some("http://x.org/\"q\"".into()),
                ..Run::default()
            },
            Run {
                text: "1,000".into(),
                note: Some(1),
                ..Run::default()
            },
        ];
        typeset_runs(&mut runs, Ru);
        let texts: Vec<&str> = runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "see «",
                "a \"b\" - 1,000",
                "» и~".replace('~', "\u{a0}").as_str(),
                "http://x.org/'a'",
                "our «site»",
                "1,000"
            ]
        );
        assert_eq!(runs[4].link.as_deref(), Some("http://x.org/\"q\""));
    }

    #[test]
    fn typographic_text_stays_as_it_is() {
        for (text, language) in [
            ("«Завод „Гранит“»\u{a0}— 1\u{a0}марта 2021\u{a0}г.", Ru),
            ("“The ‘Metal’ Union”\u{a0}– M.\u{a0}Ryder’s, 2019–2021", En),
            ("аб’ява «Салідарнасць»", Be),
        ] {
            assert_eq!(typeset(text, language), text);
        }
    }

    /// As [`check`], with `^` for the narrow no-break space (U+202F).
    fn check_fr(text: &str, language: Language, expected: &str) {
        check(text, language, &expected.replace('^', "\u{202f}"));
    }

    #[test]
    fn french_spaces_before_high_punctuation() {
        check_fr(
            "Pourquoi? Assez! Voici: la liste; la suite",
            Fr,
            "Pourquoi^? Assez^! Voici~: la liste^; la suite",
        );
        // A space already there becomes the right one.
        check_fr(
            "Pourquoi ? Voici : la liste ; fin !",
            Fr,
            "Pourquoi^? Voici~: la liste^; fin^!",
        );
        check_fr("« mot » ?", Fr, "«^mot^»^?");
        // "?!" takes one space, before the first mark.
        check_fr("Quoi?!", Fr, "Quoi^?!");
        // Not in English or Spanish.
        check("Why? Here: now;", En, "Why? Here: now;");
        check("¿Por qué? ¡Basta!", Es, "¿Por qué? ¡Basta!");
    }

    #[test]
    fn french_never_spaces_times_addresses_or_code() {
        for text in [
            "à 10:30",
            "le ratio 1:2",
            "https://www.ilo.org/dyn/normlex/fr/f?p=1000:12100:0::NO",
            "info@industrial-all-union.org",
            "mailto:o'brien@example.org",
        ] {
            check(text, Fr, text);
        }
        let mut runs = vec![
            Run {
                text: "voir ".into(),
                ..Run::default()
            },
            Run {
                text: "a?b:c!".into(),
                code: true,
                ..Run::default()
            },
        ];
        typeset_runs(&mut runs, Fr);
        assert_eq!(runs[1].text, "a?b:c!");
    }

    #[test]
    fn french_and_spanish_quotes() {
        check_fr(
            r#"le "Syndicat "Métal" libre""#,
            Fr,
            "le «^Syndicat “Métal” libre^»",
        );
        check_fr("«Syndicat»", Fr, "«^Syndicat^»");
        check_fr(
            "l'Organisation, aujourd'hui",
            Fr,
            "l’Organisation, aujourd’hui",
        );
        check(
            r#"el "Sindicato "Metal" Libre""#,
            Es,
            "el «Sindicato “Metal” Libre»",
        );
        check(r#"¿"Legal"?"#, Es, "¿«Legal»?");
    }

    #[test]
    fn french_and_spanish_dashes_dates_and_numbers() {
        check("mot - mot", Fr, "mot~– mot");
        check("palabra - palabra", Es, "palabra~— palabra");
        check(
            "le 1er mars 2021 et le 16 février",
            Fr,
            "le 1er~mars 2021 et le 16~février",
        );
        check("el 1 de marzo de 2021", Es, "el 1~de marzo de 2021");
        check("M. Houngbo et Mme Dupont", Fr, "M.~Houngbo et Mme~Dupont");
        check(
            "el Sr. Pérez y la Sra. Ruiz",
            Es,
            "el Sr.~Pérez y la Sra.~Ruiz",
        );
        check(
            "la convention n° 87, art. 3",
            Fr,
            "la convention n°~87, art.~3",
        );
        check("el Convenio núm. 87", Es, "el Convenio núm.~87");
        // French groups thousands with a narrow space; a comma is decimal.
        check_fr("plus de 6 500 signatures", Fr, "plus de 6^500 signatures");
        check("6,500 et 3,14", Fr, "6,500 et 3,14");
        for text in ["6500 firmas", "6.500 firmas", "6,5 %"] {
            check(text, Es, &text.replace(" %", "~%"));
        }
        check("6 500 firmas", Es, "6~500 firmas");
        // No Russian short-word ties in French or Spanish.
        check("a y o", Es, "a y o");
    }

    #[test]
    fn typesets_long_texts_in_time_that_follows_their_length() {
        // See: #15 (a body of up to 1 MiB). Replacing dashes one by one
        // in place would move the rest of the text each time.
        let text = "слово - \"слово\" А. Б. Иванов 6,500 ".repeat(40_000);
        let start = std::time::Instant::now();
        let typeset = ru(&text);
        assert!(typeset.contains("слово\u{a0}— «слово» А.\u{a0}Б.\u{a0}Иванов 6\u{a0}500"));
        assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    }

    #[test]
    fn typesets_twice_as_once() {
        let texts = [
            r#"He said: "the 'Workers' Union' - and "more" -- 'x" y' z"#,
            "\"\"\" '' ' \" a\"b'c - - -- 1-2 3,000 4 000 № 5 А. Б. В",
            "\"unclosed 'quote and 'another",
            "закрывающая\" кавычка' и «ёлочки» „лапки“ \"“",
        ];
        for text in texts {
            for language in Language::ALL {
                let once = typeset(text, language);
                assert_eq!(typeset(&once, language), once, "{language}: {text:?}");
                assert!(!once.contains(['"', '\'']), "{language}: {once:?}");
            }
        }
    }
}
