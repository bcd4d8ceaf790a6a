"""Encoding detection: UTF-8 (with or without BOM), GBK/GB18030, mixed files."""

from __future__ import annotations

import codecs

import pytest

from govstd.formats.encoding import detect_encoding, normalize_encoding

TEXT = "统一社会信用代码,名称,地址\n91350100M000100Y43,福州市某某有限公司,鼓楼区五一路\n" * 20


def test_ascii_is_utf8() -> None:
    assert detect_encoding(b"id,name\n1,x\n").encoding == "utf-8"


def test_utf8() -> None:
    guess = detect_encoding(TEXT.encode("utf-8"))
    assert (guess.encoding, guess.reason) == ("utf-8", "valid")


def test_utf8_bom() -> None:
    guess = detect_encoding(codecs.BOM_UTF8 + TEXT.encode("utf-8"))
    assert (guess.encoding, guess.reason) == ("utf-8-sig", "bom")


@pytest.mark.parametrize("codec", ["gbk", "gb2312", "gb18030"])
def test_gb_family_is_reported_as_gb18030(codec: str) -> None:
    assert detect_encoding(TEXT.encode(codec)).encoding == "gb18030"


def test_gb18030_four_byte_characters() -> None:
    text = "姓名\n𠀀𠀁\n" * 10  # CJK Extension B: not in GBK, four bytes in GB18030
    assert detect_encoding(text.encode("gb18030")).encoding == "gb18030"


def test_one_gbk_row_in_utf8_is_still_utf8() -> None:
    data = TEXT.encode("utf-8") + "王五,男,北京\n".encode("gbk") + TEXT.encode("utf-8")
    guess = detect_encoding(data)
    assert (guess.encoding, guess.reason) == ("utf-8", "mostly-utf-8")


def test_sample_cut_inside_a_character() -> None:
    data = TEXT.encode("utf-8")
    cut = data[: data.index("名".encode()) + 1]  # ends on the first byte of 名
    assert detect_encoding(cut) == detect_encoding(TEXT.encode("utf-8"))
    # As a whole file, the cut character is an error.
    assert detect_encoding(cut, final=True).reason != "valid"


def test_normalize_encoding() -> None:
    assert normalize_encoding("GBK") == "gb18030"
    assert normalize_encoding("cp936") == "gb18030"
    assert normalize_encoding("UTF8") == "utf-8"
    with pytest.raises(LookupError):
        normalize_encoding("no-such-codec")
