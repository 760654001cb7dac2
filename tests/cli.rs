//! The `appeal` command driven as a process.

use predicates::prelude::*;

use crate::{appeal_in, fold, root};

const APPEAL: &str = r#"template = "solidarity-appeal"
language = "en"
date = 2026-11-23
place = "Minsk"
recipients = ["ituc-perc", "industriall"]
demands = ["condemn the arrests"]
[sender]
organisation = "Free Metalworkers' Union (SPM)"
[signatory]
name = "Aleksandr Bukhvostov"
"#;

fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("appeal.toml"), APPEAL).unwrap();
    dir
}

#[test]
fn check_reports_a_field_typo_and_an_unknown_recipient_together() {
    let dir = tempfile::tempdir().unwrap();
    let text = APPEAL
        .replace("place =", "plase =")
        .replace("\"industriall\"", "\"ilo-gd\"");
    std::fs::write(dir.path().join("appeal.toml"), text).unwrap();
    appeal_in(dir.path())
        .args(["check", "appeal.toml"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "appeal.toml:4:1: error: unknown field \"plase\" in the top level\n  \
         hint: did you mean \"place\"?\n  \
         hint: valid fields: template, language, date, place, reference, in_reply_to, subject, recipients, cc, \
         enclosures, demands, body, sender, signatory, recipient, incidents, incident, annex, layout, complaint, vars, style\n\
         appeal.toml:5:28: error: unknown recipient \"ilo-gd\" in recipients[1]\n  \
         hint: did you mean \"ilo-dg\"?\n  \
         hint: `appeal recipients` lists the registry; [[recipient]] defines one inline\n",
        );
}

#[test]
fn check_lists_the_letters() {
    let dir = workdir();
    appeal_in(dir.path())
        .args(["check", "appeal.toml"])
        .assert()
        .success()
        .stdout("appeal.toml: ok, 2 letters: ituc-perc, industriall\n");
}

#[test]
fn render_writes_text_to_stdout_by_default() {
    let dir = workdir();
    appeal_in(dir.path())
        .args(["render", "appeal.toml", "--to", "industriall"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "Free Metalworkers’ Union (SPM)\n\nMinsk, 23\u{a0}November 2026\n",
        ))
        .stdout(predicate::str::contains(
            "We ask you to condemn the arrests.",
        ));
}

#[test]
fn render_to_a_directory_writes_one_file_per_recipient_and_never_overwrites() {
    let dir = workdir();
    let run = || {
        appeal_in(dir.path())
            .args(["render", "appeal.toml", "-o", "out/"])
            .assert()
    };
    run()
        .success()
        .stderr("wrote out/ituc-perc.txt\nwrote out/industriall.txt\n");
    let first = std::fs::read_to_string(dir.path().join("out/ituc-perc.txt")).unwrap();
    assert!(first.contains("Dear colleagues,"), "{first}");
    std::fs::write(dir.path().join("out/industriall.txt"), "mine").unwrap();
    run()
        .code(2)
        .stderr("error: out/ituc-perc.txt exists\n  hint: use --force to overwrite\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/industriall.txt")).unwrap(),
        "mine"
    );
    appeal_in(dir.path())
        .args(["render", "appeal.toml", "-o", "out/", "--force"])
        .assert()
        .success();
    assert_ne!(
        std::fs::read_to_string(dir.path().join("out/industriall.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn render_refuses_several_letters_into_one_file() {
    let dir = workdir();
    appeal_in(dir.path())
        .args(["render", "appeal.toml", "-o", "letter.txt"])
        .assert()
        .code(2)
        .stderr(
            "error: 2 letters to write but -o names one file, letter.txt\n  \
         hint: give a directory (-o letters/) or one recipient (--to ID)\n",
        );
    assert!(!dir.path().join("letter.txt").exists());
}

#[test]
fn render_to_one_file() {
    let dir = workdir();
    appeal_in(dir.path())
        .args([
            "render",
            "appeal.toml",
            "--to",
            "ituc-perc",
            "-o",
            "letter.txt",
        ])
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("letter.txt")).unwrap();
    assert!(
        text.ends_with("In solidarity,\n\nAleksandr Bukhvostov\n"),
        "{text}"
    );
}

#[test]
fn missing_appeal_file_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    appeal_in(dir.path())
        .args(["render", "nope.toml"])
        .assert()
        .code(1)
        .stderr("nope.toml: error: no such file or directory (os error 2)\n");
}

#[test]
fn bad_arguments_are_usage_errors() {
    let dir = workdir();
    appeal_in(dir.path())
        .args(["render", "appeal.toml", "--format", "doc"])
        .assert()
        .code(2);
    appeal_in(dir.path())
        .args(["render", "appeal.toml", "--date", "2021-02-30"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "invalid date \"2021-02-30\", expected YYYY-MM-DD",
        ));
}

#[test]
fn date_defaults_to_the_option_when_the_appeal_has_none() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("appeal.toml"),
        APPEAL.replace("date = 2026-11-23\n", ""),
    )
    .unwrap();
    appeal_in(dir.path())
        .args([
            "render",
            "appeal.toml",
            "--to",
            "ituc-perc",
            "--date",
            "2024-02-29",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Minsk, 29\u{a0}February 2024"));
}

#[test]
fn init_writes_a_starter_that_checks_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    appeal_in(dir.path()).arg("init").assert().success();
    appeal_in(dir.path())
        .args(["check", "appeal.toml"])
        .assert()
        .success();
    appeal_in(dir.path())
        .arg("init")
        .assert()
        .code(2)
        .stderr("error: appeal.toml exists\n  hint: use --force to overwrite\n");
    // Nor the schema beside it: an officer's own is kept.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("appeal.schema.json"), "{}").unwrap();
    appeal_in(other.path())
        .arg("init")
        .assert()
        .code(2)
        .stderr("error: appeal.schema.json exists\n  hint: use --force to overwrite\n");
    let kept = std::fs::read_to_string(other.path().join("appeal.schema.json")).unwrap();
    assert_eq!(kept, "{}");
    assert!(!other.path().join("appeal.toml").exists());
}

#[test]
fn recipients_lists_the_registry_by_tag() {
    let output = appeal_in(&root(""))
        .args(["recipients", "--tag", "embassy"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(text.lines().count(), 11, "{text}");
    assert!(
        text.lines().all(|line| line.starts_with("embassy-by-")),
        "{text}"
    );
}

#[test]
fn recipients_file_adds_entries() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("extra.toml"),
        "[[recipient]]\nid = \"bkdp\"\norganisation = \"BKDP\"\ntags = [\"x\"]\n",
    )
    .unwrap();
    appeal_in(dir.path())
        .args(["recipients", "--recipients", "extra.toml", "--tag", "x"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("bkdp "));
}

#[test]
fn templates_lists_the_builtin_templates() {
    let output = appeal_in(&root("")).arg("templates").output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let names: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "cfa-complaint",
            "embassy-petition",
            "ilo-intervention",
            "solidarity-appeal"
        ]
    );
    let line = |name: &str| text.lines().find(|l| l.starts_with(name)).unwrap();
    assert!(line("cfa-complaint").contains(" en,ru,fr,es "), "{text}");
    assert!(
        line("ilo-intervention").contains(" en,ru,be,fr,es "),
        "{text}"
    );
    assert!(line("embassy-petition").contains(" en,ru,be "), "{text}");
}

#[test]
fn templates_directory_overrides_a_builtin_template() {
    let dir = workdir();
    std::fs::create_dir_all(dir.path().join("tpl/solidarity-appeal")).unwrap();
    std::fs::write(
        dir.path().join("tpl/solidarity-appeal/en.toml"),
        "subject = \"S\"\nbody = \"Custom body for {{recipient.id}}.\"\nclosing = \"Yours,\"\n",
    )
    .unwrap();
    appeal_in(dir.path())
        .args([
            "render",
            "appeal.toml",
            "--to",
            "ituc-perc",
            "--templates",
            "tpl",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Custom body for ituc-perc.\n\nYours,",
        ));
}

#[test]
fn closed_stdout_is_not_an_error() {
    let dir = workdir();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("appeal"))
        .current_dir(dir.path())
        .args(["render", "appeal.toml"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    assert!(child.wait().unwrap().success());
}

/// A Belarusian letter needs case forms nobody can guess: `check` names
/// each one missing, for the recipient, at its place; the letter leaves
/// the part out and salutes neutrally instead of guessing.
#[test]
fn check_names_the_forms_a_belarusian_letter_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let text = APPEAL
        .replace("language = \"en\"", "language = \"be\"")
        .replace(
            "recipients = [\"ituc-perc\", \"industriall\"]",
            "recipients = [\"union\"]",
        )
        + "[[recipient]]\nid = \"union\"\nname = \"Вольга Кавальская\"\ntitle = \"Старшыня\"\n\
         organisation = \"Прафсаюз работнікаў адукацыі\"\n";
    std::fs::write(dir.path().join("appeal.toml"), &text).unwrap();
    appeal_in(dir.path())
        .args(["check", "appeal.toml"])
        .assert()
        .success()
        .stderr(
            "appeal.toml:11:1: warning: the be letter to \"union\" leaves out Вольга Кавальская: no surname in the dative in be\n  \
             hint: add surname_dative = { be = \"…\" } (and given, patronymic = { be = \"…\" } for the initials)\n\
             appeal.toml:11:1: warning: the be letter to \"union\" leaves out the office \"Старшыня\": no title_dative in be\n  \
             hint: add title_dative = { be = \"…\" }\n\
             appeal.toml:11:1: warning: the be letter to \"union\" has no salutation made from the data: the template's fallback is used\n  \
             hint: add gender = \"f\" or \"m\"\n",
        );
    let letter = appeal_in(dir.path())
        .args(["render", "appeal.toml"])
        .output()
        .unwrap();
    let letter = String::from_utf8(letter.stdout).unwrap();
    assert!(
        letter.contains("\nПрафсаюз работнікаў адукацыі\n\nАб закліку"),
        "{letter}"
    );
    assert!(letter.contains("\nПаважаныя калегі!\n"), "{letter}");
}

/// Runs `program args…` with `input` on standard input; `None` where the
/// program is not installed (then the check is skipped with a note).
fn run_tool(program: &str, args: &[&str], input: &[u8]) -> Option<std::process::Output> {
    use std::io::Write;
    let mut child = match std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("note: {program} not installed; its check skipped");
            return None;
        }
        Err(error) => panic!("{program}: {error}"),
    };
    child.stdin.take().unwrap().write_all(input).unwrap();
    Some(child.wait_with_output().unwrap())
}

#[test]
fn completions_for_every_shell_are_scripts_the_shell_parses() {
    for (shell, marker, check) in [
        ("bash", "complete -F", Some(("bash", &["-n"][..]))),
        ("zsh", "#compdef appeal", Some(("zsh", &["-n"][..]))),
        (
            "fish",
            "complete -c appeal",
            Some(("fish", &["--no-execute"][..])),
        ),
        ("powershell", "Register-ArgumentCompleter", None),
    ] {
        let output = appeal_in(&root(""))
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success(), "{shell}");
        let script = String::from_utf8(output.stdout).unwrap();
        assert!(script.contains(marker), "{shell}: {script}");
        // Every subcommand is completed.
        for command in ["render", "batch", "check", "completions", "man"] {
            assert!(script.contains(command), "{shell} lacks {command}");
        }
        if let Some((program, args)) = check
            && let Some(parsed) = run_tool(program, args, script.as_bytes())
        {
            let stderr = String::from_utf8_lossy(&parsed.stderr);
            assert!(parsed.status.success(), "{program} {args:?}: {stderr}");
        }
    }
    appeal_in(&root(""))
        .args(["completions", "tcsh"])
        .assert()
        .code(2);
}

#[test]
fn man_prints_a_manual_page_that_groff_reads() {
    let output = appeal_in(&root("")).arg("man").output().unwrap();
    assert!(output.status.success());
    let page = String::from_utf8(output.stdout).unwrap();
    // UTF-8 in help texts (…): groff reads it through preconv (-k), as man does.
    // Before .TH only roff's own conditionals (the quote character) may stand.
    let first_macro = page
        .lines()
        .find(|line| !line.starts_with(".ie") && !line.starts_with(".el"))
        .unwrap();
    assert!(first_macro.starts_with(".TH appeal 1"), "{page}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH SUBCOMMANDS"] {
        assert!(page.contains(section), "{section} missing: {page}");
    }
    if let Some(formatted) = run_tool("groff", &["-k", "-man", "-Tutf8", "-ww"], page.as_bytes()) {
        let stderr = String::from_utf8_lossy(&formatted.stderr);
        assert!(formatted.status.success() && stderr.is_empty(), "{stderr}");
        let text = String::from_utf8_lossy(&formatted.stdout);
        assert!(text.contains("appeal-render"), "{text}");
    }
}

/// A person given by name parts alone (no `name`) is warned about too
/// when a Belarusian letter lacks the dative.
#[test]
fn check_names_a_missing_dative_for_name_parts_alone() {
    let dir = tempfile::tempdir().unwrap();
    let text = APPEAL
        .replace("language = \"en\"", "language = \"be\"")
        .replace(
            "recipients = [\"ituc-perc\", \"industriall\"]",
            "recipients = [\"u\"]",
        )
        + "[[recipient]]\nid = \"u\"\ngiven = \"Вольга\"\nsurname = \"Кавальская\"\ngender = \"f\"\n";
    std::fs::write(dir.path().join("appeal.toml"), &text).unwrap();
    appeal_in(dir.path())
        .args(["check", "appeal.toml"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: the be letter to \"u\" leaves out Кавальская: no surname in the dative in be",
        ));
}

#[test]
fn check_warns_of_an_urgency_the_complaint_does_not_ask_for() {
    let dir = tempfile::tempdir().unwrap();
    let example =
        std::fs::read_to_string(crate::root("examples/cfa-complaint-belarus/appeal.toml"))
            .unwrap()
            .replace(
                "urgent = true",
                "urgent = false\nurgency = \"the detention of leaders\"",
            );
    std::fs::write(dir.path().join("appeal.toml"), example).unwrap();
    appeal_in(dir.path())
        .args(["check", "appeal.toml"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: urgency gives a reason, but the urgent procedure is not asked for: the letter leaves it out\n  \
             hint: add urgent = true, or leave urgency out",
        ));
}

#[test]
fn two_signatories_of_one_union_write_we() {
    let dir = tempfile::tempdir().unwrap();
    let two = APPEAL.replace(
        "[signatory]\nname = \"Aleksandr Bukhvostov\"\n",
        "[[signatory]]\nname = \"Aleksandr Bukhvostov\"\n[[signatory]]\nname = \"Ihar Komlik\"\n",
    );
    for (language, we, i) in [
        ("en", "we are writing to inform you", "I am writing"),
        ("ru", "сообщаем Вам", "сообщаю"),
        ("be", "паведамляем Вам", "паведамляю"),
    ] {
        let text = two.replace("language = \"en\"", &format!("language = \"{language}\""));
        std::fs::write(dir.path().join("appeal.toml"), text).unwrap();
        let output = appeal_in(dir.path())
            .args(["render", "appeal.toml", "--to", "industriall"])
            .output()
            .unwrap();
        let letter = String::from_utf8(output.stdout).unwrap();
        assert!(fold(&letter).contains(we), "{language}: {letter}");
        assert!(!letter.contains(i), "{language}: {letter}");
    }
}

#[test]
fn a_signatory_of_another_organisation_than_the_letterhead_is_named_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = APPEAL.replace(
        "name = \"Aleksandr Bukhvostov\"\n",
        "name = \"Aleksandr Bukhvostov\"\norganisation = \"Belarusian Congress of Democratic Trade Unions\"\n",
    );
    std::fs::write(dir.path().join("appeal.toml"), text).unwrap();
    appeal_in(dir.path())
        .args(["render", "appeal.toml", "--to", "industriall"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Aleksandr Bukhvostov\nBelarusian Congress of Democratic Trade Unions\n",
        ));
}

#[test]
fn a_problem_with_a_database_incident_is_placed_in_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let complaint = "template = \"cfa-complaint\"\ndate = 2021-12-01\nrecipients = [\"ilo-dg\"]\n\
                     incidents = [\"threat\"]\n[complaint]\ngovernment = \"Belarus\"\nconventions = [87]\n\
                     [sender]\norganisation = \"Example Workers' Union\"\naddress = [\"Minsk\"]\n\
                     [signatory]\nname = \"Ann Example\"\ntitle = \"President\"\n";
    std::fs::write(dir.path().join("appeal.toml"), complaint).unwrap();
    std::fs::write(
        dir.path().join("db.toml"),
        "[[incident]]\nid = \"raid\"\nsummary = \"A raid.\"\n\n[[incident]]\nid = \"threat\"\n\
         summary = { en = \"The president was threatened.\" }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("db.csv"),
        "id,summary\nraid,A raid.\nthreat,The president was threatened.\n",
    )
    .unwrap();
    let evidence = "error: allegation \"threat\" gives no evidence\n  \
                    hint: add sources = [\"https://…\"] (reports) or annexes = [\"…\"] (documents sent with the complaint)\n";
    for (database, at, extra) in [
        ("db.toml", "db.toml:5:1", vec!["--language", "fr"]),
        ("db.csv", "db.csv:3:1", vec![]),
    ] {
        let output = appeal_in(dir.path())
            .args(["check", "appeal.toml", "--incidents", database])
            .args(&extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.starts_with(&format!("{at}: {evidence}")), "{stderr}");
        if database == "db.toml" {
            assert!(
                stderr.contains(
                    "db.toml:7:11: error: incident \"threat\".summary has no \"fr\" version"
                ),
                "{stderr}"
            );
        }
    }
}

/// To an ambassador the courtesy formula closes the letter, with no second
/// closing after it; a copy to an organisation is in the dative.
#[test]
fn a_letter_to_an_ambassador_closes_once_and_copies_in_the_dative() {
    let output = appeal_in(&root("."))
        .args([
            "render",
            "examples/embassy-petition-2023/appeal.toml",
            "--to",
            "embassy-by-de",
        ])
        .output()
        .unwrap();
    let letter = String::from_utf8(output.stdout).unwrap();
    assert!(
        fold(&letter).contains(
            "Прыміце, спадар Пасол, запэўненні ў нашай глыбокай павазе. Salidarnast Копія:"
        ),
        "{letter}"
    );
    assert!(!letter.contains("З павагай"), "{letter}");
    assert!(
        letter.contains("- Панеўрапейскаму рэгіянальнаму савету МКП (ПЕРС)\n"),
        "{letter}"
    );
}
