//! The example ILO letter, as text, against its golden file and its source.

use crate::{appeal_in, plainly, root};

fn ilo_text() -> String {
    rendered(&["examples/ilo-belarus-2021/appeal.toml"])
}

/// What `appeal render ARGS` prints.
fn rendered(args: &[&str]) -> String {
    let output = appeal_in(&root(""))
        .arg("render")
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn ilo_letter_matches_golden_file() {
    let golden = std::fs::read_to_string(root("tests/golden/ilo-belarus-2021.txt")).unwrap();
    assert_eq!(ilo_text(), golden);
}

/// Three organisations sign: the letter says "we, the undersigned
/// organisations" and names them, and each block gives its organisation,
/// one after another.
#[test]
fn cosigned_letter_matches_golden_file() {
    let text = rendered(&["examples/cosigned-2021/appeal.toml", "--to", "ituc-perc"]);
    let golden = std::fs::read_to_string(root("tests/golden/cosigned-2021.txt")).unwrap();
    assert_eq!(text, golden);
    assert!(text.contains(
        "We, the undersigned organisations, Belarusian Congress of Democratic\nTrade Unions (BKDP), Free Metalworkers’ Union (SPM) and Belarusian\nIndependent Trade Union (BITU), are writing"
    ));
    assert!(text.contains(
        "In solidarity,\n\nAliaksandr Yarashuk\nPresident\nBelarusian Congress of Democratic Trade Unions (BKDP)\n\n\
         Aliaksandr Bukhvostov\nChairman\nFree Metalworkers’ Union (SPM)\n\n\
         Maksim Pozniakov\nChairman\nBelarusian Independent Trade Union (BITU)\n\nSources:"
    ));
}

/// In Russian: «Мы, нижеподписавшиеся организации», the blocks stacked
/// (title left, name right is for one signatory only).
#[test]
fn cosigned_russian_letter_matches_golden_file() {
    let text = rendered(&["tests/fixtures/cosigned-ru/appeal.toml"]);
    let golden = std::fs::read_to_string(root("tests/golden/cosigned-ru.txt")).unwrap();
    assert_eq!(text, golden);
    assert!(text.contains("Мы, нижеподписавшиеся организации,\u{a0}— Свободный профсоюз"));
    assert!(text.contains("сообщаем Вам"));
    assert!(text.contains(
        "А.\u{a0}Бухвостов\nПредседатель\nСвободный профсоюз металлистов (СПМ)\n\n\
         А.\u{a0}Ярошук\nПредседатель\nБелорусский конгресс демократических профсоюзов (БКДП)\n"
    ));
}

/// One Russian signatory: the title left, the name at the right margin of
/// its line (ГОСТ Р 7.0.97), in a text 72 characters wide.
#[test]
fn one_russian_signatory_has_title_left_and_name_right() {
    let text = rendered(&["examples/spm-fnpr-2021/appeal.toml", "--to", "fnpr"]);
    let line = text
        .lines()
        .find(|line| line.starts_with("Председатель СПМ"))
        .unwrap();
    assert!(line.ends_with(" А.\u{a0}Бухвостов"), "{line:?}");
    assert_eq!(line.chars().count(), 72);
    let narrow = rendered(&[
        "examples/spm-fnpr-2021/appeal.toml",
        "--to",
        "fnpr",
        "--width",
        "30",
    ]);
    assert!(
        narrow.contains("Председатель СПМ\n                  А.\u{a0}Бухвостов\n"),
        "{narrow}"
    );
}

/// Every line of the IndustriALL letter is in the text output, whitespace
/// folded and typography undone (the source has straight quotes); the
/// Markdown link of the source reads as `text <url>` in text. The
/// signature's description stands for an image and is left out.
#[test]
fn ilo_letter_holds_every_sentence_of_the_source() {
    let text = plainly(&ilo_text());
    let source =
        std::fs::read_to_string(root("tests/fixtures/industriall-letter-to-ilo.txt")).unwrap();
    let lines: Vec<String> = source
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("A handwritten signature"))
        .map(|line| {
            plainly(
                &line
                    .replace("](", " <")
                    .replace("[IndustriALL", "IndustriALL")
                    .replace(".org),", ".org>,"),
            )
        })
        .collect();
    assert!(lines.len() > 30);
    let missing: Vec<&String> = lines
        .iter()
        .filter(|line| !text.contains(line.as_str()))
        .collect();
    assert!(missing.is_empty(), "missing from the output: {missing:#?}");
}

/// Each letter under tests/golden/frames/ against its golden text: the
/// letter frame of each language (addressee block, salutation, closing,
/// date line) for the kinds of addressee the conventions treat apart.
/// `UPDATE_GOLDEN=1 cargo test` writes the files anew, to review in git.
#[test]
fn letter_frames_match_their_golden_files() {
    let frames = root("tests/golden/frames");
    let mut cases: Vec<_> = std::fs::read_dir(&frames)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 6, "{cases:?}");
    for case in cases {
        let output = appeal_in(&case)
            .args(["render", "appeal.toml"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}: {}",
            case.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8(output.stdout).unwrap();
        let golden = case.join("letter.txt");
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&golden, &text).unwrap();
        }
        assert_eq!(
            text,
            std::fs::read_to_string(&golden).unwrap(),
            "{}",
            case.display()
        );
    }
}

/// The complaint to the ILO Committee on Freedom of Association of the
/// example, in English and in French, against its golden files; every
/// allegation, Convention, remedy and annex is in it.
#[test]
fn cfa_complaint_matches_golden_files_in_english_and_french() {
    for language in ["en", "fr"] {
        let text = rendered(&[
            "examples/cfa-complaint-belarus/appeal.toml",
            "--language",
            language,
        ]);
        let golden = root(&format!(
            "tests/golden/cfa-complaint-belarus.{language}.txt"
        ));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&golden, &text).unwrap();
        }
        assert_eq!(
            text,
            std::fs::read_to_string(&golden).unwrap(),
            "{language}"
        );
        let expected: &[&str] = match language {
            "en" => &[
                "hereby lodges a complaint with the Committee on Freedom of Association",
                "4. On 17\u{a0}November 2021, in Minsk:",
                "Convention, 1948 (No.\u{a0}87)",
                "Articles 2, 3, 4 and 8(2)",
                "under its urgent procedure, as it involves human life or personal freedom.",
                "See Annex\u{a0}1.",
            ],
            _ => &[
                "dépose par la présente une plainte devant le Comité de la liberté syndicale",
                "Voir annexe\u{a0}1.",
                "Nous vous prions d’agréer, Monsieur le Directeur général,",
            ],
        };
        // Whitespace folded: line ends and no-break spaces alike.
        let folded = crate::fold(&text);
        for phrase in expected {
            assert!(
                folded.contains(&crate::fold(phrase)),
                "{language}: no {phrase:?} in\n{text}"
            );
        }
    }
}
