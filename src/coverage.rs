//! Characters a letter holds that no font of its PDF shows: named by
//! `check` where the value that holds them is, so that a union can add a
//! face that has them (`[style] fonts`) before the letter prints boxes.

use crate::error::{Diagnostic, Severity};
use crate::letter::{Block, Letter, Run};
use crate::render::uncovered;
use crate::resolve::Context;

/// A warning for each part of `letter` (the recipient block, the subject,
/// the body and its notes, the rest of the frame) that holds characters no
/// face of its PDF has. See: #12
pub(crate) fn check(letter: &Letter, context: &Context) -> Vec<Diagnostic> {
    let own: Vec<&[u8]> = letter.fonts.iter().map(|font| &*font.data).collect();
    let recipient = letter.recipient.join("\n");
    let mut body = String::new();
    blocks(&letter.body, &mut body);
    for note in &letter.notes {
        runs(&note.runs, &mut body);
    }
    let mut frame = String::new();
    let mut copy = letter.clone();
    // What the other parts hold, the running head from the recipient too.
    copy.recipient.clear();
    copy.subject.clear();
    copy.running_head.clear();
    copy.printed_frame_texts_mut(&mut |text| {
        frame.push_str(text);
        frame.push('\n');
    });
    let parts = [
        (recipient, context.recipient_at.path.as_str()),
        (letter.subject.clone(), "subject"),
        (body, "body"),
        (frame, ""),
    ];
    let mut said = Vec::new();
    for (text, path) in parts {
        let missing = uncovered(&own, &text);
        if missing.is_empty() {
            continue;
        }
        let named: Vec<String> = (missing.iter())
            .map(|c| format!("U+{:04X} '{c}'", *c as u32))
            .collect();
        let place = match path {
            "" => String::new(),
            path => format!(" (in {path})"),
        };
        let mut diagnostic = Diagnostic::new(
            "missing-glyph",
            format!(
                "the letter to \"{}\" has characters no font of its PDF shows{place}: {}",
                letter.recipient_id,
                named.join(", ")
            ),
        )
        .severity(Severity::Warning)
        .hint(
            "the PDF prints a box for each; add a font that has them: [style] fonts = [\"….ttf\"]",
        );
        if !path.is_empty() {
            diagnostic = match &context.recipient_at.origin {
                Some(origin) if path == context.recipient_at.path => {
                    diagnostic.at(origin.locate(path)).path(path)
                }
                _ => diagnostic.path(path),
            };
        }
        said.push(diagnostic);
    }
    said
}

fn blocks(blocks: &[Block], out: &mut String) {
    for block in blocks {
        match block {
            Block::Paragraph(list) | Block::Heading(list) => runs(list, out),
            Block::List { items, .. } => items.iter().for_each(|item| self::blocks(item, out)),
            Block::Quote(inner) => self::blocks(inner, out),
        }
    }
}

fn runs(runs: &[Run], out: &mut String) {
    for run in runs {
        out.push_str(&run.text);
        out.push('\n');
    }
}
