//! The SQL Server password check: which classes of forbidden characters
//! it contains. Nothing here keeps or returns the password or a character
//! of it.

use acsready_rules::ApexOnePreflight;

use crate::PasswordCheck;

/// The ids of the classes (`[[preflight.apex_one.sql_password]]`, in rules
/// order) with a character in `password`.
pub fn check_password(pf: &ApexOnePreflight, password: &str) -> PasswordCheck {
    PasswordCheck {
        classes: pf
            .sql_password
            .iter()
            .filter(|class| password.chars().any(|c| class.chars.contains(c)))
            .map(|class| class.id.clone())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use acsready_rules::Rules;
    use proptest::prelude::*;

    fn pf() -> ApexOnePreflight {
        Rules::embedded().unwrap().preflight.apex_one.unwrap()
    }

    #[test]
    fn each_forbidden_character_is_caught() {
        let pf = pf();
        for c in "&<>^|;\\[](),?*!@=".chars() {
            let check = check_password(&pf, &format!("Secret{c}2024"));
            assert_eq!(check.classes.len(), 1, "{c}: {check:?}");
        }
        assert_eq!(
            check_password(&pf, "a&b\\c").classes,
            ["shell", "backslash"]
        );
    }

    #[test]
    fn allowed_passwords_pass() {
        let pf = pf();
        for ok in [
            "",
            "Passw0rd",
            "日本語パスワード",
            "a-b_c.d#e$f%g+h~i",
            "with space",
        ] {
            assert!(check_password(&pf, ok).classes.is_empty(), "{ok}");
        }
    }

    proptest! {
        #[test]
        fn classes_are_ids_never_characters(password in ".{0,40}") {
            let pf = pf();
            let check = check_password(&pf, &password);
            let forbidden: String = pf.sql_password.iter().map(|c| c.chars.as_str()).collect();
            let has = password.chars().any(|c| forbidden.contains(c));
            prop_assert_eq!(has, !check.classes.is_empty());
            for id in &check.classes {
                prop_assert!(pf.sql_password.iter().any(|c| &c.id == id));
            }
        }
    }
}
