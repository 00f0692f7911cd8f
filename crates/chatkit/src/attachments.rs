//! Custom-mode attachments: the bytes on local disk, the engine's [`AttachmentHandler`], and the
//! routes browsers upload to and load previews from.
//!
//! Both upload strategies of ChatKit.js (`api.uploadStrategy`) are served:
//!
//! - **Two-phase** (`{type: "two_phase"}`): `attachments.create` (through the engine) checks the
//!   declared size and type and answers the attachment with an `upload_descriptor` whose URL is
//!   ours: `PUT {origin}/api/chatkit/attachments/{id}/upload?exp=…&sig=…` (raw bytes; a `POST`
//!   of `multipart/form-data` with a `file` field is accepted at the same URL). The URL is signed
//!   and expires, so it needs no cookie (the widget's frame may not send one).
//! - **Direct** (`{type: "direct", uploadUrl}`): `POST /chatkit/{agent}/upload`, multipart with a
//!   `file` field, behind the protocol's identity guard; it stores the bytes and the metadata and
//!   answers the attachment (no `upload_descriptor`), as the reference's direct upload does.
//!
//! Images get a `preview_url`, `GET {origin}/api/chatkit/attachments/{id}/preview?exp=…&sig=…`,
//! signed and expiring too. URLs are absolute: the wire types are `AnyUrl` in the reference, and
//! the widget runs in a frame of OpenAI's CDN, where a relative URL would resolve to the CDN. The
//! origin is `server.public_url` when set, else the request's `Host` (and `https` when a trusted
//! proxy says so).
//!
//! On disk, under `{data_dir}/attachments/`: `{id}` holds the bytes (written to a temporary file,
//! then renamed) and `{id}.json` a sidecar with the owner (identity and agent) and the declared
//! name and type, so the cookie-less routes know what they serve without a store context. Ids are
//! checked to be `[A-Za-z0-9_-]{1,64}` before they touch a path. The metadata itself lives in the
//! store; [`LocalAttachments::sweep_orphans`] removes bytes whose metadata is gone (deleting a
//! thread deletes its attachments' metadata in the store).
//!
//! **Fresh previews.** A user message keeps its attachments, `preview_url` included, as they were
//! when it was sent, and that URL expires after `attachments.url_ttl_secs`. So the protocol
//! engines read the store through [`LocalAttachments::engine_store`], which hands back every
//! image attachment it reads (in a thread's items, one item, or the attachment's metadata) with a
//! preview URL good for at least half the lifetime: the stored one while it is, else one signed
//! anew for the same origin. `items.list`, `threads.get_by_id` and the history an agent reads
//! all go through it; what is stored is left as it is.
//!
//! **Upload time.** An upload takes as long as its bytes take to arrive, not the
//! `server.request_timeout_secs` of an API call: the upload routes ([`UPLOAD_ROUTES`]) are
//! allowed [`UPLOAD_TIMEOUT`] in all ([`request_timeout`] tells the request layer), as long as
//! the bytes keep coming: a pause of more than `server.request_timeout_secs` between two chunks
//! ends the upload with `request_timeout`.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use axum::Extension;
use axum::body::Body;
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chatkit_server::{AttachmentError, AttachmentHandler, RequestContext};
use chatkit_store::{FeedbackRecord, IdKind, Store, StoreContext, StoreError, StoreResult};
use chatkit_types::{
    Attachment, AttachmentCreateParams, AttachmentUploadDescriptor, FeedbackKind, FileAttachment,
    ImageAttachment, Order, Page, ThreadItem, ThreadMetadata, UploadMethod,
};
use futures::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::config::{AttachmentsConfig, Config};
use crate::error::{ApiError, ErrorCode};
use crate::identity::{self, Identity};
use crate::signing::Signer;
use crate::state::AppState;

/// Where the cookie-less attachment routes live.
pub const ROUTE_PREFIX: &str = "/api/chatkit/attachments";

/// The routes that receive attachment bytes: the two-phase upload URL and the direct upload.
pub const UPLOAD_ROUTES: [&str; 2] = [
    "/api/chatkit/attachments/{id}/upload",
    "/chatkit/{agent}/upload",
];

/// How long an upload may take in all, while its bytes keep arriving (20 MiB at 35 KiB/s).
pub const UPLOAD_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// The time limit of a request to `route` (a matched route, as `axum::extract::MatchedPath`
/// gives it) when it is not `server.request_timeout_secs`: [`UPLOAD_TIMEOUT`] for the upload
/// routes, `None` for every other route.
pub fn request_timeout(route: &str) -> Option<Duration> {
    UPLOAD_ROUTES.contains(&route).then_some(UPLOAD_TIMEOUT)
}

/// How long a sidecar must be old before [`LocalAttachments::sweep_orphans`] may remove it (the
/// engine saves the metadata just after `create`, so a younger one may not have it yet).
const SWEEP_MIN_AGE: Duration = Duration::from_secs(3600);

/// What a signed URL is for; part of the signed payload, so one cannot stand for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Upload,
    Preview,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Upload => "upload",
            Self::Preview => "preview",
        }
    }
}

/// What the disk keeps next to the bytes.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Sidecar {
    identity: String,
    agent: String,
    name: String,
    mime_type: String,
    uploaded: bool,
}

impl Sidecar {
    fn store_ctx(&self) -> StoreContext {
        StoreContext {
            identity: self.identity.clone(),
            agent: self.agent.clone(),
        }
    }
}

/// Why [`LocalAttachments::read`] found no bytes.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// No such attachment, or its bytes were never uploaded.
    #[error("attachment not found")]
    NotFound,
    /// The disk failed.
    #[error("cannot read the attachment: {0}")]
    Io(#[from] std::io::Error),
}

/// Attachments on local disk: the engine's [`AttachmentHandler`] and the state of the upload and
/// preview routes.
pub struct LocalAttachments {
    dir: PathBuf,
    signer: Signer,
    config: AttachmentsConfig,
    public_url: Option<String>,
    /// The longest pause between two chunks of an upload (`server.request_timeout_secs`).
    stall_limit: Duration,
    store: Arc<dyn Store>,
}

impl std::fmt::Debug for LocalAttachments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalAttachments")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// Whether `id` may name a file: `[A-Za-z0-9_-]{1,64}`.
pub fn is_valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `image/PNG; charset=x` -> `image/png`.
fn normalize_mime(mime: &str) -> String {
    mime.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Images a browser may show inline from our origin (not SVG, which can carry script).
fn is_inline_image(mime: &str) -> bool {
    matches!(
        mime,
        "image/png" | "image/jpeg" | "image/gif" | "image/webp" | "image/avif" | "image/bmp"
    )
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl LocalAttachments {
    /// Attachments under `{data_dir}/attachments/` (created if missing), URLs signed with a key
    /// derived from `signing_key` (the cookie key's signing half).
    pub fn new(
        config: &Config,
        signing_key: &[u8],
        store: Arc<dyn Store>,
    ) -> std::io::Result<Self> {
        let dir = config.server.data_dir.join("attachments");
        std::fs::create_dir_all(&dir)?;
        Ok(Self {
            dir,
            signer: Signer::new(signing_key, "chatkit attachment url v1"),
            config: config.attachments.clone(),
            public_url: config.server.public_url.clone(),
            stall_limit: Duration::from_secs(config.server.request_timeout_secs.max(1)),
            store,
        })
    }

    /// The store as the protocol engines should read it: the server's store, with image
    /// attachments handed back with a preview URL that has not gone stale (see the module docs).
    pub fn engine_store(self: &Arc<Self>) -> Arc<dyn Store> {
        Arc::new(FreshPreviews {
            attachments: Arc::clone(self),
        })
    }

    /// The bytes of attachment `id`, for model input. The caller must already know the
    /// attachment is the requester's (it came from the store under their context, e.g. in a
    /// user message of their thread); this reads the disk only.
    pub async fn read(&self, id: &str) -> Result<Bytes, ReadError> {
        if !is_valid_id(id) {
            return Err(ReadError::NotFound);
        }
        match tokio::fs::read(self.bytes_path(id)).await {
            Ok(bytes) => Ok(Bytes::from(bytes)),
            Err(e) if e.kind() == ErrorKind::NotFound => Err(ReadError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes bytes and sidecars whose metadata is no longer in the store (e.g. their thread was
    /// deleted) and temporary files left by interrupted uploads, all older than `min_age`.
    /// Returns how many attachments were removed.
    pub async fn sweep_orphans(&self, min_age: Duration) -> std::io::Result<usize> {
        let mut removed = 0;
        let mut entries = tokio::fs::read_dir(&self.dir).await?;
        while let Some(entry) = entries.next_entry().await? {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let old = entry
                .metadata()
                .await
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age >= min_age);
            if !old {
                continue;
            }
            if name.starts_with('.') && name.ends_with(".part") {
                let _ = tokio::fs::remove_file(entry.path()).await;
                continue;
            }
            let Some(id) = name.strip_suffix(".json").filter(|id| is_valid_id(id)) else {
                continue;
            };
            let Some(sidecar) = self.sidecar(id).await else {
                continue;
            };
            match self.store.load_attachment(id, &sidecar.store_ctx()).await {
                Err(StoreError::NotFound) => {
                    self.remove(id).await;
                    removed += 1;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "attachment sweep: store failed"),
            }
        }
        Ok(removed)
    }

    fn bytes_path(&self, id: &str) -> PathBuf {
        self.dir.join(id)
    }

    fn sidecar_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    async fn sidecar(&self, id: &str) -> Option<Sidecar> {
        let text = tokio::fs::read(self.sidecar_path(id)).await.ok()?;
        serde_json::from_slice(&text).ok()
    }

    async fn write_sidecar(&self, id: &str, sidecar: &Sidecar) -> std::io::Result<()> {
        let json = serde_json::to_vec(sidecar).map_err(std::io::Error::other)?;
        write_atomically(&self.dir, &self.sidecar_path(id), &json).await
    }

    /// Removes the bytes and the sidecar; whether anything was there.
    async fn remove(&self, id: &str) -> bool {
        let bytes = tokio::fs::remove_file(self.bytes_path(id)).await.is_ok();
        let sidecar = tokio::fs::remove_file(self.sidecar_path(id)).await.is_ok();
        bytes || sidecar
    }

    fn origin<'a>(&'a self, request_origin: Option<&'a str>) -> &'a str {
        self.public_url.as_deref().or(request_origin).unwrap_or("")
    }

    fn signed_url(&self, origin: &str, id: &str, purpose: Purpose) -> String {
        let exp = now_secs() + self.config.url_ttl_secs;
        let sig = self.signer.sign(payload(id, purpose, exp).as_bytes());
        format!(
            "{origin}{ROUTE_PREFIX}/{id}/{}?exp={exp}&sig={sig}",
            purpose.as_str()
        )
    }

    /// Whether the query of a signed URL for `id` and `purpose` is ours and unexpired.
    fn check_signature(&self, id: &str, purpose: Purpose, query: Option<&str>) -> bool {
        let (mut exp, mut sig) = (None, None);
        for pair in query.unwrap_or("").split('&') {
            match pair.split_once('=') {
                Some(("exp", value)) => exp = value.parse::<u64>().ok(),
                Some(("sig", value)) => sig = Some(value),
                _ => {}
            }
        }
        let (Some(exp), Some(sig)) = (exp, sig) else {
            return false;
        };
        exp >= now_secs()
            && self
                .signer
                .verify(payload(id, purpose, exp).as_bytes(), sig)
    }

    /// Gives an image attachment whose preview URL is ours but has less than half its lifetime
    /// left a URL signed now, for the same origin. Anything else is left as it is.
    fn refresh_preview(&self, attachment: &mut Attachment) {
        let Attachment::Image(image) = attachment else {
            return;
        };
        let (base, query) = image
            .preview_url
            .split_once('?')
            .unwrap_or((&image.preview_url, ""));
        let ours = format!("{ROUTE_PREFIX}/{}/{}", image.id, Purpose::Preview.as_str());
        let Some(origin) = base.strip_suffix(ours.as_str()) else {
            return;
        };
        let expires = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("exp="))
            .and_then(|exp| exp.parse::<u64>().ok())
            .unwrap_or(0);
        if expires >= now_secs() + self.config.url_ttl_secs / 2 {
            return;
        }
        let fresh = self.signed_url(origin, &image.id, Purpose::Preview);
        image.preview_url = fresh;
    }

    /// [`LocalAttachments::refresh_preview`] on the attachments of a user message.
    fn refresh_item(&self, item: &mut ThreadItem) {
        if let ThreadItem::UserMessage(message) = item {
            for attachment in &mut message.attachments {
                self.refresh_preview(attachment);
            }
        }
    }

    /// The attachment as the wire shows it: an image (with a preview URL) or a file.
    fn attachment(
        &self,
        id: &str,
        name: &str,
        mime_type: &str,
        origin: &str,
        upload: bool,
    ) -> Attachment {
        let upload_descriptor = upload.then(|| AttachmentUploadDescriptor {
            url: self.signed_url(origin, id, Purpose::Upload),
            method: UploadMethod::Put,
            headers: Default::default(),
        });
        if mime_type.starts_with("image/") {
            Attachment::Image(ImageAttachment {
                id: id.to_owned(),
                name: name.to_owned(),
                mime_type: mime_type.to_owned(),
                upload_descriptor,
                thread_id: None,
                metadata: None,
                preview_url: self.signed_url(origin, id, Purpose::Preview),
            })
        } else {
            Attachment::File(FileAttachment {
                id: id.to_owned(),
                name: name.to_owned(),
                mime_type: mime_type.to_owned(),
                upload_descriptor,
                thread_id: None,
                metadata: None,
            })
        }
    }

    /// Refuses a type off the allowlist.
    fn check_type(&self, mime_type: &str) -> Result<(), ApiError> {
        if self.config.allows(mime_type) {
            Ok(())
        } else {
            Err(type_not_allowed(mime_type))
        }
    }

    /// The error answered for a body that could not be read.
    fn body_error(&self, failure: BodyFailure) -> ApiError {
        match failure {
            BodyFailure::TooLarge => too_large(self.config.max_bytes()),
            BodyFailure::Stalled => ApiError::new(
                ErrorCode::RequestTimeout,
                format!(
                    "The upload stalled: no bytes arrived for {} s (server.request_timeout_secs).",
                    self.stall_limit.as_secs()
                ),
            ),
            BodyFailure::Unreadable => {
                ApiError::new(ErrorCode::InvalidRequest, "The upload could not be read.")
            }
        }
    }

    /// Streams `body` into the bytes of `id` (a temporary file renamed into place), refusing more
    /// than the size limit. Returns the size.
    async fn store_bytes<S, E>(&self, id: &str, body: S) -> Result<u64, ApiError>
    where
        S: Stream<Item = Result<Bytes, E>>,
        E: Into<BodyFailure>,
    {
        let temp = self
            .dir
            .join(format!(".{id}.{}.part", uuid::Uuid::new_v4().simple()));
        let result = self.write_temp(&temp, body).await;
        let result = match result {
            Ok(size) => tokio::fs::rename(&temp, self.bytes_path(id))
                .await
                .map(|()| size)
                .map_err(ApiError::internal),
            Err(e) => Err(e),
        };
        if result.is_err() {
            let _ = tokio::fs::remove_file(&temp).await;
        }
        result
    }

    async fn write_temp<S, E>(&self, temp: &Path, body: S) -> Result<u64, ApiError>
    where
        S: Stream<Item = Result<Bytes, E>>,
        E: Into<BodyFailure>,
    {
        let max = self.config.max_bytes();
        let mut file = tokio::fs::File::create(temp)
            .await
            .map_err(ApiError::internal)?;
        let mut size = 0u64;
        let mut body = std::pin::pin!(body);
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| self.body_error(e.into()))?;
            size += chunk.len() as u64;
            if size > max {
                return Err(too_large(max));
            }
            file.write_all(&chunk).await.map_err(ApiError::internal)?;
        }
        file.sync_data().await.map_err(ApiError::internal)?;
        Ok(size)
    }
}

/// Why a body stream failed.
#[derive(Debug)]
pub enum BodyFailure {
    /// A length limit below us refused it.
    TooLarge,
    /// No bytes arrived for longer than the stall limit.
    Stalled,
    /// Anything else (connection lost, bad multipart framing).
    Unreadable,
}

impl From<axum::Error> for BodyFailure {
    fn from(_: axum::Error) -> Self {
        Self::Unreadable
    }
}

impl From<ReadFailure> for BodyFailure {
    fn from(e: ReadFailure) -> Self {
        match e {
            ReadFailure::Stalled => Self::Stalled,
            ReadFailure::Body(_) => Self::Unreadable,
        }
    }
}

impl From<multer::Error> for BodyFailure {
    fn from(e: multer::Error) -> Self {
        match e {
            multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. } => {
                Self::TooLarge
            }
            multer::Error::StreamReadFailed(e)
                if matches!(e.downcast_ref(), Some(ReadFailure::Stalled)) =>
            {
                Self::Stalled
            }
            _ => Self::Unreadable,
        }
    }
}

/// Why reading an upload's body failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadFailure {
    /// No bytes arrived for longer than the stall limit.
    #[error("the upload stalled")]
    Stalled,
    /// The body could not be read.
    #[error(transparent)]
    Body(#[from] axum::Error),
}

/// The bytes of `body`, failing with [`ReadFailure::Stalled`] (and ending) when the next chunk
/// takes longer than `stall_limit` to arrive.
fn paced(
    body: Body,
    stall_limit: Duration,
) -> impl Stream<Item = Result<Bytes, ReadFailure>> + Send + 'static {
    futures::stream::unfold(Some(body.into_data_stream()), move |data| async move {
        let mut data = data?;
        match tokio::time::timeout(stall_limit, data.next()).await {
            Ok(Some(Ok(chunk))) => Some((Ok(chunk), Some(data))),
            Ok(Some(Err(e))) => Some((Err(ReadFailure::Body(e)), None)),
            Ok(None) => None,
            Err(_) => Some((Err(ReadFailure::Stalled), None)),
        }
    })
}

fn payload(id: &str, purpose: Purpose, exp: u64) -> String {
    format!("{}\n{id}\n{exp}", purpose.as_str())
}

async fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temp = dir.join(format!(".{}.part", uuid::Uuid::new_v4().simple()));
    let mut file = tokio::fs::File::create(&temp).await?;
    file.write_all(bytes).await?;
    file.sync_data().await?;
    drop(file);
    let renamed = tokio::fs::rename(&temp, path).await;
    if renamed.is_err() {
        let _ = tokio::fs::remove_file(&temp).await;
    }
    renamed
}

fn too_large(max: u64) -> ApiError {
    ApiError::new(
        ErrorCode::AttachmentTooLarge,
        format!(
            "The attachment is larger than {} MiB (attachments.max_file_size_mb).",
            max / (1024 * 1024)
        ),
    )
}

fn type_not_allowed(mime_type: &str) -> ApiError {
    ApiError::new(
        ErrorCode::AttachmentTypeNotAllowed,
        format!("Attachments of type `{mime_type}` are not allowed here."),
    )
}

fn not_found() -> ApiError {
    ApiError::new(ErrorCode::AttachmentNotFound, "No such attachment.")
}

fn bad_signature() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidSignature,
        "This attachment URL is not valid or has expired. Reload to get a new one.",
    )
}

#[async_trait]
impl AttachmentHandler for LocalAttachments {
    /// The reference's `AttachmentStore.create_attachment`: checks size and type, records the
    /// owner on disk, and answers the attachment with a signed upload URL on this server.
    async fn create(
        &self,
        params: &AttachmentCreateParams,
        ctx: &RequestContext,
    ) -> Result<Attachment, AttachmentError> {
        let max = self.config.max_bytes();
        if u64::try_from(params.size).unwrap_or(0) > max {
            return Err(AttachmentError::TooLarge(Some(max)));
        }
        let mime_type = normalize_mime(&params.mime_type);
        if !self.config.allows(&mime_type) {
            return Err(AttachmentError::TypeNotAllowed(mime_type));
        }
        if params.name.len() > 1024 {
            return Err(AttachmentError::Invalid(
                "`name` must be at most 1024 bytes".to_owned(),
            ));
        }
        let id = chatkit_store::generate_id(IdKind::Attachment);
        let sidecar = Sidecar {
            identity: ctx.identity().to_owned(),
            agent: ctx.agent().to_owned(),
            name: params.name.clone(),
            mime_type: mime_type.clone(),
            uploaded: false,
        };
        self.write_sidecar(&id, &sidecar)
            .await
            .map_err(|e| AttachmentError::Other(Box::new(e)))?;
        let origin = self.origin(ctx.origin.as_deref());
        Ok(self.attachment(&id, &params.name, &mime_type, origin, true))
    }

    /// The reference's `AttachmentStore.delete_attachment`: removes the bytes (the engine then
    /// removes the metadata).
    async fn delete(
        &self,
        attachment_id: &str,
        ctx: &RequestContext,
    ) -> Result<(), AttachmentError> {
        if !is_valid_id(attachment_id) {
            return Err(AttachmentError::NotFound);
        }
        if let Some(sidecar) = self.sidecar(attachment_id).await
            && (sidecar.identity != ctx.identity() || sidecar.agent != ctx.agent())
        {
            return Err(AttachmentError::NotFound);
        }
        if self.remove(attachment_id).await {
            Ok(())
        } else {
            Err(AttachmentError::NotFound)
        }
    }
}

/// The store behind [`LocalAttachments::engine_store`]: every call goes to the server's store;
/// what comes back from a read is given fresh preview URLs.
struct FreshPreviews {
    attachments: Arc<LocalAttachments>,
}

impl std::fmt::Debug for FreshPreviews {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("FreshPreviews")
            .field(&self.attachments.store)
            .finish()
    }
}

impl FreshPreviews {
    fn store(&self) -> &dyn Store {
        self.attachments.store.as_ref()
    }
}

#[async_trait]
impl Store for FreshPreviews {
    fn generate_thread_id(&self) -> String {
        self.store().generate_thread_id()
    }

    fn generate_item_id(&self, kind: IdKind) -> String {
        self.store().generate_item_id(kind)
    }

    async fn load_thread(
        &self,
        thread_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<ThreadMetadata> {
        self.store().load_thread(thread_id, ctx).await
    }

    async fn save_thread(&self, thread: &ThreadMetadata, ctx: &StoreContext) -> StoreResult<()> {
        self.store().save_thread(thread, ctx).await
    }

    async fn load_threads(
        &self,
        limit: usize,
        after: Option<&str>,
        order: Order,
        ctx: &StoreContext,
    ) -> StoreResult<Page<ThreadMetadata>> {
        self.store().load_threads(limit, after, order, ctx).await
    }

    async fn delete_thread(&self, thread_id: &str, ctx: &StoreContext) -> StoreResult<()> {
        self.store().delete_thread(thread_id, ctx).await
    }

    async fn load_thread_items(
        &self,
        thread_id: &str,
        after: Option<&str>,
        limit: usize,
        order: Order,
        ctx: &StoreContext,
    ) -> StoreResult<Page<ThreadItem>> {
        let mut page = self
            .store()
            .load_thread_items(thread_id, after, limit, order, ctx)
            .await?;
        for item in &mut page.data {
            self.attachments.refresh_item(item);
        }
        Ok(page)
    }

    async fn add_thread_item(
        &self,
        thread_id: &str,
        item: &ThreadItem,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        self.store().add_thread_item(thread_id, item, ctx).await
    }

    async fn save_item(
        &self,
        thread_id: &str,
        item: &ThreadItem,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        self.store().save_item(thread_id, item, ctx).await
    }

    async fn load_item(
        &self,
        thread_id: &str,
        item_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<ThreadItem> {
        let mut item = self.store().load_item(thread_id, item_id, ctx).await?;
        self.attachments.refresh_item(&mut item);
        Ok(item)
    }

    async fn delete_thread_item(
        &self,
        thread_id: &str,
        item_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        self.store()
            .delete_thread_item(thread_id, item_id, ctx)
            .await
    }

    async fn save_attachment(
        &self,
        attachment: &Attachment,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        self.store().save_attachment(attachment, ctx).await
    }

    async fn load_attachment(
        &self,
        attachment_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<Attachment> {
        let mut attachment = self.store().load_attachment(attachment_id, ctx).await?;
        self.attachments.refresh_preview(&mut attachment);
        Ok(attachment)
    }

    async fn delete_attachment(&self, attachment_id: &str, ctx: &StoreContext) -> StoreResult<()> {
        self.store().delete_attachment(attachment_id, ctx).await
    }

    async fn add_feedback(
        &self,
        thread_id: &str,
        item_ids: &[String],
        kind: FeedbackKind,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        self.store()
            .add_feedback(thread_id, item_ids, kind, ctx)
            .await
    }

    async fn load_feedback(
        &self,
        thread_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<Vec<FeedbackRecord>> {
        self.store().load_feedback(thread_id, ctx).await
    }
}

/// The origin browsers reached us at: `server.public_url`, else the scheme (`https` when a
/// trusted proxy says so) and the request's `Host` (or HTTP/2 authority), lower-cased as the
/// reference's `AnyUrl` would print it.
pub fn request_origin(state: &AppState, request: &Request) -> Option<String> {
    if let Some(url) = &state.config.server.public_url {
        return Some(url.clone());
    }
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.to_string()))?;
    let valid = !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b));
    if !valid {
        return None;
    }
    let tls = identity::behind_tls(
        request.headers(),
        identity::peer_ip(request),
        &state.config.server.trusted_proxies,
    );
    let scheme = if tls { "https" } else { "http" };
    Some(format!("{scheme}://{}", host.to_ascii_lowercase()))
}

fn storage(state: &AppState) -> Result<&Arc<LocalAttachments>, ApiError> {
    state.attachments.as_ref().ok_or_else(|| {
        ApiError::new(
            ErrorCode::AttachmentsUnavailable,
            "Attachments are turned off on this server (attachments.enabled).",
        )
    })
}

/// `PUT` (raw bytes) or `POST` (multipart, field `file`) `/api/chatkit/attachments/{id}/upload`
/// with a signed, unexpired URL from `attachments.create`: stores the bytes, clears the
/// attachment's `upload_descriptor` and answers the attachment.
pub async fn upload(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let attachments = storage(&state)?;
    if !is_valid_id(&id) {
        return Err(not_found());
    }
    if !attachments.check_signature(&id, Purpose::Upload, request.uri().query()) {
        return Err(bad_signature());
    }
    let mut sidecar = attachments.sidecar(&id).await.ok_or_else(not_found)?;
    let declared = sidecar.mime_type.clone();
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(normalize_mime);
    if content_type.as_deref() == Some("multipart/form-data") {
        let field = file_field(attachments, multipart(attachments, request)?).await?;
        if let Some(part_type) = field.content_type().map(|m| normalize_mime(m.as_ref()))
            && part_type != declared
            && part_type != "application/octet-stream"
        {
            return Err(type_mismatch(&declared));
        }
        attachments.store_bytes(&id, field).await?;
    } else {
        if content_type.as_deref().is_some_and(|ct| ct != declared) {
            return Err(type_mismatch(&declared));
        }
        let max = attachments.config.max_bytes();
        let declared_length = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared_length.is_some_and(|len| len > max) {
            return Err(too_large(max));
        }
        attachments
            .store_bytes(&id, paced(request.into_body(), attachments.stall_limit))
            .await?;
    }
    sidecar.uploaded = true;
    attachments
        .write_sidecar(&id, &sidecar)
        .await
        .map_err(ApiError::internal)?;
    // The upload is done: the stored attachment no longer needs its descriptor (as the
    // reference advises integrators to do).
    let ctx = sidecar.store_ctx();
    let mut attachment = match attachments.store.load_attachment(&id, &ctx).await {
        Ok(attachment) => attachment,
        Err(StoreError::NotFound) => return Err(not_found()),
        Err(e) => return Err(ApiError::internal(e)),
    };
    match &mut attachment {
        Attachment::File(a) => a.upload_descriptor = None,
        Attachment::Image(a) => a.upload_descriptor = None,
    }
    attachments
        .store
        .save_attachment(&attachment, &ctx)
        .await
        .map_err(ApiError::internal)?;
    Ok(axum::Json(attachment).into_response())
}

/// `POST /chatkit/{agent}/upload`, the direct strategy: multipart with a `file` field, from the
/// caller's identity; stores bytes and metadata and answers the attachment.
pub async fn direct_upload(
    State(state): State<AppState>,
    Extension(identity): Extension<Identity>,
    UrlPath(agent): UrlPath<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let attachments = storage(&state)?;
    if state.agents.get(&agent).is_none() {
        return Err(ApiError::new(
            ErrorCode::AgentNotFound,
            format!("No agent '{agent}' is served here."),
        ));
    }
    let origin = request_origin(&state, &request);
    let field = file_field(attachments, multipart(attachments, request)?).await?;
    let name = field
        .file_name()
        .map(str::to_owned)
        .unwrap_or_else(|| "upload".to_owned());
    if name.len() > 1024 {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            "The file name must be at most 1024 bytes.",
        ));
    }
    let mime_type = match field.content_type().map(|m| normalize_mime(m.as_ref())) {
        Some(mime) if !mime.is_empty() && mime != "application/octet-stream" => mime,
        _ => mime_guess::from_path(&name)
            .first_raw()
            .unwrap_or("application/octet-stream")
            .to_owned(),
    };
    attachments.check_type(&mime_type)?;
    let id = chatkit_store::generate_id(IdKind::Attachment);
    attachments.store_bytes(&id, field).await?;
    let sidecar = Sidecar {
        identity: identity.id.clone(),
        agent: agent.clone(),
        name: name.clone(),
        mime_type: mime_type.clone(),
        uploaded: true,
    };
    let saved = async {
        attachments
            .write_sidecar(&id, &sidecar)
            .await
            .map_err(ApiError::internal)?;
        let attachment = attachments.attachment(
            &id,
            &name,
            &mime_type,
            attachments.origin(origin.as_deref()),
            false,
        );
        attachments
            .store
            .save_attachment(&attachment, &sidecar.store_ctx())
            .await
            .map_err(ApiError::internal)?;
        Ok::<_, ApiError>(attachment)
    }
    .await;
    match saved {
        Ok(attachment) => Ok(axum::Json(attachment).into_response()),
        Err(e) => {
            attachments.remove(&id).await;
            Err(e)
        }
    }
}

/// `GET /api/chatkit/attachments/{id}/preview` with a signed, unexpired URL: the bytes, with
/// their type, inline for raster images and as a download otherwise.
pub async fn preview(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let attachments = storage(&state)?;
    if !is_valid_id(&id) {
        return Err(not_found());
    }
    if !attachments.check_signature(&id, Purpose::Preview, request.uri().query()) {
        return Err(bad_signature());
    }
    let sidecar = attachments.sidecar(&id).await.ok_or_else(not_found)?;
    let file = match tokio::fs::File::open(attachments.bytes_path(&id)).await {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Err(not_found()),
        Err(e) => return Err(ApiError::internal(e)),
    };
    let length = file.metadata().await.map_err(ApiError::internal)?.len();
    let chunks = futures::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buf = vec![0u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(Bytes::from(buf)), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    let mut response = Response::new(Body::from_stream(chunks));
    let headers: &mut HeaderMap = response.headers_mut();
    let content_type = HeaderValue::from_str(&sidecar.mime_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    let ttl = attachments.config.url_ttl_secs;
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_str(&format!("private, max-age={ttl}"))
            .unwrap_or(HeaderValue::from_static("no-store")),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    let disposition = if is_inline_image(&sidecar.mime_type) {
        "inline"
    } else {
        "attachment"
    };
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(disposition),
    );
    Ok(response)
}

/// A multipart body read with at most the attachment limit (plus room for the framing), and
/// the stall limit between chunks.
fn multipart(
    attachments: &LocalAttachments,
    request: Request,
) -> Result<multer::Multipart<'static>, ApiError> {
    let boundary = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| multer::parse_boundary(ct).ok())
        .ok_or_else(multipart_invalid)?;
    let max = attachments.config.max_bytes();
    let limit = multer::SizeLimit::new().whole_stream(max.saturating_add(64 * 1024));
    Ok(multer::Multipart::with_constraints(
        paced(request.into_body(), attachments.stall_limit),
        boundary,
        multer::Constraints::new().size_limit(limit),
    ))
}

/// The `file` field (earlier fields are skipped).
async fn file_field(
    attachments: &LocalAttachments,
    mut multipart: multer::Multipart<'static>,
) -> Result<multer::Field<'static>, ApiError> {
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => return Ok(field),
            Ok(Some(_)) => continue,
            Ok(None) => {
                return Err(ApiError::new(
                    ErrorCode::InvalidRequest,
                    "The multipart body has no `file` field.",
                ));
            }
            Err(e) => {
                return Err(match BodyFailure::from(e) {
                    BodyFailure::Unreadable => multipart_invalid(),
                    failure => attachments.body_error(failure),
                });
            }
        }
    }
}

fn multipart_invalid() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidRequest,
        "Send the file as `multipart/form-data` with a `file` field.",
    )
}

fn type_mismatch(declared: &str) -> ApiError {
    ApiError::new(
        ErrorCode::AttachmentTypeNotAllowed,
        format!("The upload's Content-Type does not match the declared `{declared}`."),
    )
}

/// Sweeps orphaned bytes every hour (see [`LocalAttachments::sweep_orphans`]).
pub fn spawn_sweeper(attachments: Arc<LocalAttachments>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(SWEEP_MIN_AGE);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match attachments.sweep_orphans(SWEEP_MIN_AGE).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "removed orphaned attachment bytes"),
                Err(e) => tracing::warn!(error = %e, "attachment sweep failed"),
            }
        }
    });
}

/// The agent runtime reads attachment bytes for model input from the local store.
#[async_trait::async_trait]
impl chatkit_agents::input::AttachmentSource for LocalAttachments {
    async fn read(
        &self,
        attachment: &Attachment,
        _ctx: &chatkit_store::StoreContext,
    ) -> Option<Bytes> {
        let id = match attachment {
            Attachment::File(a) => &a.id,
            Attachment::Image(a) => &a.id,
        };
        LocalAttachments::read(self, id).await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_could_escape_the_directory_are_refused() {
        assert!(is_valid_id("atc_0123abcd"));
        for bad in ["", "../x", "a/b", "a.json", &"a".repeat(65), "a b"] {
            assert!(!is_valid_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn mime_types_are_normalized() {
        assert_eq!(normalize_mime("Image/PNG; q=1"), "image/png");
        assert!(is_inline_image("image/png"));
        assert!(!is_inline_image("image/svg+xml"));
    }

    async fn local(dir: &Path) -> LocalAttachments {
        let mut config = Config::default();
        config.server.data_dir = dir.to_path_buf();
        let store = chatkit_store::connect("memory:").await.unwrap();
        LocalAttachments::new(&config, &[7; 32], store).unwrap()
    }

    #[tokio::test]
    async fn signatures_expire_and_are_bound_to_id_and_purpose() {
        let dir = tempfile::tempdir().unwrap();
        let local = local(dir.path()).await;
        let sign = |id: &str, purpose, exp| {
            format!(
                "exp={exp}&sig={}",
                local.signer.sign(payload(id, purpose, exp).as_bytes())
            )
        };
        let later = now_secs() + 60;
        let query = sign("atc_1", Purpose::Upload, later);
        assert!(local.check_signature("atc_1", Purpose::Upload, Some(&query)));
        assert!(!local.check_signature("atc_2", Purpose::Upload, Some(&query)));
        assert!(!local.check_signature("atc_1", Purpose::Preview, Some(&query)));
        let past = sign("atc_1", Purpose::Upload, now_secs() - 1);
        assert!(!local.check_signature("atc_1", Purpose::Upload, Some(&past)));
        assert!(!local.check_signature("atc_1", Purpose::Upload, None));
    }

    #[tokio::test]
    async fn the_sweep_removes_bytes_whose_metadata_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let local = local(dir.path()).await;
        let ctx = RequestContext::new("visitor", "default");
        let params = AttachmentCreateParams {
            name: "a.txt".into(),
            size: 1,
            mime_type: "text/plain".into(),
        };
        let kept = local.create(&params, &ctx).await.unwrap();
        local
            .store
            .save_attachment(&kept, &ctx.store_ctx)
            .await
            .unwrap();
        let orphan = local.create(&params, &ctx).await.unwrap();
        for id in [kept.id(), orphan.id()] {
            let chunks = futures::stream::iter([Ok::<_, axum::Error>(Bytes::from_static(b"x"))]);
            local.store_bytes(id, chunks).await.unwrap();
        }

        let removed = local.sweep_orphans(Duration::ZERO).await.unwrap();

        assert_eq!(removed, 1);
        assert_eq!(&local.read(kept.id()).await.unwrap()[..], b"x");
        assert!(matches!(
            local.read(orphan.id()).await,
            Err(ReadError::NotFound)
        ));
        assert!(matches!(local.read("../x").await, Err(ReadError::NotFound)));
    }

    /// An image attachment whose preview URL, on `origin`, expires at `exp`.
    fn image_expiring(local: &LocalAttachments, origin: &str, exp: u64) -> Attachment {
        let mut image = local.attachment("atc_img", "cat.png", "image/png", origin, false);
        let sig = local
            .signer
            .sign(payload("atc_img", Purpose::Preview, exp).as_bytes());
        if let Attachment::Image(i) = &mut image {
            i.preview_url = format!("{origin}{ROUTE_PREFIX}/atc_img/preview?exp={exp}&sig={sig}");
        }
        image
    }

    fn preview_url(attachment: &Attachment) -> &str {
        match attachment {
            Attachment::Image(i) => &i.preview_url,
            Attachment::File(_) => panic!("not an image"),
        }
    }

    fn query(url: &str) -> Option<&str> {
        url.split_once('?').map(|(_, q)| q)
    }

    #[tokio::test]
    async fn stale_preview_urls_are_signed_anew_for_the_same_origin() {
        let dir = tempfile::tempdir().unwrap();
        let local = local(dir.path()).await;
        let origin = "https://chat.example";
        let ttl = local.config.url_ttl_secs;

        let mut expired = image_expiring(&local, origin, 1);
        local.refresh_preview(&mut expired);
        let mut nearly = image_expiring(&local, origin, now_secs() + ttl / 2 - 5);
        local.refresh_preview(&mut nearly);
        let fresh_exp = now_secs() + ttl;
        let mut fresh = image_expiring(&local, origin, fresh_exp);
        let fresh_url = preview_url(&fresh).to_owned();
        local.refresh_preview(&mut fresh);
        let mut foreign = image_expiring(&local, origin, 1);
        if let Attachment::Image(i) = &mut foreign {
            i.preview_url = "https://cdn.example/cat.png?exp=1".into();
        }
        local.refresh_preview(&mut foreign);

        for refreshed in [&expired, &nearly] {
            let url = preview_url(refreshed);
            assert!(
                url.starts_with(&format!("{origin}{ROUTE_PREFIX}/atc_img/preview?")),
                "{url}"
            );
            assert!(local.check_signature("atc_img", Purpose::Preview, query(url)));
        }
        assert_eq!(preview_url(&fresh), fresh_url, "a fresh URL is kept");
        assert_eq!(preview_url(&foreign), "https://cdn.example/cat.png?exp=1");
    }

    #[tokio::test]
    async fn the_engine_store_hands_back_fresh_previews_and_keeps_what_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let local = Arc::new(local(dir.path()).await);
        let ctx = StoreContext {
            identity: "visitor".into(),
            agent: "default".into(),
        };
        let thread = ThreadMetadata::new("thr_1", chatkit_types::Timestamp::now());
        local.store.save_thread(&thread, &ctx).await.unwrap();
        let stale = image_expiring(&local, "http://127.0.0.1:8080", 1);
        local.store.save_attachment(&stale, &ctx).await.unwrap();
        let message: ThreadItem = serde_json::from_value(serde_json::json!({
            "type": "user_message", "id": "msg_1", "thread_id": "thr_1",
            "created_at": "2026-11-21T10:26:20.644729Z",
            "content": [{"type": "input_text", "text": "look"}],
            "attachments": [serde_json::to_value(&stale).unwrap()],
            "inference_options": {},
        }))
        .unwrap();
        local
            .store
            .add_thread_item("thr_1", &message, &ctx)
            .await
            .unwrap();
        let store = local.engine_store();

        let page = store
            .load_thread_items("thr_1", None, 10, Order::Asc, &ctx)
            .await
            .unwrap();
        let item = store.load_item("thr_1", "msg_1", &ctx).await.unwrap();
        let attachment = store.load_attachment("atc_img", &ctx).await.unwrap();
        let stored = local.store.load_item("thr_1", "msg_1", &ctx).await.unwrap();

        let attachments = |item: &ThreadItem| match item {
            ThreadItem::UserMessage(m) => m.attachments.clone(),
            _ => panic!("not a user message"),
        };
        for read in [
            attachments(&page.data[0])[0].clone(),
            attachments(&item)[0].clone(),
            attachment,
        ] {
            let url = preview_url(&read);
            assert!(
                url.starts_with("http://127.0.0.1:8080/api/chatkit/"),
                "{url}"
            );
            assert!(local.check_signature("atc_img", Purpose::Preview, query(url)));
        }
        assert_eq!(stored, message, "the store keeps what was saved");
        assert!(format!("{store:?}").contains("FreshPreviews"));
    }

    #[tokio::test(start_paused = true)]
    async fn an_upload_that_stops_sending_fails_after_the_stall_limit() {
        let first = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"abc"))]);
        let body = Body::from_stream(first.chain(futures::stream::pending()));
        let mut chunks = std::pin::pin!(paced(body, Duration::from_secs(30)));

        let started = tokio::time::Instant::now();
        let chunk = chunks.next().await.unwrap().unwrap();
        let stalled = chunks.next().await.unwrap();

        assert_eq!(&chunk[..], b"abc");
        assert!(matches!(stalled, Err(ReadFailure::Stalled)));
        assert_eq!(started.elapsed(), Duration::from_secs(30));
        assert!(chunks.next().await.is_none(), "nothing follows a stall");
        assert!(matches!(
            BodyFailure::from(multer::Error::StreamReadFailed(Box::new(
                ReadFailure::Stalled
            ))),
            BodyFailure::Stalled
        ));
    }

    #[test]
    fn only_the_upload_routes_have_their_own_time_limit() {
        assert_eq!(
            request_timeout("/api/chatkit/attachments/{id}/upload"),
            Some(UPLOAD_TIMEOUT)
        );
        assert_eq!(
            request_timeout("/chatkit/{agent}/upload"),
            Some(UPLOAD_TIMEOUT)
        );
        for other in [
            "/chatkit",
            "/chatkit/{agent}",
            "/api/chatkit/attachments/{id}/preview",
        ] {
            assert_eq!(request_timeout(other), None, "{other}");
        }
    }

    #[test]
    fn the_allowlist_accepts_families() {
        let config = AttachmentsConfig {
            allowed_mime_types: vec!["image/*".into(), "text/plain".into()],
            ..AttachmentsConfig::default()
        };
        assert!(config.allows("image/heic"));
        assert!(config.allows("text/plain"));
        assert!(!config.allows("text/html"));
        assert!(!config.allows("imagex/png"));
    }
}
