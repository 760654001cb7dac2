//! Rendering speed of the example ILO letter: `cargo bench`.
//!
//! Targets (issue #3): PDF in under 2 ms in-process; text far below that.
//! The single-letter figures render the same letter again and again, so
//! they include what is remembered between letters (paragraphs broken,
//! pages deflated); the batch of 100 letters to different people shows the
//! cost per letter of a mailing.

use appeal::batch::{BatchOptions, Discard, Format};
use appeal::render::{PdfCache, PdfOptions, TextOptions, pdf, text};
use appeal::{
    Appeal, Date, Engine, Letter, Localized, Logo, Recipient, Registry, ResolveOptions, Sender,
    Signatory, Source, Templates,
};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

fn ilo_letter() -> Letter {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/ilo-belarus-2021/appeal.toml"
    );
    let appeal = Appeal::open(path).expect("example loads");
    Engine::builtin()
        .letters(&appeal)
        .expect("example resolves")
        .remove(0)
}

fn render(c: &mut Criterion) {
    let letter = ilo_letter();
    let appeal = Appeal::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/ilo-belarus-2021/appeal.toml"
    ))
    .unwrap();
    let engine = Engine::builtin();
    c.bench_function("ilo letter: resolve + compose", |b| {
        b.iter(|| engine.letters(&appeal).unwrap())
    });
    // A batch of 100 letters, rendered but not stored: the ILO letter, each
    // to another person (so that every letter's frame and salutation differ,
    // as in a mailing, and only what letters share is made once).
    let context = engine
        .resolve(&appeal, &ResolveOptions::default())
        .unwrap()
        .remove(0);
    let contexts: Vec<_> = (0..100)
        .map(|i| {
            let mut context = context.clone();
            context.recipient.id = format!("r{i}");
            context.recipient.name = Some(format!("Guy Ryder {i}"));
            context
        })
        .collect();
    for format in [Format::Txt, Format::Pdf] {
        let options = BatchOptions {
            formats: vec![format],
            ..BatchOptions::default()
        };
        c.bench_function(&format!("batch of 100: {format}"), |b| {
            b.iter(|| {
                appeal::batch::run(&contexts, engine.templates(), &options, &Discard::default())
            })
        });
    }
    // A service's engine with a large registry: one letter to one entry of
    // 10,000 (target: under 50 µs; the registry is indexed, never copied).
    let mut registry = Registry::builtin();
    for i in 0..10_000 {
        let mut recipient = Recipient::new(format!("union-{i}"));
        recipient.organisation = Some(format!("Union number {i}").into());
        recipient.address = Some(vec![format!("Street {i}"), "Vilnius".into()].into());
        recipient.tags = vec!["union".into()];
        registry.insert(recipient);
    }
    let large = Engine::new(Templates::builtin(), registry);
    let mut short = Appeal::new(
        "solidarity-appeal",
        Sender::new("Belarusian Independent Trade Union"),
        Signatory::new("Maksim Pozniakov"),
    );
    short.date = Date::new(2021, 4, 19);
    short.language = Some("en".into());
    short.recipients = vec!["union-7777".into()];
    short.demands = Some(Localized::Same(vec!["speak up for the detained".into()]));
    c.bench_function("letters: 1 of a 10,000-entry registry", |b| {
        b.iter(|| large.letters(&short).unwrap())
    });
    c.bench_function("ilo letter: text", |b| {
        b.iter(|| text(&letter, &TextOptions::default()))
    });
    c.bench_function("ilo letter: pdf layout only", |b| {
        b.iter(|| appeal::render::layout_dump(&letter, &PdfOptions::default()).unwrap())
    });
    c.bench_function("ilo letter: pdf", |b| {
        b.iter(|| pdf(&letter, &PdfOptions::default()).unwrap())
    });
    // With a logo in the letterhead: an SVG drawn as vectors (parsed at
    // each letter), a PNG as an image (decoded once, remembered).
    let logos = [
        (
            "an SVG logo",
            Logo::Svg(
                include_bytes!("../tests/fixtures/logo/logo.svg")
                    .to_vec()
                    .into(),
            ),
        ),
        (
            "a PNG logo",
            Logo::Png(
                include_bytes!("../tests/fixtures/logo/logo.png")
                    .to_vec()
                    .into(),
            ),
        ),
    ];
    for (name, logo) in logos {
        let mut appeal = appeal.clone();
        appeal.sender.logo_image = Some(logo);
        let letter = engine.letters(&appeal).unwrap().remove(0);
        c.bench_function(&format!("ilo letter: pdf with {name}"), |b| {
            b.iter(|| pdf(&letter, &PdfOptions::default()).unwrap())
        });
    }
    // Nothing remembered from the letter before: every paragraph broken
    // (issue #12: what optimal breaking costs over first fit shows here;
    // bench/compare-rev.sh runs it against the code before).
    c.bench_function("ilo letter: pdf, nothing remembered", |b| {
        b.iter_batched(
            || PdfOptions {
                cache: PdfCache::new(PdfCache::SHARED_BUDGET),
                ..PdfOptions::default()
            },
            |options| pdf(&letter, &options).unwrap(),
            BatchSize::PerIteration,
        )
    });
}

/// One word as long as an appeal file allows (1,000,000 bytes, with the
/// rest of the file within its 1 MiB) as the whole body: issue #15, where
/// breaking it took time quadratic in its length. Target: well under a
/// second.
fn long_word(c: &mut Criterion) {
    let toml = format!(
        r#"
        template = "ilo-intervention"
        date = 2021-03-01
        place = "Geneva"
        subject = "One very long word"
        recipients = ["ilo-dg"]
        body = "{}"
        [sender]
        organisation = "IndustriALL Global Union"
        [signatory]
        name = "Valter Sanchez"
        "#,
        "a".repeat(1_000_000)
    );
    let appeal = Appeal::parse(Source::new("appeal.toml", toml)).expect("appeal parses");
    let letter = Engine::builtin()
        .letters(&appeal)
        .expect("appeal resolves")
        .remove(0);
    let mut group = c.benchmark_group("long word");
    group.sample_size(10);
    // A cache of its own each time: the paragraph would otherwise be
    // remembered, and its breaking measured once.
    let fresh = || PdfOptions {
        cache: PdfCache::new(PdfCache::SHARED_BUDGET),
        ..PdfOptions::default()
    };
    group.bench_function("pdf: one 1 MiB word", |b| {
        b.iter_batched(
            fresh,
            |options| pdf(&letter, &options).unwrap(),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// A letter of three pages citing 20 incidents, each with a source: 20
/// footnotes (target, issue #9: under 2 ms).
fn footnotes(c: &mut Criterion) {
    let mut incidents = String::new();
    let mut body = String::new();
    for i in 1..=20 {
        incidents.push_str(&format!(
            "[[incident]]\nid = \"case-{i}\"\ndate = 2021-02-{i:02}\nsummary = \"Case {i}: the police searched the union office and detained its chairman.\"\n\
             sources = [{{ url = \"https://salidarnast.info/news/case-{i}\", title = \"Report on case {i}\", publisher = \"Salidarnast\" }}]\n"
        ));
        body.push_str(&format!(
            "Independent unions report new pressure every week; members are dismissed, questioned and fined. {{{{cite \"case-{i}\"}}}}\n\n"
        ));
    }
    let toml = format!(
        "template = \"ilo-intervention\"\ndate = 2021-03-01\nplace = \"Geneva\"\nsubject = \"Twenty cases\"\n\
         recipients = [\"ilo-dg\"]\nbody = \"\"\"\n{body}\"\"\"\n[sender]\norganisation = \"IndustriALL Global Union\"\n\
         [signatory]\nname = \"Valter Sanchez\"\n{incidents}"
    );
    let appeal = Appeal::parse(Source::new("appeal.toml", toml)).expect("appeal parses");
    let letter = Engine::builtin()
        .letters(&appeal)
        .expect("appeal resolves")
        .remove(0);
    assert_eq!(letter.notes.len(), 20);
    c.bench_function("pdf: 3 pages, 20 footnotes", |b| {
        b.iter(|| pdf(&letter, &PdfOptions::default()).unwrap())
    });
}

// criterion's macros define undocumented items.
#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(benches, render, long_word, footnotes);
}
criterion_main!(group::benches);
