//! Services from a SYSTEM registry (an offline hive or `reg export` of
//! `HKLM\SYSTEM`): `CurrentControlSet` resolved through `Select\Current`
//! in a hive, or read as exported from a live registry.

use acsready_facts::ServiceFact;
use acsready_registry::{Data, RegistryView};

/// The services of a SYSTEM view and the key they were read from, or why
/// there are none.
pub fn system_services(view: &dyn RegistryView) -> Result<(String, Vec<ServiceFact>), String> {
    let key = if view.subkeys(r"CurrentControlSet\Services").is_some() {
        r"CurrentControlSet\Services".to_string()
    } else {
        let current = match view.value("Select", "Current") {
            Some(Data::Dword(n)) => n,
            Some(other) => {
                return Err(format!(
                    "Select\\Current is {other:?}, not a DWORD: the current control set is unknown"
                ))
            }
            None => {
                return Err(
                    "no Select\\Current and no CurrentControlSet: not a SYSTEM registry".into(),
                )
            }
        };
        format!(r"ControlSet{current:03}\Services")
    };
    let names = view
        .subkeys(&key)
        .ok_or_else(|| format!("{key} is missing (Select\\Current points to it)"))?;
    let services = names
        .into_iter()
        .map(|name| {
            let path = format!(r"{key}\{name}");
            let display_name = view
                .value(&path, "DisplayName")
                .and_then(|d| {
                    d.as_str()
                        .map(|s| s.trim_end_matches('\0').trim().to_string())
                })
                .filter(|s| !s.is_empty());
            let start = view.value(&path, "Start").and_then(|d| d.as_u32());
            ServiceFact {
                name,
                display_name,
                start,
            }
        })
        .collect();
    Ok((key, services))
}

#[cfg(test)]
mod tests {
    use super::*;
    use acsready_registry::RegFiles;

    fn view_of(text: &str) -> RegFiles {
        let mut reg = RegFiles::new();
        reg.add_text(text, "system.reg").unwrap();
        reg
    }

    #[test]
    fn select_current_picks_the_control_set() {
        let reg = view_of(
            "Windows Registry Editor Version 5.00\r\n\r\n\
             [HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\r\n\"Current\"=dword:00000002\r\n\r\n\
             [HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\Old]\r\n\"DisplayName\"=\"Old\"\r\n\r\n\
             [HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\iVP]\r\n\
             \"DisplayName\"=\"Trend Micro Vulnerability Protection Service\"\r\n\"Start\"=dword:00000004\r\n",
        );
        let (key, services) = system_services(&reg.view(r"HKLM\SYSTEM")).unwrap();
        assert_eq!(key, r"ControlSet002\Services");
        assert_eq!(services.len(), 1);
        assert_eq!(
            services[0].display_name.as_deref(),
            Some("Trend Micro Vulnerability Protection Service")
        );
        assert!(services[0].disabled());
    }

    #[test]
    fn a_live_export_has_current_control_set() {
        let reg = view_of(
            "Windows Registry Editor Version 5.00\r\n\r\n\
             [HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\tmlisten]\r\n\
             \"DisplayName\"=\"Apex One NT Listener\"\r\n\"Start\"=dword:00000002\r\n",
        );
        let (_, services) = system_services(&reg.view(r"HKLM\SYSTEM")).unwrap();
        assert_eq!(services[0].name, "tmlisten");
        assert_eq!(services[0].start, Some(2));
    }

    #[test]
    fn not_a_system_registry() {
        let reg = view_of(
            "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\r\n\"Current\"=dword:00000007\r\n",
        );
        let err = system_services(&reg.view(r"HKLM\SYSTEM")).unwrap_err();
        assert!(err.contains("ControlSet007"), "{err}");
        let reg = view_of(
            "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\X]\r\n",
        );
        assert!(system_services(&reg.view(r"HKLM\SYSTEM")).is_err());
    }
}
