//! Hand-written views of the polls app.
//!
//! `views.djinn` declares `view vote(question_id: int): rust "polls::vote"`;
//! djinn checks that the function below exists in `src/polls.rs` and that its
//! signature takes the URL parameter `question_id` as an `i64`, the type of
//! an `int` route parameter.

use djinn_runtime::HttpError;
use djinn_runtime::db::{Database, Sql, Value};
use djinn_runtime::forms::FormData;

/// `votes = votes + 1` in the database itself (Django's `F("votes") + 1`),
/// so concurrent votes never overwrite each other; the question id in the
/// condition makes a choice of another question count as no choice.
const RECORD_VOTE: Sql = Sql::new(
    "UPDATE polls_choice SET votes = votes + 1 WHERE id = ?1 AND question_id = ?2",
    "UPDATE polls_choice SET votes = votes + 1 WHERE id = $1 AND question_id = $2",
);

/// Handles `POST /polls/<question_id>/vote/`, whose form (in
/// `polls/detail.html`) sends the id of the chosen `Choice` as `choice`
/// (the CSRF middleware has already checked the form's token).
///
/// Answers 400 when no valid choice of this question was sent; otherwise
/// records the vote and redirects to the question's results, as Django's
/// tutorial does (a redirect after a successful POST, so that reloading the
/// page does not vote twice).
pub async fn vote(
    request: &mut djinn_runtime::Request,
    question_id: i64,
) -> djinn_runtime::Result<djinn_runtime::Response> {
    let form = FormData::from_request(request)?;
    let Some(choice) = form.get("choice").and_then(|text| text.parse::<i64>().ok()) else {
        return Err(no_choice());
    };
    let db = request
        .state::<Database>()
        .cloned()
        .ok_or_else(|| HttpError::internal("the application has no database"))?;
    let updated = db
        .execute(&RECORD_VOTE, &[Value::Int(choice), Value::Int(question_id)])
        .await?;
    if updated == 0 {
        return Err(no_choice());
    }
    Ok(djinn_runtime::Response::redirect(&format!(
        "/polls/{question_id}/results/"
    )))
}

fn no_choice() -> HttpError {
    HttpError::BadRequest("You didn't select a choice.".to_owned())
}
