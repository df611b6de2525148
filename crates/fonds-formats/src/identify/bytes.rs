//! Byte-string search over the examined bytes (`memchr`'s vectorised search: a scanned original
//! of several MiB is searched for a handful of names, and a window-by-window comparison would
//! cost a comparison call per byte).

/// Every position where `needle` starts in `haystack`, in order. An empty needle matches nowhere.
pub(super) fn find_all<'a>(
    haystack: &'a [u8],
    needle: &'a [u8],
) -> impl Iterator<Item = usize> + 'a {
    let finder = memchr::memmem::Finder::new(needle);
    let mut from = 0;
    // Each search starts one byte after the last match, so overlapping matches are found too.
    std::iter::from_fn(move || {
        if needle.is_empty() {
            return None;
        }
        let at = from + finder.find(haystack.get(from..)?)?;
        from = at + 1;
        Some(at)
    })
}

/// The first position where `needle` starts in `haystack`.
pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    find_all(haystack, needle).next()
}

/// Whether `needle` occurs in `haystack`, ignoring ASCII case.
pub(super) fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    let Some(&first) = needle.first() else {
        return false;
    };
    memchr::memchr2_iter(
        first.to_ascii_lowercase(),
        first.to_ascii_uppercase(),
        haystack,
    )
    .any(|at| {
        haystack
            .get(at..at + needle.len())
            .is_some_and(|window| window.eq_ignore_ascii_case(needle))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_occurrence_is_found_overlapping_ones_too() {
        assert_eq!(find_all(b"aaaa", b"aa").collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(
            find_all(b"/JS /JavaScript", b"/JS").collect::<Vec<_>>(),
            [0]
        );
        assert_eq!(find_all(b"abc", b"").count(), 0);
        assert_eq!(find(b"xx%PDF-", b"%PDF-"), Some(2));
    }

    #[test]
    fn case_is_ignored_where_asked() {
        assert!(contains_ignore_case(b"<?XML Version", b"version"));
        assert!(contains_ignore_case(b"vbaProject.BIN", b"VBAPROJECT.bin"));
        assert!(!contains_ignore_case(b"vbaProj", b"vbaproject"));
        assert!(!contains_ignore_case(b"anything", b""));
    }
}
