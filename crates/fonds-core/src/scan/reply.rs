//! clamd's answers to INSTREAM, read into what they mean.
//!
//! clamd answers `stream: OK`, `stream: <signature> FOUND`, `INSTREAM size limit exceeded. ERROR`
//! or `<what failed> ERROR` (the terminating NUL already removed).

/// One INSTREAM reply.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum ScanReply {
    /// No signature matched.
    Clean,
    /// A signature matched; its name.
    Infected(String),
    /// The stream was longer than StreamMaxLength.
    SizeLimitExceeded,
    /// clamd failed; its message.
    Failed(String),
    /// Not a reply clamd gives to INSTREAM.
    Unexpected,
}

pub(super) fn parse_scan_reply(reply: &str) -> ScanReply {
    let reply = reply.trim_end();
    if reply == "INSTREAM size limit exceeded. ERROR" {
        return ScanReply::SizeLimitExceeded;
    }
    if let Some(failure) = reply.strip_suffix(" ERROR") {
        let failure = failure.strip_prefix("stream: ").unwrap_or(failure).trim();
        return ScanReply::Failed(failure.to_owned());
    }
    let Some(result) = reply.strip_prefix("stream: ") else {
        return ScanReply::Unexpected;
    };
    if result == "OK" {
        return ScanReply::Clean;
    }
    match result.strip_suffix(" FOUND").map(str::trim) {
        Some(signature) if !signature.is_empty() => ScanReply::Infected(signature.to_owned()),
        _ => ScanReply::Unexpected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_is_clean() {
        assert_eq!(parse_scan_reply("stream: OK"), ScanReply::Clean);
    }

    #[test]
    fn found_names_the_signature() {
        assert_eq!(
            parse_scan_reply("stream: Win.Test.EICAR_HDB-1 FOUND"),
            ScanReply::Infected("Win.Test.EICAR_HDB-1".into())
        );
    }

    #[test]
    fn size_limit_is_told_apart_from_other_errors() {
        assert_eq!(
            parse_scan_reply("INSTREAM size limit exceeded. ERROR"),
            ScanReply::SizeLimitExceeded
        );
        assert_eq!(
            parse_scan_reply("stream: Can't allocate memory ERROR"),
            ScanReply::Failed("Can't allocate memory".into())
        );
    }

    #[test]
    fn anything_else_is_unexpected() {
        for reply in [
            "",
            "PONG",
            "stream: FOUND",
            "stream: ",
            "HTTP/1.1 400 Bad Request",
        ] {
            assert_eq!(parse_scan_reply(reply), ScanReply::Unexpected, "{reply:?}");
        }
    }
}
