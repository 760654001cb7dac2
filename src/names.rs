//! Safe, unique file names for letters, made from recipient ids.

use std::collections::HashSet;

/// File names `STEM.EXT` for `ids`, in order; see [`file_stems`].
///
/// ```
/// assert_eq!(
///     appeal::file_names(["ilo-dg", "../../x", "a/b", "a:b"], "pdf"),
///     ["ilo-dg.pdf", "x.pdf", "a_b.pdf", "a_b-2.pdf"]
/// );
/// ```
pub fn file_names<'a>(ids: impl IntoIterator<Item = &'a str>, extension: &str) -> Vec<String> {
    file_stems(ids)
        .into_iter()
        .map(|stem| format!("{stem}.{extension}"))
        .collect()
}

/// File name stems for `ids`, in order: each id sanitised to ASCII letters,
/// digits, `-`, `_` and inner dots, never a path, and made unique (ignoring
/// case) with a `-2`, `-3` … suffix where two ids sanitise alike.
pub fn file_stems<'a>(ids: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut taken = HashSet::new();
    ids.into_iter()
        .map(|id| {
            let stem = stem(id);
            let mut unique = stem.clone();
            let mut n = 2;
            while !taken.insert(unique.to_lowercase()) {
                unique = format!("{stem}-{n}");
                n += 1;
            }
            unique
        })
        .collect()
}

pub(crate) fn stem(id: &str) -> String {
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
