//! ChatKit wire types.
