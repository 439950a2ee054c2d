//! The console layout of `systeminfo`'s list: `label:` padded with spaces
//! to one value column, counted in console cells (a CJK character takes
//! two), as the console and PowerShell count them.

/// Columns a character takes in a console: 2 for East Asian wide ones.
fn cells(c: char) -> usize {
    let wide = matches!(u32::from(c),
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
    if wide {
        2
    } else {
        1
    }
}

pub(super) fn width(text: &str) -> usize {
    text.chars().map(cells).sum()
}

/// The byte offset where `column` (in console cells) starts in `line`, if
/// the line reaches it.
pub(super) fn offset_of(line: &str, column: usize) -> Option<usize> {
    let mut at = 0;
    for (offset, c) in line.char_indices() {
        if at >= column {
            return Some(offset);
        }
        at += cells(c);
    }
    (at >= column).then_some(line.len())
}

fn is_colon(c: char) -> bool {
    matches!(c, ':' | '：')
}

/// `label:` padded to the value column, then the value: the column of most
/// lines that start at the margin with a label, a colon and two spaces.
pub(super) fn value_column(lines: &[&str]) -> Option<usize> {
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for line in lines.iter().filter(|l| !l.starts_with(char::is_whitespace)) {
        let Some(colon) = line.find(is_colon) else {
            continue;
        };
        let after = &line[colon..];
        let colon_len = after.chars().next().map_or(1, char::len_utf8);
        let rest = &after[colon_len..];
        let value = rest.trim_start();
        if rest.len() - value.len() >= 2 && !value.is_empty() {
            let column = width(&line[..line.len() - value.len()]);
            match counts.iter_mut().find(|(c, _)| *c == column) {
                Some((_, n)) => *n += 1,
                None => counts.push((column, 1)),
            }
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(c, n)| (n, c))
        .map(|(c, _)| c)
}

/// The label and value of a line whose text before the value column ends
/// with a colon.
pub(super) fn column_split(line: &str, column: usize) -> Option<(String, String)> {
    let at = offset_of(line, column).unwrap_or(line.len());
    let label = line[..at].trim_end().strip_suffix(is_colon)?;
    Some((label.trim_end().to_string(), line[at..].trim().to_string()))
}

/// Splits a line at the margin into label and value: at the value column
/// when the text before it ends with a colon, else at the last colon
/// followed by two spaces, else at the first colon followed by a space or
/// the end. `None` when there is no such colon.
pub(super) fn split_field(line: &str, column: Option<usize>) -> Option<(String, String)> {
    if let Some(split) = column.and_then(|c| column_split(line, c)) {
        return Some(split);
    }
    let colons: Vec<usize> = line
        .char_indices()
        .filter(|&(_, c)| is_colon(c))
        .map(|(i, _)| i)
        .collect();
    let after = |at: usize| {
        let colon_len = line[at..].chars().next().map_or(1, char::len_utf8);
        &line[at + colon_len..]
    };
    let at = colons
        .iter()
        .rev()
        .find(|&&at| after(at).starts_with("  "))
        .or_else(|| {
            colons.iter().find(|&&at| {
                let rest = after(at);
                rest.is_empty() || rest.starts_with(char::is_whitespace)
            })
        })?;
    Some((
        line[..*at].trim().to_string(),
        after(*at).trim().to_string(),
    ))
}
