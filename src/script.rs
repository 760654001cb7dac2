//! Languages that text names by its script alone: words in Hebrew,
//! Georgian, Armenian or Greek letters are in Hebrew, Georgian, Armenian or
//! Greek whatever the letter's language, so that a screen reader can read
//! a name in them with the right voice.
//!
//! Arabic letters are not taken for Arabic: Persian, Urdu, Pashto, Kurdish
//! and Uyghur are written in them too, and a voice reading Persian as Arabic
//! is worse than one that picks its own by the script.

use std::borrow::Cow;

use crate::letter::Run;

/// The language written in the script of `c`, where that script names one.
pub(crate) fn language_of(c: char) -> Option<&'static str> {
    match c {
        '\u{0590}'..='\u{05FF}' | '\u{FB1D}'..='\u{FB4F}' => Some("he"),
        '\u{10A0}'..='\u{10FF}' | '\u{1C90}'..='\u{1CBF}' | '\u{2D00}'..='\u{2D2F}' => Some("ka"),
        '\u{0530}'..='\u{058F}' | '\u{FB13}'..='\u{FB17}' => Some("hy"),
        '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => Some("el"),
        _ => None,
    }
}

/// `runs` with each stretch of text in a script that names its language
/// split off as a run of its own marked with that language: from its first
/// letter to its last, the spaces and punctuation between its words with
/// it, those around it not. Runs with a language already, code and links
/// stay as they are. Borrowed where nothing is split, as nearly always.
pub(crate) fn mark_languages(runs: &[Run]) -> Cow<'_, [Run]> {
    let marks = |run: &Run| run.language.is_none() && !run.code && run.link.is_none();
    let foreign = |run: &Run| marks(run) && run.text.chars().any(|c| language_of(c).is_some());
    if !runs.iter().any(foreign) {
        return Cow::Borrowed(runs);
    }
    let mut out = Vec::with_capacity(runs.len() + 2);
    for run in runs {
        if !foreign(run) {
            out.push(run.clone());
            continue;
        }
        let mut at = 0;
        for (start, end, language) in stretches(&run.text) {
            let part = |text: &str, language: Option<&str>| Run {
                text: text.to_owned(),
                language: language.map(str::to_owned),
                ..run.clone()
            };
            if start > at {
                out.push(part(&run.text[at..start], None));
            }
            out.push(part(&run.text[start..end], Some(language)));
            at = end;
        }
        if at < run.text.len() {
            out.push(Run {
                text: run.text[at..].to_owned(),
                ..run.clone()
            });
        }
    }
    Cow::Owned(out)
}

/// The stretches of `text` in a script that names its language: start and
/// end byte, and the language.
fn stretches(text: &str) -> Vec<(usize, usize, &'static str)> {
    let mut found: Vec<(usize, usize, &'static str)> = Vec::new();
    let mut open = false;
    for (i, c) in text.char_indices() {
        match language_of(c) {
            Some(language) => match found.last_mut() {
                Some(last) if open && last.2 == language => last.1 = i + c.len_utf8(),
                _ => {
                    found.push((i, i + c.len_utf8(), language));
                    open = true;
                }
            },
            None if c.is_alphabetic() => open = false,
            // Spaces, digits, punctuation, marks: part of a stretch only
            // between two of its letters.
            None => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Run {
        Run {
            text: text.into(),
            ..Run::default()
        }
    }

    fn split(text: &str) -> Vec<(String, Option<String>)> {
        let runs = [run(text)];
        (mark_languages(&runs).iter())
            .map(|run| (run.text.clone(), run.language.clone()))
            .collect()
    }

    #[test]
    fn marks_names_in_scripts_that_name_their_language() {
        let he = Some("he".to_owned());
        assert_eq!(
            split("Dear Ms. שרה כהן, thank you"),
            vec![
                ("Dear Ms. ".into(), None),
                ("שרה כהן".into(), he),
                (", thank you".into(), None),
            ]
        );
        assert_eq!(
            split("თბილისი Αθήνα Երևան")
                .into_iter()
                .filter_map(|(_, language)| language)
                .collect::<Vec<_>>(),
            ["ka", "el", "hy"]
        );
    }

    #[test]
    fn leaves_latin_cyrillic_and_arabic_text_and_links_alone() {
        let runs = [run("Minsk, Мінск, القاهرة")];
        assert!(matches!(mark_languages(&runs), Cow::Borrowed(_)));
        let link = Run {
            link: Some("https://example.org/שלום".into()),
            ..run("שלום")
        };
        assert!(matches!(mark_languages(&[link]), Cow::Borrowed(_)));
    }
}
