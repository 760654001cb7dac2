//! How another tool embeds `appeal`: build the appeal in memory (here from a
//! campaign's own data), resolve it against the built-in registry plus the
//! tool's own recipients, and get the letters as bytes.
//!
//! Run: `cargo run --example embed`

use appeal::render::{Backend, TextOptions};
use appeal::{Appeal, Date, Registry, ResolveOptions, Source, Templates};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A campaign tool keeps its own contacts; they join the built-in registry.
    let mut registry = Registry::builtin();
    registry.extend(Registry::parse(Source::new(
        "campaign-contacts.toml",
        r#"
        [[recipient]]
        id = "metall-union"
        honorific = "Ms."
        name = "Anna Example"
        title = "International Secretary"
        organisation = "Metalworkers' Union (example)"
        email = "international@example.org"
        language = "en"
        tags = ["campaign-2026"]
        "#,
    ))?);

    // The appeal itself, written by the tool from its own data.
    let detained = ["Artem Zhernak", "Vital Svatkouski"];
    let appeal = Appeal::parse(Source::new(
        "generated appeal",
        format!(
            r#"
            template = "solidarity-appeal"
            language = "en"
            place = "Vilnius"
            recipients = ["tag:campaign-2026", "ituc-perc"]
            demands = ["call for the release of {}", "raise their cases with the ILO"]
            [sender]
            organisation = "Solidarity Campaign (example)"
            [signatory]
            name = "Campaign Coordinator"
            "#,
            detained.join(" and ")
        ),
    ))?;

    // The date is an input: the library never reads the clock.
    let options = ResolveOptions {
        today: Date::new(2026, 11, 23),
        to: Vec::new(),
    };
    let letters = match appeal::letters(&appeal, &registry, &Templates::builtin(), &options) {
        Ok(letters) => letters,
        Err(error) => {
            // Every problem, each with its place and hints.
            for diagnostic in error.diagnostics() {
                eprintln!("{diagnostic}");
            }
            return Err(error.into());
        }
    };

    let backend = TextOptions { width: 66 };
    for letter in &letters {
        let bytes = backend.render(letter)?;
        println!(
            "=== {} ({} bytes, {}) ===",
            letter.recipient_id,
            bytes.len(),
            letter.language
        );
        println!("{}", String::from_utf8(bytes)?);
    }
    Ok(())
}
