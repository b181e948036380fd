"""What users typed cannot forge links or markup in a group chat, and every robot message fits
its platform's limit in UTF-8 bytes."""

from __future__ import annotations

import re

import pytest

from notifications.channels import (
    DINGTALK_MARKDOWN_MAX_BYTES,
    WECOM_MARKDOWN_MAX_BYTES,
    RobotMessage,
    markdown_escape,
    robot_channel,
    truncate_bytes,
)
from notifications.choices import EventKind, RobotKind
from notifications.models import Delivery
from notifications.services import render_digest
from tests.notifications.factories import RobotFactory

pytestmark = pytest.mark.django_db

FORGED_LINK = "消防通道](http://evil.example/)堵塞"
IMAGE = '<img src="http://evil.example/x.png"> ![钓鱼](http://evil.example/p.png)'
LONG_DESCRIPTION = "住院部三楼消防通道被杂物堵塞,需立即清理。" * 500  # 10,500 characters

CHANNELS = [
    (RobotKind.WECOM, WECOM_MARKDOWN_MAX_BYTES),
    (RobotKind.DINGTALK, DINGTALK_MARKDOWN_MAX_BYTES),
]


def _markdown(payload: dict) -> str:
    markdown = payload["markdown"]
    return markdown.get("content", markdown.get("text"))


def _unescaped(markdown: str) -> str:
    """The markdown with every escaped character removed: what a renderer could take as markup."""
    return re.sub(r"\\.", "", markdown)


def _digest(hospital, *, title: str, body: str) -> RobotMessage:
    delivery = Delivery(
        channel=RobotKind.WECOM,
        target="robot:1",
        event=EventKind.HAZARD_OVERDUE,
        dedupe_key="k",
        title=title,
        body=body,
        url="/hazards/7/",
    )
    return render_digest([delivery])


@pytest.mark.parametrize(("kind", "limit"), CHANNELS)
def test_a_forged_link_in_a_description_stays_text(kind, limit, hospital_a):
    robot = RobotFactory(hospital=hospital_a, kind=kind)
    message = _digest(hospital_a, title=f"隐患 {FORGED_LINK}", body=f"部位:{FORGED_LINK}")
    markdown = _markdown(robot_channel(kind).payload(robot, message))
    # Our own link to the hazard is the only link in the message.
    assert re.findall(r"\]\(", _unescaped(markdown)) == ["]("]
    assert "](http://evil" not in _unescaped(markdown)
    assert "消防通道\\]\\(http://evil.example/\\)堵塞" in markdown


@pytest.mark.parametrize(("kind", "limit"), CHANNELS)
def test_html_and_images_stay_text(kind, limit, hospital_a):
    robot = RobotFactory(hospital=hospital_a, kind=kind)
    message = _digest(hospital_a, title=IMAGE, body=IMAGE)
    markdown = _markdown(robot_channel(kind).payload(robot, message))
    visible = _unescaped(markdown)
    assert "<img" not in visible and "![" not in visible
    assert '\\<img src="http://evil.example/x.png"\\>' in markdown


@pytest.mark.parametrize(("kind", "limit"), CHANNELS)
def test_a_long_chinese_description_is_cut_to_the_platform_limit(kind, limit, hospital_a):
    robot = RobotFactory(hospital=hospital_a, kind=kind, at_mobiles="13800000000")
    message = RobotMessage(title="隐患 JJ-2026-0001", text=markdown_escape(LONG_DESCRIPTION))
    assert len(message.markdown().encode()) > limit
    markdown = _markdown(robot_channel(kind).payload(robot, message))
    encoded = markdown.encode("utf-8")
    assert limit - 8 <= len(encoded) <= limit
    assert encoded.decode("utf-8") == markdown  # whole characters only
    assert "…" in markdown
    if kind == RobotKind.DINGTALK:
        assert markdown.endswith("@13800000000")  # the mention survives the cut


def test_the_cut_never_splits_an_escape_or_a_character():
    escaped = markdown_escape("(" * 100)  # "\\(" repeated: 200 bytes
    for limit in range(4, 60):
        cut = truncate_bytes(escaped, limit)
        assert len(cut.encode()) <= limit
        body = cut.removesuffix("…")
        assert re.fullmatch(r"(\\\()*", body), (limit, cut)
    chinese = "隐" * 100
    for limit in range(4, 20):
        cut = truncate_bytes(chinese, limit)
        assert len(cut.encode()) <= limit and set(cut.removesuffix("…")) <= {"隐"}


def test_escaping_keeps_the_text_and_flattens_lines():
    assert markdown_escape("a*b_c`d#e!f~g|h\\i") == "a\\*b\\_c\\`d\\#e\\!f\\~g\\|h\\\\i"
    assert markdown_escape("第一行\n# 标题\r\n> 引用") == "第一行 \\# 标题  \\> 引用"
