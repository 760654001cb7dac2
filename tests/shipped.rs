//! What ships in the binary still loads and renders: the registry, every
//! template in every language, and every example appeal.

use appeal::render::{TextOptions, text};
use appeal::{Appeal, Date, Engine, Language, Registry, Source};

use crate::{fold, letters_of, root};

const APPEAL: &str = r#"
date = 2023-06-16
place = "Vilnius"
recipients = ["ilo-dg", "fnpr", "embassy-by-de", "embassy-by-cl"]
demands = ["free union and political prisoners", "stop the repression against trade union activists"]
[vars]
petition = "Trade unionism is not extremism!"
signatures = "6,500"
[sender]
organisation = "Salidarnast"
[signatory]
name = "Signatory Name"
title = "Coordinator"
[[incident]]
id = "svatkouski"
date = 2023-05-10
place = "Gomel"
summary = "Vital Svatkouski was arrested for liking a post on social networks."
outcome = "He was sentenced to 25 days of administrative arrest."
"#;

#[test]
fn every_template_renders_in_every_language_with_every_word() {
    let engine = Engine::builtin();
    let templates = engine.templates();
    for info in templates.iter() {
        // A complaint keeps the ILO's checklist (one recipient, the
        // Director-General): its golden files render it in tests/golden.rs.
        if info.name == "cfa-complaint" {
            continue;
        }
        for language in &info.languages {
            let text_in = format!(
                "template = \"{}\"\nlanguage = \"{language}\"\n{APPEAL}",
                info.name
            );
            let appeal = Appeal::parse(Source::new("appeal.toml", text_in)).unwrap();
            let letters = engine
                .letters(&appeal)
                .unwrap_or_else(|e| panic!("{} {language}: {e}", info.name));
            assert_eq!(letters.len(), 4);
            for letter in &letters {
                assert_eq!(letter.language, *language);
                let out = fold(&text(letter, &TextOptions::default()));
                let date = language.format_dateline(Date::new(2023, 6, 16).unwrap());
                for expected in [
                    &format!("Vilnius, {date}"),
                    "Vital Svatkouski was arrested",
                    "free union and political prisoners",
                    "Signatory Name",
                    "Coordinator",
                ] {
                    assert!(
                        out.contains(expected),
                        "{} {language} {}: no {expected:?} in\n{out}",
                        info.name,
                        letter.recipient_id
                    );
                }
                assert!(
                    !letter.subject.is_empty()
                        && !letter.salutation.is_empty()
                        && !letter.closing.is_empty()
                );
            }
        }
    }
}

#[test]
fn letters_follow_the_recipients_language_when_the_appeal_sets_none() {
    let text_in = format!("template = \"embassy-petition\"\n{APPEAL}");
    let letters = letters_of("appeal.toml", text_in);
    let languages: Vec<(&str, Language)> = letters
        .iter()
        .map(|l| (l.recipient_id.as_str(), l.language))
        .collect();
    assert_eq!(
        languages,
        [
            ("ilo-dg", Language::En),
            ("fnpr", Language::Ru),
            ("embassy-by-de", Language::Be),
            ("embassy-by-cl", Language::En)
        ]
    );
    assert_eq!(letters[2].salutation, "Паважаны спадар Пасол!");
    assert_eq!(letters[1].salutation, "Уважаемый Михаил Викторович!");
}

#[test]
fn registry_entries_are_sourced_and_dated() {
    let registry = Registry::builtin();
    for recipient in registry.iter() {
        let id = &recipient.id;
        assert!(
            recipient.forms().source.is_some() && recipient.forms().as_of.is_some(),
            "{id} has no source or as_of"
        );
        assert!(recipient.organisation.is_some(), "{id} has no organisation");
        let language = recipient.language.as_deref();
        assert!(
            language.and_then(Language::from_code).is_some(),
            "{id} has no known language"
        );
    }
    for id in [
        "ilo-dg",
        "ilo-cfa",
        "fnpr",
        "ituc-perc",
        "gmpr",
        "rosugleprof",
        "industriall",
    ] {
        assert!(registry.get(id).is_some(), "{id} missing");
    }
    let countries: Vec<&str> = registry
        .tagged("embassy")
        .map(|r| {
            r.country
                .as_ref()
                .and_then(|c| c.best(&[]))
                .unwrap()
                .as_str()
        })
        .collect();
    assert_eq!(
        countries,
        [
            "Germany",
            "Switzerland",
            "Sweden",
            "Lithuania",
            "Poland",
            "USA",
            "Spain",
            "Brazil",
            "Italy",
            "Chile",
            "France"
        ]
    );
}

/// Every example appeal, with the shipped incident database, makes its
/// letters; the database loads whole.
#[test]
fn every_example_appeal_checks() {
    let incidents = appeal::Incidents::open(root("examples/incidents-belarus.toml")).unwrap();
    assert_eq!(incidents.len(), 8);
    let engine = Engine::builtin().with_incidents(incidents);
    let mut checked = 0;
    for entry in std::fs::read_dir(root("examples")).unwrap() {
        let path = entry.unwrap().path().join("appeal.toml");
        if path.exists() {
            let appeal = Appeal::open(&path).unwrap();
            engine
                .letters(&appeal)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            checked += 1;
        }
    }
    assert!(checked >= 2);
}
