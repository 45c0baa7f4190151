"""Errors raised by channel clients and jobs, classified for the retry policy.

The queue decides what to do with a failed job from the class of the error alone:
transient errors and rate limits are retried with backoff, an authentication error gets
one token refresh, and everything else goes to the dead-letter state.
"""


class ChannelError(Exception):
    """A failure talking to a platform. ``kind`` drives the retry policy."""

    kind = "permanent"

    def __init__(self, message, *, wait=None, status=None, error_code=None):
        super().__init__(message)
        self.message = message
        self.wait = wait
        self.status = status
        #: The machine-readable code of the answer's body, where it has one (OAuth's
        #: ``error``, RFC 6749 §5.2), for callers that must tell refusals apart.
        self.error_code = error_code


class TransientError(ChannelError):
    """Network failure, timeout, 5xx: the same call may succeed later."""

    kind = "transient"


class RateLimitedError(TransientError):
    """429 or platform credit exhaustion; ``wait`` is the platform's own hint in seconds."""

    kind = "rate_limited"


class AuthError(ChannelError):
    """Credentials or token refused; worth one token refresh, no more. A refusal of the
    credentials themselves (a wrong password, a revoked key) passes
    ``refresh_helps=False``: asking again would only risk locking the account.
    ``failed_token``: the stored token that was refused, when the raiser did not discard
    it itself (the queue then discards exactly that one, never a newer one)."""

    kind = "auth"

    def __init__(self, message, *, refresh_helps=True, failed_token=None, **kwargs):
        super().__init__(message, **kwargs)
        self.refresh_helps = refresh_helps
        self.failed_token = failed_token


class PermanentError(ChannelError):
    """Validation and other 4xx errors, unknown SKUs, bad data: retrying will not help."""

    kind = "permanent"


class WindowWaitError(RateLimitedError):
    """Our own shared limiter has no allowance yet: the job is postponed to the moment the
    window allows the call, without using an attempt and without holding a worker."""
