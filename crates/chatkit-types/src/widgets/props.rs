//! Prop types of the widget builders (Python: the `TypedDict`s and `Literal` aliases of
//! `chatkit/widgets.py`). Unions Python writes inline (`float | str`, `str | ThemeColor`, …) get a
//! name here; numbers keep Python's int/float distinction, so a `float` prop set to `2` is written
//! `2.0`, as pydantic does.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::action::ActionConfig;
use crate::icon::IconName;

/// Icon names accepted by widgets (Python: `WidgetIcon`, an alias of `IconName`).
pub type WidgetIcon = IconName;

/// A `float | str` prop: a number of pixels (or spacing units), or a CSS string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FloatOrString {
    /// A number, written as a float.
    Float(f64),
    /// A CSS string.
    String(String),
}

/// An `int | str` prop: a whole number of pixels (or spacing units), or a CSS string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IntOrString {
    /// An integer.
    Int(i64),
    /// A CSS string.
    String(String),
}

macro_rules! number_or_string_from {
    ($ty:ident, $num:ident as $target:ty: $($src:ty),*) => {
        $(
            impl From<$src> for $ty {
                fn from(n: $src) -> Self {
                    Self::$num(<$target>::from(n))
                }
            }
        )*
        impl From<&str> for $ty {
            fn from(s: &str) -> Self {
                Self::String(s.to_owned())
            }
        }
        impl From<String> for $ty {
            fn from(s: String) -> Self {
                Self::String(s)
            }
        }
    };
}

number_or_string_from!(FloatOrString, Float as f64: f64, f32, i32, u32, i16, u16, i8, u8);
number_or_string_from!(IntOrString, Int as i64: i64, i32, u32, i16, u16, i8, u8);

/// Colors for the light and dark themes (Python: `ThemeColor`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeColor {
    /// Color in the dark theme.
    pub dark: String,
    /// Color in the light theme.
    pub light: String,
}

/// A `str | ThemeColor` prop: a color token, a primitive color token (`red-100`), a CSS color,
/// or a per-theme pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Color {
    /// A token or CSS color.
    String(String),
    /// A per-theme pair.
    Theme(ThemeColor),
}

impl From<&str> for Color {
    fn from(s: &str) -> Self {
        Self::String(s.to_owned())
    }
}

impl From<String> for Color {
    fn from(s: String) -> Self {
        Self::String(s)
    }
}

impl From<ThemeColor> for Color {
    fn from(c: ThemeColor) -> Self {
        Self::Theme(c)
    }
}

/// Per-edge spacing (Python: `Spacing`); each edge is a spacing unit or a CSS string.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Spacing {
    /// Top.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top: Option<FloatOrString>,
    /// Right.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right: Option<FloatOrString>,
    /// Bottom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bottom: Option<FloatOrString>,
    /// Left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left: Option<FloatOrString>,
    /// Left and right.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<FloatOrString>,
    /// Top and bottom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<FloatOrString>,
}

/// A `float | str | Spacing` prop (`padding`, `margin`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SpacingValue {
    /// A spacing unit, written as a float.
    Float(f64),
    /// A CSS string.
    String(String),
    /// Per-edge spacing.
    Spacing(Spacing),
}

/// An `int | str | Spacing` prop (`Image.margin`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IntSpacingValue {
    /// A spacing unit.
    Int(i64),
    /// A CSS string.
    String(String),
    /// Per-edge spacing.
    Spacing(Spacing),
}

number_or_string_from!(SpacingValue, Float as f64: f64, f32, i32, u32, i16, u16, i8, u8);
number_or_string_from!(IntSpacingValue, Int as i64: i64, i32, u32, i16, u16, i8, u8);

impl From<Spacing> for SpacingValue {
    fn from(s: Spacing) -> Self {
        Self::Spacing(s)
    }
}

impl From<Spacing> for IntSpacingValue {
    fn from(s: Spacing) -> Self {
        Self::Spacing(s)
    }
}

/// One border (Python: `Border`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Border {
    /// Thickness in px.
    pub size: i64,
    /// Color: a border token (`default`, `subtle`, `strong`), a primitive token, CSS, or a pair.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    /// Line style.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<BorderStyle>,
}

/// An `int | Border` edge of [`Borders`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BorderEdge {
    /// Thickness in px.
    Size(i64),
    /// A full border.
    Border(Border),
}

/// Per-edge borders (Python: `Borders`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Borders {
    /// Top.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top: Option<BorderEdge>,
    /// Right.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right: Option<BorderEdge>,
    /// Bottom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bottom: Option<BorderEdge>,
    /// Left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left: Option<BorderEdge>,
    /// Left and right.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<BorderEdge>,
    /// Top and bottom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<BorderEdge>,
}

/// An `int | Border | Borders` prop (`BoxBase.border`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
#[allow(clippy::large_enum_variant)] // a prop value, built once per widget
pub enum BorderValue {
    /// Thickness in px.
    Size(i64),
    /// One border for every edge.
    Border(Border),
    /// Per-edge borders.
    Borders(Borders),
}

impl From<i64> for BorderValue {
    fn from(n: i64) -> Self {
        Self::Size(n)
    }
}

impl From<i32> for BorderValue {
    fn from(n: i32) -> Self {
        Self::Size(n.into())
    }
}

impl From<Border> for BorderValue {
    fn from(b: Border) -> Self {
        Self::Border(b)
    }
}

impl From<Borders> for BorderValue {
    fn from(b: Borders) -> Self {
        Self::Borders(b)
    }
}

/// Integer bounds (Python: `MinMax`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MinMax {
    /// Minimum (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// Maximum (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
}

/// Options of an editable `Text` (Python: `EditableProps`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EditableProps {
    /// Form field name used when submitting.
    pub name: String,
    /// Focus the input when it appears (Python: `autoFocus`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_focus: Option<bool>,
    /// Select all text on focus (Python: `autoSelect`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_select: Option<bool>,
    /// Native autocomplete hint (Python: `autoComplete`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_complete: Option<String>,
    /// Allow password managers and autofill extensions (Python: `allowAutofillExtensions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_autofill_extensions: Option<bool>,
    /// Validation regex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Placeholder text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// Whether a value is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
}

/// `Text.editable` (Python: `Literal[False] | EditableProps`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Editable {
    /// `false`: not editable.
    Disabled,
    /// Editable with these options.
    Props(EditableProps),
}

impl From<EditableProps> for Editable {
    fn from(p: EditableProps) -> Self {
        Self::Props(p)
    }
}

impl Serialize for Editable {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Disabled => serializer.serialize_bool(false),
            Self::Props(p) => p.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Editable {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bool(bool),
            Props(EditableProps),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Bool(false) => Ok(Self::Disabled),
            Raw::Bool(true) => Err(serde::de::Error::custom(
                "`editable` may be false or an object",
            )),
            Raw::Props(p) => Ok(Self::Props(p)),
        }
    }
}

/// Status header with a favicon (Python: `WidgetStatusWithFavicon`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetStatusWithFavicon {
    /// Status text.
    pub text: String,
    /// Favicon URL shown before the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub favicon: Option<String>,
    /// Frame the favicon for contrast.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame: Option<bool>,
}

/// Status header with an icon (Python: `WidgetStatusWithIcon`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WidgetStatusWithIcon {
    /// Status text.
    pub text: String,
    /// Icon shown before the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<IconName>,
}

/// A status header above a card or list (Python: `WidgetStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum WidgetStatus {
    /// With an icon.
    Icon(WidgetStatusWithIcon),
    /// With a favicon.
    Favicon(WidgetStatusWithFavicon),
}

impl WidgetStatus {
    /// A status with only text.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Icon(WidgetStatusWithIcon {
            text: text.into(),
            icon: None,
        })
    }

    /// A status with text and an icon.
    pub fn with_icon(text: impl Into<String>, icon: impl Into<IconName>) -> Self {
        Self::Icon(WidgetStatusWithIcon {
            text: text.into(),
            icon: Some(icon.into()),
        })
    }

    /// A status with text and a favicon URL.
    pub fn with_favicon(text: impl Into<String>, favicon: impl Into<String>) -> Self {
        Self::Favicon(WidgetStatusWithFavicon {
            text: text.into(),
            favicon: Some(favicon.into()),
            frame: None,
        })
    }
}

/// A confirm or cancel button in a card's footer (Python: `CardAction`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardAction {
    /// Button label.
    pub label: String,
    /// Action sent on click.
    pub action: ActionConfig,
}

impl CardAction {
    /// A footer button.
    pub fn new(label: impl Into<String>, action: ActionConfig) -> Self {
        Self {
            label: label.into(),
            action,
        }
    }
}

/// An option of a `Select` (Python: `SelectOption`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectOption {
    /// Value submitted with the form.
    pub value: String,
    /// Label shown.
    pub label: String,
    /// Whether the option is disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// Secondary text below the label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl SelectOption {
    /// An option with a value and a label.
    pub fn new(value: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            label: label.into(),
            disabled: None,
            description: None,
        }
    }
}

/// An option of a `RadioGroup` (Python: `RadioOption`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RadioOption {
    /// Label shown.
    pub label: String,
    /// Value submitted when selected.
    pub value: String,
    /// Whether the option is disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
}

impl RadioOption {
    /// An option with a label and a value.
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            value: value.into(),
            disabled: None,
        }
    }
}

/// `ListView.limit` (Python: `int | Literal["auto"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListViewLimit {
    /// Show this many items before a "Show more" control.
    Count(i64),
    /// `"auto"`.
    Auto,
}

impl From<i64> for ListViewLimit {
    fn from(n: i64) -> Self {
        Self::Count(n)
    }
}

impl From<i32> for ListViewLimit {
    fn from(n: i32) -> Self {
        Self::Count(n.into())
    }
}

impl Serialize for ListViewLimit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Count(n) => serializer.serialize_i64(*n),
            Self::Auto => serializer.serialize_str("auto"),
        }
    }
}

impl<'de> Deserialize<'de> for ListViewLimit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Count(i64),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Count(n) => Ok(Self::Count(n)),
            Raw::Text(s) if s == "auto" => Ok(Self::Auto),
            Raw::Text(s) => Err(serde::de::Error::custom(format!("invalid limit {s:?}"))),
        }
    }
}

/// X axis of a chart (Python: `Chart.xAxis`, `str | XAxisConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum XAxis {
    /// The data key of the categories.
    DataKey(String),
    /// A full configuration.
    Config(XAxisConfig),
}

impl From<&str> for XAxis {
    fn from(s: &str) -> Self {
        Self::DataKey(s.to_owned())
    }
}

impl From<XAxisConfig> for XAxis {
    fn from(c: XAxisConfig) -> Self {
        Self::Config(c)
    }
}

/// X axis configuration (Python: `XAxisConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct XAxisConfig {
    /// Field of each data row holding the category (Python: `dataKey`).
    pub data_key: String,
    /// Hide the axis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hide: Option<bool>,
    /// Display labels per tick value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
}

/// A chart series (Python: `Series`, discriminated on `type`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Series {
    /// `"bar"`.
    #[serde(rename = "bar")]
    Bar(BarSeries),
    /// `"area"`.
    #[serde(rename = "area")]
    Area(AreaSeries),
    /// `"line"`.
    #[serde(rename = "line")]
    Line(LineSeries),
}

/// A bar series (Python: `BarSeries`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BarSeries {
    /// Legend label (required but nullable in Python; omitted when `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Field of each data row holding the value (Python: `dataKey`).
    pub data_key: String,
    /// Stack group id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    /// Series color.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
}

/// An area series (Python: `AreaSeries`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AreaSeries {
    /// Legend label (required but nullable in Python; omitted when `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Field of each data row holding the value (Python: `dataKey`).
    pub data_key: String,
    /// Stack group id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    /// Series color.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    /// Interpolation curve (Python: `curveType`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curve_type: Option<CurveType>,
}

/// A line series (Python: `LineSeries`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineSeries {
    /// Legend label (required but nullable in Python; omitted when `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Field of each data row holding the value (Python: `dataKey`).
    pub data_key: String,
    /// Series color.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    /// Interpolation curve (Python: `curveType`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curve_type: Option<CurveType>,
}

/// Corner radius token (Python: `RadiusValue`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RadiusValue {
    /// `"2xs"`.
    #[serde(rename = "2xs")]
    Xs2,
    /// `"xs"`.
    #[serde(rename = "xs")]
    Xs,
    /// `"sm"`.
    #[serde(rename = "sm")]
    Sm,
    /// `"md"`.
    #[serde(rename = "md")]
    Md,
    /// `"lg"`.
    #[serde(rename = "lg")]
    Lg,
    /// `"xl"`.
    #[serde(rename = "xl")]
    Xl,
    /// `"2xl"`.
    #[serde(rename = "2xl")]
    Xl2,
    /// `"3xl"`.
    #[serde(rename = "3xl")]
    Xl3,
    /// `"4xl"`.
    #[serde(rename = "4xl")]
    Xl4,
    /// `"full"`.
    #[serde(rename = "full")]
    Full,
    /// `"100%"`.
    #[serde(rename = "100%")]
    Percent100,
    /// `"none"`.
    #[serde(rename = "none")]
    None,
}

/// Horizontal text alignment (Python: `TextAlign`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TextAlign {
    /// `"start"`.
    #[serde(rename = "start")]
    Start,
    /// `"center"`.
    #[serde(rename = "center")]
    Center,
    /// `"end"`.
    #[serde(rename = "end")]
    End,
}

/// Body text size (Python: `TextSize`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TextSize {
    /// `"xs"`.
    #[serde(rename = "xs")]
    Xs,
    /// `"sm"`.
    #[serde(rename = "sm")]
    Sm,
    /// `"md"`.
    #[serde(rename = "md")]
    Md,
    /// `"lg"`.
    #[serde(rename = "lg")]
    Lg,
    /// `"xl"`.
    #[serde(rename = "xl")]
    Xl,
}

/// Icon size (Python: `IconSize`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IconSize {
    /// `"xs"`.
    #[serde(rename = "xs")]
    Xs,
    /// `"sm"`.
    #[serde(rename = "sm")]
    Sm,
    /// `"md"`.
    #[serde(rename = "md")]
    Md,
    /// `"lg"`.
    #[serde(rename = "lg")]
    Lg,
    /// `"xl"`.
    #[serde(rename = "xl")]
    Xl,
    /// `"2xl"`.
    #[serde(rename = "2xl")]
    Xl2,
    /// `"3xl"`.
    #[serde(rename = "3xl")]
    Xl3,
}

/// Title text size (Python: `TitleSize`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TitleSize {
    /// `"sm"`.
    #[serde(rename = "sm")]
    Sm,
    /// `"md"`.
    #[serde(rename = "md")]
    Md,
    /// `"lg"`.
    #[serde(rename = "lg")]
    Lg,
    /// `"xl"`.
    #[serde(rename = "xl")]
    Xl,
    /// `"2xl"`.
    #[serde(rename = "2xl")]
    Xl2,
    /// `"3xl"`.
    #[serde(rename = "3xl")]
    Xl3,
    /// `"4xl"`.
    #[serde(rename = "4xl")]
    Xl4,
    /// `"5xl"`.
    #[serde(rename = "5xl")]
    Xl5,
}

/// Caption text size (Python: `CaptionSize`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CaptionSize {
    /// `"sm"`.
    #[serde(rename = "sm")]
    Sm,
    /// `"md"`.
    #[serde(rename = "md")]
    Md,
    /// `"lg"`.
    #[serde(rename = "lg")]
    Lg,
}

/// Flexbox alignment (Python: `Alignment`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Alignment {
    /// `"start"`.
    #[serde(rename = "start")]
    Start,
    /// `"center"`.
    #[serde(rename = "center")]
    Center,
    /// `"end"`.
    #[serde(rename = "end")]
    End,
    /// `"baseline"`.
    #[serde(rename = "baseline")]
    Baseline,
    /// `"stretch"`.
    #[serde(rename = "stretch")]
    Stretch,
}

/// Flexbox justification (Python: `Justification`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Justification {
    /// `"start"`.
    #[serde(rename = "start")]
    Start,
    /// `"center"`.
    #[serde(rename = "center")]
    Center,
    /// `"end"`.
    #[serde(rename = "end")]
    End,
    /// `"between"`.
    #[serde(rename = "between")]
    Between,
    /// `"around"`.
    #[serde(rename = "around")]
    Around,
    /// `"evenly"`.
    #[serde(rename = "evenly")]
    Evenly,
    /// `"stretch"`.
    #[serde(rename = "stretch")]
    Stretch,
}

/// Button and input style variant (Python: `ControlVariant`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ControlVariant {
    /// `"solid"`.
    #[serde(rename = "solid")]
    Solid,
    /// `"soft"`.
    #[serde(rename = "soft")]
    Soft,
    /// `"outline"`.
    #[serde(rename = "outline")]
    Outline,
    /// `"ghost"`.
    #[serde(rename = "ghost")]
    Ghost,
}

/// Button and input size (Python: `ControlSize`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ControlSize {
    /// `"3xs"`.
    #[serde(rename = "3xs")]
    Xs3,
    /// `"2xs"`.
    #[serde(rename = "2xs")]
    Xs2,
    /// `"xs"`.
    #[serde(rename = "xs")]
    Xs,
    /// `"sm"`.
    #[serde(rename = "sm")]
    Sm,
    /// `"md"`.
    #[serde(rename = "md")]
    Md,
    /// `"lg"`.
    #[serde(rename = "lg")]
    Lg,
    /// `"xl"`.
    #[serde(rename = "xl")]
    Xl,
    /// `"2xl"`.
    #[serde(rename = "2xl")]
    Xl2,
    /// `"3xl"`.
    #[serde(rename = "3xl")]
    Xl3,
}

/// Interpolation curve of `area` and `line` chart series (Python: `CurveType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CurveType {
    /// `"basis"`.
    #[serde(rename = "basis")]
    Basis,
    /// `"basisClosed"`.
    #[serde(rename = "basisClosed")]
    BasisClosed,
    /// `"basisOpen"`.
    #[serde(rename = "basisOpen")]
    BasisOpen,
    /// `"bumpX"`.
    #[serde(rename = "bumpX")]
    BumpX,
    /// `"bumpY"`.
    #[serde(rename = "bumpY")]
    BumpY,
    /// `"bump"`.
    #[serde(rename = "bump")]
    Bump,
    /// `"linear"`.
    #[serde(rename = "linear")]
    Linear,
    /// `"linearClosed"`.
    #[serde(rename = "linearClosed")]
    LinearClosed,
    /// `"natural"`.
    #[serde(rename = "natural")]
    Natural,
    /// `"monotoneX"`.
    #[serde(rename = "monotoneX")]
    MonotoneX,
    /// `"monotoneY"`.
    #[serde(rename = "monotoneY")]
    MonotoneY,
    /// `"monotone"`.
    #[serde(rename = "monotone")]
    Monotone,
    /// `"step"`.
    #[serde(rename = "step")]
    Step,
    /// `"stepBefore"`.
    #[serde(rename = "stepBefore")]
    StepBefore,
    /// `"stepAfter"`.
    #[serde(rename = "stepAfter")]
    StepAfter,
}

/// Font weight (Python: `Literal["normal", "medium", "semibold", "bold"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FontWeight {
    /// `"normal"`.
    #[serde(rename = "normal")]
    Normal,
    /// `"medium"`.
    #[serde(rename = "medium")]
    Medium,
    /// `"semibold"`.
    #[serde(rename = "semibold")]
    Semibold,
    /// `"bold"`.
    #[serde(rename = "bold")]
    Bold,
}

/// Forced theme of a subtree (Python: `Literal["light", "dark"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Theme {
    /// `"light"`.
    #[serde(rename = "light")]
    Light,
    /// `"dark"`.
    #[serde(rename = "dark")]
    Dark,
}

/// Card size (Python: `Card.size` literal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CardSize {
    /// `"sm"`.
    #[serde(rename = "sm")]
    Sm,
    /// `"md"`.
    #[serde(rename = "md")]
    Md,
    /// `"lg"`.
    #[serde(rename = "lg")]
    Lg,
    /// `"full"`.
    #[serde(rename = "full")]
    Full,
}

/// Badge color (Python: `Badge.color` literal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BadgeColor {
    /// `"secondary"`.
    #[serde(rename = "secondary")]
    Secondary,
    /// `"success"`.
    #[serde(rename = "success")]
    Success,
    /// `"danger"`.
    #[serde(rename = "danger")]
    Danger,
    /// `"warning"`.
    #[serde(rename = "warning")]
    Warning,
    /// `"info"`.
    #[serde(rename = "info")]
    Info,
    /// `"discovery"`.
    #[serde(rename = "discovery")]
    Discovery,
}

/// Badge style (Python: `Badge.variant` literal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BadgeVariant {
    /// `"solid"`.
    #[serde(rename = "solid")]
    Solid,
    /// `"soft"`.
    #[serde(rename = "soft")]
    Soft,
    /// `"outline"`.
    #[serde(rename = "outline")]
    Outline,
}

/// Badge size (Python: `Badge.size` literal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BadgeSize {
    /// `"sm"`.
    #[serde(rename = "sm")]
    Sm,
    /// `"md"`.
    #[serde(rename = "md")]
    Md,
    /// `"lg"`.
    #[serde(rename = "lg")]
    Lg,
}

/// Flex wrapping (Python: `BoxBase.wrap` literal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FlexWrap {
    /// `"nowrap"`.
    #[serde(rename = "nowrap")]
    Nowrap,
    /// `"wrap"`.
    #[serde(rename = "wrap")]
    Wrap,
    /// `"wrap-reverse"`.
    #[serde(rename = "wrap-reverse")]
    WrapReverse,
}

/// Flex direction (Python: `Literal["row", "col"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    /// `"row"`.
    #[serde(rename = "row")]
    Row,
    /// `"col"`.
    #[serde(rename = "col")]
    Col,
}

/// How an image fits its box (Python: `Image.fit` literal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ImageFit {
    /// `"cover"`.
    #[serde(rename = "cover")]
    Cover,
    /// `"contain"`.
    #[serde(rename = "contain")]
    Contain,
    /// `"fill"`.
    #[serde(rename = "fill")]
    Fill,
    /// `"scale-down"`.
    #[serde(rename = "scale-down")]
    ScaleDown,
    /// `"none"`.
    #[serde(rename = "none")]
    None,
}

/// Focal position of an image (Python: `Image.position` literal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ImagePosition {
    /// `"top left"`.
    #[serde(rename = "top left")]
    TopLeft,
    /// `"top"`.
    #[serde(rename = "top")]
    Top,
    /// `"top right"`.
    #[serde(rename = "top right")]
    TopRight,
    /// `"left"`.
    #[serde(rename = "left")]
    Left,
    /// `"center"`.
    #[serde(rename = "center")]
    Center,
    /// `"right"`.
    #[serde(rename = "right")]
    Right,
    /// `"bottom left"`.
    #[serde(rename = "bottom left")]
    BottomLeft,
    /// `"bottom"`.
    #[serde(rename = "bottom")]
    Bottom,
    /// `"bottom right"`.
    #[serde(rename = "bottom right")]
    BottomRight,
}

/// Button style preset (Python: `Button.style` literal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ButtonStyle {
    /// `"primary"`.
    #[serde(rename = "primary")]
    Primary,
    /// `"secondary"`.
    #[serde(rename = "secondary")]
    Secondary,
}

/// Size of a button's icons (Python: `Button.iconSize` literal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ButtonIconSize {
    /// `"sm"`.
    #[serde(rename = "sm")]
    Sm,
    /// `"md"`.
    #[serde(rename = "md")]
    Md,
    /// `"lg"`.
    #[serde(rename = "lg")]
    Lg,
    /// `"xl"`.
    #[serde(rename = "xl")]
    Xl,
    /// `"2xl"`.
    #[serde(rename = "2xl")]
    Xl2,
}

/// Button color (Python: `Button.color` literal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ButtonColor {
    /// `"primary"`.
    #[serde(rename = "primary")]
    Primary,
    /// `"secondary"`.
    #[serde(rename = "secondary")]
    Secondary,
    /// `"info"`.
    #[serde(rename = "info")]
    Info,
    /// `"discovery"`.
    #[serde(rename = "discovery")]
    Discovery,
    /// `"success"`.
    #[serde(rename = "success")]
    Success,
    /// `"caution"`.
    #[serde(rename = "caution")]
    Caution,
    /// `"warning"`.
    #[serde(rename = "warning")]
    Warning,
    /// `"danger"`.
    #[serde(rename = "danger")]
    Danger,
}

/// Native input type (Python: `Input.inputType` literal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InputType {
    /// `"number"`.
    #[serde(rename = "number")]
    Number,
    /// `"email"`.
    #[serde(rename = "email")]
    Email,
    /// `"text"`.
    #[serde(rename = "text")]
    Text,
    /// `"password"`.
    #[serde(rename = "password")]
    Password,
    /// `"tel"`.
    #[serde(rename = "tel")]
    Tel,
    /// `"url"`.
    #[serde(rename = "url")]
    Url,
}

/// Input and textarea style (Python: `Input.variant` literal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InputVariant {
    /// `"soft"`.
    #[serde(rename = "soft")]
    Soft,
    /// `"outline"`.
    #[serde(rename = "outline")]
    Outline,
}

/// Input and textarea gutter (Python: `Input.gutterSize` literal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GutterSize {
    /// `"2xs"`.
    #[serde(rename = "2xs")]
    Xs2,
    /// `"xs"`.
    #[serde(rename = "xs")]
    Xs,
    /// `"sm"`.
    #[serde(rename = "sm")]
    Sm,
    /// `"md"`.
    #[serde(rename = "md")]
    Md,
    /// `"lg"`.
    #[serde(rename = "lg")]
    Lg,
    /// `"xl"`.
    #[serde(rename = "xl")]
    Xl,
}

/// Preferred side of a date picker's calendar (Python: `DatePicker.side` literal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DatePickerSide {
    /// `"top"`.
    #[serde(rename = "top")]
    Top,
    /// `"bottom"`.
    #[serde(rename = "bottom")]
    Bottom,
    /// `"left"`.
    #[serde(rename = "left")]
    Left,
    /// `"right"`.
    #[serde(rename = "right")]
    Right,
}

/// Alignment of a date picker's calendar (Python: `DatePicker.align` literal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DatePickerAlign {
    /// `"start"`.
    #[serde(rename = "start")]
    Start,
    /// `"center"`.
    #[serde(rename = "center")]
    Center,
    /// `"end"`.
    #[serde(rename = "end")]
    End,
}

/// Border line style (Python: `Border.style` literal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BorderStyle {
    /// `"solid"`.
    #[serde(rename = "solid")]
    Solid,
    /// `"dashed"`.
    #[serde(rename = "dashed")]
    Dashed,
    /// `"dotted"`.
    #[serde(rename = "dotted")]
    Dotted,
    /// `"double"`.
    #[serde(rename = "double")]
    Double,
    /// `"groove"`.
    #[serde(rename = "groove")]
    Groove,
    /// `"ridge"`.
    #[serde(rename = "ridge")]
    Ridge,
    /// `"inset"`.
    #[serde(rename = "inset")]
    Inset,
    /// `"outset"`.
    #[serde(rename = "outset")]
    Outset,
}
