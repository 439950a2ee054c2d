//! Where damaged `.reg` exports and `reg query` output leave the tree
//! incomplete: [`RegistryView::damage`].

use super::*;
use acsready_testkit::{utf16le_bom, RegText};

const PACKAGES: &str = r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\Packages";
const CBS: &str = r"Microsoft\Windows\CurrentVersion\Component Based Servicing\Packages";
const CV: &str = r"Microsoft\Windows NT\CurrentVersion";

fn export() -> String {
    RegText::new()
        .key(PACKAGES)
        .key(&format!(
            r"{PACKAGES}\Package_for_KB5005625~31bf3856ad364e35~amd64~~17763.2210.1.7"
        ))
        .dword("CurrentState", 0x70)
        .key(&format!(
            r"{PACKAGES}\Package_for_KB5006714~31bf3856ad364e35~amd64~~6.3.1.0"
        ))
        .dword("CurrentState", 0x70)
        .text()
}

fn read(bytes: &[u8]) -> RegFiles {
    let mut files = RegFiles::new();
    files.add_bytes(bytes, "Packages.reg").expect("a .reg file");
    files
}

#[test]
fn a_whole_export_has_no_damage() {
    let files = read(&utf16le_bom(&export()));
    assert!(files.warnings().is_empty(), "{:?}", files.warnings());
    let view = files.view("HKLM\\SOFTWARE");
    assert_eq!(view.damage(CBS), None);
    assert_eq!(view.damage(""), None);
}

#[test]
fn an_export_cut_short_is_damaged_below_its_top_key() {
    let text = export();
    // Cut at the line break after the first package: that key looks whole.
    let at = text.find("dword:00000070\r\n").unwrap() + "dword:00000070\r\n".len();
    let files = read(&utf16le_bom(&text[..at]));
    let view = files.view("HKLM\\SOFTWARE");
    let damage = view.damage(CBS).expect("damaged");
    assert!(
        damage.starts_with("Packages.reg:6: the export ends without the empty line"),
        "{damage}"
    );
    // Above and below the damaged key too; not beside it.
    assert!(view.damage("Microsoft").is_some());
    assert!(view.damage(&format!(r"{CBS}\Package_for_KB1")).is_some());
    assert_eq!(view.damage(CV), None);
    // Cut in the middle of a character, of a line.
    let bytes = utf16le_bom(&text);
    let files = read(&bytes[..bytes.len() - 11]);
    assert!(files.view("HKLM\\SOFTWARE").damage(CBS).is_some());
    // The cut line is not read: no CurrentState "dword:000000".
    let cut = text.rfind("0070").unwrap();
    let files = read(&text.as_bytes()[..cut]);
    let last = format!(r"{CBS}\Package_for_KB5006714~31bf3856ad364e35~amd64~~6.3.1.0");
    let view = files.view("HKLM\\SOFTWARE");
    assert_eq!(view.value(&last, "CurrentState"), None);
    assert!(view
        .damage(&last)
        .unwrap()
        .contains(":9: the file ends in the middle of this line"));
    // The same cut in a UTF-8 file: the missing empty line is not enough
    // (hand-made files lack it), a line without a break is.
    assert_eq!(
        read(&text.as_bytes()[..at])
            .view("HKLM\\SOFTWARE")
            .damage(CBS),
        None
    );
    let damage = read(&text.as_bytes()[..at - 4])
        .view("HKLM\\SOFTWARE")
        .damage(CBS)
        .expect("damaged");
    assert!(
        damage.contains("ends in the middle of this line"),
        "{damage}"
    );
}

#[test]
fn bad_lines_damage_the_key_they_belong_to() {
    let text = export();
    // A bad value line: its key (and the keys above it).
    let bad = text.replacen("dword:00000070", "dword:0000007x", 1);
    let files = read(bad.as_bytes());
    let view = files.view("HKLM\\SOFTWARE");
    assert!(view
        .damage(CBS)
        .unwrap()
        .starts_with("Packages.reg:6: value \"CurrentState\""));
    assert_eq!(view.damage(CV), None);
    // A key header without its ']': its parent, as far as it reads.
    let bad = text.replacen("6.3.1.0]", "6.3.1.0", 1);
    let view_files = read(bad.as_bytes());
    let damage = view_files.view("HKLM\\SOFTWARE").damage(CBS).unwrap();
    assert!(
        damage.contains("key header without closing ']'"),
        "{damage}"
    );
    assert_eq!(view_files.view("HKLM\\SOFTWARE").damage(CV), None);
    // A header whose root cannot be read: anything may be lost.
    let bad = text.replacen("[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages\\Package_for_KB5006714", "[HKEY_LOCAL_MACHIN\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages\\Package_for_KB5006714", 1);
    assert!(read(bad.as_bytes())
        .view("HKLM\\SOFTWARE")
        .damage(CV)
        .is_some());
    // An unrecognised line (a header that lost its '['): the current key's
    // siblings.
    let bad = text.replacen("[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages\\Package_for_KB5006714", "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages\\Package_for_KB5006714", 1);
    let files = read(bad.as_bytes());
    let damage = files.view("HKLM\\SOFTWARE").damage(CBS).unwrap();
    assert!(damage.contains("unrecognised line"), "{damage}");
    assert_eq!(files.view("HKLM\\SOFTWARE").damage(CV), None);
}

#[test]
fn reg_query_output_cut_or_bad_damages_its_key() {
    let out = "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\r\n    CurrentBuild    REG_SZ    17763\r\n    UBR    REG_DWORD    0x89f\r\n";
    let mut files = RegFiles::new();
    files.add_query_output(out.as_bytes(), "cv.txt").unwrap();
    assert_eq!(files.view("HKLM\\SOFTWARE").damage(CV), None);
    let mut files = RegFiles::new();
    files
        .add_query_output(&out.as_bytes()[..out.len() - 3], "cv.txt")
        .unwrap();
    // The cut line ("0x8") is not read.
    assert_eq!(files.view("HKLM\\SOFTWARE").value(CV, "UBR"), None);
    let damage = files.view("HKLM\\SOFTWARE").damage(CV).unwrap();
    assert!(
        damage.starts_with("cv.txt:4: the output ends in the middle of this line"),
        "{damage}"
    );
    assert_eq!(files.view("HKLM\\SOFTWARE").damage(CBS), None);
    let mut files = RegFiles::new();
    files
        .add_query_output(out.replace("0x89f", "0x8g9f").as_bytes(), "cv.txt")
        .unwrap();
    assert!(files
        .view("HKLM\\SOFTWARE")
        .damage(CV)
        .unwrap()
        .starts_with("cv.txt:4: value \"UBR\""));
}
