//! What kind of input a file is, recognised from its content by
//! acsready-sources.

use acsready_sources::DetectedKind;

/// The kinds of input files the commands read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum InputKind {
    /// Host facts JSON (docs/host-facts.md)
    Facts,
    /// osquery results of the acsready query pack (osquery/acsready.conf)
    Osquery,
    /// Deep Security Manager / Workload Security computers from the API ({"computers":[…]})
    ConsoleJson,
    /// The console's CSV export of computers
    ConsoleCsv,
}

/// The kind of a file, from its first bytes.
pub fn detect(head: &[u8]) -> InputKind {
    match acsready_sources::detect_kind(head) {
        DetectedKind::Facts => InputKind::Facts,
        DetectedKind::Osquery => InputKind::Osquery,
        DetectedKind::ConsoleJson => InputKind::ConsoleJson,
        DetectedKind::ConsoleCsv => InputKind::ConsoleCsv,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_from_the_detected_ones() {
        assert_eq!(detect(br#"{"host":"a"}"#), InputKind::Facts);
        assert_eq!(
            detect(br#"{"computers":[{"hostName":"w"}]}"#),
            InputKind::ConsoleJson
        );
    }
}
