//! Icon names (Python: `chatkit.icons.IconName`).
//!
//! The built-in set is a closed list of names; `vendor:*` and `lucide:*` names are open. Python
//! rejects any other string; this type keeps it in [`IconName::Other`] so that a newer client's or
//! integrator's icon does not break parsing (the reference asks for leniency on input).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An icon name: one of the built-ins, a `vendor:` or `lucide:` name, or an unknown string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IconName {
    /// `agent`
    Agent,
    /// `analytics`
    Analytics,
    /// `atom`
    Atom,
    /// `batch`
    Batch,
    /// `bolt`
    Bolt,
    /// `book-open`
    BookOpen,
    /// `book-closed`
    BookClosed,
    /// `book-clock`
    BookClock,
    /// `bug`
    Bug,
    /// `calendar`
    Calendar,
    /// `chart`
    Chart,
    /// `check`
    Check,
    /// `check-circle`
    CheckCircle,
    /// `check-circle-filled`
    CheckCircleFilled,
    /// `chevron-left`
    ChevronLeft,
    /// `chevron-right`
    ChevronRight,
    /// `circle-question`
    CircleQuestion,
    /// `clock`
    Clock,
    /// `compass`
    Compass,
    /// `confetti`
    Confetti,
    /// `cube`
    Cube,
    /// `desktop`
    Desktop,
    /// `document`
    Document,
    /// `dot`
    Dot,
    /// `dots-horizontal`
    DotsHorizontal,
    /// `dots-vertical`
    DotsVertical,
    /// `empty-circle`
    EmptyCircle,
    /// `external-link`
    ExternalLink,
    /// `globe`
    Globe,
    /// `keys`
    Keys,
    /// `lab`
    Lab,
    /// `images`
    Images,
    /// `info`
    Info,
    /// `lifesaver`
    Lifesaver,
    /// `lightbulb`
    Lightbulb,
    /// `mail`
    Mail,
    /// `map-pin`
    MapPin,
    /// `maps`
    Maps,
    /// `mobile`
    Mobile,
    /// `name`
    Name,
    /// `notebook`
    Notebook,
    /// `notebook-pencil`
    NotebookPencil,
    /// `page-blank`
    PageBlank,
    /// `phone`
    Phone,
    /// `play`
    Play,
    /// `plus`
    Plus,
    /// `profile`
    Profile,
    /// `profile-card`
    ProfileCard,
    /// `reload`
    Reload,
    /// `star`
    Star,
    /// `star-filled`
    StarFilled,
    /// `search`
    Search,
    /// `sparkle`
    Sparkle,
    /// `sparkle-double`
    SparkleDouble,
    /// `square-code`
    SquareCode,
    /// `square-image`
    SquareImage,
    /// `square-text`
    SquareText,
    /// `suitcase`
    Suitcase,
    /// `settings-slider`
    SettingsSlider,
    /// `user`
    User,
    /// `wreath`
    Wreath,
    /// `write`
    Write,
    /// `write-alt`
    WriteAlt,
    /// `write-alt2`
    WriteAlt2,
    /// A `vendor:<name>` icon (Python: `VendorIconName`); holds the whole string, prefix included.
    Vendor(String),
    /// A `lucide:<name>` icon (Python: `LucideIconName`); holds the whole string, prefix included.
    Lucide(String),
    /// Any other string. Python's validator would reject it; kept here so input stays parseable.
    Other(String),
}

impl IconName {
    /// The built-in icon names, in the order Python lists them.
    pub const BUILT_IN: [&'static str; 64] = [
        "agent",
        "analytics",
        "atom",
        "batch",
        "bolt",
        "book-open",
        "book-closed",
        "book-clock",
        "bug",
        "calendar",
        "chart",
        "check",
        "check-circle",
        "check-circle-filled",
        "chevron-left",
        "chevron-right",
        "circle-question",
        "clock",
        "compass",
        "confetti",
        "cube",
        "desktop",
        "document",
        "dot",
        "dots-horizontal",
        "dots-vertical",
        "empty-circle",
        "external-link",
        "globe",
        "keys",
        "lab",
        "images",
        "info",
        "lifesaver",
        "lightbulb",
        "mail",
        "map-pin",
        "maps",
        "mobile",
        "name",
        "notebook",
        "notebook-pencil",
        "page-blank",
        "phone",
        "play",
        "plus",
        "profile",
        "profile-card",
        "reload",
        "star",
        "star-filled",
        "search",
        "sparkle",
        "sparkle-double",
        "square-code",
        "square-image",
        "square-text",
        "suitcase",
        "settings-slider",
        "user",
        "wreath",
        "write",
        "write-alt",
        "write-alt2",
    ];

    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Agent => "agent",
            Self::Analytics => "analytics",
            Self::Atom => "atom",
            Self::Batch => "batch",
            Self::Bolt => "bolt",
            Self::BookOpen => "book-open",
            Self::BookClosed => "book-closed",
            Self::BookClock => "book-clock",
            Self::Bug => "bug",
            Self::Calendar => "calendar",
            Self::Chart => "chart",
            Self::Check => "check",
            Self::CheckCircle => "check-circle",
            Self::CheckCircleFilled => "check-circle-filled",
            Self::ChevronLeft => "chevron-left",
            Self::ChevronRight => "chevron-right",
            Self::CircleQuestion => "circle-question",
            Self::Clock => "clock",
            Self::Compass => "compass",
            Self::Confetti => "confetti",
            Self::Cube => "cube",
            Self::Desktop => "desktop",
            Self::Document => "document",
            Self::Dot => "dot",
            Self::DotsHorizontal => "dots-horizontal",
            Self::DotsVertical => "dots-vertical",
            Self::EmptyCircle => "empty-circle",
            Self::ExternalLink => "external-link",
            Self::Globe => "globe",
            Self::Keys => "keys",
            Self::Lab => "lab",
            Self::Images => "images",
            Self::Info => "info",
            Self::Lifesaver => "lifesaver",
            Self::Lightbulb => "lightbulb",
            Self::Mail => "mail",
            Self::MapPin => "map-pin",
            Self::Maps => "maps",
            Self::Mobile => "mobile",
            Self::Name => "name",
            Self::Notebook => "notebook",
            Self::NotebookPencil => "notebook-pencil",
            Self::PageBlank => "page-blank",
            Self::Phone => "phone",
            Self::Play => "play",
            Self::Plus => "plus",
            Self::Profile => "profile",
            Self::ProfileCard => "profile-card",
            Self::Reload => "reload",
            Self::Star => "star",
            Self::StarFilled => "star-filled",
            Self::Search => "search",
            Self::Sparkle => "sparkle",
            Self::SparkleDouble => "sparkle-double",
            Self::SquareCode => "square-code",
            Self::SquareImage => "square-image",
            Self::SquareText => "square-text",
            Self::Suitcase => "suitcase",
            Self::SettingsSlider => "settings-slider",
            Self::User => "user",
            Self::Wreath => "wreath",
            Self::Write => "write",
            Self::WriteAlt => "write-alt",
            Self::WriteAlt2 => "write-alt2",
            Self::Vendor(s) | Self::Lucide(s) | Self::Other(s) => s,
        }
    }

    /// Whether Python's `IconName` would accept this name.
    pub fn is_known(&self) -> bool {
        !matches!(self, Self::Other(_))
    }
}

impl From<&str> for IconName {
    fn from(s: &str) -> Self {
        match s {
            "agent" => Self::Agent,
            "analytics" => Self::Analytics,
            "atom" => Self::Atom,
            "batch" => Self::Batch,
            "bolt" => Self::Bolt,
            "book-open" => Self::BookOpen,
            "book-closed" => Self::BookClosed,
            "book-clock" => Self::BookClock,
            "bug" => Self::Bug,
            "calendar" => Self::Calendar,
            "chart" => Self::Chart,
            "check" => Self::Check,
            "check-circle" => Self::CheckCircle,
            "check-circle-filled" => Self::CheckCircleFilled,
            "chevron-left" => Self::ChevronLeft,
            "chevron-right" => Self::ChevronRight,
            "circle-question" => Self::CircleQuestion,
            "clock" => Self::Clock,
            "compass" => Self::Compass,
            "confetti" => Self::Confetti,
            "cube" => Self::Cube,
            "desktop" => Self::Desktop,
            "document" => Self::Document,
            "dot" => Self::Dot,
            "dots-horizontal" => Self::DotsHorizontal,
            "dots-vertical" => Self::DotsVertical,
            "empty-circle" => Self::EmptyCircle,
            "external-link" => Self::ExternalLink,
            "globe" => Self::Globe,
            "keys" => Self::Keys,
            "lab" => Self::Lab,
            "images" => Self::Images,
            "info" => Self::Info,
            "lifesaver" => Self::Lifesaver,
            "lightbulb" => Self::Lightbulb,
            "mail" => Self::Mail,
            "map-pin" => Self::MapPin,
            "maps" => Self::Maps,
            "mobile" => Self::Mobile,
            "name" => Self::Name,
            "notebook" => Self::Notebook,
            "notebook-pencil" => Self::NotebookPencil,
            "page-blank" => Self::PageBlank,
            "phone" => Self::Phone,
            "play" => Self::Play,
            "plus" => Self::Plus,
            "profile" => Self::Profile,
            "profile-card" => Self::ProfileCard,
            "reload" => Self::Reload,
            "star" => Self::Star,
            "star-filled" => Self::StarFilled,
            "search" => Self::Search,
            "sparkle" => Self::Sparkle,
            "sparkle-double" => Self::SparkleDouble,
            "square-code" => Self::SquareCode,
            "square-image" => Self::SquareImage,
            "square-text" => Self::SquareText,
            "suitcase" => Self::Suitcase,
            "settings-slider" => Self::SettingsSlider,
            "user" => Self::User,
            "wreath" => Self::Wreath,
            "write" => Self::Write,
            "write-alt" => Self::WriteAlt,
            "write-alt2" => Self::WriteAlt2,
            _ if s.starts_with("vendor:") => Self::Vendor(s.to_owned()),
            _ if s.starts_with("lucide:") => Self::Lucide(s.to_owned()),
            _ => Self::Other(s.to_owned()),
        }
    }
}

impl From<String> for IconName {
    fn from(s: String) -> Self {
        match Self::from(s.as_str()) {
            Self::Vendor(_) => Self::Vendor(s),
            Self::Lucide(_) => Self::Lucide(s),
            Self::Other(_) => Self::Other(s),
            known => known,
        }
    }
}

impl fmt::Display for IconName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for IconName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for IconName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
}
