//! SSE framing exactly as the reference writes it: every event is `data: ` + compact JSON +
//! `\n\n`, nothing else (no `event:`/`id:`/`retry:` lines, no comments, no end sentinel). The one
//! exception is the optional heartbeat, [`HEARTBEAT`], sent only when configured.

use bytes::{BufMut, Bytes, BytesMut};
use chatkit_types::ThreadStreamEvent;

/// The heartbeat frame (an SSE comment), sent while a stream is idle when
/// [`crate::EngineOptions::heartbeat`] is set.
pub const HEARTBEAT: &[u8] = b": keep-alive\n\n";

/// One frame: `data: <json>\n\n`.
pub fn frame(event: &ThreadStreamEvent) -> Result<Bytes, serde_json::Error> {
    let mut buf = BytesMut::with_capacity(256).writer();
    std::io::Write::write_all(&mut buf, b"data: ").map_err(serde_json::Error::io)?;
    serde_json::to_writer(&mut buf, event)?;
    let mut buf = buf.into_inner();
    buf.put_slice(b"\n\n");
    Ok(buf.freeze())
}
