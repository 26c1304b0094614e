"""Rate limits on search and sign-in, per API key and per client address (``limits``).

Two budgets, both configured in :class:`service.settings.Settings`:

- **search** (``rate_limit_search``): every search (API, similar-profiles and the web form)
  counts once against the caller's key and once against the client address; either running out
  answers 429.
- **sign-in** (``rate_limit_login``): every *failed* sign-in (a wrong key on the web form, or a
  wrong API key on any request) counts against the client address; once the address has used
  its budget, every sign-in from it is refused with 429 until the window moves on, *before*
  the key is checked, so that guessing keys gets nowhere. Each successful web sign-in also
  counts against its key (a key cannot open sessions without bound).

Counters live in memory (one process) unless ``rate_limit_storage`` names a shared store. The
client address is the TCP peer; behind a reverse proxy run uvicorn with ``--proxy-headers`` and
``--forwarded-allow-ips`` so that the peer is the real client.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from matcher.errors import RateLimitedError
from service.settings import Settings


def client_address(request: Request) -> str:
    """The client's address as the server sees it (``unknown`` when the transport has none)."""
    return request.client.host if request.client else "unknown"


class RateLimits:
    """The limits of one app (counters are not shared with other apps in the process)."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limits_enabled
        self._search: Sequence[RateLimitItem] = parse_many(settings.rate_limit_search)
        self._login: Sequence[RateLimitItem] = parse_many(settings.rate_limit_login)
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

    def check_sign_in(self, request: Request) -> None:
        """Refuse a sign-in attempt from an address that has failed too often.

        Raises:
            RateLimitedError: the address has spent its budget of failures.
        """
        if not self.enabled:
            return
        address = client_address(request)
        if not all(self._limiter.test(item, "sign-in", address) for item in self._login):
            wait = self._retry_after(self._login, "sign-in", address)
            raise RateLimitedError(
                f"too many failed sign-ins from this address; try again in {wait} s",
                retry_after=wait,
            )

    def failed_sign_in(self, request: Request) -> None:
        """Count a failed sign-in (a wrong or revoked key) against the client address."""
        if self.enabled:
            self._hit(self._login, "sign-in", client_address(request))

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
