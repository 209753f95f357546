//! Docs: the JSON views → an OpenAPI 3.1 document (`openapi.json`).
//!
//! Input: the checked [`Project`] and [`Settings`]. Output: a
//! `serde_json::Value` (keys sorted, so the text is deterministic). The
//! mapping, documented in `docs/docs-command.md`:
//!
//! - every route served by a `json …` view is a path; `<slug:slug>` becomes
//!   `{slug}`, a path parameter typed by its converter;
//! - `components/schemas/<Model>` is a row of the model as JSON (a relation
//!   is the related row's primary key, a many-to-many relation a list of
//!   them); `<view>_output` the object a view returns and `<view>_input`
//!   the body it accepts;
//! - keys across relations stay flattened, as the runtime writes them: the
//!   key of `author.name` is `"author.name"`; through a many relation
//!   (`tags.name`) it holds a list;
//! - a paginated list answers one page: `count`, `next`, `previous` and
//!   `results`, as Django REST framework's page-number pagination;
//! - 400 answers carry a `ValidationError` (field name → messages); 404
//!   (where a row or page may be missing, or a path parameter does not
//!   match its converter) and 403 (where access is restricted or a CSRF
//!   token is needed) carry an `Error` (`{"detail": …}`) when the client
//!   asks for JSON (`Accept: application/json`, or a JSON body), else the
//!   site's HTML error page — the runtime negotiates every error answer.

use super::build::{crosses_many, crosses_nullable, method_name, methods};
use crate::check::ir::{
    self, ConverterType, FieldPath, FieldType, GenericKind, HttpMethod, ModelId, Project,
    ReverseKind, Route, StepKind, View, ViewKind,
};
use crate::settings::Settings;
use serde_json::{Map, Value, json};

/// The OpenAPI document of the project's JSON views.
pub fn document(project: &Project, settings: &Settings) -> Value {
    let mut schemas = Map::new();
    for (index, model) in project.models.iter().enumerate() {
        schemas.insert(
            model.name.clone(),
            model_schema(project, ModelId(index as u32)),
        );
    }
    schemas.insert("ValidationError".into(), validation_error_schema());
    schemas.insert("Error".into(), error_schema());
    let mut paths: Map<String, Value> = Map::new();
    for view in &project.views {
        let ViewKind::Generic(generic) = &view.kind else {
            continue;
        };
        if !generic.json {
            continue;
        }
        let output = format!("{}_output", view.name);
        schemas.insert(
            output.clone(),
            object_schema(project, &generic.fields, true),
        );
        if matches!(generic.kind, GenericKind::Create | GenericKind::Update) {
            schemas.insert(
                format!("{}_input", view.name),
                object_schema(project, &generic.fields, false),
            );
            if generic.kind == GenericKind::Update {
                let mut partial = object_schema(project, &generic.fields, false);
                if let Some(object) = partial.as_object_mut() {
                    object.remove("required");
                }
                schemas.insert(format!("{}_partial_input", view.name), partial);
            }
        }
        let view_methods = methods(view);
        let several = view_methods.len() > 1 || view.routes.len() > 1;
        for (route_index, &route_id) in view.routes.iter().enumerate() {
            let route = project.route(route_id);
            let item = paths
                .entry(path_template(route))
                .or_insert_with(|| Value::Object(Map::new()));
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for &method in &view_methods {
                let key = method_name(method).to_lowercase();
                if item.contains_key(&key) {
                    // An earlier route with the same path answers first.
                    continue;
                }
                let mut operation_id = view.name.clone();
                if several {
                    operation_id.push('_');
                    operation_id.push_str(&key);
                }
                if route_index > 0 {
                    operation_id.push_str(&format!("_{}", route_index + 1));
                }
                let operation = operation(project, view, generic, route, method, operation_id);
                item.insert(key, operation);
            }
        }
    }
    let mut info = Map::new();
    info.insert("title".into(), json!(settings.project.name));
    info.insert("version".into(), json!("unversioned"));
    if let Some(description) = &settings.project.description {
        info.insert("description".into(), json!(description));
    }
    json!({
        "openapi": "3.1.0",
        "info": info,
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": settings.sessions.cookie_name,
                    "description": "The session cookie set when signing in (the admin's login page).",
                }
            }
        }
    })
}

/// The route's pattern with OpenAPI parameters: `/api/posts/{slug}/`.
pub(crate) fn path_template(route: &Route) -> String {
    let mut path = String::from("/");
    for segment in &route.segments {
        match segment {
            ir::Segment::Literal { text, .. } => path.push_str(text),
            ir::Segment::Param(index) => {
                let name = route
                    .params
                    .get(*index as usize)
                    .map_or("param", |p| p.name.as_str());
                path.push('{');
                path.push_str(name);
                path.push('}');
            }
        }
    }
    path
}

/// The type of a JSON key, in words, for the view pages.
pub(crate) fn json_key_type(project: &Project, path: &FieldPath) -> String {
    let last = path.steps.last().map(|step| step.kind);
    let leaf = match last {
        Some(StepKind::Field(id)) => {
            let field = project.field(id);
            match &field.ty {
                FieldType::ForeignKey(r) | FieldType::OneToOne(r) => {
                    format!("id of {}", project.model(r.target).name)
                }
                FieldType::ManyToMany(r) => format!("ids of {}", project.model(r.target).name),
                other => other.value_type().describe(project),
            }
        }
        Some(StepKind::Reverse(id)) => {
            format!("id of {}", project.model(project.reverse(id).model).name)
        }
        None => "object".to_string(),
    };
    let leaf_nullable = match last {
        Some(StepKind::Field(id)) => project.field(id).null,
        _ => false,
    };
    let leaf = if leaf_nullable || crosses_nullable(project, path) {
        format!("optional {leaf}")
    } else {
        leaf
    };
    if crosses_many(project, path) {
        format!("list of {leaf}")
    } else {
        leaf
    }
}

fn operation(
    project: &Project,
    view: &View,
    generic: &ir::GenericView,
    route: &Route,
    method: HttpMethod,
    operation_id: String,
) -> Value {
    let model = &project.model(generic.model).name;
    let mut op = Map::new();
    op.insert("operationId".into(), json!(operation_id));
    op.insert("tags".into(), json!([model]));
    let doc = view
        .doc
        .clone()
        .unwrap_or_else(|| format!("The `{}` view.", view.name));
    let summary = doc.lines().next().unwrap_or_default().to_string();
    op.insert("summary".into(), json!(summary));
    op.insert("description".into(), json!(doc));
    let mut parameters: Vec<Value> = route
        .params
        .iter()
        .map(|param| {
            json!({
                "name": param.name,
                "in": "path",
                "required": true,
                "description": format!("`<{}:{}>` in the URL pattern", param.converter.name(), param.name),
                "schema": converter_schema(param.converter),
            })
        })
        .collect();
    if generic.kind == GenericKind::List && generic.paginate.is_some() {
        parameters.push(json!({
            "name": "page",
            "in": "query",
            "required": false,
            "description": "The page number, from 1 (default 1); `last` is the last page.",
            "schema": {"anyOf": [{"type": "integer", "minimum": 1}, {"const": "last"}]},
        }));
    }
    let unsafe_method = !matches!(
        method,
        HttpMethod::Get | HttpMethod::Head | HttpMethod::Options
    );
    if unsafe_method {
        parameters.push(json!({
            "name": "X-CSRFToken",
            "in": "header",
            "required": false,
            "description": "The CSRF token; required when the request is authenticated by the session cookie.",
            "schema": {"type": "string"},
        }));
    }
    if !parameters.is_empty() {
        op.insert("parameters".into(), Value::Array(parameters));
    }
    let output_ref = schema_ref(&format!("{}_output", view.name));
    let input_name = match method {
        HttpMethod::Patch => format!("{}_partial_input", view.name),
        _ => format!("{}_input", view.name),
    };
    let mut responses = Map::new();
    let mut not_found = Vec::new();
    match generic.kind {
        GenericKind::List => {
            let description = match generic.paginate {
                Some(n) => format!("One page of rows (at most {n})."),
                None => "Every row.".to_string(),
            };
            let rows = json!({"type": "array", "items": output_ref});
            let body = match generic.paginate {
                Some(_) => page_schema(rows),
                None => rows,
            };
            responses.insert("200".into(), json_response(&description, body));
            if generic.paginate.is_some() {
                not_found.push("no such page");
            }
        }
        GenericKind::Detail => {
            responses.insert("200".into(), json_response("The row.", output_ref));
            not_found.push("no row matches");
        }
        GenericKind::Create => {
            op.insert("requestBody".into(), request_body(&input_name));
            responses.insert("201".into(), json_response("The row created.", output_ref));
            responses.insert("400".into(), validation_response());
        }
        GenericKind::Update => {
            op.insert("requestBody".into(), request_body(&input_name));
            responses.insert("200".into(), json_response("The row as saved.", output_ref));
            responses.insert("400".into(), validation_response());
            not_found.push("no row matches");
        }
        GenericKind::Delete => {
            responses.insert("204".into(), json!({"description": "The row was deleted."}));
            not_found.push("no row matches");
        }
    }
    if !route.params.is_empty() {
        // The route does not match at all: the site's 404.
        not_found.push("a path parameter does not match its converter");
    }
    if !not_found.is_empty() {
        let description = format!("Not found: {}.", not_found.join(", or "));
        responses.insert("404".into(), error_response(&description));
    }
    let access = &view.access;
    let restricted = access.login_required || access.staff_required || access.permission.is_some();
    if restricted {
        op.insert("security".into(), json!([{"session": []}]));
    }
    if restricted || unsafe_method {
        let mut reasons = Vec::new();
        if access.login_required || access.staff_required || access.permission.is_some() {
            reasons.push("not signed in");
        }
        if access.staff_required {
            reasons.push("not staff");
        }
        if access.permission.is_some() {
            reasons.push("missing the permission");
        }
        if unsafe_method {
            reasons.push("CSRF token missing or wrong");
        }
        responses.insert(
            "403".into(),
            error_response(&format!("Forbidden: {}.", reasons.join(", "))),
        );
    }
    op.insert("responses".into(), Value::Object(responses));
    Value::Object(op)
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn json_response(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

/// An error answer: `{"detail": …}` for clients that ask for JSON, the
/// site's error page (HTML) for the others.
fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {
            "application/json": {"schema": schema_ref("Error")},
            "text/html": {"schema": {"type": "string"}},
        },
    })
}

fn error_schema() -> Value {
    json!({
        "type": "object",
        "description": "An error, as Django REST framework answers it.",
        "properties": {"detail": {"type": "string", "description": "What went wrong."}},
        "required": ["detail"],
    })
}

/// One page of a paginated list: the rows and links to its neighbours.
fn page_schema(rows: Value) -> Value {
    json!({
        "type": "object",
        "properties": {
            "count": {"type": "integer", "minimum": 0, "description": "The number of rows of all pages."},
            "next": {
                "type": ["string", "null"],
                "format": "uri-reference",
                "description": "The next page's path and query; null on the last page.",
            },
            "previous": {
                "type": ["string", "null"],
                "format": "uri-reference",
                "description": "The previous page's path and query; null on the first page.",
            },
            "results": rows,
        },
        "required": ["count", "next", "previous", "results"],
    })
}

fn validation_response() -> Value {
    json_response(
        "The body is not valid: the errors per field.",
        schema_ref("ValidationError"),
    )
}

fn request_body(schema: &str) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": schema_ref(schema)}}})
}

fn validation_error_schema() -> Value {
    json!({
        "type": "object",
        "description": "Validation errors: each invalid field's name with its messages; errors of several fields together (unique sets, check constraints) under `non_field_errors`.",
        "properties": {
            "non_field_errors": {"type": "array", "items": {"type": "string"}},
        },
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    })
}

/// A URL parameter's schema, from its converter.
fn converter_schema(converter: ConverterType) -> Value {
    match converter {
        ConverterType::Int => json!({"type": "integer", "format": "int64", "minimum": 0}),
        ConverterType::Str => json!({"type": "string", "pattern": "^[^/]+$"}),
        ConverterType::Slug => json!({"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}),
        ConverterType::Uuid => json!({"type": "string", "format": "uuid"}),
        ConverterType::Path => json!({"type": "string", "minLength": 1}),
    }
}

/// A row of the model: every field, relations as keys.
fn model_schema(project: &Project, id: ModelId) -> Value {
    let model = project.model(id);
    let mut properties = Map::new();
    for field in &model.fields {
        properties.insert(field.name.clone(), field_schema(project, field));
    }
    let required: Vec<&str> = model.fields.iter().map(|f| f.name.as_str()).collect();
    let mut schema = json!({
        "type": "object",
        "title": model.verbose_name,
        "properties": properties,
        "required": required,
    });
    if let Some(doc) = &model.doc {
        schema["description"] = json!(doc);
    }
    schema
}

/// The object of a view: one key per path. `output` makes every key
/// required and includes relations' keys as they are read.
fn object_schema(project: &Project, paths: &[FieldPath], output: bool) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for path in paths {
        let key = project.path_text(path);
        let needed = output
            || path
                .last_field()
                .map(|id| project.field(id))
                .is_some_and(|f| !f.blank);
        if needed {
            required.push(key.clone());
        }
        let mut schema = key_schema(project, path);
        if !output && let Some(object) = schema.as_object_mut() {
            object.remove("readOnly");
        }
        properties.insert(key, schema);
    }
    json!({"type": "object", "properties": properties, "required": required})
}

/// The schema of one (possibly dotted) key.
fn key_schema(project: &Project, path: &FieldPath) -> Value {
    let leaf = match path.steps.last().map(|s| s.kind) {
        Some(StepKind::Field(id)) => field_schema(project, project.field(id)),
        Some(StepKind::Reverse(id)) => {
            let reverse = project.reverse(id);
            let key = pk_schema(project, reverse.model);
            match reverse.kind {
                ReverseKind::Many => json!({"type": "array", "items": key}),
                ReverseKind::One => nullable(key),
            }
        }
        None => json!({"type": "object"}),
    };
    let leaf = if crosses_nullable(project, path) {
        nullable(leaf)
    } else {
        leaf
    };
    if crosses_many(project, path) {
        json!({"type": "array", "items": leaf})
    } else {
        leaf
    }
}

/// The primary key of a model, as a relation's value.
fn pk_schema(project: &Project, model: ModelId) -> Value {
    let pk = project.model(model).pk();
    let mut schema = scalar_schema(project, &pk.ty);
    if let Some(object) = schema.as_object_mut() {
        object.remove("readOnly");
        object.insert(
            "description".into(),
            json!(format!("The id of a {}.", project.model(model).name)),
        );
    }
    schema
}

/// A field's value as JSON, `null` included when the field is nullable.
fn field_schema(project: &Project, field: &ir::Field) -> Value {
    let mut schema = scalar_schema(project, &field.ty);
    if let Some(object) = schema.as_object_mut() {
        object.insert("title".into(), json!(field.verbose_name));
        let description = field.help.as_ref().or(field.doc.as_ref());
        if let Some(text) = description {
            object.insert("description".into(), json!(text));
        }
        if !field.editable || field.auto_now || field.auto_now_add {
            object.insert("readOnly".into(), json!(true));
        }
    }
    if field.null { nullable(schema) } else { schema }
}

fn scalar_schema(project: &Project, ty: &FieldType) -> Value {
    match ty {
        FieldType::AutoId => json!({"type": "integer", "format": "int64", "readOnly": true}),
        FieldType::Int => json!({"type": "integer", "format": "int32"}),
        FieldType::BigInt => json!({"type": "integer", "format": "int64"}),
        FieldType::Float => json!({"type": "number", "format": "double"}),
        FieldType::Decimal { digits, places } => json!({
            "type": "string",
            "format": "decimal",
            "description": format!("A decimal number with up to {digits} digits, {places} after the point, as a string."),
        }),
        FieldType::Bool => json!({"type": "boolean"}),
        FieldType::String { max } => json!({"type": "string", "maxLength": max}),
        FieldType::Text => json!({"type": "string"}),
        FieldType::Slug { max } => {
            json!({"type": "string", "maxLength": max, "pattern": "^[-a-zA-Z0-9_]*$"})
        }
        FieldType::Email { max } => json!({"type": "string", "format": "email", "maxLength": max}),
        FieldType::Url { max } => json!({"type": "string", "format": "uri", "maxLength": max}),
        FieldType::Uuid => json!({"type": "string", "format": "uuid"}),
        FieldType::Date => json!({"type": "string", "format": "date"}),
        FieldType::DateTime => json!({"type": "string", "format": "date-time"}),
        FieldType::Json => json!({"description": "Any JSON value."}),
        FieldType::Choice { choices, .. } => {
            let keys: Vec<&str> = choices.iter().map(|c| c.key.as_str()).collect();
            json!({"type": "string", "enum": keys})
        }
        FieldType::ForeignKey(r) | FieldType::OneToOne(r) => pk_schema(project, r.target),
        FieldType::ManyToMany(r) => json!({"type": "array", "items": pk_schema(project, r.target)}),
    }
}

/// The schema accepting `null` too.
fn nullable(mut schema: Value) -> Value {
    let Some(object) = schema.as_object_mut() else {
        return schema;
    };
    match object.get("type").cloned() {
        Some(Value::String(ty)) => {
            object.insert("type".into(), json!([ty, "null"]));
            if let Some(Value::Array(values)) = object.get_mut("enum") {
                values.push(Value::Null);
            }
            schema
        }
        // Already nullable, or any JSON value.
        Some(_) | None => schema,
    }
}
