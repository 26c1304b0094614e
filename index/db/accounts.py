"""API keys (stored as hashes), web sessions and per-user shortlists."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from index.db.clock import now, timestamp
from index.db.engine import insert_ignoring_duplicates
from index.db.schema import api_keys, profiles, shortlist_items, web_sessions
from matcher.errors import AuthenticationError, ProfileNotFoundError
from matcher.model import ApiKey, Role

KEY_PREFIX = "km_"
SESSION_HOURS = 12


def _hash(secret: str) -> str:
    # Keys and tokens are 256-bit random values, so a fast hash is enough (no password stretching).
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class WebSession:
    """A signed-in browser: its key and the CSRF token its forms must carry."""

    key: ApiKey
    csrf: str


@dataclass(frozen=True, slots=True)
class ShortlistEntry:
    """A profile a user has put on their shortlist."""

    profile_id: str
    brief: str
    added_at: str


class AccountStore:
    """Keys, sessions and shortlists in the catalogue database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # ------------------------------------------------------------------ keys
    def create_key(self, *, name: str, role: Role) -> tuple[ApiKey, str]:
        """Create a key; returns the record and the secret, which is shown once and never stored."""
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        key = ApiKey(
            id="key_" + secrets.token_hex(6),
            name=name,
            role=role,
            created_at=timestamp(),
        )
        with self._engine.begin() as connection:
            connection.execute(
                insert(api_keys).values(
                    id=key.id,
                    name=name,
                    role=role.value,
                    key_hash=_hash(secret),
                    created_at=key.created_at,
                )
            )
        return key, secret

    def revoke_key(self, key_id: str) -> ApiKey:
        """Revoke a key (and end its sessions).

        Raises:
            AuthenticationError: no such key.
        """
        with self._engine.begin() as connection:
            result = connection.execute(
                update(api_keys).where(api_keys.c.id == key_id).values(revoked_at=timestamp())
            )
            if result.rowcount == 0:
                raise AuthenticationError(f"no key with id {key_id!r}")
            connection.execute(delete(web_sessions).where(web_sessions.c.key_id == key_id))
        return self._key_by(api_keys.c.id == key_id)

    def list_keys(self) -> list[ApiKey]:
        """Every key, newest first."""
        with self._engine.connect() as connection:
            rows = connection.execute(select(api_keys).order_by(api_keys.c.created_at.desc()))
            return [_key(r) for r in rows.mappings()]

    def authenticate(self, secret: str) -> ApiKey:
        """The key a secret belongs to.

        Raises:
            AuthenticationError: unknown or revoked.
        """
        if not secret or len(secret) > 200:
            raise AuthenticationError("invalid API key")
        key = self._key_by(api_keys.c.key_hash == _hash(secret))
        if key.revoked_at:
            raise AuthenticationError("this API key has been revoked")
        return key

    def _key_by(self, condition: object) -> ApiKey:
        with self._engine.connect() as connection:
            row = connection.execute(select(api_keys).where(condition)).mappings().first()  # type: ignore[arg-type]
        if row is None:
            raise AuthenticationError("invalid API key")
        return _key(row)

    # ------------------------------------------------------------------ sessions
    def open_session(self, key: ApiKey) -> tuple[str, WebSession]:
        """Start a web session for a key; returns the cookie token and the session."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(24)
        started = now()
        with self._engine.begin() as connection:
            connection.execute(
                insert(web_sessions).values(
                    token_hash=_hash(token),
                    key_id=key.id,
                    csrf=csrf,
                    created_at=started.isoformat(timespec="seconds"),
                    expires_at=(started + timedelta(hours=SESSION_HOURS)).isoformat(
                        timespec="seconds"
                    ),
                )
            )
        return token, WebSession(key=key, csrf=csrf)

    def session(self, token: str) -> WebSession:
        """The live session of a cookie token.

        Raises:
            AuthenticationError: unknown, expired, or its key revoked.
        """
        if not token or len(token) > 200:
            raise AuthenticationError("not signed in")
        with self._engine.connect() as connection:
            row = (
                connection.execute(
                    select(web_sessions, api_keys)
                    .join(api_keys, api_keys.c.id == web_sessions.c.key_id)
                    .where(web_sessions.c.token_hash == _hash(token))
                )
                .mappings()
                .first()
            )
        if row is None or row["revoked_at"] or row["expires_at"] < timestamp():
            raise AuthenticationError("not signed in, or the session has expired")
        return WebSession(key=_key(row), csrf=row["csrf"])

    def close_session(self, token: str) -> None:
        """Sign out."""
        with self._engine.begin() as connection:
            connection.execute(
                delete(web_sessions).where(web_sessions.c.token_hash == _hash(token))
            )

    # ------------------------------------------------------------------ shortlists
    def shortlist(self, key_id: str) -> list[ShortlistEntry]:
        """A user's shortlist, oldest first."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(shortlist_items)
                .where(shortlist_items.c.key_id == key_id)
                .order_by(shortlist_items.c.added_at, shortlist_items.c.profile_id)
            ).mappings()
            return [ShortlistEntry(r["profile_id"], r["brief"], r["added_at"]) for r in rows]

    def add_to_shortlist(self, key_id: str, profile_id: str, *, brief: str = "") -> None:
        """Add a profile (again adding it is a no-op).

        Raises:
            ProfileNotFoundError: no such profile.
        """
        try:
            with self._engine.begin() as connection:
                if (
                    connection.execute(
                        select(profiles.c.id).where(profiles.c.id == profile_id)
                    ).first()
                    is None
                ):
                    raise ProfileNotFoundError(profile_id)
                # ON CONFLICT DO NOTHING: two requests adding the same profile both succeed
                insert_ignoring_duplicates(
                    connection,
                    shortlist_items,
                    [
                        {
                            "key_id": key_id,
                            "profile_id": profile_id,
                            "brief": brief[:2000],
                            "added_at": timestamp(timespec="microseconds"),
                        }
                    ],
                )
        except IntegrityError as error:  # the profile was erased meanwhile (foreign key)
            raise ProfileNotFoundError(profile_id) from error

    def remove_from_shortlist(self, key_id: str, profile_id: str) -> None:
        """Remove a profile from a shortlist (absent is fine)."""
        with self._engine.begin() as connection:
            connection.execute(
                delete(shortlist_items)
                .where(shortlist_items.c.key_id == key_id)
                .where(shortlist_items.c.profile_id == profile_id)
            )


def _key(row: object) -> ApiKey:
    r = row  # a RowMapping
    return ApiKey(
        id=r["id"],  # type: ignore[index]
        name=r["name"],  # type: ignore[index]
        role=Role(r["role"]),  # type: ignore[index]
        created_at=r["created_at"],  # type: ignore[index]
        revoked_at=r["revoked_at"],  # type: ignore[index]
    )
