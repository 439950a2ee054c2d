//! `acsready push`: sends the host folders a collector wrote to a share to
//! the fleet server, each zipped in memory and posted on its own.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use acsready_intake::evidence::collected_folders;
use acsready_intake::upload::zip_folder;
use anyhow::{bail, Context, Result};

use crate::{EXIT_BAD_INPUT, EXIT_READY};

/// The environment variable `push` reads its token from.
pub const TOKEN_ENV: &str = "ACSREADY_TOKEN";

#[derive(Debug, clap::Args)]
pub struct PushArgs {
    /// A folder with one sub-folder per host, as acsready-collect.cmd writes it
    #[arg(value_name = "DIR", required = true)]
    pub dirs: Vec<PathBuf>,

    /// The server, e.g. http://acsready.example:8080
    #[arg(long, value_name = "URL")]
    pub server: String,

    /// A token of scope ingest (`acsready token create --scope ingest`). On the command line it
    /// is seen in the shell's history and the process list: prefer --token-file or ACSREADY_TOKEN
    #[arg(long, value_name = "TOKEN", conflicts_with = "token_file")]
    pub token: Option<String>,

    /// Read the token from this file (its first line; as `acsready token create > FILE` writes it)
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,

    /// Seconds to wait for one upload
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub timeout: u64,

    /// Times to send a folder again when the server is busy (503 or 429), each after the wait
    /// its Retry-After asks (at most 60 s); 0: never
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub retries: u32,
}

/// The longest wait for a busy server that `push` honours, whatever its
/// Retry-After says.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(60);

/// How long to wait before sending again after an answer of `status` with
/// `retry_after` (seconds), on attempt `attempt` (0-based) of `retries`;
/// `None`: do not send again. A busy server (503, 429) is waited for; any
/// other answer is final.
fn retry_wait(
    status: u16,
    retry_after: Option<&str>,
    attempt: u32,
    retries: u32,
) -> Option<Duration> {
    if !matches!(status, 429 | 503) || attempt >= retries {
        return None;
    }
    let asked = retry_after
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(
            Duration::from_secs(2 << attempt.min(4)),
            Duration::from_secs,
        );
    Some(asked.min(MAX_RETRY_WAIT))
}

/// The most bytes a token file may have.
const MAX_TOKEN_FILE: u64 = 4096;

/// The token: --token, else --token-file, else ACSREADY_TOKEN.
fn token(args: &PushArgs) -> Result<String> {
    let (token, origin) = if let Some(token) = &args.token {
        (token.clone(), "--token".to_string())
    } else if let Some(file) = &args.token_file {
        let mut text = String::new();
        std::fs::File::open(file)
            .and_then(|f| f.take(MAX_TOKEN_FILE + 1).read_to_string(&mut text))
            .with_context(|| format!("--token-file {}: cannot read", file.display()))?;
        if text.len() as u64 > MAX_TOKEN_FILE {
            bail!(
                "--token-file {}: longer than {MAX_TOKEN_FILE} bytes: not a token",
                file.display()
            );
        }
        let line = text.lines().next().unwrap_or_default().to_string();
        (line, format!("--token-file {}", file.display()))
    } else {
        match std::env::var(TOKEN_ENV) {
            Ok(token) => (token, TOKEN_ENV.to_string()),
            Err(std::env::VarError::NotPresent) => bail!(
                "no token: give --token-file FILE or set {TOKEN_ENV} (a token of scope ingest: acsready token create --scope ingest)"
            ),
            Err(std::env::VarError::NotUnicode(_)) => bail!("{TOKEN_ENV} is not valid text"),
        }
    };
    let token = token.trim().to_string();
    if token.is_empty() {
        bail!("{origin}: the token is empty");
    }
    Ok(token)
}

pub fn push(args: &PushArgs) -> Result<u8> {
    let token = token(args)?;
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
    let mut out = io::stdout().lock();
    for dir in folders {
        match send(&agent, &url, &token, &dir, args.retries) {
            Ok(answer) => {
                accepted += 1;
                writeln!(out, "{}: {answer}", dir.display())?;
            }
            Err(e) => {
                failed += 1;
                eprintln!(
                    "acsready: error: {}: {}",
                    dir.display(),
                    crate::errors::error_text(&e)
                );
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

/// Posts one folder, again while the server is busy; the server's answer
/// in one line, or why it failed.
fn send(agent: &ureq::Agent, url: &str, token: &str, dir: &Path, retries: u32) -> Result<String> {
    let zip = zip_folder(dir)?;
    let mut attempt = 0;
    let mut res = loop {
        let res = agent
            .post(url)
            .header("Authorization", &format!("Bearer {token}"))
            .content_type("application/zip")
            .send(&zip[..])
            .with_context(|| format!("cannot reach {url}"))?;
        let retry_after = res
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok());
        match retry_wait(res.status().as_u16(), retry_after, attempt, retries) {
            Some(wait) => {
                eprintln!(
                    "acsready: {}: the server is busy ({}); sending again in {} s",
                    dir.display(),
                    res.status().as_u16(),
                    wait.as_secs()
                );
                std::thread::sleep(wait);
                attempt += 1;
            }
            None => break res,
        }
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_server_is_waited_for_as_it_asks_then_given_up() {
        assert_eq!(
            retry_wait(503, Some("10"), 0, 5),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            retry_wait(429, Some(" 1 "), 4, 5),
            Some(Duration::from_secs(1))
        );
        // Past the longest wait, or without a usable Retry-After.
        assert_eq!(retry_wait(503, Some("3600"), 0, 5), Some(MAX_RETRY_WAIT));
        assert_eq!(retry_wait(503, None, 0, 5), Some(Duration::from_secs(2)));
        assert_eq!(
            retry_wait(503, Some("soon"), 2, 5),
            Some(Duration::from_secs(8))
        );
        // Out of tries, told not to retry, or an answer that is final.
        assert_eq!(retry_wait(503, Some("1"), 5, 5), None);
        assert_eq!(retry_wait(503, Some("1"), 0, 0), None);
        for final_status in [200, 400, 401, 413, 422, 500] {
            assert_eq!(retry_wait(final_status, Some("1"), 0, 5), None);
        }
    }
}
