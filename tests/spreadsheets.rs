//! Registries kept as spreadsheets (CSV) and JSON: read, written, and read
//! back to the same entries. See: #14

use appeal::{Recipient, Registry, Source};
use predicates::prelude::*;

use crate::appeal_in;

const APPEAL: &str = r#"template = "solidarity-appeal"
date = 2026-11-23
recipients = ["embassy-by-de"]
demands = ["free the detained"]
[sender]
organisation = "Free Metalworkers' Union (SPM)"
[signatory]
name = "Aleksandr Bukhvostov"
"#;

fn entries(registry: &Registry) -> Vec<&Recipient> {
    registry.iter().collect()
}

#[test]
fn the_builtin_registry_round_trips_through_csv() {
    let builtin = Registry::builtin();
    let csv = Registry::to_csv(builtin.iter()).unwrap();
    assert!(csv.starts_with("id,honorific,honorific.en,name,"), "{csv}");
    assert!(csv.contains(",title.ru,"), "{csv}");
    let back = Registry::parse_csv(Source::new("r.csv", csv.clone())).unwrap();
    assert_eq!(entries(&back), entries(&builtin));
    assert_eq!(Registry::to_csv(back.iter()).unwrap(), csv);
}

#[test]
fn the_builtin_registry_round_trips_through_json_and_json_lines() {
    let builtin = Registry::builtin();
    let array = serde_json::to_string_pretty(&entries(&builtin)).unwrap();
    let back = Registry::parse_json(Source::new("r.json", array)).unwrap();
    assert_eq!(entries(&back), entries(&builtin));
    let lines: String = builtin
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect();
    let back = Registry::parse_json(Source::new("r.jsonl", lines)).unwrap();
    assert_eq!(entries(&back), entries(&builtin));
}

#[test]
fn lists_are_split_at_semicolons_or_line_breaks_and_formulas_kept_inert() {
    let csv = "id,organisation,address,tags,as_of\n\
               metall,\"IG Metall\",\"Wilhelm-Leuschner-Str. 79\n60329 Frankfurt am Main\n\",union; de;,2025-06-01\n\
               odd,'=SUM(A1),\"Box 5; Floor 2\n\",x,\n";
    let registry = Registry::parse_csv(Source::new("r.csv", csv)).unwrap();
    let metall = registry.get("metall").unwrap();
    assert_eq!(
        metall.address,
        Some(
            vec![
                "Wilhelm-Leuschner-Str. 79".to_owned(),
                "60329 Frankfurt am Main".to_owned()
            ]
            .into()
        )
    );
    assert_eq!(metall.tags, ["union", "de"]);
    assert_eq!(metall.forms().as_of.unwrap().to_string(), "2025-06-01");
    let odd = registry.get("odd").unwrap();
    assert_eq!(odd.organisation, Some("=SUM(A1)".into()));
    assert_eq!(odd.address, Some(vec!["Box 5; Floor 2".to_owned()].into()));
    let written = Registry::to_csv(registry.iter()).unwrap();
    assert!(written.contains(",'=SUM(A1),"), "{written}");
    assert!(written.contains(",\"Box 5; Floor 2\n\","), "{written}");
    let back = Registry::parse_csv(Source::new("r.csv", written)).unwrap();
    assert_eq!(entries(&back), entries(&registry));
}

#[test]
fn a_list_item_with_a_line_break_is_refused_not_split() {
    let mut recipient = Recipient::new("x");
    recipient.address = Some(vec!["one\ntwo".to_owned()].into());
    let error = Registry::to_csv([recipient].iter()).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("address: list item \"one\\ntwo\" holds a line break")
    );
}

#[test]
fn problems_are_placed_at_row_and_column() {
    let csv = "id,organisation,as_of,email.en\nok,A,2025-01-01,\nbad,B,2025-13-01,\n,C,,\nt,D,,T\n";
    let error = Registry::parse_csv(Source::new("r.csv", csv)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "r.csv:3:3: error: expected a date like 2021-03-01, not \"2025-13-01\" in column \"as_of\"\n\
         r.csv:4:1: error: missing field `id`\n\
         r.csv:5:4: error: invalid type: map, expected a string in column \"email.en\"\n  \
         hint: \"email\" has one value for every language: a column \"email\""
    );
    let json = "[\n  {\"id\": \"a\", \"organisaton\": \"A\"},\n  {\"id\": 5}\n]";
    let error = Registry::parse_json(Source::new("r.json", json)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "r.json:2:15: error: unknown field \"organisaton\" in a recipient\n  \
         hint: did you mean \"organisation\"?\n  \
         hint: valid fields: id, honorific, name, gender, given, patronymic, surname, surname_dative, rank, title, title_dative, organisation, organisation_genitive, organisation_dative, article, address, country, email, language, salutation, tags, source, as_of\n\
         r.json:3:10: error: invalid type: integer `5`, expected a string"
    );
}

#[test]
fn the_command_writes_a_registry_a_spreadsheet_can_edit_and_give_back() {
    let dir = tempfile::tempdir().unwrap();
    let csv = appeal_in(dir.path())
        .args(["recipients", "--format", "csv", "--tag", "embassy"])
        .output()
        .unwrap();
    assert!(csv.status.success());
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert_eq!(
        csv.lines().count(),
        1 + Registry::builtin().tagged("embassy").count()
    );
    // An officer renames the ambassador's post in Germany in the spreadsheet.
    let edited = csv.replace(
        "Надзвычайнаму і Паўнамоцнаму Паслу Рэспублікі Беларусь у Федэратыўнай Рэспубліцы Германія",
        "Паслу (renamed in a spreadsheet)",
    );
    assert_ne!(edited, csv);
    std::fs::write(dir.path().join("embassies.csv"), &edited).unwrap();
    appeal_in(dir.path())
        .args([
            "recipients",
            "--recipients",
            "embassies.csv",
            "--format",
            "csv",
        ])
        .args(["--tag", "embassy"])
        .assert()
        .success()
        .stdout(edited.clone());
    std::fs::write(dir.path().join("appeal.toml"), APPEAL).unwrap();
    appeal_in(dir.path())
        .args(["render", "appeal.toml", "--recipients", "embassies.csv"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Паслу (renamed in a spreadsheet)"));
    // JSON the same way.
    let json = appeal_in(dir.path())
        .args(["recipients", "--format", "json"])
        .output()
        .unwrap();
    std::fs::write(dir.path().join("all.json"), json.stdout).unwrap();
    appeal_in(dir.path())
        .args(["recipients", "--recipients", "all.json", "--format", "csv"])
        .assert()
        .success()
        .stdout(Registry::to_csv(Registry::builtin().iter()).unwrap());
}

#[test]
fn a_json_registry_may_start_with_a_byte_order_mark_but_may_not_be_empty() {
    let registry = Registry::parse_json(Source::new(
        "r.json",
        "\u{feff}[{\"id\": \"x\", \"organisation\": \"X\"}]",
    ))
    .unwrap();
    assert_eq!(registry.get("x").unwrap().organisation, Some("X".into()));
    let broken = Registry::parse_json(Source::new("r.json", "\u{feff}[{\"id\": }]")).unwrap_err();
    assert_eq!(broken.to_string(), "r.json:1:10: error: expected value");
    for empty in ["", "\u{feff}\n  \n"] {
        let error = Registry::parse_json(Source::new("r.jsonl", empty)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "r.jsonl:1:1: error: the file is empty\n  hint: a JSON registry is an array of recipients, or one object a line; [] for none"
        );
    }
}

#[test]
fn problems_found_in_a_chosen_entry_are_placed_at_its_cell_or_key() {
    let dir = tempfile::tempdir().unwrap();
    let appeal = APPEAL.replace("[\"embassy-by-de\"]", "[\"x\", \"y\"]");
    std::fs::write(dir.path().join("appeal.toml"), appeal).unwrap();
    std::fs::write(
        dir.path().join("r.csv"),
        "id,organisation,language\nx,X,zz\ny,\"Y\u{7}\",en\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("r.json"),
        "[{\"id\": \"x\", \"organisation\": \"X\", \"language\": \"zz\"},\n {\"id\": \"y\", \"organisation\": \"Y\\u0007\"}]",
    )
    .unwrap();
    for (file, language, control) in [("r.csv", "2:3", "3:2"), ("r.json", "1:35", "2:14")] {
        appeal_in(dir.path())
            .args(["check", "appeal.toml", "--recipients", file])
            .assert()
            .code(2)
            .stderr(format!(
                "{file}:{language}: error: unknown language \"zz\"\n  \
                 hint: languages: en, ru, be, fr, es\n\
                 {file}:{control}: error: control character U+0007 in recipient[1].organisation\n  \
                 hint: remove it: it would reach letters and mail headers unseen\n"
            ));
    }
}
