//! Virus scanning through ClamAV's clamd. (Being written.)
