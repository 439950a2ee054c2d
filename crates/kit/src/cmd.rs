//! The kit's batch files. Each is ASCII with CRLF (cmd.exe reads the OEM
//! code page), idempotent (it checks first and changes nothing that is
//! already right), changes only what its header says, logs every step to
//! `%SystemRoot%\Temp\<log>` and exits 0 when the host is as wanted after it
//! (1 failed, 2 a file of the kit is missing, 3 nothing to change on this
//! host). They pass `collector/check_collector.py --kit`.

/// What every script's header says after what it changes.
pub(crate) const ONLY_THIS: &str = "Changes nothing else. Run as Administrator.";

/// A batch file being written.
pub(crate) struct Cmd {
    lines: Vec<String>,
}

impl Cmd {
    /// The header: comments (what it changes, the undo, the log), the
    /// folder of the script, the log and the tools by full path.
    pub(crate) fn new(name: &str, log: &str, comments: &[String]) -> Cmd {
        let mut lines = vec![
            "@echo off".to_string(),
            "setlocal EnableExtensions DisableDelayedExpansion".to_string(),
            format!("rem {name}: written by acsready fix-kit"),
        ];
        lines.extend(comments.iter().map(|c| format!("rem {c}")));
        lines.extend([
            format!("rem Log: %SystemRoot%\\Temp\\{log}"),
            "set \"HERE=%~dp0\"".to_string(),
            format!("set \"LOG=%SystemRoot%\\Temp\\{log}\""),
            "set \"REGEXE=%SystemRoot%\\System32\\reg.exe\"".to_string(),
            "set \"CERTUTILEXE=%SystemRoot%\\System32\\certutil.exe\"".to_string(),
            "set \"WUSAEXE=%SystemRoot%\\System32\\wusa.exe\"".to_string(),
            "set \"DISMEXE=%SystemRoot%\\System32\\dism.exe\"".to_string(),
            format!(">>\"%LOG%\" echo %DATE% %TIME% %COMPUTERNAME% {name}: start"),
        ]);
        Cmd { lines }
    }

    pub(crate) fn line(mut self, line: impl Into<String>) -> Cmd {
        self.lines.push(line.into());
        self
    }

    /// Logs `text` (prefixed with the date, time and computer name).
    pub(crate) fn log(self, text: &str) -> Cmd {
        self.line(format!(
            ">>\"%LOG%\" echo %DATE% %TIME% %COMPUTERNAME% {text}"
        ))
    }

    /// Logs `text`, says it on the console, and exits with `code`.
    pub(crate) fn end(self, text: &str, code: u8) -> Cmd {
        self.log(text)
            .line(format!("echo {text}"))
            .line(format!("exit /b {code}"))
    }

    pub(crate) fn label(self, name: &str) -> Cmd {
        self.line(format!(":{name}"))
    }

    pub(crate) fn bytes(self) -> Vec<u8> {
        let mut text = self.lines.join("\r\n");
        text.push_str("\r\n");
        debug_assert!(text.is_ascii(), "batch files are ASCII");
        text.into_bytes()
    }
}

/// Reads one registry value's data into `%DATA%` ("0x1"; empty when
/// missing), through `reg query` (the same output on every Windows).
pub(crate) fn read_value(cmd: Cmd, key_var: &str, value: &str) -> Cmd {
    cmd.line("set \"DATA=\"").line(format!(
        "for /f \"tokens=1,2,3\" %%A in ('%REGEXE% query \"%{key_var}%\" /v {value} 2^>nul') do if /i \"%%A\"==\"{value}\" set \"DATA=%%C\""
    ))
}

/// One registry key the script may find on a host, with the `.reg` file
/// that sets the value there.
pub(crate) struct Candidate<'a> {
    /// Full path ("HKLM\SOFTWARE\...").
    pub key: String,
    pub reg_file: &'a str,
}

/// A script that imports the kit's `.reg` for the first candidate key the
/// host has, then reads the value back. `create` imports the first
/// candidate's file when no key exists (a policy value); otherwise the
/// script changes nothing there and exits 3.
pub(crate) struct SetValue<'a> {
    pub name: &'a str,
    pub log: &'a str,
    pub comments: Vec<String>,
    pub candidates: Vec<Candidate<'a>>,
    pub value: &'a str,
    pub data: u32,
    pub create: bool,
    pub missing: &'a str,
}

pub(crate) fn set_value(s: &SetValue) -> Vec<u8> {
    let want = format!("0x{:x}", s.data);
    let mut cmd = Cmd::new(s.name, s.log, &s.comments);
    for (i, c) in s.candidates.iter().enumerate() {
        cmd = cmd
            .line(format!("\"%REGEXE%\" query \"{}\" >nul 2>&1", c.key))
            .line(format!("if not errorlevel 1 goto key{i}"));
    }
    cmd = if s.create {
        cmd.line("goto key0")
    } else {
        cmd.end(s.missing, 3)
    };
    for (i, c) in s.candidates.iter().enumerate() {
        cmd = cmd
            .label(&format!("key{i}"))
            .line(format!("set \"KEY={}\"", c.key))
            .line(format!("set \"REGFILE=%HERE%{}\"", c.reg_file))
            .line("goto found");
    }
    cmd = cmd.label("found");
    cmd = read_value(cmd, "KEY", s.value)
        .line(format!("if /i \"%DATA%\"==\"{want}\" goto already"))
        .line("if not exist \"%REGFILE%\" goto nofile")
        .log(&format!(
            "%KEY%: {} is \"%DATA%\", importing %REGFILE%",
            s.value
        ))
        .line("\"%REGEXE%\" import \"%REGFILE%\" >>\"%LOG%\" 2>&1")
        .line("if errorlevel 1 goto failed");
    cmd = read_value(cmd, "KEY", s.value)
        .line(format!("if /i not \"%DATA%\"==\"{want}\" goto failed"))
        .end(&format!("changed: %KEY% {} = {want}", s.value), 0)
        .label("already")
        .end(
            &format!("nothing to do: %KEY% {} is already {want}", s.value),
            0,
        )
        .label("nofile")
        .end(
            "%REGFILE% is missing beside this script: nothing changed",
            2,
        )
        .label("failed")
        .end(
            &format!(
                "FAILED: %KEY% {} is \"%DATA%\", not {want} (run as Administrator?)",
                s.value
            ),
            1,
        );
    cmd.bytes()
}

/// `certutil -addstore -f <store>` of the kit's `.cer`, unless the store
/// already holds the thumbprint; then the thumbprint is looked up again.
pub(crate) fn add_root(
    name: &str,
    log: &str,
    comments: &[String],
    store: &str,
    cer: &str,
    sha1: &str,
) -> Vec<u8> {
    certutil_head(name, log, comments, sha1)
        .line(format!("set \"CER=%HERE%{cer}\""))
        .line(format!("\"%CERTUTILEXE%\" -store {store} %THUMB% >nul 2>&1"))
        .line("if not errorlevel 1 goto already")
        .line("if not exist \"%CER%\" goto nofile")
        .log(&format!("adding %CER% to the {store} store"))
        .line(format!("\"%CERTUTILEXE%\" -addstore -f {store} \"%CER%\" >>\"%LOG%\" 2>&1"))
        .line("if errorlevel 1 goto failed")
        .line(format!("\"%CERTUTILEXE%\" -store {store} %THUMB% >>\"%LOG%\" 2>&1"))
        .line("if errorlevel 1 goto failed")
        .end(&format!("added: the {store} store holds %THUMB%"), 0)
        .label("already")
        .end(&format!("nothing to do: the {store} store already holds %THUMB%"), 0)
        .label("nofile")
        .end("%CER% is missing beside this script: nothing changed", 2)
        .label("failed")
        .end(&format!("FAILED: the {store} store does not hold %THUMB% (run as Administrator?)"), 1)
        .label("nocertutil")
        .end("certutil.exe is not on this Windows: import the .reg of this folder instead; nothing changed", 2)
        .bytes()
}

/// The undo of [`add_root`]: `certutil -delstore <store> <thumbprint>`.
pub(crate) fn remove_root(
    name: &str,
    log: &str,
    comments: &[String],
    store: &str,
    sha1: &str,
) -> Vec<u8> {
    certutil_head(name, log, comments, sha1)
        .line(format!(
            "\"%CERTUTILEXE%\" -store {store} %THUMB% >nul 2>&1"
        ))
        .line("if errorlevel 1 goto already")
        .log(&format!("removing %THUMB% from the {store} store"))
        .line(format!(
            "\"%CERTUTILEXE%\" -delstore {store} %THUMB% >>\"%LOG%\" 2>&1"
        ))
        .line(format!(
            "\"%CERTUTILEXE%\" -store {store} %THUMB% >nul 2>&1"
        ))
        .line("if not errorlevel 1 goto failed")
        .end(
            &format!("removed: the {store} store no longer holds %THUMB%"),
            0,
        )
        .label("already")
        .end(
            &format!("nothing to do: the {store} store does not hold %THUMB%"),
            0,
        )
        .label("failed")
        .end(
            &format!("FAILED: the {store} store still holds %THUMB% (run as Administrator?)"),
            1,
        )
        .label("nocertutil")
        .end("certutil.exe is not on this Windows: nothing changed", 2)
        .bytes()
}

fn certutil_head(name: &str, log: &str, comments: &[String], sha1: &str) -> Cmd {
    Cmd::new(name, log, comments)
        .line(format!("set \"THUMB={sha1}\""))
        .line("if not exist \"%CERTUTILEXE%\" goto nocertutil")
}

/// Installs the first update of `kbs` whose `.msu` lies beside the script
/// with `wusa`, unless one of `kbs` is installed already.
pub(crate) fn install_update(
    name: &str,
    log: &str,
    comments: &[String],
    kbs: &[String],
) -> Vec<u8> {
    let mut cmd = Cmd::new(name, log, comments).line("if not exist \"%WUSAEXE%\" goto nowusa");
    for kb in kbs {
        cmd = cmd
            .line(format!("set \"KB={kb}\""))
            .line("%SystemRoot%\\System32\\wbem\\wmic.exe qfe get HotFixID 2>nul | %SystemRoot%\\System32\\find.exe /i \"%KB%\" >nul")
            .line("if not errorlevel 1 goto already");
    }
    for (i, kb) in kbs.iter().enumerate() {
        cmd = cmd.line(format!("if exist \"%HERE%{kb}.msu\" goto msu{i}"));
    }
    cmd = cmd.end(
        &format!(
            "no update file: save the .msu of {} beside this script as {}.msu; nothing changed",
            kbs.join(" or "),
            kbs.first().map(String::as_str).unwrap_or("KB")
        ),
        2,
    );
    for (i, kb) in kbs.iter().enumerate() {
        cmd = cmd
            .label(&format!("msu{i}"))
            .line(format!("set \"KB={kb}\""))
            .line("goto install");
    }
    cmd.label("install")
        .log("installing %HERE%%KB%.msu with wusa /quiet /norestart")
        .line("\"%WUSAEXE%\" \"%HERE%%KB%.msu\" /quiet /norestart")
        .line("set \"RC=%ERRORLEVEL%\"")
        .line("if \"%RC%\"==\"0\" goto done")
        .line("if \"%RC%\"==\"3010\" goto restart")
        .line("if \"%RC%\"==\"2359302\" goto already")
        .end("FAILED: wusa exit code %RC% for %KB% (run as Administrator; see the WindowsUpdate log)", 1)
        .label("done")
        .end("installed: %KB%", 0)
        .label("restart")
        .end("installed: %KB%; restart the host to finish", 0)
        .label("already")
        .end("nothing to do: %KB% is installed", 0)
        .label("nowusa")
        .end("wusa.exe is not on this Windows (before Vista / Server 2008): nothing changed", 2)
        .bytes()
}

/// The genuine root as `reg query` prints an entry's `Blob` holding it: the
/// first and the last bytes of its DER, in upper-case hex as `reg query`
/// writes it (the certificate is the last element of the `Blob`, whole,
/// [MS-GPEF] 2.2.1.1.1). `find` looks for it as it is: Wine's `find` has
/// no `/i`.
pub(crate) struct Genuine {
    pub head: String,
    pub tail: String,
}

impl Genuine {
    pub(crate) fn of(der: &[u8], bytes: usize) -> Genuine {
        let n = bytes.min(der.len());
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02X}")).collect::<String>();
        Genuine {
            head: hex(&der[..n]),
            tail: hex(&der[der.len() - n..]),
        }
    }

    /// Goes to `then` when the entry `%KEY%` holds the genuine root;
    /// otherwise on after the label `otherwise`.
    fn check(&self, cmd: Cmd, then: &str, otherwise: &str) -> Cmd {
        let find = |hex: &str| {
            format!("\"%REGEXE%\" query \"%KEY%\" /v Blob 2>nul | %SystemRoot%\\System32\\find.exe \"{hex}\" >nul")
        };
        cmd.line(find(&self.head))
            .line(format!("if errorlevel 1 goto {otherwise}"))
            .line(find(&self.tail))
            .line(format!("if not errorlevel 1 goto {then}"))
            .label(otherwise)
    }
}

/// Steps that delete each key of `entries` the host has (by importing the
/// entry's `.reg`) and check it is gone; with `genuine`, an entry holding
/// the genuine root is kept. Sets `CHANGED` when one was deleted; goes to
/// `nofile` or `failed`.
fn delete_entries(mut cmd: Cmd, entries: &[Candidate], genuine: Option<&Genuine>) -> Cmd {
    for (i, e) in entries.iter().enumerate() {
        cmd = cmd
            .line(format!("set \"KEY={}\"", e.key))
            .line("\"%REGEXE%\" query \"%KEY%\" >nul 2>&1")
            .line(format!("if errorlevel 1 goto kept{i}"));
        if let Some(g) = genuine {
            cmd = g.check(cmd, &format!("kept{i}"), &format!("other{i}"));
        }
        cmd = cmd
            .line(format!("set \"REGFILE=%HERE%{}\"", e.reg_file))
            .line("if not exist \"%REGFILE%\" goto nofile")
            .log("deleting %KEY%: importing %REGFILE%")
            .line("\"%REGEXE%\" import \"%REGFILE%\" >>\"%LOG%\" 2>&1")
            .line("\"%REGEXE%\" query \"%KEY%\" >nul 2>&1")
            .line("if not errorlevel 1 goto failed")
            .line("set \"CHANGED=1\"")
            .label(&format!("kept{i}"));
    }
    cmd
}

/// The end of a script that made keys absent or present: what changed, or
/// that nothing had to; a missing `.reg` (2); a key not as wanted (1).
fn changed_or_not(cmd: Cmd, changed: &str, nothing: &str, failed: &str) -> Cmd {
    cmd.line("if defined CHANGED goto changed")
        .end(&format!("nothing to do: {nothing}"), 0)
        .label("changed")
        .end(&format!("changed: {changed}"), 0)
        .label("nofile")
        .end(
            "%REGFILE% is missing beside this script: nothing more changed",
            2,
        )
        .label("failed")
        .end(
            &format!("FAILED: %KEY% {failed} (run as Administrator?)"),
            1,
        )
}

/// What a script says when it changed something, and when nothing had to.
pub(crate) struct Outcome<'a> {
    pub changed: &'a str,
    pub nothing: &'a str,
}

/// Deletes the entries of `entries` the host has, each by its `.reg`.
pub(crate) fn remove_entries(
    name: &str,
    log: &str,
    comments: &[String],
    entries: &[Candidate],
    says: Outcome,
) -> Vec<u8> {
    let cmd = Cmd::new(name, log, comments).line("set \"CHANGED=\"");
    changed_or_not(
        delete_entries(cmd, entries, None),
        says.changed,
        says.nothing,
        "is still there",
    )
    .bytes()
}

/// Steps that import `reg_file` unless `key` holds the genuine root (or,
/// without `genuine`, exists), then check that it does.
fn ensure_entry(cmd: Cmd, key: &str, reg_file: &str, genuine: Option<&Genuine>) -> Cmd {
    let check = |cmd: Cmd, then: &str, otherwise: &str| match genuine {
        Some(g) => g.check(cmd, then, otherwise),
        None => cmd
            .line("\"%REGEXE%\" query \"%KEY%\" >nul 2>&1")
            .line(format!("if not errorlevel 1 goto {then}")),
    };
    let cmd = cmd.line(format!("set \"KEY={key}\""));
    let cmd = check(cmd, "present", "absent")
        .line(format!("set \"REGFILE=%HERE%{reg_file}\""))
        .line("if not exist \"%REGFILE%\" goto nofile")
        .log("adding %KEY%: importing %REGFILE%")
        .line("\"%REGEXE%\" import \"%REGFILE%\" >>\"%LOG%\" 2>&1");
    check(cmd, "added", "notadded")
        .line("goto failed")
        .label("added")
        .line("set \"CHANGED=1\"")
        .label("present")
}

/// Adds the entry `key` by its `.reg` unless the host has it.
pub(crate) fn restore_entry(
    name: &str,
    log: &str,
    comments: &[String],
    entry: &Candidate,
    says: Outcome,
) -> Vec<u8> {
    let cmd = Cmd::new(name, log, comments).line("set \"CHANGED=\"");
    changed_or_not(
        ensure_entry(cmd, &entry.key, entry.reg_file, None),
        says.changed,
        says.nothing,
        "is missing",
    )
    .bytes()
}

/// Deletes each of `damaged` that does not hold the genuine root, then adds
/// the genuine root's entry `root` by its `.reg` unless it holds it.
pub(crate) fn repair_entries(
    name: &str,
    log: &str,
    comments: &[String],
    damaged: &[Candidate],
    root: &Candidate,
    genuine: &Genuine,
) -> Vec<u8> {
    let cmd = Cmd::new(name, log, comments).line("set \"CHANGED=\"");
    let cmd = delete_entries(cmd, damaged, Some(genuine));
    changed_or_not(
        ensure_entry(cmd, &root.key, root.reg_file, Some(genuine)),
        "the damaged entries are deleted and the genuine root is in its store",
        "no damaged entry, and the genuine root is in its store",
        "does not hold the genuine root",
    )
    .bytes()
}
