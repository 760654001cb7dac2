//! Protected people in letters to authorities: a person an incident marks
//! `protect = true` is named by initials in letters to recipients tagged
//! `authority`, everywhere the letter holds the full name.

use crate::appeal::Person;
use crate::letter::Letter;

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

/// Replaces the full name of each of `people` by its initials in every text
/// of `letter`: frame, body, notes, annex, link targets.
pub(crate) fn redact(letter: &mut Letter, people: &[&Person]) {
    let names: Vec<(&str, String)> = people
        .iter()
        .map(|person| (person.name.as_str(), initials(&person.name)))
        .filter(|(name, _)| !name.trim().is_empty())
        .collect();
    letter.texts_mut(&mut |text| {
        for (name, initials) in &names {
            if text.contains(name) {
                *text = text.replace(name, initials);
            }
        }
    });
}

/// The words of `letter` that look like a protected person's surname in
/// another form (a declined "Жернака"), which redaction cannot replace: by
/// person, the first such word.
pub(crate) fn leftovers<'a>(letter: &Letter, people: &[&'a Person]) -> Vec<(&'a Person, String)> {
    let mut found = Vec::new();
    for person in people {
        let Some(stem) = stem(&person.name) else {
            continue;
        };
        let mut hit = None;
        letter.texts(&mut |text| {
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

    #[test]
    fn initials_keep_hyphens_and_scripts() {
        assert_eq!(initials("Artem Zhernak"), "A.\u{a0}Z.");
        assert_eq!(initials("Андрэй Комлік-Яматин"), "А.\u{a0}К.-Я.");
    }

    #[test]
    fn stems_drop_case_endings() {
        assert_eq!(stem("Артём Жернак").as_deref(), Some("жерн"));
        assert_eq!(stem("Li Wu"), None);
    }
}
