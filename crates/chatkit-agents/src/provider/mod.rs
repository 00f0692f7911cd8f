//! Model providers (placeholder).
