//! Template code generation: a checked rendering → the Rust statements that
//! render it into one `String`.
//!
//! Input: a [`RenderEnv`] (the checked project, the parsed templates, the
//! [`TemplateChecks`]) and one [`RenderingId`], with an expression for each
//! name of its context. Output: the body of a render function — statements
//! that write the page into `__djinn_out: &mut String` and may return a
//! `::djinn_runtime::template::FilterError` with `?` (the caller's function
//! returns `Result<(), FilterError>`) — or diagnostics for what code
//! generation cannot compile.
//!
//! How a rendering becomes code, as Django renders it:
//! - the `extends` chain is resolved at compile time: the root ancestor's
//!   nodes are generated, each `{% block %}` replaced by its most derived
//!   definition, `{{ block.super }}` by the next one up;
//! - `{% include %}` is generated inline, with the included template's names
//!   bound to the includer's values (only the bindings with `only`);
//! - static text is one `push_str` of a `&'static str`; a printed value is
//!   written straight into the buffer, escaped according to its type (safety
//!   is part of the checker's [`Type`]); filters call the runtime's
//!   functions (`::djinn_runtime::template::filters`);
//! - a lookup that may fail at run time renders `""` where printed or
//!   filtered and is `None` in `{% if %}`, as Django's
//!   `string_if_invalid = ""`.
//!
//! Generated names all start with `__djinn`, so template names never clash
//! with them and never need to be Rust identifiers.

mod filters;
mod paths;
mod values;

#[cfg(test)]
mod tests;

use super::ast::{CompareOp, FilterExpr, IfExpr, Node, Template};
use super::check::{Rendering, RenderingId, TemplateChecks};
use super::types::Type;
use crate::check::ir::Project;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeMap;
use values::Val;

pub use values::dict_field;

/// What code generation reads besides the rendering itself.
pub struct RenderEnv<'a> {
    /// The checked project (models, routes).
    pub project: &'a Project,
    /// Every parsed template, by name.
    pub templates: &'a BTreeMap<String, Template>,
    /// The checked renderings.
    pub checks: &'a TemplateChecks,
    /// `STATIC_URL`, the prefix of `{% static %}` URLs.
    pub static_url: &'a str,
    /// The Rust struct of each [`Type::Dict`] the context holds.
    pub dicts: &'a BTreeMap<Type, TokenStream>,
    /// The module of the models' structs (`crate::models`).
    pub models: TokenStream,
    /// The `reverse_<name>` functions, when the templates may use
    /// `{% url %}`.
    pub urls: Option<UrlFunctions>,
}

/// Where `{% url %}` finds the function reversing each URL name.
pub struct UrlFunctions {
    /// Their module (`crate::urls`).
    pub module: TokenStream,
    /// URL name → function (`post-detail` → `reverse_post_detail`). Each
    /// takes the route's parameters in order: `i64` for `int`, a UUID for
    /// `uuid`, `&str` otherwise.
    pub functions: BTreeMap<String, Ident>,
}

/// The statements rendering `rendering` into `__djinn_out`. `context` gives,
/// for the names of the rendering's scope, a place expression of each value
/// (`__djinn_context.title`), of a Rust type that holds values of the
/// name's [`Type`] (see the `values` module); a template using a name
/// missing there is not compiled.
pub fn render_body(
    env: &RenderEnv<'_>,
    rendering: RenderingId,
    context: &BTreeMap<String, TokenStream>,
) -> std::result::Result<TokenStream, Vec<Diagnostic>> {
    let walked = env.checks.rendering(rendering);
    let mut frame = Vec::new();
    // A name without a value cannot be used (using it is an error below).
    for (name, ty) in &walked.scope {
        if let Some(expr) = context.get(name) {
            frame.push((name.clone(), Val::place(expr.clone(), ty.clone(), false)));
        }
    }
    let mut g = Gen {
        env,
        rendering: Some(walked),
        frames: vec![frame],
        stmts: vec![Vec::new()],
        next: 0,
        arm_depth: 0,
        chain: walked.chain.clone(),
        block: None,
        autoescape: walked.autoescape,
        cycles: vec![Vec::new()],
        errors: Vec::new(),
        include_depth: 0,
        uses_itself: false,
        static_bytes: 0,
    };
    g.template_nodes();
    let body = g.stmts.pop().unwrap_or_default();
    let cycles = g.cycles.pop().unwrap_or_default();
    if !g.errors.is_empty() {
        return Err(g.errors);
    }
    let itself = g.uses_itself.then(|| {
        quote!(
            use ::djinn_runtime::template::render::Itself as _;
        )
    });
    // The static text and as much again for values: usually one allocation.
    let reserve = g.static_bytes * 2;
    let reserve = (reserve > 0).then(|| quote!(__djinn_out.reserve(#reserve);));
    Ok(quote! {
        #itself
        #reserve
        #(let mut #cycles: usize = 0;)*
        #(#body)*
    })
}

/// The canonical Rust type of values of `ty`: the one type values of
/// different origins are converted to (`Cow<str>` for text, `i64`,
/// `Option`s, `Vec`s…).
pub fn canonical_type(
    env: &RenderEnv<'_>,
    ty: &Type,
) -> std::result::Result<TokenStream, Box<Diagnostic>> {
    Gen::detached(env).canonical_type(ty)
}

/// `value`, an expression of a reference to a value of type `from`,
/// converted to `to`'s canonical type (`from` must fit in `to`).
pub fn convert(
    env: &RenderEnv<'_>,
    value: TokenStream,
    from: &Type,
    to: &Type,
) -> std::result::Result<TokenStream, Box<Diagnostic>> {
    let mut g = Gen::detached(env);
    let value = Val::reference(value, from.clone());
    let code = g.canon(&value, to)?;
    let stmts = g.stmts.pop().unwrap_or_default();
    let itself = g.uses_itself.then(|| {
        quote!(
            use ::djinn_runtime::template::render::Itself as _;
        )
    });
    Ok(if stmts.is_empty() && itself.is_none() {
        code
    } else {
        quote!({ #itself #(#stmts)* #code })
    })
}

/// How a view's context struct holds a name its template sees.
#[derive(Clone, Debug)]
pub enum ContextField {
    /// The value, at a place (`__djinn_context.title`).
    Value(TokenStream),
    /// An `Option` of the value that always holds one when the page is
    /// rendered (`paginator` of a paginated list).
    Present(TokenStream),
}

/// A view's render function: `pub fn <name>(__djinn_context: &<context>,
/// __djinn_out: &mut String) -> Result<(), FilterError>`, writing the page
/// of `rendering`. `fields` says where the context struct holds each name;
/// `page_obj` is read with `object_list` (the page's rows); `user`,
/// `perms`, `messages` and `csrf_token` come from the request, through
/// `djinn_runtime::template::globals`, and only when the page reads them.
pub fn view_render_function(
    env: &RenderEnv<'_>,
    rendering: RenderingId,
    name: &Ident,
    doc: &str,
    context: &TokenStream,
    fields: &BTreeMap<String, ContextField>,
) -> std::result::Result<TokenStream, Vec<Diagnostic>> {
    let rt = quote!(::djinn_runtime::template);
    let walked = env.checks.rendering(rendering);
    let mut read = std::collections::BTreeSet::new();
    names_read(env.checks, rendering, &mut read, &mut Vec::new());
    let mut preamble = Vec::new();
    let mut places = BTreeMap::new();
    for (index, (name, ty)) in walked.scope.iter().enumerate() {
        // Values made for the page only when a template reads them (the
        // checker counts `{% csrf_token %}` as reading `csrf_token`), so a
        // page without a form never creates a session.
        if !read.contains(name) {
            continue;
        }
        let local = format_ident!("__djinn_name{}", index);
        let place = match (name.as_str(), ty, fields.get(name)) {
            ("page_obj", Type::Page(_), Some(ContextField::Value(page))) => {
                let Some(ContextField::Value(rows)) = fields.get("object_list") else {
                    continue;
                };
                preamble.push(quote! {
                    let #local = #rt::context::PageOf::new(#page.as_ref(), &#rows)?;
                });
                quote!(#local)
            }
            (_, _, Some(ContextField::Value(place))) => place.clone(),
            (_, _, Some(ContextField::Present(place))) => {
                preamble.push(quote!(let #local = #rt::context::loaded(#place.as_ref())?;));
                quote!(#local)
            }
            ("user", Type::User, None) => {
                preamble.push(quote!(let #local = #rt::globals::user(__djinn_request);));
                quote!(#local)
            }
            ("perms", Type::Perms, None) => {
                preamble.push(quote!(let #local = #rt::globals::perms(__djinn_request);));
                quote!(#local)
            }
            ("messages", Type::Messages, None) => {
                preamble.push(quote!(let #local = #rt::globals::messages(__djinn_request);));
                quote!(#local)
            }
            ("csrf_token", Type::Str, None) => {
                preamble.push(quote!(let #local = #rt::globals::csrf_token(__djinn_request);));
                quote!(#local)
            }
            _ => continue,
        };
        places.insert(name.clone(), place);
    }
    let body = render_body(env, rendering, &places)?;
    Ok(quote! {
        #[doc = #doc]
        pub fn #name(
            __djinn_context: &#context,
            __djinn_request: &::djinn_runtime::Request,
            __djinn_out: &mut ::std::string::String,
        ) -> ::core::result::Result<(), #rt::FilterError> {
            #(#preamble)*
            #body
            ::core::result::Result::Ok(())
        }
    })
}

/// The context names a rendering and the templates it includes read.
fn names_read(
    checks: &TemplateChecks,
    rendering: RenderingId,
    read: &mut std::collections::BTreeSet<String>,
    seen: &mut Vec<RenderingId>,
) {
    if seen.contains(&rendering) {
        return;
    }
    seen.push(rendering);
    let walked = checks.rendering(rendering);
    for names in walked.reads.values() {
        read.extend(names.iter().cloned());
    }
    for &included in walked.includes.values() {
        names_read(checks, included, read, seen);
    }
}

/// What templates need of each model's struct: its `str` and `repr`
/// (`DjangoStr`, from its `Display`), its identity in comparisons (`ToPy`:
/// the model and primary key), `Itself` and `ToNested`.
pub fn model_impls(env: &RenderEnv<'_>) -> TokenStream {
    let rt = quote!(::djinn_runtime::template);
    let models = &env.models;
    let impls = env.project.models.iter().map(|model| {
        let name = values::member(&model.name);
        let label = &model.name;
        let repr = format!("<{}: ", model.name);
        let pk = model.pk();
        let key = match &pk.ty {
            crate::check::ir::FieldType::ForeignKey(_)
            | crate::check::ir::FieldType::OneToOne(_) => {
                values::member(pk.column.as_deref().unwrap_or(&pk.name))
            }
            _ => values::member(&pk.name),
        };
        quote! {
            impl #rt::DjangoStr for #models::#name {
                fn write_str(&self, out: &mut ::std::string::String) {
                    out.push_str(&::std::string::ToString::to_string(self));
                }
                fn write_repr(&self, out: &mut ::std::string::String) {
                    out.push_str(#repr);
                    self.write_str(out);
                    out.push('>');
                }
            }

            impl #rt::render::ToPy for #models::#name {
                fn to_py(&self) -> #rt::render::Py<'_> {
                    #rt::render::Py::Object(#label, ::std::boxed::Box::new(#rt::render::ToPy::to_py(&self.#key)))
                }
            }

            impl #rt::render::Itself for #models::#name {}

            impl #rt::render::ToNested for #models::#name {
                fn to_nested(&self) -> #rt::filters::lists::Nested<#rt::render::ListText<'_>> {
                    #rt::filters::lists::Nested::Item(#rt::render::ListText::Plain(#rt::DjangoStr::django_str(self)))
                }
            }
        }
    });
    quote!(#(#impls)*)
}

/// A diagnostic for what the checker accepted but code generation cannot
/// compile.
fn internal(span: Span, message: String) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::new(Code::TemplateTypeMismatch, span, message)
            .with_label("djinn cannot compile this yet")
            .with_note("docs/templates.md lists what code generation does not support"),
    )
}

/// Where a failed lookup's value goes: Django's `string_if_invalid` (`""`)
/// where printed or filtered, `None` in `{% if %}` and `firstof`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Absent {
    Empty,
    None,
}

/// The state of generating one rendering.
struct Gen<'e> {
    env: &'e RenderEnv<'e>,
    /// The rendering being generated (none for a detached conversion).
    rendering: Option<&'e Rendering>,
    /// Names in scope, innermost last.
    frames: Vec<Vec<(String, Val)>>,
    /// Statement buffers, the innermost block last.
    stmts: Vec<Vec<TokenStream>>,
    /// The next fresh local's number.
    next: u32,
    /// How many match arms deep the code being generated is.
    arm_depth: u32,
    /// The `extends` chain of the template being generated.
    chain: Vec<String>,
    /// The block being generated: its name and its definition's chain index.
    block: Option<(String, usize)>,
    autoescape: bool,
    /// The `{% cycle %}` counters of each function or included template.
    cycles: Vec<Vec<Ident>>,
    errors: Vec<Diagnostic>,
    /// How many includes deep the generation is (recursion guard).
    include_depth: u32,
    /// The code calls `Itself::itself` (its trait must be in scope).
    uses_itself: bool,
    /// The bytes of static text written (the buffer is reserved for them).
    static_bytes: usize,
}

type Result<T> = std::result::Result<T, Box<Diagnostic>>;

impl<'e> Gen<'e> {
    /// A generator outside any rendering, for conversions.
    fn detached(env: &'e RenderEnv<'e>) -> Gen<'e> {
        Gen {
            env,
            rendering: None,
            frames: vec![Vec::new()],
            stmts: vec![Vec::new()],
            next: 0,
            arm_depth: 0,
            chain: Vec::new(),
            block: None,
            autoescape: true,
            cycles: vec![Vec::new()],
            errors: Vec::new(),
            include_depth: 0,
            uses_itself: false,
            static_bytes: 0,
        }
    }

    /// The rendering being generated.
    fn walked(&self, span: Span) -> Result<&'e Rendering> {
        self.rendering
            .ok_or_else(|| internal(span, "no rendering is being generated".into()))
    }

    // ── buffers, names and scopes ───────────────────────────────────────────

    fn emit(&mut self, stmt: TokenStream) {
        self.stmts.last_mut().expect("a buffer").push(stmt);
    }

    fn fresh(&mut self, what: &str) -> Ident {
        self.next += 1;
        format_ident!("__djinn_{}{}", what, self.next)
    }

    /// Binds an owned value to a new local; the value is then that local.
    fn bind(&mut self, code: TokenStream, ty: Type) -> Val {
        let local = self.fresh("v");
        self.emit(quote!(let #local = #code;));
        Val::place(quote!(#local), ty, self.arm_depth > 0)
    }

    /// Binds a value converted to `ty`'s canonical type (see `values`).
    fn bind_canonical(&mut self, code: TokenStream, ty: Type) -> Result<Val> {
        let local = self.fresh("v");
        let rust = self.canonical_type_named(&ty)?;
        self.emit(quote!(let #local: #rust = #code;));
        Ok(Val::place(quote!(#local), ty, self.arm_depth > 0))
    }

    /// The canonical type of `ty`, through a type alias when it is complex
    /// (clippy's `type_complexity`).
    pub(super) fn canonical_type_named(&mut self, ty: &Type) -> Result<TokenStream> {
        if values::complexity(ty, 1) < 200 {
            return self.canonical_type(ty);
        }
        self.next += 1;
        let alias = format_ident!("__DjinnT{}", self.next);
        if values::borrows(ty) {
            let rust = self.canonical_type_in(ty, &quote!('a))?;
            self.emit(quote!(type #alias<'a> = #rust;));
            Ok(quote!(#alias<'_>))
        } else {
            let rust = self.canonical_type(ty)?;
            self.emit(quote!(type #alias = #rust;));
            Ok(quote!(#alias))
        }
    }

    /// Generates `f`'s statements in a new block; returns them.
    fn block_of(&mut self, f: impl FnOnce(&mut Self)) -> Vec<TokenStream> {
        self.stmts.push(Vec::new());
        self.frames.push(Vec::new());
        f(self);
        self.frames.pop();
        self.stmts.pop().unwrap_or_default()
    }

    /// A match arm: its statements and its value, as one block expression.
    fn arm(&mut self, f: impl FnOnce(&mut Self) -> Result<TokenStream>) -> Result<TokenStream> {
        self.stmts.push(Vec::new());
        self.arm_depth += 1;
        let value = f(self);
        self.arm_depth -= 1;
        let stmts = self.stmts.pop().unwrap_or_default();
        let value = value?;
        Ok(if stmts.is_empty() {
            value
        } else {
            quote!({ #(#stmts)* #value })
        })
    }

    fn lookup_name(&self, name: &str) -> Option<&Val> {
        self.frames
            .iter()
            .rev()
            .find_map(|frame| frame.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v))
    }

    fn set_name(&mut self, name: &str, value: Val) {
        let frame = self.frames.last_mut().expect("a frame");
        frame.retain(|(n, _)| n != name);
        frame.push((name.to_string(), value));
    }

    fn fail(&mut self, error: Diagnostic) {
        self.errors.push(error);
    }

    fn push_text(&mut self, text: &str) {
        self.static_bytes += text.len();
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (None, _) => {}
            (Some(c), None) => self.emit(quote!(__djinn_out.push(#c);)),
            _ => self.emit(quote!(__djinn_out.push_str(#text);)),
        }
    }

    // ── templates, blocks, includes ─────────────────────────────────────────

    /// The nodes of the current chain's root template.
    fn template_nodes(&mut self) {
        let root = self.chain.last().cloned().unwrap_or_default();
        let templates = self.env.templates;
        if let Some(template) = templates.get(&root) {
            self.nodes(&template.nodes);
        }
    }

    fn nodes(&mut self, nodes: &'e [Node]) {
        for node in nodes {
            if let Err(error) = self.node(node) {
                self.fail(*error);
            }
        }
    }

    /// The body of block `name` in `template` (its first definition).
    fn block_def(&self, template: &str, name: &str) -> Option<&'e [Node]> {
        fn find<'n>(nodes: &'n [Node], name: &str) -> Option<&'n [Node]> {
            for node in nodes {
                if let Node::Block {
                    name: block, body, ..
                } = node
                    && block.name == name
                {
                    return Some(body);
                }
                for body in children(node) {
                    if let Some(found) = find(body, name) {
                        return Some(found);
                    }
                }
            }
            None
        }
        let templates: &'e BTreeMap<String, Template> = self.env.templates;
        find(&templates.get(template)?.nodes, name)
    }

    fn block(&mut self, name: &str, own: &'e [Node]) {
        let chain = self.chain.clone();
        let (level, body) = chain
            .iter()
            .enumerate()
            .find_map(|(level, t)| self.block_def(t, name).map(|body| (level, body)))
            .unwrap_or((chain.len().saturating_sub(1), own));
        self.block_body(name, level, body);
    }

    fn block_body(&mut self, name: &str, level: usize, body: &'e [Node]) {
        let saved = self.block.replace((name.to_string(), level));
        let stmts = self.block_of(|g| g.nodes(body));
        self.emit(quote!({ #(#stmts)* }));
        self.block = saved;
    }

    /// `{{ block.super }}`: the block's next definition up the chain,
    /// rendered where it is used.
    fn block_super(&mut self, span: Span) -> Result<()> {
        let Some((name, level)) = self.block.clone() else {
            return Err(internal(span, "`block.super` outside a block".into()));
        };
        let chain = self.chain.clone();
        let parent = chain
            .iter()
            .enumerate()
            .skip(level + 1)
            .find_map(|(up, t)| self.block_def(t, &name).map(|body| (up, body)));
        match parent {
            Some((up, body)) => {
                self.block_body(&name, up, body);
                Ok(())
            }
            None => Err(internal(span, "`block.super` with no parent block".into())),
        }
    }

    fn include(
        &mut self,
        span: Span,
        bindings: &'e [super::ast::Binding],
        only: bool,
    ) -> Result<()> {
        let Some(&id) = self.walked(span)?.includes.get(&span) else {
            return Err(internal(
                span,
                "a template that includes itself cannot be compiled".into(),
            ));
        };
        if self.include_depth > 32 {
            return Err(internal(span, "includes nest too deeply".into()));
        }
        // Django resolves the bindings before rendering the template.
        let mut values = Vec::new();
        for binding in bindings {
            let value = self.expr(&binding.value, Absent::Empty)?;
            values.push((binding.name.name.clone(), value));
        }
        let included = self.env.checks.rendering(id);
        let mut frame: Vec<(String, Val)> = Vec::new();
        if !only {
            for frame_names in &self.frames {
                for (name, value) in frame_names {
                    frame.retain(|(n, _)| n != name);
                    frame.push((name.clone(), value.clone()));
                }
            }
        }
        for (name, value) in values {
            frame.retain(|(n, _)| *n != name);
            frame.push((name, value));
        }
        let saved_frames = std::mem::replace(&mut self.frames, vec![frame]);
        let saved_rendering = self.rendering.replace(included);
        let saved_chain = std::mem::replace(&mut self.chain, included.chain.clone());
        let saved_block = self.block.take();
        let saved_autoescape = std::mem::replace(&mut self.autoescape, included.autoescape);
        self.include_depth += 1;
        self.cycles.push(Vec::new());
        self.stmts.push(Vec::new());
        self.template_nodes();
        let body = self.stmts.pop().unwrap_or_default();
        let cycles = self.cycles.pop().unwrap_or_default();
        self.include_depth -= 1;
        self.frames = saved_frames;
        self.rendering = saved_rendering;
        self.chain = saved_chain;
        self.block = saved_block;
        self.autoescape = saved_autoescape;
        self.emit(quote!({
            #(let mut #cycles: usize = 0;)*
            #(#body)*
        }));
        Ok(())
    }

    // ── nodes ───────────────────────────────────────────────────────────────

    fn node(&mut self, node: &'e Node) -> Result<()> {
        match node {
            Node::Text { text, .. } | Node::Verbatim { text, .. } => self.push_text(text),
            Node::TemplateTag { output, .. } => self.push_text(output),
            Node::Var { expr, .. } => self.print_expr(expr)?,
            Node::If {
                branches,
                otherwise,
                ..
            } => self.if_node(branches, otherwise.as_deref())?,
            Node::For {
                targets,
                iterable,
                reversed,
                body,
                empty,
                span,
            } => self.for_node(targets, iterable, *reversed, body, empty.as_deref(), *span)?,
            Node::With { bindings, body, .. } => {
                let mut values = Vec::new();
                for binding in bindings {
                    let value = self.expr(&binding.value, Absent::Empty)?;
                    values.push((binding.name.name.clone(), value));
                }
                let stmts = self.block_of(|g| {
                    for (name, value) in values {
                        g.set_name(&name, value);
                    }
                    g.nodes(body);
                });
                self.emit(quote!({ #(#stmts)* }));
            }
            Node::Block { name, body, .. } => self.block(&name.name, body),
            Node::Include {
                bindings,
                only,
                span,
                ..
            } => self.include(*span, bindings, *only)?,
            Node::Url {
                args, as_var, span, ..
            } => self.url(*span, args, as_var.as_ref().map(|n| n.name.as_str()))?,
            Node::Static { path, as_var, .. } => {
                let path = self.expr(path, Absent::Empty)?;
                let text = values::text_ref(&path);
                let prefix = self.env.static_url;
                let url = self.bind(
                    quote!(::djinn_runtime::template::render::static_url(#prefix, &#text)),
                    Type::Str,
                );
                match as_var {
                    Some(var) => self.set_name(&var.name, url),
                    None => {
                        let stmt = self.print(&url)?;
                        self.emit(stmt);
                    }
                }
            }
            Node::CsrfToken { span } => {
                let Some(token) = self.lookup_name("csrf_token").cloned() else {
                    return Err(internal(*span, "`csrf_token` is not in scope".into()));
                };
                let token = self.printable_text(&token)?;
                self.emit(
                    quote!(::djinn_runtime::template::render::csrf_input(__djinn_out, #token)?;),
                );
            }
            Node::Spaceless { body, .. } => {
                let stmts = self.block_of(|g| g.nodes(body));
                let buffer = self.fresh("buf");
                self.emit(quote! {
                    let mut #buffer = ::std::string::String::new();
                    {
                        let __djinn_out = &mut #buffer;
                        #(#stmts)*
                    }
                    ::djinn_runtime::template::render::spaceless(__djinn_out, &#buffer);
                });
            }
            Node::Autoescape { enabled, body, .. } => {
                let saved = std::mem::replace(&mut self.autoescape, *enabled);
                let stmts = self.block_of(|g| g.nodes(body));
                self.autoescape = saved;
                self.emit(quote!({ #(#stmts)* }));
            }
            Node::Filter {
                filters,
                body,
                span,
            } => {
                let stmts = self.block_of(|g| g.nodes(body));
                let buffer = self.fresh("buf");
                self.emit(quote! {
                    let mut #buffer = ::std::string::String::new();
                    {
                        let __djinn_out = &mut #buffer;
                        #(#stmts)*
                    }
                });
                let safe = self.bind(
                    quote!(::djinn_runtime::template::Safe(#buffer)),
                    Type::SafeStr,
                );
                let mut value = safe;
                for call in filters {
                    value = self.filter(call, value, Absent::Empty, *span)?;
                }
                // Django returns the filtered value as the node's output:
                // its text, never escaped.
                let saved = std::mem::replace(&mut self.autoescape, false);
                let stmt = self.print(&value);
                self.autoescape = saved;
                self.emit(stmt?);
            }
            Node::Cycle {
                values,
                as_var,
                silent,
                span,
            } => self.cycle(
                values,
                as_var.as_ref().map(|n| n.name.as_str()),
                *silent,
                *span,
            )?,
            Node::Firstof {
                values,
                as_var,
                span,
            } => self.firstof(values, as_var.as_ref().map(|n| n.name.as_str()), *span)?,
            Node::WidthRatio {
                value,
                max_value,
                max_width,
                as_var,
                ..
            } => {
                let value = self.expr(value, Absent::Empty)?;
                let value = self.float_of(&value)?;
                let max_value = self.expr(max_value, Absent::Empty)?;
                let max_value = self.float_of(&max_value)?;
                let max_width = self.expr(max_width, Absent::Empty)?;
                let max_width = self.int_of(&max_width)?;
                let ratio = self.bind(
                    quote!(::djinn_runtime::template::render::widthratio(#value, #max_value, #max_width)?),
                    Type::Str,
                );
                match as_var {
                    Some(var) => self.set_name(&var.name, ratio),
                    None => {
                        let text = ratio.place_expr();
                        self.emit(quote!(__djinn_out.push_str(&#text);));
                    }
                }
            }
            Node::Now { format, as_var, .. } => {
                let now = self.bind(
                    quote!(::djinn_runtime::template::render::now(#format)?),
                    Type::Str,
                );
                match as_var {
                    Some(var) => self.set_name(&var.name, now),
                    None => {
                        let text = now.place_expr();
                        self.emit(quote!(__djinn_out.push_str(&#text);));
                    }
                }
            }
        }
        Ok(())
    }

    /// `{{ expr }}`: `block.super` is rendered in place; anything else is
    /// computed, then written as its type prints.
    fn print_expr(&mut self, expr: &'e FilterExpr) -> Result<()> {
        if expr.filters.is_empty()
            && let super::ast::Operand::Variable { path, span } = &expr.base
            && path.len() == 2
            && path[0].name == "block"
            && path[1].name == "super"
            && self.lookup_name("block").is_none()
        {
            return self.block_super(*span);
        }
        let stmts = self.block_of(|g| match g.print_filtered(expr) {
            Ok(stmt) => g.emit(stmt),
            Err(error) => g.fail(*error),
        });
        match stmts.as_slice() {
            [one] => self.emit(one.clone()),
            _ => self.emit(quote!({ #(#stmts)* })),
        }
        Ok(())
    }

    /// The statements printing `expr`. A final `escape` or `force_escape`
    /// writes the escaped text straight into the buffer instead of making
    /// an escaped copy first (numbers and booleans need no escaping).
    fn print_filtered(&mut self, expr: &'e FilterExpr) -> Result<TokenStream> {
        let rt = quote!(::djinn_runtime::template);
        if let Some((last, before)) = expr.filters.split_last()
            && matches!(last.name.name.as_str(), "escape" | "force_escape")
        {
            let mut value = self.operand(&expr.base)?;
            for call in before {
                value = self.filter(call, value, Absent::Empty, expr.span)?;
            }
            let force = last.name.name == "force_escape";
            let reference = value.reference_expr();
            match &value.ty {
                Type::Int => {
                    return Ok(quote!(#rt::render::write_int(__djinn_out, #reference);));
                }
                Type::Bool | Type::Float => {
                    return Ok(quote!(#rt::DjangoStr::write_str(#reference, __djinn_out);));
                }
                Type::Str => {
                    return Ok(quote!(#rt::render::escape_text(__djinn_out, #reference);));
                }
                Type::SafeStr if force => {
                    return Ok(quote!(#rt::render::escape_text(__djinn_out, #reference);));
                }
                Type::SafeStr => {
                    return Ok(quote!(#rt::render::push_text(__djinn_out, #reference);));
                }
                _ => {
                    let value = self.filter(last, value, Absent::Empty, expr.span)?;
                    return self.print(&value);
                }
            }
        }
        let value = self.expr(expr, Absent::Empty)?;
        self.print(&value)
    }

    // ── if ──────────────────────────────────────────────────────────────────

    fn if_node(
        &mut self,
        branches: &'e [super::ast::IfBranch],
        otherwise: Option<&'e [Node]>,
    ) -> Result<()> {
        let mut arms = Vec::new();
        for branch in branches {
            let condition = self.condition(&branch.condition, false)?;
            let body = self.block_of(|g| g.nodes(&branch.body));
            arms.push((condition, body));
        }
        let otherwise = otherwise.map(|body| self.block_of(|g| g.nodes(body)));
        let mut code = otherwise.map(|body| quote!({ #(#body)* }));
        for (condition, body) in arms.into_iter().rev() {
            let otherwise = code.map(|rest| quote!(else #rest));
            // A condition computed with statements is bound first, so that
            // the `if` tests a plain value.
            code = Some(if has_block(&condition) {
                let local = self.fresh("c");
                quote!({
                    let #local = #condition;
                    if #local { #(#body)* } #otherwise
                })
            } else {
                quote!(if #condition { #(#body)* } #otherwise)
            });
        }
        if let Some(code) = code {
            self.emit(code);
        }
        Ok(())
    }

    /// A condition as a `bool` expression. Under an operator (`guarded`),
    /// an error while evaluating makes it false, as Django's `{% if %}`
    /// operators catch every exception.
    fn condition(&mut self, condition: &'e IfExpr, guarded: bool) -> Result<TokenStream> {
        Ok(match condition {
            IfExpr::Or(a, b) => {
                let a = self.operand_condition(a)?;
                let b = self.operand_condition(b)?;
                quote!(#a || #b)
            }
            IfExpr::And(a, b) => {
                let a = self.operand_condition(a)?;
                let b = self.operand_condition(b)?;
                quote!(#a && #b)
            }
            IfExpr::Not(inner) => {
                let inner = self.operand_condition(inner)?;
                quote!(!#inner)
            }
            IfExpr::Test(expr) => {
                let (stmts, test) = self.scoped(|g| {
                    let value = g.expr(expr, Absent::None)?;
                    g.truth(&value)
                })?;
                self.wrap_condition(stmts, test, guarded)
            }
            IfExpr::Compare { op, lhs, rhs } => {
                let (stmts, test) = self.scoped(|g| {
                    let left = g.expr(lhs, Absent::None)?;
                    let right = g.expr(rhs, Absent::None)?;
                    g.compare(*op, &left, &right)
                })?;
                self.wrap_condition(stmts, test, true)
            }
        })
    }

    /// A condition under an operator, in parentheses when it has one itself.
    fn operand_condition(&mut self, condition: &'e IfExpr) -> Result<TokenStream> {
        let code = self.condition(condition, true)?;
        Ok(match condition {
            IfExpr::Or(..) | IfExpr::And(..) => quote!((#code)),
            _ => code,
        })
    }

    /// Runs `f` with a fresh statement buffer and frame; returns both.
    fn scoped<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<(Vec<TokenStream>, T)> {
        self.stmts.push(Vec::new());
        self.frames.push(Vec::new());
        let value = f(self);
        self.frames.pop();
        let stmts = self.stmts.pop().unwrap_or_default();
        Ok((stmts, value?))
    }

    fn wrap_condition(
        &mut self,
        stmts: Vec<TokenStream>,
        test: TokenStream,
        guarded: bool,
    ) -> TokenStream {
        let fallible = stmts.iter().any(has_question_mark) || has_question_mark(&test);
        match (stmts.is_empty(), fallible && guarded) {
            (_, true) => quote! {
                ::djinn_runtime::template::render::guard(|| {
                    #(#stmts)*
                    ::core::result::Result::Ok(#test)
                })
            },
            (true, false) => test,
            (false, false) => quote!({ #(#stmts)* #test }),
        }
    }

    fn compare(&mut self, op: CompareOp, left: &Val, right: &Val) -> Result<TokenStream> {
        let render = quote!(::djinn_runtime::template::render);
        let a = self.py(left)?;
        let b = self.py(right)?;
        Ok(match op {
            CompareOp::Eq => quote!(#render::eq(&#a, &#b)),
            CompareOp::Ne => quote!(!#render::eq(&#a, &#b)),
            CompareOp::Lt => quote!(#render::ordered(&#a, &#b, ::core::cmp::Ordering::is_lt)),
            CompareOp::Gt => quote!(#render::ordered(&#a, &#b, ::core::cmp::Ordering::is_gt)),
            CompareOp::Le => quote!(#render::ordered(&#a, &#b, ::core::cmp::Ordering::is_le)),
            CompareOp::Ge => quote!(#render::ordered(&#a, &#b, ::core::cmp::Ordering::is_ge)),
            CompareOp::In => quote!(#render::contains(&#a, &#b)),
            CompareOp::NotIn => quote!(!#render::contains(&#a, &#b)),
            // A safe string (a literal, `|safe`) is a new object: never the same.
            CompareOp::Is | CompareOp::IsNot if left.ty.is_safe() || right.ty.is_safe() => {
                let same = quote!(#render::is(&#render::Py::Other, &#b));
                if op == CompareOp::Is {
                    same
                } else {
                    quote!(!#same)
                }
            }
            CompareOp::Is => quote!(#render::is(&#a, &#b)),
            CompareOp::IsNot => quote!(!#render::is(&#a, &#b)),
        })
    }

    // ── for ─────────────────────────────────────────────────────────────────

    fn for_node(
        &mut self,
        targets: &'e [super::ast::Name],
        iterable: &'e FilterExpr,
        reversed: bool,
        body: &'e [Node],
        empty: Option<&'e [Node]>,
        span: Span,
    ) -> Result<()> {
        let parent = match self.lookup_name("forloop") {
            Some(value) => match value.ty {
                Type::ForLoop(depth) => Some((value.clone(), depth + 1)),
                _ => None,
            },
            None => None,
        };
        let depth = parent.as_ref().map_or(0, |(_, d)| *d);
        let (stmts, ()) = {
            self.stmts.push(Vec::new());
            self.frames.push(Vec::new());
            let result = self.for_loop(
                targets, iterable, reversed, body, empty, span, parent, depth,
            );
            self.frames.pop();
            (self.stmts.pop().unwrap_or_default(), result?)
        };
        self.emit(quote!({ #(#stmts)* }));
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn for_loop(
        &mut self,
        targets: &'e [super::ast::Name],
        iterable: &'e FilterExpr,
        reversed: bool,
        body: &'e [Node],
        empty: Option<&'e [Node]>,
        span: Span,
        parent: Option<(Val, u32)>,
        depth: u32,
    ) -> Result<()> {
        let sequence = self.expr(iterable, Absent::None)?;
        let (items, element) = self.sequence(&sequence, span)?;
        let len = self.fresh("len");
        self.emit(quote!(let #len = #items.len();));
        let index = self.fresh("i");
        let item = self.fresh("item");
        let forloop = self.fresh("forloop");
        let parent_code = match &parent {
            Some((value, _)) => {
                let reference = value.reference_expr();
                quote!(::core::option::Option::Some(#reference))
            }
            None => quote!(::core::option::Option::None),
        };
        let iter = if reversed {
            quote!(#items.iter().rev().enumerate())
        } else {
            quote!(#items.iter().enumerate())
        };
        let item_val = Val::reference(quote!(#item), element.clone());
        let loop_body = self.block_of(|g| {
            g.emit(quote! {
                let #forloop = ::djinn_runtime::template::render::ForLoop {
                    counter0: #index,
                    len: #len,
                    parent: #parent_code,
                };
            });
            g.set_name(
                "forloop",
                Val::place(quote!(#forloop), Type::ForLoop(depth), false),
            );
            let bound = if targets.len() == 1 {
                g.set_name(&targets[0].name, item_val.clone());
                Ok(())
            } else {
                g.unpack(targets, &item_val, span)
            };
            match bound {
                Ok(()) => g.nodes(body),
                Err(error) => g.fail(*error),
            }
        });
        let empty_body = empty.map(|nodes| self.block_of(|g| g.nodes(nodes)));
        let looping = quote! {
            for (#index, #item) in #iter {
                #(#loop_body)*
            }
        };
        match empty_body {
            Some(empty) => self.emit(quote! {
                if #len == 0 {
                    #(#empty)*
                } else {
                    #looping
                }
            }),
            None => self.emit(looping),
        }
        Ok(())
    }

    /// `{% for a, b in pairs %}`: each name bound to its part of the item.
    fn unpack(&mut self, targets: &'e [super::ast::Name], item: &Val, span: Span) -> Result<()> {
        let n = targets.len();
        let item = match &item.ty {
            Type::Optional(_) | Type::Fallible(_) => {
                let inner = item.ty.strip().clone();
                let inner_rust = item.expr.clone();
                let local = self.fresh("some");
                let error = quote!(::djinn_runtime::template::render::unpack_error(#n, 1));
                let code = if item.by_ref {
                    quote!(#inner_rust)
                } else {
                    quote!(&#inner_rust)
                };
                self.emit(quote! {
                    let ::core::option::Option::Some(#local) = #code else {
                        return ::core::result::Result::Err(#error);
                    };
                });
                Val::reference(quote!(#local), inner)
            }
            _ => item.clone(),
        };
        match &item.ty {
            Type::Tuple(parts) if parts.len() == n => {
                for (i, (target, ty)) in targets.iter().zip(parts).enumerate() {
                    let index = syn::Index::from(i);
                    let place = item.expr.clone();
                    self.set_name(
                        &target.name,
                        Val::place(quote!(#place.#index), ty.clone(), item.arm_local),
                    );
                }
                Ok(())
            }
            Type::List(element) => {
                let place = item.expr.clone();
                self.emit(quote! {
                    if #place.len() != #n {
                        return ::core::result::Result::Err(
                            ::djinn_runtime::template::render::unpack_error(#n, #place.len()),
                        );
                    }
                });
                for (i, target) in targets.iter().enumerate() {
                    self.set_name(
                        &target.name,
                        Val::place(quote!(#place[#i]), (**element).clone(), item.arm_local),
                    );
                }
                Ok(())
            }
            other => Err(internal(
                span,
                format!("cannot unpack values of this type ({other:?})"),
            )),
        }
    }

    // ── tags that compute values ────────────────────────────────────────────

    fn cycle(
        &mut self,
        values: &'e [FilterExpr],
        as_var: Option<&str>,
        silent: bool,
        span: Span,
    ) -> Result<()> {
        let counter = self.fresh("cycle");
        self.cycles
            .last_mut()
            .expect("a cycle level")
            .push(counter.clone());
        let ty = self.union_type(values, Absent::Empty, span)?;
        let n = values.len();
        let mut arms = Vec::new();
        for value in values {
            arms.push(self.arm(|g| {
                let value = g.expr(value, Absent::Empty)?;
                g.canon(&value, &ty)
            })?);
        }
        let last = arms.pop().unwrap_or_default();
        let indexes = 0..arms.len();
        let chosen = self.bind_canonical(
            quote!(match #counter % #n { #(#indexes => #arms,)* _ => #last }),
            ty,
        )?;
        self.emit(quote!(#counter += 1;));
        if let Some(var) = as_var {
            self.set_name(var, chosen.clone());
        }
        if !silent {
            let stmt = self.print(&chosen)?;
            self.emit(stmt);
        }
        Ok(())
    }

    /// The type of one of several values (`cycle`, `firstof`), as the checker
    /// computes it.
    fn union_type(&mut self, values: &'e [FilterExpr], absent: Absent, span: Span) -> Result<Type> {
        let mut union: Option<Type> = None;
        for value in values {
            let (_, ty) = self.scoped(|g| Ok(g.expr(value, absent)?.ty))?;
            union = Some(match union {
                None => ty,
                Some(known) => known.either(ty),
            });
        }
        union.ok_or_else(|| internal(span, "no values".into()))
    }

    fn firstof(
        &mut self,
        values: &'e [FilterExpr],
        as_var: Option<&str>,
        span: Span,
    ) -> Result<()> {
        match as_var {
            None => {
                // Print the first true value; later values are not evaluated.
                let mut rest: Option<TokenStream> = None;
                for value in values.iter().rev() {
                    let (stmts, code) = self.scoped(|g| {
                        let v = g.expr(value, Absent::None)?;
                        let truth = g.truth(&v)?;
                        let print = g.print(&v)?;
                        Ok(match &rest {
                            Some(rest) => quote!(if #truth { #print } else #rest),
                            None => quote!(if #truth { #print }),
                        })
                    })?;
                    rest = Some(quote!({ #(#stmts)* #code }));
                }
                if let Some(code) = rest {
                    self.emit(code);
                }
                Ok(())
            }
            Some(var) => {
                let union = self.union_type(values, Absent::None, span)?;
                let ty = strip_absent(union).either(Type::Str);
                let mut code = self.canon(&Val::plain_str(""), &ty)?;
                for value in values.iter().rev() {
                    code = self.arm(|g| {
                        let v = g.expr(value, Absent::None)?;
                        g.first_true(&v, &ty, &code)
                    })?;
                }
                let value = self.bind_canonical(code, ty)?;
                self.set_name(var, value);
                Ok(())
            }
        }
    }

    fn url(
        &mut self,
        span: Span,
        args: &'e [super::ast::UrlArg],
        as_var: Option<&str>,
    ) -> Result<()> {
        let Some(info) = self.walked(span)?.urls.get(&span).cloned() else {
            return Err(internal(span, "this `{% url %}` was not checked".into()));
        };
        let env = self.env;
        let Some(urls) = &env.urls else {
            return Err(internal(
                span,
                "`{% url %}` needs the project's routes".into(),
            ));
        };
        let route = env.project.route(info.route);
        let Some(function) = env
            .project
            .url_names
            .iter()
            .find(|(_, id)| **id == info.route)
            .and_then(|(name, _)| urls.functions.get(name))
        else {
            return Err(internal(span, "the route has no reverse function".into()));
        };
        let module = &urls.module;
        let mut values = Vec::new();
        for (param, arg_span) in route.params.iter().zip(&info.args) {
            let expr = args.iter().find_map(|arg| {
                let expr = match arg {
                    super::ast::UrlArg::Positional(expr) => expr,
                    super::ast::UrlArg::Keyword(binding) => &binding.value,
                };
                (expr.span == *arg_span).then_some(expr)
            });
            let Some(expr) = expr else {
                return Err(internal(*arg_span, "a URL argument was not found".into()));
            };
            let value = self.expr(expr, Absent::Empty)?;
            values.push(self.url_argument(&value, param.converter)?);
        }
        let url = self.bind(quote!(#module::#function(#(#values),*)), Type::Str);
        match as_var {
            Some(var) => self.set_name(var, url),
            None => {
                let stmt = self.print(&url)?;
                self.emit(stmt);
            }
        }
        Ok(())
    }
}

/// The bodies directly inside a node.
fn children(node: &Node) -> Vec<&[Node]> {
    match node {
        Node::If {
            branches,
            otherwise,
            ..
        } => {
            let mut out: Vec<&[Node]> = branches.iter().map(|b| b.body.as_slice()).collect();
            out.extend(otherwise.as_deref());
            out
        }
        Node::For { body, empty, .. } => {
            let mut out = vec![body.as_slice()];
            out.extend(empty.as_deref());
            out
        }
        Node::With { body, .. }
        | Node::Block { body, .. }
        | Node::Spaceless { body, .. }
        | Node::Autoescape { body, .. }
        | Node::Filter { body, .. } => vec![body.as_slice()],
        _ => Vec::new(),
    }
}

/// Whether the tokens hold a block (statements, a closure body).
fn has_block(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|token| match token {
        proc_macro2::TokenTree::Group(group) => {
            group.delimiter() == proc_macro2::Delimiter::Brace || has_block(&group.stream())
        }
        _ => false,
    })
}

fn has_question_mark(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|token| match token {
        proc_macro2::TokenTree::Punct(punct) => punct.as_char() == '?',
        proc_macro2::TokenTree::Group(group) => has_question_mark(&group.stream()),
        _ => false,
    })
}

/// The type without `Optional`/`Fallible`, as `firstof` yields only a true value.
fn strip_absent(ty: Type) -> Type {
    match ty {
        Type::Optional(inner) | Type::Fallible(inner) => strip_absent(*inner),
        other => other,
    }
}
