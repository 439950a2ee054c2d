//! The command line's side of the intake: the request of a command's
//! arguments, and the intake's problems as the reports and standard error
//! show them.

use std::path::PathBuf;

use acsready_intake::{InputKind, Problem, Request};
use acsready_report::{InputProblem, Problems};

use crate::evidence_args::EvidenceArgs;

/// The intake request of a command's inputs and evidence options.
pub(crate) fn request(
    inputs: &[PathBuf],
    evidence: &EvidenceArgs,
    kind: Option<InputKind>,
) -> Request {
    Request {
        inputs: inputs.to_vec(),
        collected: evidence.collected.clone(),
        hive: evidence.hive.clone(),
        evtx: evidence.evtx.clone(),
        host: evidence.host.clone(),
        kind,
        images: evidence.image.clone(),
        image_progress: crate::image_progress::image_progress(),
    }
}

/// A problem of the intake as the reports show it.
pub(crate) fn problem(p: Problem) -> InputProblem {
    InputProblem {
        source: p.place(),
        host: p.host,
        message: p.message,
    }
}

/// The intake's problems added to a report's.
pub(crate) fn add_problems(to: &mut Problems, from: acsready_intake::Problems) {
    to.errors.extend(from.errors.into_iter().map(problem));
    to.warnings.extend(from.warnings.into_iter().map(problem));
}

/// Input errors and warnings on standard error, one a line, naming the
/// source (and the host, when known).
pub(crate) fn report_problems(errors: &[InputProblem], warnings: &[InputProblem]) {
    for e in errors {
        eprintln!("acsready: {}", e.line("host"));
    }
    for w in warnings {
        eprintln!("acsready: warning: {}", w.line("host"));
    }
}
