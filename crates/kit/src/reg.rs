//! `.reg` files as Regedit writes them (Windows Registry Editor Version
//! 5.00), in ASCII with CRLF: `reg import` and Group Policy Registry
//! preferences read them, and so does `hivexregedit --merge`.

/// The root key the kit's keys live under.
pub const SOFTWARE: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE";

/// One `.reg` file being written.
#[derive(Debug, Default)]
pub struct RegFile {
    text: String,
}

fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

impl RegFile {
    pub fn new() -> Self {
        RegFile {
            text: "Windows Registry Editor Version 5.00\r\n".into(),
        }
    }

    /// Starts a key, `rel` relative to SOFTWARE.
    pub fn key(mut self, rel: &str) -> Self {
        self.text.push_str(&format!("\r\n[{SOFTWARE}\\{rel}]\r\n"));
        self
    }

    /// Deletes a key and everything under it.
    pub fn delete_key(mut self, rel: &str) -> Self {
        self.text.push_str(&format!("\r\n[-{SOFTWARE}\\{rel}]\r\n"));
        self
    }

    pub fn dword(mut self, name: &str, value: u32) -> Self {
        self.text
            .push_str(&format!("\"{}\"=dword:{value:08x}\r\n", quote(name)));
        self
    }

    /// A REG_BINARY value, wrapped as Regedit wraps it: lines of at most 80
    /// characters, continued with `\` and indented by two spaces.
    pub fn binary(mut self, name: &str, bytes: &[u8]) -> Self {
        let mut line = format!("\"{}\"=hex:", quote(name));
        for (i, b) in bytes.iter().enumerate() {
            let last = i + 1 == bytes.len();
            let item = if last {
                format!("{b:02x}")
            } else {
                format!("{b:02x},")
            };
            if line.len() + item.len() > 78 && !last {
                self.text.push_str(&line);
                self.text.push_str("\\\r\n");
                line = "  ".into();
            }
            line.push_str(&item);
        }
        self.text.push_str(&line);
        self.text.push_str("\r\n");
        self
    }

    pub fn bytes(mut self) -> Vec<u8> {
        self.text.push_str("\r\n");
        self.text.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_values_wrap_at_80_columns_as_regedit_does() {
        let text = String::from_utf8(RegFile::new().key("X").binary("Blob", &[0xab; 100]).bytes())
            .expect("ASCII");
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], "Windows Registry Editor Version 5.00");
        assert_eq!(lines[2], "[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]");
        assert!(lines[3].starts_with("\"Blob\"=hex:ab,ab,"), "{}", lines[3]);
        let hex_lines: Vec<&&str> = lines[3..].iter().take_while(|l| !l.is_empty()).collect();
        assert!(hex_lines.len() > 1);
        for l in &hex_lines {
            assert!(l.len() <= 80, "{l}");
        }
        for l in &hex_lines[1..] {
            assert!(l.starts_with("  "), "{l}");
        }
        let joined: String = hex_lines
            .iter()
            .map(|l| {
                l.trim_start_matches("\"Blob\"=hex:")
                    .trim()
                    .trim_end_matches('\\')
            })
            .collect();
        assert_eq!(joined.split(',').count(), 100);
        assert!(text.ends_with("\r\n\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
    }
}
