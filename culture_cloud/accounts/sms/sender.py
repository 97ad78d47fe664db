"""Sending a verification code by SMS: the `SmsSender` interface and its Alibaba Cloud
implementation (Dysmsapi `SendSms`, RPC style, signature method HMAC-SHA1 version 1.0).

The request is POSTed as a form, so the phone number and the code travel in the body, not in a
URL that proxies and access logs keep. Secrets and personal data stay out of every exception
message built here: the provider's own `Message` can quote the string it signed (phone number
and code included, see SignatureDoesNotMatch), so only its `Code` and `RequestId` are kept.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Protocol
from urllib.parse import quote

if TYPE_CHECKING:
    import httpx

    from culture_cloud.http_clients import LazyHttpClient

__all__ = [
    "AliyunSmsSender",
    "SmsRejected",
    "SmsSender",
    "SmsUnavailable",
    "percent_encode",
    "sign",
    "string_to_sign",
]

API_VERSION: Final = "2017-05-25"
REGION_ID: Final = "cn-hangzhou"


class SmsRejected(Exception):
    """The provider answered and refused: nothing was sent. `code` is the provider's code
    (e.g. isv.BUSINESS_LIMIT_CONTROL); `request_id` helps its support find the call."""

    def __init__(self, code: str, request_id: str | None = None) -> None:
        super().__init__(code, request_id)
        self.code = code
        self.request_id = request_id

    def __str__(self) -> str:
        return f"SMS provider refused: {self.code} (RequestId {self.request_id})"


class SmsUnavailable(Exception):
    """No usable answer (timeout, connection, gateway error): the message may or may not have
    been sent."""


class SmsSender(Protocol):
    async def send_code(self, phone: str, code: str) -> None:
        """Sends `code` to the mainland mobile `phone` (11 digits); raises SmsRejected or
        SmsUnavailable."""
        ...


def percent_encode(value: str) -> str:
    """RFC 3986 as Alibaba Cloud's signature wants it: UTF-8, only A-Z a-z 0-9 - _ . ~ left
    alone, a space is %20 (not +), and * is %2A."""
    return quote(value, safe="~")


def canonical_query(params: Mapping[str, str]) -> str:
    return "&".join(
        f"{percent_encode(key)}={percent_encode(params[key])}"
        for key in sorted(params)
        if key != "Signature"
    )


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"


def sign(method: str, params: Mapping[str, str], access_key_secret: str) -> str:
    """Signature = Base64(HMAC-SHA1(secret + "&", StringToSign))."""
    digest = hmac.new(
        f"{access_key_secret}&".encode(),
        string_to_sign(method, params).encode(),
        hashlib.sha1,
    ).digest()
    return base64.b64encode(digest).decode()


def timestamp(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class AliyunSmsSender:
    def __init__(
        self,
        *,
        base_url: str,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        template_code: str,
        http: httpx.AsyncClient | LazyHttpClient,
    ) -> None:
        self._url = base_url.rstrip("/") + "/"
        self._access_key_id = access_key_id
        self._access_key_secret = access_key_secret
        self._sign_name = sign_name
        self._template_code = template_code
        self._http = http

    def __repr__(self) -> str:
        return f"AliyunSmsSender(url={self._url!r}, access_key_id={self._access_key_id!r})"

    def signed_params(self, phone: str, code: str, *, now: datetime, nonce: str) -> dict[str, str]:
        params = {
            "AccessKeyId": self._access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": REGION_ID,
            "SignName": self._sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce,
            "SignatureVersion": "1.0",
            "TemplateCode": self._template_code,
            "TemplateParam": json.dumps({"code": code}, separators=(",", ":")),
            "Timestamp": timestamp(now),
            "Version": API_VERSION,
        }
        params["Signature"] = sign("POST", params, self._access_key_secret)
        return params

    async def send_code(self, phone: str, code: str) -> None:
        import httpx  # loaded with the client by then (culture_cloud/http_clients.py)

        params = self.signed_params(phone, code, now=datetime.now(UTC), nonce=str(uuid.uuid4()))
        try:
            response = await self._http.post(self._url, data=params)
        except httpx.RequestError as exc:
            # The class only: the chained error holds the request, whose body has the code.
            raise SmsUnavailable(f"SendSms: {type(exc).__name__}") from None
        payload = _json_object(response)
        provider_code = payload.get("Code") if payload is not None else None
        request_id = payload.get("RequestId") if payload is not None else None
        if not isinstance(provider_code, str) or not provider_code:
            # A gateway's HTML page, an empty body: we cannot know what happened.
            raise SmsUnavailable(f"SendSms: HTTP {response.status_code} without a Code")
        if response.status_code >= 500:
            raise SmsUnavailable(f"SendSms: HTTP {response.status_code} {provider_code}")
        if provider_code != "OK":
            raise SmsRejected(provider_code, request_id if isinstance(request_id, str) else None)


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        payload = response.json()
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None
