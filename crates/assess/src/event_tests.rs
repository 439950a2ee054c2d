//! Events that explain a blocked install or a broken agent.

use serde_json::json;

use crate::tests::{codes, host, run};

#[test]
fn events_explain_the_symptom() {
    let a = run(host(
        "17763.2183",
        "Server",
        json!({"events": [
            {"id": 900, "provider": "Trend Micro Apex One", "time": "2023-04-01T10:00:00Z",
             "message": "ダウンロードされた1つ以上のファイルに有効なデジタル署名が含まれていませんでした C:\\x.dll"},
            {"id": 900, "provider": "Software Protection Platform Service", "message": "The service is starting"},
            {"id": 11708, "provider": "MsiInstaller",
             "message": "製品 Trend Micro Apex Oneセキュリティエージェント -- インストール操作に失敗しました。"},
            {"id": 11708, "provider": "MsiInstaller", "message": "Product: Contoso -- Installation operation failed."},
            {"id": 1, "provider": "x", "message": "Apex Oneセキュリティエージェントをインストールできません。システムでAzure Code Signingがサポートされていません。"}
        ]}),
    ));
    let c = codes(&a);
    assert!(
        c.contains(&"ACS030") && c.contains(&"ACS031") && c.contains(&"ACS032"),
        "{c:?}"
    );
    let e900 = a.findings.iter().find(|f| f.code == "ACS030").unwrap();
    assert_eq!(e900.evidence.len(), 1, "the SPP event 900 must not match");
    assert!(e900.title.contains("2023-04-01T10:00:00Z"));
    let e11708 = a.findings.iter().find(|f| f.code == "ACS031").unwrap();
    assert_eq!(
        e11708.evidence.len(),
        1,
        "the Contoso failure must not match"
    );
}

/// Seed 003's generic message counts only when it names a Trend Micro program.
#[test]
fn the_generic_cannot_run_message_needs_a_trend_micro_program() {
    let generic = "は Windows 上では実行できないか、エラーを含んでいます。元のインストール メディアを使用して再インストールするか、システム管理者またはソフトウェアの製造元に問い合わせてください。";
    let with = |message: String| {
        run(host(
            "17763.2183",
            "Server",
            json!({"events": [{"id": 26, "provider": "Application Popup", "time": "2023-05-01T09:00:00Z", "message": message}]}),
        ))
    };
    let a = with(format!("\\\\srv\\ofcscan\\AutoPcc.exe {generic}"));
    let f = a
        .findings
        .iter()
        .find(|f| f.code == "ACS038")
        .expect("ACS038");
    assert!(f.title.contains("2023-05-01T09:00:00Z"));
    let en = "C:\\Temp\\Trend Micro\\agent.exe is either not designed to run on Windows or it contains an error.";
    assert!(codes(&with(en.to_string())).contains(&"ACS038"));
    assert!(!codes(&with(format!("C:\\Temp\\contoso.exe {generic}"))).contains(&"ACS038"));
}

/// ACS017: a root the Apex One family's checks need, absent while automatic
/// root update is off; nothing when Windows may fetch it, or for other products.
#[test]
fn vendor_roots_are_advice_where_windows_cannot_fetch_them() {
    let g5 = "4EB6D578499B1CCF5F581EAD56BE3D9B6744A5E5";
    let root = "F40042E2E5F7E8EF8189FED15519AECE42C3BFA2";
    let with = |product: &str, auto_off: bool, extra_cert: Option<&str>| {
        let mut certs = vec![json!({"sha1": root, "store": "ROOT"})];
        if let Some(c) = extra_cert {
            certs.push(json!({"sha1": c, "store": "AuthRoot"}));
        }
        let mut h = host("17763.2300", "Server", json!({}));
        h["certificates"] = json!(certs);
        h["root_auto_update_disabled"] = json!(auto_off);
        h["agents"] = json!([{"product": product, "version": "14.0.12011"}]);
        run(h)
    };
    let a = with("apex_one_agent", true, None);
    let f = a
        .findings
        .iter()
        .find(|f| f.code == "ACS017")
        .expect("ACS017");
    assert!(f.remediation[0].contains(g5), "{:?}", f.remediation);
    assert_eq!(a.verdict, crate::Verdict::Ready, "advice only");
    assert!(!codes(&with("apex_one_agent", false, None)).contains(&"ACS017"));
    assert!(!codes(&with("apex_one_agent", true, Some(g5))).contains(&"ACS017"));
    assert!(!codes(&with("deep_security_agent", true, None)).contains(&"ACS017"));
}
