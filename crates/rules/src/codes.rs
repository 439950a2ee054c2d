//! Finding codes. A code is a contract: never renumber or reuse one.
//! Their texts live in the rules file (`[findings.ACSnnn]`); `acsready explain`
//! prints them.

pub const OS_UPDATE_MISSING: &str = "ACS001";
pub const LEGACY_UPDATE_MISSING: &str = "ACS002";
pub const OS_UNSUPPORTED: &str = "ACS003";
pub const ROOT_MISSING_AUTO_UPDATE_OFF: &str = "ACS004";
pub const ROOT_NOT_YET_IN_STORE: &str = "ACS005";
pub const ROOT_DISTRUSTED: &str = "ACS006";
pub const ESU_REQUIRED: &str = "ACS007";
pub const SOURCES_DISAGREE: &str = "ACS008";
pub const CERTIFICATE_ENTRY_MISMATCH: &str = "ACS009";
pub const FACT_MISSING: &str = "ACS010";
pub const BUILD_NOT_IN_RULES: &str = "ACS011";
pub const UNKNOWN_LEGACY_UPDATES: &str = "ACS012";
pub const UPDATE_PENDING_RESTART: &str = "ACS013";
pub const FACT_CONFLICT: &str = "ACS014";
pub const EASYFIX_FAILED: &str = "ACS015";
pub const RULES_STALE: &str = "ACS016";
pub const VENDOR_ROOT_MISSING: &str = "ACS017";
pub const ACS_AGENT_ON_UNREADY_HOST: &str = "ACS020";
pub const PIN_AGENT: &str = "ACS021";
pub const AGENT_UNSUPPORTED: &str = "ACS022";
pub const AGENT_PREDATES_CHECK: &str = "ACS023";
pub const NOT_AFFECTED: &str = "ACS024";
pub const VERSION_UNREADABLE: &str = "ACS025";
pub const UPGRADE: &str = "ACS026";
pub const HOLD: &str = "ACS027";
pub const INSTALLER_DOES_NOT_CHECK: &str = "ACS028";
pub const UNKNOWN_PRODUCT: &str = "ACS029";
pub const AGENT_BUILD_UNPLACED: &str = "ACS036";
pub const AGENT_FEATURE_RELEASE: &str = "ACS037";
pub const OS_REQUIREMENT_MET: &str = "ACS100";
pub const ROOT_TRUSTED: &str = "ACS101";

pub const PF_UNSUPPORTED_OS: &str = "ACS200";
pub const PF_AGENT_OS_UNKNOWN: &str = "ACS201";
pub const PF_SQL_PASSWORD_FORBIDDEN: &str = "ACS202";
pub const PF_SQL_PASSWORD_OK: &str = "ACS203";
pub const PF_VERSIONS_DIFFER: &str = "ACS204";
pub const PF_VERSIONS_MATCH: &str = "ACS205";
pub const PF_DELIVERY_NOT_SET: &str = "ACS206";
pub const PF_SERVER_NOT_ACS_READY: &str = "ACS207";
pub const PF_AGENTS_NOT_ACS_READY: &str = "ACS208";
pub const PF_SHA2_MISSING: &str = "ACS209";
pub const PF_AUTH_CERT_MISSING: &str = "ACS210";
pub const PF_AUTH_CERT_PRESENT: &str = "ACS211";
pub const PF_FIREWALL: &str = "ACS212";
pub const PF_SERVICES_MISSING: &str = "ACS213";
pub const PF_SERVICES_PRESENT: &str = "ACS214";
pub const PF_FOLDERS_MISSING: &str = "ACS215";
pub const PF_FOLDERS_PRESENT: &str = "ACS216";
pub const PF_SERVICES_RENAMED: &str = "ACS217";
pub const PF_ACTIVATION_CODE: &str = "ACS218";
pub const PF_BEHAVIOUR_MONITORING: &str = "ACS219";
pub const PF_NOT_CHECKED: &str = "ACS220";
pub const PF_DELIVERY_ADVICE: &str = "ACS221";
pub const PF_ACS_READY: &str = "ACS222";
pub const PF_SHA2_ADVICE: &str = "ACS223";

/// Codes `acsready preflight apex-one` emits (ACS200–ACS2xx); required
/// when the rules have `[preflight.apex_one]`.
pub const PREFLIGHT_CODES: &[&str] = &[
    PF_UNSUPPORTED_OS,
    PF_AGENT_OS_UNKNOWN,
    PF_SQL_PASSWORD_FORBIDDEN,
    PF_SQL_PASSWORD_OK,
    PF_VERSIONS_DIFFER,
    PF_VERSIONS_MATCH,
    PF_DELIVERY_NOT_SET,
    PF_SERVER_NOT_ACS_READY,
    PF_AGENTS_NOT_ACS_READY,
    PF_SHA2_MISSING,
    PF_AUTH_CERT_MISSING,
    PF_AUTH_CERT_PRESENT,
    PF_FIREWALL,
    PF_SERVICES_MISSING,
    PF_SERVICES_PRESENT,
    PF_FOLDERS_MISSING,
    PF_FOLDERS_PRESENT,
    PF_SERVICES_RENAMED,
    PF_ACTIVATION_CODE,
    PF_BEHAVIOUR_MONITORING,
    PF_NOT_CHECKED,
    PF_DELIVERY_ADVICE,
    PF_ACS_READY,
    PF_SHA2_ADVICE,
];

/// Text entries the preflight uses.
pub const PREFLIGHT_TEXTS: &[&str] = &[
    "preflight.firewall_entry",
    "preflight.auth_cert_exportable",
    "preflight.auth_cert_not_exportable",
    "preflight.auth_cert_version_unknown",
    "preflight.what",
];

/// Codes the assessment emits itself (event codes come from `[[events]]`).
pub const ENGINE_CODES: &[&str] = &[
    OS_UPDATE_MISSING,
    LEGACY_UPDATE_MISSING,
    OS_UNSUPPORTED,
    ROOT_MISSING_AUTO_UPDATE_OFF,
    ROOT_NOT_YET_IN_STORE,
    ROOT_DISTRUSTED,
    ESU_REQUIRED,
    SOURCES_DISAGREE,
    CERTIFICATE_ENTRY_MISMATCH,
    FACT_MISSING,
    BUILD_NOT_IN_RULES,
    UNKNOWN_LEGACY_UPDATES,
    UPDATE_PENDING_RESTART,
    FACT_CONFLICT,
    EASYFIX_FAILED,
    RULES_STALE,
    VENDOR_ROOT_MISSING,
    ACS_AGENT_ON_UNREADY_HOST,
    PIN_AGENT,
    AGENT_UNSUPPORTED,
    AGENT_PREDATES_CHECK,
    NOT_AFFECTED,
    VERSION_UNREADABLE,
    UPGRADE,
    HOLD,
    INSTALLER_DOES_NOT_CHECK,
    UNKNOWN_PRODUCT,
    AGENT_BUILD_UNPLACED,
    AGENT_FEATURE_RELEASE,
    OS_REQUIREMENT_MET,
    ROOT_TRUSTED,
];

/// Text entries the assessment uses (besides each product's `delivery_control`).
pub const ENGINE_TEXTS: &[&str] = &[
    "accepted_risks",
    "no_program_upgrade_set",
    "latest",
    "agent_between",
    "agent_unplaced",
    "how.os.current_build",
    "how.os.ubr",
    "how.os.installation_type",
    "how.updates",
    "how.certificates",
    "how.root_auto_update_disabled",
    "demand_not_acs",
    "demand_force_integrity",
    "demand_installer_checks",
    "demand_installer_no_check",
    "demand_acs_no_integrity_check",
    "blocked_installer",
    "predict_breaks",
    "predict_unknown_host",
];

/// Placeholders a finding text may use.
pub const PLACEHOLDERS: &[&str] = &[
    "os",
    "build",
    "ubr",
    "min_ubr",
    "kb",
    "released",
    "monthly_rollup",
    "security_only",
    "root_name",
    "root_sha1",
    "store",
    "stores",
    "product",
    "version",
    "target",
    "first_acs",
    "fact",
    "how",
    "kbs",
    "applied",
    "other",
    "event_id",
    "message",
    "time",
    "steps",
    "values",
    "count",
    "total",
    "differ",
    "hosts",
    "classes",
    "line",
    "threshold",
    "days",
    "services",
    "folders",
    "what",
    "path",
    "last_pre_acs",
    "upgrade_to",
    "list_as_of",
    "date",
    "servicing",
    "rules_version",
    "esu_end",
    "esu_end_azure",
    "certificates",
];
