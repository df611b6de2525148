//! Byte-string search over the examined bytes.

/// Every position where `needle` starts in `haystack`, in order. An empty needle matches nowhere.
pub(super) fn find_all<'a>(
    haystack: &'a [u8],
    needle: &'a [u8],
) -> impl Iterator<Item = usize> + 'a {
    let width = needle.len().max(1);
    haystack
        .windows(width)
        .enumerate()
        .filter(move |(_, window)| !needle.is_empty() && *window == needle)
        .map(|(at, _)| at)
}

/// The first position where `needle` starts in `haystack`.
pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    find_all(haystack, needle).next()
}

/// Whether `needle` occurs in `haystack`, ignoring ASCII case.
pub(super) fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
}
