"""Encryption of secret values at rest, with Fernet from `cryptography`.

Keys come from `DISPATCH_SECRETS_KEYS` (comma-separated; the first encrypts, all decrypt, so keys
can be rotated). Unset, one key is derived from SECRET_KEY so a first run needs no set-up.
"""

import base64
import hashlib
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        digest = hashlib.sha256(b"dispatch-secret-values:" + secret_key.encode()).digest()
        keys = (base64.urlsafe_b64encode(digest).decode(),)
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "DISPATCH_SECRETS_KEYS must hold Fernet keys (32 url-safe base64-encoded bytes each)."
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.DISPATCH_SECRETS_KEYS), settings.SECRET_KEY)


def encrypt_values(values: dict[str, str]) -> str:
    return fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt_values(token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        return json.loads(fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A secret cannot be decrypted with the configured keys; restore the key it was stored with."
        ) from exc
