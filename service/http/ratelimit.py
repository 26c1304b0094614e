"""Rate limits on search and sign-in, per API key, per key prefix and per client address
(``limits``).

Budgets, all configured in :class:`service.settings.Settings`:

- **search** (``rate_limit_search``): every search (API, similar-profiles and the web form)
  counts once against the caller's key and once against the client address; either running out
  answers 429.
- **failed sign-ins per key prefix** (``rate_limit_login``): a wrong key (on the web form or
  any API request) counts against its *prefix* (a hash of its first
  :data:`KEY_PREFIX_CHARS` characters). Once a prefix has spent its budget, every key starting
  with it is refused with 429 before it is looked at, so that guessing the rest of one key
  gets nowhere. A valid key has its own prefix, which nobody else's failures reach.
- **failed sign-ins per address** (``rate_limit_login_address``, much larger): wrong keys from
  one address, whatever their prefix, so that a spray of random keys is stopped. It refuses
  only *wrong* keys: a valid key is checked against its own budgets and never locked out by
  the failures of others behind the same address (everyone behind one NHS proxy shares it).
- **sessions per key** (``rate_limit_login``): each successful web sign-in counts against its
  key (a key cannot open sessions without bound).

Counters live in memory (one process) unless ``rate_limit_storage`` names a shared store. The
client address is the TCP peer; ``matcher serve`` takes proxy headers only from the proxies
named in ``trusted_proxies`` (none by default), so that the peer is the real client.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Sequence

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from matcher.errors import RateLimitedError
from service.settings import Settings

#: How much of a presented key names its prefix bucket: ``km_`` and 9 random characters (54
#: bits: a random guess never falls into a real key's bucket).
KEY_PREFIX_CHARS = 12


def key_prefix(secret: str) -> str:
    """The bucket of a presented key: a hash of its first :data:`KEY_PREFIX_CHARS` characters
    (the counters never hold any part of a key itself)."""
    return hashlib.sha256(secret[:KEY_PREFIX_CHARS].encode()).hexdigest()[:24]


def client_address(request: Request) -> str:
    """The client's address as the server sees it (``unknown`` when the transport has none)."""
    return request.client.host if request.client else "unknown"


class RateLimits:
    """The limits of one app (counters are not shared with other apps in the process)."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limits_enabled
        self._search: Sequence[RateLimitItem] = parse_many(settings.rate_limit_search)
        self._login: Sequence[RateLimitItem] = parse_many(settings.rate_limit_login)
        self._login_address: Sequence[RateLimitItem] = parse_many(settings.rate_limit_login_address)
        self._limiter = MovingWindowRateLimiter(storage_from_string(settings.rate_limit_storage))

    def _retry_after(self, items: Sequence[RateLimitItem], *identifiers: str) -> int:
        resets = [self._limiter.get_window_stats(item, *identifiers).reset_time for item in items]
        return max(1, math.ceil(max(resets) - time.time()))

    def _hit(self, items: Sequence[RateLimitItem], *identifiers: str) -> bool:
        # every item is hit (not just up to the first refusal), like limits' own middlewares
        return all([self._limiter.hit(item, *identifiers) for item in items])

    def check_search(self, request: Request, key_id: str | None) -> None:
        """Count one search against the address and the key.

        Raises:
            RateLimitedError: either budget is spent.
        """
        if not self.enabled:
            return
        scopes = [("address", client_address(request))]
        if key_id is not None:
            scopes.append(("key", key_id))
        for scope, value in scopes:
            if not self._hit(self._search, "search", scope, value):
                wait = self._retry_after(self._search, "search", scope, value)
                raise RateLimitedError(
                    f"too many searches from this {'API key' if scope == 'key' else 'address'}; "
                    f"try again in {wait} s",
                    retry_after=wait,
                )

    def check_key(self, secret: str) -> None:
        """Refuse a presented key whose prefix has had too many failures, before the key is
        looked at (a valid key is refused only when its own prefix has been guessed at).

        Raises:
            RateLimitedError: the prefix has spent its budget of failures.
        """
        if not self.enabled:
            return
        bucket = key_prefix(secret)
        if not all(self._limiter.test(item, "sign-in", "prefix", bucket) for item in self._login):
            wait = self._retry_after(self._login, "sign-in", "prefix", bucket)
            raise RateLimitedError(
                f"too many failed sign-ins with this key; try again in {wait} s", retry_after=wait
            )

    def failed_sign_in(self, request: Request, secret: str) -> None:
        """Count a failed sign-in (a wrong or revoked key) against its prefix and the address.

        Raises:
            RateLimitedError: the address has now spent its budget of failures (a spray of
                wrong keys); valid keys from it still sign in.
        """
        if not self.enabled:
            return
        self._hit(self._login, "sign-in", "prefix", key_prefix(secret))
        address = client_address(request)
        if not self._hit(self._login_address, "sign-in", "address", address):
            wait = self._retry_after(self._login_address, "sign-in", "address", address)
            raise RateLimitedError(
                f"too many failed sign-ins from this address; try again in {wait} s",
                retry_after=wait,
            )

    def session_opened(self, key_id: str) -> None:
        """Count a web sign-in against its key.

        Raises:
            RateLimitedError: the key has opened too many sessions lately.
        """
        if self.enabled and not self._hit(self._login, "session", key_id):
            wait = self._retry_after(self._login, "session", key_id)
            raise RateLimitedError(
                f"this key has signed in too often; try again in {wait} s", retry_after=wait
            )


def rate_limits_of(request: Request) -> RateLimits | None:
    """The app's rate limits (``None`` for an app built without them)."""
    limits: RateLimits | None = getattr(request.app.state, "rate_limits", None)
    return limits
