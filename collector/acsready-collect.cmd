@echo off
REM ==========================================================================
REM acsready-collect.cmd - collect Azure Code Signing (ACS) readiness evidence
REM from this Windows host for "acsready assess --collected".
REM
REM Usage:  acsready-collect.cmd [OUT] [EASYFIX_DIR]
REM         acsready-collect.cmd /?     (also /help, -h, --help: this usage)
REM   OUT          folder that receives one sub-folder per host, for example
REM                \\fileserver\acsready$ or E:\acsready. Default: the folder
REM                this script is in.
REM   EASYFIX_DIR  optional: the folder where EasyFixSysCerts.exe was run
REM                (its Log sub-folder holds SCPeasyFix.txt).
REM
REM Writes OUT\COMPUTERNAME\ (see collector\README.md for the file list).
REM The collection is built in OUT\COMPUTERNAME.tmp and renamed to
REM OUT\COMPUTERNAME only when it is complete; collector.txt is written last.
REM
REM Read-only: it runs reg query, reg export, wmic get, systeminfo,
REM wevtutil qe and epl (to a file in the output folder) and ver, and copies
REM one log file. It changes nothing on the
REM host and writes nothing outside OUT\COMPUTERNAME.tmp, OUT\COMPUTERNAME
REM and OUT\COMPUTERNAME.old (the previous collection while it is replaced).
REM
REM Runs on Windows XP / Server 2003 through Windows 11 / Server 2025, as a
REM Group Policy computer startup script (as SYSTEM, no console) or by hand
REM from an elevated command prompt. Built-in commands only.
REM
REM An argument starting with / or - that is not one of the help options is
REM bad usage (exit 1), never a folder: write .\-name for such a folder.
REM
REM Exit codes: 0 the folder was written (or the usage was asked for);
REM 1 bad usage or environment;
REM 2 the output folder cannot be written; 3 collector.txt cannot be
REM written; 4 the previous collection could not be replaced (the new one
REM is left in OUT\COMPUTERNAME.tmp); 5 the new collection could not be
REM renamed (the previous one was put back).
REM
REM Keep this file ASCII only with CRLF line endings: cmd.exe reads it in
REM the OEM code page. Check it with check_collector.py.
REM ==========================================================================
setlocal EnableExtensions DisableDelayedExpansion

set "COLLECTOR_VERSION=1"

if "%~1"=="/?" goto usage
if /i "%~1"=="/help" goto usage
if /i "%~1"=="-h" goto usage
if /i "%~1"=="--help" goto usage
set "ARG_BAD="
set "ARG_CHECK=%~1"
call :check_arg
set "ARG_CHECK=%~2"
call :check_arg
if not "%~3"=="" set "ARG_BAD=%~3"
if defined ARG_BAD goto bad_usage

if not defined COMPUTERNAME goto fail_env
if not defined SystemRoot goto fail_env

REM --------------------------------------------------------------------------
REM Output folders. OUTBASE always ends with a backslash so that a drive root
REM (E:\) and a share root (\\server\share) both work.
REM --------------------------------------------------------------------------
set "SCRIPTDIR=%~dp0"
set "SCRIPTPATH=%~f0"
set "OUT=%~1"
if not defined OUT set "OUT=%~dp0"
for %%A in ("%OUT%") do set "OUT=%%~fA"
if not "%OUT:~-1%"=="\" set "OUT=%OUT%\"
set "OUTBASE=%OUT%"
set "WORK=%OUTBASE%%COMPUTERNAME%.tmp"
set "DEST=%OUTBASE%%COMPUTERNAME%"
set "OLD=%OUTBASE%%COMPUTERNAME%.old"
set "EASYFIX_ARG=%~2"

REM --------------------------------------------------------------------------
REM Tools: full paths in System32, so that a program of the same name in the
REM current folder is never run. A 32-bit cmd.exe on 64-bit Windows sees the
REM 32-bit registry view; Sysnative gives it the 64-bit reg.exe.
REM --------------------------------------------------------------------------
set "SYS32=%SystemRoot%\System32"
set "REGEXE=%SYS32%\reg.exe"
set "FINDEXE=%SYS32%\find.exe"
set "WMICEXE=%SYS32%\wbem\wmic.exe"
set "WEVTEXE=%SYS32%\wevtutil.exe"
set "SYSINFOEXE=%SYS32%\systeminfo.exe"
if not exist "%WMICEXE%" set "WMICEXE="
if not exist "%WEVTEXE%" set "WEVTEXE="
if not exist "%SYSINFOEXE%" set "SYSINFOEXE="
set "REGVIEW=native"
if not defined PROCESSOR_ARCHITEW6432 goto regexe_done
set "REGVIEW=32-bit WOW64 view, Sysnative not available"
if not exist "%SystemRoot%\Sysnative\reg.exe" goto regexe_done
set "REGEXE=%SystemRoot%\Sysnative\reg.exe"
set "REGVIEW=native via Sysnative"
:regexe_done
if not exist "%REGEXE%" goto fail_env
if not exist "%FINDEXE%" goto fail_env

REM reg export has /y (overwrite without prompt) from Vista on; the reg.exe
REM of XP and Server 2003 does not know it. Use it only where reg offers it.
REM The work folder is new and empty, so no export ever has to overwrite.
set "REGY="
"%REGEXE%" export /? <nul 2>nul | "%FINDEXE%" /i "/y" >nul
if not errorlevel 1 set "REGY=/y"

set "FAILED=0"

REM --------------------------------------------------------------------------
REM Fresh work folder. A .tmp folder left by an interrupted run is removed.
REM --------------------------------------------------------------------------
echo acsready-collect %COLLECTOR_VERSION%: collecting %COMPUTERNAME%
if exist "%WORK%\" rd /s /q "%WORK%"
if exist "%WORK%\" goto fail_work
md "%WORK%"
if not exist "%WORK%\" goto fail_work
type nul >"%WORK%\errors.txt"
if not exist "%WORK%\errors.txt" goto fail_work
for %%A in ("%WORK%") do echo   into %%~A

REM --------------------------------------------------------------------------
REM Facts about the collection itself (written to collector.txt at the end).
REM --------------------------------------------------------------------------
call :timestamp
set "VER_LINE="
for /f "delims=" %%V in ('ver') do set "VER_LINE=%%V"
set "HOSTNAME_REG="
set "DNSDOMAIN="
for /f "tokens=1,2,*" %%A in ('^<nul "%REGEXE%" query "HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters" /v Hostname 2^>nul') do if /i "%%A"=="Hostname" set "HOSTNAME_REG=%%C"
for /f "tokens=1,2,*" %%A in ('^<nul "%REGEXE%" query "HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters" /v Domain 2^>nul') do if /i "%%A"=="Domain" set "DNSDOMAIN=%%C"
set "OEMCP="
set "ACP="
for /f "tokens=1,2,*" %%A in ('^<nul "%REGEXE%" query "HKLM\SYSTEM\CurrentControlSet\Control\Nls\CodePage" /v OEMCP 2^>nul') do if /i "%%A"=="OEMCP" set "OEMCP=%%C"
for /f "tokens=1,2,*" %%A in ('^<nul "%REGEXE%" query "HKLM\SYSTEM\CurrentControlSet\Control\Nls\CodePage" /v ACP 2^>nul') do if /i "%%A"=="ACP" set "ACP=%%C"

REM --------------------------------------------------------------------------
REM Registry exports. acsready reads every *.reg file of the folder and
REM merges them; the names are for people. A missing key is normal.
REM --------------------------------------------------------------------------
REM CurrentVersion: only the values of the key (reg query), not its subkeys:
REM Winlogon below it may hold an automatic-logon password.
call :query_key "HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion" "CurrentVersion.txt"
call :export_key "HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\Packages" "CBS-Packages.reg"
call :export_key "HKLM\SOFTWARE\Microsoft\SystemCertificates\ROOT" "Cert-ROOT.reg"
call :export_key "HKLM\SOFTWARE\Microsoft\SystemCertificates\AuthRoot" "Cert-AuthRoot.reg"
call :export_key "HKLM\SOFTWARE\Microsoft\SystemCertificates\Disallowed" "Cert-Disallowed.reg"
call :export_key "HKLM\SOFTWARE\Policies\Microsoft\SystemCertificates" "Cert-Policies.reg"
call :export_key "HKLM\SOFTWARE\Microsoft\EnterpriseCertificates" "Cert-Enterprise.reg"
call :export_key "HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall" "Uninstall.reg"
call :export_key "HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Uninstall" "Uninstall-Wow6432Node.reg"
call :export_key "HKLM\SOFTWARE\TrendMicro" "TrendMicro.reg"
call :export_key "HKLM\SOFTWARE\Trend Micro" "Trend-Micro.reg"
call :export_key "HKLM\SOFTWARE\Wow6432Node\TrendMicro" "TrendMicro-Wow6432Node.reg"
call :export_key "HKLM\SOFTWARE\Wow6432Node\Trend Micro" "Trend-Micro-Wow6432Node.reg"

REM --------------------------------------------------------------------------
REM Installed updates, application events, EasyFix log.
REM --------------------------------------------------------------------------
call :collect_qfe
call :collect_systeminfo
call :collect_events
call :query_events System "*[System[(EventID=7000 or EventID=7009 or EventID=7023 or EventID=7024 or EventID=7031 or EventID=7034)]]" "System-events.xml"
call :query_events Microsoft-Windows-CodeIntegrity/Operational "*[System[(EventID=3033 or EventID=3077)]]" "CodeIntegrity-events.xml"
call :collect_easyfix

REM --------------------------------------------------------------------------
REM collector.txt, written last: key=value lines, OEM code page.
REM --------------------------------------------------------------------------
call :write_collector_txt
if not exist "%WORK%\collector.txt" goto fail_collector_txt

REM --------------------------------------------------------------------------
REM Swap: the previous collection of this host becomes COMPUTERNAME.old, the
REM new one becomes COMPUTERNAME, then the old one is removed. A folder named
REM COMPUTERNAME therefore always holds a complete collection.
REM --------------------------------------------------------------------------
if exist "%OLD%\" rd /s /q "%OLD%"
if not exist "%DEST%\" goto swap_new
move "%DEST%" "%OLD%" >nul
if exist "%DEST%\" goto fail_swap_old
:swap_new
move "%WORK%" "%DEST%" >nul
if not exist "%DEST%\collector.txt" goto fail_swap_new
if exist "%OLD%\" rd /s /q "%OLD%"
for %%A in ("%DEST%") do echo acsready-collect: done, failed steps: %FAILED%, folder: %%~A
exit /b 0

REM ==========================================================================
REM Subroutines
REM ==========================================================================

:export_key
REM Arguments: registry key, output file name. Sets step.FILE.
set "EK_KEY=%~1"
set "EK_FILE=%~2"
set "EK_RC=0"
call :key_state "%EK_KEY%"
if "%KS_STATE%"=="present" goto export_key_present
if "%KS_STATE%"=="unreadable" goto export_key_unreadable
>>"%WORK%\errors.txt" echo [%EK_FILE%] not exported: key not present: %EK_KEY% - normal when the product is not installed, for Wow6432Node keys on 32-bit Windows and for CBS on XP and Server 2003
>>"%WORK%\absent-keys.txt" echo %EK_KEY%
set "step.%EK_FILE%=missing"
echo   %EK_FILE%: key not present
goto :eof
:export_key_unreadable
>>"%WORK%\errors.txt" echo [%EK_FILE%] not exported: the key exists but could not be read (access denied?): %EK_KEY% - run the collector as Administrator or as SYSTEM
>>"%WORK%\unreadable-keys.txt" echo %EK_KEY%
set "step.%EK_FILE%=unreadable"
set /a FAILED+=1
echo   %EK_FILE%: key exists but could not be read
goto :eof
:export_key_present
"%REGEXE%" export "%EK_KEY%" "%WORK%\%EK_FILE%" %REGY% <nul >nul 2>>"%WORK%\errors.txt"
set "EK_RC=%ERRORLEVEL%"
if "%EK_RC%"=="0" if exist "%WORK%\%EK_FILE%" goto export_key_written
if not defined REGY goto export_key_failed
if exist "%WORK%\%EK_FILE%" goto export_key_failed
REM Retry without /y in case this reg.exe does not accept it.
"%REGEXE%" export "%EK_KEY%" "%WORK%\%EK_FILE%" <nul >nul 2>>"%WORK%\errors.txt"
set "EK_RC=%ERRORLEVEL%"
if "%EK_RC%"=="0" if exist "%WORK%\%EK_FILE%" goto export_key_written
:export_key_failed
>>"%WORK%\errors.txt" echo [%EK_FILE%] reg export of %EK_KEY% failed, exit code %EK_RC% - a subkey may be unreadable: run the collector as Administrator or as SYSTEM
>>"%WORK%\unreadable-keys.txt" echo %EK_KEY%
set "step.%EK_FILE%=failed"
set /a FAILED+=1
if exist "%WORK%\%EK_FILE%" move "%WORK%\%EK_FILE%" "%WORK%\%EK_FILE%.partial" >nul
echo   %EK_FILE%: FAILED, exit code %EK_RC%
goto :eof
:export_key_written
call :check_output "%EK_FILE%"
if not defined OUTPUT_OK goto :eof
set "step.%EK_FILE%=ok"
echo   %EK_FILE%: ok
goto :eof

:key_state
REM Argument: a registry key (HKLM\...). Sets KS_STATE to present, absent or
REM unreadable. reg query returns exit code 1 both for a key that does not
REM exist and for one it may not read, and its messages are localized; the
REM list of subkeys of the parent key is not. A key that fails its query
REM but is listed by its parent exists and could not be read. When the
REM parent cannot be listed either, the key is absent only if the parent is.
REM Key names must not end with a dot or a space (see KS_NAME below).
set "KS_KEY=%~1"
set "KS_STATE=present"
"%REGEXE%" query "%KS_KEY%" <nul >nul 2>&1
if not errorlevel 1 goto :eof
set "KS_STATE=unreadable"
if /i not "%KS_KEY:~0,5%"=="HKLM\" goto :eof
set "KS_FULL=HKEY_LOCAL_MACHINE\%KS_KEY:~5%"
REM The parent and the last name, by path arithmetic on \KEY (no file is
REM touched; the path part keeps a leading and a trailing backslash).
for %%A in ("\%KS_KEY%") do set "KS_PARENT=%%~pA"
for %%A in ("\%KS_KEY%") do set "KS_NAME=%%~nxA"
set "KS_PARENT=%KS_PARENT:~1,-1%"
if /i "%KS_PARENT%"=="HKLM" goto :eof
set "KS_LISTED="
set "KS_LIST_RC=1"
"%REGEXE%" query "%KS_PARENT%" <nul >nul 2>&1
if not errorlevel 1 set "KS_LIST_RC=0"
if "%KS_LIST_RC%"=="1" goto key_state_parent
for /f "delims=" %%L in ('^<nul "%REGEXE%" query "%KS_PARENT%" 2^>nul') do if /i "%%L"=="%KS_FULL%" set "KS_LISTED=1"
if defined KS_LISTED goto :eof
set "KS_STATE=absent"
goto :eof
:key_state_parent
call :key_state "%KS_PARENT%"
if not "%KS_STATE%"=="absent" set "KS_STATE=unreadable"
goto :eof

:check_output
REM Argument: a file name in WORK. A step that exits 0 but writes nothing
REM has not collected anything: its output is kept, the step is recorded
REM as empty and counted as failed. Sets OUTPUT_OK when the file has bytes.
set "OUTPUT_OK="
for %%F in ("%WORK%\%~1") do if not "%%~zF"=="0" set "OUTPUT_OK=1"
if defined OUTPUT_OK goto :eof
>>"%WORK%\errors.txt" echo [%~1] empty: the command succeeded but wrote nothing
set "step.%~1=empty"
set /a FAILED+=1
echo   %~1: EMPTY, the command wrote nothing
goto :eof

:query_key
REM Arguments: registry key, output file name. The values of one key and the
REM names of its subkeys, as reg query prints them. Sets step.FILE.
set "QK_KEY=%~1"
set "QK_FILE=%~2"
"%REGEXE%" query "%QK_KEY%" <nul >"%WORK%\%QK_FILE%" 2>>"%WORK%\errors.txt"
if not errorlevel 1 goto query_key_ok
>>"%WORK%\errors.txt" echo [%QK_FILE%] reg query of %QK_KEY% failed
set "step.%QK_FILE%=failed"
set /a FAILED+=1
if exist "%WORK%\%QK_FILE%" move "%WORK%\%QK_FILE%" "%WORK%\%QK_FILE%.partial" >nul
echo   %QK_FILE%: FAILED
goto :eof
:query_key_ok
call :check_output "%QK_FILE%"
if not defined OUTPUT_OK goto :eof
set "step.%QK_FILE%=ok"
echo   %QK_FILE%: ok
goto :eof

:timestamp
REM collected_at from WMI LocalDateTime (yyyymmddHHMMSS.ffffff+ZZZ, ZZZ =
REM offset from UTC in minutes), locale-independent. Without wmic, fall
REM back to DATE and TIME, whose format depends on the regional settings.
set "COLLECTED_AT="
set "COLLECTED_AT_FORMAT=local"
set "LOCAL_DATE_FORMAT="
set "LOCAL_TIME_FORMAT="
set "LDT="
if not defined WMICEXE goto timestamp_local
for /f "tokens=2 delims==" %%T in ('^<nul "%WMICEXE%" os get LocalDateTime /value 2^>nul') do for /f %%U in ("%%T") do set "LDT=%%U"
if not defined LDT goto timestamp_local
if not "%LDT:~14,1%"=="." goto timestamp_local
if "%LDT:~24,1%"=="" goto timestamp_local
if not "%LDT:~25,1%"=="" goto timestamp_local
set "TS_SIGN=%LDT:~21,1%"
if not "%TS_SIGN%"=="+" if not "%TS_SIGN%"=="-" goto timestamp_local
set /a "TS_OFF=1%LDT:~22,3% - 1000" 2>nul
set /a "TS_OFFH=TS_OFF / 60, TS_OFFM=TS_OFF %% 60" 2>nul
set "TS_OFFH=0%TS_OFFH%"
set "TS_OFFM=0%TS_OFFM%"
set "TS_DATE=%LDT:~0,4%-%LDT:~4,2%-%LDT:~6,2%"
set "TS_TIME=%LDT:~8,2%:%LDT:~10,2%:%LDT:~12,2%"
set "TS_ZONE=%TS_SIGN%%TS_OFFH:~-2%:%TS_OFFM:~-2%"
set "COLLECTED_AT=%TS_DATE%T%TS_TIME%%TS_ZONE%"
set "COLLECTED_AT_FORMAT=iso8601"
goto :eof
:timestamp_local
set "COLLECTED_AT=%DATE% %TIME%"
for /f "tokens=1,2,*" %%A in ('^<nul "%REGEXE%" query "HKCU\Control Panel\International" /v sShortDate 2^>nul') do if /i "%%A"=="sShortDate" set "LOCAL_DATE_FORMAT=%%C"
for /f "tokens=1,2,*" %%A in ('^<nul "%REGEXE%" query "HKCU\Control Panel\International" /v sTimeFormat 2^>nul') do if /i "%%A"=="sTimeFormat" set "LOCAL_TIME_FORMAT=%%C"
goto :eof

:collect_qfe
REM Installed updates (KB numbers). wmic writes UTF-16. It is absent on
REM Windows 11 24H2 and later unless the WMIC feature is installed.
set "QFE_FORMAT="
set "QFE_RC=0"
if defined WMICEXE goto qfe_run
>>"%WORK%\errors.txt" echo [qfe.txt] skipped: wmic.exe not found - normal on Windows 11 24H2 and later; systeminfo.txt and CBS-Packages.reg still list the updates
set "step.qfe.txt=skipped"
echo   qfe.txt: skipped, no wmic
goto :eof
:qfe_run
"%WMICEXE%" qfe get HotFixID,InstalledOn,Description /format:list <nul >"%WORK%\qfe.txt" 2>nul
set "QFE_RC=%ERRORLEVEL%"
REM find without /i: wmic prints property names and KB numbers in this
REM case (and the find of Wine, used to test this script, has no /i).
type "%WORK%\qfe.txt" 2>nul | "%FINDEXE%" "HotFixID=" >nul
if not errorlevel 1 goto qfe_list_ok
REM /format:list needs list.xsl; on some localized systems wmic answers
REM "Invalid XSL format". The default table format needs no XSL file.
"%WMICEXE%" qfe get HotFixID,InstalledOn,Description <nul >"%WORK%\qfe.txt" 2>nul
set "QFE_RC=%ERRORLEVEL%"
type "%WORK%\qfe.txt" 2>nul | "%FINDEXE%" "KB" >nul
if not errorlevel 1 goto qfe_table_ok
if not "%QFE_RC%"=="0" goto qfe_failed
>>"%WORK%\errors.txt" echo [qfe.txt] wmic qfe listed no updates
set "step.qfe.txt=empty"
echo   qfe.txt: no updates listed
goto :eof
:qfe_failed
>>"%WORK%\errors.txt" echo [qfe.txt] wmic qfe failed, exit code %QFE_RC%
set "step.qfe.txt=failed"
set /a FAILED+=1
if exist "%WORK%\qfe.txt" move "%WORK%\qfe.txt" "%WORK%\qfe.txt.partial" >nul
echo   qfe.txt: FAILED, exit code %QFE_RC%
goto :eof
:qfe_list_ok
set "QFE_FORMAT=list"
set "step.qfe.txt=ok"
echo   qfe.txt: ok
goto :eof
:qfe_table_ok
set "QFE_FORMAT=table"
set "step.qfe.txt=ok"
echo   qfe.txt: ok, table format
goto :eof

:collect_systeminfo
REM Localized text in the OEM code page. Missing on Windows XP Home.
set "SI_RC=0"
if defined SYSINFOEXE goto systeminfo_run
>>"%WORK%\errors.txt" echo [systeminfo.txt] skipped: systeminfo.exe not found
set "step.systeminfo.txt=skipped"
echo   systeminfo.txt: skipped, no systeminfo
goto :eof
:systeminfo_run
echo   systeminfo.txt: running, this can take a minute
"%SYSINFOEXE%" <nul >"%WORK%\systeminfo.txt" 2>nul
set "SI_RC=%ERRORLEVEL%"
if not "%SI_RC%"=="0" goto systeminfo_failed
call :check_output "systeminfo.txt"
if not defined OUTPUT_OK goto :eof
set "step.systeminfo.txt=ok"
echo   systeminfo.txt: ok
goto :eof
:systeminfo_failed
>>"%WORK%\errors.txt" echo [systeminfo.txt] systeminfo failed, exit code %SI_RC%
set "step.systeminfo.txt=failed"
set /a FAILED+=1
if exist "%WORK%\systeminfo.txt" move "%WORK%\systeminfo.txt" "%WORK%\systeminfo.txt.partial" >nul
echo   systeminfo.txt: FAILED, exit code %SI_RC%
goto :eof

:collect_events
REM Application log events 900 (Apex One program update blocked) and 11708
REM (MsiInstaller: installation failed), newest 500, rendered with their
REM messages. wevtutil exists from Vista / Server 2008 on.
set "EV_RC=0"
if defined WEVTEXE goto events_run
>>"%WORK%\errors.txt" echo [Application-events.xml] skipped: wevtutil.exe not found - normal on Windows XP and Server 2003
set "step.Application-events.xml=skipped"
set "step.Application-events.evtx=skipped"
echo   Application-events.xml and .evtx: skipped, no wevtutil
goto :eof
:events_run
"%WEVTEXE%" qe Application /q:"*[System[(EventID=900 or EventID=11708)]]" /f:RenderedXml /e:Events /c:500 /rd:true <nul >"%WORK%\Application-events.xml" 2>>"%WORK%\errors.txt"
set "EV_RC=%ERRORLEVEL%"
if not "%EV_RC%"=="0" goto events_failed
call :check_output "Application-events.xml"
if not defined OUTPUT_OK goto events_evtx
set "step.Application-events.xml=ok"
echo   Application-events.xml: ok
goto events_evtx
:events_failed
>>"%WORK%\errors.txt" echo [Application-events.xml] wevtutil qe Application failed, exit code %EV_RC%
set "step.Application-events.xml=failed"
set /a FAILED+=1
if exist "%WORK%\Application-events.xml" move "%WORK%\Application-events.xml" "%WORK%\Application-events.xml.partial" >nul
echo   Application-events.xml: FAILED, exit code %EV_RC%
:events_evtx
REM The same events as a binary .evtx file: lossless whatever the code
REM page, but without the rendered message text.
"%WEVTEXE%" epl Application "%WORK%\Application-events.evtx" /q:"*[System[(EventID=900 or EventID=11708)]]" <nul >nul 2>>"%WORK%\errors.txt"
set "EV_RC=%ERRORLEVEL%"
if not "%EV_RC%"=="0" goto events_evtx_failed
if not exist "%WORK%\Application-events.evtx" goto events_evtx_failed
set "step.Application-events.evtx=ok"
echo   Application-events.evtx: ok
goto :eof
:events_evtx_failed
>>"%WORK%\errors.txt" echo [Application-events.evtx] wevtutil epl Application failed or wrote no file, exit code %EV_RC%
set "step.Application-events.evtx=failed"
set /a FAILED+=1
if exist "%WORK%\Application-events.evtx" move "%WORK%\Application-events.evtx" "%WORK%\Application-events.evtx.partial" >nul
echo   Application-events.evtx: FAILED, exit code %EV_RC%
goto :eof

:query_events
REM Arguments: log name, XPath query, output file name. The newest 500
REM matching events with their rendered messages. Sets step.FILE.
set "QE_LOG=%~1"
set "QE_QUERY=%~2"
set "QE_FILE=%~3"
if defined WEVTEXE goto query_events_run
set "step.%QE_FILE%=skipped"
echo   %QE_FILE%: skipped, no wevtutil
goto :eof
:query_events_run
"%WEVTEXE%" qe "%QE_LOG%" /q:"%QE_QUERY%" /f:RenderedXml /e:Events /c:500 /rd:true <nul >"%WORK%\%QE_FILE%" 2>>"%WORK%\errors.txt"
if not errorlevel 1 goto query_events_ok
>>"%WORK%\errors.txt" echo [%QE_FILE%] wevtutil qe %QE_LOG% failed - normal when the log does not exist on this Windows
set "step.%QE_FILE%=failed"
if exist "%WORK%\%QE_FILE%" move "%WORK%\%QE_FILE%" "%WORK%\%QE_FILE%.partial" >nul
echo   %QE_FILE%: failed
goto :eof
:query_events_ok
call :check_output "%QE_FILE%"
if not defined OUTPUT_OK goto :eof
set "step.%QE_FILE%=ok"
echo   %QE_FILE%: ok
goto :eof

:collect_easyfix
REM Log of EasyFixSysCerts.exe A1 (EasyFix for System Certificates). First
REM match wins: the EASYFIX_DIR argument, the Log folder beside this script,
REM then SystemDrive\EasyFix\Log.
set "EF_SRC="
if not defined EASYFIX_ARG goto easyfix_default
if exist "%EASYFIX_ARG%\Log\SCPeasyFix.txt" set "EF_SRC=%EASYFIX_ARG%\Log\SCPeasyFix.txt"
if not defined EF_SRC if exist "%EASYFIX_ARG%\SCPeasyFix.txt" set "EF_SRC=%EASYFIX_ARG%\SCPeasyFix.txt"
if not defined EF_SRC if exist "%EASYFIX_ARG%" if not exist "%EASYFIX_ARG%\" set "EF_SRC=%EASYFIX_ARG%"
if defined EF_SRC goto easyfix_copy
>>"%WORK%\errors.txt" echo [SCPeasyFix.txt] no SCPeasyFix.txt in the EasyFix folder given as second argument
:easyfix_default
if not defined EF_SRC if exist "%SCRIPTDIR%Log\SCPeasyFix.txt" set "EF_SRC=%SCRIPTDIR%Log\SCPeasyFix.txt"
if not defined EF_SRC if exist "%SystemDrive%\EasyFix\Log\SCPeasyFix.txt" set "EF_SRC=%SystemDrive%\EasyFix\Log\SCPeasyFix.txt"
if defined EF_SRC goto easyfix_copy
>>"%WORK%\errors.txt" echo [SCPeasyFix.txt] not found - normal when EasyFix for System Certificates was not run on this host
set "step.SCPeasyFix.txt=missing"
echo   SCPeasyFix.txt: not found
goto :eof
:easyfix_copy
copy /b "%EF_SRC%" "%WORK%\SCPeasyFix.txt" <nul >nul 2>>"%WORK%\errors.txt"
if errorlevel 1 goto easyfix_failed
if not exist "%WORK%\SCPeasyFix.txt" goto easyfix_failed
set "step.SCPeasyFix.txt=ok"
echo   SCPeasyFix.txt: ok
goto :eof
:easyfix_failed
>>"%WORK%\errors.txt" echo [SCPeasyFix.txt] copy failed
set "step.SCPeasyFix.txt=failed"
set /a FAILED+=1
echo   SCPeasyFix.txt: FAILED
goto :eof

:write_collector_txt
REM Values that may hold characters special to cmd.exe (paths, user
REM names) are echoed through a FOR variable, which is expanded after the
REM command line is parsed.
>"%WORK%\collector.txt" echo collector=acsready-collect
>>"%WORK%\collector.txt" echo collector_version=%COLLECTOR_VERSION%
>>"%WORK%\collector.txt" echo computer=%COMPUTERNAME%
>>"%WORK%\collector.txt" echo hostname=%HOSTNAME_REG%
>>"%WORK%\collector.txt" echo domain=%DNSDOMAIN%
for %%A in ("%USERDOMAIN%") do >>"%WORK%\collector.txt" echo user_domain=%%~A
for %%A in ("%USERNAME%") do >>"%WORK%\collector.txt" echo user=%%~A
>>"%WORK%\collector.txt" echo collected_at=%COLLECTED_AT%
>>"%WORK%\collector.txt" echo collected_at_format=%COLLECTED_AT_FORMAT%
if "%COLLECTED_AT_FORMAT%"=="local" >>"%WORK%\collector.txt" echo local_date_format=%LOCAL_DATE_FORMAT%
if "%COLLECTED_AT_FORMAT%"=="local" >>"%WORK%\collector.txt" echo local_time_format=%LOCAL_TIME_FORMAT%
>>"%WORK%\collector.txt" echo windows_ver=%VER_LINE%
>>"%WORK%\collector.txt" echo processor_architecture=%PROCESSOR_ARCHITECTURE%
>>"%WORK%\collector.txt" echo processor_architew6432=%PROCESSOR_ARCHITEW6432%
>>"%WORK%\collector.txt" echo registry_view=%REGVIEW%
>>"%WORK%\collector.txt" echo reg_export_y=%REGY%
>>"%WORK%\collector.txt" echo oem_codepage=%OEMCP%
>>"%WORK%\collector.txt" echo ansi_codepage=%ACP%
>>"%WORK%\collector.txt" echo qfe_format=%QFE_FORMAT%
for %%A in ("%EF_SRC%") do >>"%WORK%\collector.txt" echo easyfix_log_source=%%~A
for %%A in ("%OUTBASE%") do >>"%WORK%\collector.txt" echo out=%%~A
for %%A in ("%SCRIPTPATH%") do >>"%WORK%\collector.txt" echo script=%%~A
>>"%WORK%\collector.txt" echo step.CurrentVersion.txt=%step.CurrentVersion.txt%
>>"%WORK%\collector.txt" echo step.CBS-Packages.reg=%step.CBS-Packages.reg%
>>"%WORK%\collector.txt" echo step.Cert-ROOT.reg=%step.Cert-ROOT.reg%
>>"%WORK%\collector.txt" echo step.Cert-AuthRoot.reg=%step.Cert-AuthRoot.reg%
>>"%WORK%\collector.txt" echo step.Cert-Disallowed.reg=%step.Cert-Disallowed.reg%
>>"%WORK%\collector.txt" echo step.Cert-Policies.reg=%step.Cert-Policies.reg%
>>"%WORK%\collector.txt" echo step.Cert-Enterprise.reg=%step.Cert-Enterprise.reg%
>>"%WORK%\collector.txt" echo step.Uninstall.reg=%step.Uninstall.reg%
>>"%WORK%\collector.txt" echo step.Uninstall-Wow6432Node.reg=%step.Uninstall-Wow6432Node.reg%
>>"%WORK%\collector.txt" echo step.TrendMicro.reg=%step.TrendMicro.reg%
>>"%WORK%\collector.txt" echo step.Trend-Micro.reg=%step.Trend-Micro.reg%
>>"%WORK%\collector.txt" echo step.TrendMicro-Wow6432Node.reg=%step.TrendMicro-Wow6432Node.reg%
>>"%WORK%\collector.txt" echo step.Trend-Micro-Wow6432Node.reg=%step.Trend-Micro-Wow6432Node.reg%
>>"%WORK%\collector.txt" echo step.qfe.txt=%step.qfe.txt%
>>"%WORK%\collector.txt" echo step.systeminfo.txt=%step.systeminfo.txt%
>>"%WORK%\collector.txt" echo step.Application-events.xml=%step.Application-events.xml%
>>"%WORK%\collector.txt" echo step.Application-events.evtx=%step.Application-events.evtx%
>>"%WORK%\collector.txt" echo step.System-events.xml=%step.System-events.xml%
>>"%WORK%\collector.txt" echo step.CodeIntegrity-events.xml=%step.CodeIntegrity-events.xml%
>>"%WORK%\collector.txt" echo step.SCPeasyFix.txt=%step.SCPeasyFix.txt%
>>"%WORK%\collector.txt" echo steps_failed=%FAILED%
>>"%WORK%\collector.txt" echo complete=yes
goto :eof

REM ==========================================================================
REM Usage and failures
REM ==========================================================================

:usage
call :usage_text
exit /b 0

:usage_text
echo Usage: acsready-collect.cmd [OUT] [EASYFIX_DIR]
echo        acsready-collect.cmd /?
echo.
echo Collects Azure Code Signing readiness evidence from this host into
echo OUT\%COMPUTERNAME% without changing the host. OUT defaults to the folder
echo of this script; a share such as \\fileserver\acsready$ works.
echo EASYFIX_DIR is the folder where EasyFixSysCerts.exe was run, if any.
echo Options: /?, /help, -h and --help print this text. Any other argument
echo that starts with / or - is refused; for such a folder write .\-name.
echo Run it as Administrator (or as SYSTEM from a startup script): keys it
echo cannot read are listed in unreadable-keys.txt and stay unknown.
echo Assess the collected folders with: acsready assess --collected OUT
goto :eof

:check_arg
REM ARG_CHECK: one argument. Sets ARG_BAD when it looks like an option.
if not defined ARG_CHECK goto :eof
if "%ARG_CHECK:~0,1%"=="/" set "ARG_BAD=%ARG_CHECK%"
if "%ARG_CHECK:~0,1%"=="-" set "ARG_BAD=%ARG_CHECK%"
goto :eof

:bad_usage
echo acsready-collect: bad usage: "%ARG_BAD%" is not an argument this script takes. 1>&2
call :usage_text 1>&2
exit /b 1

:fail_env
echo acsready-collect: COMPUTERNAME, SystemRoot, reg.exe or find.exe is missing; nothing was written. 1>&2
exit /b 1

:fail_work
for %%A in ("%WORK%") do echo acsready-collect: cannot create the folder %%~A - check the path and the share and NTFS permissions. 1>&2
exit /b 2

:fail_collector_txt
for %%A in ("%WORK%") do echo acsready-collect: cannot write collector.txt in %%~A 1>&2
exit /b 3

:fail_swap_old
for %%A in ("%DEST%") do echo acsready-collect: cannot replace the previous collection %%~A - a file in it may be open. The new collection is left in the .tmp folder. 1>&2
exit /b 4

:fail_swap_new
if not exist "%DEST%\" if exist "%OLD%\" move "%OLD%" "%DEST%" >nul
for %%A in ("%WORK%") do echo acsready-collect: cannot rename %%~A - the new collection is left there. 1>&2
exit /b 5
