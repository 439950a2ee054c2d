/* ProcessPrng, which Rust's standard library takes its random numbers from
 * on Windows 10 and later (bcryptprimitives.dll). Wine 8 (Debian 12) has no
 * such DLL, so scripts/windows-check puts this one beside acsready.exe; on
 * Windows the system's own is used. */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  return BCryptGenRandom(NULL, data, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0;
}
