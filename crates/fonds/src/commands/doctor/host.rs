//! The checks of the machine itself: the data directory, key files, free disk and the clock.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::{Finding, Verdict};
use crate::config::Config;

/// Below this much free space, submissions will start failing soon.
const LOW_DISK_BYTES: u64 = 1024 * 1024 * 1024;

pub(super) fn data_directory(data: &Path) -> Finding {
    const CHECK: &str = "data directory";
    let metadata = match std::fs::metadata(data) {
        Ok(m) if m.is_dir() => m,
        Ok(_) => {
            return Finding::new(
                CHECK,
                Verdict::Fail,
                format!("{} is not a directory", data.display()),
            );
        }
        Err(e) => {
            return Finding::new(
                CHECK,
                Verdict::NotRun,
                format!(
                    "{} cannot be read ({e}); `fonds serve` creates it",
                    data.display()
                ),
            );
        }
    };
    let probe = data.join(".doctor-probe");
    if let Err(e) = std::fs::write(&probe, b"probe") {
        return Finding::new(
            CHECK,
            Verdict::Fail,
            format!(
                "{} is not writable ({e}); give the user running Fonds write access",
                data.display()
            ),
        );
    }
    let _ = std::fs::remove_file(&probe);
    let mode = metadata.permissions().mode();
    if mode & 0o007 != 0 {
        return Finding::new(
            CHECK,
            Verdict::Warn,
            format!(
                "{} can be read by every user of this machine (mode {:o}); run `chmod o-rwx {}`",
                data.display(),
                mode & 0o777,
                data.display()
            ),
        );
    }
    Finding::new(
        CHECK,
        Verdict::Ok,
        format!("{} is writable", data.display()),
    )
}

/// Every private key Fonds reads or writes must be readable by its owner only.
pub(super) fn key_files(data: &Path, config: Option<&Config>) -> Finding {
    const CHECK: &str = "key file permissions";
    let mut keys: Vec<PathBuf> = vec![
        data.join("backup-signing.key"),
        fonds_core::audit::signing_key_file(data),
        data.join("tls").join("key.pem"),
    ];
    if let Some(key) = config.and_then(|c| c.tls_key.clone()) {
        keys.push(key);
    }
    keys.push(
        config
            .and_then(|c| c.master_key_file.clone())
            .unwrap_or_else(|| fonds_core::at_rest::default_key_file(data)),
    );
    let mut present = 0;
    let mut loose = Vec::new();
    for key in &keys {
        let Ok(metadata) = std::fs::metadata(key) else {
            continue;
        };
        present += 1;
        if metadata.permissions().mode() & 0o077 != 0 {
            loose.push(key.display().to_string());
        }
    }
    if !loose.is_empty() {
        return Finding::new(
            CHECK,
            Verdict::Fail,
            format!(
                "readable by others: {}; run `chmod 600` on each",
                loose.join(", ")
            ),
        );
    }
    if present == 0 {
        return Finding::new(CHECK, Verdict::Ok, "no key files yet");
    }
    Finding::new(
        CHECK,
        Verdict::Ok,
        format!("{present} key file(s), readable by their owner only"),
    )
}

pub(super) fn free_disk(data: &Path) -> Finding {
    const CHECK: &str = "free disk";
    let at = if data.exists() {
        data
    } else {
        data.parent().unwrap_or(Path::new("."))
    };
    let stats = match rustix::fs::statvfs(at) {
        Ok(stats) => stats,
        Err(e) => {
            return Finding::new(
                CHECK,
                Verdict::NotRun,
                format!("cannot read the file system of {} ({e})", at.display()),
            );
        }
    };
    let free = stats.f_bavail.saturating_mul(stats.f_frsize);
    let total = stats.f_blocks.saturating_mul(stats.f_frsize).max(1);
    let percent = free.saturating_mul(100) / total;
    let gib = free as f64 / (1024.0 * 1024.0 * 1024.0);
    let summary = format!("{gib:.1} GiB free ({percent} %) under {}", at.display());
    if free < LOW_DISK_BYTES || percent < 5 {
        Finding::new(
            CHECK,
            Verdict::Fail,
            format!("{summary}: free space or move the data directory before submissions fail"),
        )
    } else if percent < 10 {
        Finding::new(CHECK, Verdict::Warn, format!("{summary}: plan more space"))
    } else {
        Finding::new(CHECK, Verdict::Ok, summary)
    }
}

/// A clock that went backwards would date new events before old ones; one stuck in the past (an
/// unset real-time clock) would date them all wrongly.
pub(super) fn clock(data: &Path) -> Finding {
    const CHECK: &str = "clock";
    let now = SystemTime::now();
    let since_epoch = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    // 2024-01-01T00:00:00Z: no archive written by this version can be older.
    if since_epoch < 1_704_067_200 {
        return Finding::new(
            CHECK,
            Verdict::Fail,
            "the system clock is before 2024: set it (timedatectl, NTP) before serving",
        );
    }
    let last_write = ["fonds.sqlite-wal", "fonds.sqlite"]
        .iter()
        .filter_map(|name| std::fs::metadata(data.join(name)).ok()?.modified().ok())
        .max();
    if let Some(last) = last_write
        && let Ok(ahead) = last.duration_since(now)
        && ahead > Duration::from_secs(300)
    {
        return Finding::new(
            CHECK,
            Verdict::Fail,
            format!(
                "the database was last written {} s in the future of this clock: the clock went back; correct it (NTP) before serving",
                ahead.as_secs()
            ),
        );
    }
    let utc = time::OffsetDateTime::now_utc();
    Finding::new(
        CHECK,
        Verdict::Ok,
        format!(
            "{}, not behind the archive's last write; keep NTP on",
            utc.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        ),
    )
}
