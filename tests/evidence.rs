//! Incidents as sourced evidence (issue #9): databases, selection, nothing
//! dropped, sources as notes, the annex, protected names.

use std::path::Path;

use appeal::render::{TextOptions, text};
use appeal::{Appeal, Engine, Incidents, Source};

use crate::{appeal_in, root};

/// The letters of `appeal` (TOML text) with `databases` (file names under
/// examples/), as the CLI's --incidents would load them.
fn letters(appeal: &str, databases: &[&str]) -> Vec<appeal::Letter> {
    let mut incidents = Incidents::default();
    for database in databases {
        incidents
            .extend(Incidents::open(root(&format!("examples/{database}"))).unwrap())
            .unwrap();
    }
    let engine = Engine::builtin().with_incidents(incidents);
    let appeal = Appeal::parse(Source::new("appeal.toml", appeal)).unwrap();
    engine.letters(&appeal).unwrap_or_else(|e| panic!("{e}"))
}

/// `appeal check` of `appeal` (TOML text), which must pass: its standard error.
fn check(appeal: &str) -> String {
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("appeal.toml"), appeal).unwrap();
    let output = appeal_in(work.path())
        .args(["check", "appeal.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const RU_ARREST: &str = r#"
template = "solidarity-appeal"
language = "ru"
date = 2021-12-01
recipients = ["fnpr"]
demands = ["выступить в защиту задержанных"]
body = "Мы обращаемся к Вам в связи с усилением репрессий против СПМ."
[sender]
organisation = "Свободный профсоюз металлистов (СПМ)"
[signatory]
name = "Александр Бухвостов"
[[incident]]
id = "zhernak"
date = 2021-11-17
place = "Минск"
people = [{ name = "Артём Жернак", role = "председатель первичной организации СПМ на ОАО «МАЗ»" }]
summary = "Арестован председатель первичной организации СПМ на ОАО «МАЗ» Артём Жернак."
outcome = "Он находится под стражей с 17 ноября."
sources = [{ url = "https://salidarnast.info/", title = "СПМ призывает к солидарности", publisher = "Salidarnast" }]
"#;

#[test]
fn an_incident_the_body_does_not_cite_is_still_in_the_letter() {
    let letters = letters(RU_ARREST, &[]);
    let out = crate::fold(&text(&letters[0], &TextOptions::default()));
    assert!(
        out.contains(
            // The summary names the person: not named twice.
            "Ещё один случай: - 17 ноября 2021 г., Минск: \
             Арестован председатель первичной организации СПМ на ОАО «МАЗ» Артём Жернак. Он находится под стражей с 17 ноября[1]."
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "Источники: [1] СПМ призывает к солидарности, Salidarnast. https://salidarnast.info/"
        ),
        "{out}"
    );
    // `check` says so, as a note: the letter is fine.
    let stderr = check(RU_ARREST);
    assert_eq!(
        stderr,
        "note: incident \"zhernak\" is not cited in the body\n  \
         hint: the letters list it after the body, under \"Further cases:\"; {{cite \"ID\"}} places it in the text\n"
    );
}

#[test]
fn cited_incidents_stay_in_the_text_and_several_are_further_cases() {
    let appeal = std::fs::read_to_string(root("examples/evidence-2021/appeal.toml")).unwrap();
    let letters = letters(&appeal, &["incidents-belarus.toml"]);
    let out = text(&letters[0], &TextOptions { width: 400 });
    // Cited where the body cites them, then the rest, by date (undated last).
    let order = [
        "police raided the office",
        "Artem Zhernak, the chairman",
        "Further cases:",
        "16\u{a0}February 2021, Minsk: The apartment of the chairman",
        // Undated, in the order the databases give them.
        "Mogilev: Employees",
        "Gomel: Riot police arrested the mechanical assembler Vital Svatkouski",
        "Gomel: Riot police arrived",
        "Sources:",
        "Annex: chronology of the cases",
    ];
    let mut at = 0;
    for expected in order {
        at += out[at..]
            .find(expected)
            .unwrap_or_else(|| panic!("{expected:?} after {at}:\n{out}"));
    }
    // Four reports, numbered in the order first cited (a report several
    // incidents come from is one note); the annex names them.
    for n in 1..=4 {
        assert!(out.contains(&format!("\n[{n}] ")), "note {n}:\n{out}");
    }
    assert!(
        out.contains("Gomel plant for the “likes”") && out.contains("Sources: 3, 4"),
        "{out}"
    );
    assert_eq!(letters[0].notes.len(), 4);
    assert_eq!(letters[0].annex.as_ref().unwrap().rows.len(), 6);
}

#[test]
fn unknown_incidents_get_a_suggestion() {
    let appeal = RU_ARREST.replace(
        "demands =",
        "incidents = [\"spm-zhernak-arest\"]\ndemands =",
    );
    let engine = Engine::builtin()
        .with_incidents(Incidents::open(root("examples/incidents-belarus.toml")).unwrap());
    let appeal = Appeal::parse(Source::new("appeal.toml", appeal)).unwrap();
    let diagnostics = engine.letters(&appeal).unwrap_err();
    assert_eq!(
        diagnostics.to_string(),
        "appeal.toml:6:14: error: unknown incident \"spm-zhernak-arest\" in incidents[0]\n  \
         hint: did you mean \"spm-zhernak-arrest\"?\n  \
         hint: `appeal incidents` lists the databases (--incidents FILE); [[incident]] defines one inline"
    );
}

#[test]
fn csv_databases_hold_people_and_sources() {
    let csv = "id,date,place,kind,people,organisation,summary,outcome,sources,tags\n\
               maz,2021-11-17,Minsk,arrest,Artem Zhernak|chairman|protect; Ivan Example,SPM at MAZ,\
               \"Arrested, then held.\",In custody.,https://salidarnast.info/|SPM appeal|Salidarnast|2021-11-20,spm;detention\n";
    let incidents = Incidents::parse_csv(Source::new("db.csv", csv)).unwrap();
    let maz = incidents.get("maz").unwrap();
    assert_eq!(maz.people.len(), 2);
    assert!(maz.people[0].protect && !maz.people[1].protect);
    assert_eq!(maz.people[0].role, Some("chairman".into()));
    assert_eq!(maz.sources[0].publisher.as_deref(), Some("Salidarnast"));
    assert_eq!(maz.sources[0].date.unwrap().to_string(), "2021-11-20");
    assert_eq!(maz.tags, ["spm", "detention"]);
    let error = Incidents::parse_csv(Source::new("db.csv", "id,summary,people\nx,a,Ann; |||\n"))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "db.csv:2:3: error: person \"|||\" in column \"people\" is not Name|role|protect\n  \
         hint: a person is Name, Name|role or Name|role|protect; people are separated by ;"
    );
    let error =
        Incidents::parse_csv(Source::new("db.csv", "id,summary,summary\nx,a,b\n")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "db.csv:1:3: error: column \"summary\" given twice\n  \
         hint: each column once: the second would overwrite the first"
    );
    let error = Incidents::parse_csv(Source::new("db.csv", "id,summry\nx,y\n")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "db.csv:1:1: error: no \"summary\" column\n  \
         hint: columns: id, date, place, kind, people, organisation, summary, outcome, sources, authority, legal_basis, annexes, tags\n\
         db.csv:1:2: error: unknown column \"summry\"\n  \
         hint: did you mean \"summary\"?\n  \
         hint: columns: id, date, place, kind, people, organisation, summary, outcome, sources, authority, legal_basis, annexes, tags"
    );
}

/// Every byte of a file, and its decompressed PDF streams, as text to search.
fn bytes_of(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let mut all = String::from_utf8_lossy(&bytes).into_owned();
    if path.extension().is_some_and(|e| e == "pdf") {
        let document = lopdf::Document::load_mem(&bytes).unwrap();
        for object in document.objects.values() {
            if let Ok(stream) = object.as_stream() {
                let content = stream
                    .decompressed_content()
                    .unwrap_or_else(|_| stream.content.clone());
                all.push_str(&String::from_utf8_lossy(&content));
                // ActualText and metadata strings are UTF-16.
                let utf16: Vec<u16> = content
                    .chunks_exact(2)
                    .map(|p| u16::from_be_bytes([p[0], p[1]]))
                    .collect();
                all.push_str(&String::from_utf16_lossy(&utf16));
            }
        }
        if let Some(text) = crate::pdf::extract(&bytes, &[]) {
            all.push_str(&text);
        }
    }
    if path.extension().is_some_and(|e| e == "eml") {
        let message = mail_parser::MessageParser::default().parse(&bytes).unwrap();
        for part in message.text_bodies() {
            all.push_str(part.text_contents().unwrap_or_default());
        }
    }
    all
}

#[test]
fn protected_names_never_reach_authorities() {
    let work = tempfile::tempdir().unwrap();
    let output = appeal_in(&root("."))
        .args([
            "batch",
            "examples/evidence-2021/appeal.toml",
            "--incidents",
            "examples/incidents-belarus.toml",
            "-f",
            "txt,pdf,eml",
            "-o",
        ])
        .arg(work.path())
        .output()
        .unwrap();
    // The ILO letter has no e-mail sender problem: the sender has an address.
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for format in ["txt", "pdf", "eml"] {
        let embassy = bytes_of(&work.path().join(format!("embassy-by-de.{format}")));
        let ilo = bytes_of(&work.path().join(format!("ilo-dg.{format}")));
        for surname in ["Zhernak", "Svatkouski"] {
            assert!(
                !embassy.contains(surname),
                "{surname} in the embassy's {format}"
            );
            assert!(
                ilo.contains(surname) || format == "pdf",
                "{surname} missing from the ILO's {format}"
            );
        }
        assert!(
            embassy.contains("A.\u{a0}Z.") || format == "pdf",
            "initials in the embassy's {format}"
        );
    }
    let csv = std::fs::read_to_string(work.path().join("manifest.csv")).unwrap();
    let redacted: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|line| if line.contains(",yes,") { "yes" } else { "no" })
        .collect();
    assert_eq!(redacted, ["no", "no", "no", "yes", "yes", "yes"]);
}

#[test]
fn check_warns_of_a_protected_surname_in_another_form() {
    let appeal = RU_ARREST
        .replace(
            "recipients = [\"fnpr\"]",
            "recipients = [\"embassy-by-de\"]",
        )
        .replace(
            "role = \"председатель",
            "protect = true, role = \"председатель",
        )
        .replace(
            "body = \"Мы обращаемся",
            "body = \"Мы требуем освободить Артёма Жернака. Мы обращаемся",
        );
    let stderr = check(&appeal);
    assert!(
        stderr.contains("warning: the letter to \"embassy-by-de\" may still name А.\u{a0}Ж. (protected) as \"Жернака\""),
        "{stderr}"
    );
}

#[test]
fn each_footnote_is_on_the_page_of_its_citation() {
    let mut incidents = String::new();
    let mut body = String::new();
    for i in 1..=20 {
        incidents.push_str(&format!(
            "[[incident]]\nid = \"case-{i}\"\ndate = 2021-02-{i:02}\nsummary = \"Case {i}: the police searched the union office.\"\n\
             sources = [{{ url = \"https://salidarnast.info/news/case-{i}\", title = \"Report on case {i}\", publisher = \"Salidarnast\" }}]\n"
        ));
        body.push_str(&format!(
            "{} {{{{cite \"case-{i}\"}}}}\n\n",
            "Independent unions report new pressure every week; members are dismissed, questioned and fined, and their families are warned. ".repeat(2)
        ));
    }
    let appeal = format!(
        "template = \"ilo-intervention\"\ndate = 2021-03-01\nsubject = \"Twenty cases\"\nrecipients = [\"ilo-dg\"]\n\
         body = \"\"\"\n{body}\"\"\"\n[sender]\norganisation = \"IndustriALL Global Union\"\n[signatory]\nname = \"Valter Sanchez\"\n{incidents}"
    );
    let letters = letters(&appeal, &[]);
    let bytes = appeal::render::pdf(&letters[0], &appeal::render::PdfOptions::default()).unwrap();
    let pages = lopdf::Document::load_mem(&bytes).unwrap().get_pages().len();
    assert!(pages >= 3, "{pages} pages");
    let Some(_) = crate::pdf::extract(&bytes, &[]) else {
        return;
    };
    let page_text: Vec<String> = (1..=pages)
        .map(|p| {
            crate::fold(
                &crate::pdf::extract(&bytes, &["-f", &p.to_string(), "-l", &p.to_string()])
                    .unwrap(),
            )
        })
        .collect();
    for i in 1..=20 {
        let cited = page_text
            .iter()
            .position(|text| text.contains(&format!("Case {i}: the police")))
            .unwrap_or_else(|| panic!("case {i} not found"));
        let noted = page_text
            .iter()
            .position(|text| text.contains(&format!("Report on case {i}, Salidarnast.")))
            .unwrap_or_else(|| panic!("note {i} not found"));
        assert_eq!(
            cited,
            noted,
            "case {i}: cited on page {}, noted on page {}",
            cited + 1,
            noted + 1
        );
    }
}

#[test]
fn check_notes_an_incident_cited_twice() {
    let appeal = RU_ARREST.replace(
        "body = \"Мы обращаемся к Вам в связи с усилением репрессий против СПМ.\"",
        "body = \"{{cite \\\"zhernak\\\"}} Повторим: {{cite \\\"zhernak\\\"}}\"",
    );
    let stderr = check(&appeal);
    assert_eq!(
        stderr,
        "note: incident \"zhernak\" is cited 2 times in the body\n  \
         hint: each citation prints the incident's text again; its notes are numbered once\n"
    );
}

/// A template that cites every incident itself (the complaint) with an
/// appeal body that cites none: each incident is in the letter once, as an
/// allegation, not again under "A further case:" after the body.
#[test]
fn incidents_the_template_cites_are_not_listed_again_after_the_body() {
    let appeal =
        std::fs::read_to_string(root("tests/bad_inputs/complaint-no-government/appeal.toml"))
            .unwrap()
            .replace(
                "[complaint]\n",
                "body = \"Our members are persecuted.\"\n[complaint]\ngovernment = \"Belarus\"\n",
            );
    let letters = letters(&appeal, &[]);
    let out = crate::fold(&text(&letters[0], &TextOptions::default()));
    assert_eq!(
        out.matches("The union’s president was arrested.").count(),
        1,
        "{out}"
    );
    assert!(!out.contains("further case"), "{out}");
    assert!(out.contains("Our members are persecuted."), "{out}");
}

/// An incident spreadsheet gives a complaint's evidence too: authority,
/// legal basis and annexes (`;`-separated) are columns.
#[test]
fn incident_spreadsheets_carry_authority_legal_basis_and_annexes() {
    let csv = "id,summary,authority,legal_basis,annexes\n\
               raid,The office was raided.,the police,Article 1 of the Code,Search record; Photographs\n";
    let incidents = Incidents::parse_csv(Source::new("db.csv", csv)).unwrap();
    let raid = incidents.get("raid").unwrap();
    assert_eq!(raid.authority, Some("the police".into()));
    assert_eq!(raid.legal_basis, Some("Article 1 of the Code".into()));
    assert_eq!(
        raid.annexes,
        Some(vec!["Search record".to_owned(), "Photographs".to_owned()].into())
    );
}
