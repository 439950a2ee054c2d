//! Tokens and sessions. A token is 256 random bits, shown once; the store
//! keeps only its SHA-256. A session id is the same kind of secret, kept
//! hashed too, and only ever authorizes reading.

use sha2::{Digest, Sha256};

use crate::store::{Scope, Store, StoreError};

/// Prefix of every token, so that secret scanners recognise them.
pub const TOKEN_PREFIX: &str = "acsr_";
/// The session cookie.
pub const SESSION_COOKIE: &str = "acsready_session";
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;

/// 256 random bits as lower-case hex.
pub fn random_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// SHA-256 of a secret, as the store keeps it.
pub fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// A new token of `scope`: stored hashed, returned once in clear.
pub fn create_token(
    store: &dyn Store,
    name: &str,
    scope: Scope,
) -> Result<(i64, String), AuthError> {
    let token = format!("{TOKEN_PREFIX}{}", random_secret()?);
    let id = store.token_create(name, scope, &hash(&token))?;
    Ok((id, token))
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no random numbers from the operating system: {0}")]
    Random(#[from] getrandom::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A bearer token (its id and scope).
    Token { id: i64, scope: Scope },
    /// A signed-in browser: read only.
    Session { scopes: Vec<Scope> },
}

impl Caller {
    pub fn scopes(&self) -> Vec<Scope> {
        match self {
            Caller::Token { scope, .. } => vec![*scope],
            Caller::Session { scopes } => scopes.clone(),
        }
    }
}

/// The credentials of a request.
#[derive(Debug, Default)]
pub struct Credentials<'a> {
    /// The value of the Authorization header, if any.
    pub authorization: Option<&'a str>,
    /// The session cookie, if any.
    pub session: Option<&'a str>,
}

/// Why a request is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Denied {
    /// No credentials, or bad ones: 401.
    Unauthenticated(&'static str),
    /// Valid credentials without the scope: 403.
    Forbidden(Scope),
}

/// Checks credentials for a request that needs `scope`. Cookies count only
/// for `safe` (GET) requests of read scope: anything that changes state
/// needs a bearer token, so a cookie can never be used for CSRF.
pub fn authorize(
    store: &dyn Store,
    creds: &Credentials,
    scope: Scope,
    safe: bool,
    now_ms: i64,
) -> Result<Result<Caller, Denied>, StoreError> {
    if let Some(value) = creds.authorization {
        let Some(token) = bearer(value) else {
            return Ok(Err(Denied::Unauthenticated(
                "the Authorization header must be \"Bearer TOKEN\"",
            )));
        };
        return Ok(match store.token_scope(&hash(token))? {
            None => Err(Denied::Unauthenticated("unknown or revoked token")),
            Some((_, s)) if s != scope => Err(Denied::Forbidden(scope)),
            Some((id, s)) => Ok(Caller::Token { id, scope: s }),
        });
    }
    if let Some(session) = creds.session {
        if !(safe && scope == Scope::Read) {
            return Ok(Err(Denied::Unauthenticated(
                "this request needs an Authorization: Bearer token",
            )));
        }
        return Ok(match store.session_scopes(&hash(session), now_ms)? {
            Some(scopes) if scopes.contains(&scope) => Ok(Caller::Session { scopes }),
            Some(_) => Err(Denied::Forbidden(scope)),
            None => Err(Denied::Unauthenticated(
                "the session has expired; sign in again",
            )),
        });
    }
    Ok(Err(Denied::Unauthenticated(
        "this request needs an Authorization: Bearer token",
    )))
}

/// The token of an `Authorization: Bearer TOKEN` value. The scheme is
/// case-insensitive (RFC 9110, 11.1): `bearer` and `BEARER` are `Bearer`.
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The value of cookie `name` in a Cookie header.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k.trim() == name).then(|| v.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SqliteStore;

    fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        (dir, store)
    }

    fn check(
        store: &dyn Store,
        auth: Option<&str>,
        session: Option<&str>,
        scope: Scope,
        safe: bool,
    ) -> Result<Caller, Denied> {
        let creds = Credentials {
            authorization: auth,
            session,
        };
        authorize(store, &creds, scope, safe, 1).unwrap()
    }

    #[test]
    fn tokens_grant_their_scope_only_until_revoked() {
        let (_d, s) = store();
        let (id, token) = create_token(&s, "ci", Scope::Ingest).unwrap();
        assert!(token.starts_with(TOKEN_PREFIX) && token.len() == TOKEN_PREFIX.len() + 64);
        let bearer = format!("Bearer {token}");
        assert_eq!(
            check(&s, Some(&bearer), None, Scope::Ingest, false),
            Ok(Caller::Token {
                id,
                scope: Scope::Ingest
            })
        );
        assert_eq!(
            check(&s, Some(&bearer), None, Scope::Read, true),
            Err(Denied::Forbidden(Scope::Read))
        );
        assert!(matches!(
            check(&s, Some("Bearer acsr_00"), None, Scope::Ingest, false),
            Err(Denied::Unauthenticated(_))
        ));
        assert!(matches!(
            check(&s, Some(&token), None, Scope::Ingest, false),
            Err(Denied::Unauthenticated(_))
        ));
        assert!(s.token_revoke(id).unwrap());
        assert!(!s.token_revoke(id + 100).unwrap());
        assert!(matches!(
            check(&s, Some(&bearer), None, Scope::Ingest, false),
            Err(Denied::Unauthenticated(_))
        ));
        let listed = s.token_list().unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].revoked_at.is_some());
    }

    #[test]
    fn sessions_only_read_with_safe_methods_until_they_expire() {
        let (_d, s) = store();
        let (token, _) = create_token(&s, "people", Scope::Read).unwrap();
        let id = random_secret().unwrap();
        s.session_create(&hash(&id), token, &[Scope::Read], 1_000)
            .unwrap();
        assert!(check(&s, None, Some(&id), Scope::Read, true).is_ok());
        assert!(matches!(
            check(&s, None, Some(&id), Scope::Read, false),
            Err(Denied::Unauthenticated(_))
        ));
        assert!(matches!(
            check(&s, None, Some(&id), Scope::Ingest, true),
            Err(Denied::Unauthenticated(_))
        ));
        let creds = Credentials {
            authorization: None,
            session: Some(&id),
        };
        assert!(matches!(
            authorize(&s, &creds, Scope::Read, true, 1_000).unwrap(),
            Err(Denied::Unauthenticated(_))
        ));
        s.session_delete(&hash(&id)).unwrap();
        assert!(matches!(
            check(&s, None, Some(&id), Scope::Read, true),
            Err(Denied::Unauthenticated(_))
        ));
    }

    #[test]
    fn revoking_a_token_ends_its_sessions_at_once() {
        let (_d, s) = store();
        let (revoked, _) = create_token(&s, "alice", Scope::Read).unwrap();
        let (kept, _) = create_token(&s, "bob", Scope::Read).unwrap();
        let sessions: Vec<(i64, String)> = [revoked, revoked, kept]
            .into_iter()
            .map(|t| (t, random_secret().unwrap()))
            .collect();
        for (token, id) in &sessions {
            s.session_create(&hash(id), *token, &[Scope::Read], i64::MAX)
                .unwrap();
            assert!(check(&s, None, Some(id), Scope::Read, true).is_ok());
        }
        assert!(s.token_revoke(revoked).unwrap());
        for (token, id) in &sessions {
            let live = check(&s, None, Some(id), Scope::Read, true).is_ok();
            assert_eq!(live, *token == kept, "a session of token {token}");
        }
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        for value in [
            "Bearer t",
            "bearer t",
            "BEARER t",
            "BeArEr   t ",
            " Bearer t",
        ] {
            assert_eq!(bearer(value), Some("t"), "{value:?}");
        }
        for value in ["t", "Basic t", "Bearer", "Bearer  ", "Bearert", "Token t"] {
            assert_eq!(bearer(value), None, "{value:?}");
        }
        let (_d, s) = store();
        let (id, token) = create_token(&s, "ci", Scope::Read).unwrap();
        for scheme in ["bearer", "Bearer", "BEARER"] {
            let value = format!("{scheme} {token}");
            assert_eq!(
                check(&s, Some(&value), None, Scope::Read, true),
                Ok(Caller::Token {
                    id,
                    scope: Scope::Read
                }),
                "{scheme}"
            );
        }
    }

    #[test]
    fn cookies_are_found_by_name() {
        assert_eq!(
            cookie("a=1; acsready_session=xyz; b=2", SESSION_COOKIE),
            Some("xyz")
        );
        assert_eq!(cookie("acsready_sessionx=1", SESSION_COOKIE), None);
    }
}
