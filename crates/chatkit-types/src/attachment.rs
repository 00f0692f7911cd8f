//! Attachments and their upload descriptors (Python: `AttachmentBase`, `FileAttachment`,
//! `ImageAttachment`, `AttachmentUploadDescriptor` in `chatkit/types.py`).
//!
//! `metadata` is integration-only: it is read from input and kept in the value (a store may
//! persist it, see [`Attachment::to_storage_value`]) but never serialized, which is what the
//! Python server's responses do (`context={"exclude_metadata": True}`).
//!
//! URLs are plain strings here. Python types them `AnyUrl`, which normalizes on parse (lower-case
//! scheme and host, `/` for an empty path: `https://x.y` becomes `https://x.y/`); emit URLs in that
//! form to be byte-identical.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::JsonObject;

/// An attachment of any kind (Python: `Attachment`, discriminated on `type`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(tag = "type")]
pub enum Attachment {
    /// `"file"`: a generic file.
    #[serde(rename = "file")]
    File(FileAttachment),
    /// `"image"`: an image with a preview.
    #[serde(rename = "image")]
    Image(ImageAttachment),
}

/// HTTP method of a two-phase upload (Python: `Literal["POST", "PUT"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "UPPERCASE")]
pub enum UploadMethod {
    /// `POST` a `multipart/form-data` body with a `file` field.
    Post,
    /// `PUT` the raw bytes (S3-style presigned URLs).
    Put,
}

/// Where and how the client uploads an attachment's bytes (Python: `AttachmentUploadDescriptor`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct AttachmentUploadDescriptor {
    /// Upload URL (Python: `AnyUrl`).
    pub url: String,
    /// HTTP method to use.
    pub method: UploadMethod,
    /// Headers to send with the upload; default `{}`.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

/// A generic file attachment (Python: `FileAttachment`, `type: "file"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct FileAttachment {
    /// Attachment id.
    pub id: String,
    /// Original file name.
    pub name: String,
    /// MIME type.
    pub mime_type: String,
    /// Two-phase upload instructions; cleared once the upload completes (and absent for direct
    /// uploads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_descriptor: Option<AttachmentUploadDescriptor>,
    /// The thread the attachment belongs to, set when its user message is saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// Integration-only metadata: read and kept, never serialized.
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub metadata: Option<JsonObject>,
}

/// An image attachment (Python: `ImageAttachment`, `type: "image"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ImageAttachment {
    /// Attachment id.
    pub id: String,
    /// Original file name.
    pub name: String,
    /// MIME type.
    pub mime_type: String,
    /// Two-phase upload instructions; cleared once the upload completes (and absent for direct
    /// uploads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_descriptor: Option<AttachmentUploadDescriptor>,
    /// The thread the attachment belongs to, set when its user message is saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// Integration-only metadata: read and kept, never serialized.
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub metadata: Option<JsonObject>,
    /// Thumbnail URL (Python: `AnyUrl`); may be a short-lived signed URL.
    pub preview_url: String,
}

impl Attachment {
    /// Attachment id.
    pub fn id(&self) -> &str {
        match self {
            Self::File(a) => &a.id,
            Self::Image(a) => &a.id,
        }
    }

    /// Original file name.
    pub fn name(&self) -> &str {
        match self {
            Self::File(a) => &a.name,
            Self::Image(a) => &a.name,
        }
    }

    /// MIME type.
    pub fn mime_type(&self) -> &str {
        match self {
            Self::File(a) => &a.mime_type,
            Self::Image(a) => &a.mime_type,
        }
    }

    /// The thread the attachment belongs to, if any.
    pub fn thread_id(&self) -> Option<&str> {
        match self {
            Self::File(a) => a.thread_id.as_deref(),
            Self::Image(a) => a.thread_id.as_deref(),
        }
    }

    /// Sets (or clears) the owning thread.
    pub fn set_thread_id(&mut self, thread_id: Option<String>) {
        match self {
            Self::File(a) => a.thread_id = thread_id,
            Self::Image(a) => a.thread_id = thread_id,
        }
    }

    /// Upload instructions, if any.
    pub fn upload_descriptor(&self) -> Option<&AttachmentUploadDescriptor> {
        match self {
            Self::File(a) => a.upload_descriptor.as_ref(),
            Self::Image(a) => a.upload_descriptor.as_ref(),
        }
    }

    /// Integration-only metadata, if any.
    pub fn metadata(&self) -> Option<&JsonObject> {
        match self {
            Self::File(a) => a.metadata.as_ref(),
            Self::Image(a) => a.metadata.as_ref(),
        }
    }

    /// The JSON a store keeps: the wire form plus `metadata` (which the wire form never carries).
    /// Parse it back with `serde_json::from_value::<Attachment>`, which reads `metadata`.
    pub fn to_storage_value(&self) -> Value {
        let mut value = serde_json::to_value(self).unwrap_or(Value::Null);
        if let (Value::Object(map), Some(metadata)) = (&mut value, self.metadata()) {
            map.insert("metadata".to_owned(), Value::Object(metadata.clone()));
        }
        value
    }
}
