//! The page's panels. Each takes plain data and callbacks; none reads the
//! session itself (the root `App` does).

mod command_line;
mod database_panel;
mod models_editor;
mod output_panel;
mod scripts_panel;
mod toolbar;

pub use command_line::CommandLine;
pub use database_panel::DatabasePanel;
pub use models_editor::ModelsEditor;
pub use output_panel::OutputPanel;
pub use scripts_panel::ScriptsPanel;
pub use toolbar::Toolbar;
