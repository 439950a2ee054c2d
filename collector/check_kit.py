#!/usr/bin/env python3
"""Static check of the batch files `acsready fix-kit` writes (no Windows needed).

Usage:
    python3 collector/check_kit.py FILE.cmd...     # every .cmd of a kit
    python3 collector/check_kit.py --self-test     # check the checker itself

The same parser and file rules as collector/check_collector.py (pure ASCII,
CRLF, "@echo off" then "setlocal EnableExtensions DisableDelayedExpansion",
balanced blocks, every goto/call target exists, no "::" comments, no "^"
continuations, no "%~" in REM lines), with the kit's own command rules:

  * commands: echo, set, if, for, goto, call (labels only), exit, setlocal,
    endlocal, rem, find, findstr, type, ver; and only these changes:
    reg (query, and import of a .reg of the kit: "%REGFILE%" or "%HERE%..."),
    certutil (-store, -addstore -f of "%CER%", -delstore), wusa (an .msu of
    the kit, "%HERE%..."), dism (/online /add-package), wmic (qfe get);
  * tools by full path: REGEXE, CERTUTILEXE, WUSAEXE, DISMEXE are
    %SystemRoot%\\System32\\<tool>.exe;
  * writes only to its log: every ">" / ">>" goes to nul, a handle or
    "%LOG%", and LOG is %SystemRoot%\\Temp\\acsready-kit-*.log;
  * HERE is %~dp0 (the kit's folder); REGFILE and CER start with %HERE%;
  * a certificate store entry is deleted or added only by importing a .reg
    of the kit (the root's folders: root-missing, root-distrusted,
    root-entry-damaged); its Blob is read with "reg query KEY /v Blob"
    piped into find.

Exit code 0 when every file passes, 1 on any violation, 2 on bad usage.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_collector as cc  # noqa: E402

TOOL_VARS = {
    "REGEXE": "reg",
    "CERTUTILEXE": "certutil",
    "WUSAEXE": "wusa",
    "DISMEXE": "dism",
}

ALLOWED = {
    "echo", "set", "goto", "call", "exit", "setlocal", "endlocal", "rem",
    "find", "findstr", "type", "ver", "reg", "certutil", "wusa", "dism", "wmic",
}

LOG_RE = re.compile(r"%systemroot%\\temp\\acsready-kit-[a-z0-9-]+\.log", re.IGNORECASE)


def check_set(cmd: cc.Command, errors: list[str], where: str) -> None:
    parsed = cc.parse_set(cmd.args)
    if cmd.args and cmd.args[0].lower() == "/p":
        errors.append(f"{where}: set /p reads the console; not allowed")
        return
    if not parsed:
        return
    name, value = parsed
    low = value.lower()
    if name == "LOG" and not LOG_RE.fullmatch(value):
        errors.append(f"{where}: LOG must be %SystemRoot%\\Temp\\acsready-kit-NAME.log (found {value!r})")
    if name == "HERE" and value != "%~dp0":
        errors.append(f"{where}: HERE must be %~dp0 (found {value!r})")
    if name in ("REGFILE", "CER") and not value.startswith("%HERE%"):
        errors.append(f"{where}: {name} must be a file of the kit (%HERE%...; found {value!r})")
    if name in TOOL_VARS and low != f"%systemroot%\\system32\\{TOOL_VARS[name]}.exe":
        errors.append(f"{where}: {name} must be %SystemRoot%\\System32\\{TOOL_VARS[name]}.exe (found {value!r})")


def check_command(cmd: cc.Command, errors: list[str]) -> None:
    where = f"{cmd.line}" + (" (in for /f)" if cmd.origin != "script" else "")
    for op, target in cmd.redirs:
        if "<" in op or target.startswith("&") or target.lower() == "nul":
            continue
        if target != '"%LOG%"':
            errors.append(f"{where}: redirection {op}{target} writes outside the log (targets: nul or \"%LOG%\")")
    name = cmd.name
    if name in ("(block)", "if", "for"):
        return
    if name not in ALLOWED:
        errors.append(f"{where}: command {cmd.raw_name!r} is not allowed in a kit script")
        return
    low = [a.lower().strip('"') for a in cmd.args]
    sub = low[0] if low else ""
    if name == "reg":
        if sub == "import":
            files = cc.non_switch_args(cmd.args[1:])
            if len(files) != 1 or not files[0].startswith(('"%REGFILE%"', '"%HERE%')):
                errors.append(f"{where}: reg import must import a .reg of the kit (\"%REGFILE%\" or \"%HERE%...\")")
        elif sub != "query":
            errors.append(f"{where}: 'reg {sub}' is not allowed (query, and import of the kit's .reg)")
    elif name == "certutil":
        if sub == "-addstore":
            if low[1:2] != ["-f"] or len(cmd.args) != 4 or cmd.args[3] != '"%CER%"':
                errors.append(f"{where}: certutil -addstore must be '-addstore -f STORE \"%CER%\"'")
        elif sub not in ("-store", "-delstore"):
            errors.append(f"{where}: 'certutil {sub}' is not allowed (-store, -addstore -f, -delstore)")
    elif name == "wusa":
        if not cmd.args or not cmd.args[0].startswith('"%HERE%') or not low[0].endswith(".msu"):
            errors.append(f"{where}: wusa must install an .msu of the kit (\"%HERE%....msu\")")
    elif name == "dism":
        if "/online" not in low or not any(a.startswith("/add-package") for a in low):
            errors.append(f"{where}: dism may only /online /add-package")
    elif name == "wmic":
        if low[:2] != ["qfe", "get"]:
            errors.append(f"{where}: wmic may only 'qfe get'")
    elif name == "call":
        if not cmd.args or not cmd.args[0].startswith(":"):
            errors.append(f"{where}: call may only call a label of this script")
    elif name == "set":
        check_set(cmd, errors, where)


HEADER = ("@echo off\r\nsetlocal EnableExtensions DisableDelayedExpansion\r\n"
          'set "HERE=%~dp0"\r\nset "LOG=%SystemRoot%\\Temp\\acsready-kit-x.log"\r\n'
          'set "REGEXE=%SystemRoot%\\System32\\reg.exe"\r\n'
          'set "CERTUTILEXE=%SystemRoot%\\System32\\certutil.exe"\r\n')
SELF_TESTS: list[tuple[str, bytes, str | None]] = [
    ("good", (HEADER + 'set "REGFILE=%HERE%a.reg"\r\n"%REGEXE%" import "%REGFILE%" >>"%LOG%" 2>&1\r\n'
              'set "CER=%HERE%a.cer"\r\n"%CERTUTILEXE%" -addstore -f Root "%CER%" >>"%LOG%" 2>&1\r\n'
              "for /f \"tokens=1,2,3\" %%A in ('%REGEXE% query \"HKLM\\X\" /v V 2^>nul') do if /i \"%%A\"==\"V\" set \"D=%%C\"\r\n"
              "exit /b 0\r\n").encode(), None),
    ("entry repair", (HEADER + 'set "CHANGED="\r\nset "KEY=HKLM\\X\\Certificates\\F4"\r\n'
                      '"%REGEXE%" query "%KEY%" /v Blob 2>nul | %SystemRoot%\\System32\\find.exe /i "3082" >nul\r\n'
                      'if not errorlevel 1 goto kept\r\nset "REGFILE=%HERE%delete-entry-x.reg"\r\n'
                      '"%REGEXE%" import "%REGFILE%" >>"%LOG%" 2>&1\r\nset "CHANGED=1"\r\n:kept\r\n'
                      'if defined CHANGED goto kept\r\nexit /b 0\r\n').encode(), None),
    ("piped elsewhere", (HEADER + '"%REGEXE%" query "HKLM\\X" /v Blob 2>nul | powershell -c x\r\n').encode(),
     "not allowed in a kit"),
    ("reg add", (HEADER + '"%REGEXE%" add "HKLM\\X" /v Y /d 1 /f\r\n').encode(), "reg add"),
    ("reg delete", (HEADER + '"%REGEXE%" delete "HKLM\\X" /f\r\n').encode(), "reg delete"),
    ("import other", (HEADER + '"%REGEXE%" import "C:\\x.reg"\r\n').encode(), "a .reg of the kit"),
    ("redirect out", (HEADER + 'echo x >"C:\\x.txt"\r\n').encode(), "outside the log"),
    ("log elsewhere", (HEADER + 'set "LOG=C:\\x.log"\r\n').encode(), "LOG must be"),
    ("tool elsewhere", (HEADER + 'set "REGEXE=C:\\tools\\reg.exe"\r\n').encode(), "REGEXE must be"),
    ("del", (HEADER + 'del "%LOG%"\r\n').encode(), "not allowed in a kit"),
    ("powershell", (HEADER + "powershell -c x\r\n").encode(), "not allowed in a kit"),
    ("certutil other", (HEADER + '"%CERTUTILEXE%" -addstore Root "C:\\x.cer"\r\n').encode(), "-addstore -f"),
    ("certutil setreg", (HEADER + '"%CERTUTILEXE%" -setreg x 1\r\n').encode(), "not allowed (-store"),
    ("lf", (HEADER + "echo x\n").encode(), "LF without CR"),
    ("non-ascii", (HEADER + "echo \u53ce\r\n").encode("utf-8"), "non-ASCII"),
    ("missing label", (HEADER + "goto nowhere\r\n").encode(), "has no label"),
]


def self_test() -> int:
    failed = 0
    for name, data, expect in SELF_TESTS:
        errors = cc.check_text(data, kit=True)
        ok = not errors if expect is None else any(expect in e for e in errors)
        if not ok:
            failed += 1
            print(f"self-test {name}: FAILED; expected {expect!r}, got {errors}", file=sys.stderr)
    print(f"{len(SELF_TESTS) - failed} passed, {failed} failed")
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    if len(argv) > 1 and argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0
    if len(argv) > 1 and argv[1] == "--self-test":
        return self_test()
    if len(argv) < 2:
        print("usage: check_kit.py FILE.cmd... | --self-test", file=sys.stderr)
        return 2
    worst = 0
    for arg in argv[1:]:
        path = Path(arg)
        try:
            data = path.read_bytes()
        except OSError as e:
            print(f"check_kit: cannot read {path}: {e}", file=sys.stderr)
            worst = 2
            continue
        errors = cc.check_text(data, kit=True)
        for e in errors:
            print(f"{path}:{e}", file=sys.stderr)
        if errors:
            worst = max(worst, 1)
        else:
            print(f"check_kit: OK {path}")
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv))
