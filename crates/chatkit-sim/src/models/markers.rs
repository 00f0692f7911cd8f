//! Reading the `[[...]]` markers out of the user text, and the text with the markers removed.
//!
//! A marker is `[[` + body + `]]`. `[[tool:NAME {json}]]` may hold JSON that itself contains `]]`,
//! so its JSON is read with a JSON parser rather than by searching for the closing brackets.
//! Unknown markers are removed from the text and otherwise ignored.

use serde_json::{Deserializer, Value};

/// The statuses `[[error:STATUS]]` can ask for.
pub(super) const ERROR_STATUSES: [u16; 7] = [400, 401, 403, 404, 429, 500, 503];

/// One `[[tool:…]]` or `[[show:…]]` marker.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ToolMarker {
    /// The function to call.
    pub(super) name: String,
    /// The arguments: `Some(Ok(json))` as written in the marker, `None` to generate them from the
    /// tool's schema, `Some(Err(()))` if the marker's JSON is not an object.
    pub(super) arguments: Option<Result<String, ()>>,
}

/// Every marker found in a user text.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Markers {
    /// `[[tool:…]]` and `[[show:…]]`, in order.
    pub(super) tools: Vec<ToolMarker>,
    /// `[[reason]]`.
    pub(super) reason: bool,
    /// `[[cite]]`.
    pub(super) cite: bool,
    /// `[[image]]`.
    pub(super) image: bool,
    /// `[[error]]`: fail after the 200.
    pub(super) fail: bool,
    /// `[[error:STATUS]]`: fail with this status before streaming.
    pub(super) error_status: Option<u16>,
    /// `[[quota]]`.
    pub(super) quota: bool,
    /// `[[flaky]]`.
    pub(super) flaky: bool,
    /// `[[midfail]]`.
    pub(super) midfail: bool,
    /// `[[incomplete]]`.
    pub(super) incomplete: bool,
    /// `[[slow]]`.
    pub(super) slow: bool,
    /// `[[hang]]`.
    pub(super) hang: bool,
}

/// Reads the markers of `text`, and returns them with the text without them, its whitespace runs
/// collapsed to single spaces and trimmed.
pub(super) fn parse(text: &str) -> (Markers, String) {
    let mut markers = Markers::default();
    let mut clean = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("[[") {
        clean.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        match read_marker(after, &mut markers) {
            Some(consumed) => {
                // A space keeps the words on both sides of a marker apart.
                clean.push(' ');
                rest = &after[consumed..];
            }
            None => {
                // No closing `]]`: not a marker, keep the text as it is.
                clean.push_str(&rest[open..open + 2]);
                rest = after;
            }
        }
    }
    clean.push_str(rest);
    (markers, collapse_whitespace(&clean))
}

/// Reads one marker body after `[[`, records it, and returns how many bytes it used (through
/// `]]`), or `None` if the marker is never closed.
fn read_marker(after: &str, markers: &mut Markers) -> Option<usize> {
    let trimmed_start = after.len() - after.trim_start().len();
    let body = &after[trimmed_start..];
    if let Some(tool) = body.strip_prefix("tool:")
        && let Some((marker, used)) = read_tool(tool)
    {
        markers.tools.push(marker);
        return Some(trimmed_start + "tool:".len() + used);
    }
    let close = after.find("]]")?;
    let inner = after[..close].trim();
    match inner {
        "reason" => markers.reason = true,
        "cite" => markers.cite = true,
        "image" => markers.image = true,
        "error" => markers.fail = true,
        "quota" => markers.quota = true,
        "flaky" => markers.flaky = true,
        "midfail" => markers.midfail = true,
        "incomplete" => markers.incomplete = true,
        "slow" => markers.slow = true,
        "hang" => markers.hang = true,
        _ => {
            if let Some(status) = inner.strip_prefix("error:") {
                if let Ok(status) = status.trim().parse::<u16>()
                    && ERROR_STATUSES.contains(&status)
                    && markers.error_status.is_none()
                {
                    markers.error_status = Some(status);
                }
            } else if let Some(kind) = inner.strip_prefix("show:") {
                let kind = kind.trim();
                markers.tools.push(ToolMarker {
                    name: "show".to_owned(),
                    arguments: Some(Ok(serde_json::json!({ "kind": kind }).to_string())),
                });
            } else if let Some(tool) = inner.strip_prefix("tool:") {
                // `read_tool` did not accept it (bad JSON): keep the name, flag the arguments.
                if let Some(name) = tool.split_whitespace().next() {
                    markers.tools.push(ToolMarker {
                        name: name.to_owned(),
                        arguments: Some(Err(())),
                    });
                }
            }
        }
    }
    Some(close + 2)
}

/// Reads `NAME]]` or `NAME {json}]]` (after `tool:`), returning the marker and the bytes used.
fn read_tool(text: &str) -> Option<(ToolMarker, usize)> {
    let name_len = text
        .find(|c: char| c.is_whitespace() || c == ']' || c == '{')
        .unwrap_or(text.len());
    let name = &text[..name_len];
    if name.is_empty() {
        return None;
    }
    let after_name = &text[name_len..];
    let gap = after_name.len() - after_name.trim_start().len();
    let rest = &after_name[gap..];
    if let Some(tail) = rest.strip_prefix("]]") {
        let used = text.len() - tail.len();
        return Some((
            ToolMarker {
                name: name.to_owned(),
                arguments: None,
            },
            used,
        ));
    }
    if !rest.starts_with('{') {
        return None;
    }
    let mut values = Deserializer::from_str(rest).into_iter::<Value>();
    let Some(Ok(Value::Object(_))) = values.next() else {
        return None;
    };
    let json_len = values.byte_offset();
    let json = &rest[..json_len];
    let after_json = &rest[json_len..];
    let tail = after_json.trim_start().strip_prefix("]]")?;
    let used = text.len() - tail.len();
    Some((
        ToolMarker {
            name: name.to_owned(),
            arguments: Some(Ok(json.to_owned())),
        },
        used,
    ))
}

/// `text` with every whitespace run replaced by one space, trimmed.
pub(super) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_has_no_markers() {
        let (markers, clean) = parse("  Hello   there\nfriend ");
        assert_eq!(markers, Markers::default());
        assert_eq!(clean, "Hello there friend");
    }

    #[test]
    fn flags_are_read_and_removed() {
        let (markers, clean) = parse("Tell me[[reason]] a [[cite]]story [[slow]][[midfail]]");
        assert!(markers.reason && markers.cite && markers.slow && markers.midfail);
        assert!(!markers.fail && !markers.hang);
        assert_eq!(clean, "Tell me a story");
    }

    #[test]
    fn tool_markers_keep_their_json_even_with_brackets_inside() {
        let (markers, clean) =
            parse(r#"go [[tool:lookup {"q": "a]]b", "n": [[1]]}]] [[tool:ping]] [[show:card]]"#);
        assert_eq!(clean, "go");
        assert_eq!(
            markers.tools,
            vec![
                ToolMarker {
                    name: "lookup".into(),
                    arguments: Some(Ok(r#"{"q": "a]]b", "n": [[1]]}"#.into())),
                },
                ToolMarker {
                    name: "ping".into(),
                    arguments: None,
                },
                ToolMarker {
                    name: "show".into(),
                    arguments: Some(Ok(r#"{"kind":"card"}"#.into())),
                },
            ]
        );
    }

    #[test]
    fn a_tool_marker_with_bad_json_is_flagged() {
        let (markers, _) = parse("[[tool:lookup {nope}]]");
        assert_eq!(
            markers.tools,
            vec![ToolMarker {
                name: "lookup".into(),
                arguments: Some(Err(())),
            }]
        );
    }

    #[test]
    fn error_statuses_outside_the_list_are_ignored() {
        assert_eq!(parse("[[error:429]]").0.error_status, Some(429));
        assert_eq!(parse("[[error:418]]").0.error_status, None);
        assert!(!parse("[[error:418]]").0.fail);
    }

    #[test]
    fn unknown_and_unclosed_markers() {
        let (markers, clean) = parse("a [[whatever]] b [[open");
        assert_eq!(markers, Markers::default());
        assert_eq!(clean, "a b [[open");
    }
}
