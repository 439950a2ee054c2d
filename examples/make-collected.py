#!/usr/bin/env python3
"""Writes the sample data of the README's first hour:

- examples/collected/: three host folders as collector/acsready-collect.cmd
  writes them on a share (reg export / reg query / wmic output in UTF-16LE with
  a BOM and CRLF, collector.txt and the key lists in the OEM code page);
- examples/preflight/: a Virus Buster Corp. XG server's evidence for
  `acsready preflight apex-one` (its SOFTWARE and SYSTEM keys as `reg export`
  writes them, `dir /s` of its install folder as a Japanese Windows writes it,
  in CP932) and the facts of three of its agents.

The files are committed; run this again after changing them here. The test
crates/cli/tests/examples.rs checks that they read as examples/README.md says.

    python3 examples/make-collected.py
"""
import pathlib
import shutil

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "collected"
# The root's AuthRoot entry, exported from a real host (the Blob holds the certificate).
AUTHROOT = (HERE / "cut-export/WS12R2-DB-07/Cert-AuthRoot.reg").read_bytes()

HOSTS = [
    # name, ProductName, EditionID, build, UBR, updates (KB, installed on), agent (name, version)
    dict(name="WS19-APP-01", product="Windows Server 2019 Standard", edition="ServerStandard",
         build=17763, ubr=2183, updates=[("KB5005102", "8/10/2021"), ("KB5005568", "9/14/2021")],
         agent=("Trend Micro Deep Security Agent", "20.0.0.5137")),
    dict(name="WS22-WEB-02", product="Windows Server 2022 Datacenter", edition="ServerDatacenter",
         build=20348, ubr=2340, updates=[("KB5034439", "2/13/2024"), ("KB5035857", "3/12/2024")],
         agent=("Trend Micro Deep Security Agent", "20.0.0.6690")),
    dict(name="WS12R2-DB-07", product="Windows Server 2012 R2 Standard", edition="ServerStandard",
         build=9600, ubr=20144, updates=[("KB2919355", "3/18/2014"), ("KB5006714", "10/12/2021")],
         agent=("Trend Micro Deep Security Agent", "20.0.0.6313")),
]

ABSENT = [
    r"HKLM\SOFTWARE\Policies\Microsoft\SystemCertificates",
    r"HKLM\SOFTWARE\Microsoft\EnterpriseCertificates",
    r"HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Uninstall",
    r"HKLM\SOFTWARE\TrendMicro",
    r"HKLM\SOFTWARE\Trend Micro",
    r"HKLM\SOFTWARE\Wow6432Node\TrendMicro",
    r"HKLM\SOFTWARE\Wow6432Node\Trend Micro",
]


def utf16(text):
    return b"\xff\xfe" + text.replace("\n", "\r\n").encode("utf-16-le")


def oem(text):
    return text.replace("\n", "\r\n").encode("ascii")


def reg(*keys):
    """A `reg export` file: the header, then each key and its values."""
    out = "Windows Registry Editor Version 5.00\n\n"
    for key, values in keys:
        out += f"[{key}]\n" + "".join(f"{v}\n" for v in values) + "\n"
    return utf16(out)


def host(h):
    d = OUT / h["name"]
    d.mkdir(parents=True)
    (d / "CurrentVersion.txt").write_bytes(utf16(
        "\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\n"
        f"    ProductName    REG_SZ    {h['product']}\n"
        f"    EditionID    REG_SZ    {h['edition']}\n"
        "    InstallationType    REG_SZ    Server\n"
        f"    CurrentBuild    REG_SZ    {h['build']}\n"
        f"    CurrentBuildNumber    REG_SZ    {h['build']}\n"
        f"    UBR    REG_DWORD    0x{h['ubr']:x}\n\n"))
    cbs = r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\Packages"
    (d / "CBS-Packages.reg").write_bytes(reg((cbs, []), *[
        (f"{cbs}\\Package_for_{kb}~31bf3856ad364e35~amd64~~{h['build'] // 1000}.0.1.0",
         ['"CurrentState"=dword:00000070', '"InstallClient"="WindowsUpdateAgent"'])
        for kb, _ in h["updates"]]))
    root = r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\SystemCertificates\ROOT"
    (d / "Cert-ROOT.reg").write_bytes(reg((root, []), (root + r"\Certificates", [])))
    (d / "Cert-AuthRoot.reg").write_bytes(AUTHROOT)
    dis = r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\SystemCertificates\Disallowed"
    (d / "Cert-Disallowed.reg").write_bytes(reg((dis, []), (dis + r"\Certificates", [])))
    uninstall = r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"
    name, version = h["agent"]
    (d / "Uninstall.reg").write_bytes(reg((uninstall, []), (
        uninstall + r"\{0D4E2D2B-4C6B-4A2C-9B8E-1A2B3C4D5E6F}",
        [f'"DisplayName"="{name}"', f'"DisplayVersion"="{version}"', '"Publisher"="Trend Micro Inc."'])))
    qfe = "".join(
        f"\n\nDescription=Security Update\nHotFixID={kb}\nInstalledOn={on}\n" for kb, on in h["updates"])
    (d / "qfe.txt").write_bytes(utf16(qfe + "\n\n"))
    (d / "absent-keys.txt").write_bytes(oem("".join(k + "\n" for k in ABSENT)))
    (d / "errors.txt").write_bytes(oem("".join(
        f"[{f}] not exported: key not present: {k} - normal when the product is not installed, "
        "for Wow6432Node keys on 32-bit Windows and for CBS on XP and Server 2003\n"
        for f, k in zip(["Cert-Policies.reg", "Cert-Enterprise.reg", "Uninstall-Wow6432Node.reg",
                         "TrendMicro.reg", "Trend-Micro.reg", "TrendMicro-Wow6432Node.reg",
                         "Trend-Micro-Wow6432Node.reg"],
                        ABSENT))))
    steps = {
        "CurrentVersion.txt": "ok", "CBS-Packages.reg": "ok", "Cert-ROOT.reg": "ok",
        "Cert-AuthRoot.reg": "ok", "Cert-Disallowed.reg": "ok", "Cert-Policies.reg": "missing",
        "Cert-Enterprise.reg": "missing", "Uninstall.reg": "ok", "Uninstall-Wow6432Node.reg": "missing",
        "TrendMicro.reg": "missing", "Trend-Micro.reg": "missing",
        "TrendMicro-Wow6432Node.reg": "missing", "Trend-Micro-Wow6432Node.reg": "missing",
        "qfe.txt": "ok", "systeminfo.txt": "skipped", "Application-events.xml": "skipped",
        "Application-events.evtx": "skipped", "System-events.xml": "skipped",
        "CodeIntegrity-events.xml": "skipped", "SCPeasyFix.txt": "missing",
    }
    lines = [
        "collector=acsready-collect", "collector_version=1", f"computer={h['name']}",
        f"hostname={h['name'].lower()}", "domain=corp.example.jp", "user_domain=CORP",
        f"user={h['name']}$", "collected_at=2026-11-20T09:30:05+09:00", "collected_at_format=iso8601",
        f"windows_ver=Microsoft Windows [Version 10.0.{h['build']}.{h['ubr']}]"
        if h["build"] >= 10000 else f"windows_ver=Microsoft Windows [Version 6.3.{h['build']}]",
        "processor_architecture=AMD64", "processor_architew6432=", "registry_view=64", "reg_export_y=/y",
        "oem_codepage=437", "ansi_codepage=1252", "qfe_format=list", "easyfix_log_source=",
        "out=\\\\fileserver\\acsready$\\", "script=\\\\fileserver\\netlogon\\acsready-collect.cmd",
    ] + [f"step.{k}={v}" for k, v in steps.items()] + ["steps_failed=0", "complete=yes"]
    (d / "collector.txt").write_bytes(oem("".join(l + "\n" for l in lines)))


PREFLIGHT = HERE / "preflight"
SW = r"HKEY_LOCAL_MACHINE\SOFTWARE"
SYS = r"HKEY_LOCAL_MACHINE\SYSTEM"
# The root's Blob as the AuthRoot export above holds it.
ROOT_KEY = r"\Microsoft\SystemCertificates\AuthRoot\Certificates\F40042E2E5F7E8EF8189FED15519AECE42C3BFA2"


def preflight():
    d = PREFLIGHT / "OSCE01"
    d.mkdir(parents=True)
    authroot = AUTHROOT.decode("utf-16")
    blob = authroot[authroot.index('"Blob"='):].split("\r\n\r\n")[0].replace("\r\n", "\n")
    (d / "SOFTWARE.reg").write_bytes(reg(
        (SW + r"\Microsoft\Windows NT\CurrentVersion", [
            '"ProductName"="Windows Server 2019 Standard"', '"InstallationType"="Server"',
            '"CurrentBuild"="17763"', '"CurrentBuildNumber"="17763"', '"UBR"=dword:000008a2']),
        (SW + r"\Microsoft\SystemCertificates\ROOT\Certificates", []),
        (SW + r"\Microsoft\SystemCertificates\AuthRoot\Certificates", []),
        (SW + ROOT_KEY, [blob]),
        (SW + r"\Policies\Microsoft\SystemCertificates\AuthRoot", ['"DisableRootAutoUpdate"=dword:00000000']),
        (SW + r"\Microsoft\Windows\CurrentVersion\Uninstall", []),
        (SW + r"\Microsoft\Windows\CurrentVersion\Uninstall\{8E7A6C53-5B5D-4E0C-9D8B-0F2A3C4D5E6F}", [
            '"DisplayName"="Trend Micro OfficeScan Server"', '"DisplayVersion"="12.0.0.5500"',
            '"Publisher"="Trend Micro Inc."']),
    ))
    # reg export HKLM\SYSTEM\CurrentControlSet, services and computer name only.
    services = SYS + r"\CurrentControlSet\Services"
    (d / "SYSTEM.reg").write_bytes(reg(
        (SYS + r"\CurrentControlSet\Control\ComputerName\ComputerName", ['"ComputerName"="OSCE01"']),
        (services, []),
        (services + r"\ofcservice", ['"DisplayName"="OfficeScan Master Service"', '"Start"=dword:00000002']),
        (services + r"\TMiVPAgentSvc", [
            '"DisplayName"="Trend Micro Vulnerability Protection Service"', '"Start"=dword:00000002']),
    ))
    root = r"C:\Program Files (x86)\Trend Micro\OfficeScan"
    listing = "\r\n".join([
        " ドライブ C のボリューム ラベルがありません。", " ボリューム シリアル番号は 1A2B-3C4D です", "",
        f" {root} のディレクトリ", "",
        "2024/04/01  09:00    <DIR>          .", "2024/04/01  09:00    <DIR>          ..",
        "2024/04/01  09:00    <DIR>          AuthCertBackup", "2024/04/01  09:00    <DIR>          PCCSRV",
        "               0 個のファイル                   0 バイト", "",
        f" {root}\\AuthCertBackup のディレクトリ", "",
        "2024/04/01  09:00    <DIR>          .", "2024/04/01  09:00    <DIR>          ..",
        "2024/04/01  09:00             1,234 OfficeScanAuth.dat",
        "               1 個のファイル               1,234 バイト", "",
    ]) + "\r\n"
    (d / "dir.txt").write_bytes(listing.encode("cp932"))
    root_cert = '{"sha1":"F40042E2E5F7E8EF8189FED15519AECE42C3BFA2","store":"AuthRoot"}'
    agents = [
        '{"host":"pc-01","os":{"current_build":"19045.2006","installation_type":"Client"},'
        f'"certificates":[{root_cert}],"root_auto_update_disabled":false,'
        '"agents":[{"product":"apex_one_agent","version":"12.0.0.5500"}],"delivery":{"no_program_upgrade":true}}',
        '{"host":"pc-02","os":{"current_build":"17763.2183","installation_type":"Client"},'
        f'"certificates":[{root_cert}],"root_auto_update_disabled":false,'
        '"agents":[{"product":"apex_one_agent","version":"12.0.0.5500"}],"delivery":{"no_program_upgrade":true}}',
        '{"host":"pc-w8","os":{"current_build":"9200","installation_type":"Client"},'
        '"agents":[{"product":"apex_one_agent","version":"12.0.0.5500"}]}',
    ]
    (PREFLIGHT / "agents.ndjson").write_text("".join(a + "\n" for a in agents))


if __name__ == "__main__":
    for d in (OUT, PREFLIGHT):
        shutil.rmtree(d, ignore_errors=True)
    for h in HOSTS:
        host(h)
    preflight()
    print(f"wrote {OUT} and {PREFLIGHT}")
