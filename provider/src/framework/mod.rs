//! Terraform semantics without protocol types and without HTTP.

pub mod calls;
pub mod diag;
pub mod identity;
pub mod import_id;
pub mod lifecycle;
pub mod listing;
pub mod plan;
pub mod private;
pub mod refresh;
pub mod registry;
pub mod resource;
pub mod schema;
pub mod steps;
pub mod typed;
pub mod typed_resource;
pub mod validators;
pub mod value;

pub use diag::{AttrPath, Context, Diagnostic, Diagnostics};
pub use listing::{ListOptions, Listable, Listing, Skipped};
pub use resource::{ApplyError, Ctx, DataSource, ImportCtx, Resource, Timeouts};
pub use schema::{Attribute, Schema};
pub use typed_resource::TypedResource;
pub use value::{Type, Value};
