//! Widgets (Python: `chatkit/widgets.py`).
//!
//! On the wire a widget is a JSON tree: every node is an object with a string `type`, optional
//! `id` and `key`, and (for containers) `children`. [`WidgetRoot`] and [`WidgetComponent`] hold such
//! trees as JSON values, so components and props this crate does not model round-trip untouched
//! (Python: `DynamicWidgetComponent`). Both normalize as Python's widget serializer does
//! (`_drop_none`): `null` props are dropped at every depth, and `null` list elements too; a
//! `"children": null` is dropped from nodes but kept inside plain objects.
//!
//! Two Python behaviours are deliberately not reproduced for values read as JSON: Python drops
//! unknown props of *known* components (a `Card` with an extra `foo` loses it) and fills in
//! [`ActionConfig`](crate::ActionConfig) defaults and float conversions; the typed builders in
//! this module produce that canonical form, so build widgets with them to be byte-identical.
//!
//! The builders ([`Card`], [`Text`], [`Box`], …) keep Python's class names, so they are not
//! re-exported at the crate root (`Box`, `Image` and `Text` would shadow other names); use them as
//! `chatkit_types::widgets::Card`.

mod components;
mod props;

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

pub use components::*;
pub use props::*;

/// The `type`s a widget root may have (Python: `StrictWidgetRoot` / `DynamicWidgetRoot`).
pub const ROOT_TYPES: [&str; 3] = ["Card", "ListView", "Basic"];

/// Why a JSON value is not a widget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WidgetError {
    /// The value is not a JSON object.
    NotAnObject,
    /// The object has no string `type`.
    MissingType,
    /// A root's `type` is not `Card`, `ListView` or `Basic` (holds the `type`).
    NotARoot(String),
}

impl fmt::Display for WidgetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAnObject => f.write_str("a widget must be a JSON object"),
            Self::MissingType => f.write_str("a widget must have a string `type`"),
            Self::NotARoot(t) => {
                write!(
                    f,
                    "widget root `type` must be Card, ListView or Basic, not `{t}`"
                )
            }
        }
    }
}

impl std::error::Error for WidgetError {}

/// Drops nulls the way Python's `_drop_none` does, for a widget node.
fn normalize_node(map: &mut Map<String, Value>) {
    map.retain(|_, v| !v.is_null());
    for (key, value) in map.iter_mut() {
        if key == "children" {
            match value {
                Value::Array(items) => {
                    items.retain(|v| !v.is_null());
                    for item in items {
                        match item {
                            Value::Object(child) => normalize_node(child),
                            other => normalize_plain(other),
                        }
                    }
                }
                Value::Object(child) => normalize_node(child),
                other => normalize_plain(other),
            }
        } else {
            normalize_plain(value);
        }
    }
}

/// Drops nulls the way Python's `_drop_none` does, inside a prop value.
fn normalize_plain(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|k, v| k == "children" || !v.is_null());
            map.values_mut().for_each(normalize_plain);
        }
        Value::Array(items) => {
            items.retain(|v| !v.is_null());
            items.iter_mut().for_each(normalize_plain);
        }
        _ => {}
    }
}

fn into_node(value: Value) -> Result<Map<String, Value>, WidgetError> {
    let Value::Object(mut map) = value else {
        return Err(WidgetError::NotAnObject);
    };
    if !map.get("type").is_some_and(Value::is_string) {
        return Err(WidgetError::MissingType);
    }
    normalize_node(&mut map);
    Ok(map)
}

macro_rules! widget_value {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name(Map<String, Value>);

        impl $name {
            /// The node's `type`.
            pub fn type_name(&self) -> &str {
                self.0.get("type").and_then(Value::as_str).unwrap_or_default()
            }

            /// The node's `id`, if any.
            pub fn id(&self) -> Option<&str> {
                self.0.get("id").and_then(Value::as_str)
            }

            /// The node's `key`, if any.
            pub fn key(&self) -> Option<&str> {
                self.0.get("key").and_then(Value::as_str)
            }

            /// A prop of the node.
            pub fn get(&self, prop: &str) -> Option<&Value> {
                self.0.get(prop)
            }

            /// The node as a JSON object.
            pub fn as_object(&self) -> &Map<String, Value> {
                &self.0
            }

            /// The node as a JSON value.
            pub fn into_value(self) -> Value {
                Value::Object(self.0)
            }

            /// The node as a JSON object.
            pub fn into_object(self) -> Map<String, Value> {
                self.0
            }
        }

        impl From<$name> for Value {
            fn from(widget: $name) -> Self {
                widget.into_value()
            }
        }

        impl TryFrom<Map<String, Value>> for $name {
            type Error = WidgetError;

            fn try_from(map: Map<String, Value>) -> Result<Self, WidgetError> {
                Self::from_value(Value::Object(map))
            }
        }

        impl TryFrom<Value> for $name {
            type Error = WidgetError;

            fn try_from(value: Value) -> Result<Self, WidgetError> {
                Self::from_value(value)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.0.serialize(serializer)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = Value::deserialize(deserializer)?;
                Self::from_value(value).map_err(serde::de::Error::custom)
            }
        }
    };
}

widget_value!(
    /// Any widget component (Python: `WidgetComponent`, i.e. `StrictWidgetComponent |
    /// DynamicWidgetComponent`): a JSON object with a string `type`, kept as is apart from nulls.
    WidgetComponent
);

widget_value!(
    /// A top-level widget (Python: `WidgetRoot`): a JSON object whose `type` is `Card`,
    /// `ListView` or `Basic`, kept as is apart from nulls.
    WidgetRoot
);

impl WidgetComponent {
    /// Checks and normalizes a JSON value (see the module docs).
    pub fn from_value(value: Value) -> Result<Self, WidgetError> {
        into_node(value).map(Self)
    }
}

impl WidgetRoot {
    /// Checks and normalizes a JSON value (see the module docs).
    pub fn from_value(value: Value) -> Result<Self, WidgetError> {
        let map = into_node(value)?;
        let ty = map.get("type").and_then(Value::as_str).unwrap_or_default();
        if !ROOT_TYPES.contains(&ty) {
            return Err(WidgetError::NotARoot(ty.to_owned()));
        }
        Ok(Self(map))
    }
}

impl From<WidgetRoot> for WidgetComponent {
    /// A root is also a component (a `Basic` root may nest other roots).
    fn from(root: WidgetRoot) -> Self {
        Self(root.0)
    }
}

impl TryFrom<WidgetComponent> for WidgetRoot {
    type Error = WidgetError;

    fn try_from(component: WidgetComponent) -> Result<Self, WidgetError> {
        Self::from_value(component.into_value())
    }
}

/// Serializes a typed builder into a node. Builders have a `type` by construction, so this
/// cannot fail; a value that somehow is not an object becomes an empty node of type `ty`.
fn builder_node<T: Serialize>(builder: &T, ty: &str) -> Map<String, Value> {
    match serde_json::to_value(builder).map(into_node) {
        Ok(Ok(map)) => map,
        _ => Map::from_iter([("type".to_owned(), Value::String(ty.to_owned()))]),
    }
}
