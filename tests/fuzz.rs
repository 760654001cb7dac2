//! Inputs the fuzz targets (fuzz/) found, kept under tests/fuzz/TARGET/ and
//! replayed through the targets' own code: each must render or be refused
//! with an error, never panic.

#[path = "../fuzz/src/lib.rs"]
mod targets;

use crate::root;

#[test]
fn kept_fuzz_inputs_render_or_are_refused() {
    type Target = fn(&[u8]);
    let targets: [(&str, Target); 3] = [
        ("appeal", targets::appeal),
        ("body", targets::body),
        ("template", targets::template),
    ];
    let mut replayed = 0;
    for (name, target) in targets {
        let Ok(entries) = std::fs::read_dir(root(&format!("tests/fuzz/{name}"))) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            eprintln!("{}", path.display());
            target(&std::fs::read(&path).unwrap());
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no kept inputs under tests/fuzz/");
}
