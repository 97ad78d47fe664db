"""Secrets of bookings: encrypted ID numbers, check-in tokens and the signed QR payload.

Every key is derived from Settings.secret_key with HKDF and a purpose label, so one leaked
derived key (or a misuse of one) gives nothing for the other purposes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from culture_cloud.settings import Settings

_ID_PURPOSE = b"culture-cloud/bookings/at-rest/v1"
_QR_PURPOSE = b"culture-cloud/bookings/checkin-qr/v1"
_REQUEST_PURPOSE = b"culture-cloud/bookings/idempotency/v1"
_DOOR_PURPOSE = b"culture-cloud/bookings/door-verifier/v1"

# 16 bytes of HMAC-SHA256, base64url: forging one is a 2^128 guess.
_MAC_CHARS = 22
_CODE_PATTERN = re.compile(r"([1-9][0-9]{0,18})\.([A-Za-z0-9_-]{32})\.([A-Za-z0-9_-]{22})")


@lru_cache(maxsize=8)
def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=purpose).derive(secret.encode())


def _fernet(settings: Settings) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(settings.secret_key, _ID_PURPOSE)))


def encrypt(settings: Settings, value: str) -> str:
    return _fernet(settings).encrypt(value.encode()).decode()


def decrypt(settings: Settings, token: str) -> str | None:
    """None when the value was encrypted under another secret (a rotated key)."""
    try:
        return _fernet(settings).decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def new_checkin_token() -> str:
    return secrets.token_urlsafe(24)  # 32 characters


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _mac(settings: Settings, message: str) -> str:
    key = _derive(settings.secret_key, _QR_PURPOSE)
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:_MAC_CHARS]


def checkin_code(settings: Settings, booking_id: int, token: str) -> str:
    """The QR payload: `<booking id>.<token>.<HMAC>`."""
    body = f"{booking_id}.{token}"
    return f"{body}.{_mac(settings, body)}"


def parse_checkin_code(settings: Settings, code: str) -> tuple[int, str] | None:
    """(booking id, token) of a payload this server signed; None for anything else. Runs no
    query, so forged payloads cost nothing but a hash."""
    match = _CODE_PATTERN.fullmatch(code.strip())
    if match is None:
        return None
    booking_id, token, mac = match.groups()
    if not hmac.compare_digest(mac, _mac(settings, f"{booking_id}.{token}")):
        return None
    return int(booking_id), token


def door_key(settings: Settings, target_kind: str, target_id: int) -> bytes:
    """The key a door device of one event or entry slot checks scanned codes with, offline.

    An HMAC of the target under a derived key: it reveals nothing about the server secret or
    other targets' keys, and it cannot make a code (that takes the QR key, `_mac`)."""
    base = _derive(settings.secret_key, _DOOR_PURPOSE)
    return hmac.new(base, f"{target_kind}:{target_id}".encode(), hashlib.sha256).digest()


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode().rstrip("=")


def door_verifier(key: bytes, code: str) -> str:
    """What the door list holds instead of a code: HMAC-SHA256(door key, code as scanned,
    surrounding blanks stripped), base64url, first 22 characters (128 bits). The device
    computes the same from a scanned code (WebCrypto HMAC) and looks it up."""
    digest = hmac.new(key, code.strip().encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:_MAC_CHARS]


def request_fingerprint(settings: Settings, canonical: bytes) -> str:
    """Keyed, because the request may hold ID numbers: a plain hash of a low-entropy number is
    easy to reverse."""
    key = _derive(settings.secret_key, _REQUEST_PURPOSE)
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def valid_id_number(value: str) -> bool:
    """Resident identity card number (GB 11643): 17 digits and a check character."""
    if len(value) != 18 or not value[:17].isdigit() or not value[:17].isascii():
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return value[17].upper() == _ID_CHECK[total % 11]
