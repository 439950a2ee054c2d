//! Which host a name names, and which of its spellings is shown: one rule
//! for every command and the server.

use std::net::IpAddr;

/// The identity of a host name: case-insensitive, and an FQDN is its short
/// name ("WEB01" = "web01.corp.example"). An IP address is itself whole
/// (10.0.0.1 and 10.0.0.2 are two hosts). Hosts with the same identity are
/// one host, wherever their facts come from.
pub fn host_key(name: &str) -> String {
    let name = name.trim();
    if name.parse::<IpAddr>().is_ok() {
        return name.to_lowercase();
    }
    name.split('.').next().unwrap_or("").to_lowercase()
}

/// Which of two spellings of one host's name to show: the longer (the
/// FQDN, which says more), else the one already `kept`.
pub fn preferred_name<'a>(kept: &'a str, other: &'a str) -> &'a str {
    if other.trim().len() > kept.trim().len() {
        other
    } else {
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::host_key;

    #[test]
    fn fqdn_and_case_name_one_host() {
        assert_eq!(host_key("WEB01"), host_key("web01.corp.example"));
        assert_eq!(host_key(" Web01 "), "web01");
        assert_ne!(host_key("web01"), host_key("web02"));
    }

    #[test]
    fn addresses_are_whole() {
        assert_ne!(host_key("10.0.0.1"), host_key("10.0.0.2"));
        assert_eq!(host_key("FE80::1"), host_key("fe80::1"));
    }

    #[test]
    fn the_fqdn_is_shown() {
        use super::preferred_name;
        assert_eq!(
            preferred_name("WEB01", "web01.corp.example"),
            "web01.corp.example"
        );
        assert_eq!(
            preferred_name("web01.corp.example", "WEB01"),
            "web01.corp.example"
        );
        assert_eq!(preferred_name("WEB01", "web01"), "WEB01");
    }
}
