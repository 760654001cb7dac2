//! Rendering speed of the example ILO letter: `cargo bench`.
//!
//! Targets (issue #3): PDF in under 2 ms in-process; text far below that.
//! The single-letter figures render the same letter again and again, so
//! they include what is remembered between letters (paragraphs broken,
//! pages deflated); the batch of 100 letters to different people shows the
//! cost per letter of a mailing.

use appeal::batch::{BatchOptions, Discard, Format};
use appeal::render::{PdfOptions, TextOptions, pdf, text};
use appeal::{Appeal, Letter, Registry, ResolveOptions, Templates};
use criterion::{Criterion, criterion_group, criterion_main};

fn ilo_letter() -> Letter {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/ilo-belarus-2021/appeal.toml"
    );
    let appeal = Appeal::open(path).expect("example loads");
    let templates = Templates::builtin();
    appeal::letters(
        &appeal,
        &Registry::builtin(),
        &templates,
        &ResolveOptions::default(),
    )
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
    let (registry, templates) = (Registry::builtin(), Templates::builtin());
    c.bench_function("ilo letter: resolve + compose", |b| {
        b.iter(|| {
            appeal::letters(&appeal, &registry, &templates, &ResolveOptions::default()).unwrap()
        })
    });
    // A batch of 100 letters, rendered but not stored: the ILO letter, each
    // to another person (so that every letter's frame and salutation differ,
    // as in a mailing, and only what letters share is made once).
    let context = appeal::resolve(&appeal, &registry, &templates, &ResolveOptions::default())
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
            b.iter(|| appeal::batch::run(&contexts, &templates, &options, &Discard::default()))
        });
    }
    c.bench_function("ilo letter: text", |b| {
        b.iter(|| text(&letter, &TextOptions::default()))
    });
    c.bench_function("ilo letter: pdf layout only", |b| {
        b.iter(|| appeal::render::layout_dump(&letter, &PdfOptions::default()).unwrap())
    });
    c.bench_function("ilo letter: pdf", |b| {
        b.iter(|| pdf(&letter, &PdfOptions::default()).unwrap())
    });
}

// criterion's macros define undocumented items.
#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(benches, render);
}
criterion_main!(group::benches);
