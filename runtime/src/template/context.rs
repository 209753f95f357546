//! The values a view's template sees besides its data: what Django's
//! context processors give (`user`, `perms`, `messages`), the page of a
//! paginated list (`page_obj`), and the helpers generated code uses to read
//! model objects.
//!
//! Input: the request's state as the runtime knows it (today: no signed-in
//! user, no messages) and the view's [`Page`]. Output: values with the
//! attributes templates read, printed and compared as Django does.

use std::borrow::Cow;

use super::FilterError;
use super::display::{DjangoStr, Truthy};
use super::render::{Itself, Json, Py, ToJson, ToPy};
use crate::pagination::{Page, Paginator};

/// `user`: the signed-in user, or Django's `AnonymousUser`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct User {
    /// The primary key; `None` for the anonymous user.
    pub id: Option<i64>,
    /// The user name (`""` for the anonymous user).
    pub username: String,
    /// `is_staff`.
    pub is_staff: bool,
    /// `is_superuser`.
    pub is_superuser: bool,
    /// `is_active`.
    pub is_active: bool,
    /// `email`; `None` for the anonymous user, who has no such attribute.
    pub email: Option<String>,
    /// `first_name` (none for the anonymous user).
    pub first_name: Option<String>,
    /// `last_name` (none for the anonymous user).
    pub last_name: Option<String>,
}

impl User {
    /// Django's `AnonymousUser`.
    pub fn anonymous() -> User {
        User::default()
    }

    /// `is_authenticated`.
    pub fn is_authenticated(&self) -> bool {
        self.id.is_some()
    }

    /// `is_anonymous`.
    pub fn is_anonymous(&self) -> bool {
        self.id.is_none()
    }

    /// `get_full_name`: first and last name, stripped (none when anonymous).
    pub fn get_full_name(&self) -> Option<String> {
        let (first, last) = (self.first_name.as_ref()?, self.last_name.as_ref()?);
        Some(format!("{first} {last}").trim().to_string())
    }
}

/// `{{ user }}` shows the user name (`AnonymousUser` for the anonymous user).
impl DjangoStr for User {
    fn write_str(&self, out: &mut String) {
        if self.is_anonymous() {
            out.push_str("AnonymousUser");
        } else {
            out.push_str(&self.username);
        }
    }
    fn write_repr(&self, out: &mut String) {
        out.push_str("<User: ");
        self.write_str(out);
        out.push('>');
    }
}

impl ToPy for User {
    fn to_py(&self) -> Py<'_> {
        match self.id {
            Some(id) => Py::Object("User", Box::new(Py::Int(i128::from(id)))),
            None => Py::Other,
        }
    }
}

impl Itself for User {}

/// `perms`: the signed-in user's permissions, `"<app>.<codename>"`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Perms {
    /// The permissions the user has.
    pub granted: Vec<String>,
}

impl Perms {
    /// `perms.<app>.<codename>`.
    pub fn has(&self, app: &str, codename: &str) -> bool {
        self.granted
            .iter()
            .any(|perm| perm.split_once('.') == Some((app, codename)))
    }

    /// `perms.<app>`: true when the user has any permission of the app.
    pub fn has_module(&self, app: &str) -> bool {
        self.granted
            .iter()
            .any(|perm| perm.split_once('.').is_some_and(|(a, _)| a == app))
    }
}

impl Itself for Perms {}

/// One of the request's messages (`django.contrib.messages`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The text.
    pub message: String,
    /// The level (`INFO` is 20).
    pub level: i64,
    /// `extra_tags`.
    pub extra_tags: String,
}

impl Message {
    /// `level_tag`: `debug`, `info`, `success`, `warning` or `error`.
    pub fn level_tag(&self) -> &'static str {
        match self.level {
            10 => "debug",
            20 => "info",
            25 => "success",
            30 => "warning",
            40 => "error",
            _ => "",
        }
    }

    /// `tags`: the extra tags, then the level's tag.
    pub fn tags(&self) -> String {
        [self.extra_tags.as_str(), self.level_tag()]
            .into_iter()
            .filter(|tag| !tag.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// `{{ message }}` shows its text.
impl DjangoStr for Message {
    fn write_str(&self, out: &mut String) {
        out.push_str(&self.message);
    }
    fn write_repr(&self, out: &mut String) {
        out.push_str("Message(level=");
        self.level.write_str(out);
        out.push_str(", message=");
        self.message.write_repr(out);
        out.push(')');
    }
}

impl Itself for Message {}

/// `page_obj`: the page of a paginated list and its rows.
#[derive(Debug)]
pub struct PageOf<'a, T> {
    /// The page.
    pub page: &'a Page,
    /// Its rows (the view's `object_list`).
    pub object_list: &'a [T],
}

impl<'a, T> PageOf<'a, T> {
    /// The page `page` of a view whose page holds `object_list`; an error
    /// when the view has no page (a djinn bug: the checker allows
    /// `page_obj` only in paginated views).
    pub fn new(page: Option<&'a Page>, object_list: &'a [T]) -> Result<Self, FilterError> {
        let page = page.ok_or_else(|| FilterError::new("RuntimeError", "the view has no page"))?;
        Ok(PageOf { page, object_list })
    }

    /// `number`.
    pub fn number(&self) -> u64 {
        self.page.number
    }

    /// `has_next`.
    pub fn has_next(&self) -> bool {
        self.page.has_next()
    }

    /// `has_previous`.
    pub fn has_previous(&self) -> bool {
        self.page.has_previous()
    }

    /// `has_other_pages`.
    pub fn has_other_pages(&self) -> bool {
        self.page.has_other_pages()
    }

    /// `next_page_number`: Django raises `EmptyPage` on the last page.
    pub fn next_page_number(&self) -> Result<u64, FilterError> {
        self.page
            .next_page_number()
            .ok_or_else(|| FilterError::new("EmptyPage", "That page contains no results"))
    }

    /// `previous_page_number`: Django raises `EmptyPage` on the first page.
    pub fn previous_page_number(&self) -> Result<u64, FilterError> {
        self.page
            .previous_page_number()
            .ok_or_else(|| FilterError::new("EmptyPage", "That page number is less than 1"))
    }

    /// `start_index`.
    pub fn start_index(&self) -> u64 {
        self.page.start_index()
    }

    /// `end_index`.
    pub fn end_index(&self) -> u64 {
        self.page.end_index()
    }

    /// `paginator`.
    pub fn paginator(&self) -> &'a Paginator {
        &self.page.paginator
    }

    /// The rows, as `{% for %}` iterates them.
    pub fn iter(&self) -> std::slice::Iter<'a, T> {
        self.object_list.iter()
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.object_list.len()
    }

    /// Whether the page has no row.
    pub fn is_empty(&self) -> bool {
        self.object_list.is_empty()
    }
}

/// `{{ page_obj }}` shows `<Page 1 of 3>`.
impl<T> DjangoStr for PageOf<'_, T> {
    fn write_str(&self, out: &mut String) {
        out.push_str("<Page ");
        self.page.number.write_str(out);
        out.push_str(" of ");
        self.page.paginator.num_pages.write_str(out);
        out.push('>');
    }
    fn write_repr(&self, out: &mut String) {
        self.write_str(out);
    }
}

impl<T> Truthy for PageOf<'_, T> {
    fn is_truthy(&self) -> bool {
        !self.object_list.is_empty()
    }
}

impl<T> Itself for PageOf<'_, T> {}

/// `paginator.page_range` as a list.
pub fn page_range(paginator: &Paginator) -> Vec<u64> {
    paginator.page_range().collect()
}

/// `{{ paginator }}` shows Django's object repr.
impl DjangoStr for Paginator {
    fn write_str(&self, out: &mut String) {
        out.push_str("<django.core.paginator.Paginator object>");
    }
    fn write_repr(&self, out: &mut String) {
        self.write_str(out);
    }
}

impl Itself for Paginator {}

/// A related object the view loaded: the template sees it through a
/// relation that is never empty. Missing, it is a djinn bug (the view's
/// fetch plan did not load it), reported as the page's error.
pub fn loaded<T: ?Sized>(related: Option<&T>) -> Result<&T, FilterError> {
    related.ok_or_else(|| {
        FilterError::new(
            "RuntimeError",
            "a related object the template reads was not loaded",
        )
    })
}

/// A decimal held as its text, compared as a number (Python compares
/// `Decimal`s with numbers by value).
pub fn decimal_py(text: &str) -> Py<'static> {
    text.trim().parse::<f64>().map_or(Py::Other, Py::Float)
}

/// A decimal's truth: false for zero (`Decimal("0.00")`).
pub fn decimal_truth(text: &str) -> bool {
    text.trim().parse::<f64>().is_ok_and(|value| value != 0.0)
}

/// A UUID prints hyphenated, in lower case (`str(uuid)`).
impl DjangoStr for uuid::Uuid {
    fn write_str(&self, out: &mut String) {
        out.push_str(
            self.hyphenated()
                .encode_lower(&mut uuid::Uuid::encode_buffer()),
        );
    }
    fn write_repr(&self, out: &mut String) {
        out.push_str("UUID('");
        self.write_str(out);
        out.push_str("')");
    }
}

impl Truthy for uuid::Uuid {
    fn is_truthy(&self) -> bool {
        true
    }
}

impl ToPy for uuid::Uuid {
    fn to_py(&self) -> Py<'_> {
        Py::Str(Cow::Owned(self.hyphenated().to_string()))
    }
}

impl ToJson for uuid::Uuid {
    fn to_json(&self) -> Json<'_> {
        Json::Str(Cow::Owned(self.hyphenated().to_string()))
    }
}

/// `uuid.hex`: the 32 hex digits, no hyphens.
pub fn uuid_hex(value: &uuid::Uuid) -> String {
    value.simple().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_user_and_messages_print_like_django() {
        let user = User::anonymous();
        assert!(!user.is_authenticated() && user.is_anonymous());
        assert_eq!(user.django_str(), "AnonymousUser");
        let message = Message {
            message: "Saved.".into(),
            level: 25,
            extra_tags: "wide".into(),
        };
        assert_eq!(message.tags(), "wide success");
        assert!(!Perms::default().has("blog", "add_post"));
    }

    #[test]
    fn pages_read_their_rows() {
        let page = Paginator::new(23, 10).page(3).unwrap();
        let rows = [1, 2, 3];
        let page_obj = PageOf::new(Some(&page), &rows).unwrap();
        assert_eq!(page_obj.django_str(), "<Page 3 of 3>");
        assert!(page_obj.next_page_number().is_err());
        assert_eq!(page_obj.previous_page_number().unwrap(), 2);
        assert_eq!(page_obj.len(), 3);
    }
}
