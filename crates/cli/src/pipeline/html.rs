//! The HTML page's hosts gathered in parallel: each thread assesses a part
//! of a batch without texts and enters its hosts into a part of the page's
//! tables, rendering each distinct finding's texts once; the parts are
//! merged into the report in input order.

use acsready_assess::{Detail, Summary};
use acsready_intake::Host;
use acsready_report::HtmlReport;
use rayon::prelude::*;

use super::Run;

/// Hosts one thread assesses into one part at a time: merging a part costs
/// about its distinct texts and findings, so larger parts merge less.
const PART: usize = 2048;

/// Assesses a batch of hosts in parallel into parts of `page`, counted into
/// `summary`, while the parts of the batch before are merged; holds the
/// new parts in the report, to merge with the next batch (or when the page
/// is written).
pub(super) fn gather_batch(
    hosts: &[Host],
    run: &Run,
    page: &mut HtmlReport,
    summary: &mut Summary,
) {
    let empty = page.part();
    let (parts, ()) = rayon::join(
        || {
            hosts
                .par_chunks(PART)
                .map_init(
                    || run.texts(),
                    |texts, chunk| {
                        let mut part = empty.fresh();
                        let mut counted = Summary::default();
                        for host in chunk {
                            // The texts are rendered by the part, once per distinct finding.
                            let a = run.assess_host(host, texts, Detail::Params);
                            counted.add(&a);
                            part.host_rendering(&a, texts);
                        }
                        (part, counted)
                    },
                )
                .collect::<Vec<_>>()
        },
        || page.merge_held(),
    );
    page.hold(parts.into_iter().map(|(part, counted)| {
        summary.merge(&counted);
        part
    }));
}
