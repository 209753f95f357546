//! Permissions and groups: `"app_label.codename"` strings, granted to users
//! directly or through their groups.
//!
//! Input: a [`Database`] with the authentication tables and permission
//! names such as `"blog.add_post"` (Django's naming: `add_`, `change_`,
//! `delete_`, `view_` + the model name in lower case, plus the custom ones a
//! model declares). Output: a user's permissions as sorted strings, and the
//! grants that change them.

use crate::db::{Database, DbError, Sql, Value};

use super::user::AuthError;

const DIRECT_AND_GROUP_PERMISSIONS: Sql = Sql::new(
    r#"SELECT p."app_label", p."codename" FROM "auth_permission" p JOIN "auth_user_user_permissions" up ON up."permission_id" = p."id" WHERE up."user_id" = ?1
UNION
SELECT p."app_label", p."codename" FROM "auth_permission" p JOIN "auth_group_permissions" gp ON gp."permission_id" = p."id" JOIN "auth_user_groups" ug ON ug."group_id" = gp."group_id" WHERE ug."user_id" = ?1
ORDER BY 1, 2"#,
    r#"SELECT p."app_label", p."codename" FROM "auth_permission" p JOIN "auth_user_user_permissions" up ON up."permission_id" = p."id" WHERE up."user_id" = $1
UNION
SELECT p."app_label", p."codename" FROM "auth_permission" p JOIN "auth_group_permissions" gp ON gp."permission_id" = p."id" JOIN "auth_user_groups" ug ON ug."group_id" = gp."group_id" WHERE ug."user_id" = $1
ORDER BY 1, 2"#,
);

const ALL_PERMISSIONS: Sql =
    Sql::portable(r#"SELECT "app_label", "codename" FROM "auth_permission" ORDER BY 1, 2"#);

const USER_FLAGS: Sql = Sql::new(
    r#"SELECT "is_superuser", "is_active" FROM "auth_user" WHERE "id" = ?1"#,
    r#"SELECT "is_superuser", "is_active" FROM "auth_user" WHERE "id" = $1"#,
);

const PERMISSION_ID: Sql = Sql::new(
    r#"SELECT "id" FROM "auth_permission" WHERE "app_label" = ?1 AND "codename" = ?2"#,
    r#"SELECT "id" FROM "auth_permission" WHERE "app_label" = $1 AND "codename" = $2"#,
);

const INSERT_GROUP: Sql = Sql::new(
    r#"INSERT INTO "auth_group" ("name") VALUES (?1)"#,
    r#"INSERT INTO "auth_group" ("name") VALUES ($1) RETURNING "id""#,
);

const GROUP_BY_NAME: Sql = Sql::new(
    r#"SELECT "id" FROM "auth_group" WHERE "name" = ?1"#,
    r#"SELECT "id" FROM "auth_group" WHERE "name" = $1"#,
);

const ADD_USER_TO_GROUP: Sql = Sql::new(
    r#"INSERT INTO "auth_user_groups" ("user_id", "group_id") VALUES (?1, ?2) ON CONFLICT DO NOTHING"#,
    r#"INSERT INTO "auth_user_groups" ("user_id", "group_id") VALUES ($1, $2) ON CONFLICT DO NOTHING"#,
);

const GRANT_USER: Sql = Sql::new(
    r#"INSERT INTO "auth_user_user_permissions" ("user_id", "permission_id") VALUES (?1, ?2) ON CONFLICT DO NOTHING"#,
    r#"INSERT INTO "auth_user_user_permissions" ("user_id", "permission_id") VALUES ($1, $2) ON CONFLICT DO NOTHING"#,
);

const GRANT_GROUP: Sql = Sql::new(
    r#"INSERT INTO "auth_group_permissions" ("group_id", "permission_id") VALUES (?1, ?2) ON CONFLICT DO NOTHING"#,
    r#"INSERT INTO "auth_group_permissions" ("group_id", "permission_id") VALUES ($1, $2) ON CONFLICT DO NOTHING"#,
);

const REVOKE_USER: Sql = Sql::new(
    r#"DELETE FROM "auth_user_user_permissions" WHERE "user_id" = ?1 AND "permission_id" = ?2"#,
    r#"DELETE FROM "auth_user_user_permissions" WHERE "user_id" = $1 AND "permission_id" = $2"#,
);

/// `"app_label.codename"` split at its first dot; `None` without a dot.
pub fn split_perm(perm: &str) -> Option<(&str, &str)> {
    perm.split_once('.')
        .filter(|(app, codename)| !app.is_empty() && !codename.is_empty())
}

/// Django's default permission of a model: `perm_name("blog", "add", "Post")`
/// is `"blog.add_post"`.
pub fn perm_name(app_label: &str, action: &str, model: &str) -> String {
    format!("{app_label}.{action}_{}", model.to_lowercase())
}

/// The sorted permissions of a user known to be active: every permission
/// for a superuser, else their own and their groups'.
pub(crate) async fn permissions_for(
    db: &Database,
    user_id: i64,
    is_superuser: bool,
) -> Result<Vec<String>, DbError> {
    let rows = if is_superuser {
        db.query(&ALL_PERMISSIONS, &[]).await?
    } else {
        db.query(&DIRECT_AND_GROUP_PERMISSIONS, &[Value::Int(user_id)])
            .await?
    };
    rows.iter()
        .map(|row| Ok(format!("{}.{}", row.get_text(0)?, row.get_text(1)?)))
        .collect()
}

/// User `user_id`'s permissions, `"app_label.codename"`, sorted: their own
/// and their groups' (all of them for a superuser; none for an inactive or
/// unknown user).
pub async fn user_permissions(db: &Database, user_id: i64) -> Result<Vec<String>, DbError> {
    let Some(row) = db.query_opt(&USER_FLAGS, &[Value::Int(user_id)]).await? else {
        return Ok(Vec::new());
    };
    let (is_superuser, is_active) = (row.get_bool(0)?, row.get_bool(1)?);
    if !is_active {
        return Ok(Vec::new());
    }
    permissions_for(db, user_id, is_superuser).await
}

/// Whether user `user_id` has `perm` (an active superuser has every permission,
/// even one that does not exist, as in Django).
pub async fn user_has_perm(db: &Database, user_id: i64, perm: &str) -> Result<bool, DbError> {
    let Some(row) = db.query_opt(&USER_FLAGS, &[Value::Int(user_id)]).await? else {
        return Ok(false);
    };
    let (is_superuser, is_active) = (row.get_bool(0)?, row.get_bool(1)?);
    if !is_active {
        return Ok(false);
    }
    if is_superuser {
        return Ok(true);
    }
    let granted = permissions_for(db, user_id, false).await?;
    Ok(granted.iter().any(|granted| granted == perm))
}

async fn permission_id(db: &Database, perm: &str) -> Result<i64, AuthError> {
    let unknown = || AuthError::UnknownPermission(perm.to_owned());
    let (app_label, codename) = split_perm(perm).ok_or_else(unknown)?;
    let row = db
        .query_opt(
            &PERMISSION_ID,
            &[Value::from(app_label), Value::from(codename)],
        )
        .await?
        .ok_or_else(unknown)?;
    Ok(row.get_i64(0)?)
}

/// Creates group `name` (or finds it) and returns its id.
pub async fn create_group(db: &Database, name: &str) -> Result<i64, DbError> {
    if let Some(row) = db.query_opt(&GROUP_BY_NAME, &[Value::from(name)]).await? {
        return row.get_i64(0);
    }
    match db
        .insert_returning_id(&INSERT_GROUP, &[Value::from(name)])
        .await
    {
        Err(error) if error.is_unique_violation() => {
            // Created concurrently: read it back.
            db.query_one(&GROUP_BY_NAME, &[Value::from(name)])
                .await?
                .get_i64(0)
        }
        other => other,
    }
}

/// Adds user `user_id` to group `group_id` (nothing if already a member).
pub async fn add_user_to_group(db: &Database, user_id: i64, group_id: i64) -> Result<(), DbError> {
    db.execute(
        &ADD_USER_TO_GROUP,
        &[Value::Int(user_id), Value::Int(group_id)],
    )
    .await?;
    Ok(())
}

/// Grants `perm` (`"app_label.codename"`, which must exist) to user `user_id`.
pub async fn grant_user_permission(
    db: &Database,
    user_id: i64,
    perm: &str,
) -> Result<(), AuthError> {
    let permission = permission_id(db, perm).await?;
    db.execute(&GRANT_USER, &[Value::Int(user_id), Value::Int(permission)])
        .await?;
    Ok(())
}

/// Takes `perm` back from user `user_id` (their groups' grants stay).
pub async fn revoke_user_permission(
    db: &Database,
    user_id: i64,
    perm: &str,
) -> Result<(), AuthError> {
    let permission = permission_id(db, perm).await?;
    db.execute(&REVOKE_USER, &[Value::Int(user_id), Value::Int(permission)])
        .await?;
    Ok(())
}

/// Grants `perm` (`"app_label.codename"`, which must exist) to group `group_id`.
pub async fn grant_group_permission(
    db: &Database,
    group_id: i64,
    perm: &str,
) -> Result<(), AuthError> {
    let permission = permission_id(db, perm).await?;
    db.execute(
        &GRANT_GROUP,
        &[Value::Int(group_id), Value::Int(permission)],
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_django() {
        assert_eq!(perm_name("blog", "add", "BlogPost"), "blog.add_blogpost");
        assert_eq!(split_perm("blog.add_post"), Some(("blog", "add_post")));
        assert_eq!(split_perm("a.b.c"), Some(("a", "b.c")));
        assert_eq!(split_perm("nodot"), None);
        assert_eq!(split_perm(".x"), None);
    }
}
