//! acsready: can these Windows hosts take modules signed with Azure Code Signing?

mod cli;
mod errors;
mod evidence_args;
mod facts_cmd;
mod image_progress;
mod input;
mod inspect_cmd;
mod kit_cmd;
mod output;
mod pipeline;
mod preflight_cmd;
#[cfg(feature = "server")]
mod push_cmd;
mod report_cmd;
#[cfg(feature = "server")]
mod server_cmd;
#[cfg(feature = "server")]
mod store_cmd;

use std::io::Write;
use std::process::ExitCode;

use acsready_report::{explain_text, rules_json, rules_table, ProductNames, Style};
use acsready_rules::{Lang, Rules};
use anyhow::{Context, Result};

use cli::{Cli, Command, LangArg, RulesFormat};

/// Assessing a fleet allocates many small strings from several threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes, documented in README: a contract for scripts.
pub const EXIT_READY: u8 = 0;
pub const EXIT_NOT_READY: u8 = 1;
pub const EXIT_BAD_INPUT: u8 = 2;

/// The exit code of a run: bad input first, then whether something blocks.
pub fn exit_code(bad_input: bool, blocked: bool) -> u8 {
    if bad_input {
        EXIT_BAD_INPUT
    } else if blocked {
        EXIT_NOT_READY
    } else {
        EXIT_READY
    }
}

fn main() -> ExitCode {
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                EXIT_BAD_INPUT
            } else {
                EXIT_READY
            });
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if output::is_broken_pipe(&e) {
                return ExitCode::from(EXIT_READY);
            }
            eprintln!("acsready: error: {}", errors::error_text(&e));
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

fn language(arg: Option<LangArg>) -> Lang {
    match arg {
        Some(LangArg::En) => Lang::En,
        Some(LangArg::Ja) => Lang::Ja,
        None => std::env::var("ACSREADY_LANG")
            .ok()
            .or_else(sys_locale::get_locale)
            .map(|l| Lang::from_locale(&l))
            .unwrap_or_default(),
    }
}

/// The rules, dated today (facts without `collected_at` are dated so).
fn load_rules(cli: &Cli) -> Result<Rules> {
    let mut rules = match cli.rules_file()? {
        Some(path) => Rules::from_path(path)?,
        None => Rules::embedded().context("the embedded rules are broken")?,
    };
    rules.today = Some(jiff::Zoned::now().date().to_string());
    Ok(rules)
}

fn run(cli: Cli) -> Result<u8> {
    let lang = language(cli.lang);
    image_progress::set_lang(lang);
    let rules = load_rules(&cli)?;
    let style = Style {
        lang,
        color: output::use_color(),
        names: ProductNames::of(&rules),
    };
    match cli.command {
        Command::Assess(args) => pipeline::assess(&args, &rules, style),
        Command::Facts(args) => facts_cmd::facts(&args, &rules, style),
        Command::Inspect(args) => inspect_cmd::inspect(&args, &rules, style),
        Command::Report(args) => report_cmd::rerender(&args, &rules, style),
        Command::FixKit(args) => kit_cmd::fix_kit(&args, &rules, style),
        Command::Verify(args) => kit_cmd::verify(&args, &rules, style),
        #[cfg(feature = "server")]
        Command::Serve(args) => server_cmd::serve(&args, rules),
        #[cfg(feature = "server")]
        Command::Token(cmd) => server_cmd::token(&cmd),
        #[cfg(feature = "server")]
        Command::Store(cmd) => store_cmd::store(&cmd),
        #[cfg(feature = "server")]
        Command::Push(args) => push_cmd::push(&args),
        Command::Preflight { target } => preflight_cmd::preflight(&target, &rules, style),
        Command::Rules { format, output, .. } => {
            let mut out = output::Output::open(&output)?;
            match format {
                RulesFormat::Table => write!(out, "{}", rules_table(&rules, lang))?,
                RulesFormat::Json => {
                    serde_json::to_writer_pretty(&mut out, &rules_json(&rules))?;
                    writeln!(out)?;
                }
            }
            out.commit()?;
            Ok(EXIT_READY)
        }
        Command::Explain { code, .. } => {
            let mut out = std::io::stdout().lock();
            match code {
                Some(code) => {
                    let code = code.trim().to_ascii_uppercase();
                    let Some(f) = rules.finding(&code) else {
                        eprintln!("acsready: error: no finding {code} in the rules (acsready explain lists them)");
                        return Ok(EXIT_BAD_INPUT);
                    };
                    write!(out, "{}", explain_text(&code, f, &rules, lang))?;
                }
                None => {
                    for (code, f) in &rules.findings {
                        writeln!(
                            out,
                            "{code}  {:<8}  {}",
                            f.severity.as_str(),
                            f.title.get(lang)
                        )?;
                    }
                }
            }
            Ok(EXIT_READY)
        }
    }
}
