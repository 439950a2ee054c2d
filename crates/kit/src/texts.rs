//! The kit's texts in English and Japanese (`{name}` placeholders filled by
//! the caller from the rules). Batch files and `.reg` files stay ASCII
//! English: cmd.exe reads them in the OEM code page.

use acsready_rules::Lang;

/// One text of the kit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    KitTitle,
    KitIntro,
    KitGroups,
    KitNoGroups,
    KitFlow,
    HostsFiles,
    FilesHeading,
    Hosts,
    RootTitle,
    RootBody,
    AutoUpdateTitle,
    AutoUpdateBody,
    UpdatesTitle,
    UpdatesBody,
    KindNewestRollup,
    KindRollup,
    KindSecurityOnly,
    KindCumulative,
    UnsupportedTitle,
    UnsupportedBody,
    DistrustedTitle,
    DistrustedBody,
    DamagedTitle,
    DamagedBody,
    PinApexTitle,
    PinApexBody,
    ConsoleTitle,
    ConsoleBody,
    Target,
    Computers,
    VersionControlApi,
    Assessed,
}

impl Text {
    pub const ALL: [Text; 32] = [
        Text::KitTitle,
        Text::KitIntro,
        Text::KitGroups,
        Text::KitNoGroups,
        Text::KitFlow,
        Text::HostsFiles,
        Text::FilesHeading,
        Text::Hosts,
        Text::RootTitle,
        Text::RootBody,
        Text::AutoUpdateTitle,
        Text::AutoUpdateBody,
        Text::UpdatesTitle,
        Text::UpdatesBody,
        Text::KindNewestRollup,
        Text::KindRollup,
        Text::KindSecurityOnly,
        Text::KindCumulative,
        Text::UnsupportedTitle,
        Text::UnsupportedBody,
        Text::DistrustedTitle,
        Text::DistrustedBody,
        Text::DamagedTitle,
        Text::DamagedBody,
        Text::PinApexTitle,
        Text::PinApexBody,
        Text::ConsoleTitle,
        Text::ConsoleBody,
        Text::Target,
        Text::Computers,
        Text::VersionControlApi,
        Text::Assessed,
    ];

    pub fn get(self, lang: Lang) -> &'static str {
        let (en, ja) = self.both();
        match lang {
            Lang::En => en,
            Lang::Ja => ja,
        }
    }

    fn both(self) -> (&'static str, &'static str) {
        match self {
            Text::KitTitle => ("acsready remediation kit", "acsready 対処キット"),
            Text::KitIntro => (
                "Written by `acsready fix-kit` from the assessment in `report.json` and the rules {rules}. One folder per action group: review each folder's README, apply its files to the hosts it lists, collect again, then check with `acsready verify --before report.json NEW-INPUTS`.",
                "`acsready fix-kit` が `report.json` の判定結果とルール {rules} から作成しました。対処ごとに 1 フォルダーです。各フォルダーの README を確認し、記載された端末にファイルを適用してから再収集し、`acsready verify --before report.json 新しい入力` で確認してください。",
            ),
            Text::KitGroups => ("Folders", "フォルダー"),
            Text::KitNoGroups => ("No host needs a change the kit can make.", "キットで対処できる端末はありません。"),
            Text::KitFlow => (
                "1. assess → 2. kit (this folder) → 3. apply (GPO, ConfigMgr, WSUS, or by hand) → 4. collect again (collector/acsready-collect.cmd) → 5. `acsready verify --before report.json …`: per host fixed, still failing, or worse, with the reason. Every script logs to `%SystemRoot%\\Temp\\acsready-kit-*.log` on the host, is idempotent (run it twice: the second run changes nothing) and exits 0 when the host is as wanted, 1 when it failed, 2 when a file of the kit is missing, 3 when there was nothing to change.",
                "1. 判定 → 2. キット (このフォルダー) → 3. 適用 (GPO、ConfigMgr、WSUS、または手作業) → 4. 再収集 (collector/acsready-collect.cmd) → 5. `acsready verify --before report.json …` で端末ごとに「対処済み」「未解決」「悪化」と理由を確認します。各スクリプトは端末の `%SystemRoot%\\Temp\\acsready-kit-*.log` に記録し、何度実行しても結果は同じです (2 回目は何も変更しません)。終了コードは 0 (目的の状態)、1 (失敗)、2 (キットのファイル不足)、3 (変更対象なし) です。",
            ),
            Text::HostsFiles => (
                "`hosts.txt`: the hosts of this group, one per line (for a GPO security filter, a ConfigMgr collection, or a loop). `hosts.csv`: the same hosts with their OS, build, verdict and finding codes (UTF-8 with BOM, opens in Excel).",
                "`hosts.txt`: このグループの端末 (1 行 1 台。GPO のセキュリティ フィルター、ConfigMgr のコレクション、スクリプトのループに)。`hosts.csv`: 同じ端末の OS、ビルド、判定、指摘コード (BOM 付き UTF-8。Excel で開けます)。",
            ),
            Text::FilesHeading => ("Files in this folder", "このフォルダーのファイル"),
            Text::Hosts => ("hosts", "台"),
            Text::RootTitle => ("Add the ACS root certificate", "ACS ルート証明書の追加"),
            Text::RootBody => (
                "These hosts do not have \"{root_name}\" in a trusted store of the local machine (findings ACS004, ACS005).\n\n\
- `{cer}`: the certificate itself (DER). SHA-1 {sha1}, SHA-256 {sha256}; acsready checked both against its rules before writing it. Check it yourself: `certutil -hashfile {cer} SHA256`.\n\
- `add-root.cmd`: adds it with `certutil -addstore -f {store} {cer}` unless the {store} store already holds {sha1}, then looks the thumbprint up in the store again. Changes only the {store} store. Needs certutil (Windows Vista / Server 2003 and later; on Windows XP use the `.reg`).\n\
- `add-root.reg`: the same store entry as a registry file: the key `{key}` with the `Blob` Windows keeps there (the SHA-1 hash property and the certificate, [MS-GPEF] 2.2.1.1.1). Import it with `reg import add-root.reg`, or deploy it as a Group Policy Registry preference.\n\
- `remove-root.cmd`, `remove-root.reg`: the undo (`certutil -delstore {store} {sha1}`, or the key deleted).\n\n\
Group Policy instead: {gpo}, import `{cer}`.\n\n\
**Verify**: `certutil -store {store} {sha1}` on the host finds it; collect again and run `acsready verify`: ACS004 and ACS005 are gone.",
                "これらの端末では、ローカル コンピューターの信頼されたストアに「{root_name}」がありません (指摘 ACS004、ACS005)。\n\n\
- `{cer}`: 証明書そのもの (DER)。SHA-1 {sha1}、SHA-256 {sha256}。acsready がルールと照合してから書き出しました。ご自身でも確認できます: `certutil -hashfile {cer} SHA256`。\n\
- `add-root.cmd`: {store} ストアに {sha1} がなければ `certutil -addstore -f {store} {cer}` で追加し、追加後にストアの拇印を再確認します。変更するのは {store} ストアだけです。certutil が必要です (Windows Vista / Server 2003 以降。Windows XP では `.reg` を使用)。\n\
- `add-root.reg`: 同じストアのエントリーをレジストリ ファイルにしたものです: キー `{key}` と、Windows がそこに保存する `Blob` (SHA-1 ハッシュのプロパティと証明書。[MS-GPEF] 2.2.1.1.1)。`reg import add-root.reg` で取り込むか、グループ ポリシーの基本設定 (レジストリ) で配布します。\n\
- `remove-root.cmd`、`remove-root.reg`: 元に戻す手順です (`certutil -delstore {store} {sha1}`、またはキーの削除)。\n\n\
グループ ポリシーで配布する場合: {gpo} で `{cer}` をインポートします。\n\n\
**確認**: 端末で `certutil -store {store} {sha1}` が証明書を表示すること。再収集して `acsready verify` を実行し、ACS004 と ACS005 が消えていること。",
            ),
            Text::AutoUpdateTitle => ("Turn automatic root certificate update back on", "ルート証明書の自動更新を有効に戻す"),
            Text::AutoUpdateBody => (
                "On these hosts the policy \"Turn off Automatic Root Certificates Update\" is set ({key} {value} = {disabled}), so Windows cannot fetch missing roots (findings ACS004, ACS017).\n\n\
- `enable-root-auto-update.reg`: sets {value} = {enabled} under `{key}`.\n\
- `enable-root-auto-update.cmd`: imports that file unless the value is already {enabled}, then reads the value back.\n\
- `undo-root-auto-update.reg`, `undo-root-auto-update.cmd`: the undo ({value} = {disabled}).\n\n\
A Group Policy that sets the value writes it again at its next refresh: change it there instead, {gpo}. Hosts without access to Windows Update still need the root itself (folder `root-missing`).\n\n\
**Verify**: `reg query \"{key}\" /v {value}` shows {enabled}; collect again and run `acsready verify`: ACS004 is gone.",
                "これらの端末ではポリシー「ルート証明書の自動更新をオフにする」が設定され ({key} の {value} = {disabled})、Windows が不足しているルート証明書を取得できません (指摘 ACS004、ACS017)。\n\n\
- `enable-root-auto-update.reg`: `{key}` の {value} を {enabled} にします。\n\
- `enable-root-auto-update.cmd`: 値が {enabled} でなければ上のファイルを取り込み、取り込み後に値を読み直して確認します。\n\
- `undo-root-auto-update.reg`、`undo-root-auto-update.cmd`: 元に戻す手順です ({value} = {disabled})。\n\n\
この値をグループ ポリシーで設定している場合、次回のポリシー更新で元に戻ります。ポリシー側で変更してください: {gpo}。Windows Update に接続できない端末には、ルート証明書そのものも必要です (フォルダー `root-missing`)。\n\n\
**確認**: `reg query \"{key}\" /v {value}` が {enabled} を示すこと。再収集して `acsready verify` を実行し、ACS004 が消えていること。",
            ),
            Text::UpdatesTitle => ("Windows update for ACS: {os}", "ACS 用の Windows 更新プログラム: {os}"),
            Text::UpdatesBody => (
                "These hosts lack the update their Windows release needs for ACS (findings ACS001, ACS002). Approve one of these (from the rules; the first is the one to prefer):\n\n{kbs}\n\n\
- `approve.csv`: the same list for WSUS or Configuration Manager (KB, kind, date, Microsoft Update Catalog link, number of hosts); `updates-to-approve.csv` at the top of the kit lists every release.\n\
- `install-update.cmd`: for hosts patched by hand. Save the `.msu` from the catalog beside it, named `KB<number>.msu`; it installs the first one it finds with `wusa /quiet /norestart` unless one of the KBs is installed already, and says when a restart is needed. wusa exists from build {wusa_from_build} (Windows Vista / Server 2008); Windows XP and Server 2003 have neither wusa nor an ACS update. For Server Core or a `.cab` extracted from the `.msu` (`expand -f:* KB.msu DIR`), use the `dism` line above.\n\n\
Undo: `wusa /uninstall /kb:NUMBER /quiet /norestart`. **Verify**: after the restart, `wmic qfe get HotFixID` (or `systeminfo`) lists the KB; collect again and run `acsready verify`: ACS001 / ACS002 are gone.",
                "これらの端末には、Windows のバージョンごとに ACS に必要な更新プログラムがありません (指摘 ACS001、ACS002)。次のいずれかを承認してください (ルールより。先頭が推奨):\n\n{kbs}\n\n\
- `approve.csv`: WSUS / Configuration Manager 用の同じ一覧 (KB、種類、日付、Microsoft Update カタログのリンク、台数)。キット直下の `updates-to-approve.csv` は全バージョンの一覧です。\n\
- `install-update.cmd`: 手作業で適用する端末用です。カタログの `.msu` を `KB<番号>.msu` という名前で同じフォルダーに保存すると、いずれかの KB が適用済みでない限り、最初に見つかったものを `wusa /quiet /norestart` でインストールし、再起動が必要かを表示します。wusa はビルド {wusa_from_build} (Windows Vista / Server 2008) 以降にあります。Windows XP と Server 2003 には wusa も ACS 用の更新プログラムもありません。Server Core や `.msu` から展開した `.cab` (`expand -f:* KB.msu フォルダー`) には上の `dism` の行を使います。\n\n\
元に戻す: `wusa /uninstall /kb:番号 /quiet /norestart`。**確認**: 再起動後に `wmic qfe get HotFixID` (または `systeminfo`) に KB が表示されること。再収集して `acsready verify` を実行し、ACS001 / ACS002 が消えていること。",
            ),
            Text::KindNewestRollup => ("newest monthly rollup in the rules (cumulative)", "ルールにある最新のマンスリー ロールアップ (累積)"),
            Text::KindRollup => ("October 2021 monthly rollup (cumulative: any later rollup also counts)", "2021 年 10 月のマンスリー ロールアップ (累積。以降のロールアップでも可)"),
            Text::KindSecurityOnly => ("October 2021 security-only update (not cumulative: only this KB counts)", "2021 年 10 月のセキュリティのみの更新プログラム (累積ではないため、この KB のみ有効)"),
            Text::KindCumulative => ("cumulative update (any later cumulative update also counts)", "累積更新プログラム (以降の累積更新プログラムでも可)"),
            Text::UnsupportedTitle => ("Windows without an ACS update", "ACS 用の更新プログラムがない Windows"),
            Text::UnsupportedBody => (
                "No update lets these Windows releases run ACS-signed modules (finding ACS003): nothing in this kit can make them ready. Move them to a supported release (or replace the hosts), and keep their agents at the last build before ACS meanwhile (the `pin-*` folders). Nothing here changes a host.\n\n\
**Verify**: after the move, collect again and run `acsready verify`.",
                "これらの Windows には ACS 署名のモジュールを実行できるようにする更新プログラムがありません (指摘 ACS003)。このキットでは対応できません。サポートされているバージョンへ移行 (または端末を更新) し、それまではエージェントを ACS 前の最終ビルドに固定してください (`pin-*` フォルダー)。このフォルダーには端末を変更するものはありません。\n\n\
**確認**: 移行後に再収集して `acsready verify` を実行します。",
            ),
            Text::DistrustedTitle => ("Take the ACS root out of the Untrusted Certificates store", "ACS ルート証明書を「信頼されていない証明書」ストアから削除"),
            Text::DistrustedBody => (
                "On these hosts \"{root_name}\" ({sha1}) is in the {store} (Untrusted Certificates) store (finding ACS006): a certificate there is distrusted even when a trusted store holds it too, so no ACS signature verifies.\n\n\
- `remove-distrust.reg`: deletes the entry {sha1} under every registry key of the {store} store:{keys}\n\
- `remove-distrust.cmd`: imports that file when the host has one of these entries, then checks that none is left. Uses only `reg.exe` (every Windows the kit targets); `certutil -delstore {store} {sha1}` does the same for the local machine's store only.\n\
- `restore-distrust.reg`, `restore-distrust.cmd`: the undo (the entry back in the local machine's store, the first key above).\n\n\
A Group Policy that distributes the certificate as untrusted (the `Policies` key above) writes it again at its next refresh: remove it from the GPO's Public Key Policies too.\n\n\
**Verify**: `reg query` of each key above finds nothing (or `certutil -store {store} {sha1}` finds nothing); collect again and run `acsready verify`: ACS006 is gone.",
                "これらの端末では「{root_name}」({sha1}) が {store} (信頼されていない証明書) ストアにあります (指摘 ACS006)。ここにある証明書は、信頼されたストアにもあっても信頼されないため、ACS 署名を検証できません。\n\n\
- `remove-distrust.reg`: {store} ストアのすべてのレジストリ キーからエントリー {sha1} を削除します:{keys}\n\
- `remove-distrust.cmd`: 端末に上のエントリーがあれば上のファイルを取り込み、残っていないことを確認します。`reg.exe` のみを使います (キットが対象とするすべての Windows にあります)。`certutil -delstore {store} {sha1}` でも同じですが、ローカル コンピューターのストアだけが対象です。\n\
- `restore-distrust.reg`、`restore-distrust.cmd`: 元に戻す手順です (上の最初のキー、ローカル コンピューターのストアにエントリーを戻します)。\n\n\
グループ ポリシーでこの証明書を信頼しない証明書として配布している場合 (上の `Policies` のキー)、次回のポリシー更新で元に戻ります。GPO の公開キーのポリシーからも削除してください。\n\n\
**確認**: 上の各キーを `reg query` しても見つからないこと (または `certutil -store {store} {sha1}` で見つからないこと)。再収集して `acsready verify` を実行し、ACS006 が消えていること。",
            ),
            Text::DamagedTitle => ("Repair the damaged store entry of the ACS root", "ACS ルート証明書の破損したストア エントリーの修復"),
            Text::DamagedBody => (
                "On these hosts a store entry is named {sha1} (\"{root_name}\") but holds another certificate (finding ACS009): the root is not really in that store. The entry is the registry key named by the thumbprint; `entries.csv` lists each host's store and key.\n\n\
- `delete-entry-*.reg`: each deletes one damaged entry:{deletes}\n\
- `add-root.reg`, `{cer}`: the genuine root for the {store} store (`{root_key}`), as in the `root-missing` folder.\n\
- `repair-entry.cmd`: for each key above that the host has and that does not hold the genuine root, imports its `delete-entry-*.reg` and checks it is gone; then imports `add-root.reg` unless `{root_key}` holds the genuine root. It tells the genuine root by the first and last {bytes} bytes of its DER in the entry's `Blob` (`reg query KEY /v Blob`), so a second run changes nothing. Uses only `reg.exe` and `find.exe`: `certutil` looks certificates up by what they hold, not by the key's name.\n\
- `remove-root.reg`: the undo of adding the root (the damaged entries are not put back: they held no root).\n\n\
**Verify**: `certutil -store {store} {sha1}` finds the root; collect again and run `acsready verify`: ACS009 is gone.",
                "これらの端末では、{sha1} (「{root_name}」) という名前のストア エントリーに別の証明書が格納されています (指摘 ACS009)。実際にはルート証明書はそのストアにありません。エントリーは拇印の名前のレジストリ キーです。`entries.csv` は端末ごとのストアとキーの一覧です。\n\n\
- `delete-entry-*.reg`: それぞれ破損したエントリーを 1 つ削除します:{deletes}\n\
- `add-root.reg`、`{cer}`: {store} ストア用の正しいルート証明書です (`{root_key}`。`root-missing` フォルダーと同じもの)。\n\
- `repair-entry.cmd`: 上の各キーが端末にあり正しいルート証明書を保持していなければ、対応する `delete-entry-*.reg` を取り込んで削除されたことを確認し、続いて `{root_key}` が正しいルート証明書を保持していなければ `add-root.reg` を取り込みます。正しいルート証明書かどうかは、エントリーの `Blob` (`reg query キー /v Blob`) に DER の先頭と末尾の {bytes} バイトがあるかで判断するため、2 回目の実行では何も変更しません。`reg.exe` と `find.exe` のみを使います (`certutil` はキーの名前ではなく中の証明書で検索するため)。\n\
- `remove-root.reg`: ルート証明書の追加を元に戻す手順です (破損したエントリーは戻しません。ルート証明書を保持していなかったため)。\n\n\
**確認**: `certutil -store {store} {sha1}` でルート証明書が見つかること。再収集して `acsready verify` を実行し、ACS009 が消えていること。",
            ),
            Text::PinApexTitle => ("Stop program upgrades to Apex One family agents while the host is not ready", "端末が ACS 対応になるまで Apex One 系エージェントへのプログラム配信を停止"),
            Text::PinApexBody => (
                "These hosts are not ready and run an Apex One, Apex One SaaS or Vision One Endpoint Security (Standard Endpoint Protection) agent: an ACS-signed program upgrade would fail or stop protection. `agents.csv` lists each agent, its version and its plan.\n\n\
- `stop-program-upgrade-64bit.reg`: {value} = {stopped} under `{key64}` (64-bit Windows: the agent is a 32-bit program).\n\
- `stop-program-upgrade-32bit.reg`: the same under `{key32}` (32-bit Windows).\n\
- `stop-program-upgrade.cmd`: finds which of the two keys the host has (64-bit first), imports the matching file unless the value is already {stopped}, and reads it back; it creates no key (exit 3 when the agent's key is missing).\n\
- `restore-program-upgrade-*.reg`, `restore-program-upgrade.cmd`: the undo ({value} = {restored}), once the host is ready.\n\n\
The console's Update Settings (Apex One: Agents > Agent Management > Settings > Privileges and Other Settings > Update Settings, pattern files only; Apex One SaaS / Standard Endpoint Protection: the policy's Update Settings) write the same value at the next policy deployment: set them too, or the host value may be undone.\n\n\
**Verify**: `reg query \"{key64}\" /v {value}` (or `{key32}`) shows {stopped}; collect again and run `acsready verify`: the pin finding (ACS021) says the value is set.",
                "これらの端末は ACS 非対応で、Apex One、Apex One SaaS、Vision One Endpoint Security (Standard Endpoint Protection) のエージェントが動作しています。ACS 署名のプログラムが配信されると、アップグレードに失敗するか保護が停止します。`agents.csv` はエージェントごとのバージョンと対応です。\n\n\
- `stop-program-upgrade-64bit.reg`: `{key64}` の {value} を {stopped} にします (64 ビット Windows。エージェントは 32 ビットのプログラムです)。\n\
- `stop-program-upgrade-32bit.reg`: `{key32}` に同じ設定をします (32 ビット Windows)。\n\
- `stop-program-upgrade.cmd`: 端末にどちらのキーがあるか (64 ビットを優先) を調べ、値が {stopped} でなければ対応するファイルを取り込み、値を読み直して確認します。キーは作成しません (エージェントのキーがなければ終了コード 3)。\n\
- `restore-program-upgrade-*.reg`、`restore-program-upgrade.cmd`: 端末が ACS 対応になった後に元に戻す手順です ({value} = {restored})。\n\n\
管理コンソールのアップデート設定 (Apex One: [エージェント] > [エージェント管理] > [設定] > [権限とその他の設定] > [アップデート設定] でパターンファイルのみ。Apex One SaaS / Standard Endpoint Protection: ポリシーのアップデート設定) は次回のポリシー配信で同じ値を書き込みます。コンソール側も設定してください。\n\n\
**確認**: `reg query \"{key64}\" /v {value}` (または `{key32}`) が {stopped} を示すこと。再収集して `acsready verify` を実行し、固定の指摘 (ACS021) に設定済みと表示されること。",
            ),
            Text::ConsoleTitle => ("Keep agents at their build, per computer, in the console ({extra})", "管理コンソールでコンピューターごとにエージェントのビルドを固定 ({extra})"),
            Text::ConsoleBody => (
                "These computers are not ready and run an agent that the management console upgrades (Deep Security / Workload Security and others). Nothing here changes a host: the steps are done in the console, computer by computer. `computers.csv` lists each computer, its agent, version, plan and target build.\n{steps}\n\n\
Undo: once the host is ready, upgrade the agent from the console as usual. **Verify**: the console shows the target build under Computers > Details; collect again and run `acsready verify`.",
                "これらのコンピューターは ACS 非対応で、管理コンソールからアップグレードされるエージェント (Deep Security / Workload Security など) が動作しています。このフォルダーには端末を変更するものはなく、手順はコンソールでコンピューターごとに行います。`computers.csv` はコンピューターごとのエージェント、バージョン、対応、固定するビルドです。\n{steps}\n\n\
元に戻す: 端末が ACS 対応になったら、通常どおりコンソールからアップグレードします。**確認**: コンソールの [コンピュータ] > [詳細] に固定したビルドが表示されること。再収集して `acsready verify` を実行します。",
            ),
            Text::VersionControlApi => (
                "Through the manager's API instead (Agent Version Control; Deep Security Manager or Workload Security, header `api-version: {api_version}`): `{file}` is the body of `{modify}` that keeps {target} for {platforms}. Agent Version Control sets the version per platform: every computer of that platform that the manager deploys or upgrades gets it, not only the computers above.\n\
   1. `{list}` (`{profile}`: the profile's ID, from `GET /api/agentversioncontrolprofiles`) lists the controls: one per platform and architecture, each with its `ID`, `type`, `version` and `availableVersions`.\n\
   2. In `{file}`, replace each `ID` text by the `ID` of the control of that platform in your computers' architecture (copy the object for a second architecture), and write `version` exactly as `availableVersions` lists {target}.\n\
   3. Send it: `{modify}` with the body. Controls left out stay unchanged. Undo: the same request with `type` `latest` (or `latest-lts`), once the hosts are ready.\n\
   An unedited file is refused by the API (an `ID` must be a number): it cannot change anything by mistake.",
                "管理サーバーの API を使う方法 (Agent Version Control。Deep Security Manager または Workload Security、ヘッダー `api-version: {api_version}`): `{file}` は {platforms} で {target} を維持する `{modify}` の本文です。Agent Version Control はプラットフォームごとにバージョンを設定します。上のコンピューターだけでなく、そのプラットフォームで管理サーバーが配布・アップグレードするすべてのコンピューターに適用されます。\n\
   1. `{list}` (`{profile}`: プロファイルの ID。`GET /api/agentversioncontrolprofiles` で確認) がコントロールの一覧を返します。プラットフォームとアーキテクチャごとに 1 つで、それぞれ `ID`、`type`、`version`、`availableVersions` を持ちます。\n\
   2. `{file}` の各 `ID` の文字列を、コンピューターのアーキテクチャにあたるそのプラットフォームのコントロールの `ID` に置き換えます (別のアーキテクチャがあればオブジェクトを複製)。`version` は `availableVersions` に表示される {target} の表記のとおりに書きます。\n\
   3. 本文を付けて `{modify}` を送ります。含めなかったコントロールは変更されません。元に戻す: 端末が ACS 対応になったら、`type` を `latest` (または `latest-lts`) にして同じ要求を送ります。\n\
   編集していないファイルは API が受け付けません (`ID` は数値のため)。誤って何かを変更することはありません。",
            ),
            Text::Target => ("Target build", "固定するビルド"),
            Text::Computers => ("Computers", "コンピューター"),
            Text::Assessed => ("{count} hosts assessed.", "判定した端末: {count} 台。"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_exists_in_both_languages_with_the_same_placeholders() {
        for t in Text::ALL {
            let (en, ja) = t.both();
            assert!(!en.trim().is_empty() && !ja.trim().is_empty(), "{t:?}");
            let mut a = acsready_rules::placeholders(en);
            let mut b = acsready_rules::placeholders(ja);
            a.sort();
            a.dedup();
            b.sort();
            b.dedup();
            assert_eq!(a, b, "{t:?}");
        }
    }
}
