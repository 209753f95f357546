//! Hand-written views of the polls app.
//!
//! `views.djinn` declares `view vote(question_id: int): rust "polls::vote"`;
//! djinn checks that the function below exists in `src/polls.rs` and that its
//! signature takes the URL parameter `question_id` as an `i64`, the type of
//! an `int` route parameter.

use djinn_runtime::HttpError;

/// Handles `POST /polls/<question_id>/vote/`, whose form (in
/// `polls/detail.html`) sends the id of the chosen `Choice` as `choice`.
///
/// Answers 400 when no valid choice was sent; otherwise redirects to the
/// question's results, as Django's tutorial does (a redirect after a
/// successful POST, so that reloading the page does not vote twice).
///
/// Recording the vote (`votes = votes + 1` on the chosen row, in a
/// transaction) needs the runtime's database API, which is not published
/// yet: see "The vote view" in the sample's README.
pub async fn vote(
    request: &mut djinn_runtime::Request,
    question_id: i64,
) -> djinn_runtime::Result<djinn_runtime::Response> {
    if submitted_choice(request.body()).is_none() {
        return Err(HttpError::BadRequest(
            "You didn't select a choice.".to_owned(),
        ));
    }
    Ok(djinn_runtime::Response::redirect(&format!(
        "/polls/{question_id}/results/"
    )))
}

/// The `choice` field of a URL-encoded form body, as a row id.
///
/// Ids are plain digits, which URL encoding leaves as they are, so the value
/// is parsed without decoding; anything else is not a valid choice.
fn submitted_choice(body: &[u8]) -> Option<i64> {
    std::str::from_utf8(body)
        .ok()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("choice="))?
        .parse()
        .ok()
}
