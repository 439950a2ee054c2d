//! Counts as people read them: "1 host", "2 hosts", "51,176".

use acsready_rules::Lang;

use crate::ui::Label;

/// "1 host", "2 hosts", "1,000 hosts" (Japanese has one form: "1 台", "2 台").
pub fn count_of(n: u64, one: Label, many: Label, lang: Lang) -> String {
    let noun = if n == 1 { one } else { many };
    format!("{} {}", thousands(n), noun.text(lang))
}

/// `n` with a comma between thousands: "51,176".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_and_many() {
        let hosts = |n| count_of(n, Label::HostOne, Label::Hosts, Lang::En);
        assert_eq!(hosts(1), "1 host");
        assert_eq!(hosts(0), "0 hosts");
        assert_eq!(hosts(2), "2 hosts");
        assert_eq!(hosts(12345), "12,345 hosts");
        assert_eq!(
            count_of(1, Label::EntryOne, Label::Entries, Lang::En),
            "1 entry"
        );
        assert_eq!(
            count_of(3, Label::EntryOne, Label::Entries, Lang::En),
            "3 entries"
        );
        assert_eq!(count_of(1, Label::HostOne, Label::Hosts, Lang::Ja), "1 台");
        assert_eq!(count_of(5, Label::HostOne, Label::Hosts, Lang::Ja), "5 台");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(51176), "51,176");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
