//! Calls to your own HTTP endpoints: HTTP tools and widget action handlers.
//!
//! Both POST JSON and expect JSON back, within the endpoint's timeout and size limit. What a
//! reply may hold (documented in `docs/agents.md`):
//!
//! - an HTTP tool's reply: `{"output": <any JSON>, "widget": {<widget>}?}`; `output` goes back
//!   to the model, `widget` is shown to the user. A JSON reply without either key is the output
//!   as a whole; a non-JSON reply is the output as text.
//! - an action handler's reply: `{"widget": {<widget>}?, "message": "…"?}`: the widget replaces
//!   the one that sent the action, the message is streamed as an assistant message, or both.

use std::time::Duration;

use bytes::BytesMut;
use chatkit_types::WidgetRoot;
use futures::StreamExt;
use serde_json::Value;

use crate::catalog::Endpoint;

/// Why a call to an endpoint failed, in words the model and the user can read (no secrets:
/// header values never appear).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// The call took longer than the endpoint's timeout.
    #[error("it did not answer within {0:?}")]
    Timeout(Duration),
    /// The endpoint could not be reached.
    #[error("it could not be reached")]
    Unreachable,
    /// A non-2xx reply.
    #[error("it answered HTTP {0}")]
    Status(u16),
    /// The reply was larger than allowed.
    #[error("its reply was larger than {0} bytes")]
    TooLarge(usize),
    /// The reply broke off.
    #[error("its reply broke off")]
    Broken,
}

/// What an endpoint answered: JSON when it parsed as JSON, else text.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A JSON reply.
    Json(Value),
    /// Any other reply, as text.
    Text(String),
}

/// POSTs `body` to `endpoint` with its headers and `extra` headers.
pub async fn post(
    http: &reqwest::Client,
    endpoint: &Endpoint,
    extra: &[(&'static str, String)],
    body: &Value,
) -> Result<Reply, EndpointError> {
    let call = async {
        let mut request = http.post(endpoint.url.clone()).json(body);
        for (name, value) in &endpoint.headers {
            request = request.header(name, value);
        }
        for (name, value) in extra {
            request = request.header(*name, value);
        }
        let response = request.send().await.map_err(|e| {
            if e.is_timeout() {
                EndpointError::Timeout(endpoint.timeout)
            } else {
                EndpointError::Unreachable
            }
        })?;
        let status = response.status();
        if !status.is_success() {
            return Err(EndpointError::Status(status.as_u16()));
        }
        if response
            .content_length()
            .is_some_and(|n| n > endpoint.max_response_bytes as u64)
        {
            return Err(EndpointError::TooLarge(endpoint.max_response_bytes));
        }
        let mut body = BytesMut::new();
        let mut chunks = response.bytes_stream();
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|_| EndpointError::Broken)?;
            if body.len() + chunk.len() > endpoint.max_response_bytes {
                return Err(EndpointError::TooLarge(endpoint.max_response_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(match serde_json::from_slice::<Value>(&body) {
            Ok(json) => Reply::Json(json),
            Err(_) => Reply::Text(String::from_utf8_lossy(&body).into_owned()),
        })
    };
    tokio::time::timeout(endpoint.timeout, call)
        .await
        .unwrap_or(Err(EndpointError::Timeout(endpoint.timeout)))
}

/// An HTTP tool's reply, taken apart.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolReply {
    /// What goes back to the model (JSON text).
    pub output: String,
    /// A widget to show, when the reply carried a valid one.
    pub widget: Option<WidgetRoot>,
    /// Why the widget was refused, when it was.
    pub widget_problem: Option<String>,
}

/// Splits an HTTP tool's reply into the model's output and a widget.
pub fn tool_reply(reply: Reply) -> ToolReply {
    match reply {
        Reply::Text(text) => ToolReply {
            output: Value::String(text).to_string(),
            widget: None,
            widget_problem: None,
        },
        Reply::Json(Value::Object(mut map))
            if map.contains_key("output") || map.contains_key("widget") =>
        {
            let (widget, widget_problem) = match map.remove("widget") {
                Some(value) => match WidgetRoot::from_value(value) {
                    Ok(widget) => (Some(widget), None),
                    Err(e) => (None, Some(e.to_string())),
                },
                None => (None, None),
            };
            let output = map.remove("output").unwrap_or(Value::Null);
            let output = match (&widget, output) {
                (Some(_), Value::Null) => {
                    Value::String("A widget was shown to the user.".into()).to_string()
                }
                (_, output) => output.to_string(),
            };
            ToolReply {
                output,
                widget,
                widget_problem,
            }
        }
        Reply::Json(other) => ToolReply {
            output: other.to_string(),
            widget: None,
            widget_problem: None,
        },
    }
}

/// An action handler's reply, taken apart.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActionReply {
    /// The widget that replaces the sender.
    pub widget: Option<WidgetRoot>,
    /// A message to stream.
    pub message: Option<String>,
}

/// Reads an action handler's reply; `Err` names what is wrong with it.
pub fn action_reply(reply: Reply) -> Result<ActionReply, String> {
    let Reply::Json(Value::Object(mut map)) = reply else {
        return Err("the reply is not a JSON object".into());
    };
    let widget = match map.remove("widget") {
        None | Some(Value::Null) => None,
        Some(value) => Some(WidgetRoot::from_value(value).map_err(|e| e.to_string())?),
    };
    let message = match map.remove("message") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => return Err("`message` must be a string".into()),
    };
    Ok(ActionReply { widget, message })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tool_replies_split_into_output_and_widget() {
        let reply = tool_reply(Reply::Json(json!({
            "output": {"status": "shipped"},
            "widget": {"type": "Card", "children": [{"type": "Text", "value": "Shipped"}]}
        })));
        assert_eq!(reply.output, r#"{"status":"shipped"}"#);
        assert!(reply.widget.is_some());
        let whole = tool_reply(Reply::Json(json!({"status": "shipped"})));
        assert_eq!(whole.output, r#"{"status":"shipped"}"#);
        assert!(whole.widget.is_none());
        let text = tool_reply(Reply::Text("plain".into()));
        assert_eq!(text.output, r#""plain""#);
        let bad = tool_reply(Reply::Json(
            json!({"output": 1, "widget": {"type": "Text"}}),
        ));
        assert!(bad.widget.is_none() && bad.widget_problem.is_some());
    }

    #[test]
    fn action_replies_are_checked() {
        let ok = action_reply(Reply::Json(json!({"message": "Done", "widget": null}))).unwrap();
        assert_eq!(ok.message.as_deref(), Some("Done"));
        assert!(action_reply(Reply::Text("x".into())).is_err());
        assert!(action_reply(Reply::Json(json!({"message": 3}))).is_err());
    }
}
