//! A minimal 64-bit Windows console program, written byte by byte, that runs
//! `<prefix> <its own command line>` and exits with that program's exit
//! code. Placed in a Wine prefix as `wmic.exe`, `systeminfo.exe` or
//! `wevtutil.exe` with `<prefix>` = `cmd.exe /d /c C:\standin\dispatch.cmd`,
//! it hands every call of the collector to a batch file that answers with
//! captured outputs of the real programs (Wine only stubs them).
//!
//! No compiler for Windows is needed: the program is seven calls into
//! kernel32 (`GetCommandLineW`, `lstrcpyW`, `lstrcatW`, `CreateProcessW`,
//! `WaitForSingleObject`, `GetExitCodeProcess`, `ExitProcess`), encoded
//! here with the few x86-64 instructions they take. The child inherits the
//! standard handles, so redirections and pipes of the caller work.

/// Where the single section is loaded and where it starts in the file.
const IMAGE_BASE: u64 = 0x1_4000_0000;
const SECTION_RVA: u32 = 0x1000;
const FILE_ALIGN: u32 = 0x200;
const SECTION_ALIGN: u32 = 0x1000;
/// Room for the new command line (UTF-16 units); Windows allows 32767.
const BUF_UNITS: u32 = 32 * 1024;

const IMPORTS: [&str; 7] = [
    "GetCommandLineW",
    "lstrcpyW",
    "lstrcatW",
    "CreateProcessW",
    "WaitForSingleObject",
    "GetExitCodeProcess",
    "ExitProcess",
];

fn align(n: u32, to: u32) -> u32 {
    n.div_ceil(to) * to
}

fn put_u16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn put_u64(b: &mut [u8], at: usize, v: u64) {
    b[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

/// What a RIP-relative operand points at.
#[derive(Clone, Copy)]
enum Target {
    /// The IAT slot of `IMPORTS[i]`.
    Import(usize),
    Prefix,
    StartupInfo,
    ProcessInfo,
    ExitCode,
    Buffer,
}

/// x86-64 code with RIP-relative operands patched once the layout is known.
struct Code {
    bytes: Vec<u8>,
    /// (offset of a disp32 in `bytes`, its target).
    fixups: Vec<(usize, Target)>,
}

impl Code {
    fn raw(&mut self, b: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(b);
        self
    }
    /// `op` followed by a disp32 to `t`.
    fn rip(&mut self, op: &[u8], t: Target) -> &mut Self {
        self.bytes.extend_from_slice(op);
        self.fixups.push((self.bytes.len(), t));
        self.bytes.extend_from_slice(&[0; 4]);
        self
    }
    fn call(&mut self, import: usize) -> &mut Self {
        self.rip(&[0xFF, 0x15], Target::Import(import)) // call [rip+d32]
    }
}

/// The program: `prefix` is prepended, with one space, to the command line
/// the program was started with.
pub fn launcher_exe(prefix: &str) -> Vec<u8> {
    let mut c = Code {
        bytes: Vec::new(),
        fixups: Vec::new(),
    };
    // Entry: rsp = 8 mod 16. 0x68 keeps calls aligned and leaves the shadow
    // space and six stack arguments.
    c.raw(&[0x48, 0x83, 0xEC, 0x68]) // sub rsp, 0x68
        .call(0) // GetCommandLineW
        .raw(&[0x48, 0x89, 0xC3]) // mov rbx, rax
        .rip(&[0x48, 0x8D, 0x0D], Target::Buffer) // lea rcx, buf
        .rip(&[0x48, 0x8D, 0x15], Target::Prefix) // lea rdx, prefix
        .call(1) // lstrcpyW
        .rip(&[0x48, 0x8D, 0x0D], Target::Buffer) // lea rcx, buf
        .raw(&[0x48, 0x89, 0xDA]) // mov rdx, rbx
        .call(2) // lstrcatW
        // CreateProcessW(NULL, buf, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)
        .raw(&[0x31, 0xC9]) // xor ecx, ecx
        .rip(&[0x48, 0x8D, 0x15], Target::Buffer) // lea rdx, buf
        .raw(&[0x45, 0x31, 0xC0]) // xor r8d, r8d
        .raw(&[0x45, 0x31, 0xC9]) // xor r9d, r9d
        .raw(&[0x48, 0xC7, 0x44, 0x24, 0x20, 1, 0, 0, 0]) // mov qword [rsp+0x20], 1
        .raw(&[0x48, 0xC7, 0x44, 0x24, 0x28, 0, 0, 0, 0]) // mov qword [rsp+0x28], 0
        .raw(&[0x48, 0xC7, 0x44, 0x24, 0x30, 0, 0, 0, 0]) // mov qword [rsp+0x30], 0
        .raw(&[0x48, 0xC7, 0x44, 0x24, 0x38, 0, 0, 0, 0]) // mov qword [rsp+0x38], 0
        .rip(&[0x48, 0x8D, 0x05], Target::StartupInfo) // lea rax, si
        .raw(&[0x48, 0x89, 0x44, 0x24, 0x40]) // mov [rsp+0x40], rax
        .rip(&[0x48, 0x8D, 0x05], Target::ProcessInfo) // lea rax, pi
        .raw(&[0x48, 0x89, 0x44, 0x24, 0x48]) // mov [rsp+0x48], rax
        .call(3) // CreateProcessW
        .raw(&[0x85, 0xC0]); // test eax, eax
    let jz_at = c.bytes.len();
    c.raw(&[0x74, 0]) // jz failed
        .rip(&[0x48, 0x8B, 0x0D], Target::ProcessInfo) // mov rcx, [pi.hProcess]
        .raw(&[0xBA, 0xFF, 0xFF, 0xFF, 0xFF]) // mov edx, INFINITE
        .call(4) // WaitForSingleObject
        .rip(&[0x48, 0x8B, 0x0D], Target::ProcessInfo) // mov rcx, [pi.hProcess]
        .rip(&[0x48, 0x8D, 0x15], Target::ExitCode) // lea rdx, code
        .call(5) // GetExitCodeProcess
        .rip(&[0x8B, 0x0D], Target::ExitCode) // mov ecx, [code]
        .call(6); // ExitProcess
    let failed = c.bytes.len();
    c.bytes[jz_at + 1] = u8::try_from(failed - (jz_at + 2)).expect("short jump");
    // 9009: what cmd.exe sets when a program cannot be started.
    c.raw(&[0xB9, 0x31, 0x23, 0, 0]) // mov ecx, 9009
        .call(6); // ExitProcess

    // Section layout: code, import tables, strings, data, then the buffer
    // (not in the file: the loader zero-fills it).
    let mut sec: Vec<u8> = Vec::new();
    let code_off = 0u32;
    sec.extend_from_slice(&c.bytes);
    let pad8 = |v: &mut Vec<u8>| {
        while !v.len().is_multiple_of(8) {
            v.push(0);
        }
    };
    pad8(&mut sec);
    let rva = |off: usize| SECTION_RVA + off as u32;
    // Import descriptor for kernel32 (and the null one).
    let desc_off = sec.len();
    sec.resize(sec.len() + 40, 0);
    let ilt_off = sec.len();
    sec.resize(sec.len() + 8 * (IMPORTS.len() + 1), 0);
    let iat_off = sec.len();
    sec.resize(sec.len() + 8 * (IMPORTS.len() + 1), 0);
    for (i, name) in IMPORTS.iter().enumerate() {
        let hint = sec.len();
        sec.extend_from_slice(&[0, 0]);
        sec.extend_from_slice(name.as_bytes());
        sec.push(0);
        if !sec.len().is_multiple_of(2) {
            sec.push(0);
        }
        put_u64(&mut sec, ilt_off + 8 * i, u64::from(rva(hint)));
        put_u64(&mut sec, iat_off + 8 * i, u64::from(rva(hint)));
    }
    let dll_off = sec.len();
    sec.extend_from_slice(b"KERNEL32.dll\0");
    put_u32(&mut sec, desc_off, rva(ilt_off));
    put_u32(&mut sec, desc_off + 12, rva(dll_off));
    put_u32(&mut sec, desc_off + 16, rva(iat_off));
    pad8(&mut sec);
    let prefix_off = sec.len();
    for unit in prefix.encode_utf16().chain(" ".encode_utf16()) {
        sec.extend_from_slice(&unit.to_le_bytes());
    }
    sec.extend_from_slice(&[0, 0]);
    pad8(&mut sec);
    let si_off = sec.len(); // STARTUPINFOW: cb = 104, the rest zero
    sec.resize(sec.len() + 104, 0);
    put_u32(&mut sec, si_off, 104);
    let pi_off = sec.len(); // PROCESS_INFORMATION
    sec.resize(sec.len() + 24, 0);
    let code_val_off = sec.len();
    sec.resize(sec.len() + 8, 0);
    let raw_len = sec.len() as u32;
    let buf_off = raw_len as usize;
    let virtual_len = raw_len + 2 * BUF_UNITS;

    for (at, target) in &c.fixups {
        let to = match target {
            Target::Import(i) => iat_off + 8 * i,
            Target::Prefix => prefix_off,
            Target::StartupInfo => si_off,
            Target::ProcessInfo => pi_off,
            Target::ExitCode => code_val_off,
            Target::Buffer => buf_off,
        };
        let next = code_off as usize + at + 4;
        let disp = i32::try_from(to as i64 - next as i64).expect("disp32");
        sec[*at..*at + 4].copy_from_slice(&disp.to_le_bytes());
    }

    // Headers: DOS header, "PE\0\0", COFF header, PE32+ optional header,
    // one section header.
    let raw_size = align(raw_len, FILE_ALIGN);
    let mut out = vec![0u8; FILE_ALIGN as usize];
    out[0..2].copy_from_slice(b"MZ");
    put_u32(&mut out, 0x3C, 0x40);
    out[0x40..0x44].copy_from_slice(b"PE\0\0");
    let coff = 0x44;
    put_u16(&mut out, coff, 0x8664); // x86-64
    put_u16(&mut out, coff + 2, 1); // sections
    put_u16(&mut out, coff + 16, 240); // size of the optional header
    put_u16(&mut out, coff + 18, 0x0023); // relocs stripped, executable, large address aware
    let opt = coff + 20;
    put_u16(&mut out, opt, 0x20B); // PE32+
    put_u32(&mut out, opt + 4, raw_size); // size of code
    put_u32(&mut out, opt + 16, SECTION_RVA + code_off); // entry point
    put_u32(&mut out, opt + 20, SECTION_RVA); // base of code
    put_u64(&mut out, opt + 24, IMAGE_BASE);
    put_u32(&mut out, opt + 32, SECTION_ALIGN);
    put_u32(&mut out, opt + 36, FILE_ALIGN);
    put_u16(&mut out, opt + 40, 6); // OS version 6.0
    put_u16(&mut out, opt + 48, 6); // subsystem version 6.0
    put_u32(
        &mut out,
        opt + 56,
        SECTION_RVA + align(virtual_len, SECTION_ALIGN),
    ); // size of image
    put_u32(&mut out, opt + 60, FILE_ALIGN); // size of headers
    put_u16(&mut out, opt + 68, 3); // console subsystem
    put_u64(&mut out, opt + 72, 0x10_0000); // stack reserve
    put_u64(&mut out, opt + 80, 0x1000); // stack commit
    put_u64(&mut out, opt + 88, 0x10_0000); // heap reserve
    put_u64(&mut out, opt + 96, 0x1000); // heap commit
    put_u32(&mut out, opt + 108, 16); // data directories
    let dirs = opt + 112;
    put_u32(&mut out, dirs + 8, rva(desc_off)); // import directory
    put_u32(&mut out, dirs + 12, 40);
    put_u32(&mut out, dirs + 12 * 8, rva(iat_off)); // import address table
    put_u32(&mut out, dirs + 12 * 8 + 4, 8 * (IMPORTS.len() as u32 + 1));
    let sh = opt + 240;
    out[sh..sh + 5].copy_from_slice(b".text");
    put_u32(&mut out, sh + 8, virtual_len);
    put_u32(&mut out, sh + 12, SECTION_RVA);
    put_u32(&mut out, sh + 16, raw_size);
    put_u32(&mut out, sh + 20, FILE_ALIGN);
    put_u32(&mut out, sh + 36, 0xE000_0060); // code, data, execute, read, write
    sec.resize(raw_size as usize, 0);
    out.extend_from_slice(&sec);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_launcher_is_a_console_pe32_plus_importing_kernel32() {
        let exe = launcher_exe(r"cmd.exe /d /c C:\standin\dispatch.cmd");
        assert_eq!(&exe[..2], b"MZ");
        assert_eq!(&exe[0x40..0x44], b"PE\0\0");
        assert_eq!(exe.len() % FILE_ALIGN as usize, 0);
        let text = String::from_utf8_lossy(&exe);
        for name in IMPORTS {
            assert!(text.contains(name), "{name} imported");
        }
        let prefix: Vec<u8> = r"dispatch.cmd "
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(exe.windows(prefix.len()).any(|w| w == prefix));
    }
}
