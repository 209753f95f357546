//! Pagination, as Django's `Paginator` and `ListView` do it.
//!
//! Input: the number of rows of a list, the rows per page (`paginate N`),
//! and the `page` query parameter of the request. Output: a [`Page`] — its
//! number, the rows to skip and to fetch, and what templates read
//! (`page_obj.has_next`, `paginator.num_pages`, …) — or a 404 for a page
//! that does not exist, as Django's `ListView` answers.

use crate::error::HttpError;

/// A list cut into pages of `per_page` rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paginator {
    /// The number of rows of the whole list.
    pub count: u64,
    /// Rows per page (at least 1).
    pub per_page: u64,
    /// The number of pages; an empty list still has one (empty) page.
    pub num_pages: u64,
}

impl Paginator {
    /// Pages of `per_page` rows (0 counts as 1) over `count` rows.
    pub fn new(count: u64, per_page: u64) -> Paginator {
        let per_page = per_page.max(1);
        Paginator {
            count,
            per_page,
            num_pages: count.div_ceil(per_page).max(1),
        }
    }

    /// The page numbers, from 1.
    pub fn page_range(&self) -> std::ops::RangeInclusive<u64> {
        1..=self.num_pages
    }

    /// The page numbered `number`; a 404 if there is none.
    pub fn page(&self, number: u64) -> Result<Page, HttpError> {
        if number < 1 {
            return Err(HttpError::NotFound(
                "That page number is less than 1".to_owned(),
            ));
        }
        if number > self.num_pages {
            return Err(HttpError::NotFound(
                "That page contains no results".to_owned(),
            ));
        }
        Ok(Page {
            number,
            paginator: *self,
        })
    }

    /// The page a request asks for with `?page=`: absent or empty is the
    /// first page, `last` the last one; anything but a number is a 404.
    pub fn requested(&self, page: Option<&str>) -> Result<Page, HttpError> {
        let number = match page.map(str::trim) {
            None | Some("") => 1,
            Some("last") => self.num_pages,
            Some(text) => text.parse::<u64>().map_err(|_| {
                HttpError::NotFound(
                    "Page is not “last”, nor can it be converted to an int.".to_owned(),
                )
            })?,
        };
        self.page(number)
    }
}

/// One page of a [`Paginator`]: Django's `page_obj`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    /// The page's number, from 1.
    pub number: u64,
    /// The paginator it belongs to.
    pub paginator: Paginator,
}

impl Page {
    /// Whether a later page exists.
    pub fn has_next(&self) -> bool {
        self.number < self.paginator.num_pages
    }

    /// Whether an earlier page exists.
    pub fn has_previous(&self) -> bool {
        self.number > 1
    }

    /// Whether there is more than one page.
    pub fn has_other_pages(&self) -> bool {
        self.has_next() || self.has_previous()
    }

    /// The next page's number, if there is one.
    pub fn next_page_number(&self) -> Option<u64> {
        self.has_next().then_some(self.number + 1)
    }

    /// The previous page's number, if there is one.
    pub fn previous_page_number(&self) -> Option<u64> {
        self.has_previous().then_some(self.number - 1)
    }

    /// The rows before this page (the SQL `OFFSET`).
    pub fn offset(&self) -> u64 {
        (self.number - 1) * self.paginator.per_page
    }

    /// The number of rows on this page (the SQL `LIMIT`).
    pub fn len(&self) -> u64 {
        self.paginator
            .count
            .saturating_sub(self.offset())
            .min(self.paginator.per_page)
    }

    /// Whether the page holds no row (only the first page of an empty list).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The 1-based index of the page's first row; 0 for an empty list.
    pub fn start_index(&self) -> u64 {
        if self.paginator.count == 0 {
            0
        } else {
            self.offset() + 1
        }
    }

    /// The 1-based index of the page's last row.
    pub fn end_index(&self) -> u64 {
        self.offset() + self.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_django() {
        let paginator = Paginator::new(23, 10);
        assert_eq!(paginator.num_pages, 3);
        assert_eq!(paginator.page_range(), 1..=3);
        let last = paginator.requested(Some("last")).unwrap();
        assert_eq!((last.number, last.offset(), last.len()), (3, 20, 3));
        assert_eq!((last.start_index(), last.end_index()), (21, 23));
        assert_eq!(last.next_page_number(), None);
        assert_eq!(last.previous_page_number(), Some(2));
        let first = paginator.requested(None).unwrap();
        assert!(first.has_next() && !first.has_previous() && first.has_other_pages());
        assert_eq!(paginator.requested(Some("")).unwrap().number, 1);
    }

    #[test]
    fn bad_pages_are_404s() {
        let paginator = Paginator::new(23, 10);
        for bad in ["0", "4", "x", "-1", "2.5"] {
            let error = paginator.requested(Some(bad)).unwrap_err();
            assert_eq!(error.status(), http::StatusCode::NOT_FOUND, "{bad}");
        }
    }

    #[test]
    fn an_empty_list_has_one_empty_page() {
        let paginator = Paginator::new(0, 10);
        let page = paginator.requested(Some("1")).unwrap();
        assert_eq!(
            (page.len(), page.start_index(), page.end_index()),
            (0, 0, 0)
        );
        assert!(page.is_empty() && !page.has_other_pages());
        assert!(paginator.requested(Some("2")).is_err());
    }
}
