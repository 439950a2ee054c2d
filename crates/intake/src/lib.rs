//! The one intake of acsready. Every command that reads hosts (`assess`,
//! `facts`, `preflight`, `push`) and the server's ingest come through here:
//!
//! - [`find`]: what the user gave (files, folders, archives, standard
//!   input, `--collected` parents) sorted into facts inputs and hosts'
//!   evidence, recognised by content ([`kind`], [`open`]);
//! - [`read`], [`evidence`], [`upload`]: reading them through the
//!   acsready-sources readers, set up from the rules by [`Readers`];
//! - [`identity`]: which host a name names ([`host_key`], one rule for the
//!   commands and the server);
//! - [`merge`]: the facts of one host from several inputs, each fact naming
//!   its source, disagreements kept as conflicts;
//! - [`problem`]: what went wrong, typed (file, line, host, kind, message);
//! - [`gather`]: all of it for one run ([`Intake`]).

pub mod body;
pub mod chunks;
pub mod evidence;
pub mod find;
pub mod gather;
pub mod identity;
pub mod image;
pub mod kind;
pub mod merge;
pub mod open;
pub mod problem;
pub mod read;
pub mod readers;
pub mod upload;

pub use chunks::{Chunked, CHUNK};
pub use find::Request;
pub use gather::Intake;
pub use identity::{host_key, preferred_name};
pub use image::ImageProgress;
pub use kind::{detect, InputKind};
pub use problem::{Problem, ProblemKind, Problems};
pub use read::Host;
pub use readers::Readers;
