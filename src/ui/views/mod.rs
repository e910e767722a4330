//! The playground's views (placeholder header; rewritten at the end).

pub mod chain_model;
pub mod er_model;
pub mod rows_model;
pub mod steps_model;
pub mod util;
pub mod viewport;

#[cfg(target_arch = "wasm32")]
mod chain;
#[cfg(target_arch = "wasm32")]
pub use chain::{ChainView, ChainViewProps};
#[cfg(target_arch = "wasm32")]
mod schema;
#[cfg(target_arch = "wasm32")]
pub use schema::{SchemaView, SchemaViewProps};
#[cfg(target_arch = "wasm32")]
mod diff;
#[cfg(target_arch = "wasm32")]
pub use diff::{DiffView, DiffViewProps, Timeline, TimelineProps};
#[cfg(target_arch = "wasm32")]
mod rows;
#[cfg(target_arch = "wasm32")]
pub use rows::{RowsView, RowsViewProps};
#[cfg(target_arch = "wasm32")]
mod steps;
#[cfg(target_arch = "wasm32")]
pub use steps::{StepThrough, StepThroughProps};
