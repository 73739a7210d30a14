//! Enumeration: the objects of one resource type in the provider's tenant, each as the value
//! its read returns (so its import ID is the resource's own `import_id`), and the objects of
//! that kind the type does not manage, each with the reason. What `export` writes import blocks
//! from.

/// What a listing found. `found` holds each object as its read (after an import) would return
/// it; `skipped` the objects seen and left out, with why.
#[derive(Clone, Debug, PartialEq)]
pub struct Listing<M> {
    pub found: Vec<M>,
    pub skipped: Vec<Skipped>,
}

impl<M> Default for Listing<M> {
    fn default() -> Self {
        Listing {
            found: Vec::new(),
            skipped: Vec::new(),
        }
    }
}

impl<M> Listing<M> {
    pub fn skip(&mut self, object: impl Into<String>, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            object: object.into(),
            reason: reason.into(),
        });
    }

    /// The same listing with each found object converted (the erased form holds values).
    pub fn try_map<N, E>(self, f: impl FnMut(M) -> Result<N, E>) -> Result<Listing<N>, E> {
        Ok(Listing {
            found: self.found.into_iter().map(f).collect::<Result<_, _>>()?,
            skipped: self.skipped,
        })
    }
}

/// Whether `export` and Terraform 1.14 `list` blocks enumerate a type: declared once by the
/// type, read by export (its summary), the list RPCs (the list block's description) and the
/// docs page, so a type that cannot be listed yet says why in one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listable {
    /// Listed through the type's `list`.
    Yes,
    /// Not listed, for this reason (a sentence: why, and how to import the objects instead).
    /// No request is made for it.
    No(&'static str),
}

/// An object a listing saw and left out: how it is known (ID and name) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub object: String,
    pub reason: String,
}

/// What a listing includes beyond its defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// Partner configurations the service marks `isServiceProvider` (made by CSP relationships
    /// and support cases, not by the tenant's admins): skipped unless set.
    pub include_service_providers: bool,
    /// Only the object of this partner tenant (a GUID), where the type is one per partner.
    pub tenant_id: Option<String>,
}

/// The list block attribute setting [`ListOptions::include_service_providers`].
pub const INCLUDE_SERVICE_PROVIDERS: &str = "include_service_providers";
/// The list block attribute setting [`ListOptions::tenant_id`].
pub const TENANT_ID: &str = "tenant_id";

impl ListOptions {
    /// The options a list block's `config` sets (Terraform 1.14 `list` blocks): an attribute
    /// the type's list schema does not have, or leaves null, keeps its default.
    pub fn from_config(config: &super::Value) -> ListOptions {
        ListOptions {
            include_service_providers: config.get(INCLUDE_SERVICE_PROVIDERS).as_bool()
                == Some(true),
            tenant_id: config.get(TENANT_ID).as_str().map(str::to_ascii_lowercase),
        }
    }
}

/// The error of a type whose `list` was never written: a bug the list tests catch (each
/// type lists, or declares [`Listable::No`]).
pub fn not_listed(type_name: &str) -> super::Diagnostics {
    super::Diagnostic::error(
        "Listing not supported",
        format!("{type_name} cannot list its objects."),
    )
    .into()
}

/// The `config` of a list block for a type whose listing takes no options.
pub fn no_config(type_name: &str) -> super::Schema {
    super::Schema::new(
        &format!("Lists every `{type_name}` in the provider's tenant. Takes no arguments."),
        Vec::new(),
    )
}

/// What a listed value reads back as: its import ID imported (as the provider's own tenant,
/// [`crate::clients::TEST_TENANT`]) and read over `ctx`, the path `terraform import` takes.
/// A listing is right when this equals the listed value.
#[cfg(test)]
pub async fn read_back(
    r: &dyn super::Resource,
    ctx: &super::Ctx,
    listed: &super::Value,
) -> super::Value {
    let id = r
        .import_id_of(listed)
        .expect("an import ID its import takes")
        .expect("a listed object has an import ID");
    let ictx = super::ImportCtx::new(Some(crate::clients::TEST_TENANT));
    let imported = r.import(&ictx, &id).expect("the import ID imports");
    r.read(ctx, &imported)
        .await
        .expect("the read succeeds")
        .expect("the object exists")
}
