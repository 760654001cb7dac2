//! JSON Schemas (draft 2020-12) of the data files, made from the model's
//! types and doc comments, so that an editor (taplo, Even Better TOML, any
//! JSON Schema client) checks and completes an appeal file as it is typed.
//!
//! The types derive `schemars::JsonSchema`; the values whose `Deserialize`
//! is written by hand (a value or one per language, a name or a table, a
//! date) have their schema written here to accept what they accept. What
//! the types cannot say (the languages, the templates, examples, unknown
//! keys refused) is added to the generated schema.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, generate::SchemaSettings, json_schema};
use serde_json::{Map, Value, json};

use crate::appeal::{Appeal, ConventionRef, Enclosure, Localized, Person, Reference, RegistryFile};
use crate::lang::{Date, Language};
use crate::load::IncidentFile;
use crate::templates::Templates;

/// A data file with a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SchemaFile {
    /// An appeal file (`appeal.toml`).
    Appeal,
    /// A recipient registry (`recipients.toml`, `--recipients`).
    Registry,
    /// An incident database (`--incidents`).
    Incidents,
}

/// Kinds of incident the shipped databases use; any other text is valid too.
const KINDS: [&str; 9] = [
    "raid",
    "search",
    "detention",
    "arrest",
    "administrative arrest",
    "criminal case",
    "prison sentence",
    "dismissal",
    "union busting",
];

/// The JSON Schema of `file`; for an appeal, `templates` names the
/// templates `template` may choose (the built-in ones and those of a
/// template directory).
///
/// ```
/// use appeal::{SchemaFile, Templates, schema};
///
/// let schema = schema(SchemaFile::Appeal, &Templates::builtin());
/// assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
/// assert_eq!(
///     schema["properties"]["language"]["enum"],
///     serde_json::json!(["en", "ru", "be", "fr", "es"])
/// );
/// ```
pub fn schema(file: SchemaFile, templates: &Templates) -> Value {
    let generator = SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator();
    let (root, title, description) = match file {
        SchemaFile::Appeal => (
            generator.into_root_schema_for::<Appeal>(),
            "appeal file",
            "One appeal: who writes (sender, signatory), to whom (recipients: registry ids, \
             tag:NAME or inline [[recipient]] tables), about what (subject, body, demands, \
             incidents), with which template and in which language. `appeal render` makes one \
             letter per recipient.",
        ),
        SchemaFile::Registry => (
            generator.into_root_schema_for::<RegistryFile>(),
            "recipient registry",
            "The bodies letters can go to, one [[recipient]] table each; given with \
             --recipients FILE, its entries add to or override the built-in ones.",
        ),
        SchemaFile::Incidents => (
            generator.into_root_schema_for::<IncidentFile>(),
            "incident database",
            "Incidents of repression that appeals cite, one [[incident]] table each; given \
             with --incidents FILE, an appeal selects them with incidents = [\"id\", \"tag:NAME\"].",
        ),
    };
    let mut root = root.to_value();
    let name = root["title"].as_str().unwrap_or_default().to_owned();
    // The types' own names, to find them as the root or under $defs.
    let mut set = |definition: &str, property: &str, f: &dyn Fn(&mut Map<String, Value>)| {
        let object = match definition == name {
            true => Some(&mut root),
            false => root.pointer_mut(&format!("/$defs/{definition}")),
        };
        if let Some(Value::Object(property)) =
            object.and_then(|o| o.pointer_mut(&format!("/properties/{property}")))
        {
            f(property);
        }
    };
    let codes: Vec<&str> = Language::codes().collect();
    for definition in ["Appeal", "Recipient"] {
        set(definition, "language", &|p| {
            p.insert("enum".into(), json!(codes));
            p.remove("type");
        });
    }
    let names: Vec<&str> = templates.iter().map(|t| t.name.as_str()).collect();
    let descriptions: Vec<String> = templates
        .iter()
        .map(|t| format!("{}: {}", t.name, t.description))
        .collect();
    set("Appeal", "template", &|p| {
        let choices = json!([
            { "enum": names, "description": descriptions.join("\n") },
            { "type": "string", "description": "a template of a --templates directory" }
        ]);
        p.remove("type");
        p.insert("anyOf".into(), choices);
    });
    set("Incident", "kind", &|p| {
        p.insert(
            "anyOf".into(),
            json!([{ "enum": KINDS }, { "type": "string" }]),
        );
    });
    let examples: [(&str, &str, Value); 16] = [
        ("Appeal", "template", json!(names)),
        (
            "Appeal",
            "place",
            json!(["Geneva", { "en": "Minsk", "be": "Мінск" }]),
        ),
        ("Appeal", "reference", json!(["IA/2021/03"])),
        ("Appeal", "recipients", json!([["ilo-dg", "tag:embassy"]])),
        (
            "Appeal",
            "cc",
            json!([["fnpr", "Belarusian Congress of Democratic Trade Unions"]]),
        ),
        (
            "Appeal",
            "enclosures",
            json!([["List of detained members"]]),
        ),
        (
            "Appeal",
            "incidents",
            json!([["rep-office-raid", "tag:spm"]]),
        ),
        (
            "Appeal",
            "body",
            json!([
                "Dear colleagues of {{recipient.organisation}}, …\n\n{{cite \"rep-office-raid\"}}"
            ]),
        ),
        (
            "Sender",
            "organisation",
            json!(["IndustriALL Global Union"]),
        ),
        (
            "Sender",
            "address",
            json!([["54 bis, route des Acacias", "CH 1227 Geneva", "Switzerland"]]),
        ),
        ("Signatory", "signature", json!(["signature.png"])),
        ("Recipient", "id", json!(["ilo-dg", "embassy-by-de"])),
        ("Recipient", "honorific", json!(["Mr.", "Ms.", "H.E."])),
        ("Recipient", "tags", json!([["embassy", "authority"]])),
        ("Incident", "id", json!(["spm-zhernak-arrest"])),
        ("Incident", "tags", json!([["spm", "detention"]])),
    ];
    for (definition, property, examples) in examples {
        set(definition, property, &|p| {
            p.insert("examples".into(), examples.clone());
        });
    }
    if let Value::Object(object) = &mut root {
        object.insert("title".into(), title.into());
        object.insert("description".into(), description.into());
    }
    refuse_unknown_keys(&mut root);
    root
}

/// Every table with known keys refuses others, as the loader does (it
/// reports them with the closest valid key).
fn refuse_unknown_keys(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if object.contains_key("properties") {
                object
                    .entry("additionalProperties")
                    .or_insert(Value::Bool(false));
            }
            object.values_mut().for_each(refuse_unknown_keys);
        }
        Value::Array(items) => items.iter_mut().for_each(refuse_unknown_keys),
        _ => {}
    }
}

impl<T: JsonSchema> JsonSchema for Localized<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("Localized_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let value = generator.subschema_for::<T>();
        let codes: Vec<&str> = Language::codes().collect();
        json_schema!({
            "anyOf": [
                value,
                {
                    "type": "object",
                    "description": "One value per language code, for a mailing in which each letter is in its recipient's language.",
                    "propertyNames": { "enum": codes },
                    "minProperties": 1,
                    "additionalProperties": value,
                }
            ]
        })
    }
}

impl JsonSchema for Date {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "date",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            "description": "A date: a TOML date (2021-03-01), or the same as a string.",
            "examples": ["2021-03-01"],
        })
    }
}

impl JsonSchema for Person {
    fn schema_name() -> Cow<'static, str> {
        "Person".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let text = generator.subschema_for::<Localized<String>>();
        json_schema!({
            "description": "A person an incident concerns: a name, or a table with name, role and protect; name and role may be given per language.",
            "anyOf": [
                { "type": "string", "description": "Full name, as the letters print it." },
                {
                    "type": "object",
                    "properties": {
                        "name": text,
                        "role": text,
                        "protect": {
                            "type": "boolean",
                            "description": "Named in full only in letters to recipients not tagged `authority`; to those, by initials.",
                        },
                    },
                    "required": ["name"],
                }
            ]
        })
    }
}

impl JsonSchema for Enclosure {
    fn schema_name() -> Cow<'static, str> {
        "Enclosure".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let title = json!({ "type": "string", "description": "What it is." });
        json_schema!({
            "description": "A document sent with the letter: a title, or a table with title, pages and copies (\"… на 3 л. в 1 экз.\").",
            "anyOf": [
                title,
                {
                    "type": "object",
                    "properties": {
                        "title": title,
                        "pages": { "type": "integer", "minimum": 0, "description": "How many sheets it has." },
                        "copies": { "type": "integer", "minimum": 0, "description": "How many copies are sent." },
                    },
                    "required": ["title"],
                }
            ]
        })
    }
}

impl JsonSchema for ConventionRef {
    fn schema_name() -> Cow<'static, str> {
        "ConventionRef".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let number = json!({
            "type": "integer",
            "description": "The ILO Convention's number.",
            "enum": [29, 87, 98, 105, 111, 135, 144, 151, 154],
        });
        json_schema!({
            "description": "An ILO Convention a complaint invokes: its number, or a table with number and articles.",
            "anyOf": [
                number,
                {
                    "type": "object",
                    "properties": {
                        "number": number,
                        "articles": { "type": "array", "items": { "type": "string" }, "examples": [["2", "3", "8(2)"]] },
                    },
                    "required": ["number"],
                }
            ]
        })
    }
}

/// One value, or a list of them: `[signatory]` or `[[signatory]]`.
pub(crate) struct OneOrMany<T>(std::marker::PhantomData<T>);

impl<T: JsonSchema> JsonSchema for OneOrMany<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("OneOrMany{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let one = generator.subschema_for::<T>();
        json_schema!({
            "anyOf": [
                one,
                { "type": "array", "items": one, "minItems": 1, "maxItems": crate::MAX_SIGNATORIES }
            ]
        })
    }
}

impl JsonSchema for Reference {
    fn schema_name() -> Cow<'static, str> {
        "Reference".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let url = json!({
            "type": "string",
            "format": "uri",
            "pattern": "^https?://",
            "description": "The address of the report (http or https).",
        });
        let date = generator.subschema_for::<Date>();
        json_schema!({
            "description": "Where an incident is reported, printed as a numbered note: a URL, or a table with url, title, publisher, date and language.",
            "anyOf": [
                url,
                {
                    "type": "object",
                    "properties": {
                        "url": url,
                        "title": { "type": "string", "description": "Its title." },
                        "publisher": { "type": "string", "description": "Who published it." },
                        "date": date,
                        "language": {
                            "type": "string",
                            "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
                            "description": "The language of its title where it is not the letter's (BCP 47: be, uk, sr-Latn): tagged PDF marks the title for screen readers.",
                        },
                    },
                    "required": ["url"],
                }
            ]
        })
    }
}
