//! ACS-like signatures made here: `openssl` builds a chain shaped like
//! Trusted Signing's (a root named as the ACS root, a "PCA", an ECDSA
//! "CS EOC CA" and a 3-day ECDSA leaf with EKU 1.3.6.1.4.1.311.97.1.0 and
//! code signing) and `osslsigncode` (Debian package) signs the shared
//! unsigned PE and MSI with it: SHA-256, SHA-384 with
//! `MsiDigitalSignatureEx`, SHA-512, and a nested SHA-1 signature.
//!
//! The root is not embedded, as in real ACS files, and it is not the real
//! root (its SHA-1 differs): the files are ACS by the EKU and by the name of
//! the top certificate's issuer. When either tool is missing the test says
//! so and passes.

use std::path::Path;
use std::process::Command;

use acsready_signature::{inspect_bytes, inspect_path, AcsIdentity, Integrity};

fn acs() -> AcsIdentity {
    AcsIdentity {
        root_subject: "CN=Microsoft Identity Verification Root Certificate Authority 2020, O=Microsoft Corporation, C=US".into(),
        root_sha1: acsready_testkit::ACS_ROOT_SHA1.into(),
        eku: "1.3.6.1.4.1.311.97.1.0".into(),
    }
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stdout.is_empty() || !o.stderr.is_empty())
}

fn run(dir: &Path, tool: &str, args: &[&str]) {
    let out = Command::new(tool)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const EXT: &str = "\
[ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[leaf]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=1.3.6.1.4.1.311.97.1.0,codeSigning,1.3.6.1.4.1.311.97.1234.5678
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
";

/// Makes the chain in `dir`: `leaf.key` and `chain.pem` (leaf, EOC, PCA).
fn make_chain(dir: &Path) {
    std::fs::write(dir.join("ext.cnf"), EXT).unwrap();
    let o = |args: &[&str]| run(dir, "openssl", args);
    o(&[
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "root.key", "-out",
        "root.pem", "-days", "3650", "-subj",
        "/C=US/O=Microsoft Corporation/CN=Microsoft Identity Verification Root Certificate Authority 2020",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    o(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "pca.key",
        "-out",
        "pca.csr",
        "-subj",
        "/C=US/O=Microsoft Corporation/CN=Test ID Verified Code Signing PCA",
    ]);
    o(&[
        "x509",
        "-req",
        "-in",
        "pca.csr",
        "-CA",
        "root.pem",
        "-CAkey",
        "root.key",
        "-CAcreateserial",
        "-out",
        "pca.pem",
        "-days",
        "1000",
        "-extfile",
        "ext.cnf",
        "-extensions",
        "ca",
    ]);
    o(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-out",
        "eoc.key",
    ]);
    o(&[
        "req",
        "-new",
        "-key",
        "eoc.key",
        "-out",
        "eoc.csr",
        "-subj",
        "/C=US/O=Microsoft Corporation/CN=Test ID Verified CS EOC CA 01",
    ]);
    o(&[
        "x509",
        "-req",
        "-in",
        "eoc.csr",
        "-CA",
        "pca.pem",
        "-CAkey",
        "pca.key",
        "-CAcreateserial",
        "-out",
        "eoc.pem",
        "-days",
        "500",
        "-extfile",
        "ext.cnf",
        "-extensions",
        "ca",
    ]);
    o(&[
        "ecparam",
        "-name",
        "secp384r1",
        "-genkey",
        "-noout",
        "-out",
        "leaf.key",
    ]);
    o(&[
        "req",
        "-new",
        "-key",
        "leaf.key",
        "-out",
        "leaf.csr",
        "-subj",
        "/C=JP/O=Example KK/CN=Example KK",
    ]);
    o(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "eoc.pem",
        "-CAkey",
        "eoc.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "3",
        "-extfile",
        "ext.cnf",
        "-extensions",
        "leaf",
    ]);
    let chain: Vec<u8> = ["leaf.pem", "eoc.pem", "pca.pem"]
        .iter()
        .flat_map(|f| std::fs::read(dir.join(f)).unwrap())
        .collect();
    std::fs::write(dir.join("chain.pem"), chain).unwrap();
}

fn sign(dir: &Path, input: &Path, out: &str, extra: &[&str]) -> std::path::PathBuf {
    let input = input.to_string_lossy();
    let mut args = vec![
        "sign",
        "-certs",
        "chain.pem",
        "-key",
        "leaf.key",
        "-in",
        &input,
        "-out",
        out,
    ];
    args.extend_from_slice(extra);
    run(dir, "osslsigncode", &args);
    dir.join(out)
}

#[test]
fn acs_like_signatures_made_with_osslsigncode() {
    if !have("openssl") || !have("osslsigncode") {
        eprintln!("openssl or osslsigncode is missing: generated ACS-like files are not checked");
        return;
    }
    let dir = acsready_testkit::temp_dir("signature-generated");
    make_chain(&dir);
    let exe = acsready_testkit::shared("testdata/pe/osslsigncode__unsigned.exe");
    let msi = acsready_testkit::shared("testdata/msi/osslsigncode__unsigned.msi");

    let signed = [
        (
            sign(&dir, &exe, "acs.exe", &["-h", "sha256"]),
            vec!["sha256"],
        ),
        (
            sign(
                &dir,
                &dir.join("acs.exe"),
                "dual.exe",
                &["-h", "sha1", "-nest"],
            ),
            vec!["sha256", "sha1"],
        ),
        (
            sign(&dir, &msi, "dse.msi", &["-h", "sha384", "-add-msi-dse"]),
            vec!["sha384"],
        ),
        (
            sign(&dir, &msi, "sha512.msi", &["-h", "sha512"]),
            vec!["sha512"],
        ),
    ];
    for (path, algs) in &signed {
        let r = inspect_path(path, &acs());
        assert_eq!(r.error, None, "{}", path.display());
        let got: Vec<_> = r
            .signatures
            .iter()
            .map(|s| s.digest_algorithm.as_str())
            .collect();
        assert_eq!(&got, algs, "{}", path.display());
        for s in &r.signatures {
            assert_eq!(s.integrity, Integrity::Intact, "{}", path.display());
            assert!(s.acs, "{}", path.display());
            assert_eq!(
                s.signer.as_deref(),
                Some("CN=Example KK, O=Example KK, C=JP")
            );
            // As in real ACS signatures, the root is not embedded: the
            // chain stops at the PCA, which names the root as its issuer.
            assert_eq!(s.root, None, "{}", path.display());
            assert_eq!(s.root_sha1, None);
            assert!(!s.chain_complete);
            assert_eq!(
                s.top_issuer.as_deref(),
                Some("CN=Microsoft Identity Verification Root Certificate Authority 2020, O=Microsoft Corporation, C=US")
            );
            assert_eq!(s.chain.len(), 3);
            assert!(s.chain[0]
                .ekus
                .iter()
                .any(|e| e == "1.3.6.1.4.1.311.97.1.0"));
        }

        // One changed byte of content is caught: in the MSI, a letter of
        // the product name in the string pool; in the image, mid-file.
        let mut bytes = std::fs::read(path).unwrap();
        let at = bytes
            .windows(10)
            .position(|w| w == b"Foobar 1.0")
            .unwrap_or(bytes.len() / 3);
        bytes[at] ^= 0x01;
        let r = inspect_bytes(&path.to_string_lossy(), &bytes, &acs());
        assert!(
            !r.signatures.is_empty()
                && r.signatures
                    .iter()
                    .all(|s| matches!(s.integrity, Integrity::Tampered { .. })),
            "{}: {:?}",
            path.display(),
            r.signatures
        );
    }

    // Without the EKU pinned, the name of the PCA's issuer still makes the
    // chain ACS; with another root name and EKU it is not.
    let by_name = AcsIdentity {
        eku: "1.2.3.4".into(),
        ..acs()
    };
    assert!(inspect_path(&signed[0].0, &by_name).signatures[0].acs);
    let neither = AcsIdentity {
        root_subject: "CN=Other Root, C=US".into(),
        ..by_name
    };
    assert!(!inspect_path(&signed[0].0, &neither).signatures[0].acs);
    let _ = std::fs::remove_dir_all(&dir);
}
