#!/usr/bin/env python3
"""Static check of collector/acsready-collect.cmd (no Windows needed).

Usage:
    python3 collector/check_collector.py [FILE.cmd]   # default: the .cmd beside this file
    python3 collector/check_collector.py --self-test  # check the checker itself

It verifies that the batch file
  * is pure ASCII with CRLF line endings (cmd.exe reads it in the OEM code page);
  * starts with "@echo off" and "setlocal EnableExtensions DisableDelayedExpansion";
  * has balanced parentheses in its blocks, no label inside a block, no "::"
    comments, no "^" line continuation, no "%~" in REM lines, and that every
    goto / call target exists;
  * runs only allowed commands: reg (query and export only), wmic (get only),
    systeminfo, wevtutil (qe, and epl into %WORK%), ver, copy, xcopy, move,
    rd/rmdir, md/mkdir, echo, set, if, for, goto, call (labels only), exit,
    setlocal, endlocal, type, find, findstr, rem - including commands run by
    "for /f ('...')";
  * writes only inside its output folder: every ">" / ">>" redirection goes to
    nul, to a handle (&1, &2) or to a path starting with %WORK%; md only makes
    %WORK%; copy/xcopy write only into %WORK%; move only moves between %WORK%,
    %DEST% and %OLD%; rd only removes %WORK% or %OLD%; WORK, DEST and OLD are
    only ever set to %OUTBASE%...; no %TEMP% / %TMP%; date and time only as
    %DATE% / %TIME%;
  * runs no "reg add/delete/import/restore/save/load/unload/copy/flags".

It is a heuristic, not a cmd.exe implementation: it parses the subset of batch
syntax that the collector uses and rejects what it does not understand.
Exit code 0 when the file passes, 1 on any violation, 2 on bad usage.
Python 3.11, standard library only.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_FILE = Path(__file__).resolve().parent / "acsready-collect.cmd"

ALLOWED = {
    "reg", "wmic", "systeminfo", "wevtutil", "ver", "copy", "xcopy", "move",
    "rd", "rmdir", "md", "mkdir", "echo", "set", "goto", "call", "exit",
    "setlocal", "endlocal", "type", "find", "findstr", "rem",
}

# Variables that hold the path of a tool, and the tool each one must name.
TOOL_VARS = {
    "REGEXE": "reg",
    "FINDEXE": "find",
    "WMICEXE": "wmic",
    "WEVTEXE": "wevtutil",
    "SYSINFOEXE": "systeminfo",
}

# Output-folder variables and what they may be set to.
OUT_VARS = ("WORK", "DEST", "OLD")
WRITE_PREFIXES = ('"%WORK%\\', "%WORK%\\")
MOVE_PREFIXES = ('"%WORK%', '"%DEST%', '"%OLD%')
RD_TARGETS = ('"%WORK%"', '"%OLD%"')
MD_TARGETS = ('"%WORK%"',)

REG_FORBIDDEN = {"add", "delete", "import", "restore", "save", "load", "unload",
                 "copy", "flags"}
REG_ALLOWED = {"query", "export"}
WMIC_FORBIDDEN = {"call", "create", "delete", "set", "assoc"}
WMIC_FORBIDDEN_PREFIX = ("/output", "/append", "/record", "/node", "/user",
                         "/password")
WEVTUTIL_ALLOWED = {"qe", "query-events"}
WEVTUTIL_EXPORT = {"epl", "export-log"}   # only into %WORK%

IF_KEYWORDS = {"exist", "defined", "errorlevel", "cmdextversion"}
IF_OPERATORS = {"equ", "neq", "lss", "leq", "gtr", "geq"}


class ParseError(Exception):
    def __init__(self, line: int, msg: str):
        super().__init__(msg)
        self.line = line
        self.msg = msg


@dataclass
class Command:
    name: str              # normalised command name ("reg", "echo", "(block)", ...)
    raw_name: str
    args: list[str]        # words with quotes kept, carets removed
    redirs: list[tuple[str, str]]
    line: int
    origin: str            # "script" or "for /f"


@dataclass
class ParseResult:
    commands: list[Command] = field(default_factory=list)
    labels: dict[str, int] = field(default_factory=dict)
    rem_lines: list[tuple[int, str]] = field(default_factory=list)


class Parser:
    """A small recursive-descent parser for the batch subset the collector uses."""

    def __init__(self, text: str, result: ParseResult, base_line: int = 1,
                 origin: str = "script"):
        self.s = text
        self.i = 0
        self.n = len(text)
        self.r = result
        self.base_line = base_line
        self.origin = origin

    # -- low level ---------------------------------------------------------
    def line(self, pos: int | None = None) -> int:
        pos = self.i if pos is None else pos
        return self.base_line + self.s.count("\n", 0, pos)

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < self.n else ""

    def skip_ws(self) -> None:
        while self.i < self.n and self.s[self.i] in " \t":
            self.i += 1

    def rest_of_line(self) -> str:
        j = self.s.find("\n", self.i)
        j = self.n if j < 0 else j
        text = self.s[self.i:j]
        self.i = j
        return text

    def read_word(self, stop_paren: bool, stop_eqeq: bool = False) -> str:
        """Read one word: quotes kept, carets outside quotes removed."""
        out = []
        in_q = False
        while self.i < self.n:
            c = self.s[self.i]
            if c == "\n":
                if in_q:
                    raise ParseError(self.line(), "unclosed double quote")
                break
            if in_q:
                out.append(c)
                self.i += 1
                if c == '"':
                    in_q = False
                continue
            if c == '"':
                in_q = True
                out.append(c)
                self.i += 1
                continue
            if c == "^":
                if self.peek(1) in ("\n", ""):
                    raise ParseError(self.line(), "'^' line continuation is not allowed")
                out.append(self.s[self.i + 1])
                self.i += 2
                continue
            if c in " \t&|<>":
                break
            if c == ")" and stop_paren:
                break
            if stop_eqeq and self.s.startswith("==", self.i):
                break
            out.append(c)
            self.i += 1
        return "".join(out)

    # -- structure ---------------------------------------------------------
    def parse(self) -> None:
        self.parse_sequence(0, None)

    def parse_sequence(self, depth: int, open_line: int | None) -> None:
        while True:
            self.skip_ws()
            c = self.peek()
            if c == "":
                if depth > 0:
                    raise ParseError(open_line or self.line(),
                                     "unbalanced parentheses: block opened here is never closed")
                return
            if c == "\n":
                self.i += 1
                continue
            if c == ")":
                if depth == 0:
                    raise ParseError(self.line(), "unbalanced parentheses: ')' without '('")
                self.i += 1
                return
            self.parse_command(depth)
            # separator
            self.skip_ws()
            c = self.peek()
            if c in ("", "\n", ")"):
                continue
            if c in "&|":
                self.i += 1
                if self.peek() == c:
                    self.i += 1
                continue
            raise ParseError(self.line(), f"unexpected character {c!r}")

    def parse_redirect(self, handle: str, depth: int) -> tuple[str, str]:
        c = self.peek()
        op = c
        self.i += 1
        if c == ">" and self.peek() == ">":
            op = ">>"
            self.i += 1
        op = handle + op
        if self.peek() == "&":
            self.i += 1
            digits = ""
            while self.peek().isdigit():
                digits += self.peek()
                self.i += 1
            if not digits:
                raise ParseError(self.line(), f"bad handle redirection after {op!r}")
            return op, "&" + digits
        self.skip_ws()
        target = self.read_word(depth > 0)
        if not target:
            raise ParseError(self.line(), f"redirection {op!r} without a target")
        return op, target

    def parse_command(self, depth: int) -> None:
        self.skip_ws()
        line = self.line()
        if self.peek() == "@":
            self.i += 1
            self.skip_ws()
        redirs: list[tuple[str, str]] = []
        while self.peek() in ("<", ">"):
            redirs.append(self.parse_redirect("", depth))
            self.skip_ws()
        c = self.peek()
        if c == "(":
            self.i += 1
            self.parse_sequence(depth + 1, line)
            self.skip_ws()
            while self.peek() in ("<", ">"):
                redirs.append(self.parse_redirect("", depth))
                self.skip_ws()
            c = self.peek()
            if c not in ("", "\n", "&", "|", ")") and not (
                    self.s[self.i:self.i + 4].lower() == "else" and self.peek(4) in (" ", "\t", "(")):
                raise ParseError(self.line(), "unbalanced parentheses: text after ')'; an unescaped ')' "
                                 "inside a block (echo text, for example) closes the block early")
            self.r.commands.append(Command("(block)", "(", [], redirs, line, self.origin))
            return
        if c == ":" and not redirs:
            text = self.rest_of_line()
            if text.startswith("::"):
                raise ParseError(line, "'::' comments are not allowed (they break blocks); use REM")
            if depth > 0:
                raise ParseError(line, "label inside a parenthesised block")
            name = text[1:].strip().split()[0].lower() if text[1:].strip() else ""
            if not name:
                raise ParseError(line, "empty label")
            if name in self.r.labels:
                raise ParseError(line, f"label :{name} defined twice")
            self.r.labels[name] = line
            return
        raw = self.read_word(depth > 0)
        if not raw:
            raise ParseError(line, f"expected a command, found {self.peek()!r}")
        low = raw.lower()
        if low == "rem" or low.startswith(("rem.", "rem:")):
            self.r.rem_lines.append((line, self.rest_of_line()))
            return
        if low == "if":
            self.parse_if(depth, redirs, line)
            return
        if low == "for":
            self.parse_for(depth, redirs, line)
            return
        name = normalise_name(raw)
        args: list[str] = []
        while True:
            self.skip_ws()
            c = self.peek()
            if c in ("", "\n") or c in "&|" or (c == ")" and depth > 0):
                break
            if c in "<>":
                redirs.append(self.parse_redirect("", depth))
                continue
            w = self.read_word(depth > 0)
            if self.peek() in ("<", ">"):
                if len(w) == 1 and w.isdigit():
                    redirs.append(self.parse_redirect(w, depth))
                    continue
                if w and w[-1].isdigit():
                    raise ParseError(self.line(),
                                     f"digit right before a redirection in {w!r}: cmd.exe reads it "
                                     "as a handle number; put the redirection first")
            if w:
                args.append(w)
        self.r.commands.append(Command(name, raw, args, redirs, line, self.origin))

    def parse_if(self, depth: int, redirs: list, line: int) -> None:
        self.skip_ws()
        w = self.read_word(depth > 0, stop_eqeq=True)
        if w.lower() == "/i":
            self.skip_ws()
            w = self.read_word(depth > 0, stop_eqeq=True)
        if w.lower() == "not":
            self.skip_ws()
            w = self.read_word(depth > 0, stop_eqeq=True)
        if w.lower() in IF_KEYWORDS:
            self.skip_ws()
            if not self.read_word(depth > 0):
                raise ParseError(line, f"'if {w}' without an operand")
        else:
            self.skip_ws()
            if self.s.startswith("==", self.i):
                self.i += 2
            else:
                op = self.read_word(depth > 0)
                if op.lower() not in IF_OPERATORS:
                    raise ParseError(line, f"cannot read the if condition near {w!r} {op!r}")
            self.skip_ws()
            if not self.read_word(depth > 0):
                raise ParseError(line, "if comparison without a right-hand side")
        self.r.commands.append(Command("if", "if", [], redirs, line, self.origin))
        self.parse_command(depth)
        save = self.i
        self.skip_ws()
        if self.s[self.i:self.i + 4].lower() == "else" and self.peek(4) in (" ", "\t", "("):
            self.i += 4
            self.parse_command(depth)
        else:
            self.i = save

    def parse_for(self, depth: int, redirs: list, line: int) -> None:
        opts = ""
        is_f = False
        while True:
            self.skip_ws()
            if self.peek() != "/":
                break
            sw = self.read_word(depth > 0).lower()
            if sw == "/f":
                is_f = True
                self.skip_ws()
                if self.peek() == '"':
                    opts = self.read_word(depth > 0).strip('"').lower()
            elif sw == "/r":
                self.skip_ws()
                if not self.peek() == "%":
                    self.read_word(depth > 0)
            elif sw not in ("/d", "/l"):
                raise ParseError(line, f"unknown for switch {sw!r}")
        self.skip_ws()
        var = self.read_word(depth > 0)
        if not re.fullmatch(r"%%?[A-Za-z]", var):
            raise ParseError(line, f"bad for variable {var!r}")
        self.skip_ws()
        if self.read_word(depth > 0).lower() != "in":
            raise ParseError(line, "for without 'in'")
        self.skip_ws()
        if self.peek() != "(":
            raise ParseError(line, "for ... in without '('")
        self.i += 1
        start = self.i
        set_line = self.line()
        in_q = False
        out = []
        while True:
            if self.i >= self.n:
                raise ParseError(line, "unbalanced parentheses in for ... in (...)")
            c = self.s[self.i]
            if c == "\n" and in_q:
                raise ParseError(self.line(), "unclosed double quote in for set")
            if c == '"':
                in_q = not in_q
            elif c == "^" and not in_q:
                out.append(self.s[self.i + 1])
                self.i += 2
                continue
            elif c == ")" and not in_q:
                break
            out.append(c)
            self.i += 1
        del start
        self.i += 1  # the ')'
        content = "".join(out).strip()
        quote = "`" if "usebackq" in opts else "'"
        if is_f and len(content) >= 2 and content[0] == quote and content[-1] == quote:
            sub = Parser(content[1:-1], self.r, set_line, "for /f")
            sub.parse_sequence(0, None)
        self.skip_ws()
        if self.read_word(depth > 0).lower() != "do":
            raise ParseError(line, "for without 'do'")
        self.r.commands.append(Command("for", "for", [], redirs, line, self.origin))
        self.parse_command(depth)


# Set by check_text for the kit's scripts (collector/check_kit.py).
KIT_MODE = {"on": False}


def normalise_name(raw: str) -> str:
    name = raw.strip('"')
    m = re.fullmatch(r"%([A-Za-z0-9_]+)%", name)
    tools = TOOL_VARS
    if KIT_MODE["on"]:
        import check_kit  # noqa: PLC0415 (only for the kit's scripts)
        tools = check_kit.TOOL_VARS
        # A tool named by its full path under %SystemRoot%\System32.
        low = name.lower()
        if low.startswith("%systemroot%\\system32\\") and low.endswith(".exe"):
            name = name.rsplit("\\", 1)[-1]
    if m and m.group(1).upper() in tools:
        return tools[m.group(1).upper()]
    low = name.lower()
    if re.match(r"echo[.:(/\\]", low):
        return "echo"
    if low.endswith(".exe"):
        low = low[:-4]
    return low


def non_switch_args(args: list[str]) -> list[str]:
    return [a for a in args if not a.startswith("/")]


def parse_set(args: list[str]) -> tuple[str, str] | None:
    """Return (NAME, VALUE) of a plain assignment, else None."""
    if not args or args[0].lower() in ("/a", "/p"):
        return None
    text = " ".join(args)
    if text.startswith('"') and text.endswith('"'):
        text = text[1:-1]
    if "=" not in text:
        return None
    name, value = text.split("=", 1)
    return name.strip().upper(), value


def check_set(cmd: Command, errors: list[str]) -> None:
    parsed = parse_set(cmd.args)
    if cmd.args and cmd.args[0].lower() == "/p":
        errors.append(f"{cmd.line}: set /p reads the console; not allowed")
        return
    if not parsed:
        return
    name, value = parsed
    if name in OUT_VARS and not value.startswith("%OUTBASE%"):
        errors.append(f"{cmd.line}: {name} must be derived from %OUTBASE% (found {value!r})")
    if name == "OUTBASE" and value != "%OUT%":
        errors.append(f"{cmd.line}: OUTBASE must be set to %OUT% (found {value!r})")
    if name == "SYS32" and value.lower() != "%systemroot%\\system32":
        errors.append(f"{cmd.line}: SYS32 must be %SystemRoot%\\System32 (found {value!r})")
    if name in TOOL_VARS and value:
        tool = TOOL_VARS[name]
        low = value.lower()
        if not (low.startswith("%sys32%\\") or low.startswith("%systemroot%\\sysnative\\")):
            errors.append(f"{cmd.line}: {name} must point into %SYS32% or Sysnative (found {value!r})")
        if not low.endswith("\\" + tool + ".exe"):
            errors.append(f"{cmd.line}: {name} must name {tool}.exe (found {value!r})")


def check_command(cmd: Command, errors: list[str]) -> None:
    where = f"{cmd.line}" + (" (in for /f)" if cmd.origin != "script" else "")
    # redirections
    for op, target in cmd.redirs:
        if "<" in op:
            continue
        if target.startswith("&") or target.lower() == "nul":
            continue
        if not target.startswith(WRITE_PREFIXES):
            errors.append(f"{where}: redirection {op}{target} writes outside the output "
                          f"folder (targets must be nul or start with %WORK%)")
    name = cmd.name
    if name in ("(block)", "if", "for"):
        return
    if name in ("date", "time"):
        errors.append(f"{where}: the {name} command is not allowed (it can set the clock); "
                      f"use %{name.upper()}%")
        return
    if name not in ALLOWED:
        errors.append(f"{where}: command {cmd.raw_name!r} is not in the allowed list")
        return
    args = cmd.args
    low = [a.lower().strip('"') for a in args]
    if name == "reg":
        sub = low[0] if low else ""
        if sub in REG_FORBIDDEN:
            errors.append(f"{where}: 'reg {sub}' changes the registry or writes a hive; not allowed")
        elif sub not in REG_ALLOWED:
            errors.append(f"{where}: 'reg {sub}' is not allowed (only query and export)")
        elif sub == "export" and low[1:2] != ["/?"]:
            files = non_switch_args(args[1:])
            if len(files) < 2 or not files[1].startswith(WRITE_PREFIXES):
                errors.append(f"{where}: reg export must write into %WORK%")
    elif name == "wmic":
        if any(a in WMIC_FORBIDDEN for a in low):
            errors.append(f"{where}: wmic verb other than get is not allowed")
        if any(a.startswith(WMIC_FORBIDDEN_PREFIX) for a in low):
            errors.append(f"{where}: wmic /output, /append, /record, /node, /user are not allowed")
        if "get" not in low:
            errors.append(f"{where}: wmic must use 'get'")
    elif name == "wevtutil":
        sub = low[0] if low else ""
        if sub in WEVTUTIL_EXPORT:
            paths = non_switch_args(args[1:])
            if len(paths) != 2 or not paths[1].startswith(WRITE_PREFIXES):
                errors.append(f"{where}: wevtutil {sub} must export into %WORK%")
            if any(a.startswith(("/lf", "/ow")) for a in low):
                errors.append(f"{where}: wevtutil {sub} /lf and /ow are not allowed")
        elif sub not in WEVTUTIL_ALLOWED and sub != "/?":
            errors.append(f"{where}: 'wevtutil {sub}' is not allowed (only qe, and epl into %WORK%)")
    elif name in ("rd", "rmdir"):
        targets = non_switch_args(args)
        if not targets or any(t not in RD_TARGETS for t in targets):
            errors.append(f"{where}: {name} may only remove \"%WORK%\" or \"%OLD%\" (found {targets})")
    elif name in ("md", "mkdir"):
        targets = non_switch_args(args)
        if not targets or any(t not in MD_TARGETS for t in targets):
            errors.append(f"{where}: {name} may only create \"%WORK%\" (found {targets})")
    elif name == "move":
        paths = non_switch_args(args)
        if len(paths) != 2 or any(not p.startswith(MOVE_PREFIXES) for p in paths):
            errors.append(f"{where}: move may only move within %WORK%, %DEST% and %OLD% (found {paths})")
    elif name in ("copy", "xcopy"):
        paths = non_switch_args(args)
        if len(paths) < 2 or not paths[-1].startswith(WRITE_PREFIXES):
            errors.append(f"{where}: {name} must copy into %WORK% (found {paths})")
    elif name == "call":
        if not args or not args[0].startswith(":"):
            errors.append(f"{where}: call may only call a label of this script")
    elif name == "set":
        check_set(cmd, errors)


def line_of(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def check_text(data: bytes, kit: bool = False) -> list[str]:
    KIT_MODE["on"] = kit
    try:
        return _check_text(data, kit)
    finally:
        KIT_MODE["on"] = False


def _check_text(data: bytes, kit: bool) -> list[str]:
    errors: list[str] = []
    bad = [i for i, b in enumerate(data) if b > 0x7F]
    if bad:
        line = line_of(data, bad[0])
        errors.append(f"{line}: non-ASCII byte 0x{data[bad[0]]:02X} ({len(bad)} in all); "
                      "the .cmd must be pure ASCII")
    for i, b in enumerate(data):
        if b == 0x0A and (i == 0 or data[i - 1] != 0x0D):
            errors.append(f"{line_of(data, i)}: LF without CR; use CRLF line endings")
            break
        if b == 0x0D and (i + 1 >= len(data) or data[i + 1] != 0x0A):
            errors.append(f"{line_of(data, i)}: CR without LF")
            break
    if data and not data.endswith(b"\r\n"):
        errors.append("end of file: the last line must end with CRLF")
    if errors:
        return errors

    text = data.decode("ascii").replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip().lower() != "@echo off":
        errors.append("1: the first line must be '@echo off'")

    result = ParseResult()
    try:
        Parser(text, result).parse()
    except ParseError as e:
        errors.append(f"{e.line}: {e.msg}")
        return errors

    # setlocal
    setlocals = [c for c in result.commands if c.name == "setlocal"]
    first_real = next((c for c in result.commands if c.name != "echo"), None)
    if not setlocals or first_real is None or first_real.name != "setlocal":
        errors.append("setlocal EnableExtensions DisableDelayedExpansion must be the first command "
                      "after @echo off")
    else:
        opts = [a.lower() for a in setlocals[0].args]
        if "enableextensions" not in opts or "disabledelayedexpansion" not in opts:
            errors.append(f"{setlocals[0].line}: setlocal must say EnableExtensions "
                          "DisableDelayedExpansion")
    for c in setlocals:
        if "enabledelayedexpansion" in [a.lower() for a in c.args]:
            errors.append(f"{c.line}: EnableDelayedExpansion is not allowed")

    if kit:
        import check_kit  # noqa: PLC0415
        for c in result.commands:
            check_kit.check_command(c, errors)
    else:
        for c in result.commands:
            check_command(c, errors)

    # goto / call targets
    for c in result.commands:
        if c.name == "goto" or (c.name == "call" and c.args and c.args[0].startswith(":")):
            target = c.args[0] if c.args else ""
            label = target.lstrip(":").lower()
            if label != "eof" and label not in result.labels:
                errors.append(f"{c.line}: {c.name} target {target!r} has no label")

    for line, rem in result.rem_lines:
        if "%~" in rem:
            errors.append(f"{line}: '%~' in a REM line: cmd.exe expands it and may abort")

    # %TEMP% / %TMP% anywhere outside REM lines
    rem_line_numbers = {ln for ln, _ in result.rem_lines}
    for n, text_line in enumerate(lines, 1):
        if n in rem_line_numbers:
            continue
        if re.search(r"%(temp|tmp)%", text_line, re.IGNORECASE):
            errors.append(f"{n}: %TEMP% / %TMP% is not allowed; write only into the output folder")
    return errors


def check_file(path: Path) -> int:
    try:
        data = path.read_bytes()
    except OSError as e:
        print(f"check_collector: cannot read {path}: {e}", file=sys.stderr)
        return 2
    errors = check_text(data)
    if errors:
        for e in errors:
            print(f"{path}:{e}", file=sys.stderr)
        print(f"check_collector: {len(errors)} violation(s) in {path}", file=sys.stderr)
        return 1
    print(f"check_collector: OK {path}")
    return 0


# -- self test ----------------------------------------------------------------

HEADER = "@echo off\r\nsetlocal EnableExtensions DisableDelayedExpansion\r\n"
SELF_TESTS: list[tuple[str, bytes, str | None]] = [
    ("good", (HEADER + 'set "OUTBASE=%OUT%"\r\nset "WORK=%OUTBASE%X.tmp"\r\n'
              'md "%WORK%"\r\n>>"%WORK%\\errors.txt" echo a (b) c\r\n'
              'if exist "%WORK%\\" (\r\n  echo in block ^) still\r\n) else (\r\n  echo no\r\n)\r\n'
              'for /f "delims=" %%V in (\'ver\') do set "V=%%V"\r\n'
              '"%REGEXE%" export "HKLM\\SOFTWARE\\X" "%WORK%\\x.reg" %REGY% <nul >nul 2>>"%WORK%\\errors.txt"\r\n'
              'call :sub\r\nexit /b 0\r\n:sub\r\ngoto :eof\r\n').encode(), None),
    ("lf", (HEADER + "echo x\n").encode(), "LF without CR"),
    ("non-ascii", (HEADER + "echo \u53ce\u96c6\r\n").encode("utf-8"), "non-ASCII"),
    ("unbalanced", (HEADER + "if 1==1 (\r\n echo x\r\n").encode(), "unbalanced"),
    ("extra paren", (HEADER + "if 1==1 (echo x))\r\n").encode(), "unbalanced"),
    ("paren in echo in block", (HEADER + "if 1==1 (\r\n echo a (b) c\r\n)\r\n").encode(),
     "unbalanced"),
    ("reg add", (HEADER + 'reg add "HKLM\\SOFTWARE\\X" /v Y /d 1 /f\r\n').encode(), "reg add"),
    ("reg delete via var", (HEADER + '"%REGEXE%" delete "HKLM\\SOFTWARE\\X" /f\r\n').encode(),
     "reg delete"),
    ("reg import in for", (HEADER + "for /f %%A in ('reg import x.reg') do echo %%A\r\n").encode(),
     "reg import"),
    ("del", (HEADER + 'del "%WORK%\\x"\r\n').encode(), "not in the allowed list"),
    ("powershell", (HEADER + 'powershell -Command "Get-Date"\r\n').encode(),
     "not in the allowed list"),
    ("date cmd", (HEADER + "date /t\r\n").encode(), "date command"),
    ("redirect outside", (HEADER + 'echo x >"C:\\x.txt"\r\n').encode(), "outside the output"),
    ("redirect temp", (HEADER + 'echo x >"%TEMP%\\x.txt"\r\n').encode(), "outside the output"),
    ("redirect in for", (HEADER + "for /f %%A in ('ver ^>C:\\v.txt') do echo %%A\r\n").encode(),
     "outside the output"),
    ("rd other", (HEADER + 'rd /s /q "%DEST%"\r\n').encode(), "may only remove"),
    ("md other", (HEADER + 'md "C:\\x"\r\n').encode(), "may only create"),
    ("copy out", (HEADER + 'copy "%WORK%\\a" "C:\\b"\r\n').encode(), "must copy into"),
    ("move out", (HEADER + 'move "%WORK%\\a" "C:\\b"\r\n').encode(), "move may only"),
    ("work var", (HEADER + 'set "WORK=C:\\x"\r\n').encode(), "derived from %OUTBASE%"),
    ("tool var", (HEADER + 'set "REGEXE=C:\\tools\\reg.exe"\r\n').encode(), "must point into"),
    ("wevtutil cl", (HEADER + "wevtutil cl Application\r\n").encode(), "only qe"),
    ("wevtutil epl out", (HEADER + 'wevtutil epl Application "C:\\a.evtx"\r\n').encode(),
     "must export into"),
    ("wmic call", (HEADER + "wmic process call create notepad\r\n").encode(), "verb other than get"),
    ("call external", (HEADER + "call other.cmd\r\n").encode(), "call may only"),
    ("missing label", (HEADER + "goto nowhere\r\n").encode(), "has no label"),
    ("colon comment", (HEADER + ":: comment\r\n").encode(), "'::' comments"),
    ("digit redirect", (HEADER + ">nul echo x=1>nul\r\n").encode(), "digit right before"),
    ("no setlocal", b"@echo off\r\necho x\r\n", "setlocal"),
    ("delayed", (HEADER + "setlocal EnableDelayedExpansion\r\n").encode(), "EnableDelayedExpansion"),
    ("rem tilde", (HEADER + "REM uses %~dp0\r\n").encode(), "'%~' in a REM"),
]


def self_test() -> int:
    failed = 0
    for name, data, expect in SELF_TESTS:
        errors = check_text(data)
        if expect is None:
            ok = not errors
        else:
            ok = any(expect in e for e in errors)
        if not ok:
            failed += 1
            print(f"self-test {name}: FAILED; expected {expect!r}, got {errors}", file=sys.stderr)
    passed = len(SELF_TESTS) - failed
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    if len(argv) > 1 and argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0
    if len(argv) > 1 and argv[1] == "--self-test":
        return self_test()
    if len(argv) > 2:
        print("usage: check_collector.py [FILE.cmd] | --self-test", file=sys.stderr)
        return 2
    path = Path(argv[1]) if len(argv) == 2 else DEFAULT_FILE
    return check_file(path)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
