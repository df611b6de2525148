//! OFD (GB/T 33190) packages. (Being written.)
