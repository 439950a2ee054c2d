@echo off
REM Stand-in for the Windows programs Wine only stubs (wmic, systeminfo,
REM wevtutil) and, when reg.exe is routed here too, for access denied.
REM The launcher put in their place runs:
REM   cmd /d /c dispatch.cmd "<program path>" <its arguments>
REM Test code only: it is never part of a collection.
setlocal EnableExtensions
set "HERE=%~dp0"
set "PROG=%~n1"
if /i "%PROG%"=="reg" goto reg
if /i "%PROG%"=="wmic" goto wmic
if /i "%PROG%"=="systeminfo" goto systeminfo
if /i "%PROG%"=="wevtutil" goto wevtutil
echo stand-in: unknown program %1 1>&2
exit /b 9009

:reg
REM Keys named in denied.txt answer as reg.exe does for a key the user may
REM not read; everything else goes to Wine's reg.exe.
if not exist "%HERE%denied.txt" goto reg_real
for /f "usebackq delims=" %%K in ("%HERE%denied.txt") do if /i "%%K"=="%~3" goto reg_denied
:reg_real
"%HERE%orig\realreg.exe" %2 %3 %4 %5 %6 %7 %8 %9
exit /b %ERRORLEVEL%
:reg_denied
echo ERROR: Access is denied. 1>&2
exit /b 1

:wmic
if /i "%~2"=="os" goto wmic_os
if /i not "%~2"=="qfe" goto wmic_bad
REM Only a table was captured: the list format fails as it does where
REM list.xsl is missing, and the collector falls back to the table.
echo %* | find /i "/format:list" >nul
if not errorlevel 1 goto wmic_xsl
type "%HERE%qfe.txt"
exit /b 0
:wmic_xsl
echo Invalid XSL format (or) file name. 1>&2
exit /b 0
:wmic_os
echo.
echo LocalDateTime=20190307101500.000000+060
echo.
exit /b 0
:wmic_bad
echo Invalid alias verb. 1>&2
exit /b 44135

:systeminfo
if exist "%HERE%systeminfo-empty" exit /b 0
type "%HERE%systeminfo.txt"
exit /b 0

:wevtutil
if /i "%~2"=="epl" goto wevtutil_epl
if /i not "%~2"=="qe" goto wevtutil_bad
if exist "%HERE%%~3-events.xml" goto wevtutil_type
echo Failed to read configuration for log %~3. The specified channel could not be found. 1>&2
exit /b 15007
:wevtutil_type
type "%HERE%%~3-events.xml"
exit /b 0
:wevtutil_epl
echo Access is denied. 1>&2
exit /b 5
:wevtutil_bad
exit /b 87
