//! What the event log readers ([`read_evtx`](crate::read_evtx),
//! [`read_wevtutil_xml`](crate::read_wevtutil_xml)) share: the filter that
//! picks records, the result, and how a record becomes an [`EventFact`].
//!
//! An [`EventFact`]'s `message` is the text rules match. A raw `.evtx` file
//! holds no rendered message (Windows builds it from the provider's message
//! DLL when it displays the event), so there it is the event's data strings:
//! the text of every element under `EventData` except `Binary`, and of every
//! element under `UserData`, in document order, each with runs of ASCII
//! whitespace squeezed to one space, empty ones left out, joined with " ".
//! `wevtutil /f:RenderedXml` output has the rendered message in
//! `RenderingInfo/Message`, which is used when it is there.

use acsready_facts::EventFact;

use crate::note::{Note, Problems};

/// Which records to keep.
///
/// A record is kept when its event ID is in `ids`, **or** its provider
/// (`Provider/@Name` or `@EventSourceName`) contains one of `providers`, **or**
/// its message or one of its data strings contains one of `messages`. Text
/// comparisons ignore case. An empty filter keeps every record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub ids: Vec<u32>,
    /// Substrings of the provider name, case-insensitive.
    pub providers: Vec<String>,
    /// Substrings of the message or of a data string, case-insensitive.
    pub messages: Vec<String>,
}

impl EventFilter {
    /// The filter that keeps every record.
    pub fn all() -> Self {
        EventFilter::default()
    }

    /// Whether the filter keeps every record.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.providers.is_empty() && self.messages.is_empty()
    }

    /// Whether an event with this ID, these provider names and these texts
    /// (message, data strings) is kept.
    pub fn selects<'a>(
        &self,
        id: u32,
        providers: impl IntoIterator<Item = &'a str>,
        texts: impl IntoIterator<Item = &'a str>,
    ) -> bool {
        if self.is_empty() || self.ids.contains(&id) {
            return true;
        }
        let providers_hit = !self.providers.is_empty()
            && providers
                .into_iter()
                .any(|p| self.providers.iter().any(|f| contains_ci(p, f)));
        providers_hit
            || (!self.messages.is_empty()
                && texts
                    .into_iter()
                    .any(|t| self.messages.iter().any(|f| contains_ci(t, f))))
    }

    /// Whether `event` is kept, judged on its `provider` and `message` only.
    pub fn matches(&self, event: &EventFact) -> bool {
        self.selects(
            event.id,
            event.provider.as_deref(),
            event.message.as_deref(),
        )
    }
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    needle.is_empty() || haystack.to_lowercase().contains(&needle.to_lowercase())
}

/// The records a reader kept, and what it could not read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventLog {
    /// Kept records, in the order of the log (oldest first for `.evtx`).
    pub events: Vec<EventFact>,
    /// Damaged chunks and records, each naming the file and the record
    /// number (`.evtx`) or line (XML); they were skipped. Capped at
    /// [`MAX_PROBLEMS`] entries, the last of which then says how many more
    /// there were.
    pub problems: Vec<Note>,
    /// Records read whole, kept or not.
    pub records_read: u64,
}

/// Most problems an [`EventLog`] lists one by one.
pub const MAX_PROBLEMS: usize = 200;

/// Builds an [`EventLog`], keeping at most [`MAX_PROBLEMS`] problems in
/// memory whatever the input.
#[derive(Debug, Default)]
pub(crate) struct LogBuilder {
    pub log: EventLog,
    problems: Problems,
}

impl LogBuilder {
    /// Adds a problem; `problem` is only called while there is room.
    pub fn problem(&mut self, problem: impl FnOnce() -> Note) {
        self.problems.push(problem);
    }

    pub fn finish(mut self) -> EventLog {
        self.log.problems = self.problems.finish();
        self.log
    }
}

/// One record as read, before filtering.
#[derive(Debug, Default)]
pub(crate) struct RawEvent {
    pub id: Option<u32>,
    pub provider: Option<String>,
    pub event_source: Option<String>,
    pub time: Option<String>,
    /// Data strings, already squeezed and non-empty.
    pub data: Vec<String>,
    /// Rendered message, already squeezed, if any.
    pub message: Option<String>,
}

impl RawEvent {
    /// Adds a data string (squeezed; dropped when empty).
    pub fn push_data(&mut self, text: &str) {
        let text = crate::text::squeeze(text);
        if !text.is_empty() {
            self.data.push(text);
        }
    }

    /// The fact, if the filter keeps it (`id` must be set).
    pub fn into_fact(self, id: u32, filter: &EventFilter) -> Option<EventFact> {
        let providers = self
            .provider
            .as_deref()
            .into_iter()
            .chain(self.event_source.as_deref());
        let texts = self
            .message
            .as_deref()
            .into_iter()
            .chain(self.data.iter().map(String::as_str));
        if !filter.selects(id, providers, texts) {
            return None;
        }
        let message = match self.message {
            Some(m) => Some(m),
            None if self.data.is_empty() => None,
            None => Some(self.data.join(" ")),
        };
        Some(EventFact {
            id,
            provider: self.provider.or(self.event_source),
            time: self.time,
            message,
        })
    }
}

/// An event ID as written: "900", " 900 " (the `Qualifiers` attribute is not
/// part of it).
pub(crate) fn parse_event_id(text: &str) -> Option<u32> {
    text.trim().parse().ok()
}

/// Empty or whitespace-only text is no value.
pub(crate) fn non_empty(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(id: u32, provider: &str, message: &str) -> EventFact {
        EventFact {
            id,
            provider: Some(provider.into()),
            time: None,
            message: Some(message.into()),
        }
    }

    #[test]
    fn filter_is_an_or_of_its_parts() {
        let e = fact(
            11708,
            "MsiInstaller",
            "製品: Trend Micro Apex One -- インストール操作に失敗しました。",
        );
        assert!(EventFilter::all().matches(&e));
        let by_id = EventFilter {
            ids: vec![900, 11708],
            ..EventFilter::default()
        };
        assert!(by_id.matches(&e));
        assert!(!by_id.matches(&fact(1, "MsiInstaller", "")));
        let by_provider = EventFilter {
            providers: vec!["msiinstall".into()],
            ..EventFilter::default()
        };
        assert!(by_provider.matches(&fact(1, "MsiInstaller", "")));
        assert!(!by_provider.matches(&fact(1, "ESENT", "MsiInstaller")));
        let by_message = EventFilter {
            ids: vec![900],
            messages: vec!["apex one".into()],
            ..EventFilter::default()
        };
        assert!(by_message.matches(&e));
        assert!(!by_message.matches(&fact(1, "Apex One", "x")));
    }

    #[test]
    fn facts_prefer_the_rendered_message_and_the_provider_name() {
        let mut raw = RawEvent {
            event_source: Some("Software Protection Platform Service".into()),
            ..RawEvent::default()
        };
        raw.push_data(" a\r\n b ");
        raw.push_data("  ");
        raw.push_data("c");
        let f = RawEvent {
            data: raw.data.clone(),
            ..RawEvent::default()
        }
        .into_fact(1, &EventFilter::all())
        .unwrap();
        assert_eq!(f.message.as_deref(), Some("a b c"));
        let f = raw.into_fact(2, &EventFilter::all()).unwrap();
        assert_eq!(
            f.provider.as_deref(),
            Some("Software Protection Platform Service")
        );
        let f = RawEvent {
            provider: Some("P".into()),
            message: Some("rendered".into()),
            data: vec!["data".into()],
            ..RawEvent::default()
        };
        let filter = EventFilter {
            messages: vec!["DATA".into()],
            ..EventFilter::default()
        };
        assert_eq!(
            f.into_fact(3, &filter).unwrap().message.as_deref(),
            Some("rendered")
        );
        assert_eq!(parse_event_id(" 900 "), Some(900));
        assert_eq!(parse_event_id("-1"), None);
    }

    #[test]
    fn problems_are_capped() {
        let mut log = LogBuilder::default();
        for i in 0..MAX_PROBLEMS + 5 {
            log.problem(|| Note::at("f.xml", i as u64 + 1, "p"));
        }
        let log = log.finish();
        assert_eq!(log.problems.len(), MAX_PROBLEMS);
        assert_eq!(
            log.problems[MAX_PROBLEMS - 2],
            Note::at("f.xml", MAX_PROBLEMS as u64 - 1, "p")
        );
        assert_eq!(
            Note::texts(&log.problems)[MAX_PROBLEMS - 1],
            "… and 6 more problems like these"
        );
        let mut log = LogBuilder::default();
        log.problem(|| Note::general("one"));
        assert_eq!(Note::texts(&log.finish().problems), ["one"]);
    }
}
