//! Which host a name names: one rule for every command and the server.

/// The identity of a host name: case-insensitive, and an FQDN is its short
/// name ("WEB01" = "web01.corp.example"). Hosts with the same identity are
/// one host, wherever their facts come from.
pub fn host_key(name: &str) -> String {
    name.trim().split('.').next().unwrap_or("").to_lowercase()
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
}
