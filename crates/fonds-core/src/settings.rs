//! Settings the application services need. Loading them from files and the environment is the
//! binary's job; here they are plain values with safe defaults.

/// Limits and defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The most bytes one submission may upload, all files together.
    pub max_upload_bytes: u64,
    /// The most bytes the manifest part may have.
    pub max_manifest_bytes: usize,
    /// The largest page a list may return.
    pub max_page_size: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            max_upload_bytes: 512 * 1024 * 1024,
            max_manifest_bytes: 4 * 1024 * 1024,
            max_page_size: 500,
        }
    }
}
