//! Safe, unique file names for letters, made from recipient ids.

use std::collections::HashSet;

/// File names `STEM.EXT` for `ids`, in order: each id sanitised to ASCII
/// letters, digits, `-`, `_` and inner dots, never a path, and made unique
/// with a `-2`, `-3` … suffix where two ids sanitise alike.
///
/// ```
/// assert_eq!(
///     appeal::file_names(["ilo-dg", "../../x", "a/b", "a:b"], "pdf"),
///     ["ilo-dg.pdf", "x.pdf", "a_b.pdf", "a_b-2.pdf"]
/// );
/// ```
pub fn file_names<'a>(ids: impl IntoIterator<Item = &'a str>, extension: &str) -> Vec<String> {
    let mut taken = HashSet::new();
    ids.into_iter()
        .map(|id| {
            let stem = stem(id);
            let mut name = format!("{stem}.{extension}");
            let mut n = 2;
            while !taken.insert(name.to_lowercase()) {
                name = format!("{stem}-{n}.{extension}");
                n += 1;
            }
            name
        })
        .collect()
}

fn stem(id: &str) -> String {
    let cleaned: String = id
        .trim_start_matches(['.', '/', '\\'])
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches(['.', '_']).replace("..", "_");
    let cleaned: String = cleaned.chars().take(100).collect();
    if cleaned.is_empty() {
        "recipient".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_leaves_the_directory() {
        assert_eq!(
            file_names(["../../x", "..", "/etc/passwd", "C:\\x", ".hidden"], "txt"),
            [
                "x.txt",
                "recipient.txt",
                "etc_passwd.txt",
                "C__x.txt",
                "hidden.txt"
            ]
        );
    }

    #[test]
    fn makes_names_unique_ignoring_case() {
        assert_eq!(
            file_names(["a b", "a_b", "A_B", "ы", "ю"], "txt"),
            [
                "a_b.txt",
                "a_b-2.txt",
                "A_B-3.txt",
                "recipient.txt",
                "recipient-2.txt"
            ]
        );
    }
}
