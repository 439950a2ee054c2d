//! Facts about a management server beyond its SOFTWARE registry: its
//! services (SYSTEM hive) and the files of its install folder.

use serde::{Deserialize, Serialize};

/// One service of `SYSTEM\CurrentControlSet\Services`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceFact {
    /// The service's key name ("tmlisten").
    pub name: String,
    /// `DisplayName`, when it is a plain string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `Start`: 0 boot, 1 system, 2 automatic, 3 manual, 4 disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<u32>,
}

impl ServiceFact {
    /// Whether the service is disabled (`Start` = 4).
    pub fn disabled(&self) -> bool {
        self.start == Some(4)
    }
}

/// The files and folders of an install folder: a listing (`dir /s`,
/// `dir /s /b`) or a walk of a copy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileListing {
    /// Where it came from (the listing file or the folder).
    pub origin: String,
    /// Paths, `\`-separated, as the listing wrote them (full or relative).
    pub paths: Vec<String>,
}

impl FileListing {
    /// The first path whose trailing components are `suffix`
    /// (`\`-separated, compared case-insensitively as Windows does).
    pub fn find_suffix(&self, suffix: &str) -> Option<&str> {
        let want: Vec<String> = components(suffix);
        if want.is_empty() {
            return None;
        }
        self.paths
            .iter()
            .find(|p| {
                let have = components(p);
                have.len() >= want.len() && have[have.len() - want.len()..] == want[..]
            })
            .map(String::as_str)
    }
}

fn components(path: &str) -> Vec<String> {
    path.split(['\\', '/'])
        .filter(|c| !c.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_match_whole_components_ignoring_case() {
        let l = FileListing {
            origin: "x".into(),
            paths: vec![
                r"C:\Program Files (x86)\Trend Micro\OfficeScan\AuthCertBackup\OfficeScanAuth.dat"
                    .into(),
                r"C:\Program Files (x86)\Trend Micro\Apex One\iServiceSrv\iVPX".into(),
            ],
        };
        assert!(l
            .find_suffix(r"authcertbackup\officescanauth.DAT")
            .is_some());
        assert!(l.find_suffix(r"iServiceSrv\iVP").is_none());
        assert!(l.find_suffix("").is_none());
        assert!(l
            .find_suffix(r"X\AuthCertBackup\OfficeScanAuth.dat")
            .is_none());
    }
}
