//! [`Engine`]: a request body and its [`RequestContext`] in, a JSON reply or a stream of SSE frames
//! out (Python: `ChatKitServer.process`). Parsing and the non-streaming ops live here; the
//! streaming ops' preambles in `preamble`, their event pipeline in [`crate::pipeline`].
//!
//! Every check a request can fail is made before [`Engine::process`] returns, so a failure is a
//! [`ProtocolError`] (a 4xx for the binary to answer) and never a `200` stream that breaks off.
//! A streamed reply runs in its own task: it keeps going (and persists what it must) when the
//! caller drops the stream, and [`Engine::wait_idle`] waits for every such task.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use chatkit_store::{Store, StoreError};
use chatkit_types::{
    AttachmentCreateParams, ChatKitReq, ChatKitReqError, FeedbackKind, InputTranscribeParams,
    ItemsListParams, NonStreamingReq as N, Page, StreamingReq, Thread, ThreadCustomActionParams,
    ThreadItem, ThreadListParams, ThreadMetadata, WidgetItem,
};
use futures::stream::BoxStream;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot, watch};
use tracing::Instrument;

use crate::attachments::{AttachmentError, AttachmentHandler};
use crate::context::{RequestContext, ThreadHandle};
use crate::error::ProtocolError;
use crate::pipeline;
use crate::preamble;
use crate::responder::{Responder, ResponderError};

/// Limits and switches of the engine. `Default` gives the reference's behaviour with generous
/// bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EngineOptions {
    /// Send an SSE comment frame (`: keep-alive`) when a stream has been silent this long, for
    /// proxies with idle timeouts. `None` (the default, and the reference): never.
    pub heartbeat: Option<Duration>,
    /// A streamed reply ends with an `error` frame when it has run this long. Default 15 minutes.
    pub stream_timeout: Duration,
    /// A streamed reply ends with an `error` frame when the responder has produced nothing for
    /// this long; a client that accepts no frame for this long is treated as gone. Default 5
    /// minutes.
    pub idle_timeout: Duration,
    /// Page size of `threads.list` and `items.list` when the request gives none (or 0). Default 20,
    /// as the reference.
    pub default_page_size: usize,
    /// Largest page size a request may ask for; larger limits are clamped. Default 100.
    pub max_page_size: usize,
    /// How many items `threads.get_by_id` returns with the thread (the oldest ones, as the
    /// reference; the client pages on with `items.list`). Default 20.
    pub thread_items_limit: usize,
    /// How many of the newest items `threads.add_client_tool_output` searches for the pending
    /// call. Default 20.
    pub tool_call_lookback: usize,
    /// Frames buffered between the pipeline and the HTTP body. Default 32.
    pub channel_capacity: usize,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            heartbeat: None,
            stream_timeout: Duration::from_secs(15 * 60),
            idle_timeout: Duration::from_secs(5 * 60),
            default_page_size: 20,
            max_page_size: 100,
            thread_items_limit: 20,
            tool_call_lookback: 20,
            channel_capacity: 32,
        }
    }
}

impl EngineOptions {
    /// Sets [`EngineOptions::heartbeat`].
    pub fn heartbeat(mut self, every: Option<Duration>) -> Self {
        self.heartbeat = every;
        self
    }

    /// Sets [`EngineOptions::stream_timeout`].
    pub fn stream_timeout(mut self, timeout: Duration) -> Self {
        self.stream_timeout = timeout;
        self
    }

    /// Sets [`EngineOptions::idle_timeout`].
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Sets [`EngineOptions::default_page_size`] and [`EngineOptions::max_page_size`].
    pub fn page_sizes(mut self, default: usize, max: usize) -> Self {
        self.max_page_size = max.max(1);
        self.default_page_size = default.clamp(1, self.max_page_size);
        self
    }

    /// Sets [`EngineOptions::thread_items_limit`].
    pub fn thread_items_limit(mut self, limit: usize) -> Self {
        self.thread_items_limit = limit.max(1);
        self
    }

    /// Sets [`EngineOptions::tool_call_lookback`].
    pub fn tool_call_lookback(mut self, items: usize) -> Self {
        self.tool_call_lookback = items.max(1);
        self
    }

    /// Sets [`EngineOptions::channel_capacity`].
    pub fn channel_capacity(mut self, frames: usize) -> Self {
        self.channel_capacity = frames.max(1);
        self
    }

    /// A request's `limit` as a page size: the default for none or 0, else clamped to
    /// `1..=max_page_size`.
    pub fn page_size(&self, limit: Option<i64>) -> usize {
        match limit {
            None | Some(0) => self.default_page_size,
            Some(n) => usize::try_from(n.max(1))
                .unwrap_or(usize::MAX)
                .min(self.max_page_size),
        }
    }
}

/// A stream of SSE frames: each item is exactly one frame, `data: <json>\n\n` (or the heartbeat
/// comment when configured). The stream ends when the reply is complete.
pub type FrameStream = BoxStream<'static, Bytes>;

/// What to answer.
pub enum EngineReply {
    /// `200 application/json` with this body (`{}` for void ops).
    Json(Bytes),
    /// `200 text/event-stream` with these frames, each flushed as it comes.
    Stream(FrameStream),
}

impl EngineReply {
    /// The `Content-Type` of the reply.
    pub fn content_type(&self) -> &'static str {
        match self {
            Self::Json(_) => "application/json",
            Self::Stream(_) => "text/event-stream",
        }
    }
}

impl fmt::Debug for EngineReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(body) => f.debug_tuple("Json").field(body).finish(),
            Self::Stream(_) => f.write_str("Stream(..)"),
        }
    }
}

/// Counts running stream tasks, so shutdown and tests can wait for them.
#[derive(Debug)]
pub(crate) struct Runs(watch::Sender<usize>);

/// Decrements the run count when a stream task ends (however it ends).
pub(crate) struct RunGuard(Arc<Runs>);

impl Drop for RunGuard {
    fn drop(&mut self) {
        self.0.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl Runs {
    fn start(self: &Arc<Self>) -> RunGuard {
        self.0.send_modify(|n| *n += 1);
        RunGuard(Arc::clone(self))
    }
}

/// The protocol engine. Cheap to clone (everything is behind `Arc`s).
#[derive(Clone)]
pub struct Engine {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) responder: Arc<dyn Responder>,
    pub(crate) attachments: Option<Arc<dyn AttachmentHandler>>,
    pub(crate) options: Arc<EngineOptions>,
    runs: Arc<Runs>,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("store", &self.store)
            .field("attachments", &self.attachments.is_some())
            .field("options", &self.options)
            .field("active_streams", &self.active_streams())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine over `store` answering with `responder`, default options, no attachments.
    pub fn new(store: Arc<dyn Store>, responder: Arc<dyn Responder>) -> Self {
        Self {
            store,
            responder,
            attachments: None,
            options: Arc::new(EngineOptions::default()),
            runs: Arc::new(Runs(watch::Sender::new(0))),
        }
    }

    /// Sets the options.
    pub fn with_options(mut self, options: EngineOptions) -> Self {
        self.options = Arc::new(options);
        self
    }

    /// Enables `attachments.create` / `attachments.delete` through `handler`.
    pub fn with_attachments(mut self, handler: Arc<dyn AttachmentHandler>) -> Self {
        self.attachments = Some(handler);
        self
    }

    /// The options.
    pub fn options(&self) -> &EngineOptions {
        &self.options
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// How many streamed replies are running (including ones whose client is gone and which are
    /// still persisting).
    pub fn active_streams(&self) -> usize {
        *self.runs.0.borrow()
    }

    /// Waits until no streamed reply is running (for graceful shutdown, and tests).
    pub async fn wait_idle(&self) {
        let mut rx = self.runs.0.subscribe();
        // The sender lives in `self`, so the channel cannot close while we wait.
        let _ = rx.wait_for(|n| *n == 0).await;
    }

    /// Handles one request body: a JSON reply, a stream of SSE frames, or a [`ProtocolError`]
    /// decided before any byte of a reply.
    pub async fn process(
        &self,
        body: &[u8],
        ctx: RequestContext,
    ) -> Result<EngineReply, ProtocolError> {
        let request = parse_request(body)?;
        self.process_request(request, ctx).await
    }

    /// Handles a request already parsed.
    pub async fn process_request(
        &self,
        request: ChatKitReq,
        ctx: RequestContext,
    ) -> Result<EngineReply, ProtocolError> {
        let op = request.type_name();
        let span = tracing::info_span!("chatkit", op, agent = %ctx.store_ctx.agent);
        let result = match request {
            ChatKitReq::Streaming(req) => self.streaming(req, ctx).instrument(span.clone()).await,
            ChatKitReq::NonStreaming(req) => self
                .non_streaming(req, &ctx)
                .instrument(span.clone())
                .await
                .map(EngineReply::Json),
        };
        if let Err(e) = &result {
            let _enter = span.enter();
            if e.is_server_error() {
                tracing::error!(code = e.code(), error = %e, "request failed");
            } else {
                tracing::debug!(code = e.code(), "request refused");
            }
        }
        result
    }

    /// Runs a streaming op's preamble and, when it passes, starts the pipeline. Both run in a
    /// spawned task, so a caller that goes away mid-preamble cannot leave it half done.
    async fn streaming(
        &self,
        request: StreamingReq,
        ctx: RequestContext,
    ) -> Result<EngineReply, ProtocolError> {
        let (ready_tx, ready_rx) = oneshot::channel();
        let (tx, mut rx) = mpsc::channel::<Box<Bytes>>(self.options.channel_capacity.max(1));
        let guard = self.runs.start();
        let start = StreamStart {
            engine: self.clone(),
            request,
            ctx,
            ready: ready_tx,
            tx,
        };
        tokio::spawn(stream_task(Box::new(start), guard).instrument(tracing::Span::current()));
        match ready_rx.await {
            Ok(Ok(())) => {
                let frames = futures::stream::poll_fn(move |cx| {
                    rx.poll_recv(cx).map(|frame| frame.map(|f| *f))
                });
                Ok(EngineReply::Stream(Box::pin(frames)))
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(ProtocolError::Internal(
                "the stream task ended before its preamble finished".to_owned(),
            )),
        }
    }

    async fn non_streaming(
        &self,
        request: N,
        ctx: &RequestContext,
    ) -> Result<Bytes, ProtocolError> {
        match request {
            N::ThreadsGetById(req) => self.get_thread(&req.params.thread_id, ctx).await,
            N::ThreadsList(req) => self.list_threads(req.params, ctx).await,
            N::ThreadsUpdate(req) => {
                let mut thread = self.load_thread(&req.params.thread_id, ctx).await?;
                thread.title = Some(req.params.title);
                self.store.save_thread(&thread, &ctx.store_ctx).await?;
                json(&Thread::from(thread))
            }
            N::ThreadsDelete(req) => {
                let id = &req.params.thread_id;
                match self.store.delete_thread(id, &ctx.store_ctx).await {
                    Ok(()) => Ok(empty_object()),
                    Err(StoreError::NotFound) => Err(ProtocolError::ThreadNotFound(id.clone())),
                    Err(e) => Err(e.into()),
                }
            }
            N::ItemsList(req) => self.list_items(req.params, ctx).await,
            N::ItemsFeedback(req) => {
                let p = req.params;
                self.feedback(&p.thread_id, &p.item_ids, p.kind, ctx).await
            }
            N::AttachmentsCreate(req) => self.create_attachment(&req.params, ctx).await,
            N::AttachmentsDelete(req) => {
                self.delete_attachment(&req.params.attachment_id, ctx).await
            }
            N::InputTranscribe(req) => self.transcribe(req.params, ctx).await,
            N::ThreadsSyncCustomAction(req) => self.sync_action(req.params, ctx).await,
        }
    }

    /// `threads.get_by_id`: the thread with its oldest items (hidden ones filtered out), as the
    /// reference's `_load_full_thread`.
    async fn get_thread(
        &self,
        thread_id: &str,
        ctx: &RequestContext,
    ) -> Result<Bytes, ProtocolError> {
        let thread = self.load_thread(thread_id, ctx).await?;
        let limit = self
            .options
            .thread_items_limit
            .min(self.options.max_page_size)
            .max(1);
        let items = self
            .store
            .load_thread_items(
                thread_id,
                None,
                limit,
                chatkit_types::Order::Asc,
                &ctx.store_ctx,
            )
            .await
            .map_err(|e| not_found_as(e, || ProtocolError::ThreadNotFound(thread_id.to_owned())))?;
        json(&Thread::from_metadata(thread, items).into_response())
    }

    /// `threads.list`: the caller's threads for this agent, each with an empty items page.
    async fn list_threads(
        &self,
        params: ThreadListParams,
        ctx: &RequestContext,
    ) -> Result<Bytes, ProtocolError> {
        let limit = self.options.page_size(params.limit);
        let page = self
            .store
            .load_threads(limit, params.after.as_deref(), params.order, &ctx.store_ctx)
            .await
            .map_err(|e| {
                not_found_as(e, || {
                    ProtocolError::InvalidRequest(
                        "`after` names no thread of this caller".to_owned(),
                    )
                })
            })?;
        json(&Page {
            data: page.data.into_iter().map(Thread::from).collect(),
            has_more: page.has_more,
            after: page.after,
        })
    }

    /// `items.list`: a page of items, hidden ones filtered out (`has_more`/`after` as the store
    /// computed them, so a page may hold fewer than `limit` items).
    async fn list_items(
        &self,
        params: ItemsListParams,
        ctx: &RequestContext,
    ) -> Result<Bytes, ProtocolError> {
        let limit = self.options.page_size(params.limit);
        let result = self
            .store
            .load_thread_items(
                &params.thread_id,
                params.after.as_deref(),
                limit,
                params.order,
                &ctx.store_ctx,
            )
            .await;
        let mut page = match result {
            Ok(page) => page,
            Err(StoreError::NotFound) => {
                // Either the thread is not the caller's or the cursor is unknown: say which.
                self.load_thread(&params.thread_id, ctx).await?;
                return Err(ProtocolError::InvalidRequest(
                    "`after` names no item of this thread".to_owned(),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        page.data.retain(|item| !item.is_hidden());
        json(&page)
    }

    /// `items.feedback`: recorded through the store (with the identity), then handed to the
    /// responder.
    async fn feedback(
        &self,
        thread_id: &str,
        item_ids: &[String],
        kind: FeedbackKind,
        ctx: &RequestContext,
    ) -> Result<Bytes, ProtocolError> {
        self.load_thread(thread_id, ctx).await?;
        // Every item must be the thread's, whatever the store checks itself.
        for item_id in item_ids {
            self.load_item(thread_id, item_id, ctx).await?;
        }
        self.store
            .add_feedback(thread_id, item_ids, kind, &ctx.store_ctx)
            .await
            .map_err(|e| not_found_as(e, || ProtocolError::ItemNotFound(item_ids.join(", "))))?;
        self.responder
            .add_feedback(thread_id, item_ids, kind, ctx)
            .await
            .map_err(|e| responder_failure(e, ProtocolError::Internal))?;
        Ok(empty_object())
    }

    fn attachment_handler(&self) -> Result<&Arc<dyn AttachmentHandler>, ProtocolError> {
        self.attachments
            .as_ref()
            .ok_or(ProtocolError::AttachmentsUnavailable)
    }

    /// `attachments.create`: the handler makes the upload target, the engine saves the metadata.
    async fn create_attachment(
        &self,
        params: &AttachmentCreateParams,
        ctx: &RequestContext,
    ) -> Result<Bytes, ProtocolError> {
        let handler = self.attachment_handler()?;
        if params.size < 0 {
            return Err(ProtocolError::InvalidRequest(
                "`size` must not be negative".to_owned(),
            ));
        }
        let attachment = handler
            .create(params, ctx)
            .await
            .map_err(|e| attachment_failure(e, ""))?;
        self.store
            .save_attachment(&attachment, &ctx.store_ctx)
            .await?;
        json(&attachment)
    }

    /// `attachments.delete`: only the caller's attachment; bytes first, then metadata.
    async fn delete_attachment(
        &self,
        attachment_id: &str,
        ctx: &RequestContext,
    ) -> Result<Bytes, ProtocolError> {
        let handler = self.attachment_handler()?;
        let not_found = || ProtocolError::AttachmentNotFound(attachment_id.to_owned());
        self.store
            .load_attachment(attachment_id, &ctx.store_ctx)
            .await
            .map_err(|e| not_found_as(e, not_found))?;
        match handler.delete(attachment_id, ctx).await {
            Ok(()) | Err(AttachmentError::NotFound) => {}
            Err(e) => return Err(attachment_failure(e, attachment_id)),
        }
        self.store
            .delete_attachment(attachment_id, &ctx.store_ctx)
            .await
            .map_err(|e| not_found_as(e, not_found))?;
        Ok(empty_object())
    }

    /// `input.transcribe`: base64-decoded audio to the responder.
    async fn transcribe(
        &self,
        params: InputTranscribeParams,
        ctx: &RequestContext,
    ) -> Result<Bytes, ProtocolError> {
        let data = base64::engine::general_purpose::STANDARD
            .decode(params.audio_base64.trim())
            .map_err(|e| {
                ProtocolError::InvalidRequest(format!("`audio_base64` is not base64: {e}"))
            })?;
        let audio = chatkit_types::AudioInput {
            data,
            mime_type: params.mime_type,
        };
        let result = self
            .responder
            .transcribe(audio, ctx)
            .await
            .map_err(|e| match e {
                ResponderError::Custom(custom) => {
                    ProtocolError::TranscriptionFailed(custom.message)
                }
                other => responder_failure(other, |_| ProtocolError::TranscriptionUnavailable),
            })?;
        json(&result)
    }

    /// `threads.sync_custom_action`: the responder's answer, not persisted (as the reference).
    async fn sync_action(
        &self,
        params: ThreadCustomActionParams,
        ctx: &RequestContext,
    ) -> Result<Bytes, ProtocolError> {
        let thread = self.load_thread(&params.thread_id, ctx).await?;
        let sender = self
            .load_sender(&params.thread_id, params.item_id.as_deref(), ctx)
            .await?;
        let handle = ThreadHandle::new(
            thread.clone(),
            Arc::clone(&self.store),
            ctx.store_ctx.clone(),
        );
        let mut response = self
            .responder
            .sync_action(handle.clone(), params.action, sender, ctx)
            .await
            .map_err(|e| responder_failure(e, |_| ProtocolError::ActionUnavailable))?;
        // Metadata changes are kept (there is no stream to announce them in).
        let now = handle.snapshot();
        if now != thread {
            self.store.save_thread(&now, &ctx.store_ctx).await?;
        }
        if response
            .updated_item
            .as_ref()
            .is_some_and(ThreadItem::is_hidden)
        {
            response.updated_item = None;
        }
        json(&response)
    }

    /// The thread, or `thread_not_found`.
    pub(crate) async fn load_thread(
        &self,
        thread_id: &str,
        ctx: &RequestContext,
    ) -> Result<ThreadMetadata, ProtocolError> {
        self.store
            .load_thread(thread_id, &ctx.store_ctx)
            .await
            .map_err(|e| not_found_as(e, || ProtocolError::ThreadNotFound(thread_id.to_owned())))
    }

    /// An item of the thread, or `item_not_found`.
    pub(crate) async fn load_item(
        &self,
        thread_id: &str,
        item_id: &str,
        ctx: &RequestContext,
    ) -> Result<ThreadItem, ProtocolError> {
        self.store
            .load_item(thread_id, item_id, &ctx.store_ctx)
            .await
            .map_err(|e| not_found_as(e, || ProtocolError::ItemNotFound(item_id.to_owned())))
    }

    /// The widget that sent a custom action: `None` when no item was named, `sender_not_widget`
    /// when the item is not a widget.
    pub(crate) async fn load_sender(
        &self,
        thread_id: &str,
        item_id: Option<&str>,
        ctx: &RequestContext,
    ) -> Result<Option<WidgetItem>, ProtocolError> {
        let Some(item_id) = item_id else {
            return Ok(None);
        };
        match self.load_item(thread_id, item_id, ctx).await? {
            ThreadItem::Widget(widget) => Ok(Some(widget)),
            _ => Err(ProtocolError::SenderNotWidget(item_id.to_owned())),
        }
    }
}

/// What a streamed reply's task starts from.
struct StreamStart {
    engine: Engine,
    request: StreamingReq,
    ctx: RequestContext,
    ready: oneshot::Sender<Result<(), ProtocolError>>,
    tx: pipeline::FrameSender,
}

/// A streamed reply's task: the preamble, then the pipeline.
///
/// Its future is memory that every open stream keeps for as long as it is open, so whatever is
/// needed only for a while stays out of it: what it starts from arrives boxed and is taken apart
/// (what an `async` block captures stays in its future to the end, its locals only while they
/// are live), the preamble runs boxed (freed when the stream starts), and the plan is moved into
/// the pipeline (see [`pipeline::start`]).
// An `async` block rather than an `async fn`, whose arguments would be stored twice.
#[allow(clippy::manual_async_fn)]
fn stream_task(
    start: Box<StreamStart>,
    guard: RunGuard,
) -> impl Future<Output = ()> + Send + 'static {
    async move {
        let _guard = guard;
        // A block, so that what it borrows is dead (and its room reused) while the run goes on.
        let run = {
            let StreamStart {
                engine,
                request,
                ctx,
                ready,
                tx,
            } = *start;
            let plan = match Box::pin(preamble::prepare(&engine, request, &ctx)).await {
                Ok(plan) => plan,
                Err(e) => {
                    let _ = ready.send(Err(e));
                    return;
                }
            };
            let _ = ready.send(Ok(()));
            pipeline::start(&engine, ctx, plan, tx)
        };
        run.await;
    }
}

/// Parses a body into a request, classifying what is wrong with it.
pub fn parse_request(body: &[u8]) -> Result<ChatKitReq, ProtocolError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| ProtocolError::InvalidJson(e.to_string()))?;
    if !value.is_object() {
        return Err(ProtocolError::InvalidJson(
            "the body must be a JSON object".to_owned(),
        ));
    }
    ChatKitReq::from_value(value).map_err(|e| match e {
        ChatKitReqError::Json(e) => ProtocolError::InvalidJson(e.to_string()),
        ChatKitReqError::MissingType => ProtocolError::UnknownRequestType(None),
        ChatKitReqError::UnknownType(t) => ProtocolError::UnknownRequestType(Some(t)),
        ChatKitReqError::Invalid { op, source } => {
            ProtocolError::InvalidRequest(format!("`{op}`: {source}"))
        }
    })
}

/// `NotFound` as the given error, anything else as a store failure.
pub(crate) fn not_found_as(
    e: StoreError,
    not_found: impl FnOnce() -> ProtocolError,
) -> ProtocolError {
    match e {
        StoreError::NotFound => not_found(),
        other => ProtocolError::Store(other),
    }
}

/// A non-streaming responder hook's failure as a protocol error; `unsupported` maps
/// [`ResponderError::Unsupported`].
fn responder_failure(
    e: ResponderError,
    unsupported: impl FnOnce(String) -> ProtocolError,
) -> ProtocolError {
    match e {
        ResponderError::Custom(custom) => ProtocolError::ActionFailed(custom.message),
        ResponderError::Unsupported(what) => unsupported(format!("{what} is not implemented")),
        other => ProtocolError::Internal(format!("responder failed: {other}")),
    }
}

fn attachment_failure(e: AttachmentError, attachment_id: &str) -> ProtocolError {
    match e {
        AttachmentError::TooLarge(max) => ProtocolError::AttachmentTooLarge(max),
        AttachmentError::TypeNotAllowed(mime) => ProtocolError::AttachmentTypeNotAllowed(mime),
        AttachmentError::Invalid(message) => ProtocolError::InvalidRequest(message),
        AttachmentError::NotFound => ProtocolError::AttachmentNotFound(attachment_id.to_owned()),
        AttachmentError::Other(e) => {
            ProtocolError::Internal(format!("attachment handler failed: {e}"))
        }
    }
}

fn json(value: &impl Serialize) -> Result<Bytes, ProtocolError> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(|e| ProtocolError::Internal(format!("serializing the reply: {e}")))
}

fn empty_object() -> Bytes {
    Bytes::from_static(b"{}")
}
