//! How another tool embeds `appeal`: build the appeal in code from a
//! campaign's own data (no TOML text is written, so no value can inject
//! another), add the tool's own contacts to the built-in registry, and get
//! the letters as bytes from one shared [`Engine`].
//!
//! Run: `cargo run --example embed`

use appeal::render::{Backend, TextOptions};
use appeal::{
    Appeal, Date, Engine, Localized, Recipient, Registry, ResolveOptions, Sender, Signatory,
    Templates,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A campaign tool keeps its own contacts; they join the built-in registry.
    let mut contact = Recipient::new("metall-union");
    contact.honorific = Some("Ms.".into());
    contact.name = Some("Anna Example".into());
    contact.title = Some("International Secretary".into());
    contact.organisation = Some("Metalworkers' Union (example)".into());
    contact.email = Some("international@example.org".into());
    contact.language = Some("en".into());
    contact.tags = vec!["campaign-2026".into()];
    let mut registry = Registry::builtin();
    registry.insert(contact);

    // Built once, shared by every request or thread of the tool.
    let engine = Engine::new(Templates::builtin(), registry);

    // The appeal, from the tool's own data: a name with a quote in it is
    // just a name, whatever it holds.
    let detained = ["Artem Zhernak", "Vital \"Vitalik\" Svatkouski"];
    let mut appeal = Appeal::new(
        "solidarity-appeal",
        Sender::new("Solidarity Campaign (example)"),
        Signatory::new("Campaign Coordinator"),
    );
    appeal.language = Some("en".into());
    appeal.place = Some("Vilnius".into());
    appeal.recipients = vec!["tag:campaign-2026".into(), "ituc-perc".into()];
    appeal.demands = Some(Localized::Same(vec![
        format!("call for the release of {}", detained.join(" and ")),
        "raise their cases with the ILO".into(),
    ]));

    // The date is an input: the library never reads the clock.
    let options = ResolveOptions {
        today: Date::new(2026, 11, 23),
        ..ResolveOptions::default()
    };
    let letters = match engine.letters_with(&appeal, &options) {
        Ok(letters) => letters,
        Err(diagnostics) => {
            // Every problem, each with its code, key path and hints.
            for diagnostic in &diagnostics {
                eprintln!("{} [{}]", diagnostic, diagnostic.code);
            }
            return Err(diagnostics.into());
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
