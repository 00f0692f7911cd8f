//! Built-in responders that need no model: the placeholder the default agent uses until agents
//! are configured (it echoes the user's text), and the scripted reply benchmarks and tests use.
//!
//! Both stream an assistant message the way a model reply streams: `thread.item.added`, a content
//! part, text deltas, the part done, then `thread.item.done`. A user message containing `[[hold]]`
//! keeps the stream open (up to [`HOLD_LIMIT`]) before replying, so a test or benchmark can count
//! idle open streams and exercise cancellation.
//!
//! A user message containing `[[slow]]` cuts the reply into up to [`SLOW_MESSAGES`] assistant
//! messages, streamed one after the other (each with its own `thread.item.done`), and waits
//! [`SLOW_DELTA_PACE`] before every text delta, so `thread.item.done` frames arrive throughout a
//! stream that stays open for a while: the durability test kills the server mid-stream with it.

use std::sync::Arc;
use std::time::Duration;

use chatkit_server::{EventStream, RequestContext, Responder, ThreadHandle};
use chatkit_store::IdKind;
use chatkit_types::{
    AssistantMessageContent, AssistantMessageContentPartAdded, AssistantMessageContentPartDone,
    AssistantMessageContentPartTextDelta, AssistantMessageItem, ThreadItem, ThreadItemAddedEvent,
    ThreadItemDoneEvent, ThreadItemUpdate, ThreadItemUpdatedEvent, ThreadStreamEvent, Timestamp,
    UserMessageContent, UserMessageItem,
};
use futures::StreamExt;

/// How long `[[hold]]` keeps a stream open at most.
pub const HOLD_LIMIT: Duration = Duration::from_secs(120);

/// How many assistant messages a `[[slow]]` reply is cut into at most.
pub const SLOW_MESSAGES: usize = 5;

/// The wait before each text delta of a `[[slow]]` reply.
pub const SLOW_DELTA_PACE: Duration = Duration::from_millis(20);

/// What a [`ScriptedResponder`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// `You said: <text>`, in a few deltas (the default agent's placeholder).
    Echo,
    /// Exactly 20 deltas, `tok0 ` … `tok19 ` (the protocol benchmark's reply).
    Benchmark,
}

/// A responder that streams a fixed kind of reply.
#[derive(Debug, Clone, Copy)]
pub struct ScriptedResponder {
    script: Script,
}

impl ScriptedResponder {
    /// A responder for `script`.
    pub fn new(script: Script) -> Self {
        Self { script }
    }

    /// The reply's text deltas; `text` is the user's text (only [`Script::Echo`] reads it).
    fn deltas(script: Script, text: &str) -> Vec<String> {
        match script {
            Script::Benchmark => (0..20).map(|i| format!("tok{i} ")).collect(),
            Script::Echo => {
                let reply = if text.trim().is_empty() {
                    "Done.".to_owned()
                } else {
                    format!("You said: {}", text.trim())
                };
                chunks(&reply, 4)
            }
        }
    }
}

impl Responder for ScriptedResponder {
    fn respond(
        &self,
        thread: ThreadHandle,
        input: Option<UserMessageItem>,
        _ctx: &RequestContext,
    ) -> EventStream {
        let script = self.script;
        let mut text = input.as_ref().map(user_text).unwrap_or_default();
        let hold = text.contains("[[hold]]");
        let slow = text.contains("[[slow]]");
        if script != Script::Echo {
            text = String::new();
        }
        let store = Arc::clone(thread.store());
        let thread_id = thread.id();
        drop(thread);
        // The reply is built after the hold, not before: a held stream keeps only what it needs
        // to build it (the store, the thread id, the user's text for the echo), so an idle stream
        // costs a few hundred bytes here rather than the whole scripted reply.
        let events = async move {
            if hold {
                tokio::time::sleep(HOLD_LIMIT).await;
            }
            let deltas = Self::deltas(script, &text);
            // Each event with the wait before it: none normally; before every delta when slow.
            let events: Vec<(Duration, ThreadStreamEvent)> = if slow {
                let per_message = deltas.len().div_ceil(SLOW_MESSAGES).max(1);
                deltas
                    .chunks(per_message)
                    .flat_map(|part| {
                        let item_id = store.generate_item_id(IdKind::Message);
                        message_events(&thread_id, &item_id, part)
                    })
                    .map(|event| (pace_before(&event), event))
                    .collect()
            } else {
                let item_id = store.generate_item_id(IdKind::Message);
                message_events(&thread_id, &item_id, &deltas)
                    .into_iter()
                    .map(|event| (Duration::ZERO, event))
                    .collect()
            };
            futures::stream::iter(events)
        };
        futures::stream::once(events)
            .flatten()
            .then(|(wait, event)| async move {
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
                Ok(event)
            })
            .boxed()
    }
}

/// The wait before `event` in a `[[slow]]` reply: [`SLOW_DELTA_PACE`] before a text delta,
/// nothing before anything else.
fn pace_before(event: &ThreadStreamEvent) -> Duration {
    match event {
        ThreadStreamEvent::ThreadItemUpdated(ThreadItemUpdatedEvent {
            update: ThreadItemUpdate::AssistantMessageContentPartTextDelta(_),
            ..
        }) => SLOW_DELTA_PACE,
        _ => Duration::ZERO,
    }
}

/// The text of a user message's `input_text` parts.
pub fn user_text(message: &UserMessageItem) -> String {
    message
        .content
        .iter()
        .filter_map(|part| match part {
            UserMessageContent::InputText(text) => Some(text.text.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` cut into about `parts` pieces on character boundaries.
fn chunks(text: &str, parts: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let size = chars.len().div_ceil(parts.max(1)).max(1);
    chars.chunks(size).map(|c| c.iter().collect()).collect()
}

/// The events of an assistant message streamed as `deltas`.
fn message_events(thread_id: &str, item_id: &str, deltas: &[String]) -> Vec<ThreadStreamEvent> {
    let item = |text: &str| {
        ThreadItem::AssistantMessage(AssistantMessageItem {
            id: item_id.to_owned(),
            thread_id: thread_id.to_owned(),
            created_at: Timestamp::now(),
            content: if text.is_empty() {
                Vec::new()
            } else {
                vec![AssistantMessageContent::text(text)]
            },
        })
    };
    let update = |update: ThreadItemUpdate| {
        ThreadStreamEvent::ThreadItemUpdated(ThreadItemUpdatedEvent {
            item_id: item_id.to_owned(),
            update,
        })
    };
    let full: String = deltas.concat();
    let mut events = vec![
        ThreadStreamEvent::ThreadItemAdded(ThreadItemAddedEvent { item: item("") }),
        update(ThreadItemUpdate::AssistantMessageContentPartAdded(
            AssistantMessageContentPartAdded {
                content_index: 0,
                content: AssistantMessageContent::text(""),
            },
        )),
    ];
    events.extend(deltas.iter().map(|delta| {
        update(ThreadItemUpdate::AssistantMessageContentPartTextDelta(
            AssistantMessageContentPartTextDelta {
                content_index: 0,
                delta: delta.clone(),
            },
        ))
    }));
    events.push(update(ThreadItemUpdate::AssistantMessageContentPartDone(
        AssistantMessageContentPartDone {
            content_index: 0,
            content: AssistantMessageContent::text(full.clone()),
        },
    )));
    events.push(ThreadStreamEvent::ThreadItemDone(ThreadItemDoneEvent {
        item: item(&full),
    }));
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_keep_every_character_in_order() {
        let parts = chunks("You said: héllo", 4);
        assert_eq!(parts.concat(), "You said: héllo");
        assert!(parts.len() <= 4 && parts.len() >= 3, "{parts:?}");
    }

    #[test]
    fn the_benchmark_script_is_twenty_fixed_deltas() {
        let deltas = ScriptedResponder::deltas(Script::Benchmark, "ignored");
        assert_eq!(deltas.len(), 20);
        assert_eq!(deltas[0], "tok0 ");
        assert_eq!(deltas[19], "tok19 ");
    }

    #[test]
    fn only_text_deltas_are_paced() {
        let events = message_events("thr_1", "msg_1", &["a".into(), "b".into()]);
        let waits: Vec<Duration> = events.iter().map(pace_before).collect();
        assert_eq!(
            waits,
            [
                Duration::ZERO,
                Duration::ZERO,
                SLOW_DELTA_PACE,
                SLOW_DELTA_PACE,
                Duration::ZERO,
                Duration::ZERO
            ]
        );
    }
}
