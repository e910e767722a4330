//! The playground's panels. Each takes props (slices of the store, behind
//! `Rc`, so an unchanged slice compares equal by pointer and the panel does
//! not re-render) and callbacks; none reads the store or the bridge itself.

mod autogen;
mod database_panel;
mod editor;
mod guide;
mod notice;
mod terminal;
mod toolbar;
mod workbench;

pub use autogen::AutogenPane;
pub use database_panel::DatabasePanel;
pub use editor::{Editor, EditorPane};
pub use guide::Guide;
pub use notice::{NoticeBar, PermalinkBar};
pub use terminal::Terminal;
pub use toolbar::Toolbar;
pub use workbench::Workbench;
