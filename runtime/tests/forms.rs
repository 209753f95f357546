//! Forms: validation, rendering and binding, compared with real Django.
//!
//! Input: `tests/forms_django/cases.json`, written by
//! `tests/forms_django/record.py` from true Django 6.1 ModelForms over models
//! with every djinn field type. Each recorded form is rebuilt from its
//! FormSpec (as the compiler would declare it), given the same initial
//! values, choices and submitted data, and every rendering (`{{ form }}`,
//! `as_p`, `as_table`, `as_ul`, each widget, label, hidden input, error
//! list) and every validation result (messages, codes, cleaned value) is
//! compared byte for byte; all mismatches are printed before failing.
//! Further tests cover request parsing (URL-encoded, multipart), JSON
//! binding, the template traits and arbitrary input.

use std::net::SocketAddr;

use djinn_runtime::Request;
use djinn_runtime::db::Value;
use djinn_runtime::forms::{
    Cleaned, FieldKind, FieldSpec, Form, FormData, FormSpec, FormValue, MAX_FIELDS, messages,
};
use djinn_runtime::http::{self, HeaderMap, HeaderValue, Method};
use djinn_runtime::template::compare::{self, ToPy};
use djinn_runtime::template::{DjangoStr, Truthy};
use serde_json::{Value as Json, json};

const CASES: &str = include_str!("forms_django/cases.json");

fn leak(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

fn opt_u32(value: &Json) -> Option<u32> {
    value.as_u64().map(|int| u32::try_from(int).expect("u32"))
}

/// A FieldSpec from the recorded spec JSON.
fn field_spec(spec: &Json) -> FieldSpec {
    let kind = &spec["kind"];
    let kind = match kind["type"].as_str().expect("kind type") {
        "Text" => FieldKind::Text {
            max_length: opt_u32(&kind["max_length"]),
        },
        "Textarea" => FieldKind::Textarea,
        "Email" => FieldKind::Email {
            max_length: opt_u32(&kind["max_length"]),
        },
        "Url" => FieldKind::Url {
            max_length: opt_u32(&kind["max_length"]),
        },
        "Slug" => FieldKind::Slug {
            max_length: opt_u32(&kind["max_length"]),
        },
        "Integer" => FieldKind::Integer {
            min: kind["min"].as_i64(),
            max: kind["max"].as_i64(),
        },
        "Float" => FieldKind::Float,
        "Decimal" => FieldKind::Decimal {
            max_digits: opt_u32(&kind["max_digits"]).expect("max_digits"),
            decimal_places: opt_u32(&kind["decimal_places"]).expect("decimal_places"),
        },
        "Boolean" => FieldKind::Boolean,
        "Date" => FieldKind::Date,
        "DateTime" => FieldKind::DateTime,
        "Uuid" => FieldKind::Uuid,
        "Json" => FieldKind::Json,
        "Choice" => {
            let choices: Vec<(&'static str, &'static str)> = kind["choices"]
                .as_array()
                .expect("choices")
                .iter()
                .map(|pair| {
                    (
                        leak(pair[0].as_str().expect("key")),
                        leak(pair[1].as_str().expect("label")),
                    )
                })
                .collect();
            FieldKind::Choice {
                choices: Box::leak(choices.into_boxed_slice()),
            }
        }
        "ForeignKey" => FieldKind::ForeignKey,
        "ManyToMany" => FieldKind::ManyToMany,
        other => panic!("unknown kind {other}"),
    };
    FieldSpec {
        name: leak(spec["name"].as_str().expect("name")),
        label: leak(spec["label"].as_str().expect("label")),
        help_text: leak(spec["help_text"].as_str().expect("help_text")),
        required: spec["required"].as_bool().expect("required"),
        kind,
    }
}

/// A db::Value from the recorded tagged JSON.
fn db_value(value: &Json) -> Value {
    if value.is_null() {
        return Value::Null;
    }
    let (tag, inner) = value
        .as_object()
        .and_then(|map| map.iter().next())
        .expect("tagged value");
    match tag.as_str() {
        "int" => Value::Int(inner.as_i64().expect("int")),
        "float" => Value::Float(inner.as_f64().expect("float")),
        "bool" => Value::Bool(inner.as_bool().expect("bool")),
        "text" => Value::Text(inner.as_str().expect("text").to_owned()),
        "decimal" => Value::decimal(inner.as_str().expect("decimal")).expect("decimal"),
        "date" => Value::Date(inner.as_str().expect("date").parse().expect("date")),
        "datetime" => Value::DateTime(inner.as_str().expect("datetime").parse().expect("datetime")),
        "uuid" => Value::Uuid(inner.as_str().expect("uuid").parse().expect("uuid")),
        "json" => Value::Json(inner.clone()),
        other => panic!("unknown tag {other}"),
    }
}

/// Python's `datetime.isoformat()`.
fn isoformat(datetime: &djinn_runtime::jiff::civil::DateTime) -> String {
    let mut text = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        datetime.year(),
        datetime.month(),
        datetime.day(),
        datetime.hour(),
        datetime.minute(),
        datetime.second()
    );
    let micros = datetime.subsec_nanosecond() / 1000;
    if micros != 0 {
        text.push_str(&format!(".{micros:06}"));
    }
    text
}

/// A db::Value in the recorded tagged JSON.
fn tagged(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Int(int) => json!({ "int": int }),
        Value::Float(float) => json!({ "float": float }),
        Value::Bool(flag) => json!({ "bool": flag }),
        Value::Text(text) => json!({ "text": text }),
        Value::Decimal(text) => json!({ "decimal": text }),
        Value::Date(date) => json!({ "date": date.to_string() }),
        Value::DateTime(datetime) => json!({ "datetime": isoformat(datetime) }),
        Value::Uuid(uuid) => json!({ "uuid": uuid.hyphenated().to_string() }),
        Value::Json(document) => json!({ "json": document }),
        Value::Bytes(_) => panic!("no bytes in forms"),
    }
}

fn tagged_cleaned(cleaned: &Cleaned) -> Json {
    match cleaned {
        Cleaned::Value(value) => tagged(value),
        Cleaned::Values(values) => {
            let mut items: Vec<Json> = values.iter().map(tagged).collect();
            items.sort_by_key(|item| item["int"].as_i64());
            Json::Array(items)
        }
    }
}

/// A FormValue in the recorded encoding of Python values.
fn tagged_form_value(value: &FormValue) -> Json {
    match value {
        FormValue::None => Json::Null,
        FormValue::Text(text) => json!({ "text": text }),
        FormValue::Bool(flag) => json!({ "bool": flag }),
        FormValue::Int(int) => json!({ "int": int }),
        FormValue::Float(float) => json!({ "float": float }),
        FormValue::Decimal(_) => json!({ "decimal": value.python_str() }),
        FormValue::Date(date) => json!({ "date": date.to_string() }),
        FormValue::DateTime(datetime) => json!({ "datetime": isoformat(datetime) }),
        FormValue::List(items) => Json::Array(items.iter().map(tagged_form_value).collect()),
    }
}

fn html(write: impl FnOnce(&mut String)) -> String {
    let mut out = String::new();
    write(&mut out);
    out
}

struct Recorded {
    all: Json,
}

impl Recorded {
    fn load() -> Recorded {
        Recorded {
            all: serde_json::from_str(CASES).expect("cases.json"),
        }
    }

    fn spec(&self, names: &[&str]) -> &'static FormSpec {
        let fields: Vec<FieldSpec> = names
            .iter()
            .map(|name| field_spec(&self.all["specs"][*name]))
            .collect();
        Box::leak(Box::new(FormSpec {
            model_verbose_name: leak(self.all["model_verbose_name"].as_str().expect("name")),
            fields: Box::leak(fields.into_boxed_slice()),
        }))
    }

    /// A form over `names` with the defaults and relation choices Django had.
    fn form(&self, names: &[&str]) -> Form {
        let spec = self.spec(names);
        let mut form = Form::new(spec);
        for name in names {
            if let Some(default) = self.all["specs"][*name].get("default") {
                form = form.with_default(name, db_value(default));
            }
        }
        for name in names {
            if let Some(choices) = self.all["choices"].get(*name) {
                let choices = choices
                    .as_array()
                    .expect("choices")
                    .iter()
                    .map(|pair| {
                        (
                            pair[0].as_str().expect("pk").to_owned(),
                            pair[1].as_str().expect("label").to_owned(),
                        )
                    })
                    .collect();
                form.set_choices(name, choices);
            }
        }
        form
    }
}

fn pairs(data: &Json) -> Vec<(String, String)> {
    data.as_array()
        .expect("pairs")
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().expect("key").to_owned(),
                pair[1].as_str().expect("value").to_owned(),
            )
        })
        .collect()
}

fn check(failures: &mut Vec<String>, case: &str, what: &str, actual: &str, expected: &str) {
    if actual != expected {
        failures.push(format!(
            "{case}: {what}\n--- django\n{expected}\n--- djinn\n{actual}\n"
        ));
    }
}

fn check_json(failures: &mut Vec<String>, case: &str, what: &str, actual: &Json, expected: &Json) {
    if actual != expected {
        failures.push(format!(
            "{case}: {what}\n--- django\n{expected}\n--- djinn\n{actual}\n"
        ));
    }
}

#[test]
fn forms_render_and_validate_like_django() {
    let recorded = Recorded::load();
    assert_eq!(recorded.all["django"], "6.1.3");
    let mut failures = Vec::new();
    let cases = recorded.all["render"].as_array().expect("render cases");
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let names: Vec<&str> = case["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .map(|field| field.as_str().expect("field"))
            .collect();
        let mut form = recorded.form(&names);
        for (field, value) in case["initial"].as_object().expect("initial") {
            form = match value {
                Json::Array(items) => {
                    form.with_initial_many(field, items.iter().map(db_value).collect())
                }
                other => form.with_initial(field, db_value(other)),
            };
        }
        if !case["data"].is_null() {
            form.bind(FormData::from_pairs(pairs(&case["data"])));
            let valid = form.validate();
            check_json(
                failures.as_mut(),
                name,
                "is_valid",
                &json!(valid),
                &case["is_valid"],
            );
            let mut cleaned = serde_json::Map::new();
            for (field, value) in form.cleaned_fields() {
                cleaned.insert(field.to_owned(), tagged_cleaned(value));
            }
            check_json(
                &mut failures,
                name,
                "cleaned",
                &Json::Object(cleaned),
                &case["cleaned"],
            );
        }
        for error in case["add_errors"].as_array().expect("add_errors") {
            form.add_error(error[0].as_str(), error[1].as_str().expect("message"));
        }
        check_json(
            &mut failures,
            name,
            "is_valid after add_error",
            &json!(form.is_valid()),
            &case["is_valid_after"],
        );
        let output = &case["output"];
        let expect = |key: &str| output[key].as_str().expect(key).to_owned();
        check(
            &mut failures,
            name,
            "str(form)",
            &html(|out| form.render_div(out)),
            &expect("div"),
        );
        check(
            &mut failures,
            name,
            "as_div",
            &html(|out| form.write_str(out)),
            &expect("as_div"),
        );
        check(
            &mut failures,
            name,
            "as_p",
            &html(|out| form.render_p(out)),
            &expect("p"),
        );
        check(
            &mut failures,
            name,
            "as_table",
            &html(|out| form.render_table(out)),
            &expect("table"),
        );
        check(
            &mut failures,
            name,
            "as_ul",
            &html(|out| form.render_ul(out)),
            &expect("ul"),
        );
        check(
            &mut failures,
            name,
            "str(errors)",
            &html(|out| form.errors().write_str(out)),
            &expect("errors"),
        );
        check(
            &mut failures,
            name,
            "errors.as_text",
            &html(|out| form.errors().as_text(out)),
            &expect("errors_text"),
        );
        check(
            &mut failures,
            name,
            "errors.as_ul",
            &html(|out| form.errors().as_ul(out)),
            &expect("errors_ul"),
        );
        check(
            &mut failures,
            name,
            "errors.as_json",
            &html(|out| form.errors().as_json(out)),
            &expect("errors_django_json"),
        );
        check(
            &mut failures,
            name,
            "non_field_errors",
            &html(|out| form.non_field_errors().write_str(out)),
            &expect("non_field_errors"),
        );
        check(
            &mut failures,
            name,
            "non_field_errors.as_text",
            &html(|out| form.non_field_errors().as_text(out)),
            &expect("non_field_errors_text"),
        );
        check_json(
            &mut failures,
            name,
            "is_bound",
            &json!(form.is_bound()),
            &output["is_bound"],
        );
        for field_name in &names {
            let field = form.field(field_name).expect("field");
            let recorded_field = &output["fields"][*field_name];
            let what = |item: &str| format!("{field_name}: {item}");
            let expect = |key: &str| recorded_field[key].as_str().expect(key).to_owned();
            check(
                &mut failures,
                name,
                &what("str(field)"),
                &html(|out| field.write_str(out)),
                &expect("widget"),
            );
            check(
                &mut failures,
                name,
                &what("label_tag"),
                &html(|out| field.label_tag(out)),
                &expect("label_tag"),
            );
            check(
                &mut failures,
                name,
                &what("legend_tag"),
                &html(|out| field.legend_tag(out)),
                &expect("legend_tag"),
            );
            check(
                &mut failures,
                name,
                &what("as_hidden"),
                &html(|out| field.as_hidden(out)),
                &expect("as_hidden"),
            );
            check(
                &mut failures,
                name,
                &what("errors"),
                &html(|out| field.errors().write_str(out)),
                &expect("errors"),
            );
            check(
                &mut failures,
                name,
                &what("errors.as_text"),
                &html(|out| field.errors().as_text(out)),
                &expect("errors_text"),
            );
            check(
                &mut failures,
                name,
                &what("as_field_group"),
                &html(|out| field.as_field_group(out)),
                &expect("field_group"),
            );
            check(
                &mut failures,
                name,
                &what("widget_type"),
                field.widget_type(),
                &expect("widget_type"),
            );
            check(
                &mut failures,
                name,
                &what("id_for_label"),
                &field.id_for_label(),
                &expect("id_for_label"),
            );
            check(
                &mut failures,
                name,
                &what("auto_id"),
                &field.auto_id(),
                &expect("auto_id"),
            );
            check(
                &mut failures,
                name,
                &what("html_name"),
                field.html_name(),
                &expect("html_name"),
            );
            check(
                &mut failures,
                name,
                &what("label"),
                field.label(),
                &expect("label"),
            );
            check(
                &mut failures,
                name,
                &what("css_classes"),
                field.css_classes(),
                &expect("css_classes"),
            );
            check_json(
                &mut failures,
                name,
                &what("value()"),
                &tagged_form_value(&field.value()),
                &recorded_field["value"],
            );
            check_json(
                &mut failures,
                name,
                &what("data"),
                &tagged_form_value(&field.data()),
                &recorded_field["data"],
            );
        }
    }
    for failure in &failures {
        eprintln!("{failure}");
    }
    assert!(
        failures.is_empty(),
        "{} mismatches with Django",
        failures.len()
    );
}

#[test]
fn each_field_validates_like_django() {
    let recorded = Recorded::load();
    let mut failures = Vec::new();
    let cases = recorded.all["validation"]
        .as_array()
        .expect("validation cases");
    assert!(cases.len() > 250);
    for case in cases {
        let field = case["field"].as_str().expect("field");
        let input = &case["input"];
        let label = format!("{field} <- {input}");
        let mut form = recorded.form(&[field]);
        let data = match input {
            Json::Null => Vec::new(),
            Json::Array(items) => items
                .iter()
                .map(|item| (field.to_owned(), item.as_str().expect("item").to_owned()))
                .collect(),
            other => vec![(field.to_owned(), other.as_str().expect("input").to_owned())],
        };
        form.bind(FormData::from_pairs(data));
        let valid = form.validate();
        let errors: Vec<Json> = form
            .errors()
            .get(field)
            .map(|list| list.iter().map(|message| json!(message)).collect())
            .unwrap_or_default();
        let codes: Vec<Json> = form
            .errors()
            .get(field)
            .map(|list| {
                list.errors()
                    .iter()
                    .map(|error| json!(error.code))
                    .collect()
            })
            .unwrap_or_default();
        check_json(
            &mut failures,
            &label,
            "errors",
            &Json::Array(errors),
            &case["errors"],
        );
        check_json(
            &mut failures,
            &label,
            "codes",
            &Json::Array(codes),
            &case["codes"],
        );
        let cleaned = form.cleaned(field).map_or(Json::Null, tagged_cleaned);
        check_json(&mut failures, &label, "cleaned", &cleaned, &case["cleaned"]);
        check_json(
            &mut failures,
            &label,
            "valid",
            &json!(valid),
            &json!(case["errors"].as_array().is_some_and(Vec::is_empty)),
        );
        let widget = html(|out| form.field(field).expect("field").as_widget(out));
        check(
            &mut failures,
            &label,
            "widget",
            &widget,
            case["widget"].as_str().expect("widget"),
        );
    }
    for failure in &failures {
        eprintln!("{failure}");
    }
    assert!(
        failures.is_empty(),
        "{} mismatches with Django",
        failures.len()
    );
}

fn post_request(content_type: Option<&str>, body: &[u8]) -> Request {
    let mut headers = HeaderMap::new();
    if let Some(content_type) = content_type {
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).expect("header"),
        );
    }
    Request::new(
        Method::POST,
        "/form/".parse().expect("uri"),
        headers,
        djinn_runtime::Bytes::copy_from_slice(body),
        SocketAddr::from(([127, 0, 0, 1], 4000)),
    )
    .expect("request")
}

#[test]
fn urlencoded_bodies_keep_order_and_repeated_names() {
    let request = post_request(
        Some("application/x-www-form-urlencoded; charset=UTF-8"),
        b"title=a+b%26c&tags=1&tags=2&flag&mark=%E2%9C%93&bad=%FF&tags=3",
    );
    let data = FormData::from_request(&request).expect("form data");
    assert_eq!(data.get("title"), Some("a b&c"));
    assert_eq!(data.get_all("tags"), ["1", "2", "3"]);
    // Django's QueryDict.get gives the last value of a repeated name.
    assert_eq!(data.get("tags"), Some("3"));
    assert_eq!(data.get("flag"), Some(""));
    assert_eq!(data.get("mark"), Some("✓"));
    assert_eq!(data.get("bad"), Some("\u{fffd}"));
    assert_eq!(data.get("missing"), None);
    assert!(data.get_all("missing").is_empty());
}

#[test]
fn multipart_bodies_are_read_and_files_skipped() {
    let body = concat!(
        "--XyZ\r\n",
        "Content-Disposition: form-data; name=\"title\"\r\n\r\n",
        "Hello <b>\r\nsecond line\r\n",
        "--XyZ\r\n",
        "Content-Disposition: form-data; name=\"tags\"\r\n\r\n",
        "1\r\n",
        "--XyZ\r\n",
        "Content-Disposition: form-data; name=\"upload\"; filename=\"a.txt\"\r\n",
        "Content-Type: text/plain\r\n\r\n",
        "file content\r\n",
        "--XyZ\r\n",
        "Content-Disposition: form-data; name=\"tags\"\r\n\r\n",
        "2\r\n",
        "--XyZ--\r\n",
    );
    let request = post_request(Some("multipart/form-data; boundary=XyZ"), body.as_bytes());
    let data = FormData::from_request(&request).expect("multipart");
    assert_eq!(
        data.pairs(),
        [
            ("title".to_owned(), "Hello <b>\r\nsecond line".to_owned()),
            ("tags".to_owned(), "1".to_owned()),
            ("tags".to_owned(), "2".to_owned()),
        ]
    );
    assert_eq!(data.get_all("tags"), ["1", "2"]);
    assert!(!data.contains("upload"));

    let truncated = post_request(
        Some("multipart/form-data; boundary=XyZ"),
        b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end",
    );
    let error = FormData::from_request(&truncated).expect_err("truncated body");
    assert_eq!(error.status(), http::StatusCode::BAD_REQUEST);
    let no_boundary = post_request(Some("multipart/form-data"), b"");
    assert_eq!(
        FormData::from_request(&no_boundary)
            .expect_err("no boundary")
            .status(),
        http::StatusCode::BAD_REQUEST
    );
}

#[test]
fn other_bodies_are_refused_and_missing_ones_are_empty() {
    let json = post_request(Some("application/json"), br#"{"title": "x"}"#);
    let error = FormData::from_request(&json).expect_err("JSON is not form data");
    assert_eq!(error.status(), http::StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let none = post_request(None, b"title=x");
    assert!(
        FormData::from_request(&none)
            .expect("no content type")
            .is_empty()
    );
}

#[test]
fn too_many_fields_are_a_bad_request() {
    let body = "a=1&".repeat(MAX_FIELDS + 1);
    let request = post_request(Some("application/x-www-form-urlencoded"), body.as_bytes());
    let error = FormData::from_request(&request).expect_err("too many fields");
    assert_eq!(error.status(), http::StatusCode::BAD_REQUEST);
    let body = "a=1&".repeat(MAX_FIELDS);
    let request = post_request(Some("application/x-www-form-urlencoded"), body.as_bytes());
    assert_eq!(
        FormData::from_request(&request)
            .expect("limit")
            .pairs()
            .len(),
        MAX_FIELDS
    );
}

static ARTICLE: FormSpec = FormSpec {
    model_verbose_name: "blog post",
    fields: &[
        FieldSpec {
            name: "title",
            label: "Title",
            help_text: "",
            required: true,
            kind: FieldKind::Text {
                max_length: Some(10),
            },
        },
        FieldSpec {
            name: "views",
            label: "Views",
            help_text: "",
            required: false,
            kind: FieldKind::Integer {
                min: Some(-2_147_483_648),
                max: Some(2_147_483_647),
            },
        },
        FieldSpec {
            name: "price",
            label: "Price",
            help_text: "",
            required: false,
            kind: FieldKind::Decimal {
                max_digits: 5,
                decimal_places: 2,
            },
        },
        FieldSpec {
            name: "featured",
            label: "Featured",
            help_text: "",
            required: false,
            kind: FieldKind::Boolean,
        },
        FieldSpec {
            name: "status",
            label: "Status",
            help_text: "",
            required: true,
            kind: FieldKind::Choice {
                choices: &[("draft", "Draft"), ("published", "Published")],
            },
        },
        FieldSpec {
            name: "author",
            label: "Author",
            help_text: "",
            required: true,
            kind: FieldKind::ForeignKey,
        },
        FieldSpec {
            name: "tags",
            label: "Tags",
            help_text: "",
            required: false,
            kind: FieldKind::ManyToMany,
        },
        FieldSpec {
            name: "meta",
            label: "Meta",
            help_text: "",
            required: false,
            kind: FieldKind::Json,
        },
        FieldSpec {
            name: "published_at",
            label: "Published at",
            help_text: "",
            required: false,
            kind: FieldKind::DateTime,
        },
    ],
};

fn article() -> Form {
    let mut form = Form::new(&ARTICLE)
        .with_default("status", Value::Text("draft".into()))
        .with_default("featured", Value::Bool(true));
    form.set_choices(
        "author",
        vec![("1".into(), "Ann".into()), ("2".into(), "Bob".into())],
    );
    form.set_choices(
        "tags",
        vec![("5".into(), "rust".into()), ("6".into(), "web".into())],
    );
    form
}

fn cleaned_value<'a>(form: &'a Form, field: &str) -> Option<&'a Value> {
    form.cleaned(field).and_then(Cleaned::value)
}

#[test]
fn json_bodies_bind_typed_values() {
    let mut form = article();
    form.bind_json(
        &json!({
            "title": "  Hi  ",
            "views": 42,
            "price": 9.5,
            "featured": "yes",
            "status": "published",
            "author": 2,
            "tags": [6, "5", 6],
            "meta": {"b": [1, 2.5], "a": null},
            "published_at": "2024-03-05T14:30:00+01:00",
            "unknown": "ignored",
        }),
        false,
    )
    .expect("object");
    assert!(form.validate(), "{}", form.errors_json());
    assert_eq!(
        cleaned_value(&form, "title"),
        Some(&Value::Text("Hi".into()))
    );
    assert_eq!(cleaned_value(&form, "views"), Some(&Value::Int(42)));
    assert_eq!(
        cleaned_value(&form, "price"),
        Some(&Value::Decimal("9.50".into()))
    );
    assert_eq!(cleaned_value(&form, "featured"), Some(&Value::Bool(true)));
    assert_eq!(cleaned_value(&form, "author"), Some(&Value::Int(2)));
    assert_eq!(
        form.cleaned("tags").map(Cleaned::values),
        Some(&[Value::Int(6), Value::Int(5)][..])
    );
    assert_eq!(
        cleaned_value(&form, "meta"),
        Some(&Value::Json(json!({"b": [1, 2.5], "a": null})))
    );
    assert_eq!(
        cleaned_value(&form, "published_at"),
        Some(&Value::DateTime(
            "2024-03-05T13:30:00".parse().expect("datetime")
        ))
    );
}

#[test]
fn json_errors_use_django_messages_in_drf_shape() {
    let mut form = article();
    form.bind_json(
        &json!({
            "title": ["not", "text"],
            "views": true,
            "price": "12345",
            "featured": "maybe",
            "status": "gone",
            "author": 9,
            "tags": "5",
            "meta": "\u{0}",
        }),
        false,
    )
    .expect("object");
    assert!(!form.validate());
    form.add_unique_together_error(&["author", "title"]);
    assert_eq!(
        form.errors_json(),
        json!({
            "title": [messages::NOT_A_STRING],
            "views": ["Enter a whole number."],
            "price": ["Ensure that there are no more than 3 digits before the decimal point."],
            "featured": [messages::NOT_A_BOOLEAN],
            "status": ["Select a valid choice. gone is not one of the available choices."],
            "author": ["Select a valid choice. That choice is not one of the available choices."],
            "tags": ["Enter a list of values."],
            "meta": ["Null characters are not allowed."],
            "non_field_errors": ["Blog post with this Author and Title already exists."],
        })
    );
    assert!(form.has_error("title") && !form.has_error("published_at"));
    assert_eq!(
        form.cleaned("published_at").and_then(Cleaned::value),
        Some(&Value::Null)
    );
    assert_eq!(form.cleaned("title"), None);

    let error = article()
        .bind_json(&json!(["title"]), false)
        .expect_err("array body");
    assert_eq!(error.status(), http::StatusCode::BAD_REQUEST);
}

#[test]
fn json_binds_treat_absent_and_null_fields_like_drf() {
    // Create (POST): absent required fields are errors, absent optional
    // ones take their defaults; null is an empty value.
    let mut form = article();
    form.bind_json(
        &json!({"title": "x", "author": "1", "tags": null, "views": null}),
        false,
    )
    .expect("object");
    assert!(!form.validate());
    assert_eq!(form.errors().keys(), ["status"]);
    assert_eq!(cleaned_value(&form, "featured"), Some(&Value::Bool(true)));
    assert_eq!(cleaned_value(&form, "views"), Some(&Value::Null));
    assert_eq!(form.cleaned("tags").map(Cleaned::values), Some(&[][..]));

    // Update (PATCH): only the fields sent are cleaned.
    let mut form = article().with_initial("title", Value::Text("Old".into()));
    form.bind_json(&json!({"views": "7", "featured": false}), true)
        .expect("object");
    assert!(form.validate(), "{}", form.errors_json());
    assert_eq!(cleaned_value(&form, "views"), Some(&Value::Int(7)));
    assert_eq!(cleaned_value(&form, "featured"), Some(&Value::Bool(false)));
    assert_eq!(form.cleaned("title"), None);
    assert_eq!(form.cleaned("status"), None);
    let names: Vec<&str> = form
        .cleaned_fields()
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(names, ["views", "featured"]);
}

#[test]
fn submitted_values_are_redisplayed_escaped() {
    let mut form = article();
    let injection = "<script>\"&'";
    form.bind(FormData::from_pairs(vec![
        ("title".into(), injection.into()),
        ("meta".into(), r#"{"<script>\"&'": 1}"#.into()),
        ("status".into(), injection.into()),
    ]));
    assert!(!form.validate());
    let title = html(|out| form.field("title").expect("title").as_widget(out));
    assert_eq!(
        title,
        "<input type=\"text\" name=\"title\" value=\"&lt;script&gt;&quot;&amp;&#x27;\" \
         maxlength=\"10\" required aria-invalid=\"true\" aria-describedby=\"id_title_error\" id=\"id_title\">"
    );
    let meta = html(|out| form.field("meta").expect("meta").as_widget(out));
    assert_eq!(
        meta,
        "<textarea name=\"meta\" cols=\"40\" rows=\"10\" id=\"id_meta\">\n\
         {&quot;&lt;script&gt;\\&quot;&amp;&#x27;&quot;: 1}</textarea>"
    );
    let errors = html(|out| {
        form.field("status")
            .expect("status")
            .errors()
            .write_str(out)
    });
    assert_eq!(
        errors,
        "<ul class=\"errorlist\" id=\"id_status_error\"><li>Select a valid choice. \
         &lt;script&gt;&quot;&amp;&#x27; is not one of the available choices.</li></ul>"
    );
    let page = html(|out| form.render_div(out));
    assert!(!page.contains("<script>"));
}

#[test]
fn added_errors_drop_cleaned_values() {
    let mut form = article();
    form.bind(FormData::from_pairs(vec![
        ("title".into(), "Hello".into()),
        ("status".into(), "draft".into()),
        ("author".into(), "1".into()),
    ]));
    assert!(form.validate());
    assert!(form.is_valid());
    assert!(form.cleaned("title").is_some());
    form.add_unique_error("title");
    form.add_constraint_error("title_not_hello");
    form.add_error(Some("no_such_field"), "Filed with the non-field errors.");
    assert!(!form.is_valid());
    assert_eq!(form.cleaned("title"), None);
    assert!(form.cleaned("author").is_some());
    assert_eq!(
        html(|out| form.errors().as_text(out)),
        "* title\n  * Blog post with this Title already exists.\n\
         * __all__\n  * Constraint “title_not_hello” is violated.\n  * Filed with the non-field errors."
    );
    assert_eq!(
        html(|out| form.non_field_errors().write_str(out)),
        "<ul class=\"errorlist nonfield\"><li>Constraint “title_not_hello” is violated.</li>\
         <li>Filed with the non-field errors.</li></ul>"
    );
    assert_eq!(
        html(|out| form.errors().as_json(out)),
        "{\"title\": [{\"message\": \"Blog post with this Title already exists.\", \"code\": \"unique\"}], \
         \"__all__\": [{\"message\": \"Constraint \\u201ctitle_not_hello\\u201d is violated.\", \"code\": \"\"}, \
         {\"message\": \"Filed with the non-field errors.\", \"code\": \"\"}]}"
    );
    // Validating again starts over.
    assert!(form.validate());
}

#[test]
fn unbound_forms_are_never_valid() {
    let mut form = article();
    assert!(!form.is_bound());
    assert!(!form.validate());
    assert!(!form.is_valid());
    assert!(form.errors().is_empty());
    assert_eq!(form.cleaned("title"), None);
    assert!(form.field("nope").is_none());
}

#[test]
fn template_traits_follow_python() {
    let mut form = article();
    assert!(form.is_html_safe() && form.is_truthy());
    let field = form.field("title").expect("title");
    assert!(field.is_html_safe() && field.is_truthy());
    assert!(!field.errors().is_truthy());
    assert!(!form.errors().is_truthy());
    assert_eq!(
        html(|out| form.write_repr(out)),
        "<Form bound=False, valid=Unknown, fields=(title;views;price;featured;status;author;tags;meta;published_at)>"
    );
    form.bind(FormData::from_pairs(vec![("title".into(), "it's".into())]));
    form.validate();
    let errors = form.errors();
    assert!(errors.is_truthy() && errors.is_html_safe());
    assert_eq!(
        html(|out| errors.write_repr(out)),
        "{'status': ['This field is required.'], 'author': ['This field is required.']}"
    );
    let status = form.field("status").expect("status");
    assert!(status.errors().is_truthy());
    assert_eq!(status.errors().get(0), Some("This field is required."));
    assert_eq!(
        html(|out| status.errors().write_repr(out)),
        "['This field is required.']"
    );
    let title = form.field("title").expect("title");
    assert_eq!(title.value(), FormValue::Text("it's".into()));
    // `{% if %}` comparisons see Python values.
    assert!(compare::eq(&title.value().to_py(), &"it's".to_py()));
    assert!(compare::contains(&"status".to_py(), &errors.to_py()));
    assert!(!compare::contains(&"title".to_py(), &errors.to_py()));
    assert!(compare::contains(
        &messages::REQUIRED.to_py(),
        &status.errors().to_py()
    ));
    assert_eq!(html(|out| title.value().write_repr(out)), "\"it's\"");
    assert_eq!(
        form.field_spec("status").map(|spec| spec.label),
        Some("Status")
    );
    assert!(!form.field_spec("status").expect("status").disabled());
    assert_eq!(form.visible_fields().len(), 9);
    assert!(form.hidden_fields().is_empty());
    assert_eq!(html(|out| form.media(out)), "");
    // The initial values of an unbound form print as Python objects.
    let form = article()
        .with_initial("price", Value::Decimal("0.0000001".into()))
        .with_initial(
            "published_at",
            Value::DateTime("2024-03-05T14:30:15.5".parse().expect("dt")),
        );
    let price = form.field("price").expect("price").value();
    assert_eq!(html(|out| price.write_str(out)), "1E-7");
    let published = form.field("published_at").expect("published_at").value();
    assert_eq!(html(|out| published.write_str(out)), "2024-03-05 14:30:15");
    assert_eq!(
        html(|out| published.write_localized(out)),
        "March 5, 2024, 2:30 p.m."
    );
}

/// A small deterministic generator (xorshift), so the test needs no crate.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const WEIRD: &[&str] = &[
    "",
    " ",
    "\0",
    "\u{1c}",
    "\u{feff}",
    "0",
    "-0",
    "+",
    "-",
    "_",
    ".",
    "e",
    "E5",
    "1e-999999999999",
    "1e999999999999999999999",
    "0e999999999999999999",
    "-0E+9999999",
    "١",
    "𝟗",
    "٣.٠",
    "NaN",
    "sNaN7",
    "-inf",
    "Infinity",
    "1_000_000",
    "0x1f",
    "0b1",
    "1.",
    ".0",
    "2024-02-29",
    "2023-02-29",
    "0000-01-01",
    "9999-12-31T23:59:59.999999-23:59",
    "9999-12-31 23:59:59+00:01",
    "0001-01-01T00:00:00+01:00",
    "2024-W53-7",
    "2024W537",
    "2024-W00",
    "12/31/99",
    "Feb 30 2024",
    "september 31, 2024",
    "2024-03-05T24:00",
    "20240305T",
    "2024-03-05T1",
    "2024-03-05 14:30:15.",
    "{",
    "}",
    "[]",
    "{\"a\":",
    "\"\\ud800\"",
    "[[[[[[[[[[",
    "null",
    "true",
    "a@b@c",
    "@",
    "\"@\"@x.y",
    "http://",
    "http://[",
    "http://]",
    "http://[v1.x]/",
    "https://ex.com:",
    "//",
    ":",
    "::",
    "http://\u{ff03}@x.com",
    "http://ex\u{ff0f}a.com",
    "xn--",
    "-a-",
    "urn:uuid:",
    "{}",
    "😀",
    "<script>",
    "\r\n",
    "\t",
    "a\u{300}",
    "ß",
    "İ",
    "ǅ",
    "ﬀ",
];

#[test]
fn arbitrary_input_never_panics() {
    let recorded = Recorded::load();
    let names: Vec<String> = recorded.all["specs"]
        .as_object()
        .expect("specs")
        .keys()
        .cloned()
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
    for round in 0..400 {
        let mut form = recorded.form(&names);
        let mut data = Vec::new();
        for name in &names {
            for _ in 0..(noise.next() % 3) {
                let mut value = noise.pick(WEIRD).to_owned();
                if noise.next().is_multiple_of(3) {
                    value.push_str(noise.pick(WEIRD));
                }
                data.push(((*name).to_owned(), value));
            }
        }
        form.bind(FormData::from_pairs(data));
        form.validate();
        let mut out = String::new();
        form.render_div(&mut out);
        form.render_table(&mut out);
        form.errors().as_json(&mut out);
        for field in form.fields() {
            field.as_hidden(&mut out);
            field.value().write_str(&mut out);
        }
        assert!(!out.is_empty());

        let mut object = serde_json::Map::new();
        for name in &names {
            let value = match noise.next() % 7 {
                0 => Json::Null,
                1 => json!(noise.next().is_multiple_of(2)),
                2 => json!(noise.next() as i64),
                3 => json!(f64::from_bits(noise.next() >> 2)),
                4 => json!([noise.pick(WEIRD), noise.next() % 10, null, {"x": []}]),
                5 => json!({ noise.pick(WEIRD): noise.pick(WEIRD) }),
                _ => json!(noise.pick(WEIRD)),
            };
            object.insert((*name).to_owned(), value);
        }
        let mut form = recorded.form(&names);
        form.bind_json(&Json::Object(object), round % 2 == 0)
            .expect("object");
        form.validate();
        let _ = form.errors_json();
        form.render_ul(&mut out);
    }
    let long = "9".repeat(5000);
    let mut form = recorded.form(&names);
    let data = names
        .iter()
        .map(|name| ((*name).to_owned(), long.clone()))
        .collect();
    form.bind(FormData::from_pairs(data));
    assert!(!form.validate());
    for text in WEIRD {
        let _ = FormData::from_urlencoded(text.as_bytes());
        let request = post_request(
            Some(&format!("multipart/form-data; boundary=b{}", text.len())),
            text.as_bytes(),
        );
        let _ = FormData::from_request(&request);
    }
}

#[test]
fn huge_exponents_stay_cheap() {
    for (input, expected) in [
        ("0E+999999999999999999", Some("0.00")),
        ("-0e99999999", Some("0.00")),
        ("1E+999999999999999999", None),
        ("1E-999999999999999999", None),
    ] {
        let mut form = article();
        form.bind(FormData::from_pairs(vec![("price".into(), input.into())]));
        form.validate();
        let cleaned = cleaned_value(&form, "price").cloned();
        assert_eq!(
            cleaned,
            expected.map(|text| Value::Decimal(text.into())),
            "{input}"
        );
    }
}
