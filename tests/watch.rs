//! `appeal watch` as a process: letters made again after a change of the
//! appeal or of the registry, errors printed without exiting. See: #14

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const APPEAL: &str = r#"template = "solidarity-appeal"
language = "en"
date = 2026-11-23
place = "Minsk"
recipients = ["industriall"]
demands = ["condemn the arrests"]
[sender]
organisation = "Free Metalworkers' Union (SPM)"
[signatory]
name = "Aleksandr Bukhvostov"
"#;

/// The watching process, killed when dropped, and what it printed on stderr.
struct Watching {
    child: Child,
    stderr: Arc<Mutex<String>>,
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits up to 30 s for `ready`, which is asked every 50 ms.
fn wait_for(what: &str, watching: &Watching, ready: impl Fn() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}; stderr:\n{}",
            watching.stderr.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn contains(path: &Path, text: &str) -> bool {
    std::fs::read_to_string(path).is_ok_and(|letter| letter.contains(text))
}

#[test]
fn watch_renders_again_after_each_change_and_survives_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("appeal.toml"), APPEAL).unwrap();
    std::fs::write(
        dir.path().join("extra.csv"),
        "id,organisation,language\nbkdp,Belarusian Congress of Democratic Trade Unions,en\n",
    )
    .unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("appeal"))
        .current_dir(dir.path())
        .args(["watch", "appeal.toml", "-f", "txt", "-o", "out"])
        .args(["--recipients", "extra.csv"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = Arc::new(Mutex::new(String::new()));
    let mut pipe = child.stderr.take().unwrap();
    let collected = stderr.clone();
    std::thread::spawn(move || {
        let mut buffer = [0; 4096];
        while let Ok(n @ 1..) = pipe.read(&mut buffer) {
            collected
                .lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buffer[..n]));
        }
    });
    let mut watching = Watching { child, stderr };
    let letter = dir.path().join("out/industriall.txt");
    wait_for("the first letter", &watching, || {
        contains(&letter, "Minsk, 23\u{a0}November 2026")
    });

    // The appeal changes.
    std::fs::write(
        dir.path().join("appeal.toml"),
        APPEAL.replace("Minsk", "Vilnius"),
    )
    .unwrap();
    wait_for("the changed letter", &watching, || {
        contains(&letter, "Vilnius, 23\u{a0}November 2026")
    });

    // A broken appeal: the error is printed, the process goes on.
    let broken = APPEAL.replace("place = \"Minsk\"", "place = Vilnius");
    std::fs::write(dir.path().join("appeal.toml"), broken).unwrap();
    wait_for("the error", &watching, || {
        watching
            .stderr
            .lock()
            .unwrap()
            .contains("appeal.toml:4:9: error:")
    });
    assert!(
        watching.child.try_wait().unwrap().is_none(),
        "watch exited on an error"
    );

    // Fixed, and sent to a recipient of the registry file; then that file changes.
    let to_bkdp = APPEAL
        .replace("Minsk", "Warsaw")
        .replace("\"industriall\"", "\"bkdp\"");
    std::fs::write(dir.path().join("appeal.toml"), to_bkdp).unwrap();
    let bkdp = dir.path().join("out/bkdp.txt");
    wait_for("the letter to bkdp", &watching, || {
        contains(&bkdp, "Warsaw")
    });
    std::fs::write(
        dir.path().join("extra.csv"),
        "id,organisation,language\nbkdp,BKDP (renamed),en\n",
    )
    .unwrap();
    wait_for("the renamed recipient", &watching, || {
        contains(&bkdp, "BKDP (renamed)")
    });
    watching.child.kill().unwrap();
}
