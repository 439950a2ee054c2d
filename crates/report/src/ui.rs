//! The one catalogue of user-interface labels, in English and Japanese.
//!
//! Every label is a [`Label`]: a label without a text in both languages, or
//! a key that is not in the catalogue, does not compile (and the script of
//! the HTML page is checked against [`Label::key`] by a test).

use acsready_assess::{Action, Severity, Verdict};
use acsready_rules::Lang;

/// Declares [`Label`] with its key, English and Japanese text, once.
macro_rules! catalogue {
    ($($name:ident $key:literal $en:literal $ja:literal;)*) => {
        /// A label of the user interface.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Label {
            $($name,)*
        }

        impl Label {
            /// Every label, in catalogue order.
            pub const ALL: &'static [Label] = &[$(Label::$name,)*];

            /// The label's key, as the HTML page's script knows it.
            pub fn key(self) -> &'static str {
                match self {
                    $(Label::$name => $key,)*
                }
            }

            /// The label in `lang`.
            pub fn text(self, lang: Lang) -> &'static str {
                let (en, ja) = match self {
                    $(Label::$name => ($en, $ja),)*
                };
                match lang {
                    Lang::En => en,
                    Lang::Ja => ja,
                }
            }
        }
    };
}

catalogue! {
    // The host report: table, HTML page, script.
    Host "host" "Host" "ホスト";
    Os "os" "OS" "OS";
    Build "build" "Build" "ビルド";
    Verdict "verdict" "Verdict" "判定";
    Findings "findings" "Findings" "指摘";
    Agents "agents" "Agent plan" "エージェントの対応";
    Summary "summary" "Summary" "集計";
    Hosts "hosts" "hosts" "台";
    HostOne "host_one" "host" "台";
    Details "details" "What to do" "対処";
    Evidence "evidence" "evidence" "根拠";
    InputErrors "input_errors" "Input errors" "入力エラー";
    Warnings "warnings" "Warnings (the hosts were still assessed)" "警告 (端末の判定は行いました)";
    Rules "rules" "Rules" "ルール";
    AsOf "as_of" "as of {date}" "{date} 時点";
    HostWord "host_word" "host" "ホスト";
    NotAssessed "not_assessed" "Not assessed" "判定できなかった入力";
    NotAssessedHint "not_assessed_hint" "(records, host folders or inputs: see the input errors above)" "件 (レコード・端末フォルダー・入力。上の入力エラーを参照)";
    AgentsTotal "agents_total" "agents" "エージェント";
    Remediation "remediation" "Remediation" "対処";
    Severity "severity" "Severity" "重要度";
    Source "source" "Source" "出典";
    ExplainPerRelease "explain_per_release" "Per Windows release, from the rules (acsready rules shows all they hold):" "Windows リリースごとの値 (ルールより。ルールの内容はすべて acsready rules で表示できます):";
    ExplainCapitals "explain_capitals" "Words in capitals stand for a host's values: acsready assess shows them filled in for each host; acsready rules shows the values the rules hold." "大文字の語は端末ごとの値を表します。acsready assess で端末ごとの実際の値を、acsready rules でルールが持つ値を表示できます。";
    // The progress line of `assess` on a terminal.
    Progress "progress" "{count} assessed ({rate}/s, {elapsed})" "{count}を判定 (毎秒 {rate} 台, {elapsed})";
    // Reading a disk image (`--image`) on a terminal.
    ImageProgress "image_progress" "Reading {image}: {file} ({done} of {total} MB)" "{image} を読み取り中: {file} ({done} / {total} MB)";
    // `acsready facts --format table`.
    Fact "fact" "Fact" "項目";
    Value "value" "Value" "値";
    Conflict "conflict" "conflict" "不一致";
    EntryOne "entry_one" "entry" "件";
    Entries "entries" "entries" "件";
    // The HTML page.
    Title "title" "ACS readiness report" "ACS 署名 対応状況レポート";
    ByVerdict "by_verdict" "Hosts by verdict" "判定別の台数";
    ByOs "by_os" "Hosts by OS release" "OS リリース別の台数";
    ByAction "by_action" "Agents by planned action" "エージェントの対応別の数";
    HostList "host_list" "Hosts" "ホスト一覧";
    Filter "filter" "Filter: host, OS, build, code, agent" "絞り込み: ホスト・OS・ビルド・コード・エージェント";
    Prev "prev" "◀ Previous" "◀ 前へ";
    Next "next" "Next ▶" "次へ ▶";
    Page "page" "page" "ページ";
    FilteredFrom "filtered_from" "filtered from" "全";
    DetailsTitle "details_title" "Details" "詳細";
    PickHost "pick_host" "Click a host in the table to see its findings, agents and modules." "表のホストをクリックすると、指摘・エージェント・モジュールを表示します。";
    Modules "modules" "Modules" "モジュール";
    Sources "sources" "Sources" "入力元";
    None "none" "none" "なし";
    Other "other" "other" "その他";
    UnknownOs "unknown_os" "unknown" "不明";
    Noscript "noscript" "The host table needs JavaScript; the counts above are complete." "ホスト一覧の表示には JavaScript が必要です。上の集計は完全です。";
    // The server's dashboard (besides the labels above).
    DashTitle "dash_title" "acsready fleet" "acsready フリート";
    SignInTitle "sign_in_title" "Sign in to the fleet dashboard" "フリート ダッシュボードにサインイン";
    TokenLabel "token_label" "Read token" "読み取りトークン";
    SignIn "sign_in" "Sign in" "サインイン";
    SignOut "sign_out" "Sign out" "サインアウト";
    LoginFailed "login_failed" "The token was not accepted: it must be a valid read token." "トークンが受け付けられませんでした。有効な読み取り (read) トークンを入力してください。";
    TokenHint "token_hint" "Create one with: acsready token create --scope read" "作成方法: acsready token create --scope read";
    Release "release" "OS release" "OS リリース";
    Action "action" "Agent action" "エージェントの対応";
    Search "search" "Search" "検索";
    SearchHint "search_hint" "host, OS or finding code" "ホスト・OS・指摘コード";
    All "all" "all" "すべて";
    TableCaption "table_caption" "Hosts; press Enter on a row to open it" "ホスト一覧。行で Enter を押すと開きます";
    AssessedAt "assessed_at" "Assessed" "判定日時";
    CollectedAt "collected_at" "Collected" "収集日時";
    RulesVersion "rules_version" "Rules version" "ルールのバージョン";
    OpenHost "open_host" "Open a host in the table to see its findings, evidence, remediation and agent plan." "表のホストを開くと、指摘・根拠・対処・エージェントの対応を表示します。";
    DashNoscript "dash_noscript" "The dashboard needs JavaScript." "ダッシュボードには JavaScript が必要です。";
    History "history" "History" "履歴";
    NoHosts "no_hosts" "No host matches." "該当するホストはありません。";
    Loading "loading" "Loading…" "読み込み中…";
    NotFound "not_found" "This host is not stored." "このホストは登録されていません。";
    Close "close" "Close" "閉じる";
    LoadFailed "load_failed" "Could not load" "読み込めませんでした";
    Csv "csv" "CSV of every host (Excel)" "全ホストの CSV (Excel)";
    // The dashboard's trend chart.
    TrendTitle "trend_title" "Ready hosts per day" "日ごとの対応済み台数";
    TrendDays "trend_days" "Days" "期間 (日)";
    TrendDay "trend_day" "Day (UTC)" "日付 (UTC)";
    TrendTable "trend_table" "The numbers, day by day" "日ごとの数値";
    TrendEmpty "trend_empty" "No day is kept yet: the trend starts with the first host." "記録された日はまだありません。最初のホストの登録から記録します。";
    TrendNow "trend_now" "{ready} of {hosts} hosts ready on {day}" "{day} 時点で {hosts} 台中 {ready} 台が対応済み";
    TrendChange "trend_change" "{change} since {from}" "{from} から {change} 台";
    TrendSince "trend_since" "Counts at the end of each day (UTC), kept since {date}." "各日の終わり (UTC) の台数。{date} から記録しています。";
    // The preflight report.
    PfTitle "pf_title" "Preflight: Virus Buster Corp. XG → Apex One" "プリフライト: ウイルスバスター Corp. XG → Apex One";
    PfPhase "pf_phase" "phase" "段階";
    PfBeforeTheUpgrade "pf_before_the_upgrade" "before the upgrade" "バージョンアップ前";
    PfAfterTheUpgrade "pf_after_the_upgrade" "after the upgrade" "バージョンアップ後";
    PfServer "pf_server" "Server" "管理サーバ";
    PfAgent "pf_agent" "Agent" "エージェント";
    PfVersion "pf_version" "Version" "バージョン";
    PfUnsupported "pf_unsupported" "unsupported" "サポート外";
    PfNot1 "pf_not1" "not 1" "1 以外";
    PfNotChecked "pf_not_checked" "Not checked (no Apex One / Corp. XG agent)" "確認対象外 (Apex One / Corp. XG エージェントなし)";
    PfBlocks "pf_blocks" "BLOCKS" "阻害";
    PfHosts "pf_hosts" "hosts" "端末";
    PfSummary "pf_summary" "Summary" "集計";
    PfAgents "pf_agents" "agents" "エージェント";
    PfFindingItems "pf_finding_items" "findings" "件の指摘";
    PfBlockingItems "pf_blocking_items" "blocking" "件の阻害要因";
    PfResultBlocked "pf_result_blocked" "Result: the upgrade is blocked; fix the BLOCKS findings first." "結果: バージョンアップを阻害する要因があります。「阻害」の指摘を先に対処してください。";
    PfResultNotBlocked "pf_result_not_blocked" "Result: nothing blocks the upgrade." "結果: バージョンアップを阻害する要因はありません。";
    PfResultAfterBlocked "pf_result_after_blocked" "Result: after the upgrade, something still stands in the way; fix the BLOCKS findings first." "結果: バージョンアップ後も阻害要因が残っています。「阻害」の指摘を先に対処してください。";
    PfResultAfterNotBlocked "pf_result_after_not_blocked" "Result: after the upgrade, nothing blocks; work through the findings above." "結果: バージョンアップ後の確認で阻害要因はありません。上の指摘を確認してください。";
    PfNoServerEvidence "pf_no_server_evidence" "no server evidence given (give --server-hive, --server-reg, --server-dir or --server-version): only the agents were checked" "管理サーバの情報が指定されていません (--server-hive、--server-reg、--server-dir、--server-version で指定)。エージェントのみ確認しました";
    PfError "pf_error" "error" "エラー";
    // `acsready inspect --format table`.
    InspectFile "inspect_file" "File" "ファイル";
    InspectFormat "inspect_format" "Format" "形式";
    InspectSigner "inspect_signer" "Signer" "署名者";
    InspectAcs "inspect_acs" "ACS" "ACS 署名";
    InspectIntegrity "inspect_integrity" "Integrity" "改ざん検査";
    InspectNeedsReady "inspect_needs_ready" "Needs a ready host" "対応済みの端末が必要";
    InspectUnknownFormat "inspect_unknown_format" "unknown" "不明";
    InspectNotSigned "inspect_not_signed" "(not signed)" "(署名なし)";
    InspectNotRead "inspect_not_read" "unknown (not read)" "不明 (読めません)";
    Yes "yes" "yes" "はい";
    No "no" "no" "いいえ";
    PfWarning "pf_warning" "warning" "警告";
    PfRules "pf_rules" "Rules" "ルール";
    PfBannerBlocked "pf_banner_blocked" "The upgrade is blocked: fix the items marked BLOCKS first." "バージョンアップを阻害する項目があります。「阻害」の項目を先に解消してください。";
    PfBannerNotBlocked "pf_banner_not_blocked" "Nothing blocks the upgrade." "バージョンアップを阻害する項目はありません。";
    PfBannerAfterBlocked "pf_banner_after_blocked" "After the upgrade, something still stands in the way: fix the items marked BLOCKS first." "バージョンアップ後も阻害要因が残っています。「阻害」の項目を先に解消してください。";
    PfBannerAfterNotBlocked "pf_banner_after_not_blocked" "After the upgrade, nothing blocks: work through the findings below." "バージョンアップ後の確認で阻害要因はありません。下の指摘を確認してください。";
    PfBlockingCount "pf_blocking_count" "blocking" "阻害要因";
    PfFindingsCount "pf_findings_count" "findings" "指摘";
    PfFindingsTitle "pf_findings_title" "Findings" "指摘事項";
    PfNone "pf_none" "none" "なし";
    PfEvidence "pf_evidence" "evidence" "根拠";
    PfRemediation "pf_remediation" "Remediation" "対処";
    PfAgentsTitle "pf_agents_title" "Agents" "エージェント";
    PfInputErrors "pf_input_errors" "Input errors" "入力エラー";
    PfWarnings "pf_warnings" "Warnings" "警告";
}

/// The columns of the host table, in order (terminal and HTML).
pub const HOST_COLUMNS: [Label; 6] = [
    Label::Host,
    Label::Os,
    Label::Build,
    Label::Verdict,
    Label::Findings,
    Label::Agents,
];

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

pub fn severity_label(s: Severity, lang: Lang) -> &'static str {
    match (lang, s) {
        (Lang::En, _) => s.as_str(),
        (Lang::Ja, Severity::Critical) => "緊急",
        (Lang::Ja, Severity::High) => "高",
        (Lang::Ja, Severity::Medium) => "中",
        (Lang::Ja, Severity::Low) => "低",
        (Lang::Ja, Severity::Info) => "情報",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_label_has_a_text_in_both_languages_and_a_key_of_its_own() {
        let mut keys = BTreeSet::new();
        for label in Label::ALL {
            assert!(keys.insert(label.key()), "{label:?}: key used twice");
            for lang in [Lang::En, Lang::Ja] {
                assert!(!label.text(lang).trim().is_empty(), "{label:?} in {lang}");
            }
        }
    }
}
