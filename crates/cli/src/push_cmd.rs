//! `acsready push`: sends the host folders a collector wrote to a share to
//! the fleet server, each zipped in memory and posted on its own.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

use crate::evidence::{hosts, HostSource};
use crate::evidence_args::EvidenceArgs;
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

/// The files of one host folder (not its sub-folders) as a zip whose one
/// top folder has the host folder's name.
pub fn zip_folder(dir: &Path) -> Result<Vec<u8>> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "host".into());
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot read the folder", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for file in files {
        let Some(file_name) = file.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        let bytes =
            std::fs::read(&file).with_context(|| format!("{}: cannot read", file.display()))?;
        zip.start_file(format!("{name}/{file_name}"), opts)?;
        zip.write_all(&bytes)?;
    }
    Ok(zip.finish()?.into_inner())
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
    let sources = hosts(
        &EvidenceArgs {
            collected: args.dirs.clone(),
            ..Default::default()
        },
        &mut problems,
    );
    let mut failed = problems.len();
    for p in &problems {
        eprintln!("acsready: error: {}: {}", p.source, p.message);
    }
    let mut accepted = 0;
    for source in sources {
        let HostSource::Folder(dir) = source else {
            continue;
        };
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
