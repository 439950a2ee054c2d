//! Event XML as `wevtutil qe` writes it.
//!
//! Accepted:
//!
//! * `wevtutil qe Application /q:"*[System[(EventID=900 or EventID=11708)]]"
//!   /f:RenderedXml /e:Events`: a root `<Events>` element around `<Event>`
//!   elements, each with `<System>`, `<EventData>` or `<UserData>`, and a
//!   `<RenderingInfo Culture="ja-JP"><Message>…</Message>…</RenderingInfo>`;
//! * `/f:xml` without `/e:`: `<Event>` elements one after the other with no
//!   root, with or without `RenderingInfo`;
//! * the XML of records that the `evtx` crate renders (an XML declaration
//!   before each `<Event>`);
//! * UTF-8 (with or without BOM) and UTF-16 (with BOM, as `>` redirection in
//!   PowerShell writes it), LF or CRLF.
//!
//! Each `<Event>` element becomes an [`EventFact`](acsready_facts::EventFact)
//! as in [`crate::evtx`]: `System/EventID`, `System/Provider/@Name` (or
//! `@EventSourceName`), `System/TimeCreated/@SystemTime`, and as `message`
//! the text of `RenderingInfo/Message` when there is one (what Event Viewer
//! shows, and what the rules match), else the data strings of `EventData`
//! (without `Binary`) and `UserData`. Element names are compared without
//! their namespace prefix.
//!
//! Events are found by their `<Event` start tags, and each is parsed on its
//! own, up to the next one: an event that is not well-formed XML, or has no
//! event ID, is listed in [`EventLog::problems`] with the file and the line
//! and skipped, and the next one is read. Only a text with no `<Event>`
//! element at all (other than an empty `<Events/>`) is an error.

use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::events::{non_empty, parse_event_id, EventFilter, EventLog, LogBuilder, RawEvent};
use crate::text;
use crate::{Note, SourceError};

/// Reads the `wevtutil` XML file at `path`.
pub fn read_wevtutil_xml(path: &Path, filter: &EventFilter) -> Result<EventLog, SourceError> {
    crate::read_then(path, |bytes, file| parse_wevtutil_xml(bytes, file, filter))
}

/// Parses `wevtutil` XML held in memory; `file` names it in problems and errors.
pub fn parse_wevtutil_xml(
    bytes: &[u8],
    file: &str,
    filter: &EventFilter,
) -> Result<EventLog, SourceError> {
    if bytes.starts_with(b"ElfFile\0") {
        return Err(SourceError::format(
            file,
            "this is an .evtx event log, not XML: read it as .evtx",
        ));
    }
    let (text, _) = text::decode(bytes);
    let text = text.as_ref();
    if text.trim().is_empty() {
        // wevtutil writes `<Events>…</Events>` even when nothing matches:
        // an empty file says nothing about the host's events.
        return Err(SourceError::format(
            file,
            "the file is empty: it holds no events and no <Events> element (the query failed \
             or did not run), so the events are unknown",
        ));
    }
    let starts = event_starts(text);
    if starts.is_empty() {
        return if is_empty_document(text) {
            Ok(EventLog::default())
        } else {
            Err(SourceError::format(file, not_event_xml(text)))
        };
    }
    let mut log = LogBuilder::default();
    let last = starts.last().copied().unwrap_or(0);
    if opens_events_root(&text[..starts[0]]) && !closes_events_root(&text[last..]) {
        let line = text[..last].matches('\n').count() + 1;
        log.problem(|| {
            Note::at(
                file,
                line as u64,
                "the file ends before </Events> (it was cut short): events after \
                 the one starting at this line are lost",
            )
        });
    }
    let mut lines = LineCounter::new(text);
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        let Some(slice) = text.get(start..end) else {
            continue;
        };
        match parse_event(slice) {
            Ok(raw) => match raw.id {
                Some(id) => {
                    log.log.records_read += 1;
                    if let Some(fact) = raw.into_fact(id, filter) {
                        log.log.events.push(fact);
                    }
                }
                None => {
                    let line = lines.line_at(start);
                    log.problem(|| {
                        Note::at(file, line, "the event has no valid System/EventID; skipped")
                    });
                }
            },
            Err(EventError { at, message }) => {
                let first = lines.line_at(start);
                let line = lines.line_at(start + at.min(slice.len()));
                log.problem(|| {
                    Note::at(
                        file,
                        line,
                        format!("{message} (in the event starting at line {first}); skipped"),
                    )
                });
            }
        }
    }
    Ok(log.finish())
}

/// Line numbers of byte offsets, counted forward from the last one asked
/// (offsets come in increasing order, so a file is scanned once).
struct LineCounter<'a> {
    text: &'a str,
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text,
            offset: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, offset: usize) -> u64 {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        self.line += self.text.as_bytes()[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.offset = offset;
        self.line
    }
}

fn not_event_xml(text: &str) -> String {
    let hint = if text.lines().any(|l| l.trim_start().starts_with("Event[")) {
        " (this looks like `wevtutil qe … /f:text`; write /f:RenderedXml or /f:xml instead)"
    } else {
        ""
    };
    format!(
        "expected the XML of `wevtutil qe … /f:RenderedXml` or `/f:xml` (<Event> elements), \
         found {}{hint}",
        text::describe_start(text)
    )
}

/// Byte offsets of every `<Event` start tag (not `<Events`, `<EventData`, …),
/// prefixed ones (`<e:Event`) included.
fn event_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = Vec::new();
    let mut from = 0;
    while let Some(found) = text.get(from..).and_then(|rest| rest.find('<')) {
        let at = from + found;
        from = at + 1;
        // The name after `<`, up to whitespace, `>` or `/`.
        let name_end = bytes[from..]
            .iter()
            .position(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'))
            .map_or(bytes.len(), |p| from + p);
        let Some(name) = text.get(from..name_end) else {
            continue;
        };
        let local = name.rsplit(':').next().unwrap_or(name);
        if local == "Event" {
            starts.push(at);
        }
    }
    starts
}

/// No `<Event>`: whitespace, an XML declaration, comments, `<Events/>` or
/// `<Events></Events>` (what `/e:Events` gives when nothing matched).
fn is_empty_document(text: &str) -> bool {
    let mut reader = Reader::from_str(text);
    // `<Events/>`, or `<Events>` closed: a document cut before its end tag
    // does not say that there are no events.
    let (mut open, mut whole) = (false, false);
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => return whole && !open,
            Ok(Event::Empty(e)) if e.local_name().as_ref() == b"Events" => whole = true,
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"Events" => open = true,
            Ok(Event::End(e)) if e.local_name().as_ref() == b"Events" => {
                (open, whole) = (false, true);
            }
            Ok(Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_)) => {}
            Ok(Event::Text(t)) if t.iter().all(u8::is_ascii_whitespace) => {}
            _ => return false,
        }
    }
}

/// Whether the text before the first event opens an `<Events>` root
/// (`/e:Events`).
fn opens_events_root(head: &str) -> bool {
    head.match_indices('<').any(|(at, _)| {
        let name: String = head[at + 1..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
            .collect();
        name.rsplit(':').next() == Some("Events")
    })
}

/// Whether the text from the last event on closes the `<Events>` root.
fn closes_events_root(tail: &str) -> bool {
    tail.match_indices("</").any(|(at, _)| {
        let name: String = tail[at + 2..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>')
            .collect();
        name.rsplit(':').next() == Some("Events")
    })
}

/// Where (byte offset in the event's text) and why an event is not readable.
struct EventError {
    at: usize,
    message: String,
}

/// Where the parser is inside the event, by element names from `<Event>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Event,
    System,
    EventId,
    EventData,
    /// A `Binary` child of `EventData`: not text.
    Binary,
    UserData,
    RenderingInfo,
    Message,
    /// Anywhere else (or below the places above, inheriting their meaning
    /// through `text_place`).
    Other,
}

/// Parses one `<Event>` element at the start of `xml`; what follows its end
/// tag is not read.
fn parse_event(xml: &str) -> Result<RawEvent, EventError> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(false);
    let mut raw = RawEvent::default();
    // Element places from the Event element down.
    let mut stack: Vec<Place> = Vec::new();
    let mut id_text = String::new();
    let mut piece = String::new();
    let mut message: Option<String> = None;
    let error = |reader: &Reader<&[u8]>, message: String| EventError {
        at: usize::try_from(reader.error_position()).unwrap_or(usize::MAX),
        message,
    };
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => return Err(error(&reader, e.to_string())),
        };
        match event {
            Event::Start(e) => {
                flush(&mut piece, &stack, &mut raw);
                let place = child_place(stack.last().copied(), &e);
                if stack.is_empty() && place != Place::Event {
                    return Err(error(&reader, "expected an <Event> element".into()));
                }
                if place == Place::Message {
                    message.get_or_insert_with(String::new);
                }
                attributes(place, stack.last().copied(), &e, &mut raw);
                stack.push(place);
            }
            Event::Empty(e) => {
                flush(&mut piece, &stack, &mut raw);
                let place = child_place(stack.last().copied(), &e);
                attributes(place, stack.last().copied(), &e, &mut raw);
                if stack.is_empty() {
                    // `<Event/>`: no System, no ID.
                    return Ok(raw);
                }
            }
            Event::End(_) => {
                flush(&mut piece, &stack, &mut raw);
                stack.pop();
                if stack.is_empty() {
                    break;
                }
            }
            Event::Text(t) => {
                let text = t
                    .xml10_content()
                    .map_err(|e| error(&reader, e.to_string()))?;
                add_text(&text, &stack, &mut id_text, &mut piece, &mut message);
            }
            Event::CData(t) => {
                let text = t.decode().map_err(|e| error(&reader, e.to_string()))?;
                add_text(&text, &stack, &mut id_text, &mut piece, &mut message);
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = r.decode().map_err(|e| error(&reader, e.to_string()))?;
                        predefined_entity(&name)
                            .map_or_else(|| format!("&{name};"), |c| c.to_string())
                    }
                    Err(e) => return Err(error(&reader, e.to_string())),
                };
                add_text(&resolved, &stack, &mut id_text, &mut piece, &mut message);
            }
            Event::Eof => {
                return Err(EventError {
                    at: xml.trim_end().len(),
                    message: "the <Event> element is not closed".into(),
                })
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    raw.id = parse_event_id(&id_text);
    raw.message = message.map(|m| text::squeeze(&m)).filter(|m| !m.is_empty());
    Ok(raw)
}

fn predefined_entity(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

/// The place of a child element named like `e` inside `parent`.
fn child_place(parent: Option<Place>, e: &BytesStart<'_>) -> Place {
    let name = e.local_name();
    let name = name.as_ref();
    match (parent, name) {
        (None, b"Event") => Place::Event,
        (Some(Place::Event), b"System") => Place::System,
        (Some(Place::Event), b"EventData") => Place::EventData,
        (Some(Place::Event), b"UserData") => Place::UserData,
        (Some(Place::Event), b"RenderingInfo") => Place::RenderingInfo,
        (Some(Place::System), b"EventID") => Place::EventId,
        (Some(Place::EventData), b"Binary") => Place::Binary,
        (Some(Place::RenderingInfo), b"Message") => Place::Message,
        // Below EventData, UserData, Message, Binary: the same meaning.
        (
            Some(
                p @ (Place::EventData
                | Place::UserData
                | Place::Message
                | Place::Binary
                | Place::EventId),
            ),
            _,
        ) => p,
        _ => Place::Other,
    }
}

/// Reads the attributes that matter: `Provider/@Name`, `@EventSourceName`,
/// `TimeCreated/@SystemTime`.
fn attributes(place: Place, parent: Option<Place>, e: &BytesStart<'_>, raw: &mut RawEvent) {
    if place != Place::Other || parent != Some(Place::System) {
        return;
    }
    let element = e.local_name();
    let wanted: &[&[u8]] = match element.as_ref() {
        b"Provider" => &[b"Name", b"EventSourceName"],
        b"TimeCreated" => &[b"SystemTime"],
        _ => return,
    };
    for attribute in e.attributes().with_checks(false).flatten() {
        let key = attribute.key.local_name();
        if !wanted.contains(&key.as_ref()) {
            continue;
        }
        let value = match attribute.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
            Ok(v) => v.into_owned(),
            Err(_) => String::from_utf8_lossy(&attribute.value).into_owned(),
        };
        let value = non_empty(&value);
        match key.as_ref() {
            b"Name" => raw.provider = value,
            b"EventSourceName" => raw.event_source = value,
            _ => raw.time = value,
        }
    }
}

fn add_text(
    text: &str,
    stack: &[Place],
    id_text: &mut String,
    piece: &mut String,
    message: &mut Option<String>,
) {
    match stack.last() {
        Some(Place::EventId) => id_text.push_str(text),
        Some(Place::EventData | Place::UserData) => piece.push_str(text),
        Some(Place::Message) => {
            if let Some(m) = message {
                m.push_str(text);
            }
        }
        _ => {}
    }
}

/// Ends the current run of text: it becomes a data string when it was
/// inside `EventData` or `UserData`.
fn flush(piece: &mut String, stack: &[Place], raw: &mut RawEvent) {
    if !piece.is_empty() {
        if matches!(stack.last(), Some(Place::EventData | Place::UserData)) {
            raw.push_data(piece);
        }
        piece.clear();
    }
}

#[cfg(test)]
mod tests;
