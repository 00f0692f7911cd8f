//! chatkit.
