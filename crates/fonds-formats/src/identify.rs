//! Format identification from content. (Being written.)
