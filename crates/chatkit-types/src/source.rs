//! Sources cited by annotations and tasks (Python: `### SOURCE TYPES` in `chatkit/types.py`).
//!
//! Python's `SourceBase` fields (`title`, `description`, `timestamp`, `group`) are repeated in each
//! source struct rather than flattened. Each source struct writes its own `type` (a `SearchTask`
//! holds `URLSource`s directly, and they carry `"type": "url"` there too), so [`Source`] reads
//! `type` to pick the struct and writes the struct as is.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::JsonObject;
use crate::icon::IconName;

/// A source of any kind (Python: `Source`, discriminated on `type`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[cfg_attr(feature = "ts", ts(untagged))]
pub enum Source {
    /// `"url"`: a web page.
    Url(URLSource),
    /// `"file"`: a file.
    File(FileSource),
    /// `"entity"`: an integration-defined entity.
    Entity(EntitySource),
}

impl Serialize for Source {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Url(s) => s.serialize(serializer),
            Self::File(s) => s.serialize(serializer),
            Self::Entity(s) => s.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Source {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let source = match value.get("type").and_then(Value::as_str) {
            Some("url") => URLSource::deserialize(value).map(Self::Url),
            Some("file") => FileSource::deserialize(value).map(Self::File),
            Some("entity") => EntitySource::deserialize(value).map(Self::Entity),
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "unknown source type `{other}`, expected `url`, `file` or `entity`"
                )));
            }
            None => return Err(D::Error::custom("source has no `type`")),
        };
        source.map_err(D::Error::custom)
    }
}

impl From<URLSource> for Source {
    fn from(s: URLSource) -> Self {
        Self::Url(s)
    }
}

impl From<FileSource> for Source {
    fn from(s: FileSource) -> Self {
        Self::File(s)
    }
}

impl From<EntitySource> for Source {
    fn from(s: EntitySource) -> Self {
        Self::Entity(s)
    }
}

/// A file cited as a source (Python: `FileSource`, `type: "file"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(optional_fields, rename = "FileSource")
)]
#[serde(tag = "type", rename = "file")]
pub struct FileSource {
    /// Title shown for the source.
    pub title: String,
    /// Optional description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Optional free-form timestamp text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Optional group the client clusters sources by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// File name.
    pub filename: String,
}

/// A web page cited as a source (Python: `URLSource`, `type: "url"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(optional_fields, rename = "URLSource")
)]
#[serde(tag = "type", rename = "url")]
pub struct URLSource {
    /// Title shown for the source.
    pub title: String,
    /// Optional description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Optional free-form timestamp text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Optional group the client clusters sources by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The page's URL (a plain string in Python too).
    pub url: String,
    /// Optional attribution text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<String>,
}

/// An integration-defined entity cited as a source (Python: `EntitySource`, `type: "entity"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(optional_fields, rename = "EntitySource")
)]
#[serde(tag = "type", rename = "entity")]
pub struct EntitySource {
    /// Title shown for the source.
    pub title: String,
    /// Optional description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Optional free-form timestamp text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Optional group the client clusters sources by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Entity id.
    pub id: String,
    /// Optional icon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<IconName>,
    /// Label shown with the icon in the default hover header when no preview callback is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Label of the inline annotation chip; the icon is shown when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inline_label: Option<String>,
    /// Whether the client wires entity callbacks and renders the entity as interactive.
    #[serde(default)]
    pub interactive: bool,
    /// Data passed to the client's entity callbacks; default `{}`.
    #[serde(default)]
    pub data: JsonObject,
    /// Deprecated and ignored by the client; only `"lazy"` is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<EntityPreview>,
}

/// The only value of the deprecated `EntitySource.preview` field (Python: `Literal["lazy"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "lowercase")]
pub enum EntityPreview {
    /// `"lazy"`.
    Lazy,
}
