//! Labels of the user interface in English and Japanese.

use acsready_assess::{Action, Verdict};
use acsready_rules::Lang;

pub fn verdict_label(v: Verdict, lang: Lang) -> &'static str {
    match (lang, v) {
        (Lang::En, Verdict::Ready) => "ready",
        (Lang::En, Verdict::NotReady) => "not ready",
        (Lang::En, Verdict::Unknown) => "unknown",
        (Lang::En, Verdict::Unsupported) => "unsupported",
        (Lang::Ja, Verdict::Ready) => "対応済み",
        (Lang::Ja, Verdict::NotReady) => "未対応",
        (Lang::Ja, Verdict::Unknown) => "不明",
        (Lang::Ja, Verdict::Unsupported) => "サポート外",
    }
}

pub fn action_label(a: Action, lang: Lang) -> &'static str {
    match (lang, a) {
        (Lang::En, Action::Upgrade) => "upgrade",
        (Lang::En, Action::Pin) => "pin",
        (Lang::En, Action::FixHost) => "fix host",
        (Lang::En, Action::Hold) => "hold",
        (Lang::En, Action::None) => "none",
        (Lang::Ja, Action::Upgrade) => "アップグレード",
        (Lang::Ja, Action::Pin) => "固定",
        (Lang::Ja, Action::FixHost) => "端末を修正",
        (Lang::Ja, Action::Hold) => "保留",
        (Lang::Ja, Action::None) => "対応不要",
    }
}

/// A label by key.
pub(crate) fn t(lang: Lang, key: &str) -> &'static str {
    let (en, ja) = match key {
        "host" => ("Host", "ホスト"),
        "os" => ("OS", "OS"),
        "build" => ("Build", "ビルド"),
        "verdict" => ("Verdict", "判定"),
        "findings" => ("Findings", "指摘"),
        "agents" => ("Agent plan", "エージェントの対応"),
        "summary" => ("Summary", "集計"),
        "hosts" => ("hosts", "台"),
        "details" => ("What to do", "対処"),
        "evidence" => ("evidence", "根拠"),
        "input_errors" => ("Input errors", "入力エラー"),
        "warnings" => (
            "Warnings (the hosts were still assessed)",
            "警告 (端末の判定は行いました)",
        ),
        "rules" => ("Rules", "ルール"),
        "host_word" => ("host", "ホスト"),
        "not_assessed" => ("Not assessed", "判定できなかった入力"),
        "not_assessed_hint" => (
            "(records, host folders or inputs: see the input errors above)",
            "件 (レコード・端末フォルダー・入力。上の入力エラーを参照)",
        ),
        "agents_total" => ("agents", "エージェント"),
        "explain" => ("Explanation", "説明"),
        "remediation" => ("Remediation", "対処"),
        "severity" => ("Severity", "重要度"),
        "source" => ("Source", "出典"),
        _ => ("", ""),
    };
    match lang {
        Lang::En => en,
        Lang::Ja => ja,
    }
}
