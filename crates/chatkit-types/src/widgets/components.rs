//! Typed builders for the widget components Python 1.6.5 models (Python: the component classes
//! of `chatkit/widgets.py`). Each serializes to exactly the JSON Python writes for the same
//! component: `None` props omitted, `type` always present, camelCase prop names, and numbers of
//! `float` props written as floats. Convert a builder into a [`WidgetComponent`] (or, for `Card`,
//! `ListView` and `BasicRoot`, a [`WidgetRoot`]) with `.into()`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::props::*;
use super::{WidgetComponent, WidgetRoot, builder_node};
use crate::action::ActionConfig;
use crate::icon::IconName;
use crate::timestamp::Timestamp;

/// Defines a builder: `req` props are `new`'s arguments, `init` props start at a given value,
/// `opt` props start as `None` and get a setter each.
macro_rules! component {
    (
        $(#[$meta:meta])*
        $name:ident = $tag:literal {
            $( req $(#[$rmeta:meta])* $rfield:ident : $rty:ty, )*
            $( init $(#[$fmeta:meta])* $ffield:ident : $fty:ty = $finit:expr, )*
            $( opt $(#[$ometa:meta])* $ofield:ident : $oty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "type", rename = $tag, rename_all = "camelCase")]
        pub struct $name {
            /// Key the client uses to match the node across updates.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub key: Option<String>,
            /// Node id (the target of streaming text updates).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub id: Option<String>,
            $( $(#[$rmeta])* pub $rfield: $rty, )*
            $( $(#[$fmeta])* pub $ffield: $fty, )*
            $(
                $(#[$ometa])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $ofield: Option<$oty>,
            )*
        }

        impl $name {
            #[doc = concat!("A `", $tag, "` with its required props and nothing else.")]
            #[allow(clippy::new_without_default)]
            pub fn new($($rfield: impl Into<$rty>),*) -> Self {
                Self {
                    key: None,
                    id: None,
                    $($rfield: $rfield.into(),)*
                    $($ffield: $finit,)*
                    $($ofield: None,)*
                }
            }

            /// Sets `key`.
            pub fn key(mut self, key: impl Into<String>) -> Self {
                self.key = Some(key.into());
                self
            }

            /// Sets `id`.
            pub fn id(mut self, id: impl Into<String>) -> Self {
                self.id = Some(id.into());
                self
            }

            $(
                #[doc = concat!("Sets `", stringify!($ofield), "`.")]
                pub fn $ofield(mut self, value: impl Into<$oty>) -> Self {
                    self.$ofield = Some(value.into());
                    self
                }
            )*
        }

        impl From<$name> for WidgetComponent {
            fn from(component: $name) -> Self {
                WidgetComponent(builder_node(&component, $tag))
            }
        }
    };
}

/// Adds `child` / `children` to a builder whose `children` is a list.
macro_rules! list_children {
    ($name:ident, $child:ty) => {
        impl $name {
            /// Appends a child.
            pub fn child(mut self, child: impl Into<$child>) -> Self {
                self.children.push(child.into());
                self
            }

            /// Appends children.
            pub fn children<C: Into<$child>>(
                mut self,
                children: impl IntoIterator<Item = C>,
            ) -> Self {
                self.children.extend(children.into_iter().map(Into::into));
                self
            }
        }
    };
}

/// Adds `child` to a builder whose `children` is an optional list.
macro_rules! optional_children {
    ($name:ident) => {
        impl $name {
            /// Appends a child.
            pub fn child(mut self, child: impl Into<WidgetComponent>) -> Self {
                self.children
                    .get_or_insert_with(Vec::new)
                    .push(child.into());
                self
            }
        }
    };
}

/// Makes a builder a root too.
macro_rules! root {
    ($name:ident = $tag:literal) => {
        impl From<$name> for WidgetRoot {
            fn from(component: $name) -> Self {
                WidgetRoot(builder_node(&component, $tag))
            }
        }
    };
}

/// Defines a flex container builder with Python's `BoxBase` props plus `extra` ones.
macro_rules! box_component {
    (
        $(#[$meta:meta])*
        $name:ident = $tag:literal {
            $( opt $(#[$ometa:meta])* $ofield:ident : $oty:ty, )*
        }
    ) => {
        component! {
            $(#[$meta])*
            $name = $tag {
                opt /// Child components.
                children: Vec<WidgetComponent>,
                opt /// Cross-axis alignment of children.
                align: Alignment,
                opt /// Main-axis distribution of children.
                justify: Justification,
                opt /// Wrapping of children.
                wrap: FlexWrap,
                opt /// Flex grow/shrink factor.
                flex: IntOrString,
                opt /// Gap between children; spacing unit or CSS string.
                gap: IntOrString,
                opt /// Height; px or CSS string.
                height: FloatOrString,
                opt /// Width; px or CSS string.
                width: FloatOrString,
                opt /// Width and height; px or CSS string.
                size: FloatOrString,
                opt /// Minimum height (Python: `minHeight`).
                min_height: IntOrString,
                opt /// Minimum width (Python: `minWidth`).
                min_width: IntOrString,
                opt /// Minimum width and height (Python: `minSize`).
                min_size: IntOrString,
                opt /// Maximum height (Python: `maxHeight`).
                max_height: IntOrString,
                opt /// Maximum width (Python: `maxWidth`).
                max_width: IntOrString,
                opt /// Maximum width and height (Python: `maxSize`).
                max_size: IntOrString,
                opt /// Inner padding.
                padding: SpacingValue,
                opt /// Outer margin.
                margin: SpacingValue,
                opt /// Border.
                border: BorderValue,
                opt /// Corner radius.
                radius: RadiusValue,
                opt /// Background color.
                background: Color,
                opt /// Aspect ratio, e.g. `16/9` (Python: `aspectRatio`).
                aspect_ratio: FloatOrString,
                $( opt $(#[$ometa])* $ofield: $oty, )*
            }
        }
    };
}

component! {
    /// One row of a [`ListView`] (Python: `ListViewItem`).
    ListViewItem = "ListViewItem" {
        init /// Content of the row.
        children: Vec<WidgetComponent> = Vec::new(),
        opt /// Action sent when the row is clicked (Python: `onClickAction`).
        on_click_action: ActionConfig,
        opt /// Gap between children; spacing unit or CSS string.
        gap: IntOrString,
        opt /// Vertical alignment of the content.
        align: Alignment,
    }
}
list_children!(ListViewItem, WidgetComponent);

component! {
    /// A list of rows, a root (Python: `ListView`).
    ListView = "ListView" {
        init /// The rows.
        children: Vec<ListViewItem> = Vec::new(),
        opt /// Rows shown before a "Show more" control.
        limit: ListViewLimit,
        opt /// Status header above the list.
        status: WidgetStatus,
        opt /// Forced theme.
        theme: Theme,
    }
}
list_children!(ListView, ListViewItem);
root!(ListView = "ListView");

component! {
    /// A card, the usual root (Python: `Card`).
    Card = "Card" {
        init /// Child components.
        children: Vec<WidgetComponent> = Vec::new(),
        opt /// Treat the card as a form, so confirm/cancel capture its fields (Python: `asForm`).
        as_form: bool,
        opt /// Background color.
        background: Color,
        opt /// Card size.
        size: CardSize,
        opt /// Inner spacing.
        padding: SpacingValue,
        opt /// Status header above the card.
        status: WidgetStatus,
        opt /// Collapse the body once the main action completed.
        collapsed: bool,
        opt /// Confirm button in the footer.
        confirm: CardAction,
        opt /// Cancel button in the footer.
        cancel: CardAction,
        opt /// Forced theme.
        theme: Theme,
    }
}
list_children!(Card, WidgetComponent);
root!(Card = "Card");

component! {
    /// Markdown, optionally streamed (Python: `Markdown`).
    Markdown = "Markdown" {
        req /// Markdown source.
        value: String,
        opt /// Streaming-friendly transitions for incremental updates.
        streaming: bool,
    }
}

component! {
    /// Plain text (Python: `Text`).
    Text = "Text" {
        req /// The text.
        value: String,
        opt /// Streaming-friendly transitions for incremental updates.
        streaming: bool,
        opt /// Italic.
        italic: bool,
        opt /// Struck through (Python: `lineThrough`).
        line_through: bool,
        opt /// Text color.
        color: Color,
        opt /// Font weight.
        weight: FontWeight,
        opt /// Width of the text box; px or CSS string.
        width: FloatOrString,
        opt /// Text size.
        size: TextSize,
        opt /// Alignment (Python: `textAlign`).
        text_align: TextAlign,
        opt /// Truncate overflow with an ellipsis.
        truncate: bool,
        opt /// Lines of space reserved (Python: `minLines`).
        min_lines: i64,
        opt /// Line clamp (Python: `maxLines`).
        max_lines: i64,
        opt /// Inline editing.
        editable: Editable,
    }
}

component! {
    /// A headline (Python: `Title`).
    Title = "Title" {
        req /// The text.
        value: String,
        opt /// Text color.
        color: Color,
        opt /// Font weight.
        weight: FontWeight,
        opt /// Title size.
        size: TitleSize,
        opt /// Alignment (Python: `textAlign`).
        text_align: TextAlign,
        opt /// Truncate overflow with an ellipsis.
        truncate: bool,
        opt /// Line clamp (Python: `maxLines`).
        max_lines: i64,
    }
}

component! {
    /// Supporting caption text (Python: `Caption`).
    Caption = "Caption" {
        req /// The text.
        value: String,
        opt /// Text color.
        color: Color,
        opt /// Font weight.
        weight: FontWeight,
        opt /// Caption size.
        size: CaptionSize,
        opt /// Alignment (Python: `textAlign`).
        text_align: TextAlign,
        opt /// Truncate overflow with an ellipsis.
        truncate: bool,
        opt /// Line clamp (Python: `maxLines`).
        max_lines: i64,
    }
}

component! {
    /// A small status or category badge (Python: `Badge`).
    Badge = "Badge" {
        req /// The text.
        label: String,
        opt /// Badge color.
        color: BadgeColor,
        opt /// Badge style.
        variant: BadgeVariant,
        opt /// Badge size.
        size: BadgeSize,
        opt /// Fully rounded.
        pill: bool,
    }
}

box_component! {
    /// A flex container with a direction (Python: `Box`).
    Box = "Box" {
        opt /// Flex direction.
        direction: Direction,
    }
}
optional_children!(Box);

box_component! {
    /// A horizontal flex container (Python: `Row`).
    Row = "Row" {}
}
optional_children!(Row);

box_component! {
    /// A vertical flex container (Python: `Col`).
    Col = "Col" {}
}
optional_children!(Col);

box_component! {
    /// A form that sends `onSubmitAction` with its fields (Python: `Form`).
    Form = "Form" {
        opt /// Action sent on submit (Python: `onSubmitAction`).
        on_submit_action: ActionConfig,
        opt /// Flex direction.
        direction: Direction,
    }
}
optional_children!(Form);

component! {
    /// A divider line (Python: `Divider`).
    Divider = "Divider" {
        opt /// Line color.
        color: Color,
        opt /// Thickness; px or CSS string.
        size: IntOrString,
        opt /// Space above and below; spacing unit or CSS string.
        spacing: IntOrString,
        opt /// Flush to the container's edges.
        flush: bool,
    }
}

component! {
    /// An icon (Python: `Icon`).
    Icon = "Icon" {
        req /// Icon name.
        name: IconName,
        opt /// Icon color.
        color: Color,
        opt /// Icon size.
        size: IconSize,
    }
}

component! {
    /// An image (Python: `Image`).
    Image = "Image" {
        req /// Image URL.
        src: String,
        opt /// Alternative text.
        alt: String,
        opt /// How the image fits its box.
        fit: ImageFit,
        opt /// Focal position.
        position: ImagePosition,
        opt /// Corner radius.
        radius: RadiusValue,
        opt /// Subtle frame.
        frame: bool,
        opt /// Flush to the container's edges.
        flush: bool,
        opt /// Height; px or CSS string.
        height: IntOrString,
        opt /// Width; px or CSS string.
        width: IntOrString,
        opt /// Width and height; px or CSS string.
        size: IntOrString,
        opt /// Minimum height (Python: `minHeight`).
        min_height: IntOrString,
        opt /// Minimum width (Python: `minWidth`).
        min_width: IntOrString,
        opt /// Minimum width and height (Python: `minSize`).
        min_size: IntOrString,
        opt /// Maximum height (Python: `maxHeight`).
        max_height: IntOrString,
        opt /// Maximum width (Python: `maxWidth`).
        max_width: IntOrString,
        opt /// Maximum width and height (Python: `maxSize`).
        max_size: IntOrString,
        opt /// Outer margin.
        margin: IntSpacingValue,
        opt /// Background color.
        background: Color,
        opt /// Aspect ratio (Python: `aspectRatio`).
        aspect_ratio: FloatOrString,
        opt /// Flex grow/shrink factor.
        flex: IntOrString,
    }
}

component! {
    /// A button (Python: `Button`).
    Button = "Button" {
        opt /// Submit the nearest form.
        submit: bool,
        opt /// Text.
        label: String,
        opt /// Action sent on click (Python: `onClickAction`).
        on_click_action: ActionConfig,
        opt /// Icon before the label (Python: `iconStart`).
        icon_start: IconName,
        opt /// Icon after the label (Python: `iconEnd`).
        icon_end: IconName,
        opt /// Style preset.
        style: ButtonStyle,
        opt /// Size of the icons (Python: `iconSize`).
        icon_size: ButtonIconSize,
        opt /// Button color.
        color: ButtonColor,
        opt /// Visual variant.
        variant: ControlVariant,
        opt /// Button size.
        size: ControlSize,
        opt /// Fully rounded.
        pill: bool,
        opt /// Equal width and height.
        uniform: bool,
        opt /// Full width.
        block: bool,
        opt /// Disabled.
        disabled: bool,
    }
}

component! {
    /// Flexible space that pushes content apart (Python: `Spacer`).
    Spacer = "Spacer" {
        opt /// Minimum size along the flex direction (Python: `minSize`).
        min_size: IntOrString,
    }
}

component! {
    /// A dropdown (Python: `Select`).
    Select = "Select" {
        req /// Form field name.
        name: String,
        init /// The options.
        options: Vec<SelectOption> = Vec::new(),
        opt /// Action sent when the value changes (Python: `onChangeAction`).
        on_change_action: ActionConfig,
        opt /// Placeholder.
        placeholder: String,
        opt /// Initial value (Python: `defaultValue`).
        default_value: String,
        opt /// Visual variant.
        variant: ControlVariant,
        opt /// Control size.
        size: ControlSize,
        opt /// Fully rounded.
        pill: bool,
        opt /// Full width.
        block: bool,
        opt /// Show a clear control.
        clearable: bool,
        opt /// Disabled.
        disabled: bool,
        opt /// Show a search input (on by default above 15 options).
        searchable: bool,
    }
}

impl Select {
    /// Appends an option.
    pub fn option(mut self, option: SelectOption) -> Self {
        self.options.push(option);
        self
    }
}

component! {
    /// A date picker (Python: `DatePicker`).
    DatePicker = "DatePicker" {
        req /// Form field name.
        name: String,
        opt /// Action sent when the date changes (Python: `onChangeAction`).
        on_change_action: ActionConfig,
        opt /// Placeholder.
        placeholder: String,
        opt /// Initial value (Python: `defaultValue`).
        default_value: Timestamp,
        opt /// Earliest selectable date.
        min: Timestamp,
        opt /// Latest selectable date.
        max: Timestamp,
        opt /// Visual variant.
        variant: ControlVariant,
        opt /// Control size.
        size: ControlSize,
        opt /// Preferred side of the calendar.
        side: DatePickerSide,
        opt /// Alignment of the calendar.
        align: DatePickerAlign,
        opt /// Fully rounded.
        pill: bool,
        opt /// Full width.
        block: bool,
        opt /// Show a clear control.
        clearable: bool,
        opt /// Disabled.
        disabled: bool,
    }
}

component! {
    /// A checkbox (Python: `Checkbox`).
    Checkbox = "Checkbox" {
        req /// Form field name.
        name: String,
        opt /// Label.
        label: String,
        opt /// Initial state (Python: `defaultChecked`).
        default_checked: bool,
        opt /// Action sent when the state changes (Python: `onChangeAction`).
        on_change_action: ActionConfig,
        opt /// Disabled.
        disabled: bool,
        opt /// Required.
        required: bool,
    }
}

component! {
    /// A single-line text input (Python: `Input`).
    Input = "Input" {
        req /// Form field name.
        name: String,
        opt /// Native input type (Python: `inputType`).
        input_type: InputType,
        opt /// Initial value (Python: `defaultValue`).
        default_value: String,
        opt /// Required.
        required: bool,
        opt /// Validation regex.
        pattern: String,
        opt /// Placeholder.
        placeholder: String,
        opt /// Allow autofill extensions (Python: `allowAutofillExtensions`).
        allow_autofill_extensions: bool,
        opt /// Select the contents on mount (Python: `autoSelect`).
        auto_select: bool,
        opt /// Focus on mount (Python: `autoFocus`).
        auto_focus: bool,
        opt /// Disabled.
        disabled: bool,
        opt /// Visual style.
        variant: InputVariant,
        opt /// Control size.
        size: ControlSize,
        opt /// Edge gutter (Python: `gutterSize`).
        gutter_size: GutterSize,
        opt /// Fully rounded.
        pill: bool,
    }
}

component! {
    /// A form label (Python: `Label`).
    Label = "Label" {
        req /// The text.
        value: String,
        req /// Name of the field it labels (Python: `fieldName`).
        field_name: String,
        opt /// Text size.
        size: TextSize,
        opt /// Font weight.
        weight: FontWeight,
        opt /// Alignment (Python: `textAlign`).
        text_align: TextAlign,
        opt /// Text color.
        color: Color,
    }
}

component! {
    /// A group of radio buttons (Python: `RadioGroup`).
    RadioGroup = "RadioGroup" {
        req /// Form field name.
        name: String,
        opt /// The options.
        options: Vec<RadioOption>,
        opt /// Accessible label (Python: `ariaLabel`).
        aria_label: String,
        opt /// Action sent when the selection changes (Python: `onChangeAction`).
        on_change_action: ActionConfig,
        opt /// Initial value (Python: `defaultValue`).
        default_value: String,
        opt /// Layout direction.
        direction: Direction,
        opt /// Disabled.
        disabled: bool,
        opt /// Required.
        required: bool,
    }
}

component! {
    /// A multi-line text input (Python: `Textarea`).
    Textarea = "Textarea" {
        req /// Form field name.
        name: String,
        opt /// Initial value (Python: `defaultValue`).
        default_value: String,
        opt /// Required.
        required: bool,
        opt /// Validation regex.
        pattern: String,
        opt /// Placeholder.
        placeholder: String,
        opt /// Select the contents on mount (Python: `autoSelect`).
        auto_select: bool,
        opt /// Focus on mount (Python: `autoFocus`).
        auto_focus: bool,
        opt /// Disabled.
        disabled: bool,
        opt /// Visual style.
        variant: InputVariant,
        opt /// Control size.
        size: ControlSize,
        opt /// Edge gutter (Python: `gutterSize`).
        gutter_size: GutterSize,
        opt /// Visible rows.
        rows: i64,
        opt /// Grow and shrink with the content (Python: `autoResize`).
        auto_resize: bool,
        opt /// Maximum rows when resizing (Python: `maxRows`).
        max_rows: i64,
        opt /// Allow autofill extensions (Python: `allowAutofillExtensions`).
        allow_autofill_extensions: bool,
    }
}

component! {
    /// Animates layout changes of its child (Python: `Transition`).
    Transition = "Transition" {
        opt /// The child (required but nullable in Python; omitted when `None`).
        children: WidgetComponent,
    }
}

component! {
    /// A bar, line or area chart (Python: `Chart`).
    Chart = "Chart" {
        req /// X axis: a data key or a configuration (Python: `xAxis`).
        x_axis: XAxis,
        init /// Rows of data, each mapping field names to strings or numbers.
        data: Vec<Map<String, Value>> = Vec::new(),
        init /// The series drawn.
        series: Vec<Series> = Vec::new(),
        opt /// Show the Y axis (Python: `showYAxis`).
        show_y_axis: bool,
        opt /// Show a legend (Python: `showLegend`).
        show_legend: bool,
        opt /// Show a tooltip on hover (Python: `showTooltip`).
        show_tooltip: bool,
        opt /// Gap between bars of a category, px (Python: `barGap`).
        bar_gap: i64,
        opt /// Gap between categories, px (Python: `barCategoryGap`).
        bar_category_gap: i64,
        opt /// Flex grow/shrink factor.
        flex: IntOrString,
        opt /// Height; px or CSS string.
        height: IntOrString,
        opt /// Width; px or CSS string.
        width: IntOrString,
        opt /// Width and height; px or CSS string.
        size: IntOrString,
        opt /// Minimum height (Python: `minHeight`).
        min_height: IntOrString,
        opt /// Minimum width (Python: `minWidth`).
        min_width: IntOrString,
        opt /// Minimum width and height (Python: `minSize`).
        min_size: IntOrString,
        opt /// Maximum height (Python: `maxHeight`).
        max_height: IntOrString,
        opt /// Maximum width (Python: `maxWidth`).
        max_width: IntOrString,
        opt /// Maximum width and height (Python: `maxSize`).
        max_size: IntOrString,
        opt /// Aspect ratio of the plot (Python: `aspectRatio`).
        aspect_ratio: FloatOrString,
    }
}

impl Chart {
    /// Appends a data row.
    pub fn row(mut self, row: Map<String, Value>) -> Self {
        self.data.push(row);
        self
    }

    /// Appends a series.
    pub fn add_series(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }
}

/// A layout root that may nest components and other roots (Python: `BasicRoot`). Python types
/// only `children`; any other prop (`direction`, `gap`, `padding`, `align`, `justify`, `theme`, …)
/// is kept as given, so set those with [`BasicRoot::prop`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BasicRoot {
    /// Key the client uses to match the node across updates.
    pub key: Option<String>,
    /// Node id.
    pub id: Option<String>,
    /// Child components or roots.
    pub children: Option<Vec<WidgetComponent>>,
    /// Other props, written as given (`null`s dropped).
    pub props: Map<String, Value>,
}

impl BasicRoot {
    /// An empty `Basic` root.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key`.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Sets `id`.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the children.
    pub fn children(mut self, children: Vec<WidgetComponent>) -> Self {
        self.children = Some(children);
        self
    }

    /// Sets another prop.
    pub fn prop(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.props.insert(name.into(), value.into());
        self
    }

    fn to_node(&self) -> Map<String, Value> {
        let mut map = self.props.clone();
        map.insert("type".to_owned(), Value::String("Basic".to_owned()));
        if let Some(key) = &self.key {
            map.insert("key".to_owned(), Value::String(key.clone()));
        }
        if let Some(id) = &self.id {
            map.insert("id".to_owned(), Value::String(id.clone()));
        }
        if let Some(children) = &self.children {
            let children = children
                .iter()
                .map(|c| Value::Object(c.as_object().clone()));
            map.insert("children".to_owned(), Value::Array(children.collect()));
        }
        builder_node(&map, "Basic")
    }
}
optional_children!(BasicRoot);

impl From<BasicRoot> for WidgetRoot {
    fn from(root: BasicRoot) -> Self {
        WidgetRoot(root.to_node())
    }
}

impl From<BasicRoot> for WidgetComponent {
    fn from(root: BasicRoot) -> Self {
        WidgetComponent(root.to_node())
    }
}
