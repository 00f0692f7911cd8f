//! [`AttachmentHandler`]: the bytes side of attachments (Python: `AttachmentStore`), which the
//! binary provides (signed upload URLs, local disk or object storage). The engine keeps the
//! metadata through the [`chatkit_store::Store`].
//!
//! `attachments.create` (two-phase upload, step 1): [`AttachmentHandler::create`] returns the
//! attachment with its `upload_descriptor`, the engine saves it (`save_attachment`) and replies
//! with it (`metadata` stripped). `attachments.delete`: the engine checks the attachment is the
//! caller's (`load_attachment`), then [`AttachmentHandler::delete`] removes the bytes and the
//! engine the metadata. Without a handler both ops answer `attachments_unavailable`.

use async_trait::async_trait;
use chatkit_types::{Attachment, AttachmentCreateParams};

use crate::context::RequestContext;

/// Why an attachment handler refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AttachmentError {
    /// The declared size is over the limit (the limit, when known). → 413 `attachment_too_large`.
    #[error("the attachment is too large")]
    TooLarge(Option<u64>),
    /// The MIME type is not allowed (holds it). → 415 `attachment_type_not_allowed`.
    #[error("attachments of type `{0}` are not allowed")]
    TypeNotAllowed(String),
    /// Another problem with the parameters (safe to show). → 400 `invalid_request`.
    #[error("{0}")]
    Invalid(String),
    /// The handler has no such attachment. → 404 `attachment_not_found`.
    #[error("attachment not found")]
    NotFound,
    /// A failure of the handler (logged). → 500 `internal`.
    #[error("attachment handler failure: {0}")]
    Other(Box<dyn std::error::Error + Send + Sync>),
}

/// Creates upload targets and deletes attachment bytes; the binary implements it.
#[async_trait]
pub trait AttachmentHandler: Send + Sync {
    /// Registers a new attachment for `params` and returns it with an `upload_descriptor` (and a
    /// `preview_url` for images). The id must be fresh (see
    /// [`chatkit_store::generate_id`] with [`chatkit_store::IdKind::Attachment`]). Enforce the
    /// size and MIME limits here.
    async fn create(
        &self,
        params: &AttachmentCreateParams,
        ctx: &RequestContext,
    ) -> Result<Attachment, AttachmentError>;

    /// Deletes the bytes of the attachment `attachment_id` (already checked to be the caller's).
    async fn delete(
        &self,
        attachment_id: &str,
        ctx: &RequestContext,
    ) -> Result<(), AttachmentError>;
}
