//! `appeal schema`: a JSON Schema (draft 2020-12) that every shipped data
//! file validates against, and that refuses what the loader refuses. See: #14

use appeal::{SchemaFile, Templates, schema};
use serde_json::{Value, json};

use crate::{appeal_in, root};

/// A TOML file of the package as the JSON an editor validates.
fn toml_as_json(path: &str) -> Value {
    toml_text_as_json(&std::fs::read_to_string(root(path)).unwrap())
}

/// TOML text as the JSON an editor validates: dates as strings.
fn toml_text_as_json(text: &str) -> Value {
    let value: toml::Value = toml::from_str(text).unwrap();
    fn convert(value: toml::Value) -> Value {
        match value {
            toml::Value::String(s) => Value::String(s),
            toml::Value::Integer(i) => json!(i),
            toml::Value::Float(f) => json!(f),
            toml::Value::Boolean(b) => Value::Bool(b),
            toml::Value::Datetime(d) => Value::String(d.to_string()),
            toml::Value::Array(items) => Value::Array(items.into_iter().map(convert).collect()),
            toml::Value::Table(table) => {
                Value::Object(table.into_iter().map(|(k, v)| (k, convert(v))).collect())
            }
        }
    }
    convert(value)
}

fn errors(schema: &Value, instance: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).unwrap();
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn shipped(pattern: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root("examples"))
        .unwrap()
        .map(|e| e.unwrap().path().join(pattern))
        .filter(|p| p.exists())
        .map(|p| p.strip_prefix(root("")).unwrap().display().to_string())
        .collect();
    files.sort();
    files
}

#[test]
fn the_schemas_are_valid_draft_2020_12_schemas() {
    let templates = Templates::builtin();
    for file in [
        SchemaFile::Appeal,
        SchemaFile::Registry,
        SchemaFile::Incidents,
    ] {
        let schema = schema(file, &templates);
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        jsonschema::meta::validate(&schema).unwrap_or_else(|e| panic!("{file:?}: {e}"));
    }
}

#[test]
fn every_shipped_file_validates() {
    let templates = Templates::builtin();
    let appeal = schema(SchemaFile::Appeal, &templates);
    let appeals = shipped("appeal.toml");
    assert!(appeals.len() >= 5, "{appeals:?}");
    for path in appeals {
        assert_eq!(
            errors(&appeal, &toml_as_json(&path)),
            Vec::<String>::new(),
            "{path}"
        );
    }
    let registry = schema(SchemaFile::Registry, &templates);
    assert_eq!(
        errors(&registry, &toml_as_json("recipients.toml")),
        Vec::<String>::new()
    );
    let incidents = schema(SchemaFile::Incidents, &templates);
    let database = toml_as_json("examples/incidents-belarus.toml");
    assert_eq!(errors(&incidents, &database), Vec::<String>::new());
}

#[test]
fn the_schema_refuses_what_the_loader_refuses() {
    let appeal = schema(SchemaFile::Appeal, &Templates::builtin());
    let mut good = toml_as_json("examples/ilo-belarus-2021/appeal.toml");
    assert!(errors(&appeal, &good).is_empty());
    good["plase"] = json!("Geneva");
    good["language"] = json!("de");
    good["sender"]["organisaton"] = json!("x");
    good["demands"] = json!({ "en": ["a"], "xx": ["b"] });
    good["date"] = json!("1 March 2021");
    let found = errors(&appeal, &good);
    for problem in ["plase", "\"de\"", "organisaton", "xx", "1 March 2021"] {
        assert!(
            found.iter().any(|e| e.contains(problem)),
            "{problem}: {found:#?}"
        );
    }
    // What is free stays free: a template of a --templates directory, any kind.
    let mut custom = toml_as_json("examples/evidence-2021/appeal.toml");
    custom["template"] = json!("my-own-template");
    custom["incident"] = json!([{ "id": "x", "summary": "s", "kind": "обыск" }]);
    assert_eq!(errors(&appeal, &custom), Vec::<String>::new());
}

#[test]
fn the_schema_describes_and_completes() {
    let appeal = schema(SchemaFile::Appeal, &Templates::builtin());
    let template = &appeal["properties"]["template"];
    assert_eq!(
        template["anyOf"][0]["enum"],
        json!([
            "cfa-complaint",
            "embassy-petition",
            "ilo-intervention",
            "solidarity-appeal"
        ])
    );
    assert_eq!(
        appeal["properties"]["language"]["enum"],
        json!(["en", "ru", "be", "fr", "es"])
    );
    let recipient = &appeal["$defs"]["Recipient"];
    assert_eq!(
        recipient["properties"]["tags"]["description"],
        "Tags for `tag:NAME` selection."
    );
    assert!(
        appeal["description"]
            .as_str()
            .unwrap()
            .starts_with("One appeal")
    );
    assert!(appeal["properties"]["recipients"]["examples"].is_array());
}

#[test]
fn init_writes_the_schema_line_and_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    appeal_in(dir.path()).arg("init").assert().success();
    let starter = std::fs::read_to_string(dir.path().join("appeal.toml")).unwrap();
    assert!(
        starter.starts_with("#:schema ./appeal.schema.json\n"),
        "{starter}"
    );
    let written: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("appeal.schema.json")).unwrap())
            .unwrap();
    assert_eq!(written, schema(SchemaFile::Appeal, &Templates::builtin()));
    // The starter is valid against it, and checks.
    assert_eq!(
        errors(&written, &toml_text_as_json(&starter)),
        Vec::<String>::new()
    );
    appeal_in(dir.path())
        .args(["schema", "registry"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "\"title\": \"recipient registry\"",
        ));
}
