"""A fake Alibaba Cloud SMS API (Dysmsapi `SendSms`) for tests and local development.

A real HTTP server on loopback speaking the RPC protocol: it checks the common parameters, the
AccessKey, the timestamp, the nonce and the HMAC-SHA1 signature (computed here independently
of the production client's code), answers in Alibaba Cloud's JSON shapes (`Code` "OK", or
error codes such as SignatureDoesNotMatch and isv.BUSINESS_LIMIT_CONTROL), records what it
"sent", and lets tests inject failures. `GET /_fake/messages?phone=…` lists the latest codes
sent, newest first, for local development and browser tests.

Local development::

    python -m culture_cloud.testing.fake_sms --port 8911
    curl -s 'http://127.0.0.1:8911/_fake/messages?phone=13800001234'
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hmac
import json
import re
import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from urllib.parse import parse_qsl, quote

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from culture_cloud.testing.loopback import LoopbackServer

__all__ = ["FakeSms", "FakeSmsServer", "SentSms", "create_app", "main"]

DEV_PORT: Final = 8911
# The development defaults of culture_cloud/settings.py.
DEV_ACCESS_KEY_ID: Final = "sms-demo-access-key-id"
DEV_ACCESS_KEY_SECRET: Final = "sms-demo-access-key-secret"
DEV_SIGN_NAME: Final = "介休文旅云"
DEV_TEMPLATE_CODE: Final = "SMS_000000000"

_COMMON = (
    "AccessKeyId",
    "Action",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "Timestamp",
    "Version",
    "Signature",
)
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# Alibaba Cloud refuses a Timestamp further than 15 minutes from its own clock.
_CLOCK_SKEW = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class SentSms:
    phone: str
    sign_name: str
    template_code: str
    params: dict[str, Any]
    biz_id: str
    sent_at: datetime

    @property
    def code(self) -> str | None:
        value = self.params.get("code")
        return value if isinstance(value, str) else None


def _string_to_sign(method: str, params: dict[str, str]) -> str:
    """Written apart from culture_cloud/accounts/sms/sender.py on purpose: a fake that signed
    with the client's own function would agree with any bug in it."""

    def enc(value: str) -> str:
        return quote(value.encode("utf-8"), safe="-_.~")

    pairs = sorted((k, v) for k, v in params.items() if k != "Signature")
    canonical = "&".join(enc(k) + "=" + enc(v) for k, v in pairs)
    return "&".join([method, enc("/"), enc(canonical)])


def _signature(method: str, params: dict[str, str], secret: str) -> str:
    mac = hmac.new((secret + "&").encode(), _string_to_sign(method, params).encode(), "sha1")
    return base64.b64encode(mac.digest()).decode()


class FakeSms:
    """State and behaviour of the fake. Thread-safe: the server runs in its own thread."""

    def __init__(
        self,
        *,
        access_key_id: str = "sms-test-key-id",
        access_key_secret: str = "sms-test-key-secret",
        sign_name: str = DEV_SIGN_NAME,
        template_code: str = "SMS_100000001",
    ) -> None:
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.sign_name = sign_name
        self.template_code = template_code
        self.requests = 0
        self._lock = threading.Lock()
        self._sent: list[SentSms] = []
        self._nonces: set[str] = set()
        self._fail_codes: list[str] = []
        self._fail_http = 0
        self._delays: list[float] = []

    # -- test controls ---------------------------------------------------------------------

    @property
    def sent(self) -> list[SentSms]:
        with self._lock:
            return list(self._sent)

    def messages_to(self, phone: str) -> list[SentSms]:
        return [message for message in self.sent if message.phone == phone]

    def last_code(self, phone: str) -> str:
        codes = [message.code for message in self.messages_to(phone) if message.code]
        if not codes:
            raise LookupError("no code was sent to that phone")
        return codes[-1]

    def reset(self) -> None:
        with self._lock:
            self._sent.clear()
            self._fail_codes.clear()
            self._fail_http = 0
            self._delays.clear()
            self.requests = 0

    def fail_next(self, n: int = 1, code: str = "isv.BUSINESS_LIMIT_CONTROL") -> None:
        """The next `n` valid SendSms requests are refused with the business error `code`."""
        with self._lock:
            self._fail_codes.extend([code] * n)

    def fail_next_http(self, n: int = 1) -> None:
        """The next `n` requests get the gateway's HTTP 503 page (not JSON)."""
        with self._lock:
            self._fail_http += n

    def delay_next(self, seconds: float, n: int = 1) -> None:
        """The next `n` requests are answered only after `seconds` (client timeouts)."""
        with self._lock:
            self._delays.extend([seconds] * n)

    # -- protocol --------------------------------------------------------------------------

    def _take(self) -> tuple[float, bool]:
        with self._lock:
            self.requests += 1
            delay = self._delays.pop(0) if self._delays else 0.0
            if self._fail_http:
                self._fail_http -= 1
                return delay, True
            return delay, False

    def _send_sms(self, method: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        request_id = str(uuid.uuid4()).upper()

        def error(status: int, code: str, message: str) -> tuple[int, dict[str, Any]]:
            return status, {
                "RequestId": request_id,
                "HostId": "dysmsapi.aliyuncs.com",
                "Code": code,
                "Message": message,
            }

        for name in _COMMON:
            if not params.get(name):
                return error(400, f"Missing{name}", f"{name} is mandatory for this action.")
        if params["AccessKeyId"] != self.access_key_id:
            return error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        if params["SignatureMethod"] != "HMAC-SHA1" or params["SignatureVersion"] != "1.0":
            return error(400, "InvalidParameter", "SignatureMethod or SignatureVersion invalid.")
        if params["Version"] != "2017-05-25":
            return error(400, "InvalidVersion", "Specified parameter Version is not valid.")
        if params["Action"] != "SendSms":
            return error(404, "InvalidAction.NotFound", "Specified api is not found.")
        try:
            stamp = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return error(400, "InvalidTimeStamp.Format", "Specified time stamp is not valid.")
        if abs(datetime.now(UTC) - stamp) > _CLOCK_SKEW:
            return error(400, "InvalidTimeStamp.Expired", "Specified time stamp is expired.")
        expected = _signature(method, params, self.access_key_secret)
        if not hmac.compare_digest(expected, params["Signature"]):
            # As the real service does, it quotes the string it signed (phone and code included).
            return error(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation. server string to "
                f"sign is:{_string_to_sign(method, params)}",
            )
        with self._lock:
            if params["SignatureNonce"] in self._nonces:
                return error(400, "SignatureNonceUsed", "Specified signature nonce was used.")
            self._nonces.add(params["SignatureNonce"])
        for name in ("PhoneNumbers", "SignName", "TemplateCode"):
            if not params.get(name):
                return error(400, f"Missing{name}", f"{name} is mandatory for this action.")
        phone = params["PhoneNumbers"]
        try:
            template_params = json.loads(params.get("TemplateParam") or "{}")
        except ValueError:
            return 200, {"RequestId": request_id, "Code": "isv.INVALID_JSON_PARAM",
                         "Message": "JSON参数不合法，只接受字符串值"}  # fmt: skip
        business = (
            "isv.MOBILE_NUMBER_ILLEGAL" if not _MOBILE.fullmatch(phone)
            else "isv.SMS_SIGNATURE_ILLEGAL" if params["SignName"] != self.sign_name
            else "isv.SMS_TEMPLATE_ILLEGAL" if params["TemplateCode"] != self.template_code
            else "isv.TEMPLATE_MISSING_PARAMETERS"
            if not isinstance(template_params, dict) or not template_params.get("code")
            else None
        )  # fmt: skip
        with self._lock:
            if business is None and self._fail_codes:
                business = self._fail_codes.pop(0)
            if business is not None:
                return 200, {"RequestId": request_id, "Code": business, "Message": business}
            biz_id = f"{secrets.randbelow(10**15):015d}^0"
            self._sent.append(
                SentSms(
                    phone=phone,
                    sign_name=params["SignName"],
                    template_code=params["TemplateCode"],
                    params=template_params,
                    biz_id=biz_id,
                    sent_at=datetime.now(UTC),
                )
            )
        return 200, {"RequestId": request_id, "Code": "OK", "Message": "OK", "BizId": biz_id}


def create_app(state: FakeSms) -> Starlette:
    async def rpc(request: Request) -> Response:
        # The whole request first: a delayed answer is a slow provider, not a slow upload.
        params = dict(request.query_params)
        if request.method == "POST":
            # application/x-www-form-urlencoded, as the RPC style posts it.
            body = (await request.body()).decode("utf-8", errors="replace")
            params.update(parse_qsl(body, keep_blank_values=True))
        delay, gateway_error = state._take()
        if delay:
            await asyncio.sleep(delay)
        if gateway_error:
            return PlainTextResponse("<html>503 Service Temporarily Unavailable</html>", 503)
        status, payload = state._send_sms(request.method, params)
        return JSONResponse(payload, status_code=status)

    async def messages(request: Request) -> Response:
        phone = request.query_params.get("phone")
        sent = state.messages_to(phone) if phone else state.sent
        return JSONResponse(
            {
                "messages": [
                    {"phone": m.phone, "code": m.code, "sentAt": m.sent_at.isoformat()}
                    for m in reversed(sent)
                ]
            }
        )

    return Starlette(
        routes=[
            Route("/", rpc, methods=["GET", "POST"]),
            Route("/_fake/messages", messages, methods=["GET"]),
        ]
    )


class FakeSmsServer(LoopbackServer):
    """Runs the fake on 127.0.0.1 and a free port in a background thread."""

    def __init__(self, state: FakeSms | None = None, *, startup_timeout: float = 10.0) -> None:
        self.state = state if state is not None else FakeSms()
        super().__init__(
            create_app(self.state), name="FakeSmsServer", startup_timeout=startup_timeout
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the fake Alibaba Cloud SMS API locally.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEV_PORT)
    parser.add_argument("--access-key-id", default=DEV_ACCESS_KEY_ID)
    parser.add_argument("--access-key-secret", default=DEV_ACCESS_KEY_SECRET)
    parser.add_argument("--sign-name", default=DEV_SIGN_NAME)
    parser.add_argument("--template-code", default=DEV_TEMPLATE_CODE)
    args = parser.parse_args(argv)
    state = FakeSms(
        access_key_id=args.access_key_id,
        access_key_secret=args.access_key_secret,
        sign_name=args.sign_name,
        template_code=args.template_code,
    )
    base = f"http://{args.host}:{args.port}"
    print(
        f"Fake SMS (Alibaba Cloud SendSms) on {base}. The codes it 'sent':\n"
        f"  curl -s '{base}/_fake/messages?phone=13800001234'\n"
        f"The API's development defaults point here (CULTURE_CLOUD_SMS_BASE_URL={base}).",
        flush=True,
    )
    uvicorn.run(create_app(state), host=args.host, port=args.port, log_level="info", lifespan="off")


if __name__ == "__main__":
    main()
