//! `acsready push`: sends the host folders a collector wrote to a share to
//! the fleet server, each zipped in memory and posted on its own.

use std::path::{Path, PathBuf};
use std::time::Duration;

use acsready_intake::evidence::collected_folders;
use acsready_intake::upload::zip_folder;
use anyhow::{Context, Result};

use crate::{EXIT_BAD_INPUT, EXIT_READY};

#[derive(Debug, clap::Args)]
pub struct PushArgs {
    /// A folder with one sub-folder per host, as acsready-collect.cmd writes it
    #[arg(value_name = "DIR", required = true)]
    pub dirs: Vec<PathBuf>,

    /// The server, e.g. http://acsready.example:8080
    #[arg(long, value_name = "URL")]
    pub server: String,

    /// A token of scope ingest (`acsready token create --scope ingest`)
    #[arg(long, value_name = "T")]
    pub token: String,

    /// Seconds to wait for one upload
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub timeout: u64,
}

pub fn push(args: &PushArgs) -> Result<u8> {
    crate::server_cmd::check_token(&args.token)?;
    let url = format!("{}/api/v1/collected", args.server.trim_end_matches('/'));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(args.timeout)))
        .build()
        .into();
    let mut problems = Vec::new();
    let folders = collected_folders(&args.dirs, &mut problems);
    let mut failed = problems.len();
    for p in &problems {
        eprintln!("acsready: error: {}: {}", p.place(), p.message);
    }
    let mut accepted = 0;
    for dir in folders {
        match send(&agent, &url, &args.token, &dir) {
            Ok(answer) => {
                accepted += 1;
                println!("{}: {answer}", dir.display());
            }
            Err(e) => {
                failed += 1;
                eprintln!("acsready: error: {}: {e:#}", dir.display());
            }
        }
    }
    eprintln!("{accepted} host folder(s) accepted, {failed} failed");
    Ok(if failed == 0 {
        EXIT_READY
    } else {
        EXIT_BAD_INPUT
    })
}

/// Posts one folder; the server's answer in one line, or why it failed.
fn send(agent: &ureq::Agent, url: &str, token: &str, dir: &Path) -> Result<String> {
    let zip = zip_folder(dir)?;
    let mut res = agent
        .post(url)
        .header("Authorization", &format!("Bearer {token}"))
        .content_type("application/zip")
        .send(&zip[..])
        .with_context(|| format!("cannot reach {url}"))?;
    let status = res.status().as_u16();
    let body = res.body_mut().read_to_string().unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    if status != 200 {
        let why = json["error"].as_str().unwrap_or(body.trim());
        anyhow::bail!("the server answered {status}: {why}");
    }
    let host = json["host"].as_str().unwrap_or("?");
    let dup = json["duplicates"].as_u64().unwrap_or(0) > 0;
    Ok(format!(
        "accepted as host {host}{}",
        if dup { " (already stored)" } else { "" }
    ))
}
