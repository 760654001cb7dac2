//! Protected people in letters to authorities: a person an incident marks
//! `protect = true` is named by initials in letters to recipients tagged
//! `authority`, everywhere the letter holds the name.
//!
//! A name is matched as whole words, whatever separates them (spaces,
//! no-break spaces, line breaks, and in link targets `-`, `_`, `+`, `.`),
//! across the styled runs of a paragraph (`*Artem* Zhernak`); the surname
//! alone is replaced too. Forms redaction cannot know (a declined
//! «Жернака») are left for `check` to warn of.

use crate::letter::{Block, Letter, Run};
use crate::resolve::Concerned;

/// "Artem Zhernak" → "A. Z."; "Андрэй Комлік-Яматин" → "А. К.-Я.".
pub(crate) fn initials(name: &str) -> String {
    let initial = |part: &str| {
        part.chars()
            .next()
            .map(|c| format!("{c}."))
            .unwrap_or_default()
    };
    name.split_whitespace()
        .map(|word| word.split('-').map(initial).collect::<Vec<_>>().join("-"))
        .collect::<Vec<_>>()
        .join("\u{a0}")
}

/// What to look for and what to put instead.
struct Pattern {
    words: Vec<Vec<char>>,
    by: String,
}

/// The patterns for `people`: each full name, then each surname alone.
fn patterns(people: &[&Concerned]) -> Vec<Pattern> {
    let mut patterns = Vec::new();
    for person in people {
        let words: Vec<Vec<char>> = person
            .name
            .split_whitespace()
            .map(|w| w.chars().collect())
            .collect();
        if words.is_empty() {
            continue;
        }
        patterns.push(Pattern {
            words: words.clone(),
            by: initials(&person.name),
        });
        if words.len() > 1 {
            let surname: String = words[words.len() - 1].iter().collect();
            patterns.push(Pattern {
                words: vec![words[words.len() - 1].clone()],
                by: initials(&surname),
            });
        }
    }
    patterns
}

/// Replaces the names of `people` by initials in every text of `letter`:
/// body and notes a paragraph at a time (a name may span styled runs),
/// the frame and annex a string at a time.
pub(crate) fn redact(letter: &mut Letter, people: &[&Concerned]) {
    let patterns = patterns(people);
    if patterns.is_empty() {
        return;
    }
    let mut paragraph = |runs: &mut Vec<Run>| {
        for pattern in &patterns {
            replace_matches(runs, pattern, false);
            for run in runs.iter_mut() {
                if let Some(link) = &mut run.link {
                    replace(link, pattern, true);
                }
            }
        }
    };
    walk_blocks(&mut letter.body, &mut paragraph);
    for note in &mut letter.notes {
        paragraph(&mut note.runs);
    }
    letter.frame_texts_mut(&mut |text| {
        for pattern in &patterns {
            replace(text, pattern, false);
        }
    });
}

fn walk_blocks(blocks: &mut [Block], f: &mut dyn FnMut(&mut Vec<Run>)) {
    for block in blocks {
        match block {
            Block::Paragraph(runs) | Block::Heading(runs) => f(runs),
            Block::List { items, .. } => items.iter_mut().for_each(|item| walk_blocks(item, f)),
            Block::Quote(blocks) => walk_blocks(blocks, f),
        }
    }
}

/// Replaces `pattern` in one string; in a link target, `-`, `_`, `+` and
/// `.` separate words too, and case does not matter.
fn replace(text: &mut String, pattern: &Pattern, link: bool) {
    let mut runs = vec![Run {
        text: std::mem::take(text),
        ..Run::default()
    }];
    replace_matches(&mut runs, pattern, link);
    *text = std::mem::take(&mut runs[0].text);
}

/// Replaces each match of `pattern` in the text `runs` make together: the
/// replacement goes where the match starts, the rest of the match is cut
/// from the runs it spans. Matches are found in one pass and replaced from
/// the last, so that the places found stay right.
fn replace_matches(runs: &mut [Run], pattern: &Pattern, link: bool) {
    let text: Vec<char> = runs.iter().flat_map(|r| r.text.chars()).collect();
    let mut matches = Vec::new();
    let mut from = 0;
    while let Some((start, end)) = find(&text, &pattern.words, from, link) {
        matches.push((start, end));
        from = end;
    }
    for (start, end) in matches.into_iter().rev() {
        cut(runs, start, end, &pattern.by);
    }
}

/// Replaces the characters `start..end` of the runs' joined text by `by`.
fn cut(runs: &mut [Run], start: usize, end: usize, by: &str) {
    let mut offset = 0;
    let mut placed = false;
    for run in runs {
        let chars: Vec<char> = run.text.chars().collect();
        let (from, to) = (offset, offset + chars.len());
        offset = to;
        if to <= start || from >= end {
            continue;
        }
        let (a, b) = (start.max(from) - from, end.min(to) - from);
        let mut text: String = chars[..a].iter().collect();
        if !placed {
            text.push_str(by);
            placed = true;
        }
        text.extend(&chars[b..]);
        run.text = text;
    }
}

/// The first match of `words` in `text` at or after `from`: whole words,
/// separated by one or more separators.
fn find(text: &[char], words: &[Vec<char>], from: usize, link: bool) -> Option<(usize, usize)> {
    let separator = |c: char| c.is_whitespace() || (link && "-_+.%".contains(c));
    let same = |a: char, b: char| match link {
        true => a.to_lowercase().eq(b.to_lowercase()),
        false => a == b,
    };
    let boundary = |at: usize| text.get(at).is_none_or(|c| !c.is_alphanumeric());
    let word_at = |at: usize, word: &[char]| {
        word.iter()
            .enumerate()
            .all(|(i, &w)| text.get(at + i).is_some_and(|&c| same(c, w)))
    };
    'start: for start in from..text.len() {
        if (start > 0 && !boundary(start - 1)) || !word_at(start, &words[0]) {
            continue;
        }
        let mut at = start + words[0].len();
        for word in &words[1..] {
            let gap = text[at..].iter().take_while(|c| separator(**c)).count();
            if gap == 0 || !word_at(at + gap, word) {
                continue 'start;
            }
            at += gap + word.len();
        }
        if boundary(at) {
            return Some((start, at));
        }
    }
    None
}

/// The words of `letter` that look like a protected person's surname in
/// another form (a declined "Жернака"), which redaction cannot replace: by
/// person, the first such word. The letter is only read; it is taken as
/// `&mut` to walk it with [`Letter::texts_mut`] rather than a copy.
pub(crate) fn leftovers<'a>(
    letter: &mut Letter,
    people: &[&'a Concerned],
) -> Vec<(&'a Concerned, String)> {
    let mut found = Vec::new();
    for person in people {
        let Some(stem) = stem(&person.name) else {
            continue;
        };
        let mut hit = None;
        letter.texts_mut(&mut |text| {
            if hit.is_none() {
                hit = text
                    .split(|c: char| !c.is_alphanumeric() && c != '-')
                    .find(|word| word.to_lowercase().starts_with(&stem))
                    .map(str::to_owned);
            }
        });
        if let Some(word) = hit {
            found.push((*person, word));
        }
    }
    found
}

/// The surname's stem: without the last two letters (the case endings of
/// Russian and Belarusian), lower case; `None` for names too short to tell.
fn stem(name: &str) -> Option<String> {
    let surname: Vec<char> = name
        .split_whitespace()
        .last()?
        .to_lowercase()
        .chars()
        .collect();
    (surname.len() >= 5).then(|| surname[..surname.len() - 2].iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str) -> Concerned {
        Concerned {
            name: name.into(),
            role: None,
            protect: true,
        }
    }

    fn redacted(text: &str, name: &str) -> String {
        let mut text = text.to_owned();
        for pattern in patterns(&[&person(name)]) {
            replace(&mut text, &pattern, false);
        }
        text
    }

    #[test]
    fn initials_keep_hyphens_and_scripts() {
        assert_eq!(initials("Artem Zhernak"), "A.\u{a0}Z.");
        assert_eq!(initials("Андрэй Комлік-Яматин"), "А.\u{a0}К.-Я.");
    }

    #[test]
    fn only_whole_names_are_replaced() {
        // See: #9 (a hostile review: "Ed" made "E.itors" of "Editors").
        assert_eq!(
            redacted("Federation of United Editors, Edinburgh; Ed said", "Ed"),
            "Federation of United Editors, Edinburgh; E. said"
        );
        assert_eq!(
            redacted("Ann Beers met Ann Bee.", "Ann Bee"),
            "Ann Beers met A.\u{a0}B.."
        );
        assert_eq!(
            redacted(
                "Artem  Zhernak, Artem\u{a0}Zhernak and Mr Zhernak",
                "Artem Zhernak"
            ),
            "A.\u{a0}Z., A.\u{a0}Z. and Mr Z."
        );
    }

    #[test]
    fn names_across_styled_runs_and_in_links_are_replaced() {
        let run = |text: &str, bold: bool| Run {
            text: text.into(),
            bold,
            ..Run::default()
        };
        let mut runs = vec![
            run("Art", false),
            run("em Zhern", true),
            run("ak was held", false),
        ];
        for pattern in patterns(&[&person("Artem Zhernak")]) {
            replace_matches(&mut runs, &pattern, false);
        }
        let text: String = runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(text, "A.\u{a0}Z. was held");
        let mut link = "https://example.org/artem-zhernak-case".to_owned();
        for pattern in patterns(&[&person("Artem Zhernak")]) {
            replace(&mut link, &pattern, true);
        }
        assert!(!link.to_lowercase().contains("zhernak"), "{link}");
    }

    #[test]
    fn stems_drop_case_endings() {
        assert_eq!(stem("Артём Жернак").as_deref(), Some("жерн"));
        assert_eq!(stem("Li Wu"), None);
    }
}
