//! The kit's CSV files: UTF-8 with a byte order mark (Excel opens them as
//! such), CRLF, a header row.

use acsready_assess::HostAssessment;

use crate::KitError;

pub(crate) struct Csv {
    w: csv::Writer<Vec<u8>>,
    error: Option<String>,
}

impl Csv {
    pub(crate) fn new(header: &[&str]) -> Csv {
        let mut c = Csv {
            w: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(vec![0xEF, 0xBB, 0xBF]),
            error: None,
        };
        c.row(header);
        c
    }

    pub(crate) fn row(&mut self, cells: &[&str]) {
        if let Err(e) = self.w.write_record(cells) {
            self.error.get_or_insert(e.to_string());
        }
    }

    pub(crate) fn bytes(self) -> Result<Vec<u8>, KitError> {
        if let Some(e) = self.error {
            return Err(KitError::Csv(e));
        }
        self.w
            .into_inner()
            .map_err(|e| KitError::Csv(e.to_string()))
    }
}

/// `hosts.csv` of a group: one row per host, with the group's own columns.
pub(crate) fn hosts(
    hosts: &[&HostAssessment],
    extra: &[(&str, String)],
) -> Result<Vec<u8>, KitError> {
    let mut header = vec!["host", "os", "build", "ubr", "verdict", "codes"];
    header.extend(extra.iter().map(|(k, _)| *k));
    let mut t = Csv::new(&header);
    for h in hosts {
        let build = h.os.build.map(|b| b.to_string()).unwrap_or_default();
        let ubr = h.os.ubr.map(|b| b.to_string()).unwrap_or_default();
        let mut codes: Vec<&str> = h.findings.iter().map(|f| f.code.as_str()).collect();
        codes.dedup();
        let codes = codes.join(" ");
        let mut row = vec![
            h.host.as_str(),
            h.os.name.as_str(),
            &build,
            &ubr,
            h.verdict.as_str(),
            &codes,
        ];
        row.extend(extra.iter().map(|(_, v)| v.as_str()));
        t.row(&row);
    }
    t.bytes()
}
