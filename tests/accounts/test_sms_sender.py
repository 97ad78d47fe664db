"""The Alibaba Cloud SMS client: its signature against Alibaba Cloud's documented examples, and
its requests as the fake SendSms endpoint (which checks the signature itself) answers them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from culture_cloud.accounts.sms.sender import (
    AliyunSmsSender,
    SmsRejected,
    SmsUnavailable,
    percent_encode,
    sign,
    string_to_sign,
)
from culture_cloud.testing.fake_sms import FakeSms, FakeSmsServer
from tests.accounts.conftest import SMS_KEY_ID, SMS_KEY_SECRET, SMS_SIGN_NAME, SMS_TEMPLATE

# The SendSms example of Alibaba Cloud's SMS signature documentation (GET, key testId /
# testSecret), and the DescribeRegions example of its RPC signature documentation.
SEND_SMS_EXAMPLE = {
    "AccessKeyId": "testId",
    "Action": "SendSms",
    "Format": "XML",
    "OutId": "123",
    "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou",
    "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}',
    "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}
DESCRIBE_REGIONS_EXAMPLE = {
    "AccessKeyId": "testid",
    "Action": "DescribeRegions",
    "Format": "XML",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    "SignatureVersion": "1.0",
    "Timestamp": "2016-02-23T12:46:24Z",
    "Version": "2014-05-26",
}


def test_sign__documented_send_sms_example__documented_signature() -> None:
    assert sign("GET", SEND_SMS_EXAMPLE, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_sign__documented_describe_regions_example__documented_signature() -> None:
    assert sign("GET", DESCRIBE_REGIONS_EXAMPLE, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_string_to_sign__documented_example__timestamp_colons_encoded_twice() -> None:
    assert string_to_sign("GET", DESCRIBE_REGIONS_EXAMPLE) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
        "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
        "%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z"
        "%26Version%3D2014-05-26"
    )


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        ("a b", "a%20b"),
        ("*", "%2A"),
        ("~-_.", "~-_."),
        ("/=&+", "%2F%3D%26%2B"),
        ("介", "%E4%BB%8B"),
    ],
)
def test_percent_encode__reserved_characters__encoded_as_alibaba_cloud_wants(
    raw: str, encoded: str
) -> None:
    assert percent_encode(raw) == encoded


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=2) as client:
        yield client


def _sender(
    server: FakeSmsServer, http: httpx.AsyncClient, *, secret: str = SMS_KEY_SECRET
) -> AliyunSmsSender:
    return AliyunSmsSender(
        base_url=server.base_url,
        access_key_id=SMS_KEY_ID,
        access_key_secret=secret,
        sign_name=SMS_SIGN_NAME,
        template_code=SMS_TEMPLATE,
        http=http,
    )


async def test_send_code__fake_checks_signature__message_recorded(
    fake_sms: FakeSmsServer, sms: FakeSms, http: httpx.AsyncClient
) -> None:
    await _sender(fake_sms, http).send_code("13800001234", "042917")

    [message] = sms.sent
    assert (message.phone, message.code, message.sign_name, message.template_code) == (
        "13800001234",
        "042917",
        SMS_SIGN_NAME,
        SMS_TEMPLATE,
    )


async def test_send_code__wrong_secret__signature_does_not_match(
    fake_sms: FakeSmsServer, sms: FakeSms, http: httpx.AsyncClient
) -> None:
    with pytest.raises(SmsRejected) as caught:
        await _sender(fake_sms, http, secret="not-the-secret").send_code("13800001234", "042917")

    assert caught.value.code == "SignatureDoesNotMatch"
    assert sms.sent == []


async def test_send_code__provider_flow_control__rejected_with_its_code(
    fake_sms: FakeSmsServer, sms: FakeSms, http: httpx.AsyncClient
) -> None:
    sms.fail_next(1, "isv.BUSINESS_LIMIT_CONTROL")

    with pytest.raises(SmsRejected) as caught:
        await _sender(fake_sms, http).send_code("13800001234", "042917")

    assert caught.value.code == "isv.BUSINESS_LIMIT_CONTROL"
    assert "042917" not in str(caught.value) and "13800001234" not in str(caught.value)


async def test_send_code__gateway_error_page__unavailable(
    fake_sms: FakeSmsServer, sms: FakeSms, http: httpx.AsyncClient
) -> None:
    sms.fail_next_http(1)

    with pytest.raises(SmsUnavailable):
        await _sender(fake_sms, http).send_code("13800001234", "042917")


async def test_send_code__provider_slower_than_timeout__unavailable(
    fake_sms: FakeSmsServer, sms: FakeSms
) -> None:
    sms.delay_next(1.0)

    async with httpx.AsyncClient(timeout=0.2) as http:
        with pytest.raises(SmsUnavailable, match="Timeout"):
            await _sender(fake_sms, http).send_code("13800001234", "042917")


async def test_fake__signed_get_request__accepted_as_alibaba_cloud_does(
    fake_sms: FakeSmsServer, sms: FakeSms, http: httpx.AsyncClient
) -> None:
    sender = _sender(fake_sms, http)
    params = sender.signed_params(
        "13900005678", "770011", now=datetime.now(UTC), nonce="nonce-get-1"
    )
    params["Signature"] = sign("GET", params, SMS_KEY_SECRET)

    response = await http.get(fake_sms.base_url + "/", params=params)

    assert response.json()["Code"] == "OK"
    assert sms.last_code("13900005678") == "770011"


async def test_fake__replayed_nonce__refused(
    fake_sms: FakeSmsServer, sms: FakeSms, http: httpx.AsyncClient
) -> None:
    params = _sender(fake_sms, http).signed_params(
        "13900005678", "770011", now=datetime.now(UTC), nonce="nonce-replayed"
    )
    first = await http.post(fake_sms.base_url + "/", data=params)

    again = await http.post(fake_sms.base_url + "/", data=params)

    assert first.json()["Code"] == "OK"
    assert (again.status_code, again.json()["Code"]) == (400, "SignatureNonceUsed")


async def test_fake_messages__per_phone__newest_code_first(
    fake_sms: FakeSmsServer, sms: FakeSms, http: httpx.AsyncClient
) -> None:
    sender = _sender(fake_sms, http)
    await sender.send_code("13800001234", "111111")
    await sender.send_code("13900005678", "222222")
    await sender.send_code("13800001234", "333333")

    listed = (
        await http.get(fake_sms.base_url + "/_fake/messages", params={"phone": "13800001234"})
    ).json()

    assert [m["code"] for m in listed["messages"]] == ["333333", "111111"]
