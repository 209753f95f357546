//! Template checking: every template, typed against each view that renders it.
//!
//! Input: the parsed templates, the checked [`Project`] and the project's
//! files (template and static file names). Output: [`TemplateChecks`] — per
//! view its context, its rendering and the relations its templates read;
//! per rendering the type of every expression, the resolved includes and
//! `{% url %}`s — and diagnostics (E0707–W0716, and E0203, E0207, E0304 for
//! URLs and templates named in templates).
//!
//! How a view's page is walked, as Django renders it:
//! - `{% extends %}` chains are resolved once per template (constants only,
//!   cycles reported). The root ancestor's nodes are walked; each
//!   `{% block %}` is replaced by its most derived definition, and
//!   `{{ block.super }}` walks the next one up, in the scope of the call.
//! - `{% include %}` walks the included template (and its own chain) with the
//!   current scope plus its bindings (only the bindings with `only`); each
//!   distinct scope gives one [`Rendering`].
//! - `{% for %}`, `{% with %}` and blocks push a scope frame; `as var`
//!   stores into the innermost frame, as Django's `context[var] = …` does.
//!
//! A diagnostic found while checking for several views is reported once.

use super::ast::*;
use super::context::{self, Binding};
use super::filters::{self, ArgRule, FilterArg, FilterProblem, Literal};
use super::lookup;
use super::types::{Lookup, RelationPath, RelationUse, Type};
use crate::check::ir::{ConverterType, FieldType, Project, RouteId, ViewId};
use crate::diagnostics::{Code, Diagnostic};
use crate::project::ProjectInput;
use crate::source::Span;
use std::collections::{BTreeMap, BTreeSet};

// ── output ──────────────────────────────────────────────────────────────────

/// What checking the templates established, for code generation.
#[derive(Clone, Debug, Default)]
pub struct TemplateChecks {
    /// Each view that renders a template, by id.
    pub views: BTreeMap<ViewId, ViewTemplate>,
    /// Every rendering: one template (with its `extends` chain) rendered in
    /// one context. Indexed by [`RenderingId`].
    pub renderings: Vec<Rendering>,
    /// The templates some view renders, directly, as a parent or included.
    pub rendered: BTreeSet<String>,
}

impl TemplateChecks {
    /// The rendering with this id.
    pub fn rendering(&self, id: RenderingId) -> &Rendering {
        &self.renderings[id.0 as usize]
    }
}

/// A view's page.
#[derive(Clone, Debug)]
pub struct ViewTemplate {
    /// The template the view names.
    pub template: String,
    /// The view's context: every name its template sees at the start.
    pub context: BTreeMap<String, Type>,
    /// The rendering of the view's template.
    pub rendering: RenderingId,
    /// The relations the page reads, from the view's context values, and
    /// how ([`RelationPath`] explains the no-N+1 plan). Relations only
    /// counted or tested have just [`RelationUse::Count`] / `Exists`.
    pub fetches: BTreeMap<RelationPath, BTreeSet<RelationUse>>,
}

/// An index into [`TemplateChecks::renderings`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RenderingId(pub u32);

/// A template rendered in one context: code generation makes one function
/// of each.
#[derive(Clone, Debug)]
pub struct Rendering {
    /// The view whose page this is part of; `None` for a template checked
    /// against a given context ([`check_template`]).
    pub view: Option<ViewId>,
    /// The template rendered.
    pub template: String,
    /// Its `extends` chain: the template itself first, the root ancestor last.
    pub chain: Vec<String>,
    /// Block name → the templates of the chain that define it, most derived
    /// first: the first is rendered, the next is its `block.super`.
    pub blocks: BTreeMap<String, Vec<String>>,
    /// The names visible when the rendering starts, with their types.
    pub scope: BTreeMap<String, Type>,
    /// Whether autoescaping is on when it starts (an include inside
    /// `{% autoescape off %}` starts with it off).
    pub autoescape: bool,
    /// Every expression of the walked templates, by its span: `{{ }}`
    /// values, conditions, loop sequences, tag arguments, and the filters
    /// of `{% filter %}` (keyed by the tag's span, on the body's text).
    pub exprs: BTreeMap<Span, ExprInfo>,
    /// `{% include %}` tag span → the rendering it includes.
    pub includes: BTreeMap<Span, RenderingId>,
    /// `{% url %}` tag span → the route and its arguments.
    pub urls: BTreeMap<Span, UrlInfo>,
    /// For each template of the chain whose nodes were walked, the names of
    /// `scope` it reads (names that loops, `with`, blocks or `as` bound
    /// aside): what the template needs from its context.
    pub reads: BTreeMap<String, BTreeSet<String>>,
}

/// A typed filter expression: `value.attr|filter:arg`.
#[derive(Clone, Debug, PartialEq)]
pub struct ExprInfo {
    /// The value before filters.
    pub base: OperandInfo,
    /// The filters, in order, each with its result.
    pub filters: Vec<FilterInfo>,
    /// The type of the whole expression. Where printed, it is escaped when
    /// `autoescape` is on and the type is not safe ([`Type::is_safe`]; an
    /// [`Type::Either`] decides at run time).
    pub ty: Type,
    /// Whether autoescaping is on where the expression is (for printing and
    /// for filters with `needs_autoescape`).
    pub autoescape: bool,
}

/// A typed operand: a literal, or a variable and its lookups.
#[derive(Clone, Debug, PartialEq)]
pub struct OperandInfo {
    /// The type.
    pub ty: Type,
    /// How each `.name` after the variable resolves (empty for a literal
    /// or a lone name).
    pub lookups: Vec<Lookup>,
}

/// One filter of an expression.
#[derive(Clone, Debug, PartialEq)]
pub struct FilterInfo {
    /// The filter's name.
    pub name: String,
    /// Its argument.
    pub arg: Option<OperandInfo>,
    /// The type of the result.
    pub ty: Type,
}

/// A checked `{% url %}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlInfo {
    /// The route reversed.
    pub route: RouteId,
    /// For each of the route's parameters, in order, the span of the
    /// argument expression that fills it (its type is in `exprs`).
    pub args: Vec<Span>,
}

// ── entry point ─────────────────────────────────────────────────────────────

/// Checks every template against the views that render it.
pub fn check_templates(
    input: &ProjectInput,
    project: &Project,
    templates: &BTreeMap<String, Template>,
    diagnostics: &mut Vec<Diagnostic>,
) -> TemplateChecks {
    let spec_errors: Vec<Span> = diagnostics
        .iter()
        .filter(|d| d.is_error() && !is_template_code(d.code))
        .map(|d| d.primary.span)
        .collect();
    // A template with syntax errors lost nodes; typing it would only echo them.
    let mut checker = Checker::new(input, project, templates, diagnostics);
    for (index, view) in project.views.iter().enumerate() {
        let Some(template) = &view.template else {
            continue;
        };
        if !templates.contains_key(&template.name) {
            continue;
        }
        let id = ViewId(index as u32);
        checker.view = Some(id);
        // A view with errors has an incomplete context: its page is walked
        // (to know what it renders) but reports nothing.
        checker.quiet = spec_errors.iter().any(|e| {
            e.file == view.span.file && view.span.start <= e.start && e.end <= view.span.end
        });
        checker.fetches.clear();
        let scope = context::view_context(project, id);
        let Some(rendering) = checker.render(
            &template.name,
            scope.clone().into_iter().collect(),
            true,
            None,
        ) else {
            continue;
        };
        let view_template = ViewTemplate {
            template: template.name.clone(),
            context: scope.into_iter().map(|(name, b)| (name, b.ty)).collect(),
            rendering,
            fetches: std::mem::take(&mut checker.fetches),
        };
        checker.out.views.insert(id, view_template);
    }
    // With errors, views may be missing from the project: every template
    // could be one a missing view renders.
    if spec_errors.is_empty() && checker.broken_files.is_empty() && !checker.unresolved_reference {
        checker.report_unrendered();
    }
    diagnostics.extend(checker.diagnostics);
    checker.out
}

/// Checks one template as Django renders it with a context of the given
/// types, outside any view: what `djinn template-cases` compares with
/// Django. Returns the checks and the template's rendering (`None` when its
/// `extends` chain is broken); templates it does not reach are not checked
/// and not reported.
pub fn check_template(
    input: &ProjectInput,
    project: &Project,
    templates: &BTreeMap<String, Template>,
    template: &str,
    context: &BTreeMap<String, Type>,
    diagnostics: &mut Vec<Diagnostic>,
) -> (TemplateChecks, Option<RenderingId>) {
    let mut checker = Checker::new(input, project, templates, diagnostics);
    let scope: Frame = context
        .iter()
        .map(|(name, ty)| (name.clone(), Binding::plain(ty.clone())))
        .collect();
    let rendering = checker.render(template, scope, true, None);
    diagnostics.extend(checker.diagnostics);
    (checker.out, rendering)
}

/// The codes this module and the template parser report.
fn is_template_code(code: Code) -> bool {
    code.as_str().starts_with("E07") || code.as_str().starts_with("W07")
}

/// A rendering is reused when the same view renders the same template with
/// the same scope and autoescaping.
type RenderKey = (Option<ViewId>, String, Vec<(String, Binding)>, bool);

/// A scope frame: the names a `for`, `with`, block or include adds.
type Frame = Vec<(String, Binding)>;

struct Checker<'a> {
    input: &'a ProjectInput,
    project: &'a Project,
    templates: &'a BTreeMap<String, Template>,
    out: TemplateChecks,
    /// Template → its `extends` chain, `None` when it is broken.
    chains: BTreeMap<String, Option<Vec<String>>>,
    /// Template → block name → body.
    block_defs: BTreeMap<String, BTreeMap<String, &'a [Node]>>,
    keys: BTreeMap<RenderKey, RenderingId>,
    reported: BTreeSet<(Code, Span, String)>,
    diagnostics: Vec<Diagnostic>,
    /// The view being checked (`None` for a given context).
    view: Option<ViewId>,
    /// Its relations so far.
    fetches: BTreeMap<RelationPath, BTreeSet<RelationUse>>,
    /// Templates being included, outermost first (recursion stops here).
    include_stack: Vec<String>,
    /// Reports nothing (the view being checked has errors of its own).
    quiet: bool,
    /// Templates with syntax errors: nothing more is reported in them.
    broken_files: BTreeSet<crate::source::FileId>,
    /// An `extends` or `include` did not resolve: which templates are
    /// rendered is unknown, so none is reported as never rendered.
    unresolved_reference: bool,
}

/// The state of one walk through a rendering.
struct Walk {
    rendering: RenderingId,
    chain: Vec<String>,
    frames: Vec<Frame>,
    autoescape: bool,
    /// The block being rendered: its name and the chain index of its definition.
    block: Option<(String, usize)>,
    /// The `{% include … only %}` that cut the scope down, if any.
    only: Option<Span>,
    /// Names of the starting scope that an `as` rebound at the top level.
    rebound: BTreeSet<String>,
}

/// A typed value during the walk.
#[derive(Clone, Debug)]
struct Value {
    ty: Type,
    origin: Option<RelationPath>,
}

impl Walk {
    fn lookup(&self, name: &str) -> Option<&Binding> {
        self.frames
            .iter()
            .rev()
            .find_map(|frame| frame.iter().rev().find(|(n, _)| n == name).map(|(_, b)| b))
    }

    /// The template whose nodes are being walked: a block's definer, or
    /// the root of the chain.
    fn template(&self) -> &str {
        let level = self
            .block
            .as_ref()
            .map_or(self.chain.len() - 1, |(_, level)| *level);
        &self.chain[level]
    }

    /// Whether `name` still holds the value the rendering started with.
    fn holds_scope_value(&self, name: &str) -> bool {
        let innermost = self
            .frames
            .iter()
            .rposition(|frame| frame.iter().any(|(n, _)| n == name));
        innermost == Some(0) && !self.rebound.contains(name)
    }

    fn bind(&mut self, name: &str, binding: Binding) {
        if self.frames.len() == 1 {
            self.rebound.insert(name.to_string());
        }
        let frame = self.frames.last_mut().expect("a frame");
        frame.retain(|(n, _)| n != name);
        frame.push((name.to_string(), binding));
    }

    /// Every visible name with its binding (inner frames win), sorted.
    fn flatten(&self) -> BTreeMap<String, Binding> {
        let mut out = BTreeMap::new();
        for frame in &self.frames {
            for (name, binding) in frame {
                out.insert(name.clone(), binding.clone());
            }
        }
        out
    }
}

impl<'a> Checker<'a> {
    /// A checker with nothing checked yet; templates with syntax errors
    /// among `diagnostics` report nothing more.
    fn new(
        input: &'a ProjectInput,
        project: &'a Project,
        templates: &'a BTreeMap<String, Template>,
        diagnostics: &[Diagnostic],
    ) -> Checker<'a> {
        let broken_files = diagnostics
            .iter()
            .filter(|d| d.is_error() && is_template_code(d.code))
            .map(|d| d.primary.span.file)
            .collect();
        Checker {
            input,
            project,
            templates,
            out: TemplateChecks::default(),
            chains: BTreeMap::new(),
            block_defs: BTreeMap::new(),
            keys: BTreeMap::new(),
            reported: BTreeSet::new(),
            diagnostics: Vec::new(),
            view: None,
            fetches: BTreeMap::new(),
            include_stack: Vec::new(),
            quiet: false,
            broken_files,
            unresolved_reference: false,
        }
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        let key = (
            diagnostic.code,
            diagnostic.primary.span,
            diagnostic.message.clone(),
        );
        if !self.quiet && !self.broken_files.contains(&key.1.file) && self.reported.insert(key) {
            self.diagnostics.push(diagnostic);
        }
    }

    fn record_fetch(&mut self, origin: &Option<RelationPath>, use_: RelationUse) {
        if let Some(path) = origin
            && !path.steps.is_empty()
        {
            self.fetches.entry(path.clone()).or_default().insert(use_);
        }
    }

    // ── renderings, chains and blocks ───────────────────────────────────────

    /// Renders `name` with `scope`; `None` when its chain is broken.
    /// `only` is the `{% include … only %}` the scope was cut down by.
    fn render(
        &mut self,
        name: &str,
        scope: Frame,
        autoescape: bool,
        only: Option<Span>,
    ) -> Option<RenderingId> {
        let key: RenderKey = (self.view, name.to_string(), scope.clone(), autoescape);
        if let Some(&id) = self.keys.get(&key) {
            return Some(id);
        }
        let chain = self.chain(name)?;
        let blocks = self.chain_blocks(&chain);
        let id = RenderingId(self.out.renderings.len() as u32);
        self.out.renderings.push(Rendering {
            view: self.view,
            template: name.to_string(),
            chain: chain.clone(),
            blocks,
            scope: scope
                .iter()
                .map(|(n, b)| (n.clone(), b.ty.clone()))
                .collect(),
            autoescape,
            exprs: BTreeMap::new(),
            includes: BTreeMap::new(),
            urls: BTreeMap::new(),
            reads: BTreeMap::new(),
        });
        self.keys.insert(key, id);
        let root = chain.last().expect("a chain has its template").clone();
        let templates = self.templates;
        let nodes = &templates[&root].nodes;
        let mut walk = Walk {
            rendering: id,
            chain,
            frames: vec![scope],
            autoescape,
            block: None,
            only,
            rebound: BTreeSet::new(),
        };
        self.include_stack.push(name.to_string());
        self.walk(&mut walk, nodes);
        self.include_stack.pop();
        Some(id)
    }

    /// The `extends` chain of `name` (itself first), computed once.
    fn chain(&mut self, name: &str) -> Option<Vec<String>> {
        if let Some(chain) = self.chains.get(name) {
            return chain.clone();
        }
        // What is wrong with a chain does not depend on the view: report it
        // even for a view with errors, since it is computed only once.
        let quiet = std::mem::replace(&mut self.quiet, false);
        let chain = self.resolve_chain(name);
        self.quiet = quiet;
        self.chains.insert(name.to_string(), chain.clone());
        chain
    }

    fn resolve_chain(&mut self, name: &str) -> Option<Vec<String>> {
        let mut chain = vec![name.to_string()];
        let mut broken = false;
        loop {
            let current = chain.last().expect("non-empty").clone();
            let Some(extends) = &self.templates[&current].extends else {
                break;
            };
            let Some(parent) = self.constant_name(&extends.parent, "extends") else {
                broken = true;
                break;
            };
            if !self.templates.contains_key(&parent) {
                self.unknown_template(&parent, extends.parent.span);
                broken = true;
                break;
            }
            if chain.contains(&parent) {
                let mut cycle: Vec<String> = chain
                    .iter()
                    .skip_while(|t| **t != parent)
                    .map(|t| format!("`{t}`"))
                    .collect();
                cycle.push(format!("`{parent}`"));
                self.report(
                    Diagnostic::new(
                        Code::ExtendsCycle,
                        extends.span,
                        "templates extend each other in a cycle",
                    )
                    .with_label(format!("`{current}` extends `{parent}` again"))
                    .with_note(format!("the cycle: {}", cycle.join(" extends "))),
                );
                broken = true;
                break;
            }
            chain.push(parent);
        }
        // Rendered even when broken: the view does render them.
        self.out.rendered.extend(chain.iter().cloned());
        let result = (!broken).then_some(chain);
        if let Some(chain) = &result {
            self.report_unused_blocks(chain);
        }
        result
    }

    /// A template name that must be a string constant (`extends`, `include`).
    fn constant_name(&mut self, expr: &FilterExpr, tag: &str) -> Option<String> {
        match (&expr.base, expr.filters.is_empty()) {
            (
                Operand::Str {
                    value,
                    translated: false,
                    ..
                },
                true,
            ) => Some(value.clone()),
            _ => {
                self.unresolved_reference = true;
                self.report(
                    Diagnostic::new(
                        Code::NotConstant,
                        expr.span,
                        format!("`{{% {tag} %}}` needs a template name in quotes"),
                    )
                    .with_label("Django would choose the template at run time")
                    .with_help(format!("write the name: `{{% {tag} \"base.html\" %}}`")),
                );
                None
            }
        }
    }

    fn unknown_template(&mut self, name: &str, span: Span) {
        self.unresolved_reference = true;
        let d = Diagnostic::new(
            Code::UnknownTemplate,
            span,
            format!("template `{name}` not found"),
        )
        .with_label(format!("no `templates/{name}`"))
        .with_suggestion(
            name,
            "a template",
            self.templates.keys().map(String::as_str),
        );
        let d = if d.help.is_some() {
            d
        } else {
            d.with_note("templates are named relative to `templates/`")
        };
        self.report(d);
    }

    /// Block name → body, for every `{% block %}` of `template` at any depth
    /// (the first, when a name is defined twice).
    fn blocks_of(&mut self, template: &str) -> &BTreeMap<String, &'a [Node]> {
        fn collect<'n>(nodes: &'n [Node], out: &mut BTreeMap<String, &'n [Node]>) {
            for node in nodes {
                if let Node::Block { name, body, .. } = node {
                    out.entry(name.name.clone()).or_insert(body);
                }
                for body in children(node) {
                    collect(body, out);
                }
            }
        }
        let templates = self.templates;
        self.block_defs
            .entry(template.to_string())
            .or_insert_with(|| {
                let mut blocks = BTreeMap::new();
                collect(&templates[template].nodes, &mut blocks);
                blocks
            })
    }

    /// The body of block `name` in `template`, if it defines one.
    fn block_def(&mut self, template: &str, name: &str) -> Option<&'a [Node]> {
        self.blocks_of(template).get(name).copied()
    }

    fn chain_blocks(&mut self, chain: &[String]) -> BTreeMap<String, Vec<String>> {
        let mut blocks: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for template in chain {
            for name in self.blocks_of(template).keys().cloned().collect::<Vec<_>>() {
                blocks.entry(name).or_default().push(template.clone());
            }
        }
        blocks
    }

    /// W0716 for blocks of an extending template that no ancestor has.
    fn report_unused_blocks(&mut self, chain: &[String]) {
        let [child, ancestors @ ..] = chain else {
            return;
        };
        if ancestors.is_empty() {
            return;
        }
        let mut known = BTreeSet::new();
        for ancestor in ancestors {
            known.extend(self.blocks_of(ancestor).keys().cloned());
        }
        let templates = self.templates;
        for node in &templates[child].nodes {
            let Node::Block { name, .. } = node else {
                continue;
            };
            if known.contains(&name.name) {
                continue;
            }
            let d = Diagnostic::new(
                Code::UnusedBlock,
                name.span,
                format!("block `{}` is never rendered", name.name),
            )
            .with_label(format!("no parent template has a block `{}`", name.name))
            .with_suggestion(&name.name, "a block", known.iter().map(String::as_str));
            let d = if d.help.is_some() {
                d
            } else {
                d.with_note(format!(
                    "`{child}` extends `{}`: only blocks its parents define are rendered",
                    ancestors[0]
                ))
            };
            self.report(d);
        }
    }

    /// W0713 for templates no view renders.
    fn report_unrendered(&mut self) {
        for (name, &file) in &self.input.templates {
            if self.out.rendered.contains(name) || is_error_page(name) {
                continue;
            }
            let text = &self.input.sources.get(file).text;
            let first_line = text.find('\n').unwrap_or(text.len());
            let span = Span::new(file, 0, first_line);
            let message = format!("template `{name}` is never rendered");
            let d = Diagnostic::new(Code::UnrenderedTemplate, span, message)
                .with_label("no view renders it, directly, through `extends` or through `include`")
                .with_help(format!("render it from a view (`template \"{name}\"`) or delete it"))
                .with_note(
                    "djinn type-checks a template against the views that render it, so this one is not checked",
                );
            self.diagnostics.push(d);
        }
    }

    // ── nodes ───────────────────────────────────────────────────────────────

    fn walk(&mut self, w: &mut Walk, nodes: &'a [Node]) {
        for node in nodes {
            self.node(w, node);
        }
    }

    fn node(&mut self, w: &mut Walk, node: &'a Node) {
        match node {
            Node::Text { .. } | Node::Verbatim { .. } | Node::TemplateTag { .. } => {}
            Node::Var { expr, .. } => {
                self.expr(w, expr);
            }
            Node::If {
                branches,
                otherwise,
                ..
            } => {
                for branch in branches {
                    self.condition(w, &branch.condition);
                    self.walk(w, &branch.body);
                }
                if let Some(body) = otherwise {
                    self.walk(w, body);
                }
            }
            Node::For {
                targets,
                iterable,
                body,
                empty,
                ..
            } => self.for_loop(w, targets, iterable, body, empty.as_deref()),
            Node::With { bindings, body, .. } => {
                // Django evaluates every value before binding any.
                let frame: Frame = bindings
                    .iter()
                    .map(|b| (b.name.name.clone(), self.binding_value(w, &b.value)))
                    .collect();
                w.frames.push(frame);
                self.walk(w, body);
                w.frames.pop();
            }
            Node::Block { name, body, .. } => self.block(w, &name.name, body),
            Node::Include {
                template,
                bindings,
                only,
                span,
            } => self.include(w, template, bindings, *only, *span),
            Node::Url {
                name,
                args,
                as_var,
                span,
            } => {
                self.url(w, name, args, *span);
                if let Some(var) = as_var {
                    w.bind(&var.name, Binding::plain(Type::Str));
                }
            }
            Node::Static { path, as_var, .. } => {
                self.static_path(w, path);
                if let Some(var) = as_var {
                    w.bind(&var.name, Binding::plain(Type::Str));
                }
            }
            Node::CsrfToken { span } => {
                // The tag reads the token: the page must compute it.
                if w.holds_scope_value("csrf_token") {
                    self.out.renderings[w.rendering.0 as usize]
                        .reads
                        .entry(w.template().to_string())
                        .or_default()
                        .insert("csrf_token".to_string());
                }
                if w.lookup("csrf_token").is_none() {
                    self.report(
                        Diagnostic::new(
                            Code::UnknownVariable,
                            *span,
                            "`{% csrf_token %}` has no token here",
                        )
                        .with_label(
                            "this template is included with `only`, so `csrf_token` is not passed",
                        )
                        .with_help("pass it: `{% include \"…\" with csrf_token=csrf_token only %}`")
                        .with_note(
                            "Django renders nothing for the tag here, and the form's POST fails",
                        ),
                    );
                }
            }
            Node::Spaceless { body, .. } => self.walk(w, body),
            Node::Autoescape { enabled, body, .. } => {
                let saved = w.autoescape;
                w.autoescape = *enabled;
                self.walk(w, body);
                w.autoescape = saved;
            }
            Node::Filter {
                filters,
                body,
                span,
            } => {
                self.walk(w, body);
                self.filter_tag(w, filters, *span);
            }
            Node::Cycle { values, as_var, .. } => {
                let ty = self.union(w, values);
                if let Some(var) = as_var {
                    w.bind(&var.name, quiet_if_unknown(ty));
                }
            }
            Node::Firstof { values, as_var, .. } => {
                // The first true value, or "".
                let ty = self
                    .union(w, values)
                    .map(|t| strip_absent(t).either(Type::Str));
                if let Some(var) = as_var {
                    w.bind(&var.name, quiet_if_unknown(ty));
                }
            }
            Node::WidthRatio {
                value,
                max_value,
                max_width,
                as_var,
                ..
            } => {
                for (expr, what) in [
                    (value, "value"),
                    (max_value, "maximum"),
                    (max_width, "width"),
                ] {
                    if let Some(v) = self.expr(w, expr)
                        && !numeric_or_text(&v.ty)
                    {
                        let found = v.ty.describe(self.project);
                        self.report(
                            Diagnostic::new(
                                Code::TemplateTypeMismatch,
                                expr.span,
                                format!("the {what} of `{{% widthratio %}}` must be a number, not `{found}`"),
                            )
                            .with_label(format!("this is `{found}`")),
                        );
                    }
                }
                if let Some(var) = as_var {
                    w.bind(&var.name, Binding::plain(Type::Str));
                }
            }
            Node::Now { as_var, .. } => {
                if let Some(var) = as_var {
                    w.bind(&var.name, Binding::plain(Type::Str));
                }
            }
        }
    }

    fn binding_value(&mut self, w: &mut Walk, expr: &FilterExpr) -> Binding {
        match self.expr(w, expr) {
            Some(value) => Binding {
                ty: value.ty,
                origin: value.origin,
            },
            None => quiet_if_unknown(None),
        }
    }

    /// The type of one of several values (`cycle`, `firstof`); `None` when
    /// one of them did not type.
    fn union(&mut self, w: &mut Walk, values: &[FilterExpr]) -> Option<Type> {
        let mut union: Option<Type> = None;
        for value in values {
            let ty = self.expr(w, value)?.ty;
            union = Some(match union {
                None => ty,
                Some(known) => known.either(ty),
            });
        }
        union
    }

    fn for_loop(
        &mut self,
        w: &mut Walk,
        targets: &[Name],
        iterable: &FilterExpr,
        body: &'a [Node],
        empty: Option<&'a [Node]>,
    ) {
        let items = self.expr(w, iterable).and_then(|value| {
            let element = self.iterate(&value, iterable);
            element.map(|ty| (ty, value.origin))
        });
        let depth = match w.lookup("forloop").map(|b| &b.ty) {
            Some(Type::ForLoop(d)) => d + 1,
            _ => 0,
        };
        let mut frame: Frame = Vec::new();
        let unknown = || quiet_if_unknown(None);
        match items {
            Some((element, origin)) if targets.len() == 1 => {
                frame.push((
                    targets[0].name.clone(),
                    Binding {
                        ty: element,
                        origin,
                    },
                ));
            }
            Some((element, _)) => {
                let parts = match element.strip() {
                    Type::Tuple(items) if items.len() == targets.len() => Some(items.clone()),
                    Type::List(item) => Some(vec![(**item).clone(); targets.len()]),
                    Type::Json => Some(vec![Type::Json; targets.len()]),
                    _ => None,
                };
                match parts {
                    Some(parts) => {
                        for (target, ty) in targets.iter().zip(parts) {
                            frame.push((target.name.clone(), Binding::plain(ty)));
                        }
                    }
                    None => {
                        let found = element.describe(self.project);
                        let first = targets[0].span;
                        let last = targets[targets.len() - 1].span;
                        self.report(
                            Diagnostic::new(
                                Code::TemplateTypeMismatch,
                                first.to(last),
                                format!("cannot unpack `{found}` into {} names", targets.len()),
                            )
                            .with_label(format!("each item is `{found}`"))
                            .with_help("loop with one name: `{% for item in … %}`"),
                        );
                        frame.extend(targets.iter().map(|t| (t.name.clone(), unknown())));
                    }
                }
            }
            None => frame.extend(targets.iter().map(|t| (t.name.clone(), unknown()))),
        }
        frame.push(("forloop".to_string(), Binding::plain(Type::ForLoop(depth))));
        w.frames.push(frame);
        self.walk(w, body);
        w.frames.pop();
        if let Some(empty) = empty {
            self.walk(w, empty);
        }
    }

    /// The element type of a value iterated by `{% for %}`, or E0711.
    fn iterate(&mut self, value: &Value, expr: &FilterExpr) -> Option<Type> {
        if let Some(element) = value.ty.element() {
            self.record_fetch(&value.origin, RelationUse::Rows);
            return Some(element);
        }
        let found = value.ty.describe(self.project);
        let text = expr_text(expr);
        let d = Diagnostic::new(
            Code::TemplateTypeMismatch,
            expr.span,
            format!("cannot loop over `{text}`"),
        );
        let d = match value.ty.strip() {
            Type::Manager(_) => d
                .with_label("a related manager is not iterable")
                .with_help(format!(
                    "loop over its objects: `{{% for … in {text}.all %}}`"
                ))
                .with_note("Django fails the page with a TypeError here"),
            Type::None => d
                .with_label("always none here")
                .with_note("Django renders nothing for this loop"),
            _ => d
                .with_label(format!("`{found}` is not iterable"))
                .with_note("Django fails the page with a TypeError here"),
        };
        self.report(d);
        None
    }

    fn block(&mut self, w: &mut Walk, name: &str, own_body: &'a [Node]) {
        let chain = w.chain.clone();
        let mut found = None;
        for (level, template) in chain.iter().enumerate() {
            if let Some(body) = self.block_def(template, name) {
                found = Some((level, body));
                break;
            }
        }
        let (level, body) = found.unwrap_or((chain.len() - 1, own_body));
        self.block_body(w, name, level, body);
    }

    fn block_body(&mut self, w: &mut Walk, name: &str, level: usize, body: &'a [Node]) {
        let saved = w.block.replace((name.to_string(), level));
        w.frames.push(Vec::new());
        self.walk(w, body);
        w.frames.pop();
        w.block = saved;
    }

    fn include(
        &mut self,
        w: &mut Walk,
        template: &FilterExpr,
        bindings: &[super::ast::Binding],
        only: bool,
        span: Span,
    ) {
        let values: Frame = bindings
            .iter()
            .map(|b| (b.name.name.clone(), self.binding_value(w, &b.value)))
            .collect();
        let Some(name) = self.constant_name(template, "include") else {
            return;
        };
        if !self.templates.contains_key(&name) {
            self.unknown_template(&name, template.span);
            return;
        }
        if self.include_stack.contains(&name) {
            // A recursive include: its scope was checked on the way in.
            return;
        }
        let mut scope = if only { BTreeMap::new() } else { w.flatten() };
        for (n, b) in values {
            scope.insert(n, b);
        }
        let only = if only { Some(span) } else { w.only };
        if let Some(id) = self.render(&name, scope.into_iter().collect(), w.autoescape, only) {
            self.out.renderings[w.rendering.0 as usize]
                .includes
                .insert(span, id);
        }
    }

    fn static_path(&mut self, w: &mut Walk, path: &FilterExpr) {
        if let (Operand::Str { value, .. }, true) = (&path.base, path.filters.is_empty()) {
            if self.input.static_files.contains(value) {
                return;
            }
            let d = Diagnostic::new(
                Code::MissingStaticFile,
                path.span,
                format!("static file `{value}` not found"),
            )
            .with_label(format!("no `static/{value}`"))
            .with_suggestion(
                value,
                "a file",
                self.input.static_files.iter().map(String::as_str),
            );
            let d = if d.help.is_some() {
                d
            } else {
                d.with_note("`{% static %}` names a file relative to `static/`")
            };
            self.report(d);
            return;
        }
        if let Some(v) = self.expr(w, path)
            && !v.ty.strip().is_text()
        {
            let found = v.ty.describe(self.project);
            self.report(
                Diagnostic::new(
                    Code::TemplateTypeMismatch,
                    path.span,
                    format!("`{{% static %}}` needs a path, not `{found}`"),
                )
                .with_label(format!("this is `{found}`")),
            );
        }
    }

    fn filter_tag(&mut self, w: &mut Walk, filters: &[FilterCall], span: Span) {
        for call in filters {
            if matches!(call.name.name.as_str(), "escape" | "safe") {
                self.report(
                    Diagnostic::new(
                        Code::TemplateSyntax,
                        call.name.span,
                        format!("`{{% filter {} %}}` is not allowed", call.name.name),
                    )
                    .with_label("Django refuses this filter in the `filter` tag")
                    .with_help("use `{% autoescape %}` instead"),
                );
                return;
            }
        }
        let base = OperandInfo {
            ty: Type::SafeStr,
            lookups: Vec::new(),
        };
        let value = Value {
            ty: Type::SafeStr,
            origin: None,
        };
        if let Some((ty, infos)) = self.apply_filters(w, value, filters, "the block") {
            let info = ExprInfo {
                base,
                filters: infos,
                ty: ty.ty,
                autoescape: w.autoescape,
            };
            self.out.renderings[w.rendering.0 as usize]
                .exprs
                .insert(span, info);
        }
    }

    // ── expressions ─────────────────────────────────────────────────────────

    /// Types a filter expression and records it.
    fn expr(&mut self, w: &mut Walk, expr: &FilterExpr) -> Option<Value> {
        let (base, value) = self.operand(w, &expr.base)?;
        let text = operand_text(&expr.base);
        let (value, filters) = self.apply_filters(w, value, &expr.filters, &text)?;
        let info = ExprInfo {
            base,
            filters,
            ty: value.ty.clone(),
            autoescape: w.autoescape,
        };
        self.out.renderings[w.rendering.0 as usize]
            .exprs
            .insert(expr.span, info);
        Some(value)
    }

    fn apply_filters(
        &mut self,
        w: &mut Walk,
        mut value: Value,
        calls: &[FilterCall],
        text: &str,
    ) -> Option<(Value, Vec<FilterInfo>)> {
        let mut infos = Vec::new();
        let mut written = text.to_string();
        for call in calls {
            let name = &call.name.name;
            if let Err(problem) = filters::lookup(name) {
                self.filter_problem(call, &written, &value.ty, problem);
                return None;
            }
            let rule = filters::arg_rule(name);
            match (&call.arg, rule) {
                (None, ArgRule::Required) => {
                    self.filter_problem(call, &written, &value.ty, FilterProblem::MissingArgument);
                    return None;
                }
                (Some(_), ArgRule::None) => {
                    self.filter_problem(
                        call,
                        &written,
                        &value.ty,
                        FilterProblem::UnexpectedArgument,
                    );
                    return None;
                }
                _ => {}
            }
            let arg = match &call.arg {
                Some(operand) => Some(self.operand(w, operand)?),
                None => None,
            };
            let filter_arg = match (&call.arg, &arg) {
                (Some(operand), Some((info, _))) => Some(FilterArg {
                    ty: info.ty.clone(),
                    literal: match operand {
                        Operand::Str { value, .. } => Some(Literal::Str(value.clone())),
                        Operand::Number { text, .. } => Some(Literal::Number(text.clone())),
                        Operand::Variable { .. } => None,
                    },
                }),
                _ => None,
            };
            let ty = match filters::apply(name, &value.ty, filter_arg.as_ref()) {
                Ok(ty) => ty,
                Err(problem) => {
                    self.filter_problem(call, &written, &value.ty, problem);
                    return None;
                }
            };
            if matches!(name.as_str(), "dictsort" | "dictsortreversed")
                && !self.dictsort_key(&value, call)
            {
                return None;
            }
            // Filters over a queryset read its rows, its count or its truth.
            if matches!(
                value.ty.strip(),
                Type::QuerySet(_) | Type::List(_) | Type::Page(_)
            ) {
                let use_ = match name.as_str() {
                    "length" => RelationUse::Count,
                    "yesno" => RelationUse::Exists,
                    _ => RelationUse::Rows,
                };
                self.record_fetch(&value.origin, use_);
            }
            let keeps_rows = matches!(
                name.as_str(),
                "dictsort"
                    | "dictsortreversed"
                    | "slice"
                    | "first"
                    | "last"
                    | "default"
                    | "default_if_none"
            );
            let origin = if keeps_rows {
                value.origin.take()
            } else {
                None
            };
            infos.push(FilterInfo {
                name: name.clone(),
                arg: arg.map(|(info, _)| info),
                ty: ty.clone(),
            });
            written = format!("{written}|{name}");
            value = Value { ty, origin };
        }
        Some((value, infos))
    }

    /// `dictsort:"author.name"`: the key must be a constant path that
    /// resolves on the items.
    fn dictsort_key(&mut self, value: &Value, call: &FilterCall) -> bool {
        let Some(element) = value.ty.element() else {
            return true;
        };
        let Some(Operand::Str {
            value: key, span, ..
        }) = &call.arg
        else {
            if let Some(Operand::Variable { span, .. }) = &call.arg {
                self.report(
                    Diagnostic::new(
                        Code::NotConstant,
                        *span,
                        format!("`{}` needs the key as a constant", call.name.name),
                    )
                    .with_label("Django would read the key from this variable at run time")
                    .with_help(format!(
                        "write the attribute: `|{}:\"name\"`",
                        call.name.name
                    )),
                );
                return false;
            }
            return true;
        };
        let mut ty = element;
        let mut origin = value.origin.clone();
        let mut owner = "each item".to_string();
        for part in key.split('.') {
            let name = Name {
                name: part.to_string(),
                span: *span,
            };
            match lookup::attribute(self.project, &ty, &owner, &name) {
                Ok(attr) => {
                    if let Some(step) = attr.step {
                        origin = origin.map(|o| o.then(step));
                        self.record_fetch(&origin, RelationUse::Rows);
                    }
                    ty = attr.ty;
                    owner = format!("{owner}.{part}");
                }
                Err(d) => {
                    self.report(d.with_note(format!("`{}` sorts by this key", call.name.name)));
                    return false;
                }
            }
        }
        true
    }

    fn filter_problem(
        &mut self,
        call: &FilterCall,
        written: &str,
        input: &Type,
        problem: FilterProblem,
    ) {
        let name = &call.name.name;
        let d = match problem {
            FilterProblem::Unknown => {
                let d = Diagnostic::new(
                    Code::UnknownFilter,
                    call.name.span,
                    format!("unknown filter `{name}`"),
                )
                .with_label("not a built-in Django filter")
                .with_suggestion(
                    name,
                    "a filter",
                    filters::DJANGO_FILTERS.iter().copied(),
                );
                if d.help.is_some() {
                    d
                } else {
                    d.with_note("djinn compiles Django's built-in filters; custom filter libraries are not supported")
                }
            }
            FilterProblem::Unsupported => Diagnostic::new(
                Code::UnknownFilter,
                call.name.span,
                format!("the `{name}` filter is not supported by djinn"),
            )
            .with_label("Django has this filter; djinn does not compile it")
            .with_note("see docs/templates.md for the supported filters"),
            FilterProblem::MissingArgument => Diagnostic::new(
                Code::FilterArgument,
                call.span,
                format!("the `{name}` filter needs an argument"),
            )
            .with_label("no argument")
            .with_help(format!(
                "write it after a colon: `{}`",
                filters::example(name)
            )),
            FilterProblem::UnexpectedArgument => {
                let arg = call.arg.as_ref().map_or(call.span, Operand::span);
                Diagnostic::new(
                    Code::FilterArgument,
                    arg,
                    format!("the `{name}` filter takes no argument"),
                )
                .with_label("unexpected argument")
                .with_help(format!("write `|{name}`"))
            }
            FilterProblem::BadArgument(why) => {
                let arg = call.arg.as_ref().map_or(call.span, Operand::span);
                Diagnostic::new(
                    Code::FilterArgument,
                    arg,
                    format!("invalid argument for the `{name}` filter"),
                )
                .with_label(why)
                .with_help(format!("for example: `{}`", filters::example(name)))
            }
            FilterProblem::BadInput(expected) => {
                let found = input.describe(self.project);
                Diagnostic::new(
                    Code::TemplateTypeMismatch,
                    call.name.span,
                    format!("the `{name}` filter needs {expected}, but `{written}` is `{found}`"),
                )
                .with_label(format!("applied to `{found}`"))
            }
        };
        self.report(d);
    }

    /// Types an operand; records nothing (the expression does).
    fn operand(&mut self, w: &mut Walk, operand: &Operand) -> Option<(OperandInfo, Value)> {
        match operand {
            Operand::Str { .. } => Some(plain(Type::SafeStr)),
            Operand::Number { text, span } => match number_type(text) {
                Ok(ty) => Some(plain(ty)),
                Err(why) => {
                    self.report(
                        Diagnostic::new(
                            Code::TemplateSyntax,
                            *span,
                            format!("`{text}` is not a number"),
                        )
                        .with_label(why),
                    );
                    None
                }
            },
            Operand::Variable { path, .. } => self.variable(w, path),
        }
    }

    fn variable(&mut self, w: &mut Walk, path: &[Name]) -> Option<(OperandInfo, Value)> {
        let head = &path[0];
        if w.holds_scope_value(&head.name) {
            self.out.renderings[w.rendering.0 as usize]
                .reads
                .entry(w.template().to_string())
                .or_default()
                .insert(head.name.clone());
        }
        let (mut ty, mut origin, rest, mut lookups) = if let Some(binding) = w.lookup(&head.name) {
            (
                binding.ty.clone(),
                binding.origin.clone(),
                &path[1..],
                Vec::new(),
            )
        } else if head.name == "block" && w.block.is_some() {
            let (ty, lookup) = self.block_attribute(w, head, path.get(1))?;
            (ty, None, &path[2..], vec![lookup])
        } else {
            match head.name.as_str() {
                "True" | "False" => (Type::Bool, None, &path[1..], Vec::new()),
                "None" => (Type::None, None, &path[1..], Vec::new()),
                _ => {
                    self.unknown_variable(w, head);
                    return None;
                }
            }
        };
        let mut written = head.name.clone();
        for part in rest {
            let attr = match lookup::attribute(self.project, &ty, &written, part) {
                Ok(attr) => attr,
                Err(d) => {
                    self.report(*d);
                    return None;
                }
            };
            if let Some(use_) = attr.uses_base {
                self.record_fetch(&origin, use_);
            }
            if let Some(step) = attr.step {
                origin = origin.map(|o| o.then(step));
                if matches!(attr.ty.strip(), Type::Object(_)) {
                    self.record_fetch(&origin, RelationUse::Rows);
                }
            }
            if !carries_rows(&attr.ty) {
                origin = None;
            }
            ty = attr.ty;
            lookups.push(attr.lookup);
            written = format!("{written}.{}", part.name);
        }
        Some((
            OperandInfo {
                ty: ty.clone(),
                lookups,
            },
            Value { ty, origin },
        ))
    }

    /// `block.super` (walking the parent's block) or `block.name`.
    fn block_attribute(
        &mut self,
        w: &mut Walk,
        head: &Name,
        attr: Option<&Name>,
    ) -> Option<(Type, Lookup)> {
        let (name, level) = w.block.clone().expect("in a block");
        let Some(attr) = attr else {
            self.report(
                Diagnostic::new(
                    Code::UnknownAttribute,
                    head.span,
                    "`block` alone prints Django's internal block object",
                )
                .with_label("not a value to print")
                .with_help("`block.super` renders the parent template's block"),
            );
            return None;
        };
        match attr.name.as_str() {
            "name" => Some((Type::Str, Lookup::Attribute("name".into()))),
            "super" => {
                let chain = w.chain.clone();
                let parent = chain
                    .iter()
                    .enumerate()
                    .skip(level + 1)
                    .find_map(|(up, template)| {
                        self.block_def(template, &name)
                            .map(|body| (up, template, body))
                    });
                match parent {
                    Some((up, template, body)) => {
                        self.block_body(w, &name, up, body);
                        Some((
                            Type::SafeStr,
                            Lookup::BlockSuper {
                                template: template.clone(),
                            },
                        ))
                    }
                    None => {
                        self.report(
                            Diagnostic::new(
                                Code::UnknownAttribute,
                                attr.span,
                                format!("`block.super` in block `{name}`, which no parent template defines"),
                            )
                            .with_label("there is no parent block to render")
                            .with_note("Django renders an empty string here"),
                        );
                        None
                    }
                }
            }
            other => {
                self.report(
                    Diagnostic::new(
                        Code::UnknownAttribute,
                        attr.span,
                        format!("`block` has no attribute `{other}`"),
                    )
                    .with_label("unknown attribute")
                    .with_help("`block.super` renders the parent template's block"),
                );
                None
            }
        }
    }

    fn unknown_variable(&mut self, w: &Walk, name: &Name) {
        let view = self.view.map(|id| self.project.view(id));
        let visible = w.flatten();
        let d = Diagnostic::new(
            Code::UnknownVariable,
            name.span,
            format!("unknown variable `{}`", name.name),
        );
        let d = match w.only {
            Some(include) => d.with_label("not passed to this template").with_secondary(
                include,
                "included with `only`: it sees just the names given with `with`",
            ),
            None => match view {
                Some(view) => {
                    let d = d.with_label(format!("not in the context of view `{}`", view.name));
                    match &view.template {
                        Some(t) => d.with_secondary(
                            t.span,
                            format!("view `{}` renders `{}`", view.name, t.name),
                        ),
                        None => d,
                    }
                }
                None => d.with_label("not in the context"),
            },
        };
        let d = d.with_suggestion(&name.name, "a variable", visible.keys().map(String::as_str));
        let d = match (&d.help, w.only, context::absent_name_hint(&name.name)) {
            (None, Some(_), _) => d.with_help(format!("pass it: `with {0}={0}`", name.name)),
            (None, None, Some(hint)) => d.with_help(hint),
            _ => d,
        };
        self.report(
            d.with_note("Django renders an unknown variable as an empty string; djinn rejects it"),
        );
    }

    // ── conditions ──────────────────────────────────────────────────────────

    fn condition(&mut self, w: &mut Walk, condition: &IfExpr) {
        match condition {
            IfExpr::Or(a, b) | IfExpr::And(a, b) => {
                self.condition(w, a);
                self.condition(w, b);
            }
            IfExpr::Not(inner) => self.condition(w, inner),
            IfExpr::Test(expr) => {
                if let Some(value) = self.expr(w, expr) {
                    self.truth_test(&value, expr);
                }
            }
            IfExpr::Compare { op, lhs, rhs } => {
                let left = self.expr(w, lhs);
                let right = self.expr(w, rhs);
                if let (Some(left), Some(right)) = (left, right) {
                    self.compare(w, *op, (&left, lhs), (&right, rhs));
                }
            }
        }
    }

    fn truth_test(&mut self, value: &Value, expr: &FilterExpr) {
        match value.ty.strip() {
            Type::Manager(_) => {
                let text = expr_text(expr);
                self.report(
                    Diagnostic::new(
                        Code::TemplateTypeMismatch,
                        expr.span,
                        format!("`{text}` is always true"),
                    )
                    .with_label("a related manager is true even when it has no objects")
                    .with_help(format!("test for objects: `{text}.exists` or `{text}.all`")),
                );
            }
            Type::QuerySet(_) | Type::List(_) | Type::Page(_) => {
                self.record_fetch(&value.origin, RelationUse::Exists)
            }
            _ => {}
        }
    }

    fn compare(
        &mut self,
        w: &Walk,
        op: CompareOp,
        (left, lhs): (&Value, &FilterExpr),
        (right, rhs): (&Value, &FilterExpr),
    ) {
        let describe = |v: &Value| v.ty.describe(self.project);
        let mismatch = |this: &mut Self, message: String, label: String| {
            this.report(
                Diagnostic::new(Code::TemplateTypeMismatch, lhs.span.to(rhs.span), message)
                    .with_label(label)
                    .with_note(
                        "Django's `if` treats this as false without an error; djinn rejects it",
                    ),
            );
        };
        match op {
            CompareOp::Eq | CompareOp::Ne => {
                if self.choice_literal(w, lhs, rhs) || self.choice_literal(w, rhs, lhs) {
                    return;
                }
                let (a, b) = (category(&left.ty), category(&right.ty));
                if a != Category::Any
                    && b != Category::Any
                    && a != Category::None
                    && b != Category::None
                    && a != b
                {
                    let outcome = if op == CompareOp::Eq { "false" } else { "true" };
                    mismatch(
                        self,
                        format!("this comparison is always {outcome}"),
                        format!(
                            "`{}` is never equal to `{}`",
                            describe(left),
                            describe(right)
                        ),
                    );
                }
            }
            CompareOp::Lt | CompareOp::Gt | CompareOp::Le | CompareOp::Ge => {
                let (a, b) = (category(&left.ty), category(&right.ty));
                let orderable = |c: &Category| {
                    matches!(
                        c,
                        Category::Text
                            | Category::Number
                            | Category::Date
                            | Category::DateTime
                            | Category::Uuid
                            | Category::Any
                    )
                };
                if !orderable(&a)
                    || !orderable(&b)
                    || (a != b && a != Category::Any && b != Category::Any)
                {
                    mismatch(
                        self,
                        format!(
                            "cannot order `{}` and `{}`",
                            describe(left),
                            describe(right)
                        ),
                        "Python raises a TypeError for this comparison".to_string(),
                    );
                }
            }
            CompareOp::In | CompareOp::NotIn => {
                if self.choice_literal(w, lhs, rhs) {
                    return;
                }
                self.membership(left, lhs, right, rhs);
            }
            CompareOp::Is | CompareOp::IsNot => {}
        }
    }

    /// `x in container`: the container must hold values like `x`.
    fn membership(&mut self, left: &Value, lhs: &FilterExpr, right: &Value, rhs: &FilterExpr) {
        let container = right.ty.strip();
        let text = expr_text(rhs);
        let problem = match container {
            Type::Str | Type::SafeStr => {
                (!matches!(category(&left.ty), Category::Text | Category::Any))
                    .then(|| "text only contains text".to_string())
            }
            Type::Manager(_) => Some(format!(
                "a related manager is not a container: use `{text}.all`"
            )),
            Type::Perms => {
                if let (Operand::Str { value, .. }, true) = (&lhs.base, lhs.filters.is_empty()) {
                    let known = value.split_once('.').is_some_and(|(app, code)| {
                        app == self.project.app_label
                            && lookup::permission_codenames(self.project)
                                .iter()
                                .any(|c| c == code)
                    });
                    (!known).then(|| format!("`{value}` is not a permission of this project"))
                } else {
                    None
                }
            }
            Type::QuerySet(_) | Type::List(_) | Type::Tuple(_) | Type::Page(_) => {
                self.record_fetch(&right.origin, RelationUse::Rows);
                let element = container.element().unwrap_or(Type::Json);
                let (a, b) = (category(&left.ty), category(&element));
                (a != Category::Any && b != Category::Any && a != Category::None && a != b)
                    .then(|| format!("`{text}` holds `{}`", element.describe(self.project)))
            }
            // A dict contains its keys.
            Type::Dict(_) => (!matches!(category(&left.ty), Category::Text | Category::Any))
                .then(|| "a dict only contains its keys, which are text".to_string()),
            Type::Json
            | Type::QueryDict
            | Type::ErrorDict(_)
            | Type::ErrorList
            | Type::FormFields(_)
            | Type::Messages
            | Type::Either(..)
            | Type::FormValue => None,
            _ => Some(format!(
                "`{text}` is `{}`, not a container",
                right.ty.describe(self.project)
            )),
        };
        if let Some(problem) = problem {
            self.report(
                Diagnostic::new(
                    Code::TemplateTypeMismatch,
                    lhs.span.to(rhs.span),
                    format!("`{}` is never in `{text}`", expr_text(lhs)),
                )
                .with_label(problem)
                .with_note("Django's `if` treats this as false without an error; djinn rejects it"),
            );
        }
    }

    /// `post.status == "publishd"`: a choice field compared with a string
    /// that is not one of its keys. True when it reported.
    fn choice_literal(
        &mut self,
        w: &Walk,
        field_side: &FilterExpr,
        literal_side: &FilterExpr,
    ) -> bool {
        let (Operand::Str { value, .. }, true) =
            (&literal_side.base, literal_side.filters.is_empty())
        else {
            return false;
        };
        if !field_side.filters.is_empty() {
            return false;
        }
        let rendering = &self.out.renderings[w.rendering.0 as usize];
        let Some(Lookup::Field(field)) = rendering
            .exprs
            .get(&field_side.span)
            .and_then(|info| info.base.lookups.last())
        else {
            return false;
        };
        let field = self.project.field(*field);
        let FieldType::Choice { choices, .. } = &field.ty else {
            return false;
        };
        if choices.iter().any(|c| c.key == *value) {
            return false;
        }
        let keys: Vec<&str> = choices.iter().map(|c| c.key.as_str()).collect();
        let d = Diagnostic::new(
            Code::TemplateTypeMismatch,
            literal_side.span,
            format!("`{}` is never \"{value}\"", expr_text(field_side)),
        )
        .with_label(format!("not a choice of `{}`", field.name))
        .with_secondary(field.span, format!("`{}` is declared here", field.name))
        .with_suggestion(value, "a choice", keys.iter().copied());
        let d = if d.help.is_some() {
            d
        } else {
            d.with_note(format!(
                "the choices are {}",
                keys.iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        };
        self.report(d);
        true
    }

    // ── {% url %} ───────────────────────────────────────────────────────────

    fn url(&mut self, w: &mut Walk, name: &FilterExpr, args: &[UrlArg], span: Span) {
        let typed: Vec<Option<Value>> = args
            .iter()
            .map(|arg| match arg {
                UrlArg::Positional(expr) => self.expr(w, expr),
                UrlArg::Keyword(binding) => self.expr(w, &binding.value),
            })
            .collect();
        let url_name = match (&name.base, name.filters.is_empty()) {
            (
                Operand::Str {
                    value,
                    translated: false,
                    ..
                },
                true,
            ) => value.clone(),
            _ => {
                self.report(
                    Diagnostic::new(
                        Code::NotConstant,
                        name.span,
                        "`{% url %}` needs the URL name in quotes",
                    )
                    .with_label("Django would look the name up at run time")
                    .with_help("write the name: `{% url \"post-detail\" post.slug %}`"),
                );
                return;
            }
        };
        let Some(&route_id) = self.project.url_names.get(&url_name) else {
            let d = Diagnostic::new(
                Code::UnknownUrlName,
                name.span,
                format!("no route is named `{url_name}`"),
            )
            .with_label("unknown URL name")
            .with_suggestion(
                &url_name,
                "a route",
                self.project.url_names.keys().map(String::as_str),
            );
            let d = if url_name.contains(':') && d.help.is_none() {
                d.with_note("djinn URL names are not namespaced: write the name without `app:`")
            } else {
                d
            };
            self.report(d);
            return;
        };
        let route = self.project.route(route_id);
        let params = &route.params;
        let positional = args
            .iter()
            .filter(|a| matches!(a, UrlArg::Positional(_)))
            .count();
        if positional > 0 && positional < args.len() {
            self.report(
                Diagnostic::new(
                    Code::UrlArgumentMismatch,
                    span,
                    format!("`{{% url \"{url_name}\" %}}` mixes positional and keyword arguments"),
                )
                .with_label("Django raises an error for this")
                .with_help("give all arguments by position, or all by name"),
            );
            return;
        }
        let mut assigned: Vec<Option<Span>> = vec![None; params.len()];
        let mut ok = true;
        for (position, (arg, value)) in args.iter().zip(&typed).enumerate() {
            let (index, expr) = match arg {
                UrlArg::Positional(expr) => {
                    if position >= params.len() {
                        self.report(
                            Diagnostic::new(
                                Code::UrlArgumentMismatch,
                                expr.span,
                                format!("unexpected argument for URL `{url_name}`"),
                            )
                            .with_label(format!(
                                "`{url_name}` takes {} argument{}",
                                params.len(),
                                plural(params.len())
                            ))
                            .with_secondary(
                                route.pattern_span,
                                format!("`{url_name}` is declared here"),
                            ),
                        );
                        ok = false;
                        continue;
                    }
                    (position, expr)
                }
                UrlArg::Keyword(binding) => {
                    match params.iter().position(|p| p.name == binding.name.name) {
                        Some(index) => {
                            if assigned[index].is_some() {
                                self.report(
                                    Diagnostic::new(
                                        Code::UrlArgumentMismatch,
                                        binding.name.span,
                                        format!("argument `{}` given twice", binding.name.name),
                                    )
                                    .with_label("given again here"),
                                );
                                ok = false;
                                continue;
                            }
                            (index, &binding.value)
                        }
                        None => {
                            self.report(
                                Diagnostic::new(
                                    Code::UrlArgumentMismatch,
                                    binding.name.span,
                                    format!(
                                        "URL `{url_name}` has no parameter `{}`",
                                        binding.name.name
                                    ),
                                )
                                .with_label("unknown parameter")
                                .with_secondary(
                                    route.pattern_span,
                                    format!("`{url_name}` is declared here"),
                                )
                                .with_suggestion(
                                    &binding.name.name,
                                    "a parameter",
                                    params.iter().map(|p| p.name.as_str()),
                                ),
                            );
                            ok = false;
                            continue;
                        }
                    }
                }
            };
            assigned[index] = Some(expr.span);
            let Some(value) = value else {
                ok = false;
                continue;
            };
            let param = &params[index];
            if let Some(problem) = url_argument_problem(param.converter, &value.ty, expr) {
                let found = match (&expr.base, expr.filters.is_empty()) {
                    (Operand::Str { value, .. }, true) => format!("`\"{value}\"`"),
                    _ => format!("`{}`", value.ty.describe(self.project)),
                };
                self.report(
                    Diagnostic::new(
                        Code::UrlArgumentMismatch,
                        expr.span,
                        format!(
                            "argument `{}` of URL `{url_name}` is {found}, {problem}",
                            param.name
                        ),
                    )
                    .with_label(format!(
                        "expected a value for `<{}:{}>`",
                        param.converter.name(),
                        param.name
                    ))
                    .with_secondary(param.span, "captured here"),
                );
                ok = false;
            }
        }
        let missing: Vec<usize> = (0..params.len())
            .filter(|&i| assigned[i].is_none())
            .collect();
        if !missing.is_empty() && ok {
            let names: Vec<String> = missing
                .iter()
                .map(|&i| format!("`{}`", params[i].name))
                .collect();
            let mut d = Diagnostic::new(
                Code::UrlArgumentMismatch,
                name.span,
                format!(
                    "missing argument{} {} for URL `{url_name}`",
                    plural(missing.len()),
                    names.join(", ")
                ),
            )
            .with_label(format!("{} not given", names.join(", ")))
            .with_help(format!(
                "pass {}: `{{% url \"{url_name}\" {} %}}`",
                if missing.len() == 1 { "it" } else { "them" },
                params
                    .iter()
                    .map(|p| format!("{}=…", p.name))
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
            for &i in &missing {
                d = d.with_secondary(
                    params[i].span,
                    format!("`{}` is captured here", params[i].name),
                );
            }
            self.report(d);
            return;
        }
        if ok {
            let args = assigned
                .into_iter()
                .map(|s| s.expect("all assigned"))
                .collect();
            self.out.renderings[w.rendering.0 as usize].urls.insert(
                span,
                UrlInfo {
                    route: route_id,
                    args,
                },
            );
        }
    }
}

// ── helpers ─────────────────────────────────────────────────────────────────

/// The templates Django's default error handlers render (`404.html`, …):
/// not rendered by a view, not reported as unused.
fn is_error_page(name: &str) -> bool {
    matches!(name, "400.html" | "403.html" | "404.html" | "500.html")
}

/// The binding of a name whose value did not type (already reported): a
/// failed JSON lookup accepts every use, so the name adds no more errors.
fn quiet_if_unknown(ty: Option<Type>) -> Binding {
    Binding::plain(ty.unwrap_or_else(|| Type::Json.fallible()))
}

fn plain(ty: Type) -> (OperandInfo, Value) {
    (
        OperandInfo {
            ty: ty.clone(),
            lookups: Vec::new(),
        },
        Value { ty, origin: None },
    )
}

/// Whether a value of this type holds model rows whose provenance matters.
fn carries_rows(ty: &Type) -> bool {
    match ty {
        Type::Optional(inner) | Type::Fallible(inner) | Type::List(inner) => carries_rows(inner),
        Type::Either(a, b) => carries_rows(a) || carries_rows(b),
        Type::Object(_) | Type::Manager(_) | Type::QuerySet(_) | Type::Page(_) => true,
        _ => false,
    }
}

/// Whether a value is a number or text, whichever of two types it is.
fn numeric_or_text(ty: &Type) -> bool {
    match ty.strip() {
        Type::Either(a, b) => numeric_or_text(a) && numeric_or_text(b),
        other => other.is_number() || other.is_text(),
    }
}

/// The type without `Optional`/`Fallible`, as `firstof` yields only a true value.
fn strip_absent(ty: Type) -> Type {
    match ty {
        Type::Optional(inner) | Type::Fallible(inner) => strip_absent(*inner),
        other => other,
    }
}

/// A number literal as Django reads it: a float when it has `.` or `e`.
fn number_type(text: &str) -> Result<Type, &'static str> {
    if text.ends_with('.') {
        return Err("Django reads a number ending in `.` as a variable name");
    }
    if text.contains('.') || text.contains('e') {
        return text
            .parse::<f64>()
            .map(|_| Type::Float)
            .map_err(|_| "Django reads this as a variable name");
    }
    text.parse::<i64>()
        .map(|_| Type::Int)
        .map_err(|_| "too large for a 64-bit integer")
}

/// Comparison categories: values of different categories are never equal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Category {
    Text,
    Number,
    Date,
    DateTime,
    Uuid,
    Object(crate::check::ir::ModelId),
    None,
    Any,
}

fn category(ty: &Type) -> Category {
    match ty.strip() {
        Type::Str | Type::SafeStr => Category::Text,
        Type::Int | Type::Float | Type::Decimal | Type::Bool => Category::Number,
        Type::Date => Category::Date,
        Type::DateTime => Category::DateTime,
        Type::Uuid => Category::Uuid,
        Type::Object(model) => Category::Object(*model),
        Type::None => Category::None,
        _ => Category::Any,
    }
}

/// Why a value cannot fill a URL parameter with this converter.
fn url_argument_problem(
    converter: ConverterType,
    ty: &Type,
    expr: &FilterExpr,
) -> Option<&'static str> {
    if ty.may_be_absent() {
        return Some("which may be none, but a URL needs a value");
    }
    if let (Operand::Str { value, .. }, true) = (&expr.base, expr.filters.is_empty()) {
        let matches = match converter {
            ConverterType::Int => !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()),
            ConverterType::Slug => {
                !value.is_empty()
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            }
            ConverterType::Str => !value.is_empty() && !value.contains('/'),
            ConverterType::Path => !value.is_empty(),
            ConverterType::Uuid => uuid::Uuid::try_parse(value)
                .is_ok_and(|_| value.len() == 36 && value == &value.to_lowercase()),
        };
        return (!matches).then_some("which its converter does not match: Django fails the page");
    }
    let fits = match converter {
        ConverterType::Int => *ty == Type::Int,
        ConverterType::Uuid => *ty == Type::Uuid,
        ConverterType::Str | ConverterType::Slug | ConverterType::Path => {
            matches!(ty, Type::Str | Type::SafeStr | Type::Int | Type::Uuid)
        }
    };
    (!fits).then_some(match converter {
        ConverterType::Int => "but the converter `int` needs an integer",
        ConverterType::Uuid => "but the converter `uuid` needs a UUID",
        _ => "but the converter needs text",
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
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

/// An operand as written (`post.author.name`, `"x"`).
fn operand_text(operand: &Operand) -> String {
    match operand {
        Operand::Variable { path, .. } => path
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join("."),
        Operand::Str { value, .. } => format!("\"{value}\""),
        Operand::Number { text, .. } => text.clone(),
    }
}

/// A filter expression as written, approximately (`post.title|upper`).
fn expr_text(expr: &FilterExpr) -> String {
    let mut text = operand_text(&expr.base);
    for call in &expr.filters {
        text.push('|');
        text.push_str(&call.name.name);
    }
    text
}
