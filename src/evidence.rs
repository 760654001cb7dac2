//! Evidence in a letter: which incidents the text cites, the ones it does
//! not (listed after the body, so that none is dropped), the sources of each
//! as numbered notes, and the chronology annex.
//!
//! The `cite` helper leaves a token after the incident's text; once the
//! body is rendered, the tokens are read in order (what is cited, and
//! first), then replaced by note references the CommonMark reader turns
//! into [`Run::note`](crate::Run) runs.

use std::collections::HashMap;

use crate::appeal::Reference;
use crate::lang::Language;
use crate::letter::{Annex, Note, Run};
use crate::resolve::{Cited, Concerned};

/// Opens and closes a citation token: `\u{E000}ID\u{E001}`.
const CITE: (char, char) = ('\u{E000}', '\u{E001}');

/// Opens and closes a note reference token: `\u{E002}1,2\u{E003}`.
pub(crate) const NOTE: (char, char) = ('\u{E002}', '\u{E003}');

/// True for the characters the tokens use, which input may not hold.
pub(crate) fn is_reserved(c: char) -> bool {
    ('\u{E000}'..='\u{E003}').contains(&c)
}

/// The token `cite` writes after an incident's text.
pub(crate) fn citation(id: &str) -> String {
    format!("{}{id}{}", CITE.0, CITE.1)
}

/// The ids cited in `text`, in the order first cited, each with how many
/// times it is.
pub(crate) fn cited(text: &str) -> Vec<(&str, usize)> {
    let mut ids: Vec<(&str, usize)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (_, rest) in text.match_indices(CITE.0).map(|(at, _)| text.split_at(at)) {
        let rest = &rest[CITE.0.len_utf8()..];
        if let Some(end) = rest.find(CITE.1) {
            let id = &rest[..end];
            match index.get(id) {
                Some(&i) => ids[i].1 += 1,
                None => {
                    index.insert(id, ids.len());
                    ids.push((id, 1));
                }
            }
        }
    }
    ids
}

/// CommonMark for the incidents not cited: a heading line, then one item
/// each (date, place, people, what happened, outcome), each cited.
pub(crate) fn further_cases(incidents: &[&Cited], language: Language) -> String {
    let labels = language.labels();
    let heading = match incidents.len() {
        1 => labels.further_case,
        _ => labels.further_cases,
    };
    let mut out = format!("\n\n{heading}\n\n");
    for incident in incidents {
        out.push_str("- ");
        let when_where: Vec<String> = [
            incident.date.map(|date| language.format_date(date)),
            incident.place.clone(),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !when_where.is_empty() {
            out.push_str(&escape(&when_where.join(", ")));
            out.push_str(": ");
        }
        // Those the text does not name already.
        let people = people(&incident.people_unnamed);
        if !people.is_empty() {
            out.push_str(&escape(&people));
            out.push_str(". ");
        }
        out.push_str(&escape(&incident.summary));
        if let Some(outcome) = &incident.outcome {
            out.push(' ');
            out.push_str(&escape(outcome));
        }
        out.push_str(&citation(&incident.id));
        out.push('\n');
    }
    out
}

/// People as a phrase: "Name (role), Name".
fn people(people: &[Concerned]) -> String {
    let people = people.iter().map(|person| match &person.role {
        Some(role) => format!("{} ({role})", person.name),
        None => person.name.clone(),
    });
    people.collect::<Vec<_>>().join(", ")
}

fn escape(text: &str) -> String {
    crate::helpers::escape_markdown(text)
}

/// Takes the punctuation mark that ends `text` off it, with the backslash
/// that may escape it in CommonMark and the space French sets before it,
/// for a note call to go before them.
fn take_punctuation(text: &mut String) -> String {
    let Some(last) = text.chars().last().filter(|c| ".,;:!?".contains(*c)) else {
        return String::new();
    };
    let mut at = text.len() - last.len_utf8();
    if text[..at].ends_with('\\') {
        at -= 1;
    }
    at = text[..at]
        .trim_end_matches([' ', '\u{a0}', '\u{202f}'])
        .len();
    text.split_off(at)
}

/// The notes of a letter: each cited incident's sources numbered in the
/// order of first citation.
#[derive(Debug, Default)]
pub(crate) struct Numbering {
    /// Note numbers by incident id.
    numbers: HashMap<String, Vec<usize>>,
    /// The notes, in number order.
    pub notes: Vec<Note>,
    /// The source of each note.
    sources: Vec<Reference>,
}

impl Numbering {
    /// Replaces each citation token in `text` by a reference to its
    /// incident's notes (numbered at its first citation; none for an
    /// incident without sources).
    pub fn refer(&mut self, text: &str, incidents: &[Cited], language: Language) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find(CITE.0) {
            out.push_str(&rest[..start]);
            let after = &rest[start + CITE.0.len_utf8()..];
            let Some(end) = after.find(CITE.1) else {
                rest = after;
                continue;
            };
            let id = &after[..end];
            if let Some(incident) = incidents.iter().find(|i| i.id == id) {
                let numbers = self.numbers_of(incident, language);
                if !numbers.is_empty() {
                    let list: Vec<String> = numbers.iter().map(usize::to_string).collect();
                    let moved = match language.calls_before_punctuation() {
                        true => take_punctuation(&mut out),
                        false => String::new(),
                    };
                    out.push(NOTE.0);
                    out.push_str(&list.join(","));
                    out.push(NOTE.1);
                    out.push_str(&moved);
                }
            }
            rest = &after[end + CITE.1.len_utf8()..];
        }
        out.push_str(rest);
        out
    }

    fn numbers_of(&mut self, incident: &Cited, language: Language) -> Vec<usize> {
        if let Some(numbers) = self.numbers.get(&incident.id) {
            return numbers.clone();
        }
        let mut numbers = Vec::new();
        for source in &incident.sources {
            // A report several incidents come from is one note.
            if let Some(number) = self.sources.iter().position(|known| known == source) {
                numbers.push(number + 1);
                continue;
            }
            self.sources.push(source.clone());
            let number = self.notes.len() + 1;
            let mut runs = Vec::new();
            let said: Vec<String> = [
                source.title.clone(),
                source.publisher.clone(),
                source.date.map(|date| language.format_date(date)),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !said.is_empty() {
                let mut text = said.join(", ");
                if !text.ends_with(['.', '!', '?']) {
                    text.push('.');
                }
                text.push(' ');
                // A title in another language is a run of its own, marked.
                let title = (source.title.as_ref())
                    .filter(|_| source.language.is_some())
                    .map_or(0, String::len);
                if title > 0 {
                    runs.push(Run {
                        text: text[..title].to_owned(),
                        language: source.language.clone(),
                        ..Run::default()
                    });
                }
                runs.push(Run {
                    text: text[title..].to_owned(),
                    ..Run::default()
                });
            }
            runs.push(Run {
                text: source.url.clone(),
                link: Some(source.url.clone()),
                ..Run::default()
            });
            self.notes.push(Note { number, runs });
            numbers.push(number);
        }
        numbers.sort_unstable();
        numbers.dedup();
        self.numbers.insert(incident.id.clone(), numbers.clone());
        numbers
    }

    /// The chronology of `incidents`: a row each, with its note numbers.
    pub fn annex(&self, incidents: &[Cited], language: Language) -> Annex {
        let labels = language.labels();
        let rows = incidents
            .iter()
            .map(|incident| {
                let numbers = self.numbers.get(&incident.id).cloned().unwrap_or_default();
                let numbers: Vec<String> = numbers.iter().map(usize::to_string).collect();
                vec![
                    incident
                        .date
                        .map(|date| language.format_short_date(date))
                        .unwrap_or_default(),
                    incident.place.clone().unwrap_or_default(),
                    people(&incident.people),
                    incident.summary.clone(),
                    incident.outcome.clone().unwrap_or_default(),
                    numbers.join(", "),
                ]
            })
            .collect();
        Annex {
            title: labels.annex.to_owned(),
            columns: labels
                .annex_columns
                .iter()
                .map(|c| (*c).to_owned())
                .collect(),
            rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_citations_in_order_once_each() {
        let text = format!("a{}b{}c{}", citation("x"), citation("y"), citation("x"));
        assert_eq!(cited(&text), [("x", 2), ("y", 1)]);
        assert_eq!(cited("no citation"), []);
    }

    #[test]
    fn reserves_the_token_characters() {
        assert!(is_reserved('\u{E000}') && is_reserved('\u{E003}'));
        assert!(!is_reserved('\u{E004}') && !is_reserved('a'));
    }

    #[test]
    fn note_calls_go_before_the_punctuation_but_in_english() {
        let take = |text: &str| {
            let mut text = text.to_owned();
            let taken = take_punctuation(&mut text);
            (text, taken)
        };
        assert_eq!(take("employeur."), ("employeur".into(), ".".into()));
        assert_eq!(take("1\\."), ("1".into(), "\\.".into()));
        assert_eq!(take("les faits :"), ("les faits".into(), " :".into()));
        assert_eq!(take("«задержан»"), ("«задержан»".into(), String::new()));
        assert_eq!(take("ainsi…"), ("ainsi…".into(), String::new()));
        assert!(!Language::En.calls_before_punctuation());
        assert!(Language::Fr.calls_before_punctuation());
    }
}
